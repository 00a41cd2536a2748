"""The reference optimum (range, then total) of ``matchmaking.scheduler.reference``."""

from __future__ import annotations

import dataclasses
import json

from matchmaking.scheduler import Participant, Problem, Request
from matchmaking.scheduler.reference import REFERENCE_JSON, load_reference, merge, reference


def one_day(n_slots, pairs) -> Problem:
    ids = sorted({x for a, b in pairs for x in (a, b)})
    return Problem(
        n_slots=n_slots,
        slot_day=(0,) * n_slots,
        participants=tuple(Participant(i) for i in ids),
        requests=tuple(Request(k, a, b) for k, (a, b) in enumerate(pairs)),
        idle_objective="range",
    )


def test_triangle_in_three_slots_is_proven_one_one():
    # the meeting in the middle slot joins two participants; the third has slots 0 and 2
    ref, slot = reference(one_day(3, [("a", "b"), ("b", "c"), ("a", "c")]), 5.0, workers=1)
    assert (ref.range, ref.total) == (1, 1)
    assert ref.range_proven and ref.total_proven
    assert ref.range_bound == 1 and ref.total_bound == 1
    assert sorted(slot.tolist()) == [0, 1, 2]


def test_complete_bipartite_is_proven_zero():
    pairs = [(f"u{i}", f"v{j}") for i in range(3) for j in range(3)]
    ref, _ = reference(one_day(5, pairs), 5.0, workers=1)
    assert (ref.range, ref.total, ref.range_proven, ref.total_proven) == (0, 0, True, True)


def test_range_first_then_total():
    # x must idle once (slots 0 and 2); y could meet in a block (total 1, range 1), but range
    # first makes y idle once too: (range 0, total 2)
    prob = one_day(4, [("x", "a"), ("x", "b"), ("y", "c"), ("y", "d")])
    reqs = list(prob.requests)
    reqs[0] = dataclasses.replace(reqs[0], allowed=frozenset({0}))
    reqs[1] = dataclasses.replace(reqs[1], allowed=frozenset({2}))
    ref, slot = reference(dataclasses.replace(prob, requests=tuple(reqs)), 5.0, workers=1)
    assert (ref.range, ref.total) == (0, 2)
    assert ref.range_proven and ref.total_proven
    assert abs(int(slot[2]) - int(slot[3])) == 2


def test_load_reference_reads_json(tmp_path):
    path = tmp_path / "ref.json"
    assert load_reference(path) == {}
    path.write_text(json.dumps({"x": {"range": 1, "total": 2}}))
    assert load_reference(path)["x"]["total"] == 2


def test_saved_reference_file_is_well_formed():
    refs = load_reference(REFERENCE_JSON)
    assert len(refs) == 20
    for name, r in refs.items():
        assert r["range"] >= 0 and r["total"] >= 0, name
        assert r["total_proven"] <= r["range_proven"], name


def test_merge_keeps_best_and_valid_proofs():
    old = {"range": 2, "total": 33, "range_bound": 1, "total_bound": 3, "range_proven": False}
    old |= {"total_proven": False, "seconds": 150.0}
    new = {"range": 2, "total": 34, "range_bound": 2, "total_bound": 5, "range_proven": True}
    new |= {"total_proven": False, "seconds": 100.0}
    out = merge(old, new)
    assert (out["range"], out["total"], out["range_proven"], out["total_bound"]) == (2, 33, True, 5)
    worse_range = dict(new, range=3, total=10, total_bound=10, total_proven=True)
    out = merge(old, worse_range)
    assert (out["range"], out["total"], out["total_bound"], out["total_proven"]) == (
        2,
        33,
        3,
        False,
    )
