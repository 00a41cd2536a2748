"""Meetings: book an accepted request into a slot, reschedule, cancel, check in, mark outcomes.

Every write here follows the same pattern: lock the participants then the slots in id order,
recount from real rows, write, all in one transaction; the partial unique constraints on seats and
tables are the backstop. ``meeting_book`` and friends open a durable transaction; the ``*_locked``
variants run inside a caller's transaction (the importer, the scheduler's publish).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import NoReturn

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from matchmaking.exceptions import (
    BookingClosed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    LimitReached,
    MeetingChanged,
    NotFound,
    ParticipantBusy,
    RequestHasMeeting,
    RequestNotOpen,
    SlotPassed,
    SlotTaken,
    TableTaken,
)
from matchmaking.models import (
    Availability,
    Meeting,
    MeetingFeedback,
    MeetingLog,
    MeetingRequest,
    MeetingSeat,
    Participant,
    Slot,
    Table,
    natural_key,
)
from matchmaking.reasons import Reason, slot_words, time_words
from matchmaking.selectors import party_meeting_counts
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.notifications import (
    notify_attendee_left,
    notify_meeting,
    notify_party_replaced,
)


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a participant acting for themselves, or one of the event's organisers.
    ``organiser`` is set by the caller that checked the user organises the event (the console,
    the API, ``selectors.organises``): being a staff account alone gives no rights over an
    event whose team one is not on."""

    user: object | None = None
    participant: Participant | None = None
    system: bool = False  # the importer, a management command, the scheduler's publish
    organiser: bool = False

    @property
    def is_organiser(self) -> bool:
        return self.system or self.organiser


def _refuse_attendee(code: str, person: Participant) -> NoReturn:
    reason = Reason(code, {"name": person.name})
    raise InvalidInput(reason.english(), field="attendees", code=code, reason=reason)


def _attendees(
    request: MeetingRequest, extra: Iterable[Participant], actor: Actor
) -> list[Participant]:
    """The two parties and the colleagues ``extra``: an organiser may add colleagues of either
    side; a participant only their own (seating the other side's people would fill their
    agendas without asking them)."""
    parties = [request.sender, request.recipient]
    own = actor.participant if actor.participant is not None and not actor.is_organiser else None
    if own is not None and own.pk in {p.pk for p in parties}:
        orgs = {own.organisation_id}
    else:
        orgs = {p.organisation_id for p in parties}
    people = {p.pk: p for p in parties}
    for person in extra:
        if person.event_id != request.event_id:
            raise InvalidInput(
                f"{person.name} is not a participant of this event.", field="attendees"
            )
        # each refusal with its code and the Reason that says it in the reader's language
        # (the participant pages)
        if person.pk in {p.pk for p in parties}:
            _refuse_attendee("already_a_party", person)
        if person.organisation_id not in orgs:
            other_side = person.organisation_id in {p.organisation_id for p in parties}
            _refuse_attendee("other_side_colleague" if other_side else "not_a_colleague", person)
        people[person.pk] = person
    return list(people.values())


@dataclass
class _Known:
    """What the booking rules read, loaded once for some people and slots: under the locks for a
    booking or a move, without them for the slots the agenda page offers."""

    periods: dict[int, list[tuple]] = field(default_factory=dict)  # no periods: the whole event
    seats: dict[tuple[int, int], int] = field(default_factory=dict)  # (person, slot) -> meeting
    party_of: dict[int, set[int]] = field(default_factory=dict)  # person -> live meetings
    tables_used: dict[int, dict[int, int]] = field(default_factory=dict)  # slot -> table -> mtg
    shared_tables: list[Table] = field(default_factory=list)  # by name


def _load_known(
    *, event_id: int, people: Iterable[int], slots: Iterable[int], capped: Iterable[int] = ()
) -> _Known:
    """Availability and active seats of ``people``, the meetings ``capped`` people are a party
    of (for ``max_meetings``), the tables in use in ``slots`` and the event's shared tables."""
    people, slots, capped = list(people), list(slots), list(capped)
    known = _Known()
    for pid, start, end in Availability.objects.filter(participant_id__in=people).values_list(
        "participant_id", "start", "end"
    ):
        known.periods.setdefault(pid, []).append((start, end))
    for pid, slot_id, meeting_id in MeetingSeat.objects.filter(
        participant_id__in=people, slot_id__in=slots, active=True
    ).values_list("participant_id", "slot_id", "meeting_id"):
        known.seats[(pid, slot_id)] = meeting_id
    if capped:
        for pid, meeting_id in MeetingSeat.objects.filter(
            participant_id__in=capped, active=True, is_party=True
        ).values_list("participant_id", "meeting_id"):
            known.party_of.setdefault(pid, set()).add(meeting_id)
    for slot_id, table_id, meeting_id in (
        Meeting.objects.filter(slot_id__in=slots, table__isnull=False)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("slot_id", "table_id", "pk")
    ):
        known.tables_used.setdefault(slot_id, {})[table_id] = meeting_id
    shared = sorted(
        Table.objects.filter(event_id=event_id, shared=True, out_of_service=False),
        key=lambda t: natural_key(t.name),
    )
    known.shared_tables = shared  # in service: one taken out is chosen by nobody
    return known


def _refuse(error: type[DomainError], code: str, *, field: str | None = None, **params) -> NoReturn:
    """Raise ``error`` with its English message and the Reason that says it in other languages
    (a scheduler publish reports it on the organisers' page in theirs, the pages in the
    reader's)."""
    reason = Reason(code, {k: str(v) if isinstance(v, Slot) else v for k, v in params.items()})
    raise error(reason.english(), reason=reason, field=field)


def _check_availability(people: Sequence[Participant], slot: Slot, known: _Known) -> None:
    for person in people:
        spans = known.periods.get(person.pk)
        if spans and not any(start <= slot.start and slot.end <= end for start, end in spans):
            _refuse(ParticipantBusy, "participant_not_available", name=person.name, slot=slot)


def _check_free(
    people: Sequence[Participant], slot: Slot, known: _Known, *, ignore: Meeting | None
) -> None:
    for person in people:
        meeting_id = known.seats.get((person.pk, slot.pk))
        if meeting_id is not None and (ignore is None or meeting_id != ignore.pk):
            _refuse(ParticipantBusy, "participant_has_meeting", name=person.name, slot=slot)


