"""Tables in and out of service: a lounge table that breaks (or is needed elsewhere) mid-morning.

Taking a table out of service moves its meetings still to come to free tables of the same slot
(same time, so nobody's agenda changes but the place), in one transaction; nothing is booked or
planned there afterwards (the booking rules and the scheduler leave it out). Meetings whose slot
has started stay where they are: they are facts for the organisers to record.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from matchmaking.exceptions import DomainError, InvalidInput, SlotTaken
from matchmaking.models import Meeting, MeetingSeat, Slot, Table, natural_key
from matchmaking.reasons import Reason
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.meetings import Actor, meeting_reschedule_locked


@dataclass
class TableServiceResult:
    """What taking a table out of service did: ``moved`` pairs each meeting with its new table;
    ``stuck`` pairs each meeting left at the table with the refusal's text (no table free at that
    time, someone's times changed since…), for the organisers to move or cancel it."""

    table: Table
    moved: list[tuple[Meeting, Table]] = field(default_factory=list)
    stuck: list[tuple[Meeting, DomainError]] = field(default_factory=list)


def _check_table(table: Table, actor: Actor) -> None:
    if not actor.is_organiser:
        raise InvalidInput("Only organisers take tables out of service.", field="table")
    if not table.shared:
        raise InvalidInput(
            f"{table.name} is a participant's own place; only shared tables go out of service.",
            field="table",
        )


def table_take_out_of_service(
    *, table: Table, actor: Actor, now: datetime | None = None
) -> TableServiceResult:
    """Take the shared ``table`` out of service from now, in one transaction.

    Every scheduled meeting at it whose slot has not started moves to the first free table in
    service of the same slot (through ``meeting_reschedule_locked``: the booking rules, the log,
    the iCalendar sequence and both sides' "moved" email with the new table). A meeting no free
    table can take, or that the booking rules refuse to move, stays where it is and is listed in
    ``stuck``; so are checked-in meetings still to come. Taking a table already out of service
    again moves what is still there. Locks the people of the moved meetings and every slot still
    to come, so that no booking can take the table meanwhile.

    Side effects: ``Table.out_of_service``; the moves (logged, notified).
    """
    _check_table(table, actor)
    now = now or timezone.now()
    with guarded_transaction():
        upcoming = list(
            Slot.objects.filter(event_id=table.event_id, start__gt=now).values_list("pk", flat=True)
        )
        meetings = list(
            Meeting.objects.filter(table=table, slot_id__in=upcoming)
            .exclude(status=Meeting.Status.CANCELLED)
            .select_related("slot__event")
            .order_by("slot__start", "pk")
        )
        people = MeetingSeat.objects.filter(meeting__in=meetings, left=False).values_list(
            "participant_id", flat=True
        )
        lock_participants_and_slots(set(people), upcoming)
        table = Table.objects.select_for_update().get(pk=table.pk)
        if not table.out_of_service:
            table.out_of_service = True
            table.save(update_fields=["out_of_service"])
        others = sorted(
            Table.objects.filter(event_id=table.event_id, shared=True, out_of_service=False),
            key=lambda t: natural_key(t.name),
        )
        used: dict[int, set[int]] = {}
        for slot_id, table_id in (
            Meeting.objects.filter(slot_id__in=upcoming, table__isnull=False)
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("slot_id", "table_id")
        ):
            used.setdefault(slot_id, set()).add(table_id)
        result = TableServiceResult(table=table)
        for meeting in meetings:
            free = next((t for t in others if t.pk not in used.get(meeting.slot_id, ())), None)
            if free is None:
                full = Reason("slot_full", {"slot": str(meeting.slot)})
                result.stuck.append((meeting, SlotTaken(full.english(), reason=full)))
                continue
            try:
                with transaction.atomic():  # a refused move leaves the others done
                    moved = meeting_reschedule_locked(
                        meeting=meeting, slot=meeting.slot, actor=actor, table=free
                    )
            except DomainError as refused:
                result.stuck.append((meeting, refused))
                continue
            used.setdefault(meeting.slot_id, set()).add(free.pk)
            result.moved.append((moved, free))
        return result


def table_back_in_service(*, table: Table, actor: Actor) -> Table:
    """Put a table taken out of service back in service: bookings and scheduler runs may use it
    again. Meetings moved away from it stay where they are. Idempotent.

    Side effects: ``Table.out_of_service``."""
    _check_table(table, actor)
    with guarded_transaction():
        table = Table.objects.select_for_update().get(pk=table.pk)
        if table.out_of_service:
            table.out_of_service = False
            table.save(update_fields=["out_of_service"])
        return table
