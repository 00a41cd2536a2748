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
The moves run in a loop compiled by numba (``_moves``) on numpy arrays built from the solver's
integer view (``solve._Inst``); the phases around it are plain Python. No Django.
"""

from __future__ import annotations

import time

import numba
import numpy as np
from numba.cpython.unsafe.numbers import leading_zeros, trailing_zeros

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
# reached; it ends after RANGE_FAILS tries in a row without a smaller range. With the compiled
# loop (run AD, 2026-11-27): tries of 0.5 s (about 10 s of the plain-Python loop's moves) and 2
# fails (one "lower the top", one "raise the floor"). Traced on forum-13crafb and ticf-13crafb,
# range 2 (the proven optimum) came in the pre-run or the first try (within 0.45 s), and the
# 4-5 failed 1-s tries at range 1 (about 4 s) left the total phase 2.6-2.9 s of the 10; now about
# 5.9 s: over 10 paired seeds, mean totals 21.0 -> 19.9 and 17.6 -> 16.4, range kept 20 of 20;
# forum-13crafc and ticf-13crafc still reach range 0 (after a failed "lower the top" try, the
# "raise the floor" try 1 -> 0 succeeded within 0.20-0.28 s). With the plain-Python loop, 1-s
# tries and 5 fails were measured as better (2 fails lost the range on forum-13crafb and
# ticf-13crafb in one seed of three; RANGE_RAISE_TRY 1.0 against 0.5: range 0 on forum-13crafc
# in 9 of 10 seeds against 7 of 10)
RANGE_SHARE = 0.6
RANGE_TRY = 0.5
RANGE_RAISE_TRY = 0.5
RANGE_FAILS = 2
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
# total phase: this many annealing cycles one after the other, each an equal share of the time,
# the first from T_START, the next ones from the chain's own best schedule at TOTAL_REHEAT_T
# (None = T_START), in each of the two chains (PARALLEL_CHAINS) or in the one; only with the
# range phase and without a previous schedule (not the large path nor re-plans). Run AE (eighteenth
# session, compiled loop, two chains): 2 cycles, reheat 0.3, against 1 cycle over paired seeds 1-8:
# ticf-13crafb 16.88 -> 16.00 (7 better, 0 worse), forum-13crafb 20.12 -> 20.12, forum-14
# 5.88 -> 5.88, reference range 24 of 24 both. With the slow loop, 3 cycles back at T_START in
# one chain measured no better (forum-14 7, 11, 9 against 8, 8, 8)
TOTAL_CYCLES = 2
TOTAL_REHEAT_T = 0.3
# total phase: a second annealing chain (another seed, same starting schedule, same time) in a
# forked process, on the second core the GIL leaves idle while the annealing runs (no CP-SAT
# search runs in the total phase); the better (range, total) of the two is kept. With
# TOTAL_EXCHANGE, at the end of each cycle (at half time with one) both chains go on from the
# better best schedule so far; without, each chain's cycles go on from its own. Only where
# the "fork" start method exists and with more than PARALLEL_MIN s left; 0 chains = off.
PARALLEL_CHAINS = 1
PARALLEL_MIN = 0.5
TOTAL_EXCHANGE = False
# the compiled loop runs its moves in batches of about this many seconds; the temperature and the
# clock are set and read between batches (the deadline is missed by at most one batch)
BATCH_SECONDS = 0.002


# --------------------------------------------------------------------------- compiled loop
# The annealing's moves run in numba-compiled functions on numpy arrays (run AC, eighteenth
# session: 18-25 times the moves a second of the plain-Python loop before it, the same moves and
# acceptance). Each day's slots are one run of bits in one or more 64-bit words of a
# participant's busy mask (days of up to 64 slots, every real fair, take one word). Compiled
# once per process on first use (``ready``; about 5 s of CPU once), or loaded from numba's cache
# when one is usable (``cache=True``: next to this file, else NUMBA_CACHE_DIR or the user's cache
# directory; none usable: compiled in each process). ``solve`` calls ``ready`` before it starts
# its clock, so the compile time never falls inside a solver's time limit; a web process or a
# command that never schedules never pays it (at import it added 0.5 s warm, 5 s cold, to every
# Django start).

_U1 = np.uint64(1)
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53


def _jit(fn):
    """``numba.njit(cache=True)``, or without the cache where numba finds no directory to keep it
    in (it raises then, instead of falling back)."""
    try:
        return numba.njit(cache=True)(fn)
    except RuntimeError:
        return numba.njit(cache=False)(fn)


@_jit
def _popcount(x):
    x = x - ((x >> _U1) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return np.int64((x * _H01) >> np.uint64(56))


@_jit
def _uniform(rng):
    """A float in [0, 1) from the splitmix64 stream in ``rng[0]``."""
    z = rng[0] + _GOLDEN
    rng[0] = z
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * _TO_UNIT


@_jit
def _day_idle(row, w0, w1, wa, xa, wb, xb):
    """Idle slots of one day (words ``w0 .. w1 - 1`` of the busy mask ``row``), with the bits
    ``xa`` of word ``wa`` and ``xb`` of word ``wb`` flipped; 0 with fewer than two meetings."""
    first = -1
    last = -1
    pop = 0
    for w in range(w0, w1):
        x = row[w]
        if w == wa:
            x ^= xa
        if w == wb:
            x ^= xb
        if x != 0:
            pop += _popcount(x)
            if first < 0:
                first = (w - w0) * 64 + np.int64(trailing_zeros(x))
            last = (w - w0) * 64 + 63 - np.int64(leading_zeros(x))
    if pop < 2:
        return 0
    return last - first + 1 - pop


# fmt: off
@_jit
def _load(cur, ks, ea, eb, shared, multi, slot_word, slot_bit, day_w0, day_w1, at, count, mask,
          idle, hist):
    # fmt: on
    """Fill the per-participant arrays from the schedule ``cur``; the total idle slots."""
    at[:] = -1
    count[:] = 0
    mask[:] = 0
    idle[:] = 0
    hist[:] = 0
    for k in ks:
        s = cur[k]
        if shared[k]:
            count[s] += 1
        for p in (ea[k], eb[k]):
            at[p, s] = k
            mask[p, slot_word[s]] |= slot_bit[s]
    total = 0
    for p in range(multi.shape[0]):
        if multi[p]:
            v = 0
            for d in range(day_w0.shape[0]):
                v += _day_idle(mask[p], day_w0[d], day_w1[d], -1, _U1, -1, _U1)
            idle[p] = v
            hist[v] += 1
            total += v
    return total


# slots of ``_moves``' ``sc`` (its scalar state, read and written back)
_TOTAL, _OUTSIDE, _BEST_R, _BEST_T, _FLOOR_R, _FLOOR_T, _IMPROVED, _STAMP, _MOVES = range(9)


# fmt: off
@_jit
def _moves(n_iter, temp, use_range, check_range, max_range, use_band, band_lo, band_hi,
           band_weight, stop_inside, keep_moves, capped, movable, dom_ptr, dom_idx, dom, ea, eb,
           shared, tcap, prev, multi, slot_word, slot_bit, slot_day, day_w0, day_w1, cur, at,
           count, mask, idle, hist, best, sc, rng, chain, inchain, pmark, ps, ch_p, ch_v):
    # fmt: on
    """``n_iter`` annealing moves at temperature ``temp`` (see ``_Annealer.anneal``). Returns
    True when the annealing should stop (``stop_inside`` and a best schedule found, or the best
    reached the floor)."""
    n_movable = movable.shape[0]
    if n_movable == 0:
        return True
    total = sc[_TOTAL]
    outside = sc[_OUTSIDE]
    best_r = sc[_BEST_R]
    best_t = sc[_BEST_T]
    stamp = sc[_STAMP]
    big = np.int64(1) << 30
    lo_i = 0
    hi_i = 0
    if use_range:
        while hist[lo_i] == 0:
            lo_i += 1
        hi_i = hist.shape[0] - 1
        while hist[hi_i] == 0:
            hi_i -= 1
    r = hi_i - lo_i
    done = False
    it = 0
    while it < n_iter:
        it += 1
        k0 = movable[np.int64(_uniform(rng) * n_movable)]
        a = cur[k0]
        d0 = dom_ptr[k0]
        nd = dom_ptr[k0 + 1] - d0
        # uniform over k0's slots other than a (a is one of them, k0 is movable: >= 2)
        b = dom_idx[d0 + np.int64(_uniform(rng) * (nd - 1))]
        if a == b:
            b = dom_idx[d0 + nd - 1]
        stamp += 1
        chain[0] = k0
        inchain[k0] = stamp
        n = 1
        for p in (ea[k0], eb[k0]):  # k0 may use b (drawn from its domain)
            j = at[p, b]
            if j >= 0 and inchain[j] != stamp:
                inchain[j] = stamp
                chain[n] = j
                n += 1
        i = 1
        ok = True
        while i < n:
            k = chain[i]
            i += 1
            other = b if cur[k] == a else a
            if not dom[k, other]:
                ok = False
                break
            for p in (ea[k], eb[k]):
                j = at[p, other]
                if j >= 0 and inchain[j] != stamp:
                    inchain[j] = stamp
                    chain[n] = j
                    n += 1
        if not ok:
            continue
        in_a = 0
        in_b = 0
        if capped:
            for c in range(n):
                k = chain[c]
                if shared[k]:
                    if cur[k] == a:
                        in_a += 1
                    else:
                        in_b += 1
            if (0 <= tcap[a] < count[a] - in_a + in_b) or (0 <= tcap[b] < count[b] - in_b + in_a):
                continue
        if keep_moves:
            d_moved = 0
            for c in range(n):
                k = chain[c]
                if prev[k] >= 0:
                    new = b if cur[k] == a else a
                    d_moved += np.int64(new != prev[k]) - np.int64(cur[k] != prev[k])
            if d_moved > 0:
                continue
        n_ps = 0
        for c in range(n):
            k = chain[c]
            for p in (ea[k], eb[k]):
                if pmark[p] != stamp:
                    pmark[p] = stamp
                    ps[n_ps] = p
                    n_ps += 1
        # the range may not grow: a participant above lo_i + max_range (below hi_i -
        # max_range) makes it grow when too few others leave lo_i (hi_i) for it to move
        fits_hi = big
        fits_lo = -1
        if check_range:
            if hist[lo_i] > n_ps:
                fits_hi = lo_i + max_range
            if hist[hi_i] > n_ps:
                fits_lo = hi_i - max_range
        wa = slot_word[a]
        xa = slot_bit[a]
        wb = slot_word[b]
        xb = slot_bit[b]
        da = slot_day[a]
        db = slot_day[b]
        n_ch = 0
        delta = 0
        d_off = 0
        refused = False
        for q in range(n_ps):
            p = ps[q]
            if at[p, a] >= 0 and at[p, b] >= 0:
                continue  # busy in both slots, before and after
            v = 0
            if multi[p]:
                row = mask[p]
                dv = _day_idle(row, day_w0[da], day_w1[da], wa, xa, wb, xb) - _day_idle(
                    row, day_w0[da], day_w1[da], -1, xa, -1, xb
                )
                if db != da:
                    dv += _day_idle(row, day_w0[db], day_w1[db], wa, xa, wb, xb) - _day_idle(
                        row, day_w0[db], day_w1[db], -1, xa, -1, xb
                    )
                w = idle[p]
                v = w + dv
                if check_range and (v > fits_hi or v < fits_lo):
                    refused = True
                    break
                delta += dv
                if use_band:
                    off_v = v - band_hi if v > band_hi else (band_lo - v if v < band_lo else 0)
                    off_w = w - band_hi if w > band_hi else (band_lo - w if w < band_lo else 0)
                    d_off += off_v - off_w
            ch_p[n_ch] = p
            ch_v[n_ch] = v
            n_ch += 1
        if refused:
            continue  # the range would grow
        new_lo = lo_i
        new_hi = hi_i
        if use_range:
            for c in range(n_ch):
                p = ch_p[c]
                if multi[p]:
                    v = ch_v[c]
                    hist[idle[p]] -= 1
                    hist[v] += 1
                    if v > new_hi:
                        new_hi = v
                    if v < new_lo:
                        new_lo = v
            while hist[new_hi] == 0:
                new_hi -= 1
            while hist[new_lo] == 0:
                new_lo += 1
            r = new_hi - new_lo
        cost = delta + band_weight * d_off if use_band else np.float64(delta)
        if (not use_band and r > max_range) or (
            cost > 0 and _uniform(rng) >= np.exp(-cost / temp)
        ):
            if use_range:
                for c in range(n_ch):
                    p = ch_p[c]
                    if multi[p]:
                        hist[ch_v[c]] -= 1
                        hist[idle[p]] += 1
            continue
        lo_i = new_lo
        hi_i = new_hi
        for c in range(n):
            k = chain[c]
            s = cur[k]
            for p in (ea[k], eb[k]):
                if at[p, s] == k:
                    at[p, s] = -1
        for c in range(n):
            k = chain[c]
            s = b if cur[k] == a else a
            cur[k] = s
            for p in (ea[k], eb[k]):
                at[p, s] = k
        if capped:
            count[a] += in_b - in_a
            count[b] += in_a - in_b
        for c in range(n_ch):
            p = ch_p[c]
            mask[p, wa] ^= xa
            mask[p, wb] ^= xb
            idle[p] = ch_v[c]
        total += delta
        outside += d_off
        if outside == 0 and (r < best_r or (r == best_r and total < best_t)):
            best[:] = cur
            best_r = r
            best_t = total
            sc[_IMPROVED] = 1
            if stop_inside or (
                best_r < sc[_FLOOR_R] or (best_r == sc[_FLOOR_R] and best_t <= sc[_FLOOR_T])
            ):
                done = True
                break
    sc[_TOTAL] = total
    sc[_OUTSIDE] = outside
    sc[_BEST_R] = best_r
    sc[_BEST_T] = best_t
    sc[_STAMP] = stamp
    sc[_MOVES] += it
    return done


def _rng_state(seed: int) -> np.ndarray:
    return np.array([(seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % (1 << 64)], np.uint64)


class _Annealer:
    def __init__(self, inst, slot: np.ndarray, seed: int, keep_moves: bool):
        ready()
        self.use_range = inst.problem.idle_objective == "range"
        self.keep_moves = keep_moves
        self.rng = _rng_state(seed)
        S = self.n_slots = inst.S
        # each day's slots, in their order, are one run of bits in words of its own
        days = list(inst.days.values())
        self.n_days = len(days)
        self.slot_word = np.zeros(S, np.int64)
        self.slot_bit = np.zeros(S, np.uint64)
        self.slot_day = np.zeros(S, np.int64)
        self.day_w0 = np.zeros(len(days), np.int64)
        self.day_w1 = np.zeros(len(days), np.int64)
        words = 0
        for d, ordered in enumerate(days):
            self.day_w0[d] = words
            for i, s in enumerate(ordered):
                self.slot_word[s] = words + i // 64
                self.slot_bit[s] = np.uint64(1) << np.uint64(i % 64)
                self.slot_day[s] = d
            words += (len(ordered) + 63) // 64
            self.day_w1[d] = words
        self.ks = [int(k) for k in np.nonzero(slot >= 0)[0]]
        self.ks_arr = np.array(self.ks, np.int64)
        dom = np.ascontiguousarray(inst.dom, dtype=np.bool_)
        self.dom_mat = dom
        self.dom = [tuple(int(s) for s in np.nonzero(row)[0]) for row in dom]
        sizes = dom.sum(axis=1)
        self.dom_ptr = np.zeros(inst.R + 1, np.int64)
        np.cumsum(sizes, out=self.dom_ptr[1:])
        self.dom_idx = np.nonzero(dom)[1].astype(np.int64)  # row-major: each row's slots
        self.ea = np.ascontiguousarray(inst.a, dtype=np.int64)
        self.eb = np.ascontiguousarray(inst.b, dtype=np.int64)
        self.ends = [(int(a), int(b)) for a, b in zip(self.ea, self.eb, strict=True)]
        self.shared = np.ascontiguousarray(inst.shared, dtype=np.bool_)
        self.tcap = np.ascontiguousarray(inst.tcap, dtype=np.int64)
        self.prev = np.ascontiguousarray(inst.prev, dtype=np.int64)
        self.P = inst.P
        meetings = np.bincount(
            np.concatenate([self.ea[self.ks_arr], self.eb[self.ks_arr]]), minlength=inst.P
        )
        self.multi = meetings >= 2
        self.movable = np.array([k for k in self.ks if sizes[k] > 1], np.int64)
        R = inst.R
        self.at = np.full((inst.P, S), -1, np.int64)  # participant, slot -> meeting (-1: none)
        self.count = np.zeros(S, np.int64)  # shared-table meetings per slot
        self.mask = np.zeros((inst.P, max(1, words)), np.uint64)
        self.idle = np.zeros(inst.P, np.int64)
        self.hist = np.zeros(S + 1, np.int64)  # participants with >= 2 meetings by idle slots
        self._best = np.zeros(R, np.int64)
        self._chain = np.zeros(R, np.int64)
        self._inchain = np.zeros(R, np.int64)
        self._pmark = np.zeros(inst.P, np.int64)
        self._ps = np.zeros(inst.P, np.int64)
        self._ch_p = np.zeros(inst.P, np.int64)
        self._ch_v = np.zeros(inst.P, np.int64)
        self.sc = np.zeros(9, np.int64)
        self.load(slot)
        self.best_key, self.best = self.key(), self.cur.copy()
        self.floor = (0, 0)  # no better (range, total) can exist

    def load(self, cur) -> None:
        self.cur = np.array(cur, dtype=np.int64)
        # fmt: off
        args = (self.cur, self.ks_arr, self.ea, self.eb, self.shared, self.multi, self.slot_word,
                self.slot_bit, self.day_w0, self.day_w1, self.at, self.count, self.mask, self.idle,
                self.hist)
        # fmt: on
        self.total = int(_load(*args))

    def spread(self) -> int:
        if not self.use_range:
            return 0
        used = np.nonzero(self.hist)[0]
        if not len(used):
            return 0  # nobody with two meetings
        return int(used[-1] - used[0])

    def key(self) -> tuple[int, int]:
        return (self.spread(), self.total)

    def lowest(self) -> int:
        return int(np.nonzero(self.hist)[0][0])

    @property
    def moves(self) -> int:
        """Moves tried so far (for measurements)."""
        return int(self.sc[_MOVES])

    def moves_args(self, band: tuple[int, int] | None, stop_inside: bool) -> tuple:
        """The arguments of ``_moves`` after ``n_iter`` and ``temp``, for a run from the current
        schedule (its total and idle slots outside ``band`` set in ``sc``)."""
        use_range = bool(self.use_range and self.hist.any())
        band_lo, band_hi = band if band else (0, 0)
        sc = self.sc
        sc[_TOTAL] = self.total
        if band:
            v = self.idle[self.multi]
            sc[_OUTSIDE] = int(np.maximum(0, v - band_hi).sum() + np.maximum(0, band_lo - v).sum())
        else:
            sc[_OUTSIDE] = 0
        sc[_FLOOR_R], sc[_FLOOR_T] = self.floor
        sc[_BEST_R], sc[_BEST_T] = self.best_key
        return (
            use_range, use_range and not band, self.spread(), bool(band), band_lo, band_hi,
            float(BAND_WEIGHT), stop_inside, bool(self.keep_moves), bool((self.tcap >= 0).any()),
            self.movable, self.dom_ptr, self.dom_idx, self.dom_mat, self.ea, self.eb,
            self.shared, self.tcap, self.prev, self.multi, self.slot_word, self.slot_bit,
            self.slot_day, self.day_w0, self.day_w1, self.cur, self.at, self.count, self.mask,
            self.idle, self.hist, self._best, sc, self.rng, self._chain, self._inchain,
            self._pmark, self._ps, self._ch_p, self._ch_v,
        )  # fmt: skip

    def anneal(
        self,
        deadline: float,
        band: tuple[int, int] | None = None,
        t_start: float | None = None,
        stop_inside: bool = False,
    ) -> None:
        """Anneal until ``deadline``. Without ``band``: the range may not grow, the total is
        minimised. With ``band = (lo, hi)``: ``total + BAND_WEIGHT * (idle slots outside the
        band)`` is minimised, and schedules are kept as best only inside it. The moves run in
        ``_moves``, in batches of about BATCH_SECONDS; the temperature is set between batches."""
        if not len(self.movable):
            return
        args = self.moves_args(band, stop_inside)
        sc = self.sc
        start = time.perf_counter()
        span = max(1e-3, deadline - start)
        if t_start is None:
            t_start = BAND_T_START if band else T_START
        batch = 64
        now = start
        while now < deadline and self.best_key > self.floor:
            temp = t_start * (T_END / t_start) ** ((now - start) / span)
            sc[_BEST_R], sc[_BEST_T] = self.best_key
            sc[_IMPROVED] = 0
            done = _moves(batch, temp, *args)
            if sc[_IMPROVED]:
                self.best_key, self.best = (int(sc[_BEST_R]), int(sc[_BEST_T])), self._best.copy()
            if done:
                break
            last = now
            now = time.perf_counter()
            # about BATCH_SECONDS a batch, and none far past the deadline
            rate = batch / max(now - last, 1e-6)
            want = min(BATCH_SECONDS, deadline - now) * rate
            batch = int(min(max(want, 16), 4 * batch, 1 << 22))
        self.total = int(sc[_TOTAL])


_READY = False


def ready() -> None:
    """Compile the loop (or load it from numba's cache) once per process, on a tiny instance:
    callers with a time limit call it before they start their clock (``solve`` does); an
    annealer built without it compiles here too."""
    global _READY
    if not _READY:
        _READY = True  # first: the warm-up's own annealer comes back here
        _warm_up()


def _warm_up() -> None:
    """The tiny instance of ``ready``: the arrays have the types a solve passes, so the loop
    has one compiled version."""
    from types import SimpleNamespace

    dom = np.ones((2, 3), dtype=bool)
    inst = SimpleNamespace(
        problem=SimpleNamespace(idle_objective="range"),
        S=3, R=2, P=3, days={0: [0, 1, 2]}, dom=dom,
        a=np.array([0, 0], np.int64), b=np.array([1, 2], np.int64),
        shared=np.ones(2, bool), tcap=np.full(3, -1, np.int64), prev=np.full(2, -1, np.int64),
    )  # fmt: skip
    ann = _Annealer(inst, np.array([0, 2], np.int64), 0, False)
    ann.anneal(time.perf_counter() + 0.001, band=(0, 1))



def _own_bounds(ann: _Annealer) -> list[int] | None:
    """Per participant, the fewest idle slots it could have alone (``window.own_lower_bound``;
    0 below two meetings), for one day of slots in order; None for several days."""
    from .window import own_lower_bound

    if ann.n_days != 1:
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


def _range_question(
    ann: _Annealer,
    inst,
    bounds: list[int],
    cap: float,
    seed: int,
    workers: int,
    end: float | None = None,
):
    """CP-SAT's question "any schedule with range ``r - 1``?" (``r`` the best range so far, the
    common band of ``window._build``), hinted with the best schedule, for at most ``cap`` s of
    search. Returns ``(no_lower, slot, built)``: ``no_lower`` when CP-SAT showed there is none
    in that band, ``slot`` a schedule it found (or None), ``built`` the seconds building the
    model took (they come on top of ``cap``). With ``end``, the build stops 0.05 s before it
    (no answer, ``built`` the time it ran) and the search ends by it."""
    from ortools.sat.python import cp_model

    from .cpcore import BuildTimeout, build_deadline
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
    try:
        # at load the build, not the search, is the cost: 0.3 s on forum-14 quiet, 3.3-3.5 s
        # beside four busy loops, which took the run 2.2-2.7 s past its time limit (run AH)
        with build_deadline(float("inf") if end is None else end - 0.05):
            m, x = _build(inst, ann.ks, doms, multi, lbs, 0, common)
    except BuildTimeout:
        return False, None, time.perf_counter() - t
    _hint(m, x, best)
    built = time.perf_counter() - t
    if end is not None:
        cap = min(cap, end - time.perf_counter())
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
        no_lower, out, build = _range_question(ann, inst, bounds, cap, seed, cp_workers, end)
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
    if not ann.hist.any() or ann.best_key <= ann.floor:
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
    # cycles only with the range phase and no previous schedule to keep (run AE: on the large
    # path, synthetic fair with 300 tables, 2 cycles gave idle 767 against 325)
    cycles = TOTAL_CYCLES if range_phase and not keep_moves else 1
    if not _total_in_parallel(ann, deadline, seed, cycles):
        for i in range(cycles):
            if i:
                ann.load(list(ann.best))
            now = time.perf_counter()
            t = TOTAL_REHEAT_T if i else None
            ann.anneal(now + (deadline - now) / (cycles - i), t_start=t)
    return np.array(ann.best, dtype=np.int64)


def _chain(ann: _Annealer, ends: list[float], conn) -> None:
    """The forked chain: anneal to each of ``ends``, send the best, and with more than one end
    take the other chain's best when it is better before going on."""
    try:
        for i, end in enumerate(ends):
            if i:
                if TOTAL_EXCHANGE:
                    key, best = conn.recv()
                    if key < ann.best_key:
                        ann.best_key, ann.best = key, best
                ann.load(list(ann.best))
            ann.anneal(end, t_start=TOTAL_REHEAT_T if i else None)
            if TOTAL_EXCHANGE or i == len(ends) - 1:
                conn.send((ann.best_key, ann.best))
    finally:
        conn.close()


