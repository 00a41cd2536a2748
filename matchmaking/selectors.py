"""Selectors: every read the API, pages and commands need, filtered by who asks."""

import bisect
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Alarm, Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent

from matchmaking.exceptions import InvalidInput, NotFound
from matchmaking.models import (
    Arrival,
    Availability,
    Broadcast,
    Event,
    LoginLink,
    Mark,
    Meeting,
    MeetingFeedback,
    MeetingLog,
    MeetingRequest,
    MeetingSeat,
    Message,
    Participant,
    Profile,
    Session,
    Slot,
    Table,
    natural_key,
    search_fold,
)
from matchmaking.reasons import Reason, skip_item


def event_get(*, slug: str) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise NotFound(f'No event "{slug}".')
    return event


def is_organiser_account(user) -> bool:
    """Whether ``user`` is an organiser account at all (staff or superuser, active): it signs in
    with a password and may create events; which events it steers is ``organises``."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def organises(*, user, event: Event) -> bool:
    """Whether ``user`` may act as ``event``'s organiser: a superuser, or a staff account on the
    event's organiser team."""
    if not is_organiser_account(user):
        return False
    return user.is_superuser or event.organisers.filter(pk=user.pk).exists()


def last_organiser(*, event: Event, user) -> bool:
    """Whether ``user`` is the only member of ``event``'s team who can still organise it (not
    deactivated, still staff): taking them off would leave the fair to superusers only."""
    able = {u.pk for u in event.organisers.all() if is_organiser_account(u)}
    return able == {user.pk}


def events_organised_by(*, user) -> QuerySet[Event]:
    """The events ``user`` organises (every event for a superuser), by slug."""
    if not is_organiser_account(user):
        return Event.objects.none()
    if user.is_superuser:
        return Event.objects.order_by("slug")
    return Event.objects.filter(organisers=user).order_by("slug")


def _accounts_named(name: str):
    """The accounts ``name`` may mean, best first: the username exactly, the username in any
    case, the email in any case."""
    users = get_user_model().objects
    name = name.strip()
    if not name:
        return
    for found in (
        users.filter(username=name),
        users.filter(username__iexact=name),
        users.filter(email__iexact=name),
    ):
        yield from found.order_by("pk")


def account_named(*, name: str):
    """The user account with this username (exactly, else in any case), or else this email (any
    case); None if none."""
    return next(_accounts_named(name), None)


def organiser_account_named(*, name: str):
    """The organiser (staff) account with this username (exactly, else in any case) or email;
    None if there is none. A participant's account with the same email is not it."""
    return next((u for u in _accounts_named(name) if is_organiser_account(u)), None)


def event_organisers(*, event: Event) -> list:
    """The event's organiser team, by username."""
    return list(event.organisers.order_by("username"))


def table_named(*, event: Event, name: str) -> Table | None:
    """The event's table called ``name`` as people type it: the exact name, else the one that
    reads the same whatever its capitals and runs of spaces (the import counts ``T1`` and
    ``t1`` as one table, so there is at most one); None when there is none."""
    exact = Table.objects.filter(event=event, name=name).first()
    if exact is not None:
        return exact
    key = " ".join(name.split()).casefold()
    for pk, stored in Table.objects.filter(event=event).values_list("pk", "name"):
        if " ".join(stored.split()).casefold() == key:
            return Table.objects.get(pk=pk)
    return None


def login_link_spendable(link) -> bool:
    """Whether a sign-in link may still be used: unused and unexpired."""
    return link is not None and link.used_at is None and link.expires_at > timezone.now()


def login_link_owner(*, secret: str) -> Participant | None:
    """The participant a known, unused and unexpired sign-in link signs in; None for any other
    link. Read only: it does not spend the link (mail scanners that pre-open links must not use
    them up), so ``services.participants.login_link_use`` still decides on the sign-in."""
    link = (
        LoginLink.objects.select_related("participant")
        .filter(token_hash=hashlib.sha256(secret.encode()).hexdigest())
        .first()
    )
    return link.participant if login_link_spendable(link) else None


def account_name(user) -> str:
    """Who a signed-in account is, as a page names them: its participant's name (any event),
    else its own full name, else its user name."""
    person = Participant.objects.filter(user=user).order_by("id").first()
    return person.name if person else (user.get_full_name() or user.get_username())


