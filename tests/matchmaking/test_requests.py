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


def test_a_meeting_booked_while_the_request_is_withdrawn_is_told_cancelled_to_everyone(
    upcoming_event, make_participant, monkeypatch, django_capture_on_commit_callbacks
):
    """The sender withdraws their request as the recipient accepts it with its proposed time:
    the withdrawal read no meeting, waited for the two people's locks while the acceptance
    booked one, then cancelled that meeting with the request. The sender's last email said
    "meeting booked", with no cancellation after it (they were the one who cancelled, so the
    cancellation was not sent to them, although they never knew of that meeting)."""
    from matchmaking.models import Meeting, MeetingRequest, Notification
    from matchmaking.services import requests as request_services
    from matchmaking.services.meetings import Actor, meeting_book_locked

    event = upcoming_event
    amina = make_participant(event=event, name="Amina", languages=["en"])
    bruno = make_participant(event=event, name="Bruno", languages=["en"])
    slot = event.slots.order_by("start").first()
    req = request_services.request_create(sender=amina, recipient=bruno, slot=slot)
    real_lock = request_services.lock_participants_and_slots
    raced = []

    def accepted_meanwhile(participant_ids, slot_ids):
        """Bruno's acceptance books the proposed time just before the withdrawal gets the
        locks (it held them: the withdrawal waited for them, in the locks' order)."""
        if not raced:
            raced.append(True)
            MeetingRequest.objects.filter(pk=req.pk).update(status="accepted")
            meeting_book_locked(
                request=MeetingRequest.objects.get(pk=req.pk),
                slot=slot,
                actor=Actor(participant=bruno),
            )
        return real_lock(participant_ids, slot_ids)

    monkeypatch.setattr(request_services, "lock_participants_and_slots", accepted_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_cancel(request=req, by=amina, reason="Plans changed")

    meeting = Meeting.objects.get(request=req)
    assert meeting.status == Meeting.Status.CANCELLED
    told = list(
        Notification.objects.filter(meeting=meeting)
        .order_by("pk")
        .values_list("recipient__name", "kind")
    )
    assert told == [
        ("Amina", "meeting_booked"),
        ("Bruno", "meeting_cancelled"),
        ("Amina", "meeting_cancelled"),
    ]
    last = Notification.objects.filter(recipient=amina).latest("pk")
    assert last.kind == "meeting_cancelled"
    assert last.body.endswith("is cancelled. Reason: Plans changed")


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
