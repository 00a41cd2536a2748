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
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from matchmaking.exceptions import AvailabilityChanged, Busy, Conflict, InvalidInput
from matchmaking.models import Availability, Meeting, MeetingSeat, Participant, Slot
from matchmaking.reasons import Reason, when_text
from matchmaking.selectors import availability_key, slot_inside
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.meetings import (
    Actor,
    hand_over_taker,
    meeting_attendee_leave_locked,
    meeting_cancel_locked,
    meeting_hand_over_locked,
)
from matchmaking.services.notifications import list_text
from matchmaking.services.recommendations import lists_refresh_after_commit

MAX_PERIODS = 50


@dataclass
class AvailabilityChange:
    """What replacing the periods did to booked meetings: the ones it cancelled, and the ones
    the participant left (those go on without them): as a colleague who had joined, or as a
    party a colleague of theirs who had joined took over (``handed_over``, part of ``left``)."""

    cancelled: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    handed_over: list[int] = field(default_factory=list)


EXAMPLE_MOMENT = "2027-04-19T09:00"


def _period_moment(item, i: int, key: str, tz, parse) -> datetime:
    """``item[key]`` as an aware date-time, or an ``InvalidInput`` a person understands (never
    the parser's own words)."""
    where = f"periods[{i}].{key}"
    if not isinstance(item, dict) or item.get(key) in (None, ""):
        raise InvalidInput(
            f"{where} is missing; give a date and time like {EXAMPLE_MOMENT}.", field="periods"
        )
    value = item[key]
    from matchmaking.services.importer import SkippedLocalTime

    try:
        moment = parse(str(value), tz)
    except SkippedLocalTime as exc:
        raise InvalidInput(f"{where}: {exc}.", field="periods") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"{where}: {str(value)[:40]!r} is not a date and time like {EXAMPLE_MOMENT}.",
            field="periods",
        ) from exc
    if moment.second or moment.microsecond:
        # 09:30:00.5 kept the 09:30 slot out in silence (it starts before the period does)
        raise InvalidInput(
            f"Times are given to the minute: {where} is {str(value)[:40]!r}; write it without "
            f"seconds, like {moment.replace(tzinfo=None):%Y-%m-%dT%H:%M}.",
            field="periods",
        )
    return moment


def parse_periods(raw: list[dict], tz: zoneinfo.ZoneInfo) -> list[tuple[datetime, datetime]]:
    """``[{"start": iso, "end": iso}, ...]`` -> aware (start, end) pairs; times without an
    offset are the event's local time, as in the import format. Raises ``InvalidInput`` naming
    the entry at fault."""
    from matchmaking.services.importer import parse_local_datetime

    if len(raw) > MAX_PERIODS:
        raise InvalidInput(f"At most {MAX_PERIODS} periods, got {len(raw)}.", field="periods")
    out = []
    for i, item in enumerate(raw):
        start = _period_moment(item, i, "start", tz, parse_local_datetime)
        end = _period_moment(item, i, "end", tz, parse_local_datetime)
        try:  # a far-off year with an offset passes the parser, not the database (or the
            # messages, which speak the event's time)
            for moment in (start, end):
                moment.astimezone(UTC), moment.astimezone(tz)
        except OverflowError as exc:
            raise InvalidInput(f"periods[{i}]: the date is out of range.", field="periods") from exc
        if end <= start:
            raise InvalidInput(f"periods[{i}]: ends before it starts.", field="periods")
        out.append((start, end))
    return out


def merge_periods(periods: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The periods sorted, with overlapping or touching ones joined."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def period_without_slot(
    start: datetime, end: datetime, *, slots: list[Slot], tz: zoneinfo.ZoneInfo
) -> str | None:
    """Why the period cannot be kept: it holds no whole meeting slot of ``slots`` (the event's,
    sorted by start); None when it holds one. Times in the message are the event's local time."""
    if any(slot_inside(s, [(start, end)]) for s in slots):
        return None

    def local(moment: datetime) -> str:  # as the periods are written (API, import file)
        return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"

    span = f" Slots run from {local(slots[0].start)} to {local(slots[-1].end)}." if slots else ""
    return (
        f"The period {local(start)} to {local(end)} holds no whole meeting slot of this "
        f"event.{span}"
    )