def participant_of(*, event: Event, user) -> Participant | None:
    """The caller's participation in ``event`` (None for organisers who do not take part)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Participant.objects.select_related("organisation", "fixed_table", "profile")
        .filter(event=event, user=user)
        .first()
    )


def request_status_now(request: MeetingRequest, now: datetime) -> str:
    """A request's status as people should see it: a pending one past its expiry is expired,
    although the periodic sweep (``requests_expire``, every 5 minutes) has not recorded it yet;
    answering it is refused (and records the expiry)."""
    expires = request.expires_at
    if request.status == MeetingRequest.Status.PENDING and expires and expires <= now:
        return MeetingRequest.Status.EXPIRED
    return request.status


def pending_now(now: datetime) -> Q:
    """Requests pending at ``now`` as people see them (``request_status_now``): pending and not
    past their expiry (the periodic sweep may not have recorded it yet)."""
    return Q(status=MeetingRequest.Status.PENDING) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def people_matching(query: str, *, with_email: bool = False) -> Q:
    """Participants with each word of ``query`` in their name, organisation or city, whatever
    the accents, case and Arabic marks (the folded ``search_names`` the profile service
    stores); someone without a profile row is still found by name or organisation. With
    ``with_email`` (organisers), the address matches too."""
    words = search_fold(query).split()[:8]
    folded = Q() if words else Q(pk__in=[])  # only marks: nobody, rather than everybody
    for word in words:
        folded &= Q(profile__search_names__contains=word)
    plain = Q(name__icontains=query) | Q(organisation__name__icontains=query)
    found = folded | (Q(profile__isnull=True) & plain)
    return found | Q(email__icontains=query.strip()) if with_email else found


def directory(
    *, event: Event, with_withdrawn: bool = False, searcher: Participant | None = None
) -> QuerySet[Participant]:
    """The event's participants; those who no longer come (``withdrawn_at``) only
    ``with_withdrawn`` (the organisers' view). For a participant who searches it
    (``searcher``), not those who take no meetings (a meeting limit of 0), but themselves."""
    people = Participant.objects.filter(event=event)
    if not with_withdrawn:
        people = people.filter(withdrawn_at__isnull=True)
    if searcher is not None:
        people = people.exclude(Q(max_meetings=0) & ~Q(pk=searcher.pk))
    return people.select_related("organisation", "profile", "fixed_table").order_by("name", "id")


def marks_of(*, participant: Participant, kind: str | None = None) -> QuerySet[Mark]:
    """The people ``participant`` saved or hid (``kind`` one of them), last marked first, with
    who they are; those who no longer come are among them (``candidate.withdrawn_at``)."""
    qs = Mark.objects.filter(participant=participant).select_related("candidate__organisation")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-updated_at", "-id")


def saved_ids(*, participant: Participant) -> set[int]:
    """The ids of the people ``participant`` saved."""
    return set(
        Mark.objects.filter(participant=participant, kind=Mark.Kind.SAVED).values_list(
            "candidate_id", flat=True
        )
    )


def in_touch_with(*, participant: Participant, others: list[int]) -> set[int]:
    """Which of ``others`` (participant ids) ``participant`` may write to, as far as their links
    go: a meeting request between them waiting (not past its expiry) or accepted, or a meeting
    they both attend that is not cancelled (a colleague who left it no longer counts)."""
    if not others:
        return set()
    open_requests = MeetingRequest.objects.filter(
        Q(status=MeetingRequest.Status.ACCEPTED) | pending_now(timezone.now())
    )
    touching = set()
    for sender, recipient in open_requests.filter(
        Q(sender=participant, recipient_id__in=others)
        | Q(recipient=participant, sender_id__in=others)
    ).values_list("sender_id", "recipient_id"):
        touching.add(recipient if sender == participant.pk else sender)
    rest = [pk for pk in others if pk not in touching]
    if rest:
        my_meetings = MeetingSeat.objects.filter(participant=participant, left=False).values(
            "meeting_id"
        )
        touching |= set(
            MeetingSeat.objects.filter(
                meeting_id__in=my_meetings, participant_id__in=rest, left=False
            )
            .exclude(meeting__status=Meeting.Status.CANCELLED)
            .values_list("participant_id", flat=True)
        )
    return touching


def may_know(*, participant: Participant, other: Participant) -> bool:
    """Whether ``participant`` may learn that ``other`` exists: anyone who still comes, and who
    no longer comes only to those who dealt with them (``knows_of``); to anyone else they are an
    unknown id. The one rule of the directory, marks, messages, requests and the pages."""
    return other.withdrawn_at is None or knows_of(participant=participant, other=other)


def knows_of(*, participant: Participant, other: Participant) -> bool:
    """Whether ``participant`` has dealt with ``other``, so may be told that ``other`` no longer
    comes to the fair (else ``other`` is answered as an unknown id: walking ids must not list
    who withdrew): a colleague, a request between them (any status, either way), a meeting
    both were seated at (any status, even one left), or someone they saved or hid."""
    if participant.pk == other.pk or participant.organisation_id == other.organisation_id:
        return True
    a, b = participant.pk, other.pk
    return (
        MeetingRequest.objects.filter(
            Q(sender_id=a, recipient_id=b) | Q(sender_id=b, recipient_id=a)
        ).exists()
        or MeetingSeat.objects.filter(
            participant_id=b,
            meeting_id__in=MeetingSeat.objects.filter(participant_id=a).values("meeting_id"),
        ).exists()
        or Mark.objects.filter(participant_id=a, candidate_id=b).exists()
    )


def ties_between(
    *, event: Event, participant: Participant, other: Participant
) -> tuple[MeetingRequest | None, list[Meeting]]:
    """What ties ``participant`` to ``other``: their latest request (either way) and the
    meetings both attend that are not cancelled, by time."""
    request = (
        requests_of(event=event, participant=participant)
        .filter(Q(sender=other) | Q(recipient=other))
        .first()
    )
    meetings = (
        meetings_of(event=event, participant=participant)
        .filter(seats__participant=other, seats__left=False)
        .exclude(status=Meeting.Status.CANCELLED)
    )
    return request, list(meetings)


def declined_between(*, a: Participant, b: Participant) -> MeetingRequest | None:
    """The latest declined request between ``a`` and ``b``, either way, or None."""
    return (
        MeetingRequest.objects.filter(
            Q(sender=a, recipient=b) | Q(sender=b, recipient=a),
            status=MeetingRequest.Status.DECLINED,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def declined_by(*, participant: Participant) -> set[int]:
    """The ids of the people who declined a request from ``participant``: they cannot be asked
    again at this event (``request_create`` refuses it), so every page that offers a request
    form marks them instead (recommendations, a search by need, the shortlist, Find someone)."""
    return set(
        MeetingRequest.objects.filter(
            sender=participant, status=MeetingRequest.Status.DECLINED
        ).values_list("recipient_id", flat=True)
    )


def unread_messages(*, participant: Participant) -> int:
    """How many messages to ``participant`` are not read yet."""
    return Message.objects.filter(recipient=participant, read_at__isnull=True).count()


def requests_waiting(*, participant: Participant) -> int:
    """How many requests to ``participant`` wait for their answer (pending, not expired)."""
    return MeetingRequest.objects.filter(pending_now(timezone.now()), recipient=participant).count()


def messages_between(*, participant: Participant, other_id: int) -> QuerySet[Message]:
    """What ``participant`` and ``other_id`` wrote to each other, oldest first."""
    return Message.objects.filter(
        Q(sender=participant, recipient_id=other_id) | Q(sender_id=other_id, recipient=participant)
    ).order_by("created_at", "id")


@dataclass
class Conversation:
    """One person ``participant`` exchanged messages with: the last message, how many of
    theirs are unread, and whether the two may still write (``in_touch``)."""

    other: Participant
    last: Message
    unread: int
    in_touch: bool


def conversations_of(*, participant: Participant) -> list[Conversation]:
    """Everyone ``participant`` exchanged messages with, the latest conversation first. Five
    queries at most, whatever their number."""
    mine = Message.objects.filter(Q(sender=participant) | Q(recipient=participant))
    rows = (
        mine.annotate(
            other=Case(When(sender=participant, then=F("recipient_id")), default=F("sender_id"))
        )
        .values("other")
        .annotate(
            last_id=Max("id"),
            unread=Count("id", filter=Q(recipient=participant, read_at__isnull=True)),
        )
    )
    rows = list(rows)
    if not rows:
        return []
    last = Message.objects.in_bulk([row["last_id"] for row in rows])
    people = Participant.objects.select_related("organisation").in_bulk(
        [row["other"] for row in rows]
    )
    touching = in_touch_with(participant=participant, others=list(people))
    found = [
        Conversation(
            other=people[row["other"]],
            last=last[row["last_id"]],
            unread=row["unread"],
            in_touch=row["other"] in touching
            and people[row["other"]].withdrawn_at is None
            and participant.withdrawn_at is None,
        )
        for row in rows
    ]
    found.sort(key=lambda c: (c.last.created_at, c.last.pk), reverse=True)
    return found


def requests_of(*, event: Event, participant: Participant | None) -> QuerySet[MeetingRequest]:
    """Requests the participant sent or received; all requests of the event for organisers."""
    qs = MeetingRequest.objects.filter(event=event).select_related(
        "sender__organisation", "recipient__organisation", "proposed_slot"
    )
    if participant is not None:
        qs = qs.filter(Q(sender=participant) | Q(recipient=participant))
    return qs.order_by("-created_at", "-id")


def colleague_requests(
    *, participant: Participant, other_ids: list[int]
) -> dict[int, MeetingRequest]:
    """Other participant id -> an open request (accepted before pending; pending ones not past
    their expiry) between them and a colleague of ``participant`` (same organisation, same
    event), with both sides loaded: a delegation sees that one of its members is already in
    touch with someone before asking them again (one query)."""
    if not other_ids:
        return {}
    now = timezone.now()
    colleagues = Q(event_id=participant.event_id, organisation_id=participant.organisation_id)
    mates = Participant.objects.filter(colleagues).exclude(pk=participant.pk).values("pk")
    found = (
        MeetingRequest.objects.filter(event_id=participant.event_id)
        .filter(pending_now(now) | Q(status=MeetingRequest.Status.ACCEPTED))
        .filter(
            Q(sender__in=mates, recipient_id__in=other_ids)
            | Q(recipient__in=mates, sender_id__in=other_ids)
        )
        .select_related("sender", "recipient")
        .order_by("created_at", "id")
    )
    ties: dict[int, MeetingRequest] = {}
    for r in found:
        mine = r.sender if r.sender.organisation_id == participant.organisation_id else r.recipient
        other = r.recipient if mine is r.sender else r.sender
        if other.organisation_id == participant.organisation_id:
            continue  # two colleagues of mine: not someone from outside
        r.colleague, r.other = mine, other
        kept = ties.get(other.pk)
        if kept is None or (kept.status != r.status and r.status == "accepted"):
            ties[other.pk] = r
    return ties


def with_live_meeting(requests: QuerySet[MeetingRequest]) -> QuerySet[MeetingRequest]:
    """``requests`` with each one's meeting that is not cancelled (``live_meetings``: a list of
    at most one, with its slot and table), read in one more query for them all."""
    live = Meeting.objects.exclude(status=Meeting.Status.CANCELLED).select_related("slot", "table")
    return requests.prefetch_related(Prefetch("meetings", queryset=live, to_attr="live_meetings"))


def meetings_of(
    *, event: Event, participant: Participant | None, with_left: bool = False
) -> QuerySet[Meeting]:
    """Meetings the participant attends (cancelled ones too); all meetings of the event for
    organisers. A colleague who left a meeting no longer attends it and is not among its
    ``seats``; ``with_left`` keeps the meetings the participant left (for their calendar)."""
    qs = Meeting.objects.filter(event=event)
    if participant is not None:
        seats = MeetingSeat.objects.filter(participant=participant)
        if not with_left:
            seats = seats.filter(left=False)
        qs = qs.filter(pk__in=seats.values("meeting_id"))
    return (
        qs.select_related("slot", "table", "request")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=MeetingSeat.objects.filter(left=False)
                .select_related("participant__organisation")
                .order_by("-is_party", "participant__name"),
            )
        )
        .order_by("slot__start", "id")
    )


def slots_of(*, event: Event) -> QuerySet[Slot]:
    return Slot.objects.filter(event=event).order_by("start")


def available_slots(
    *, slots: list[Slot], participant_ids=None, event: Event | None = None
) -> dict[int, frozenset[int]]:
    """Participant id -> indices (into ``slots``) of the slots inside one of their availability
    periods, for the participants that gave any (the others can attend every slot).
    ``participant_ids`` or ``event`` selects whose periods are read."""
    rows = Availability.objects.all()
    if participant_ids is not None:
        rows = rows.filter(participant_id__in=participant_ids)
    else:
        rows = rows.filter(participant__event=event)
    spans: dict[int, list] = {}
    for pid, start, end in rows.values_list("participant_id", "start", "end"):
        spans.setdefault(pid, []).append((start, end))
    # slot_inside for every slot and period, found by bisecting the slots' starts (a fair of
    # 2,000 people with times and 60 slots: 120,000 checks otherwise)
    order = sorted(range(len(slots)), key=lambda i: slots[i].start)
    starts = [slots[i].start for i in order]
    out = {}
    for pid, periods in spans.items():
        inside = set()
        for start, end in periods:
            j = bisect.bisect_left(starts, start)
            while j < len(starts) and starts[j] < end:
                if slots[order[j]].end <= end:
                    inside.add(order[j])
                j += 1
        out[pid] = frozenset(inside)
    return out


def requests_never_bookable(
    *, event: Event, now: datetime | None = None, limit: int | None = None
) -> tuple[int, list[MeetingRequest]]:
    """Open requests without a live meeting (pending, or accepted and waiting for a slot) that
    no slot still to come could hold: the two are never at the fair together then, or never in
    the part of the day the request asks for (``never_in``: "" or the part). Neither the
    scheduler nor anyone can book them until someone's times change; the organisers see them
    after an import and on the scheduler page. Returns how many there are and the first
    ``limit`` of them (all by default), oldest first, with both people loaded."""
    now = now or timezone.now()
    slots = [s for s in slots_of(event=event) if s.start > now]
    if not slots:  # nothing left to plan: nothing to say
        return 0, []
    here = available_slots(slots=slots, event=event)
    parts = {s.part for s in slots}
    # read as plain rows (thousands wait on a big fair), then load only those shown
    waiting = (
        MeetingRequest.objects.filter(event=event, status__in=MeetingRequest.OPEN_STATUSES)
        .exclude(
            pk__in=Meeting.objects.filter(event=event)
            .exclude(status=Meeting.Status.CANCELLED)
            .values("request_id")
        )
        .order_by("created_at", "id")
        .values_list("id", "sender_id", "recipient_id", "session")
    )
    every = frozenset(range(len(slots)))
    never_in = {}
    for pk, sender, recipient, session in waiting:
        if sender not in here and recipient not in here:  # both there at every slot to come
            if session != MeetingRequest.SessionPreference.ANY and session not in parts:
                never_in[pk] = session
            continue
        common = here.get(sender, every) & here.get(recipient, every)
        if not common:
            never_in[pk] = ""
        elif session != MeetingRequest.SessionPreference.ANY and all(
            slots[i].part != session for i in common
        ):
            never_in[pk] = session
    shown = list(never_in)[:limit] if limit is not None else list(never_in)
    found = list(
        MeetingRequest.objects.filter(pk__in=shown)
        .select_related("sender", "recipient")
        .order_by("created_at", "id")
    )
    for r in found:
        r.never_in = never_in[r.pk]
    return len(never_in), found


def slot_inside(slot: Slot, periods) -> bool:
    """Whether the whole slot lies inside one of the (start, end) periods."""
    return any(start <= slot.start and slot.end <= end for start, end in periods)


def availability_key(periods) -> str:
    """A short key of the periods as stored (sorted aware (start, end) pairs): the console's
    Times card sends back the one it was shown, and the API gives it as the ETag of a
    participant's availability, so that a change made meanwhile is not overwritten."""
    shown = repr([(a.isoformat(), b.isoformat()) for a, b in periods])
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