def _check_caps(parties: Sequence[Participant], known: _Known, *, ignore: Meeting | None) -> None:
    for person in parties:
        if person.max_meetings is None:
            continue
        count = len(known.party_of.get(person.pk, set()) - {ignore.pk if ignore else None})
        if count >= person.max_meetings:
            limit = person.max_meetings
            code = "meeting_limit_one" if limit == 1 else "meeting_limit"
            _refuse(LimitReached, code, name=person.name, limit=limit)


def _choose_table(
    request: MeetingRequest,
    slot: Slot,
    wanted: Table | None,
    known: _Known,
    *,
    ignore: Meeting | None,
) -> Table | None:
    used_ids = {
        table_id
        for table_id, meeting_id in known.tables_used.get(slot.pk, {}).items()
        if ignore is None or meeting_id != ignore.pk
    }
    fixed = request.sender.fixed_table or request.recipient.fixed_table
    if wanted is not None:
        if wanted.event_id != request.event_id:
            raise InvalidInput("That table belongs to another event.", field="table")
        if fixed is not None and wanted.pk != fixed.pk:
            raise InvalidInput(
                f"This meeting takes place at {fixed.name}, a participant's own place.",
                field="table",
            )
        if not wanted.shared and fixed is None:
            raise InvalidInput(f"{wanted.name} is a participant's own place.", field="table")
        if wanted.shared and all(t.pk != wanted.pk for t in known.shared_tables):
            # read with the booking's locks: out of service (the caller's copy may be older)
            _refuse(InvalidInput, "table_out_of_service", field="table", table=wanted.name)
        if wanted.pk in used_ids:
            _refuse(TableTaken, "table_taken", table=wanted.name, slot=slot)
        return wanted
    if fixed is not None:
        if fixed.pk in used_ids:
            _refuse(TableTaken, "table_taken", table=fixed.name, slot=slot)
        return fixed
    if not known.shared_tables:
        return None  # the event does not allocate tables
    table = next((t for t in known.shared_tables if t.pk not in used_ids), None)
    if table is None:
        _refuse(SlotTaken, "slot_full", slot=slot)
    return table


def _check_slot(
    request: MeetingRequest, slot: Slot, actor: Actor, now: datetime | None = None
) -> None:
    """The slot's event, the request's morning/afternoon wish, and for participants the booking
    window and a slot that has not started yet (organisers may record a meeting afterwards)."""
    if slot.event_id != request.event_id:
        raise InvalidInput("That slot belongs to another event.", field="slot")
    if request.session != MeetingRequest.SessionPreference.ANY and slot.part != request.session:
        _refuse(InvalidInput, f"wants_{request.session}", field="slot", slot=slot)
    if actor.is_organiser:
        return
    now = now or timezone.now()
    if not request.event.booking_open_at(now):
        raise BookingClosed("Booking is closed for this event.")
    if slot.start <= now:
        raise SlotPassed(f"The slot on {slot_words(slot)} has already started; choose a later one.")


def _known_for(request: MeetingRequest, people: Sequence[Participant], slot: Slot) -> _Known:
    """What the booking rules read for booking ``request`` with ``people`` in ``slot``."""
    parties = [request.sender, request.recipient]
    return _load_known(
        event_id=request.event_id,
        people=[p.pk for p in people],
        slots=[slot.pk],
        capped=[p.pk for p in parties if p.max_meetings is not None],
    )


def _check_bookable(
    request: MeetingRequest,
    slot: Slot,
    people: Sequence[Participant],
    known: _Known,
    *,
    table: Table | None = None,
    ignore: Meeting | None = None,
    caps: bool = True,
) -> Table | None:
    """The booking's rules for ``people`` (the two parties, and colleagues) in ``slot``, in
    order: both at the fair, free, under their meeting limits (``caps``), a table or booth free
    (``table`` wanted, if any). Returns the table chosen; raises the first rule that refuses.
    ``ignore``: a meeting being moved, whose own seats and table do not count."""
    _check_availability(people, slot, known)
    _check_free(people, slot, known, ignore=ignore)
    if caps:
        _check_caps([request.sender, request.recipient], known, ignore=None)
    return _choose_table(request, slot, table, known, ignore=ignore)


def _check_attending(people_ids: Iterable[int], what: str) -> None:
    """Refuse (``409 not_attending``) when one of these people said they no longer come to the
    fair; read from the database, so callers holding the people's locks see the last word."""
    gone = (
        Participant.objects.filter(pk__in=list(people_ids), withdrawn_at__isnull=False)
        .order_by("name", "pk")
        .first()
    )
    if gone is not None:
        raise Conflict(f"{gone.name} no longer comes to the fair; {what}.", code="not_attending")


def _log(meeting: Meeting, actor: Actor, action: str, **detail) -> None:
    MeetingLog.objects.create(
        meeting=meeting,
        actor=actor.user if getattr(actor.user, "pk", None) else None,
        action=action,
        detail=detail,
    )


def _request_for_booking(pk: int) -> MeetingRequest:
    return MeetingRequest.objects.select_related(
        "event", "sender__fixed_table", "recipient__fixed_table"
    ).get(pk=pk)


def meeting_book_locked(
    *,
    request: MeetingRequest,
    slot: Slot,
    actor: Actor,
    table: Table | None = None,
    attendees: Iterable[Participant] = (),
    source: str = Meeting.Source.PARTICIPANT,
    fixed: bool = False,
    told: dict[int, dict] | None = None,
) -> Meeting:
    """``meeting_book`` for a caller that already runs a transaction. ``told``: more for some
    people's "meeting booked" emails (participant id → ``notify_meeting``'s ``extra_for``)."""
    request = _request_for_booking(request.pk)
    people = _attendees(request, attendees, actor)
    lock_participants_and_slots([p.pk for p in people], [slot.pk])
    request = _request_for_booking(request.pk)  # again, under the locks: it may have changed
    if actor.participant is not None and actor.participant.pk not in request.parties():
        raise NotFound("No such request.")
    if request.status == MeetingRequest.Status.PENDING:  # the pages say so too, translated
        _refuse(RequestNotOpen, "request_pending")
    if request.status != MeetingRequest.Status.ACCEPTED:
        raise RequestNotOpen(f"Only accepted requests can be booked; this one is {request.status}.")
    if Meeting.objects.filter(request=request).exclude(status=Meeting.Status.CANCELLED).exists():
        raise RequestHasMeeting("This request already has a meeting; reschedule it instead.")
    _check_attending([p.pk for p in people], "no meeting can be booked with them")
    _check_slot(request, slot, actor)
    known = _known_for(request, people, slot)
    chosen = _check_bookable(request, slot, people, known, table=table)
    meeting = Meeting.objects.create(
        event_id=request.event_id,
        request=request,
        slot=slot,
        table=chosen,
        source=source,
        fixed=fixed,
    )
    parties = {request.sender_id, request.recipient_id}
    MeetingSeat.objects.bulk_create(
        MeetingSeat(meeting=meeting, participant=p, slot=slot, is_party=p.pk in parties)
        for p in people
    )
    _log(
        meeting, actor, "booked", slot=slot.start.isoformat(), table=chosen.name if chosen else None
    )
    if source != Meeting.Source.IMPORT:
        notify_meeting(
            meeting=meeting,
            kind="meeting_booked",
            actor_participant=actor.participant,
            extra_for=told,
        )
    return meeting


