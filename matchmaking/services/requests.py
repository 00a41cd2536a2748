"""Meeting requests: create, accept, decline, cancel, expire."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from matchmaking.exceptions import (
    BookingClosed,
    Busy,
    Conflict,
    DomainError,
    DuplicateRequest,
    Forbidden,
    InvalidInput,
    LimitReached,
    RequestDeclined,
    RequestNotOpen,
    SlotPassed,
)
from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    Notification,
    Participant,
    Slot,
)
from matchmaking.reasons import Reason, slot_words
from matchmaking.selectors import available_slots, party_meeting_counts
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.notifications import notify_meeting, notify_request
from matchmaking.services.recommendations import lists_refresh_after_commit


def meeting_refusal(a: Participant, b: Participant) -> tuple[str, str] | None:
    """Why ``a`` may not meet ``b``: ``(code, sentence)``, or None when they may."""
    if a.pk == b.pk:
        return "request_self", "You cannot request a meeting with yourself."
    if a.event_id != b.event_id:
        return "other_event", "Both participants must belong to the same event."
    if a.organisation_id == b.organisation_id:
        return (
            "same_organisation",
            "Participants of the same organisation cannot request meetings with each other.",
        )
    if a.kind == b.kind == Participant.Kind.EXHIBITOR and not (
        a.accepts_same_kind and b.accepts_same_kind
    ):
        return (
            "exhibitors_not_opted_in",
            "Exhibitors meet each other only when both have opted in to exhibitor meetings.",
        )
    return None


#: what a participant who said they no longer come reads when they try to ask, answer or write
SELF_NOT_ATTENDING = (
    "You said you no longer come to the fair; if you come after all, say so first "
    "(PUT me/attendance/ with attending true)."
)


def attendance_refusal(a: Participant, b: Participant, *, by_self: bool) -> tuple[str, str] | None:
    """Why ``a`` may not ask (or accept a request from) ``b`` now because one of them no longer
    comes to the fair: ``(code, sentence)``, or None. ``by_self``: ``a`` asks themselves (they
    read "you"); else an organiser acts for them. Read from the database: the caller holds both
    rows' locks."""
    withdrawn = set(
        Participant.objects.filter(pk__in=[a.pk, b.pk], withdrawn_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    if a.pk in withdrawn:
        if by_self:
            return "self_not_attending", SELF_NOT_ATTENDING
        return (
            "self_not_attending",
            f"{a.name} said they no longer come to the fair; they must say that they come "
            "after all first.",
        )
    if b.pk in withdrawn:
        return (
            "not_attending",
            f"{b.name} no longer comes to the fair: no meeting with them can be asked for or "
            "accepted.",
        )
    return None


def meeting_allowed(a: Participant, b: Participant) -> str | None:
    """Why ``a`` may not meet ``b`` (a sentence), or None when they may."""
    refusal = meeting_refusal(a, b)
    return refusal[1] if refusal else None


def _common_parts(a: Participant, b: Participant, now: datetime) -> frozenset[str] | None:
    """The parts of the day (``Slot.part``: morning, afternoon) of the meeting slots still to come
    that lie inside the times of both (someone who gave no times is at the fair at every slot, as
    the booking has it): empty when they are never there together. None when the event has no
    slot to come: that is left to the booking rules, and says nothing about two people's times."""
    slots = list(Slot.objects.filter(event_id=a.event_id, start__gt=now).order_by("start"))
    if not slots:
        return None
    periods = available_slots(slots=slots, participant_ids=[a.pk, b.pk])
    every = frozenset(range(len(slots)))
    common = periods.get(a.pk, every) & periods.get(b.pk, every)
    return frozenset(slots[i].part for i in common)


def request_create(
    *,
    sender: Participant,
    recipient: Participant,
    message: str = "",
    priority: int = 3,
    session: str = MeetingRequest.SessionPreference.ANY,
    status: str = MeetingRequest.Status.PENDING,
    now: datetime | None = None,
    by_organiser: bool = False,
    slot: Slot | None = None,
    client_token: str = "",
) -> MeetingRequest:
    """Create a request from ``sender`` to ``recipient``, optionally with a proposed time
    (``slot``): one the booking would accept for the two of them now, which accepting the
    request books if it is still free then.

    Side effects: inserts a MeetingRequest. Refuses a request no slot still to come could hold:
    none lies inside both people's times, or none of those is in the wished ``session`` (morning
    or afternoon, as the booking keeps it). Refuses a second open request between the same two
    participants in either direction, and, for good, a new request to someone who declined one
    from the sender at this event (no second email to them; they may still ask the sender).
    Unless ``by_organiser``, a sender with ``settings.MAX_PENDING_REQUESTS`` requests still
    waiting for an answer is refused (each request emails its recipient: no one should be able
    to write to the whole fair in a few seconds).

    ``client_token``: the sending form's own token (as a message's or a broadcast's): the same
    form sent again (a double click, a reload) returns the request it sent, with ``created``
    False, and nothing is written or emailed twice; brought back for someone else, it is
    refused (409 ``form_sent_already``). A request it creates has ``created`` True.
    """
    token = (client_token or "")[:64]
    sent = _sent_with(sender, token, recipient)
    if sent is not None:
        return sent
    refusal = meeting_refusal(sender, recipient)
    if refusal:
        raise InvalidInput(refusal[1], field="recipient", code=refusal[0])
    now = now or timezone.now()
    if not by_organiser and not sender.event.booking_open_at(now):
        # the import format's booking window: "when participants may start sending requests",
        # "when requests and bookings close"
        raise BookingClosed("Booking is closed for this event: requests cannot be sent now.")
    if not 1 <= priority <= 5:
        raise InvalidInput("Priority must be between 1 and 5.", field="priority")
    if session not in MeetingRequest.SessionPreference.values:
        raise InvalidInput("Session must be morning, afternoon or any.", field="session")
    # a request the booking could never place is refused now, not accepted and left unbookable
    # (the booking keeps a morning or afternoon request to slots of that part of the day)
    common = _common_parts(sender, recipient, now)
    if common is not None and not common:
        raise Conflict(
            f"You and {recipient.name} are never at the fair at the same time: no meeting slot "
            "lies inside both your times. Change your times, or ask someone else.",
            code="no_common_time",
        )
    wished = session != MeetingRequest.SessionPreference.ANY
    if common is not None and wished and session not in common:
        raise Conflict(
            f"You and {recipient.name} are never at the fair at the same time in the "
            f"{session}; choose another part of the day or any time.",
            code="no_common_time_in_session",
        )
    try:
        return _create_locked(
            sender=sender,
            recipient=recipient,
            message=message,
            priority=priority,
            session=session,
            status=status,
            now=now,
            by_organiser=by_organiser,
            slot=slot,
            token=token,
        )
    except IntegrityError:
        # the same form sent twice at once (the lock makes it rare): the first one is the request
        sent = _sent_with(sender, token, recipient)
        if sent is None:
            raise
        return sent


def _refuse_if_taking_no_meetings(sender: Participant, recipient: Participant) -> None:
    """A meeting limit of 0 says "not taking meetings": a request to them (or from them) could
    never be booked by the participants, so it is refused (409 ``not_taking_meetings``, with the
    Reason that says it in the reader's language). Read from the locked rows."""
    limits = dict(
        Participant.objects.filter(pk__in=[sender.pk, recipient.pk]).values_list(
            "pk", "max_meetings"
        )
    )
    if limits.get(recipient.pk) == 0:
        reason = Reason("not_taking_meetings", {"name": recipient.name})
    elif limits.get(sender.pk) == 0:
        reason = Reason("self_not_taking_meetings")
    else:
        return
    raise Conflict(reason.english(), code=reason.code, reason=reason)


def _sent_with(sender: Participant, token: str, recipient: Participant) -> MeetingRequest | None:
    """The request this form (``token``) sent already, with ``created`` False; None when it
    was not sent. A form brought back for someone else is refused."""
    if not token:
        return None
    sent = MeetingRequest.objects.filter(sender=sender, client_token=token).first()
    if sent is None:
        return None
    if sent.recipient_id != recipient.pk:
        raise Conflict(
            "This form was sent already; reload the page to send another request.",
            code="form_sent_already",
        )
    sent.created = False
    return sent


def _create_locked(
    *,
    sender: Participant,
    recipient: Participant,
    message: str,
    priority: int,
    session: str,
    status: str,
    now: datetime,
    by_organiser: bool,
    slot: Slot | None,
    token: str,
) -> MeetingRequest:
    """``request_create``'s writing part, under both people's locks."""
    with guarded_transaction(durable=False):
        # both sides, in the bookings' order: the checks below (one open request per pair, the
        # sender's waiting requests) see no request inserted beside them
        lock_participants_and_slots([sender.pk, recipient.pk], [])
        sent = _sent_with(sender, token, recipient)  # the same form, sent while we waited
        if sent is not None:
            return sent
        not_coming = attendance_refusal(sender, recipient, by_self=not by_organiser)
        if not_coming:
            raise Conflict(not_coming[1], code=not_coming[0])
        if not by_organiser:  # organisers may go past a limit, as when they accept
            _refuse_if_taking_no_meetings(sender, recipient)
        existing = (
            MeetingRequest.objects.filter(status__in=MeetingRequest.OPEN_STATUSES)
            .filter(Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender))
            .first()
        )
        if existing is not None:
            raise DuplicateRequest(
                f"There is already an open request between {sender.name} and {recipient.name} "
                f"(request {existing.pk}, {existing.status})."
            )
        if not by_organiser and status == MeetingRequest.Status.PENDING:
            waiting = MeetingRequest.objects.filter(
                sender=sender, status=MeetingRequest.Status.PENDING
            ).count()
            if waiting >= settings.MAX_PENDING_REQUESTS:
                raise Conflict(
                    f"You have {waiting} requests still waiting for an answer, the most this "
                    "event allows. Wait for answers, or withdraw some, before asking more people.",
                    code="too_many_pending_requests",
                )
        declined = MeetingRequest.objects.filter(
            sender=sender, recipient=recipient, status=MeetingRequest.Status.DECLINED
        ).exists()
        if declined:
            raise RequestDeclined(
                f"{recipient.name} declined your request at this event; you cannot ask them "
                "again. They can still send you a request."
            )
        if slot is not None:  # after every other refusal: it reads the other side's agenda
            _check_proposed(sender, recipient, session, slot, by_organiser, now)
        created = MeetingRequest.objects.create(
            event_id=sender.event_id,
            sender=sender,
            recipient=recipient,
            message=message,
            priority=priority,
            session=session,
            status=status,
            responded_at=now if status != MeetingRequest.Status.PENDING else None,
            expires_at=sender.event.request_expires_at(now)
            if status == MeetingRequest.Status.PENDING
            else None,
            proposed_slot=slot,
            client_token=token,
        )
        created.created = True
        if status == MeetingRequest.Status.PENDING:
            notify_request(request=created, kind="request_received")
        return created


def _check_proposed(
    sender: Participant,
    recipient: Participant,
    session: str,
    slot: Slot,
    by_organiser: bool,
    now: datetime,
) -> None:
    """Refuse a proposed time the booking would refuse for the two of them now (the caller
    holds both people's locks): a slot that has started (organisers too: a proposal is for a
    meeting to come), or one the booking's rules refuse. When the other side is not free
    then (a meeting, their limit, no table or booth), the refusal says only that the time is
    not free for both: a pending request must not read the other side's agenda."""
    from matchmaking.services.meetings import Actor

    if slot.event_id != sender.event_id:
        raise InvalidInput("That slot belongs to another event.", field="slot")
    if slot.start <= now:
        raise SlotPassed(
            f"The proposed time, {slot_words(slot)}, has already started; propose a later one.",
            field="slot",
        )
    actor = Actor(organiser=True) if by_organiser else Actor(participant=sender)
    refusal = proposal_refusal(
        event=sender.event,
        sender=sender,
        recipient=recipient,
        session=session,
        slot=slot,
        actor=actor,
        now=now,
    )
    if refusal is None:
        return
    if refusal.code in NOT_FREE_CODES:
        raise Conflict(
            "That time is not free for both of you: propose another, or send the request "
            "without a time.",
            field="slot",
            code="proposed_time_not_free",
        )
    refusal.field = "slot"
    raise refusal


def proposal_refusal(
    *,
    event: Event,
    sender: Participant,
    recipient: Participant,
    session: str,
    slot: Slot,
    actor,
    now: datetime | None = None,
) -> DomainError | None:
    """Read only: why the booking would refuse ``slot`` for a meeting of ``sender`` and
    ``recipient`` (the request's ``session``) from ``actor`` now, or None: a proposed time,
    checked when it is sent and shown on the requests page."""
    probe = MeetingRequest(
        event=event, sender=sender, recipient=recipient, session=session, proposed_slot=slot
    )
    return proposal_refusals(event=event, requests=[probe], actor=actor, now=now)[0]


def proposal_refusals(
    *,
    event: Event,
    requests: Sequence[MeetingRequest],
    actor,
    now: datetime | None = None,
) -> list[DomainError | None]:
    """Read only: ``proposal_refusal`` for the proposed time (``proposed_slot``) of each of
    ``requests``, in order, reading the booking's rows once for them all (the requests page
    asks it of every pending request with a proposed time)."""
    from matchmaking.services.meetings import meeting_slot_refusals

    probes = [
        (
            MeetingRequest(event=event, sender=r.sender, recipient=r.recipient, session=r.session),
            r.proposed_slot,
        )
        for r in requests
    ]
    return meeting_slot_refusals(proposals=probes, actor=actor, now=now)


def proposable_slots(
    *,
    sender: Participant,
    recipients: Sequence[Participant],
    actor,
    now: datetime | None = None,
) -> dict[int, list[Slot]]:
    """Read only: for each of ``recipients`` (by id), the times ``sender`` may propose with a
    request to them: the slots the booking would accept for the two of them now (still to
    come, both at the fair and free, neither at their meeting limit, a table or booth free),
    as the agenda's Book a time offers an accepted request's; the rows are read once for all
    of them. ``recipients`` with their fixed tables loaded."""
    from matchmaking.services.meetings import meeting_slots_bookable

    probes = [  # unsaved requests, numbered for the answer
        MeetingRequest(
            pk=-(i + 1),
            event=sender.event,
            sender=sender,
            recipient=person,
            session=MeetingRequest.SessionPreference.ANY,
        )
        for i, person in enumerate(recipients)
    ]
    free = meeting_slots_bookable(requests=probes, actor=actor, now=now)
    return {probe.recipient_id: free[probe.pk] for probe in probes}


# the booking's refusals that may come from the other side's agenda (said neutrally)
NOT_FREE_CODES = {"participant_busy", "limit_reached", "table_taken", "slot_taken"}


def _locked(request: MeetingRequest) -> MeetingRequest:
    """The request's row, locked, with its event read but not locked: FOR UPDATE over the join
    locked the event's row too, which queued every answer of the event behind one another."""
    rows = MeetingRequest.objects.select_for_update(of=("self",)).select_related("event")
    return rows.get(pk=request.pk)


def _respond(
    *,
    request: MeetingRequest,
    by: Participant | None,
    status: str,
    now: datetime | None,
    notify: bool = True,
    reason: str = "",
) -> MeetingRequest:
    now = now or timezone.now()
    with transaction.atomic():
        req = _locked(request)
        if by is not None and by.pk != req.recipient_id:
            raise Forbidden("Only the participant who received this request can answer it.")
        expired = (
            req.status == MeetingRequest.Status.PENDING and req.expires_at and req.expires_at <= now
        )
        if expired:
            # Record the expiry (committed), then refuse.
            req.status = MeetingRequest.Status.EXPIRED
            req.save(update_fields=["status"])
            notify_request(request=req, kind="request_expired")
            _lists_refresh_later(req)
    if expired:
        raise RequestNotOpen("This request expired before it was answered.")
    with transaction.atomic():
        req = _locked(request)
        if req.status != MeetingRequest.Status.PENDING:
            raise RequestNotOpen(
                f"This request is {req.status}; only pending requests can be answered."
            )
        if status == MeetingRequest.Status.ACCEPTED:
            not_coming = attendance_refusal(req.recipient, req.sender, by_self=by is not None)
            if not_coming:
                raise Conflict(not_coming[1], code=not_coming[0])
            if by is not None:  # organisers may accept for someone at their limit
                _check_own_limit(req.recipient)
        req.status = status
        req.responded_at = now
        req.answer_reason = str(reason or "") if status == MeetingRequest.Status.DECLINED else ""
        req.save(update_fields=["status", "responded_at", "answer_reason"])
        if notify:
            accepted = status == MeetingRequest.Status.ACCEPTED
            unbooked = unbooked_cause(req, now) if accepted else None
            notify_request(request=req, kind=f"request_{status}", reason=reason, unbooked=unbooked)
    return req


def _check_own_limit(person: Participant) -> None:
    """Refuse (409 ``limit_reached``) a participant accepting a request while they are at their
    own meeting limit: the meeting could be booked by nobody, not even the scheduler."""
    if person.max_meetings is None:
        return
    booked = party_meeting_counts(participant_ids=[person.pk]).get(person.pk, 0)
    if booked >= person.max_meetings:
        code = "own_limit_one" if person.max_meetings == 1 else "own_limit"
        reason = Reason(code, {"limit": person.max_meetings})
        raise LimitReached(reason.english(), reason=reason)


def unbooked_cause(request: MeetingRequest, now: datetime) -> str | None:
    """Why an accepted request has no meeting yet beyond "no time was chosen", as its sender's
    email and the accepter read it: ``sender_limit`` (the sender is at their meeting limit:
    nobody can book it until they raise it or cancel a meeting), ``recipient_limit`` (the
    other side is: an organiser accepted for them), ``booking_closed`` (participants cannot
    book now: the organisers will schedule it), or None (either side may book a time)."""
    for code, person in (("sender_limit", request.sender), ("recipient_limit", request.recipient)):
        limit = Participant.objects.filter(pk=person.pk).values_list("max_meetings", flat=True)[0]
        if limit is not None:
            booked = party_meeting_counts(participant_ids=[person.pk]).get(person.pk, 0)
            if booked >= limit:
                return code
    if not request.event.booking_open_at(now):
        return "booking_closed"
    return None


def request_accept(
    *,
    request: MeetingRequest,
    by: Participant | None,
    now: datetime | None = None,
    user=None,
    slot: Slot | None = None,
) -> MeetingRequest:
    """The recipient (or an organiser, ``by=None``) accepts. Side effects: status → accepted;
    with a proposed time still to come and still free for both (the booking's rules), the
    meeting is booked then, in the same transaction (``booked``: the meeting, else None;
    ``proposal_refused``: why the proposed time could not be booked; ``unbooked``: what stands
    in the way of booking it later, ``unbooked_cause``). The sender is told once: of the booked
    meeting, or of the acceptance (that their proposed time could not be booked, and what
    happens next: booking is closed and the organisers will schedule it, or they are at their
    meeting limit and must raise it or cancel a meeting).

    A participant accepting while at their own meeting limit is refused (409
    ``limit_reached``, nothing written); an organiser accepting for them is not.

    ``slot``: accept at that time instead (whether a time was proposed or not): see
    ``_accept_at``; refused, nothing written, when the booking would refuse it."""
    from matchmaking.services.meetings import Actor, meeting_book_locked

    now = now or timezone.now()
    fresh = MeetingRequest.objects.select_related("proposed_slot").get(pk=request.pk)
    if slot is not None:
        return _accept_at(request=fresh, by=by, now=now, user=user, slot=slot)
    slot = fresh.proposed_slot
    expired = fresh.status == MeetingRequest.Status.PENDING and (
        fresh.expires_at is not None and fresh.expires_at <= now
    )
    if slot is None or slot.start <= now or expired:  # nothing to book (or it records expiry)
        accepted = MeetingRequest.Status.ACCEPTED
        if expired:  # the expiry is committed, then refused: no transaction of ours around it
            req = _respond(request=fresh, by=by, status=accepted, now=now)
        else:
            with guarded_transaction():
                # both people (sorted ids), as a booking locks them, then the request row (in
                # _respond): the recipient's limit is counted while no booking of theirs
                # can commit in between
                lock_participants_and_slots([fresh.sender_id, fresh.recipient_id], [])
                req = _respond(request=fresh, by=by, status=accepted, now=now)
        req.booked, req.proposal_refused = None, None
        req.unbooked = unbooked_cause(req, now)
        return req
    with guarded_transaction():
        # the bookings' order: both people and the slot, then the request row (in _respond)
        lock_participants_and_slots([fresh.sender_id, fresh.recipient_id], [slot.pk])
        req = _respond(
            request=fresh, by=by, status=MeetingRequest.Status.ACCEPTED, now=now, notify=False
        )
        req.booked, req.proposal_refused = None, None
        actor = Actor(user=user, participant=by, organiser=by is None)
        try:
            with transaction.atomic():  # a refused booking leaves the acceptance
                req.booked = meeting_book_locked(request=req, slot=slot, actor=actor)
        except DomainError as exc:
            req.proposal_refused = exc
        req.unbooked = None
        if req.booked is None:
            req.unbooked = unbooked_cause(req, now)
            notify_request(request=req, kind="request_accepted", unbooked=req.unbooked)
    return req


#: what the recipient of a pending request reads when the time they chose is not free for both
CHOSEN_TIME_NOT_FREE = (
    "That time is not free for both of you: choose another, or accept without choosing a time."
)


def _accept_at(
    *,
    request: MeetingRequest,
    by: Participant | None,
    now: datetime,
    user,
    slot: Slot,
) -> MeetingRequest:
    """Accept ``request`` and book its meeting at ``slot`` (another time than the proposed one,
    or none was proposed: a counter-proposal, booked at once; the sender may still cancel it),
    in one transaction: when the booking refuses the time, the acceptance does not happen
    either and the request stays pending (nothing written), unlike a proposed time that is no
    longer free, which leaves an acceptance without a meeting.

    Refusals: another event's slot (400 ``invalid``, ``field="slot"``), one that has started
    (409 ``slot_passed``, ``field="slot"``, organisers too: this books a meeting to come), the
    request's part of the day (400, ``field="slot"``), booking closed for a participant (409
    ``booking_closed``), and 409 ``time_not_free`` (``field="slot"``) when someone's times, a
    meeting, a meeting limit or the tables stand in the way (a participant reads only that the
    time is not free for both: a pending request does not read the other side's agenda;
    organisers read the booking's reason). The request's own refusals are ``_respond``'s (not
    pending, expired, not theirs, one of them no longer comes).

    Side effects: status → accepted, a Meeting at ``slot`` (``booked``), its log line; the
    sender is told once, by the booked meeting's email, that the other side accepted and booked
    it at this time (and which time they had proposed, if another); an organiser accepting tells
    the recipient too, of the booked meeting."""
    from matchmaking.services.meetings import Actor, meeting_book_locked

    if by is not None and by.pk != request.recipient_id:
        raise Forbidden("Only the participant who received this request can answer it.")
    if slot.event_id != request.event_id:
        raise InvalidInput("That slot belongs to another event.", field="slot")
    if slot.start <= now:
        raise SlotPassed(
            f"The time you chose, {slot_words(slot)}, has already started; choose a later one.",
            field="slot",
        )
    expired = request.status == MeetingRequest.Status.PENDING and (
        request.expires_at is not None and request.expires_at <= now
    )
    if expired:  # records the expiry (committed), then refuses
        _respond(request=request, by=by, status=MeetingRequest.Status.ACCEPTED, now=now)
    proposed = request.proposed_slot
    told = {}
    if proposed is None or proposed.pk != slot.pk:  # the sender reads who chose which time
        told = {request.sender_id: {"accepted_at": True, "proposed": proposed and proposed.start}}
    with guarded_transaction():
        # the bookings' order: both people and the slot, then the request row (in _respond)
        lock_participants_and_slots([request.sender_id, request.recipient_id], [slot.pk])
        req = _respond(
            request=request, by=by, status=MeetingRequest.Status.ACCEPTED, now=now, notify=False
        )
        actor = Actor(user=user, participant=by, organiser=by is None)
        try:
            req.booked = meeting_book_locked(request=req, slot=slot, actor=actor, told=told)
        except DomainError as exc:  # the whole transaction goes: the request stays pending
            if exc.code not in NOT_FREE_CODES:
                raise
            if by is not None:  # said neutrally, in every language
                raise Conflict(CHOSEN_TIME_NOT_FREE, field="slot", code="time_not_free") from exc
            raise Conflict(
                exc.message, field="slot", code="time_not_free", reason=exc.reason
            ) from exc
        req.proposal_refused, req.unbooked = None, None
    return req


def request_decline(
    *,
    request: MeetingRequest,
    by: Participant | None,
    now: datetime | None = None,
    reason: str = "",
) -> MeetingRequest:
    """The recipient (or an organiser) declines, with an optional ``reason`` for the sender.
    Side effects: status → declined, the reason kept (``answer_reason``: the sender's requests
    page, the API and the organisers' export show it); the sender is told, their email quoting
    it."""
    return _respond(
        request=request, by=by, status=MeetingRequest.Status.DECLINED, now=now, reason=reason
    )


def requests_decline_received(*, participant: Participant, reason: str = "") -> int:
    """Decline every request still pending to ``participant`` (one not taking meetings, their
    limit at 0, answering them all at once), each as ``request_decline`` does: status →
    declined, the ``reason`` kept, each sender told with it. One answered, withdrawn or expired
    meanwhile is left as it is. Returns how many were declined."""
    declined = 0
    pending = MeetingRequest.objects.filter(
        recipient=participant, status=MeetingRequest.Status.PENDING
    ).order_by("pk")
    for req in pending:
        try:
            request_decline(request=req, by=participant, reason=reason)
        except RequestNotOpen:
            continue
        declined += 1
    return declined


def request_cancel(
    *, request: MeetingRequest, by: Participant | None, user=None, reason: str = ""
) -> MeetingRequest:
    """Either side (or an organiser) withdraws a pending or accepted request.

    Side effects: status → cancelled, the ``reason`` typed kept (``answer_reason``); its live
    meeting, if any, is cancelled too (and logged),
    which tells its people (the one withdrawing too when the meeting was booked while the
    withdrawal waited for the locks: they were told it was booked); without a meeting, the other
    side (both, when an organiser withdraws it) is told that the request was withdrawn.
    """
    from matchmaking.services.meetings import Actor, meeting_cancel_locked

    if by is not None and by.pk not in request.parties():
        raise Forbidden("Only the two participants of this request can cancel it.")

    def live_meeting() -> tuple[Meeting | None, set[int]]:
        """The request's live meeting and everyone seated in it."""
        meeting = (
            Meeting.objects.filter(request_id=request.pk)
            .exclude(status=Meeting.Status.CANCELLED)
            .first()
        )
        if meeting is None:
            return None, set()
        seated = MeetingSeat.objects.filter(meeting=meeting, left=False)
        return meeting, set(seated.values_list("participant_id", flat=True))

    with guarded_transaction():
        # Everyone concerned and the meeting's slot in one sorted call (the booking service's
        # order), then the request row; then the meeting again, under the locks: no booking,
        # move or colleague joined meanwhile, so the meeting read is the one to cancel with it.
        meeting, seated = live_meeting()
        people = {request.sender_id, request.recipient_id} | seated
        lock_participants_and_slots(people, [meeting.slot_id] if meeting is not None else [])
        req = _locked(request)
        if req.status not in MeetingRequest.OPEN_STATUSES:
            raise RequestNotOpen(f"This request is already {req.status}.")
        first = meeting
        meeting, seated = live_meeting()
        # a colleague joined, or the meeting moved, in between: their locks would come too late
        # (a meeting booked meanwhile has only the two parties, whose locks we hold)
        moved = first is not None and (meeting is None or meeting.slot_id != first.slot_id)
        if not seated <= people or moved:
            raise Busy("The meeting changed while withdrawing the request; retry in a moment.")
        if meeting is not None:  # cancelled with it, which tells its people
            why = reason or Reason("request_cancelled")
            meeting_cancel_locked(
                meeting=meeting,
                actor=Actor(user=user, participant=by, organiser=by is None),
                reason=why,
            )
            if first is None and by is not None:
                # booked while we waited for the locks (the other side accepted its proposed
                # time, or booked it): the one withdrawing never knew of it, and was told it
                # is booked; the cancellation is theirs too, so they are told of it as well
                notify_meeting(meeting=meeting, kind="meeting_cancelled", only={by.pk}, reason=why)
        req.status = MeetingRequest.Status.CANCELLED
        req.responded_at = timezone.now()
        req.answer_reason = str(reason or "")  # as typed by whoever withdrew it
        req.save(update_fields=["status", "responded_at", "answer_reason"])
        if meeting is None:
            notify_request(request=req, kind="request_withdrawn", by=by, reason=reason)
        _lists_refresh_later(req)
    return req


def _lists_refresh_later(request: MeetingRequest) -> None:
    """After commit, recompute both sides' recommendations: a withdrawn or expired request no
    longer keeps the two out of each other's lists (stored lists were computed without them)."""
    lists_refresh_after_commit([request.sender_id, request.recipient_id])


EXPIRING_NOTICE = timedelta(hours=24)  # the "waiting for your answer" email, at the latest


def requests_expiring_remind(*, now: datetime | None = None) -> int:
    """Remind the recipients of pending requests that expire soon, once per request: when a day
    is left, or a third of the request's life for a shorter one (a request sent on the fair's
    last morning expires that evening). Returns how many were reminded. Idempotent."""
    now = now or timezone.now()
    reminded = Notification.objects.filter(kind=Notification.Kind.REQUEST_EXPIRING)
    soon = (
        MeetingRequest.objects.filter(
            status=MeetingRequest.Status.PENDING,
            expires_at__gt=now,
            expires_at__lte=now + EXPIRING_NOTICE,
        )
        .exclude(pk__in=reminded.values("request_id"))
        .values_list("pk", "created_at", "expires_at")
    )
    count = 0
    for pk, created, expires in list(soon):
        if expires - now > (expires - created) / 3:
            continue  # a short-lived request: not yet
        with transaction.atomic():
            notify_request(request=MeetingRequest(pk=pk), kind="request_expiring")
            count += 1
    return count


def requests_expire(*, now: datetime | None = None) -> int:
    """Mark pending requests past their expiry as expired and tell both sides. Returns how many.
    Idempotent."""
    now = now or timezone.now()
    count = 0
    overdue = MeetingRequest.objects.filter(
        status=MeetingRequest.Status.PENDING, expires_at__lte=now
    ).values_list("pk", "sender_id", "recipient_id")
    for pk, sender_id, recipient_id in list(overdue):
        with transaction.atomic():
            changed = MeetingRequest.objects.filter(
                pk=pk, status=MeetingRequest.Status.PENDING
            ).update(status=MeetingRequest.Status.EXPIRED)
            if changed:
                request = MeetingRequest(pk=pk, sender_id=sender_id, recipient_id=recipient_id)
                # Both sides are told: an unanswered request frees nothing silently.
                notify_request(request=request, kind="request_expired")
                _lists_refresh_later(request)
                count += 1
    return count