PROFILE_KEY_FIELDS = (
    ("title", "languages", "country", "city", "accepts_same_kind", "max_meetings"),
    ("description", "offers", "needs", "sectors"),
)


def profile_values(participant: Participant) -> dict:
    """The fields a participant edits on their profile (``profile_update``), as stored."""
    profile = Profile.objects.filter(participant=participant).first()
    own, profiles = PROFILE_KEY_FIELDS
    values = {f: getattr(participant, f) for f in own}
    defaults = {"description": "", "offers": [], "needs": [], "sectors": []}
    values.update({f: getattr(profile, f) if profile else defaults[f] for f in profiles})
    return values


def profile_key(participant: Participant) -> str:
    """A short key of the participant's editable profile as stored: the API gives it as the
    ETag of ``me/`` so that a PATCH sent with it (``If-Match``) does not overwrite a change
    made meanwhile (phone app and laptop)."""
    values = profile_values(participant)
    shown = repr(sorted(values.items()))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def availability_of(*, participant: Participant) -> dict:
    """The participant's periods (sorted) and the ids of the slots they allow; ``slots`` is
    ``None`` when no period is given (every slot of the event)."""
    periods = list(
        Availability.objects.filter(participant=participant)
        .order_by("start")
        .values_list("start", "end")
    )
    slots = None
    if periods:
        slots = [s.pk for s in slots_of(event=participant.event) if slot_inside(s, periods)]
    return {"periods": periods, "slots": slots}


