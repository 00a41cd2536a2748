"""Attendance: a participant who can no longer come to the fair says so (or an organiser does
for them), and may say later that they come after all.

Saying "I am not coming" is what a demanding participant of b2match or Brella expects to do in
one step, instead of cancelling each meeting and request by hand while the other side keeps
waiting. It cancels, in one transaction under the booking locks of everyone concerned: their
meetings still to come (the other side is told, in their language, that they no longer come;
a meeting they only joined as a colleague goes on without them; one where a colleague of
theirs had joined them goes on with that colleague in their place), and their open requests, sent
and received, pending or accepted (the other side is told too). From then on nobody is
recommended them or can send them a request, they cannot send one, the organisers' messages
and the directory leave them out, and the scheduler has nothing of theirs to place. Meetings
that already started, or are checked in, stay as they are: what happened is the organisers' to
record.

Coming back clears the mark only: the cancelled meetings and requests stay cancelled (the other
side was told and may have planned something else); they can send new requests at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from matchmaking.exceptions import Busy
from matchmaking.models import Meeting, MeetingRequest, MeetingSeat, Participant
from matchmaking.reasons import Reason
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.meetings import (
    Actor,
    meeting_attendee_leave_locked,
    meeting_cancel_locked,
    meeting_hand_over_locked,
)
from matchmaking.services.notifications import notify_attendance_withdrawn, notify_request
from matchmaking.services.recommendations import lists_refresh_after_commit


@dataclass
class AttendanceChange:
    """What a change of attendance did: the meetings it cancelled (with their requests), those
    the participant left as a colleague (they go on), the requests without a meeting it
    withdrew; ``handed_over``: those of ``left_meetings`` a colleague who had joined took over
    as a party. ``unchanged``: the participant's attendance already was the one asked for
    (said twice: a retry, a second device), so nothing was done and nobody was told."""

    cancelled_meetings: list[int] = field(default_factory=list)
    left_meetings: list[int] = field(default_factory=list)
    withdrawn_requests: list[int] = field(default_factory=list)
    handed_over: list[int] = field(default_factory=list)
    unchanged: bool = False


def _to_come(participant: Participant, now) -> tuple[list[MeetingSeat], list[MeetingRequest]]:
    """The participant's seats in scheduled meetings whose slot has not started, and their
    open requests (pending or accepted), in id order."""
    seats = list(
        MeetingSeat.objects.filter(
            participant=participant,
            left=False,
            meeting__slot__start__gt=now,
            # checked in already (from half an hour before): the other side is there, so it is
            # the organisers' to record, as a meeting that started
            meeting__status=Meeting.Status.SCHEDULED,
        )
        .select_related("meeting", "slot", "participant")
        .order_by("meeting_id")
    )
    requests = list(
        MeetingRequest.objects.filter(
            Q(sender=participant) | Q(recipient=participant),
            status__in=MeetingRequest.OPEN_STATUSES,
        ).order_by("pk")
    )
    return seats, requests


class _Changed(Exception):
    """The agenda changed between the first read and the locks: read it again."""


ATTEMPTS = 3  # a busy agenda (bookings landing at that moment) is read again, then 409 busy


def attendance_withdraw(*, participant: Participant, actor: Actor) -> AttendanceChange:
    """``participant`` no longer comes to the fair.

    Side effects, in one transaction under the locks of everyone concerned and of the meetings'
    slots: marks the participant (``withdrawn_at``); cancels each meeting still to come where
    they are a party (unless a colleague of theirs had joined it: the colleague takes their
    place, ``meeting_hand_over_locked``, and the other side is told who will be there), or
    takes them out of one they joined as a colleague (the meeting goes on); withdraws their
    open requests, and every meeting booked for one (a started meeting is never cancelled: its
    request stays); tells the other side of each. After commit, the lists
    of everyone who was recommended them are recomputed. Saying it again is no error (a retry, a
    second device): when they already said so, nothing is done, nobody is told, and the change
    is ``unchanged`` (``participant.withdrawn_at`` is the first time they said it). Raises
    ``Busy`` when their agenda kept changing while it was read (bookings at that very moment)
    ``ATTEMPTS`` times.
    """
    for _attempt in range(ATTEMPTS):
        try:
            return _withdraw_once(participant, actor)
        except _Changed:
            continue
    raise Busy("The agenda changed while saving; retry in a moment.")


def _withdraw_once(participant: Participant, actor: Actor) -> AttendanceChange:
    done = AttendanceChange()
    now = timezone.now()
    reason = Reason("participant_withdrew", {"name": participant.name})
    with guarded_transaction():
        seats, requests = _to_come(participant, now)
        people = {participant.pk}
        for seat in seats:
            people.update(seat.meeting.seats.values_list("participant_id", flat=True))
        for req in requests:
            people.update((req.sender_id, req.recipient_id))
        lock_participants_and_slots(people, [seat.slot_id for seat in seats])
        person = Participant.objects.select_related("event").get(pk=participant.pk)
        if person.withdrawn_at is not None:  # said already: the same state, nothing to do
            participant.withdrawn_at = person.withdrawn_at
            return AttendanceChange(unchanged=True)
        again_seats, again_requests = _to_come(participant, now)
        same_seats = [s.pk for s in again_seats] == [s.pk for s in seats]
        if not same_seats or [r.pk for r in again_requests] != [r.pk for r in requests]:
            raise _Changed
        # meetings with a slot still to come, then the requests: a request whose meeting was
        # cancelled here goes with it, silently (its people were just told)
        # the person hears of it once, in one email at the end; each other side per item
        for seat in seats:
            if seat.is_party and meeting_hand_over_locked(seat=seat, actor=actor, reason=reason):
                # a colleague of theirs had joined it: they take their place, it goes on
                done.handed_over.append(seat.meeting_id)
                done.left_meetings.append(seat.meeting_id)
            elif seat.is_party:
                meeting_cancel_locked(
                    meeting=seat.meeting, actor=actor, reason=reason, skip={person.pk}
                )
                done.cancelled_meetings.append(seat.meeting_id)
            else:
                meeting_attendee_leave_locked(
                    seat=seat, actor=actor, reason=reason, tell_them=False
                )
                done.left_meetings.append(seat.meeting_id)
        cancelled = set(done.cancelled_meetings)
        live = set(
            Meeting.objects.filter(request__in=requests)
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("request_id", flat=True)
        )
        told_with_meeting = set(
            Meeting.objects.filter(request__in=requests, pk__in=cancelled).values_list(
                "request_id", flat=True
            )
        )
        for req in requests:
            if req.pk in live:  # its meeting started: what happened there is on record
                continue
            req.status = MeetingRequest.Status.CANCELLED
            req.responded_at = now
            req.save(update_fields=["status", "responded_at"])
            if req.pk not in told_with_meeting:  # else it went with its meeting, told above
                done.withdrawn_requests.append(req.pk)
                notify_request(
                    request=req,
                    kind="request_withdrawn",
                    by=person,
                    reason=reason,
                    by_organisers=actor.is_organiser,  # the organisers' doing, said so
                )
        person.withdrawn_at = now
        person.save(update_fields=["withdrawn_at"])
        notify_attendance_withdrawn(  # the meetings they only joined go on: not counted
            person=person,
            meetings=len(done.cancelled_meetings),
            requests=len(done.withdrawn_requests),
            by_organisers=actor.is_organiser,
        )
        lists_refresh_after_commit([person.pk], with_referrers=True)
    participant.withdrawn_at = now
    return done


def attendance_resume(*, participant: Participant) -> AttendanceChange:
    """``participant`` comes after all: the mark is cleared; what it cancelled stays cancelled
    (the change lists nothing). Side effects: after commit, their list is recomputed (and
    theirs appear in others' lists at the next full refresh). When they were coming already,
    nothing is done and the change is ``unchanged`` (no error: saying it twice leaves the same
    state)."""
    with guarded_transaction():
        lock_participants_and_slots([participant.pk], [])
        person = Participant.objects.get(pk=participant.pk)
        if person.withdrawn_at is None:
            participant.withdrawn_at = None
            return AttendanceChange(unchanged=True)
        person.withdrawn_at = None
        person.save(update_fields=["withdrawn_at"])
        lists_refresh_after_commit([person.pk])
    participant.withdrawn_at = None
    return AttendanceChange()