def meeting_book(
    *,
    request: MeetingRequest,
    slot: Slot,
    actor: Actor,
    table: Table | None = None,
    attendees: Iterable[Participant] = (),
    source: str = Meeting.Source.PARTICIPANT,
    fixed: bool = False,
) -> Meeting:
    """Book an accepted request into ``slot`` (and a table).

    Side effects: inserts a Meeting, one MeetingSeat per attendee and a log line. Raises
    ParticipantBusy, TableTaken, SlotTaken, LimitReached, BookingClosed, RequestNotOpen or Busy.
    A participant may add colleagues of their own organisation with ``attendees``.
    """
    with guarded_transaction():
        return meeting_book_locked(
            request=request,
            slot=slot,
            actor=actor,
            table=table,
            attendees=attendees,
            source=source,
            fixed=fixed,
        )


def meeting_slots_bookable(
    *,
    requests: Sequence[MeetingRequest],
    actor: Actor,
    now: datetime | None = None,
    moving: Meeting | None = None,
) -> dict[int, list[Slot]]:
    """Read only: for each accepted request of one event (booked by its two parties, as the
    agenda page does), the event's slots ``meeting_book`` would accept from ``actor`` now, by
    the same rules on the same rows, read once without locks (a booking made in between is
    still refused when the slot is chosen). ``requests`` are used as loaded: with their event
    and both sides' fixed tables (``select_related("event", "sender__fixed_table",
    "recipient__fixed_table")``). For a participant only slots that have not started are
    read. No writes.

    ``moving``: a meeting of one of ``requests``, to be moved. That request's answer is then the
    slots ``meeting_reschedule`` would move it to (a table chosen automatically): everyone
    seated in it, colleagues too, must be available and free, its own seats and table do not
    count against it, and no meeting cap applies (a move adds no meeting). Its current slot is
    among them when still valid. A meeting that is not scheduled, or that the organisers fixed
    when ``actor`` is not one of them, can move nowhere."""
    if not requests:
        return {}
    now = now or timezone.now()
    event_id = requests[0].event_id
    parties = {p.pk: p for r in requests for p in (r.sender, r.recipient)}
    seated: list[Participant] = []
    if moving is not None:
        seated = [
            seat.participant
            for seat in MeetingSeat.objects.filter(meeting_id=moving.pk, left=False)
            .select_related("participant")
            .order_by("participant_id")
        ]
        parties.update((p.pk, p) for p in seated)
    slots = Slot.objects.filter(event_id=event_id).select_related("event").order_by("start")
    if not actor.is_organiser:
        slots = slots.filter(start__gt=now)
    slots = list(slots)
    if not slots:
        return {r.pk: [] for r in requests}
    known = _load_known(
        event_id=event_id,
        people=parties,
        slots=[s.pk for s in slots],
        capped=[pk for pk, p in parties.items() if p.max_meetings is not None],
    )
    offer: dict[int, list[Slot]] = {}
    for request in requests:
        offer[request.pk] = []
        moved = moving if moving is not None and moving.request_id == request.pk else None
        if moved is not None and meeting_move_refusal(meeting=moved, actor=actor, now=now):
            continue
        people = seated if moved is not None else [request.sender, request.recipient]
        for slot in slots:
            try:
                _check_slot(request, slot, actor, now)
                _check_bookable(request, slot, people, known, ignore=moved, caps=moved is None)
            except DomainError:
                continue
            offer[request.pk].append(slot)
    return offer


def meeting_slot_refusal(
    *, request: MeetingRequest, slot: Slot, actor: Actor, now: datetime | None = None
) -> DomainError | None:
    """Read only: why ``meeting_book`` would refuse ``slot`` for ``request`` (as if accepted)
    from ``actor`` now, by the same rules (the request's part of the day, the booking window,
    a slot still to come, both at the fair and free, their meeting limits, a table or booth
    free), or None. For a time proposed with a request: accepting it books it if it is still
    free then."""
    return meeting_slot_refusals(proposals=[(request, slot)], actor=actor, now=now)[0]


def meeting_slot_refusals(
    *,
    proposals: Sequence[tuple[MeetingRequest, Slot]],
    actor: Actor,
    now: datetime | None = None,
) -> list[DomainError | None]:
    """Read only: ``meeting_slot_refusal`` for each (request, slot) of ``proposals``, all of one
    event, in order, by the same rules; the rows those rules read (availability, seats, meeting
    counts, tables) are read once for them all, so a page asking it of many requests costs the
    queries of one."""
    if not proposals:
        return []
    people = {p.pk: p for request, _slot in proposals for p in (request.sender, request.recipient)}
    known = _load_known(
        event_id=proposals[0][0].event_id,
        people=people,
        slots={slot.pk for _request, slot in proposals},
        capped=[pk for pk, p in people.items() if p.max_meetings is not None],
    )
    refusals: list[DomainError | None] = []
    for request, slot in proposals:
        try:
            _check_slot(request, slot, actor, now)
            _check_bookable(request, slot, [request.sender, request.recipient], known)
        except DomainError as exc:
            refusals.append(exc)
        else:
            refusals.append(None)
    return refusals


def meeting_move_refusal(
    *, meeting: Meeting, actor: Actor, now: datetime | None = None
) -> DomainError | None:
    """Why ``meeting_reschedule`` refuses to move ``meeting`` for ``actor`` whatever the slot,
    or None: only a scheduled meeting moves; a participant moves it only as one of its two
    parties (a colleague who joined may leave it), not once the organisers fixed it, and not
    once it has started. ``meeting`` comes with its request and slot. No writes."""
    if meeting.status != Meeting.Status.SCHEDULED:
        state = _STATUS_WORDS.get(meeting.status, meeting.status)
        return Conflict(
            f"This meeting is {state}; only scheduled meetings can move.",
            code="meeting_not_movable",
        )
    if actor.is_organiser:
        return None
    refused = _party_refusal(meeting, actor)
    if refused is not None:
        return refused
    if meeting.fixed:
        return Forbidden(
            "This meeting was fixed by the organiser; ask them to move it.", code="meeting_fixed"
        )
    if meeting.slot.start <= (now or timezone.now()):
        return Conflict(
            f"This meeting started on {slot_words(meeting.slot)}; it can no longer be moved. If it "
            "did not "
            "take place, tell the organisers.",
            code="meeting_started_move",
        )
    return None


