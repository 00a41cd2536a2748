"""Evaluation harness on the labelled sets in ``fixtures/eval/``.

    python -m ml.evaluate [--set dev|heldout|english|fresh|all]

Each need is a query participant (needs=[text]); every offer is a candidate participant
(offers=[text]). Metrics, averaged over needs:

* NDCG@10 with gain 2^grade - 1 (grades 0-2),
* recall@5 = |relevant in top 5| / min(5, |relevant|) (relevant = grade >= 1),
* cross-language recall@5 = the same restricted to relevant offers written in another language
  than the need.

Systems: ``default`` (the hybrid ranker with the weights in ml/weights.json, USE + MiniLM
vectors), ``default_use_only`` (same weights, only USE vectors stored: the aux signals are absent),
``default_confirmed`` (the same ranker when every item carries the sector it was written for, as
after participants confirm their sectors in the profile page; traps carry none), ``ticked``
(everyone ticks, unread, the sector the profile page proposes: ``ml.ranker.suggested_sectors``),
``default_with_peers`` (the other needs are candidates too, with grade 0: at an event,
delegations and agencies that only state needs are in every pool) and each single
signal: ``minilm`` (all-MiniLM-L6-v2 needs->offers), ``use`` (multilingual USE needs->offers),
``tfidf_word``, ``tfidf_char``, ``sectors`` (inferred sectors, soft overlap), and for reference
``naive_blend`` (unnormalised mean of MiniLM, USE and both TF-IDF cosines).
The English check: ``english`` (a separate English-only set, never tuned on) and the English-only
subset of dev (English needs against English offers only); there the default must not lose to
plain MiniLM. Cross-language recall is n/a (nan) on English-only sets. ``fresh`` is a larger
mixed-language set written blind on 2026-11-26 (used once, to decide on the extra classifier
phrases). Under each table: the default minus MiniLM and minus USE with a 95 % paired bootstrap
interval over the set's queries; then, besides sector inference and reasons, what the nonsense
texts of ``fixtures/eval/nonsense.json`` find in the search box among the set's offers (and,
once, among the demo event's participants).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ml.encoders import MINILM, get_encoder
from ml.ranker import (
    DEFAULT_ENCODER,
    DEFAULT_WEIGHTS,
    Ranker,
    encode_profiles,
    suggested_sectors,
)
from ml.taxonomy import SECTOR_IDS, keyword_scores, sector_scores
from ml.text import ProfileText, profile_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "eval"
SINGLE = {
    "minilm": "aux_comp",
    "use": "sem_comp",
    "tfidf_word": "word",
    "tfidf_char": "char",
    "sectors": "sector",
}


def load_set(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def english_subset(data: dict) -> dict:
    needs = [n for n in data["needs"] if n["lang"] == "en"]
    offers = [o for o in data["offers"] if o["lang"] == "en"]
    keep = {o["id"] for o in offers}
    qrels = {n["id"]: {o: g for o, g in data["qrels"][n["id"]].items() if o in keep} for n in needs}
    needs = [n for n in needs if qrels[n["id"]]]
    return {"name": data["name"] + "-en", "needs": needs, "offers": offers, "qrels": qrels}


def written_for(item_id: str) -> str | None:
    """The sector an evaluation item was written for (its id prefix; traps have none)."""
    sector = re.sub(r"-[no]\d+$", "", item_id)
    return sector if sector in SECTOR_IDS else None


def profiles_of(data: dict, confirmed: bool = False, ticked: bool = False) -> list[ProfileText]:
    """Text-only profiles (sectors inferred), or with ``confirmed`` the sector each item was
    written for, as a participant who confirms their sector in the profile page would, or with
    ``ticked`` the sector that page proposes, as one who ticks it without reading it."""
    if ticked:
        plain = profiles_of(data)
        enc = get_encoder(DEFAULT_ENCODER)
        vecs = _encode(plain, DEFAULT_ENCODER)
        return [
            replace(p, sectors=suggested_sectors(profile_document(p), enc, vecs[p.id].profile))
            for p in plain
        ]

    def secs(item):
        s = written_for(item["id"]) if confirmed else None
        return [s] if s else []

    out = []
    for n in data["needs"]:
        out.append(
            ProfileText(n["id"], n["id"], n["kind"], n["languages"], "", [], [n["text"]], secs(n))
        )
    for o in data["offers"]:
        out.append(
            ProfileText(o["id"], o["id"], o["kind"], o["languages"], "", [o["text"]], [], secs(o))
        )
    return out


_ENC_CACHE: dict = {}


def _encode(profiles: list[ProfileText], encoder: str) -> dict:
    out, todo = {}, []
    for p in profiles:
        k = (encoder, tuple(p.needs), tuple(p.offers), p.description)
        if k in _ENC_CACHE:
            out[p.id] = _ENC_CACHE[k]
        else:
            todo.append((k, p))
    if todo:
        vecs = encode_profiles([p for _, p in todo], get_encoder(encoder))
        for k, p in todo:
            _ENC_CACHE[k] = out[p.id] = vecs[p.id]
    return out


def build_ranker(
    data: dict,
    weights=None,
    with_aux: bool = True,
    confirmed: bool = False,
    ticked: bool = False,
    **kw,
) -> Ranker:
    profiles = profiles_of(data, confirmed, ticked)
    extra = {MINILM: _encode(profiles, MINILM)} if with_aux else None
    return Ranker(
        profiles,
        _encode(profiles, DEFAULT_ENCODER),
        encoder=DEFAULT_ENCODER,
        extra_vectors=extra,
        weights=weights,
        **kw,
    )


def signal_tables(data: dict, ranker: Ranker, peers: bool = False) -> list[dict]:
    """Per need: offer ids (candidate order) and normalised + raw signals over the offers.

    With ``peers`` the other needs are candidates too (grade 0: not what the need asks for), as
    at a real event where delegations and agencies that only state needs are in the pool."""
    need_ids = [n["id"] for n in data["needs"]]
    out = []
    for nid in need_ids:
        a = ranker.index[nid]
        mask = ranker.eligible(a, exclude=[] if peers else need_ids)
        raw = ranker.raw_signals(a)
        out.append(
            {
                "need": nid,
                "cands": [ranker.ids[j] for j in np.flatnonzero(mask)],
                "raw": {k: v[mask] for k, v in raw.items()},
                "norm": ranker.normalised(raw, mask, a),
            }
        )
    return out


def _dcg(gains: np.ndarray) -> float:
    return float(np.sum((2.0**gains - 1) / np.log2(np.arange(2, len(gains) + 2))))


def metrics_for(data: dict, tables: list[dict], scorer) -> dict[str, float]:
    lang = {x["id"]: x["lang"] for x in data["needs"] + data["offers"]}
    ndcg, rec, xl = [], [], []
    for t in tables:
        q = data["qrels"][t["need"]]
        s = np.asarray(scorer(t), dtype=np.float64)
        order = np.argsort(-s, kind="stable")
        ranked = [t["cands"][i] for i in order]
        gains = np.array([q.get(c, 0) for c in ranked[:10]], dtype=np.float64)
        ideal = np.array(sorted(q.values(), reverse=True)[:10], dtype=np.float64)
        ndcg.append(_dcg(gains) / _dcg(ideal) if len(ideal) else 0.0)
        top5 = set(ranked[:5])
        rel = set(q)
        rec.append(len(rel & top5) / min(5, len(rel)))
        xrel = {o for o in rel if lang[o] != lang[t["need"]]}
        if xrel:
            xl.append(len(xrel & top5) / min(5, len(xrel)))
    return {
        "ndcg@10": float(np.mean(ndcg)),
        "recall@5": float(np.mean(rec)),
        "xl_recall@5": float(np.mean(xl)) if xl else float("nan"),
        "per_query_ndcg": ndcg,  # in the order of ``tables``, for paired comparisons
    }


def paired_bootstrap(a, b, n: int = 5000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``a - b`` over queries and its 95 % percentile-bootstrap interval (queries
    resampled with replacement, both systems together): how sure a difference is on few queries."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(n, len(d)))].mean(axis=1)
    return float(d.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def weighted_scorer(weights):
    def score(t):
        total = np.zeros(len(t["cands"]))
        for k, w in weights.items():
            if w and k in t["norm"]:
                total = total + w * t["norm"][k]
        return total

    return score


def evaluate(data: dict, weights=None) -> dict[str, dict[str, float]]:
    weights = DEFAULT_WEIGHTS if weights is None else weights
    ranker = build_ranker(data)
    tables = signal_tables(data, ranker)
    res = {"default": metrics_for(data, tables, weighted_scorer(weights))}
    # the same with the other needs in the pool (peers that seek, not offer)
    res["default_with_peers"] = metrics_for(
        data, signal_tables(data, ranker, peers=True), weighted_scorer(weights)
    )
    # the same weights when only the default encoder's vectors are stored (no MiniLM vectors)
    use_ranker = build_ranker(data, with_aux=False)
    use_only = signal_tables(data, use_ranker)
    res["default_use_only"] = metrics_for(data, use_only, weighted_scorer(weights))
    # each need typed into the search box (``Ranker.search``, the default weights)
    if weights is DEFAULT_WEIGHTS:
        res["search"] = metrics_for(data, use_only, _search_scorer(data, use_ranker))
    # the same ranker once participants have confirmed their sectors (the profile page asks)
    confirmed = signal_tables(data, build_ranker(data, with_aux=False, confirmed=True))
    res["default_confirmed"] = metrics_for(data, confirmed, weighted_scorer(weights))
    # ... or once everyone ticked the sector that page proposes, right or wrong
    ticked = signal_tables(data, build_ranker(data, with_aux=False, ticked=True))
    res["ticked"] = metrics_for(data, ticked, weighted_scorer(weights))
    for name, sig in SINGLE.items():
        res[name] = metrics_for(data, tables, lambda t, s=sig: t["raw"][s])
    # for reference: a naive blend (plain mean of raw MiniLM, USE and TF-IDF cosines)
    res["naive_blend"] = metrics_for(
        data,
        tables,
        lambda t: (
            (t["raw"]["aux_comp"] + t["raw"]["sem_comp"] + t["raw"]["char"] + t["raw"]["word"]) / 4
        ),
    )
    return res


def _search_scorer(data: dict, ranker: Ranker):
    """Scores of the offers when each need's text is searched for as its reader would (the
    other needs left out, as in the default tables)."""
    needs = [n["id"] for n in data["needs"]]
    found = {}
    for n in data["needs"]:
        others = [x for x in needs if x != n["id"]]
        hits = ranker.search(n["text"], limit=len(data["offers"]), reader=n["id"], exclude=others)
        found[n["id"]] = {h.participant_id: h.score for h in hits}
    return lambda t: [found[t["need"]].get(c, -1e9) for c in t["cands"]]


def load_nonsense() -> list[str]:
    """Texts that ask for nothing (keyboard mashes, numbers, stop words and greetings in
    fr/en/ar, lorem ipsum, emoji, punctuation): the search should find nobody for them."""
    return json.loads((FIXTURES / "nonsense.json").read_text(encoding="utf-8"))


def nonsense_found(ranker: Ranker, pool: list[str] | None = None) -> dict[str, float]:
    """What the nonsense texts find when typed into the search box (no reader, the candidates
    ``pool``, every profile without one): the ``share`` of them that find anyone and the
    ``mean`` number found."""
    texts = load_nonsense()
    keep = set(ranker.ids) if pool is None else set(pool)
    exclude = [i for i in ranker.ids if i not in keep]
    counts = [len(ranker.search(t, limit=len(ranker.ids), exclude=exclude)) for t in texts]
    return {
        "texts": len(texts),
        "share": float(np.mean([c > 0 for c in counts])),
        "mean": float(np.mean(counts)),
    }


def demo_ranker() -> Ranker:
    """The ranker of the demo event (fixtures/smart_city_expo_2018.json: 293 participants,
    about 500 offer phrases), text only, as the search page sees it."""
    path = FIXTURES.parent / "smart_city_expo_2018.json"
    profiles = [
        ProfileText(
            p["ref"],
            p.get("organisation", ""),
            p.get("kind", ""),
            p.get("languages", []),
            p.get("description", ""),
            p.get("offers", []),
            p.get("needs", []),
            p.get("sectors", []),
        )
        for p in json.loads(path.read_text(encoding="utf-8"))["participants"]
    ]
    return Ranker(profiles, _encode(profiles, DEFAULT_ENCODER), encoder=DEFAULT_ENCODER)


def print_nonsense(title: str, nf: dict) -> None:
    print(
        f"nonsense ({nf['texts']} texts) searched {title}: {nf['share']:.3f} find anyone, "
        f"{nf['mean']:.2f} found on average"
    )


def default_uses_aux(weights=None) -> bool:
    w = DEFAULT_WEIGHTS if weights is None else weights
    return bool(w.get("aux_comp") or w.get("aux_whole"))


def sector_accuracy(data: dict) -> dict[str, float]:
    """Top-1 accuracy of sector inference against the sector each item was written for."""
    enc = get_encoder(DEFAULT_ENCODER)
    items = [x for x in data["needs"] + data["offers"] if written_for(x["id"])]
    # the whole-profile vectors the ranker already encoded (cached): each item is one phrase
    cached = _encode(profiles_of(data), DEFAULT_ENCODER)
    vecs = [cached[x["id"]].profile for x in items]
    kw = ok = 0
    for x, v in zip(items, vecs, strict=True):
        kw += SECTOR_IDS[int(np.argmax(keyword_scores(x["text"])))] == written_for(x["id"])
        ok += SECTOR_IDS[int(np.argmax(sector_scores(x["text"], enc, v)))] == written_for(x["id"])
    return {
        "items": len(items),
        "keywords": kw / len(items),
        "classifier+keywords": ok / len(items),
    }


def reason_quality(data: dict, limit: int = 10) -> dict[str, float]:
    """How often the "you need X, they offer Y" reason of the default ranker's top ``limit``
    quotes a pair whose offer is relevant: ``shown`` reasons, ``precision`` (relevant among
    those shown) and ``coverage`` (relevant recommendations that carry one)."""
    ranker = build_ranker(data, with_aux=False)
    shown = right = relevant = 0
    for need in data["needs"]:
        grades = data["qrels"].get(need["id"], {})
        for rec in ranker.recommend(need["id"], limit=limit):
            rel = grades.get(rec.participant_id, 0) > 0
            has = rec.reasons["need_to_offer"] is not None
            shown += has
            right += has and rel
            relevant += rel
    return {
        "shown": shown,
        "wrong": shown - right,
        "precision": right / shown if shown else float("nan"),
        "coverage": right / relevant if relevant else float("nan"),
    }


def print_table(title: str, res: dict) -> None:
    print(f"\n## {title}")
    print(f"{'system':<18} {'NDCG@10':>8} {'R@5':>7} {'xl-R@5':>7}")
    for name, m in res.items():
        print(f"{name:<18} {m['ndcg@10']:>8.3f} {m['recall@5']:>7.3f} {m['xl_recall@5']:>7.3f}")
    parts = []
    for other in ("minilm", "use"):
        diff, lo, hi = paired_bootstrap(
            res["default"]["per_query_ndcg"], res[other]["per_query_ndcg"]
        )
        parts.append(f"{other} {diff:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    n = len(res["default"]["per_query_ndcg"])
    print(f"default minus: {'; '.join(parts)} (NDCG@10, 95 % paired bootstrap over {n} queries)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--set", default="all", choices=["dev", "heldout", "english", "fresh", "all"])
    args = ap.parse_args(argv)
    names = ["dev", "heldout", "english", "fresh"] if args.set == "all" else [args.set]
    t0 = time.perf_counter()
    print(f"default encoder: {DEFAULT_ENCODER}; weights: {DEFAULT_WEIGHTS}")
    for name in names:
        data = load_set(name)
        print_table(
            f"{name}: {len(data['needs'])} needs x {len(data['offers'])} offers", evaluate(data)
        )
        acc = sector_accuracy(data)
        print(
            f"sector inference, top-1 accuracy over {acc['items']} items: keywords only "
            f"{acc['keywords']:.3f}, classifier + keywords (default) "
            f"{acc['classifier+keywords']:.3f}"
        )
        rq = reason_quality(data)
        print(
            f"need -> offer reasons in the top 10: {rq['shown']} shown, {rq['wrong']} for an "
            f"offer that is not relevant (precision {rq['precision']:.3f}); "
            f"relevant offers with one {rq['coverage']:.3f}"
        )
        print_nonsense(
            f"among the {len(data['offers'])} offers",
            nonsense_found(build_ranker(data, with_aux=False), [o["id"] for o in data["offers"]]),
        )
        if name == "dev":
            sub = english_subset(data)
            print_table(
                f"dev English-only subset: {len(sub['needs'])} needs x {len(sub['offers'])} offers",
                evaluate(sub),
            )
    print_nonsense("among the demo event's 293 participants", nonsense_found(demo_ranker()))
    print(f"\n({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
