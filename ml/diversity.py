"""Maximal marginal relevance (MMR) re-ranking of a top list."""

from __future__ import annotations

import numpy as np

__all__ = ["mmr"]


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
