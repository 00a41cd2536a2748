"""Meeting scheduler: assign slots (and tables) to accepted meeting requests.

Objectives, lexicographic: (1) scheduled weight, (2) participants with >= 1 meeting,
(3) idle slots (total, or range then total), (4) meetings moved w.r.t. ``Problem.previous``.
On a re-run (a previous schedule given), (4) comes before (3): a re-run changes as few
confirmed meetings as it can, then closes idle slots among the schedules with that few moves.

Small instances are solved with exact CP-SAT phases. Large ones use a time-indexed LP
(HiGHS via SciPy), rounding and greedy repair. On both, the idle slots are then reduced by
Kempe-chain annealing (``kempe.py``) with the set of meetings fixed.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np

# kempe is imported here, not in the idle phase: the annealing's compiled loop is compiled (or
# loaded from numba's cache) when it is imported, which must not fall inside a solve's time limit
from . import kempe
from .cpcore import BuildTimeout, assignment_model, build_deadline, check_build
from .model import Assignment, InfeasibleError, Problem, Result, Stats

Progress = Callable[[str, float], None] | None

SMALL_VARS = 12_000  # CP-SAT monolithic model when sum of domain sizes is below this
FAIR_LEVELS = 2  # large path: lift participants with fewer meetings than this
# large path: the LP also maximises the participants with a meeting, below one unit of weight
FAIR_LP = True
FAIR_LP_LEVELS = 2  # 1: participants with a meeting; 2: then also with a second one
# share of the best weight the fairness step may give up, only to give a first meeting to
# participants who have none (large path: ``_fair_fill``'s ``weight_budget``; small path: a
# weight floor in the CP-SAT fairness phase); 0 = strict weight-first order. See
# docs/benchmarks-scheduler.md for the measured trade.
FAIR_WEIGHT_SHARE = 0.0
# small path, span and envelope models: the share of the idle phase's time kept for Kempe-chain
# annealing after CP-SAT. The window model (one day, UdG) reserves none: a 25 % reserve cut its
# range stage short (forum-13crafb range 3 in 3 of 3 seeds, against 2 without), and it hands its
# time over once the range is settled (window.TOTAL_BY_KEMPE)
KEMPE_SHARE = 0.25
# small path, re-runs: at most this long to keep the previous plan's meetings (its hint is
# already a good answer; forum-14 took the whole 30 % share, 1.9-3.1 s, before the cap)
KEEP_SECONDS = 1.5
# small path: with less time than this left when the first searches found nothing, the greedy
# schedule is returned as it is (no further search, no idle phase)
FALLBACK_MIN_SECONDS = 0.3
# small path, greedy schedule: ejection chains up to this many moves deep place the meetings first
# fit left out (forum-14: 298 -> 302 of 302 in 0.06 s), within this share of the time left
REPAIR_DEPTH = 3
REPAIR_SHARE = 0.1
# small path: no CP-SAT search starts with less than this left before the deadline, and a
# model build still running this close to it stops (``cpcore.build_deadline``); the best
# schedule so far is kept. Before (run AG), with the bound and weight phases slowed by load, the
# idle phase built its models regardless and forum-14 took 11.4 and 12.0 s of 10 (run AH).
SOLVE_MIN_SECONDS = 0.05


class _Inst:
    """Integer-indexed view of a problem."""

    def __init__(self, problem: Problem):
        self.problem = problem
        S = self.S = problem.n_slots
        if len(problem.slot_day) != S:
            raise ValueError("slot_day must have n_slots entries")
        self.pidx = {p.id: i for i, p in enumerate(problem.participants)}
        if len(self.pidx) != len(problem.participants):
            raise ValueError("duplicate participant ids")
        P = self.P = len(problem.participants)
        R = self.R = len(problem.requests)
        ids = [r.id for r in problem.requests]
        if len(set(ids)) != R:
            raise ValueError("duplicate request ids")
        avail = np.ones((P, S), dtype=bool)
        for i, p in enumerate(problem.participants):
            if p.available is not None:
                avail[i] = False
                ok = [s for s in p.available if 0 <= s < S]
                avail[i, ok] = True
        self.avail = avail
        self.cap = [p.cap for p in problem.participants]
        self.a = np.empty(R, dtype=np.int64)
        self.b = np.empty(R, dtype=np.int64)
        self.w = np.array([r.weight for r in problem.requests], dtype=np.int64)
        dom = np.zeros((R, S), dtype=bool)
        prev = problem.previous or {}
        self.prev = np.full(R, -1, dtype=np.int64)
        self.forced = np.full(R, -1, dtype=np.int64)
        self.shared = np.ones(R, dtype=bool)
        self.place: list[str | None] = [None] * R
        for k, r in enumerate(problem.requests):
            if r.a not in self.pidx or r.b not in self.pidx:
                raise ValueError(f"request {r.id!r} names an unknown participant")
            if r.a == r.b:
                raise ValueError(f"request {r.id!r} is a meeting of {r.a!r} with itself")
            a, b = self.pidx[r.a], self.pidx[r.b]
            self.a[k], self.b[k] = a, b
            row = avail[a] & avail[b]
            if r.allowed is not None:
                mask = np.zeros(S, dtype=bool)
                mask[[s for s in r.allowed if 0 <= s < S]] = True
                row &= mask
            fix = r.fixed_slot
            if r.pinned and r.id in prev:
                if fix is not None and fix != prev[r.id]:
                    raise InfeasibleError(
                        f"request {r.id!r} is pinned to slot {prev[r.id]} but fixed to {fix}"
                    )
                fix = prev[r.id]
            if fix is not None:
                if not (0 <= fix < S) or not row[fix]:
                    raise InfeasibleError(
                        f"request {r.id!r} is fixed to slot {fix}, outside its allowed slots"
                    )
                row[:] = False
                row[fix] = True
                self.forced[k] = fix
            dom[k] = row
            if r.id in prev and 0 <= prev[r.id] < S:
                self.prev[k] = prev[r.id]
            pa, pb = problem.participants[a], problem.participants[b]
            place = pa.fixed_place if pa.fixed_place is not None else pb.fixed_place
            if place is not None:
                self.shared[k] = False
                self.place[k] = place
        self.dom = dom
        tcap = np.full(S, -1, dtype=np.int64)  # -1 = unlimited
        if problem.tables is not None:
            for s in range(S):
                tcap[s] = problem.table_cap(s)
        self.tcap = tcap
        self.days: dict[int, list[int]] = defaultdict(list)
        for s in range(S):
            self.days[problem.slot_day[s]].append(s)
        self.day_of = list(problem.slot_day)
        self.by_p: list[list[int]] = [[] for _ in range(P)]
        for k in range(R):
            self.by_p[self.a[k]].append(k)
            self.by_p[self.b[k]].append(k)
        self._check_forced()

    def _check_forced(self) -> None:
        seen: dict = {}
        cnt: dict = defaultdict(int)
        tab: dict = defaultdict(int)
        for k in np.nonzero(self.forced >= 0)[0]:
            s = int(self.forced[k])
            for p in (self.a[k], self.b[k]):
                if (p, s) in seen:
                    raise InfeasibleError(f"fixed meetings collide for a participant in slot {s}")
                seen[(p, s)] = k
                cnt[p] += 1
            if self.shared[k]:
                tab[s] += 1
        for p, n in cnt.items():
            if self.cap[p] is not None and n > self.cap[p]:
                raise InfeasibleError("fixed meetings exceed a participant's cap")
        for s, n in tab.items():
            if 0 <= self.tcap[s] < n:
                raise InfeasibleError(f"fixed meetings exceed the tables of slot {s}")


# --------------------------------------------------------------------------- bounds


def _count_upper_bound(inst: _Inst) -> int:
    """Meeting-count bound: fractional b-matching (max flow on the bipartite double cover)."""
    from ortools.graph.python import max_flow

    feas = inst.dom.any(axis=1)
    ks = np.nonzero(feas)[0]
    if len(ks) == 0:
        return 0
    P = inst.P
    deg = np.zeros(P, dtype=np.int64)
    np.add.at(deg, inst.a[ks], 1)
    np.add.at(deg, inst.b[ks], 1)
    bcap = np.minimum(deg, inst.avail.sum(axis=1))
    for p in range(P):
        if inst.cap[p] is not None:
            bcap[p] = min(bcap[p], inst.cap[p])
    src, snk = 2 * P, 2 * P + 1
    mf = max_flow.SimpleMaxFlow()
    left = np.arange(P)
    mf.add_arcs_with_capacity(np.full(P, src), left, bcap)
    mf.add_arcs_with_capacity(left + P, np.full(P, snk), bcap)
    a, b = inst.a[ks], inst.b[ks]
    mf.add_arcs_with_capacity(
        np.concatenate([a, b]), np.concatenate([b, a]) + P, np.ones(2 * len(ks), dtype=np.int64)
    )
    mf.solve(src, snk)
    bound = mf.optimal_flow() // 2
    bound = min(bound, len(ks))
    if (inst.tcap >= 0).all():
        bound = min(bound, int(inst.tcap.sum()) + int((~inst.shared[ks]).sum()))
    return int(bound)


# --------------------------------------------------------------------------- helpers


def _idle_of(slots_busy: set[int], day_slots: list[int]) -> int:
    used = [i for i, s in enumerate(day_slots) if s in slots_busy]
    if len(used) < 2:
        return 0
    return used[-1] - used[0] + 1 - len(used)


def _participant_idle(inst: _Inst, slot: np.ndarray) -> np.ndarray:
    """Idle slots per participant (0 for participants with < 2 meetings)."""
    busy: list[set[int]] = [set() for _ in range(inst.P)]
    for k in np.nonzero(slot >= 0)[0]:
        s = int(slot[k])
        busy[inst.a[k]].add(s)
        busy[inst.b[k]].add(s)
    out = np.zeros(inst.P, dtype=np.int64)
    for p in range(inst.P):
        if len(busy[p]) >= 2:
            out[p] = sum(_idle_of(busy[p], ds) for ds in inst.days.values())
    return out


def _idle_expr(model, ys: list, ordered: list[int], name: str):
    """Exact idle-slot count (CP-SAT) for one participant-day.

    ``ys[i]`` is 0/1 constant or a linear expression (0/1) of being busy in ``ordered[i]``.
    Returns a linear expression.
    """
    n = len(ordered)
    const = [isinstance(y, int) for y in ys]
    # trim leading/trailing slots that can never be busy
    lo, hi = 0, n - 1
    while lo <= hi and const[lo] and ys[lo] == 0:
        lo += 1
    while hi >= lo and const[hi] and ys[hi] == 0:
        hi -= 1
    if hi - lo < 2:
        return 0
    ys = ys[lo : hi + 1]
    m = len(ys)
    a = [model.NewBoolVar("") for _ in range(m)]
    b = [model.NewBoolVar("") for _ in range(m)]
    h = []
    for i in range(m):
        y = ys[i]
        if i == 0:
            model.Add(a[i] == y)
        else:
            model.Add(a[i] >= a[i - 1])
            model.Add(a[i] >= y)
            model.Add(a[i] <= a[i - 1] + y)
        j = m - 1 - i
        if i == 0:
            model.Add(b[j] == ys[j])
        else:
            model.Add(b[j] >= b[j + 1])
            model.Add(b[j] >= ys[j])
            model.Add(b[j] <= b[j + 1] + ys[j])
    for i in range(1, m - 1):
        y = ys[i]
        if isinstance(y, int) and y == 1:
            continue
        hv = model.NewBoolVar("")
        model.Add(hv >= a[i] + b[i] - 1 - y)
        model.Add(hv <= a[i])
        model.Add(hv <= b[i])
        model.Add(hv <= 1 - y)
        h.append(hv)
    return sum(h) if h else 0


def _assign_tables(inst: _Inst, slot: np.ndarray) -> tuple[Assignment, ...]:
    prob = inst.problem
    prev_t = prob.previous_tables or {}
    used: dict[int, set[int]] = defaultdict(set)
    table = {}
    order = [int(k) for k in np.nonzero(slot >= 0)[0]]
    # first keep previous tables where the slot is unchanged (a fixed meeting's, always: a
    # meeting that may not move keeps its table too)
    for k in order:
        if not inst.shared[k]:
            continue
        rid = prob.requests[k].id
        s = int(slot[k])
        t = prev_t.get(rid)
        if (
            t is not None
            and (inst.prev[k] == s or inst.forced[k] == s)
            and t >= 0
            and (inst.tcap[s] < 0 or t < inst.tcap[s])
            and t not in used[s]
        ):
            used[s].add(t)
            table[k] = t
    nxt: dict[int, int] = defaultdict(int)
    for k in order:
        if not inst.shared[k] or k in table:
            continue
        s = int(slot[k])
        t = nxt[s]
        while t in used[s]:
            t += 1
        used[s].add(t)
        nxt[s] = t + 1
        table[k] = t
    out = []
    for k in order:
        rid = prob.requests[k].id
        if inst.shared[k]:
            out.append(Assignment(rid, int(slot[k]), table=table[k]))
        else:
            out.append(Assignment(rid, int(slot[k]), place=inst.place[k]))
    return tuple(out)


# --------------------------------------------------------------------------- CP-SAT (small)


def _cp_params(time_limit: float, seed: int, workers: int):
    from ortools.sat.python import cp_model

    prm = cp_model.CpSolver()
    prm.parameters.max_time_in_seconds = max(0.05, time_limit)
    prm.parameters.random_seed = seed
    prm.parameters.num_workers = workers
    return prm


def _hint(model, x, slot) -> None:
    """Hint the Boolean ``x[(request, slot)]`` variables with a slot per request."""
    for (k, s), v in x.items():
        model.AddHint(v, int(slot[k] == s))


def _read_slots(solver, x, base: np.ndarray) -> np.ndarray:
    """A copy of ``base`` with each request's slot as the solver set it."""
    out = base.copy()
    for (k, s), v in x.items():
        if solver.BooleanValue(v):
            out[k] = s
    return out