def agenda_ics(*, event: Event, participant: Participant) -> bytes:
    """The participant's meetings as iCalendar. UIDs are stable; SEQUENCE grows on every change.

    Cancelled meetings stay in the feed with STATUS:CANCELLED so calendars remove them; so do
    meetings the participant left as a colleague (they go on without them). Summaries are in
    the participant's language, as their emails are. The request's message (DESCRIPTION) is
    in the two parties' entries only, not in a colleague's who joined the meeting.
    """
    meetings = meetings_of(event=event, participant=participant, with_left=True)
    return _ics(event, participant, meetings, name=f"{event.name} — {participant.name}")


def meeting_ics(*, meeting: Meeting, participant: Participant) -> bytes:
    """One meeting as the participant's calendar feed writes it (same UID and SEQUENCE, so a
    calendar that imports it, from an email say, updates the same entry as the feed), as an
    iTIP message (RFC 5546): METHOD:PUBLISH with the ORGANIZER (the event, from the sender's
    address) while the meeting goes on for them; METHOD:CANCEL with the ORGANIZER and the
    participant as ATTENDEE once it is cancelled or they left it, so that calendar clients
    (Outlook, Gmail) remove the entry they added from an earlier email."""
    meetings = meetings_of(event=meeting.event, participant=participant, with_left=True)
    return _ics(meeting.event, participant, meetings.filter(pk=meeting.pk), itip=True)


def ics_method(content: bytes) -> str:
    """The METHOD of an iCalendar text ("" for a feed, which has none)."""
    return str(Calendar.from_ical(content).get("method", ""))


def _ics(
    event: Event, participant: Participant, meetings, name: str = "", itip: bool = False
) -> bytes:
    """The meetings as iCalendar: a feed named ``name``, or (``itip``) one meeting sent by
    email to add to a calendar, not a calendar of its own."""
    from matchmaking.services.notifications import language_of, list_text, page_path, site_link

    lang = language_of(participant)
    with translation.override(lang):
        meeting_word, meeting_with = gettext("Meeting"), gettext("Meeting: %(names)s")
        with_line, table_line = gettext("With: %(names)s"), gettext("Table: %(table)s")
        link_line = gettext("Open it on your pages: %(url)s")
    cal = Calendar()
    cal.add("prodid", "-//expo-matchmaking//agenda//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", event.timezone)
    for meeting in meetings:
        others = [s.participant for s in meeting.seats.all() if s.participant_id != participant.pk]
        left = len(others) == len(meeting.seats.all())  # not among the seats: they left it
        cancelled = left or meeting.status == Meeting.Status.CANCELLED
        if itip:  # RFC 5546: PUBLISH names the organizer; CANCEL the organizer and attendee
            cal.add("method", "CANCEL" if cancelled else "PUBLISH")
        # a list of the reader's language, as their emails write it ("A, B et C")
        names = list_text([f"{p.name} ({p.organisation.name})" for p in others], lang)
        item = IcsEvent()
        item.add("uid", f"meeting-{meeting.uid}@{event.slug}")
        item.add("sequence", meeting.sequence)
        item.add("dtstamp", meeting.updated_at)
        item.add("dtstart", meeting.slot.start)
        item.add("dtend", meeting.slot.end)
        summary = meeting_with % {"names": names} if names else meeting_word
        item.add("summary", summary)
        # the table, then the fair (the model has no hall): "T04, Smart City Expo Casablanca"
        item.add("location", f"{meeting.table.name}, {event.name}" if meeting.table else event.name)
        item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if itip:
            organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
            organizer.params["cn"] = vText(event.name)
            item.add("organizer", organizer)
            if cancelled:
                attendee = vCalAddress(f"mailto:{participant.email}")
                attendee.params["cn"] = vText(participant.name)
                attendee.params["role"] = vText("REQ-PARTICIPANT")
                item.add("attendee", attendee)
        # who, where and the link to the meeting on the reader's agenda, in their language;
        # then the request's message, which is its two parties': a colleague who joined the
        # meeting (or left it) does not read it, as they cannot read the request itself
        lines = [with_line % {"names": names}] if names else []
        if meeting.table:
            lines.append(table_line % {"table": meeting.table.name})
        url = site_link(page_path("meeting_booked", participant, meeting=meeting))
        if url:
            lines.append(link_line % {"url": url})
        parties = (meeting.request.sender_id, meeting.request.recipient_id)
        if meeting.request.message and participant.pk in parties:
            lines += ["", meeting.request.message]
        if lines:
            item.add("description", "\n".join(lines))
        if not cancelled:  # a reminder on the reader's device, 10 minutes before
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(minutes=-10))
            alarm.add("description", summary)
            item.add_component(alarm)
        cal.add_component(item)
    return cal.to_ical()


def _local(moment, event: Event) -> str:
    return moment.astimezone(event.tz).isoformat()


