"""The evaluation harness itself, and a regression guard on the held-out quality figures."""

import numpy as np
import pytest

from ml import evaluate


def test_metrics_on_a_hand_computed_case():
    data = {
        "needs": [{"id": "n", "lang": "fr"}],
        "offers": [{"id": o, "lang": lang} for o, lang in (("a", "en"), ("b", "fr"), ("c", "ar"))],
        "qrels": {"n": {"a": 2, "c": 1}},
    }
    table = [{"need": "n", "cands": ["a", "b", "c"]}]
    perfect = evaluate.metrics_for(data, table, lambda t: np.array([3.0, 1.0, 2.0]))
    assert perfect == {
        "ndcg@10": 1.0,
        "recall@5": 1.0,
        "xl_recall@5": 1.0,
        "per_query_ndcg": [1.0],
    }
    swapped = evaluate.metrics_for(data, table, lambda t: np.array([1.0, 3.0, 2.0]))
    ideal = 3 + 1 / np.log2(3)
    assert swapped["ndcg@10"] == pytest.approx((1 / np.log2(3) + 3 / 2) / ideal)


def test_written_for_reads_the_item_sector():
    assert evaluate.written_for("street_lighting-o3") == "street_lighting"
    assert evaluate.written_for("water-n12") == "water"
    assert evaluate.written_for("trap-o4") is None


@pytest.mark.parametrize(("name", "ndcg", "xl"), [("heldout", 0.88, 0.90), ("fresh", 0.77, 0.83)])
def test_quality_on_sets_not_tuned_on_does_not_regress(name, ndcg, xl):
    """Held-out and fresh sets (weights never tuned on them): just under the figures recorded in
    docs/benchmarks-ml.md (held-out 0.887 / 0.925, fresh 0.784 / 0.850 since the extra
    classifier phrases of the fifth session)."""
    res = evaluate.evaluate(evaluate.load_set(name))
    default = res["default_use_only"]
    assert default["ndcg@10"] >= ndcg
    assert default["xl_recall@5"] >= xl
    best_single = max(res[s]["ndcg@10"] for s in evaluate.SINGLE)
    assert default["ndcg@10"] > best_single
    assert res["default_confirmed"]["ndcg@10"] >= default["ndcg@10"]


def test_paired_bootstrap_known_answers():
    same = evaluate.paired_bootstrap([0.5, 0.7, 0.9], [0.5, 0.7, 0.9])
    assert same == (0.0, 0.0, 0.0)
    shifted = evaluate.paired_bootstrap([0.6, 0.8, 1.0], [0.5, 0.7, 0.9])
    assert shifted == pytest.approx((0.1, 0.1, 0.1))
    mean, lo, hi = evaluate.paired_bootstrap([1.0, 0.0] * 10, [0.0, 1.0] * 10)
    assert mean == 0.0 and lo < 0 < hi  # wins and losses that cancel: not a difference
