"""Availability: the periods a participant is at the fair, edited after the import.

A late change ("I leave at noon on the last day") is the usual reason for a scheduler re-run, so
the periods can be replaced by the participant or an organiser. Meetings already booked outside
the new periods are never left behind silently: the change is refused with the list of those
meetings, or, when the caller asks, they are cancelled in the same transaction (both sides are
notified through the meeting service). A colleague who only joined a meeting leaves it instead;
the meeting goes on.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django.db import transaction

from matchmaking.exceptions import Busy, Conflict, InvalidInput
from matchmaking.models import Availability, Meeting, MeetingSeat, Participant, Slot
from matchmaking.selectors import slot_inside
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.meetings import (
    Actor,
    meeting_attendee_leave_locked,
    meeting_cancel_locked,
)

MAX_PERIODS = 50


def parse_periods(raw: list[dict], tz: zoneinfo.ZoneInfo) -> list[tuple[datetime, datetime]]:
    """``[{"start": iso, "end": iso}, ...]`` -> aware (start, end) pairs; times without an
    offset are the event's local time, as in the import format. Raises ``InvalidInput`` naming
    the entry at fault."""
    from matchmaking.services.importer import parse_local_datetime

    if len(raw) > MAX_PERIODS:
        raise InvalidInput(f"At most {MAX_PERIODS} periods, got {len(raw)}.", field="periods")
    out = []
    for i, item in enumerate(raw):
        try:
            start = parse_local_datetime(str(item["start"]), tz)
            end = parse_local_datetime(str(item["end"]), tz)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                f"periods[{i}]: give start and end as ISO 8601 date-times "
                f'(e.g. "2018-04-19T09:00"); {exc}',
                field="periods",
            ) from exc
        try:  # a far-off year with an offset passes the parser, not the database
            start.astimezone(UTC), end.astimezone(UTC)
        except OverflowError as exc:
            raise InvalidInput(f"periods[{i}]: the date is out of range.", field="periods") from exc
        if end <= start:
            raise InvalidInput(f"periods[{i}]: ends before it starts.", field="periods")
        out.append((start, end))
    return out


def _merge(periods: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _seats_outside(participant: Participant, periods) -> list[MeetingSeat]:
    """The participant's seats in scheduled meetings outside ``periods`` (none without periods).
    Checked-in, held and no-show meetings are facts and stay where they are."""
    if not periods:
        return []
    seats = (
        MeetingSeat.objects.filter(
            participant=participant, active=True, meeting__status=Meeting.Status.SCHEDULED
        )
        .select_related("meeting", "slot")
        .order_by("slot__start", "pk")
    )
    return [seat for seat in seats if not slot_inside(seat.slot, periods)]


def availability_replace(
    *,
    participant: Participant,
    periods: list[tuple[datetime, datetime]],
    actor: Actor,
    cancel_conflicting: bool = False,
) -> list[int]:
    """Replace ``participant``'s availability periods (an empty list: the whole event); returns
    the ids of the meetings it cancelled or left.

    Every period must hold at least one of the event's meeting slots. Scheduled meetings of the
    participant outside the new periods make it answer ``409`` naming them, unless
    ``cancel_conflicting``: then they are cancelled (the other side is notified), or, where the
    participant only joined as a colleague, the participant leaves them. Side effects: replaces
    the Availability rows in one transaction, under the booking locks of everyone concerned (so
    no booking slips into a slot being removed); after commit, the participant's
    recommendations and the lists that show them are recomputed.
    """
    periods = _merge(periods)
    tz = participant.event.tz

    def local(moment: datetime) -> str:  # messages speak the event's time, as the input does
        return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"

    slots = list(Slot.objects.filter(event_id=participant.event_id).order_by("start"))
    for start, end in periods:
        if not any(slot_inside(s, [(start, end)]) for s in slots):
            span = ""
            if slots:
                span = f" Slots run from {local(slots[0].start)} to {local(slots[-1].end)}."
            raise InvalidInput(
                f"The period {local(start)} to {local(end)} holds no whole meeting slot of this "
                f"event.{span}",
                field="periods",
            )
    done: list[int] = []
    with guarded_transaction():
        # Lock everyone in the meetings concerned and their slots in one sorted call (the
        # booking service's order), then read the meetings again under the locks.
        seats = _seats_outside(participant, periods)
        people = {participant.pk}
        for seat in seats:
            people.update(seat.meeting.seats.values_list("participant_id", flat=True))
        lock_participants_and_slots(people, [seat.slot_id for seat in seats])
        if {s.pk for s in _seats_outside(participant, periods)} != {s.pk for s in seats}:
            raise Busy("The agenda changed while saving; retry in a moment.")
        if seats and not cancel_conflicting:
            listed = ", ".join(f"{local(s.slot.start)} (meeting {s.meeting_id})" for s in seats)
            raise Conflict(
                f"{len(seats)} booked meeting(s) fall outside these periods: {listed}. "
                "Cancel or move them first, or send cancel_conflicting: true to cancel them.",
                code="meetings_outside_availability",
                extra={"meetings": [s.meeting_id for s in seats]},
            )
        reason = f"{participant.name} is no longer available at that time."
        for seat in seats:
            if seat.is_party:
                meeting_cancel_locked(meeting=seat.meeting, actor=actor, reason=reason)
            else:  # a colleague who joined the meeting leaves it; the meeting goes on
                meeting_attendee_leave_locked(seat=seat, actor=actor, reason=reason)
            done.append(seat.meeting_id)
        Availability.objects.filter(participant=participant).delete()
        Availability.objects.bulk_create(
            Availability(participant=participant, start=start, end=end) for start, end in periods
        )
        transaction.on_commit(lambda: _refresh_later(participant.pk))
    return done


def _refresh_later(participant_id: int) -> None:
    from matchmaking.tasks import refresh_participant

    refresh_participant.delay(participant_id=participant_id, with_referrers=True)
