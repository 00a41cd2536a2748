"""Serializers: shapes in and out. They validate input types; rules live in the services."""

from collections.abc import Mapping

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matchmaking import selectors
from matchmaking.countries import country_code
from matchmaking.exceptions import InvalidInput
from matchmaking.languages import language_codes
from matchmaking.models import (
    Broadcast,
    Event,
    Mark,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Session,
    Slot,
)
from matchmaking.services.messages import BODY_LIMIT as MESSAGE_BODY_LIMIT
from matchmaking.services.recommendations import suggested_sectors
from ml.taxonomy import SECTOR_IDS


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}:\d{2}$", "example": "09:30:00"})
class LocalTimeField(serializers.TimeField):
    """A local time of day without an offset (the event's time zone): "09:30:00". The OpenAPI
    ``time`` format would ask for an offset, which a session's time has not."""


class SessionSerializer(serializers.ModelSerializer):
    start = LocalTimeField(read_only=True)
    end = LocalTimeField(read_only=True)

    class Meta:
        model = Session
        fields = ["date", "start", "end", "name", "is_break"]


class EventSerializer(serializers.ModelSerializer):
    sessions = SessionSerializer(many=True, read_only=True)
    tables = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "name",
            "timezone",
            "slot_minutes",
            "booking_opens",
            "booking_closes",
            "request_expiry_hours",
            "tables",
            "sessions",
        ]

    def get_tables(self, obj) -> int:
        return obj.tables.filter(shared=True).count()


class EventListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["slug", "name", "timezone", "slot_minutes"]


class SlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Slot
        fields = ["id", "start", "end", "date", "part", "session_name"]


class ParticipantBriefSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "name", "organisation", "kind"]


class ParticipantSerializer(serializers.ModelSerializer):
    """A directory entry: what others see of a participant."""

    organisation = serializers.CharField(source="organisation.name", read_only=True)
    description = serializers.CharField(source="profile.description", default="")
    offers = serializers.ListField(
        child=serializers.CharField(), source="profile.offers", default=list
    )
    needs = serializers.ListField(
        child=serializers.CharField(), source="profile.needs", default=list
    )
    sectors = serializers.ListField(
        child=serializers.CharField(), source="profile.sectors", default=list
    )
    fixed_table = serializers.CharField(source="fixed_table.name", default=None, allow_null=True)
    languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="ISO 639 codes, lower-case: fr, ar, en, or zgh for Tamazight (two letters where "
        "the language has an ISO 639-1 code).",
    )

    class Meta:
        model = Participant
        fields = [
            "id",
            "name",
            "title",
            "organisation",
            "kind",
            "languages",
            "country",
            "city",
            "description",
            "offers",
            "needs",
            "sectors",
            "fixed_table",
        ]
        read_only_fields = fields


class OrganiserParticipantSerializer(ParticipantSerializer):
    """Organisers also see contact and planning fields, and who no longer comes (the directory
    of participants leaves those out)."""

    attending = serializers.BooleanField(
        read_only=True, help_text="False once they said they no longer come (see withdrawn_at)."
    )

    class Meta(ParticipantSerializer.Meta):
        fields = [
            *ParticipantSerializer.Meta.fields,
            "ref",
            "email",
            "max_meetings",
            "accepts_same_kind",
            "attending",
            "withdrawn_at",
        ]
        read_only_fields = fields


class MeSerializer(ParticipantSerializer):
    """My own profile: readable and (partly) writable."""

    calendar_url = serializers.SerializerMethodField(
        help_text="Secret iCalendar subscription URL of my agenda (keep it private)."
    )
    attending = serializers.BooleanField(
        read_only=True,
        help_text="False once I said I no longer come (PUT me/attendance/ changes it).",
    )

    class Meta(ParticipantSerializer.Meta):
        fields = [
            *ParticipantSerializer.Meta.fields,
            "email",
            "max_meetings",
            "accepts_same_kind",
            "calendar_url",
            "attending",
            "withdrawn_at",
            "unread_messages",
            "suggested_sectors",
        ]
        read_only_fields = ["id", "name", "organisation", "kind", "email", "fixed_table"]

    unread_messages = serializers.SerializerMethodField(
        help_text="Messages to me I have not read yet (me/conversations/ lists them)."
    )
    suggested_sectors = serializers.SerializerMethodField(
        help_text="While my profile declares no sector: the sector read from its text, as the "
        "recommendations use it, for me to confirm (PATCH sectors) or correct; empty once "
        "sectors are declared, or when the text names none. The ids sectors takes."
    )

    def get_calendar_url(self, obj) -> str:
        return _calendar_url(obj, self.context.get("request"))

    def get_unread_messages(self, obj) -> int:
        return selectors.unread_messages(participant=obj)

    def get_suggested_sectors(self, obj) -> list[str]:
        return suggested_sectors(participant=obj)


