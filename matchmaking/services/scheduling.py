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
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

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
    natural_key,
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
from matchmaking.services.notifications import batched, digested

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
    # request id -> its sender and recipient (people who share a booth are one solver node)
    people_of: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def by_person(self) -> scheduler.Problem:
        """The problem with each person as a participant of their own (the solver's nodes
        merge the people of one booth): what the run's figures are counted over."""
        nodes = {p.id: p for p in self.problem.participants}
        requests, people = [], {}
        for r in self.problem.requests:
            a, b = self.people_of[r.id]
            for person, node in ((a, r.a), (b, r.b)):
                single = not isinstance(node, tuple)  # a booth's availability is on r.allowed
                people[person] = scheduler.Participant(
                    id=person, available=nodes[node].available if single else None
                )
            requests.append(dataclasses.replace(r, a=a, b=b))
        return dataclasses.replace(
            self.problem, participants=tuple(people.values()), requests=tuple(requests)
        )


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
    # tables in service first: a slot still to come may use only those (plus the out-of-service
    # tables a meeting could not leave), a slot that has started every table of its meetings
    shared = sorted(
        Table.objects.filter(event=event, shared=True),
        key=lambda t: (t.out_of_service, natural_key(t.name)),
    )
    table_index = {t.pk: i for i, t in enumerate(shared)}
    in_service = sum(1 for t in shared if not t.out_of_service)

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
    # who no longer comes is planned nothing (a meeting of theirs on record stays a fact)
    requests = [
        r
        for r in requests
        if r.pk in current or (r.sender.withdrawn_at is None and r.recipient.withdrawn_at is None)
    ]
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
    # The solver plans pairs; colleagues who sit in a meeting (attendees) are not in them. So a
    # meeting with colleagues stays where it is, and its slot is taken for each colleague's own
    # meetings (else a run planned what the publish then refused).
    colleagues: dict[int, list[int]] = defaultdict(list)  # meeting id -> colleague ids
    for meeting_id, pid in MeetingSeat.objects.filter(
        meeting__in=list(current.values()), is_party=False, left=False
    ).values_list("meeting_id", "participant_id"):
        colleagues[meeting_id].append(pid)
    pinned_of: dict[int, bool] = {}
    for r in requests:
        meeting = current.get(r.pk)
        if meeting is not None:
            pinned_of[r.pk] = (
                meeting.fixed
                or meeting.pk in colleagues
                or meeting.status != Meeting.Status.SCHEDULED
                or slot_index[meeting.slot_id] not in upcoming
                or (options["pin_participant_bookings"] and meeting.source in PINNED_SOURCES)
            )
            if pinned_of[r.pk]:
                for pid in (r.sender_id, r.recipient_id):
                    if pid in periods:
                        periods[pid] = periods[pid] | {slot_index[meeting.slot_id]}
    every_slot = frozenset(range(len(slots)))
    for meeting in current.values():
        for pid in colleagues.get(meeting.pk, ()):
            if pid in people:
                free = periods.get(pid, every_slot)
                periods[pid] = free - {slot_index[meeting.slot_id]}
    available = periods.get  # None: any slot
    # meetings that stay where they are count against a cap even above it (an organiser may
    # lower someone's limit below what is booked): the cap is then what stays, no more
    staying: Counter = Counter()
    for r in requests:
        if pinned_of.get(r.pk):
            staying.update((r.sender_id, r.recipient_id))

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
        caps = [
            None if p.max_meetings is None else max(p.max_meetings, staying[p.pk]) for p in group
        ]
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
    tables = len(shared) if shared else None
    if shared and in_service < len(shared):
        still_there = Counter(  # meetings still at an out-of-service table, by slot
            slot_index[m.slot_id]
            for m in current.values()
            if m.table_id in table_index and shared[table_index[m.table_id]].out_of_service
        )
        tables = tuple(
            in_service + still_there[i] if i in upcoming else len(shared) for i in range(len(slots))
        )
    problem = scheduler.Problem(
        n_slots=len(slots),
        slot_day=tuple(day_index[s.date] for s in slots),
        participants=tuple(participants),
        requests=tuple(items),
        tables=tables,
        previous=previous or None,
        previous_tables=previous_tables or None,
    )
    return Built(
        problem,
        slots,
        shared,
        fixed_places,
        current,
        withdrawn=len(withdrawn),
        people_of={r.pk: (r.sender_id, r.recipient_id) for r in requests},
    )


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
    if not event.slots.filter(start__gt=timezone.now()).exists():
        # a run would plan nothing and say only "0 of N" (the exploratory test)
        raise Conflict(
            "Every slot of this event has started: there is nothing left to plan. Meetings can "
            "still be recorded by hand on the grid.",
            code="event_over",
        )
    with transaction.atomic():
        run = ScheduleRun.objects.create(
            event=event, created_by=user if getattr(user, "pk", None) else None, options=clean
        )
        if enqueue:
            transaction.on_commit(
                lambda: _enqueue(
                    run,
                    run_schedule,
                    waiting=ScheduleRun.Status.QUEUED,
                    nothing="nothing ran",
                    then="start the run again",
                    undo={"status": ScheduleRun.Status.FAILED, "finished_at": timezone.now()},
                )
            )
    return run


