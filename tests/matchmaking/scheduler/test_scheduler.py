"""Tests of the pure meeting scheduler (known answers, hard constraints, UdG, properties)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.scheduler import (
    InfeasibleError,
    Participant,
    Problem,
    Request,
    solve,
    validate,
)
from matchmaking.scheduler.synthetic import generate
from matchmaking.scheduler.udg import read_dzn

UDG = Path(__file__).resolve().parents[3] / ".." / "shared" / "benchmarks" / "b2b-udg"
W = 2  # CP-SAT workers (the CI box has 2 cores)


def problem(n_slots, pairs, *, parts=None, tables=None, **kw) -> Problem:
    ids = sorted({x for a, b in pairs for x in (a, b)} | set(parts or {}))
    participants = tuple((parts or {}).get(i, Participant(i)) for i in ids)
    requests = tuple(Request(k, a, b) for k, (a, b) in enumerate(pairs))
    return Problem(
        n_slots=n_slots,
        slot_day=(0,) * n_slots,
        participants=participants,
        requests=requests,
        tables=tables,
        **kw,
    )


def run(prob: Problem, **kw):
    res = solve(prob, time_limit=kw.pop("time_limit", 10.0), workers=W, **kw)
    assert validate(prob, res) == []
    return res


def test_complete_bipartite_all_meetings_no_idle():
    m = 5
    pairs = [(f"u{i}", f"v{j}") for i in range(m) for j in range(m)]
    res = run(problem(m, pairs))
    assert res.stats.scheduled == m * m
    assert res.stats.idle_total == 0
    assert res.stats.upper_bound == m * m
    assert res.stats.gap == 0.0


def test_complete_graph_even():
    n = 6
    pairs = list(combinations(range(n), 2))
    res = run(problem(n - 1, pairs))
    assert res.stats.scheduled == n * (n - 1) // 2
    assert res.stats.idle_total == 0


def test_path_needs_global_matching():
    # slot-by-slot maximum matching can take u1-v2 and u2-v3 first and lose one meeting
    pairs = [("u1", "v1"), ("u1", "v2"), ("u2", "v2"), ("u2", "v3")]
    res = run(problem(2, pairs))
    assert res.stats.scheduled == 4


def test_table_cap_respected():
    pairs = [(f"a{i}", f"b{i}") for i in range(7)]
    res = run(problem(3, pairs, tables=2))
    per_slot = Counter(a.slot for a in res.assignments)
    assert max(per_slot.values()) == 2
    assert res.stats.scheduled == 6
    assert res.stats.upper_bound == 6
    assert all(a.table in (0, 1) for a in res.assignments)


def test_per_slot_tables():
    pairs = [(f"a{i}", f"b{i}") for i in range(4)]
    res = run(problem(2, pairs, tables=(3, 0)))
    assert res.stats.scheduled == 3
    assert {a.slot for a in res.assignments} == {0}


def test_fixed_place_bypasses_tables():
    parts = {f"a{i}": Participant(f"a{i}", fixed_place=f"booth{i}") for i in range(3)}
    pairs = [(f"a{i}", f"b{i}") for i in range(3)] + [("c0", "d0"), ("c1", "d1")]
    res = run(problem(1, pairs, parts=parts, tables=1))
    assert res.stats.scheduled == 4
    booths = {a.place for a in res.assignments if a.place}
    assert booths == {"booth0", "booth1", "booth2"}
    assert sum(1 for a in res.assignments if a.table is not None) == 1


def test_fixed_meetings_stay():
    pairs = [("a", "b"), ("a", "c"), ("b", "c")]
    prob = problem(3, pairs)
    reqs = list(prob.requests)
    reqs[0] = dataclasses.replace(reqs[0], fixed_slot=2)
    prob = dataclasses.replace(prob, requests=tuple(reqs))
    res = run(prob)
    slots = {a.request_id: a.slot for a in res.assignments}
    assert slots[0] == 2
    assert res.stats.scheduled == 3


def test_caps_honoured():
    parts = {"hub": Participant("hub", cap=2)}
    pairs = [("hub", f"x{i}") for i in range(5)]
    res = run(problem(5, pairs, parts=parts))
    assert res.stats.scheduled == 2


def test_allowed_slots_and_availability():
    parts = {"a": Participant("a", available=frozenset({1, 2, 3}))}
    prob = problem(4, [("a", "b"), ("a", "c")], parts=parts)
    reqs = (
        dataclasses.replace(prob.requests[0], allowed=frozenset({0, 1})),
        dataclasses.replace(prob.requests[1], allowed=frozenset({1, 3})),
    )
    res = run(dataclasses.replace(prob, requests=reqs))
    slots = {a.request_id: a.slot for a in res.assignments}
    assert slots == {0: 1, 1: 3}


def test_weights_prefer_heavier():
    prob = problem(1, [("a", "b"), ("a", "c")])
    reqs = (prob.requests[0], dataclasses.replace(prob.requests[1], weight=3))
    res = run(dataclasses.replace(prob, requests=reqs))
    assert [a.request_id for a in res.assignments] == [1]
    assert res.stats.weight_scheduled == 3


def test_replan_unchanged_moves_nothing_small():
    pairs = [(f"u{i}", f"v{j}") for i in range(4) for j in range(3)]
    prob = problem(6, pairs)
    first = run(prob)
    prev = {a.request_id: a.slot for a in first.assignments}
    again = run(dataclasses.replace(prob, previous=prev))
    assert again.stats.moved == 0


def test_replan_keeps_confirmed_meetings_before_saving_idle_slots():
    """A previous schedule with idle slots (say, a time-limited first run, or meetings placed by
    hand) is kept on a re-run: moving confirmed meetings comes before idle slots, as in the
    large path. Before, the re-run moved every meeting it could to close the holes."""
    pairs = [("a", "b"), ("a", "c"), ("d", "b"), ("d", "c")]
    prob = problem(6, pairs)
    prev = {0: 0, 1: 5, 2: 5, 3: 0}  # everyone idles 4 slots; 0 idle is possible
    kept = run(dataclasses.replace(prob, previous=prev))
    assert kept.stats.moved == 0
    assert kept.stats.idle_total == 16
    # a late change forces one meeting to move (c can no longer meet in slot 5); the others stay
    parts = {"c": Participant("c", available=frozenset(range(5)))}
    changed = run(dataclasses.replace(problem(6, pairs, parts=parts), previous=prev))
    assert changed.stats.scheduled == 4
    assert changed.stats.moved == 1
    slots = {a.request_id: a.slot for a in changed.assignments}
    assert slots[0] == 0 and slots[2] == 5 and slots[3] == 0 and slots[1] != 5
    fresh = run(prob)
    assert fresh.stats.idle_total == 0  # without a previous schedule the holes close


@pytest.mark.parametrize("time_limit", [1.0, 2.0])
def test_replan_unchanged_moves_nothing_with_a_short_time_limit(time_limit):
    """The organiser may give a re-run a second or two: with nothing changed it must not move
    anything (before: 9 to 271 of 287 meetings moved at 1-2 s on this fair)."""
    prob = generate(200, 300, days=3, slots_per_day=(8, 10), seed=4)
    first = run(prob, time_limit=6.0)
    for _ in range(30):
        prev = {a.request_id: a.slot for a in first.assignments}
        again = run(dataclasses.replace(prob, previous=prev), time_limit=time_limit)
        if again.stats.weight_scheduled <= first.stats.weight_scheduled:
            break
        # A loaded machine may stop the first run short of the best weight; a re-run that then
        # finds more weight rightly moves meetings. Start again from its plan.
        first = again
    else:
        pytest.fail("every re-run found more weight: the plan never settled")
    assert again.stats.weight_scheduled == first.stats.weight_scheduled
    assert again.stats.moved == 0
    assert {a.request_id: a.slot for a in again.assignments} == prev


@pytest.mark.parametrize("kept", [0, 1])
def test_replan_keeps_a_confirmed_meeting_against_an_equal_one(kept):
    """a may meet only once; b and c both want to meet a (same weight) and each has another
    meeting. Whichever meeting a has, a re-run keeps it: trading a confirmed meeting for an
    equally good one only costs two people their plans."""
    parts = {"a": Participant("a", cap=1)}
    pairs = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "e")]
    prob = problem(4, pairs, parts=parts)
    prev = {kept: 0, 2: 1, 3: 1}
    for seed in range(3):
        again = run(dataclasses.replace(prob, previous=prev), time_limit=2.0, seed=seed)
        assert {a.request_id: a.slot for a in again.assignments} == prev


def test_replan_gives_someone_their_first_meeting_before_keeping_plans():
    """Fairness comes before stability: c's only request is with a (who may meet once), so a's
    confirmed meeting with b (who has another) gives way."""
    parts = {"a": Participant("a", cap=1)}
    prob = problem(4, [("a", "b"), ("a", "c"), ("b", "d")], parts=parts)
    again = run(dataclasses.replace(prob, previous={0: 0, 2: 1}), time_limit=2.0)
    assert {a.request_id for a in again.assignments} == {1, 2}
    assert again.stats.participants_without_meeting_possible == 0


@pytest.mark.parametrize("share", [0.0, 0.05])
def test_keeping_previous_meetings_never_costs_weight_or_someones_only_meeting(share):
    """B may meet once and had A2; C's only request, heavier, is with B. Keeping A2-B would
    cost weight and leave C without a meeting: the re-run books C-B, with or without the
    organiser's fairness share (the keep step ran under the lowered weight floor of the
    fairness step and gave A2-B back)."""
    ids = [
        "A",
        "Q",
        "X",
        "A2",
        "C",
        "E",
        *(f"F{i}" for i in range(4)),
        *(f"G{i}" for i in range(4)),
    ]
    participants = (*(Participant(i) for i in ids), Participant("B", cap=1))
    requests = (
        *(Request(f"f{i}", f"F{i}", f"G{i}", weight=10) for i in range(4)),
        Request("rf", "A", "Q", fixed_slot=0),
        Request("rx", "X", "A", allowed=frozenset({0})),  # possible for X, never schedulable
        Request("r1", "A2", "B"),  # previous plan
        Request("r6", "A2", "E"),  # previous plan
        Request("r2", "C", "B", weight=2),  # new: heavier, C's only request
    )
    prev = {"rf": 0, "r1": 0, "r6": 1, **{f"f{i}": 0 for i in range(4)}}
    prob = Problem(
        n_slots=2, slot_day=(0, 0), participants=participants, requests=requests, previous=prev
    )
    res = run(prob, time_limit=4.0, fair_weight_share=share, method="cpsat")
    got = {a.request_id for a in res.assignments}
    assert "r2" in got and "r1" not in got
    assert res.stats.weight_scheduled == 44
    assert res.stats.dropped == 1


def test_replan_unchanged_moves_nothing_large_path():
    prob = generate(300, 1500, days=2, slots_per_day=(8, 10), seed=3)
    first = run(prob, method="lns", time_limit=8.0)
    prev = {a.request_id: a.slot for a in first.assignments}
    again = run(dataclasses.replace(prob, previous=prev), method="lns", time_limit=8.0)
    # lexicographic: a re-run may only move meetings when it schedules more weight
    gained = again.stats.weight_scheduled > first.stats.weight_scheduled
    assert again.stats.weight_scheduled >= first.stats.weight_scheduled
    assert again.stats.moved == 0 or gained


def test_large_path_valid_with_tables():
    prob = generate(300, 1500, days=2, slots_per_day=(8, 10), tables=20, seed=1)
    res = run(prob, method="lns", time_limit=6.0)
    assert res.stats.scheduled <= res.stats.upper_bound
    assert res.stats.weight_scheduled <= res.stats.weight_upper_bound


@pytest.mark.skipif(not UDG.is_dir(), reason="UdG benchmark files not available")
def test_udg_forum13():
    prob = read_dzn(UDG / "forum-13.original.dzn")
    assert len(prob.requests) == 154
    res = run(prob, time_limit=10.0)
    assert res.stats.scheduled == 154
    assert res.stats.requested == 154
    # a 0-idle schedule exists (optimal); the window model (window.py) finds it in about 1 s
    assert res.stats.idle_total == 0
    assert res.stats.idle_range == 0


# ---------------------------------------------------------------- property tests


@st.composite
def small_problems(draw):
    n_slots = draw(st.integers(1, 6))
    n_days = draw(st.integers(1, 2))
    slot_day = tuple(sorted(draw(st.integers(0, n_days - 1)) for _ in range(n_slots)))
    n_p = draw(st.integers(2, 7))
    slots = st.frozensets(st.integers(0, n_slots - 1))
    parts = tuple(
        Participant(
            i,
            available=draw(st.none() | slots),
            cap=draw(st.none() | st.integers(0, 3)),
            fixed_place=draw(st.none() | st.just(f"booth{i}")) if i % 3 == 0 else None,
        )
        for i in range(n_p)
    )
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_p - 1), st.integers(0, n_p - 1)).filter(
                lambda t: t[0] != t[1]
            ),
            max_size=14,
            unique_by=lambda t: (min(t), max(t)),
        )
    )
    reqs = tuple(
        Request(
            k,
            a,
            b,
            weight=draw(st.integers(1, 3)),
            allowed=draw(st.none() | slots),
            fixed_slot=draw(st.none() | st.none() | st.none() | st.integers(0, n_slots - 1)),
            pinned=draw(st.booleans()),
        )
        for k, (a, b) in enumerate(pairs)
    )
    tables = draw(
        st.none() | st.integers(0, 3) | st.tuples(*[st.integers(0, 2) for _ in range(n_slots)])
    )
    prev = draw(st.none() | st.dictionaries(st.integers(0, 13), st.integers(0, n_slots - 1)))
    return Problem(
        n_slots=n_slots,
        slot_day=slot_day,
        participants=parts,
        requests=reqs,
        tables=tables,
        previous=prev,
        idle_objective=draw(st.sampled_from(["total", "range"])),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.sampled_from(["cpsat", "lns"]), st.sampled_from([0.0, 0.05]))
def test_property_no_hard_violation(prob, method, fair_share):
    try:
        res = solve(prob, time_limit=2.0, workers=1, method=method, fair_weight_share=fair_share)
    except InfeasibleError:
        # only fixed/pinned meetings can make a problem infeasible
        assert any(r.fixed_slot is not None or r.pinned for r in prob.requests)
        return
    assert validate(prob, res) == []
    assert res.stats.scheduled <= res.stats.upper_bound


def test_window_own_lower_bound():
    from matchmaking.scheduler.window import own_lower_bound

    # three meetings that fit 0..2 without a hole
    assert own_lower_bound([{0, 1, 2}, {0, 1, 2}, {0, 1, 2}], 5) == 0
    # one meeting only in slot 0, one only in slot 3: two idle slots
    assert own_lower_bound([{0}, {3}], 5) == 2
    # no way to give distinct slots
    assert own_lower_bound([{1}, {1}], 3) is None


def test_window_model_zero_idle_single_day():
    # a star: the hub meets 3 others; one day of 6 slots, the hub cannot attend slot 2
    hub = Participant("h", available=frozenset({0, 1, 3, 4, 5}))
    others = tuple(Participant(i) for i in range(3))
    prob = Problem(
        n_slots=6,
        slot_day=(0,) * 6,
        participants=(hub, *others),
        requests=tuple(Request(f"r{i}", "h", i) for i in range(3)),
        idle_objective="range",
    )
    res = run(prob, time_limit=5.0)
    assert res.stats.scheduled == 3
    assert sorted(a.slot for a in res.assignments) == [3, 4, 5]
    assert res.stats.idle_total == 0
