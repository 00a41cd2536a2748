"""Learning from behaviour: accepted / declined / ignored meeting requests, and the people a
participant saved or hid ("not interested") among those they were shown.

The ranker's per-pair features (``Ranker.pair_features``, columns = ``ml.ranker.SIGNALS``) are
the inputs of a logistic regression. :func:`fit_if_better` keeps a held-out part of the labels
and returns the learned model only if it beats the unlearned ranker's scores there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ndcg_score, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["LABELS", "LearnedModel", "encode_labels", "fit_if_better"]

LABELS = {"accepted": 1, "declined": 0, "ignored": 0, "saved": 1, "hidden": 0}


def encode_labels(labels: Sequence) -> np.ndarray:
    """'accepted'/'saved' -> 1, 'declined'/'ignored'/'hidden' -> 0; ints/bools pass through."""
    return np.array([LABELS[x] if isinstance(x, str) else int(x) for x in labels], dtype=np.int64)


@dataclass
class LearnedModel:
    pipeline: object
    report: dict = field(default_factory=dict)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Higher = more likely to be accepted (log-odds)."""
        return self.pipeline.decision_function(np.asarray(features, dtype=np.float64))


def _mean_ndcg(y: np.ndarray, s: np.ndarray, groups: np.ndarray | None, k: int = 10) -> float:
    if groups is None:
        return float(ndcg_score([y], [s], k=k)) if len(y) > 1 else float("nan")
    vals = []
    for g in np.unique(groups):
        m = groups == g
        if m.sum() > 1 and y[m].any():
            vals.append(ndcg_score([y[m]], [s[m]], k=k))
    return float(np.mean(vals)) if vals else float("nan")


def fit_if_better(
    features: np.ndarray,
    labels: Sequence,
    baseline_scores: np.ndarray,
    *,
    groups: Sequence | None = None,
    test_size: float = 0.3,
    random_state: int = 0,
    min_gain: float = 0.0,
    report: dict | None = None,
) -> LearnedModel | None:
    """Fit a logistic regression on part of the labels; keep it only if it wins on the rest.

    ``features``: (n, f) per-pair features; ``labels``: accepted/declined/ignored (or 1/0);
    ``baseline_scores``: (n,) the unlearned ranker's scores for the same pairs; ``groups``:
    optional query (requester) id per pair - then whole queries are held out and NDCG@10 is
    averaged per query. The held-out AUC of the model must exceed the baseline's by more than
    ``min_gain`` and its NDCG must not be lower. ``report`` (a dict), if given, receives
    ``auc_model``, ``auc_baseline``, ``ndcg_model``, ``ndcg_baseline``, ``n_train``, ``n_test``
    and ``accepted``.
    """
    x = np.asarray(features, dtype=np.float64)
    y = encode_labels(labels)
    base = np.asarray(baseline_scores, dtype=np.float64)
    g = None if groups is None else np.asarray(groups)
    rep = {} if report is None else report
    if len(np.unique(y)) < 2 or len(y) < 10:
        rep.update(accepted=False, reason="need at least 10 labels of both classes")
        return None
    if g is not None:
        split = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
        tr, te = next(split.split(x, y, g))
    else:
        split = StratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
        tr, te = next(split.split(x, y))
    if len(np.unique(y[tr])) < 2 or len(np.unique(y[te])) < 2:
        rep.update(accepted=False, reason="a split has a single class")
        return None
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    pipe.fit(x[tr], y[tr])
    s_model = pipe.decision_function(x[te])
    gt = None if g is None else g[te]
    rep.update(
        n_train=len(tr),
        n_test=len(te),
        auc_model=float(roc_auc_score(y[te], s_model)),
        auc_baseline=float(roc_auc_score(y[te], base[te])),
        ndcg_model=_mean_ndcg(y[te], s_model, gt),
        ndcg_baseline=_mean_ndcg(y[te], base[te], gt),
    )
    better = rep["auc_model"] > rep["auc_baseline"] + min_gain and not (
        rep["ndcg_model"] < rep["ndcg_baseline"]
    )
    rep["accepted"] = bool(better)
    if not better:
        return None
    pipe.fit(x, y)  # refit on all labels once it has proven itself
    return LearnedModel(pipe, dict(rep))