def _calendar_url(participant, request) -> str:
    path = reverse("calendar-feed", kwargs={"token": participant.calendar_token})
    return request.build_absolute_uri(path) if request else path


class CalendarLinkSerializer(serializers.Serializer):
    calendar_url = serializers.SerializerMethodField(
        help_text="The new secret iCalendar subscription URL; the old one no longer works."
    )

    def get_calendar_url(self, obj) -> str:
        return _calendar_url(obj, self.context.get("request"))


class StrictBooleanField(serializers.BooleanField):
    """A boolean a request body gives, or not: JSON ``true`` / ``false``, or the words
    ``true`` / ``false`` of a form body. DRF's own field also takes 0, 1, "1", "yes", "on",
    "n"... (``cancel_conflicting: "yes"`` cancelled meetings, ``attending: 0`` withdrew someone),
    while other booleans refused them: every boolean of a body now reads the same way, and
    anything else answers 400 naming the field.

    DRF also reads a form field that is absent as false (the way a browser sends an unticked
    checkbox): ``POST .../fix/`` with a form body without ``fixed`` released a fixed meeting.
    Absent here means absent, as in JSON: required fields answer 400, optional ones take their
    default."""

    default_empty_html = serializers.empty
    default_error_messages = {"invalid": gettext_lazy("Must be true or false.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.strip().lower() in ("true", "false"):
            return data.strip().lower() == "true"
        self.fail("invalid")


class IdField(serializers.IntegerField):
    """The id of one of the event's rows (a participant, a slot, a request): a whole number from
    1. A number larger than any id (``99999999999999999999``) is not an error of form ("Ensure
    this value is less than or equal to 4611686018427387904." said nothing to a person): like
    any other unknown id, the view answers "No slot 99999999999999999999 in this event." (Django
    reads a lookup of an integer outside the column's range as matching nothing)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class NumberField(serializers.FloatField):
    """A number of a request body: JSON ``true`` is not 1 (``time_limit: true`` ran the
    scheduler for one second)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class RefusesUnknownFields:
    """A field that is not one of the serializer's (a read-only one such as ``name``, or a typo)
    is refused by name, not silently dropped with a 200 that did not do what was meant. Works
    for nested serializers too (each item of a ``many=True`` list is checked)."""

    unknown_field_message = gettext_lazy("Unknown field.")
    #: keys of the endpoint's own answer, taken back and ignored (GET, edit, PUT the object back)
    answer_only_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        known = set(self.fields) | set(self.answer_only_fields)
        unknown = sorted(map(str, set(data) - known)) if isinstance(data, Mapping) else []
        if not unknown:
            return super().to_internal_value(data)
        errors = {}
        try:
            super().to_internal_value(data)
        except serializers.ValidationError as exc:  # keep the other fields' errors too
            if isinstance(exc.detail, Mapping):
                errors.update(exc.detail)
        errors.update({name: [self.unknown_field_message] for name in unknown})
        raise serializers.ValidationError(errors)


class EventSettingsSerializer(RefusesUnknownFields, serializers.Serializer):
    """What organisers may change on an event after its import (``PATCH /api/events/{slug}/``).
    Times without an offset are read in the event's time zone; ``null`` removes a limit."""

    unknown_field_message = "This field cannot be changed here (import the event again)."
    #: the event's answer holds these too; sent back unchanged they are ignored (the view)
    read_only = ("slug", "timezone", "slot_minutes", "tables", "sessions")

    name = serializers.CharField(max_length=200, required=False)
    booking_opens = serializers.DateTimeField(allow_null=True, required=False)
    booking_closes = serializers.DateTimeField(allow_null=True, required=False)
    request_expiry_hours = serializers.IntegerField(min_value=1, max_value=8760, required=False)

    def validate(self, attrs):
        if isinstance(self.initial_data, Mapping) and not attrs:
            raise serializers.ValidationError(
                gettext_lazy("Nothing to change: send at least one field.")
            )
        return attrs


class ProfileUpdateSerializer(RefusesUnknownFields, serializers.Serializer):
    unknown_field_message = gettext_lazy("This field cannot be changed here.")

    title = serializers.CharField(max_length=200, allow_blank=True, required=False)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=20,
        required=False,
        help_text="ISO 639 codes such as fr, ar, en, or zgh for Tamazight: two letters where the "
        "language has an ISO 639-1 code (stored lower-cased, each once).",
    )
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code such as MA (stored upper-cased); blank for none.",
    )
    city = serializers.CharField(max_length=100, allow_blank=True, required=False)
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    offers = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=30, required=False
    )
    needs = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=30, required=False
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=SECTOR_IDS), max_length=20, required=False
    )
    max_meetings = serializers.IntegerField(
        min_value=0, max_value=1000, allow_null=True, required=False
    )
    accepts_same_kind = StrictBooleanField(required=False)

    def validate(self, attrs):
        # An empty body (or a multipart one nothing could be read from) would answer 200 having
        # saved nothing: say so instead.
        if isinstance(self.initial_data, Mapping) and not self.initial_data:
            raise serializers.ValidationError(
                gettext_lazy("Nothing to change: send at least one field.")
            )
        return attrs

    def validate_country(self, value: str) -> str:
        try:
            return country_code(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from exc

    def validate_languages(self, value: list[str]) -> list[str]:
        try:
            return language_codes(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from exc


class PeriodInSerializer(RefusesUnknownFields, serializers.Serializer):
    start = serializers.CharField(
        max_length=40, help_text="ISO 8601 date-time; without an offset, the event's local time."
    )
    end = serializers.CharField(max_length=40, help_text="ISO 8601 date-time, after start.")


class AvailabilityUpdateSerializer(RefusesUnknownFields, serializers.Serializer):
    answer_only_fields = ("slots", "cancelled_meetings", "left_meetings")

    periods = PeriodInSerializer(
        many=True,
        max_length=50,
        help_text="When the participant can meet; an empty list means the whole event.",
    )
    cancel_conflicting = StrictBooleanField(
        default=False,
        help_text="Cancel booked meetings outside the new periods (else the change answers 409).",
    )


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    periods = PeriodSerializer(many=True)
    slots = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Ids of the slots the periods allow; null: every slot (no period given).",
    )


class MeetingsChangedMixin(serializers.Serializer):
    """What a change of a participant's times or attendance did to their booked meetings."""

    cancelled_meetings = serializers.ListField(
        child=serializers.IntegerField(), help_text="Meetings to come the change cancelled."
    )
    left_meetings = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Meetings the participant left as a colleague; they go on.",
    )