def _enqueue(
    run: ScheduleRun, task, *, waiting: str, nothing: str, then: str, undo: dict, **kwargs
) -> None:
    """Hand the run to a worker (``task``). A task queue that cannot be reached ends the wait
    at once (the run would stay ``waiting`` for good): the run takes the fields ``undo`` and an
    error saying ``nothing`` happened and what to do ``then``."""
    try:
        task.delay(run_id=run.pk, **kwargs)
    except Exception as exc:  # the broker's errors have no common class
        logger.exception("schedule run %s could not be queued (%s)", run.pk, task.name)
        ScheduleRun.objects.filter(pk=run.pk, status=waiting).update(
            error=f"The task queue could not be reached ({exc.__class__.__name__}); {nothing}. "
            f"Check the workers (docs/operations.md), then {then}.",
            **undo,
        )


# A run no worker took within this long, or still running this long after its time limit, has
# been lost (a worker stopped, a message was dropped): it is marked failed, so the console stops
# waiting for it and the organiser starts another.
QUEUED_TOO_LONG = timedelta(hours=1)
RUNNING_GRACE = timedelta(minutes=15)
PUBLISHING_TOO_LONG = timedelta(hours=1)


def schedule_runs_fail_stalled(*, now: datetime | None = None) -> list[int]:
    """Mark failed the runs lost by their workers (see ``QUEUED_TOO_LONG``, ``RUNNING_GRACE``);
    returns their ids. Periodic; a run that finishes meanwhile is left as it finished."""
    now = now or timezone.now()
    failed = []
    lost_publish = ScheduleRun.objects.filter(
        status=ScheduleRun.Status.PUBLISHING, published_at__lt=now - PUBLISHING_TOO_LONG
    )
    for pk in list(lost_publish.values_list("pk", flat=True)):
        # a publish still at work holds the run's row: this waits, then finds it published
        if ScheduleRun.objects.filter(pk=pk, status=ScheduleRun.Status.PUBLISHING).update(
            status=ScheduleRun.Status.DRAFT,
            published_at=None,
            error="The worker publishing this run stopped before it finished; nothing was "
            "published. Publish it again.",
        ):
            logger.warning("publishing schedule run %s was lost", pk)
            failed.append(pk)
    for run in ScheduleRun.objects.filter(
        status__in=[ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING]
    ).only("pk", "status", "created_at", "started_at", "options"):
        if run.status == ScheduleRun.Status.QUEUED:
            lost = run.created_at < now - QUEUED_TOO_LONG
            error = "No worker took this run within an hour; start it again."
        else:
            limit = timedelta(seconds=float(run.options.get("time_limit", 3600)))
            lost = run.started_at is None or run.started_at < now - limit - RUNNING_GRACE
            error = "The worker running this run stopped before it finished; start it again."
        if lost and ScheduleRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ScheduleRun.Status.FAILED, error=error, finished_at=now
        ):
            logger.warning("schedule run %s was lost (%s)", run.pk, run.status)
            failed.append(run.pk)
    return failed