def event_export(*, event: Event) -> dict:
    """The event in the import format, plus every meeting's end, table and status, who did not
    come to a no-show (``absent``), the colleagues who attend it besides its two parties
    (``attendees``) and what the people in it said of it (``feedback``), and the fair days each
    participant was marked as arrived (``arrived``)."""
    days: dict[str, dict] = {}
    for s in Session.objects.filter(event=event).order_by("date", "start"):
        day = days.setdefault(s.date.isoformat(), {"date": s.date.isoformat(), "sessions": []})
        row = {"start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")}
        if s.name:
            row["name"] = s.name
        day.setdefault("breaks" if s.is_break else "sessions", []).append(row)
    shared_tables = [
        {"name": t.name}
        for t in sorted(event.tables.filter(shared=True), key=lambda t: natural_key(t.name))
    ]
    ev: dict = {
        "slug": event.slug,
        "name": event.name,
        "timezone": event.timezone,
        "slot_minutes": event.slot_minutes,
        "tables": shared_tables,
        "request_expiry_hours": event.request_expiry_hours,
        "days": list(days.values()),
    }
    if event.booking_opens:
        ev["booking_opens"] = _local(event.booking_opens, event)
    if event.booking_closes:
        ev["booking_closes"] = _local(event.booking_closes, event)

    arrived: dict[int, list[str]] = defaultdict(list)  # the fair days each was marked arrived
    for pid, day in (
        Arrival.objects.filter(event=event).order_by("date").values_list("participant_id", "date")
    ):
        arrived[pid].append(day.isoformat())
    participants = []
    people = (
        Participant.objects.filter(event=event)
        .select_related("organisation", "profile", "fixed_table")
        .prefetch_related("availability")
        .order_by("id")
    )
    refs = {}
    for p in people:
        refs[p.pk] = p.ref
        profile = getattr(p, "profile", None)
        row = {
            "ref": p.ref,
            "name": p.name,
            "email": p.email,
            "organisation": p.organisation.name,
            "kind": p.kind,
            "languages": list(p.languages),
            "offers": list(profile.offers) if profile else [],
            "needs": list(profile.needs) if profile else [],
            "sectors": list(profile.sectors) if profile else [],
        }
        optional = {
            "title": p.title,
            "country": p.country,
            "city": p.city,
            "description": profile.description if profile else "",
            "fixed_table": p.fixed_table.name if p.fixed_table else "",
        }
        row.update({k: v for k, v in optional.items() if v})
        if p.max_meetings is not None:
            row["max_meetings"] = p.max_meetings
        if p.accepts_same_kind:
            row["accepts_same_kind"] = True
        if p.withdrawn_at is not None:
            row["attending"] = False
        if p.pk in arrived:
            row["arrived"] = arrived[p.pk]
        spans = [
            {"start": _local(a.start, event), "end": _local(a.end, event)}
            for a in p.availability.all()
        ]
        if spans:
            row["availability"] = spans
        participants.append(row)

    requests = []
    index_of: dict[int, int] = {}  # request id -> its index in ``requests``
    for r in (
        MeetingRequest.objects.filter(event=event).select_related("proposed_slot").order_by("id")
    ):
        index_of[r.pk] = len(requests)
        row = {
            "from": refs[r.sender_id],
            "to": refs[r.recipient_id],
            "status": r.status,
            "priority": r.priority,
            "session": r.session,
            "sent": _local(r.created_at, event),
        }
        if r.responded_at and r.status != MeetingRequest.Status.PENDING:
            row["answered"] = _local(max(r.responded_at, r.created_at), event)
        elif r.status == MeetingRequest.Status.PENDING and r.expires_at:
            row["expires"] = _local(r.expires_at, event)
        if r.message:
            row["message"] = r.message
        if r.answer_reason:
            row["reason"] = r.answer_reason
        if r.proposed_slot is not None:
            row["proposed"] = _local(r.proposed_slot.start, event)
        requests.append(row)

    # colleagues who joined a meeting (not its two parties); who left it, or sits in a cancelled
    # meeting (inactive seats), does not attend it
    attendees: dict[int, list[dict]] = {}
    for seat in (
        MeetingSeat.objects.filter(meeting__event=event, is_party=False, active=True, left=False)
        .select_related("participant")
        .order_by("participant__name", "participant__ref")
    ):
        person = seat.participant
        attendees.setdefault(seat.meeting_id, []).append(
            {"ref": person.ref, "name": person.name, "email": person.email}
        )
    # what the people in each meeting said of it (their feedback), by giver: as the import
    # takes it back (a replacing import keeps it so too), on a meeting that started and goes
    # on, from someone who still sits in it
    feedback: dict[int, list[dict]] = defaultdict(list)
    seated = MeetingSeat.objects.filter(
        meeting=OuterRef("meeting_id"), participant=OuterRef("participant_id"), left=False
    )
    for f in (
        MeetingFeedback.objects.filter(
            Exists(seated), meeting__event=event, meeting__slot__start__lte=timezone.now()
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .select_related("participant")
        .order_by("participant__ref", "id")
    ):
        given = {"ref": f.participant.ref, "took_place": f.took_place}
        if f.rating is not None:
            given["rating"] = f.rating
        if f.outcome:
            given["outcome"] = f.outcome
        if f.comment:
            given["comment"] = f.comment
        given["given"] = _local(f.updated_at, event)
        feedback[f.meeting_id].append(given)
    meetings = []
    for m in (
        Meeting.objects.filter(event=event)
        .select_related("slot", "table", "request")
        .order_by("slot__start", "id")
    ):
        row = {
            "from": refs[m.request.sender_id],
            "to": refs[m.request.recipient_id],
            "start": _local(m.slot.start, event),
            "end": _local(m.slot.end, event),
            "status": m.status,
            "fixed": m.fixed,
            "source": m.source,
            "request": index_of[m.request_id],
        }
        if m.table:
            row["table"] = m.table.name
        if m.status == Meeting.Status.CANCELLED:
            if m.cancelled_by:
                row["cancelled_by"] = m.cancelled_by
            if m.cancel_reason:
                row["cancel_reason"] = m.cancel_reason
        if m.absent:
            row["absent"] = m.absent
        if m.pk in attendees:
            row["attendees"] = attendees[m.pk]
        if m.pk in feedback:
            row["feedback"] = feedback[m.pk]
        meetings.append(row)
    return {"event": ev, "participants": participants, "requests": requests, "meetings": meetings}


def schedule_runs_of(*, event: Event):
    from matchmaking.models import ScheduleRun

    return ScheduleRun.objects.filter(event=event).order_by("-created_at", "-id")


@dataclass
class RunChanges:
    """What publishing a draft run does to the meetings in place now. One computation serves the
    draft's preview and the publish itself, so the two always agree."""

    book: list[tuple[int, int, int | None]] = field(default_factory=list)  # request, slot, table
    move: list[tuple[Meeting, int, int | None]] = field(default_factory=list)
    cancel: list[Meeting] = field(default_factory=list)
    keep: int = 0
    leave: int = 0  # live meetings outside the plan that stay: held, fixed, new since the run
    skipped: list[dict] = field(default_factory=list)  # reasons.skip_item of each


def _started_reason(now: datetime, *slots: Slot) -> Reason | None:
    for slot in slots:
        if slot.start <= now:
            return Reason("slot_started", {"slot": str(slot)})
    return None


def run_basis_entry(meeting: Meeting | None) -> list[int | None] | None:
    """What a run records of a request's live meeting (``ScheduleRun.basis``): its id, slot and
    table; None when the request has none. A publish compares it with the meeting then."""
    return None if meeting is None else [meeting.pk, meeting.slot_id, meeting.table_id]


@dataclass(frozen=True)
class LiveMeeting:
    """What comparing a plan reads of a live meeting (a row, not a model instance: an event has
    thousands, and only those a publish changes are loaded in full)."""

    pk: int
    request_id: int
    slot_id: int
    table_id: int | None
    status: str
    fixed: bool


def event_live_state(event_id: int) -> tuple[dict[int, LiveMeeting], dict[int, Slot]]:
    """The event's live meetings by request and its slots by id: what a draft is compared with."""
    slots = {s.pk: s for s in Slot.objects.filter(event_id=event_id).select_related("event")}
    fields = ("pk", "request_id", "slot_id", "table_id", "status", "fixed")
    current = {
        row[1]: LiveMeeting(*row)
        for row in Meeting.objects.filter(event_id=event_id)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list(*fields)
    }
    return current, slots


def _meetings_in_full(rows: list[LiveMeeting], slots: dict[int, Slot]) -> dict[int, Meeting]:
    """The Meeting instances of ``rows``, with their slot and table, in one query."""
    full = Meeting.objects.select_related("table").in_bulk([r.pk for r in rows])
    for m in full.values():
        m.slot = slots[m.slot_id]
    return full


def schedule_run_changes(*, run, now: datetime | None = None, state=None) -> RunChanges:
    """Compare a draft plan with the meetings in place at ``now`` (default: the current time).

    A change is skipped, with its reason, when applying it would overrule something that
    happened since the run read the event (``run.basis``): a meeting booked, moved or cancelled
    meanwhile keeps what its participants or an organiser decided; so does a meeting fixed,
    checked in or marked since, and a request no longer accepted is not booked. Also skipped:
    any change that touches a slot which has started, or a slot deleted since. A run stored
    without a basis (``None``: before the field existed) compares with the meetings as they are
    (every live meeting counts as read). ``state`` is ``event_live_state(run.event_id)`` when the
    caller compares several drafts of one event with the same reading.
    """
    now = now or timezone.now()
    has_basis = run.basis is not None
    basis = {int(k): v for k, v in (run.basis or {}).items()}
    plan = {req: (slot, table) for req, slot, table in run.plan}
    current, slots = state or event_live_state(run.event_id)
    accepted = set(
        MeetingRequest.objects.filter(
            pk__in=[req for req in plan if req not in current],
            status=MeetingRequest.Status.ACCEPTED,
        ).values_list("pk", flat=True)
    )
    out = RunChanges()

    def changed_since(req: int, meeting: Meeting | None) -> Reason | None:
        if not has_basis:
            return None
        if req not in basis:
            return Reason("after_run_accepted" if meeting is None else "after_run_booked")
        was = basis[req]
        if meeting is None:
            return Reason("after_run_cancelled") if was else None
        if was is None:
            return Reason("after_run_booked")
        if was != run_basis_entry(meeting):
            return Reason("after_run_moved")
        return None

    def stays(meeting: Meeting) -> Reason | None:
        """Why a live meeting may not be moved or cancelled by a publish."""
        if meeting.status != Meeting.Status.SCHEDULED:
            return Reason(f"after_run_{meeting.status}")
        if meeting.fixed:
            return Reason("after_run_fixed")
        return None

    for req, meeting in current.items():
        target = plan.get(req)
        if target == (meeting.slot_id, meeting.table_id):
            out.keep += 1
            continue
        if target is None and (meeting.fixed or meeting.status != Meeting.Status.SCHEDULED):
            out.leave += 1
            continue
        if target is None and has_basis and req not in basis:
            out.leave += 1  # the run never saw this request: nothing to decide about it
            continue
        slot = slots.get(target[0]) if target else None
        reason = (
            changed_since(req, meeting)
            or (stays(meeting) if target else None)
            or (Reason("slot_deleted") if target and slot is None else None)
            or _started_reason(now, slots[meeting.slot_id], *([slot] if slot else []))
        )
        if reason:
            out.skipped.append(skip_item(req, reason))
        elif target is None:
            out.cancel.append(meeting)
        else:
            out.move.append((meeting, *target))
    for req, (slot_id, table_id) in plan.items():
        if req in current:
            continue
        slot = slots.get(slot_id)
        reason = (
            changed_since(req, None)
            or (None if req in accepted else Reason("request_not_accepted"))
            or (Reason("slot_deleted") if slot is None else None)
            or _started_reason(now, slot)
        )
        if reason:
            out.skipped.append(skip_item(req, reason))
        else:
            out.book.append((req, slot_id, table_id))
    # the meetings a publish changes, in full (it writes them)
    full = _meetings_in_full([m for m, *_ in out.move] + out.cancel, slots)
    out.move = [(full[m.pk], *target) for m, *target in out.move]
    out.cancel = [full[m.pk] for m in out.cancel]
    return out


def requests_named(*, items: list[dict]) -> list[dict]:
    """``[{"request": id, ...}]`` with ``who``: "sender ↔ recipient" of each request."""
    names = {
        r.pk: f"{r.sender.name} ↔ {r.recipient.name}"
        for r in MeetingRequest.objects.filter(pk__in=[i["request"] for i in items]).select_related(
            "sender", "recipient"
        )
    }
    return [{**i, "who": names.get(i["request"], f"#{i['request']}")} for i in items]


def party_meeting_counts(*, participant_ids: list[int]) -> dict[int, int]:
    """Participant id -> the live meetings they are a party of: what ``max_meetings`` limits
    (active seats as requester or requested, as the booking counts them). Absent: none."""
    if not participant_ids:
        return {}
    rows = (
        MeetingSeat.objects.filter(participant_id__in=participant_ids, active=True, is_party=True)
        .values("participant_id")
        .annotate(n=Count("meeting_id", distinct=True))
        .values_list("participant_id", "n")
    )
    return dict(rows)


def requests_to_book(*, event: Event, participant: Participant) -> list[MeetingRequest]:
    """The participant's accepted requests that have no live meeting, oldest first, loaded as
    ``meeting_slots_bookable`` uses them (event, both sides' fixed tables and organisations)."""
    return list(
        requests_of(event=event, participant=participant)
        .select_related(
            "event",
            "sender__fixed_table",
            "recipient__fixed_table",
            "sender__organisation",
            "recipient__organisation",
        )
        .filter(status=MeetingRequest.Status.ACCEPTED)
        .exclude(
            pk__in=Meeting.objects.filter(event=event)
            .exclude(status=Meeting.Status.CANCELLED)
            .values("request_id")
        )
        .order_by("created_at", "id")
    )


def recommendations_for(
    *, participant: Participant, limit: int = 20, kinds=None, private: bool = True
) -> list[dict]:
    """The participant's stored recommendations (computed now if they have none yet), minus
    people they already asked, were asked by or declined since, or hid, optionally of some kinds
    (when the stored top ``STORE_TOP`` holds fewer than ``limit`` of them once those are left
    out, while the event has more, the list is ranked now). ``rank`` numbers the list returned,
    from 1; ``saved`` says whether they saved the person (None unless ``private``: their
    shortlist is theirs, not the organisers')."""
    from matchmaking.models import Recommendation
    from matchmaking.services.recommendations import (
        STORE_TOP,
        exclusions_of,
        kinds_recommended_to,
        recommendations_compute,
        recommendations_of_kinds,
    )

    if participant.withdrawn_at is not None:  # who no longer comes is recommended nobody
        return []
    qs = Recommendation.objects.filter(participant=participant)
    if not qs.exists():
        recommendations_compute(event=participant.event, participant_ids=[participant.pk])
    excluded = {int(x) for x in exclusions_of(participant=participant)}
    rows = qs.exclude(candidate_id__in=excluded).order_by("rank")
    # only the kinds the ranker may recommend to this participant at all
    allowed = kinds_recommended_to(
        participant.kind, accepts_same_kind=participant.accepts_same_kind
    )
    if kinds:
        kinds = [k for k in kinds if k in allowed]
        if not kinds:  # none of the kinds asked is ever recommended to them
            return []
        rows = rows.filter(candidate__kind__in=kinds)
    found = list(rows.values_list("candidate_id", "score", "reasons")[:limit])
    if len(found) < limit and qs.count() >= STORE_TOP:
        # the stored top was cut (the top of all kinds, and those asked, declined or hidden
        # since are left out of it): if the event has more people who could be recommended,
        # rank the list now
        could = (
            Participant.objects.filter(
                event_id=participant.event_id, kind__in=kinds or allowed, withdrawn_at__isnull=True
            )
            .exclude(organisation_id=participant.organisation_id)
            .exclude(pk__in=excluded | {participant.pk})
            .count()
        )
        if could > rows.count():
            found = recommendations_of_kinds(
                participant=participant,
                kinds=kinds or sorted(allowed),
                limit=limit,
                exclude={str(x) for x in excluded},
            )
    found = [(c, score, _telling_pairs(reasons)) for c, score, reasons in found]
    return _ranked(found, saved_ids(participant=participant) if private else None)


def _ranked(found: list[tuple[int, float, dict]], saved: set[int] | None) -> list[dict]:
    """(candidate id, score, reasons), best first, as the lists give them: who each one is,
    their ``rank`` from 1, and ``saved`` (None when the reader's shortlist is not to be told)."""
    people = Participant.objects.select_related("organisation").in_bulk([c for c, _s, _r in found])
    return [
        {
            "participant": person_summary(people[candidate]),
            "rank": rank,
            "score": score,
            "reasons": reasons,
            "saved": candidate in saved if saved is not None else None,
        }
        for rank, (candidate, score, reasons) in enumerate(found, start=1)
    ]


SEARCH_TEXT_LIMIT = 300


def people_offering(
    *, event: Event, text: str, reader: Participant | None, kinds=None, limit: int = 20
) -> list[dict]:
    """Search by need: who best offers what ``text`` asks for, in any of the fair's languages
    (see ``services.recommendations.people_offering``), as ``recommendations_for`` gives a list:
    ``participant``, ``rank``, ``score``, ``reasons`` (``offer``: the need and the offer that
    meets it, when one clearly does; ``shared_sectors``; ``languages``) and ``saved`` (for a
    participant reader). Nobody for a reader who no longer comes."""
    from matchmaking.services.recommendations import people_offering as search

    text = text.strip()
    if not text:
        raise InvalidInput("Say what you are looking for.", field="need", code="search_blank")
    if len(text) > SEARCH_TEXT_LIMIT:
        raise InvalidInput(
            f"A search holds at most {SEARCH_TEXT_LIMIT} characters; this one has {len(text)}.",
            field="need",
            code="search_too_long",
        )
    if reader is not None and reader.withdrawn_at is not None:
        return []
    found = search(event=event, text=text, reader=reader, kinds=kinds, limit=limit)
    return _ranked(found, saved_ids(participant=reader) if reader is not None else None)


def person_summary(person: Participant) -> dict:
    """Who someone is, as a recommendation or a mark shows them (``organisation`` loaded)."""
    return {
        "id": person.pk,
        "name": person.name,
        "organisation": person.organisation.name,
        "kind": person.kind,
        "country": person.country,
        "city": person.city,
        "languages": list(person.languages or []),
    }


PAIR_REASONS = ("need_to_offer", "offer_to_need", "shared_need")


def _telling_pairs(reasons: dict | None) -> dict:
    """Stored reasons without the phrase pairs whose phrases do not really match (lists stored
    before the ranker left those out still carry them): the API, the command and the pages
    all read recommendations here."""
    from ml.ranker import PAIR_REASON_MIN_SIMILARITY

    reasons = dict(reasons or {})
    for key in PAIR_REASONS:
        pair = reasons.get(key)
        similarity = pair.get("similarity") if isinstance(pair, dict) else None
        if similarity is not None and similarity < PAIR_REASON_MIN_SIMILARITY:
            reasons[key] = None
    return reasons


def feedback_of(*, meeting: Meeting, participant: Participant) -> MeetingFeedback | None:
    """``participant``'s feedback on ``meeting``, if they gave it."""
    return (
        MeetingFeedback.objects.select_related("participant")
        .filter(meeting=meeting, participant=participant)
        .first()
    )


def feedback_list(*, event: Event) -> QuerySet[MeetingFeedback]:
    """Every feedback on the event's meetings, by meeting time (organisers)."""
    return (
        MeetingFeedback.objects.filter(meeting__event=event)
        .select_related("participant")
        .order_by("meeting__slot__start", "meeting_id", "id")
    )


def feedback_given_by(*, event: Event, participant: Participant) -> dict[int, MeetingFeedback]:
    """Meeting id -> the feedback ``participant`` gave on it (their agenda)."""
    return {
        f.meeting_id: f
        for f in MeetingFeedback.objects.filter(meeting__event=event, participant=participant)
    }


def meeting_cancellations(*, meeting_ids) -> dict[int, MeetingLog]:
    """Meeting id -> the log row of its latest cancellation (who cancelled it, and why), for
    the cancelled meetings of an agenda (one query)."""
    rows = MeetingLog.objects.filter(meeting_id__in=list(meeting_ids), action="cancelled")
    return {row.meeting_id: row for row in rows.order_by("at", "id")}  # the latest wins


# who an organisers' message goes to; "kind:<kind>" (one kind of participant) too
BROADCAST_AUDIENCES = ("all", "without_meetings", "pending_answers", "without_sectors")


ONE_PARTICIPANT = "participant:"  # the audience of a message to one participant: + their id


def _audience_participant(audience: str) -> int | None:
    """The participant id of a ``participant:<id>`` audience, written as ids are (no leading
    zero: a stored audience names the person one way), or None."""
    pk = audience[len(ONE_PARTICIPANT) :] if audience.startswith(ONE_PARTICIPANT) else ""
    if pk.isascii() and pk.isdigit() and pk == str(int(pk)) and 0 < int(pk) <= 2**62:
        return int(pk)
    return None


def audience_names(*, event: Event, audiences) -> dict[str, str]:
    """The names of the participants written to one by one, by audience
    (``participant:<id>``), among ``audiences``."""
    ids = {pk for pk in map(_audience_participant, audiences) if pk}
    people = Participant.objects.filter(event=event, pk__in=ids).values_list("pk", "name")
    return {f"{ONE_PARTICIPANT}{pk}": name for pk, name in people}


def broadcast_audience(*, event: Event, audience: str) -> QuerySet[Participant]:
    """The participants an organisers' message to ``audience`` reaches, by name. Raises
    InvalidInput for an audience that is not one of ``BROADCAST_AUDIENCES``, ``kind:<kind>`` or
    ``participant:<id>`` (one participant, written to from their page). Nobody who said they no
    longer come is in a group audience; one participant is, whether they come or not."""
    if audience.startswith(ONE_PARTICIPANT):
        pk = _audience_participant(audience)
        found = Participant.objects.filter(event=event, pk=pk) if pk else Participant.objects.none()
        if not found.exists():
            raise InvalidInput(
                f"No participant {audience[len(ONE_PARTICIPANT) :]} in this event.",
                field="audience",
            )
        return found
    people = Participant.objects.filter(event=event, withdrawn_at__isnull=True)
    if audience == "all":
        pass
    elif audience == "without_meetings":
        people = people.exclude(
            Exists(MeetingSeat.objects.filter(participant=OuterRef("pk"), active=True))
        )
    elif audience == "pending_answers":
        people = people.filter(
            Exists(
                MeetingRequest.objects.filter(pending_now(timezone.now()), recipient=OuterRef("pk"))
            )
        )
    elif audience == "without_sectors":  # to check and confirm the sector read from their text
        people = people.filter(Q(profile__isnull=True) | Q(profile__sectors=[]))
    elif audience.startswith("kind:") and audience[5:] in Participant.Kind.values:
        people = people.filter(kind=audience[5:])
    else:
        kinds = ", ".join(f"kind:{k}" for k in Participant.Kind.values)
        raise InvalidInput(
            f"Unknown audience {audience!r}; one of: {', '.join(BROADCAST_AUDIENCES)}, {kinds}, "
            "participant:<id>.",
            field="audience",
        )
    return people.order_by("name", "id")


def broadcast_audience_sizes(*, event: Event) -> dict[str, int]:
    """How many people each audience reaches now (the sending form shows it)."""
    sizes = {a: broadcast_audience(event=event, audience=a).count() for a in BROADCAST_AUDIENCES}
    by_kind = dict(
        Participant.objects.filter(event=event, withdrawn_at__isnull=True)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    for kind in Participant.Kind.values:
        sizes[f"kind:{kind}"] = by_kind.get(kind, 0)
    return sizes


def broadcasts_of(*, event: Event) -> QuerySet[Broadcast]:
    """The event's messages, newest first, with how many of their emails were sent, failed or
    wait."""
    return (
        Broadcast.objects.filter(event=event)
        .select_related("sent_by")
        .annotate(
            sent=Count("notifications", filter=Q(notifications__status="sent")),
            failed=Count("notifications", filter=Q(notifications__status="failed")),
        )
        .order_by("-created_at", "-id")
    )


def event_utc_offsets(*, event: Event) -> list[timedelta]:
    """The offsets from UTC of the event's time zone on the fair's days (at each day's first
    session), each once, in day order: one for most fairs, two when the clocks change during
    it. An event with no days yet: the offset now."""
    tz = event.tz
    offsets: list[timedelta] = []
    seen = set()
    for day, start in (
        event.sessions.filter(is_break=False).order_by("date", "start").values_list("date", "start")
    ):
        if day in seen:
            continue
        seen.add(day)
        offset = datetime.combine(day, start, tzinfo=tz).utcoffset() or timedelta(0)
        if offset not in offsets:
            offsets.append(offset)
    return offsets or [timezone.now().astimezone(tz).utcoffset() or timedelta(0)]


def arrived_on(*, event: Event, day) -> set[int]:
    """The ids of the participants marked as arrived on ``day`` (one query)."""
    return set(
        Arrival.objects.filter(event=event, date=day).values_list("participant_id", flat=True)
    )


def arrival_of(*, participant: Participant, day) -> Arrival | None:
    """``participant``'s arrival on ``day``, if marked."""
    return Arrival.objects.filter(participant=participant, date=day).select_related("by").first()


def meetings_awaiting_arrival(*, event: Event, day, now: datetime) -> list[dict]:
    """The meetings of ``day`` not over at ``now`` and still scheduled (not checked in) where
    someone seated has not arrived at the fair that day, by time then table: ``{"id", "start"
    (event time), "table", "missing": [{"id", "name", "organisation", "email"}]}``, the people
    to phone (or whose table to free). One query."""
    arrived = Arrival.objects.filter(
        event=event, date=day, participant_id=OuterRef("participant_id")
    )
    rows = (
        MeetingSeat.objects.filter(
            meeting__event=event,
            meeting__slot__date=day,
            meeting__slot__end__gt=now,
            meeting__status=Meeting.Status.SCHEDULED,
            active=True,
            left=False,
        )
        .filter(~Exists(arrived))
        .order_by("meeting__slot__start", "meeting__table__name", "meeting_id", "participant__name")
        .values_list(
            "meeting_id",
            "meeting__slot__start",
            "meeting__table__name",
            "participant_id",
            "participant__name",
            "participant__organisation__name",
            "participant__email",
        )
    )
    found: dict[int, dict] = {}
    for mid, start, table, pid, name, org, email in rows:
        entry = found.setdefault(
            mid,
            {"id": mid, "start": start.astimezone(event.tz), "table": table or "", "missing": []},
        )
        entry["missing"].append({"id": pid, "name": name, "organisation": org, "email": email})
    return list(found.values())


def fair_runs_on(*, event: Event, day) -> bool:
    """Whether ``day`` is one of the fair's days (it has slots)."""
    return Slot.objects.filter(event=event, date=day).exists()
