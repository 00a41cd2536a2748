"""Idle slots on one day of contiguous slots: the "window" CP-SAT model (small instances).

Each participant ``p`` with ``n_p >= 2`` meetings picks exactly one window ``[s0, s0 + L)`` with
``n_p <= L <= n_p + lb_p + slack``; its meetings must lie inside the window, and the first and
last slot of the window must be busy, so ``idle_p = L - n_p`` exactly. ``lb_p`` is the smallest
idle ``p`` can have on its own (its meetings matched into the shortest window). The windows make
propagation strong: with ``slack = 0`` and ``lb_p = 0`` it is the "every participant meets in one
block" question, which CP-SAT settles (solution or infeasibility proof) in well under a second
on most UdG instances, where the span model searched for the whole time limit.

``solve_windows`` tries ``slack = 0, 1, 2, 3, 5`` in turn, hinting each rung with the best
schedule so far. Rung 0 fixes every ``idle_p`` to ``lb_p``, so it is a satisfaction question,
given 15% of the time and the single "no_lp" subsolver (linearization level 0). Later rungs
minimise the total idle (also for the range objective, see ``_build``). A rung proven
infeasible, or without a solution within its share of the time, passes to the next one; a rung
with a solution keeps the time that is left (a solve proven optimal within its rung passes to
the next, looser one). When no rung has a solution with 30% of the time left, ``None`` is
returned and the caller's span model gets that time. The restriction to windows is a heuristic:
the result is optimal only when the total is 0, or when rung 0 has a solution and the objective
is the total. For the range objective the ladder gets 45% of the time and ``_range_stage`` (a
common bound ``lo <= idle_p <= lo + r``) the rest when the ladder's range is > 0; when that
finds no better range, ``_band_total`` minimises the total in the band at the range reached
with the exact window model of ``reference.py`` (windows capped at ``lb_p`` + the slack the best
schedule needs), started from the best schedule as a complete hint. Since run H (see
docs/benchmarks-scheduler.md): the step to range r_best - 1 is a soft band from the best
schedule (``_soft_band``: excess over the band first, then the total), the total improvements
run CP-SAT's LNS workers only (``LNS_ONLY``), range 0 gets a 10% cap when rung 0 stayed open
(``RANGE_ZERO_OPEN_CAP``), and without a ladder schedule the range stage asks r = 0, 1, 2, ...
(``ASCEND_WITHOUT_LADDER``). With one or two CP-SAT workers (runs O and P, ``KEMPE_RANGE``):
rung 0 only for the range objective; the range and the total are left to the annealing
(``kempe.py``).
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from .cpcore import BuildTimeout, assignment_model, build_deadline, window_idle

SLACKS = (0, 1, 2, 3, 5)
RANGE_MAX = 6  # range stage without a ladder schedule: ranges 0 .. RANGE_MAX - 1
RANGE_LADDER_SHARE = 0.45  # range objective: the ladder's share of the time, the rest for the range
RANGE_TRY_CAP = 0.3  # range stage: each "any schedule with range r?" gets at most this share
RANGE_LO_EXTRA = 4  # range stage: the common bound lo is at most max(lb_p) + this
# range objective, no better range found: the total in the band at the range reached
# (``_band_total``), instead of the ladder's last rung; measured 26/37/12/34 vs 30/41/13/47 idle
# on ticf-14crafa, ticf-13crafb, tic-13crafc, forum-13crafb (10 vs 9 on tic-14crafc)
BAND_TOTAL = True
# (measured and removed: minimising the range with the first/last model of ``reference.py``
# instead of the "r_best - 1" try was worse, forum-14 range 10, 10, 4 in 3 bench runs, 5 and 4
# without it; see docs/benchmarks-scheduler.md)
# total improvement from a complete hint (range-stage total, band total, last rung): every CP-SAT
# worker does LNS (``use_lns_only``); from the same start, 3 s, 3-5 seeds: ticf-13crafb 25-33 vs
# 27-40, ticf-14crafa 13-18 vs 15-20, tic-14crafc 7-9 vs 8-10 idle slots
LNS_ONLY = True
# range stage, r = best range - 1: a soft band from the best schedule (``_soft_band``) instead of
# "any schedule with range r?" then the total; forum-14 from the ladder's 5/27, 2.9 s, 2 seeds:
# 4/18, 4/16 (the question's first schedule had 157-189 idle, 54-76 after the total)
SOFT_RANGE = True
# range 0 when the ladder's rung 0 (everyone at its own bound) stayed open: this share of the idle
# phase instead of RANGE_TRY_CAP (tic-13crafc, tic-14crafc, ticf-14crafa: 2.8 s without an answer
# at 30%, and range 0 stayed open in the reference's 100 s; the time goes to the total)
RANGE_ZERO_OPEN_CAP = 0.1
# range stage: the total at the first range found with ``_band_total`` (complete hint)
RANGE_BAND_TOTAL = True
# range stage without a ladder schedule: ranges 0, 1, 2, ... (first with a schedule wins)
ASCEND_WITHOUT_LADDER = True
# Once the range is settled, the total at that range is left to the caller's Kempe-chain
# annealing (``kempe.py``, measured far ahead of CP-SAT's LNS on it): ``_band_total`` and the
# last rung's LNS return at once, so the time they had goes to the annealing.
TOTAL_BY_KEMPE = True
# ... except when the range stage found no better range: then the band total and the last rung
# keep 1 - this share of the time left (they often meet a smaller range on the way)
STUCK_KEMPE_SHARE = 0.5
# range objective: after rung 0 (everyone at its own bound, which settles the instances with a
# 0-idle schedule), the range and the total are left to the annealing, with its range phase
# (``kempe.RANGE_SHARE``); no range stage, and no span model when rung 0 found nothing (see run O
# in docs/benchmarks-scheduler.md: with one CP-SAT worker the ladder and the range stage found no
# schedule in 10 s on forum-14 and ticf-14crafa, where the annealing alone reaches the reference)
KEMPE_RANGE = True
# ... only with at most this many CP-SAT workers (run O: one; run P: two as well: on a shared
# machine, load 1-10, run N's CP-SAT path missed the reference range in 19 of 119 instance runs,
# this path in 9; range better in 21 pairs, worse in 6)
KEMPE_RANGE_WORKERS = 2


def _fits(doms: list[set[int]], lo: int, hi: int) -> bool:
    """Can meetings with slot sets ``doms`` take distinct slots in ``[lo, hi)``? (matching)"""
    match: dict[int, int] = {}

    def aug(i: int, seen: set[int]) -> bool:
        for s in doms[i]:
            if lo <= s < hi and s not in seen:
                seen.add(s)
                if s not in match or aug(match[s], seen):
                    match[s] = i
                    return True
        return False

    return all(aug(i, set()) for i in range(len(doms)))


def own_lower_bound(doms: list[set[int]], n_slots: int) -> int | None:
    """Fewest idle slots a participant with meetings of slot sets ``doms`` can have alone."""
    n = len(doms)
    for length in range(n, n_slots + 1):
        for s0 in range(n_slots - length + 1):
            if _fits(doms, s0, s0 + length):
                return length - n
    return None


def _build(inst, ks, doms, multi, lbs, slack, common=None):

    S = inst.S
    m, x, busy, _ = assignment_model(inst, ks, doms)
    idle = []
    wmax = 0
    if common is not None:
        # range stage: a common bound lo <= idle_p <= lo + r for every participant
        r, lo_min, lo_max = common
        lo_v = m.NewIntVar(lo_min, lo_max, "")
    for p, mk in multi.items():
        n = len(mk)
        g = lbs[p] + slack if common is None else lo_max + r  # most idle slots allowed
        wmax += g
        iv, _ = window_idle(m, busy, p, n, S, lbs[p], g)
        if common is not None:
            m.Add(iv >= lo_v)
            m.Add(iv <= lo_v + r)
        idle.append(iv)
    total = sum(idle)
    if slack == 0 and common is None:
        return m, x  # every participant at its own bound: a satisfaction question
    # the total only, even for the range objective: a weighted range * W + total objective was
    # measured worse (no solution at all on ticf-13crafc and ticf-14crafa within 10 s)
    m.Minimize(total)
    return m, x


def solve_windows(inst, ks: list[int], cur: np.ndarray, deadline: float, seed: int, workers: int):
    """``(slot, optimal)`` from the window ladder, or ``None`` when no rung found a schedule."""
    from ortools.sat.python import cp_model

    from .solve import _cp_params, _hint, _participant_idle, _read_slots

    S = inst.S
    mine: dict[int, list[int]] = defaultdict(list)
    doms = {k: [int(s) for s in np.nonzero(inst.dom[k])[0]] for k in ks}
    for k in ks:
        mine[int(inst.a[k])].append(k)
        mine[int(inst.b[k])].append(k)
    multi = {p: mk for p, mk in mine.items() if len(mk) >= 2}
    if not multi:
        return None
    lbs = {}
    for p, mk in multi.items():
        lb = own_lower_bound([set(doms[k]) for k in mk], S)
        if lb is None:
            return None
        lbs[p] = lb
    use_range = inst.problem.idle_objective == "range"
    best = None
    opt = False
    kempe_range = KEMPE_RANGE and workers <= KEMPE_RANGE_WORKERS

    def score(slot):
        idle = _participant_idle(inst, slot)
        vals = idle[list(multi)]
        rng = int(vals.max() - vals.min()) if use_range else 0
        return (rng, int(vals.sum()))

    rungs = list(SLACKS)
    again = False
    best_slack = 0
    rung0_open = False  # rung 0 ran out of time without a schedule or a proof
    t_all = deadline - time.perf_counter()
    reserve = 0.3 * (deadline - time.perf_counter())
    final_deadline = deadline
    # range objective: the ladder stops at this point, and the range stage (``_range_stage``)
    # gets the rest when the range is > 0 (measured: the "lo <= idle_p <= lo" question took
    # 1-2.2 s on ticf-13crafc, more than the ladder left it with a 50% share ending after rung 1)
    ladder_cap = time.perf_counter() + RANGE_LADDER_SHARE * (deadline - time.perf_counter())
    while rungs:
        slack = rungs[0]
        if use_range and kempe_range and slack > 0:
            break
        deadline = ladder_cap if use_range else final_deadline
        left = deadline - time.perf_counter()
        if left < 0.2:
            break
        last = len(rungs) == 1 or again
        if best is None and left < reserve and not use_range:
            break  # leave the rest to the span model (solve.py)
        budget = left if last else left * (0.6 if slack > 0 else 0.15)
        try:
            with build_deadline(deadline - 0.05):
                m, x = _build(inst, ks, doms, multi, lbs, slack)
        except BuildTimeout:
            break  # the rung's time went on building it (a loaded machine): keep the best
        budget = min(budget, deadline - time.perf_counter())
        if slack > 0:  # hint: the best window schedule, else the caller's schedule
            hint = best[1] if best is not None else cur
            _hint(m, x, hint)
        solver = _cp_params(budget, seed, workers)
        if slack == 0:
            # measured on forum-13: a 0-idle schedule in 0.2-0.25 s (9 seeds) with the single
            # "no_lp" subsolver, 0.2-3.5 s (10 seeds) with linearization level 0 and the default
            # subsolvers, 0.4-6.3 s (4 seeds) with the defaults. Rung 0 gets a short budget: when
            # it is not settled quickly (forum-14, tic-14crafd), rung 1 made better use of it
            solver.parameters.linearization_level = 0
            solver.parameters.subsolvers.append("no_lp")
        st = solver.Solve(m)
        if slack == 0 and st == cp_model.UNKNOWN:
            rung0_open = True
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            rungs.pop(0)  # infeasible rung, or no solution in time: loosen
            again = False
            continue
        slot = _read_slots(solver, x, cur)
        sc = score(slot)
        if best is None or sc < best[0]:
            best = (sc, slot)
            best_slack = slack
        if best[0][1] == 0 or (slack == 0 and not use_range):
            opt = True  # total at its lower bound (the sum of the participants' own bounds)
            break
        if slack == 0:
            rungs.pop(0)
            continue
        if st == cp_model.OPTIMAL:
            rungs.pop(0)  # best within this rung: a looser one may still do better
            again = False
        elif again:
            break
        else:
            again = True  # keep improving at this rung with the time left
    if use_range and kempe_range:
        return None if best is None else (best[1], opt)
    if use_range and (best is None or best[0][0] > 0):
        before = best
        args = (inst, ks, doms, multi, lbs, best, cur, score, final_deadline, seed, workers, t_all)
        zero_cap = RANGE_ZERO_OPEN_CAP if rung0_open else RANGE_TRY_CAP
        best = _range_stage(*args, zero_cap=zero_cap)
        left = final_deadline - time.perf_counter()
        # no better range (with SOFT_RANGE the total may have improved at the same range)
        same = before is not None and best is not None and best[0][0] == before[0][0]
        stuck = (best is before or same) and best is not None
        if stuck:
            # The range stage found no better range. The CP-SAT searches below, though they
            # minimise the total, then often meet a smaller range on the way (forum-13crafb:
            # range 2 in 3 of 3 seeds with them, 2 of 3 without), so they keep part of the time;
            # the caller's annealing gets ``STUCK_KEMPE_SHARE`` of it when TOTAL_BY_KEMPE.
            share = STUCK_KEMPE_SHARE if TOTAL_BY_KEMPE else 0.0
            end = final_deadline - share * left
            if BAND_TOTAL:
                # the total at this range, in the band lo <= idle_p <= lo + r, for half the time
                # (one bench run with all of it: forum-14 ended at 75 idle, against 19 and 125
                # in two runs with the last rung only), then the ladder's last rung below
                half = time.perf_counter() + 0.5 * (end - time.perf_counter())
                best = _band_total(
                    inst, ks, multi, lbs, best, cur, score, half, seed, workers, force=True
                )
            left = end - time.perf_counter()
            if left > 0.3:
                # the time left goes back to the total at the ladder's last rung
                try:
                    with build_deadline(end - 0.1):
                        m, x = _build(inst, ks, doms, multi, lbs, max(1, best_slack))
                    _hint(m, x, best[1])
                    left = end - time.perf_counter()
                    best = _lns_improve(m, x, best, cur, score, left, seed, workers)
                except BuildTimeout:
                    pass  # no time left to search it: keep the best
    if best is None:
        return None
    return best[1], opt


def _range_stage(
    inst,
    ks,
    doms,
    multi,
    lbs,
    best,
    cur,
    score,
    deadline,
    seed,
    workers,
    t_all,
    zero_cap=RANGE_TRY_CAP,
):
    """Lexicographic (range, total): ``lo <= idle_p <= lo + r`` for every participant, with
    ``r = 0`` and then one below the best range (with ``SOFT_RANGE`` and a best schedule, that
    one is ``_soft_band``, then ``_band_total`` when it reaches r). Each ``r`` first asks for
    any schedule (65% of the time left for r = 0, 80% for the last ``r``, at most
    ``RANGE_TRY_CAP`` of the idle phase); the first ``r`` with one then minimises the total
    with the time left. The result
    replaces ``best`` only when it is lexicographically better."""
    from ortools.sat.python import cp_model

    from .solve import _cp_params, _hint, _read_slots

    maxlb = max(lbs.values())
    rmax = best[0][0] if best is not None else RANGE_MAX
    tries = [0] + ([rmax - 1] if rmax >= 2 else [])  # 0, else one better
    if best is None and ASCEND_WITHOUT_LADDER:
        # no ladder schedule: the smallest range that has one (0, 1, 2, ...; measured on
        # forum-13crafb, where the ladder found nothing in one run of two: r = 1 proven
        # infeasible in 1.0-1.6 s, r = 2 found in 1.0-1.75 s; "0, then RANGE_MAX - 1" ended at
        # range 5)
        tries = list(range(RANGE_MAX))
    while tries:
        r = tries.pop(0)
        left = deadline - time.perf_counter()
        if left < 0.3:
            break
        if best is None and 0 < r < RANGE_MAX - 1 and left < RANGE_TRY_CAP * t_all + 1.0:
            tries, r = [], RANGE_MAX - 1  # keep time for a schedule at a larger range
        share = left * (0.65 if tries else 0.8)
        if SOFT_RANGE and best is not None and r > 0:
            # from the best schedule: a soft band (range r, excess minimised first, then the
            # total), so that the schedule stays close to the ladder's
            end = time.perf_counter() + min(share, RANGE_TRY_CAP * t_all)
            cand = _soft_band(inst, ks, multi, lbs, best, r, cur, score, end, seed, workers)
            if cand[0] < best[0]:
                best = cand
            if best[0][0] <= r:  # range reached: the total at it with the time left
                best = _band_total(inst, ks, multi, lbs, best, cur, score, deadline, seed, workers)
            break
        common = (r, max(0, maxlb - r), maxlb + RANGE_LO_EXTRA)
        try:
            with build_deadline(deadline - 0.1):
                m, x = _build(inst, ks, doms, multi, lbs, 0, common)
        except BuildTimeout:
            break  # no time left to ask it
        # range 0 first gets 65% of the time left (was 50%: on forum-13crafc and ticf-13crafc it
        # took 1.4-1.8 s of a 2.5-s budget, and 8 of 22 runs at 10 s missed it; 4 of 4 found it
        # at 65%)
        cap = zero_cap if r == 0 else RANGE_TRY_CAP
        share = min(share, deadline - time.perf_counter())
        solver = _cp_params(min(share, cap * t_all), seed, workers)
        solver.parameters.stop_after_first_solution = True
        st = solver.Solve(m)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue  # infeasible for this r (or not settled in time): allow a larger range
        slot = _read_slots(solver, x, cur)
        left = deadline - time.perf_counter()
        if RANGE_BAND_TOTAL and r > 0:
            # the total at this range from the first schedule as a complete hint
            sc = score(slot)
            if best is None or sc < best[0]:
                first = (sc, slot)
                best = _band_total(inst, ks, multi, lbs, first, cur, score, deadline, seed, workers)
            break
        if left > 0.3 and not TOTAL_BY_KEMPE:  # the total at this range, hinted with the first
            _hint(m, x, slot)
            solver = _cp_params(left, seed, workers)
            st = solver.Solve(m)
            if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                slot = _read_slots(solver, x, slot)
        sc = score(slot)
        if best is None or sc < best[0]:
            best = (sc, slot)
        break
    return best


def _lns_improve(m, x, best, cur, score, time_limit, seed, workers):
    """Solve ``m`` (hinted with ``best``) for ``time_limit`` seconds with LNS workers
    (``LNS_ONLY``); the better of ``best`` and the result by (range, total)."""
    from ortools.sat.python import cp_model

    from .solve import _cp_params, _read_slots

    solver = _cp_params(time_limit, seed, workers)
    solver.parameters.use_lns_only = LNS_ONLY
    if solver.Solve(m) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        slot = _read_slots(solver, x, cur)
        sc = score(slot)
        if sc < best[0]:
            best = (sc, slot)
    return best


def _slack_of(inst, multi, lbs, best) -> int:
    """The window slack (idle_p - lb_p, at least 1) that ``best``'s schedule needs, so that it
    is a solution of the capped models below."""
    from .solve import _participant_idle

    idle = _participant_idle(inst, best[1])
    return max(1, max(int(idle[p]) - lbs[p] for p in multi))


def _soft_band(inst, ks, multi, lbs, best, r, cur, score, deadline, seed, workers):
    """From ``best`` (a complete hint), minimise ``W * sum(v_p) + total`` with the soft band
    ``lo <= idle_p <= lo + r + v_p`` (``reference._model``, windows capped as in
    ``_band_total``), with LNS workers. Returns the better of ``best`` and the result."""
    from .reference import _model

    if deadline - time.perf_counter() < 0.5:
        return best
    slack = _slack_of(inst, multi, lbs, best)
    try:
        with build_deadline(deadline - 0.1):
            m, x, total, hint_all = _model(inst, ks, multi, lbs, None, slack=slack, soft_r=r)
    except BuildTimeout:
        return best  # no time left to search it
    m.Minimize((len(multi) * inst.S + 1) * hint_all.excess + total)
    hint_all(best[1])
    left = deadline - time.perf_counter() - 0.05
    return _lns_improve(m, x, best, cur, score, left, seed, workers)


def _band_total(inst, ks, multi, lbs, best, cur, score, deadline, seed, workers, force=False):
    """Minimise the total at ``best``'s range r (``lo <= idle_p <= lo + r``, ``reference._model``)
    with the time left, started from ``best`` as a complete hint. With TOTAL_BY_KEMPE only when
    ``force``d (the range stage was stuck)."""
    from .reference import _model

    left = deadline - time.perf_counter()
    if left > 1.0 and (force or not TOTAL_BY_KEMPE):  # building the model takes 0.2-1 s
        # the total at that range, with the windows capped as in the ladder (idle_p <= lb_p +
        # slack, the slack at least what the best schedule uses, so that it is a solution); not
        # measured against all window lengths
        slack = _slack_of(inst, multi, lbs, best)
        try:
            with build_deadline(deadline - 0.15):
                m, x, total, hint_all = _model(inst, ks, multi, lbs, best[0][0], slack=slack)
        except BuildTimeout:
            return best  # no time left to search it
        m.Minimize(total)
        hint_all(best[1])
        left = deadline - time.perf_counter()
        if left > 0.15:
            best = _lns_improve(m, x, best, cur, score, left - 0.05, seed, workers)
    return best
