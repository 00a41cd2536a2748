"""Two-stage batch recommendations for a whole event (``Ranker.recommend_many``).

Stage 1, per chunk of query participants, by matrix products over *all* participants:

* the eligibility mask (self, same organisation, kind pairs, same-kind opt-in, kind filter,
  exclusions) as boolean blocks;
* a cheap score: the complementary signal approximated with *pooled* vectors (normalised mean
  of the need phrases vs normalised mean of the offer phrases, both directions), plus the exact
  whole-profile, sector and language signals, z-normalised per query over the eligible
  candidates and mixed with the ranker's weights; the ``pool_size`` best eligible candidates
  are kept;
* exact raw signals against a fixed random sample of ``stats_sample`` participants, whose
  eligible part gives each query's normalisation statistics (mean, standard deviation).

Stage 2, per query: the full hybrid signals (``Ranker.raw_block``) on the pool only, normalised
with the stage-1 statistics, mixed, optional MMR, reasons for the final list.

On an event with at most ``stats_sample`` participants the statistics are exact, and when a
query has at most ``pool_size`` eligible candidates its list is exactly ``recommend``'s.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Mapping

import numpy as np

from ml.diversity import select
from ml.ranker import PEER_WHOLE_FACTOR, _lang_bonus, _peer_sector

__all__ = ["recommend_many"]


class _BatchIndex:
    """Per-ranker arrays for the batch path (built once, cached on the ranker)."""

    def __init__(self, r, stats_sample: int, seed: int):
        n = len(r.ids)
        _, org_code = np.unique(r._orgs.astype(str), return_inverse=True)
        self.org = np.where(r._orgs.astype(str) == "", -1, org_code).astype(np.int64)
        kinds, self.kind = np.unique(r._kinds.astype(str), return_inverse=True)
        self.kind_names = list(kinds)
        self.allowed = None
        if r.allowed is not None:
            self.allowed = np.array(
                [[r._pair_key(a, b) in r.allowed for b in kinds] for a in kinds], dtype=bool
            )
        self.opt_in = np.array([k in r.opt_in_kinds for k in kinds], dtype=bool)
        self.accepts = r._accepts.astype(bool)
        self.has_lang = np.array([bool(ls) for ls in r._langs], dtype=bool)

        def pooled(ph):
            out = np.zeros((n, r.sem.profile.shape[1]), np.float32)
            if len(ph.starts):
                sums = np.add.reduceat(ph.matrix, ph.starts, axis=0)
                norms = np.linalg.norm(sums, axis=1, keepdims=True)
                out[ph.has] = sums / np.maximum(norms, 1e-9)
            return out

        self.needs = pooled(r.sem.needs)
        self.offers = pooled(r.sem.offers)
        self.cat = np.concatenate([self.offers, self.needs], axis=1)  # pairs with [needs, offers]
        self.has_needs = r.sem.needs.has
        self.has_offers = r.sem.offers.has
        # exact sector signal as a product of normalised rows
        self.sec, self.sec_sim = r._sector_unit()
        rng = np.random.default_rng(seed)
        self.sample = (
            np.arange(n)
            if n <= stats_sample
            else np.sort(rng.choice(n, size=stats_sample, replace=False))
        )

    def eligible(self, r, q: np.ndarray, c: np.ndarray, kinds_ok: np.ndarray | None):
        """(len(q), len(c)) boolean block of the hard rules (without exclusions)."""
        ok = q[:, None] != c[None, :]
        oq = self.org[q][:, None]
        ok &= (oq < 0) | (oq != self.org[c][None, :])
        kq, kc = self.kind[q], self.kind[c]
        if self.allowed is not None:
            ok &= self.allowed[kq][:, kc]
        same = kq[:, None] == kc[None, :]
        both = self.accepts[q][:, None] & self.accepts[c][None, :]
        ok &= ~(self.opt_in[kq][:, None] & same & ~both)
        if kinds_ok is not None:
            ok &= kinds_ok[c][None, :]
        if r._avail is not None:  # a common meeting slot
            ok &= (r._avail[q] @ r._avail[c].T) > 0
        return ok


def _masked_stats(x: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise mean and standard deviation of ``x`` over ``ok`` (float64)."""
    cnt = np.maximum(ok.sum(axis=1), 1)
    xz = np.where(ok, x, 0.0).astype(np.float64)
    mu = xz.sum(axis=1) / cnt
    var = np.where(ok, (x - mu[:, None]) ** 2, 0.0).sum(axis=1) / cnt
    return mu, np.sqrt(var)


