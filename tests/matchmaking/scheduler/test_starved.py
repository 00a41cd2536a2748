"""The small (CP-SAT) path on a starved machine: when the first searches find nothing in their
budgets, or stop short, the run carries on from a greedy schedule instead of returning it.

CP-SAT's first searches are starved deterministically: ``CpSolver.Solve`` is wrapped so that
its first calls return UNKNOWN (or a schedule short of the best) without depending on the load.
"""

from __future__ import annotations

import importlib
import time

import pytest
from ortools.sat.python import cp_model

from matchmaking.scheduler import Participant, Problem, Request, solve, validate

S = importlib.import_module("matchmaking.scheduler.solve")  # the module, not the function

W = 2


def bipartite(m: int) -> Problem:
    """K(m, m) in m slots: every meeting fits (a Latin square), with no idle slot."""
    pairs = [(f"u{i}", f"v{j}") for i in range(m) for j in range(m)]
    ids = sorted({p for pair in pairs for p in pair})
    return Problem(
        n_slots=m,
        slot_day=(0,) * m,
        participants=tuple(Participant(i) for i in ids),
        requests=tuple(Request(k, a, b) for k, (a, b) in enumerate(pairs)),
    )


def starve(monkeypatch, calls: int, short: int | None = None, sleep: bool = False):
    """The first ``calls`` searches return UNKNOWN (sleeping out their budget with ``sleep``);
    with ``short``, the next one returns FEASIBLE with a schedule of at most ``short`` weight
    (a weight search that stopped early). Returns the list of the searches' statuses."""
    real = cp_model.CpSolver.Solve
    seen = []

    def spy(self, model, *a, **k):
        n = len(seen)
        if n < calls:
            if sleep:
                time.sleep(self.parameters.max_time_in_seconds)
            seen.append("UNKNOWN")
            return cp_model.UNKNOWN
        if n == calls and short is not None:
            # the same variables (indices), the weight objective capped at ``short``
            capped = model.clone()
            obj = capped.proto.objective  # a maximisation is stored negated
            ct = capped.proto.constraints.add()
            ct.linear.vars.extend(obj.vars)
            ct.linear.coeffs.extend(obj.coeffs)
            ct.linear.domain.extend([-short, 0])
            st = real(self, capped, *a, **k)
            assert st == cp_model.OPTIMAL
            assert round(self.ObjectiveValue()) == short
            seen.append("SHORT")
            return cp_model.FEASIBLE
        st = real(self, model, *a, **k)
        seen.append(self.StatusName(st))
        return st

    monkeypatch.setattr(cp_model.CpSolver, "Solve", spy)
    return seen


@pytest.mark.parametrize("depth, placed", [(0, 22), (1, 25), (3, 25)])
def test_the_greedy_schedules_ejection_chains_place_what_first_fit_leaves_out(
    monkeypatch, depth, placed
):
    # the known answers the tests below rely on: first fit with one-level kicks places 22 of
    # K(5, 5)'s 25 meetings in 5 slots; chains of moves place the other 3
    monkeypatch.setattr(S, "REPAIR_DEPTH", depth)
    prob = bipartite(5)
    inst = S._Inst(prob)
    g = S._greedy_schedule(inst, None, time.perf_counter() + 5)
    assert int((g >= 0).sum()) == placed
    on = g >= 0
    assert len(set(zip(inst.a[on], g[on], strict=True))) == placed  # nobody twice in a slot
    assert len(set(zip(inst.b[on], g[on], strict=True))) == placed


@pytest.mark.parametrize("depth", [0, 3])
def test_starved_first_searches_still_schedule_every_meeting_and_run_the_idle_phase(
    monkeypatch, depth
):
    # Before: "everything schedulable?" and the weight search found nothing, and the greedy
    # fallback (22 of 25, no idle phase) was returned at once with most of the time left. With
    # depth 0 the greedy schedule misses 3 meetings and the hinted CP-SAT search adds them.
    monkeypatch.setattr(S, "REPAIR_DEPTH", depth)
    prob = bipartite(5)
    seen = starve(monkeypatch, calls=2)
    res = solve(prob, time_limit=5.0, workers=W, seed=0)
    assert seen[:2] == ["UNKNOWN", "UNKNOWN"]
    assert len(seen) > 2  # CP-SAT still runs: the idle phase
    assert validate(prob, res) == []
    s = res.stats
    assert s.scheduled == s.requested == 25
    assert s.weight_scheduled == s.weight_upper_bound == 25  # a true bound, reached
    assert s.upper_bound == 25
    assert s.gap == 0.0
    assert "idle" in s.phases and "fairness" in s.phases
    assert s.idle_total == 0
    assert s.seconds <= 5.0 + 0.1


