"""Thin views: check who asks, validate with a serializer, call one service or selector."""

import contextlib
import re

from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.filters import (
    FeedbackFilter,
    MeetingFilter,
    ParticipantFilter,
    RequestFilter,
    SlotFilter,
)
from api.idempotency import idempotent
from api.parsers import ImportJSONParser
from matchmaking import selectors
from matchmaking.exceptions import (
    AvailabilityChanged,
    Conflict,
    Forbidden,
    InvalidInput,
    MeetingChanged,
    NotFound,
    ProfileChanged,
)
from matchmaking.models import (
    Broadcast,
    Event,
    Mark,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    Message,
    Participant,
    ScheduleRun,
    Slot,
    Table,
)
from matchmaking.reasons import Reason, no_such
from matchmaking.services import arrivals as arrival_services
from matchmaking.services import attendance as attendance_services
from matchmaking.services import availability as availability_services
from matchmaking.services import broadcasts as broadcast_services
from matchmaking.services import events as event_services
from matchmaking.services import feedback as feedback_services
from matchmaking.services import marks as mark_services
from matchmaking.services import meetings as meeting_services
from matchmaking.services import messages as message_services
from matchmaking.services import participants as participant_services
from matchmaking.services import requests as request_services
from matchmaking.services import scheduling as scheduling_services
from matchmaking.services.importer import SkippedLocalTime, event_import, parse_local_datetime
from matchmaking.tasks import refresh_event


def given_list(request, name: str) -> list[str]:
    """A repeatable query parameter's values, the empty ones left out: ``?kind=`` is no filter,
    as an empty ``?q=`` or ``?participant=`` is (an app that clears a filter sends it empty)."""
    return [value for value in request.query_params.getlist(name) if value != ""]


def no_body(request) -> None:
    """An action that takes no body refuses one with fields (``{"bogus": 1}``: 400 naming
    them, nothing written) rather than ignoring it; an empty body or ``{}`` is fine."""
    s.NoBodySerializer(data=request.data).is_valid(raise_exception=True)


SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Event slug.")
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The meeting\'s ETag as you read it (`"3"`, its `version`): a meeting changed '
    "since is left as it is, 412 `meeting_changed`. Absent (or `*`): no check.",
)


IF_MATCH_TIMES = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the participant's times as you read them (`GET` gives it): times "
    "someone changed since are left as they are, 412 `availability_changed`. Absent (or `*`): "
    "no check, the last change wins.",
)
IF_MATCH_PROFILE = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of your profile as you read it (`GET` and every `PATCH` give it): a "
    "profile changed since (in another app, by the organisers) is left as it is, 412 "
    "`profile_changed` with the current `etag`. Absent (or `*`): no check, the last change wins.",
)


class IsOrganiser(permissions.BasePermission):
    """An organiser account; on a path with an event's slug, one on that event's team (an
    unknown slug is left to the view, which answers 404)."""

    message = "Only organisers can do this."

    def has_permission(self, request, view):
        user = request.user
        if not selectors.is_organiser_account(user):
            return False
        slug = view.kwargs.get("slug")
        event = Event.objects.filter(slug=slug).first() if slug is not None else None
        if event is None:
            return True
        organiser = selectors.organises(user=user, event=event)
        view.checked_team = (event, organiser)  # EventScoped reuses both (one view per request)
        if organiser:
            return True
        self.message = NOT_ON_TEAM.format(slug=event.slug)
        self.code = "not_event_organiser"
        return False