def _solve_small(
    inst: _Inst,
    deadline: float,
    seed: int,
    workers: int,
    phases,
    progress,
    fair_share: float = FAIR_WEIGHT_SHARE,
):
    """Exact lexicographic CP-SAT phases on the whole instance: weight, participants with a
    meeting (at a weight at least ``1 - fair_share`` of the best, then the weight again), idle
    slots, stability."""
    from ortools.sat.python import cp_model

    R = inst.R
    feas = inst.dom.any(axis=1)
    try:
        with build_deadline(deadline - SOLVE_MIN_SECONDS):
            model, x, _busy, _ = assignment_model(inst, range(R), optional=True)
            per_k: dict[int, list] = defaultdict(list)
            for (k, _s), v in x.items():
                per_k[k].append(v)
            # 1 (forced), the request's slot variables (scheduled or not), or 0 (no slot possible)
            sched = [
                1 if inst.forced[k] >= 0 else (sum(per_k[k]) if per_k[k] else 0) for k in range(R)
            ]
            count_p = []
            for p in range(inst.P):
                check_build()
                c = sum(sched[k] for k in inst.by_p[p])
                count_p.append(c)
                if inst.cap[p] is not None and len(inst.by_p[p]) > inst.cap[p]:
                    model.Add(c <= inst.cap[p])
    except BuildTimeout:
        # no time for the model (the time limit spent before it): first fit and ejection chains
        g = _greedy_schedule(inst, None, deadline)
        return g, float(inst.w[feas].sum()), False

    def run(obj, sense, budget, hint_slot):
        if deadline - time.perf_counter() < SOLVE_MIN_SECONDS:
            return None, None, False  # out of time: no search past the deadline
        if sense == "max":
            model.Maximize(obj)
        else:
            model.Minimize(obj)
        if hint_slot is not None:
            model.ClearHints()
            _hint(model, x, hint_slot)
        solver = _cp_params(budget, seed, workers)
        st = solver.Solve(model)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, None, False
        run.bound = solver.BestObjectiveBound()
        slot = _read_slots(solver, x, np.full(R, -1, dtype=np.int64))
        return slot, round(solver.ObjectiveValue()), st == cp_model.OPTIMAL

    def left(frac):
        rem = deadline - time.perf_counter()
        return max(min(0.1, rem), rem * frac)  # at least 0.1 s, never past the deadline

    t0 = time.perf_counter()
    wexpr = sum(int(inst.w[k]) * sched[k] for k in range(R) if not isinstance(sched[k], int))
    wconst = sum(int(inst.w[k]) for k in range(R) if isinstance(sched[k], int) and sched[k])
    free = feas & (inst.forced < 0)  # the requests of ``wexpr``

    def weight(s: np.ndarray) -> int:
        return int(inst.w[free & (s >= 0)].sum())

    # On a re-run, the previous plan where it still holds is a schedule already: the phases
    # start from it and keep it unless they find better, so a re-run with nothing changed
    # changes nothing, whatever its time limit (before: 20-51 of the demo's 171 meetings moved
    # in 2-5 s, and an equal-weight request could take a confirmed meeting's place).
    base = _previous_plan(inst) if (inst.prev >= 0).any() else None
    slot = None
    if base is not None and weight(base) == int(inst.w[free].sum()):
        slot, wbest, opt_w = base, weight(base), True  # every request in: the best weight
        run.bound = wbest
    allflag = None
    wfree = int(inst.w[free].sum())  # every request in

    def everything(budget, hint_slot):
        """Everything schedulable? (a satisfaction problem is much easier for CP-SAT)"""
        nonlocal allflag
        if deadline - time.perf_counter() < SOLVE_MIN_SECONDS:
            return None, None, False  # out of time: no search past the deadline
        if allflag is None:
            allflag = model.NewBoolVar("all")
            for k in range(R):
                if not isinstance(sched[k], int):
                    model.Add(sched[k] == 1).OnlyEnforceIf(allflag)
        model.AddAssumptions([allflag])
        model.ClearObjective()
        if hint_slot is not None:
            model.ClearHints()
            _hint(model, x, hint_slot)
        solver = _cp_params(budget, seed, workers)
        found = solver.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        model.ClearAssumptions()
        if not found:
            return None, None, False
        run.bound = wfree
        return _read_slots(solver, x, np.full(R, -1, dtype=np.int64)), wfree, True

    if slot is None:
        slot, wbest, opt_w = everything(left(0.3), None)
    if slot is None:
        slot, wbest, opt_w = run(wexpr, "max", left(0.35), base)
        if base is not None and (slot is None or weight(base) >= wbest):
            bound = run.bound if slot is not None else float(wfree)
            slot, wbest, opt_w = base, weight(base), weight(base) >= bound
            run.bound = max(bound, wbest)
    if slot is None or not opt_w:
        # The searches above found nothing in their budgets (a loaded machine: forum-14 at load
        # 8-11, run AF), or stopped short of the best weight. A greedy schedule (first fit around
        # their meetings, if any) is cheap; when it adds weight, "everything schedulable?" (unless
        # proven not) then the weight search, both hinted with it, get shares of the time left,
        # and the run goes on through the fairness, keep and idle phases from the better of the
        # greedy schedule and theirs. Before, the greedy schedule was returned at once (298 of 302
        # after 5.5 s of 10, no idle phase), and a weight search's first solution (223 of 302)
        # was kept although a first fit would add meetings to it.
        bound = run.bound if slot is not None else float(wfree)
        now = time.perf_counter()
        g = _greedy_schedule(inst, slot, now + REPAIR_SHARE * max(0.0, deadline - now))
        if slot is None and deadline - time.perf_counter() < FALLBACK_MIN_SECONDS:
            return g, float(inst.w[feas].sum()), False  # out of time: greedy, trivial bound
        if weight(g) == wfree:  # every request in: the best weight, no search needed
            slot, wbest, opt_w = g, wfree, True
            run.bound = wfree
        elif slot is None or weight(g) > wbest:
            s1 = None
            if bound >= wfree:  # not proven impossible: everything schedulable, from ``g``?
                s1, w1, o1 = everything(left(0.4), g)
            if s1 is None:
                s1, w1, o1 = run(wexpr, "max", left(0.35), g)
            if s1 is not None:
                bound = min(bound, run.bound)
            if s1 is not None and w1 >= weight(g):
                slot, wbest, opt_w = s1, w1, o1
            else:
                slot, wbest = g, weight(g)
                opt_w = wbest >= bound
            run.bound = bound
    wub_raw = run.bound
    phases["weight"] = time.perf_counter() - t0
    wfloor = model.Add(wexpr >= wbest)
    # the fairness step may give up ``fair_share`` of the weight (0: keep the best weight), only
    # when the best weight leaves participants without a meeting
    give = int(fair_share * (wbest + wconst))
    if progress:
        progress("weight", 0.3)

    # fairness: participants with at least one meeting (only if some could get one but don't)
    t0 = time.perf_counter()
    possible = np.zeros(inst.P, dtype=bool)
    possible[inst.a[feas]] = True
    possible[inst.b[feas]] = True

    def with_meeting(s: np.ndarray) -> int:
        c = np.zeros(inst.P, dtype=np.int64)
        np.add.at(c, inst.a[s >= 0], 1)
        np.add.at(c, inst.b[s >= 0], 1)
        return int((possible & (c > 0)).sum())

    zs = []
    if (
        with_meeting(slot) < int(possible.sum())
        and deadline - time.perf_counter() >= SOLVE_MIN_SECONDS
    ):
        for p in np.nonzero(possible)[0]:
            z = model.NewBoolVar("")
            model.Add(count_p[p] >= 1).OnlyEnforceIf(z)
            zs.append(z)
        s2, best_z, _ = run(sum(zs), "max", left(0.4), slot)
        if s2 is not None and with_meeting(s2) < with_meeting(slot):
            s2, best_z = None, with_meeting(slot)  # out of time below its hint: keep the hint
            model.Add(sum(zs) >= best_z)
        if s2 is not None:
            slot = s2
        if give and (s2 is None or best_z < len(zs)):
            # participants still without a meeting: lower the weight floor by ``give`` for them,
            # then take back as much weight as those first meetings allow
            wfloor.proto.linear.domain[0] -= give
            s3, z3, _ = run(sum(zs), "max", left(0.2), slot)
            if s3 is not None and (s2 is None or z3 > best_z):
                slot, best_z = s3, z3
                model.Add(sum(zs) >= best_z)
                s4, _w, _ = run(wexpr, "max", left(0.3), slot)
                if s4 is not None:
                    slot = s4
        elif s2 is not None:
            model.Add(sum(zs) >= best_z)
    phases["fairness"] = time.perf_counter() - t0
    if progress:
        progress("fairness", 0.4)

    kept = [k for k in range(R) if inst.prev[k] >= 0 and (k, int(inst.prev[k])) in x]

    def kept_score(s: np.ndarray) -> int:
        on = s[kept] >= 0
        return (len(kept) + 1) * int(on.sum()) + int((s[kept] == inst.prev[kept]).sum())

    if kept and kept_score(slot) < (len(kept) + 2) * len(kept):
        # keep the previous plan's meetings, then in their slots, at the weight and fairness
        # reached (floored again: the fairness step may have lowered the weight floor): among
        # equally good sets, a confirmed meeting is not traded for another
        t0 = time.perf_counter()
        model.Add(wexpr >= weight(slot))
        if zs:
            model.Add(sum(zs) >= with_meeting(slot))
        stays = [x[(k, int(inst.prev[k]))] for k in kept]
        score = (len(kept) + 1) * sum(sched[k] for k in kept) + sum(stays)
        s5, _v, _ = run(score, "max", min(left(0.3), KEEP_SECONDS), slot)
        if s5 is not None and (weight(s5), with_meeting(s5), kept_score(s5)) > (
            weight(slot),
            with_meeting(slot),
            kept_score(slot),
        ):
            slot = s5
        phases["keep"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    slot, idle_opt = _idle_phase(inst, slot, deadline, seed, workers)
    phases["idle"] = time.perf_counter() - t0
    if progress:
        progress("idle", 0.9)
    wub = float(wbest + wconst) if opt_w else float(wub_raw + wconst)
    return slot, wub, idle_opt


def _greedy_schedule(inst: _Inst, slot: np.ndarray | None, deadline: float) -> np.ndarray:
    """Fixed meetings, then ``slot``'s meetings (if any) where they are, then first fit with
    one-level kicks for the others, heaviest first, then ejection chains (``_insert``) for the
    meetings still out, one then up to ``REPAIR_DEPTH`` moves deep, until ``deadline``. No fixed
    meeting and no meeting in its previous slot is moved."""
    st = _State(inst)
    for k in np.nonzero(inst.forced >= 0)[0]:
        st.put(int(k), int(inst.forced[k]))
    if slot is not None:
        for k in np.nonzero((slot >= 0) & (inst.forced < 0))[0]:
            st.put(int(k), int(slot[k]))
    doms = [[int(s) for s in np.nonzero(inst.dom[k])[0]] for k in range(inst.R)]
    order = sorted(range(inst.R), key=lambda k: -inst.w[k])
    _greedy_fill(st, order, doms, lambda k, d: d, keep_prev=True)
    for depth in range(1, REPAIR_DEPTH + 1):
        for k in order:
            if time.perf_counter() > deadline:
                return st.slot
            if st.slot[k] < 0 and doms[k] and st.cap_ok(k):
                _insert(st, doms, k, depth, frozenset(), deadline, [])
    return st.slot


def _insert(st: _State, doms, k: int, depth: int, moved: frozenset, deadline: float, log) -> bool:
    """Place request ``k``, moving the (at most two) meetings in its way to other slots, each
    the same way with ``depth - 1`` (an ejection chain). Every change is logged as (request,
    its slot before) in ``log``; on failure, the changes made here are undone."""
    inst = st.inst
    for s in doms[k]:
        blk = {st.occ[p].get(s) for p in (st.a[k], st.b[k])} - {None}
        if not blk:
            if st.can(k, s):
                log.append((k, -1))
                st.put(k, s)
                return True
            continue
        if depth == 0 or (len(blk) > 1 and depth < 2) or time.perf_counter() > deadline:
            continue
        if any(inst.forced[q] >= 0 or q in moved or inst.prev[q] == s for q in blk):
            continue
        mark = len(log)
        for q in blk:
            log.append((q, int(st.slot[q])))
            st.take(q)
        if st.can(k, s):
            log.append((k, -1))
            st.put(k, s)
            if all(_insert(st, doms, q, depth - 1, moved | {k} | blk, deadline, log) for q in blk):
                return True
        _undo(st, log, mark)
    return False


def _undo(st: _State, log, mark: int) -> None:
    """Undo the changes logged after ``mark``, last first."""
    while len(log) > mark:
        q, old = log.pop()
        if st.slot[q] >= 0:
            st.take(q)
        if old >= 0:
            st.put(q, old)


def _previous_plan(inst: _Inst) -> np.ndarray:
    """The previous plan where it still holds: fixed meetings, then every request in its
    previous slot while the rules allow it (heaviest first), then first fit for the others."""
    st = _State(inst)
    for k in np.nonzero(inst.forced >= 0)[0]:
        st.put(int(k), int(inst.forced[k]))
    order = [int(k) for k in np.argsort(-inst.w, kind="stable")]
    for k in order:
        s = int(inst.prev[k])
        if st.slot[k] < 0 and s >= 0 and inst.dom[k, s] and st.can(k, s) and st.cap_ok(k):
            st.put(k, s)
    doms = [[int(s) for s in np.nonzero(inst.dom[k])[0]] for k in range(inst.R)]
    _greedy_fill(st, order, doms, lambda k, d: d, keep_prev=True)
    return st.slot


def _idle_phase(inst: _Inst, slot: np.ndarray, deadline: float, seed: int, workers: int):
    """Idle (range and/or total) then stability, with the set of scheduled meetings fixed; on a
    re-run, stability first, then idle with the moves bounded. Then Kempe-chain annealing
    (``kempe.py``) for the time left: the window model hands it the total once the range is
    settled; the span and envelope models keep ``1 - KEMPE_SHARE`` of the time. The span or
    envelope model is built only when it is used (not on the window path), and a build still
    running at the CP-SAT deadline stops: the annealing then gets the time left."""
    from ortools.sat.python import cp_model

    end = deadline
    ks = [int(k) for k in np.nonzero(slot >= 0)[0]]
    mine: dict = defaultdict(list)
    for k in ks:
        mine[int(inst.a[k])].append(k)
        mine[int(inst.b[k])].append(k)
    multi = any(len(mk) >= 2 for mk in mine.values())  # someone can idle
    single_day = len(inst.days) == 1
    pos = {}
    for ordered in inst.days.values():
        for i, s in enumerate(ordered):
            pos[s] = i
    contiguous = single_day and all(pos[s] == s for s in range(inst.S))
    has_prev = [k for k in ks if inst.prev[k] >= 0 and inst.dom[k, int(inst.prev[k])]]
    if not (contiguous and not has_prev):  # the span or envelope model (below)
        deadline = time.perf_counter() + (1 - KEMPE_SHARE) * (end - time.perf_counter())

    def run(obj, budget):
        if deadline - time.perf_counter() < 0.1:
            return None, None, False  # out of time: no solve past the deadline
        if isinstance(obj, int):
            m.ClearObjective()
        else:
            m.Minimize(obj)
        m.ClearHints()
        _hint(m, x, cur)
        solver = _cp_params(budget, seed, workers)
        st = solver.Solve(m)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, None, False
        out = _read_slots(solver, x, np.full(inst.R, -1, dtype=np.int64))
        return out, round(solver.ObjectiveValue()), st == cp_model.OPTIMAL

    def left(frac):
        return max(0.1, (deadline - time.perf_counter()) * frac)

    cur = slot
    opt = True
    windows = None
    kempe_range = False
    if multi and contiguous and not has_prev:
        # one day of contiguous slots: the window model (window.py), measured far ahead of the
        # span model below on the UdG instances
        from .window import KEMPE_RANGE, KEMPE_RANGE_WORKERS, solve_windows

        kempe_range = KEMPE_RANGE and inst.problem.idle_objective == "range"
        kempe_range &= workers <= KEMPE_RANGE_WORKERS
        now = time.perf_counter()
        windows = solve_windows(inst, ks, cur, now + (deadline - now) * 0.97, seed, workers)
    built = None
    if windows is None and not kempe_range and (multi or has_prev):
        if deadline - time.perf_counter() >= 0.1:
            try:
                with build_deadline(deadline - 0.1):
                    built = _span_model(inst, ks, mine, contiguous)
            except BuildTimeout:
                built = None
        if built is None:
            opt = False  # no time for the model: the annealing below gets the time left
    if windows is not None:
        cur, opt = windows
    elif kempe_range:
        opt = False  # the annealing below gets all the time (window.KEMPE_RANGE)
    elif built is not None:
        m, x, idle, spans = built
        if has_prev:
            # A re-run changes as few confirmed meetings as it can, before idle slots: otherwise
            # a re-run after a few late changes reshuffled most agendas to save an idle slot or
            # two (demo event: 105 of 171 meetings moved for 48 -> 47 idle slots). The large
            # path does the same (its idle search never moves a meeting still in its previous
            # slot). Idle slots are then minimised among the schedules with that few moves, on
            # the span or envelope model (the window model does not carry the moves bound).
            cur = cur.copy()
            for k in has_prev:
                cur[k] = inst.prev[k]  # the hint: everyone where they were
            moves = sum(1 - x[(k, int(inst.prev[k]))] for k in has_prev)
            s0, _moves, _ = run(moves, left(0.4))

            def moved(s: np.ndarray) -> int:
                return int(sum(s[k] != inst.prev[k] for k in has_prev))

            cur = s0 if s0 is not None and moved(s0) <= moved(slot) else slot
            # never more moves than the schedule in hand (out of time, it is kept as it is)
            m.Add(moves <= moved(cur))
        if idle:
            if inst.problem.idle_objective == "range":
                # warm start with the (easier) total; total 0 means range 0 too
                s0, best0, _ = run(sum(idle), left(0.4))
                if s0 is not None:
                    cur = s0
                    if best0 == 0:
                        return cur, True
                for lo, hi, ts in spans:
                    m.AddMinEquality(lo, ts)
                    m.AddMaxEquality(hi, ts)
                mx = m.NewIntVar(0, inst.S, "")
                mn = m.NewIntVar(0, inst.S, "")
                m.AddMaxEquality(mx, idle)
                m.AddMinEquality(mn, idle)
                s1, best, o = run(mx - mn, left(0.5 if has_prev else 0.6))
                opt &= o
                if s1 is not None:
                    cur = s1
                    m.Add(mx - mn <= best)
            s2, best, o = run(sum(idle), left(0.75 if has_prev else 0.95))
            opt &= o
            if s2 is not None:
                cur = s2
                m.Add(sum(idle) <= best)
        if has_prev:
            s3, _, _ = run(sum(1 - x[(k, int(inst.prev[k]))] for k in has_prev), left(0.95))
            if s3 is not None:
                cur = s3
    if multi and not opt:
        cur = kempe.kempe_idle(
            inst,
            cur,
            end,
            seed,
            keep_moves=bool(has_prev),
            range_phase=kempe_range,
            cp_workers=workers if kempe_range else 0,
        )
    return cur, opt


def _span_model(inst: _Inst, ks: list[int], mine: dict, contiguous: bool):
    """The span model (one day of contiguous slots: ``lo_p <= t_k <= hi_p``) or the envelope
    model (other cases) of the meetings ``ks``: ``(model, x, idle IntVars, spans)``, ``spans``
    the ``(lo, hi, slot vars)`` of each participant with two or more meetings (span model
    only). Raises ``cpcore.BuildTimeout`` past the build deadline."""
    m, x, _, tv = assignment_model(inst, ks, slot_vars=True)
    idle = []
    spans = []
    for _p, mk in mine.items():
        check_build()
        if len(mk) < 2:
            continue
        if len(mk) > 2:
            m.AddAllDifferent([tv[k] for k in mk])
        if contiguous:
            # span formulation: lo <= t_k <= hi; exact min/max only added for the range stage
            lo = m.NewIntVar(0, inst.S - 1, "")
            hi = m.NewIntVar(0, inst.S - 1, "")
            for k in mk:
                m.Add(lo <= tv[k])
                m.Add(tv[k] <= hi)
            spans.append((lo, hi, [tv[k] for k in mk]))
            iv = m.NewIntVar(0, inst.S, "")
            m.Add(iv == hi - lo + 1 - len(mk))
        else:
            tot = 0
            for ordered in inst.days.values():
                ys = []
                for s in ordered:
                    vs = [x[(k, s)] for k in mk if (k, s) in x]
                    ys.append(sum(vs) if vs else 0)
                tot = tot + _idle_expr(m, ys, ordered, "")
            iv = m.NewIntVar(0, inst.S, "")
            m.Add(iv == tot)
        idle.append(iv)
    return m, x, idle, spans


# --------------------------------------------------------------------------- LP (large)


def _direct_highs():
    """SciPy's bundled HiGHS bindings (a private module), or None where this SciPy lacks them
    or they changed shape; the caller then falls back to the public ``scipy.optimize.milp``."""
    try:
        from scipy.optimize._highspy import _core as hc
    except ImportError:
        return None
    needed = ("HighsLp", "_Highs", "HighsOptions", "MatrixFormat", "HighsModelStatus")
    return hc if all(hasattr(hc, name) for name in needed) else None


def _highs_lp(c, A, ub, time_limit: float):
    """Maximise ``c @ x`` s.t. ``A x <= ub``, ``0 <= x <= 1`` with HiGHS dual simplex.

    Calls SciPy's bundled HiGHS directly: ``scipy.optimize.milp`` also builds a Python list with
    one integrality object per column and a per-column Python loop over the basis, which cost
    about 300 MB and several seconds at 1.15 M columns. Presolve is off: on the synthetic 30k
    LP it doubled the time (30 s instead of 16 s) and the peak RSS (1.5 GB instead of 0.9 GB).
    Returns (x or None, objective or None); x is given only for an optimal LP.
    """
    hc = _direct_highs()
    if hc is None:  # pragma: no cover - a SciPy without the module (a test checks ours has it)
        from scipy.optimize import LinearConstraint, milp

        res = milp(
            -c,
            constraints=LinearConstraint(A, -np.inf, ub),
            bounds=(0, 1),
            options={"time_limit": max(1.0, time_limit), "presolve": False},
        )
        return (res.x, -res.fun) if res.x is not None else (None, None)
    m, n = A.shape
    lp = hc.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.format_ = hc.MatrixFormat.kColwise
    lp.col_cost_ = -np.asarray(c, dtype=np.float64)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(m, -np.inf)
    lp.row_upper_ = np.asarray(ub, dtype=np.float64)
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    highs = hc._Highs()
    opts = hc.HighsOptions()
    opts.output_flag = False
    opts.presolve = "off"
    opts.time_limit = float(max(1.0, time_limit))
    highs.passOptions(opts)
    status = highs.passModel(lp)
    del lp
    if status == hc.HighsStatus.kError:
        return None, None
    highs.run()
    if highs.getModelStatus() != hc.HighsModelStatus.kOptimal:
        return None, None
    x = np.array(highs.getSolution().col_value)
    fun = -highs.getInfo().objective_function_value
    del highs
    return x, fun


def _solve_lp(
    inst: _Inst,
    time_limit: float,
    bonus: bool = False,
    fair: bool = False,
    with_tables: bool = True,
):
    """Time-indexed LP relaxation; returns (request, slot, x) per column, a weight bound and,
    with ``fair``, the LP's number of participants without a meeting (else None).

    ``fair`` adds z_p <= meetings of p (z_p <= 1) for every participant with a request, with an
    objective coefficient so small that all of them together are worth less than one unit of
    weight: the LP maximises the weight first, then the participants with a meeting (measured
    on the synthetic 5,000 fair: 7.2 s, integral, 78 without a meeting at the optimal weight
    against 79 after the weight-only LP and the fairness repair). With ``FAIR_LP_LEVELS`` = 2 a
    second indicator per participant (z1_p + z2_p <= meetings of p), worth less again, then
    raises participants to two meetings (same fair: 11 s instead of 8.8 s, 264 participants
    with one meeting in the LP instead of 383, weight and zero count unchanged). ``bonus``
    (early-slot reward) was measured to make the 30k-request LP 2-5x slower, so it is off. The
    matrix is built column-wise with int32 indices; empty rows and rows with a single unit entry
    (implied by x <= 1) are dropped before HiGHS sees them.
    """
    from scipy.sparse import csc_matrix

    R, S, P = inst.R, inst.S, inst.P
    free = inst.forced < 0
    dom = inst.dom.copy()
    dom[~free] = False
    # remove slots blocked by forced meetings
    busy = np.zeros((P, S), dtype=bool)
    fk = np.nonzero(~free)[0]
    busy[inst.a[fk], inst.forced[fk]] = True
    busy[inst.b[fk], inst.forced[fk]] = True
    dom &= ~busy[inst.a] & ~busy[inst.b]
    del busy
    ks, ss = np.nonzero(dom)
    del dom
    ks = ks.astype(np.int32)
    ss = ss.astype(np.int32)
    n = len(ks)
    if n == 0:
        w_forced = float(inst.w[inst.forced >= 0].sum())
        return ks, ss, np.zeros(0), w_forced, None
    wscale = 64.0
    # objective: weight, small bonus for keeping the previous slot and for early slots in a day
    pos = np.zeros(S)
    for ordered in inst.days.values():
        for i, s in enumerate(ordered):
            pos[s] = i / max(1, len(ordered))
    c = inst.w[ks] * wscale + 0.5 * (inst.prev[ks] == ss)
    if bonus:
        c = c + 0.05 * (1 - pos[ss])
    col = np.arange(n, dtype=np.int32)
    pa = inst.a[ks].astype(np.int32)
    pb = inst.b[ks].astype(np.int32)
    rows, cols, data = [ks, pa * S + ss + R, pb * S + ss + R], [col, col, col], []
    r0 = R + P * S
    b_ub = [np.ones(R), np.ones(P * S)]
    # table rows
    if with_tables and (inst.tcap >= 0).any():
        sh = np.nonzero(inst.shared[ks])[0].astype(np.int32)
        rows.append(r0 + ss[sh])
        cols.append(sh)
        tfix = np.zeros(S, dtype=np.int64)
        np.add.at(tfix, inst.forced[fk][inst.shared[fk]], 1)
        b_ub.append(np.where(inst.tcap >= 0, inst.tcap - tfix, n + 1).astype(float))
        r0 += S
    cfix = np.zeros(P, dtype=np.int64)
    np.add.at(cfix, inst.a[fk], 1)
    np.add.at(cfix, inst.b[fk], 1)
    # participant caps
    capped = [p for p in range(P) if inst.cap[p] is not None]
    if capped:
        rowmap = np.full(P, -1, dtype=np.int32)
        rowmap[capped] = np.arange(len(capped), dtype=np.int32)
        for side in (pa, pb):
            m = rowmap[side] >= 0
            rows.append(r0 + rowmap[side][m])
            cols.append(np.nonzero(m)[0].astype(np.int32))
        b_ub.append(np.array([inst.cap[p] - cfix[p] for p in capped], dtype=float))
        r0 += len(capped)
    data.append(np.ones(sum(len(x) for x in cols)))
    # fairness: z_p <= sum of p's x, objective bonus
    has = np.zeros(P, dtype=bool)
    has[pa] = True
    has[pb] = True
    zp = np.nonzero(has & (cfix == 0))[0] if fair else np.zeros(0, dtype=np.int64)
    nz = len(zp)
    zmap = np.full(P, -1, dtype=np.int32)
    zmap[zp] = np.arange(nz, dtype=np.int32)
    for side in (pa, pb):
        m = zmap[side] >= 0
        rows.append(r0 + zmap[side][m])
        cols.append(np.nonzero(m)[0].astype(np.int32))
        data.append(-np.ones(int(m.sum())))
    nlev = FAIR_LP_LEVELS if fair else 0
    for lev in range(nlev):  # z1_p + z2_p + ... <= meetings of p
        rows.append(r0 + np.arange(nz, dtype=np.int32))
        cols.append(n + lev * nz + np.arange(nz, dtype=np.int32))
        data.append(np.ones(nz))
    b_ub.append(np.zeros(nz))
    r0 += nz
    del pa, pb, col
    rows = np.concatenate(rows)
    cols = np.concatenate(cols)
    data = np.concatenate(data)
    bub = np.concatenate(b_ub)
    # drop empty rows and single-entry rows +x <= ub with ub >= 1 (implied by x <= 1)
    cnt = np.bincount(rows, minlength=r0)
    pos_only = np.ones(r0, dtype=bool)
    pos_only[rows[data < 0]] = False
    keep = (cnt > 1) | ((cnt == 1) & ~(pos_only & (bub >= 1)))
    newrow = np.cumsum(keep, dtype=np.int64).astype(np.int32) - 1
    m_ent = keep[rows]
    A = csc_matrix(
        (data[m_ent], (newrow[rows[m_ent]], cols[m_ent])),
        shape=(int(keep.sum()), n + nlev * nz),
    )
    bub = bub[keep]
    del rows, cols, data, cnt, pos_only, keep, newrow, m_ent
    A.indices = A.indices.astype(np.int32, copy=False)
    A.indptr = A.indptr.astype(np.int32, copy=False)
    # every z_p together is worth less than one unit of weight (weights are integers >= 1)
    zc = [0.5 * wscale / max(nz, 1)]
    for _ in range(1, nlev):  # each level worth less than one unit of the level above
        zc.append(0.5 * zc[-1] / max(nz, 1))
    x, obj = _highs_lp(np.concatenate([c, *(np.full(nz, v) for v in zc)]), A, bub, time_limit)
    del A, c
    if x is None:
        return ks, ss, np.zeros(n), math.inf, None
    w_forced = float(inst.w[inst.forced >= 0].sum())
    zero = None
    if fair:
        # participants with a request but no meeting in the LP optimum (fixed meetings count)
        zero = float(int(has.sum()) - x[n : n + nz].sum() - int((has & (cfix > 0)).sum()))
    return ks, ss, x[:n], obj / wscale + w_forced, zero


class _State:
    """Mutable schedule with occupancy tables for fast feasibility checks."""

    def __init__(self, inst: _Inst):
        self.inst = inst
        self.slot = np.full(inst.R, -1, dtype=np.int64)
        self.occ = [{} for _ in range(inst.P)]  # participant -> {slot: request}
        self.tab = [0] * inst.S
        self.cnt = [0] * inst.P
        self.tcap = [int(t) for t in inst.tcap]
        self.cap = inst.cap
        self.a = [int(v) for v in inst.a]
        self.b = [int(v) for v in inst.b]
        self.shared = [bool(v) for v in inst.shared]

    def can(self, k: int, s: int) -> bool:
        a, b = self.a[k], self.b[k]
        if s in self.occ[a] or s in self.occ[b]:
            return False
        return not (self.shared[k] and 0 <= self.tcap[s] <= self.tab[s])

    def cap_ok(self, k: int) -> bool:
        for p in (self.a[k], self.b[k]):
            if self.cap[p] is not None and self.cnt[p] >= self.cap[p]:
                return False
        return True

    def put(self, k: int, s: int) -> None:
        a, b = self.a[k], self.b[k]
        self.occ[a][s] = k
        self.occ[b][s] = k
        self.cnt[a] += 1
        self.cnt[b] += 1
        if self.shared[k]:
            self.tab[s] += 1
        self.slot[k] = s

    def take(self, k: int) -> None:
        s = int(self.slot[k])
        a, b = self.a[k], self.b[k]
        del self.occ[a][s]
        del self.occ[b][s]
        self.cnt[a] -= 1
        self.cnt[b] -= 1
        if self.shared[k]:
            self.tab[s] -= 1
        self.slot[k] = -1


def _greedy_fill(
    st: _State, order: list[int], doms: list[list[int]], prefer, keep_prev: bool = False
) -> None:
    """First-fit insertion, then one-level kicks (move a blocking meeting elsewhere)."""
    for k in order:
        if st.slot[k] >= 0 or not st.cap_ok(k):
            continue
        for s in prefer(k, doms[k]):
            if st.can(k, s):
                st.put(k, s)
                break
    for k in order:
        if st.slot[k] >= 0 or not st.cap_ok(k):
            continue
        done = False
        for s in doms[k]:
            blockers = {st.occ[p].get(s) for p in (st.a[k], st.b[k])} - {None}
            if len(blockers) != 1:
                continue
            (q,) = blockers
            if st.inst.forced[q] >= 0 or (keep_prev and st.inst.prev[q] == s):
                continue
            if st.shared[k] and not st.shared[q] and 0 <= st.tcap[s] <= st.tab[s]:
                continue
            st.take(q)
            if not st.can(k, s):
                st.put(q, s)
                continue
            st.put(k, s)
            for t in doms[q]:
                if t != s and st.can(q, t):
                    st.put(q, t)
                    done = True
                    break
            if done:
                break
            st.take(k)
            st.put(q, s)


def _compact(inst: _Inst, st: _State, deadline: float, seed: int, keep_prev: bool) -> int:
    """Hill climbing: move single meetings within their day when that lowers idle slots."""
    rng = random.Random(seed)
    day_of = inst.day_of
    day_slots = {d: list(v) for d, v in inst.days.items()}

    def idle(p: int, d: int, extra: int = -1, drop: int = -1) -> int:
        used = [s for s in day_slots[d] if (s in st.occ[p] and s != drop) or s == extra]
        if len(used) < 2:
            return 0
        return day_slots[d].index(used[-1]) - day_slots[d].index(used[0]) + 1 - len(used)

    doms = {}
    moves = 0
    order = [int(k) for k in np.nonzero(st.slot >= 0)[0] if inst.forced[k] < 0]
    shared_at: dict[int, set[int]] = defaultdict(set)
    for k in order:
        if st.shared[k]:
            shared_at[int(st.slot[k])].add(k)
    for _ in range(6):
        rng.shuffle(order)
        improved = 0
        for k in order:
            if time.perf_counter() > deadline:
                return moves
            s = int(st.slot[k])
            if keep_prev and inst.prev[k] == s:
                continue
            d = day_of[s]
            a, b = st.a[k], st.b[k]
            base = idle(a, d) + idle(b, d)
            if base == 0:
                continue
            if k not in doms:
                doms[k] = [int(x) for x in np.nonzero(inst.dom[k])[0]]
            best, best_t, best_q = base, -1, -1
            for t in doms[k]:
                if t == s or day_of[t] != d or t in st.occ[a] or t in st.occ[b]:
                    continue
                v = idle(a, d, extra=t, drop=s) + idle(b, d, extra=t, drop=s)
                if v >= best:
                    continue
                if st.shared[k] and 0 <= st.tcap[t] <= st.tab[t]:
                    # table full: swap with a shared meeting of slot t that can go to s
                    for q in rng.sample(sorted(shared_at[t]), min(6, len(shared_at[t]))):
                        c, e = st.a[q], st.b[q]
                        if s in st.occ[c] or s in st.occ[e] or not inst.dom[q, s]:
                            continue
                        if keep_prev and inst.prev[q] == t:
                            continue
                        before = idle(c, d) + idle(e, d)
                        after = idle(c, d, extra=s, drop=t) + idle(e, d, extra=s, drop=t)
                        if v + after - before < best:
                            best, best_t, best_q = v + after - before, t, q
                    continue
                best, best_t, best_q = v, t, -1
            if best_t >= 0:
                st.take(k)
                if best_q >= 0:
                    st.take(best_q)
                    shared_at[best_t].discard(best_q)
                    st.put(best_q, s)
                    shared_at[s].add(best_q)
                st.put(k, best_t)
                if st.shared[k]:
                    shared_at[s].discard(k)
                    shared_at[best_t].add(k)
                moves += 1
                improved += 1
        if not improved:
            break
    return moves


def _table_weight_bound(inst: _Inst) -> float:
    """Weight bound from the total table capacity: best shared requests plus booth meetings."""
    feas = inst.dom.any(axis=1)
    sh = feas & inst.shared
    fixed_shared = int((inst.shared & (inst.forced >= 0)).sum())
    room = int(inst.tcap.sum())
    w_sh = np.sort(inst.w[sh & (inst.forced < 0)])[::-1]
    free_room = max(0, room - fixed_shared)
    return float(
        inst.w[feas & ~inst.shared].sum()
        + inst.w[inst.shared & (inst.forced >= 0)].sum()
        + w_sh[:free_room].sum()
    )


def _table_swaps(inst: _Inst, st: _State, doms: list[list[int]], deadline: float) -> int:
    """Raise the weight under a table cap: evict a lighter shared meeting for a heavier one."""
    by_slot: dict[int, set[int]] = defaultdict(set)
    for k in np.nonzero(st.slot >= 0)[0]:
        if st.shared[k] and inst.forced[k] < 0:
            by_slot[int(st.slot[k])].add(int(k))
    w = inst.w
    swaps = 0
    todo = [int(k) for k in np.nonzero(st.slot < 0)[0] if st.shared[k] and w[k] > 1]
    todo.sort(key=lambda k: -w[k])
    for k in todo:
        if time.perf_counter() > deadline:
            break
        if st.slot[k] >= 0 or not st.cap_ok(k):
            continue
        a, b = st.a[k], st.b[k]
        best = None
        for s in doms[k]:
            if s in st.occ[a] or s in st.occ[b] or not by_slot[s]:
                continue
            q = min(by_slot[s], key=lambda q: w[q])
            if w[q] < w[k] and (best is None or w[q] < w[best[1]]):
                best = (s, q)
        if best is None:
            continue
        s, q = best
        st.take(q)
        by_slot[s].discard(q)
        st.put(k, s)
        by_slot[s].add(k)
        swaps += 1
        for t in doms[q]:  # try to re-home the evicted meeting
            if st.can(q, t) and st.cap_ok(q):
                st.put(q, t)
                by_slot[t].add(q)
                break
    return swaps


def _fair_fill(
    inst: _Inst,
    st: _State,
    doms: list[list[int]],
    deadline: float,
    keep_prev: bool = False,
    levels: int = 1,
    weight_budget: int = 0,
) -> tuple[int, int]:
    """Fairness repair (leximin steps) that lowers the scheduled weight by at most
    ``weight_budget`` in all, and only to give a meeting to a participant who has none.

    For each participant p with ``level`` meetings (level 0 first, then up to ``levels - 1``)
    and an unscheduled request k = (p, q) with a slot s in its domain where p is free:

    * put k in s if q is free there and q's cap and the tables allow it (weight rises);
    * q meets r in s: move r to another free slot of its domain, then put k in s (weight
      rises); or
    * drop a meeting j and put k in s, only if w(j) <= w(k) and every participant that loses
      j other than q still has >= ``level + 1`` meetings afterwards. j is q's meeting in s,
      one of q's meetings when q is at its cap, or a shared meeting in s when its tables are
      full. The weight does not fall, p gains a meeting, q keeps its count and nobody drops
      to p's old level, so the sorted vector of meeting counts rises lexicographically; or
    * when j is heavier than k, or its other participant u would fall too low: drop j, put k
      in s and give u one of its unscheduled requests k2 (with a participant other than p
      and q) in any free slot, if w(k) + w(k2) >= w(j). u keeps its count, the partner of
      k2 gains one.

    With ``weight_budget`` > 0, at level 0 (participants without a meeting) the last two steps
    may also give up weight: drop j for k although w(j) > w(k) (and, in the exchange, although
    w(k) + w(k2) < w(j)), while the weight given up so far stays within the budget. The other
    conditions (nobody else falls to no meeting) are unchanged.

    The best drop keeps the most weight, then avoids meetings still in their previous slot
    (re-runs), then takes from the participant with most meetings.
    Returns (participants lifted, weight gained; negative when the budget was used).
    """
    w = inst.w
    forced = inst.forced
    prev = inst.prev
    a_of, b_of, shared, occ, cnt, cap = st.a, st.b, st.shared, st.occ, st.cnt, st.cap
    tcap, tab = st.tcap, st.tab
    at_slot: dict[int, set[int]] = defaultdict(set)  # shared meetings per slot
    if (inst.tcap >= 0).any():
        for k in np.nonzero(st.slot >= 0)[0]:
            if shared[k]:
                at_slot[int(st.slot[k])].add(int(k))
    possible = set()
    for k in range(inst.R):
        if doms[k]:
            possible.add(a_of[k])
            possible.add(b_of[k])

    def other(k: int, p: int) -> int:
        return b_of[k] if a_of[k] == p else a_of[k]

    def protected(j: int) -> int:
        return int(keep_prev and prev[j] == st.slot[j])

    def table_free(s: int) -> bool:
        return not (0 <= tcap[s] <= tab[s])

    def rehome(r: int, s: int) -> int:
        """Another free slot for meeting r (now in s), or -1."""
        if forced[r] >= 0 or protected(r):
            return -1
        c, e = a_of[r], b_of[r]
        for t in doms[r]:
            free = t != s and t not in occ[c] and t not in occ[e]
            if free and (not shared[r] or table_free(t)):
                return t
        return -1

    def take(j: int) -> None:
        at_slot[int(st.slot[j])].discard(j)
        st.take(j)

    def put(j: int, s: int) -> None:
        st.put(j, s)
        if shared[j] and tcap[s] >= 0:
            at_slot[s].add(j)

    lifted = gained = spent = 0
    for level in range(levels):
        targets = [p for p in possible if cnt[p] == level and (cap[p] is None or cap[p] > level)]
        targets.sort(key=lambda p: (len(inst.by_p[p]), p))
        for p in targets:
            if time.perf_counter() > deadline:
                return lifted, gained
            if cnt[p] != level:
                continue
            give = weight_budget - spent if level == 0 else 0  # weight this lift may give up
            best = None  # a move that raises the weight: (score, kind, k, s, j, t)
            cands: list = []  # exchanges at equal or higher weight: (score, kind, k, s, j, u)
            comps: dict[int, list[int]] = {}
            ks = [k for k in inst.by_p[p] if st.slot[k] < 0 and doms[k]]
            ks.sort(key=lambda k: -w[k])
            for k in ks:
                q = other(k, p)
                q_full = cap[q] is not None and cnt[q] >= cap[q]
                for s in doms[k]:
                    if s in occ[p]:
                        continue
                    r = occ[q].get(s)
                    room = not shared[k] or table_free(s)
                    if r is None:
                        if not q_full and room:
                            best = ((2,), "put", k, s, -1, -1)
                            break
                        if q_full and not room:
                            continue
                        pool = occ[q].values() if q_full else at_slot[s]
                    else:
                        if forced[r] >= 0:
                            continue
                        t = -1 if q_full else rehome(r, s)
                        if t >= 0 and (room or shared[r]):
                            best = ((2,), "move", k, s, r, t)
                            break
                        if not room and not shared[r]:
                            continue
                        pool = (r,)
                    for j in pool:
                        if forced[j] >= 0:
                            continue
                        losers = [u for u in (a_of[j], b_of[j]) if u != q]
                        if w[j] - w[k] <= give and all(cnt[u] >= level + 2 for u in losers):
                            d = int(w[k] - w[j])  # weight change (< 0 only with a budget)
                            sc = (min(d, 0), 1, d, -protected(j), min(cnt[u] for u in losers))
                            cands.append((sc, "drop", k, s, j, -1))
                        elif len(losers) == 1:
                            u = losers[0]
                            if u not in comps:
                                comps[u] = sorted(
                                    (
                                        k2
                                        for k2 in inst.by_p[u]
                                        if st.slot[k2] < 0
                                        and doms[k2]
                                        and other(k2, u) not in (p, q)
                                    ),
                                    key=lambda k2: -w[k2],
                                )
                            if comps[u] and w[k] + w[comps[u][0]] >= w[j] - give:
                                d = int(w[k] + w[comps[u][0]] - w[j])
                                sc = (min(d, 0), 0, d, -protected(j), cnt[u])
                                cands.append((sc, "comp", k, s, j, u))
                if best is not None:
                    break
            if best is not None:
                _, kind, k, s, j, t = best
                if j >= 0:
                    take(j)
                    put(j, t)
                put(k, s)
                lifted += 1
                gained += int(w[k])
                continue
            cands.sort(key=lambda c: c[0], reverse=True)
            for _, kind, k, s, j, u in cands[:50]:
                old_s = int(st.slot[j])
                take(j)
                put(k, s)
                if kind == "drop":
                    lifted += 1
                    gained += int(w[k] - w[j])
                    spent += max(0, int(w[j] - w[k]))
                    break
                # u lost j: give u another request k2 so that w(k) + w(k2) >= w(j)
                done = False
                for k2 in comps[u]:
                    if w[k] + w[k2] < w[j] - give:
                        break
                    if st.slot[k2] >= 0 or not st.cap_ok(k2):
                        continue
                    for t in doms[k2]:
                        if st.can(k2, t):
                            put(k2, t)
                            done = True
                            break
                    if done:
                        break
                if done:
                    lifted += 1
                    gained += int(w[k] + w[k2] - w[j])
                    spent += max(0, int(w[j] - w[k] - w[k2]))
                    break
                take(k)
                put(j, old_s)
    return lifted, gained


def _solve_large(
    inst: _Inst,
    deadline: float,
    seed: int,
    workers: int,
    phases,
    progress,
    fair_share: float = FAIR_WEIGHT_SHARE,
):
    t0 = time.perf_counter()
    budget = deadline - t0
    # table rows make the LP much harder (measured: >100 s instead of ~12 s at 30k requests);
    # for big instances relax them and bound the weight by the table capacity instead
    capped = bool((inst.tcap >= 0).any())
    big = int(inst.dom.sum()) > 150_000
    ks, ss, xv, wub, lp_zero = _solve_lp(
        inst, 0.6 * budget, fair=FAIR_LP, with_tables=not (capped and big)
    )
    if lp_zero is not None:
        phases["lp_without_meeting"] = lp_zero
    if capped and big:
        wub = min(wub, _table_weight_bound(inst))
    phases["lp"] = time.perf_counter() - t0
    if progress:
        progress("lp", 0.4)
    t0 = time.perf_counter()
    st = _State(inst)
    for k in np.nonzero(inst.forced >= 0)[0]:
        st.put(int(k), int(inst.forced[k]))
    chosen = np.nonzero(xv > 0.5)[0]
    chosen = chosen[np.lexsort((-xv[chosen], -inst.w[ks[chosen]]))]
    frac = int(((xv > 1e-6) & (xv < 1 - 1e-6)).sum())
    for j in chosen:
        k, s = int(ks[j]), int(ss[j])
        if st.slot[k] < 0 and st.can(k, s) and st.cap_ok(k):
            st.put(k, s)
    doms = [[int(s) for s in np.nonzero(inst.dom[k])[0]] for k in range(inst.R)]
    prevs = inst.prev

    def prefer(k, dk):
        if prevs[k] >= 0 and prevs[k] in dk:
            return [int(prevs[k])] + [s for s in dk if s != prevs[k]]
        return dk

    # fairness first: participants without meetings, then by weight
    cnt = np.array(st.cnt)
    order = sorted(
        range(inst.R),
        key=lambda k: (min(cnt[inst.a[k]], cnt[inst.b[k]]) > 0, -inst.w[k]),
    )
    _greedy_fill(st, order, doms, prefer)
    if capped:
        phases["table_swaps"] = float(_table_swaps(inst, st, doms, t0 + 0.25 * budget))
    if (inst.prev >= 0).any():
        # re-run: also build from the previous schedule and keep it unless the LP one is heavier
        st2 = _State(inst)
        for k in np.nonzero(inst.forced >= 0)[0]:
            st2.put(int(k), int(inst.forced[k]))
        for k in sorted(np.nonzero(inst.prev >= 0)[0], key=lambda k: -inst.w[k]):
            s = int(inst.prev[k])
            if st2.slot[k] < 0 and inst.dom[k, s] and st2.can(k, s) and st2.cap_ok(k):
                st2.put(int(k), s)
        _greedy_fill(st2, order, doms, prefer, keep_prev=True)
        w1, w2 = int(inst.w[st.slot >= 0].sum()), int(inst.w[st2.slot >= 0].sum())
        phases["kept_previous_base"] = float(w2 >= w1)
        if w2 >= w1:
            st = st2
    keep_prev = bool((inst.prev >= 0).any())
    t1 = time.perf_counter()
    give = int(fair_share * inst.w[st.slot >= 0].sum())
    lifted, gained = _fair_fill(
        inst, st, doms, t1 + 0.1 * budget, keep_prev, levels=FAIR_LEVELS, weight_budget=give
    )
    phases["fair_lifted"] = float(lifted)
    phases["fair_weight_gained"] = float(gained)
    phases["fair"] = time.perf_counter() - t1
    phases["repair"] = time.perf_counter() - t0
    phases["lp_fractional_columns"] = float(frac)
    if progress:
        progress("repair", 0.5)
    t0 = time.perf_counter()
    phases["compact_moves"] = float(_compact(inst, st, t0 + 0.5 * (deadline - t0), seed, keep_prev))
    phases["compact"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # Kempe-chain annealing for the time left (it replaced a CP-SAT large-neighbourhood search
    # on participant-days: synthetic fair, 55 s, idle slots 9,464 -> 239, max 23 -> 3)
    slot = kempe.kempe_idle(inst, st.slot.copy(), deadline, seed, keep_moves=keep_prev)
    phases["idle_kempe"] = time.perf_counter() - t0
    return slot, wub, False


# --------------------------------------------------------------------------- public


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    progress: Progress = None,
    workers: int | None = None,
    method: str = "auto",
    fair_weight_share: float = FAIR_WEIGHT_SHARE,
    minimise_moves: bool = True,
) -> Result:
    """Schedule ``problem``; ``method`` is "auto", "cpsat" (exact phases) or "lns".

    ``fair_weight_share``: the share of the scheduled weight the fairness step may give up so
    that participants without a meeting get one (0 = never: weight strictly first).
    ``minimise_moves=False``: plan afresh (idle slots first); ``Problem.previous`` then only
    keeps pinned meetings in place, keeps tables where a meeting stays in its slot, and counts
    the moves in the statistics."""
    kempe.ready()  # the annealing's compile (once per process) is not the problem's time
    t_start = time.perf_counter()
    deadline = t_start + time_limit
    workers = workers or min(8, os.cpu_count() or 1)
    phases: dict[str, float] = {}
    inst = _Inst(problem)  # tables and statistics: against the previous plan, if any
    work = inst if minimise_moves or not problem.previous else _Inst(_without_previous(problem))
    t0 = time.perf_counter()
    ub = _count_upper_bound(inst)
    phases["bound"] = time.perf_counter() - t0
    if progress:
        progress("bound", 0.05)
    nvars = int(inst.dom.sum())
    if method == "cpsat" or (method == "auto" and nvars <= SMALL_VARS):
        slot, wub, _ = _solve_small(
            work, deadline, seed, workers, phases, progress, fair_share=fair_weight_share
        )
    else:
        slot, wub, _ = _solve_large(
            work, deadline, seed, workers, phases, progress, fair_share=fair_weight_share
        )
    t0 = time.perf_counter()
    assignments = _assign_tables(inst, slot)
    phases["tables"] = time.perf_counter() - t0
    stats = _stats(inst, slot, ub, wub)
    stats.seconds = time.perf_counter() - t_start
    stats.phases = phases
    if progress:
        progress("done", 1.0)
    return Result(assignments=assignments, stats=stats)


def _without_previous(problem: Problem) -> Problem:
    """The problem without its previous plan, pinned meetings fixed where they were."""
    prev = problem.previous or {}
    reqs = tuple(
        dataclasses.replace(r, fixed_slot=prev[r.id], pinned=False)
        if r.pinned and r.id in prev and r.fixed_slot is None
        else r
        for r in problem.requests
    )
    return dataclasses.replace(problem, requests=reqs, previous=None)


def _stats(inst: _Inst, slot: np.ndarray, ub: int, wub: float) -> Stats:
    on = slot >= 0
    scheduled = int(on.sum())
    weight = int(inst.w[on].sum())
    idle = _participant_idle(inst, slot)
    cnt = np.zeros(inst.P, dtype=np.int64)
    np.add.at(cnt, inst.a[on], 1)
    np.add.at(cnt, inst.b[on], 1)
    two = cnt >= 2
    vals = idle[two]
    feas = inst.dom.any(axis=1)
    possible = np.zeros(inst.P, dtype=bool)
    possible[inst.a[feas]] = True
    possible[inst.b[feas]] = True
    wub = min(float(wub), float(inst.w[feas].sum()))
    wub = float(math.floor(wub + 1e-6))
    moved = int(((inst.prev >= 0) & (slot >= 0) & (slot != inst.prev)).sum())
    dropped = int(((inst.prev >= 0) & (slot < 0)).sum())
    return Stats(
        scheduled=scheduled,
        requested=inst.R,
        upper_bound=ub,
        gap=(wub - weight) / wub if wub > 0 else 0.0,
        weight_scheduled=weight,
        weight_upper_bound=wub,
        idle_total=int(vals.sum()) if len(vals) else 0,
        idle_max=int(vals.max()) if len(vals) else 0,
        idle_range=int(vals.max() - vals.min()) if len(vals) else 0,
        moved=moved,
        dropped=dropped,
        participants_without_meeting_possible=int((possible & (cnt == 0)).sum()),
    )
