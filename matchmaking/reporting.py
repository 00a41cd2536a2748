"""Reads for the organiser console: the meeting grid, statistics and exports.

Every function takes the event and filters by it. They read with ``values()`` / aggregates so a
page costs a fixed handful of queries whatever the number of meetings (the grid of a 10,000-meeting
fair is three queries; the statistics are ten aggregate queries).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from matchmaking.models import (
    Arrival,
    Event,
    Mark,
    Meeting,
    MeetingFeedback,
    MeetingLog,
    MeetingRequest,
    MeetingSeat,
    Message,
    Participant,
    ScheduleRun,
    Slot,
    Table,
    natural_key,
    search_fold,
)
from matchmaking.selectors import people_matching

MEETING_STATUSES = [s.value for s in Meeting.Status]
REQUEST_STATUSES = [s.value for s in MeetingRequest.Status]
PARTICIPANT_KINDS = [k.value for k in Participant.Kind]
ACTIVE = [s.value for s in Meeting.ACTIVE_STATUSES]


# ------------------------------------------------------------------------------------------------
# The grid
# ------------------------------------------------------------------------------------------------


def event_days(*, event: Event) -> list[dt.date]:
    """The dates that have slots, in order."""
    return list(
        Slot.objects.filter(event=event).values_list("date", flat=True).distinct().order_by("date")
    )


def pick_day(*, days: list[dt.date], wanted: str | None, today: dt.date) -> dt.date | None:
    """The day asked for if the event has it, else today during the fair, else the first day."""
    if not days:
        return None
    if wanted:
        try:
            day = dt.date.fromisoformat(wanted)
        except ValueError:
            day = None
        if day in days:
            return day
    return today if today in days else days[0]


@dataclass
class GridDay:
    day: dt.date
    slots: list[dict]
    rows: list[tuple[dict, list[dict | None]]]  # (table, one meeting or None per slot)
    meetings: list[dict]  # every meeting of the day, cancelled included
    counts: Counter = field(default_factory=Counter)  # status -> meetings
    matching: int = 0  # active meetings that match the filter
    filtered: bool = False

    @property
    def active(self) -> int:
        return sum(n for status, n in self.counts.items() if status != "cancelled")


def _matches(meeting: dict, q: str, kind: str) -> bool:
    parties = meeting["parties"]
    if kind and not any(p["kind"] == kind for p in parties):
        return False
    if q:  # ``q`` folded (``search_fold``): accents, case and Arabic marks do not matter
        return any(
            q in search_fold(p["name"])
            or q in search_fold(p["organisation"])
            or q in p["email"].lower()
            for p in parties
        )
    return True


TABLE_FILTERS = ("all", "used", "shared", "own")


def grid_day(
    *, event: Event, day: dt.date, q: str = "", kind: str = "", tables: str = "all"
) -> GridDay:
    """Tables × slots of one day with the meeting in each cell (three queries).

    The parties are the request's two sides (colleagues who joined are not shown). A cell holds
    the live meeting at that table and slot, or a cancelled one when nothing live
    took its place. Each meeting carries ``match``: whether it passes the ``q`` (participant,
    organisation or email, case-insensitive) and ``kind`` filters; the page dims the others.
    ``tables`` keeps every row ("all"), the tables in use that day ("used"), the shared lounge
    tables ("shared") or the participants' own places ("own").
    """
    tz = event.tz
    slots = list(
        Slot.objects.filter(event=event, date=day)
        .order_by("start")
        .values("id", "start", "end", "part")
    )
    for s in slots:
        s["local_start"] = s["start"].astimezone(tz)
        s["local_end"] = s["end"].astimezone(tz)
    rows_qs = Table.objects.filter(event=event)
    if tables == "shared":
        rows_qs = rows_qs.filter(shared=True)
    elif tables == "own":
        rows_qs = rows_qs.filter(shared=False)
    table_rows = sorted(  # the lounge first, then booths; "Table 2" before "Table 10"
        rows_qs.values("id", "name", "shared", "out_of_service"),
        key=lambda t: (not t["shared"], natural_key(t["name"])),
    )
    fields = ("id", "name", "organisation__name", "kind", "email")
    sender = [f"request__sender__{f}" for f in fields]
    recipient = [f"request__recipient__{f}" for f in fields]
    meetings = []
    for row in (
        Meeting.objects.filter(event=event, slot__date=day)
        .order_by("slot__start", "id")
        .values_list(
            "id",
            "slot_id",
            "table_id",
            "status",
            "request_id",
            "fixed",
            "version",
            "absent",
            *sender,
            *recipient,
        )
    ):
        mid, slot_id, table_id, status, request_id, fixed, version, absent = row[:8]
        parties = [
            {"id": pid, "name": name, "organisation": org, "kind": kind_, "email": email}
            for pid, name, org, kind_, email in (row[8:13], row[13:18])
        ]
        meetings.append(
            {
                "id": mid,
                "slot_id": slot_id,
                "table_id": table_id,
                "status": status,
                "request_id": request_id,
                "fixed": fixed,
                "version": version,
                "absent": absent,
                "parties": parties,
            }
        )
    q = search_fold(q or "").strip()
    result = GridDay(day=day, slots=slots, rows=[], meetings=meetings, filtered=bool(q or kind))
    cells: dict[tuple, dict] = {}
    # meetings without a table (an event that allocates none): several may share a slot, so
    # they get "No table" rows of their own, as many as the busiest slot needs
    untabled: dict[int, list[dict]] = defaultdict(list)
    for m in meetings:
        m["match"] = _matches(m, q, kind)
        result.counts[m["status"]] += 1
        if m["table_id"] is None:
            untabled[m["slot_id"]].append(m)
            continue
        key = (m["table_id"], m["slot_id"])
        held = cells.get(key)
        if held is None or (held["status"] == "cancelled" and m["status"] != "cancelled"):
            cells[key] = m
    rows = table_rows
    # "used": tables with a live meeting that day (a cancelled one alone does not use it)
    live = [m for m in meetings if m["status"] != "cancelled"]
    if tables == "used":
        used = {m["table_id"] for m in live}
        rows = [t for t in rows if t["id"] in used]
    result.rows = [(t, [cells.get((t["id"], s["id"])) for s in slots]) for t in rows]
    if tables in ("all", "used"):
        by_slot = {}
        for slot_id, found in untabled.items():
            alive = [m for m in found if m["status"] != "cancelled"]
            # as at a table: a cancelled meeting shows only where nothing live is
            by_slot[slot_id] = alive or (found[:1] if tables == "all" else [])
        for k in range(max(map(len, by_slot.values()), default=0)):
            row = [by_slot.get(s["id"], [])[k : k + 1] for s in slots]
            result.rows.append(
                ({"id": None, "name": "", "shared": True}, [c[0] if c else None for c in row])
            )
    # the filter's count: live meetings that match, among the rows shown
    shown = {t["id"] for t, _cells in result.rows}
    result.matching = sum(1 for m in live if m["match"] and m["table_id"] in shown)
    return result


def slot_now(slots, now: dt.datetime) -> int | None:
    """The id of the slot under way at ``now`` among ``slots`` (rows with ``id``, ``start`` and
    ``end``, aware): None before and after them, in a break, or on another day. Aware times
    compare as instants, so this is the event's time zone's "now" whatever the server's."""
    return next((s["id"] for s in slots if s["start"] <= now < s["end"]), None)


