"""Benchmark of the organiser console on a large fair.

    python -m matchmaking.pages.bench [--participants 2000] [--meetings 10000] [--repeat 5]

Builds an event of 2,000 participants (``build_synthetic_event`` through ``event_import``), tops
its accepted requests up and places 10,000 meetings with ``bulk_create`` (set-up only: the booking
service per meeting would take minutes; the rows respect the same unique constraints), adds a draft
scheduler run whose plan covers every meeting, then times each page with Django's test client and
prints the median of ``--repeat`` runs in milliseconds.

Without ``DATABASE_URL`` it works in a fresh SQLite file (var/bench-pages.sqlite3), leaving the
development database alone.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path


def _setup_django(db_path: Path) -> None:
    if not os.environ.get("DATABASE_URL"):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        if db_path.exists():
            db_path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_participants: int, n_meetings: int, seed: int = 0):
    """The event with ``n_meetings`` meetings (a few with each status, 3 % cancelled)."""
    from django.db import transaction

    from matchmaking.demo_data import build_synthetic_event
    from matchmaking.models import (
        Meeting,
        MeetingRequest,
        MeetingSeat,
        Participant,
        ScheduleRun,
        Slot,
        Table,
    )
    from matchmaking.services.importer import event_import

    rng = random.Random(seed)
    event = event_import(data=build_synthetic_event(n_participants, seed=seed), replace=True)
    people = list(Participant.objects.filter(event=event).values("id", "organisation_id"))
    fixed = dict(
        Participant.objects.filter(event=event, fixed_table__shared=False).values_list(
            "id", "fixed_table_id"
        )
    )
    slots = list(Slot.objects.filter(event=event).order_by("start").values_list("id", flat=True))
    shared = list(
        Table.objects.filter(event=event, shared=True).order_by("name").values_list("id", flat=True)
    )

    # Enough accepted requests: top up with new pairs that have no request yet.
    pairs = set()
    for a, b in MeetingRequest.objects.filter(event=event).values_list("sender_id", "recipient_id"):
        pairs.add((min(a, b), max(a, b)))
    accepted = list(
        MeetingRequest.objects.filter(event=event, status="accepted")
        .order_by("id")
        .values_list("id", "sender_id", "recipient_id")
    )
    wanted = int(n_meetings * 1.5) - len(accepted)
    extra = []
    while len(extra) < wanted:
        a, b = rng.sample(people, 2)
        key = (min(a["id"], b["id"]), max(a["id"], b["id"]))
        if a["organisation_id"] == b["organisation_id"] or key in pairs:
            continue
        pairs.add(key)
        extra.append(
            MeetingRequest(event=event, sender_id=a["id"], recipient_id=b["id"], status="accepted")
        )
    with transaction.atomic():
        MeetingRequest.objects.bulk_create(extra, batch_size=1000)
    accepted = list(
        MeetingRequest.objects.filter(event=event, status="accepted")
        .order_by("id")
        .values_list("id", "sender_id", "recipient_id")
    )
    rng.shuffle(accepted)

    # Greedy placement: nobody twice in a slot, each table once per slot.
    busy: dict[int, set[int]] = {}
    used: dict[int, set[int]] = {s: set() for s in slots}
    placed = []
    for req_id, a, b in accepted:
        if len(placed) == n_meetings:
            break
        start = rng.randrange(len(slots))
        for k in range(len(slots)):
            slot = slots[(start + k) % len(slots)]
            if slot in busy.get(a, ()) or slot in busy.get(b, ()):
                continue
            place = fixed.get(a) or fixed.get(b)
            if place is None:
                free = [t for t in shared if t not in used[slot]]
                if not free:
                    continue
                place = free[0]
            elif place in used[slot]:
                continue
            used[slot].add(place)
            busy.setdefault(a, set()).add(slot)
            busy.setdefault(b, set()).add(slot)
            placed.append((req_id, a, b, slot, place))
            break
    statuses = ["scheduled"] * 80 + ["checked_in"] * 5 + ["held"] * 8 + ["no_show"] * 4
    statuses += ["cancelled"] * 3
    with transaction.atomic():
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(
                    event=event,
                    request_id=req_id,
                    slot_id=slot,
                    table_id=table,
                    status=rng.choice(statuses),
                    source=Meeting.Source.IMPORT,
                )
                for req_id, _a, _b, slot, table in placed
            ],
            batch_size=1000,
        )
        seats = []
        for m, (_req, a, b, slot, _t) in zip(meetings, placed, strict=True):
            for person in (a, b):
                seats.append(
                    MeetingSeat(
                        meeting_id=m.pk, participant_id=person, slot_id=slot, active=m.is_active
                    )
                )
        MeetingSeat.objects.bulk_create(seats, batch_size=2000)
        ScheduleRun.objects.create(
            event=event,
            status=ScheduleRun.Status.DRAFT,
            options={"time_limit": 60.0, "seed": 0, "pin_participant_bookings": True},
            progress=1.0,
            phase="done",
            stats={
                "scheduled": len(placed),
                "requested": len(accepted),
                "upper_bound": len(accepted),
                "gap": 0.1,
                "idle_total": 0,
                "idle_max": 0,
                "idle_range": 0,
                "moved": 0,
                "seconds": 60.0,
            },
            plan=[[req, slot, table] for req, _a, _b, slot, table in placed],
        )
    return event, len(placed)


def _time(client, url: str, repeat: int) -> tuple[float, int, int]:
    from django.db import connection

    def once():
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(body)

    once()  # warm-up (template loading, first connection)
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        once()
    timings = []
    size = 0
    for _ in range(repeat):
        elapsed, size = once()
        timings.append(elapsed)
    return statistics.median(timings), count[0], size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--db", default=str(Path(__file__).resolve().parents[2] / "var" / "bench-pages.sqlite3")
    )
    args = parser.parse_args(argv)
    _setup_django(Path(args.db))

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from matchmaking.models import Meeting, Participant, Slot

    started = time.perf_counter()
    event, placed = build(args.participants, args.meetings)
    setup = time.perf_counter() - started
    user, _ = get_user_model().objects.get_or_create(
        username="bench-organiser", defaults={"is_staff": True}
    )
    event.organisers.add(user)  # on the event's team, as its organisers are
    client = Client()
    client.force_login(user)
    day = Slot.objects.filter(event=event).order_by("start").first().date
    someone = Participant.objects.filter(event=event, seats__active=True).order_by("id").first().pk
    day_meetings = Meeting.objects.filter(event=event, slot__date=day).count()
    base = f"/organiser/{event.slug}"
    pages = [
        ("grid (one day)", f"{base}/grid/?date={day}"),
        ("grid live partial", f"{base}/grid/live/?date={day}"),
        ("grid filtered", f"{base}/grid/?date={day}&q=city&kind=delegation"),
        ("statistics", f"{base}/stats/"),
        ("scheduler", f"{base}/scheduler/"),
        ("meetings.csv", f"{base}/exports/meetings.csv"),
        ("requests.csv", f"{base}/exports/requests.csv"),
        ("participants.csv", f"{base}/exports/participants.csv"),
        ("settings", f"{base}/settings/"),
        ("table plan (one day)", f"{base}/tables/?date={day}"),
        ("participant", f"{base}/participants/{someone}/"),
    ]
    # a print batch (a hundred agendas, a sheet each, every slot a row) is no page one clicks
    # through: its own goal
    batches = [("all agendas (print, 100)", f"{base}/agendas/")]
    print(
        f"{connection.vendor}: {args.participants} participants, {placed} meetings "
        f"({day_meetings} on {day}), set-up {setup:.1f} s, median of {args.repeat}"
    )
    print(f"{'page':<24}{'ms':>9}{'queries':>9}{'KiB':>9}")
    worst = 0.0
    for name, url in pages:
        ms, queries, size = _time(client, url, args.repeat)
        worst = max(worst, ms)
        print(f"{name:<24}{ms:>9.1f}{queries:>9}{size / 1024:>9.0f}")
    print(f"slowest page: {worst:.1f} ms (goal: under 300 ms)")
    for name, url in batches:
        ms, queries, size = _time(client, url, args.repeat)
        print(f"{name:<24}{ms:>9.1f}{queries:>9}{size / 1024:>9.0f}")
        print(f"print batch: {ms:.1f} ms (goal: under 1,000 ms for a hundred agendas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
