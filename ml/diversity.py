"""The final top list: maximal marginal relevance (MMR) re-ranking and a per-organisation cap."""

from __future__ import annotations

import numpy as np

__all__ = ["mmr", "select"]


def mmr(scores: np.ndarray, vectors: np.ndarray, k: int, lambda_: float = 0.7) -> list[int]:
    """Return indices (into ``scores``) of ``k`` items chosen by MMR.

    ``scores``: relevance (any scale; min-max scaled to [0, 1] here). ``vectors``: (n, d)
    L2-normalised. ``lambda_`` = 1 keeps the relevance order; lower values penalise items similar
    to ones already chosen: argmax  lambda*rel - (1-lambda)*max_sim_to_selected.
    """
    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return []
    span = scores.max() - scores.min()
    rel = (scores - scores.min()) / span if span > 0 else np.ones(n)
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
    selected = [int(np.argmax(rel))]
    max_sim = sims[selected[0]].astype(np.float64).copy()
    available = np.ones(n, dtype=bool)
    available[selected[0]] = False
    while len(selected) < k:
        mmr_score = lambda_ * rel - (1.0 - lambda_) * max_sim
        mmr_score[~available] = -np.inf
        nxt = int(np.argmax(mmr_score))
        selected.append(nxt)
        available[nxt] = False
        max_sim = np.maximum(max_sim, sims[nxt])
    return selected


def select(
    scores: np.ndarray,
    vectors: np.ndarray,
    orgs: np.ndarray,
    limit: int,
    diversity: float = 0.0,
    per_organisation: int | None = None,
) -> np.ndarray:
    """Indices (into ``scores``) of the final top ``limit``, best first.

    ``diversity`` in [0, 1): MMR over the best ``3 * limit`` with ``lambda = 1 - diversity``
    (``vectors`` of the same rows). ``per_organisation``: at most that many people of one
    organisation (``orgs``, normalised names; "" = none given, never capped) before everyone
    else in that pool; the colleagues left over only fill a list that would be short.
    """
    order = np.argsort(-np.asarray(scores), kind="stable")
    if limit <= 0:
        return order[:0]
    if diversity <= 0 and not per_organisation:
        return order[:limit]
    pool = order[: 3 * limit]
    if diversity > 0:  # the whole pool is ordered only when the cap may need the tail
        k = len(pool) if per_organisation else limit
        pool = pool[mmr(scores[pool], vectors[pool], k, 1.0 - diversity)]
    if per_organisation:
        seen: dict[str, int] = {}
        first, rest = [], []
        for i in pool.tolist():
            key = orgs[i]
            n = seen.get(key, 0)
            (first if not key or n < per_organisation else rest).append(i)
            seen[key] = n + 1
        pool = np.array(first + rest, dtype=np.int64)
    return pool[:limit]