def slot_mark(slots, now: dt.datetime) -> tuple[int | None, bool]:
    """The slot the live grid marks at ``now`` among ``slots`` (as for ``slot_now``) and
    whether it is the next one rather than the one under way: ``(id, False)`` during a slot;
    ``(id, True)`` in a break between two of them (after the first has started, before the
    last ends), the next slot to start, so the page still opens at the right place;
    ``(None, False)`` before and after them or on another day."""
    slots = list(slots)
    under = slot_now(slots, now)
    if under is not None:
        return under, False
    if not slots or now < min(s["start"] for s in slots) or now >= max(s["end"] for s in slots):
        return None, False
    upcoming = min((s for s in slots if s["start"] > now), key=lambda s: s["start"])
    return upcoming["id"], True


def grid_slot_mark(*, event: Event, day: dt.date, now: dt.datetime) -> tuple[int | None, bool]:
    """``slot_mark`` among the day's slots, read in one query (the live grid's ETag)."""
    return slot_mark(Slot.objects.filter(event=event, date=day).values("id", "start", "end"), now)


def grid_fingerprint(*, event: Event, day: dt.date) -> str:
    """Changes whenever something the grid shows of ``day`` changes (five queries): a meeting
    of the day added or changed (its rows' count, top id and last ``updated_at``), the day's
    slots, the event's tables (a row renamed, added or made shared), the event's people's
    names, organisations, kinds and emails (the cells name the parties; the filter reads the
    email), and who arrived at the fair that day (the list of meetings waiting for their
    people). Meetings alone were counted before: a renamed table or party touches no meeting,
    and the grid and its "Updated" time stayed as they were. A change to someone not on that
    day's grid refreshes it too (cheaper than reading the day's parties: 35 ms against 125 ms
    for the pages bench's fair)."""
    import hashlib
    import json

    from django.db.models import Max

    meetings = Meeting.objects.filter(event=event, slot__date=day).aggregate(
        n=Count("id"), last=Max("updated_at"), top=Max("id")
    )
    shown = [
        meetings,
        list(
            Slot.objects.filter(event=event, date=day)
            .order_by("id")
            .values_list("id", "start", "end")
        ),
        list(Table.objects.filter(event=event).order_by("id").values_list("id", "name", "shared")),
        list(
            Participant.objects.filter(event=event)
            .order_by("id")
            .values_list("id", "name", "kind", "organisation__name", "email")
        ),
        # who arrived that day: the list of meetings waiting for their people follows it (ids,
        # not a count and top id: SQLite may give a deleted top id to the next arrival)
        list(
            Arrival.objects.filter(event=event, date=day)
            .order_by("participant_id")
            .values_list("participant_id", flat=True)
        ),
    ]
    text = json.dumps(shown, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# ------------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------------


def _by(qs, key: str, keys: list[str]) -> dict[str, int]:
    found = {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("id")).order_by()}
    out = {k: found.get(k, 0) for k in keys}
    out.update({k: v for k, v in found.items() if k not in out})
    return out


