"""The domain: events, their slots and tables, participants and profiles, requests and meetings.

Rules that protect scarce resources live in the database as well as in the services: a participant
sits in at most one active meeting per slot and a table holds at most one active meeting per slot
(partial unique constraints below), whatever code path writes the rows.
"""

import re
import secrets
import unicodedata
import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Event(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    slot_minutes = models.PositiveSmallIntegerField(default=20)
    booking_opens = models.DateTimeField(null=True, blank=True)
    booking_closes = models.DateTimeField(null=True, blank=True)
    request_expiry_hours = models.PositiveIntegerField(default=72)
    ranker_weights = models.JSONField(
        null=True,
        blank=True,
        help_text="Signal weights learned from this event's accepted and declined requests; "
        "empty means the tuned defaults.",
    )
    ranker_report = models.JSONField(default=dict, blank=True)
    lists_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="What every stored recommendation list was last computed from (profiles, "
        "vectors, availability, slots, weights); the periodic refresh recomputes them when the "
        "event's inputs no longer match.",
    )
    lists_refreshing_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A full refresh of the lists holds the event until then (one at a time).",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_events",
        help_text="The event's organiser team: staff accounts that may steer this event (its "
        "console, its scheduler, its exports). Superusers organise every event.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def booking_open_at(self, moment: datetime) -> bool:
        if self.booking_opens and moment < self.booking_opens:
            return False
        return not (self.booking_closes and moment >= self.booking_closes)

    def request_expires_at(self, sent: datetime) -> datetime:
        """When a request sent at ``sent`` expires if nobody answers it: after
        ``request_expiry_hours``, but no later than the end of booking (when booking closes, else
        the end of the last slot): "answer before 30 November" read oddly for a fair that ended
        on the 28th."""
        expires = sent + timedelta(hours=self.request_expiry_hours)
        end = self.booking_closes or self.slots.aggregate(end=models.Max("end"))["end"]
        return min(expires, end) if end is not None and end > sent else expires


class Session(models.Model):
    """A bookable period of one day, or a break inside one (``is_break=True``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    name = models.CharField(max_length=100, blank=True)
    is_break = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="session_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M} {self.name}".strip()


class Slot(models.Model):
    """One time cell of the meeting grid. Generated from the event's sessions."""

    MORNING = "morning"
    AFTERNOON = "afternoon"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()
    date = models.DateField(help_text="Local date in the event's time zone.")
    part = models.CharField(max_length=10, choices=[(MORNING, "morning"), (AFTERNOON, "afternoon")])
    session_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [models.UniqueConstraint(fields=["event", "start"], name="slot_unique_start")]
        indexes = [
            models.Index(fields=["event", "date"]),
            # the periodic tasks look across events by time: reminders by start, the
            # "how were your meetings?" emails by end
            models.Index(fields=["start"], name="slot_start"),
            models.Index(fields=["end"], name="slot_end"),
        ]

    def __str__(self) -> str:
        local = self.start.astimezone(self.event.tz) if self.event_id else self.start
        return f"{local:%Y-%m-%d %H:%M}"