def _meeting_parties(meeting: Meeting) -> list[int]:
    """Everyone who sits in the meeting: its two parties and the colleagues who did not leave
    (their seats may be vacated for a moment by a schedule publish). Read from the rows, not
    from a caller's prefetched ``meeting.seats``."""
    seats = MeetingSeat.objects.filter(meeting_id=meeting.pk, left=False)
    return list(seats.values_list("participant_id", flat=True))


def _party_refusal(meeting: Meeting, actor: Actor) -> Forbidden | None:
    """A participant moves or cancels a meeting only as one of its two parties (the sender and
    the recipient of its request); a colleague who joined it may leave it (``meeting_leave``)."""
    me = actor.participant.pk if actor.participant is not None else None
    if me in (meeting.request.sender_id, meeting.request.recipient_id):
        return None
    return Forbidden(
        "You joined this meeting as a colleague: only its two parties can move or cancel it; "
        "you can leave it.",
        code="not_a_party",
    )


def _check_actor(meeting: Meeting, actor: Actor) -> None:
    if actor.is_organiser:
        return
    if (
        actor.participant is None
        or not meeting.seats.filter(participant=actor.participant, left=False).exists()
    ):
        raise NotFound("No such meeting.")


def meeting_changed_reason(meeting: Meeting, expected: int) -> Reason:
    """Why a change made from version ``expected`` of ``meeting`` is refused, with where the
    meeting is now: its time (the event's time zone, written in the reader's language as the
    pages write times, ``when_text``), its table and its state, or that it is cancelled. Reads
    its slot, table and event."""
    params = {"yours": expected, "version": meeting.version}
    if meeting.status == Meeting.Status.CANCELLED:
        return Reason("meeting_changed_cancelled", params)
    params["slot"] = str(meeting.slot)  # its local start, as a Reason keeps a time
    code = "meeting_changed"
    if meeting.table is not None:
        code += "_table"
        params["table"] = meeting.table.name
    if meeting.status != Meeting.Status.SCHEDULED:
        code += "_status"
        params["status"] = meeting.status
    return Reason(code, params)


def check_version(meeting: Meeting, expected: int | None) -> None:
    """Refuse a change made from a stale view of ``meeting`` (read under its row lock): the
    caller named the version it was shown, ``expected``, and someone changed the meeting since.
    None: the caller named none, as before versions existed; nothing is checked. The refusal's
    message is English (the API's), its ``reason`` says it in the reader's language."""
    if expected is None or expected == meeting.version:
        return
    reason = meeting_changed_reason(meeting, expected)
    raise MeetingChanged(
        reason.english(),
        extra={"version": meeting.version, "your_version": expected},
        reason=reason,
    )


# How a meeting that is no longer scheduled reads in a sentence.
_STATUS_WORDS = {
    "checked_in": "already checked in",
    "held": "already marked as held",
    "no_show": "already marked as a no-show",
    "cancelled": "cancelled",
}


def meeting_reschedule_locked(
    *,
    meeting: Meeting,
    slot: Slot,
    actor: Actor,
    table: Table | None = None,
    vacated_from: Table | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """``meeting_reschedule`` for a caller that already runs a transaction. A meeting that a
    schedule publish vacated (``meeting_vacate_locked``) is placed again even into its own slot
    and table: its seats come back to life. ``vacated_from`` is the table it had before the
    publish vacated it (the vacated row has none), so the log tells where it moved from."""
    lock_participants_and_slots(_meeting_parties(meeting), [meeting.slot_id, slot.pk])
    # the meeting's own row last (the order of ``locking``): a check-in or a fix committed
    # meanwhile is read, not overwritten
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related(
            "request__event",
            "request__sender__fixed_table",
            "request__recipient__fixed_table",
            "slot",
        )
        .get(pk=meeting.pk)
    )
    _check_actor(meeting, actor)
    check_version(meeting, expected_version)
    refused = meeting_move_refusal(meeting=meeting, actor=actor)
    if refused is not None:
        raise refused
    # Who sits in it, read again under the locks (a colleague may have left in between; the
    # locks taken for them do no harm), and whether a publish vacated its seats.
    seated = dict(
        MeetingSeat.objects.filter(meeting_id=meeting.pk, left=False).values_list(
            "participant_id", "active"
        )
    )
    people_ids = list(seated)
    vacated = not all(seated.values())
    people = list(Participant.objects.filter(pk__in=people_ids))
    request = meeting.request
    unchanged = slot.pk == meeting.slot_id and (table is None or table.pk == meeting.table_id)
    if unchanged and not vacated:
        return meeting
    if slot.start > timezone.now():  # a meeting of theirs on record may be corrected, not revived
        _check_attending(people_ids, "their meeting cannot move to a time still to come")
    _check_slot(request, slot, actor)
    known = _load_known(event_id=request.event_id, people=people_ids, slots=[slot.pk])
    _check_availability(people, slot, known)
    _check_free(people, slot, known, ignore=meeting)
    chosen = _choose_table(request, slot, table, known, ignore=meeting)
    old_slot, old_table = meeting.slot, meeting.table
    if old_table is None and vacated:
        old_table = vacated_from
    meeting.slot = slot
    meeting.table = chosen
    meeting.sequence += 1
    meeting.version += 1
    fields = ["slot", "table", "sequence", "version", "updated_at"]
    if actor.participant is not None and not actor.is_organiser:
        # they chose this time: scheduler runs keep it, as a meeting they booked themselves
        meeting.source = Meeting.Source.PARTICIPANT
        fields.append("source")
    meeting.save(update_fields=fields)
    # Every seat follows the meeting (the unique index covers active seats only); those a
    # schedule publish vacated come back to life, a colleague who left stays out.
    seats = MeetingSeat.objects.filter(meeting=meeting)
    seats.update(slot=slot)
    seats.filter(left=False, active=False).update(active=True)
    _log(
        meeting,
        actor,
        "moved",
        from_slot=old_slot.start.isoformat(),
        to_slot=slot.start.isoformat(),
        from_table=old_table.name if old_table else None,
        to_table=chosen.name if chosen else None,
    )
    notify_meeting(
        meeting=meeting,
        kind="meeting_moved",
        actor_participant=actor.participant,
        was=old_slot.start if old_slot.pk != slot.pk else None,
        was_table=old_table.name if old_table is not None and old_table != chosen else None,
    )
    return meeting