def arrivals_by_day(*, event: Event, today: dt.date) -> list[dict]:
    """Arrivals on each fair day up to ``today`` (the report after the fair, and today's row
    for the desk while it runs; three queries): ``{"date", "arrived", "expected", "missing"}``:
    who was marked as arrived that day, who still comes and sits in a live meeting that day,
    and how many of those have not arrived (the desk's list, ``?arrived=no``, shows everyone
    not arrived; these are the ones expected)."""
    days = [d for d in event_days(event=event) if d <= today]
    arrived = dict(
        Arrival.objects.filter(event=event, date__in=days)
        .order_by()
        .values("date")
        .annotate(n=Count("id"))
        .values_list("date", "n")
    )
    seats = MeetingSeat.objects.filter(
        participant__event=event,
        participant__withdrawn_at__isnull=True,
        active=True,
        meeting__slot__date__in=days,
    ).exclude(meeting__status=Meeting.Status.CANCELLED)

    def people_by_day(qs) -> dict:
        return dict(
            qs.order_by()
            .values("meeting__slot__date")
            .annotate(n=Count("participant_id", distinct=True))
            .values_list("meeting__slot__date", "n")
        )

    expected = people_by_day(seats)
    missing = people_by_day(
        seats.filter(
            ~Exists(
                Arrival.objects.filter(
                    participant=OuterRef("participant_id"), date=OuterRef("meeting__slot__date")
                )
            )
        )
    )
    return [
        {
            "date": d,
            "arrived": arrived.get(d, 0),
            "expected": expected.get(d, 0),
            "missing": missing.get(d, 0),
        }
        for d in days
    ]


def _absent_people(no_shows, limit: int | None) -> list[dict]:
    """Who did not come to the no-shows they were named for (their side, or both sides), most
    first: ``{"id", "name", "organisation", "kind", "missed"}`` (two queries); ``limit``
    None: all of them."""
    missed: Counter = Counter()
    info: dict[int, tuple] = {}
    for side in ("sender", "recipient"):
        rows = (
            no_shows.filter(absent__in=("both", side))
            .order_by()
            .values_list(
                f"request__{side}_id",
                f"request__{side}__name",
                f"request__{side}__organisation__name",
                f"request__{side}__kind",
            )
            .annotate(n=Count("id"))
        )
        for pid, name, org, kind, n in rows:
            missed[pid] += n
            info[pid] = (name, org, kind)
    people = [
        {"id": pid, "name": info[pid][0], "organisation": info[pid][1], "kind": info[pid][2]}
        | {"missed": n}
        for pid, n in missed.items()
    ]
    people.sort(key=lambda p: (-p["missed"], p["name"], p["id"]))
    return people[:limit]