class Organisation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="organisation_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    class Kind(models.TextChoices):
        EXHIBITOR = "exhibitor"
        VISITOR = "visitor"
        DELEGATION = "delegation"
        STARTUP = "startup"
        INVESTOR = "investor"
        INSTITUTION = "institution"
        SPEAKER = "speaker"
        MEDIA = "media"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    ref = models.CharField(max_length=64, help_text="The organiser's own id, from the import file.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    languages = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True)
    max_meetings = models.PositiveIntegerField(null=True, blank=True)
    fixed_table = models.ForeignKey(
        "Table", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepts_same_kind = models.BooleanField(
        default=False, help_text="Open to meetings with participants of the same kind."
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text="Secret of the participant's calendar subscription URL.",
    )
    imported = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="What the last import file said of the fields the participant may edit "
        "(profile, times): a replacing import keeps their own edits of a field the new file "
        "leaves as the last one had it.",
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the participant (or an organiser for them) said they no longer come to "
        "the fair: their meetings to come and open requests were cancelled, nobody is "
        "recommended them or can ask them. Empty: they come.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "ref"], name="participant_unique_ref"),
            models.UniqueConstraint(fields=["event", "email"], name="participant_unique_email"),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False),
                name="participant_unique_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"

    @property
    def attending(self) -> bool:
        return self.withdrawn_at is None

    def clean(self) -> None:
        """The admin's check of the own place: a place of this event that is nobody's shared
        table (the scheduler would seat others at a shared one, the booking then refuse them)."""
        table = self.fixed_table
        if table is None:
            return
        if table.event_id != self.event_id:
            raise ValidationError({"fixed_table": f"{table.name} is a table of another event."})
        if table.shared:
            raise ValidationError(
                {
                    "fixed_table": f"{table.name} is a shared table; a participant's own place "
                    "is a table that is not shared (a booth)."
                }
            )


class Profile(models.Model):
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="profile"
    )
    description = models.TextField(blank=True)
    offers = models.JSONField(default=list, blank=True)
    needs = models.JSONField(default=list, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Accent- and case-folded words for directory search (search_fold).",
    )
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Name, organisation and city, folded as search_text: the people search.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.participant_id}"

    def refresh_search_text(self) -> None:
        """Fill ``search_text`` and ``search_names`` from the participant and the profile; the
        caller saves (list both in ``update_fields``). Both hold the names of the participant's
        city and country in the fair's three languages too (``place_names``: CLDR's, through
        Babel), so a search in Arabic or French finds a place written in English."""
        from matchmaking.countries import place_names

        p = self.participant
        places = place_names(p.city, p.country)
        parts = [p.name, p.title, p.organisation.name, p.city, *places, self.description]
        self.search_text = search_fold(" ".join([*parts, *self.offers, *self.needs]))
        self.search_names = search_fold(" ".join([p.name, p.organisation.name, p.city, *places]))


# Letters that carry no combining mark to strip but are commonly typed without their ligature.
_FOLD_LETTERS = str.maketrans(
    {
        **{"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "\u0640": ""},
        # Arabic letters written either way: alef maksura as yeh (سلمى, سلمي), teh marbuta as
        # heh (اريانة, اريانه), alef wasla as alef (the hamza forms fold by their marks)
        **{"\u0649": "\u064a", "\u0629": "\u0647", "\u0671": "\u0627"},
    }
)


def natural_key(name: str) -> tuple:
    """A name as people sort it: numbers by value ("Table 2" before "Table 10"), case ignored."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    )


def search_fold(text: str) -> str:
    """Text as directory search compares it, the same on SQLite and PostgreSQL: compatibility
    decomposed (NFKD), combining marks dropped (é → e; Arabic short vowels and hamza marks too,
    so أ, إ, آ → ا), case-folded, ligatures spelled out, tatweel removed, and the Arabic letters
    people write either way made one (ى → ي, ة → ه, ٱ → ا). Stored profiles and
    queries go through it alike, so "fes", "FES" and "Fès" find the same people, and Arabic
    stays searchable (typed with or without its marks)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_FOLD_LETTERS)