def meeting_reschedule(
    *,
    meeting: Meeting,
    slot: Slot,
    actor: Actor,
    table: Table | None = None,
    fixed: bool | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Move a scheduled meeting to another slot (and table); organisers may fix it there (or
    release it) in the same transaction with ``fixed``. With ``expected_version`` (the
    ``Meeting.version`` the caller was shown) a meeting changed since is not moved:
    ``MeetingChanged``, read under the meeting's row lock, so of two people moving it from the
    same page only the first gets through.

    Side effects: updates the meeting and its seats, bumps its iCalendar SEQUENCE and its
    version, logs the move.
    """
    if fixed is not None:
        _check_may_fix(actor)
    with guarded_transaction():
        moved = meeting_reschedule_locked(
            meeting=meeting,
            slot=slot,
            actor=actor,
            table=table,
            expected_version=expected_version,
        )
        return moved if fixed is None else _set_fixed_locked(moved, fixed, actor)


def _reason_detail(reason: str | Reason) -> dict:
    """A reason for a log row: typed text as typed, a system ``Reason`` with its code."""
    return reason.detail() if isinstance(reason, Reason) else {"reason": reason}


# system reasons that record someone's decision (they no longer come), not the system's
DECIDED_REASONS = {"participant_withdrew"}


def _cancelled_by(actor: Actor, reason: str | Reason) -> str:
    """Who decided a cancellation. A system ``Reason`` (someone's new availability, a dropped
    plan entry, a place gone) means nobody chose to drop the meeting itself: the scheduler may
    plan it again. A participant or an organiser who cancels it did choose, and so did one who
    says they no longer come (or the organisers for them)."""
    by_system = isinstance(reason, Reason) and reason.code not in DECIDED_REASONS
    if by_system or (actor.system and actor.user is None):
        return Meeting.CancelledBy.SYSTEM
    return Meeting.CancelledBy.ORGANISER if actor.is_organiser else Meeting.CancelledBy.PARTICIPANT


def meeting_cancel_locked(
    *,
    meeting: Meeting,
    actor: Actor,
    reason: str | Reason = "",
    skip=(),
    expected_version: int | None = None,
) -> Meeting:
    """``meeting_cancel`` for a caller that already runs a transaction. Participants cannot
    cancel a meeting whose slot has started (what happened is the organisers' to record).
    ``reason`` is text a person typed, or a system ``Reason`` (each notification renders it in
    its recipient's language; the meeting keeps the English text)."""
    lock_participants_and_slots(_meeting_parties(meeting), [meeting.slot_id])
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("slot__event", "request")
        .get(pk=meeting.pk)
    )
    _check_actor(meeting, actor)
    if not actor.is_organiser and (refused := _party_refusal(meeting, actor)) is not None:
        raise refused
    check_version(meeting, expected_version)
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict("This meeting is already cancelled.", code="meeting_already_cancelled")
    if meeting.status != Meeting.Status.SCHEDULED and not actor.is_organiser:
        state = _STATUS_WORDS.get(meeting.status, meeting.status)
        raise Conflict(
            f"This meeting is {state}; it can no longer be cancelled.",
            code="meeting_not_cancellable",
        )
    if meeting.slot.start <= timezone.now() and not actor.is_organiser:
        raise Conflict(
            f"This meeting started on {slot_words(meeting.slot)}; it can no longer be cancelled. "
            "If it did "
            "not take place, tell the organisers.",
            code="meeting_started",
        )
    meeting.status = Meeting.Status.CANCELLED
    meeting.absent = ""  # said of a no-show only
    text = reason.english() if isinstance(reason, Reason) else reason
    meeting.cancel_reason = text[:300]
    meeting.cancelled_by = _cancelled_by(actor, reason)
    meeting.sequence += 1
    meeting.version += 1
    meeting.save(
        update_fields=[
            "status",
            "absent",
            "cancel_reason",
            "cancelled_by",
            "sequence",
            "version",
            "updated_at",
        ]
    )
    MeetingSeat.objects.filter(meeting=meeting).update(active=False)
    _log(meeting, actor, "cancelled", **_reason_detail(reason))
    notify_meeting(
        meeting=meeting,
        kind="meeting_cancelled",
        actor_participant=actor.participant,
        reason=reason,
        skip=skip,  # participant ids told otherwise
    )
    return meeting


def meeting_attendee_leave_locked(
    *, seat: MeetingSeat, actor: Actor, reason: str | Reason = "", tell_them: bool | None = None
) -> None:
    """A colleague who joined a meeting (not one of its two parties) leaves it: their seat is
    freed for good (a later move does not bring them back), the meeting goes on. For a caller
    that already runs a transaction and holds the locks. Side effects: marks the seat left and
    inactive, bumps the meeting's SEQUENCE (their calendar shows it cancelled), logs it."""
    if seat.is_party:
        raise Conflict("A party of the meeting cannot leave it; cancel the meeting instead.")
    MeetingSeat.objects.filter(pk=seat.pk).update(active=False, left=True)
    Meeting.objects.filter(pk=seat.meeting_id).update(
        sequence=F("sequence") + 1, version=F("version") + 1, updated_at=timezone.now()
    )
    _log(
        seat.meeting,
        actor,
        "attendee_left",
        participant=seat.participant_id,
        name=seat.participant.name,
        **_reason_detail(reason),
    )
    notify_attendee_left(
        meeting=seat.meeting,
        person=seat.participant,
        reason=reason,
        tell_them=(
            actor.participant is None or actor.participant.pk != seat.participant_id
            if tell_them is None
            else tell_them
        ),
    )


def hand_over_taker(
    *, seat: MeetingSeat, leaving: frozenset[int] = frozenset()
) -> Participant | None:
    """The colleague who would take ``seat``'s place (``meeting_hand_over_locked``) if its
    party no longer came, or None (the meeting would be cancelled); nobody in ``leaving``
    (people leaving the meeting in the same change). Reads only: a refusal that lists what a
    change would do says which meetings go on with a colleague."""
    meeting = Meeting.objects.select_related("request", "slot").get(pk=seat.meeting_id)
    found = _hand_over_taker(seat=seat, meeting=meeting, leaving=leaving)
    return None if found is None else found[0].participant


def _hand_over_taker(*, seat: MeetingSeat, meeting: Meeting, leaving=frozenset()):
    """``(colleague's seat, sender id, recipient id)`` of the hand-over of ``seat``, or None;
    a colleague in ``leaving`` is passed over."""
    if meeting.status != Meeting.Status.SCHEDULED or not seat.is_party:
        return None
    leaver = seat.participant
    request = meeting.request
    other = request.recipient_id if request.sender_id == leaver.pk else request.sender_id
    candidates = (
        MeetingSeat.objects.filter(
            meeting=meeting,
            is_party=False,
            left=False,
            active=True,
            participant__organisation_id=leaver.organisation_id,
            participant__withdrawn_at__isnull=True,
        )
        .exclude(participant_id__in=leaving)
        .select_related("participant")
        .order_by("pk")
    )
    for candidate in candidates:
        person = candidate.participant
        if person.max_meetings is not None:
            booked = party_meeting_counts(participant_ids=[person.pk]).get(person.pk, 0)
            if booked >= person.max_meetings:
                continue
        sender, recipient = (
            (person.pk, other) if request.sender_id == leaver.pk else (other, person.pk)
        )
        clash = (
            MeetingRequest.objects.filter(
                sender_id=sender, recipient_id=recipient, status__in=MeetingRequest.OPEN_STATUSES
            )
            .exclude(pk=request.pk)
            .exists()
        )
        if clash:
            continue
        return candidate, sender, recipient
    return None


def meeting_hand_over_locked(
    *,
    seat: MeetingSeat,
    actor: Actor,
    reason: str | Reason = "",
    leaving: frozenset[int] = frozenset(),
) -> Participant | None:
    """One of a meeting's two parties no longer comes (``seat``, theirs): a colleague of theirs
    who had joined it ("Bring a colleague") takes their place, and the meeting goes on, instead
    of being cancelled for everyone. For a caller that already runs a transaction and holds the
    locks of everyone seated and of the slot.

    The colleague is the first who joined, is still coming and is not at their meeting limit
    (becoming a party counts, as booking counts it); they already hold their seat at that slot,
    so nothing is booked again. Side effects: the request's side (sender or recipient) becomes
    the colleague (an open request between the colleague and the other side already there:
    nobody takes over); the colleague's seat is a party's, the leaver's is left for good; the
    meeting's SEQUENCE and version are bumped; logged (as the leaver leaving, naming who takes
    over); the other side's party is told "X no longer comes, Y will be there", in their
    language. ``leaving``: colleagues who leave the meeting in the same change (a group given
    the same new times), passed over: a hand-over to one of them would be followed by another,
    or by the cancellation. Returns the colleague, or None when nobody can take over (the
    caller cancels)."""
    meeting = Meeting.objects.select_related("request", "slot").get(pk=seat.meeting_id)
    found = _hand_over_taker(seat=seat, meeting=meeting, leaving=leaving)
    if found is None:
        return None
    candidate, sender, recipient = found
    leaver, person, request = seat.participant, candidate.participant, meeting.request
    MeetingRequest.objects.filter(pk=request.pk).update(sender_id=sender, recipient_id=recipient)
    MeetingSeat.objects.filter(pk=seat.pk).update(active=False, is_party=False, left=True)
    MeetingSeat.objects.filter(pk=candidate.pk).update(is_party=True)
    Meeting.objects.filter(pk=meeting.pk).update(
        sequence=F("sequence") + 1, version=F("version") + 1, updated_at=timezone.now()
    )
    _log(
        meeting,
        actor,
        "attendee_left",
        participant=leaver.pk,
        name=leaver.name,
        instead=person.pk,
        instead_name=person.name,
        **_reason_detail(reason),
    )
    notify_party_replaced(meeting=meeting, leaver=leaver, instead=person)
    return person


def meeting_attendee_add(*, meeting: Meeting, person: Participant, actor: Actor) -> Meeting:
    """A colleague joins a scheduled meeting that has not started (for organisers too: they
    would be told of a meeting already under way): one of its parties brings a colleague of
    their own organisation; an organiser, a colleague of either side. The rules are the
    booking's: inside the colleague's times, free in the slot, and for participants while
    booking is open. A colleague who left it may come back.

    Side effects: a seat for them (or their left seat taken again), the meeting's SEQUENCE
    bumped (calendars show the new attendee), a log line, and they are told it is booked."""
    with guarded_transaction():
        lock_participants_and_slots([*_meeting_parties(meeting), person.pk], [meeting.slot_id])
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("slot", "request__event", "request__sender", "request__recipient")
            .get(pk=meeting.pk)
        )
        _check_actor(meeting, actor)
        if not actor.is_organiser and _party_refusal(meeting, actor) is not None:
            raise Forbidden(
                "You joined this meeting as a colleague: only its two parties can bring "
                "colleagues to it.",
                code="not_a_party",
            )
        request = meeting.request
        try:
            _attendees(request, [person], actor)  # a colleague of the right side
        except InvalidInput as exc:  # the field of this request is the participant
            raise InvalidInput(
                exc.message, field="participant", code=exc.code, reason=exc.reason
            ) from exc
        if meeting.status != Meeting.Status.SCHEDULED:
            state = _STATUS_WORDS.get(meeting.status, meeting.status)
            raise Conflict(
                f"This meeting is {state}; no one can join it any more.",
                code="meeting_not_joinable",
            )
        slot = meeting.slot
        if slot.start <= timezone.now():  # organisers too: "booked" for a past meeting is wrong
            raise Conflict(
                f"This meeting started on {slot_words(slot)}; no one can join it any more.",
                code="meeting_started_join",
            )
        seat = MeetingSeat.objects.filter(meeting=meeting, participant=person).first()
        if seat is not None and not seat.left:
            raise Conflict(f"{person.name} already attends this meeting.", code="already_attending")
        _check_attending([person.pk], "they cannot join a meeting")
        _check_slot(request, slot, actor)
        known = _load_known(event_id=request.event_id, people=[person.pk], slots=[slot.pk])
        _check_availability([person], slot, known)
        _check_free([person], slot, known, ignore=None)
        if seat is None:
            MeetingSeat.objects.create(
                meeting=meeting, participant=person, slot=slot, is_party=False
            )
        else:
            MeetingSeat.objects.filter(pk=seat.pk).update(left=False, active=True, slot=slot)
        meeting.sequence += 1
        meeting.version += 1
        meeting.save(update_fields=["sequence", "version", "updated_at"])
        _log(meeting, actor, "attendee_added", participant=person.pk, name=person.name)
        notify_meeting(meeting=meeting, kind="meeting_booked", only={person.pk})
    return Meeting.objects.get(pk=meeting.pk)


def meeting_leave(*, meeting: Meeting, participant: Participant, user=None) -> Meeting:
    """Someone in a meeting will not attend it, until it starts; the meeting goes on for the
    others. A colleague who joined it leaves it: as ``meeting_attendee_leave_locked`` (the seat
    is freed for good, SEQUENCE bumped so their calendar shows it cancelled, logged). One of its
    two parties leaves it only to a colleague of theirs who joined it, who takes their place
    (``meeting_hand_over_locked``: the other side is told who will be there); without one,
    Conflict ``party_cannot_leave`` (they cancel it instead)."""
    with guarded_transaction():
        lock_participants_and_slots(_meeting_parties(meeting), [meeting.slot_id])
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("slot")
            .get(pk=meeting.pk)
        )
        seat = (
            MeetingSeat.objects.select_related("participant", "meeting")
            .filter(meeting=meeting, participant=participant, left=False)
            .first()
        )
        if seat is None:
            raise NotFound("No such meeting.")
        if meeting.status != Meeting.Status.SCHEDULED:
            state = _STATUS_WORDS.get(meeting.status, meeting.status)
            raise Conflict(
                f"This meeting is {state}; it can no longer be left.",
                code="meeting_not_leavable",
            )
        if meeting.slot.start <= timezone.now():
            raise Conflict(
                f"This meeting started on {slot_words(meeting.slot)}; it can no longer be left. If "
                "you did "
                "not attend, tell the organisers.",
                code="meeting_started_leave",
            )
        actor = Actor(user=user, participant=participant)
        if seat.is_party:
            if meeting_hand_over_locked(seat=seat, actor=actor) is None:
                raise Conflict(
                    "You are one of the meeting's two parties: cancel it instead.",
                    code="party_cannot_leave",
                )
        else:
            meeting_attendee_leave_locked(seat=seat, actor=actor, reason="left the meeting")
    return Meeting.objects.get(pk=meeting.pk)


