"""Meeting requests at the service level."""

import datetime as dt

import pytest

from matchmaking.services.requests import request_create

pytestmark = pytest.mark.django_db


def test_a_pending_request_expires_after_the_events_expiry_hours(event, make_participant):
    event.request_expiry_hours = 5
    event.save(update_fields=["request_expiry_hours"])
    sent = dt.datetime(2018, 4, 10, 9, 30, tzinfo=dt.UTC)

    created = request_create(sender=make_participant(), recipient=make_participant(), now=sent)

    assert created.expires_at == event.request_expires_at(sent) == sent + dt.timedelta(hours=5)


def test_a_request_expires_no_later_than_the_end_of_booking(event, make_participant):
    """Sent on the fair's last day, a request said "answer before" a date after the fair."""
    event.request_expiry_hours = 72
    event.save(update_fields=["request_expiry_hours"])
    last_end = event.slots.order_by("-end").first().end
    sent = last_end - dt.timedelta(hours=5)
    assert event.request_expires_at(sent) == last_end
    early = last_end - dt.timedelta(days=10)
    assert event.request_expires_at(early) == early + dt.timedelta(hours=72)
    # booking that closes earlier ends it there; a request sent after the end keeps its hours
    event.booking_closes = last_end - dt.timedelta(hours=2)
    event.save(update_fields=["booking_closes"])
    assert event.request_expires_at(sent) == last_end - dt.timedelta(hours=2)
    late = last_end + dt.timedelta(hours=1)
    assert event.request_expires_at(late) == late + dt.timedelta(hours=72)
    created = request_create(sender=make_participant(), recipient=make_participant(), now=sent)
    assert created.expires_at == last_end - dt.timedelta(hours=2)


# A meeting booked while its request is withdrawn: a real two-connection race in
# tests/concurrency/test_withdraw_race.py.


def test_withdrawing_a_request_with_a_meeting_booked_before_does_not_tell_the_withdrawer(
    upcoming_event, make_participant
):
    """The usual case is unchanged: the one who cancels is not emailed their own change."""
    from matchmaking.models import Meeting, MeetingRequest, Notification
    from matchmaking.services.meetings import Actor, meeting_book
    from matchmaking.services.requests import request_cancel

    event = upcoming_event
    amina, bruno = make_participant(event=event), make_participant(event=event)
    req = request_create(sender=amina, recipient=bruno)
    MeetingRequest.objects.filter(pk=req.pk).update(status="accepted")
    meeting_book(request=req, slot=event.slots.first(), actor=Actor(participant=bruno))

    request_cancel(request=req, by=amina)

    meeting = Meeting.objects.get(request=req)
    cancelled = Notification.objects.filter(meeting=meeting, kind="meeting_cancelled")
    assert list(cancelled.values_list("recipient", flat=True)) == [bruno.pk]
