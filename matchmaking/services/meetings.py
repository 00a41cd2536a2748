"""Meetings: book an accepted request into a slot, reschedule, cancel, check in, mark outcomes.

Every write here follows the same pattern: lock the participants then the slots in id order,
recount from real rows, write, all in one transaction; the partial unique constraints on seats and
tables are the backstop. ``meeting_book`` and friends open a durable transaction; the ``*_locked``
variants run inside a caller's transaction (the importer, the scheduler's publish).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from matchmaking.exceptions import (
    BookingClosed,
    Conflict,
    Forbidden,
    InvalidInput,
    LimitReached,
    NotFound,
    ParticipantBusy,
    RequestNotOpen,
    SlotTaken,
    TableTaken,
)
from matchmaking.models import (
    Availability,
    Meeting,
    MeetingLog,
    MeetingRequest,
    MeetingSeat,
    Participant,
    Slot,
    Table,
)
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.notifications import notify_meeting


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a participant acting for themselves, or an organiser (staff user)."""

    user: object | None = None
    participant: Participant | None = None
    system: bool = False  # the importer, a management command, the scheduler's publish

    @property
    def is_organiser(self) -> bool:
        return self.system or bool(self.user is not None and getattr(self.user, "is_staff", False))


def _attendees(request: MeetingRequest, extra: Iterable[Participant]) -> list[Participant]:
    parties = [request.sender, request.recipient]
    orgs = {p.organisation_id for p in parties}
    people = {p.pk: p for p in parties}
    for person in extra:
        if person.event_id != request.event_id:
            raise InvalidInput(
                f"{person.name} is not a participant of this event.", field="attendees"
            )
        if person.organisation_id not in orgs:
            raise InvalidInput(
                f"{person.name} can join only a meeting of their own organisation or delegation.",
                field="attendees",
            )
        people[person.pk] = person
    return list(people.values())


def _check_availability(people: Sequence[Participant], slot: Slot) -> None:
    rows = Availability.objects.filter(participant__in=people).values_list(
        "participant_id", "start", "end"
    )
    windows: dict[int, list[tuple]] = {}
    for pid, start, end in rows:
        windows.setdefault(pid, []).append((start, end))
    for person in people:
        spans = windows.get(person.pk)
        if spans and not any(start <= slot.start and slot.end <= end for start, end in spans):
            raise ParticipantBusy(f"{person.name} is not available at {slot}.")


def _check_free(people: Sequence[Participant], slot: Slot, *, ignore: Meeting | None) -> None:
    busy = MeetingSeat.objects.filter(participant__in=people, slot=slot, active=True)
    if ignore is not None:
        busy = busy.exclude(meeting=ignore)
    taken = set(busy.values_list("participant_id", flat=True))
    for person in people:
        if person.pk in taken:
            raise ParticipantBusy(f"{person.name} already has a meeting at {slot}.")


def _check_caps(parties: Sequence[Participant], *, ignore: Meeting | None) -> None:
    for person in parties:
        if person.max_meetings is None:
            continue
        count = MeetingSeat.objects.filter(participant=person, active=True, is_party=True)
        if ignore is not None:
            count = count.exclude(meeting=ignore)
        if count.count() >= person.max_meetings:
            raise LimitReached(
                f"{person.name} has reached their limit of {person.max_meetings} meetings."
            )


def _choose_table(
    request: MeetingRequest, slot: Slot, wanted: Table | None, *, ignore: Meeting | None
) -> Table | None:
    used = Meeting.objects.filter(slot=slot, table__isnull=False).exclude(
        status=Meeting.Status.CANCELLED
    )
    if ignore is not None:
        used = used.exclude(pk=ignore.pk)
    used_ids = set(used.values_list("table_id", flat=True))
    fixed = request.sender.fixed_table or request.recipient.fixed_table
    if wanted is not None:
        if wanted.event_id != request.event_id:
            raise InvalidInput("That table belongs to another event.", field="table")
        if fixed is not None and wanted.pk != fixed.pk:
            raise InvalidInput(
                f"This meeting takes place at {fixed.name}, a participant's own place.",
                field="table",
            )
        if not wanted.shared and fixed is None:
            raise InvalidInput(f"{wanted.name} is a participant's own place.", field="table")
        if wanted.pk in used_ids:
            raise TableTaken(f"{wanted.name} is already taken at {slot}.")
        return wanted
    if fixed is not None:
        if fixed.pk in used_ids:
            raise TableTaken(f"{fixed.name} is already taken at {slot}.")
        return fixed
    shared = Table.objects.filter(event_id=request.event_id, shared=True)
    if not shared.exists():
        return None  # the event does not allocate tables
    table = shared.exclude(pk__in=used_ids).order_by("name").first()
    if table is None:
        raise SlotTaken(f"Every table is taken at {slot}; choose another slot.")
    return table


