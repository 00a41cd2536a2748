"""Kempe-chain annealing (``scheduler/kempe.py``): known answers and hard constraints."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.scheduler import InfeasibleError, Participant, Problem, Request, solve, validate
from matchmaking.scheduler.kempe import kempe_idle, ready
from matchmaking.scheduler.model import Result, Stats
from matchmaking.scheduler.solve import _assign_tables, _Inst
from matchmaking.scheduler.validate import idle_summary

from .test_scheduler import small_problems


def one_day(n_slots, reqs, *, tables=None, previous=None, objective="total") -> Problem:
    ids = sorted({x for r in reqs for x in (r.a, r.b)})
    return Problem(
        n_slots=n_slots,
        slot_day=(0,) * n_slots,
        participants=tuple(Participant(i) for i in ids),
        requests=tuple(reqs),
        tables=tables,
        previous=previous,
        idle_objective=objective,
    )


def anneal(prob: Problem, start: dict, seconds: float = 0.3, **kw) -> dict:
    """Run the annealing from ``start`` (request id -> slot); the schedule it returns. The
    compile (or the load from numba's cache) comes first, outside the time, as in ``solve``: in
    the first test of a process it took more than the 1 s given at load 8-10."""
    ready()
    inst = _Inst(prob)
    slot = np.full(inst.R, -1, dtype=np.int64)
    for k, r in enumerate(prob.requests):
        slot[k] = start.get(r.id, -1)
    out = kempe_idle(inst, slot, time.perf_counter() + seconds, **kw)
    res = Result(_assign_tables(inst, out), Stats())
    assert validate(prob, res, check_stats=False) == []
    return {a.request_id: a.slot for a in res.assignments}


def idle_total(prob: Problem, sched: dict) -> int:
    res = Result(tuple(_assign_tables(_Inst(prob), _slots(prob, sched))), Stats())
    return idle_summary(prob, res.assignments)[0]


def _slots(prob: Problem, sched: dict) -> np.ndarray:
    return np.array([sched.get(r.id, -1) for r in prob.requests], dtype=np.int64)


def _chain_case(ad_slots: frozenset) -> Problem:
    # h meets a, b, c; a also meets d. b and c are held in slots 2 and 3, h-a may use 0 or 1:
    # h starts with a hole in slot 1. The only way to close it moves h-a to 1 *and* a-d,
    # which sits there, to 0 (a two-meeting chain).
    return one_day(
        4,
        [
            Request("ha", "h", "a", allowed=frozenset({0, 1})),
            Request("hb", "h", "b", allowed=frozenset({2})),
            Request("hc", "h", "c", allowed=frozenset({3})),
            Request("ad", "a", "d", allowed=ad_slots),
        ],
    )


def test_a_chain_of_two_meetings_closes_a_hole():
    prob = _chain_case(frozenset({0, 1}))
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    assert idle_total(prob, start) == 1
    out = anneal(prob, start)
    assert out == {"ha": 1, "hb": 2, "hc": 3, "ad": 0}
    assert idle_total(prob, out) == 0


def test_a_chain_is_refused_when_one_meeting_may_not_move():
    prob = _chain_case(frozenset({1}))  # a-d may only take slot 1
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    assert anneal(prob, start) == start


def _table_case(tables) -> Problem:
    # h meets a in 0 and b in 2 (a hole in 1), x-y meet in 1; with one table in slot 1 neither of
    # h's meetings may join it there
    return one_day(
        3,
        [
            Request("ha", "h", "a", allowed=frozenset({0, 1})),
            Request("hb", "h", "b", allowed=frozenset({1, 2})),
            Request("xy", "x", "y", allowed=frozenset({1})),
        ],
        tables=tables,
    )


def test_tables_are_never_overfilled():
    start = {"ha": 0, "hb": 2, "xy": 1}
    assert anneal(_table_case((2, 1, 2)), start) == start
    assert idle_total(_table_case(None), anneal(_table_case(None), start)) == 0


def test_a_rerun_never_moves_more_meetings():
    prob = _chain_case(frozenset({0, 1}))
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    prob = dataclasses.replace(prob, previous=dict(start))
    assert anneal(prob, start, keep_moves=True) == start  # closing the hole would move two
    assert anneal(prob, start, keep_moves=False)["ha"] == 1


def test_range_objective_never_widens_the_range_and_stops_at_the_bound():
    prob = dataclasses.replace(_chain_case(frozenset({0, 1})), idle_objective="range")
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    t = time.perf_counter()
    out = anneal(prob, start, seconds=5.0)
    assert idle_total(prob, out) == 0
    assert time.perf_counter() - t < 2.0  # range 0 and total 0: nothing better exists


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_property_annealing_keeps_every_hard_constraint(prob):
    try:
        res = solve(prob, time_limit=0.5, workers=1, method="cpsat")
    except InfeasibleError:
        return
    start = {a.request_id: a.slot for a in res.assignments}
    keep = bool(prob.previous)
    out = anneal(prob, start, seconds=0.05, keep_moves=keep)
    assert set(out) == set(start)  # the same meetings
    for r in prob.requests:  # fixed and pinned meetings stay
        if r.fixed_slot is not None or (r.pinned and r.id in (prob.previous or {})):
            assert out.get(r.id) == start.get(r.id)
    before = Result(res.assignments, Stats())
    after = Result(tuple(_assign_tables(_Inst(prob), _slots(prob, out))), Stats())
    t0, _, r0 = idle_summary(prob, before.assignments)
    t1, _, r1 = idle_summary(prob, after.assignments)
    if prob.idle_objective == "range":
        assert (r1, t1) <= (r0, t0)
    else:
        assert t1 <= t0
    if keep:
        prev = prob.previous
        moved = sum(1 for rid, s in prev.items() if rid in start and start[rid] != s)
        assert sum(1 for rid, s in prev.items() if rid in out and out[rid] != s) <= moved


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_range_and_total_match_a_recount(seed):
    """The annealing keeps idle counts, their histogram and the lowest and highest idle count
    move by move (refusing early the moves that surely widen the range): after plain and band
    runs, the current and best schedules recounted from scratch have the same figures."""
    import random

    from matchmaking.scheduler.kempe import _Annealer

    rng = random.Random(seed)
    reqs = []
    for i in range(100):  # 22 participants, 14 slots, a third of the meetings in 5 slots
        a, b = rng.sample(range(22), 2)
        allowed = frozenset(rng.sample(range(14), 5)) if i % 3 == 0 else None
        reqs.append(Request(f"r{i}", f"p{a}", f"p{b}", allowed=allowed))
    prob = one_day(14, reqs, objective="range")
    res = solve(prob, time_limit=1.0, workers=1, method="cpsat")
    inst = _Inst(prob)
    start_slots = _slots(prob, {a.request_id: a.slot for a in res.assignments})
    ann = _Annealer(inst, start_slots, seed, False)
    start = ann.key()
    for band in (None, (0, 1), None, (1, 2), None):
        ann.anneal(time.perf_counter() + 0.1, band, t_start=2.0)
        key, best_key = ann.key(), ann.best_key
        ann.load(list(ann.cur))
        assert ann.key() == key
        ann.load(list(ann.best))
        assert ann.key() == best_key
    assert ann.best_key <= start


def test_nobody_with_two_meetings_is_left_as_it_is():
    prob = one_day(2, [Request("ab", "a", "b"), Request("cd", "c", "d")], objective="range")
    start = {"ab": 0, "cd": 1}
    assert anneal(prob, start) == start


def _range_first_case() -> Problem:
    # x must idle once (its meetings are held in slots 0 and 2); y meets c and d anywhere. The
    # smallest total puts y in a block (range 1, total 1); range 0 needs y to idle once too.
    return one_day(
        4,
        [
            Request("xa", "x", "a", allowed=frozenset({0})),
            Request("xb", "x", "b", allowed=frozenset({2})),
            Request("yc", "y", "c"),
            Request("yd", "y", "d"),
        ],
        objective="range",
    )


def test_range_phase_raises_the_floor_when_the_top_cannot_come_down():
    from matchmaking.scheduler.kempe import _Annealer, _own_bounds, _range_phase

    prob = _range_first_case()
    start = {"xa": 0, "xb": 2, "yc": 0, "yd": 1}
    inst = _Inst(prob)
    ann = _Annealer(inst, _slots(prob, start), 0, False)
    assert ann.key() == (1, 1)
    bounds = _own_bounds(ann)
    assert max(bounds) == 1  # x idles once whatever happens: "lower the top" is skipped
    t = time.perf_counter()
    _range_phase(ann, bounds, t + 5.0)
    assert ann.best_key == (0, 2)  # the band 1 .. 1: y idles once too
    assert time.perf_counter() - t < 2.0  # stopped as soon as the band was reached
    assert abs(ann.best[2] - ann.best[3]) == 2
    out = anneal(prob, start, range_phase=True)  # hard constraints (validate) and (0, 2)
    assert (idle_summary(prob, tuple(_assign_tables(inst, _slots(prob, out))))[2]) == 0
    assert idle_total(prob, out) == 2


def _lower_band_case() -> Problem:
    # x meets a in slot 0 and b in slot 2 or 3: x idles 1 or 2. y meets c and d anywhere. The
    # start has everyone idling 2 (range 0, total 4); a single move leaves range 0, so only the
    # lower band (everyone idles 1: range 0, total 2) improves it.
    return one_day(
        4,
        [
            Request("xa", "x", "a", allowed=frozenset({0})),
            Request("xb", "x", "b", allowed=frozenset({2, 3})),
            Request("yc", "y", "c"),
            Request("yd", "y", "d"),
        ],
        objective="range",
    )


def test_lower_band_at_range_zero_without_the_range_phase():
    prob = _lower_band_case()
    start = {"xa": 0, "xb": 3, "yc": 0, "yd": 3}
    inst = _Inst(prob)
    assert idle_summary(prob, tuple(_assign_tables(inst, _slots(prob, start))))[::2] == (4, 0)
    out = anneal(prob, start, seconds=0.5)  # range_phase=False (CP-SAT range path, span model)
    assert out["xb"] == 2  # x idles 1
    assert idle_summary(prob, tuple(_assign_tables(inst, _slots(prob, out))))[::2] == (2, 0)


def test_window_path_leaves_the_range_to_the_annealing_with_two_workers(monkeypatch):
    # run P: with two CP-SAT workers too, rung 0 only, then the annealing with its range phase
    from matchmaking.scheduler import kempe

    seen = []
    real = kempe.kempe_idle

    def spy(*args, **kw):
        seen.append(kw.get("range_phase"))
        return real(*args, **kw)

    monkeypatch.setattr(kempe, "kempe_idle", spy)
    prob = _range_first_case()  # x must idle once: rung 0 (everyone at its own bound) is not 0
    res = solve(prob, time_limit=1.0, workers=2)
    assert validate(prob, res) == []
    assert seen == [True]
    assert (res.stats.idle_range, res.stats.idle_total) == (0, 2)


def _pinned_case(y_slots: frozenset) -> Problem:
    # x meets a in slot 0 and b in slot 3: x idles 2 whatever happens (own bound 2, the top of
    # every band). y meets c and d in ``y_slots``.
    return one_day(
        4,
        [
            Request("xa", "x", "a", allowed=frozenset({0})),
            Request("xb", "x", "b", allowed=frozenset({3})),
            Request("yc", "y", "c", allowed=y_slots),
            Request("yd", "y", "d", allowed=y_slots),
        ],
        objective="range",
    )


def test_range_question_ends_the_range_phase_when_the_range_is_proven(monkeypatch):
    # y can only meet in slots 1 and 2 (idles 0), so range 2 is optimal. The top is
    # pinned by x's own bound: CP-SAT proves "range 1" infeasible and the range phase stops at
    # once, where the annealing alone spends its raise-the-floor tries (1 s each here) in vain
    from matchmaking.scheduler import kempe
    from matchmaking.scheduler.kempe import _Annealer, _own_bounds, _range_phase

    # tries of 1 s, five in a row (the settings before run AD), so that a try run by mistake
    # shows in the times below
    monkeypatch.setattr(kempe, "RANGE_TRY", 1.0)
    monkeypatch.setattr(kempe, "RANGE_RAISE_TRY", 1.0)
    monkeypatch.setattr(kempe, "RANGE_FAILS", 5)

    prob = _pinned_case(frozenset({1, 2}))
    inst = _Inst(prob)
    ann = _Annealer(inst, _slots(prob, {"xa": 0, "xb": 3, "yc": 1, "yd": 2}), 0, False)
    assert ann.key() == (2, 2)
    bounds = _own_bounds(ann)
    t = time.perf_counter()
    _range_phase(ann, bounds, t + 5.0, inst, 0, 1)
    assert ann.best_key == (2, 2)
    assert time.perf_counter() - t < 0.9  # no annealing try (RANGE_RAISE_TRY = 1 s) was run
    t = time.perf_counter()
    _range_phase(ann, bounds, t + 1.5)  # without CP-SAT: the tries run until the phase's end
    assert time.perf_counter() - t > 1.0


def test_range_question_finds_a_smaller_range_when_the_top_is_pinned():
    # y may meet anywhere: from y in a block (range 2), CP-SAT's range-1 question finds y
    # idling 1 or 2, before any annealing try (the question is asked first; its schedule is
    # taken as the best)
    from matchmaking.scheduler import kempe
    from matchmaking.scheduler.kempe import _Annealer, _own_bounds, _range_phase

    prob = _pinned_case(frozenset({0, 1, 2, 3}))
    inst = _Inst(prob)
    start = _slots(prob, {"xa": 0, "xb": 3, "yc": 1, "yd": 2})
    ann = _Annealer(inst, start, 0, False)
    assert ann.key() == (2, 2)
    asked = []
    question = kempe._range_question

    def spy(*args, **kwargs):
        proven, out, built = question(*args, **kwargs)
        asked.append((proven, out is not None))
        return proven, out, built

    def no_annealing(*args, **kwargs):
        raise AssertionError("the range question should have answered first")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kempe, "_range_question", spy)
        mp.setattr(ann, "anneal", no_annealing)
        mp.setattr(kempe, "RANGE_FAILS", 0)  # no annealing try after the question
        _range_phase(ann, _own_bounds(ann), time.perf_counter() + 2.0, inst, 0, 1)
    assert asked and asked[0] == (False, True)  # a schedule, not a proof
    assert ann.best_key[0] < 2
    out = anneal(prob, {"xa": 0, "xb": 3, "yc": 1, "yd": 2}, range_phase=True, cp_workers=1)
    assert idle_summary(prob, tuple(_assign_tables(inst, _slots(prob, out))))[2] == 0


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork"
)
def test_total_phase_keeps_the_second_chains_better_schedule(monkeypatch):
    # the parent's chain does nothing here: the hole is closed only if the forked chain's best
    # schedule comes back (alone, and at the half-time exchange)
    import os

    from matchmaking.scheduler import kempe

    parent = os.getpid()
    real = kempe._Annealer.anneal

    def only_in_the_child(self, *args, **kwargs):
        if os.getpid() != parent:
            return real(self, *args, **kwargs)

    monkeypatch.setattr(kempe._Annealer, "anneal", only_in_the_child)
    prob = _chain_case(frozenset({0, 1}))
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    for exchange in (False, True):
        monkeypatch.setattr(kempe, "TOTAL_EXCHANGE", exchange)
        assert anneal(prob, start, seconds=1.0) == {"ha": 1, "hb": 2, "hc": 3, "ad": 0}
    monkeypatch.setattr(kempe, "PARALLEL_CHAINS", 0)
    assert anneal(prob, start, seconds=1.0) == start  # one chain: the parent's, which did nothing


@pytest.mark.parametrize("chains", [0, 1])
def test_total_phase_cycles_start_again_at_the_reheat_temperature(monkeypatch, chains):
    # TOTAL_CYCLES cycles: the first from T_START (t_start None), the next ones at
    # TOTAL_REHEAT_T, in the one chain and in the parent of two (the child's are not seen here)
    from matchmaking.scheduler import kempe

    if chains and "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork")
    real = kempe._Annealer.anneal
    calls = []

    def spy(self, deadline, band=None, t_start=None, stop_inside=False):
        if band is None:
            calls.append(t_start)
        return real(self, deadline, band, t_start, stop_inside)

    monkeypatch.setattr(kempe._Annealer, "anneal", spy)
    monkeypatch.setattr(kempe, "PARALLEL_CHAINS", chains)
    monkeypatch.setattr(kempe, "TOTAL_CYCLES", 3)
    prob = _chain_case(frozenset({0, 1}))
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    assert anneal(prob, start, seconds=1.0) == {"ha": 1, "hb": 2, "hc": 3, "ad": 0}
    assert calls == [None]  # no range phase (the large path): one cycle
    calls.clear()
    prob = dataclasses.replace(prob, idle_objective="range")
    assert anneal(prob, start, seconds=1.0, range_phase=True) == {
        "ha": 1,
        "hb": 2,
        "hc": 3,
        "ad": 0,
    }
    assert calls[-3:] == [None, kempe.TOTAL_REHEAT_T, kempe.TOTAL_REHEAT_T]  # after the pre-run


def test_total_phase_cycles_share_the_time_equally(monkeypatch):
    # the range path's total phase (one chain): TOTAL_CYCLES cycles of equal length, the first
    # from T_START, the next ones at TOTAL_REHEAT_T; each cycle is made to run to its end, as on
    # a real instance (here the floor is reached at once)
    from matchmaking.scheduler import kempe

    real = kempe._Annealer.anneal
    spans = []

    def spy(self, deadline, band=None, t_start=None, stop_inside=False):
        if band is None:
            spans.append((t_start, deadline - time.perf_counter()))
        real(self, deadline, band, t_start, stop_inside)
        time.sleep(max(0.0, deadline - time.perf_counter()))

    monkeypatch.setattr(kempe._Annealer, "anneal", spy)
    monkeypatch.setattr(kempe, "PARALLEL_CHAINS", 0)
    monkeypatch.setattr(kempe, "TOTAL_CYCLES", 3)
    prob = dataclasses.replace(_chain_case(frozenset({0, 1})), idle_objective="range")
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    out = anneal(prob, start, seconds=1.2, range_phase=True)
    assert out == {"ha": 1, "hb": 2, "hc": 3, "ad": 0}
    cycles = spans[1:]  # after the pre-run
    assert [t for t, _ in cycles] == [None] + [kempe.TOTAL_REHEAT_T] * (kempe.TOTAL_CYCLES - 1)
    lengths = [span for _, span in cycles]
    assert abs(sum(lengths) / len(lengths) - 0.3) < 0.05  # 1.2 s - the pre-run's quarter, / 3
    assert max(lengths) - min(lengths) < 0.05


def test_total_phase_runs_alone_when_no_process_can_start(monkeypatch):
    # a daemonic process (a Celery prefork worker) may not start children: one chain instead
    import multiprocessing

    from matchmaking.scheduler import kempe

    def refuse(self):
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", refuse)
    prob = _chain_case(frozenset({0, 1}))
    start = {"ha": 0, "hb": 2, "hc": 3, "ad": 1}
    assert kempe.PARALLEL_CHAINS == 1
    assert anneal(prob, start, seconds=1.0) == {"ha": 1, "hb": 2, "hc": 3, "ad": 0}


# --------------------------------------------------------------------------- the compiled loop


def _plain_idle(inst, ann) -> list[int]:
    """Idle slots per participant with two or more meetings, recounted in plain Python from
    ``ann.cur`` (each day's slots in the instance's order), the reference for the compiled
    loop's incremental figures."""
    busy: dict[int, set[int]] = {}
    for k in ann.ks:
        for p in ann.ends[k]:
            busy.setdefault(p, set()).add(int(ann.cur[k]))
    out = [0] * inst.P
    for p, mine in busy.items():
        if not ann.multi[p]:
            continue
        for ordered in inst.days.values():
            at = [i for i, s in enumerate(ordered) if s in mine]
            if len(at) >= 2:
                out[p] += at[-1] - at[0] + 1 - len(at)
    return out


def _random_start(inst, rng) -> np.ndarray:
    """Each meeting in a random slot of its domain where both are free and a table is left (or
    unscheduled, also when one of them is at its cap)."""
    slot = np.full(inst.R, -1, dtype=np.int64)
    busy = np.zeros((inst.P, inst.S), dtype=bool)
    used = np.zeros(inst.S, dtype=np.int64)
    order = rng.sample(range(inst.R), inst.R)
    for k in sorted(order, key=lambda k: inst.forced[k] < 0):  # fixed meetings first
        a, b = int(inst.a[k]), int(inst.b[k])
        if any(inst.cap[p] is not None and busy[p].sum() >= inst.cap[p] for p in (a, b)):
            continue
        free = [
            s
            for s in np.nonzero(inst.dom[k])[0]
            if not busy[a, s]
            and not busy[b, s]
            and (inst.tcap[s] < 0 or not inst.shared[k] or used[s] < inst.tcap[s])
        ]
        if free:
            s = rng.choice(free)
            slot[k] = s
            busy[a, s] = busy[b, s] = True
            used[s] += bool(inst.shared[k])
    return slot


def _check_moves(prob: Problem, seed: int, steps: int, band=None, temp: float = 3.0) -> int:
    """Run the compiled loop one move at a time from a random start; after each move its idle
    counts, histogram, total and range are the plain recount's, and the schedule breaks no hard
    constraint (checked at the end by ``validate``). Returns the moves accepted."""
    import random

    from matchmaking.scheduler import kempe

    rng = random.Random(seed)
    try:
        inst = _Inst(prob)
    except InfeasibleError:
        return 0
    start = _random_start(inst, rng)
    res = Result(tuple(_assign_tables(inst, start)), Stats())
    if not (start >= 0).any() or validate(prob, res, check_stats=False):
        return 0  # a fixed meeting left out: not a schedule to start from
    ann = kempe._Annealer(inst, start, seed, keep_moves=bool(prob.previous))
    ann.floor = (-1, -1)  # never stop early
    assert list(ann.idle) == _plain_idle(inst, ann)
    r0 = ann.spread()
    args = ann.moves_args(band, False)
    moved0 = int(((ann.cur != inst.prev) & (inst.prev >= 0) & (ann.cur >= 0)).sum())
    accepted = 0
    for _ in range(steps):
        before = ann.cur.copy()
        kempe._moves(1, temp, *args)
        accepted += bool((ann.cur != before).any())
        ref = _plain_idle(inst, ann)
        assert list(ann.idle) == ref
        assert ann.sc[kempe._TOTAL] == sum(ref)
        if ann.use_range:  # the histogram is kept for the range objective only
            hist = [v for p, v in enumerate(ref) if ann.multi[p]]
            assert list(ann.hist) == list(np.bincount(hist, minlength=inst.S + 1))
        if band is None and ann.use_range:
            assert ann.spread() <= r0  # the range may never grow
        if prob.previous:
            moved = ((ann.cur != inst.prev) & (inst.prev >= 0) & (ann.cur >= 0)).sum()
            assert moved <= moved0  # nor the meetings out of their previous slot
    ann.total = int(ann.sc[kempe._TOTAL])
    key = ann.key()
    ann.load(ann.cur)  # the arrays rebuilt from scratch equal the incremental ones
    assert ann.key() == key
    for out in (ann.cur, ann.best):
        res = Result(tuple(_assign_tables(inst, np.array(out, dtype=np.int64))), Stats())
        assert validate(prob, res, check_stats=False) == []
        assert sorted(a.request_id for a in res.assignments) == sorted(
            r.id for k, r in enumerate(prob.requests) if start[k] >= 0
        )
    return accepted


def _wide_problem(seed: int, objective: str, previous: bool) -> Problem:
    # two days, one of 70 slots (two 64-bit words per participant), slots of the days
    # interleaved, a table cap, some fixed places and meetings with few allowed slots
    import random

    rng = random.Random(seed)
    n_slots = 76
    slot_day = tuple(0 if s % 11 else 1 for s in range(n_slots))
    parts = tuple(
        Participant(f"p{i}", fixed_place="booth" if i % 7 == 0 else None) for i in range(30)
    )
    reqs = []
    for i in range(160):
        a, b = rng.sample(range(30), 2)
        allowed = frozenset(rng.sample(range(n_slots), 4)) if i % 4 == 0 else None
        reqs.append(Request(f"r{i}", f"p{a}", f"p{b}", allowed=allowed))
    prob = Problem(
        n_slots=n_slots,
        slot_day=slot_day,
        participants=parts,
        requests=tuple(reqs),
        tables=6,
        idle_objective=objective,
    )
    if previous:
        start = _random_start(_Inst(prob), random.Random(seed + 1))
        prev = {r.id: int(start[k]) for k, r in enumerate(prob.requests) if start[k] >= 0}
        prob = dataclasses.replace(prob, previous=prev)
    return prob


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("objective", ["total", "range"])
def test_compiled_moves_match_a_plain_recount(seed, objective):
    prob = _wide_problem(seed, objective, previous=False)
    assert _check_moves(prob, seed, 400) > 20
    if objective == "range":
        assert _check_moves(prob, seed, 200, band=(2, 4)) > 20
    assert _check_moves(_wide_problem(seed, objective, previous=True), seed, 200) >= 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_property_compiled_moves_keep_counts_and_every_hard_constraint(prob):
    _check_moves(prob, 0, 30)
    if prob.idle_objective == "range":
        _check_moves(prob, 1, 30, band=(1, 2))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from(["total", "range"]), st.booleans(), st.booleans())