class AvailabilityChangedSerializer(MeetingsChangedMixin, AvailabilitySerializer):
    """The periods after a change (``PUT``), with what the change did to booked meetings."""


class AttendanceUpdateSerializer(RefusesUnknownFields, serializers.Serializer):
    answer_only_fields = (
        "withdrawn_at",
        "cancelled_meetings",
        "left_meetings",
        "withdrawn_requests",
    )

    attending = StrictBooleanField(
        help_text="false: the participant no longer comes (their meetings to come and open "
        "requests are cancelled, the other side told); true: they come after all (what was "
        "cancelled stays cancelled)."
    )


class AttendanceSerializer(serializers.Serializer):
    attending = serializers.BooleanField()
    withdrawn_at = serializers.DateTimeField(
        allow_null=True, help_text="When they said they no longer come; null while they come."
    )


class ArrivalSerializer(serializers.Serializer):
    """Whether a participant arrived at the fair today (a mark per fair day, event time)."""

    date = serializers.DateField(help_text="Today, in the event's time zone.")
    arrived = serializers.BooleanField()
    at = serializers.DateTimeField(allow_null=True, help_text="When it was marked; null if not.")
    by_self = serializers.BooleanField(
        help_text='The participant said "I\'m here" themselves (not the desk).'
    )


class AttendanceChangedSerializer(MeetingsChangedMixin, AttendanceSerializer):
    """The attendance after a change (``PUT``), with what the change cancelled."""

    withdrawn_requests = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Open requests without a meeting the change withdrew (a cancelled meeting's "
        "request goes with it).",
    )


class RequestMeetingSerializer(serializers.Serializer):
    """A request's live meeting, in brief (``GET meetings/{id}/`` has the rest)."""

    id = serializers.IntegerField()
    start = serializers.DateTimeField(source="slot.start")
    end = serializers.DateTimeField(source="slot.end")
    table = serializers.CharField(source="table.name", default=None, allow_null=True)
    status = serializers.ChoiceField(choices=Meeting.Status.choices)


