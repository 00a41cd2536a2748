"""Hybrid complementary ranker.

Signals for a query participant A and each eligible candidate B (all computed per query):

``sem_comp``   needs(A)->offers(B) and needs(B)->offers(A): for each need phrase, the best
               cosine over the other side's offer phrases, averaged; mean of both directions
               (primary encoder). When neither direction exists: the whole-profile similarity
               if one of the two states no needs or offers (description only), else 0 (both
               only need, or both only offer: peers, ``PEER_WHOLE_FACTOR``).
``sem_whole``  whole-profile cosine (primary encoder).
``aux_comp``, ``aux_whole``  the same with an optional secondary encoder (``extra_vectors``).
``word``, ``char``  TF-IDF cosine (words 1-2 grams / char_wb 3-5), needs<->offers texts.
``sector``     soft cosine of declared (or inferred) sectors under the neighbour matrix.
``concept``    cosine of "concept profiles" (similarity to every multilingual sector prototype).
``lang``       1 if A and B share a language (or one side declares none), else 0.

Every signal except ``lang`` is z-normalised over the eligible candidates of the query
(monolingual signals - MiniLM, TF-IDF - are clipped at 0 so they only add evidence), then
mixed with weights tuned by ``python -m ml.tune`` (stored in ``ml/weights.json``); ``lang`` is a
raw soft bonus. Hard rules (never self, never the same organisation, kind pairs, same-kind opt-in,
exclusions) are applied before normalisation.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml.diversity import select
from ml.encoders import Encoder, get_encoder
from ml.languages import common_languages, meeting_languages
from ml.lexical import LexicalModel
from ml.taxonomy import (
    SECTOR_IDS,
    classifier_probabilities,
    keyword_scores,
    prototype_profile,
    sector_label,
    sector_scores,
    sector_scores_many,
    sector_similarity,
    sector_similarity_matrix,
    sector_vector,
)
from ml.text import ProfileText, normalise, texts_to_embed

__all__ = [
    "AUX_ENCODER",
    "DEFAULT_ENCODER",
    "DEFAULT_WEIGHTS",
    "SIGNALS",
    "ProfileVectors",
    "Ranker",
    "Recommendation",
    "encode_profiles",
    "load_weights",
]

DEFAULT_ENCODER = "use-multilingual"
AUX_ENCODER = "all-MiniLM-L6-v2"
SIGNALS = (
    "sem_comp",
    "sem_whole",
    "aux_comp",
    "aux_whole",
    "word",
    "char",
    "sector",
    "concept",
    "lang",
)
_FALLBACK_WEIGHTS = {
    "sem_comp": 1.0,
    "sem_whole": 0.5,
    "aux_comp": 0.0,
    "aux_whole": 0.0,
    "word": 0.25,
    "char": 0.25,
    "sector": 0.5,
    "concept": 0.0,
    "lang": 0.1,
}
WEIGHTS_FILE = Path(__file__).with_name("weights.json")
# Monolingual signals (English MiniLM, TF-IDF) are near zero for every cross-language pair, so
# after z-normalisation they would push all other-language candidates down. They are used as
# evidence only: negative z-scores are clipped to 0 (a match helps, no match does not hurt).
EVIDENCE_ONLY = ("aux_comp", "aux_whole", "word", "char")
# "Peers": two profiles that both state a side but no complementary one (both only needs, e.g.
# two delegations or a delegation and an agency; or both only offers). Their complementary
# score falls back to the whole-profile similarity times this factor. Two seekers of the same
# thing read alike, so at 1 they crowded out the providers: with the other needs in the pool
# (``ml.evaluate``'s ``default_with_peers``), 3.7 of dev's top 10 were peers, NDCG@10 0.845;
# at 0 (chosen on dev), 1.6 and 0.909; held-out 0.896 -> 0.912. A profile with neither side
# (description only) keeps the whole-profile fallback: there it is the only evidence.
PEER_WHOLE_FACTOR = 0.0
# the same pairs' sector overlap is scaled by this: two start-ups selling the same thing share
# every sector, and that alone lifted competitors into each other's top 10 (a tester's reading
# of the demo). Chosen on dev with peers in the pool (ninth session; 1.0 / 0.5 / 0.0: NDCG@10
# 0.905 / 0.912 / 0.913; held-out 0.873 / 0.887 / 0.887, fresh xl-R@5 0.733 / 0.850 / 0.850);
# the default figures, without peers in the pool, do not move.
PEER_SECTOR_FACTOR = 0.0
# A phrase pair (need -> offer, or two needs) is given as a reason only from this cosine up.
# The best pair of two profiles always exists, however unrelated they are; on the demo event
# (multilingual USE, French/Arabic/English phrases) pairs below ~0.3 are almost all noise
# ("city-centre parking management" <-> "high-speed public Wi-Fi": 0.24), while most pairs
# above it are related ("faster emergency response times" <-> "emergency command and control
# centres": 0.32). Calibrated for the default encoder.
PAIR_REASON_MIN_SIMILARITY = 0.3
# ... and only when the two phrases are about the same sectors: the cosine of their sector
# scores (keywords + classifier, as for a profile's inferred sectors) at least this. Close
# phrases of different sectors share a word, not a meaning ("a digital land registry" <->
# "electronic health records": 0.39). Chosen on dev (reasons shown in the top 10 of each need:
# right minus wrong, 0.4-0.8 searched, the cosine floor kept at 0.3); the wrong reasons fell
# from 96 to 13 over the four sets and the right ones from 119 to 108 (docs/benchmarks-ml.md,
# "Reasons that match"). A phrase with no sector evidence at all is judged on its cosine alone.
PAIR_REASON_MIN_SECTOR_AGREEMENT = 0.7
# ... except from this cosine up, where the phrases say the same thing whatever their sectors
# ("lowering the municipal energy bill" <-> "rénovation énergétique des bâtiments publics": 0.60,
# energy vs buildings). Chosen by reading the demo's dropped pairs (below 0.5 most of them are
# noise that shares a word such as "public" or "digital"); on the labelled sets it adds one
# reason (dev 79 shown, 6 wrong instead of 78 and 5).
PAIR_REASON_SAME_MEANING_SIMILARITY = 0.5

# A search's results are the candidates with some evidence of offering what it asks for: one of
# their offers at this cosine to it at least, or one of their offers this close to its sectors
# (soft cosine times the text's sector confidence). Chosen on the labelled sets (see
# benchmarks-ml.md, "search by need").
SEARCH_MIN_SIMILARITY = 0.15
SEARCH_MIN_SECTOR = 0.2
# ... and the sector half only when the text names a sector itself: a taxonomy keyword, or the
# classifier this sure of one (greetings and punctuation reach 0.10-0.18; the labelled needs
# without a keyword 0.2 and more but for three of 100)
SEARCH_MIN_TEXT_SECTOR = 0.2


def _load_tuned(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Weights chosen by ``python -m ml.tune --write`` (fallback: hand defaults)."""
    data = _load_tuned(path)
    if "weights" not in data:
        return dict(_FALLBACK_WEIGHTS)
    return {k: float(data["weights"].get(k, 0.0)) for k in SIGNALS}


DEFAULT_WEIGHTS = load_weights()
DEFAULT_OPTIONS = {"normalisation": "z", "sector_power": 1.0, "neighbour_scale": 1.0}
DEFAULT_OPTIONS.update(
    {k: v for k, v in _load_tuned(WEIGHTS_FILE).get("options", {}).items() if k in DEFAULT_OPTIONS}
)