def event_statistics(
    *,
    event: Event,
    none_limit: int = 300,
    now: dt.datetime | None = None,
    absent_limit: int = 50,
) -> dict:
    """The organiser's numbers, from seventeen aggregate queries.

    - ``acceptance_rate``: accepted ÷ requests that got an outcome (accepted, declined, expired);
    - ``no_show_rate``: no-shows ÷ meetings whose attendance was recorded (checked in, held,
      no-show);
    - ``no_show_absent``: no-shows by who did not come (``both``, ``sender``, ``recipient``,
      ``""`` not said); ``absent_people``: the participants named as not coming, with how many
      no-shows each (``missed``), most first, at most ``absent_limit``;
    - ``per_participant``: {number of meetings: participants with that many}, counting the
      non-cancelled meetings each participant who still comes attends, as a party or as a
      colleague who joined (not those they left); ``without_meetings`` lists those who
      attend none and still come;
    - ``no_longer_coming``: participants who said they no longer come;
    - ``occupancy``: per slot, shared tables in use ÷ shared tables of the event (participants'
      own places, such as booths, are not the organisers' capacity and are left out);
    - ``unrecorded``: the scheduled meetings whose slot is over at ``now`` (nobody marked them
      held or no-show), ``{"count", "first_day"}``: "scheduled" alone mixes them with those
      still to come;
    - ``arrivals_by_day``: per fair day up to ``now`` (event time), who arrived and who was
      expected at a meeting and did not arrive (``arrivals_by_day``).
    """
    participants = Participant.objects.filter(event=event)
    by_kind = _by(participants, "kind", PARTICIPANT_KINDS)
    requests = _by(MeetingRequest.objects.filter(event=event), "status", REQUEST_STATUSES)
    meetings = _by(Meeting.objects.filter(event=event), "status", MEETING_STATUSES)

    decided = requests["accepted"] + requests["declined"] + requests["expired"]
    recorded = meetings["checked_in"] + meetings["held"] + meetings["no_show"]

    seats = (
        MeetingSeat.objects.filter(participant=OuterRef("pk"), active=True)
        .order_by()
        .values("participant")
        .annotate(c=Count("id"))
        .values("c")
    )
    per_participant = {  # of those who still come, as the list of those without a meeting
        row["n"]: row["people"]
        for row in participants.filter(withdrawn_at__isnull=True)
        .annotate(n=Coalesce(Subquery(seats, output_field=IntegerField()), Value(0)))
        .order_by()
        .values("n")
        .annotate(people=Count("id"))
        .order_by("n")
    }
    # who no longer comes needs no meeting: not in the list the organisers work through
    without_qs = participants.filter(
        ~Exists(MeetingSeat.objects.filter(participant=OuterRef("pk"), active=True)),
        withdrawn_at__isnull=True,
    )
    without = without_qs.order_by("name", "id").values("id", "name", "kind", "organisation__name")[
        :none_limit
    ]
    gone = participants.filter(withdrawn_at__isnull=False).count()

    # the shared (lounge) tables: the capacity the organisers plan; a booth is its owner's
    table_count = Table.objects.filter(event=event, shared=True).count()
    used = dict(
        Meeting.objects.filter(event=event, status__in=ACTIVE, table__shared=True)
        .order_by()
        .values("slot_id")
        .annotate(n=Count("id"))
        .values_list("slot_id", "n")
    )
    occupancy = []
    for s in Slot.objects.filter(event=event).order_by("start").values("id", "start", "date"):
        n = used.get(s["id"], 0)
        occupancy.append(
            {
                "slot": s["id"],
                "date": s["date"],
                "start": s["start"].astimezone(event.tz),
                "used": n,
                "rate": (n / table_count) if table_count else 0.0,
            }
        )
    unrecorded = Meeting.objects.filter(
        event=event, status=Meeting.Status.SCHEDULED, slot__end__lte=now or timezone.now()
    ).aggregate(count=Count("id"), first_day=Min("slot__date"))
    no_shows = Meeting.objects.filter(event=event, status=Meeting.Status.NO_SHOW)
    no_show_absent = dict.fromkeys(("both", "sender", "recipient", ""), 0)
    for code, n in (
        no_shows.order_by().values("absent").annotate(n=Count("id")).values_list("absent", "n")
    ):
        no_show_absent[code] = n
    total_participants = sum(by_kind.values())
    active_meetings = sum(meetings[s] for s in ACTIVE)
    return {
        "participants": total_participants,
        "by_kind": by_kind,
        "requests": requests,
        "requests_total": sum(requests.values()),
        "acceptance_rate": (requests["accepted"] / decided) if decided else None,
        "meetings": meetings,
        "meetings_total": sum(meetings.values()),
        "meetings_active": active_meetings,
        "no_show_rate": (meetings["no_show"] / recorded) if recorded else None,
        "no_show_absent": no_show_absent,
        "absent_people": _absent_people(no_shows, absent_limit),
        "per_participant": per_participant,
        "without_meetings": list(without),
        "without_meetings_count": per_participant.get(0, 0),
        "no_longer_coming": gone,
        "tables": table_count,
        "occupancy": occupancy,
        "unrecorded": unrecorded,
        "arrivals_by_day": arrivals_by_day(
            event=event, today=timezone.localtime(now or timezone.now(), event.tz).date()
        ),
    }


