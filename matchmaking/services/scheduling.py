"""The organiser's scheduler runs: build the solver's problem from the database, run it into a
draft plan, publish the plan through the same guarded booking services as the API.

Which meetings the solver may move: scheduled meetings placed by an earlier run or an organiser
are *previous* positions (a re-run minimises how many move); meetings fixed by the organiser,
already checked in / held / no-show, whose slot has already started, and (unless the run says
otherwise) meetings participants booked themselves keep their slot. Every other request is planned
only into slots that have not started yet.
"""

import dataclasses
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from matchmaking import scheduler
from matchmaking.exceptions import Conflict, DomainError
from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    Participant,
    ScheduleRun,
    Slot,
    Table,
)
from matchmaking.reasons import Reason, skip_item
from matchmaking.selectors import (
    available_slots,
    event_live_state,
    run_basis_entry,
    schedule_run_changes,
)
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.meetings import (
    Actor,
    _check_availability,
    _check_caps,
    _check_free,
    _check_slot,
    _choose_table,
    _Known,
    _load_known,
    meeting_book_locked,
    meeting_cancel_locked,
    meeting_reschedule_locked,
    meeting_vacate_locked,
)
from matchmaking.services.notifications import batched

logger = logging.getLogger(__name__)

DEFAULT_OPTIONS = {
    "time_limit": 60.0,
    "seed": 0,
    "pin_participant_bookings": True,
    # a re-run moves as few planned meetings as it can (before closing idle slots); off: plan
    # afresh (idle slots first), as before anything was published
    "minimise_moves": True,
    # share of the total weight the solver may give up so that participants without any meeting
    # get one (0 = the highest weight first, as the objectives order it)
    "fair_weight_share": 0.0,
    # plan again the accepted requests whose meeting a participant or an organiser cancelled
    # (off: only those the system cancelled, e.g. after an availability change, are planned)
    "replan_cancelled": False,
}
FAIR_WEIGHT_SHARE_MAX = 0.05
PINNED_SOURCES = {Meeting.Source.PARTICIPANT, Meeting.Source.IMPORT}


@dataclass
class Built:
    """A solver problem and the maps back to database ids."""

    problem: scheduler.Problem
    slots: list[Slot]
    shared_tables: list[Table]
    fixed_places: dict[str, int]  # place name -> table id
    current: dict[int, Meeting]  # request id -> its live meeting
    withdrawn: int = 0  # accepted requests left out: a person cancelled their meeting


def _clean_options(options: dict | None) -> dict:
    merged = {**DEFAULT_OPTIONS, **(options or {})}
    try:
        merged["time_limit"] = float(merged["time_limit"])
        merged["seed"] = int(merged["seed"])
        merged["fair_weight_share"] = float(merged["fair_weight_share"])
    except (TypeError, ValueError) as exc:
        raise DomainError(
            "time_limit and fair_weight_share must be numbers and seed an integer."
        ) from exc
    if not 1 <= merged["time_limit"] <= 3600:
        raise DomainError("time_limit must be between 1 and 3600 seconds.", field="time_limit")
    if not 0 <= merged["fair_weight_share"] <= FAIR_WEIGHT_SHARE_MAX:
        raise DomainError(
            f"fair_weight_share must be between 0 and {FAIR_WEIGHT_SHARE_MAX} "
            f"(a share of the total weight, {FAIR_WEIGHT_SHARE_MAX:.0%} at most).",
            field="fair_weight_share",
        )
    merged["pin_participant_bookings"] = bool(merged["pin_participant_bookings"])
    merged["minimise_moves"] = bool(merged["minimise_moves"])
    merged["replan_cancelled"] = bool(merged["replan_cancelled"])
    return {k: merged[k] for k in DEFAULT_OPTIONS}


