"""A participant who sets their meeting limit to 0 (not taking meetings) may still have
requests waiting for their answer: their profile page says how many and declines them all with
one button and one reason the senders see (each sender told, as a decline tells them). Nothing
is declined on its own: a limit of 0 may be for a while, and answering is theirs to do."""

import pytest
from django.test import Client

from matchmaking.models import MeetingRequest, Notification
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def client_of(participant) -> Client:
    client = Client()
    client.force_login(participant.user)
    return client


def test_not_taking_meetings_declines_the_waiting_requests_in_one_go(
    upcoming_event, make_participant
):
    event = upcoming_event
    me = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    chen = make_participant(event=event, name="Chen")
    waiting = [
        RequestFactory(sender=bruno, recipient=me, status="pending"),
        RequestFactory(sender=chen, recipient=me, status="pending"),
    ]
    mine = RequestFactory(
        sender=me, recipient=chen, status="pending"
    )  # mine: not theirs to decline
    accepted = RequestFactory(sender=make_participant(event=event), recipient=me, status="accepted")
    me.max_meetings = 0
    me.save(update_fields=["max_meetings"])
    client = client_of(me)

    page = client.get(f"/my/{event.slug}/profile/").content.decode()
    assert "2 requests sent to you are still waiting for your answer." in page
    assert "I am not taking meetings at this fair." in page  # the reason, ready to send

    Notification.objects.all().delete()
    done = client.post(
        f"/my/{event.slug}/requests/decline-all/",
        {"reason": "Not taking meetings this year, sorry."},
        follow=True,
    )

    assert [str(m) for m in done.context["messages"]] == [
        "2 requests declined; their senders are told."
    ]
    for r in waiting:
        r.refresh_from_db()
        assert (r.status, r.answer_reason) == ("declined", "Not taking meetings this year, sorry.")
    assert MeetingRequest.objects.get(pk=mine.pk).status == "pending"
    assert MeetingRequest.objects.get(pk=accepted.pk).status == "accepted"
    assert sorted(Notification.objects.values_list("recipient__name", "kind")) == [
        ("Bruno", "request_declined"),
        ("Chen", "request_declined"),
    ]
    assert "data-decline-all" not in done.content.decode()  # nothing waits now


def test_the_offer_shows_only_at_a_limit_of_0_and_in_french(upcoming_event, make_participant):
    me = make_participant(event=upcoming_event, name="Amina")
    RequestFactory(sender=make_participant(event=upcoming_event), recipient=me, status="pending")
    client = client_of(me)
    url = f"/my/{upcoming_event.slug}/profile/"
    assert "data-decline-all" not in client.get(url).content.decode()

    me.max_meetings = 0
    me.save(update_fields=["max_meetings"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 demande qui vous a été adressée attend encore votre réponse." in page
    assert "Les refuser toutes" in page


def test_a_reason_too_long_declines_nothing(upcoming_event, make_participant):
    me = make_participant(event=upcoming_event, name="Amina", max_meetings=0)
    r = RequestFactory(
        sender=make_participant(event=upcoming_event), recipient=me, status="pending"
    )
    done = client_of(me).post(
        f"/my/{upcoming_event.slug}/requests/decline-all/", {"reason": "x" * 301}, follow=True
    )
    assert [str(m) for m in done.context["messages"]] == [
        "The reason is too long: 300 characters at most."
    ]
    assert MeetingRequest.objects.get(pk=r.pk).status == "pending"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Amina is not taking meetings at this fair (their meeting limit is 0)."),
        ("fr", "Amina ne prend pas de rendez-vous à ce salon"),
        ("ar", "يبقى طلبك مفتوحًا إلى أن يُرَدّ عليه"),
    ],
)
def test_the_sender_is_told_on_the_request_card_in_their_language(
    upcoming_event, make_participant, language, said
):
    """A request sent before the recipient set their limit to 0 stays pending (answering is
    theirs to do): the sender's card says the person is not taking meetings, rather than
    leaving them waiting for an answer; a request to someone still taking meetings says
    nothing of the kind."""
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    chen = make_participant(event=event, name="Chen")
    to_amina = RequestFactory(sender=bruno, recipient=amina, status="pending")
    to_chen = RequestFactory(sender=bruno, recipient=chen, status="pending")
    amina.max_meetings = 0
    amina.save(update_fields=["max_meetings"])

    html = (
        client_of(bruno)
        .get(f"/my/{event.slug}/requests/", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )

    card = html[html.index(f'id="request-{to_amina.pk}"') :]
    card = card[: card.index("</li>")]
    assert "data-not-taking" in card
    assert said in card
    other = html[html.index(f'id="request-{to_chen.pk}"') :]
    assert "data-not-taking" not in other[: other.index("</li>")]


def test_the_organiser_sees_who_takes_no_meetings_and_the_requests_waiting(
    upcoming_event, make_participant, organiser
):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    RequestFactory(sender=bruno, recipient=amina, status="pending")
    RequestFactory(sender=bruno, recipient=amina, status="declined")
    amina.max_meetings = 0
    amina.save(update_fields=["max_meetings"])
    client = Client()
    client.force_login(organiser)

    hers = client.get(f"/organiser/{event.slug}/participants/{amina.pk}/").content.decode()
    his = client.get(f"/organiser/{event.slug}/participants/{bruno.pk}/").content.decode()

    assert "data-not-taking-meetings" in hers
    assert "Their meeting limit is 0: nobody can ask them" in hers
    assert hers.count("data-not-taking>Not taking meetings</span>") == 1  # the pending one
    assert "data-not-taking-meetings" not in his  # Bruno takes meetings
    assert his.count("data-not-taking>Not taking meetings</span>") == 1  # his request to her
