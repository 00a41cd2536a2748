"""Directory and list filters (django-filter)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from matchmaking.exceptions import InvalidInput
from matchmaking.models import (
    Arrival,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    Participant,
    Slot,
    search_fold,
)
from matchmaking.reasons import no_such
from matchmaking.selectors import pending_now
from ml.taxonomy import SECTOR_IDS

ID_LIMIT = 2**62  # larger than any row id the database holds


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1. One too large for any row matches nothing, as an unknown
    id does (not "Ensure this value is less than or equal to 4611686018427387904.")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is not None and value > ID_LIMIT:
            return qs.none()
        return super().filter(qs, value)


def known_participant(filterset, value) -> int:
    """The id of a participant of the list's event the caller may know of (as ``agenda.ics``
    and ``recommendations`` check it); any other id answers 400 "No participant N in this
    event." naming ``participant``, not an empty list that reads as "no meetings with them"."""
    pid = int(value)
    if pid > ID_LIMIT:  # no row has it: not looked up
        raise no_such("participant", pid, field="participant")
    named = getattr(filterset.request, "event_participant", None)
    if named is not None:
        named(pid, "participant")
    return pid


class _ChoicesField(django_filters.fields.MultipleChoiceField):
    def clean(self, value):
        return super().clean([v for v in (value or []) if v != ""])


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """A repeatable choice (``?status=pending&status=accepted``) whose empty values are left
    out: ``?status=`` is no filter, as an empty ``?date=`` or ``?participant=`` is, rather than
    400 "Select a valid choice.  is not one of the available choices."."""

    field_class = _ChoicesField


class SlotFilter(django_filters.FilterSet):
    date = django_filters.DateFilter(label="Local date in the event's time zone (2018-04-19).")
    part = django_filters.ChoiceFilter(
        choices=[(Slot.MORNING, "morning"), (Slot.AFTERNOON, "afternoon")],
        label="morning or afternoon.",
    )

    class Meta:
        model = Slot
        fields = ["date", "part"]


class ParticipantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label="Search in names, organisations, descriptions, offers and needs."
    )
    kind = ChoicesFilter(choices=Participant.Kind.choices)
    sector = django_filters.ChoiceFilter(
        choices=[(s, s) for s in SECTOR_IDS], method="filter_sector", label="Sector id."
    )
    country = django_filters.CharFilter(
        method="filter_country", label="ISO 3166-1 alpha-2 country code."
    )
    language = django_filters.CharFilter(
        method="filter_language", label="ISO 639 language code, e.g. fr or zgh."
    )
    attending = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_attending",
        label="Organisers: false lists who said they no longer come (participants never see them).",
    )

    arrived_today = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_arrived_today",
        label="Organisers: whether they were marked as arrived at the fair today (event time); "
        "false with attending=true is the entrance desk's list. 403 for participants.",
    )

    class Meta:
        model = Participant
        fields = ["q", "kind", "sector", "country", "language", "attending", "arrived_today"]

    def filter_attending(self, queryset, name, value):
        return queryset.filter(withdrawn_at__isnull=value == "true")

    def filter_arrived_today(self, queryset, name, value):
        from rest_framework.exceptions import PermissionDenied

        view = getattr(self.request, "parser_context", {}).get("view")
        if not getattr(view, "organiser", False):
            raise PermissionDenied("Only organisers see who has arrived at the fair.")
        today = timezone.localtime(timezone.now(), view.event.tz).date()
        arrived = Arrival.objects.filter(participant=OuterRef("pk"), date=today)
        return queryset.filter(Exists(arrived) if value == "true" else ~Exists(arrived))

    def filter_q(self, queryset, name, value):
        # Stored folded by the service that writes profiles: accents and case do not matter,
        # on SQLite and PostgreSQL alike (``search_fold``).
        for word in search_fold(value).split()[:8]:
            queryset = queryset.filter(profile__search_text__contains=word)
        return queryset

    def filter_sector(self, queryset, name, value):
        # JSON arrays are matched on their text form: portable across SQLite and PostgreSQL.
        return queryset.filter(profile__sectors__icontains=f'"{value}"')

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__iexact=value.strip())

    def filter_language(self, queryset, name, value):
        code = value.strip().lower()
        if not code.isalpha():
            return queryset.none()
        return queryset.filter(languages__icontains=f'"{code}"')


class RequestFilter(django_filters.FilterSet):
    status = ChoicesFilter(choices=MeetingRequest.Status.choices, method="filter_status")
    direction = django_filters.ChoiceFilter(
        choices=[("sent", "sent"), ("received", "received")],
        method="filter_direction",
        label="Requests sent or received: by you; organisers, by the participant given.",
    )
    participant = IdFilter(
        method="filter_participant",
        label="Requests this participant sent or received (participants: between you and them).",
    )

    class Meta:
        model = MeetingRequest
        fields = ["status", "direction", "participant"]

    def filter_status(self, queryset, name, value):
        """As the answers show it (``selectors.request_status_now``): a pending request past its
        expiry is expired, before the sweep records it."""
        if not value:
            return queryset
        now = timezone.now()
        pending = MeetingRequest.Status.PENDING
        overdue = Q(status=pending, expires_at__lte=now)
        wanted = Q(pk__in=[])
        for status in value:
            if status == MeetingRequest.Status.EXPIRED:
                wanted |= Q(status=status) | overdue
            elif status == pending:
                wanted |= pending_now(now)
            else:
                wanted |= Q(status=status)
        return queryset.filter(wanted)

    def filter_participant(self, queryset, name, value):
        pid = known_participant(self, value)
        direction = self.form.cleaned_data.get("direction")
        if direction and getattr(self.request, "participant", None) is None:
            # an organiser: the direction is the given participant's
            return queryset.filter(**{"sender_id" if direction == "sent" else "recipient_id": pid})
        return queryset.filter(Q(sender_id=pid) | Q(recipient_id=pid))

    def filter_direction(self, queryset, name, value):
        me = getattr(self.request, "participant", None)
        if me is None:  # an organiser: applied with ``participant``
            if self.form.cleaned_data.get("participant") is None:
                raise InvalidInput(
                    "direction needs participant=ID for organisers: whose sent or received "
                    "requests?",
                    field="direction",
                )
            return queryset
        return queryset.filter(sender=me) if value == "sent" else queryset.filter(recipient=me)


class MeetingFilter(django_filters.FilterSet):
    status = ChoicesFilter(choices=Meeting.Status.choices)
    date = django_filters.DateFilter(field_name="slot__date")
    participant = IdFilter(method="filter_participant")

    class Meta:
        model = Meeting
        fields = ["status", "date", "participant"]

    def filter_participant(self, queryset, name, value):
        pid = known_participant(self, value)
        # A colleague who left a meeting is no longer in it.
        return queryset.filter(Q(seats__participant_id=pid, seats__left=False)).distinct()


class FeedbackFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    participant = IdFilter(method="filter_participant", label="Feedback given by this participant.")
    took_place = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_took_place",
        label="true: those saying the meeting took place; false: those saying it did not.",
    )

    class Meta:
        model = MeetingFeedback
        fields = ["meeting", "participant", "took_place"]

    def filter_participant(self, queryset, name, value):
        return queryset.filter(participant_id=known_participant(self, value))

    def filter_took_place(self, queryset, name, value):
        return queryset.filter(took_place=value == "true")