def build_problem(
    *, event: Event, options: dict | None = None, now: datetime | None = None
) -> Built:
    """Read the event into a ``scheduler.Problem`` as it stands at ``now`` (default: the current
    time): a meeting whose slot has started stays there, the other requests may use only the
    slots that have not started."""
    options = _clean_options(options)
    now = now or timezone.now()
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    slot_index = {s.pk: i for i, s in enumerate(slots)}
    upcoming = frozenset(i for i, s in enumerate(slots) if s.start > now)
    days = sorted({s.date for s in slots})
    day_index = {d: i for i, d in enumerate(days)}
    shared = list(Table.objects.filter(event=event, shared=True).order_by("name"))
    table_index = {t.pk: i for i, t in enumerate(shared)}

    requests = list(
        MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.ACCEPTED)
        .select_related("sender__fixed_table", "recipient__fixed_table")
        .order_by("id")
    )
    current = {
        m.request_id: m
        for m in Meeting.objects.filter(event=event, request__in=requests).exclude(
            status=Meeting.Status.CANCELLED
        )
    }
    withdrawn = set()
    if not options["replan_cancelled"]:
        # A meeting its participant or an organiser cancelled stays cancelled: re-booking it is
        # theirs to decide (participants may book the accepted request again themselves).
        last_cancel = dict(  # request id -> who cancelled its latest meeting
            Meeting.objects.filter(event=event, status=Meeting.Status.CANCELLED)
            .exclude(request_id__in=current)
            .order_by("updated_at", "id")
            .values_list("request_id", "cancelled_by")
        )
        chose = {Meeting.CancelledBy.PARTICIPANT, Meeting.CancelledBy.ORGANISER}
        withdrawn = {r.pk for r in requests if last_cancel.get(r.pk) in chose}
        requests = [r for r in requests if r.pk not in withdrawn]
    people = {}
    for r in requests:
        people[r.sender_id] = r.sender
        people[r.recipient_id] = r.recipient
    periods = available_slots(slots=slots, participant_ids=list(people))
    # A meeting that stays where it is (fixed, checked in, held, started, pinned) keeps its slot
    # even when a later availability change left that slot outside the person's periods: it is
    # a fact, and the slot is taken by it anyway, so no other meeting can use it.
    pinned_of: dict[int, bool] = {}
    for r in requests:
        meeting = current.get(r.pk)
        if meeting is not None:
            pinned_of[r.pk] = (
                meeting.fixed
                or meeting.status != Meeting.Status.SCHEDULED
                or slot_index[meeting.slot_id] not in upcoming
                or (options["pin_participant_bookings"] and meeting.source in PINNED_SOURCES)
            )
            if pinned_of[r.pk]:
                for pid in (r.sender_id, r.recipient_id):
                    if pid in periods:
                        periods[pid] = periods[pid] | {slot_index[meeting.slot_id]}
    available = periods.get  # None: any slot

    # People who share one fixed place (two representatives at one booth) become one solver
    # participant: the place holds one meeting per slot. Their own availability moves onto each
    # of their requests; their caps add up (the booking service still enforces each person's).
    fixed_places: dict[str, int] = {}
    members: dict[object, list] = defaultdict(list)
    for pid, person in people.items():
        table = person.fixed_table
        if table is not None and not table.shared:
            fixed_places[table.name] = table.pk
            members[("place", table.pk)].append(person)
        else:
            members[pid].append(person)
    node_of = {p.pk: node for node, group in members.items() for p in group}
    participants = []
    for node, group in members.items():
        caps = [p.max_meetings for p in group]
        participants.append(
            scheduler.Participant(
                id=node,
                available=available(group[0].pk) if len(group) == 1 else None,
                cap=None if None in caps else sum(caps),
                fixed_place=group[0].fixed_table.name if isinstance(node, tuple) else None,
            )
        )
    shared_place = {p.pk for group in members.values() if len(group) > 1 for p in group}

    mornings = frozenset(i for i, s in enumerate(slots) if s.part == Slot.MORNING)
    afternoons = frozenset(i for i, s in enumerate(slots) if s.part == Slot.AFTERNOON)
    allowed_by_session = {"morning": mornings, "afternoon": afternoons, "any": None}
    previous, previous_tables, items = {}, {}, []
    for r in requests:
        fixed_slot = None
        meeting = current.get(r.pk)
        pinned = pinned_of.get(r.pk, False)
        if meeting is not None:
            if pinned:
                fixed_slot = slot_index[meeting.slot_id]
            else:
                previous[r.pk] = slot_index[meeting.slot_id]
            if meeting.table_id in table_index:  # a pinned meeting keeps its table too
                previous_tables[r.pk] = table_index[meeting.table_id]
        allowed = None if pinned else allowed_by_session[r.session]
        if not pinned and len(upcoming) < len(slots):  # nothing new goes into the past
            allowed = upcoming if allowed is None else allowed & upcoming
        for pid in (r.sender_id, r.recipient_id):
            own = available(pid) if pid in shared_place and not pinned else None
            if own is not None:
                allowed = own if allowed is None else allowed & own
        items.append(
            scheduler.Request(
                id=r.pk,
                a=node_of[r.sender_id],
                b=node_of[r.recipient_id],
                weight=r.priority,
                allowed=allowed,
                fixed_slot=fixed_slot,
            )
        )
    problem = scheduler.Problem(
        n_slots=len(slots),
        slot_day=tuple(day_index[s.date] for s in slots),
        participants=tuple(participants),
        requests=tuple(items),
        tables=len(shared) if shared else None,
        previous=previous or None,
        previous_tables=previous_tables or None,
    )
    return Built(problem, slots, shared, fixed_places, current, withdrawn=len(withdrawn))


