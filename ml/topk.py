"""Exact top-k by matrix product + argpartition, chunked so memory stays bounded."""

from __future__ import annotations

import numpy as np

__all__ = ["topk_all", "topk_one"]


def topk_one(
    matrix: np.ndarray, query: np.ndarray, k: int, exclude: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k rows of ``matrix`` (n, d) for one ``query`` (d,) by dot product.

    ``exclude``: optional boolean mask (n,) of rows to skip. Returns (indices, scores), best first.
    """
    scores = matrix @ query
    if exclude is not None:
        scores = np.where(exclude, -np.inf, scores)
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=scores.dtype)
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.lexsort((part, -scores[part]))]
    return order, scores[order]


def topk_all(
    queries: np.ndarray,
    matrix: np.ndarray | None = None,
    k: int = 20,
    chunk: int = 1024,
    exclude_self: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of every query row against ``matrix`` (default: the queries themselves).

    Works ``chunk`` queries at a time, so peak extra memory is ``chunk * n * 4`` bytes.
    ``exclude_self`` (only when ``matrix`` is None) removes each row from its own list.
    Returns (indices (q, k), scores (q, k)), each row best first; ties broken by lower index.
    """
    same = matrix is None
    matrix = queries if same else matrix
    n = matrix.shape[0]
    k = min(k, n - (1 if same and exclude_self else 0))
    q = queries.shape[0]
    idx = np.empty((q, k), dtype=np.int64)
    val = np.empty((q, k), dtype=np.float32)
    for start in range(0, q, chunk):
        stop = min(start + chunk, q)
        s = queries[start:stop] @ matrix.T
        if same and exclude_self:
            s[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(s, part, axis=1)
        order = np.lexsort((part, -ps), axis=1)
        idx[start:stop] = np.take_along_axis(part, order, axis=1)
        val[start:stop] = np.take_along_axis(ps, order, axis=1)
    return idx, val
