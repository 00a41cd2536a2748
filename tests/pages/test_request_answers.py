"""Answering requests on the Requests page: limits, closed booking."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import MeetingRequest
from tests.factories import RequestFactory
from tests.pages.test_participant_pages import booked, client_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def test_at_my_limit_the_requests_page_says_so_instead_of_accept(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor", max_meetings=0)
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")
    page = f"/my/{event.slug}/requests/"

    html = client_of(bruno).get(page).content.decode()

    assert "You have reached your limit of 0 meetings: raise it on your profile" in html
    assert f"/requests/{request.pk}/accept/" not in html
    assert f"/requests/{request.pk}/decline/" in html  # declining stays possible
    answered = client_of(bruno).post(f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True)
    assert messages_of(answered) == [
        "You have reached your limit of 0 meetings: raise it on your profile or cancel a meeting "
        "before accepting."
    ]
    assert MeetingRequest.objects.get(pk=request.pk).status == "pending"


def test_accepting_while_booking_is_closed_says_the_organisers_will_schedule_it(
    event, make_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    slot = event.slots.order_by("start")[3]
    request = RequestFactory(sender=amina, recipient=bruno, status="pending", proposed_slot=slot)
    event.booking_closes = timezone.now() - dt.timedelta(minutes=1)
    event.save(update_fields=["booking_closes"])

    answered = client_of(bruno).post(f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True)

    assert messages_of(answered) == [
        "Request accepted. Booking is closed, so no time can be booked now: the organisers will "
        "schedule the meeting."
    ]


def test_accepting_for_a_sender_at_their_limit_says_so(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", max_meetings=1)
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="visitor")
    booked(amina, chen, event.slots.order_by("start")[0])
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    answered = client_of(bruno).post(f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True)

    assert messages_of(answered) == [
        "Request accepted. Amina has reached their meeting limit: the meeting can be booked "
        "once they raise it or cancel a meeting."
    ]


def test_the_sender_reads_the_decline_reason_on_their_requests_page(event, make_participant):
    from matchmaking.services.requests import request_cancel, request_decline

    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="visitor")
    declined = RequestFactory(sender=amina, recipient=bruno, status="pending")
    request_decline(request=declined, by=bruno, reason="We only meet utilities.")
    withdrawn = RequestFactory(sender=chen, recipient=amina, status="pending")
    request_cancel(request=withdrawn, by=chen, reason="Our CEO cannot come.")

    html = client_of(amina).get(f"/my/{event.slug}/requests/").content.decode()

    sent = html[html.index(f'id="request-{declined.pk}"') :]
    assert 'Declined:</strong> <span dir="auto">We only meet utilities.</span>' in sent
    received = html[html.index(f'id="request-{withdrawn.pk}"') :]
    assert 'Withdrawn:</strong> <span dir="auto">Our CEO cannot come.</span>' in received


def test_a_booked_request_shows_its_meeting_and_says_cancelling_cancels_it(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    slot = event.slots.order_by("start")[2]
    request = RequestFactory(sender=amina, recipient=bruno, status="pending", proposed_slot=slot)
    client_of(bruno).post(f"/my/{event.slug}/requests/{request.pk}/accept/")
    meeting = request.meetings.get()
    local = slot.start.astimezone(event.tz)
    when = f"{local:%H:%M}"

    for person in (amina, bruno):
        html = client_of(person).get(f"/my/{event.slug}/requests/").content.decode()
        card = html[html.index(f'id="request-{request.pk}"') :]
        card = card[: card.index("</li>")]
        assert "Meeting booked:" in card and when in card
        assert f"Where: {meeting.table.name} · " in card
        assert f"/my/{event.slug}/agenda/#meeting-{meeting.pk}" in card
        assert "Cancel the request and its meeting" in card
        assert "Cancelling this request also cancels your meeting on " in card
        assert f" at {when}; the other side is told." in card


def test_the_booked_meeting_of_a_request_is_said_in_arabic(event, make_participant):
    from django.conf import settings

    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    slot = event.slots.order_by("start")[2]
    request = RequestFactory(sender=amina, recipient=bruno, status="pending", proposed_slot=slot)
    client_of(bruno).post(f"/my/{event.slug}/requests/{request.pk}/accept/")
    client = client_of(amina)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    html = client.get(f"/my/{event.slug}/requests/").content.decode()

    assert "اللقاء محجوز:" in html and "عرضه في جدول مواعيدي" in html
    assert "إلغاء هذا الطلب يلغي أيضًا لقاءك يوم" in html


def test_find_someone_marks_who_declined_me_and_offers_no_form(event, make_participant):
    """Search by need marked Marie "declined your request" while Find someone offered a form
    that the service then refused."""
    amina = make_participant(name="Amina", kind="delegation")
    marie = make_participant(name="Marie Bernard", kind="exhibitor")
    paul = make_participant(name="Paul Bernard", kind="exhibitor")
    RequestFactory(sender=amina, recipient=marie, status="declined")

    found = client_of(amina).get(f"/my/{event.slug}/requests/", {"q": "Bernard"})

    html = found.content.decode()
    html = html[html.index('id="directory"') :]
    marie_card = html[html.index("<strong>Marie Bernard</strong>") :]
    marie_card = marie_card[: marie_card.index("</li>")]
    assert "Declined your request" in marie_card
    assert "Request a meeting" not in marie_card and f'id="ask-{marie.pk}"' not in html
    assert f'id="ask-{paul.pk}"' in html  # the others keep their form


def test_a_request_form_sent_twice_sends_once_and_shows_the_first_result(event, make_participant):
    """A double click showed "Your request was sent" and "A request is already pending between
    you two" together."""
    from matchmaking.models import Notification

    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno Bernard", kind="exhibitor")
    client = client_of(amina)
    page = client.get(f"/my/{event.slug}/requests/", {"q": "Bernard"})
    [person] = page.context["found"]
    assert f'name="token" value="{person.token}"' in page.content.decode()
    form = {"recipient": bruno.pk, "message": "Smart parking?", "token": person.token}

    first = client.post(f"/my/{event.slug}/requests/new/", form, follow=True)
    second = client.post(f"/my/{event.slug}/requests/new/", form, follow=True)

    assert messages_of(first) == messages_of(second) == ["Your request was sent to Bruno Bernard."]
    assert MeetingRequest.objects.filter(sender=amina).count() == 1
    assert Notification.objects.filter(recipient=bruno, kind="request_received").count() == 1
    # another form (another token) to the same person is refused as before
    again = client.post(
        f"/my/{event.slug}/requests/new/", {**form, "token": "another"}, follow=True
    )
    [said] = messages_of(again)
    assert said.startswith("There is already an open request between Amina and Bruno Bernard")