def schedule_run_create(
    *, event: Event, user, options: dict | None = None, enqueue: bool = True
) -> ScheduleRun:
    """Create a queued run and, with ``enqueue``, start it after commit (a Celery task; in-process
    by default). Without ``enqueue`` the caller runs ``schedule_run_execute`` itself.

    Side effects: inserts a ScheduleRun; enqueues ``matchmaking.run_schedule``.
    """
    from matchmaking.tasks import run_schedule

    clean = _clean_options(options)
    if not event.slots.exists():
        raise Conflict("This event has no slots to schedule into.")
    with transaction.atomic():
        run = ScheduleRun.objects.create(
            event=event, created_by=user if getattr(user, "pk", None) else None, options=clean
        )
        if enqueue:
            transaction.on_commit(lambda: run_schedule.delay(run_id=run.pk))
    return run


def schedule_run_execute(*, run: ScheduleRun) -> ScheduleRun:
    """Solve the run's event into a draft plan. Idempotent: a run already past QUEUED is left.

    Side effects: updates the run (status, progress, statistics, plan).
    """
    claimed = ScheduleRun.objects.filter(pk=run.pk, status=ScheduleRun.Status.QUEUED).update(
        status=ScheduleRun.Status.RUNNING, started_at=timezone.now(), phase="reading"
    )
    if not claimed:
        return ScheduleRun.objects.get(pk=run.pk)
    run.refresh_from_db()
    last = [0.0]

    def progress(phase: str, fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or fraction >= 1.0:
            last[0] = now
            ScheduleRun.objects.filter(pk=run.pk).update(
                phase=phase[:40], progress=round(min(max(fraction, 0.0), 1.0), 3)
            )

    try:
        built = build_problem(event=run.event, options=run.options)
        result = scheduler.solve(
            built.problem,
            time_limit=run.options["time_limit"],
            seed=run.options["seed"],
            fair_weight_share=run.options.get("fair_weight_share", 0.0),
            minimise_moves=run.options.get("minimise_moves", True),
            progress=progress,
        )
    except Exception as exc:  # the run records any failure for the organiser to see
        logger.exception("schedule run %s failed", run.pk)
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return ScheduleRun.objects.get(pk=run.pk)
    plan = []
    for a in result.assignments:
        slot = built.slots[a.slot]
        if a.place is not None:
            table = built.fixed_places[a.place]
        elif a.table is not None:
            table = built.shared_tables[a.table].pk
        else:
            table = None
        plan.append([a.request_id, slot.pk, table])
    stats = dataclasses.asdict(result.stats)
    stats["participants"] = len(built.problem.participants)
    stats["requests"] = len(built.problem.requests)
    stats["withdrawn"] = built.withdrawn
    basis = {str(r.id): run_basis_entry(built.current.get(r.id)) for r in built.problem.requests}
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=ScheduleRun.Status.DRAFT,
        plan=plan,
        basis=basis,
        stats=stats,
        progress=1.0,
        phase="done",
        finished_at=timezone.now(),
    )
    return ScheduleRun.objects.get(pk=run.pk)


