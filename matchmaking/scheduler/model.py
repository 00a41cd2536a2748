"""Plain data types of the meeting scheduler (no Django, no solver imports)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Id = Hashable


class InfeasibleError(ValueError):
    """The hard constraints cannot all hold (e.g. two fixed meetings collide)."""


@dataclass(frozen=True, slots=True)
class Participant:
    """A company/person. ``available=None`` means every slot; ``cap=None`` means no cap.

    ``fixed_place`` (e.g. a booth) means its meetings do not use a shared table.
    """

    id: Id
    available: frozenset[int] | None = None
    cap: int | None = None
    fixed_place: str | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """An accepted meeting request between participants ``a`` and ``b``.

    ``allowed``: slots the meeting may use (None = any). ``fixed_slot``: the meeting must take
    exactly this slot. ``pinned``: on a re-run the meeting must keep its slot from
    ``Problem.previous`` (ignored when it has no previous slot).
    """

    id: Id
    a: Id
    b: Id
    weight: int = 1
    allowed: frozenset[int] | None = None
    fixed_slot: int | None = None
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A scheduling instance.

    Slots are ``0..n_slots-1``; ``slot_day[s]`` is the day of slot ``s`` (idle slots are counted
    within a day). ``tables``: shared tables per slot (None = unlimited, int, or one int per
    slot). ``previous``: request id -> slot of an earlier run (``previous_tables``: request id ->
    table index, kept while the meeting stays in that slot; for a fixed request, the table it
    holds in its fixed slot). ``idle_objective``: "total" (minimise total idle slots) or "range"
    (UdG: minimise max-min idle over participants with >= 2 meetings, then the total).
    """

    n_slots: int
    slot_day: tuple[int, ...]
    participants: tuple[Participant, ...]
    requests: tuple[Request, ...]
    tables: int | tuple[int, ...] | None = None
    previous: Mapping[Id, int] | None = None
    previous_tables: Mapping[Id, int] | None = None
    slot_session: tuple[int, ...] | None = None
    idle_objective: Literal["total", "range"] = "total"

    def table_cap(self, slot: int) -> int | None:
        """Shared tables available in ``slot`` (None = unlimited)."""
        if self.tables is None:
            return None
        if isinstance(self.tables, int):
            return self.tables
        return self.tables[slot]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Request ``request_id`` meets in ``slot`` at shared ``table`` or at a fixed ``place``."""

    request_id: Id
    slot: int
    table: int | None = None
    place: str | None = None


@dataclass(slots=True)
class Stats:
    """Figures about a result. ``upper_bound`` bounds the number of meetings (fractional
    b-matching / table capacity) and ``weight_upper_bound`` the scheduled weight (LP relaxation
    or CP-SAT bound); ``gap`` is the relative weight gap. ``moved``: requests of
    ``Problem.previous`` now in another slot; ``dropped``: those now unscheduled. Idle figures
    are over participants with >= 2 meetings; ``participants_without_meeting_possible`` counts
    participants left without a meeting although one of their requests had a feasible slot."""

    scheduled: int = 0
    requested: int = 0
    upper_bound: int = 0
    gap: float = 0.0
    weight_scheduled: int = 0
    weight_upper_bound: float = 0.0
    idle_total: int = 0
    idle_max: int = 0
    idle_range: int = 0
    moved: int = 0
    dropped: int = 0
    participants_without_meeting_possible: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    """The schedule (one assignment per scheduled request) and its statistics."""

    assignments: tuple[Assignment, ...]
    stats: Stats