def meeting_cancel(
    *,
    meeting: Meeting,
    by: Participant | None = None,
    user=None,
    reason: str | Reason = "",
    expected_version: int | None = None,
) -> Meeting:
    """Cancel a meeting (participants: only before its slot starts). With ``expected_version``
    a meeting changed since the caller saw it is left as it is (``MeetingChanged``). Side
    effects: frees its seats and table, bumps SEQUENCE and the version, logs why."""
    with guarded_transaction():
        return meeting_cancel_locked(
            meeting=meeting,
            actor=Actor(user=user, participant=by, organiser=by is None),
            reason=reason,
            expected_version=expected_version,
        )


def meeting_set_fixed(
    *, meeting: Meeting, fixed: bool, actor: Actor, expected_version: int | None = None
) -> Meeting:
    """Organisers fix a meeting in place (the automatic scheduler never moves it, nor its table;
    participants cannot move it) or release it. Idempotent. With ``expected_version`` a meeting
    changed since the caller saw it is left as it is (``MeetingChanged``, as ``check_version``).

    Side effects: updates ``fixed`` and logs "fixed" / "unfixed". Nobody is notified: the
    meeting's time and place do not change.
    """
    _check_may_fix(actor)
    with guarded_transaction():
        return _set_fixed_locked(meeting, fixed, actor, expected_version)