def _check_slot(request: MeetingRequest, slot: Slot, actor: Actor) -> None:
    if slot.event_id != request.event_id:
        raise InvalidInput("That slot belongs to another event.", field="slot")
    if request.session != MeetingRequest.SessionPreference.ANY and slot.part != request.session:
        raise InvalidInput(
            f"This request asks for a {request.session} meeting; {slot} is in the {slot.part}.",
            field="slot",
        )
    if not actor.is_organiser and not request.event.booking_open_at(timezone.now()):
        raise BookingClosed("Booking is closed for this event.")


def _log(meeting: Meeting, actor: Actor, action: str, **detail) -> None:
    MeetingLog.objects.create(
        meeting=meeting,
        actor=actor.user if getattr(actor.user, "pk", None) else None,
        action=action,
        detail=detail,
    )


def _request_for_booking(pk: int) -> MeetingRequest:
    return MeetingRequest.objects.select_related(
        "event", "sender__fixed_table", "recipient__fixed_table"
    ).get(pk=pk)


def meeting_book_locked(
    *,
    request: MeetingRequest,
    slot: Slot,
    actor: Actor,
    table: Table | None = None,
    attendees: Iterable[Participant] = (),
    source: str = Meeting.Source.PARTICIPANT,
    fixed: bool = False,
) -> Meeting:
    """``meeting_book`` for a caller that already runs a transaction."""
    request = _request_for_booking(request.pk)
    people = _attendees(request, attendees)
    lock_participants_and_slots([p.pk for p in people], [slot.pk])
    request = _request_for_booking(request.pk)  # again, under the locks: it may have changed
    if actor.participant is not None and actor.participant.pk not in request.parties():
        raise NotFound("No such request.")
    if request.status != MeetingRequest.Status.ACCEPTED:
        raise RequestNotOpen(f"Only accepted requests can be booked; this one is {request.status}.")
    if Meeting.objects.filter(request=request).exclude(status=Meeting.Status.CANCELLED).exists():
        raise Conflict("This request already has a meeting; reschedule it instead.")
    _check_slot(request, slot, actor)
    _check_availability(people, slot)
    _check_free(people, slot, ignore=None)
    _check_caps([request.sender, request.recipient], ignore=None)
    chosen = _choose_table(request, slot, table, ignore=None)
    meeting = Meeting.objects.create(
        event_id=request.event_id,
        request=request,
        slot=slot,
        table=chosen,
        source=source,
        fixed=fixed,
    )
    parties = {request.sender_id, request.recipient_id}
    MeetingSeat.objects.bulk_create(
        MeetingSeat(meeting=meeting, participant=p, slot=slot, is_party=p.pk in parties)
        for p in people
    )
    _log(
        meeting, actor, "booked", slot=slot.start.isoformat(), table=chosen.name if chosen else None
    )
    if source != Meeting.Source.IMPORT:
        notify_meeting(meeting=meeting, kind="meeting_booked", actor_participant=actor.participant)
    return meeting


def meeting_book(
    *,
    request: MeetingRequest,
    slot: Slot,
    actor: Actor,
    table: Table | None = None,
    attendees: Iterable[Participant] = (),
    source: str = Meeting.Source.PARTICIPANT,
    fixed: bool = False,
) -> Meeting:
    """Book an accepted request into ``slot`` (and a table).

    Side effects: inserts a Meeting, one MeetingSeat per attendee and a log line. Raises
    ParticipantBusy, TableTaken, SlotTaken, LimitReached, BookingClosed, RequestNotOpen or Busy.
    A participant may add colleagues of their own organisation with ``attendees``.
    """
    with guarded_transaction():
        return meeting_book_locked(
            request=request,
            slot=slot,
            actor=actor,
            table=table,
            attendees=attendees,
            source=source,
            fixed=fixed,
        )


def _meeting_parties(meeting: Meeting) -> list[int]:
    return list(meeting.seats.values_list("participant_id", flat=True))


def _check_actor(meeting: Meeting, actor: Actor) -> None:
    if actor.is_organiser:
        return
    if (
        actor.participant is None
        or not meeting.seats.filter(participant=actor.participant).exists()
    ):
        raise NotFound("No such meeting.")