def test_property_compiled_moves_on_wider_instances(seed, objective, previous, band):
    prob = _wide_problem(seed, objective, previous)
    _check_moves(prob, seed, 60, band=(1, 3) if band and objective == "range" else None)


def test_one_compiled_version_of_the_loop():
    # the arrays handed over have the types of the warm-up at import: no compile in a solve
    from matchmaking.scheduler import kempe

    prob = dataclasses.replace(_chain_case(frozenset({0, 1})), idle_objective="range")
    anneal(prob, {"ha": 0, "hb": 2, "hc": 3, "ad": 1})
    anneal(_wide_problem(0, "total", previous=True), {}, keep_moves=True)
    assert len(kempe._moves.signatures) == 1
    assert len(kempe._load.signatures) == 1


def test_no_usable_cache_directory_compiles_without_a_cache():
    # numba raises instead of falling back when it finds nowhere to keep its cache (here: a
    # function without a source file)
    from matchmaking.scheduler import kempe

    space: dict = {}
    exec("def twice(x):\n    return 2 * x\n", space)
    assert kempe._jit(space["twice"])(21) == 42


def test_the_same_seed_gives_the_same_schedule():
    prob = _wide_problem(3, "range", previous=False)
    inst = _Inst(prob)
    import random

    start = _random_start(inst, random.Random(3))
    from matchmaking.scheduler import kempe

    outs = []
    for seed in (5, 5, 6):
        ann = kempe._Annealer(inst, start, seed, False)
        args = ann.moves_args(None, False)
        kempe._moves(5000, 0.5, *args)
        outs.append(ann.cur.copy())
    assert (outs[0] == outs[1]).all()
    assert (outs[0] != outs[2]).any()
