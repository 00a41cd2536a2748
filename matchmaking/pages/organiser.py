"""The organiser's console: grid, participants, statistics, scheduler, exports.

Views are thin: they read through ``matchmaking.reporting`` / ``matchmaking.selectors`` and write
through the services. A refused write (``DomainError``) becomes a message on the page with the
error's HTTP status, never a 500.
"""

from __future__ import annotations

import copy
import functools
import json
import secrets
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import parse_etags, url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matchmaking import reporting, selectors
from matchmaking.exceptions import DomainError
from matchmaking.models import (
    Event,
    Meeting,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Slot,
    Table,
    natural_key,
)
from matchmaking.pages import labels
from matchmaking.pages.forms import (
    EventSettingsForm,
    MeetingCancelForm,
    MeetingFixForm,
    MeetingMoveForm,
    MeetingStatusForm,
    OrganiserBookForm,
    OrganiserLoginForm,
    PresenceForm,
    ScheduleRunForm,
    TheirAttendanceForm,
    UnusableText,
    checkbox_ticked,
    id_param,
    text_param,
)
from matchmaking.pages.labels import language_names
from matchmaking.pages.render import bar_chart, grid_table, heat_strips
from matchmaking.pages.render import table_plan as render_table_plan
from matchmaking.reasons import Reason, day_time_text
from matchmaking.services.arrivals import arrival_mark, arrival_undo
from matchmaking.services.attendance import attendance_resume, attendance_withdraw
from matchmaking.services.broadcasts import broadcast_send
from matchmaking.services.events import (
    booking_set_open,
    event_organiser_add,
    event_organiser_remove,
    event_settings_update,
    event_settings_update_seen,
)
from matchmaking.services.meetings import (
    Actor,
    check_in_opens_at,
    meeting_attendee_add,
    meeting_book,
    meeting_cancel,
    meeting_reschedule,
    meeting_set_fixed,
    meeting_set_status,
    meeting_slots_bookable,
    meeting_swap,
)
from matchmaking.services.notifications import SUPPORTED as EMAIL_LANGUAGES
from matchmaking.services.notifications import language_of, list_text
from matchmaking.services.participants import calendar_link_renew
from matchmaking.services.scheduling import (
    schedule_run_create,
    schedule_run_previews,
    schedule_run_publish_later,
)
from matchmaking.services.tables import table_back_in_service, table_take_out_of_service
from matchmaking.unusable import UNUSABLE

LOGIN_URL = reverse_lazy("organiser:login")


# ------------------------------------------------------------------------------------------------
# Access
# ------------------------------------------------------------------------------------------------


def staff_required(view):
    """Anonymous → the organiser login; signed in but not an organiser account → 403."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
        if not selectors.is_organiser_account(user):
            raise PermissionDenied(_("The organiser console is for organisers only."))
        return view(request, *args, **kwargs)

    return wrapped


def with_event(view):
    """The event's organisers only; loads the event from the URL's slug (404 if unknown) and
    renders its times in the event's time zone. Text the view cannot use (``UnusableText``)
    answers 400 with its sentence."""

    @staff_required
    @functools.wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            raise Http404(_("No such event."))
        if not selectors.organises(user=request.user, event=event):
            messages.error(
                request,
                _(
                    "You are not on the organiser team of “%(name)s”: ask one of its "
                    "organisers to add you."
                )
                % {"name": event.name},
            )
            return render(request, "matchmaking/base.html", _ctx(None, ""), status=403)
        with timezone.override(event.tz):
            try:
                return view(request, event, *args, **kwargs)
            except UnusableText as exc:
                messages.error(request, exc.message)
                return render(request, "matchmaking/base.html", _ctx(event, ""), status=400)

    return wrapped


class LoginView(auth_views.LoginView):
    template_name = "matchmaking/organiser/login.html"
    authentication_form = OrganiserLoginForm
    next_page = reverse_lazy("organiser:events")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("organiser:login")


def _safe_next(request, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def _ctx(event: Event | None, section: str, **extra) -> dict:
    return {"event": event, "section": section, **extra}


# ------------------------------------------------------------------------------------------------
# Events
# ------------------------------------------------------------------------------------------------


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(event=OuterRef("pk"), **filters)
            .order_by()
            .values("event")
            .annotate(c=Count("id"))
            .values("c"),
            output_field=IntegerField(),
        ),
        0,
    )


@staff_required
@require_GET
def event_list(request):
    events = (
        selectors.events_organised_by(user=request.user)
        .annotate(
            n_participants=_count(Participant),
            n_meetings=_count(Meeting, status__in=reporting.ACTIVE),
            n_pending=_count(MeetingRequest, status="pending"),
        )
        .order_by("name")
    )
    return render(request, "matchmaking/organiser/events.html", _ctx(None, "events", events=events))


# ------------------------------------------------------------------------------------------------
# Grid
# ------------------------------------------------------------------------------------------------


def _grid_filters(request) -> tuple[str, str, str]:
    """The grid's filters from the query: participant text, kind, rows."""
    q = text_param(request.GET, "q", limit=100)
    kind = request.GET.get("kind", "")
    if kind not in labels.KIND:
        kind = ""
    tables = request.GET.get("tables", "all")
    if tables not in reporting.TABLE_FILTERS:
        tables = "all"
    return q, kind, tables


def _grid_context(request, event: Event) -> dict:
    days = reporting.event_days(event=event)
    day = reporting.pick_day(
        days=days, wanted=request.GET.get("date"), today=timezone.localdate(timezone=event.tz)
    )
    q, kind, tables = _grid_filters(request)
    ctx = _ctx(
        event,
        "grid",
        days=days,
        day=day,
        q=q,
        kind=kind,
        tables=tables,
        table_filters=list(labels.TABLE_FILTER.items()),
        kinds=list(labels.KIND.items()),
        statuses=list(labels.MEETING_STATUS.items()),
        actions=labels.GRID_ACTIONS,
        check_in_minutes=settings.CHECK_IN_OPENS_MINUTES,
        # the dialog's script puts a party's name in it (gettext's template, not formatted)
        absent_template=_("%(name)s did not come"),
    )
    if day is None:
        return ctx
    grid = reporting.grid_day(event=event, day=day, q=q, kind=kind, tables=tables)
    # during the fair, that day: the slot under way, or in a break the next one
    now_slot, now_next = reporting.slot_mark(grid.slots, timezone.now())
    query = {"date": day.isoformat()}
    if q:
        query["q"] = q
    if kind:
        query["kind"] = kind
    if tables != "all":
        query["tables"] = tables
    grid_url = f"{reverse('organiser:grid', args=[event.slug])}?{urlencode(query)}"
    ctx.update(
        grid=grid,
        grid_html=grid_table(grid=grid, slug=event.slug, now_slot=now_slot, now_next=now_next),
        now_slot=now_slot,
        now_next=now_next,
        grid_url=grid_url,
        partial_url=f"{reverse('organiser:grid-partial', args=[event.slug])}?{urlencode(query)}",
        status_counts=[
            (code, name, grid.counts.get(code, 0)) for code, name in labels.MEETING_STATUS.items()
        ],
        day_query={k: v for k, v in query.items() if k != "date"},
        updated=timezone.localtime(),
    )
    now = timezone.now()
    if day == timezone.localtime(now, event.tz).date():
        # the day under way: meetings still to come whose people have not arrived (to phone
        # them or free the table); the grid's ETag follows the day's arrivals
        ctx["awaiting"] = selectors.meetings_awaiting_arrival(event=event, day=day, now=now)
    return ctx


@with_event
@require_GET
def grid(request, event: Event, status: int = 200):
    return render(
        request, "matchmaking/organiser/grid.html", _grid_context(request, event), status=status
    )


