"""Simulated annealing on Kempe chains: fewer idle slots with the set of meetings fixed.

A move takes a meeting ``k`` in slot ``a`` and a slot ``b`` it may use, and swaps ``a`` and ``b``
for every meeting of the *Kempe chain* of ``k``: the meetings in ``a`` or ``b`` connected to ``k``
through shared participants. Nobody is ever double-booked by such a swap (each participant has at
most one meeting in ``a`` and one in ``b``, and a participant with both keeps both), and only
the participants at the ends of the chain change their busy slots, so a move's effect on idle
slots is computed from a few bit masks. A chain is refused when one of its meetings may not use
its new slot (availability, session, fixed or pinned meeting) or when a slot would hold more
shared-table meetings than it has tables. This is the classical neighbourhood of edge colouring
and exam timetabling. On the UdG instances it took tic-14crafc from 9 to 1 idle slots in 4 s,
where CP-SAT's own large-neighbourhood search stalled at 6-10 (docs/benchmarks-scheduler.md).

Objectives:
- ``total``: the total is minimised;
- ``range`` (UdG): the range of idle slots over participants with two or more meetings may not
  grow, then the total is minimised. A smaller range is kept when one is met. When everyone idles
  at least ``lo`` > 0, a first phase looks for the band one lower (``lo - 1 .. lo - 1 + range``,
  violations penalised), as on forum-13crafc, where everyone idling exactly 1 (total 58) beats
  everyone idling 2 (116); at range 0 it gets all the time left (``LOWER_BAND_ALL``). With
  ``range_phase`` (the window path with one or two CP-SAT workers, ``window.KEMPE_RANGE``), the
  range itself is narrowed first: a plain run, then a range phase (``_range_phase``: bands of
  width range - 1, lowering the top or raising the floor), then the lower band.

On a re-run, the number of meetings out of their previous slot may not grow either.
Plain Python on the solver's integer view (``solve._Inst``); no Django.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np

T_START = 0.6  # temperature: a move adding one idle slot is accepted with probability e^(-1/T)
T_END = 0.05
BAND_SHARE = 0.6  # range objective: share of the time for the lower band, when there is one
# cost of one idle slot outside the band (against one in the total), and the band's starting
# temperature: measured on forum-13crafc from "everyone idles 2" (6 seeds, 2.5 s each): "everyone
# idles 1" reached in 5 of 6 runs at 2 / 4.0, 3-4 of 6 at 3 / 4.0, 2 / 2.0 and 2 / 3.0
BAND_WEIGHT = 2.0
BAND_T_START = 4.0
# The following apply with ``range_phase`` only (the window path, see runs O and P in
# docs/benchmarks-scheduler.md). First the plain annealing (range may not grow) for this share:
# tic-14crafc 0/0 in 3 of 3 seeds with 0.25, 1/1 in 3 of 3 without (the band 0..0 of the range
# phase missed what the plain run finds)
RANGE_PRE_SHARE = 0.25
# then a *range phase* for this share of the rest (0 = none): from the best schedule at range r
# with lowest idle lo, anneal towards a band of width r - 1, alternately lo .. lo + r - 1 (lower
# the top, at most RANGE_TRY s) and lo + 1 .. lo + r (raise the floor, as "everyone idles 2"
# then 1 on forum-13crafc, at most RANGE_RAISE_TRY s), each try stopped as soon as the band is
# reached; it ends after RANGE_FAILS tries in a row without a smaller range (2 lost the range on
# forum-13crafb and ticf-13crafb in one seed of three). RANGE_RAISE_TRY 1.0 against 0.5: range 0
# on forum-13crafc in 9 of 10 seeds against 7 of 10
RANGE_SHARE = 0.6
RANGE_TRY = 1.0
RANGE_RAISE_TRY = 1.0
RANGE_FAILS = 5
RANGE_T_START = 4.0
# CP-SAT's range question (with ``cp_workers``, the window path): "any schedule one range lower?"
# on the whole instance (``window._build`` with the common band lo <= idle_p <= lo + r - 1, lo
# at most the largest own bound + window.RANGE_LO_EXTRA, the window model's usual band), at most
# this many seconds of search (building the model comes on top: a question is skipped when the
# time left is below the last build's time plus this), asked at the start of the range phase
# and after each smaller range, only when the top of the band is pinned (someone's own bound is
# at it, so the range can only shrink by raising everyone's floor). When CP-SAT shows there is
# none in that band (not a proof over every band: one where everyone idles more could remain),
# the range phase ends and its time goes to the total: forum-14 (range 4) and forumt-14*
# (range 2) are answered in about 0.02 s, where the range phase spent 4-5 s in failing tries;
# forum-14's total then averaged 8.55 against 9.75 idle slots over 20 paired 10-s runs (run R,
# 2026-11-26). 0 = never asked.
RANGE_QUESTION = 0.3
# lower band at range 0 (everyone idles lo): the total phase cannot change anything there, so the
# lower band gets all the time left instead of BAND_SHARE, and is tried again one lower when met
LOWER_BAND_ALL = True
# ... also without ``range_phase`` (run P: from run N's 0 / 116 schedules, same time, "everyone
# idles 1" in 9 of 12 runs against 2 of 12 with BAND_SHARE; restarts of 1-2 s: 1-2 of 12)
LOWER_BAND_ALL_ANY = True
# total phase: this many annealing runs one after the other, each from the best schedule and back
# at T_START (1 = one run; 3 measured no better: forum-14 7, 11, 9 against 8, 8, 8)
TOTAL_CYCLES = 1
# total phase: a second annealing chain (another seed, same starting schedule, same time) in a
# forked process, on the second core the GIL leaves idle while the annealing runs (no CP-SAT
# search runs in the total phase); the better (range, total) of the two is kept. With
# TOTAL_EXCHANGE, at half time both chains go on from the better best schedule so far. Only where
# the "fork" start method exists and with more than PARALLEL_MIN s left; 0 chains = off.
PARALLEL_CHAINS = 1
PARALLEL_MIN = 0.5
TOTAL_EXCHANGE = False


def _idle_one(x: int) -> int:
    """Idle slots of one day's busy mask (0 with fewer than two meetings)."""
    if x & (x - 1) == 0:
        return 0
    low = (x & -x).bit_length() - 1
    return x.bit_length() - low - x.bit_count()