def _excluded_sets(r, qids: list[str], exclude_by_id) -> list[np.ndarray]:
    out = []
    for pid in qids:
        ex = set(r._excluded.get(pid, ()))
        if exclude_by_id and pid in exclude_by_id:
            ex |= set(exclude_by_id[pid])
        out.append(np.array(sorted(r.index[x] for x in ex if x in r.index), dtype=np.int64))
    return out


def recommend_many(r, *args, **kwargs) -> dict:
    """See :meth:`ml.ranker.Ranker.recommend_many`.

    The cyclic garbage collector is paused meanwhile: the result is ~20 small dicts per
    participant (no cycles), and repeated full collections over them would dominate the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _recommend_many(r, *args, **kwargs)
    finally:
        if enabled:
            gc.enable()


def _one_blas_thread():
    """Stage 2 runs thousands of tiny products: BLAS threads only add synchronisation (and
    spin badly when other processes hold the cores), so use one thread there if possible."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _recommend_many(
    r,
    participant_ids: Iterable[str],
    limit: int = 20,
    *,
    exclude_by_id: Mapping[str, Iterable[str]] | None = None,
    kinds: Iterable[str] | None = None,
    diversity: float = 0.0,
    per_organisation: int | None = None,
    pool_size: int = 300,
    stats_sample: int = 512,
    chunk: int = 512,
    seed: int = 0,
) -> dict:
    qids = list(participant_ids)
    out: dict = {pid: [] for pid in qids}
    if not qids or limit <= 0:
        return out
    key = (stats_sample, seed)
    if getattr(r, "_batch_key", None) != key:
        r._batch, r._batch_key = _BatchIndex(r, stats_sample, seed), key
    bx: _BatchIndex = r._batch
    n = len(r.ids)
    everyone = np.arange(n)
    kinds_ok = None if kinds is None else np.isin(r._kinds, list(kinds))
    needed = r._needed()
    w = r.weights
    sample = bx.sample
    q_all = np.array([r.index[pid] for pid in qids], dtype=np.int64)
    excluded = _excluded_sets(r, qids, exclude_by_id)
    if len(qids) > 1:  # every list's reasons read phrases: score all of them at once
        r.phrase_sectors_all()

    timing = dict.fromkeys(("stage1", "stats", "stage2", "reasons"), 0.0)
    r.batch_timings = timing
    for start in range(0, len(q_all), chunk):
        t0 = time.perf_counter()
        q = q_all[start : start + chunk]
        ok = bx.eligible(r, q, everyone, kinds_ok)
        for i, ex in enumerate(excluded[start : start + chunk]):
            ok[i, ex] = False
        # ---- normalisation statistics over the eligible part of the sample
        s_ok = ok[:, sample]
        s_raw = r.raw_block(q, sample, needed)
        stats, ranks = {}, {}
        for name, vals in s_raw.items():
            if name == "lang":
                continue
            v = np.nan_to_num(vals.astype(np.float64))
            stats[name] = _masked_stats(v, s_ok)
            if r.normalisation == "rank":
                ranks[name] = np.where(s_ok, v, np.nan)
        del s_raw
        t1 = time.perf_counter()
        timing["stats"] += t1 - t0
        # ---- stage 1: cheap score over everyone. Per row, sum_k w_k (x_k - mean_k) / sd_k ranks
        # like sum_k (w_k / sd_k) x_k, so only the standard deviations are needed.
        hn, ho = bx.has_needs, bx.has_offers
        comp = np.concatenate([bx.needs[q], bx.offers[q]], axis=1) @ bx.cat.T  # ab + ba
        cnt = (hn[q][:, None] & ho[None, :]).astype(np.float32)
        cnt += hn[None, :] & ho[q][:, None]
        whole = r.sem.profile[q] @ r.sem.profile.T
        comp /= np.maximum(cnt, 1.0)
        none = cnt == 0
        peers = None  # pairs with no complementary direction that both state a side
        if none.any():
            # no complementary direction: the whole-profile similarity, scaled for peers (both
            # state a side) as in ``Ranker.raw_signals``
            peers = none & r.sem.peer_block(q, everyone)
            comp[none] = np.where(peers, PEER_WHOLE_FACTOR * whole, whole)[none]
        del cnt, none
        _, sd_comp = _masked_stats(comp[:, sample], s_ok)
        w_comp = float(w.get("sem_comp", 0.0) + w.get("aux_comp", 0.0))
        w_whole = float(w.get("sem_whole", 0.0) + w.get("aux_whole", 0.0))
        comp *= (w_comp / np.maximum(sd_comp, 1e-9)).astype(np.float32)[:, None]
        cheap = comp
        whole *= (w_whole / np.maximum(stats["sem_whole"][1], 1e-9)).astype(np.float32)[:, None]
        cheap += whole
        del whole
        if w.get("sector") and "sector" in stats:
            sec = _peer_sector(bx.sec_sim[q] @ bx.sec.T, peers)  # as ``Ranker.raw_signals``
            scale = float(w["sector"]) * r.sector_conf[q] / np.maximum(stats["sector"][1], 1e-9)
            sec *= scale.astype(np.float32)[:, None]
            cheap += sec
            del sec
        del peers
        if w.get("lang") and r._lang_matrix.shape[1]:
            lang = _lang_bonus(r._lang_matrix[q] @ r._lang_matrix.T, r._no_lang[None, :])
            lang[~bx.has_lang[q]] = 1.0
            lang *= float(w["lang"])
            cheap += lang
            del lang
        cheap[~ok] = -np.inf
        k = min(pool_size, n)
        if k < n:
            pools = np.argpartition(-cheap, k - 1, axis=1)[:, :k]
        else:
            pools = np.tile(everyone, (len(q), 1))
        pool_ok = np.take_along_axis(ok, pools, axis=1)
        del cheap, comp, ok
        t2 = time.perf_counter()
        timing["stage1"] += t2 - t1
        # ---- stage 2: full signals on the pool
        with _one_blas_thread():
            pick = (limit, diversity, per_organisation)
            _stage2(r, q, pools, pool_ok, stats, ranks, needed, pick, timing, out)
        timing["stage2"] += time.perf_counter() - t2
    return out