def _refusal(exc: DomainError) -> Reason | str:
    """Why the booking rules refused a change: their Reason (said in the reader's language on the
    organisers' pages) when they give one, else their English message."""
    return exc.reason if isinstance(exc.reason, Reason) else exc.message


def _attempt(fn, **kwargs) -> Reason | str | None:
    """Run one service call in a savepoint; the reason it was refused, or None."""
    try:
        with transaction.atomic():
            fn(**kwargs)
    except DomainError as exc:
        return _refusal(exc)
    except IntegrityError as exc:
        return f"refused by the database ({exc.__class__.__name__})"
    return None


def schedule_run_publish(*, run: ScheduleRun, user, now: datetime | None = None) -> ScheduleRun:
    """Apply a draft plan: move, book and cancel meetings through the booking services.

    Side effects: in one transaction, every changed meeting is vacated then re-placed with
    ``meeting_reschedule_locked`` (SEQUENCE bumped, logged), new meetings are booked with
    ``meeting_book_locked`` (source "scheduler"), scheduled meetings the plan dropped are
    cancelled with a reason. What changed since the run read the event (a meeting booked, moved
    or cancelled meanwhile: ``run.basis``) is left as it is, and no change touches a slot which
    has started by ``now`` (a draft published hours after its run): both are reported in
    ``publish_report["skipped"]`` (``selectors.schedule_run_changes`` decides, as it does for
    the draft's preview), as is anything the booking services refuse. Earlier
    published runs become superseded.
    """
    now = now or timezone.now()
    actor = Actor(user=user, system=user is None)
    with batched(), guarded_transaction():
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ScheduleRun.Status.DRAFT:
            raise Conflict(
                f"Only a draft run can be published; this one is {run.status}.",
                code="run_not_draft",
            )
        event = run.event
        lock_participants_and_slots(
            event.participants.values_list("pk", flat=True),
            event.slots.values_list("pk", flat=True),
        )
        changes = schedule_run_changes(run=run, now=now)
        tables = {t.pk: t for t in event.tables.all()}
        slots = {s.pk: s for s in event.slots.all()}
        report = {
            "booked": 0,
            "moved": 0,
            "kept": changes.keep,
            "cancelled": 0,
            "skipped": list(changes.skipped),
        }
        for m, _slot, _table in changes.move:
            meeting_vacate_locked(meeting=m)
        for m in changes.cancel:
            reason = _attempt(
                meeting_cancel_locked,
                meeting=m,
                actor=actor,
                reason=Reason("schedule_dropped", {"run": run.pk}),
            )
            if reason is None:
                report["cancelled"] += 1
            else:
                report["skipped"].append(skip_item(m.request_id, reason))
        for m, slot_id, table_id in changes.move:
            reason = _attempt(
                meeting_reschedule_locked,
                meeting=m,
                slot=slots[slot_id],
                actor=actor,
                table=tables.get(table_id),
                vacated_from=m.table,
            )
            if reason is None:
                report["moved"] += 1
                continue
            # Put it back where it was (nothing changed for its people: no log, no email), or
            # at another table of its slot, or cancel it if neither is possible.
            outcome = _restore_or_cancel(m, actor, run)
            if outcome == "retabled":
                report["moved"] += 1
            elif outcome == "cancelled":
                report["cancelled"] += 1
            report["skipped"].append(
                skip_item(m.request_id, reason, outcome if outcome != "restored" else None)
            )
        for req_id, slot_id, table_id in changes.book:
            reason = _attempt(
                meeting_book_locked,
                request=MeetingRequest(pk=req_id),
                slot=slots[slot_id],
                actor=actor,
                table=tables.get(table_id),
                source=Meeting.Source.SCHEDULER,
            )
            if reason is None:
                report["booked"] += 1
            else:
                report["skipped"].append(skip_item(req_id, reason))
        ScheduleRun.objects.filter(event=event, status=ScheduleRun.Status.PUBLISHED).update(
            status=ScheduleRun.Status.SUPERSEDED
        )
        run.status = ScheduleRun.Status.PUBLISHED
        run.published_at = timezone.now()
        run.published_by = user if getattr(user, "pk", None) else None
        run.publish_report = report
        run.save(update_fields=["status", "published_at", "published_by", "publish_report"])
    return run