def _check_may_fix(actor: Actor) -> None:
    if not actor.is_organiser:
        raise Forbidden("Only organisers can fix a meeting or release it.")


def _set_fixed_locked(
    meeting: Meeting, fixed: bool, actor: Actor, expected_version: int | None = None
) -> Meeting:
    # its people and slot first (the order of ``locking``): a schedule publish, which holds
    # every participant of the event, then reads the fix before it moves the meeting
    lock_participants_and_slots(_meeting_parties(meeting), [meeting.slot_id])
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    check_version(meeting, expected_version)
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict("This meeting is cancelled; there is nothing to fix.")
    if meeting.fixed != fixed:
        meeting.fixed = fixed
        meeting.version += 1
        meeting.save(update_fields=["fixed", "version", "updated_at"])
        _log(meeting, actor, "fixed" if fixed else "unfixed")
    return meeting


def meeting_vacate_locked(*, meeting: Meeting) -> None:
    """Free a scheduled meeting's seats and table for a moment, inside a schedule publish that
    re-places it (``meeting_reschedule_locked``) or cancels it before committing."""
    MeetingSeat.objects.filter(meeting=meeting).update(active=False)
    Meeting.objects.filter(pk=meeting.pk).update(table=None)


def check_in_opens_at(slot: Slot) -> datetime:
    """When check-in opens for a meeting in ``slot``: ``CHECK_IN_OPENS_MINUTES`` before it."""
    return slot.start - timedelta(minutes=settings.CHECK_IN_OPENS_MINUTES)


def check_in_closes_at(slot: Slot, tz) -> datetime:
    """When participants can no longer check in for a meeting in ``slot``: the end of its day
    (event time ``tz``); organisers may record it later."""
    day = slot.start.astimezone(tz).date()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def check_in_open(slot: Slot, tz, now: datetime) -> bool:
    """Whether a participant may check in now for a meeting in ``slot`` (the window
    ``meeting_set_status`` applies to them)."""
    return check_in_opens_at(slot) <= now < check_in_closes_at(slot, tz)


def _check_in_window(meeting: Meeting, actor: Actor, now: datetime) -> None:
    """Check-in opens ``CHECK_IN_OPENS_MINUTES`` before the slot starts; for participants it
    closes at the end of the meeting's day (event time), organisers may record it later."""
    tz = meeting.event.tz
    start = meeting.slot.start
    opens = check_in_opens_at(meeting.slot)
    if now < opens:
        raise Conflict(
            f"Check-in opens {settings.CHECK_IN_OPENS_MINUTES} minutes before the meeting, on "
            f"{time_words(opens, tz)}.",
            code="check_in_not_open",
        )
    day = start.astimezone(tz).date()
    if now >= check_in_closes_at(meeting.slot, tz) and not actor.is_organiser:
        raise Conflict(
            f"Check-in closed at the end of the meeting's day ({day:%Y-%m-%d}); ask the "
            "organisers to record it.",
            code="check_in_closed",
        )