class MeetingRequestSerializer(serializers.ModelSerializer):
    sender = ParticipantBriefSerializer(read_only=True)
    recipient = ParticipantBriefSerializer(read_only=True)
    direction = serializers.SerializerMethodField()
    proposed_slot = serializers.IntegerField(
        source="proposed_slot_id",
        allow_null=True,
        read_only=True,
        help_text="The slot the sender proposed (accepting books it when still free), or null.",
    )
    proposed_start = serializers.DateTimeField(
        source="proposed_slot.start", default=None, allow_null=True, read_only=True
    )
    answer_reason = serializers.CharField(
        read_only=True,
        help_text="The reason typed when the request was declined or withdrawn, as typed; "
        "empty when none was given (or the request is not declined or withdrawn).",
    )

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "sender",
            "recipient",
            "direction",
            "status",
            "message",
            "priority",
            "session",
            "created_at",
            "responded_at",
            "expires_at",
            "proposed_slot",
            "proposed_start",
            "answer_reason",
            "meeting",
        ]
        read_only_fields = fields

    meeting = serializers.SerializerMethodField(
        help_text="The request's meeting (not cancelled): its id, start, end, table and status; "
        "null when it has none."
    )

    @extend_schema_field(RequestMeetingSerializer(allow_null=True))
    def get_meeting(self, obj) -> dict | None:
        if hasattr(obj, "booked"):  # the accept answer: the meeting it booked, if any
            live = obj.booked
        elif hasattr(obj, "live_meetings"):  # read with the list (selectors.with_live_meeting)
            live = obj.live_meetings[0] if obj.live_meetings else None
        else:
            live = (
                Meeting.objects.filter(request_id=obj.pk)
                .exclude(status=Meeting.Status.CANCELLED)
                .select_related("slot", "table")
                .first()
            )
        return RequestMeetingSerializer(live).data if live is not None else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["status"] = selectors.request_status_now(instance, timezone.now())
        return data

    def get_direction(self, obj) -> str | None:
        me = self.context.get("participant")
        if me is None:
            return None
        return "sent" if obj.sender_id == me.pk else "received"


class RequestCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    recipient = IdField(help_text="Participant id of the recipient.")
    sender = IdField(required=False, help_text="Organisers only: who sends the request.")
    message = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    priority = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)
    session = serializers.ChoiceField(
        choices=MeetingRequest.SessionPreference.choices, required=False, default="any"
    )
    slot = IdField(
        required=False,
        allow_null=True,
        help_text="A proposed time (slot id; null or absent: none): one the booking would "
        "accept for the two of you now; accepting the request books it if it is still free then.",
    )


class AcceptSerializer(RefusesUnknownFields, serializers.Serializer):
    slot = IdField(
        required=False,
        allow_null=True,
        help_text="Accept at another time (slot id; null or absent: the proposed time, if any): "
        "one free for both of you, booked with the acceptance; when the booking refuses it, "
        "nothing is done and the request stays pending.",
    )


#: why an accepted request has no meeting yet, and what happens next (the accept answer)
UNBOOKED_TEXT = {
    "no_time": gettext_lazy("No time was chosen: book one in the agenda."),
    "proposed_time_not_free": gettext_lazy(
        "The proposed time could not be booked: book another in the agenda."
    ),
    "booking_closed": gettext_lazy("Booking is closed: the organisers will schedule the meeting."),
    "sender_limit": gettext_lazy(
        "%(name)s has reached their meeting limit: the meeting can be booked once they raise it "
        "or cancel a meeting."
    ),
    "recipient_limit": gettext_lazy(
        "%(name)s has reached their meeting limit: the meeting can be booked once the limit is "
        "raised or a meeting cancelled."
    ),
}

#: the same for an organiser who accepted for a participant: what they can do themselves
UNBOOKED_TEXT_ORGANISER = {
    "no_time": gettext_lazy(
        "No time was chosen: book the meeting on the grid (or with meetings/book/), or leave it "
        "to the next scheduler run."
    ),
    "proposed_time_not_free": gettext_lazy(
        "The proposed time could not be booked: book another on the grid (or with "
        "meetings/book/), or leave it to the next scheduler run."
    ),
    "booking_closed": gettext_lazy(
        "Booking is closed to participants: book the meeting on the grid (or with "
        "meetings/book/), or leave it to the next scheduler run."
    ),
    "sender_limit": UNBOOKED_TEXT["recipient_limit"],
    "recipient_limit": UNBOOKED_TEXT["recipient_limit"],
}


class UnbookedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(UNBOOKED_TEXT))
    detail = serializers.CharField()


class AcceptedRequestSerializer(MeetingRequestSerializer):
    unbooked = serializers.SerializerMethodField(
        help_text="Null when a meeting was booked; else why not and what happens next: `code` "
        "`no_time` (book one), `proposed_time_not_free` (book another), `booking_closed` (the "
        "organisers will schedule it), `sender_limit` or `recipient_limit` (that side is at "
        "their meeting limit), and `detail`, a sentence saying so (to an organiser who accepted, "
        "what they can do: book it on the grid or leave it to a scheduler run)."
    )

    class Meta(MeetingRequestSerializer.Meta):
        fields = [*MeetingRequestSerializer.Meta.fields, "unbooked"]
        read_only_fields = fields

    @extend_schema_field(UnbookedSerializer(allow_null=True))
    def get_unbooked(self, obj) -> dict | None:
        if getattr(obj, "booked", None) is not None:
            return None
        code = getattr(obj, "unbooked", None)
        if code is None:
            refused = getattr(obj, "proposal_refused", None)
            code = "proposed_time_not_free" if refused is not None else "no_time"
        person = obj.recipient if code == "recipient_limit" else obj.sender
        # an organiser who accepted for someone books or schedules it: told so, not to go to
        # an agenda they do not have
        texts = UNBOOKED_TEXT_ORGANISER if self.context.get("by_organiser") else UNBOOKED_TEXT
        detail = texts[code]
        if code in ("sender_limit", "recipient_limit"):
            return {"code": code, "detail": str(detail) % {"name": person.name}}
        return {"code": code, "detail": str(detail)}


class AttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="participant.id")
    name = serializers.CharField(source="participant.name")
    organisation = serializers.CharField(source="participant.organisation.name")
    is_party = serializers.BooleanField()


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice kept blank when there is none, answered as ``null``: "" is none of the choices
    the schema lists, and a client's enum could not read it."""

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class MeetingSerializer(serializers.ModelSerializer):
    start = serializers.DateTimeField(source="slot.start", read_only=True)
    end = serializers.DateTimeField(source="slot.end", read_only=True)
    slot = serializers.IntegerField(source="slot_id", read_only=True)
    table = serializers.CharField(source="table.name", default=None, read_only=True)
    attendees = AttendeeSerializer(source="seats", many=True, read_only=True)
    request = serializers.IntegerField(source="request_id", read_only=True)
    absent = BlankAsNullChoiceField(
        choices=Meeting.Absent.choices,
        allow_null=True,
        read_only=True,
        help_text="On a no-show, who did not come: both, the request's sender or its "
        "recipient; null when not said (always on any other status).",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "uid",
            "request",
            "slot",
            "start",
            "end",
            "table",
            "status",
            "absent",
            "fixed",
            "source",
            "sequence",
            "version",
            "cancel_reason",
            "attendees",
        ]
        read_only_fields = fields


class BookSerializer(RefusesUnknownFields, serializers.Serializer):
    request = IdField(help_text="An accepted request's id.")
    slot = IdField()
    table = serializers.CharField(
        max_length=100, required=False, help_text="Organisers: a table name; default: a free one."
    )
    attendees = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=10,
        help_text="Colleagues (same organisation) who join the meeting.",
    )
    fixed = StrictBooleanField(required=False, default=False)


VERSION_HELP = (
    "The meeting's `version` you were shown (its ETag says it too): a meeting changed since is "
    "left as it is, 409 `meeting_changed`. Absent: no check. An `If-Match` header does the same "
    "(412 when stale)."
)


class RescheduleSerializer(RefusesUnknownFields, serializers.Serializer):
    slot = IdField()
    table = serializers.CharField(max_length=100, required=False)
    fixed = StrictBooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Organisers: fix the meeting where it lands (true) or release it (false); "
        "absent: unchanged.",
    )
    version = IdField(required=False, help_text=VERSION_HELP)


class FixSerializer(RefusesUnknownFields, serializers.Serializer):
    fixed = StrictBooleanField(
        help_text="true: the scheduler never moves it, participants cannot move it; false: "
        "released."
    )
    version = IdField(required=False, help_text=VERSION_HELP)


class OrganiserSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="get_username")
    email = serializers.EmailField()


