"""The participant's Messages pages: the list of conversations, one conversation with its form,
the unread count in the menu, and the links from requests and the agenda."""

import pytest

from matchmaking.models import MeetingRequest, Message
from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.meetings import Actor
from matchmaking.services.messages import message_send
from matchmaking.services.requests import request_decline
from tests.factories import RequestFactory
from tests.pages.test_participant_pages import booked, client_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def pair(event, make_participant):
    amina = make_participant(name="Amina Alaoui", languages=["en"])
    bruno = make_participant(name="Bruno Costa", languages=["en"])
    request = RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.PENDING)
    return amina, bruno, request


def url(event, person):
    return f"/my/{event.slug}/messages/{person.pk}/"


def test_write_from_the_requests_page_and_read_on_the_other_side(event, pair):
    amina, bruno, _request = pair
    requests_page = client_of(amina).get(f"/my/{event.slug}/requests/").content.decode()
    assert f'href="{url(event, bruno)}"' in requests_page

    client = client_of(amina)
    page = client.get(url(event, bruno))
    assert page.status_code == 200
    token = page.context["token"]
    sent = client.post(url(event, bruno), {"body": "Could we meet after lunch?", "token": token})
    assert sent.status_code == 302
    assert sent["Location"] == f"{url(event, bruno)}#latest"
    # the same form again (a double click): nothing sent twice
    client.post(url(event, bruno), {"body": "Could we meet after lunch?", "token": token})
    assert Message.objects.count() == 1

    other = client_of(bruno)
    menu = other.get(f"/my/{event.slug}/agenda/").content.decode()
    assert "data-unread-messages>1<" in menu
    inbox = other.get(f"/my/{event.slug}/messages/")
    [conversation] = inbox.context["conversations"]
    assert (conversation.other, conversation.unread) == (amina, 1)
    assert "Could we meet after lunch?" in inbox.content.decode()
    opened = other.get(url(event, amina))
    assert "Could we meet after lunch?" in opened.content.decode()
    assert opened.context["unread_messages"] == 0  # opening it read it
    assert Message.objects.get().read_at is not None


def test_the_page_says_why_one_cannot_write_and_offers_no_form(event, pair):
    amina, bruno, request = pair
    message_send(sender=amina, recipient_id=bruno.pk, body="Hello")
    request_decline(request=request, by=bruno)
    page = client_of(amina).get(url(event, bruno))
    body = page.content.decode()
    assert "Hello" in body  # what was written stays readable
    assert 'name="body"' not in body
    assert "Bruno Costa declined your meeting request; you no longer write to each other" in body


def test_a_refused_message_keeps_the_draft_and_answers_4xx(event, pair):
    amina, bruno, _request = pair
    client = client_of(amina)
    too_long = "x" * 2001
    refused = client.post(url(event, bruno), {"body": too_long, "token": "t"})
    assert refused.status_code == 400
    assert messages_of(refused) == ["A message holds at most 2,000 characters; this one has 2,001."]
    assert refused.context["draft"] == too_long
    assert client.post(url(event, bruno), {"body": "a\x00b"}).status_code == 400
    attendance_withdraw(participant=bruno, actor=Actor(participant=bruno))
    gone = client.post(url(event, bruno), {"body": "Still coming?", "token": "t2"})
    assert gone.status_code == 409
    assert messages_of(gone) == ["Bruno Costa no longer comes to the fair."]
    assert Message.objects.count() == 0


def test_french_and_arabic_pages_say_the_refusals_in_their_language(event, pair):
    amina, bruno, request = pair
    request.status = MeetingRequest.Status.CANCELLED  # withdrawn: no longer in touch
    request.save(update_fields=["status"])
    client = client_of(amina)
    client.cookies["django_language"] = "fr"
    refused = client.post(url(event, bruno), {"body": "Bonjour", "token": "t"})
    assert refused.status_code == 409
    assert messages_of(refused) == [
        "Vous pourrez écrire à cette personne dès qu'une demande de rendez-vous entre vous est "
        "en attente ou acceptée, ou tant que vous partagez un rendez-vous."
    ]
    request.status = MeetingRequest.Status.DECLINED  # a "no" is said as such
    request.save(update_fields=["status"])
    client.cookies["django_language"] = "ar"
    declined = client.post(url(event, bruno), {"body": "Bonjour", "token": "t3"})
    assert messages_of(declined) == ["رُفض طلب لقاء بينكما: لم يعد بإمكانكما المراسلة هنا."]


def test_unknown_people_and_oneself_are_404(event, pair):
    amina, _bruno, _request = pair
    client = client_of(amina)
    assert client.get(f"/my/{event.slug}/messages/999999/").status_code == 404
    assert client.get(url(event, amina)).status_code == 404


def test_the_agenda_links_the_other_side_of_a_meeting_not_a_colleague(event, make_participant):
    amina = make_participant(name="Amina Alaoui", languages=["en"])
    bruno = make_participant(name="Bruno Costa", languages=["en"])
    booked(amina, bruno, event.slots.order_by("start").first())
    agenda = client_of(amina).get(f"/my/{event.slug}/agenda/").content.decode()
    assert f'href="{url(event, bruno)}"' in agenda
    assert f'href="{url(event, amina)}"' not in agenda


def test_a_form_brought_back_with_new_text_is_not_taken_for_the_first_send(event, pair):
    """The Back button restores the form with its token: a new text sent with it was dropped in
    silence (taken for the first send). It is refused with the text kept, and goes with the
    page's new form."""
    amina, bruno, _request = pair
    client = client_of(amina)
    client.post(url(event, bruno), {"body": "First", "token": "t1"})
    refused = client.post(url(event, bruno), {"body": "Second, different", "token": "t1"})
    assert refused.status_code == 409
    assert refused.context["draft"] == "Second, different"
    sent = client.post(
        url(event, bruno), {"body": "Second, different", "token": refused.context["token"]}
    )
    assert sent.status_code == 302
    assert list(Message.objects.order_by("id").values_list("body", flat=True)) == [
        "First",
        "Second, different",
    ]


def test_after_five_unanswered_messages_the_page_says_wait_instead_of_a_form(event, pair):
    amina, bruno, _request = pair
    for n in range(5):
        message_send(sender=amina, recipient_id=bruno.pk, body=f"Ping {n}")
    body = client_of(amina).get(url(event, bruno)).content.decode()
    assert 'name="body"' not in body
    assert "You have written to Bruno Costa 5 times in a row; wait for an answer" in body


def test_the_conversation_shows_what_ties_the_two(event, make_participant):
    amina = make_participant(name="Amina Alaoui", languages=["en"])
    bruno = make_participant(name="Bruno Costa", languages=["en"])
    meeting = booked(amina, bruno, event.slots.order_by("start").first())
    page = client_of(bruno).get(url(event, amina))
    links = page.context["links"]
    assert links["request"] == meeting.request
    assert links["request"].mine is False
    assert links["meetings"] == [meeting]
    body = page.content.decode()
    assert "Their request to you:" in body
    assert f"#meeting-{meeting.pk}" in body


def test_the_conversation_shows_an_overdue_request_as_expired(event, pair):
    """The request's badge read "Expired" in the class of a pending one."""
    amina, bruno, request = pair
    message_send(sender=amina, recipient_id=bruno.pk, body="Hello")
    request.expires_at = request.created_at
    request.save(update_fields=["expires_at"])
    page = client_of(amina).get(url(event, bruno))
    assert page.context["links"]["request"].status == "expired"
    assert 'pt-status-expired">Expired<' in page.content.decode()
