"""Benchmarks: ``python -m matchmaking.scheduler.bench [--udg DIR] [--synthetic N] [--tables T]
[--replan]``."""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

from . import kempe
from .model import Problem
from .reference import load_reference
from .solve import FAIR_WEIGHT_SHARE, solve
from .synthetic import generate
from .udg import read_dzn
from .validate import validate

DEFAULT_UDG = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "b2b-udg"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare_reference(name: str, idle_range: int, idle_total: int, refs: dict) -> tuple[str, str]:
    """("ref range/total" cell, "= ref?" cell) for one UdG result against ``udg_reference.json``.

    "=" equal, "better" lexicographically smaller (range, total) than the reference (which is
    then not optimal), "worse" larger; a reference figure not proven optimal is marked "*"."""
    ref = refs.get(name)
    if not ref or ref.get("range") is None:
        return "-", "-"
    cell = f"{ref['range']}/{ref['total']}"
    if not ref.get("range_proven"):
        cell += "*"
    elif not ref.get("total_proven"):
        cell += "+"
    mine, theirs = (idle_range, idle_total), (ref["range"], ref["total"])
    verdict = "=" if mine == theirs else ("better" if mine < theirs else "worse")
    return cell, verdict


def bench_udg(
    directory: Path,
    time_limit: float,
    workers: int,
    refs: dict | None = None,
    only: list[str] | None = None,
    seed: int = 0,
) -> bool:
    files = sorted(directory.glob("*.dzn"))
    if only:
        files = [f for f in files if f.name.removesuffix(".original.dzn") in only]
    if not files:
        print(f"no .dzn files in {directory}")
        return False
    refs = load_reference() if refs is None else refs
    print(
        f"{'instance':<18}{'sched/req':>10}{'idle tot':>9}{'range':>6}{'max':>5}{'sec':>7}"
        f"{'ref r/tot':>11}{'= ref?':>8}  valid"
    )
    ok = True
    for f in files:
        prob = read_dzn(f)
        t = time.perf_counter()
        res = solve(prob, time_limit=time_limit, workers=workers, seed=seed)
        sec = time.perf_counter() - t
        errs = validate(prob, res)
        ok &= not errs and res.stats.scheduled == res.stats.requested
        s = res.stats
        name = f.name.removesuffix(".original.dzn")
        cell, verdict = compare_reference(name, s.idle_range, s.idle_total, refs)
        print(
            f"{name:<18}{s.scheduled:>5}/{s.requested:<4}{s.idle_total:>9}{s.idle_range:>6}"
            f"{s.idle_max:>5}{sec:>7.2f}{cell:>11}{verdict:>8}  {'ok' if not errs else errs[:2]}",
            flush=True,
        )
    if refs:
        print("ref: udg_reference.json (python -m matchmaking.scheduler.reference); * range not")
        print("proven optimal, + range proven but total not proven optimal")
    return ok


def _synthetic_row(label: str, prob: Problem, time_limit: float, workers: int, **kw):
    """Solve and print one row (bound, weight, fairness, idle, time, memory); ``(res, valid)``."""
    t = time.perf_counter()
    res = solve(prob, time_limit=time_limit, workers=workers, **kw)
    sec = time.perf_counter() - t
    errs = validate(prob, res)
    s = res.stats
    pct = 100 * s.scheduled / max(1, s.upper_bound)
    per = Counter()
    req = {r.id: r for r in prob.requests}
    for asg in res.assignments:
        per[req[asg.request_id].a] += 1
        per[req[asg.request_id].b] += 1
    one = sum(1 for v in per.values() if v == 1)
    lp0 = s.phases.get("lp_without_meeting")
    print(
        f"{label:<22}{s.scheduled:>8}{s.upper_bound:>8}{pct:>8.2f}"
        f"{s.weight_scheduled:>8}{s.weight_upper_bound:>9.0f}"
        f"{s.participants_without_meeting_possible:>6}{'-' if lp0 is None else round(lp0):>6}"
        f"{one:>6}{s.idle_total:>8}{s.idle_max:>5}"
        f"{s.idle_range:>6}{sec:>7.1f}{_rss_mb():>8.0f}  {'ok' if not errs else errs[:2]}",
        flush=True,
    )
    return res, not errs


