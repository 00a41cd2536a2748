"""Speed benchmark.

    python -m ml.bench [--n 10000] [--encoder use-multilingual] [--out /tmp/ml-bench]

1. embeds N synthetic profiles (~80-word description + 2 needs + 2 offers, FR/EN/AR sentences
   from the evaluation fixtures, shuffled) with the encoder: whole profile + every phrase;
2. changes 1% of the profiles and re-embeds only those whose content hash changed;
3. exact top-20 for all N profiles (whole-profile vectors, chunked matrix product) in a fresh
   subprocess, reporting its peak RSS (ru_maxrss);
4. builds the hybrid Ranker over the N profiles and times one participant's list;
5. in a fresh subprocess: builds the Ranker and computes top-``k`` lists with reasons for all N
   participants with the two-stage ``Ranker.recommend_many``; reports its time (per stage), the
   peak RSS of that process, and the top-10 overlap with ``Ranker.recommend`` on 50 participants.

``--encoder hashing-512`` gives vectors of the same shape as USE in seconds (for timing the
ranking steps without the ~15-20 min of USE embedding; the sector inference then uses keywords +
the hashing prototypes, so rankings differ from production, speeds do not).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ml.ranker import DEFAULT_ENCODER, ProfileVectors, Ranker, encode_profiles
from ml.text import ProfileText, content_hash

KINDS = ["exhibitor", "startup", "investor", "delegation"]
LANGS = [["fr"], ["ar"], ["en"], ["fr", "ar"], ["en", "fr"]]


def synthetic_profiles(n: int, seed: int = 0) -> list[ProfileText]:
    from ml.evaluate import load_set

    pool = [
        x["text"] for s in ("dev", "heldout") for x in load_set(s)["needs"] + load_set(s)["offers"]
    ]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        desc = []
        while sum(len(d.split()) for d in desc) < 15:
            desc.append(pool[rng.integers(len(pool))])
        out.append(
            ProfileText(
                id=f"p{i}",
                org=f"org{i // 2}",
                kind=KINDS[i % 4],
                languages=LANGS[i % 5],
                description=f"Organisation {i}. " + " ".join(desc),
                offers=[pool[j] for j in rng.integers(len(pool), size=2)],
                needs=[pool[j] for j in rng.integers(len(pool), size=2)],
                accepts_same_kind=bool(i % 2),
            )
        )
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def topk_stage(path: str, k: int) -> None:
    from ml.topk import topk_all, topk_one

    m = np.load(path)
    t0 = time.perf_counter()
    idx, _ = topk_all(m, k=k, chunk=1024)
    t_all = time.perf_counter() - t0
    t0 = time.perf_counter()
    for q in range(100):
        topk_one(m, m[q], k)
    t_one = (time.perf_counter() - t0) / 100
    print(
        json.dumps(
            {
                "n": len(m),
                "topk_all_s": t_all,
                "topk_one_ms": t_one * 1000,
                "maxrss_mb": _rss_mb(),
                "shape": list(idx.shape),
            }
        )
    )


def many_stage(path: str, k: int, pool: int) -> None:
    """Step 5 (fresh process): Ranker build + recommend_many for everyone, peak RSS."""
    with open(path, "rb") as f:
        encoder, profiles, blobs = pickle.load(f)
    vecs = {pid: ProfileVectors.from_bytes(b) for pid, b in blobs.items()}
    del blobs
    t0 = time.perf_counter()
    ranker = Ranker(profiles, vecs, encoder=encoder)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    lists = ranker.recommend_many(limit=k, pool_size=pool)
    t_many = time.perf_counter() - t0
    rss = _rss_mb()
    rng = np.random.default_rng(2)
    overlap = []
    for j in rng.choice(len(profiles), size=min(50, len(profiles)), replace=False):
        pid = profiles[j].id
        one = {r.participant_id for r in ranker.recommend(pid, limit=10)}
        got = {r.participant_id for r in lists[pid][:10]}
        overlap.append(len(one & got) / max(len(one), 1))
    print(
        json.dumps(
            {
                "ranker_build_s": build,
                "recommend_many_s": t_many,
                "stages_s": ranker.batch_timings,
                "pool_size": pool,
                "lists": len(lists),
                "with_reasons": all(r.reasons for v in lists.values() for r in v),
                "maxrss_mb": rss,
                "top10_overlap_with_recommend_50": float(np.mean(overlap)),
            }
        )
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--encoder", default=DEFAULT_ENCODER)
    ap.add_argument("--out", default="/tmp/ml-bench")
    ap.add_argument("--topk-stage", help=argparse.SUPPRESS)
    ap.add_argument("--many-stage", help=argparse.SUPPRESS)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--pool", type=int, default=300, help="recommend_many pool size")
    args = ap.parse_args(argv)
    if args.topk_stage:
        return topk_stage(args.topk_stage, args.k)
    if args.many_stage:
        return many_stage(args.many_stage, args.k, args.pool)

    from ml.encoders import get_encoder

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    res: dict = {"n": args.n, "encoder": args.encoder}
    profiles = synthetic_profiles(args.n)
    res["avg_words_per_profile"] = float(
        np.mean([len(" ".join([p.description, *p.needs, *p.offers]).split()) for p in profiles])
    )
    t0 = time.perf_counter()
    enc = get_encoder(args.encoder)
    enc.encode(["warm up"])
    res["load_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    vecs = encode_profiles(profiles, enc, batch_size=256)
    res["embed_all_s"] = time.perf_counter() - t0
    res["texts_embedded"] = args.n * 5
    print(f"embedded {args.n} profiles in {res['embed_all_s']:.1f} s", flush=True)
    hashes = {p.id: content_hash(p, enc.name) for p in profiles}

    # change 1% of the profiles, re-embed only what changed
    rng = np.random.default_rng(1)
    for j in rng.choice(args.n, size=args.n // 100, replace=False):
        profiles[j].needs = [*profiles[j].needs, "Nous cherchons aussi un partenaire local."]
    t0 = time.perf_counter()
    new_hashes = {p.id: content_hash(p, enc.name) for p in profiles}
    changed = [p for p in profiles if new_hashes[p.id] != hashes[p.id]]
    vecs.update(encode_profiles(changed, enc, batch_size=256))
    res["reembed_changed"] = len(changed)
    res["reembed_s"] = time.perf_counter() - t0

    mat = np.vstack([vecs[p.id].profile for p in profiles]).astype(np.float32)
    np.save(out / "profiles.npy", mat)
    blob = sum(len(v.to_bytes()) for v in vecs.values())
    res["storage_bytes_per_profile"] = blob / args.n
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ml.bench",
            "--topk-stage",
            str(out / "profiles.npy"),
            "--k",
            str(args.k),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    res["topk"] = json.loads(proc.stdout.strip().splitlines()[-1])

    t0 = time.perf_counter()
    ranker = Ranker(profiles, vecs, encoder=enc.name)
    res["ranker_build_s"] = time.perf_counter() - t0
    ranker.recommend(profiles[0].id, limit=20)
    times = []
    for p in profiles[1:51]:
        t0 = time.perf_counter()
        ranker.recommend(p.id, limit=20)
        times.append(time.perf_counter() - t0)
    res["ranker_one_ms_median"] = float(np.median(times) * 1000)
    res["ranker_all_s_extrapolated"] = float(np.mean(times) * args.n)
    res["maxrss_mb_main_process"] = _rss_mb()
    del ranker
    with open(out / "event.pkl", "wb") as f:
        blobs = {pid: v.to_bytes() for pid, v in vecs.items()}
        pickle.dump((enc.name, profiles, blobs), f)
    del blobs
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ml.bench",
            "--many-stage",
            str(out / "event.pkl"),
            "--k",
            str(args.k),
            "--pool",
            str(args.pool),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    res["recommend_many"] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(res, indent=1))
    (out / "result.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

__all__ = ["ProfileVectors", "synthetic_profiles"]