class Availability(models.Model):
    """A period a participant is at the fair. No rows means available for the whole event."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="availability"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="availability_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.start:%Y-%m-%d %H:%M} - {self.end:%Y-%m-%d %H:%M}"


class Table(models.Model):
    """A meeting place: a shared lounge table, or a participant's own place such as a booth."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=100)
    shared = models.BooleanField(
        default=True, help_text="Shared tables are allocated by booking; fixed places are not."
    )
    out_of_service = models.BooleanField(
        default=False,
        help_text="A shared table the organisers took out of service (broken, needed elsewhere): "
        "nothing is booked or planned there any more.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="table_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin's check: a participant's own place cannot become a shared table."""
        if self.shared and self.pk and Participant.objects.filter(fixed_table=self).exists():
            raise ValidationError(
                {"shared": f"{self.name} is a participant's own place; it cannot be shared."}
            )


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        DECLINED = "declined"
        CANCELLED = "cancelled"
        EXPIRED = "expired"

    class SessionPreference(models.TextChoices):
        MORNING = "morning"
        AFTERNOON = "afternoon"
        ANY = "any"

    OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requests")
    sender = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="sent_requests")
    recipient = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="received_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(default=3)
    session = models.CharField(
        max_length=10, choices=SessionPreference.choices, default=SessionPreference.ANY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    proposed_slot = models.ForeignKey(
        "Slot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The time the sender proposed: accepting the request books it when it is "
        "still free for both.",
    )
    answer_reason = models.TextField(
        blank=True,
        help_text="The reason typed when the request was declined or withdrawn (as typed; "
        "empty: none given).",
    )
    client_token = models.CharField(
        max_length=64,
        blank=True,
        help_text="The sending form's own token: the same form sent twice sends once.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="request_not_self"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=5), name="request_priority_range"
            ),
            # One open request per ordered pair; the service also refuses the reverse direction.
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=Q(status__in=["pending", "accepted"]),
                name="request_one_open_per_pair",
            ),
            models.UniqueConstraint(
                fields=["sender", "client_token"],
                condition=~Q(client_token=""),
                name="request_sent_once_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} {self.sender_id}->{self.recipient_id} ({self.status})"

    def parties(self) -> tuple[int, int]:
        return (self.sender_id, self.recipient_id)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        CHECKED_IN = "checked_in"
        HELD = "held"
        NO_SHOW = "no_show"
        CANCELLED = "cancelled"

    class Source(models.TextChoices):
        PARTICIPANT = "participant"
        ORGANISER = "organiser"
        SCHEDULER = "scheduler"
        IMPORT = "import"

    class CancelledBy(models.TextChoices):
        PARTICIPANT = "participant"
        ORGANISER = "organiser"
        SYSTEM = "system"

    class Absent(models.TextChoices):
        """On a no-show, who did not come: both parties, or the request's sender or
        recipient (the meeting's two parties; a hand-over makes the colleague that side)."""

        BOTH = "both"
        SENDER = "sender"
        RECIPIENT = "recipient"

    ACTIVE_STATUSES = (Status.SCHEDULED, Status.CHECKED_IN, Status.HELD, Status.NO_SHOW)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.ForeignKey(MeetingRequest, on_delete=models.PROTECT, related_name="meetings")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="meetings")
    table = models.ForeignKey(
        Table, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    fixed = models.BooleanField(
        default=False, help_text="Pinned: the automatic scheduler must not move it."
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.PARTICIPANT)
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE.")
    version = models.PositiveIntegerField(
        default=1,
        help_text="Bumped by every change of the meeting (time, table, status, fix, attendees): "
        "a move or cancellation that names the version it saw is refused once it is stale.",
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_by = models.CharField(
        max_length=12,
        choices=CancelledBy.choices,
        blank=True,
        help_text="Who decided the cancellation: the scheduler plans again only a meeting the "
        "system cancelled (an availability change, a dropped plan entry).",
    )
    absent = models.CharField(
        max_length=9,
        choices=Absent.choices,
        blank=True,
        help_text="On a no-show, who did not come (both, the sender, the recipient); blank: "
        "not said (and always on any other status).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot__start", "id"]
        constraints = [
            # who did not come is said of a no-show only
            models.CheckConstraint(
                condition=Q(absent="") | Q(status="no_show"),
                name="meeting_absent_only_on_no_show",
            ),
            models.UniqueConstraint(
                fields=["table", "slot"],
                condition=~Q(status="cancelled") & Q(table__isnull=False),
                name="meeting_table_once_per_slot",
            ),
            # A request has at most one live meeting.
            models.UniqueConstraint(
                fields=["request"],
                condition=~Q(status="cancelled"),
                name="meeting_one_active_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"meeting {self.pk} ({self.status})"

    @property
    def end(self) -> datetime:
        return self.slot.end

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED


class MeetingSeat(models.Model):
    """A participant attending a meeting. ``active`` mirrors "meeting not cancelled", except for a
    colleague who ``left`` the meeting: their seat stays inactive while the meeting goes on, and
    whatever happens to it later (a move does not bring them back).

    The partial unique constraint on (participant, slot) is the database's last line of defence
    against double bookings.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="seats")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="seats")
    active = models.BooleanField(default=True)
    is_party = models.BooleanField(
        default=True, help_text="The requester or the requested; False for a colleague who joins."
    )
    left = models.BooleanField(
        default=False,
        help_text="A colleague who joined left the meeting (it goes on without them); for good.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "slot"],
                condition=Q(active=True),
                name="seat_participant_once_per_slot",
            ),
            models.UniqueConstraint(fields=["meeting", "participant"], name="seat_unique"),
            # Only a colleague can leave, and who left does not sit in the meeting any more.
            models.CheckConstraint(
                condition=Q(left=False) | Q(active=False, is_party=False),
                name="seat_left_is_inactive_colleague",
            ),
        ]

    def __str__(self) -> str:
        return f"participant {self.participant_id} in meeting {self.meeting_id}"


class MeetingFeedback(models.Model):
    """What one person in a meeting says of it once it has started: whether it took place, how
    useful it was (1-5) and what comes next. Organisers read it (statistics, CSV); the other
    side never sees it."""

    class Outcome(models.TextChoices):
        NONE = "none", "no further contact planned"
        FOLLOW_UP = "follow_up", "follow-up planned"
        AGREEMENT = "agreement", "business or cooperation agreement in view"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meeting_feedback"
    )
    took_place = models.BooleanField()
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 (not useful) to 5 (very useful); only if it took place."
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    comment = models.TextField(blank=True, help_text="For the organisers only.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(took_place=True, rating__gte=1, rating__lte=5)
                | Q(took_place=False, rating__isnull=True, outcome=""),
                name="feedback_rating_only_if_held",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback of {self.participant_id} on meeting {self.meeting_id}"


class MeetingLog(models.Model):
    """Who changed what on a meeting, and when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=30)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on meeting {self.meeting_id}"


class IdempotencyKey(models.Model):
    """The first response to a creating POST, replayed when the same key comes again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"idempotency key {self.key}"

    #: a key is kept this long; after that the same key starts a new operation
    TTL = timedelta(hours=24)


class ScheduleRun(models.Model):
    """One run of the automatic scheduler: a draft plan with its statistics, then published."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DRAFT = "draft"
        PUBLISHING = "publishing"  # a worker is applying the draft (back to draft if refused)
        FAILED = "failed"
        PUBLISHED = "published"
        SUPERSEDED = "superseded"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text="The solver's settings.")
    progress = models.FloatField(default=0.0)
    phase = models.CharField(max_length=40, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    plan = models.JSONField(
        default=list, blank=True, help_text="[[request id, slot id, table id or null], ...]"
    )
    error = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    publish_report = models.JSONField(default=dict, blank=True)
    basis = models.JSONField(
        null=True,
        default=None,
        blank=True,
        help_text="What the run read: {request id: [meeting id, slot id, table id] or null} "
        "({} when it read no request; null for runs made before the field). Publishing leaves "
        "alone what changed since.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"schedule run {self.pk} of {self.event_id} ({self.status})"


class Notification(models.Model):
    """A message to one participant about a change that concerns them, sent once.

    ``key`` makes creation idempotent (the same change never notifies the same person twice);
    the sending task claims the row before sending, so a redelivered task sends nothing.
    """

    class Kind(models.TextChoices):
        REQUEST_RECEIVED = "request_received"
        REQUEST_ACCEPTED = "request_accepted"
        REQUEST_DECLINED = "request_declined"
        REQUEST_EXPIRED = "request_expired"
        REQUEST_WITHDRAWN = "request_withdrawn"
        REQUEST_EXPIRING = "request_expiring"
        MEETING_BOOKED = "meeting_booked"
        MEETING_MOVED = "meeting_moved"
        MEETING_CANCELLED = "meeting_cancelled"
        MEETING_REMINDER = "meeting_reminder"
        ATTENDEE_LEFT = "attendee_left"
        FEEDBACK_REQUEST = "feedback_request"
        BROADCAST = "broadcast"
        ATTENDANCE_WITHDRAWN = "attendance_withdrawn"
        IMPORT_OVERRULED = "import_overruled"
        MESSAGE_RECEIVED = "message_received"
        SCHEDULE_PUBLISHED = "schedule_published"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    recipient = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    request = models.ForeignKey(
        MeetingRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    broadcast = models.ForeignKey(
        "Broadcast",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The organisers' message this email carries, if it is one.",
    )
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Sending attempts so far.")
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Pending: not retried before then (after a failed attempt). Sending: the "
        "sender's claim lapses then (a worker lost on the way), and the sweep retries it.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}"


class Broadcast(models.Model):
    """A message the organisers sent by email to a part of the event's participants (everyone,
    one kind, those without a meeting, those with requests waiting for their answer); one
    Notification per recipient carries it, with the usual retries."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="broadcasts")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    audience = models.CharField(max_length=40)
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='The message in other languages: {"ar": {"subject": ..., "body": ...}}; each '
        "recipient reads the version in their language, or subject and body.",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)
    client_token = models.CharField(
        max_length=64,
        blank=True,
        help_text="The sending form's own token: the same form sent twice sends once.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "client_token"],
                condition=~Q(client_token=""),
                name="broadcast_sent_once_per_form",
            )
        ]

    def __str__(self) -> str:
        return f"broadcast {self.pk} to {self.audience}"


class LoginLink(models.Model):
    """A one-time sign-in link for a participant's pages (sent by email or handed out by the
    organiser). Only a hash of the secret is stored."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="login_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login link of {self.participant_id}"


class ProfileEmbedding(models.Model):
    """A profile's vectors for one encoder, with the hash of the text they were computed from:
    only profiles whose text changed are encoded again."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="embeddings"
    )
    model_name = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    vectors = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "model_name"], name="embedding_unique_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model_name} vectors of {self.participant_id}"


class Mark(models.Model):
    """A participant's own verdict on someone the app showed them: ``saved`` (a shortlist to come
    back to) or ``hidden`` ("not interested": left out of their recommendations from then on).
    Private to the one who marks; the learning counts it as a label (``ranker_learn``)."""

    class Kind(models.TextChoices):
        SAVED = "saved"
        HIDDEN = "hidden"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="marks")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="marks")
    candidate = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participant", "-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "candidate"], name="mark_unique_pair"),
            models.CheckConstraint(
                condition=~Q(participant=models.F("candidate")), name="mark_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.kind} {self.candidate_id}"


class Message(models.Model):
    """A private message between two participants who are in touch: a meeting request between
    them is waiting or accepted, or they share a meeting (as in Brella or b2match, where people
    who connected can write to each other). Nobody else reads it, organisers included."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="sent_messages")
    recipient = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="received_messages"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the recipient opened the conversation after it."
    )
    client_token = models.CharField(
        max_length=64,
        blank=True,
        help_text="The sending form's own token: the same form sent twice sends once.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["sender", "recipient", "created_at"]),
            models.Index(fields=["recipient", "read_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="message_not_to_self"
            ),
            models.UniqueConstraint(
                fields=["sender", "client_token"],
                condition=~Q(client_token=""),
                name="message_sent_once_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} from {self.sender_id} to {self.recipient_id}"


class Recommendation(models.Model):
    """A stored recommendation: ``candidate`` for ``participant``, with score and reasons."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="recommendations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="recommendations"
    )
    candidate = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    reasons = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participant", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "candidate"], name="recommendation_unique_pair"
            )
        ]
        indexes = [models.Index(fields=["participant", "rank"])]

    def __str__(self) -> str:
        return f"{self.candidate_id} for {self.participant_id} (#{self.rank})"


class Arrival(models.Model):
    """A participant arrived at the fair on one of its days (the entrance desk, or they said
    "I'm here" themselves). Once per fair day: people come for one day of a several-day fair,
    or leave and come back, and the desk needs today's list of who has not arrived yet."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="arrivals")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="arrivals")
    date = models.DateField(help_text="The fair day (event time).")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who marked it; blank when the participant said so themselves.",
    )

    class Meta:
        ordering = ["date", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "date"], name="arrival_once_per_day"),
        ]
        indexes = [models.Index(fields=["event", "date"], name="arrival_event_day")]

    def __str__(self) -> str:
        return f"participant {self.participant_id} arrived on {self.date}"