def test_starved_searches_with_the_time_slept_out_stay_within_the_limit(monkeypatch):
    # as on a loaded machine: the two first searches take their whole budget and find nothing
    prob = bipartite(5)
    starve(monkeypatch, calls=2, sleep=True)
    t = time.perf_counter()
    res = solve(prob, time_limit=3.0, workers=W, seed=0)
    assert time.perf_counter() - t <= 3.0 + 0.15
    assert validate(prob, res) == []
    assert res.stats.scheduled == 25
    assert res.stats.idle_total == 0
    assert "idle" in res.stats.phases


@pytest.mark.parametrize("depth", [0, 3])
def test_a_weight_search_short_of_a_first_fit_is_not_kept(monkeypatch, depth):
    # "everything schedulable?" starved, then the weight search stops at 15 of 25 (forum-14 at
    # load 8-11 ended with 73 of 302 this way): first fit around its 15 adds meetings, so the
    # run carries on from there instead of fixing the weight floor at 15
    monkeypatch.setattr(S, "REPAIR_DEPTH", depth)
    prob = bipartite(5)
    seen = starve(monkeypatch, calls=1, short=15)
    res = solve(prob, time_limit=5.0, workers=W, seed=0)
    assert seen[:2] == ["UNKNOWN", "SHORT"]
    assert validate(prob, res) == []
    assert res.stats.scheduled == 25
    assert res.stats.weight_upper_bound == 25
    assert res.stats.idle_total == 0
    assert "idle" in res.stats.phases


def test_starved_on_an_instance_where_not_everything_fits_keeps_a_true_bound(monkeypatch):
    # a triangle in 2 slots: at most 2 of its 3 meetings; the reported bound stays >= 2
    prob = Problem(
        n_slots=2,
        slot_day=(0, 0),
        participants=(Participant("a"), Participant("b"), Participant("c")),
        requests=(Request(0, "a", "b"), Request(1, "b", "c"), Request(2, "a", "c")),
    )
    starve(monkeypatch, calls=2)
    res = solve(prob, time_limit=3.0, workers=W, seed=0)
    assert validate(prob, res) == []
    assert res.stats.scheduled == 2
    assert 2 <= res.stats.weight_upper_bound <= 3
    assert res.stats.upper_bound >= 2


@pytest.mark.parametrize("time_limit", [0.4])
def test_no_time_left_after_the_starved_searches_returns_the_greedy_schedule(
    monkeypatch, time_limit
):
    # too little time for anything else: the greedy schedule, the trivial bound, in time
    monkeypatch.setattr(S, "REPAIR_DEPTH", 0)
    prob = bipartite(5)
    starve(monkeypatch, calls=2, sleep=True)
    t = time.perf_counter()
    res = solve(prob, time_limit=time_limit, workers=W, seed=0)
    assert time.perf_counter() - t <= time_limit + 0.15
    assert validate(prob, res) == []
    assert res.stats.scheduled == 22
    assert res.stats.weight_upper_bound == 25
    assert "idle" not in res.stats.phases


def test_the_greedy_schedules_ejection_chains_keep_every_rule():
    # random small instances (allowed slots, table caps): every meeting placed by first fit and
    # the chains (moves undone on failure) keeps the hard rules, and the chains never lose one
    import random

    from matchmaking.scheduler.model import Result

    for seed in range(150):
        rng = random.Random(seed)
        n_p, n_s = rng.randint(4, 14), rng.randint(2, 8)
        reqs = []
        for i in range(rng.randint(5, 50)):
            a, b = rng.sample(range(n_p), 2)
            allowed = None
            if rng.random() < 0.3:
                allowed = frozenset(rng.sample(range(n_s), rng.randint(1, n_s)))
            reqs.append(Request(f"r{i}", f"p{a}", f"p{b}", allowed=allowed))
        prob = Problem(
            n_slots=n_s,
            slot_day=(0,) * n_s,
            participants=tuple(Participant(f"p{i}") for i in range(n_p)),
            requests=tuple(reqs),
            tables=rng.choice([None, 2, 3]),
        )
        inst = S._Inst(prob)
        g = S._greedy_schedule(inst, None, time.perf_counter() + 5)
        stats = S._stats(inst, g, S._count_upper_bound(inst), float(len(reqs)))
        assert validate(prob, Result(assignments=S._assign_tables(inst, g), stats=stats)) == []
        first_fit = int((S._greedy_schedule(inst, None, 0.0) >= 0).sum())  # no time: no chain
        assert int((g >= 0).sum()) >= first_fit
