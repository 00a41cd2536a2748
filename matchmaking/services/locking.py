"""Row locks around scarce resources, in a fixed order, with a bounded wait.

Order everywhere: participants (sorted ids), then slots (sorted ids), then the request or meeting
row. A lock that cannot be had within ``BOOKING_LOCK_TIMEOUT_MS`` raises ``Busy`` (HTTP 409 with
``Retry-After``), and so does a deadlock the database broke.
"""

import contextlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction

from matchmaking.exceptions import (
    Busy,
    Conflict,
    DuplicateRequest,
    NotFound,
    ParticipantBusy,
    RequestHasMeeting,
    TableTaken,
)
from matchmaking.models import Participant, Slot

CONSTRAINT_MESSAGES = {
    "seat_participant_once_per_slot": (
        ParticipantBusy,
        "A participant of this meeting already has a meeting in that slot.",
    ),
    "meeting_table_once_per_slot": (TableTaken, "That table is already taken in that slot."),
    "meeting_one_active_per_request": (RequestHasMeeting, "This request already has a meeting."),
    "request_one_open_per_pair": (
        DuplicateRequest,
        "There is already an open request between these two.",
    ),
    "matchmaking_event_slug_key": (
        Conflict,
        "Another import has just created an event with this slug; import again with replace "
        "to overwrite it.",
    ),
}


def guard_enabled() -> bool:
    return bool(getattr(settings, "BOOKING_GUARD", True))


def set_lock_timeout() -> None:
    """Bound how long this transaction waits for a row lock (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{int(settings.BOOKING_LOCK_TIMEOUT_MS)}ms"],
            )


def lock_participants_and_slots(participant_ids: Iterable[int], slot_ids: Iterable[int]) -> None:
    """Lock participant rows then slot rows, each in ascending id order."""
    if not guard_enabled():
        return
    set_lock_timeout()
    p_ids = sorted(set(participant_ids))
    s_ids = sorted(set(slot_ids))
    # Evaluate the querysets: select_for_update locks when the rows are fetched.
    people = Participant.objects.select_for_update().filter(pk__in=p_ids).order_by("pk")
    slots = Slot.objects.select_for_update().filter(pk__in=s_ids).order_by("pk")
    if len(people.values("pk")) < len(p_ids) or len(slots.values("pk")) < len(s_ids):
        # deleted while we waited: a replacing import of the event committed first
        raise NotFound(
            "The event was just imported again: this meeting, request or person is gone. "
            "Reload and try again."
        )


def lock_name(name: str, *, busy: str) -> None:
    """Serialise the transactions that take the same ``name`` until they end (PostgreSQL: an
    advisory lock, with the bounded wait, after which ``Busy`` says ``busy``; SQLite's
    transactions take its write lock when they begin, which serialises all writers already)."""
    if connection.vendor != "postgresql":
        return
    set_lock_timeout()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
    except OperationalError as exc:
        if is_lock_failure(exc):
            raise Busy(busy) from exc
        raise


def translate_integrity_error(exc: IntegrityError) -> Conflict | None:
    text = str(exc)
    for name, (cls, message) in CONSTRAINT_MESSAGES.items():
        if name in text:
            return cls(message)
    # SQLite names the columns, not the constraint.
    if "meetingseat.participant_id, matchmaking_meetingseat.slot_id" in text:
        return ParticipantBusy(CONSTRAINT_MESSAGES["seat_participant_once_per_slot"][1])
    if "matchmaking_meeting.table_id, matchmaking_meeting.slot_id" in text:
        return TableTaken(CONSTRAINT_MESSAGES["meeting_table_once_per_slot"][1])
    if "matchmaking_meeting.request_id" in text:
        return RequestHasMeeting(CONSTRAINT_MESSAGES["meeting_one_active_per_request"][1])
    if "matchmaking_event.slug" in text:
        return Conflict(CONSTRAINT_MESSAGES["matchmaking_event_slug_key"][1])
    return None


def is_lock_failure(exc: OperationalError) -> bool:
    cause = exc.__cause__
    name = type(cause).__name__ if cause is not None else ""
    text = str(exc).lower()
    return (
        name in {"LockNotAvailable", "DeadlockDetected", "SerializationFailure"}
        or "lock timeout" in text
        or "deadlock detected" in text
        or "database is locked" in text
    )


@contextlib.contextmanager
def guarded_transaction(*, durable: bool = True) -> Iterator[None]:
    """A transaction whose lock failures become ``Busy`` and constraint hits become conflicts."""
    try:
        with transaction.atomic(durable=durable):
            yield
    except OperationalError as exc:
        if is_lock_failure(exc):
            raise Busy("The schedule is busy with another change; retry in a moment.") from exc
        raise
    except IntegrityError as exc:
        conflict = translate_integrity_error(exc)
        if conflict is None:
            raise
        raise conflict from exc
