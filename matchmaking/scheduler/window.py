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
is the total.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

SLACKS = (0, 1, 2, 3, 5)


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


def _build(inst, ks, doms, multi, lbs, slack):
    from ortools.sat.python import cp_model

    S = inst.S
    m = cp_model.CpModel()
    x = {}
    busy: dict[tuple[int, int], list] = defaultdict(list)
    by_s: dict[int, list] = defaultdict(list)
    for k in ks:
        vs = []
        for s in doms[k]:
            v = m.NewBoolVar("")
            x[(k, s)] = v
            vs.append(v)
            busy[(int(inst.a[k]), s)].append(v)
            busy[(int(inst.b[k]), s)].append(v)
            if inst.shared[k]:
                by_s[s].append(v)
        m.AddExactlyOne(vs)
    for vs in busy.values():
        if len(vs) > 1:
            m.AddAtMostOne(vs)
    for s, vs in by_s.items():
        if inst.tcap[s] >= 0 and len(vs) > inst.tcap[s]:
            m.Add(sum(vs) <= int(inst.tcap[s]))
    idle = []
    wmax = 0
    for p, mk in multi.items():
        n = len(mk)
        g = lbs[p] + slack
        wmax += g
        poss = [bool(busy.get((p, s))) for s in range(S)]
        ws = []
        cover: list[list] = [[] for _ in range(S)]
        terms = []
        for length in range(n, min(S, n + g) + 1):
            for s0 in range(S - length + 1):
                e = s0 + length - 1
                if not (poss[s0] and poss[e]) or sum(poss[s0 : e + 1]) < n:
                    continue
                w = m.NewBoolVar("")
                ws.append(w)
                if length > n:
                    terms.append((length - n) * w)
                for s in range(s0, e + 1):
                    cover[s].append(w)
                m.Add(sum(busy[(p, s0)]) >= w)
                m.Add(sum(busy[(p, e)]) >= w)
        m.AddExactlyOne(ws)
        for s in range(S):
            if poss[s]:
                if g == 0:  # one block: busy exactly on the window
                    m.Add(sum(busy[(p, s)]) == sum(cover[s]))
                else:
                    m.Add(sum(busy[(p, s)]) <= sum(cover[s]))
        iv = m.NewIntVar(lbs[p], lbs[p] + slack, "")
        m.Add(iv == sum(terms))
        idle.append(iv)
    total = sum(idle)
    if slack == 0:
        return m, x  # every participant at its own bound: a satisfaction question
    # the total only, even for the range objective: a weighted range * W + total objective was
    # measured worse (no solution at all on ticf-13crafc and ticf-14crafa within 10 s)
    m.Minimize(total)
    return m, x


def solve_windows(inst, ks: list[int], cur: np.ndarray, deadline: float, seed: int, workers: int):
    """``(slot, optimal)`` from the window ladder, or ``None`` when no rung found a schedule."""
    from ortools.sat.python import cp_model

    from .solve import _cp_params, _participant_idle

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

    def score(slot):
        idle = _participant_idle(inst, slot)
        vals = idle[list(multi)]
        rng = int(vals.max() - vals.min()) if use_range else 0
        return (rng, int(vals.sum()))

    rungs = list(SLACKS)
    again = False
    reserve = 0.3 * (deadline - time.perf_counter())
    while rungs:
        slack = rungs[0]
        left = deadline - time.perf_counter()
        if left < 0.2:
            break
        last = len(rungs) == 1 or again
        if best is None and left < reserve:
            break  # leave the rest to the span model (solve.py)
        budget = left if last else left * (0.6 if slack > 0 else 0.15)
        m, x = _build(inst, ks, doms, multi, lbs, slack)
        if slack > 0:  # hint: the best window schedule, else the caller's schedule
            hint = best[1] if best is not None else cur
            for (k, s), v in x.items():
                m.AddHint(v, int(hint[k] == s))
        solver = _cp_params(budget, seed, workers)
        if slack == 0:
            # measured on forum-13: a 0-idle schedule in 0.2-0.25 s (9 seeds) with the single
            # "no_lp" subsolver, 0.2-3.5 s (10 seeds) with linearization level 0 and the default
            # subsolvers, 0.4-6.3 s (4 seeds) with the defaults. Rung 0 gets a short budget: when
            # it is not settled quickly (forum-14, tic-14crafd), rung 1 made better use of it
            solver.parameters.linearization_level = 0
            solver.parameters.subsolvers.append("no_lp")
        st = solver.Solve(m)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            rungs.pop(0)  # infeasible rung, or no solution in time: loosen
            again = False
            continue
        slot = cur.copy()
        for (k, s), v in x.items():
            if solver.BooleanValue(v):
                slot[k] = s
        sc = score(slot)
        if best is None or sc < best[0]:
            best = (sc, slot)
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
    if best is None:
        return None
    return best[1], opt