def _restore_or_cancel(meeting: Meeting, actor: Actor, run: ScheduleRun) -> str:
    """A vacated meeting could not move: re-seat it in place as it was (the colleagues who left
    stay out) and say "restored"; when the database refuses because a move of this publish took
    its table, place it in its slot at another free table ("retabled", through the booking
    service); else cancel it with a reason ("cancelled"): never leave it half-placed."""
    try:
        with transaction.atomic():
            MeetingSeat.objects.filter(meeting=meeting, left=False).update(active=True)
            Meeting.objects.filter(pk=meeting.pk).update(table=meeting.table)
        return "restored"
    except IntegrityError:
        pass
    retabled = _attempt(
        meeting_reschedule_locked, meeting=meeting, slot=meeting.slot, actor=actor, table=None
    )
    if retabled is None:
        return "retabled"
    meeting_cancel_locked(
        meeting=meeting, actor=actor, reason=Reason("schedule_place_taken", {"run": run.pk})
    )
    return "cancelled"


# ------------------------------------------------------------------------------------------------
# What publishing would do: the same changes through the same booking rules, without writing
# ------------------------------------------------------------------------------------------------


def _known_copy(known: _Known) -> _Known:
    """A copy of ``known`` that one preview may change (periods and tables are only read)."""
    return _Known(
        periods=known.periods,
        seats=dict(known.seats),
        party_of={pid: set(ids) for pid, ids in known.party_of.items()},
        tables_used={slot: dict(used) for slot, used in known.tables_used.items()},
        shared_tables=known.shared_tables,
    )


def _event_known(event_id: int) -> _Known:
    """Everything the booking rules read for a whole event, once."""
    people = list(Participant.objects.filter(event_id=event_id).values_list("pk", "max_meetings"))
    return _load_known(
        event_id=event_id,
        people=[pk for pk, _cap in people],
        slots=Slot.objects.filter(event_id=event_id).values_list("pk", flat=True),
        capped=[pk for pk, cap in people if cap is not None],
    )


@dataclass
class _EventReading:
    """What a preview reads of the whole event, shared by the previews of several drafts."""

    state: tuple  # selectors.event_live_state: live meetings by request, slots by id
    known: _Known  # what the booking rules read
    tables: dict[int, Table]

    @classmethod
    def of(cls, event_id: int) -> "_EventReading":
        return cls(
            state=event_live_state(event_id),
            known=_event_known(event_id),
            tables={t.pk: t for t in Table.objects.filter(event_id=event_id)},
        )