@with_event
@require_GET
def grid_partial(request, event: Event):
    """The live part of the grid page, for the page's auto-refresh. Answers 304 when nothing
    the grid shows of the day changed since the ETag the browser holds (``grid_fingerprint``:
    meetings, their parties' names, tables, slots), so its "Updated" time is when something
    shown last changed (as this browser saw it), whatever it was."""
    days = reporting.event_days(event=event)
    day = reporting.pick_day(
        days=days, wanted=request.GET.get("date"), today=timezone.localdate(timezone=event.tz)
    )
    etag = None
    if day is not None:
        # the slot under way too: the page marks it, and the mark moves with the clock
        now_slot, now_next = reporting.grid_slot_mark(event=event, day=day, now=timezone.now())
        mark = f"{now_slot}{'n' if now_next else ''}"
        etag = f'"{reporting.grid_fingerprint(event=event, day=day)}-{get_language()}-{mark}"'
        # weak comparison (RFC 9110 13.1.2): gzip turns the ETag the browser holds into W/"..."
        held = parse_etags(request.headers.get("If-None-Match", ""))
        if any(tag.removeprefix("W/") == etag for tag in held):
            return HttpResponseNotModified()
    response = render(
        request, "matchmaking/organiser/_grid_live.html", _grid_context(request, event)
    )
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _meeting_or_404(event: Event, meeting_id: int) -> Meeting:
    meeting = (
        selectors.meetings_of(event=event, participant=None)
        .select_related("request__sender__organisation", "request__recipient__organisation")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


@with_event
@require_GET
def meeting_detail(request, event: Event, meeting_id: int):
    return _render_meeting(request, event, meeting_id)


def _status_actions(meeting: Meeting, event: Event, now) -> tuple[list[tuple], str]:
    """The status buttons (code, label, too early) and why some are disabled yet: check-in opens
    ``CHECK_IN_OPENS_MINUTES`` before the meeting, held and no-show once it has started (as
    ``meeting_set_status`` decides; it checks again on the click). Clicking them weeks ahead
    only gave the refusal."""
    opens, start = check_in_opens_at(meeting.slot), meeting.slot.start
    too_early = {"checked_in": now < opens, "held": now < start, "no_show": now < start}
    actions = [(code, name, too_early.get(code, False)) for code, name in labels.GRID_ACTIONS]
    early = ""
    if meeting.status != Meeting.Status.CANCELLED and now < opens:
        early = _(
            "Check-in opens %(minutes)s minutes before the meeting, on %(opens)s; held or "
            "no-show can be marked once it has started, on %(start)s."
        ) % {
            "minutes": settings.CHECK_IN_OPENS_MINUTES,
            "opens": labels.local_when(opens, event.tz),
            "start": labels.local_when(start, event.tz),
        }
    elif meeting.status != Meeting.Status.CANCELLED and now < start:
        early = _("Held or no-show can be marked once the meeting has started, on %(start)s.") % {
            "start": labels.local_when(start, event.tz)
        }
    return actions, early


def _render_meeting(
    request,
    event: Event,
    meeting_id: int,
    status: int = 200,
    move_form: MeetingMoveForm | None = None,
    cancel_form: MeetingCancelForm | None = None,
):
    meeting = _meeting_or_404(event, meeting_id)
    meeting.status_label = labels.label(labels.MEETING_STATUS, meeting.status)
    log = _with_text(meeting.log.select_related("actor").order_by("-at", "-id"), event)
    next_url = _safe_next(
        request,
        f"{reverse('organiser:grid', args=[event.slug])}?date={meeting.slot.date.isoformat()}",
    )
    move, invitable = None, []
    if meeting.status == Meeting.Status.SCHEDULED:
        move = _move_offer(request, event, meeting, move_form)
    if meeting.status == Meeting.Status.SCHEDULED and meeting.slot.start > timezone.now():
        # colleagues of either side not in it (meeting_attendee_add decides on the click)
        seated = {s.participant_id for s in meeting.seats.all() if not s.left}
        orgs = {meeting.request.sender.organisation_id, meeting.request.recipient.organisation_id}
        invitable = [
            p
            for p in event.participants.filter(organisation_id__in=orgs, withdrawn_at__isnull=True)
            .select_related("organisation")
            .order_by("organisation__name", "name")
            if p.pk not in seated
        ]
    actions, early = _status_actions(meeting, event, timezone.now())
    absent_choices = labels.absent_choices(
        meeting.request.sender.name, meeting.request.recipient.name
    )
    meeting.absent_label = dict(absent_choices).get(meeting.absent, "") if meeting.absent else ""
    swappable = []
    if meeting.status == Meeting.Status.SCHEDULED and meeting.slot.start > timezone.now():
        swappable = _swap_offer(event, meeting)
    return render(
        request,
        "matchmaking/organiser/meeting.html",
        _ctx(
            event,
            "grid",
            meeting=meeting,
            log=log,
            actions=actions,
            absent_choices=absent_choices,
            early=early,
            next_url=next_url,
            back_query=_back_query(request),
            move=move,
            swappable=swappable,
            invitable=invitable,
            cancel_form=cancel_form or MeetingCancelForm(),
            feedback=[
                (f, labels.label(labels.FEEDBACK_OUTCOME, f.outcome) if f.outcome else "")
                for f in selectors.feedback_list(event=event).filter(meeting=meeting)
            ],
        ),
        status=status,
    )


def _swap_offer(event: Event, meeting: Meeting) -> list[tuple[int, str]]:
    """What the Swap form offers: the other scheduled meetings still to come of someone seated
    in this one, and those at the same time (to trade tables), as (id, "time · table · who");
    ``meeting_swap`` decides on the click."""
    seated = [s.participant_id for s in meeting.seats.all() if not s.left]
    others = (
        Meeting.objects.filter(
            event=event, status=Meeting.Status.SCHEDULED, slot__start__gt=timezone.now()
        )
        .filter(
            Q(slot_id=meeting.slot_id)
            | Q(seats__participant_id__in=seated, seats__left=False, seats__active=True)
        )
        .exclude(pk=meeting.pk)
        .distinct()
        .select_related("slot", "table", "request__sender", "request__recipient")
        .order_by("slot__start", "table__name", "pk")
    )
    return [
        (
            m.pk,
            " · ".join(
                part
                for part in (
                    labels.local_when(m.slot.start, event.tz),
                    m.table.name if m.table else "",
                    f"{m.request.sender.name} – {m.request.recipient.name}",
                )
                if part
            ),
        )
        for m in others
    ]


def _move_offer(request, event: Event, meeting: Meeting, form: MeetingMoveForm | None) -> dict:
    """What the Move form offers: exactly the slots the reschedule service would accept now
    (``meeting_slots_bookable`` with ``moving``), by day, and the lounge tables an organiser may
    pick (none when a party has their own place: the meeting stays there); a refused form shows
    again what was chosen."""
    booking = MeetingRequest.objects.select_related(
        "event", "sender__fixed_table", "recipient__fixed_table"
    ).get(pk=meeting.request_id)
    slots = meeting_slots_bookable(
        requests=[booking], actor=Actor(user=request.user, organiser=True), moving=meeting
    )[booking.pk]
    days: OrderedDict = OrderedDict()
    for slot in slots:
        days.setdefault(slot.date, []).append(slot)
    own_place = booking.sender.fixed_table or booking.recipient.fixed_table
    tables = (
        []
        if own_place
        else list(Table.objects.filter(event=event, shared=True, out_of_service=False))
    )
    chosen_slot, chosen_table, fixed = meeting.slot_id, None, meeting.fixed
    if form is not None and form.is_bound:
        chosen_slot = _int_or_none(form.data.get("slot"))
        chosen_table = _int_or_none(form.data.get("table"))
        fixed = checkbox_ticked(form.data.get("fixed"))
    return {
        "days": list(days.items()),
        "tables": tables,
        "own_place": own_place,
        "slot": chosen_slot,
        "table": chosen_table,
        "fixed": fixed,
    }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _back_query(request) -> str:
    """The grid the organiser came from, kept across the meeting page's own forms."""
    back = _safe_next(request, "")
    return f"?{urlencode({'next': back})}" if back else ""


def _back_to_meeting(request, event: Event, meeting: Meeting):
    """After a change: the form's ``next`` if it sent a safe one, else the meeting page itself
    (still knowing the grid the organiser came from)."""
    url = reverse("organiser:meeting", args=[event.slug, meeting.pk])
    if request.POST.get("next"):
        return redirect(_safe_next(request, url))
    return redirect(url + _back_query(request))


def _meeting_in(event: Event, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.filter(event=event, pk=meeting_id).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


def _refusal(exc: DomainError, meeting: Meeting, event: Event, *, slot=None, table=None) -> str:
    """A refused change to a meeting, in the page's language for the refusals an organiser
    meets on this page; any other keeps the service's words."""
    if exc.code == "meeting_changed":
        return _changed_text(meeting, event)
    current = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first()
    if current == Meeting.Status.CANCELLED:
        return _("This meeting is cancelled.")
    if exc.code == "check_in_not_open":  # the refusal met at the desk
        opens = check_in_opens_at(meeting.slot)
        return _("Check-in opens %(minutes)s minutes before the meeting, on %(time)s.") % {
            "minutes": settings.CHECK_IN_OPENS_MINUTES,
            "time": labels.local_when(opens, event.tz),
        }
    if exc.code == "meeting_not_started":
        return _(
            "This meeting starts on %(time)s; it can be marked held or no-show once it has started."
        ) % {"time": labels.local_when(meeting.slot.start, event.tz)}
    if exc.code == "meeting_not_movable":
        return _("Only scheduled meetings can move (this one: %(status)s).") % {
            "status": labels.label(labels.MEETING_STATUS, current or meeting.status)
        }
    when = labels.local_when(slot.start, event.tz) if slot is not None else ""
    if exc.code == "participant_busy" and slot is not None:
        return _(
            "Someone in this meeting is not free on %(when)s (another meeting, or not at the "
            "fair then). Choose one of the offered times."
        ) % {"when": when}
    if exc.code == "table_taken" and table is not None:
        return _(
            "%(table)s is already taken on %(when)s; choose another table or let it be chosen "
            "automatically."
        ) % {"table": table.name, "when": when}
    if exc.code == "slot_taken" and slot is not None:
        return _("Every table is taken on %(when)s; choose another time.") % {"when": when}
    return str(exc.reason) if isinstance(exc.reason, Reason) else exc.message


def _changed_text(meeting: Meeting, event: Event) -> str:
    """Someone changed the meeting after the organiser's page was shown (``MeetingChanged``):
    where it is now, in the page's language. The page shown with it is the meeting as it is."""
    now = Meeting.objects.select_related("slot", "table").get(pk=meeting.pk)
    if now.status == Meeting.Status.CANCELLED:
        return _(
            "This meeting was cancelled by someone else since you loaded the page; nothing was "
            "changed."
        )
    values = {
        "when": labels.local_when(now.slot.start, event.tz),
        "status": labels.label(labels.MEETING_STATUS, now.status),
    }
    if now.table is not None:
        return _(
            "This meeting was changed by someone else since you loaded the page: it is now on "
            "%(when)s, table %(table)s (%(status)s). Nothing was changed; this page shows it as "
            "it is now: check it and try again."
        ) % {**values, "table": now.table.name}
    return (
        _(
            "This meeting was changed by someone else since you loaded the page: it is now on "
            "%(when)s (%(status)s). Nothing was changed; this page shows it as it is now: check it "
            "and try again."
        )
        % values
    )


@with_event
@require_POST
def meeting_status(request, event: Event, meeting_id: int):
    """Check in, mark held or no-show, through ``meeting_set_status``. Back to where the
    organiser came from; a refusal too, with its message (post-redirect-get: the grid's dialog
    sends ``next`` and comes back to the grid, the meeting page to itself, and a reload does not
    post again). An unknown status re-renders the meeting with a 400."""
    meeting = _meeting_in(event, meeting_id)
    form = MeetingStatusForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _not_this_pages_form())
        else:
            messages.error(request, _("Choose one of the offered statuses."))
        return _render_meeting(request, event, meeting_id, status=400)
    wanted = form.cleaned_data["status"]
    # the page's and the dialog's "who did not come" goes with every button: a no-show's only
    absent = form.cleaned_data["absent"] if wanted == Meeting.Status.NO_SHOW else ""
    try:
        meeting_set_status(
            meeting=meeting,
            status=wanted,
            actor=Actor(user=request.user, organiser=True),
            expected_version=form.cleaned_data["version"],
            absent=absent,
        )
    except DomainError as exc:
        if exc.code == "meeting_changed":
            now = Meeting.objects.get(pk=meeting.pk)
            if now.status == wanted and now.absent == absent:  # the same click again
                messages.info(
                    request,
                    _("Meeting %(id)s is already %(status)s: nothing to change.")
                    % {"id": now.pk, "status": labels.label(labels.MEETING_STATUS, wanted)},
                )
                return _back_to_meeting(request, event, now)
            # a page loaded before someone changed the meeting: 409, showing it as it is now
            messages.error(request, _refusal(exc, meeting, event))
            return _render_meeting(request, event, meeting_id, status=exc.status)
        messages.error(request, _refusal(exc, meeting, event))
        return _back_to_meeting(request, event, meeting)
    messages.success(
        request,
        _("Meeting %(id)s is now %(status)s.")
        % {
            "id": meeting.pk,
            "status": labels.label(labels.MEETING_STATUS, form.cleaned_data["status"]),
        },
    )
    # the grid's dialog sends ``next`` (back to the grid); the meeting page comes back to itself
    return _back_to_meeting(request, event, meeting)


def _not_this_pages_form() -> str:
    """The hidden version is not a number: not a form this page wrote."""
    return _("This form is not one this page showed; reload the page and try again.")


def _already_there(meeting: Meeting, event: Event) -> str:
    """A move that finds the meeting where it asks: say where, and that nothing changes."""
    values = {"id": meeting.pk, "when": labels.local_when(meeting.slot.start, event.tz)}
    if meeting.table is not None:
        return _("Meeting %(id)s is already on %(when)s, table %(table)s: nothing to change.") % {
            **values,
            "table": meeting.table.name,
        }
    return _("Meeting %(id)s is already on %(when)s: nothing to change.") % values


@with_event
@require_POST
def meeting_move(request, event: Event, meeting_id: int):
    """Move a scheduled meeting to another slot (and table) through ``meeting_reschedule``,
    fixed there or not; back to the meeting page. A refusal re-renders it with the message and
    a 4xx status; nothing is written."""
    meeting = _meeting_in(event, meeting_id)
    form = MeetingMoveForm(request.POST, event=event)
    if not form.is_valid():
        if "slot" in form.errors:
            messages.error(request, _("Choose one of the offered times."))
        elif "version" in form.errors:
            messages.error(request, _not_this_pages_form())
        else:
            messages.error(request, _("Choose one of the offered tables."))
        return _render_meeting(request, event, meeting_id, status=400, move_form=form)
    slot, table = form.cleaned_data["slot"], form.cleaned_data["table"]
    try:
        moved = meeting_reschedule(
            meeting=meeting,
            slot=slot,
            actor=Actor(user=request.user, organiser=True),
            table=table,
            fixed=form.cleaned_data["fixed"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        if exc.code == "meeting_changed":
            # the same move posted again (a resubmit, a colleague's identical move): it already
            # is where this form asks, so nothing is overwritten and nothing is left to do
            now = Meeting.objects.select_related("slot", "table").get(pk=meeting.pk)
            if (
                now.status == Meeting.Status.SCHEDULED
                and now.slot_id == slot.pk
                and (table is None or now.table_id == table.pk)
                and now.fixed == form.cleaned_data["fixed"]
            ):
                messages.info(request, _already_there(now, event))
                return _back_to_meeting(request, event, now)
        messages.error(request, _refusal(exc, meeting, event, slot=slot, table=table))
        return _render_meeting(request, event, meeting_id, status=exc.status, move_form=form)
    moved = Meeting.objects.select_related("slot", "table").get(pk=moved.pk)
    values = {"id": moved.pk, "when": labels.local_when(moved.slot.start, event.tz)}
    if moved.table is not None:
        text = _("Meeting %(id)s is now on %(when)s, table %(table)s.") % {
            **values,
            "table": moved.table.name,
        }
    else:
        text = _("Meeting %(id)s is now on %(when)s.") % values
    if moved.fixed:
        text += " " + _("It is fixed there: the scheduler will not move it.")
    messages.success(request, text)
    return _back_to_meeting(request, event, moved)


@with_event
@require_POST
def meeting_cancel_view(request, event: Event, meeting_id: int):
    """Cancel a live meeting, with an optional reason, through ``meeting_cancel`` (both sides
    are told); back to the meeting page, or the refusal with its 4xx status."""
    meeting = _meeting_in(event, meeting_id)
    form = MeetingCancelForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _not_this_pages_form())
        else:
            messages.error(request, _("The reason is too long: 300 characters at most."))
        return _render_meeting(request, event, meeting_id, status=400, cancel_form=form)
    try:
        meeting_cancel(
            meeting=meeting,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        messages.error(request, _refusal(exc, meeting, event))
        return _render_meeting(request, event, meeting_id, status=exc.status, cancel_form=form)
    messages.success(
        request, _("Meeting %(id)s is cancelled; both sides are told.") % {"id": meeting.pk}
    )
    return _back_to_meeting(request, event, meeting)


@with_event
@require_POST
def meeting_attendee_add_view(request, event: Event, meeting_id: int):
    """A colleague of either side joins the meeting (``meeting_attendee_add``: they are told);
    back to the meeting page, or the refusal with its 4xx status."""
    meeting = _meeting_in(event, meeting_id)
    person = event.participants.filter(pk=id_param(request.POST, "participant")).first()
    if person is None:
        messages.error(request, _("Choose a colleague."))
        return _render_meeting(request, event, meeting_id, status=400)
    try:
        meeting_attendee_add(
            meeting=meeting, person=person, actor=Actor(user=request.user, organiser=True)
        )
    except DomainError as exc:
        messages.error(request, _refusal(exc, meeting, event))
        return _render_meeting(request, event, meeting_id, status=exc.status)
    messages.success(
        request, _("%(name)s joins the meeting and has been told.") % {"name": person.name}
    )
    return _back_to_meeting(request, event, meeting)


@with_event
@require_POST
def meeting_swap_view(request, event: Event, meeting_id: int):
    """Swap this meeting with another (``other``) through ``meeting_swap``: each takes the
    other's time and table. A refusal re-renders the meeting page with why; nothing moves."""
    meeting = _meeting_in(event, meeting_id)
    version = request.POST.get("version")
    if version is not None and id_param(request.POST, "version") is None:
        messages.error(request, _not_this_pages_form())
        return _render_meeting(request, event, meeting_id, status=400)
    other = Meeting.objects.filter(event=event, pk=id_param(request.POST, "other") or 0).first()
    if other is None or other.pk == meeting.pk:
        messages.error(request, _("Choose one of the offered meetings to swap with."))
        return _render_meeting(request, event, meeting_id, status=400)
    try:
        meeting_swap(
            meeting=meeting,
            other=other,
            actor=Actor(user=request.user, organiser=True),
            expected_version=id_param(request.POST, "version"),
        )
    except DomainError as exc:
        if exc.code in ("participant_busy", "table_taken", "slot_taken", "invalid"):
            text = _("These two meetings cannot swap: %(why)s Nothing was moved.") % {
                "why": str(exc.reason) if isinstance(exc.reason, Reason) else exc.message
            }
        else:
            text = _refusal(exc, meeting, event)
        messages.error(request, text)
        return _render_meeting(request, event, meeting_id, status=exc.status)
    moved = {
        m.pk: m
        for m in Meeting.objects.select_related("slot", "table").filter(
            pk__in=[meeting.pk, other.pk]
        )
    }

    def place(m: Meeting) -> str:
        when = labels.local_when(m.slot.start, event.tz)
        return f"{when}, {m.table.name}" if m.table else when

    messages.success(
        request,
        _(
            "Meetings swapped: meeting %(a)s is now at %(where_a)s, meeting %(b)s at "
            "%(where_b)s. Everyone in them is told."
        )
        % {
            "a": meeting.pk,
            "b": other.pk,
            "where_a": place(moved[meeting.pk]),
            "where_b": place(moved[other.pk]),
        },
    )
    return _back_to_meeting(request, event, moved[meeting.pk])


@with_event
@require_POST
def meeting_fixed(request, event: Event, meeting_id: int):
    """Fix a live meeting in place (``fixed=1``: the scheduler never moves it, participants
    cannot) or release it (``fixed=0``) through ``meeting_set_fixed``."""
    meeting = _meeting_in(event, meeting_id)
    form = MeetingFixForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _not_this_pages_form())
        else:
            messages.error(request, _("Fix the meeting in place or release it."))
        return _render_meeting(request, event, meeting_id, status=400)
    fixed = form.cleaned_data["fixed"]
    try:
        meeting_set_fixed(
            meeting=meeting,
            fixed=fixed,
            actor=Actor(user=request.user, organiser=True),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        if exc.code == "meeting_changed":
            now = Meeting.objects.get(pk=meeting.pk)
            if now.fixed == fixed and now.status != Meeting.Status.CANCELLED:
                # the same click posted again: nothing left to do
                if fixed:
                    text = _("Meeting %(id)s is already fixed in place: nothing to change.")
                else:
                    text = _("Meeting %(id)s is already released: nothing to change.")
                messages.info(request, text % {"id": now.pk})
                return _back_to_meeting(request, event, now)
        messages.error(request, _refusal(exc, meeting, event))
        return _render_meeting(request, event, meeting_id, status=exc.status)
    if fixed:
        text = _("Meeting %(id)s is fixed in place: the scheduler will not move it.")
    else:
        text = _("Meeting %(id)s is released: the scheduler may move it.")
    messages.success(request, text % {"id": meeting.pk})
    return _back_to_meeting(request, event, meeting)


# ------------------------------------------------------------------------------------------------
# Participants
# ------------------------------------------------------------------------------------------------


def _with_text(rows, event: Event) -> list:
    rows = list(rows)
    for row in rows:
        row.text = labels.log_text(row, event.tz)
    return rows


def _participant_or_404(event: Event, participant_id: int) -> Participant:
    participant = reporting.participant_get(event=event, participant_id=participant_id)
    if participant is None:
        raise Http404(_("No such participant."))
    return participant


def _agenda(event: Event, participant: Participant, *, printed: bool = False) -> list[dict]:
    """Every slot of every day, with the participant's meetings in them and whether they are at
    the fair then (``away``: outside the times they gave, or always once they said they no
    longer come), in four queries. ``printed``: the paper the participant takes along, without
    the cancelled meetings; a day they are away at every slot without a meeting is one line
    (``away_all``)."""
    meetings = list(selectors.meetings_of(event=event, participant=participant))
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    here = selectors.available_slots(slots=slots, participant_ids=[participant.pk]).get(
        participant.pk
    )
    return _agenda_days(participant, meetings, slots, here, printed=printed)


def _agenda_days(
    participant: Participant, meetings: list, slots: list, here, *, printed: bool
) -> list[dict]:
    """``_agenda`` from rows read already: the participant's ``meetings`` (``meetings_of``),
    the event's ``slots`` by start, ``here`` the indices of the slots they are at the fair for
    (None: all). The meetings are copied, so one meeting serves both its parties' agendas."""
    if printed:
        meetings = [m for m in meetings if m.status != Meeting.Status.CANCELLED]
    by_slot: dict[int, list[Meeting]] = {}
    for m in meetings:
        m = copy.copy(m)  # ``others`` is this participant's view of it
        m.others = [s.participant for s in m.seats.all() if s.participant_id != participant.pk]
        m.status_label = labels.label(labels.MEETING_STATUS, m.status)
        by_slot.setdefault(m.slot_id, []).append(m)
    days: OrderedDict = OrderedDict()
    for i, slot in enumerate(slots):
        if not hasattr(slot, "hours"):  # once per slot, however many agendas show it
            start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
            slot.hours = f"{start:%H:%M}\u2013{end:%H:%M}"
        days.setdefault(slot.date, []).append(
            {
                "slot": slot,
                "meetings": by_slot.get(slot.pk, []),
                # who no longer comes is at the fair at no time
                "away": participant.withdrawn_at is not None
                or (here is not None and i not in here),
            }
        )
    return [
        {
            "date": day,
            "rows": rows,
            "count": sum(
                1 for r in rows for m in r["meetings"] if m.status != Meeting.Status.CANCELLED
            ),
            "away_all": printed and all(r["away"] and not r["meetings"] for r in rows),
        }
        for day, rows in days.items()
    ]


def _requests(event: Event, participant: Participant) -> list:
    """The participant's requests, each with ``not_taking``: pending while the side who must
    answer it takes no meetings (a meeting limit of 0), so it will wait until it expires."""
    rows = list(selectors.requests_of(event=event, participant=participant))
    for r in rows:
        r.outgoing = r.sender_id == participant.pk
        r.other = r.recipient if r.outgoing else r.sender
        r.status_label = labels.label(labels.REQUEST_STATUS, r.status)
        r.not_taking = r.status == MeetingRequest.Status.PENDING and r.recipient.max_meetings == 0
    return rows


@with_event
@require_GET
def participant_list(request, event: Event):
    q = text_param(request.GET, "q", limit=100)
    not_coming = request.GET.get("attending") == "no"
    today = timezone.localtime(timezone.now(), event.tz).date()
    fair_today = today in reporting.event_days(event=event)
    # the entrance desk: who still comes and has not arrived today (on a fair day)
    not_arrived = fair_today and request.GET.get("arrived") == "no"
    shown = 100
    people = reporting.participant_search(
        event=event,
        q=q,
        limit=shown + 1,
        not_coming=not_coming,
        not_arrived_on=today if not_arrived else None,
    )
    more = len(people) > shown  # the list stops there: say so rather than end in silence
    arrived = selectors.arrived_on(event=event, day=today) if fair_today else set()
    for person in people:
        person.arrived_today = person.pk in arrived
    return render(
        request,
        "matchmaking/organiser/participants.html",
        _ctx(
            event,
            "exports",
            q=q,
            people=people[:shown],
            not_coming=not_coming,
            not_arrived=not_arrived,
            fair_today=fair_today,
            more=more,
            here=request.get_full_path(),
        ),
    )


@with_event
@require_GET
def participant_detail(request, event: Event, participant_id: int):
    participant = _participant_or_404(event, participant_id)
    return _render_participant(request, event, participant)


def _to_book(event: Event, participant: Participant, user) -> list[dict]:
    """The participant's accepted requests without a live meeting, each with the slots still to
    come the booking service would accept from an organiser now (``meeting_slots_bookable``;
    an organiser may also record a past meeting, but not from this list: a default choice of
    yesterday's first slot would book it there)."""
    now = timezone.now()
    unbooked = selectors.requests_to_book(event=event, participant=participant)
    free = meeting_slots_bookable(requests=unbooked, actor=Actor(user=user, organiser=True))
    rows = []
    for r in unbooked:
        by_day: dict = {}
        for slot in free.get(r.pk, []):
            if slot.start > now:
                by_day.setdefault(slot.start.astimezone(event.tz).date(), []).append(slot)
        other = r.recipient if r.sender_id == participant.pk else r.sender
        rows.append({"request": r, "other": other, "slots_by_day": by_day})
    return rows


def _colleagues(participant: Participant) -> list[Participant]:
    """The participant's colleagues (same organisation) who still come, by name: the Times card
    gives them the same times on request."""
    return list(
        Participant.objects.filter(
            event_id=participant.event_id,
            organisation_id=participant.organisation_id,
            withdrawn_at__isnull=True,
        )
        .exclude(pk=participant.pk)
        .order_by("name", "pk")
    )


def _render_participant(request, event, participant, presence=None, status=200):
    colleagues = _colleagues(participant)
    today = timezone.localtime(timezone.now(), event.tz).date()
    return render(
        request,
        "matchmaking/organiser/participant.html",
        _ctx(
            event,
            "grid",
            participant=participant,
            agenda=_agenda(event, participant),
            requests=_requests(event, participant),
            to_book=_to_book(event, participant, request.user),
            log=_with_text(reporting.meeting_log_of(event=event, participant=participant), event),
            presence=presence or PresenceForm(event=event, participant=participant),
            colleagues=colleagues,
            colleague_names=list_text([c.name for c in colleagues]),
            email_token=secrets.token_hex(16),
            arrival=selectors.arrival_of(participant=participant, day=today),
            fair_today=today in reporting.event_days(event=event),
        ),
        status=status,
    )


@with_event
@require_POST
def participant_presence(request, event: Event, participant_id: int):
    """Replace a participant's times at the fair (the desk: "I leave at noon tomorrow")
    through the availability service; a refusal re-renders the page with the form's errors,
    shown next to the form (the form posts to ``#presence``, so the page opens there)."""
    participant = _participant_or_404(event, participant_id)
    form = PresenceForm(request.POST, event=event, participant=participant)
    if not form.is_valid():  # a card loaded before their times changed: 409, as for meetings
        status = 409 if form.stale else 400
        return _render_participant(request, event, participant, form, status=status)
    group = _colleagues(participant) if checkbox_ticked(request.POST.get("colleagues")) else []
    try:
        cancelled = form.save(
            participant=participant,
            actor=Actor(user=request.user, organiser=True),
            colleagues=group,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_participant(request, event, participant, form, status=exc.status)
    if cancelled is None:
        return _render_participant(request, event, participant, form, status=409)
    if group:
        messages.success(
            request,
            ngettext(
                "The times of %(names)s are saved; %(n)s meeting cancelled.",
                "The times of %(names)s are saved; %(n)s meetings cancelled.",
                len(cancelled.cancelled),
            )
            % {
                "names": list_text([participant.name] + [c.name for c in group]),
                "n": len(cancelled.cancelled),
            },
        )
    else:
        messages.success(request, form.saved_message(cancelled, of=participant))
    return redirect("organiser:participant", slug=event.slug, participant_id=participant.pk)


@with_event
@require_POST
def participant_attendance(request, event: Event, participant_id: int):
    """The desk: "they called, they no longer come" (or "they come after all"), through the
    attendance service as an organiser; the other sides are told."""
    participant = _participant_or_404(event, participant_id)
    back = reverse("organiser:participant", args=[event.slug, participant.pk]) + "#attendance"
    form = TheirAttendanceForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Choose whether they come.")]:
            messages.error(request, error)
        return redirect(back)
    name = {"name": participant.name}
    try:
        if form.cleaned_data["attending"] == "yes":
            if attendance_resume(participant=participant).unchanged:  # said twice
                messages.info(request, _("%(name)s is coming already.") % name)
            else:
                messages.success(request, _("%(name)s comes again.") % name)
            return redirect(back)
        done = attendance_withdraw(
            participant=participant, actor=Actor(user=request.user, organiser=True)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if done.unchanged:  # said already (another desk, a second click): nothing more cancelled
        messages.info(request, _("%(name)s no longer comes already.") % name)
        return redirect(back)
    messages.success(
        request,
        _(
            "%(name)s no longer comes: %(meetings)s and %(requests)s cancelled; the other sides "
            "were told."
        )
        % {"name": participant.name, **labels.attendance_counts(done)},
    )
    return redirect(back)


@with_event
@require_POST
def participant_arrival(request, event: Event, participant_id: int):
    """The entrance desk: "they have arrived" (``arrived=yes``) or "not them, take it back"
    (``arrived=no``), today, through the arrivals service."""
    participant = _participant_or_404(event, participant_id)
    back = _safe_next(
        request, reverse("organiser:participant", args=[event.slug, participant.pk]) + "#arrival"
    )
    wanted = request.POST.get("arrived")
    if wanted not in ("yes", "no"):
        messages.error(request, _("Say whether they arrived."))
        return _render_participant(request, event, participant, status=400)
    actor = Actor(user=request.user, organiser=True)
    try:
        if wanted == "yes":
            arrival_mark(participant=participant, actor=actor)
            messages.success(request, _("%(name)s has arrived.") % {"name": participant.name})
        else:
            arrival_undo(participant=participant, actor=actor)
            messages.success(
                request,
                _("%(name)s is no longer marked as arrived today.") % {"name": participant.name},
            )
    except DomainError as exc:
        said = {
            "not_a_fair_day": _("The fair does not run today: arrivals are marked on its days."),
            "participant_withdrawn": _(
                "%(name)s said they no longer come: record that they come after all first."
            ),
            "not_arrived": _("%(name)s is not marked as arrived today."),
        }.get(exc.code)
        messages.error(request, said % {"name": participant.name} if said else exc.message)
    return redirect(back)


@with_event
@require_POST
def participant_book(request, event: Event, participant_id: int):
    """Book one of the participant's accepted requests into a slot (the desk: "book me with
    them at 11:00") through ``meeting_book`` as an organiser; both sides are told."""
    participant = _participant_or_404(event, participant_id)
    back = reverse("organiser:participant", args=[event.slug, participant.pk]) + "#to-book"
    form = OrganiserBookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered times."))
        return redirect(back)
    req = (
        selectors.requests_of(event=event, participant=participant)
        .filter(pk=form.cleaned_data["request"])
        .first()
    )
    slot = selectors.slots_of(event=event).filter(pk=form.cleaned_data["slot"]).first()
    if req is None or slot is None:
        messages.error(request, _("Choose one of the offered times."))
        return redirect(back)
    try:
        meeting = meeting_book(
            request=req,
            slot=slot,
            actor=Actor(user=request.user, organiser=True),
            source=Meeting.Source.ORGANISER,
        )
    except DomainError as exc:
        # the booking rules' reason in the page's language when they give one
        if exc.code == "request_has_meeting":  # booked meanwhile (the page was out of date)
            text = _(
                "This request already has a meeting (booked meanwhile); open it from the grid "
                "to move it."
            )
        else:
            text = str(exc.reason) if isinstance(exc.reason, Reason) else exc.message
        messages.error(request, text)
        return redirect(back)
    messages.success(
        request,
        _("Meeting %(id)s booked on %(when)s.")
        % {"id": meeting.pk, "when": labels.local_when(meeting.slot.start, event.tz)},
    )
    return redirect(back)


@with_event
@require_POST
def participant_calendar_renew(request, event: Event, participant_id: int):
    """A new secret calendar-feed address for a participant whose address leaked (the desk);
    the old one stops working."""
    participant = _participant_or_404(event, participant_id)
    calendar_link_renew(participant=participant)
    messages.success(
        request,
        _(
            "%(name)s has a new calendar address: the old one no longer works. They find the "
            "new one on their agenda page."
        )
        % {"name": participant.name},
    )
    return redirect("organiser:participant", slug=event.slug, participant_id=participant.pk)


@with_event
@require_GET
def participant_agenda(request, event: Event, participant_id: int):
    """The participant's agenda to print and hand over: the sheet in their language (the first
    of theirs the product speaks, as their emails), the console around it (its navigation, the
    Print and Back buttons) in the organiser's. Someone who no longer comes is said so, once,
    rather than "not at the fair" every day."""
    participant = _participant_or_404(event, participant_id)
    agenda = _agenda(event, participant, printed=True)
    sheet, language, bidi = _agenda_sheet(event, participant, agenda, timezone.localtime())
    return render(
        request,
        "matchmaking/organiser/agenda_print.html",
        _ctx(
            event,
            "exports",
            participant=participant,
            sheet=sheet,
            sheet_language=language,
            sheet_bidi=bidi,
        ),
    )


def _agenda_sheet(event: Event, participant: Participant, agenda: list, printed) -> tuple:
    """The printed agenda of one participant in their language (as their emails): the sheet's
    HTML, its language and whether it runs right to left."""
    language = language_of(participant)
    with translation.override(language):
        sheet = render_to_string(
            "matchmaking/organiser/_agenda_sheet.html",
            {
                "event": event,
                "participant": participant,
                "agenda": agenda,
                "printed": printed,
                "withdrawn": participant.withdrawn_at is not None,
            },
        )
    bidi = translation.get_language_info(language)["bidi"]
    return mark_safe(sheet), language, bidi  # our template's output, escaped there


AGENDAS_PER_PAGE = 100


@with_event
@require_GET
def agendas_print(request, event: Event):
    """Every attending participant's printed agenda on one page, each on a sheet of its own
    (a page break between them) in its participant's language, as the single printable agenda,
    ``AGENDAS_PER_PAGE`` a page (``?page=``); ``?kind=`` keeps one kind. Read in a fixed number
    of queries whatever the number of participants (the participants, the slots, the times they
    gave, the page's meetings with their seats)."""
    kind = request.GET.get("kind", "")
    if kind and kind not in labels.KIND:
        messages.error(request, _("Choose one of the offered kinds of participant."))
        return render(request, "matchmaking/base.html", _ctx(event, "exports"), status=400)
    people = (
        Participant.objects.filter(event=event, withdrawn_at__isnull=True)
        .select_related("organisation", "fixed_table")
        .order_by("name", "pk")
    )
    if kind:
        people = people.filter(kind=kind)
    # a sheet a person, every slot a row: a large fair's every agenda at once made a page of
    # 26 MB in 7.8 s (2,000 people); printed a hundred at a time, each page stays quick
    paginator = Paginator(people, AGENDAS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        messages.error(
            request,
            _("No such page of agendas: choose a page from 1 to %(pages)s.")
            % {"pages": paginator.num_pages},
        )
        return render(request, "matchmaking/base.html", _ctx(event, "exports"), status=400)
    people = list(page.object_list)
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    here = selectors.available_slots(slots=slots, participant_ids=[p.pk for p in people])
    mine: dict[int, list[Meeting]] = {}
    live = (
        selectors.meetings_of(event=event, participant=None)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(seats__participant__in=[p.pk for p in people])
        .distinct()
    )
    for m in live:
        for seat in m.seats.all():
            mine.setdefault(seat.participant_id, []).append(m)
    printed = timezone.localtime()
    sheets = []
    for person in people:
        agenda = _agenda_days(
            person, mine.get(person.pk, []), slots, here.get(person.pk), printed=True
        )
        html, language, bidi = _agenda_sheet(event, person, agenda, printed)
        sheets.append({"html": html, "language": language, "bidi": bidi})
    return render(
        request,
        "matchmaking/organiser/agendas_print.html",
        _ctx(
            event,
            "exports",
            sheets=sheets,
            page=page,
            kind=kind,
            kinds=list(labels.KIND.items()),
        ),
    )


@with_event
@require_GET
def participant_ics(request, event: Event, participant_id: int):
    participant = _participant_or_404(event, participant_id)
    response = HttpResponse(
        selectors.agenda_ics(event=event, participant=participant),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{event.slug}-{participant.ref or participant.pk}.ics"'
    )
    return response


# ------------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------------


@with_event
@require_GET
def statistics(request, event: Event):
    stats = reporting.event_statistics(event=event)
    today = timezone.localtime(timezone.now(), event.tz).date()
    # while the fair runs: today's row of the arrivals per fair day (none on another day)
    arrivals = next((row for row in stats["arrivals_by_day"] if row["date"] == today), None)
    peak_status = max(stats["meetings"].values()) if stats["meetings"] else 0
    status_rows = [
        {
            "code": code,
            "name": name,
            "value": stats["meetings"].get(code, 0),
            "percent": round(100 * stats["meetings"].get(code, 0) / peak_status)
            if peak_status
            else 0,
        }
        for code, name in labels.MEETING_STATUS.items()
    ]
    request_rows = [
        (code, name, stats["requests"].get(code, 0)) for code, name in labels.REQUEST_STATUS.items()
    ]
    absent_rows = [  # no-shows by who did not come, those not said last
        (code, capfirst(str(labels.ABSENT[code])), stats["no_show_absent"][code])
        for code in ("both", "sender", "recipient", "")
    ]
    kind_rows = [
        (code, name, stats["by_kind"].get(code, 0))
        for code, name in labels.KIND.items()
        if stats["by_kind"].get(code, 0)
    ]
    feedback = reporting.feedback_summary(event=event)
    interest = reporting.interest_summary(event=event)
    talk = reporting.message_summary(event=event)
    for row in interest["most_saved"]:
        row["kind_label"] = labels.KIND.get(row["kind"], row["kind"])
    return render(
        request,
        "matchmaking/organiser/stats.html",
        _ctx(
            event,
            "stats",
            stats=stats,
            status_rows=status_rows,
            absent_rows=absent_rows,
            arrivals=arrivals,
            arrivals_marked=any(row["arrived"] for row in stats["arrivals_by_day"]),
            request_rows=request_rows,
            kind_rows=kind_rows,
            feedback=feedback,
            interest=interest,
            talk=talk,
            outcome_rows=[
                (code, name, feedback["outcomes"].get(code, 0))
                for code, name in labels.FEEDBACK_OUTCOME.items()
            ],
            # the charts run as the grid does: right to left on a right-to-left page
            chart=bar_chart(stats["per_participant"], rtl=get_language_bidi()),
            strips=heat_strips(stats["occupancy"], rtl=get_language_bidi()),
        ),
    )


# ------------------------------------------------------------------------------------------------
# Scheduler
# ------------------------------------------------------------------------------------------------


SKIPPED_SHOWN = 10
PREVIEWED = 3  # the newest drafts whose publish the runs page previews


def _runs_context(event: Event) -> dict:
    """The runs' cards. The newest drafts get a preview of their publish (``PREVIEWED``: each
    reads the whole event, and the card refreshes every 3 s while a run is busy); published and
    superseded runs list what their publish did not apply. Names are read in one query."""
    runs = list(reporting.schedule_runs(event=event))
    drafts = [r for r in runs if r.status == ScheduleRun.Status.DRAFT][:PREVIEWED]
    diffs = schedule_run_previews(runs=drafts)
    shown: dict[int, list[dict]] = {}
    for run in runs:
        if run.pk in diffs:
            shown[run.pk] = diffs[run.pk]["skipped"][:SKIPPED_SHOWN]
        elif run.publish_report:
            shown[run.pk] = run.publish_report.get("skipped", [])[:SKIPPED_SHOWN]
    named = iter(selectors.requests_named(items=[i for items in shown.values() for i in items]))
    rows = []
    for run in runs:
        skipped = [
            {**item, "reason": labels.skip_reason(item)}
            for item in (next(named) for _ in shown.get(run.pk, []))
        ]
        rows.append(
            {
                "run": run,
                "stats": run.stats or {},
                "diff": diffs.get(run.pk),
                "previewed": run.pk in diffs,
                "skipped": skipped,
            }
        )
    busy = any(
        r.status
        in (ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING, ScheduleRun.Status.PUBLISHING)
        for r in runs
    )
    return {"runs": rows, "busy": busy, "run_status": labels.RUN_STATUS}


@with_event
def scheduler(request, event: Event):
    status = 200
    if request.method == "POST":
        form = ScheduleRunForm(request.POST)
        if form.is_valid():
            try:
                run = schedule_run_create(
                    event=event,
                    user=request.user,
                    options={
                        "time_limit": form.cleaned_data["time_limit"],
                        "pin_participant_bookings": form.cleaned_data["pin_participant_bookings"],
                        "minimise_moves": form.cleaned_data["minimise_moves"],
                        "replan_cancelled": form.cleaned_data["replan_cancelled"],
                        "fair_weight_share": (form.cleaned_data["fair_weight_share"] or 0) / 100,
                    },
                )
            except DomainError as exc:
                over = exc.code == "event_over"
                messages.error(
                    request,
                    _(
                        "Every slot of this event has started: there is nothing left to plan. "
                        "Meetings can still be recorded by hand on the grid."
                    )
                    if over
                    else exc.message,
                )
                status = exc.status
            else:
                messages.success(request, _("Scheduler run %(id)s started.") % {"id": run.pk})
                return redirect("organiser:scheduler", event.slug)
        else:
            messages.error(request, _("Please correct the run's settings."))
            status = 400
    else:
        form = ScheduleRunForm()
    ctx = _ctx(
        event,
        "scheduler",
        form=form,
        never_bookable=selectors.requests_never_bookable(event=event, limit=50),
        **_runs_context(event),
    )
    return render(request, "matchmaking/organiser/scheduler.html", ctx, status=status)


@with_event
@require_GET
def scheduler_runs(request, event: Event):
    return render(
        request,
        "matchmaking/organiser/_runs.html",
        _ctx(event, "scheduler", **_runs_context(event)),
    )


@with_event
@require_POST
def scheduler_publish(request, event: Event, run_id: int):
    run = ScheduleRun.objects.filter(event=event, pk=run_id).first()
    if run is None:
        raise Http404(_("No such scheduler run."))
    try:
        run = schedule_run_publish_later(run=run, user=request.user)
        run.refresh_from_db()  # published already when tasks run in process
    except DomainError as exc:
        text = exc.message
        if exc.code == "run_not_draft":
            text = _("Only a draft run can be published; this one is %(status)s.") % {
                "status": str(labels.label(labels.RUN_STATUS, run.status)).lower()
            }
        elif exc.code == "newer_run_published":
            text = _(
                "Run %(newer)s was published after run %(id)s was computed: the plan of run "
                "%(id)s is out of date and cannot be published. Start a new run."
            ) % {"newer": exc.extra["published_run"], "id": run.pk}
        messages.error(request, text)
        ctx = _ctx(event, "scheduler", form=ScheduleRunForm(), **_runs_context(event))
        return render(request, "matchmaking/organiser/scheduler.html", ctx, status=exc.status)
    if run.status == ScheduleRun.Status.PUBLISHING:
        messages.success(
            request,
            _("Run %(id)s is being published; its card shows when it is done.") % {"id": run.pk},
        )
        return redirect("organiser:scheduler", event.slug)
    if run.status == ScheduleRun.Status.DRAFT:  # refused (the task ran in this process)
        messages.error(
            request, _("Run %(id)s was not published: %(why)s") % {"id": run.pk, "why": run.error}
        )
        ctx = _ctx(event, "scheduler", form=ScheduleRunForm(), **_runs_context(event))
        return render(request, "matchmaking/organiser/scheduler.html", ctx, status=409)
    report = run.publish_report or {}
    messages.success(
        request,
        _(
            "Run %(id)s published: %(booked)s booked, %(moved)s moved, %(cancelled)s cancelled, "
            "%(skipped)s skipped."
        )
        % {
            "id": run.pk,
            "booked": report.get("booked", 0),
            "moved": report.get("moved", 0),
            "cancelled": report.get("cancelled", 0),
            "skipped": len(report.get("skipped", [])),
        },
    )
    return redirect("organiser:scheduler", event.slug)


# ------------------------------------------------------------------------------------------------
# Exports
# ------------------------------------------------------------------------------------------------


@with_event
@require_GET
def exports(request, event: Event):
    return render(
        request,
        "matchmaking/organiser/exports.html",
        _ctx(event, "exports", days=reporting.event_days(event=event)),
    )


CSV_SEPARATORS = {"": ",", "comma": ",", "semicolon": ";"}


def _csv_download(request, event: Event, what: str, header: list[str], rows_of):
    """The CSV export ``what`` (``rows_of(event=...)`` its rows), separated by commas, or by
    semicolons with ``?sep=semicolon`` (the Exports page's "for Excel in French or Arabic"
    links); any other ``sep`` is a 400 with a sentence, nothing read."""
    delimiter = CSV_SEPARATORS.get(request.GET.get("sep", ""))
    if delimiter is None:
        messages.error(request, _("Choose commas or semicolons to separate the columns."))
        return render(request, "matchmaking/base.html", _ctx(event, "exports"), status=400)
    response = StreamingHttpResponse(
        reporting.csv_stream(header=header, rows=rows_of(event=event), delimiter=delimiter),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-{what}.csv"'
    return response


@with_event
@require_GET
def meetings_csv(request, event: Event):
    return _csv_download(
        request, event, "meetings", reporting.CSV_HEADER, reporting.meetings_export_rows
    )


@with_event
@require_GET
def requests_csv(request, event: Event):
    return _csv_download(
        request, event, "requests", reporting.REQUESTS_CSV_HEADER, reporting.requests_export_rows
    )


@with_event
@require_GET
def participants_csv(request, event: Event):
    return _csv_download(
        request,
        event,
        "participants",
        reporting.PARTICIPANTS_CSV_HEADER,
        reporting.participants_export_rows,
    )


@with_event
@require_GET
def event_json(request, event: Event):
    """The whole event in the import format (as ``export_event`` and the API's export), to keep
    as its record or import again: the organisers' archive after the fair, without a token."""
    text = json.dumps(selectors.event_export(event=event), ensure_ascii=False, indent=1)
    response = HttpResponse(text + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.json"'
    return response


@with_event
@require_GET
def feedback_csv(request, event: Event):
    return _csv_download(
        request, event, "feedback", reporting.FEEDBACK_CSV_HEADER, reporting.feedback_export_rows
    )


@with_event
@require_http_methods(["GET", "POST"])
def broadcasts(request, event: Event):
    """Write one email to part of the participants (``broadcast_send``), and what was sent
    before, with how many emails left or failed. The form carries its own token: sent twice
    (a double click, a reload), it sends once; a refusal shows the form again with the text."""
    status = 200
    limits = {"audience": 40, "subject": 10_000, "body": 100_000}
    # the message in the other languages the emails are written in: subject_fr, body_fr...
    limits |= {f"{k}_{lang}": limits[k] for lang in EMAIL_LANGUAGES for k in ("subject", "body")}
    values = dict.fromkeys(limits, "") | {"audience": "all"}
    if request.method == "POST":
        status = 400
        try:
            values = {name: text_param(request.POST, name, limit=n) for name, n in limits.items()}
        except UnusableText as exc:  # shown again without what cannot be sent, not lost
            values = {name: UNUSABLE.sub("", str(request.POST.get(name, ""))) for name in limits}
            messages.error(request, str(exc))
        else:
            try:
                sent = broadcast_send(
                    event=event,
                    by=request.user,
                    client_token=text_param(request.POST, "token", limit=64),
                    audience=values["audience"],
                    subject=values["subject"],
                    body=values["body"],
                    translations={
                        lang: {"subject": values[f"subject_{lang}"], "body": values[f"body_{lang}"]}
                        for lang in EMAIL_LANGUAGES
                    },
                )
            except DomainError as exc:
                messages.error(request, _broadcast_refusal(exc, values))
            else:
                messages.success(request, _broadcast_done(sent))
                # written from a participant's page: back there (a participant of this event)
                back_to = id_param(request.POST, "back_to")
                if back_to and Participant.objects.filter(event=event, pk=back_to).exists():
                    page = reverse("organiser:participant", args=[event.slug, back_to])
                    return redirect(f"{page}#email")
                return redirect("organiser:broadcasts", event.slug)
    sizes = selectors.broadcast_audience_sizes(event=event)
    sent = list(selectors.broadcasts_of(event=event)[:50])
    names = selectors.audience_names(
        event=event, audiences=[values["audience"], *(b.audience for b in sent)]
    )
    audiences = [
        (code, labels.audience_label(code), n)
        for code, n in sizes.items()
        if n or not code.startswith("kind:")
    ]
    if values["audience"] in names:  # one participant's, refused: shown again with their name
        audiences.insert(0, (values["audience"], names[values["audience"]], 1))
    history = [
        (b, labels.audience_label(b.audience, names), language_names(list(b.translations)))
        for b in sent
    ]
    versions = [
        (lang, name, values[f"subject_{lang}"], values[f"body_{lang}"])
        for lang, name in zip(EMAIL_LANGUAGES, language_names(EMAIL_LANGUAGES), strict=True)
    ]
    return render(
        request,
        "matchmaking/organiser/broadcasts.html",
        _ctx(
            event,
            "broadcasts",
            values=values,
            versions=versions,
            versions_open=any(subject or body for _lang, _name, subject, body in versions),
            audiences=audiences,
            history=history,
            token=secrets.token_hex(16),
        ),
        status=status,
    )


def _broadcast_done(sent) -> str:
    n = sent.recipients
    if sent.created:
        return ngettext("Sent to %(n)s person.", "Sent to %(n)s people.", n) % {"n": n}
    return ngettext(
        "This message was already sent, to %(n)s person; nothing was sent again.",
        "This message was already sent, to %(n)s people; nothing was sent again.",
        n,
    ) % {"n": n}


def _broadcast_refusal(exc: DomainError, values: dict) -> str:
    """A refused message in the page's language (``values``: the form's texts, as the service
    counted them)."""
    if exc.code == "empty_audience":
        return _("Nobody is in this audience at the moment; nothing was sent.")
    if exc.field == "subject":
        return _("Write a subject of at most 200 characters.")
    if exc.field == "body" and values["body"]:  # too long (text_param stops a NUL before)
        n = len(values["body"])
        return _("Write a text of at most 5,000 characters (it has %(n)s).") % {"n": n}
    if exc.field == "body":
        return _("Write a text of at most 5,000 characters.")
    if exc.field == "audience":
        return _("Choose who receives the message.")
    if (exc.field or "").startswith("translations."):
        lang = exc.field.split(".")[1]
        return _(
            "The message in %(language)s needs a subject (at most 200 characters) and a text "
            "(at most 5,000 characters), or neither."
        ) % {"language": language_names([lang])[0]}
    return exc.message


def _settings_refusal(exc: DomainError, event: Event) -> str:
    """A refused setting in the page's language (the service speaks English, with field names)."""
    if exc.code == "booking_closes_before_opens":
        return _("Booking must close after it opens.")
    if exc.code == "booking_window_far":
        days = reporting.event_days(event=event)
        return _("Choose a time within a year of the event's days (%(first)s to %(last)s).") % {
            "first": labels.local_day(days[0]),
            "last": labels.local_day(days[-1]),
        }
    return exc.message


@with_event
@require_http_methods(["GET", "POST"])
def event_settings(request, event: Event):
    """The event's name, booking window and request expiry (``event_settings_update``), and
    one-click **Close booking now** / **Open booking now**. A refusal shows the form again with
    the reason and a 400; nothing is written."""
    status = 200
    now = timezone.now()
    if request.method == "POST" and request.POST.get("team") in ("add", "remove"):
        if _leaving_unconfirmed(request, event):
            # taking oneself off the team closes the event to them: say so and ask first
            return _settings_page(request, event, leaving=True)
        _team_change(request, event)
        if not selectors.organises(user=request.user, event=event):
            return redirect("organiser:events")  # this event's pages are closed to them now
        return redirect("organiser:settings", event.slug)
    if request.method == "POST" and request.POST.get("table_service") in ("out", "in"):
        return _table_service(request, event)
    if request.method == "POST" and request.POST.get("booking") in ("close", "open"):
        closing = request.POST["booking"] == "close"
        try:
            booking_set_open(event=event, open_now=not closing, now=now)
        except DomainError as exc:
            messages.error(request, _settings_refusal(exc, event))
        else:
            messages.success(
                request,
                _("Booking is closed: participants can no longer send requests or book.")
                if closing
                else _("Booking is open."),
            )
        return redirect("organiser:settings", event.slug)
    form = None
    if request.method == "POST":
        form = EventSettingsForm(request.POST)
        # the settings as the page showed them (hidden ``shown-*``): only what was changed on
        # the page is saved; a form without them (a script) sets every field, as before
        seen = EventSettingsForm(request.POST, prefix="shown")
        with_seen = all(f"shown-{name}" in request.POST for name in seen.fields)
        if form.is_valid() and with_seen and not seen.is_valid():
            messages.error(  # not values this page wrote
                request, _("This form is not one this page showed; reload the page and try again.")
            )
            status = 400
        elif form.is_valid():
            try:
                if with_seen:
                    event_settings_update_seen(
                        event=event, values=form.cleaned_data, seen=seen.cleaned_data
                    )
                else:
                    event_settings_update(event=event, **form.cleaned_data)
            except DomainError as exc:
                if exc.code != "settings_changed":
                    form.add_error(
                        exc.field if exc.field in form.fields else None,
                        _settings_refusal(exc, event),
                    )
                    messages.error(request, _("Please correct the settings."))
                    status = 400
                else:
                    messages.error(
                        request,
                        _(
                            "The settings were changed since you loaded this page (by someone "
                            "else, or in another tab): nothing was saved. The form shows them as "
                            "they are now: check them and save again."
                        ),
                    )
                    event.refresh_from_db()
                    form, status = None, 409
            else:
                messages.success(request, _("Settings saved."))
                return redirect("organiser:settings", event.slug)
        else:
            messages.error(request, _("Please correct the settings."))
            status = 400
    return _settings_page(request, event, form=form, status=status)


def _table_service(request, event: Event):
    """The Settings page's **Tables** card: take a lounge table out of service (its meetings
    still to come move to free tables of their slot, ``table_take_out_of_service``) or put it
    back. The outcome, and each meeting that could not move, is a message."""
    table = Table.objects.filter(
        event=event, shared=True, pk=id_param(request.POST, "table") or 0
    ).first()
    if table is None:
        messages.error(request, _("Choose one of the event's lounge tables."))
        return _settings_page(request, event, status=400)
    actor = Actor(user=request.user, organiser=True)
    try:
        if request.POST["table_service"] == "in":
            table_back_in_service(table=table, actor=actor)
        else:
            result = table_take_out_of_service(table=table, actor=actor)
    except DomainError as exc:
        messages.error(request, str(exc.reason) if isinstance(exc.reason, Reason) else exc.message)
        return redirect(reverse("organiser:settings", args=[event.slug]) + "#tables")
    if request.POST["table_service"] == "in":
        messages.success(
            request,
            _("%(table)s is back in service: bookings and scheduler runs may use it again.")
            % {"table": table.name},
        )
        return redirect(reverse("organiser:settings", args=[event.slug]) + "#tables")
    moved = len(result.moved)
    if moved:
        text = ngettext(
            "%(table)s is out of service. %(n)s meeting still to come moved to another table at "
            "the same time; both sides are told where.",
            "%(table)s is out of service. %(n)s meetings still to come moved to other tables at "
            "the same time; both sides are told where.",
            moved,
        )
    else:
        text = _("%(table)s is out of service. No meeting still to come had to move.")
    messages.success(request, text % {"table": table.name, "n": moved})
    for meeting, refused in result.stuck:
        why = str(refused.reason) if isinstance(refused.reason, Reason) else refused.message
        messages.error(
            request,
            _(
                "Still at %(table)s: the meeting of %(who)s on %(when)s (%(why)s). Move it or "
                "cancel it from its page (meeting %(id)s)."
            )
            % {
                "table": table.name,
                "who": f"{meeting.request.sender.name} – {meeting.request.recipient.name}",
                "when": day_time_text(meeting.slot.start.astimezone(event.tz)),
                "why": why.rstrip("."),
                "id": meeting.pk,
            },
        )
    return redirect(reverse("organiser:settings", args=[event.slug]) + "#tables")


def _settings_page(request, event: Event, *, form=None, status=200, leaving=False):
    current = {
        "name": event.name,
        "booking_opens": event.booking_opens,
        "booking_closes": event.booking_closes,
        "request_expiry_hours": event.request_expiry_hours,
    }
    if form is None:
        form = EventSettingsForm(initial=current)
    ctx = _ctx(
        event,
        "settings",
        form=form,
        # what the page shows, sent back with the form (see the POST above)
        shown=EventSettingsForm(initial=current, prefix="shown"),
        booking_open=event.booking_open_at(timezone.now()),
        team=selectors.event_organisers(event=event),
        leaving=leaving,
        lounge=sorted(
            Table.objects.filter(event=event, shared=True), key=lambda t: natural_key(t.name)
        ),
    )
    return render(request, "matchmaking/organiser/settings.html", ctx, status=status)


def _leaving_unconfirmed(request, event: Event) -> bool:
    """An organiser takes themselves off the team (which closes the event's pages to them: a
    superuser keeps them) without having confirmed it yet (``confirm``), and may go: the last
    organiser is refused at once by ``_team_change``, with no question first."""
    user = request.user
    return (
        request.POST.get("team") == "remove"
        and id_param(request.POST, "user") == user.pk
        and not user.is_superuser
        and not checkbox_ticked(request.POST.get("confirm"))
        and event.organisers.filter(pk=user.pk).exists()
        and not selectors.last_organiser(event=event, user=user)
    )


def _team_change(request, event: Event) -> None:
    """Add an organiser account to the event's team (by username or email) or take one off;
    the outcome is a message."""
    if request.POST["team"] == "add":
        name = text_param(request.POST, "account", limit=150).strip()
        if not name:
            messages.error(request, _("Type the username or email of an organiser account to add."))
            return
        user = selectors.organiser_account_named(name=name)
        if user is None:
            messages.error(
                request,
                _(
                    "No organiser account is called “%(name)s”. An administrator creates "
                    "organiser accounts (staff) in the admin."
                )
                % {"name": name},
            )
            return
        if event.organisers.filter(pk=user.pk).exists():
            messages.info(
                request,
                _("%(name)s is on this event's team already.") % {"name": user.get_username()},
            )
            return
        event_organiser_add(event=event, user=user)
        messages.success(
            request,
            _("%(name)s is now an organiser of this event.") % {"name": user.get_username()},
        )
        return
    user = event.organisers.filter(pk=id_param(request.POST, "user")).first()
    if user is None:
        messages.error(request, _("That account is not on this event's team any more."))
        return
    myself = user.pk == request.user.pk
    try:
        event_organiser_remove(event=event, user=user)
    except DomainError:
        if myself:
            text = _(
                "You are the last organiser of this event: add another organiser before you "
                "leave its team."
            )
        else:
            text = _(
                "%(name)s is the last organiser of this event: add another organiser first."
            ) % {"name": user.get_username()}
        messages.error(request, text)
        return
    if myself and not selectors.organises(user=user, event=event):
        messages.success(
            request,
            _("You are no longer an organiser of “%(name)s”: its pages are closed to you now.")
            % {"name": event.name},
        )
        return
    messages.success(
        request,
        _("%(name)s is no longer an organiser of this event.") % {"name": user.get_username()},
    )


@with_event
@require_GET
def table_plan(request, event: Event):
    days = reporting.event_days(event=event)
    day = reporting.pick_day(
        days=days, wanted=request.GET.get("date"), today=timezone.localdate(timezone=event.tz)
    )
    plan = None
    if day is not None:
        plan = render_table_plan(grid=reporting.grid_day(event=event, day=day))
    # ``cards=1``: each table on a sheet of its own, to post at the table
    cards = request.GET.get("cards") == "1"
    return render(
        request,
        "matchmaking/organiser/tables_print.html",
        _ctx(
            event,
            "exports",
            days=days,
            day=day,
            plan=plan,
            cards=cards,
            printed=timezone.localtime(),
        ),
    )
