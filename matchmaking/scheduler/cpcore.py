"""The assignment core shared by every CP-SAT model of the scheduler.

One Boolean ``x[(k, s)]`` per request ``k`` and allowed slot ``s``; each request takes exactly
one slot; a participant is in at most one meeting per slot; at most ``tcap[s]`` meetings that
need a shared table run in slot ``s``. The idle models (window, span, first/last, reference)
add their own variables on top.

Building a model is plain Python and, on a loaded machine, slow: the range question's window
model took 0.3 s on forum-14 on a quiet machine and 3.3-3.5 s beside four busy loops (run AH).
``build_deadline`` sets a time after which every model build in its ``with`` block raises
``BuildTimeout`` (checked per request in ``assignment_model`` and per participant in
``window_idle`` and the callers' own loops, ``check_build``): the caller then skips that model
and keeps the best schedule it has, instead of building on past the solve's time limit.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

_BUILD_DEADLINE: ContextVar[float | None] = ContextVar("build_deadline", default=None)


class BuildTimeout(Exception):
    """A model build passed the deadline of ``build_deadline``; the model is unusable."""


@contextmanager
def build_deadline(deadline: float) -> Iterator[None]:
    """Model builds inside the block raise ``BuildTimeout`` once ``time.perf_counter()`` passes
    ``deadline`` (or an earlier deadline of an enclosing block)."""
    outer = _BUILD_DEADLINE.get()
    token = _BUILD_DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _BUILD_DEADLINE.reset(token)


def check_build() -> None:
    """Raise ``BuildTimeout`` when the current build deadline (if any) has passed."""
    deadline = _BUILD_DEADLINE.get()
    if deadline is not None and time.perf_counter() > deadline:
        raise BuildTimeout


def assignment_model(
    inst, ks: Iterable[int], doms: Sequence | None = None, slot_vars=False, optional=False
):
    """Build the core for requests ``ks`` of ``inst`` (a ``solve._Inst``).

    ``doms[k]``: the slots allowed for request k (default: ``inst.dom[k]``). With ``slot_vars``
    each request also gets an integer ``t[k]`` equal to its slot. With ``optional`` a request
    takes at most one slot (exactly one when ``inst.forced[k] >= 0``; none when its domain is
    empty): the weight model, where not every request can be scheduled.
    Returns ``(model, x, busy, t)``: ``busy[(p, s)]`` lists the ``x`` that put participant p in
    slot s (a defaultdict); ``t`` is empty without ``slot_vars``. Raises ``BuildTimeout`` past
    the deadline of an enclosing ``build_deadline``.
    """
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    busy: dict[tuple[int, int], list] = defaultdict(list)
    shared: dict[int, list] = defaultdict(list)
    t: dict[int, object] = {}
    for k in ks:
        check_build()
        k = int(k)
        dk = [int(s) for s in (doms[k] if doms is not None else np.nonzero(inst.dom[k])[0])]
        vs = []
        for s in dk:
            v = m.NewBoolVar("")
            x[(k, s)] = v
            vs.append(v)
            busy[(int(inst.a[k]), s)].append(v)
            busy[(int(inst.b[k]), s)].append(v)
            if inst.shared[k]:
                shared[s].append(v)
        if optional and inst.forced[k] < 0:
            if vs:
                m.AddAtMostOne(vs)
        else:
            m.AddExactlyOne(vs)
        if slot_vars:
            tk = m.NewIntVarFromDomain(cp_model.Domain.FromValues(dk), "")
            m.Add(tk == sum(s * v for s, v in zip(dk, vs, strict=True)))
            t[k] = tk
    for vs in busy.values():
        if len(vs) > 1:
            m.AddAtMostOne(vs)
    for s, vs in shared.items():
        if inst.tcap[s] >= 0 and len(vs) > inst.tcap[s]:
            m.Add(sum(vs) <= int(inst.tcap[s]))
    return m, x, busy, t


def window_idle(m, busy, p: int, n: int, n_slots: int, lo: int, hi: int):
    """Participant ``p``'s ``n`` meetings lie in one window of ``n + lo`` .. ``n + hi`` slots
    whose first and last slots are busy, so its idle slots are exactly the window length - n
    (one day, slots in order). ``busy`` is the core's ``(participant, slot) -> x`` map.
    Returns ``(idle IntVar, {(first, last): window BoolVar})``. Raises ``BuildTimeout`` past the
    deadline of an enclosing ``build_deadline``."""
    check_build()
    poss = [bool(busy.get((p, s))) for s in range(n_slots)]
    ws, terms, wd = [], [], {}
    cover: list[list] = [[] for _ in range(n_slots)]
    for length in range(n + lo, min(n_slots, n + hi) + 1):
        for s0 in range(n_slots - length + 1):
            e = s0 + length - 1
            if not (poss[s0] and poss[e]) or sum(poss[s0 : e + 1]) < n:
                continue
            w = m.NewBoolVar("")
            ws.append(w)
            wd[(s0, e)] = w
            if length > n:
                terms.append((length - n) * w)
            for s in range(s0, e + 1):
                cover[s].append(w)
            m.Add(sum(busy[(p, s0)]) >= w)
            m.Add(sum(busy[(p, e)]) >= w)
    m.AddExactlyOne(ws)
    for s in range(n_slots):
        if poss[s]:
            if hi == 0:  # one block: busy exactly on the window
                m.Add(sum(busy[(p, s)]) == sum(cover[s]))
            else:
                m.Add(sum(busy[(p, s)]) <= sum(cover[s]))
    iv = m.NewIntVar(min(lo, hi), max(lo, hi), "")
    m.Add(iv == sum(terms))
    return iv, wd