# "on the most shortlists" lists people saved by at least MOST_SAVED_MIN participants, once
# at least MOST_SAVED_MARKERS participants use shortlists: with one or two users, the list
# would be their shortlist
MOST_SAVED_MIN = 2
MOST_SAVED_MARKERS = 3


def interest_summary(*, event: Event, listed: int = 10) -> dict:
    """What participants did with their recommendations besides requesting (two queries):
    ``saved`` and ``hidden`` (people marked so), ``markers`` (participants who marked anyone),
    and ``most_saved``: the first ``listed`` participants on the most shortlists (id, name,
    organisation, kind, ``n``), most first, each on at least ``MOST_SAVED_MIN`` of them, once
    ``MOST_SAVED_MARKERS`` participants mark; those who no longer come are left out. Counts
    only: who saved or hid whom stays each participant's own."""
    marks = Mark.objects.filter(event=event)
    totals = marks.aggregate(
        saved=Count("id", filter=Q(kind=Mark.Kind.SAVED)),
        hidden=Count("id", filter=Q(kind=Mark.Kind.HIDDEN)),
        markers=Count("participant", distinct=True),
    )
    most = (
        marks.filter(kind=Mark.Kind.SAVED, candidate__withdrawn_at__isnull=True)
        .order_by()
        .values(
            "candidate_id",
            "candidate__name",
            "candidate__organisation__name",
            "candidate__kind",
        )
        .annotate(n=Count("id"))
        .filter(n__gte=MOST_SAVED_MIN)
        .order_by("-n", "candidate__name", "candidate_id")[:listed]
    )
    return {
        **totals,
        "most_saved": []
        if totals["markers"] < MOST_SAVED_MARKERS
        else [
            {
                "id": row["candidate_id"],
                "name": row["candidate__name"],
                "organisation": row["candidate__organisation__name"],
                "kind": row["candidate__kind"],
                "n": row["n"],
            }
            for row in most
        ],
    }


def message_summary(*, event: Event) -> dict:
    """How much participants write to each other (one query): ``messages`` sent, the
    ``conversations`` (pairs of people who wrote, either way) and the ``writers``. Counts only:
    what they wrote, and who wrote to whom, stays theirs."""
    pairs = set()
    writers = set()
    messages = 0
    for sender, recipient, n in (
        Message.objects.filter(event=event)
        .order_by()
        .values_list("sender_id", "recipient_id")
        .annotate(n=Count("id"))
    ):
        pairs.add((min(sender, recipient), max(sender, recipient)))
        writers.add(sender)
        messages += n
    return {"messages": messages, "conversations": len(pairs), "writers": len(writers)}


FEEDBACK_OUTCOMES = [c for c, _ in MeetingFeedback.Outcome.choices]


def feedback_summary(*, event: Event, listed: int = 50, now: dt.datetime | None = None) -> dict:
    """What the people in the event's meetings said of them (three queries). Only feedback on
    meetings that have started and are not cancelled counts: an organiser may have moved a
    meeting to a later time, or cancelled it, after someone gave feedback on it.

    - ``given``: feedback rows; ``meetings``: meetings with at least one;
    - ``took_place`` / ``did_not_take_place``: rows saying so;
    - ``mean_rating`` over the rows of meetings that took place (None without any) and
      ``ratings`` {1..5: rows};
    - ``outcomes`` {outcome: rows}, "" (not said) included;
    - ``disputed``: meetings (id, start) where one of its two parties says it took place and the
      other says it did not (colleagues who joined are not a side of their own), the first
      ``listed`` by time, and ``disputed_count``;
    - ``against_record``: meetings whose feedback contradicts what the organisers recorded
      (marked no-show, yet someone says it took place; marked held, yet someone says it did
      not), and ``against_record_count``.
    """
    now = now or timezone.now()
    rows = MeetingFeedback.objects.filter(
        meeting__event=event, meeting__slot__start__lte=now
    ).exclude(meeting__status=Meeting.Status.CANCELLED)
    totals = rows.aggregate(
        given=Count("id"),
        meetings=Count("meeting", distinct=True),
        held=Count("id", filter=Q(took_place=True)),
        mean_rating=Avg("rating", filter=Q(took_place=True)),
    )
    ratings = dict.fromkeys(range(1, 6), 0)
    outcomes = dict.fromkeys(["", *FEEDBACK_OUTCOMES], 0)
    for rating, outcome, n in (
        rows.filter(took_place=True)
        .order_by()
        .values_list("rating", "outcome")
        .annotate(n=Count("id"))
    ):
        ratings[rating] = ratings.get(rating, 0) + n
        outcomes[outcome] = outcomes.get(outcome, 0) + n
    # meeting -> its start, status, what its two parties said, and who said it took place or not
    said: dict[int, dict] = {}
    for mid, start, status, who, sender, recipient, took_place in rows.order_by(
        "meeting__slot__start", "meeting_id"
    ).values_list(
        "meeting_id",
        "meeting__slot__start",
        "meeting__status",
        "participant_id",
        "meeting__request__sender_id",
        "meeting__request__recipient_id",
        "took_place",
    ):
        entry = said.setdefault(
            mid, {"start": start, "status": status, "parties": {}, True: 0, False: 0}
        )
        entry[took_place] += 1
        if who in (sender, recipient):
            entry["parties"][who] = took_place
    tz = event.tz
    disputed, against = [], []
    for mid, entry in said.items():
        item = {"meeting": mid, "start": entry["start"].astimezone(tz)}
        yes, no = entry[True], entry[False]
        if len(set(entry["parties"].values())) == 2:  # its two parties disagree
            disputed.append(item)
        if (entry["status"] == Meeting.Status.NO_SHOW and yes) or (
            entry["status"] == Meeting.Status.HELD and no
        ):
            against.append(item)
    return {
        "given": totals["given"],
        "meetings": totals["meetings"],
        "took_place": totals["held"],
        "did_not_take_place": totals["given"] - totals["held"],
        "mean_rating": totals["mean_rating"],
        "ratings": ratings,
        "outcomes": outcomes,
        "disputed": disputed[:listed],
        "disputed_count": len(disputed),
        "against_record": against[:listed],
        "against_record_count": len(against),
    }


