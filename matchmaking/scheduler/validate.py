"""Independent checker of a schedule: hard constraints and recomputed statistics.

Deliberately shares no code with ``solve.py`` (only the data classes).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .model import Assignment, Problem, Result


def idle_by_participant(problem: Problem, assignments: Iterable[Assignment]) -> dict:
    """Idle slots per participant with >= 2 meetings (gaps inside each day, summed)."""
    req = {r.id: r for r in problem.requests}
    slots_of: dict = defaultdict(list)
    for asg in assignments:
        r = req.get(asg.request_id)
        if r is None:
            continue
        slots_of[r.a].append(asg.slot)
        slots_of[r.b].append(asg.slot)
    day_slots: dict = defaultdict(list)
    for s in range(problem.n_slots):
        day_slots[problem.slot_day[s]].append(s)
    out = {}
    for pid, slots in slots_of.items():
        if len(slots) < 2:
            continue
        busy = set(slots)
        idle = 0
        for ordered in day_slots.values():
            used = [i for i, s in enumerate(ordered) if s in busy]
            if len(used) >= 2:
                idle += sum(1 for i in range(used[0], used[-1] + 1) if ordered[i] not in busy)
        out[pid] = idle
    return out


def idle_summary(problem: Problem, assignments: Iterable[Assignment]) -> tuple[int, int, int]:
    """(total, max, range) of idle slots over participants with >= 2 meetings."""
    per = idle_by_participant(problem, assignments)
    if not per:
        return 0, 0, 0
    vals = list(per.values())
    return sum(vals), max(vals), max(vals) - min(vals)


def participants_without_meeting_possible(
    problem: Problem, assignments: Iterable[Assignment]
) -> int:
    """Participants with no meeting although one of their requests has a slot that both sides
    (and the request's allowed / fixed / pinned slot) permit."""
    parts = {p.id: p for p in problem.participants}
    previous = problem.previous or {}
    everything = set(range(problem.n_slots))
    possible = set()
    for r in problem.requests:
        slots = set(everything)
        for pid in (r.a, r.b):
            p = parts.get(pid)
            if p is not None and p.available is not None:
                slots &= set(p.available)
        if r.allowed is not None:
            slots &= set(r.allowed)
        if r.fixed_slot is not None:
            slots &= {r.fixed_slot}
        if r.pinned and r.id in previous:
            slots &= {previous[r.id]}
        if slots:
            possible.update((r.a, r.b))
    req = {r.id: r for r in problem.requests}
    met = set()
    for asg in assignments:
        r = req.get(asg.request_id)
        if r is not None:
            met.update((r.a, r.b))
    return len(possible - met)


def validate(problem: Problem, result: Result, *, check_stats: bool = True) -> list[str]:
    """Return human-readable violations (empty list = valid schedule)."""
    errs: list[str] = []
    parts = {p.id: p for p in problem.participants}
    req = {r.id: r for r in problem.requests}
    seen: set = set()
    busy: dict = {}
    per_participant: Counter = Counter()
    shared_in_slot: Counter = Counter()
    tables_in_slot: dict = defaultdict(set)
    previous = problem.previous or {}

    for asg in result.assignments:
        r = req.get(asg.request_id)
        if r is None:
            errs.append(f"assignment for unknown request {asg.request_id!r}")
            continue
        if asg.request_id in seen:
            errs.append(f"request {asg.request_id!r} assigned twice")
            continue
        seen.add(asg.request_id)
        s = asg.slot
        if not (isinstance(s, int) and 0 <= s < problem.n_slots):
            errs.append(f"request {r.id!r}: slot {s!r} out of range")
            continue
        if r.allowed is not None and s not in r.allowed:
            errs.append(f"request {r.id!r}: slot {s} not in its allowed slots")
        if r.fixed_slot is not None and s != r.fixed_slot:
            errs.append(f"request {r.id!r}: fixed to slot {r.fixed_slot} but placed in {s}")
        if r.pinned and r.id in previous and s != previous[r.id]:
            errs.append(f"request {r.id!r}: pinned to slot {previous[r.id]} but placed in {s}")
        for pid in (r.a, r.b):
            p = parts.get(pid)
            if p is None:
                errs.append(f"request {r.id!r}: unknown participant {pid!r}")
                continue
            if p.available is not None and s not in p.available:
                errs.append(f"request {r.id!r}: participant {pid!r} not available in slot {s}")
            if (pid, s) in busy:
                errs.append(
                    f"participant {pid!r} double-booked in slot {s}: "
                    f"requests {busy[(pid, s)]!r} and {r.id!r}"
                )
            else:
                busy[(pid, s)] = r.id
            per_participant[pid] += 1
        pa, pb = parts.get(r.a), parts.get(r.b)
        place = None
        if pa is not None and pa.fixed_place is not None:
            place = pa.fixed_place
        elif pb is not None and pb.fixed_place is not None:
            place = pb.fixed_place
        if place is not None:
            if asg.place != place or asg.table is not None:
                errs.append(
                    f"request {r.id!r}: should meet at fixed place {place!r}, "
                    f"got place={asg.place!r} table={asg.table!r}"
                )
        else:
            shared_in_slot[s] += 1
            cap = problem.table_cap(s)
            if asg.place is not None:
                errs.append(f"request {r.id!r}: has place {asg.place!r} but nobody has a booth")
            if not isinstance(asg.table, int) or asg.table < 0:
                errs.append(f"request {r.id!r}: shared-table meeting without a valid table")
            else:
                if cap is not None and asg.table >= cap:
                    errs.append(f"request {r.id!r}: table {asg.table} >= {cap} tables")
                if asg.table in tables_in_slot[s]:
                    errs.append(f"slot {s}: table {asg.table} used twice")
                tables_in_slot[s].add(asg.table)

    for s, n in sorted(shared_in_slot.items()):
        cap = problem.table_cap(s)
        if cap is not None and n > cap:
            errs.append(f"slot {s}: {n} shared-table meetings > {cap} tables")
    for pid, n in per_participant.items():
        p = parts.get(pid)
        if p is not None and p.cap is not None and n > p.cap:
            errs.append(f"participant {pid!r}: {n} meetings > cap {p.cap}")
    for r in problem.requests:
        if r.id not in seen:
            if r.fixed_slot is not None:
                errs.append(f"request {r.id!r}: fixed to slot {r.fixed_slot} but not scheduled")
            elif r.pinned and r.id in previous:
                errs.append(f"request {r.id!r}: pinned but not scheduled")

    if check_stats:
        st = result.stats
        total, mx, rng = idle_summary(problem, result.assignments)
        weight = sum(req[a.request_id].weight for a in result.assignments if a.request_id in req)
        now = {a.request_id: a.slot for a in result.assignments}
        moved = sum(1 for rid, s in previous.items() if rid in req and now.get(rid, s) != s)
        dropped = sum(1 for rid in previous if rid in req and rid not in now)
        expect = {
            "scheduled": len(seen),
            "requested": len(problem.requests),
            "weight_scheduled": weight,
            "idle_total": total,
            "idle_max": mx,
            "idle_range": rng,
            "moved": moved,
            "dropped": dropped,
            "participants_without_meeting_possible": participants_without_meeting_possible(
                problem, result.assignments
            ),
        }
        for name, val in expect.items():
            if getattr(st, name) != val:
                errs.append(f"stats.{name} = {getattr(st, name)!r}, recomputed {val!r}")
        if st.upper_bound < len(seen):
            errs.append(f"stats.upper_bound {st.upper_bound} < scheduled {len(seen)}")
        if st.weight_upper_bound + 1e-6 < weight:
            errs.append(f"stats.weight_upper_bound {st.weight_upper_bound} < weight {weight}")
    return errs
