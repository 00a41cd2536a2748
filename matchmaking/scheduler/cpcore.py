"""The assignment core shared by every CP-SAT model of the scheduler.

One Boolean ``x[(k, s)]`` per request ``k`` and allowed slot ``s``; each request takes exactly
one slot; a participant is in at most one meeting per slot; at most ``tcap[s]`` meetings that
need a shared table run in slot ``s``. The idle models (window, span, first/last, reference)
add their own variables on top.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np


def assignment_model(inst, ks: Iterable[int], doms: Sequence | None = None, slot_vars=False):
    """Build the core for requests ``ks`` of ``inst`` (a ``solve._Inst``).

    ``doms[k]``: the slots allowed for request k (default: ``inst.dom[k]``). With ``slot_vars``
    each request also gets an integer ``t[k]`` equal to its slot.
    Returns ``(model, x, busy, t)``: ``busy[(p, s)]`` lists the ``x`` that put participant p in
    slot s (a defaultdict); ``t`` is empty without ``slot_vars``.
    """
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    busy: dict[tuple[int, int], list] = defaultdict(list)
    shared: dict[int, list] = defaultdict(list)
    t: dict[int, object] = {}
    for k in ks:
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