def meeting_reschedule_locked(
    *, meeting: Meeting, slot: Slot, actor: Actor, table: Table | None = None
) -> Meeting:
    """``meeting_reschedule`` for a caller that already runs a transaction."""
    people_ids = _meeting_parties(meeting)
    lock_participants_and_slots(people_ids, [meeting.slot_id, slot.pk])
    meeting = Meeting.objects.select_related(
        "request__event", "request__sender__fixed_table", "request__recipient__fixed_table", "slot"
    ).get(pk=meeting.pk)
    _check_actor(meeting, actor)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Conflict(f"This meeting is {meeting.status}; only scheduled meetings can move.")
    if meeting.fixed and not actor.is_organiser:
        raise Forbidden("This meeting was fixed by the organiser; ask them to move it.")
    people = list(Participant.objects.filter(pk__in=people_ids))
    request = meeting.request
    if slot.pk == meeting.slot_id and (table is None or table.pk == meeting.table_id):
        return meeting
    _check_slot(request, slot, actor)
    _check_availability(people, slot)
    _check_free(people, slot, ignore=meeting)
    chosen = _choose_table(request, slot, table, ignore=meeting)
    old_slot, old_table = meeting.slot, meeting.table
    meeting.slot = slot
    meeting.table = chosen
    meeting.sequence += 1
    meeting.save(update_fields=["slot", "table", "sequence", "updated_at"])
    # Seats follow the meeting (and come back to life if a schedule publish vacated them).
    MeetingSeat.objects.filter(meeting=meeting).update(slot=slot, active=True)
    _log(
        meeting,
        actor,
        "moved",
        from_slot=old_slot.start.isoformat(),
        to_slot=slot.start.isoformat(),
        from_table=old_table.name if old_table else None,
        to_table=chosen.name if chosen else None,
    )
    notify_meeting(meeting=meeting, kind="meeting_moved", actor_participant=actor.participant)
    return meeting


def meeting_reschedule(
    *, meeting: Meeting, slot: Slot, actor: Actor, table: Table | None = None
) -> Meeting:
    """Move a scheduled meeting to another slot (and table).

    Side effects: updates the meeting and its seats, bumps its iCalendar SEQUENCE, logs the move.
    """
    with guarded_transaction():
        return meeting_reschedule_locked(meeting=meeting, slot=slot, actor=actor, table=table)


def meeting_cancel_locked(*, meeting: Meeting, actor: Actor, reason: str = "") -> Meeting:
    """``meeting_cancel`` for a caller that already runs a transaction."""
    lock_participants_and_slots(_meeting_parties(meeting), [meeting.slot_id])
    meeting = Meeting.objects.get(pk=meeting.pk)
    _check_actor(meeting, actor)
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict("This meeting is already cancelled.")
    if meeting.status != Meeting.Status.SCHEDULED and not actor.is_organiser:
        raise Conflict(f"This meeting is {meeting.status} and can no longer be cancelled.")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason[:300]
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    MeetingSeat.objects.filter(meeting=meeting).update(active=False)
    _log(meeting, actor, "cancelled", reason=reason)
    notify_meeting(
        meeting=meeting,
        kind="meeting_cancelled",
        actor_participant=actor.participant,
        reason=reason,
    )
    return meeting


def meeting_attendee_leave_locked(*, seat: MeetingSeat, actor: Actor, reason: str = "") -> None:
    """A colleague who joined a meeting (not one of its two parties) leaves it: their seat is
    freed, the meeting goes on. For a caller that already runs a transaction and holds the
    locks. Side effects: deactivates the seat, bumps the meeting's SEQUENCE, logs it."""
    if seat.is_party:
        raise Conflict("A party of the meeting cannot leave it; cancel the meeting instead.")
    MeetingSeat.objects.filter(pk=seat.pk).update(active=False)
    Meeting.objects.filter(pk=seat.meeting_id).update(sequence=F("sequence") + 1)
    _log(seat.meeting, actor, "attendee_left", participant=seat.participant_id, reason=reason)


def meeting_cancel(
    *, meeting: Meeting, by: Participant | None = None, user=None, reason: str = ""
) -> Meeting:
    """Cancel a meeting. Side effects: frees its seats and table, bumps SEQUENCE, logs why."""
    with guarded_transaction():
        return meeting_cancel_locked(
            meeting=meeting, actor=Actor(user=user, participant=by), reason=reason
        )


def meeting_vacate_locked(*, meeting: Meeting) -> None:
    """Free a scheduled meeting's seats and table for a moment, inside a schedule publish that
    re-places it (``meeting_reschedule_locked``) or cancels it before committing."""
    MeetingSeat.objects.filter(meeting=meeting).update(active=False)
    Meeting.objects.filter(pk=meeting.pk).update(table=None)


def meeting_set_status(*, meeting: Meeting, status: str, actor: Actor) -> Meeting:
    """Check in (a participant of the meeting or an organiser), or mark held / no-show (organisers).

    Side effects: updates the status and logs it.
    """
    allowed_by_participant = {Meeting.Status.CHECKED_IN}
    organiser_only = {Meeting.Status.HELD, Meeting.Status.NO_SHOW, Meeting.Status.SCHEDULED}
    if status not in allowed_by_participant | organiser_only:
        raise InvalidInput(f"Unknown meeting status {status!r}.", field="status")
    with guarded_transaction():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_actor(meeting, actor)
        if status in organiser_only and not actor.is_organiser:
            raise Forbidden("Only organisers can mark a meeting held or no-show.")
        if meeting.status == Meeting.Status.CANCELLED:
            raise Conflict("This meeting is cancelled.")
        if meeting.status == status:
            return meeting
        old = meeting.status
        meeting.status = status
        meeting.save(update_fields=["status", "updated_at"])
        _log(meeting, actor, "status", old=old, new=status)
    return meeting