def _check_in_agrees_with_feedback(meeting: Meeting, actor: Actor) -> None:
    """A participant who said in their feedback that the meeting did not take place does not
    check in to it ("Present" beside "did not take place"): they change their feedback first.
    The organisers record what they saw at the desk."""
    if actor.is_organiser or actor.participant is None:
        return
    if MeetingFeedback.objects.filter(
        meeting=meeting, participant=actor.participant, took_place=False
    ).exists():
        raise Conflict(
            "You said in your feedback that this meeting did not take place; change your "
            "feedback first if it did.",
            code="feedback_not_held",
        )


def meeting_set_status(
    *,
    meeting: Meeting,
    status: str,
    actor: Actor,
    now: datetime | None = None,
    expected_version: int | None = None,
    absent: str = "",
) -> Meeting:
    """Check in (a participant of the meeting or an organiser, around the meeting's time), or
    mark held / no-show (organisers, once the meeting has started). What the organisers
    recorded (held, no-show) a participant's check-in cannot overwrite. With
    ``expected_version`` a meeting changed since the caller saw it is left as it is
    (``MeetingChanged``, as ``check_version``). ``absent`` says, with a no-show only, who did
    not come (``Meeting.Absent``: both, the sender, the recipient; blank: not said); marking
    a no-show again with another ``absent`` corrects it, any other status clears it.

    Side effects: updates the status (and ``absent``) and logs it.
    """
    allowed_by_participant = {Meeting.Status.CHECKED_IN}
    organiser_only = {Meeting.Status.HELD, Meeting.Status.NO_SHOW, Meeting.Status.SCHEDULED}
    if status not in allowed_by_participant | organiser_only:
        raise InvalidInput(f"Unknown meeting status {status!r}.", field="status")
    absent = absent or ""
    if absent and absent not in Meeting.Absent.values:
        raise InvalidInput(
            f"Unknown value {absent!r}: say both, sender or recipient.", field="absent"
        )
    if absent and status != Meeting.Status.NO_SHOW:
        raise InvalidInput("Who did not come is said of a no-show only.", field="absent")
    with guarded_transaction():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("slot", "event")
            .get(pk=meeting.pk)
        )
        _check_actor(meeting, actor)
        if status in organiser_only and not actor.is_organiser:
            raise Forbidden("Only organisers can mark a meeting held or no-show.")
        check_version(meeting, expected_version)
        if meeting.status == Meeting.Status.CANCELLED:
            raise Conflict("This meeting is cancelled.", code="meeting_cancelled")
        if meeting.status == status and meeting.absent == absent:
            return meeting
        now = now or timezone.now()
        if meeting.status == status:  # a no-show's absent side corrected
            old_absent = meeting.absent
            meeting.absent = absent
            meeting.version += 1
            meeting.save(update_fields=["absent", "version", "updated_at"])
            _log(meeting, actor, "absent", old=old_absent, new=absent)
            return meeting
        recorded = {Meeting.Status.HELD, Meeting.Status.NO_SHOW}
        if meeting.status in recorded and not actor.is_organiser:
            state = _STATUS_WORDS.get(meeting.status, meeting.status)
            raise Conflict(
                f"This meeting is {state} by the organisers; ask them if that is wrong.",
                code="meeting_recorded",
            )
        if status in recorded and now < meeting.slot.start:
            raise Conflict(
                f"This meeting starts on {slot_words(meeting.slot)}; it can be marked held or "
                "no-show once it has started.",
                code="meeting_not_started",
            )
        if status == Meeting.Status.CHECKED_IN:
            _check_in_window(meeting, actor, now)
            _check_in_agrees_with_feedback(meeting, actor)
        old = meeting.status
        meeting.status = status
        meeting.absent = absent
        meeting.version += 1
        meeting.save(update_fields=["status", "absent", "version", "updated_at"])
        if absent:
            _log(meeting, actor, "status", old=old, new=status, absent=absent)
        else:
            _log(meeting, actor, "status", old=old, new=status)
    return meeting


def meeting_swap(
    *,
    meeting: Meeting,
    other: Meeting,
    actor: Actor,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> tuple[Meeting, Meeting]:
    """Organisers swap two scheduled meetings still to come in one step: each takes the other's
    time and table (the delegation that arrives late takes a colleague's later meeting; two
    meetings at one time trade tables). A meeting at a participant's own place (booth) stays
    there and only takes the other's time. Every booking rule is checked again for each at its
    new place (everyone seated at the fair and free then, the tables); a refusal of either
    leaves both as they were. ``expected_version`` is ``meeting``'s version as the page showed
    it (``MeetingChanged`` otherwise); ``other`` is chosen from the page too and is read under
    its lock.

    Side effects: both meetings move (``meeting_reschedule_locked``: seats, SEQUENCE, version,
    "moved" log rows, the "moved" emails of everyone in them).
    """
    if not actor.is_organiser:
        raise Forbidden("Only organisers can swap meetings.")
    if meeting.pk == other.pk:
        raise InvalidInput("Choose another meeting to swap with.", field="other")
    if meeting.event_id != other.event_id:
        raise InvalidInput("That meeting belongs to another event.", field="other")
    now = now or timezone.now()
    with guarded_transaction():
        lock_participants_and_slots(
            _meeting_parties(meeting) + _meeting_parties(other), [meeting.slot_id, other.slot_id]
        )
        rows = {
            m.pk: m
            for m in Meeting.objects.select_for_update(of=("self",))
            .select_related(
                "slot", "table", "request__sender__fixed_table", "request__recipient__fixed_table"
            )
            .filter(pk__in=[meeting.pk, other.pk])
            .order_by("pk")
        }
        a, b = rows[meeting.pk], rows[other.pk]
        check_version(a, expected_version)
        for m in (a, b):
            refused = meeting_move_refusal(meeting=m, actor=actor, now=now)
            if refused is not None:
                raise refused
            if m.slot.start <= now:
                raise Conflict(
                    f"Meeting {m.pk} started on {slot_words(m.slot)}; only meetings still to come "
                    "swap.",
                    code="meeting_started_move",
                )
        places = {m.pk: (m.slot, m.table) for m in (a, b)}
        for m in (a, b):
            meeting_vacate_locked(meeting=m)
        for m, (slot, table) in ((a, places[b.pk]), (b, places[a.pk])):
            own = m.request.sender.fixed_table or m.request.recipient.fixed_table
            wanted = table if table is not None and table.shared and own is None else None
            meeting_reschedule_locked(
                meeting=m, slot=slot, actor=actor, table=wanted, vacated_from=places[m.pk][1]
            )
        return Meeting.objects.get(pk=a.pk), Meeting.objects.get(pk=b.pk)