FEEDBACK_CSV_HEADER = [
    "meeting",
    "date",
    "start",
    "table",
    "meeting_status",
    "from_name",
    "from_organisation",
    "from_email",
    "with",
    "took_place",
    "rating",
    "outcome",
    "comment",
    "given",
]


PARTICIPANTS_CSV_HEADER = [
    "participant",
    "ref",
    "name",
    "email",
    "organisation",
    "kind",
    "title",
    "country",
    "city",
    "languages",
    "sectors",
    "attending",
    "no_longer_comes_since",
    "meetings",
    "requests_sent",
    "requests_received",
    "waiting_for_their_answer",
    "max_meetings",
    "own_place",
    "arrived",
    "missed_meetings",
]


def participants_export_rows(*, event: Event):
    """One row per participant (PARTICIPANTS_CSV_HEADER order), by name: who they are, whether
    they still come, their live meetings (as a party or a colleague who joined), the requests
    they sent and received, and those waiting for their answer, the fair days they arrived
    (``arrived``) and the no-shows they were named as not coming to (``missed_meetings``)
    (seven queries)."""
    tz = event.tz
    arrived: dict[int, list[str]] = defaultdict(list)
    for pid, day in (
        Arrival.objects.filter(event=event).order_by("date").values_list("participant_id", "date")
    ):
        arrived[pid].append(day.isoformat())
    no_shows = Meeting.objects.filter(event=event, status=Meeting.Status.NO_SHOW)
    missed = {p["id"]: p["missed"] for p in _absent_people(no_shows, limit=None)}
    meetings = dict(
        MeetingSeat.objects.filter(participant__event=event, active=True)
        .order_by()
        .values("participant_id")
        .annotate(n=Count("meeting_id", distinct=True))
        .values_list("participant_id", "n")
    )
    sent: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    for sender, recipient, status, n in (
        MeetingRequest.objects.filter(event=event)
        .order_by()
        .values("sender_id", "recipient_id", "status")
        .annotate(n=Count("id"))
        .values_list("sender_id", "recipient_id", "status", "n")
    ):
        sent[sender] += n
        received[recipient] += n
        if status == MeetingRequest.Status.PENDING:
            waiting[recipient] += n
    rows = (
        Participant.objects.filter(event=event)
        .order_by("name", "id")
        .values_list(
            "id",
            "ref",
            "name",
            "email",
            "organisation__name",
            "kind",
            "title",
            "country",
            "city",
            "languages",
            "profile__sectors",
            "withdrawn_at",
            "max_meetings",
            "fixed_table__name",
        )
    )
    for pid, *who, languages, sectors, gone, limit, place in rows.iterator(chunk_size=2000):
        yield [
            pid,
            *who,
            " ".join(languages or []),
            " ".join(sectors or []),
            "no" if gone else "yes",
            gone.astimezone(tz).isoformat(" ", "minutes")[:16] if gone else "",
            meetings.get(pid, 0),
            sent.get(pid, 0),
            received.get(pid, 0),
            waiting.get(pid, 0),
            "" if limit is None else limit,
            place or "",
            " ".join(arrived.get(pid, ())),
            missed.get(pid, 0),
        ]