def _what_saving_does(
    seats: list[MeetingSeat], leaving: frozenset[int] = frozenset()
) -> tuple[list[int], set[int]]:
    """What ``cancel_conflicting`` would do to the meetings of ``seats`` (those of the people in
    ``leaving``, given the same new times), as saving does it: ``(handed, joined)``, the
    meetings it hands over rather than cancels (each of their parties among ``seats`` has a
    colleague who had joined it, is not in ``leaving`` and can take over:
    ``meeting_hand_over_locked``), and those it leaves (only joined as a colleague: they go
    on). The others are cancelled."""
    goes_on: dict[int, bool] = {}
    for seat in seats:
        if seat.is_party:
            taker = hand_over_taker(seat=seat, leaving=leaving)
            goes_on[seat.meeting_id] = goes_on.get(seat.meeting_id, True) and taker is not None
    joined = {s.meeting_id for s in seats if not s.is_party and s.meeting_id not in goes_on}
    return sorted(m for m, on in goes_on.items() if on), joined


class OutsideTimes(Reason):
    """The refusal of new times that leave booked meetings outside them
    (``meetings_outside_availability``), said in the active language: a list of meetings, its
    plurals and its notes, which no single text of ``TEXTS`` says. ``params``: ``meetings``
    ([{"id", "slot": its local start as "YYYY-MM-DD HH:MM", "name": whose, for a group}]),
    ``group`` (the console's same times for several people: no API field to name),
    ``handed`` (the ids ``cancel_conflicting`` hands over to a colleague) and ``joined`` (one
    of them only joined as a colleague: left, not cancelled)."""

    def __post_init__(self):  # said in parts below, not one of TEXTS
        pass

    def __str__(self) -> str:
        meetings, group = self.params["meetings"], self.params.get("group", False)
        count = len(meetings)
        items = []
        for item in meetings:
            named = {"when": when_text(item["slot"]), "id": item["id"], "name": item.get("name")}
            items.append(
                gettext("%(name)s on %(when)s (meeting %(id)s)") % named
                if group
                else gettext("%(when)s (meeting %(id)s)") % named
            )
        text = ngettext(
            "%(count)s booked meeting falls outside these periods: %(meetings)s.",
            "%(count)s booked meetings fall outside these periods: %(meetings)s.",
            count,
        ) % {"count": count, "meetings": list_text(items)}
        text += " " + (
            ngettext(
                "Cancel or move it first, or cancel it with the change",
                "Cancel or move them first, or cancel them with the change",
                count,
            )
            if group
            else ngettext(
                "Cancel or move it first, or send cancel_conflicting: true to cancel it",
                "Cancel or move them first, or send cancel_conflicting: true to cancel them",
                count,
            )
        )
        return text + _outside_notes(self.params.get("handed", []), self.params.get("joined"))


def _outside_notes(handed: list[int], joined: bool) -> str:
    """The end of the refusal of new times with meetings outside them, in the active language:
    which of them ``cancel_conflicting`` would not cancel (handed over to a colleague; joined
    only as a colleague, left)."""
    notes = []
    if handed:
        notes.append(
            ngettext(
                "meeting %(ids)s is not cancelled: a colleague who had joined it takes over and "
                "it goes on",
                "meetings %(ids)s are not cancelled: colleagues who had joined them take over "
                "and they go on",
                len(handed),
            )
            % {"ids": list_text([str(pk) for pk in handed])}
        )
    if joined:
        notes.append(
            gettext(
                "a meeting the participant only joined as a colleague is not cancelled: they "
                "leave it and it goes on"
            )
        )
    if not notes:
        return "."
    between = pgettext("between two notes of a sentence, in parentheses", "; ")
    return f" ({between.join(notes)})."