class OrganiserAddSerializer(RefusesUnknownFields, serializers.Serializer):
    account = serializers.CharField(
        max_length=150, help_text="The username or email of an organiser (staff) account."
    )


class AttendeeAddSerializer(RefusesUnknownFields, serializers.Serializer):
    participant = IdField(
        help_text="The colleague who joins: of your own organisation (organisers: of either side).",
    )


class NoBodySerializer(RefusesUnknownFields, serializers.Serializer):
    """The body of an action that takes none (accept, check in, a new calendar link...): an
    empty body or ``{}``; any field in it is refused by name rather than ignored."""


class ReasonSerializer(RefusesUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class MeetingCancelSerializer(ReasonSerializer):
    version = IdField(required=False, help_text=VERSION_HELP)


class StatusSerializer(RefusesUnknownFields, serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            Meeting.Status.SCHEDULED,
            Meeting.Status.CHECKED_IN,
            Meeting.Status.HELD,
            Meeting.Status.NO_SHOW,
        ]
    )
    absent = serializers.ChoiceField(
        choices=Meeting.Absent.choices,
        required=False,
        help_text="With `no_show` only: who did not come, `both`, `sender` or `recipient` (the "
        "request's two sides). Absent: not said. Posting `no_show` again with another value "
        "corrects it; any other status clears it.",
    )
    version = IdField(required=False, help_text=VERSION_HELP)


class MeetingFeedbackSerializer(serializers.ModelSerializer):
    """One person's feedback on a meeting (the other side never sees it)."""

    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    participant = serializers.IntegerField(source="participant_id", read_only=True)
    participant_name = serializers.CharField(source="participant.name", read_only=True)
    outcome = BlankAsNullChoiceField(
        choices=MeetingFeedback.Outcome.choices,
        allow_null=True,
        read_only=True,
        help_text="What comes next; null when none was given (always when it did not take place).",
    )

    class Meta:
        model = MeetingFeedback
        fields = [
            "id",
            "meeting",
            "participant",
            "participant_name",
            "took_place",
            "rating",
            "outcome",
            "comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeetingFeedbackInSerializer(RefusesUnknownFields, serializers.Serializer):
    """Feedback as a person in the meeting gives it (``PUT`` replaces the previous one)."""

    answer_only_fields = (
        "id",
        "meeting",
        "participant",
        "participant_name",
        "created_at",
        "updated_at",
    )

    took_place = StrictBooleanField(help_text="Did the meeting take place?")
    rating = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="1 (not useful) to 5 (very useful); required when it took place, absent or "
        "null when it did not.",
    )
    outcome = serializers.ChoiceField(
        choices=MeetingFeedback.Outcome.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text="What comes next (optional; only when it took place; null or absent: none).",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        trim_whitespace=True,
        help_text="For the organisers only.",
    )


class BroadcastSerializer(serializers.ModelSerializer):
    """A message the organisers emailed, with how many of its emails left or failed so far."""

    sent_by = serializers.CharField(source="sent_by.get_username", default=None, read_only=True)
    sent = serializers.IntegerField(read_only=True, default=0)
    failed = serializers.IntegerField(read_only=True, default=0)
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text='The message in other languages: {"ar": {"subject": ..., "body": ...}}; each '
        "recipient reads the version in their language, or subject and body.",
    )

    class Meta:
        model = Broadcast
        fields = [
            "id",
            "subject",
            "body",
            "audience",
            "translations",
            "recipients",
            "sent",
            "failed",
            "sent_by",
            "created_at",
        ]
        read_only_fields = fields


class BroadcastVersionSerializer(RefusesUnknownFields, serializers.Serializer):
    subject = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)


class BroadcastCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    subject = serializers.CharField(max_length=200, help_text="One line.")
    body = serializers.CharField(
        max_length=5000, help_text="Plain text; the event's name signs it."
    )
    audience = serializers.CharField(
        max_length=40,
        help_text="all, without_meetings (nobody to meet yet), pending_answers (requests wait "
        "for their answer), without_sectors (their profile declares no sector: to check and "
        "confirm the one read from their text), kind:<kind> (e.g. kind:exhibitor) or "
        "participant:<id> (one participant, whether they still come or not).",
    )
    translations = serializers.DictField(
        child=BroadcastVersionSerializer(),
        required=False,
        help_text="The same message in other languages the emails are written in (en, fr, ar): "
        '{"ar": {"subject": "...", "body": "..."}}. Each recipient reads the version in their '
        "language (the first of their profile's languages the emails are written in), the "
        "others subject and body.",
    )


