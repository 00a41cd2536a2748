"""The UdG benchmark's comparison with the saved reference optimum."""

from __future__ import annotations

import json

from matchmaking.scheduler.bench import compare_reference
from matchmaking.scheduler.reference import load_reference

REFS = {
    "proven": {"range": 1, "total": 10, "range_proven": True, "total_proven": True},
    "range-only": {"range": 2, "total": 14, "range_proven": True, "total_proven": False},
    "open": {"range": 1, "total": 9, "range_proven": False, "total_proven": False},
}


def test_compare_equal_worse_better():
    assert compare_reference("proven", 1, 10, REFS) == ("1/10", "=")
    assert compare_reference("proven", 1, 11, REFS) == ("1/10", "worse")
    assert compare_reference("proven", 2, 0, REFS) == ("1/10", "worse")  # range first
    assert compare_reference("range-only", 2, 13, REFS) == ("2/14+", "better")
    assert compare_reference("open", 0, 50, REFS) == ("1/9*", "better")


def test_compare_without_reference():
    assert compare_reference("missing", 0, 0, REFS) == ("-", "-")
    assert compare_reference("x", 0, 0, {}) == ("-", "-")


def test_compare_reads_the_json_file(tmp_path):
    path = tmp_path / "udg_reference.json"
    path.write_text(json.dumps(REFS))
    assert compare_reference("proven", 1, 10, load_reference(path)) == ("1/10", "=")