def schedule_run_preview(
    *, run: ScheduleRun, now: datetime | None = None, reading: _EventReading | None = None
) -> dict:
    """What ``schedule_run_publish`` would do now, without writing anything: the changes of
    ``selectors.schedule_run_changes`` (what changed since the run is skipped), then each move
    and booking checked in the publish's order by the booking services' own rules (availability,
    meeting limits, the request's morning/afternoon wish, free people and tables), each applied
    to an in-memory copy of what those rules read so later changes see earlier ones. A move the
    rules refuse is put back, at another table of its slot, or cancelled, as the publish does.

    Returns the publish report's figures under the preview's names: ``book``, ``move``,
    ``cancel``, ``keep``, ``leave``, ``skip`` and ``skipped`` (each ``{"request", "reason"}``,
    in the publish's order). ``reading`` lets a caller preview several drafts of one event from
    one reading of it.
    """
    now = now or timezone.now()
    reading = reading or _EventReading.of(run.event_id)
    changes = schedule_run_changes(run=run, now=now, state=reading.state)
    known = _known_copy(reading.known)
    actor = Actor(system=True)
    slots, tables = reading.state[1], reading.tables
    seated: dict[int, list[Participant]] = defaultdict(list)  # who sits in each meeting
    for seat_row in (
        MeetingSeat.objects.filter(
            meeting_id__in=[m.pk for m, _s, _t in changes.move] + [m.pk for m in changes.cancel],
            left=False,
        )
        .select_related("participant")
        # the order the move reads them in (Participant's ordering): it names the first refusal
        .order_by("participant__name", "participant_id")
    ):
        seated[seat_row.meeting_id].append(seat_row.participant)
    requests = MeetingRequest.objects.select_related(
        "event", "sender__fixed_table", "recipient__fixed_table"
    ).in_bulk([m.request_id for m, _s, _t in changes.move] + [r for r, _s, _t in changes.book])
    report = {"book": 0, "move": 0, "keep": changes.keep, "cancel": 0, "leave": changes.leave}
    skipped = list(changes.skipped)

    def vacate(meeting: Meeting, people) -> None:
        for person in people:
            if known.seats.get((person.pk, meeting.slot_id)) == meeting.pk:
                del known.seats[(person.pk, meeting.slot_id)]
        used = known.tables_used.get(meeting.slot_id, {})
        if meeting.table_id is not None and used.get(meeting.table_id) == meeting.pk:
            del used[meeting.table_id]

    def seat(key: int, people, slot_id: int, table: Table | None) -> None:
        for person in people:
            known.seats[(person.pk, slot_id)] = key
        if table is not None:
            known.tables_used.setdefault(slot_id, {})[table.pk] = key

    def place(request, people, slot, table, meeting=None) -> Table | None:
        _check_slot(request, slot, actor, now)
        _check_availability(people, slot, known)
        _check_free(people, slot, known, ignore=meeting)
        if meeting is None:
            _check_caps(people, known, ignore=None)
        return _choose_table(request, slot, table, known, ignore=meeting)

    for meeting, _slot, _table in changes.move:
        vacate(meeting, seated[meeting.pk])
    for meeting in changes.cancel:
        vacate(meeting, seated[meeting.pk])
        for ids in known.party_of.values():
            ids.discard(meeting.pk)
        report["cancel"] += 1
    for meeting, slot_id, table_id in changes.move:
        people, request = seated[meeting.pk], requests[meeting.request_id]
        try:
            chosen = place(request, people, slots[slot_id], tables.get(table_id), meeting)
        except DomainError as exc:
            reason, outcome = _refusal(exc), None
        else:
            seat(meeting.pk, people, slot_id, chosen)
            report["move"] += 1
            continue
        # refused: back in place as it was, else at another table of its slot, else cancelled
        old_slot = slots[meeting.slot_id]
        if not any((p.pk, old_slot.pk) in known.seats for p in people) and (
            meeting.table_id not in known.tables_used.get(old_slot.pk, {})
        ):
            seat(meeting.pk, people, old_slot.pk, tables.get(meeting.table_id))
        else:
            try:
                chosen = place(request, people, old_slot, None, meeting)
            except DomainError:
                report["cancel"] += 1  # as the publish does: it no longer counts for anyone
                for ids in known.party_of.values():
                    ids.discard(meeting.pk)
                outcome = "cancelled"
            else:
                seat(meeting.pk, people, old_slot.pk, chosen)
                report["move"] += 1
                outcome = "retabled"
        skipped.append(skip_item(meeting.request_id, reason, outcome))
    for n, (req_id, slot_id, table_id) in enumerate(changes.book):
        request = requests[req_id]
        parties = [request.sender, request.recipient]
        try:
            chosen = place(request, parties, slots[slot_id], tables.get(table_id))
        except DomainError as exc:
            skipped.append(skip_item(req_id, _refusal(exc)))
            continue
        key = -(n + 1)  # a meeting the publish would create
        seat(key, parties, slot_id, chosen)
        for person in parties:
            if person.max_meetings is not None:
                known.party_of.setdefault(person.pk, set()).add(key)
        report["book"] += 1
    return {**report, "skip": len(skipped), "skipped": skipped}


def schedule_run_previews(*, runs, now: datetime | None = None) -> dict[int, dict]:
    """``schedule_run_preview`` of several draft runs of one event, by run id, from one reading
    of the event (the runs page lists every draft and refreshes while a run is busy)."""
    runs = list(runs)
    if not runs:
        return {}
    now = now or timezone.now()
    reading = _EventReading.of(runs[0].event_id)
    return {run.pk: schedule_run_preview(run=run, now=now, reading=reading) for run in runs}