def _perturb(prob: Problem, share: float, seed: int) -> Problem:
    """Change the availability of ``share`` of the participants (lose a half-day block)."""
    rng = random.Random(seed)
    parts = list(prob.participants)
    days: dict[int, list[int]] = {}
    for s, d in enumerate(prob.slot_day):
        days.setdefault(d, []).append(s)
    for i in rng.sample(range(len(parts)), int(share * len(parts))):
        p = parts[i]
        avail = set(range(prob.n_slots) if p.available is None else p.available)
        slots = days[rng.choice(list(days))]
        half = slots[: len(slots) // 2] if rng.random() < 0.5 else slots[len(slots) // 2 :]
        avail -= set(half)
        if not avail:
            avail = {slots[0]}
        parts[i] = dataclasses.replace(p, available=frozenset(avail))
    return dataclasses.replace(prob, participants=tuple(parts))


def _could_stay(prob: Problem, previous: dict) -> int:
    parts = {p.id: p for p in prob.participants}
    n = 0
    for r in prob.requests:
        s = previous.get(r.id)
        if s is None:
            continue
        ok = r.allowed is None or s in r.allowed
        for pid in (r.a, r.b):
            av = parts[pid].available
            ok &= av is None or s in av
        n += ok
    return n


def _replan(label: str, prob: Problem, res, time_limit: float, workers: int, seed: int, **kw):
    """Re-run after 5% of the participants lost a half day; print how many of the meetings that
    could stay in their slot moved (or were dropped)."""
    previous = {a.request_id: a.slot for a in res.assignments}
    changed = dataclasses.replace(_perturb(prob, 0.05, seed + 1), previous=previous)
    stay = _could_stay(changed, previous)
    res2, ok = _synthetic_row(label, changed, time_limit, workers, seed=seed, **kw)
    now = {a.request_id: a.slot for a in res2.assignments}
    moved_stayable = sum(
        1
        for r in changed.requests
        if r.id in previous
        and now.get(r.id) != previous[r.id]
        and _could_stay(dataclasses.replace(changed, requests=(r,)), previous)
    )
    print(
        f"re-plan: {stay} of {len(previous)} previous meetings could stay; "
        f"{moved_stayable} of them moved or dropped "
        f"({100 * moved_stayable / max(1, stay):.2f}%); in all {res2.stats.moved} moved, "
        f"{res2.stats.dropped} dropped",
        flush=True,
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--udg", type=Path, default=DEFAULT_UDG, help="directory of UdG .dzn files")
    ap.add_argument("--synthetic", type=int, default=5000, help="participants (0 = skip)")
    ap.add_argument("--requests", type=int, default=None, help="default: 6 per participant")
    ap.add_argument("--tables", type=int, default=300)
    ap.add_argument("--replan", action="store_true", help="also run the re-plan checks")
    ap.add_argument(
        "--replan-udg",
        default="forum-14",
        help="UdG instance for the exact path's re-plan check ('' = skip)",
    )
    ap.add_argument("--no-udg", action="store_true")
    ap.add_argument("--udg-time", type=float, default=10.0)
    ap.add_argument("--udg-only", action="append", default=[], help="UdG instance (repeatable)")
    ap.add_argument("--time", type=float, default=55.0, help="time limit for synthetic runs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--fair-share",
        type=float,
        default=FAIR_WEIGHT_SHARE,
        help="share of the weight the fairness stage may give up for participants without a "
        f"meeting (default {FAIR_WEIGHT_SHARE}; 0 = weight strictly first)",
    )
    args = ap.parse_args(argv)
    kempe.ready()  # the compile, once per process (under 1 s from numba's cache): not timed
    fair = {"fair_weight_share": args.fair_share}
    ok = True
    if not args.no_udg:
        ok &= bench_udg(
            args.udg.resolve(), args.udg_time, args.workers, only=args.udg_only, seed=args.seed
        )
    if args.synthetic:
        n = args.synthetic
        m = args.requests or 6 * n
        print(
            "\nzero: participants without a meeting although one was possible; lp0: the same in"
            " the LP optimum (weight first, then participants with a meeting; with weight ="
            " w-bound, no schedule of that weight has fewer); one: participants with exactly one"
            " meeting; rss MB: peak of this process so far"
        )
        print(
            f"{'synthetic':<22}{'sched':>8}{'bound':>8}{'%bound':>8}{'weight':>8}{'w-bound':>9}"
            f"{'zero':>6}{'lp0':>6}{'one':>6}{'idle':>8}{'max':>5}{'range':>6}{'sec':>7}"
            f"{'rss MB':>8}  valid"
        )
        prob = generate(n, m, seed=args.seed)
        res, v = _synthetic_row(f"{n}p/{m}r no cap", prob, args.time, args.workers, **fair)
        ok &= v
        if args.tables:
            prob_t = generate(n, m, tables=args.tables, seed=args.seed)
            _, v = _synthetic_row(
                f"{n}p/{m}r {args.tables} tables", prob_t, args.time, args.workers, **fair
            )
            ok &= v
        if args.replan:
            ok &= _replan(
                "re-plan (5% avail.)", prob, res, args.time, args.workers, args.seed, **fair
            )
    if args.replan and args.replan_udg:
        # the small (CP-SAT) path: one UdG instance, then 5% of its participants lose a half day
        name = args.replan_udg
        path = args.udg.resolve() / f"{name}.original.dzn"
        if not path.exists():
            print(f"\nre-plan on the exact path skipped: no {path}")
            return 0 if ok else 1
        prob = read_dzn(path)
        print(f"\nre-plan on the exact path: {name} ({args.udg_time:g} s per run)")
        print(
            f"{'run':<22}{'sched':>8}{'bound':>8}{'%bound':>8}{'weight':>8}{'w-bound':>9}"
            f"{'zero':>6}{'lp0':>6}{'one':>6}{'idle':>8}{'max':>5}{'range':>6}{'sec':>7}"
            f"{'rss MB':>8}  valid"
        )
        res, v = _synthetic_row(name, prob, args.udg_time, args.workers, seed=args.seed)
        ok &= v
        ok &= _replan(f"{name} re-plan", prob, res, args.udg_time, args.workers, args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