def feedback_export_rows(*, event: Event):
    """One row per feedback (FEEDBACK_CSV_HEADER order), by meeting time: who gave it, who else
    sat in the meeting ("Name (Organisation); ..."), and what they said (two queries)."""
    tz = event.tz
    seated: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for mid, pid, name, org in (
        MeetingSeat.objects.filter(
            left=False,
            meeting__in=MeetingFeedback.objects.filter(meeting__event=event).values("meeting_id"),
        )
        .order_by("-is_party", "participant__name", "participant_id")
        .values_list(
            "meeting_id", "participant_id", "participant__name", "participant__organisation__name"
        )
    ):
        seated[mid].append((pid, f"{name} ({org})"))
    rows = (
        MeetingFeedback.objects.filter(meeting__event=event)
        .order_by("meeting__slot__start", "meeting_id", "participant__name", "id")
        .values_list(
            "meeting_id",
            "meeting__slot__start",
            "meeting__table__name",
            "meeting__status",
            "participant_id",
            "participant__name",
            "participant__organisation__name",
            "participant__email",
            "took_place",
            "rating",
            "outcome",
            "comment",
            "updated_at",
        )
    )
    for mid, start, table, status, pid, *who, took_place, rating, outcome, comment, at in rows:
        local = start.astimezone(tz)
        yield [
            mid,
            local.date().isoformat(),
            f"{local:%H:%M}",
            table or "",
            status,
            *who,
            "; ".join(text for other, text in seated.get(mid, ()) if other != pid),
            "yes" if took_place else "no",
            rating if rating is not None else "",
            outcome,
            comment,
            at.astimezone(tz).isoformat(" ", "minutes")[:16],
        ]


# ------------------------------------------------------------------------------------------------
# Participants, runs, exports
# ------------------------------------------------------------------------------------------------


def participant_get(*, event: Event, participant_id: int) -> Participant | None:
    return (
        Participant.objects.select_related("organisation", "fixed_table", "user")
        .filter(event=event, pk=participant_id)
        .first()
    )


def participant_search(
    *,
    event: Event,
    q: str = "",
    limit: int = 50,
    not_coming: bool = False,
    not_arrived_on: dt.date | None = None,
) -> list[Participant]:
    """The console's participant search; ``not_coming``: only who said they no longer come;
    ``not_arrived_on``: only who still comes and has not arrived at the fair that day."""
    qs = Participant.objects.filter(event=event).select_related("organisation")
    if not_coming:
        qs = qs.filter(withdrawn_at__isnull=False)
    if not_arrived_on is not None:
        qs = qs.filter(withdrawn_at__isnull=True).exclude(arrivals__date=not_arrived_on)
    q = (q or "").strip()
    if q:  # as the participants' directory: accents, case and Arabic marks do not matter
        qs = qs.filter(people_matching(q, with_email=True)).distinct()
    return list(qs.order_by("name", "id")[:limit])


def meeting_log_of(*, event: Event, participant: Participant) -> list[MeetingLog]:
    """Changes to every meeting the participant sits in, newest first (one query)."""
    return list(
        MeetingLog.objects.filter(
            meeting__event=event,
            meeting__in=MeetingSeat.objects.filter(participant=participant).values("meeting_id"),
        )
        .select_related("actor", "meeting__slot")
        .order_by("-at", "-id")
    )


def schedule_runs(*, event: Event, limit: int = 20) -> list[ScheduleRun]:
    """The latest runs, without their (large) plans and bases; they load on demand (a draft's
    preview reads them)."""
    return list(
        ScheduleRun.objects.filter(event=event)
        .select_related("created_by", "published_by")
        .defer("plan", "basis")
        .order_by("-created_at", "-id")[:limit]
    )


CSV_HEADER = [
    "meeting",
    "day",
    "start",
    "end",
    "table",
    "status",
    "party_a_name",
    "party_a_organisation",
    "party_a_email",
    "party_b_name",
    "party_b_organisation",
    "party_b_email",
    "request",
    "attendees",
    "source",
    "fixed",
    "cancelled_by",
    "cancel_reason",
    "absent",
]

REQUESTS_CSV_HEADER = [
    "request",
    "sent",
    "status",
    "answered",
    "expires",
    "from_name",
    "from_organisation",
    "from_email",
    "to_name",
    "to_organisation",
    "to_email",
    "priority",
    "session",
    "proposed",
    "meeting",
    "message",
    "reason",
]


# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP "CSV
# injection"): ``=HYPERLINK("http://x","click")`` as a participant's name would become a live link.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """``value`` safe to open in a spreadsheet: text starting like a formula gets a leading
    ``'`` so it is read as text (OWASP's advice); numbers and other text are kept as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_stream(*, header: list[str], rows, chunk_rows: int = 2000, delimiter: str = ","):
    """The text of a CSV export in chunks (for a streaming response): a BOM, so spreadsheet
    programs read the names as UTF-8, the header, then ``rows``, every cell through
    ``csv_cell``. Every CSV export writes through this. ``delimiter`` ";" is for spreadsheet
    programs set up for French, Arabic and most of Europe, which open a comma-separated file as
    one column (their decimal comma makes the semicolon their list separator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write("\ufeff")
    writer.writerow([csv_cell(cell) for cell in header])
    first = frozenset("".join(FORMULA_STARTS))  # csv_cell, inlined: 250,000 cells a big export
    for i, row in enumerate(rows, 1):
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in first else c for c in row])
        if i % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def meetings_export_rows(*, event: Event):
    """One row per meeting (CSV_HEADER order), times in the event's time zone (three queries).

    Party A is the requester, party B the requested; ``absent`` says who did not come to a
    no-show (``both``, ``sender``: party A, ``recipient``: party B; blank: not said or not a
    no-show); ``attendees`` lists the colleagues who
    joined the meeting besides them ("Name <email>; ..."), not those who left it nor anyone in a
    cancelled meeting.
    """
    tz = event.tz
    when = {}
    for slot_id, start, end in Slot.objects.filter(event=event).values_list("id", "start", "end"):
        start, end = start.astimezone(tz), end.astimezone(tz)
        when[slot_id] = (start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}")
    colleagues: dict[int, list[str]] = {}
    for meeting_id, name, email in (
        MeetingSeat.objects.filter(meeting__event=event, is_party=False, active=True, left=False)
        .order_by("participant__name", "participant__ref")
        .values_list("meeting_id", "participant__name", "participant__email")
    ):
        colleagues.setdefault(meeting_id, []).append(f"{name} <{email}>")
    rows = (
        Meeting.objects.filter(event=event)
        .order_by("slot__start", "table__name", "id")
        .values_list(
            "id",
            "slot_id",
            "table__name",
            "status",
            "request__sender__name",
            "request__sender__organisation__name",
            "request__sender__email",
            "request__recipient__name",
            "request__recipient__organisation__name",
            "request__recipient__email",
            "request_id",
            "source",
            "fixed",
            "cancelled_by",
            "cancel_reason",
            "absent",
        )
    )
    for mid, slot_id, table, status, *rest in rows.iterator(chunk_size=5000):
        *people, request_id, source, fixed, cancelled_by, reason, absent = rest
        attending = "; ".join(colleagues.get(mid, ()))
        yield [
            mid,
            *when[slot_id],
            table or "",
            status,
            *people,
            request_id,
            attending,
            source,
            "yes" if fixed else "no",
            cancelled_by or "",
            reason,
            absent,
        ]


def requests_export_rows(*, event: Event):
    """One row per meeting request (REQUESTS_CSV_HEADER order), oldest first: who asked whom,
    when (the event's local time), its status and answer, the time the sender proposed, its
    live meeting if it has one, and the reason typed when it was declined or withdrawn (two
    queries)."""
    tz = event.tz

    def local(moment):  # "YYYY-MM-DD HH:MM" (isoformat is twice as fast as strftime here)
        return moment.astimezone(tz).isoformat(" ", "minutes")[:16] if moment else ""

    live = dict(
        Meeting.objects.filter(event=event)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("request_id", "id")
    )
    rows = (
        MeetingRequest.objects.filter(event=event)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "status",
            "responded_at",
            "expires_at",
            "sender__name",
            "sender__organisation__name",
            "sender__email",
            "recipient__name",
            "recipient__organisation__name",
            "recipient__email",
            "priority",
            "session",
            "proposed_slot__start",
            "message",
            "answer_reason",
        )
    )
    for (
        rid,
        sent,
        status,
        answered,
        expires,
        *people,
        priority,
        session,
        proposed,
        message,
        reason,
    ) in rows.iterator(chunk_size=5000):
        yield [
            rid,
            local(sent),
            status,
            local(answered),
            # when it expires, or expired: an answered or withdrawn request expires no more
            local(expires) if status in ("pending", "expired") else "",
            *people,
            priority,
            session,
            local(proposed),
            live.get(rid, ""),
            message,
            reason,
        ]