class _Annealer:
    def __init__(self, inst, slot: np.ndarray, seed: int, keep_moves: bool):
        self.use_range = inst.problem.idle_objective == "range"
        self.keep_moves = keep_moves
        self.rng = random.Random(seed)
        # bit position of each slot: the days one after the other, each in its own order, so
        # that one day's slots are one run of bits
        self.bit = [0] * inst.S
        self.day_masks = []
        pos = 0
        for ordered in inst.days.values():
            first = pos
            for s in ordered:
                self.bit[s] = pos
                pos += 1
            self.day_masks.append(((1 << pos) - 1) ^ ((1 << first) - 1))
        self.n_slots = inst.S
        self.ks = [int(k) for k in np.nonzero(slot >= 0)[0]]
        self.dom = [tuple(int(s) for s in np.nonzero(row)[0]) for row in inst.dom]
        self.dom_set = [frozenset(d) for d in self.dom]
        self.ends = [(int(inst.a[k]), int(inst.b[k])) for k in range(inst.R)]
        self.shared = [bool(v) for v in inst.shared]
        self.tcap = [int(c) for c in inst.tcap]
        self.prev = [int(v) for v in inst.prev]
        self.P = inst.P
        meetings = [0] * inst.P
        for k in self.ks:
            for p in self.ends[k]:
                meetings[p] += 1
        self.multi = [n >= 2 for n in meetings]
        self.movable = [k for k in self.ks if len(self.dom[k]) > 1]
        self.load([int(s) for s in slot])
        self.best_key, self.best = self.key(), list(self.cur)
        self.floor = (0, 0)  # no better (range, total) can exist

    def idle_of(self, x: int) -> int:
        if len(self.day_masks) == 1:
            return _idle_one(x)
        return sum(_idle_one(x & dm) for dm in self.day_masks)

    def load(self, cur: list[int]) -> None:
        self.cur = cur
        self.at = [{} for _ in range(self.P)]  # participant -> {slot: meeting}
        self.count = [0] * self.n_slots  # shared-table meetings per slot
        self.mask = [0] * self.P
        for k in self.ks:
            s = cur[k]
            if self.shared[k]:
                self.count[s] += 1
            for p in self.ends[k]:
                self.at[p][s] = k
                self.mask[p] |= 1 << self.bit[s]
        self.idle = [self.idle_of(self.mask[p]) if self.multi[p] else 0 for p in range(self.P)]
        self.hist = [0] * (self.n_slots + 1)  # participants with >= 2 meetings by idle slots
        for p in range(self.P):
            if self.multi[p]:
                self.hist[self.idle[p]] += 1
        self.total = sum(self.idle)

    def spread(self) -> int:
        if not self.use_range:
            return 0
        hist = self.hist
        low = next((i for i, n in enumerate(hist) if n), None)
        if low is None:
            return 0  # nobody with two meetings
        high = next(i for i in range(len(hist) - 1, -1, -1) if hist[i])
        return high - low

    def key(self) -> tuple[int, int]:
        return (self.spread(), self.total)

    def lowest(self) -> int:
        return next(i for i, n in enumerate(self.hist) if n)

    def anneal(
        self,
        deadline: float,
        band: tuple[int, int] | None = None,
        t_start: float | None = None,
        stop_inside: bool = False,
    ) -> None:
        """Anneal until ``deadline``. Without ``band``: the range may not grow, the total is
        minimised. With ``band = (lo, hi)``: ``total + BAND_WEIGHT * (idle slots outside the
        band)`` is minimised, and schedules are kept as best only inside it."""
        rng, cur, at, ends = self.rng, self.cur, self.at, self.ends
        rnd, exp = rng.random, math.exp
        dom, dom_set = self.dom, self.dom_set
        shared, tcap, count, prev, bit = self.shared, self.tcap, self.count, self.prev, self.bit
        mask, idle, multi, hist, movable = self.mask, self.idle, self.multi, self.hist, self.movable
        use_range, keep_moves = self.use_range, self.keep_moves
        if not movable:
            return
        use_range = use_range and any(hist)
        n_movable = len(movable)
        capped = any(c >= 0 for c in tcap)
        one_day = len(self.day_masks) == 1
        idle_of = self.idle_of
        max_range = self.spread()
        # lowest and highest idle count among the participants with two meetings (range), kept
        # up to date move by move (measured: about 1.3-1.9 times the moves a second of a
        # rescan of the histogram per move, see run S in docs/benchmarks-scheduler.md)
        if use_range:
            lo_i = self.lowest()
            hi_i = next(i for i in range(len(hist) - 1, -1, -1) if hist[i])
        else:
            lo_i = hi_i = 0
        band_lo, band_hi = band if band else (0, 0)
        check_range = use_range and not band

        def off(v: int) -> int:
            return max(0, v - band_hi) + max(0, band_lo - v) if band else 0

        outside = sum(off(idle[p]) for p in range(self.P) if multi[p]) if band else 0
        start = time.perf_counter()
        span = max(1e-3, deadline - start)
        if t_start is None:
            t_start = BAND_T_START if band else T_START
        temp = t_start
        it = 0
        r = 0
        while True:
            it += 1
            if it & 255 == 0:
                now = time.perf_counter()
                if now >= deadline or self.best_key <= self.floor:
                    break
                temp = t_start * (T_END / t_start) ** ((now - start) / span)
            k0 = movable[int(rnd() * n_movable)]
            a = cur[k0]
            d0 = dom[k0]
            # uniform over k0's slots other than a (a is one of them, k0 is movable: >= 2)
            b = d0[int(rnd() * (len(d0) - 1))]
            if a == b:
                b = d0[-1]
            chain = [k0]
            for p in ends[k0]:  # k0 may use b (drawn from its domain)
                j = at[p].get(b)
                if j is not None and j not in chain:
                    chain.append(j)
            i = 1
            ok = True
            while i < len(chain):
                k = chain[i]
                i += 1
                other = b if cur[k] == a else a
                if other not in dom_set[k]:
                    ok = False
                    break
                for p in ends[k]:
                    j = at[p].get(other)
                    if j is not None and j not in chain:
                        chain.append(j)
            if not ok:
                continue
            if capped:
                in_a = sum(1 for k in chain if cur[k] == a and shared[k])
                in_b = sum(1 for k in chain if cur[k] == b and shared[k])
                if 0 <= tcap[a] < count[a] - in_a + in_b or 0 <= tcap[b] < count[b] - in_b + in_a:
                    continue
            if keep_moves:
                d_moved = 0
                for k in chain:
                    if prev[k] >= 0:
                        new = b if cur[k] == a else a
                        d_moved += (new != prev[k]) - (cur[k] != prev[k])
                if d_moved > 0:
                    continue
            flip = (1 << bit[a]) | (1 << bit[b])
            changes = []
            delta = d_off = 0
            ps = ends[k0] if len(chain) == 1 else {p for k in chain for p in ends[k]}
            # the range may not grow: a participant above lo_i + max_range (below hi_i -
            # max_range) makes it grow when too few others leave lo_i (hi_i) for it to move
            if check_range:
                fits_hi = lo_i + max_range if hist[lo_i] > len(ps) else 1 << 30
                fits_lo = hi_i - max_range if hist[hi_i] > len(ps) else -1
            for p in ps:
                atp = at[p]
                if a in atp and b in atp:
                    continue  # busy in both slots, before and after
                new_mask = mask[p] ^ flip
                if multi[p]:
                    if one_day:
                        if new_mask & (new_mask - 1) == 0:
                            v = 0
                        else:
                            v = (
                                new_mask.bit_length()
                                - (new_mask & -new_mask).bit_length()
                                + 1
                                - new_mask.bit_count()
                            )
                    else:
                        v = idle_of(new_mask)
                    if check_range and (v > fits_hi or v < fits_lo):
                        changes = None
                        break
                    delta += v - idle[p]
                    if band:
                        w = idle[p]
                        d_off += (
                            v - band_hi if v > band_hi else band_lo - v if v < band_lo else 0
                        ) - (w - band_hi if w > band_hi else band_lo - w if w < band_lo else 0)
                else:
                    v = 0
                changes.append((p, new_mask, v))
            if changes is None:
                continue  # the range would grow
            if use_range:
                new_lo, new_hi = lo_i, hi_i
                for p, _, v in changes:
                    if multi[p]:
                        hist[idle[p]] -= 1
                        hist[v] += 1
                        if v > new_hi:
                            new_hi = v
                        if v < new_lo:
                            new_lo = v
                while not hist[new_hi]:
                    new_hi -= 1
                while not hist[new_lo]:
                    new_lo += 1
                r = new_hi - new_lo
            cost = delta + BAND_WEIGHT * d_off if band else delta
            if (not band and r > max_range) or (cost > 0 and rnd() >= exp(-cost / temp)):
                if use_range:
                    for p, _, v in changes:
                        if multi[p]:
                            hist[v] -= 1
                            hist[idle[p]] += 1
                continue
            if use_range:
                lo_i, hi_i = new_lo, new_hi
            for k in chain:
                for p in ends[k]:
                    if at[p].get(cur[k]) == k:
                        del at[p][cur[k]]
            for k in chain:
                cur[k] = b if cur[k] == a else a
                for p in ends[k]:
                    at[p][cur[k]] = k
            if capped:
                count[a] += in_b - in_a
                count[b] += in_a - in_b
            for p, new_mask, v in changes:
                mask[p] = new_mask
                idle[p] = v
            self.total += delta
            outside += d_off
            if outside == 0 and (r, self.total) < self.best_key:
                self.best_key, self.best = (r, self.total), list(cur)
                if stop_inside:
                    break