def schedule_runs_fail_unfinished(*, now: datetime | None = None) -> list[int]:
    """Fail every run still queued or running, and put back to draft every run still
    publishing; returns their ids. For the embedded setup (no broker, ``manage.py demo``) as
    its process starts: runs are solved and published inside that process, so the ones it left
    unfinished when it stopped are worked on by nobody, and ``schedule_runs_fail_stalled``
    would leave their cards "running" for their time limit plus ``RUNNING_GRACE``. Never with
    real workers, which may be at work on them. A publish runs in one transaction: a stopped
    one wrote nothing."""
    now = now or timezone.now()
    failed = []
    for pk in ScheduleRun.objects.filter(status=ScheduleRun.Status.PUBLISHING).values_list(
        "pk", flat=True
    ):
        if ScheduleRun.objects.filter(pk=pk, status=ScheduleRun.Status.PUBLISHING).update(
            status=ScheduleRun.Status.DRAFT,
            published_at=None,
            error="The server stopped while publishing this run; nothing was published. "
            "Publish it again.",
        ):
            failed.append(pk)
    waiting = [ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING]
    for run in ScheduleRun.objects.filter(status__in=waiting).only("pk", "status"):
        if ScheduleRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ScheduleRun.Status.FAILED,
            error="The server stopped before this run finished; start it again.",
            finished_at=now,
        ):
            failed.append(run.pk)
    if failed:
        logger.warning("schedule runs left unfinished by a stopped process: %s", failed)
    return failed


