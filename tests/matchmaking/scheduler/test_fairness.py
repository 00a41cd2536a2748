"""Fairness stage of the large path (``_fair_fill``) and the recomputed zero-meeting count."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np

from matchmaking.scheduler import Participant, Problem, Request, solve, validate
from matchmaking.scheduler.synthetic import generate
from matchmaking.scheduler.validate import participants_without_meeting_possible

S = importlib.import_module("matchmaking.scheduler.solve")

E, V1, V2, V3, F = "E", "v1", "v2", "v3", "F"


def _star() -> Problem:
    """Exhibitor E (2 slots) wanted by v1, v2, v3; v1 also meets F. Max weight 3."""
    pairs = [(V1, E), (V2, E), (V3, E), (V1, F)]
    return Problem(
        n_slots=2,
        slot_day=(0, 0),
        participants=tuple(Participant(p) for p in (E, V1, V2, V3, F)),
        requests=tuple(Request(k, a, b) for k, (a, b) in enumerate(pairs)),
    )


def _state(inst, placed: dict[int, int]):
    st = S._State(inst)
    for k, s in placed.items():
        st.put(k, s)
    return st


def test_fair_fill_swaps_in_a_zero_participant_at_equal_weight():
    inst = S._Inst(_star())
    # a greedy result: E meets v1 and v2, v1 also meets F -> v3 has no meeting
    st = _state(inst, {0: 0, 1: 1, 3: 1})
    assert S._stats(inst, st.slot, 4, 3).participants_without_meeting_possible == 1
    doms = [[int(s) for s in inst.dom[k].nonzero()[0]] for k in range(inst.R)]
    lifted, gained = S._fair_fill(inst, st, doms, deadline=float("inf"))
    assert (lifted, gained) == (1, 0)
    # v1 (2 meetings) gave up its meeting with E; v2 (1 meeting) was not touched
    assert st.slot.tolist() == [-1, 1, 0, 1]
    assert min(st.cnt) == 1
    stats = S._stats(inst, st.slot, 4, 3)
    assert stats.weight_scheduled == 3
    assert stats.participants_without_meeting_possible == 0


def test_fair_fill_never_trades_weight():
    prob = _star()
    heavy = tuple(dataclasses.replace(r, weight=2) if r.id == 0 else r for r in prob.requests)
    inst = S._Inst(dataclasses.replace(prob, requests=heavy))
    st = _state(inst, {0: 0, 1: 1, 3: 1})
    doms = [[int(s) for s in inst.dom[k].nonzero()[0]] for k in range(inst.R)]
    # dropping v1-E (weight 2) for v3-E (weight 1) would lose weight; v2 has only one meeting
    assert S._fair_fill(inst, st, doms, deadline=float("inf")) == (0, 0)
    assert st.slot.tolist() == [0, 1, -1, 1]


def test_fair_fill_moves_a_blocker_instead_of_dropping_it():
    prob = dataclasses.replace(_star(), n_slots=3, slot_day=(0, 0, 0))
    inst = S._Inst(prob)
    # E busy in slots 0 and 1; v1-E can move to slot 2, so v3 gets slot 0 and weight rises
    st = _state(inst, {0: 0, 1: 1, 3: 1})
    doms = [[int(s) for s in inst.dom[k].nonzero()[0]] for k in range(inst.R)]
    assert S._fair_fill(inst, st, doms, deadline=float("inf")) == (1, 1)
    assert st.slot[2] >= 0 and min(st.cnt) >= 1


def test_fair_fill_respects_table_cap_and_caps():
    prob = dataclasses.replace(_star(), tables=1)
    parts = tuple(dataclasses.replace(p, cap=1) if p.id == F else p for p in prob.participants)
    inst = S._Inst(dataclasses.replace(prob, participants=parts))
    st = _state(inst, {0: 0, 3: 1})  # one table per slot: v1-E in 0, v1-F in 1
    doms = [[int(s) for s in inst.dom[k].nonzero()[0]] for k in range(inst.R)]
    # v2 takes E's slot 0 from v1 (2 meetings); v1-F in slot 1 may not go: F would drop to 0
    assert S._fair_fill(inst, st, doms, deadline=float("inf")) == (1, 0)
    assert st.slot.tolist() == [-1, 0, -1, 1]
    assert max(st.tab) <= 1
    assert int((st.slot >= 0).sum()) == 2  # weight kept (2 tables in all)
    on = [k for k in range(inst.R) if st.slot[k] >= 0]
    assert len({int(st.slot[k]) for k in on}) == len(on)


def test_large_path_everyone_with_a_possible_meeting_gets_one():
    prob = _star()
    res = solve(prob, time_limit=5, workers=2, method="lns")
    assert validate(prob, res) == []
    assert res.stats.weight_scheduled == 3
    assert res.stats.participants_without_meeting_possible == 0


def test_validate_recomputes_the_zero_meeting_count():
    prob = _star()
    res = solve(prob, time_limit=5, workers=2, method="lns")
    some = tuple(a for a in res.assignments if a.request_id != 3)  # drop v1-F
    assert participants_without_meeting_possible(prob, some) >= 1
    wrong = dataclasses.replace(res.stats, participants_without_meeting_possible=5)
    errs = validate(prob, dataclasses.replace(res, stats=wrong))
    assert any("participants_without_meeting_possible" in e for e in errs)


def test_large_path_fairness_stage_lifts_zero_participants_at_equal_weight(monkeypatch):
    prob = generate(300, 1800, days=1, seed=1)
    runs = []
    monkeypatch.setattr(S, "FAIR_LP", False)  # the weight-only LP leaves zeros to repair
    for levels in (0, 1):  # 0 = stage off
        monkeypatch.setattr(S, "FAIR_LEVELS", levels)
        res = solve(prob, time_limit=1.5, workers=2, method="lns")
        assert validate(prob, res) == []
        runs.append(res.stats)
    off, on = runs
    assert on.weight_scheduled == off.weight_scheduled  # the LP + repair weight is kept
    assert off.participants_without_meeting_possible > 0
    assert on.participants_without_meeting_possible < off.participants_without_meeting_possible
    assert on.phases["fair_lifted"] >= 1


def _heavy_star() -> Problem:
    """The star with v1-E of weight 2: the best weight (4) leaves v2 or v3 without a meeting;
    everyone can meet only at weight 3."""
    prob = _star()
    heavy = tuple(dataclasses.replace(r, weight=2) if r.id == 0 else r for r in prob.requests)
    return dataclasses.replace(prob, requests=heavy)


def test_fair_lp_keeps_the_weight_first_and_counts_the_participants_left_out():
    inst = S._Inst(_heavy_star())
    ks, _ss, x, wub, zero = S._solve_lp(inst, 10, fair=True)
    assert float((inst.w[ks] * x).sum()) == 4  # weight first: v1-E kept
    assert zero == 1  # then as many participants with a meeting as that weight allows
    assert 4 <= wub < 5
    # without the fairness columns the count is not computed
    assert S._solve_lp(inst, 10)[4] is None


def test_fair_lp_covers_everyone_when_the_weight_allows_it():
    inst = S._Inst(_star())  # all weights 1: the best weight 3 is reachable with everyone
    ks, _ss, x, _wub, zero = S._solve_lp(inst, 10, fair=True)
    assert float((inst.w[ks] * x).sum()) == 3
    assert zero == 0


def test_fair_fill_weight_budget_trades_weight_only_for_a_first_meeting():
    inst = S._Inst(_heavy_star())
    doms = [[int(s) for s in inst.dom[k].nonzero()[0]] for k in range(inst.R)]
    st = _state(inst, {0: 0, 1: 1, 3: 1})  # weight 4, v3 without a meeting
    # budget 1: v1 (2 meetings) gives up v1-E (weight 2) so that v3 meets E (weight 1)
    assert S._fair_fill(inst, st, doms, deadline=float("inf"), weight_budget=1) == (1, -1)
    assert st.slot.tolist() == [-1, 1, 0, 1]
    assert S._stats(inst, st.slot, 4, 4).participants_without_meeting_possible == 0


def test_solve_fair_weight_share_lifts_zero_participants_within_the_share():
    prob = generate(300, 1800, days=1, seed=1)
    strict = solve(prob, time_limit=1.5, workers=2, method="lns")
    share = 0.02
    loose = solve(prob, time_limit=1.5, workers=2, method="lns", fair_weight_share=share)
    assert validate(prob, strict) == [] and validate(prob, loose) == []
    s, g = strict.stats, loose.stats
    assert s.participants_without_meeting_possible > 0
    assert g.participants_without_meeting_possible < s.participants_without_meeting_possible
    assert g.weight_scheduled >= (1 - share) * s.weight_scheduled


def test_fair_lp_second_level_keeps_weight_and_zero_count(monkeypatch):
    inst = S._Inst(generate(300, 1800, days=1, seed=2))
    got = []
    for levels in (1, 2):
        monkeypatch.setattr(S, "FAIR_LP_LEVELS", levels)
        ks, _ss, x, _wub, zero = S._solve_lp(inst, 30, fair=True)
        cnt = np.zeros(inst.P)
        np.add.at(cnt, inst.a[ks], x)
        np.add.at(cnt, inst.b[ks], x)
        got.append((round(float((inst.w[ks] * x).sum()), 6), zero, float(np.minimum(cnt, 2).sum())))
    (w1, z1, two1), (w2, z2, two2) = got
    assert (w2, z2) == (w1, z1)  # the second level never costs weight or first meetings
    assert two2 > two1  # and raises the LP's meetings counted up to two (measured 499 -> 514)


def test_exact_path_fair_weight_share():
    prob = _heavy_star()
    strict = solve(prob, time_limit=5, workers=2, method="cpsat")
    assert validate(prob, strict) == []
    assert strict.stats.weight_scheduled == 4  # weight first: v2 or v3 has no meeting
    assert strict.stats.participants_without_meeting_possible == 1
    # 20 % of 4 rounds down to 0: nothing may be given up
    small = solve(prob, time_limit=5, workers=2, method="cpsat", fair_weight_share=0.2)
    assert small.stats.weight_scheduled == 4
    # 25 % of 4 = 1: everyone meets at weight 3 (and no more weight is given up than that)
    loose = solve(prob, time_limit=5, workers=2, method="cpsat", fair_weight_share=0.25)
    assert validate(prob, loose) == []
    assert loose.stats.participants_without_meeting_possible == 0
    assert loose.stats.weight_scheduled == 3