def _own_bounds(ann: _Annealer) -> list[int] | None:
    """Per participant, the fewest idle slots it could have alone (``window.own_lower_bound``;
    0 below two meetings), for one day of slots in order; None for several days."""
    from .window import own_lower_bound

    if len(ann.day_masks) != 1:
        return None
    mine: dict[int, list[set[int]]] = {}
    for k in ann.ks:
        for p in ann.ends[k]:
            mine.setdefault(p, []).append(set(ann.dom[k]))
    out = [0] * ann.P
    for p, doms in mine.items():
        if len(doms) >= 2:
            out[p] = own_lower_bound(doms, ann.n_slots) or 0
    return out


def _range_question(ann: _Annealer, inst, bounds: list[int], cap: float, seed: int, workers: int):
    """CP-SAT's question "any schedule with range ``r - 1``?" (``r`` the best range so far, the
    common band of ``window._build``), hinted with the best schedule, for at most ``cap`` s of
    search. Returns ``(no_lower, slot, built)``: ``no_lower`` when CP-SAT showed there is none
    in that band, ``slot`` a schedule it found (or None), ``built`` the seconds building the
    model took (they come on top of ``cap``)."""
    from ortools.sat.python import cp_model

    from .solve import _cp_params, _hint, _read_slots
    from .window import RANGE_LO_EXTRA, _build

    r = ann.best_key[0]
    mine: dict[int, list[int]] = {}
    for k in ann.ks:
        for p in ann.ends[k]:
            mine.setdefault(p, []).append(k)
    multi = {p: mk for p, mk in mine.items() if len(mk) >= 2}
    lbs = {p: bounds[p] for p in multi}
    doms = {k: list(ann.dom[k]) for k in ann.ks}
    maxlb = max(lbs.values())
    common = (r - 1, max(0, maxlb - r + 1), maxlb + RANGE_LO_EXTRA)
    best = np.array(ann.best, dtype=np.int64)
    t = time.perf_counter()
    m, x = _build(inst, ann.ks, doms, multi, lbs, 0, common)
    _hint(m, x, best)
    built = time.perf_counter() - t
    solver = _cp_params(cap, seed, workers)
    solver.parameters.stop_after_first_solution = True
    st = solver.Solve(m)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, _read_slots(solver, x, best), built
    return st == cp_model.INFEASIBLE, None, built