NOT_ON_TEAM = 'You are not on the organiser team of "{slug}": ask one of its organisers to add you.'


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Events: public list and detail; organisers import and export."""

    lookup_field = "slug"
    queryset = Event.objects.prefetch_related("sessions").order_by("slug")
    permission_classes = [permissions.AllowAny]

    def get_serializer_class(self):
        return s.EventListSerializer if self.action == "list" else s.EventSerializer

    def get_permissions(self):
        if self.action == "partial_update":
            return [IsOrganiser()]
        return super().get_permissions()

    @extend_schema(
        request=s.EventSettingsSerializer,
        responses=s.EventSerializer,
        description="Organisers change the event's name, its booking window (opens / closes; "
        "null for no limit; a time without an offset is the event's local time) or how long a "
        "request waits for an answer. Requests already sent keep their expiry.",
    )
    def partial_update(self, request, slug=None):
        event = selectors.event_get(slug=slug)
        data = request.data
        if isinstance(data, dict):  # the GET answer sent back: what it cannot change, unchanged
            now = s.EventSerializer(event).data
            data = {
                k: v
                for k, v in data.items()
                if k not in s.EventSettingsSerializer.read_only or now.get(k) != v
            }
            for key in ("booking_opens", "booking_closes"):  # local times as the import reads them
                value = data.get(key)
                if not isinstance(value, str) or not value:
                    continue
                try:
                    data[key] = parse_local_datetime(value, event.tz).isoformat()
                except SkippedLocalTime as exc:
                    raise InvalidInput(f"{exc}.", field=key) from exc
                except ValueError:
                    continue  # the serializer says what is wrong with its form
        form = s.EventSettingsSerializer(data=data)
        with timezone.override(event.tz):  # a time without an offset is the event's
            form.is_valid(raise_exception=True)
        event_services.event_settings_update(event=event, **form.validated_data)
        return Response(s.EventSerializer(self.get_queryset().get(pk=event.pk)).data)

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: s.ImportResultSerializer},
        parameters=[
            OpenApiParameter(
                "replace", OpenApiTypes.BOOL, description="Overwrite an event of the same slug."
            )
        ],
        description="Import one event document (see docs/import-format.md). All or nothing.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        permission_classes=[IsOrganiser],
        parser_classes=[ImportJSONParser],
    )
    def import_(self, request):
        if isinstance(request.data, QueryDict):
            # an empty form or multipart body gets here as an empty QueryDict, unparsed
            raise UnsupportedMediaType(
                request.content_type,
                detail="The import takes one JSON document (Content-Type: application/json).",
            )
        given = request.query_params.get("replace", "false").strip().lower()
        if given not in {"1", "true", "yes", "0", "false", "no"}:
            raise InvalidInput(
                f"replace must be true or false, not {given[:20]!r}.", field="replace"
            )
        event = event_import(
            data=request.data, replace=given in {"1", "true", "yes"}, by=request.user
        )
        # Vectors and recommendation lists for everyone, in the background (a Celery task). The
        # event is stored by then: a failing refresh (no broker, an encoder not installed) is
        # logged, not turned into a 500 for an import that worked; the periodic refresh retries.
        transaction.on_commit(lambda: refresh_event.delay(event_id=event.pk), robust=True)
        body = {
            "slug": event.slug,
            "participants": event.participants.count(),
            "requests": event.requests.count(),
            "meetings": event.meetings.count(),
            "slots": event.slots.count(),
            # open requests no slot still to come can hold (the two are never there together)
            "never_bookable": selectors.requests_never_bookable(event=event, limit=0)[0],
            "replaced": event.replaced,
        }
        return Response(s.ImportResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="The event in the import format, with meetings.",
    )
    @action(detail=True, methods=["get"], permission_classes=[IsOrganiser])
    def export(self, request, slug=None):
        return Response(selectors.event_export(event=selectors.event_get(slug=slug)))


# the parameter a browser client adds to defeat caches (jQuery's ``cache: false`` sends
# ``_=<timestamp>``): read by nothing, refused by no list
CACHE_BUSTER = "_"


class EventScoped:
    """Resolves the event from the URL and who asks: an organiser or one of its participants."""

    event: Event
    participant: Participant | None
    organiser: bool

    #: query-string parameters a GET of this view reads besides its filters and pages
    query_params: tuple[str, ...] = ()

    def _lists(self) -> bool:
        return isinstance(self, GenericAPIView) and getattr(self, "action", "list") == "list"

    def known_query_params(self) -> set[str]:
        """What a GET of this view reads from the query string: DRF's ``format``, the view's
        own ``query_params`` and, for a list, its filters and ``page`` / ``page_size``."""
        known = {"format", *self.query_params}
        if self._lists():
            paginator = self.paginator
            if paginator is not None:
                known |= {paginator.page_query_param, paginator.page_size_query_param}
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                known |= set(filterset.base_filters)
        return known

    def refuse_unknown_query_params(self, request) -> None:
        """A GET with a query parameter the view does not read answers 400 naming it, as a
        body's unknown field does: ignored, ``/slots/?date=`` gave every day's slots and
        ``?ordering=`` the list in its own order, with a 200 that read as done. Only the views
        that read a query string (lists, and those naming their ``query_params``) check it: one
        object's address reads none, and answers as it did whatever the query holds. Exactly
        ``_`` (``CACHE_BUSTER``) is ignored: a browser's cache-buster, not a typo."""
        if request.method not in ("GET", "HEAD") or not (self._lists() or self.query_params):
            return
        unknown = sorted(set(request.query_params) - self.known_query_params() - {CACHE_BUSTER})
        if unknown:
            raise InvalidInput(
                gettext("Unknown query parameter: %(name)s. This address reads: %(known)s.")
                % {"name": unknown[0][:50], "known": ", ".join(sorted(self.known_query_params()))},
                field=unknown[0][:50],
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        checked = getattr(self, "checked_team", None)  # by IsOrganiser, before this
        if checked is not None:
            self.event, self.organiser = checked
        else:
            self.event = selectors.event_get(slug=kwargs["slug"])
            self.organiser = selectors.organises(user=request.user, event=self.event)
        self.participant = (
            None
            if self.organiser
            else selectors.participant_of(event=self.event, user=request.user)
        )
        request.participant = self.participant
        # the list filters that take a participant id check it as the views do (api.filters)
        request.event_participant = self._participant
        if not self.organiser and self.participant is None and self.needs_membership:
            if selectors.is_organiser_account(request.user):
                raise Forbidden(
                    NOT_ON_TEAM.format(slug=self.event.slug), code="not_event_organiser"
                )
            raise Forbidden(gettext("You are not a participant of this event."))
        self.refuse_unknown_query_params(request)

    needs_membership = True

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["participant"] = getattr(self, "participant", None)
        return context

    def actor(self) -> meeting_services.Actor:
        return meeting_services.Actor(
            user=self.request.user, participant=self.participant, organiser=self.organiser
        )

    def _participant(self, pk: int, field: str) -> Participant:
        person = (
            Participant.objects.select_related("organisation", "fixed_table", "event")
            .filter(event=self.event, pk=pk)
            .first()
        )
        if person is None or not self._may_know(person):
            raise no_such("participant", pk, field=field)
        return person

    def _may_know(self, person: Participant) -> bool:
        """Whether the caller may learn that ``person`` exists although they no longer come:
        organisers, and a participant who dealt with them (``selectors.knows_of``); to anyone
        else they are an unknown id."""
        if self.organiser or self.participant is None:
            return True
        return selectors.may_know(participant=self.participant, other=person)


@extend_schema(parameters=[SLUG])
class SlotViewSet(EventScoped, viewsets.ReadOnlyModelViewSet):
    """The event's time slots (public)."""

    serializer_class = s.SlotSerializer
    permission_classes = [permissions.AllowAny]
    needs_membership = False
    filterset_class = SlotFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Slot.objects.none()
        return selectors.slots_of(event=self.event)


_PARTICIPANT_SHAPES = PolymorphicProxySerializer(
    component_name="DirectoryParticipant",
    serializers=[s.ParticipantSerializer, s.OrganiserParticipantSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(
        responses=_PARTICIPANT_SHAPES,
        description="Participants see the directory's fields; organisers also each one's "
        "email, ref, max_meetings and accepts_same_kind.",
    ),
    retrieve=extend_schema(responses=_PARTICIPANT_SHAPES),
)
@extend_schema(parameters=[SLUG])
class ParticipantViewSet(EventScoped, viewsets.ReadOnlyModelViewSet):
    """The directory: search and filter the event's participants."""

    filterset_class = ParticipantFilter

    def get_serializer_class(self):
        if getattr(self, "organiser", False):
            return s.OrganiserParticipantSerializer
        return s.ParticipantSerializer

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            pk = str(self.kwargs.get("pk", ""))
            gone = (
                Participant.objects.filter(event=self.event, pk=int(pk), withdrawn_at__isnull=False)
                .only("name", "organisation_id", "withdrawn_at")
                .first()
                if pk.isascii() and pk.isdigit() and len(pk) < 19  # an id the database can hold
                else None
            )
            # someone they asked, met, booked or marked: say why; to anyone else, as unknown
            if gone is not None and self._may_know(gone):
                reason = Reason("participant_withdrew", {"name": gone.name})
                raise NotFound(reason.english(), reason=reason) from None
            raise

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Participant.objects.none()
        # organisers see who no longer comes too (``attending``), participants do not
        # a participant's list leaves out who takes no meetings (one entry still answers)
        searching = getattr(self, "action", None) == "list"
        return selectors.directory(
            event=self.event,
            with_withdrawn=getattr(self, "organiser", False),
            searcher=getattr(self, "participant", None) if searching else None,
        )


@extend_schema(parameters=[SLUG])
class MeView(EventScoped, APIView):
    """My participant profile in this event."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request, slug):
        return self._show(self._me())

    @extend_schema(
        request=s.ProfileUpdateSerializer, responses=s.MeSerializer, parameters=[IF_MATCH_PROFILE]
    )
    def patch(self, request, slug):
        me = self._me()
        form = s.ProfileUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        expected = if_match_tag(
            request, thing="profile", current=lambda: f'"{selectors.profile_key(me)}"'
        )
        with precondition(in_header=True):
            participant_services.profile_update(
                participant=me, data=form.validated_data, expected_key=expected
            )
        return self._show(selectors.participant_of(event=self.event, user=request.user))

    def _show(self, me: Participant) -> Response:
        """The profile, with its key as the ETag: send it back in If-Match when you change it."""
        response = Response(s.MeSerializer(me, context={"request": self.request}).data)
        response["ETag"] = f'"{selectors.profile_key(me)}"'
        return response

    def _me(self) -> Participant:
        if self.participant is None:
            raise NotFound("Organisers have no participant profile in this event.")
        return self.participant


class _Whose:
    """The participant a ``me/...`` route or a ``participants/{id}/...`` route is about."""

    def _me(self) -> Participant:
        if self.participant is None:
            tail = self.request.path.rsplit("/me/", 1)[-1]
            raise NotFound(
                f"Organisers have no participant profile in this event; use "
                f"/participants/{{id}}/{tail}."
            )
        return self.participant

    def _person(self, pk: int) -> Participant:
        person = Participant.objects.filter(event=self.event, pk=pk).first()
        if person is None:
            raise no_such("participant", pk, NotFound)
        return person


class _AvailabilityEndpoint(_Whose):
    """GET the periods, PUT new ones (shared by the participant's and the organiser's routes).
    The answers' ETag is the periods' key; a PUT with it in ``If-Match`` is refused (412
    ``availability_changed``) when the periods changed since."""

    def _periods(self, person: Participant):
        return selectors.availability_of(participant=person)["periods"]

    def _show(self, person: Participant, change=None) -> Response:
        data = selectors.availability_of(participant=person)
        periods = [{"start": a, "end": b} for a, b in data["periods"]]
        body = {"periods": periods, "slots": data["slots"]}
        if change is None:
            response = Response(s.AvailabilitySerializer(body).data)
        else:
            body["cancelled_meetings"] = change.cancelled
            body["left_meetings"] = change.left
            response = Response(s.AvailabilityChangedSerializer(body).data)
        # the ETag is the key the console's Times card checks: send it back in If-Match
        response["ETag"] = f'"{selectors.availability_key(data["periods"])}"'
        return response

    def _replace(self, request, person: Participant) -> Response:
        form = s.AvailabilityUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        periods = availability_services.parse_periods(form.validated_data["periods"], self.event.tz)
        expected = if_match_tag(
            request,
            thing="participant's times",
            current=lambda: f'"{selectors.availability_key(self._periods(person))}"',
        )
        with precondition(in_header=True):
            change = availability_services.availability_replace(
                participant=person,
                periods=periods,
                actor=self.actor(),
                cancel_conflicting=form.validated_data["cancel_conflicting"],
                expected_key=expected,
            )
        return self._show(person, change=change)


@extend_schema(parameters=[SLUG])
class MyAvailabilityView(_AvailabilityEndpoint, EventScoped, APIView):
    """When I am at the fair. Meetings are only booked, and people only recommended to each
    other, inside both sides' periods."""

    @extend_schema(responses=s.AvailabilitySerializer)
    def get(self, request, slug):
        return self._show(self._me())

    @extend_schema(
        request=s.AvailabilityUpdateSerializer,
        responses=s.AvailabilityChangedSerializer,
        parameters=[IF_MATCH_TIMES],
    )
    def put(self, request, slug):
        return self._replace(request, self._me())


@extend_schema(parameters=[SLUG])
class ParticipantAvailabilityView(_AvailabilityEndpoint, EventScoped, APIView):
    """Any participant's availability (organisers)."""

    permission_classes = [IsOrganiser]

    @extend_schema(responses=s.AvailabilitySerializer)
    def get(self, request, slug, pk):
        return self._show(self._person(pk))

    @extend_schema(
        request=s.AvailabilityUpdateSerializer,
        responses=s.AvailabilityChangedSerializer,
        parameters=[IF_MATCH_TIMES],
    )
    def put(self, request, slug, pk):
        return self._replace(request, self._person(pk))


class _AttendanceEndpoint(_Whose):
    """GET whether the participant comes, PUT a change (the participant's and the organiser's
    routes)."""

    def _show(self, person: Participant, change=None) -> Response:
        body = {"attending": person.attending, "withdrawn_at": person.withdrawn_at}
        if change is None:
            return Response(s.AttendanceSerializer(body).data)
        body.update(
            cancelled_meetings=change.cancelled_meetings,
            left_meetings=change.left_meetings,
            withdrawn_requests=change.withdrawn_requests,
        )
        return Response(s.AttendanceChangedSerializer(body).data)

    def _change(self, request, person: Participant) -> Response:
        form = s.AttendanceUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # idempotent: the state they already have answers 200 with it, nothing cancelled again
        if form.validated_data["attending"]:
            change = attendance_services.attendance_resume(participant=person)
        else:
            change = attendance_services.attendance_withdraw(participant=person, actor=self.actor())
        return self._show(person, change=change)


@extend_schema(parameters=[SLUG])
class MyAttendanceView(_AttendanceEndpoint, EventScoped, APIView):
    """Whether I come to the fair. Saying I no longer come cancels my meetings still to come
    and my open requests (the other side is told); saying I come after all brings nothing
    back."""

    @extend_schema(responses=s.AttendanceSerializer)
    def get(self, request, slug):
        return self._show(self._me())

    @extend_schema(request=s.AttendanceUpdateSerializer, responses=s.AttendanceChangedSerializer)
    def put(self, request, slug):
        return self._change(request, self._me())


@extend_schema(parameters=[SLUG])
class ParticipantAttendanceView(_AttendanceEndpoint, EventScoped, APIView):
    """Whether a participant comes (organisers: a participant who called to say they no longer
    come)."""

    permission_classes = [IsOrganiser]

    @extend_schema(responses=s.AttendanceSerializer)
    def get(self, request, slug, pk):
        return self._show(self._person(pk))

    @extend_schema(request=s.AttendanceUpdateSerializer, responses=s.AttendanceChangedSerializer)
    def put(self, request, slug, pk):
        return self._change(request, self._person(pk))


class _ArrivalEndpoint(_Whose):
    """GET whether the participant arrived at the fair today, POST to mark it (idempotent: the
    first mark stays), DELETE (organisers) to take it back."""

    def _show(self, person: Participant, status_code: int = 200) -> Response:
        today = timezone.localtime(timezone.now(), self.event.tz).date()
        found = selectors.arrival_of(participant=person, day=today)
        body = {
            "date": today,
            "arrived": found is not None,
            "at": found.at if found else None,
            "by_self": bool(found) and found.by_id is None,
        }
        return Response(s.ArrivalSerializer(body).data, status=status_code)

    def _mark(self, request, person: Participant) -> Response:
        no_body(request)
        _arrival, created = arrival_services.arrival_mark(participant=person, actor=self.actor())
        return self._show(person, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(parameters=[SLUG])
class MyArrivalView(_ArrivalEndpoint, EventScoped, APIView):
    """Whether I arrived at the fair today; POST says "I'm here" (on a fair day)."""

    @extend_schema(responses=s.ArrivalSerializer)
    def get(self, request, slug):
        return self._show(self._me())

    @extend_schema(request=None, responses={200: s.ArrivalSerializer, 201: s.ArrivalSerializer})
    def post(self, request, slug):
        return self._mark(request, self._me())


@extend_schema(parameters=[SLUG])
class ParticipantArrivalView(_ArrivalEndpoint, EventScoped, APIView):
    """Whether a participant arrived at the fair today (organisers, the entrance desk): POST
    marks it (201, or 200 when it was already), DELETE takes it back (204)."""

    permission_classes = [IsOrganiser]

    @extend_schema(responses=s.ArrivalSerializer)
    def get(self, request, slug, pk):
        return self._show(self._person(pk))

    @extend_schema(request=None, responses={200: s.ArrivalSerializer, 201: s.ArrivalSerializer})
    def post(self, request, slug, pk):
        return self._mark(request, self._person(pk))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, pk):
        arrival_services.arrival_undo(participant=self._person(pk), actor=self.actor())
        return Response(status=status.HTTP_204_NO_CONTENT)


class _MyOwn(EventScoped):
    """Routes of what is a participant's own and shown to nobody else (organisers get 404,
    saying ``private``), about another participant (``pk``)."""

    private = ""

    def _mine(self) -> Participant:
        if self.participant is None:
            raise NotFound(f"Organisers have no participant profile in this event; {self.private}")
        return self.participant

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if kwargs.get("pk", 0) > 2**62:  # no id the database can hold
            raise no_such("participant", kwargs["pk"], NotFound)


class _MyMarks(_MyOwn):
    """The routes of my marks."""

    private = "saved and hidden people are each participant's own and are not shown to anyone else."


@extend_schema(parameters=[SLUG])
class MyMarksView(_MyMarks, GenericAPIView):
    """The people I saved (my shortlist) or hid ("not interested"), last marked first."""

    query_params = ("mark",)

    serializer_class = s.MarkSerializer
    queryset = Mark.objects.none()  # the schema's model; the rows come from the selector

    @extend_schema(parameters=[s.MarkQuerySerializer], responses=s.MarkSerializer(many=True))
    def get(self, request, slug):
        query = s.MarkQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        marks = selectors.marks_of(participant=self._mine(), kind=query.validated_data.get("mark"))
        page = self.paginate_queryset(marks)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(parameters=[SLUG])
class MyMarkView(_MyMarks, APIView):
    """My mark on one participant (``pk``: their id): save them, hide them, or take it away."""

    def _show(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        mark = selectors.marks_of(participant=self._mine()).filter(candidate_id=pk).first()
        if mark is None:
            raise NotFound(
                f"You have neither saved nor hidden participant {pk}.", code="not_marked"
            )
        return Response(s.MarkSerializer(mark).data, status=code)

    @extend_schema(responses=s.MarkSerializer)
    def get(self, request, slug, pk):
        return self._show(pk)

    @extend_schema(
        request=s.MarkUpdateSerializer,
        responses={200: s.MarkSerializer, 201: s.MarkSerializer},
        description='Save someone ("saved": on my shortlist) or say I am not interested '
        '("hidden": they leave my recommendations); a mark already there takes the new one. '
        "201 when the mark is new.",
    )
    def put(self, request, slug, pk):
        form = s.MarkUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        _mark, was = mark_services.mark_set(
            participant=self._mine(), candidate_id=pk, kind=form.validated_data["mark"]
        )
        return self._show(pk, status.HTTP_201_CREATED if was is None else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, pk):
        mark_services.mark_clear(participant=self._mine(), candidate_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _MyMessages(_MyOwn):
    """The routes of my messages: between me and the people I am in touch with."""

    private = "participants' messages are theirs and are not shown to anyone else."

    def _other(self, pk: int) -> int:
        if not Participant.objects.filter(event=self.event, pk=pk).exists():
            raise no_such("participant", pk, NotFound)
        return pk


@extend_schema(parameters=[SLUG])
class MyConversationsView(_MyMessages, GenericAPIView):
    """The people I exchanged messages with, the latest conversation first, with the last
    message and how many of theirs I have not read."""

    serializer_class = s.ConversationSerializer
    queryset = Message.objects.none()  # the schema's model; the rows come from the selector

    @extend_schema(responses=s.ConversationSerializer(many=True))
    def get(self, request, slug):
        page = self.paginate_queryset(selectors.conversations_of(participant=self._mine()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(parameters=[SLUG])
class MyMessagesView(_MyMessages, GenericAPIView):
    """My messages with one participant (``pk``: their id), the latest first; POST writes to
    them."""

    serializer_class = s.MessageSerializer
    queryset = Message.objects.none()

    @extend_schema(responses=s.MessageSerializer(many=True))
    def get(self, request, slug, pk):
        thread = selectors.messages_between(participant=self._mine(), other_id=self._other(pk))
        page = self.paginate_queryset(thread.reverse())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=s.MessageSendSerializer,
        responses={201: s.MessageSerializer},
        description="Write to someone I am in touch with: a meeting request between us is "
        "waiting or accepted, or we share a meeting. They are emailed for the first message "
        "they have not read from me. Refused (409) when we are not in touch "
        "(`not_in_touch`), one of us no longer comes, or after five messages in a row without "
        "an answer (`wait_for_answer`). Send an Idempotency-Key so that a retry does not send "
        "it twice.",
    )
    @idempotent
    def post(self, request, slug, pk):
        form = s.MessageSendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        me = self._mine()
        message, _new = message_services.message_send(
            sender=me, recipient_id=pk, body=form.validated_data["body"]
        )
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG])
class MyMessagesReadView(_MyMessages, APIView):
    """Mark what one participant (``pk``) wrote to me as read, as opening the conversation on
    the pages does; their next message is emailed to me again."""

    @extend_schema(request=None, responses=s.MessagesReadSerializer)
    def post(self, request, slug, pk):
        me, other = self._mine(), self._other(pk)
        no_body(request)
        count = message_services.messages_read(participant=me, other_id=other)
        return Response(s.MessagesReadSerializer({"read": count}).data)


@extend_schema(parameters=[SLUG])
class EventOrganisersView(EventScoped, APIView):
    """The event's organiser team (its organisers): list it, add an organiser account."""

    permission_classes = [IsOrganiser]

    @extend_schema(responses=s.OrganiserSerializer(many=True))
    def get(self, request, slug):
        team = selectors.event_organisers(event=self.event)
        return Response(s.OrganiserSerializer(team, many=True).data)

    @extend_schema(request=s.OrganiserAddSerializer, responses=s.OrganiserSerializer(many=True))
    def post(self, request, slug):
        form = s.OrganiserAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        name = form.validated_data["account"]
        user = selectors.organiser_account_named(name=name)
        if user is None:
            raise InvalidInput(
                f"No organiser account is called {name[:150]!r}; an administrator makes "
                "organiser (staff) accounts in the admin.",
                field="account",
            )
        event_services.event_organiser_add(event=self.event, user=user)
        team = selectors.event_organisers(event=self.event)
        return Response(s.OrganiserSerializer(team, many=True).data)


@extend_schema(parameters=[SLUG])
class EventOrganiserView(EventScoped, APIView):
    """One member of the event's organiser team: take them off it (the last who can still
    organise stays: 409 last_organiser)."""

    permission_classes = [IsOrganiser]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, pk):
        user = self.event.organisers.filter(pk=pk).first()
        if user is None:
            raise NotFound(f"No organiser {pk} on this event's team.")
        event_services.event_organiser_remove(event=self.event, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[SLUG])
class MyCalendarLinkView(_Whose, EventScoped, APIView):
    """A new secret address for my calendar feed: the old one stops working (it leaked, or was
    shared by mistake)."""

    @extend_schema(request=None, responses=s.CalendarLinkSerializer)
    def post(self, request, slug):
        me = self._me()
        no_body(request)
        return _renewed_calendar_link(request, me)


@extend_schema(parameters=[SLUG])
class ParticipantCalendarLinkView(_Whose, EventScoped, APIView):
    """A new secret calendar-feed address for any participant (organisers)."""

    permission_classes = [IsOrganiser]

    @extend_schema(request=None, responses=s.CalendarLinkSerializer)
    def post(self, request, slug, pk):
        person = self._person(pk)
        no_body(request)
        return _renewed_calendar_link(request, person)


def _renewed_calendar_link(request, person: Participant) -> Response:
    person = participant_services.calendar_link_renew(participant=person)
    return Response(s.CalendarLinkSerializer(person, context={"request": request}).data)


@extend_schema(parameters=[SLUG])
class RequestViewSet(
    EventScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Meeting requests I sent or received (organisers: all)."""

    serializer_class = s.MeetingRequestSerializer
    filterset_class = RequestFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetingRequest.objects.none()
        requests = selectors.requests_of(event=self.event, participant=self.participant)
        return selectors.with_live_meeting(requests)

    @extend_schema(request=s.RequestCreateSerializer, responses={201: s.MeetingRequestSerializer})
    @idempotent
    def create(self, request, slug):
        form = s.RequestCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if self.organiser:
            if "sender" not in data:
                raise InvalidInput("Organisers must say who sends the request.", field="sender")
            sender = self._participant(data["sender"], "sender")
        else:
            if "sender" in data and data["sender"] != self.participant.pk:
                raise Forbidden(gettext("You can only send requests in your own name."))
            sender = self.participant
        recipient = self._participant(data["recipient"], "recipient")
        slot = None
        if data.get("slot") is not None:
            slot = Slot.objects.filter(event=self.event, pk=data["slot"]).first()
            if slot is None:
                raise no_such("slot", data["slot"], field="slot")
        created = request_services.request_create(
            sender=sender,
            recipient=recipient,
            message=data["message"],
            priority=data["priority"],
            session=data["session"],
            by_organiser=self.organiser,
            slot=slot,
        )
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def _answer(self, service, req=None, **extra):
        req = req if req is not None else self.get_object()
        done = service(request=req, by=self.participant, **extra)
        return Response(self.get_serializer(done).data)

    @extend_schema(
        request=s.AcceptSerializer,
        responses=s.AcceptedRequestSerializer,
        description="Accept a pending request; a proposed time still free for both is booked "
        "at once (`meeting`: the meeting booked, else null, and `unbooked` says why and what "
        "happens next). A participant at their own meeting limit is refused (409 "
        "`limit_reached`); organisers accepting for them are not. With `slot`, accept at that "
        "time instead: the meeting is booked then with the acceptance, or nothing is done (409 "
        "`time_not_free`, `slot_passed`, `booking_closed`; 400 naming `slot` for a slot not of "
        "this event or outside the requested part of the day) and the request stays pending.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, slug, pk=None):
        req = self.get_object()  # someone else's request: 404 whatever the body holds
        form = s.AcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        slot = None
        if form.validated_data.get("slot") is not None:
            slot = Slot.objects.filter(event=self.event, pk=form.validated_data["slot"]).first()
            if slot is None:
                raise no_such("slot", form.validated_data["slot"], field="slot")
        done = request_services.request_accept(
            request=req, by=self.participant, user=request.user, slot=slot
        )
        context = {**self.get_serializer_context(), "by_organiser": bool(self.organiser)}
        return Response(s.AcceptedRequestSerializer(done, context=context).data)

    @extend_schema(
        request=s.ReasonSerializer,
        responses=s.MeetingRequestSerializer,
        description="Decline a pending request, with an optional `reason` quoted in the "
        "sender's email.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def decline(self, request, slug, pk=None):
        req = self.get_object()  # someone else's request: 404 whatever the body holds
        form = s.ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            request_services.request_decline, req=req, reason=form.validated_data["reason"]
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, slug, pk=None):
        req = self.get_object()  # someone else's request: 404 whatever the body holds
        form = s.ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            request_services.request_cancel,
            req=req,
            user=request.user,
            reason=form.validated_data["reason"],
        )


@extend_schema(parameters=[SLUG])
class MeetingViewSet(EventScoped, viewsets.ReadOnlyModelViewSet):
    """My meetings (organisers: all), booking and changes."""

    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter

    @staticmethod
    def replay_etag(body) -> str | None:
        """A replayed answer (``Idempotency-Key``) carries the meeting's ETag, as the first."""
        return f'"{body["version"]}"' if isinstance(body, dict) and "version" in body else None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return selectors.meetings_of(event=self.event, participant=self.participant)

    def _slot(self, pk: int) -> Slot:
        slot = Slot.objects.filter(event=self.event, pk=pk).first()
        if slot is None:
            raise no_such("slot", pk, field="slot")
        return slot

    def _table(self, name: str | None) -> Table | None:
        if not name:
            return None
        if not self.organiser:
            raise Forbidden("Only organisers choose tables; participants get a free one.")
        table = selectors.table_named(event=self.event, name=name)
        if table is None:
            raise InvalidInput(f'No table named "{name}" in this event.', field="table")
        return table

    def _reply(self, meeting: Meeting, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.meetings_of(event=self.event, participant=self.participant).get(
            pk=meeting.pk
        )
        return _tagged(Response(self.get_serializer(fresh).data, status=code), fresh)

    @extend_schema(
        description="One meeting. Its `ETag` header is its `version`: send it back in "
        "`If-Match` (or as `version` in the body) when you move or cancel it, and a meeting "
        "someone changed since is left as it is."
    )
    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_object()
        return _tagged(Response(self.get_serializer(meeting).data), meeting)

    def _expected_version(self, meeting: Meeting, body_version: int | None) -> int | None:
        """The version the caller was shown: ``If-Match`` (the ETag of ``retrieve``) or the
        body's ``version``; None when it names none (no check, as before versions existed).
        ``If-Match: *`` names none. An ETag that is not one of a meeting's can never match:
        412 at once, nothing written."""
        value = if_match_tag(self.request, thing="meeting", current=lambda: f'"{meeting.version}"')
        if value is None:
            return body_version
        # ASCII digits only: "²".isdigit() holds, and int() refuses it
        version = int(value) if re.fullmatch(r"[0-9]{1,11}", value) else None
        if version is None:
            header = self.request.headers.get("If-Match", "").strip()
            exc = MeetingChanged(
                f"If-Match: {_short_header(header)} is not an ETag of this meeting; its ETag is "
                f'"{meeting.version}". Reload it and try again; nothing was changed.',
                extra={"version": meeting.version},
            )
            exc.status = status.HTTP_412_PRECONDITION_FAILED
            raise exc
        if body_version is not None and body_version != version:
            raise InvalidInput(
                f"If-Match names version {version} and the body version {body_version}: send "
                "one of them.",
                field="version",
            )
        self._version_in_header = True
        return version

    def _precondition(self):
        """A stale version sent in ``If-Match`` answers 412 Precondition Failed (RFC 9110);
        one sent in the body, 409 Conflict."""
        return precondition(in_header=getattr(self, "_version_in_header", False))

    @extend_schema(request=s.BookSerializer, responses={201: s.MeetingSerializer})
    @action(detail=False, methods=["post"])
    @idempotent
    def book(self, request, slug):
        form = s.BookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        req = (
            selectors.requests_of(event=self.event, participant=self.participant)
            .filter(pk=data["request"])
            .first()
        )
        if req is None:  # organisers have no requests of their own: they see every one
            kind = "request" if self.organiser else "request_of_yours"
            raise no_such(kind, data["request"], field="request")
        if data["fixed"] and not self.organiser:
            raise Forbidden("Only organisers can fix a meeting.")
        meeting = meeting_services.meeting_book(
            request=req,
            slot=self._slot(data["slot"]),
            actor=self.actor(),
            table=self._table(data.get("table")),
            attendees=[self._participant(pk, "attendees") for pk in data.get("attendees", [])],
            source=Meeting.Source.ORGANISER if self.organiser else Meeting.Source.PARTICIPANT,
            fixed=data["fixed"],
        )
        return self._reply(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RescheduleSerializer, responses=s.MeetingSerializer, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reschedule(self, request, slug, pk=None):
        meeting = self.get_object()
        form = s.RescheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        expected = self._expected_version(meeting, form.validated_data.get("version"))
        with self._precondition():
            moved = meeting_services.meeting_reschedule(
                meeting=meeting,
                slot=self._slot(form.validated_data["slot"]),
                actor=self.actor(),
                table=self._table(form.validated_data.get("table")),
                fixed=form.validated_data.get("fixed"),
                expected_version=expected,
            )
        return self._reply(moved)

    @extend_schema(request=s.FixSerializer, responses=s.MeetingSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    @idempotent
    def fix(self, request, slug, pk=None):
        meeting = self.get_object()
        form = s.FixSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        expected = self._expected_version(meeting, form.validated_data.get("version"))
        with self._precondition():
            done = meeting_services.meeting_set_fixed(
                meeting=meeting,
                fixed=form.validated_data["fixed"],
                actor=self.actor(),
                expected_version=expected,
            )
        return self._reply(done)

    @extend_schema(
        request=s.MeetingCancelSerializer, responses=s.MeetingSerializer, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, slug, pk=None):
        meeting = self.get_object()
        form = s.MeetingCancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        expected = self._expected_version(meeting, form.validated_data.get("version"))
        with self._precondition():
            done = meeting_services.meeting_cancel(
                meeting=meeting,
                by=self.participant,
                user=request.user,
                reason=form.validated_data["reason"],
                expected_version=expected,
            )
        return self._reply(done)

    @extend_schema(
        request=s.AttendeeAddSerializer,
        responses=s.MeetingSerializer,
        description="A colleague joins the meeting, until it starts: one of its two parties "
        "brings a colleague of their own organisation, an organiser a colleague of either side. "
        "They must be at the fair and free then; they are told it is booked.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def attendees(self, request, slug, pk=None):
        meeting = self.get_object()
        form = s.AttendeeAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = self._participant(form.validated_data["participant"], "participant")
        done = meeting_services.meeting_attendee_add(
            meeting=meeting, person=person, actor=self.actor()
        )
        return self._reply(done)

    @extend_schema(
        request=None,
        responses={204: None},
        description="A colleague who joined the meeting (not one of its two parties) leaves "
        "it, until it starts; it goes on for the others.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def leave(self, request, slug, pk=None):
        meeting = self.get_object()
        no_body(request)
        if self.participant is None:
            raise Forbidden("Organisers are not in the meeting; they change who attends it.")
        meeting_services.meeting_leave(
            meeting=meeting, participant=self.participant, user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    @idempotent
    def check_in(self, request, slug, pk=None):
        meeting = self.get_object()
        no_body(request)
        done = meeting_services.meeting_set_status(
            meeting=meeting, status=Meeting.Status.CHECKED_IN, actor=self.actor()
        )
        return self._reply(done)

    @extend_schema(request=s.StatusSerializer, responses=s.MeetingSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="status", permission_classes=[IsOrganiser])
    @idempotent
    def set_status(self, request, slug, pk=None):
        meeting = self.get_object()
        form = s.StatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        expected = self._expected_version(meeting, form.validated_data.get("version"))
        with self._precondition():
            done = meeting_services.meeting_set_status(
                meeting=meeting,
                status=form.validated_data["status"],
                actor=self.actor(),
                expected_version=expected,
                absent=form.validated_data.get("absent", ""),
            )
        return self._reply(done)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=s.MeetingFeedbackSerializer,
        description="Your feedback on this meeting (404 until you give it). Organisers read "
        "everyone's at /api/events/{slug}/feedback/.",
    )
    @extend_schema(
        methods=["PUT"],
        request=s.MeetingFeedbackInSerializer,
        responses=s.MeetingFeedbackSerializer,
        description="Give or change your feedback, once the meeting has started (not on a "
        "cancelled one): did it take place, how useful was it (1-5), what comes next, a word "
        "for the organisers. The other side never sees it.",
    )
    @action(detail=True, methods=["get", "put"])
    def feedback(self, request, slug, pk=None):
        meeting = self.get_object()
        if self.participant is None:
            raise Forbidden(
                "Feedback comes from the people in the meeting; organisers read it at "
                f"/api/events/{self.event.slug}/feedback/?meeting={meeting.pk}.",
                code="organisers_read_feedback",
            )
        if request.method == "GET":
            mine = selectors.feedback_of(meeting=meeting, participant=self.participant)
            if mine is None:
                raise NotFound("You have not given feedback on this meeting yet.")
            return Response(s.MeetingFeedbackSerializer(mine).data)
        form = s.MeetingFeedbackInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        given = feedback_services.meeting_feedback_give(
            meeting=meeting, participant=self.participant, **form.validated_data
        )
        return Response(s.MeetingFeedbackSerializer(given).data)


def if_match_tag(request, *, thing: str, current) -> str | None:
    """The one ETag named by the ``If-Match`` header, without its quotes (a weak ``W/"3"``,
    which compression makes of an ETag on its way, names the same); None when there is no
    header or ``*`` (no check). No quoted ETag, or several: 400 naming ``If-Match``.
    ``current()`` gives the ETag the ``thing`` has now, quoted, for the message."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tags = parse_etags(header)
    if not tags:
        raise InvalidInput(
            f"If-Match holds no ETag: send the {thing}'s ETag with its quotes, as its last "
            f"answer carried it ({current()} now).",
            field="If-Match",
        )
    if len(tags) > 1:
        raise InvalidInput(
            f"Send one ETag in If-Match: the one the {thing}'s last answer carried.",
            field="If-Match",
        )
    return tags[0].removeprefix("W/").strip('"')


@contextlib.contextmanager
def precondition(*, in_header: bool):
    """A change refused because what the caller was shown is stale answers 412 Precondition
    Failed (RFC 9110) when it named it in ``If-Match``, 409 Conflict when in its body."""
    try:
        yield
    except (MeetingChanged, AvailabilityChanged, ProfileChanged) as exc:
        if in_header:
            exc.status = status.HTTP_412_PRECONDITION_FAILED
        raise


def _tagged(response: Response, meeting: Meeting) -> Response:
    """A meeting's answer carries its version as its ETag."""
    response["ETag"] = f'"{meeting.version}"'
    return response


def _short_header(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


@extend_schema(parameters=[SLUG])
class FeedbackViewSet(EventScoped, viewsets.ReadOnlyModelViewSet):
    """What the people in the event's meetings said of them (organisers)."""

    permission_classes = [IsOrganiser]
    serializer_class = s.MeetingFeedbackSerializer
    filterset_class = FeedbackFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetingFeedback.objects.none()
        return selectors.feedback_list(event=self.event)


@extend_schema(parameters=[SLUG])
class BroadcastViewSet(
    EventScoped, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Messages from the organisers, emailed to part of the event's participants."""

    permission_classes = [IsOrganiser]
    serializer_class = s.BroadcastSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Broadcast.objects.none()
        return selectors.broadcasts_of(event=self.event)

    @extend_schema(
        request=s.BroadcastCreateSerializer,
        responses={201: s.BroadcastSerializer},
        description="Email a message to everyone in ``audience`` (each in one email, with the "
        "usual retries); an audience with nobody in it answers 400 and sends nothing. Send an "
        "Idempotency-Key so that a retried request does not send it twice.",
    )
    @idempotent
    def create(self, request, slug):
        form = s.BroadcastCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        sent = broadcast_services.broadcast_send(
            event=self.event, by=request.user, **form.validated_data
        )
        fresh = selectors.broadcasts_of(event=self.event).get(pk=sent.pk)
        return Response(s.BroadcastSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[SLUG])
class AgendaIcsView(EventScoped, APIView):
    """My meetings as an iCalendar feed (organisers: ``?participant=ID``)."""

    query_params = ("participant",)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "participant",
                OpenApiTypes.INT,
                description="Organisers: whose feed. A participant may give only their own id.",
            )
        ],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, slug):
        person = self.participant
        raw = request.query_params.get("participant") or None  # empty: not given (given_list)
        # ``str.isdigit`` is true for "²" and other digits ``int`` refuses: ASCII only,
        # and within the range of an id (as the other ``participant`` parameters).
        valid = raw is not None and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 2**62
        if self.organiser:
            if not valid:
                raise InvalidInput("Organisers must give ?participant=ID.", field="participant")
            person = self._participant(int(raw), "participant")
        elif raw is not None:
            # A participant may name themselves; anyone else is not theirs to see (as for
            # recommendations), rather than a 200 with their own agenda.
            if not valid:
                raise InvalidInput("participant must be a participant id.", field="participant")
            if int(raw) != person.pk:
                raise NotFound("No such participant.")
        body = selectors.agenda_ics(event=self.event, participant=person)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.event.slug}-agenda.ics"'
        return response


@extend_schema(parameters=[SLUG])
class ScheduleRunViewSet(
    EventScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Automatic scheduler runs (organisers): start one, watch it, publish its plan."""

    permission_classes = [IsOrganiser]

    def get_serializer_class(self):
        if self.action == "list":
            return s.ScheduleRunSerializer
        return s.ScheduleRunDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScheduleRun.objects.none()
        return selectors.schedule_runs_of(event=self.event)

    @extend_schema(
        request=s.ScheduleRunCreateSerializer,
        responses={201: s.ScheduleRunDetailSerializer, 202: s.ScheduleRunDetailSerializer},
        description="Starts a run. With a broker a worker takes it: 202 with the run 'queued' "
        "(poll it until 'draft' or 'failed'). Without a broker the run is made in the request: "
        "201 with the finished run ('draft', or 'failed' with its 'error').",
    )
    @idempotent
    def create(self, request, slug):
        form = s.ScheduleRunCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        run = scheduling_services.schedule_run_create(
            event=self.event, user=request.user, options=form.validated_data
        )
        run.refresh_from_db()  # finished already when tasks run in process
        waiting = run.status in (ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING)
        return Response(
            self.get_serializer(run).data,
            status=status.HTTP_202_ACCEPTED if waiting else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={202: s.ScheduleRunDetailSerializer, 200: s.ScheduleRunDetailSerializer},
        description="A worker publishes the draft: 202 with the run 'publishing' (poll it until "
        "'published'; a refused publish makes it a draft again, with the refusal in 'error'). "
        "Without a broker the publish runs in the request: 200 with the run published, or 409 "
        "publish_refused.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request, slug, pk=None):
        run = self.get_object()
        no_body(request)
        run = scheduling_services.schedule_run_publish_later(run=run, user=request.user)
        run.refresh_from_db()  # published already when tasks run in process
        if run.status == ScheduleRun.Status.DRAFT and run.error:  # refused, in process
            raise Conflict(run.error, code="publish_refused")
        done = run.status != ScheduleRun.Status.PUBLISHING
        return Response(
            self.get_serializer(run).data,
            status=status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED,
        )


@extend_schema(parameters=[SLUG])
class SearchView(EventScoped, APIView):
    """Search by need: who best offers what I describe, in any of the fair's languages, ranked
    like recommendations (a French need finds the English provider), with the offer that
    meets it. Participants: among the people they may be recommended; organisers: everyone."""

    query_params = ("need", "kind", "limit")

    @extend_schema(
        parameters=[s.SearchQuerySerializer], responses=s.SearchResultSerializer(many=True)
    )
    def get(self, request, slug):
        query = s.SearchQuerySerializer(
            data={
                "need": request.query_params.get("need", ""),
                "limit": request.query_params.get("limit") or 20,
                "kind": given_list(request, "kind"),
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        results = selectors.people_offering(
            event=self.event,
            text=data["need"],
            reader=self.participant,
            kinds=sorted(data.get("kind") or []) or None,
            limit=data["limit"],
        )
        return Response(s.SearchResultSerializer(results, many=True).data)


@extend_schema(parameters=[SLUG])
class RecommendationsView(EventScoped, APIView):
    """Who I should meet, best first, with the reasons (organisers: ``?participant=ID``)."""

    query_params = ("participant", "kind", "limit")

    @extend_schema(
        parameters=[s.RecommendationQuerySerializer],
        responses=s.RecommendationSerializer(many=True),
    )
    def get(self, request, slug):
        query = s.RecommendationQuerySerializer(
            data={
                "limit": request.query_params.get("limit") or 20,
                "kind": given_list(request, "kind"),
                **(
                    {"participant": request.query_params["participant"]}
                    if request.query_params.get("participant")
                    else {}
                ),
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        person = self.participant
        if self.organiser:
            if "participant" not in data:
                raise InvalidInput("Organisers must give ?participant=ID.", field="participant")
            person = self._participant(data["participant"], "participant")
        elif "participant" in data and data["participant"] != person.pk:
            raise NotFound("No such participant.")
        results = selectors.recommendations_for(
            participant=person,
            limit=data["limit"],
            kinds=sorted(data.get("kind") or []) or None,
            private=not self.organiser,  # a participant's shortlist is not the organisers'
        )
        return Response(s.RecommendationSerializer(results, many=True).data)