def _stage2(r, q, pools, pool_ok, stats, ranks, needed, pick, timing, out) -> None:
    """Full signals on each query's pool; ``pick``: (limit, diversity, per_organisation) for
    :func:`ml.diversity.select`."""
    from ml.ranker import Recommendation

    for i, a in enumerate(q):
        cand = np.sort(pools[i][pool_ok[i]])
        if not len(cand):
            continue
        raw = r.raw_block(np.array([a]), cand, needed)
        norm = {}
        for name, vals in raw.items():
            v = vals[0].astype(np.float64)
            if name == "lang":
                norm[name] = v
                continue
            if r.normalisation == "rank":
                ref = ranks[name][i]
                ref = np.sort(ref[~np.isnan(ref)])
                m = len(ref)
                rk = np.searchsorted(ref, v, side="left").astype(np.float64)
                sd = np.sqrt((m * m - 1) / 12.0) if m > 1 else 0.0
                z = (rk - (m - 1) / 2.0) / sd if sd > 1e-9 else np.zeros_like(v)
            else:
                mu, sd = stats[name][0][i], stats[name][1][i]
                z = (v - mu) / sd if sd > 1e-9 else np.zeros_like(v)
            if name in r.evidence_only:
                z = np.maximum(z, 0.0)
            if name == "sector":
                z = z * float(r.sector_conf[a])
            norm[name] = z
        score = r.combine(norm)
        order = select(score, r.sem.profile[cand], r._orgs[cand], *pick)
        t3 = time.perf_counter()
        final = cand[order]
        pairs = r.sem.best_pairs(a, final, r._texts, allowed=r._pairs_agree)
        sig = {nm: v[0, order].tolist() for nm, v in raw.items()}
        out[r.ids[a]] = [
            Recommendation(
                r.ids[b],
                round(float(score[j]), 4),
                r._reasons(a, b, {nm: x[k] for nm, x in sig.items()}, pairs[k]),
            )
            for k, (j, b) in enumerate(zip(order.tolist(), final.tolist(), strict=True))
        ]
        timing["reasons"] += time.perf_counter() - t3