def _range_phase(
    ann: _Annealer,
    bounds: list[int] | None,
    end: float,
    inst=None,
    seed: int = 0,
    cp_workers: int = 0,
) -> None:
    """Narrow the range (see RANGE_SHARE) until ``end``; ``ann`` is left at its best schedule.
    With ``cp_workers`` (and ``inst``), CP-SAT's range question (RANGE_QUESTION) may end it."""
    top = max(bounds) if bounds else 0
    build = 0.0  # the last question's model took this long to build

    def settled() -> bool:
        """True when CP-SAT finds no schedule one range lower in the window model's band (asked
        only when the top is pinned); a schedule it finds with a smaller range becomes the
        best."""
        nonlocal build
        if not (cp_workers > 0 and RANGE_QUESTION > 0 and top > 0 and ann.best_key[0] > 0):
            return False  # top 0 (own bounds all 0, 15 of the 20 UdG instances): never asked
        ann.load(list(ann.best))
        if ann.lowest() + ann.spread() - 1 >= top:
            return False  # the top can still come down: left to the annealing
        left = end - time.perf_counter() - build
        cap = min(RANGE_QUESTION, left)
        if cap < 0.05:
            return False  # no time left for the search once the model is built
        no_lower, out, build = _range_question(ann, inst, bounds, cap, seed, cp_workers)
        if out is not None:
            ann.load([int(v) for v in out])
            if ann.key() < ann.best_key:
                ann.best_key, ann.best = ann.key(), list(ann.cur)
            ann.load(list(ann.best))
        return no_lower

    if settled():
        return
    attempt = 0
    while ann.best_key[0] > 0 and attempt < RANGE_FAILS:
        now = time.perf_counter()
        if now >= end - 0.01:
            break
        ann.load(list(ann.best))
        r, lo = ann.spread(), ann.lowest()
        raise_floor = attempt % 2 == 1
        band = (lo + 1, lo + r) if raise_floor else (lo, lo + r - 1)
        attempt += 1
        if band[1] < top:
            if raise_floor:
                continue
            band = (lo + 1, lo + r)  # someone cannot fit under the lowered top
        before = ann.best_key
        limit = RANGE_RAISE_TRY if band[0] > lo else RANGE_TRY
        ann.anneal(min(end, now + limit), band, t_start=RANGE_T_START, stop_inside=True)
        if ann.best_key[0] < before[0]:
            attempt = 0
            if settled():
                break
    ann.load(list(ann.best))


