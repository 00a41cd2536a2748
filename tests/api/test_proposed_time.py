"""A request may propose a time: accepting it books the meeting then, when still free for both
(as in Brella, where one picks a time when asking)."""

import pytest

from matchmaking.models import Meeting, MeetingRequest, Notification
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def url(event, tail=""):
    return f"/api/events/{event.slug}/requests/{tail}"


def test_accepting_a_request_with_a_proposed_time_books_it_and_tells_the_sender_once(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation", languages=["fr"])
    bruno = make_participant(name="Bruno", kind="exhibitor", languages=["en"])
    slot = event.slots.order_by("start")[2]
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slot.pk})
    assert sent.status_code == 201, sent.data
    assert sent.data["proposed_slot"] == slot.pk
    assert sent.data["proposed_start"] is not None
    received = Notification.objects.get(kind="request_received")
    assert "They propose" in received.body
    accepted = as_participant(bruno).post(url(event, f"{sent.data['id']}/accept/"))
    assert accepted.status_code == 200, accepted.data
    meeting = Meeting.objects.get(pk=accepted.data["meeting"]["id"])
    assert meeting.slot == slot and meeting.status == "scheduled"
    told = list(Notification.objects.filter(recipient=amina).values_list("kind", flat=True))
    assert told == ["meeting_booked"]  # one email: the booked meeting says it was accepted


def test_a_proposed_time_no_longer_free_accepts_without_booking_and_says_so(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor")
    other = make_participant(name="Chen", kind="visitor")
    slot = event.slots.order_by("start")[2]
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slot.pk})
    # Bruno books another meeting at that time meanwhile
    taken = RequestFactory(sender=other, recipient=bruno, status="accepted")
    meeting_book(request=taken, slot=slot, actor=Actor(system=True))
    accepted = as_participant(bruno).post(url(event, f"{sent.data['id']}/accept/"))
    assert accepted.status_code == 200
    assert accepted.data["status"] == "accepted" and accepted.data["meeting"] is None
    note = Notification.objects.get(recipient=amina, kind="request_accepted")
    assert "could not be booked" in note.body


def test_a_proposed_time_the_booking_would_refuse_is_refused_with_the_reason(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    other = make_participant(name="Chen", kind="visitor")
    slots = list(event.slots.order_by("start"))
    busy = RequestFactory(sender=other, recipient=bruno, status="accepted")
    meeting_book(request=busy, slot=slots[1], actor=Actor(system=True))
    client = as_participant(amina)
    refused = client.post(url(event), {"recipient": bruno.pk, "slot": slots[1].pk})
    assert refused.status_code == 409
    assert (refused.data["field"], refused.data["code"]) == ("slot", "proposed_time_not_free")
    assert "Bruno" not in refused.data["detail"]  # a pending request does not read his agenda
    afternoon = next(s for s in slots if s.part == "afternoon")
    wrong_part = client.post(
        url(event), {"recipient": bruno.pk, "slot": afternoon.pk, "session": "morning"}
    )
    assert wrong_part.status_code == 400 and wrong_part.data["field"] == "slot"
    for bad in (10**9, "x", 0):
        response = client.post(url(event), {"recipient": bruno.pk, "slot": bad})
        assert response.status_code == 400, (bad, response.data)
    assert not MeetingRequest.objects.filter(sender=amina).exists()


def test_a_proposal_at_the_recipients_meeting_limit_is_not_free(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor", max_meetings=1)
    other = make_participant(name="Chen", kind="visitor")
    slots = list(event.slots.order_by("start"))
    busy = RequestFactory(sender=other, recipient=bruno, status="accepted")
    meeting_book(request=busy, slot=slots[0], actor=Actor(system=True))
    refused = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slots[3].pk})
    assert refused.status_code == 409 and refused.data["code"] == "proposed_time_not_free"


def test_a_declined_sender_is_told_so_before_any_time_is_looked_at(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    other = make_participant(name="Chen", kind="visitor")
    slots = list(event.slots.order_by("start"))
    RequestFactory(sender=amina, recipient=bruno, status="declined")
    busy = RequestFactory(sender=other, recipient=bruno, status="accepted")
    meeting_book(request=busy, slot=slots[1], actor=Actor(system=True))
    for slot in (slots[1], slots[2]):  # busy or free, the answer is the same
        refused = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slot.pk})
        assert refused.data["code"] == "request_declined"


def test_organisers_cannot_propose_a_time_that_started_and_accepting_one_books_nothing(
    event, make_participant, as_participant, organiser_client
):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="visitor")
    slot = event.slots.order_by("start")[2]
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slot.pk})
    MeetingRequest.objects.filter(pk=sent.data["id"]).update(
        expires_at=slot.start + dt.timedelta(days=1)
    )
    later = slot.start + dt.timedelta(minutes=1)  # the proposed time has started
    with mock.patch.object(timezone, "now", return_value=later):
        late = organiser_client.post(
            url(event),
            {"sender": bruno.pk, "recipient": chen.pk, "slot": slot.pk},
            format="json",
        )
        accepted = organiser_client.post(url(event, f"{sent.data['id']}/accept/"))
    assert late.status_code == 409 and late.data["code"] == "slot_passed"
    start = slot.start.astimezone(event.tz)
    assert late.data["detail"] == (
        f"The proposed time, {start:%A} {start.day} {start:%B} at {start:%H:%M}, has already "
        "started; propose a later one."
    )
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["status"] == "accepted" and accepted.data["meeting"] is None
    assert not Meeting.objects.exists()  # no meeting booked in the past