class ReplacedSerializer(serializers.Serializer):
    kept = serializers.IntegerField()
    new = serializers.IntegerField()
    gone = serializers.IntegerField()
    email_changed = serializers.ListField(child=serializers.CharField())
    meetings_cancelled = serializers.IntegerField(
        help_text="Meetings still to come that the new file no longer lists: cancelled, their "
        "people told."
    )


class ImportResultSerializer(serializers.Serializer):
    slug = serializers.CharField()
    participants = serializers.IntegerField()
    requests = serializers.IntegerField()
    meetings = serializers.IntegerField()
    slots = serializers.IntegerField()
    never_bookable = serializers.IntegerField(
        help_text="Open requests no slot still to come can hold: the two are never at the fair "
        "together (or not in the part of the day asked for). The scheduler page lists them."
    )
    replaced = ReplacedSerializer(
        allow_null=True,
        help_text="On a replace: participants kept (same ref and email), new and gone, and the "
        "refs whose email changed (another person for the import: calendar address, sign-in "
        "and saved people do not follow), and the meetings still to come it cancelled. null on a "
        "first import.",
    )


class ScheduleRunSerializer(serializers.ModelSerializer):
    planned = serializers.SerializerMethodField()
    options = serializers.DictField(read_only=True, help_text="The solver's settings.")
    stats = serializers.DictField(
        read_only=True, help_text="The run's figures (scheduled, requested, upper_bound, ...)."
    )
    publish_report = serializers.DictField(
        read_only=True,
        help_text="What publishing did: booked, moved, cancelled, kept, left, skipped ({} until "
        "published).",
    )

    class Meta:
        model = ScheduleRun
        fields = [
            "id",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "options",
            "progress",
            "phase",
            "stats",
            "error",
            "planned",
            "published_at",
            "publish_report",
        ]
        read_only_fields = fields

    def get_planned(self, obj) -> int:
        return len(obj.plan)


class ScheduleRunDetailSerializer(ScheduleRunSerializer):
    changes = serializers.SerializerMethodField(
        help_text=(
            "What publishing would change now: counts to book, move, keep, cancel, leave "
            "(outside the plan but staying) and skip, and each skipped change with its reason."
        )
    )

    class Meta(ScheduleRunSerializer.Meta):
        fields = [*ScheduleRunSerializer.Meta.fields, "changes"]
        read_only_fields = fields

    def get_changes(self, obj) -> dict:
        from matchmaking.services.scheduling import schedule_run_preview

        if obj.status != ScheduleRun.Status.DRAFT:
            return {}
        return schedule_run_preview(run=obj)


class ScheduleRunCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    time_limit = NumberField(min_value=1, max_value=3600, required=False, default=60)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, default=0)
    pin_participant_bookings = StrictBooleanField(
        required=False,
        default=True,
        help_text="Keep meetings participants booked themselves where they are.",
    )
    minimise_moves = StrictBooleanField(
        required=False,
        default=True,
        help_text=(
            "Move as few planned meetings as possible (before closing idle slots). false: plan "
            "afresh, idle slots first (pinned meetings still stay)."
        ),
    )
    replan_cancelled = StrictBooleanField(
        required=False,
        default=False,
        help_text=(
            "Plan again the accepted requests whose meeting a participant or an organiser "
            "cancelled. false: those stay cancelled (meetings the system cancelled, e.g. after "
            "an availability change, are always planned again)."
        ),
    )
    fair_weight_share = NumberField(
        min_value=0,
        max_value=0.05,
        required=False,
        default=0.0,
        help_text=(
            "Share of the total request weight (0 to 0.05) the scheduler may give up so that "
            "participants left without any meeting get one. 0: the highest total weight first."
        ),
    )


class RecommendedParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField()
    city = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())


class RecommendationSerializer(serializers.Serializer):
    participant = RecommendedParticipantSerializer()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    saved = serializers.BooleanField(
        allow_null=True,
        help_text="Whether I saved this person (my shortlist); null for organisers, who do not "
        "see participants' shortlists.",
    )
    reasons = serializers.DictField(
        help_text=(
            "shared_sectors, related_sectors, sectors_inferred, need_to_offer and offer_to_need "
            "(the best-matching phrase pairs; null when no pair matches clearly), shared_need "
            "(when no need meets an offer: the closest needs of the two, {need, their_need, "
            "similarity}; null likewise), languages (common, note), signals"
        )
    )


class RecommendationQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=20)
    kind = serializers.MultipleChoiceField(choices=Participant.Kind.choices, required=False)
    participant = IdField(required=False, help_text="Organisers only.")


class SearchQuerySerializer(serializers.Serializer):
    need = serializers.CharField(
        max_length=300,
        help_text="What I am looking for, in my words and in any of the fair's languages (each "
        "line one need).",
        error_messages={
            "required": gettext_lazy("Say what you are looking for: ?need=..."),
            "blank": gettext_lazy("Say what you are looking for: ?need=..."),
            "max_length": "A search holds at most 300 characters.",
        },
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=20)
    kind = serializers.MultipleChoiceField(choices=Participant.Kind.choices, required=False)


class SearchResultSerializer(serializers.Serializer):
    participant = RecommendedParticipantSerializer()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    saved = serializers.BooleanField(
        allow_null=True, help_text="Whether I saved this person; null for organisers."
    )
    reasons = serializers.DictField(
        help_text="offer ({need, offer, similarity}: the part of my search and the offer of "
        "theirs that meets it; null when none clearly does), shared_sectors (the sectors read "
        "in my search that they have too), languages ({common}), signals"
    )


class MarkedParticipantSerializer(RecommendedParticipantSerializer):
    attending = serializers.BooleanField(
        help_text="false once they said they no longer come (they stay on the list)."
    )


class MarkSerializer(serializers.Serializer):
    """Someone I saved or hid."""

    participant = serializers.SerializerMethodField()
    mark = serializers.CharField(source="kind")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(MarkedParticipantSerializer)
    def get_participant(self, mark):
        return _person_attending(mark.candidate)


def _person_attending(person) -> dict:
    """Who someone is, and whether they still come (a mark's or a conversation's other side)."""
    return MarkedParticipantSerializer(
        {**selectors.person_summary(person), "attending": person.withdrawn_at is None}
    ).data


class MarkUpdateSerializer(RefusesUnknownFields, serializers.Serializer):
    answer_only_fields = ("participant", "created_at", "updated_at")

    mark = serializers.ChoiceField(
        choices=Mark.Kind.choices,
        error_messages={"invalid_choice": '"{input}" is not a mark: use "saved" or "hidden".'},
        help_text='saved: on my shortlist; hidden: "not interested", left out of my '
        "recommendations.",
    )


class MarkQuerySerializer(serializers.Serializer):
    mark = serializers.ChoiceField(
        choices=Mark.Kind.choices,
        required=False,
        error_messages={"invalid_choice": '"{input}" is not a mark: use "saved" or "hidden".'},
    )


class MessageSerializer(serializers.Serializer):
    """One message between me and someone I am in touch with."""

    id = serializers.IntegerField()
    sender = serializers.IntegerField(source="sender_id")
    recipient = serializers.IntegerField(source="recipient_id")
    mine = serializers.SerializerMethodField(help_text="Whether I wrote it.")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(
        allow_null=True, help_text="When its recipient opened the conversation after it."
    )

    def get_mine(self, message) -> bool:
        me = self.context.get("participant")
        return me is not None and message.sender_id == me.pk


class MessageSendSerializer(RefusesUnknownFields, serializers.Serializer):
    answer_only_fields = ("id", "sender", "recipient", "mine", "created_at", "read_at")

    body = serializers.CharField(
        max_length=MESSAGE_BODY_LIMIT,
        trim_whitespace=True,
        error_messages={
            "blank": "Write a message first: it is empty.",
            "max_length": f"A message holds at most {MESSAGE_BODY_LIMIT:,} characters.",
        },
    )


class ConversationSerializer(serializers.Serializer):
    """Someone I exchanged messages with."""

    participant = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    unread = serializers.IntegerField(help_text="Their messages I have not read.")
    in_touch = serializers.BooleanField(
        help_text="Whether we may still write to each other: a request between us is waiting "
        "or accepted, or we share a meeting; false after a decline, and when one of us no "
        "longer comes."
    )

    @extend_schema_field(MarkedParticipantSerializer)
    def get_participant(self, conversation):
        return _person_attending(conversation.other)

    @extend_schema_field(MessageSerializer)
    def get_last_message(self, conversation):
        return MessageSerializer(conversation.last, context=self.context).data


class MessagesReadSerializer(serializers.Serializer):
    read = serializers.IntegerField(help_text="How many of their messages were unread.")