def kempe_idle(
    inst,
    slot: np.ndarray,
    deadline: float,
    seed: int = 0,
    keep_moves: bool = False,
    range_phase: bool = False,
    cp_workers: int = 0,
) -> np.ndarray:
    """The best schedule found before ``deadline`` from ``slot`` (same meetings, other slots).
    ``range_phase``: the range objective's range is the annealing's to narrow (the window path
    with ``window.KEMPE_RANGE``): a plain run (RANGE_PRE_SHARE), the range phase (RANGE_SHARE),
    and the lower band at range 0 with all the time left (LOWER_BAND_ALL). ``cp_workers``: CP-SAT
    threads for the range phase's range question (RANGE_QUESTION; 0 = none)."""
    if not (slot >= 0).any():
        return slot
    ann = _Annealer(inst, slot, seed, keep_moves)
    bounds = _own_bounds(ann)
    # stop as soon as nothing better can exist: range 0 and the sum of the own bounds
    ann.floor = (0, sum(bounds) if bounds else 0)
    if not any(ann.hist) or ann.best_key <= ann.floor:
        return slot
    range_phase = range_phase and ann.use_range
    if range_phase and RANGE_SHARE > 0:
        if RANGE_PRE_SHARE > 0:
            now = time.perf_counter()
            ann.anneal(now + RANGE_PRE_SHARE * (deadline - now))
            ann.load(list(ann.best))
        range_end = time.perf_counter() + RANGE_SHARE * (deadline - time.perf_counter())
        _range_phase(ann, bounds, range_end, inst, seed, cp_workers)
    while ann.use_range:
        r, lo = ann.spread(), ann.lowest()
        band = (lo - 1, lo - 1 + r)
        if not (lo > 0 and (bounds is None or max(bounds) <= band[1])):
            break
        now = time.perf_counter()
        every = (range_phase or LOWER_BAND_ALL_ANY) and LOWER_BAND_ALL and r == 0
        ann.anneal(now + (1.0 if every else BAND_SHARE) * (deadline - now), band, stop_inside=every)
        ann.load(list(ann.best))  # the rest from the best schedule, at its range
        if not every or ann.lowest() >= lo:
            break
    if not _total_in_parallel(ann, deadline, seed):
        for i in range(TOTAL_CYCLES):
            if i:
                ann.load(list(ann.best))
            now = time.perf_counter()
            ann.anneal(now + (deadline - now) / (TOTAL_CYCLES - i))
    return np.array(ann.best, dtype=np.int64)