def _plan_entry(a: scheduler.Assignment, built: Built) -> list:
    """One plan row: request, slot and table ids. Without shared tables (an event that
    allocates none) the solver's table numbers mean nothing: no table."""
    slot = built.slots[a.slot]
    if a.place is not None:
        table = built.fixed_places[a.place]
    elif a.table is not None and built.shared_tables:
        table = built.shared_tables[a.table].pk
    else:
        table = None
    return [a.request_id, slot.pk, table]


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
        plan = [_plan_entry(a, built) for a in result.assignments]
    except Exception as exc:  # the run records any failure for the organiser to see
        logger.exception("schedule run %s failed", run.pk)
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return ScheduleRun.objects.get(pk=run.pk)
    stats = dataclasses.asdict(result.stats)
    # per person, not per solver node: the people of one booth are one node for the solver
    people = built.by_person()
    idle_total, idle_max, idle_range = scheduler.idle_summary(people, result.assignments)
    stats["solver_nodes"] = {
        "participants": len(built.problem.participants),
        "idle_total": stats["idle_total"],
        "participants_without_meeting_possible": stats["participants_without_meeting_possible"],
    }
    stats.update(
        idle_total=idle_total,
        idle_max=idle_max,
        idle_range=idle_range,
        participants_without_meeting_possible=scheduler.participants_without_meeting_possible(
            people, result.assignments
        ),
    )
    stats["participants"] = len(people.participants)
    stats["requests"] = len(built.problem.requests)
    stats["withdrawn"] = built.withdrawn
    basis = {str(r.id): run_basis_entry(built.current.get(r.id)) for r in built.problem.requests}
    ScheduleRun.objects.filter(pk=run.pk, status=ScheduleRun.Status.RUNNING).update(
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


def _refuse_if_outdated(run: ScheduleRun) -> None:
    """Refuse a draft computed before the latest published run was published (the caller holds
    the event's lock): publishing it would bring an older plan back over a newer one, and the
    labels would say the older is published and the newer superseded."""
    computed = run.started_at or run.created_at
    newer = (
        ScheduleRun.objects.filter(
            event_id=run.event_id,
            status=ScheduleRun.Status.PUBLISHED,
            published_at__gt=computed,
        )
        .exclude(pk=run.pk)
        .order_by("-published_at")
        .first()
    )
    if newer is not None:
        raise Conflict(
            f"Run {newer.pk} was published after this run was computed: this run's plan is out "
            "of date and cannot be published. Start a new run.",
            code="newer_run_published",
            extra={"published_run": newer.pk},
        )


def _lock_event(event_id: int) -> None:
    """One publish of an event at a time (and one ask to publish): the event's row, taken first,
    before the run's and the booking locks (PostgreSQL; SQLite lets one writer in at a time)."""
    Event.objects.select_for_update().filter(pk=event_id).first()


def schedule_run_publish(*, run: ScheduleRun, user, now: datetime | None = None) -> ScheduleRun:
    """Apply a draft plan: move, book and cancel meetings through the booking services.

    What to do is decided once, by ``_publish_plan`` (the draft's preview), under the locks:
    what changed since the run read the event (``run.basis``) is left as it is, no change touches
    a slot which has started by ``now``, and a change the booking rules refuse is skipped (a
    refused move is put back, at another table of its slot, or cancelled). Every skip is
    reported in ``publish_report["skipped"]``.

    Side effects: in one transaction, the plan's steps go through the booking services, which
    check every rule again: moved meetings are vacated then re-placed with
    ``meeting_reschedule_locked`` (SEQUENCE bumped, logged), new meetings are booked with
    ``meeting_book_locked`` (source "scheduler"), scheduled meetings the plan dropped are
    cancelled with a reason. Earlier published runs become superseded. Should a service refuse
    a step the plan allowed, nothing is written (Conflict ``publish_stopped``). Publishes of one
    event run one after the other (the event's row lock); a draft computed before the latest
    published run was published is refused (Conflict ``newer_run_published``).
    """
    now = now or timezone.now()
    actor = Actor(user=user, system=user is None, organiser=True)
    # one email per person for the whole publish (their booked, moved and cancelled meetings),
    # written inside the publish's transaction (digested exits first): all or nothing
    with batched(), guarded_transaction(), digested(f"schedule_published:run{run.pk}"):
        _lock_event(run.event_id)
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (ScheduleRun.Status.DRAFT, ScheduleRun.Status.PUBLISHING):
            raise Conflict(
                f"Only a draft run can be published; this one is {run.status}.",
                code="run_not_draft",
            )
        _refuse_if_outdated(run)
        event = run.event
        lock_participants_and_slots(
            event.participants.values_list("pk", flat=True),
            event.slots.values_list("pk", flat=True),
        )
        plan = _publish_plan(run=run, now=now, reading=_EventReading.of(event.pk))
        for meeting in plan.vacate:
            meeting_vacate_locked(meeting=meeting)
        for step in plan.steps:
            _publish_step(step, actor=actor, run=run)
        ScheduleRun.objects.filter(event=event, status=ScheduleRun.Status.PUBLISHED).update(
            status=ScheduleRun.Status.SUPERSEDED
        )
        run.status = ScheduleRun.Status.PUBLISHED
        run.error = ""
        run.published_at = timezone.now()
        run.published_by = user if getattr(user, "pk", None) else None
        run.publish_report = {
            "booked": plan.report["book"],
            "moved": plan.report["move"],
            "kept": plan.report["keep"],
            "cancelled": plan.report["cancel"],
            "left": plan.report["leave"],
            "skipped": plan.skipped,
        }
        run.save(
            update_fields=["status", "error", "published_at", "published_by", "publish_report"]
        )
    return run


def schedule_run_publish_later(*, run: ScheduleRun, user) -> ScheduleRun:
    """Publish a draft in the background (``matchmaking.publish_schedule``, after commit; in
    process without a broker): a large plan takes minutes, longer than a web request may. The
    run is "publishing" meanwhile; a refused publish returns it to draft, with why in ``error``.

    Side effects: the run's status; enqueues the task (a queue that cannot be reached returns
    the run to draft at once, saying so)."""
    from matchmaking.tasks import publish_schedule

    with transaction.atomic():
        _lock_event(run.event_id)  # one ask at a time
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ScheduleRun.Status.DRAFT:
            raise Conflict(
                f"Only a draft run can be published; this one is {run.status}.",
                code="run_not_draft",
            )
        busy = (
            ScheduleRun.objects.filter(event_id=run.event_id, status=ScheduleRun.Status.PUBLISHING)
            .values_list("pk", flat=True)
            .first()
        )
        if busy is not None:  # one publish at a time: an older plan must not land after
            raise Conflict(
                f"Run {busy} is being published; publish this one once it is done.",
                code="publish_in_progress",
            )
        _refuse_if_outdated(run)
        run.status = ScheduleRun.Status.PUBLISHING
        run.error = ""
        run.published_at = timezone.now()  # asked then; the publish sets when it was done
        run.save(update_fields=["status", "error", "published_at"])
        user_id = getattr(user, "pk", None)
        transaction.on_commit(
            lambda: _enqueue(
                run,
                publish_schedule,
                waiting=ScheduleRun.Status.PUBLISHING,
                nothing="nothing was published",
                then="publish again",
                undo={"status": ScheduleRun.Status.DRAFT, "published_at": None},
                user_id=user_id,
            )
        )
    return ScheduleRun.objects.get(pk=run.pk)


def schedule_run_publish_task(*, run_id: int, user_id: int | None) -> str | None:
    """What the background publish does: ``schedule_run_publish``; a refusal (or a failure)
    returns the run to draft with why. A redelivered task for a run no longer publishing does
    nothing."""
    from django.contrib.auth import get_user_model

    run = ScheduleRun.objects.filter(pk=run_id).first()
    if run is None or run.status != ScheduleRun.Status.PUBLISHING:
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return schedule_run_publish(run=run, user=user).status
    except Exception as exc:  # the organiser sees why on the run's card
        if not isinstance(exc, DomainError):
            logger.exception("publishing schedule run %s failed", run_id)
        message = exc.message if isinstance(exc, DomainError) else f"Publishing failed: {exc}"
        ScheduleRun.objects.filter(pk=run_id, status=ScheduleRun.Status.PUBLISHING).update(
            status=ScheduleRun.Status.DRAFT, published_at=None, error=message[:2000]
        )
        return ScheduleRun.Status.DRAFT


def _publish_step(step: "_Step", *, actor: Actor, run: ScheduleRun) -> None:
    """Carry out one step of a publish plan through the booking services (which check the rules
    again); a refusal stops the publish and rolls it back."""
    meeting = step.meeting
    # no savepoint per step: a refusal rolls the whole publish back
    try:
        if step.kind == "book":
            meeting_book_locked(
                request=MeetingRequest(pk=step.request_id),
                slot=step.slot,
                actor=actor,
                table=step.table,
                source=Meeting.Source.SCHEDULER,
            )
        elif step.kind in ("move", "retable"):
            meeting_reschedule_locked(
                meeting=meeting,
                slot=step.slot,
                actor=actor,
                table=step.table,
                vacated_from=meeting.table,
            )
        elif step.kind == "restore":  # back as it was: nothing changed for its people
            MeetingSeat.objects.filter(meeting=meeting, left=False).update(active=True)
            Meeting.objects.filter(pk=meeting.pk).update(table=meeting.table)
        else:  # "cancel" (the plan dropped it) or "drop" (its place was taken meanwhile)
            code = "schedule_dropped" if step.kind == "cancel" else "schedule_place_taken"
            meeting_cancel_locked(
                meeting=meeting, actor=actor, reason=Reason(code, {"run": run.pk})
            )
    except (DomainError, IntegrityError) as exc:
        what = f"request {step.request_id}" if meeting is None else f"meeting {meeting.pk}"
        said = exc.message if isinstance(exc, DomainError) else exc.__class__.__name__
        logger.error("publish of run %s stopped at %s of %s: %s", run.pk, step.kind, what, said)
        raise Conflict(
            f"Publishing stopped: the {step.kind} of {what} was refused ({said}). Nothing was "
            "changed; preview the run again, or start a new run.",
            code="publish_stopped",
        ) from exc


# ------------------------------------------------------------------------------------------------
# What publishing does, decided without writing: the draft's preview is the publish's plan
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


@dataclass
class _Step:
    """One write of a publish: ``book`` a request, ``move`` a meeting, put a refused move back
    (``restore``), at another table of its slot (``retable``) or cancel it (``drop``), or
    ``cancel`` a meeting the plan dropped."""

    kind: str
    meeting: Meeting | None = None
    request_id: int | None = None
    slot: Slot | None = None
    table: Table | None = None  # the table the booking rules chose


@dataclass
class _Plan:
    report: dict  # book, move, keep, cancel, leave
    skipped: list[dict]  # reasons.skip_item of each skipped change, in the publish's order
    vacate: list[Meeting]  # vacated first: every meeting that moves
    steps: list[_Step]


def _publish_plan(*, run: ScheduleRun, now: datetime, reading: _EventReading) -> _Plan:
    """What publishing ``run`` does now: the changes of ``selectors.schedule_run_changes`` (what
    changed since the run is skipped), then each move and booking checked in order by the
    booking services' own rules (availability, meeting limits, the request's morning/afternoon
    wish, free people and tables), each applied to an in-memory copy of what those rules read so
    later changes see earlier ones. A move the rules refuse is put back, at another table of
    its slot, or cancelled."""
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
    plan = _Plan(report=report, skipped=list(changes.skipped), vacate=[], steps=[])

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

    def uncount(meeting: Meeting) -> None:  # cancelled: no longer counts against a limit
        for ids in known.party_of.values():
            ids.discard(meeting.pk)

    for meeting, _slot, _table in changes.move:
        vacate(meeting, seated[meeting.pk])
        plan.vacate.append(meeting)
    for meeting in changes.cancel:  # the cancellation frees its place (and keeps its table)
        vacate(meeting, seated[meeting.pk])
        uncount(meeting)
        plan.steps.append(_Step("cancel", meeting))
        report["cancel"] += 1
    for meeting, slot_id, table_id in changes.move:
        people, request = seated[meeting.pk], requests[meeting.request_id]
        try:
            chosen = place(request, people, slots[slot_id], tables.get(table_id), meeting)
        except DomainError as exc:
            reason = _refusal(exc)
        else:
            seat(meeting.pk, people, slot_id, chosen)
            plan.steps.append(_Step("move", meeting, slot=slots[slot_id], table=chosen))
            report["move"] += 1
            continue
        # refused: back in place as it was, else at another table of its slot, else cancelled
        old_slot = slots[meeting.slot_id]
        outcome = None
        if not any((p.pk, old_slot.pk) in known.seats for p in people) and (
            meeting.table_id not in known.tables_used.get(old_slot.pk, {})
        ):
            seat(meeting.pk, people, old_slot.pk, tables.get(meeting.table_id))
            plan.steps.append(_Step("restore", meeting))
        else:
            try:
                chosen = place(request, people, old_slot, None, meeting)
            except DomainError:
                uncount(meeting)
                plan.steps.append(_Step("drop", meeting))
                report["cancel"] += 1
                outcome = "cancelled"
            else:
                seat(meeting.pk, people, old_slot.pk, chosen)
                plan.steps.append(_Step("retable", meeting, slot=old_slot, table=chosen))
                report["move"] += 1
                outcome = "retabled"
        plan.skipped.append(skip_item(meeting.request_id, reason, outcome))
    for n, (req_id, slot_id, table_id) in enumerate(changes.book):
        request = requests[req_id]
        parties = [request.sender, request.recipient]
        try:
            chosen = place(request, parties, slots[slot_id], tables.get(table_id))
        except DomainError as exc:
            plan.skipped.append(skip_item(req_id, _refusal(exc)))
            continue
        key = -(n + 1)  # a meeting the publish creates
        seat(key, parties, slot_id, chosen)
        for person in parties:
            if person.max_meetings is not None:
                known.party_of.setdefault(person.pk, set()).add(key)
        plan.steps.append(_Step("book", request_id=req_id, slot=slots[slot_id], table=chosen))
        report["book"] += 1
    return plan


def schedule_run_preview(
    *, run: ScheduleRun, now: datetime | None = None, reading: _EventReading | None = None
) -> dict:
    """What ``schedule_run_publish`` would do now, without writing anything (its plan).

    Returns the publish report's figures under the preview's names: ``book``, ``move``,
    ``cancel``, ``keep``, ``leave``, ``skip`` and ``skipped`` (each ``{"request", "reason"}``,
    in the publish's order). ``reading`` lets a caller preview several drafts of one event from
    one reading of it.
    """
    now = now or timezone.now()
    plan = _publish_plan(run=run, now=now, reading=reading or _EventReading.of(run.event_id))
    return {**plan.report, "skip": len(plan.skipped), "skipped": plan.skipped}


def schedule_run_previews(*, runs, now: datetime | None = None) -> dict[int, dict]:
    """``schedule_run_preview`` of several draft runs of one event, by run id, from one reading
    of the event (the runs page lists every draft and refreshes while a run is busy)."""
    runs = list(runs)
    if not runs:
        return {}
    now = now or timezone.now()
    reading = _EventReading.of(runs[0].event_id)
    return {run.pk: schedule_run_preview(run=run, now=now, reading=reading) for run in runs}
