"""Reader for the University of Girona B2B MiniZinc data files (``*.dzn``)."""

from __future__ import annotations

import re
from pathlib import Path

from .model import Participant, Problem, Request

_SCALAR = re.compile(r"\b(\w+)\s*=\s*(-?\d+)\s*;")
_ARRAY = re.compile(r"\b(\w+)\s*=\s*\[(.*?)\]\s*;", re.S)


def _int_sets(text: str) -> list[frozenset[int]]:
    return [
        frozenset(int(x) for x in body.split(",") if x.strip())
        for body in re.findall(r"\{([^}]*)\}", text)
    ]


def parse_dzn(text: str) -> Problem:
    """Parse UdG ``.dzn`` text into a one-day :class:`Problem` (slots 0-based)."""
    scalars = {k: int(v) for k, v in _SCALAR.findall(text)}
    arrays = dict(_ARRAY.findall(text))
    n_business = scalars["nBusiness"]
    n_slots = scalars["nTotalSlots"]
    n_morning = scalars["nMorningSlots"]
    morning = frozenset(range(n_morning))
    afternoon = frozenset(range(n_morning, n_slots))

    rows = [r for r in arrays["requested"].replace("\n", " ").split("|") if r.strip()]
    triples = [[int(x) for x in r.split(",") if x.strip()] for r in rows]
    fixed = [int(x) for x in arrays.get("fixed", "").split(",") if x.strip()]
    forbidden = _int_sets(arrays["forbidden"]) if "forbidden" in arrays else []

    participants = []
    for i in range(n_business):
        bad = {s - 1 for s in (forbidden[i] if i < len(forbidden) else ()) if s > 0}
        avail = None if not bad else frozenset(range(n_slots)) - bad
        participants.append(Participant(id=i + 1, available=avail))

    requests = []
    for m, (a, b, pref) in enumerate(triples):
        allowed = {1: morning, 2: afternoon}.get(pref)
        f = fixed[m] if m < len(fixed) else 0
        requests.append(
            Request(
                id=m + 1,
                a=a,
                b=b,
                allowed=allowed,
                fixed_slot=f - 1 if f > 0 else None,
            )
        )
    return Problem(
        n_slots=n_slots,
        slot_day=(0,) * n_slots,
        participants=tuple(participants),
        requests=tuple(requests),
        tables=scalars["nTables"],
        slot_session=tuple(0 if s < n_morning else 1 for s in range(n_slots)),
        idle_objective="range",
    )


def read_dzn(path: str | Path) -> Problem:
    """Read a UdG ``.dzn`` file."""
    return parse_dzn(Path(path).read_text())