def _chain(ann: _Annealer, ends: list[float], conn) -> None:
    """The forked chain: anneal to each of ``ends``, send the best, and with more than one end
    take the other chain's best when it is better before going on."""
    try:
        for i, end in enumerate(ends):
            if i:
                key, best = conn.recv()
                if key < ann.best_key:
                    ann.best_key, ann.best = key, best
                ann.load(list(ann.best))
            ann.anneal(end)
            conn.send((ann.best_key, ann.best))
    finally:
        conn.close()


def _total_in_parallel(ann: _Annealer, deadline: float, seed: int) -> bool:
    """The total phase as two chains (PARALLEL_CHAINS); False when not run (then the caller runs
    it alone)."""
    import multiprocessing as mp

    now = time.perf_counter()
    if PARALLEL_CHAINS < 1 or deadline - now < PARALLEL_MIN or TOTAL_CYCLES != 1:
        return False
    if "fork" not in mp.get_all_start_methods() or ann.best_key <= ann.floor:
        return False
    ctx = mp.get_context("fork")
    margin = 0.02  # the child's best must reach the parent before the deadline
    ends = [deadline - margin]
    if TOTAL_EXCHANGE:
        ends = [now + 0.5 * (deadline - now), deadline - margin]
    mine, theirs = ctx.Pipe()
    rng = ann.rng
    ann.rng = random.Random(seed * 7919 + 104729)  # the child's stream (fork copies ``ann``)
    try:
        child = ctx.Process(target=_chain, args=(ann, ends, theirs), daemon=True)
        child.start()
    except Exception:  # e.g. AssertionError in a daemonic process (a Celery prefork worker)
        mine.close()
        theirs.close()
        return False  # the caller runs the total phase alone
    finally:
        ann.rng = rng
    theirs.close()
    try:
        for i, end in enumerate(ends):
            if i:
                ann.load(list(ann.best))
            ann.anneal(end if i < len(ends) - 1 else deadline - margin)
            if mine.poll(max(0.0, deadline - time.perf_counter())):
                got = mine.recv()
                if got[0] < ann.best_key:
                    ann.best_key, ann.best = got[0], list(got[1])
            if i < len(ends) - 1:
                mine.send((ann.best_key, ann.best))
    except (EOFError, OSError):
        pass
    finally:
        mine.close()
        child.join(0.05)
        if child.is_alive():
            child.kill()
            child.join()
    ann.load(list(ann.best))
    return True