# ------------------------------------------------------------------ vectors
@dataclass
class ProfileVectors:
    """Vectors of one profile for one encoder (float32, rows L2-normalised).

    ``profile``: (dim,) whole-profile text; ``needs``: (n_needs, dim), one row per need phrase;
    ``offers``: (n_offers, dim), one row per offer phrase. Row order = order of the phrases in
    :class:`~ml.text.ProfileText` after dropping empty ones.
    """

    profile: np.ndarray
    needs: np.ndarray
    offers: np.ndarray

    def to_bytes(self) -> bytes:
        """Bytes: int32 header (dim, n_needs, n_offers) + float32 rows (profile, needs, offers)."""
        dim = self.profile.shape[-1]
        head = np.array([dim, len(self.needs), len(self.offers)], dtype="<i4").tobytes()
        body = np.vstack(
            [
                self.profile.reshape(1, dim),
                self.needs.reshape(-1, dim),
                self.offers.reshape(-1, dim),
            ]
        )
        return head + body.astype("<f4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> ProfileVectors:
        dim, nn, no = (int(x) for x in np.frombuffer(data[:12], dtype="<i4"))
        rows = np.frombuffer(data[12:], dtype="<f4").reshape(1 + nn + no, dim).astype(np.float32)
        return cls(rows[0], rows[1 : 1 + nn], rows[1 + nn :])


def encode_profiles(
    profiles: Iterable[ProfileText], encoder: Encoder | str, batch_size: int = 64
) -> dict[str, ProfileVectors]:
    """Encode profiles (whole text, each need, each offer) in one batched pass."""
    enc = get_encoder(encoder) if isinstance(encoder, str) else encoder
    profiles = list(profiles)
    texts: list[str] = []
    spans = []
    for p in profiles:
        t = texts_to_embed(p)
        start = len(texts)
        texts += t["profile"] + t["needs"] + t["offers"]
        spans.append((start, len(t["needs"]), len(t["offers"])))
    vecs = enc.encode(texts, batch_size=batch_size)
    out = {}
    for p, (s, nn, no) in zip(profiles, spans, strict=True):
        out[p.id] = ProfileVectors(
            vecs[s], vecs[s + 1 : s + 1 + nn], vecs[s + 1 + nn : s + 1 + nn + no]
        )
    return out


@dataclass
class Recommendation:
    participant_id: str
    score: float
    reasons: dict = field(default_factory=dict)


# ------------------------------------------------------------------ helpers
class _Phrases:
    """All phrase vectors of one side (needs or offers) stacked, grouped by owner."""

    def __init__(self, per_profile: list[np.ndarray], dim: int):
        self.counts = np.array([len(x) for x in per_profile], dtype=np.int64)
        self.matrix = (
            np.vstack([x for x in per_profile if len(x)]).astype(np.float32)
            if self.counts.sum()
            else np.zeros((0, dim), np.float32)
        )
        self.owner = np.repeat(np.arange(len(per_profile)), self.counts)
        self.offsets = np.concatenate([[0], np.cumsum(self.counts)])
        self.has = self.counts > 0
        self.starts = self.offsets[:-1][self.has]

    def owner_max(self, sims: np.ndarray) -> np.ndarray:
        """sims: (q, total) -> (q, n_profiles) max per owner, NaN where the owner has none."""
        out = np.full((sims.shape[0], len(self.counts)), np.nan, dtype=np.float32)
        if len(self.starts):
            out[:, self.has] = np.maximum.reduceat(sims, self.starts, axis=1)
        return out

    def gather(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Phrase rows of the profiles ``idx`` (in that order) and the phrase count of each."""
        counts = self.counts[idx]
        total = int(counts.sum())
        before = np.cumsum(counts) - counts
        rows = np.repeat(self.offsets[idx] - before, counts) + np.arange(total)
        return rows, counts

    def owner_mean(self, values: np.ndarray) -> np.ndarray:
        """values: (total,) -> (n_profiles,) mean per owner, NaN where none."""
        out = np.full(len(self.counts), np.nan, dtype=np.float32)
        if len(self.starts):
            out[self.has] = np.add.reduceat(values, self.starts) / self.counts[self.has]
        return out


def _group_reduce(x: np.ndarray, counts: np.ndarray, ufunc, axis: int) -> np.ndarray:
    """Reduce consecutive groups of ``counts`` rows (axis 0) or columns (axis 1) of ``x``.

    Groups of size 0 give NaN; ``np.add`` gives the mean (sum / count).
    """
    shape = list(x.shape)
    shape[axis] = len(counts)
    out = np.full(shape, np.nan, dtype=np.float32)
    has = counts > 0
    if has.any() and x.size:
        starts = (np.cumsum(counts) - counts)[has]
        red = ufunc.reduceat(x, starts, axis=axis)
        if ufunc is np.add:
            red = red / (counts[has][:, None] if axis == 0 else counts[has][None, :])
        if axis == 0:
            out[has] = red
        else:
            out[:, has] = red
    return out


def _peer_sector(sector: np.ndarray, peers: np.ndarray | None) -> np.ndarray:
    """``sector`` with the overlap of peer pairs (no need meets an offer either way, both state
    a side) scaled by ``PEER_SECTOR_FACTOR``: the one rule of both ranker paths and the batch
    pool."""
    if peers is None or PEER_SECTOR_FACTOR == 1.0:
        return sector
    return np.where(peers, PEER_SECTOR_FACTOR * sector, sector)


def _lang_bonus(shared: np.ndarray, no_lang: np.ndarray) -> np.ndarray:
    """The language signal from counts of shared languages: 1 for any (one shared language or
    three: trilingual pairs are no better matches) or where a side declares none, else 0."""
    return np.maximum(np.minimum(shared, 1.0), no_lang).astype(np.float32)


def _top_sectors(scores: np.ndarray, top: int = 3, threshold: float = 0.25) -> np.ndarray:
    """Inferred sectors from sector ``scores`` (one row, or one per text): the ``top`` best
    that reach ``threshold``."""
    rows = np.atleast_2d(scores)
    keep = np.argsort(-rows, axis=1)[:, :top]
    best = np.take_along_axis(rows, keep, axis=1)
    out = np.zeros_like(rows)
    np.put_along_axis(out, keep, np.where(best >= threshold, best, 0.0), axis=1)
    return out if scores.ndim > 1 else out[0]


def profile_sectors(
    doc: str, encoder: Encoder | None = None, vector: np.ndarray | None = None
) -> np.ndarray:
    """The sector scores the ranker infers for a profile that declares none, from its whole
    text ``doc`` (``ml.text.profile_document``): classifier and keywords with ``encoder`` (the
    multilingual one; ``vector``: the text's vector from it, when known), keywords alone
    without; the best three that reach 0.25. Zeros for a blank text (an empty text's vector
    still leans to some sectors, which would read as "shared")."""
    if not doc.strip():
        return np.zeros(len(SECTOR_IDS))
    return _top_sectors(sector_scores(doc, encoder, vector=vector))


def names_a_sector(
    doc: str, encoder: Encoder | None = None, vector: np.ndarray | None = None
) -> bool:
    """Whether a text names a sector itself: a taxonomy keyword, or the classifier (on its
    ``vector`` from ``encoder``, when given) at least ``SEARCH_MIN_TEXT_SECTOR`` sure of one.
    The classifier always has a best sector; "asdfgh" or an SEO agency's "web traffic" should
    not be read as one."""
    if keyword_scores(doc).max(initial=0.0) > 0:
        return True
    if encoder is None:
        return False
    vec = encoder.encode([doc]) if vector is None else np.atleast_2d(vector)
    return float(classifier_probabilities(vec, encoder).max()) >= SEARCH_MIN_TEXT_SECTOR


def suggested_sectors(
    doc: str, encoder: Encoder | None = None, vector: np.ndarray | None = None
) -> list[str]:
    """The sector a profile page proposes to confirm, for a profile that declares none: the
    best one the ranker itself infers (:func:`profile_sectors`), or none when the text names
    no sector (:func:`names_a_sector`).

    One, not the three the ranker weighs: a participant who ticks what is proposed declares it,
    and a declared sector counts in full. Measured on the dev set (``python -m ml.evaluate``,
    row ``ticked``: everyone ticks the proposal), ticking the best inferred sector gives NDCG@10
    0.901 against 0.814 for all three and 0.846 for the keyword guess the page proposed before.
    """
    if encoder is not None and vector is None and doc.strip():
        vector = encoder.encode([doc])[0]  # once, for both tests below
    if not names_a_sector(doc, encoder, vector):
        return []
    scores = profile_sectors(doc, encoder, vector)
    best = int(np.argmax(scores))
    return [SECTOR_IDS[best]] if scores[best] > 0 else []


def _agree(da: np.ndarray, db: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Which phrase pairs a reason may quote, from the unit sector directions of the phrases
    ``da`` (rows) and ``db`` (columns) and their cosines ``sims``: about the same sectors
    (``PAIR_REASON_MIN_SECTOR_AGREEMENT``), no sector evidence on one side, or close enough to
    say the same thing anyway (``PAIR_REASON_SAME_MEANING_SIMILARITY``)."""
    unknown = ~da.any(axis=1)[:, None] | ~db.any(axis=1)[None, :]
    close = sims >= PAIR_REASON_SAME_MEANING_SIMILARITY
    return unknown | close | (da @ db.T >= PAIR_REASON_MIN_SECTOR_AGREEMENT)


def _nanmean2(
    a: np.ndarray, b: np.ndarray, fallback: np.ndarray, peer: np.ndarray | None = None
) -> np.ndarray:
    """Mean of the defined directions ``a`` (needs(A) -> offers(B)) and ``b`` (the reverse);
    where neither is defined, ``fallback`` (the whole-profile similarity), scaled by
    ``PEER_WHOLE_FACTOR`` where ``peer`` is true."""
    if peer is not None:
        fallback = np.where(peer, PEER_WHOLE_FACTOR * fallback, fallback)
    both = np.stack([a, b])
    cnt = (~np.isnan(both)).sum(axis=0)
    tot = np.nansum(both, axis=0)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), fallback).astype(np.float32)


def _znorm(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


_LABELS: dict[str, dict[str, str]] = {}


def _sector_labels(sid: str) -> dict[str, str]:
    if sid not in _LABELS:
        _LABELS[sid] = {lg: sector_label(sid, lg) for lg in ("fr", "en", "ar")}
    return _LABELS[sid]


def _telling(pair: dict | None) -> dict | None:
    """``pair`` if its phrases are similar enough to be given as a reason, else None."""
    if pair is None or pair["similarity"] < PAIR_REASON_MIN_SIMILARITY:
        return None
    return pair


def _org_key(org: str) -> str:
    return re.sub(r"\W+", " ", normalise(org).lower()).strip()


class _SemanticSide:
    def __init__(self, ids: list[str], vectors: Mapping[str, ProfileVectors]):
        missing = [i for i in ids if i not in vectors]
        if missing:
            raise KeyError(f"no vectors for profiles {missing[:5]}")
        # an event with nobody yet is normal: take the width from any vector, else 0
        sample = vectors[ids[0]] if ids else next(iter(vectors.values()), None)
        dim = sample.profile.shape[-1] if sample is not None else 0
        self.profile = np.vstack(
            [np.zeros((0, dim))] + [vectors[i].profile.reshape(1, dim) for i in ids]
        ).astype(np.float32)
        self.needs = _Phrases([vectors[i].needs.reshape(-1, dim) for i in ids], dim)
        self.offers = _Phrases([vectors[i].offers.reshape(-1, dim) for i in ids], dim)
        self.has_side = self.needs.has | self.offers.has  # states needs or offers

    def peer(self, a: int) -> np.ndarray:
        """Profiles that, with ``a``, both state a side (see ``PEER_WHOLE_FACTOR``)."""
        return self.has_side & self.has_side[a]

    def peer_block(self, q: np.ndarray, c: np.ndarray) -> np.ndarray:
        return self.has_side[q][:, None] & self.has_side[c][None, :]

    def comp(self, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ab, ba, whole) similarities of profile a to every profile (NaN = side missing)."""
        whole = self.profile @ self.profile[a]
        n = len(whole)
        na = self.needs.matrix[self.needs.offsets[a] : self.needs.offsets[a + 1]]
        oa = self.offers.matrix[self.offers.offsets[a] : self.offers.offsets[a + 1]]
        ab = np.full(n, np.nan, np.float32)
        ba = np.full(n, np.nan, np.float32)
        if len(na):  # needs(A) -> offers(B)
            ab = np.mean(self.offers.owner_max(na @ self.offers.matrix.T), axis=0)
        if len(oa) and len(self.needs.matrix):  # needs(B) -> offers(A)
            best = (self.needs.matrix @ oa.T).max(axis=1)
            ba = self.needs.owner_mean(best)
        return ab, ba, whole

    def comp_block(self, q: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ab, ba, whole) of query profiles ``q`` against candidates ``c``, each (len(q), len(c)).

        The same values as :meth:`comp` (rows ``q``, columns ``c``), computed on the phrases of
        ``q`` and ``c`` only.
        """
        whole = self.profile[q] @ self.profile[c].T
        nq, nq_cnt = self.needs.gather(q)
        oq, oq_cnt = self.offers.gather(q)
        nc, nc_cnt = self.needs.gather(c)
        oc, oc_cnt = self.offers.gather(c)
        # needs(q) -> offers(c): max over each candidate's offers, mean over the query's needs
        s = self.needs.matrix[nq] @ self.offers.matrix[oc].T
        ab = _group_reduce(_group_reduce(s, oc_cnt, np.maximum, 1), nq_cnt, np.add, 0)
        # needs(c) -> offers(q): max over the query's offers, mean over the candidate's needs
        s = self.offers.matrix[oq] @ self.needs.matrix[nc].T
        ba = _group_reduce(_group_reduce(s, oq_cnt, np.maximum, 0), nc_cnt, np.add, 1)
        return ab, ba, whole

    def best_pairs(
        self, a: int, bs: np.ndarray, texts: list[dict], allowed: PairRule | None = None
    ) -> list[tuple]:
        """(need(a)->offer(b), need(b)->offer(a)) best pairs for each b of ``bs`` at once.
        ``allowed``: see :meth:`best_pair`."""
        bs = np.asarray(bs, dtype=np.int64)
        out_ab: list = [None] * len(bs)
        out_ba: list = [None] * len(bs)
        ra = np.arange(self.needs.offsets[a], self.needs.offsets[a + 1])
        if len(ra):
            rows, cnt = self.offers.gather(bs)
            if len(rows):
                s = _allowed_only(
                    self.needs.matrix[ra] @ self.offers.matrix[rows].T,
                    allowed,
                    ("needs", ra, "offers", rows),
                )
                ends = np.cumsum(cnt).tolist()
                for k, (e, c) in enumerate(zip(ends, cnt.tolist(), strict=True)):
                    if c:  # first maximum in row-major order, like best_pair
                        sub = s[:, e - c : e]
                        i, j = divmod(int(sub.argmax()), c)
                        if np.isfinite(sub[i, j]):
                            out_ab[k] = {
                                "need": texts[a]["needs"][i],
                                "offer": texts[bs[k]]["offers"][j],
                                "similarity": round(float(sub[i, j]), 4),
                            }
        ro = np.arange(self.offers.offsets[a], self.offers.offsets[a + 1])
        if len(ro):
            rows, cnt = self.needs.gather(bs)
            if len(rows):
                s = _allowed_only(
                    self.needs.matrix[rows] @ self.offers.matrix[ro].T,
                    allowed,
                    ("needs", rows, "offers", ro),
                )
                ends = np.cumsum(cnt).tolist()
                for k, (e, c) in enumerate(zip(ends, cnt.tolist(), strict=True)):
                    if c:
                        sub = s[e - c : e]
                        i, j = divmod(int(sub.argmax()), sub.shape[1])
                        if np.isfinite(sub[i, j]):
                            out_ba[k] = {
                                "need": texts[bs[k]]["needs"][i],
                                "offer": texts[a]["offers"][j],
                                "similarity": round(float(sub[i, j]), 4),
                            }
        return list(zip(out_ab, out_ba, strict=True))

    def best_pair(
        self,
        a: int,
        b: int,
        texts_a,
        texts_b,
        b_side: str = "offers",
        allowed: PairRule | None = None,
    ) -> dict | None:
        """Best need(a) -> offer(b) phrase pair with its cosine (``b_side="needs"``: the closest
        needs of the two, with b's under ``"offer"``). ``allowed(side, rows, side, rows,
        cosines)``: the phrase pairs that may be given (a boolean matrix); the best of those,
        None if none."""
        ra = np.arange(self.needs.offsets[a], self.needs.offsets[a + 1])
        side = self.offers if b_side == "offers" else self.needs
        rb = np.arange(side.offsets[b], side.offsets[b + 1])
        if not len(ra) or not len(rb):
            return None
        s = _allowed_only(
            self.needs.matrix[ra] @ side.matrix[rb].T, allowed, ("needs", ra, b_side, rb)
        )
        i, j = divmod(int(s.argmax()), s.shape[1])
        if not np.isfinite(s[i, j]):
            return None
        return {"need": texts_a[i], "offer": texts_b[j], "similarity": round(float(s[i, j]), 4)}


PairRule = Callable[[str, np.ndarray, str, np.ndarray, np.ndarray], np.ndarray]


def _allowed_only(sims: np.ndarray, allowed: PairRule | None, rows: tuple) -> np.ndarray:
    """``sims`` with the phrase pairs ``allowed`` refuses set to -inf (``allowed`` gets the
    two sides' phrase rows and their cosines)."""
    if allowed is None:
        return sims
    return np.where(allowed(*rows, sims), sims, -np.inf)


def _fitted(
    ids: list[str], vectors: Mapping[str, ProfileVectors], texts: list[dict]
) -> Mapping[str, ProfileVectors]:
    """``vectors`` with no more phrase rows than each profile has phrases. Vectors encoded
    before an edit that removed a need or an offer (the re-encode comes after commit) would
    point reasons at phrases that no longer exist; their extra rows are left out until then."""
    out = None
    for pid, t in zip(ids, texts, strict=True):
        v = vectors.get(pid)
        if v is None or (len(v.needs) <= len(t["needs"]) and len(v.offers) <= len(t["offers"])):
            continue
        out = dict(vectors) if out is None else out
        nn, no = len(t["needs"]), len(t["offers"])
        out[pid] = ProfileVectors(v.profile, v.needs[:nn], v.offers[:no])
    return vectors if out is None else out


# ------------------------------------------------------------------ ranker
class Ranker:
    """Ranks the participants of one event for a given participant.

    ``profiles``: the event's participants. ``vectors``: id -> :class:`ProfileVectors` from the
    primary ``encoder`` (default :data:`DEFAULT_ENCODER`). ``extra_vectors``: optional
    ``{"<model name>": {id: ProfileVectors}}`` for one secondary encoder (``aux_*`` signals).
    ``allowed_kind_pairs``: unordered kind pairs that may meet (None = any).
    ``exclusions``: unordered id pairs that must never be recommended (met, declined...).
    ``opt_in_kinds``: kinds for which a same-kind meeting needs both ``accepts_same_kind``.
    ``availability``: id -> the meeting slots (indices) the participant can attend; two
    participants without a common slot are never recommended to each other (absent id = every
    slot; None = no such rule).
    ``sector_encoder``: encoder used to infer sectors of profiles that declare none (default:
    the primary encoder when it is loadable; otherwise keyword-only inference).
    """

    def __init__(
        self,
        profiles: Iterable[ProfileText],
        vectors: Mapping[str, ProfileVectors],
        *,
        encoder: str = DEFAULT_ENCODER,
        extra_vectors: Mapping[str, Mapping[str, ProfileVectors]] | None = None,
        weights: Mapping[str, float] | None = None,
        allowed_kind_pairs: Iterable[tuple[str, str]] | None = None,
        exclusions: Iterable[tuple[str, str]] = (),
        opt_in_kinds: Iterable[str] = ("exhibitor",),
        sector_encoder: Encoder | bool | None = True,
        normalisation: str | None = None,
        evidence_only: Iterable[str] | None = None,
        sector_power: float | None = None,
        neighbour_scale: float | None = None,
        availability: Mapping[str, Iterable[int]] | None = None,
    ):
        self.profiles = list(profiles)
        self.ids = [p.id for p in self.profiles]
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("duplicate profile ids")
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self.encoder_name = encoder
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        opt = DEFAULT_OPTIONS
        self.normalisation = normalisation or opt["normalisation"]
        self.sector_power = float(opt["sector_power"] if sector_power is None else sector_power)
        self.neighbour_scale = float(
            opt["neighbour_scale"] if neighbour_scale is None else neighbour_scale
        )
        self.evidence_only = set(EVIDENCE_ONLY if evidence_only is None else evidence_only)
        self.allowed = (
            None if allowed_kind_pairs is None else {self._pair_key(*p) for p in allowed_kind_pairs}
        )
        self.exclusions = {frozenset(p) for p in exclusions}
        self._excluded: dict[str, set[str]] = {}
        for x, y in (tuple(p) * 2 if len(p) == 1 else tuple(p) for p in self.exclusions):
            self._excluded.setdefault(x, set()).add(y)
            self._excluded.setdefault(y, set()).add(x)
        self._kind_masks: dict[str, np.ndarray] = {}
        self._sector_nz: list[tuple[int, ...]] | None = None
        self.opt_in_kinds = set(opt_in_kinds)
        self._kinds = np.array([p.kind for p in self.profiles], dtype=object)
        self._orgs = np.array([_org_key(p.org) for p in self.profiles], dtype=object)
        self._accepts = np.array([p.accepts_same_kind for p in self.profiles], dtype=bool)
        self._avail = self._availability_matrix(availability)
        # ``ar`` for Arabic varieties: a Darija speaker and an Arabic speaker share a language
        self._langs = [meeting_languages(p.languages) for p in self.profiles]
        self._declared_langs = [set(p.languages) for p in self.profiles]
        self._texts = [texts_to_embed(p) for p in self.profiles]

        self.sem = _SemanticSide(self.ids, _fitted(self.ids, vectors, self._texts))
        self.aux = None
        if extra_vectors:
            (self.aux_name, aux_vecs), *rest = extra_vectors.items()
            if rest:
                raise ValueError("only one secondary encoder is supported")
            self.aux = _SemanticSide(self.ids, _fitted(self.ids, aux_vecs, self._texts))

        # lexical (TF-IDF fitted on this event's corpus): built lazily, only when a lexical
        # signal is used (weight > 0) or all signals are requested
        self._lex: dict | None = None
        self.lexical: LexicalModel | None = None

        # sectors: declared, else inferred
        enc = sector_encoder
        if enc is True:
            try:
                enc = get_encoder(encoder)
            except Exception:  # encoder unavailable: keyword-only inference
                enc = None
        self.sector_encoder = enc or None
        rows = []
        self.sectors_inferred = np.zeros(len(self.profiles), dtype=bool)
        for i, p in enumerate(self.profiles):
            if p.sectors:
                rows.append(sector_vector(p.sectors))
            else:
                self.sectors_inferred[i] = True
                rows.append(self._infer_vector(i))
        self.sector_matrix = np.vstack(rows) if rows else np.zeros((0, len(SECTOR_IDS)))
        self.sector_conf = np.where(
            self.sectors_inferred, self.sector_matrix.max(axis=1, initial=0.0), 1.0
        ).astype(np.float32)
        self._sector_powered = self.sector_matrix**self.sector_power
        all_langs = sorted({lg for ls in self._langs for lg in ls})
        self._all_langs = all_langs
        self._lang_matrix = np.array(
            [[lg in ls for lg in all_langs] for ls in self._langs], dtype=np.float32
        ).reshape(len(self._langs), len(all_langs))
        self._no_lang = (self._lang_matrix.sum(axis=1) == 0).astype(np.float32)
        self._concepts: np.ndarray | None = None  # built on first use (``concepts``)
        self._phrase_dirs: dict[str, tuple] = {}  # ``_phrase_sectors``
        self._offer_units: np.ndarray | None = None  # ``_offer_sectors``
        # the lazily filled arrays above are shared by the web process's threads (the event's
        # ranker is cached per process): one fills them at a time
        self._lazy = threading.RLock()

    @property
    def concepts(self) -> np.ndarray | None:
        """Concept profiles (similarity to every sector prototype) of all profiles, or None when
        the sector encoder is not the primary one. Built on first use: encoding the prototypes
        costs about a second, and the tuned weights give the signal 0."""
        enc = self.sector_encoder
        if self._concepts is None and enc is not None and enc.name == self.encoder_name:
            self._concepts = prototype_profile(self.sem.profile, enc)
        return self._concepts

    def _availability_matrix(self, availability) -> np.ndarray | None:
        """(n, slots) float32 0/1: the meeting slots each profile can attend; profiles without an
        entry can attend all. None when no availability is given (no rule)."""
        if not availability:
            return None
        sets = {pid: {int(s) for s in v} for pid, v in availability.items() if v is not None}
        width = 1 + max((max(v) for v in sets.values() if v), default=0)
        m = np.ones((len(self.ids), width), dtype=np.float32)
        for pid, v in sets.items():
            if pid in self.index:
                row = m[self.index[pid]]
                row[:] = 0.0
                row[sorted(v)] = 1.0
        return m

    @staticmethod
    def _pair_key(a: str, b: str) -> frozenset:
        return frozenset((a, b))

    def _infer_vector(self, i: int) -> np.ndarray:
        enc = self.sector_encoder
        # the stored vector only when the sector encoder made it (else it encodes the text)
        vec = self.sem.profile[i] if enc is not None and enc.name == self.encoder_name else None
        return profile_sectors(self._texts[i]["profile"][0], enc, vec)

    def _phrase_sectors(self, side: str, rows: np.ndarray) -> np.ndarray:
        """Unit vectors of the sector scores of the phrases ``rows`` of ``side`` ("needs" or
        "offers"; rows of ``sem``), zero for a phrase with no sector evidence. Scored on first
        use: one list's reasons read a few phrases of the event (the batch path scores them all
        at once, ``phrase_sectors_all``)."""
        phrases = getattr(self.sem, side)
        with self._lazy:
            if side not in self._phrase_dirs:
                n = len(phrases.matrix)
                self._phrase_dirs[side] = (
                    np.zeros((n, len(SECTOR_IDS)), np.float32),
                    np.zeros(n, dtype=bool),
                    np.zeros((n, len(SECTOR_IDS)), np.float32),  # the scores themselves
                )
            dirs, done, raw = self._phrase_dirs[side]
            if not done[rows].all():
                self._score_phrases(side, rows, dirs, done, raw)
        return dirs[rows]

    def _score_phrases(self, side, rows, dirs, done, raw) -> None:
        """Fill the sector scores of the phrases ``rows`` not scored yet (under ``_lazy``)."""
        phrases = getattr(self.sem, side)
        todo = np.unique(rows[~done[rows]])
        owners = phrases.owner[todo]
        texts = [
            self._texts[o][side][k]
            for o, k in zip(owners.tolist(), (todo - phrases.offsets[owners]).tolist(), strict=True)
        ]
        enc = self.sector_encoder
        same = enc is not None and enc.name == self.encoder_name  # stored vectors are its
        scores = sector_scores_many(texts, enc, phrases.matrix[todo] if same else None)
        norm = np.linalg.norm(scores, axis=1, keepdims=True)
        dirs[todo] = np.divide(scores, norm, out=np.zeros_like(scores), where=norm > 0)
        raw[todo] = scores
        done[todo] = True

    def _offer_sectors(self) -> np.ndarray:
        """(offer phrases, sectors): each offer phrase's inferred sectors as a profile's are
        inferred (the best three that reach the threshold, powered), of unit length under the
        neighbour similarity; zero for a phrase with no sector evidence. The search gives sector
        credit for what a candidate offers, not for what they need or declare."""
        with self._lazy:
            if self._offer_units is None:
                self._phrase_sectors("offers", np.arange(len(self.sem.offers.matrix)))
                top = _top_sectors(self._phrase_dirs["offers"][2]) ** self.sector_power
                sim = self._neighbour_sim()
                norms = np.sqrt(np.einsum("ij,jk,ik->i", top, sim, top))[:, None]
                self._offer_units = np.divide(
                    top, norms, out=np.zeros_like(top), where=norms > 0
                ).astype(np.float32)
            return self._offer_units

    def phrase_sectors_all(self) -> None:
        """Score every phrase's sectors at once (one classifier product per side), for the batch
        path, whose reasons read most of them; ``recommend`` scores them as it needs them."""
        for side in ("needs", "offers"):
            self._phrase_sectors(side, np.arange(len(getattr(self.sem, side).matrix)))

    def _pairs_agree(
        self,
        side_a: str,
        rows_a: np.ndarray,
        side_b: str,
        rows_b: np.ndarray,
        sims: np.ndarray,
    ) -> np.ndarray:
        """The phrase pairs a reason may quote: about the same sectors
        (``PAIR_REASON_MIN_SECTOR_AGREEMENT``), with no sector evidence on one side, or close
        enough (``sims``, their cosines) to say the same thing anyway
        (``PAIR_REASON_SAME_MEANING_SIMILARITY``)."""
        return _agree(
            self._phrase_sectors(side_a, rows_a), self._phrase_sectors(side_b, rows_b), sims
        )

    # ------------------------------------------------------------ rules
    def eligible(
        self, a: int, kinds: Iterable[str] | None = None, exclude: Iterable[str] = ()
    ) -> np.ndarray:
        """Boolean mask of candidates that may be recommended to profile index ``a``."""
        n = len(self.ids)
        ok = np.ones(n, dtype=bool)
        ok[a] = False
        if self._orgs[a]:
            ok &= self._orgs != self._orgs[a]
        ka = self._kinds[a]
        if self.allowed is not None:
            if ka not in self._kind_masks:
                self._kind_masks[ka] = np.array(
                    [self._pair_key(ka, kb) in self.allowed for kb in self._kinds], dtype=bool
                )
            ok &= self._kind_masks[ka]
        if ka in self.opt_in_kinds:
            same = self._kinds == ka
            ok &= ~same | (self._accepts & bool(self._accepts[a]))
        for pid in self._excluded.get(self.ids[a], ()):
            if pid in self.index:
                ok[self.index[pid]] = False
        self._narrow(ok, kinds, exclude)
        if self._avail is not None:  # no common meeting slot: they could not meet
            ok &= (self._avail @ self._avail[a]) > 0
        return ok

    def _narrow(self, ok: np.ndarray, kinds: Iterable[str] | None, exclude: Iterable[str]):
        """Keep in ``ok`` only the ``kinds`` asked for (all when None), and leave out the
        profile ids ``exclude``: the per-call choices of a list or a search."""
        if kinds is not None:
            ok &= np.isin(self._kinds, list(kinds))
        for pid in exclude:
            if pid in self.index:
                ok[self.index[pid]] = False

    # ------------------------------------------------------------ signals
    def _ensure_lexical(self) -> dict:
        if self._lex is None:
            needs_t = [" ".join(t["needs"]) for t in self._texts]
            offers_t = [" ".join(t["offers"]) for t in self._texts]
            docs = [t["profile"][0] for t in self._texts]
            self.lexical = LexicalModel().fit(docs)
            lex = {}
            for name, texts in (("needs", needs_t), ("offers", offers_t), ("doc", docs)):
                w, c = self.lexical.transform(texts)
                lex[("word", name)] = w
                lex[("char", name)] = c
            self._has_needs = np.array([bool(t) for t in needs_t])
            self._has_offers = np.array([bool(t) for t in offers_t])
            self._lex = lex
        return self._lex

    def _lex_comp(self, kind: str, a: int) -> np.ndarray:
        lex = self._ensure_lexical()
        needs, offers, doc = (lex[(kind, x)] for x in ("needs", "offers", "doc"))
        whole = np.asarray((doc @ doc[a].T).todense()).ravel()
        ab = np.full(len(self.ids), np.nan, np.float32)
        ba = np.full(len(self.ids), np.nan, np.float32)
        if self._has_needs[a]:
            ab = np.where(
                self._has_offers, np.asarray((offers @ needs[a].T).todense()).ravel(), np.nan
            )
        if self._has_offers[a]:
            ba = np.where(
                self._has_needs, np.asarray((needs @ offers[a].T).todense()).ravel(), np.nan
            )
        peer = (self._has_needs | self._has_offers) & (self._has_needs[a] | self._has_offers[a])
        return _nanmean2(ab, ba, whole, peer)

    def raw_signals(self, a: int, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Raw (un-normalised) signals of profile index ``a`` against all profiles.

        ``names``: only these signals (default: all available).
        """
        want = set(SIGNALS if names is None else names)
        out = {}
        ab, ba, whole = self.sem.comp(a)
        out["sem_comp"] = _nanmean2(ab, ba, whole, self.sem.peer(a))
        out["sem_whole"] = whole
        if self.aux is not None and want & {"aux_comp", "aux_whole"}:
            ab2, ba2, whole2 = self.aux.comp(a)
            out["aux_comp"] = _nanmean2(ab2, ba2, whole2, self.aux.peer(a))
            out["aux_whole"] = whole2
        for kind in ("word", "char"):
            if kind in want:
                out[kind] = self._lex_comp(kind, a)
        if "sector" in want:
            sm = self._sector_powered
            out["sector"] = sector_similarity(sm[a], sm, self.neighbour_scale)
            out["sector"] = _peer_sector(
                out["sector"], np.isnan(ab) & np.isnan(ba) & self.sem.peer(a)
            )
        if "concept" in want and self.concepts is not None:
            out["concept"] = self.concepts @ self.concepts[a]
        if "lang" in want:
            if self._langs[a]:
                out["lang"] = _lang_bonus(self._lang_matrix @ self._lang_matrix[a], self._no_lang)
            else:
                out["lang"] = np.ones(len(self.ids), np.float32)
        return out

    def raw_block(
        self, q: np.ndarray, c: np.ndarray, names: Iterable[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Raw signals of query indices ``q`` against candidate indices ``c``: (len(q), len(c)).

        Same values as :meth:`raw_signals` restricted to those pairs (used by the batch path).
        """
        q = np.asarray(q, dtype=np.int64)
        c = np.asarray(c, dtype=np.int64)
        want = set(SIGNALS if names is None else names)
        out = {}
        ab, ba, whole = self.sem.comp_block(q, c)
        out["sem_comp"] = _nanmean2(ab, ba, whole, self.sem.peer_block(q, c))
        out["sem_whole"] = whole
        if self.aux is not None and want & {"aux_comp", "aux_whole"}:
            ab2, ba2, whole2 = self.aux.comp_block(q, c)
            out["aux_comp"] = _nanmean2(ab2, ba2, whole2, self.aux.peer_block(q, c))
            out["aux_whole"] = whole2
        for kind in ("word", "char"):
            if kind in want:
                out[kind] = np.vstack([self._lex_comp(kind, int(a))[c] for a in q])
        if "sector" in want:
            unit, unit_sim = self._sector_unit()
            out["sector"] = np.clip(unit_sim[q] @ unit[c].T, 0.0, 1.0)
            out["sector"] = _peer_sector(
                out["sector"], np.isnan(ab) & np.isnan(ba) & self.sem.peer_block(q, c)
            )
        if "concept" in want and self.concepts is not None:
            out["concept"] = self.concepts[q] @ self.concepts[c].T
        if "lang" in want:
            lang = _lang_bonus(self._lang_matrix[q] @ self._lang_matrix[c].T, self._no_lang[c])
            no_q = np.array([not self._langs[a] for a in q], dtype=bool)
            lang[no_q] = 1.0
            out["lang"] = lang
        return out

    def _neighbour_sim(self) -> np.ndarray:
        """The taxonomy's sector similarity, neighbours scaled by ``neighbour_scale``."""
        sim = sector_similarity_matrix()
        eye = np.eye(len(sim), dtype=np.float32)
        return eye + self.neighbour_scale * (sim - eye)

    def _sector_unit(self) -> tuple[np.ndarray, np.ndarray]:
        """Sector rows normalised under the neighbour matrix (u, u @ sim): soft cosine = product."""
        if getattr(self, "_sec_unit", None) is None:
            sim = self._neighbour_sim()
            sm = self._sector_powered.astype(np.float32)
            norms = np.sqrt(np.einsum("ij,jk,ik->i", sm, sim, sm))
            unit = np.divide(sm, norms[:, None], out=np.zeros_like(sm), where=norms[:, None] > 0)
            self._sec_unit = (unit, (unit @ sim).astype(np.float32))
        return self._sec_unit

    def _needed(self) -> set[str]:
        return {k for k, w in self.weights.items() if w} | {"sector", "lang"}

    def normalised(
        self, raw: dict[str, np.ndarray], mask: np.ndarray, a: int | None = None
    ) -> dict[str, np.ndarray]:
        """Per-query normalisation over the eligible candidates (``lang`` stays raw).

        With the query index ``a``, the sector signal is scaled by the query's sector confidence
        (1 for declared sectors, else the best inferred score) so a vague profile does not get a
        full-strength but unreliable sector signal.
        """
        out = {}
        for name, vals in raw.items():
            v = vals[mask].astype(np.float64)
            if name == "lang":
                out[name] = v
            elif self.normalisation == "rank":
                r = np.argsort(np.argsort(v)).astype(np.float64)
                out[name] = _znorm(r)
            else:
                out[name] = _znorm(v)
            if name in self.evidence_only:
                out[name] = np.maximum(out[name], 0.0)
            if name == "sector" and a is not None:
                out[name] = out[name] * float(self.sector_conf[a])
        return out

    def combine(self, norm: dict[str, np.ndarray], weights: Mapping[str, float] | None = None):
        w = self.weights if weights is None else weights
        total = None
        for name, vals in norm.items():
            wt = float(w.get(name, 0.0))
            if wt:
                total = vals * wt if total is None else total + vals * wt
        if total is None:
            total = np.zeros(len(next(iter(norm.values()))) if norm else 0)
        return total

    def pair_features(self, participant_id: str, candidate_ids: Iterable[str]) -> np.ndarray:
        """Normalised signal vectors (columns = :data:`SIGNALS`) for learning from behaviour."""
        a = self.index[participant_id]
        mask = self.eligible(a)
        mask_all = mask.copy()
        cand = [self.index[c] for c in candidate_ids]
        mask_all[cand] = True
        mask_all[a] = False
        norm = self.normalised(self.raw_signals(a), mask_all, a)
        pos = {j: k for k, j in enumerate(np.flatnonzero(mask_all))}
        cols = [norm.get(s, np.zeros(mask_all.sum())) for s in SIGNALS]
        return np.array([[c[pos[j]] for c in cols] for j in cand], dtype=np.float32)

    # ------------------------------------------------------------ public
    def scores(self, participant_id: str, kinds=None, exclude=()) -> tuple[np.ndarray, np.ndarray]:
        """(candidate indices, combined scores) for all eligible candidates."""
        a = self.index[participant_id]
        mask = self.eligible(a, kinds, exclude)
        if not mask.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        raw = self.raw_signals(a, self._needed())
        return np.flatnonzero(mask), self.combine(self.normalised(raw, mask, a))

    def recommend(
        self,
        participant_id: str,
        limit: int = 10,
        kinds: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        diversity: float = 0.0,
        per_organisation: int | None = None,
    ) -> list[Recommendation]:
        """Top ``limit`` recommendations with reasons. ``diversity`` in [0, 1): MMR strength;
        ``per_organisation``: at most that many colleagues of one organisation while others are
        left (:func:`ml.diversity.select`)."""
        a = self.index[participant_id]
        mask = self.eligible(a, kinds, exclude)
        if not mask.any() or limit <= 0:
            return []
        raw = self.raw_signals(a, self._needed())
        cand = np.flatnonzero(mask)
        score = self.combine(self.normalised(raw, mask, a))
        order = select(
            score, self.sem.profile[cand], self._orgs[cand], limit, diversity, per_organisation
        )
        return [
            Recommendation(
                self.ids[cand[k]],
                round(float(score[k]), 4),
                self._reasons(a, cand[k], {n: v[cand[k]] for n, v in raw.items()}),
            )
            for k in order
        ]

    def recommend_many(
        self,
        participant_ids: Iterable[str] | None = None,
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
    ) -> dict[str, list[Recommendation]]:
        """Lists for many participants at once (default: everyone), two-stage.

        Stage 1 (chunked matrix products over all candidates) keeps per participant the
        ``pool_size`` best eligible candidates by a cheap score (pooled needs/offers vectors,
        exact whole-profile, sector and language signals); stage 2 scores that pool with the
        full hybrid signals of :meth:`recommend`, normalised with statistics of a fixed random
        sample of ``stats_sample`` candidates (all candidates on events up to that size), so
        scores stay comparable to :meth:`recommend`. When a query has at most ``pool_size``
        eligible candidates and the event at most ``stats_sample`` participants, its list equals
        :meth:`recommend`'s (z normalisation, the default; ``"rank"`` is approximated).
        See :func:`ml.batch.recommend_many`.
        """
        from ml.batch import recommend_many

        return recommend_many(
            self,
            self.ids if participant_ids is None else participant_ids,
            limit,
            exclude_by_id=exclude_by_id,
            kinds=kinds,
            diversity=diversity,
            per_organisation=per_organisation,
            pool_size=pool_size,
            stats_sample=stats_sample,
            chunk=chunk,
            seed=seed,
        )

    def search(
        self,
        text: str,
        limit: int = 20,
        *,
        reader: str | None = None,
        kinds: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        languages: Iterable[str] = (),
        per_organisation: int | None = None,
    ) -> list[Recommendation]:
        """Who best offers what ``text`` asks for: a need typed into a search box, in any
        language the encoder links (each line one need). It is scored as a profile that states
        only these needs would be, with the ranker's signals and weights (needs -> offers,
        sectors inferred from the text, a shared language with ``languages``), among the
        candidates ``reader`` (a profile id) may be recommended, or every profile without one.

        Reasons: ``offer`` (the candidate's offer that best meets the text, when it clearly
        does, as for a recommendation's phrase pair), ``shared_sectors`` (the text's inferred
        sectors the candidate offers too, when the text names a sector), ``languages`` and
        ``signals``."""
        query = ProfileText(id="\x00search", needs=text.splitlines())
        texts = texts_to_embed(query)
        needs = texts["needs"]
        if not needs or limit <= 0:
            return []
        n = len(self.ids)
        if reader is not None:
            mask = self.eligible(self.index[reader], kinds, exclude)
        else:
            mask = np.ones(n, dtype=bool)
            self._narrow(mask, kinds, exclude)
        if not mask.any():
            return []
        enc = get_encoder(self.encoder_name)
        vectors = encode_profiles([query], enc)[query.id]
        asked = vectors.needs.reshape(len(needs), -1).astype(np.float32)
        # needs -> offers: the best offer of each candidate for each need, mean over the needs
        ab = np.mean(self.sem.offers.owner_max(asked @ self.sem.offers.matrix.T), axis=0)
        whole = self.sem.profile @ vectors.profile.astype(np.float32)
        none = np.full(n, np.nan, np.float32)
        # a candidate that only needs (a peer of the text) gets no credit for reading alike
        raw = {"sem_comp": _nanmean2(ab, none, whole, self.sem.has_side)}
        sectors = self._text_sectors(texts["profile"][0], vectors)
        # sector credit for what they offer: the best of their offers (none without offers)
        offered = np.clip(self._offer_sectors() @ sectors["query"], 0.0, 1.0)
        raw["sector"] = np.nan_to_num(self.sem.offers.owner_max(offered[None, :])[0], nan=0.0)
        spoken = meeting_languages(languages)
        if spoken:
            mine = np.array([lg in spoken for lg in self._all_langs], dtype=np.float32)
            raw["lang"] = _lang_bonus(self._lang_matrix @ mine, self._no_lang)
        else:
            raw["lang"] = np.ones(n, np.float32)
        cand = np.flatnonzero(mask)
        norm = self.normalised(raw, mask)
        norm["sector"] = norm["sector"] * sectors["confidence"]
        score = self.combine(norm)
        # only candidates with some evidence of offering it: an offer close to the text, or an
        # offer in its sectors (nonsense, or a need nobody offers, finds nobody)
        evidence = np.nan_to_num(ab[cand], nan=0.0) >= SEARCH_MIN_SIMILARITY
        if sectors["said"]:  # the text names a sector itself (else the classifier's best guess
            # for "hello world" would find a whole sector)
            evidence |= raw["sector"][cand] * sectors["confidence"] >= SEARCH_MIN_SECTOR
        cand, score = cand[evidence], score[evidence]
        if not len(cand):
            return []
        order = select(
            score, self.sem.profile[cand], self._orgs[cand], limit, 0.0, per_organisation
        )
        found = []
        for k in order:
            b = int(cand[k])
            found.append(
                Recommendation(
                    self.ids[b],
                    round(float(score[k]), 4),
                    self._search_reasons(b, asked, needs, sectors, spoken, raw),
                )
            )
        return found

    def _text_sectors(self, doc: str, vectors: ProfileVectors) -> dict:
        """The sectors inferred from a search text (``doc``, its whole-profile text; as for a
        profile that declares none): their
        ids, the vector whose product with a unit sector vector is the ranker's soft cosine
        (``query``), the confidence that scales the signal, whether the text names a sector
        itself (``said``: a keyword, or the classifier sure enough), and the scores' direction
        (for the reasons)."""
        enc = self.sector_encoder
        same = enc is not None and enc.name == self.encoder_name
        scores = sector_scores(doc, enc, vector=vectors.profile if same else None)
        said = names_a_sector(doc, enc if same else None, vectors.profile)
        inferred = _top_sectors(scores)
        powered = (inferred**self.sector_power).astype(np.float32)
        sim = self._neighbour_sim()
        norm = float(np.sqrt(powered @ sim @ powered))
        q_unit = powered / norm if norm > 0 else powered
        return {
            "ids": [SECTOR_IDS[i] for i in np.flatnonzero(inferred > 0)],
            "query": (q_unit @ sim).astype(np.float32),
            "said": said,
            "confidence": float(inferred.max(initial=0.0)),
            "direction": scores / (np.linalg.norm(scores) or 1.0),
        }

    def _search_reasons(
        self, b: int, asked: np.ndarray, needs: list[str], sectors: dict, spoken: set, raw: dict
    ) -> dict:
        rows = np.arange(self.sem.offers.offsets[b], self.sem.offers.offsets[b + 1])
        offer = None
        if len(rows):
            sims = asked @ self.sem.offers.matrix[rows].T  # (needs, offers of b)
            i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
            best = float(sims[i, j])
            agree = _agree(
                sectors["direction"][None, :],
                self._phrase_sectors("offers", rows[j : j + 1]),
                sims[i : i + 1, j : j + 1],
            )
            if best >= PAIR_REASON_MIN_SIMILARITY and bool(agree[0, 0]):
                offer = {
                    "need": needs[i],
                    "offer": self._texts[b]["offers"][j],
                    "similarity": round(best, 4),
                }
        # the sectors of what they offer (what earned the place), not those they declare
        offered = set(np.flatnonzero((self._offer_sectors()[rows] > 0).any(axis=0)).tolist())
        # only the sectors the text names itself (the classifier's guess for a text that names
        # none would read as a reason)
        shared = (
            [s for s in sectors["ids"] if SECTOR_IDS.index(s) in offered] if sectors["said"] else []
        )
        common = common_languages(spoken, self._declared_langs[b])
        return {
            "offer": offer,
            "shared_sectors": [{"id": s, "label": dict(_sector_labels(s))} for s in shared],
            "languages": {"common": common},
            "signals": {k: round(float(v[b]), 4) for k, v in raw.items() if v[b] == v[b]},
        }

    def _reasons_setup(self) -> None:
        """Per-profile sector indices and neighbour pairs, once (for the reasons); the pairs
        first, as ``_sector_nz`` says both are there."""
        self._related_ok = (sector_similarity_matrix() > 0).tolist()
        self._sector_nz = [tuple(np.flatnonzero(row > 0).tolist()) for row in self.sector_matrix]

    def _reasons(
        self, a: int, b: int, signals: Mapping[str, float], pairs: tuple | None = None
    ) -> dict:
        if self._sector_nz is None:
            self._reasons_setup()
        nza, nzb = self._sector_nz[a], self._sector_nz[b]
        shared = [SECTOR_IDS[i] for i in nza if i in nzb]
        ok = self._related_ok
        # neighbour pairs that add something: one of their sectors that is not shared already
        # ("shared: environment" and "related: urban planning <-> environment" said it twice)
        related = sorted(
            {
                (SECTOR_IDS[i], SECTOR_IDS[j])
                for i in nza
                for j in nzb
                if i != j and ok[i][j] and j not in nza
            }
        )
        ta, tb = self._texts[a], self._texts[b]
        la, lb = self._declared_langs[a], self._declared_langs[b]
        common = common_languages(la, lb)
        if not la or not lb or common:
            note = None
        else:
            note = (
                f"No common language ({'/'.join(sorted(la))} vs {'/'.join(sorted(lb))}): "
                "plan an interpreter or a bilingual colleague."
            )
        if pairs is None:
            agree = self._pairs_agree
            pairs = (
                self.sem.best_pair(a, b, ta["needs"], tb["offers"], allowed=agree),
                self.sem.best_pair(b, a, tb["needs"], ta["offers"], allowed=agree),
            )
        # a best pair that does not really match is no reason (it would read as nonsense)
        pairs = tuple(_telling(p) for p in pairs)
        shared_need = None
        if pairs[0] is None and pairs[1] is None:  # no need meets an offer: what both look for
            p = _telling(
                self.sem.best_pair(
                    a, b, ta["needs"], tb["needs"], b_side="needs", allowed=self._pairs_agree
                )
            )
            if p is not None:
                shared_need = {
                    "need": p["need"],
                    "their_need": p["offer"],
                    "similarity": p["similarity"],
                }
        return {
            "shared_sectors": [{"id": s, "label": dict(_sector_labels(s))} for s in shared],
            "related_sectors": [list(p) for p in related],
            "sectors_inferred": bool(self.sectors_inferred[a] or self.sectors_inferred[b]),
            "need_to_offer": pairs[0],
            "offer_to_need": pairs[1],
            "shared_need": shared_need,
            "languages": {"common": common, "note": note},
            "signals": {k: round(float(v), 4) for k, v in signals.items() if v == v},
        }