def _outside_refused(
    seats: list[MeetingSeat], *, tz, leaving: frozenset[int] = frozenset(), group=False
) -> Conflict:
    """The ``409`` of new times that leave ``seats`` outside them (of the people in
    ``leaving``), saying what ``cancel_conflicting`` would do to each meeting, in English, with
    its ``OutsideTimes`` reason for the reader's language."""
    handed, joined = _what_saving_does(seats, leaving)

    def ids(found: list[int]) -> list[int]:  # one's in the order of their times; a group's by id
        return sorted(set(found)) if group else list(dict.fromkeys(found))

    reason = OutsideTimes(
        "meetings_outside_availability",
        {
            "meetings": [
                {
                    "id": seat.meeting_id,
                    "slot": f"{seat.slot.start.astimezone(tz):%Y-%m-%d %H:%M}",
                    **({"name": seat.participant.name} if group else {}),
                }
                for seat in seats
            ],
            "group": group,
            "handed": handed,
            "joined": bool(joined),
        },
    )
    return Conflict(
        reason.english(),
        code="meetings_outside_availability",
        reason=reason,
        extra={
            "meetings": ids([s.meeting_id for s in seats]),
            "joined": ids([s.meeting_id for s in seats if s.meeting_id in joined]),
            "handed_over": handed,
        },
    )


def _seats_outside(participant: Participant, periods, now: datetime) -> list[MeetingSeat]:
    """The participant's seats in scheduled meetings outside ``periods`` (none without periods).
    Checked-in, held and no-show meetings are facts and stay where they are; so do meetings
    whose slot has started (the organisers record what happened)."""
    if not periods:
        return []
    seats = (
        MeetingSeat.objects.filter(
            participant=participant,
            active=True,
            meeting__status=Meeting.Status.SCHEDULED,
            slot__start__gt=now,
        )
        .select_related("meeting", "slot")
        .order_by("slot__start", "pk")
    )
    return [seat for seat in seats if not slot_inside(seat.slot, periods)]


def _lock_meetings_outside(participant_ids, seats: list[MeetingSeat]) -> None:
    """Lock ``participant_ids``, everyone else in the meetings of ``seats`` and those seats'
    slots, in one sorted call (the booking service's order); the caller reads the meetings
    again under the locks."""
    people = set(participant_ids)
    for seat in seats:
        people.update(seat.meeting.seats.values_list("participant_id", flat=True))
    lock_participants_and_slots(people, [seat.slot_id for seat in seats])


def within_event_days(periods, slots: list[Slot], tz) -> list[tuple[datetime, datetime]]:
    """``periods`` cut to the event's days (from midnight before its first slot to midnight
    after its last): "0001-01-01 to 9999-12-31" means the whole event, and is stored (and
    exported) as such, not as dates no export can write back."""
    if not slots:
        return periods
    lo = datetime.combine(slots[0].start.astimezone(tz).date(), time.min, tzinfo=tz)
    last_day = slots[-1].end.astimezone(tz).date() + timedelta(days=1)
    hi = datetime.combine(last_day, time.min, tzinfo=tz)
    return [(max(start, lo), min(end, hi)) for start, end in periods]


def availability_replace(
    *,
    participant: Participant,
    periods: list[tuple[datetime, datetime]],
    actor: Actor,
    cancel_conflicting: bool = False,
    expected_key: str | None = None,
) -> AvailabilityChange:
    """Replace ``participant``'s availability periods (an empty list: the whole event); returns
    the ids of the meetings it cancelled and of those the participant left.

    Every period must hold at least one of the event's meeting slots. Scheduled meetings of the
    participant outside the new periods (whose slot has not started) make it answer ``409``
    naming them, unless
    ``cancel_conflicting``: then they are cancelled (the other side is notified), or, where a
    colleague of the participant had joined one, handed over to them
    (``meeting_hand_over_locked``: it goes on, the other side told who will be there), or, where
    the participant only joined as a colleague, the participant leaves them. Side effects: replaces
    the Availability rows in one transaction, under the booking locks of everyone concerned (so
    no booking slips into a slot being removed); after commit, the participant's
    recommendations and the lists that show them are recomputed.

    ``expected_key``: the ``availability_key`` of the periods the caller was shown; when the
    stored periods have another one (someone changed them meanwhile), ``AvailabilityChanged``
    and nothing is written. Compared under the participant's lock. None: no check.
    """
    periods = _checked_periods(periods, event_id=participant.event_id, tz=participant.event.tz)
    with guarded_transaction():
        return _replace_locked(
            participant,
            periods,
            actor=actor,
            cancel_conflicting=cancel_conflicting,
            expected_key=expected_key,
            now=timezone.now(),
        )


