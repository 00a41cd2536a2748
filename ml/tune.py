"""Tune the ranker's mixing weights on the DEVELOPMENT set only.

    python -m ml.tune [--write] [--norm z|rank]

Grid search over the signal weights (``sem_comp`` fixed to 1 as the scale anchor). Objective:
mean of NDCG@10 and cross-language recall@5 on the dev set and NDCG@10 on its English-only
subset, with a small penalty on the total
weight so that, among near-ties, the simpler mix wins. Also reports the English-only dev check
(the default must not lose to plain MiniLM there: candidates violating it are skipped).
``--write`` stores the winner in ml/weights.json (read by ml.ranker at import).

    python -m ml.tune --sector-classifier

fits the sector classifier (``ml.taxonomy``: labels, keywords and ``ml.sector_phrases``, never
the evaluation sets) for the default encoder and stores it in ml/sector_classifier.npz. Run it
after changing the taxonomy or the phrases (a stale file is detected and refitted in memory).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

from ml.evaluate import (
    build_ranker,
    english_subset,
    load_set,
    metrics_for,
    signal_tables,
    weighted_scorer,
)
from ml.ranker import SIGNALS, WEIGHTS_FILE

GRID = {
    "sem_comp": [1.0],
    "sem_whole": [0.0, 0.25, 0.5],
    "aux_comp": [0.0, 0.25, 0.5, 1.0],
    "aux_whole": [0.0],
    "word": [0.0, 0.1],
    "char": [0.0, 0.1],
    "sector": [0.5, 1.0, 1.5, 2.0, 3.0],
    "concept": [0.0, 0.5],
    # product rule: a shared language is always a (soft) bonus, never a filter
    "lang": [0.1, 0.3],
}


OPTIONS = {"sector_power": [1.0, 2.0, 3.0], "neighbour_scale": [0.0, 0.25, 0.5, 1.0]}


def objective(m: dict, en_ndcg: float) -> float:
    return (m["ndcg@10"] + m["xl_recall@5"] + en_ndcg) / 3


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--norm", default="z", choices=["z", "rank"])
    ap.add_argument("--no-english-check", action="store_true")
    ap.add_argument("--sector-classifier", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.sector_classifier:
        from ml.encoders import get_encoder
        from ml.ranker import DEFAULT_ENCODER
        from ml.taxonomy import training_hash, training_phrases, write_classifier

        n = len(training_phrases()[0])
        path = write_classifier(get_encoder(DEFAULT_ENCODER))
        print(f"sector classifier: {n} phrases, hash {training_hash()}, written to {path}")
        return
    dev = load_set("dev")
    en = english_subset(dev)
    keys = list(GRID)
    scored = []
    minilm_en = use_dev = None
    for sp, ns in itertools.product(OPTIONS["sector_power"], OPTIONS["neighbour_scale"]):
        opts = {"normalisation": args.norm, "sector_power": sp, "neighbour_scale": ns}
        tables = signal_tables(dev, build_ranker(dev, **opts))
        en_tables = signal_tables(en, build_ranker(en, **opts))
        if minilm_en is None:
            minilm_en = metrics_for(en, en_tables, lambda t: t["raw"]["aux_comp"])["ndcg@10"]
            use_dev = metrics_for(dev, tables, lambda t: t["raw"]["sem_comp"])
        for combo in itertools.product(*(GRID[k] for k in keys)):
            w = dict(zip(keys, combo, strict=True))
            m = metrics_for(dev, tables, weighted_scorer(w))
            en_ndcg = metrics_for(en, en_tables, weighted_scorer(w))["ndcg@10"]
            if en_ndcg < minilm_en and not args.no_english_check:
                continue
            scored.append((objective(m, en_ndcg) - 0.002 * sum(combo), w, m, en_ndcg, opts))
    scored.sort(key=lambda x: -x[0])
    if not scored:
        raise SystemExit(f"no weight set reaches MiniLM on English-only dev ({minilm_en:.3f})")
    _, best, m, en_ndcg, opts = scored[0]
    n_sets = len(list(itertools.product(*GRID.values()))) * len(
        list(itertools.product(*OPTIONS.values()))
    )
    print(
        f"searched {n_sets} weight/option sets ({len(scored)} pass the English check) "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    print(f"USE alone on dev: {use_dev}")
    print("top 5:")
    for obj, w, mm, e, o in scored[:5]:
        shown = {k: round(v, 4) for k, v in mm.items() if k != "per_query_ndcg"}
        print(f"  {obj:.4f} {shown} en={e:.3f} {w} {o}")
    print(f"\nchosen weights: {json.dumps(best)}\nchosen options: {json.dumps(opts)}")
    shown = {k: round(v, 4) for k, v in m.items() if k != "per_query_ndcg"}
    print(f"dev: {shown}; English-only dev NDCG@10 {en_ndcg:.3f} vs MiniLM {minilm_en:.3f}")
    if args.write:
        WEIGHTS_FILE.write_text(
            json.dumps(
                {
                    "weights": {k: best.get(k, 0.0) for k in SIGNALS},
                    "options": opts,
                    "tuned_on": "fixtures/eval/dev.json",
                    "dev_metrics": {k: v for k, v in m.items() if k != "per_query_ndcg"},
                },
                indent=1,
            )
            + "\n"
        )
        print(f"written to {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
