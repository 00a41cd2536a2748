"""Generator of large synthetic trade fairs (for benchmarks and tests)."""

from __future__ import annotations

import numpy as np

from .model import Participant, Problem, Request


def generate(
    n_participants: int = 5000,
    n_requests: int = 30000,
    days: int = 3,
    slots_per_day: tuple[int, int] = (16, 20),
    tables: int | None = None,
    seed: int = 0,
    exhibitor_share: float = 0.3,
    booth_share: float = 0.0,
) -> Problem:
    """A fair of exhibitors and visitors with Zipf-skewed popularity.

    Availability has late arrivals, early departures and blocked slots; ~20% of requests carry a
    morning/afternoon preference; weights are 1..3. ``booth_share`` of exhibitors get a fixed
    place (their meetings bypass the shared tables).
    """
    rng = np.random.default_rng(seed)
    per_day = [int(rng.integers(slots_per_day[0], slots_per_day[1] + 1)) for _ in range(days)]
    slot_day = tuple(d for d, n in enumerate(per_day) for _ in range(n))
    n_slots = len(slot_day)
    starts = np.cumsum([0, *per_day[:-1]])
    session = []
    for n in per_day:
        session += [0] * (n // 2) + [1] * (n - n // 2)
    slot_session = tuple(session)
    n_ex = max(1, int(n_participants * exhibitor_share))
    participants = []
    for i in range(n_participants):
        avail = np.ones(n_slots, dtype=bool)
        u = rng.random()
        if u < 0.25:  # not there on some day(s)
            d = int(rng.integers(days))
            avail[starts[d] : starts[d] + per_day[d]] = False
        elif u < 0.40:  # late arrival on the first day
            avail[: int(rng.integers(1, per_day[0] // 2 + 1))] = False
        elif u < 0.55:  # early departure on the last day
            k = int(rng.integers(1, per_day[-1] // 2 + 1))
            avail[n_slots - k :] = False
        for s in rng.choice(n_slots, size=int(rng.integers(0, 4)), replace=False):
            avail[s] = False  # blocked slots (talks, lunch appointments)
        if not avail.any():
            avail[int(rng.integers(n_slots))] = True
        booth = i < n_ex and rng.random() < booth_share
        participants.append(
            Participant(
                id=i,
                available=None if avail.all() else frozenset(np.nonzero(avail)[0].tolist()),
                cap=int(rng.integers(12, 25)) if rng.random() < 0.3 else None,
                fixed_place=f"booth-{i}" if booth else None,
            )
        )
    # Zipf-skewed popularity: exhibitors (targets) and visitors (requesters)
    pop_ex = 1.0 / np.arange(1, n_ex + 1) ** 0.8
    pop_ex = pop_ex[rng.permutation(n_ex)]
    pop_ex /= pop_ex.sum()
    n_vis = n_participants - n_ex
    act_vis = 1.0 / np.arange(1, n_vis + 1) ** 0.6
    act_vis = act_vis[rng.permutation(n_vis)]
    act_vis /= act_vis.sum()
    morning = frozenset(s for s in range(n_slots) if slot_session[s] == 0)
    afternoon = frozenset(range(n_slots)) - morning
    pairs: set[tuple[int, int]] = set()
    requests = []
    while len(requests) < n_requests:
        m = n_requests - len(requests)
        ex = rng.choice(n_ex, size=m, p=pop_ex)
        vis = n_ex + rng.choice(n_vis, size=m, p=act_vis)
        # a few exhibitor-exhibitor meetings
        ee = rng.random(m) < 0.05
        vis[ee] = rng.choice(n_ex, size=int(ee.sum()), p=pop_ex)
        for a, b in zip(vis.tolist(), ex.tolist(), strict=True):
            if a == b or (a, b) in pairs or (b, a) in pairs:
                continue
            pairs.add((a, b))
            u = rng.random()
            allowed = morning if u < 0.1 else afternoon if u < 0.2 else None
            requests.append(
                Request(
                    id=len(requests),
                    a=a,
                    b=b,
                    weight=int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])),
                    allowed=allowed,
                )
            )
            if len(requests) == n_requests:
                break
    return Problem(
        n_slots=n_slots,
        slot_day=slot_day,
        participants=tuple(participants),
        requests=tuple(requests),
        tables=tables,
        slot_session=slot_session,
    )
