"""Answering a request through the API: meeting limits, closed booking, what the accept answer
and the sender's email say."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import Meeting, MeetingRequest, Notification
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def url(event, tail=""):
    return f"/api/events/{event.slug}/requests/{tail}"


def booked(sender, recipient, slot):
    taken = RequestFactory(sender=sender, recipient=recipient, status="accepted")
    return meeting_book(request=taken, slot=slot, actor=Actor(system=True))


def test_a_recipient_at_their_own_limit_is_refused_and_the_request_stays_pending(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    client = as_participant(bruno)
    assert client.patch(f"/api/events/{event.slug}/me/", {"max_meetings": 0}).status_code == 200
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    refused = client.post(url(event, f"{request.pk}/accept/"))

    assert refused.status_code == 409
    assert refused.data["code"] == "limit_reached"
    assert refused.data["detail"] == (
        "You have reached your limit of 0 meetings: raise it on your profile or cancel a "
        "meeting before accepting."
    )
    assert MeetingRequest.objects.get(pk=request.pk).status == "pending"
    assert not Notification.objects.filter(recipient=amina).exists()


def test_a_recipient_with_one_meeting_at_a_limit_of_one_is_refused_also_at_another_time(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor", max_meetings=1)
    chen = make_participant(name="Chen", kind="visitor")
    slots = list(event.slots.order_by("start"))
    booked(chen, bruno, slots[0])
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    for body in ({}, {"slot": slots[3].pk}):
        refused = as_participant(bruno).post(url(event, f"{request.pk}/accept/"), body)
        assert refused.status_code == 409, body
        assert refused.data["code"] == "limit_reached"
        assert refused.data["detail"].startswith("You have reached your limit of 1 meeting:")
    assert MeetingRequest.objects.get(pk=request.pk).status == "pending"


def test_organisers_may_accept_for_someone_at_their_limit(
    event, make_participant, organiser_client
):
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor", max_meetings=0)
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    accepted = organiser_client.post(url(event, f"{request.pk}/accept/"))

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["meeting"] is None
    assert accepted.data["unbooked"]["code"] == "recipient_limit"
    note = Notification.objects.get(recipient=amina, kind="request_accepted")
    assert "book one in your agenda" not in note.body
    assert "the organisers will schedule it" in note.body


def test_a_sender_at_their_limit_is_told_to_raise_it_or_cancel_a_meeting(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="visitor")
    slots = list(event.slots.order_by("start"))
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slots[3].pk})
    assert sent.status_code == 201, sent.data
    booked(chen, amina, slots[0])
    amina.max_meetings = 1
    amina.save(update_fields=["max_meetings"])

    accepted = as_participant(bruno).post(url(event, f"{sent.data['id']}/accept/"))

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["status"] == "accepted" and accepted.data["meeting"] is None
    assert accepted.data["unbooked"] == {
        "code": "sender_limit",
        "detail": "Amina has reached their meeting limit: the meeting can be booked once they "
        "raise it or cancel a meeting.",
    }
    note = Notification.objects.get(recipient=amina, kind="request_accepted")
    assert "book one in your agenda" not in note.body
    assert (
        "You have reached your limit of 1 meeting, so this one cannot be booked: raise your "
        "limit on your profile, or cancel a meeting, to get it booked." in note.body
    )


def test_accepting_while_booking_is_closed_says_the_organisers_will_schedule_it(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor")
    slot = event.slots.order_by("start")[3]
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slot.pk})
    assert sent.status_code == 201
    event.booking_closes = timezone.now() - dt.timedelta(minutes=1)
    event.save(update_fields=["booking_closes"])

    accepted = as_participant(bruno).post(url(event, f"{sent.data['id']}/accept/"))

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["meeting"] is None
    assert accepted.data["unbooked"] == {
        "code": "booking_closed",
        "detail": "Booking is closed: the organisers will schedule the meeting.",
    }
    body = Notification.objects.get(recipient=amina, kind="request_accepted").body
    assert "could not be booked." in body
    assert "while booking is open" not in body
    assert (
        "Booking is closed, so neither of you can book a time now: the organisers will "
        "schedule the meeting, and you will be told its time." in body
    )


def test_a_plain_acceptance_says_to_book_a_time(event, make_participant, as_participant):
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor")
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    accepted = as_participant(bruno).post(url(event, f"{request.pk}/accept/"))

    assert accepted.data["unbooked"]["code"] == "no_time"
    body = Notification.objects.get(recipient=amina, kind="request_accepted").body
    assert body.startswith(
        "Bruno (" + bruno.organisation.name + ") accepted. The meeting is still to be given a "
        "time: book one in your agenda while booking is open, or the organisers will schedule it."
    )


def test_a_decline_reason_is_kept_on_the_request_for_the_sender(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    declined = as_participant(bruno).post(
        url(event, f"{request.pk}/decline/"), {"reason": "We only meet utilities."}
    )

    assert declined.status_code == 200, declined.data
    assert declined.data["answer_reason"] == "We only meet utilities."
    one = as_participant(amina).get(url(event, f"{request.pk}/"))
    assert (one.data["status"], one.data["answer_reason"]) == (
        "declined",
        "We only meet utilities.",
    )
    listed = as_participant(amina).get(url(event))
    assert [r["answer_reason"] for r in listed.data["results"]] == ["We only meet utilities."]


def test_a_withdrawal_reason_is_kept_and_none_reads_empty(event, make_participant, as_participant):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="visitor")
    withdrawn = RequestFactory(sender=amina, recipient=bruno, status="pending")
    plain = RequestFactory(sender=amina, recipient=chen, status="pending")

    client = as_participant(amina)
    client.post(url(event, f"{withdrawn.pk}/cancel/"), {"reason": "Our CEO cannot come."})
    client.post(url(event, f"{plain.pk}/cancel/"))

    assert client.get(url(event, f"{withdrawn.pk}/")).data["answer_reason"] == (
        "Our CEO cannot come."
    )
    assert as_participant(chen).get(url(event, f"{plain.pk}/")).data["answer_reason"] == ""


def test_a_request_shows_its_meeting_in_brief_and_null_once_cancelled(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    slot = event.slots.order_by("start")[2]
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slot.pk})
    assert as_participant(amina).get(url(event, f"{sent.data['id']}/")).data["meeting"] is None

    accepted = as_participant(bruno).post(url(event, f"{sent.data['id']}/accept/"))

    meeting = Meeting.objects.get(request_id=sent.data["id"])
    brief = {
        "id": meeting.pk,
        "start": slot.start.isoformat().replace("+00:00", "Z"),
        "end": slot.end.isoformat().replace("+00:00", "Z"),
        "table": meeting.table.name if meeting.table else None,
        "status": "scheduled",
    }
    assert accepted.data["meeting"] == brief
    assert accepted.data["unbooked"] is None
    assert as_participant(amina).get(url(event, f"{sent.data['id']}/")).data["meeting"] == brief
    listed = as_participant(amina).get(url(event)).data["results"]
    assert [r["meeting"] for r in listed] == [brief]
    cancelled = as_participant(amina).post(url(event, f"{sent.data['id']}/cancel/"))
    assert cancelled.status_code == 200 and cancelled.data["meeting"] is None


def test_an_organiser_who_accepts_without_a_time_is_told_what_they_can_do(
    event, make_participant, organiser_client, as_participant
):
    """An organiser has no agenda to book in: their note speaks of the grid and the scheduler;
    a participant who accepts is still told to book in their agenda."""
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="visitor")
    for_organiser = RequestFactory(sender=amina, recipient=bruno, status="pending")
    for_chen = RequestFactory(sender=amina, recipient=chen, status="pending")

    accepted = organiser_client.post(url(event, f"{for_organiser.pk}/accept/"))

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["unbooked"] == {
        "code": "no_time",
        "detail": "No time was chosen: book the meeting on the grid (or with meetings/book/), "
        "or leave it to the next scheduler run.",
    }
    by_chen = as_participant(chen).post(url(event, f"{for_chen.pk}/accept/"))
    assert by_chen.data["unbooked"] == {
        "code": "no_time",
        "detail": "No time was chosen: book one in the agenda.",
    }


def test_an_organiser_accepting_while_booking_is_closed_may_book_it_themselves(
    event, make_participant, organiser_client
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")
    event.booking_closes = timezone.now() - dt.timedelta(minutes=1)
    event.save(update_fields=["booking_closes"])

    accepted = organiser_client.post(url(event, f"{request.pk}/accept/"))

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["unbooked"]["code"] == "booking_closed"
    assert accepted.data["unbooked"]["detail"] == (
        "Booking is closed to participants: book the meeting on the grid (or with "
        "meetings/book/), or leave it to the next scheduler run."
    )


def test_the_accept_note_is_in_the_readers_language(event, make_participant, organiser_client):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    request = RequestFactory(sender=amina, recipient=bruno, status="pending")

    accepted = organiser_client.post(url(event, f"{request.pk}/accept/"), HTTP_ACCEPT_LANGUAGE="fr")

    assert accepted.data["unbooked"]["detail"].startswith("Aucun créneau n’a été choisi")