def _checked_periods(periods, *, event_id: int, tz) -> list[tuple[datetime, datetime]]:
    """``periods`` merged, each holding a slot of the event (``InvalidInput`` naming the first
    that does not), cut to the event's days."""
    periods = merge_periods(periods)
    slots = list(Slot.objects.filter(event_id=event_id).order_by("start"))
    for start, end in periods:
        problem = period_without_slot(start, end, slots=slots, tz=tz)
        if problem:
            raise InvalidInput(problem, field="periods")
    return within_event_days(periods, slots, tz)


def _replace_locked(
    participant: Participant,
    periods,
    *,
    actor: Actor,
    cancel_conflicting: bool,
    expected_key: str | None,
    now: datetime,
    leaving: frozenset[int] = frozenset(),
) -> AvailabilityChange:
    """``availability_replace`` for a caller that runs the transaction (and checked the
    periods). ``leaving``: the group given the same times, none of whom takes over a meeting
    (``meeting_hand_over_locked``)."""
    tz = participant.event.tz
    done = AvailabilityChange()
    seats = _seats_outside(participant, periods, now)
    _lock_meetings_outside([participant.pk], seats)
    if expected_key is not None:
        stored = Availability.objects.filter(participant=participant).order_by("start")
        now_key = availability_key(stored.values_list("start", "end"))
        if now_key != expected_key:
            raise AvailabilityChanged(
                f"{participant.name}'s times were changed since you read them (you had "
                f'"{expected_key}", they are now "{now_key}"): nothing was saved. Read '
                "them again and try again.",
                extra={"etag": f'"{now_key}"'},
            )
    if {s.pk for s in _seats_outside(participant, periods, now)} != {s.pk for s in seats}:
        raise Busy("The agenda changed while saving; retry in a moment.")
    if seats and not cancel_conflicting:
        raise _outside_refused(seats, tz=tz)
    reason = Reason("participant_unavailable", {"name": participant.name})
    for seat in seats:
        if seat.is_party and meeting_hand_over_locked(
            seat=seat, actor=actor, reason=reason, leaving=leaving
        ):
            # a colleague of theirs had joined it: they take their place, it goes on (as
            # when a party says they no longer come)
            done.handed_over.append(seat.meeting_id)
            done.left.append(seat.meeting_id)
        elif seat.is_party:
            meeting_cancel_locked(meeting=seat.meeting, actor=actor, reason=reason)
            done.cancelled.append(seat.meeting_id)
        else:  # a colleague who joined the meeting leaves it; the meeting goes on
            meeting_attendee_leave_locked(seat=seat, actor=actor, reason=reason)
            done.left.append(seat.meeting_id)
    Availability.objects.filter(participant=participant).delete()
    Availability.objects.bulk_create(
        Availability(participant=participant, start=start, end=end) for start, end in periods
    )
    lists_refresh_after_commit([participant.pk], with_referrers=True)
    return done


def availability_replace_group(
    *,
    participants: list[Participant],
    periods: list[tuple[datetime, datetime]],
    actor: Actor,
    cancel_conflicting: bool = False,
) -> dict[int, AvailabilityChange]:
    """The same new times for several people of one event at once, all or nothing: a
    delegation that arrives late, a company that leaves a day early. As
    ``availability_replace`` for each (meetings outside them refused together, ``409``
    ``meetings_outside_availability`` listing every one, unless ``cancel_conflicting``), in
    one transaction that first locks everyone concerned and the slots in the booking service's
    order. Returns each participant's change by id.

    Side effects: as ``availability_replace``, for each of them.
    """
    if not participants:
        return {}
    event = participants[0].event
    periods = _checked_periods(periods, event_id=event.pk, tz=event.tz)
    now = timezone.now()
    done = {}
    with guarded_transaction():
        seats = [seat for p in participants for seat in _seats_outside(p, periods, now)]
        _lock_meetings_outside([p.pk for p in participants], seats)
        leaving = frozenset(p.pk for p in participants)
        if seats and not cancel_conflicting:
            raise _outside_refused(seats, tz=event.tz, leaving=leaving, group=True)
        for participant in participants:
            done[participant.pk] = _replace_locked(
                participant,
                periods,
                actor=actor,
                cancel_conflicting=cancel_conflicting,
                expected_key=None,
                now=now,
                leaving=leaving,
            )
    return done