def _total_in_parallel(ann: _Annealer, deadline: float, seed: int, cycles: int = 1) -> bool:
    """The total phase as two chains (PARALLEL_CHAINS); False when not run (then the caller runs
    it alone)."""
    import multiprocessing as mp

    now = time.perf_counter()
    if PARALLEL_CHAINS < 1 or deadline - now < PARALLEL_MIN:
        return False
    if "fork" not in mp.get_all_start_methods() or ann.best_key <= ann.floor:
        return False
    ctx = mp.get_context("fork")
    # the child's best must reach the parent, and the child be gone, before the deadline (0.02 s
    # until run AC; at load 7-9 the solve then ended up to 0.08 s late, in the child's exit)
    margin = 0.04
    # one end per cycle, at least two with TOTAL_EXCHANGE (the exchange at each)
    n = max(cycles, 2 if TOTAL_EXCHANGE else 1)
    ends = [now + (i + 1) / n * (deadline - margin - now) for i in range(n)]
    mine, theirs = ctx.Pipe()
    rng = ann.rng
    ann.rng = _rng_state(seed * 7919 + 104729)  # the child's stream (fork copies ``ann``)
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
            ann.anneal(end, t_start=TOTAL_REHEAT_T if i else None)
            last = i == len(ends) - 1
            if not (TOTAL_EXCHANGE or last):
                continue
            if mine.poll(max(0.0, deadline - margin / 2 - time.perf_counter())):
                got = mine.recv()
                if got[0] < ann.best_key:
                    ann.best_key, ann.best = got[0], list(got[1])
            if not last:
                mine.send((ann.best_key, ann.best))
    except (EOFError, OSError):
        pass
    finally:
        mine.close()
        child.join(max(0.0, min(0.05, deadline - time.perf_counter())))
        if child.is_alive():
            child.kill()
            child.join()
    ann.load(list(ann.best))
    return True
