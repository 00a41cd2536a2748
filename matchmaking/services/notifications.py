"""Notifications: one message per affected person per change, in their language, sent after commit.

Services call ``notify_*`` inside their transaction. Each creates Notification rows whose ``key``
names the change (so a retried service call creates nothing twice) and arranges, after commit,
for the Celery task ``matchmaking.send_notifications`` to send them. The task claims each row
before sending (pending → sending), so a redelivered task sends nothing twice.
"""

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import SafeMIMEText
from django.db import transaction
from django.db.models import F, Max, Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from matchmaking.languages import product_language, share_a_language
from matchmaking.models import (
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingSeat,
    Notification,
    Participant,
)
from matchmaking.selectors import agenda_ics, ics_method, meeting_ics

logger = logging.getLogger(__name__)

SUPPORTED = ("fr", "ar", "en")
CHUNK = 200
_batch = threading.local()
_digest = threading.local()
DIGESTED = ("meeting_booked", "meeting_moved", "meeting_cancelled")


def language_spoken(person: Participant) -> str | None:
    """The first of the person's languages the product speaks (French, Arabic, English), or
    None when it speaks none of them. An Arabic variety (Moroccan ``ary``, Algerian ``arq``,
    Tunisian ``aeb``, Egyptian ``arz``...) counts as Arabic; Amazigh languages count as none."""
    codes = (product_language(code) for code in person.languages or [])
    return next((code for code in codes if code in SUPPORTED), None)


def language_of(person: Participant) -> str:
    """The language the product writes to the person in: ``language_spoken``, else English."""
    return language_spoken(person) or "en"


def _local_text(moment: datetime, meeting: Meeting) -> str:
    """``moment`` in the meeting's event's time zone, as a short ISO-like text (logs, lists)."""
    return moment.astimezone(meeting.event.tz).strftime("%Y-%m-%d %H:%M")


def utc_offset(local: datetime) -> str:
    """The offset from UTC of an aware time: "UTC+1", "UTC-3:30", "UTC"."""
    minutes = int((local.utcoffset() or timedelta(0)).total_seconds() // 60)
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def moment_text(moment: datetime, tz) -> str:
    """A time as the emails write it, in the active language and the event's time zone, with
    the weekday and the zone: "Thursday 17 December 2026 at 10:30 (UTC+1)", "jeudi 17 décembre
    2026 à 10:30 (UTC+1)". (An ISO "2026-12-17 10:30" left readers to work out the day.)"""
    local = moment.astimezone(tz)
    return _("%(day)s at %(time)s (%(zone)s)") % {
        "day": date_format(local, "l j F Y"),
        "time": f"{local:%H:%M}",
        "zone": utc_offset(local),
    }


TIMES = ("when", "was", "proposed")  # the context's times, written by ``moment_text``


def list_text(items: Sequence[str], lang: str | None = None) -> str:
    """``items`` (names) as a list in a sentence of ``lang`` (default: the active language):
    "A, B and C" (CLDR's patterns through babel: "A, B et C" in French, "A, B, and C" in
    English). Arabic separates the items with its own comma and joins the last with و, which
    is written against the next word as CLDR writes it: "أمينة، كريم وبرونو". (CLDR's Arabic
    repeats و before every item; a list of names with their organisations reads better with
    the commas.)"""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    lang = (lang or get_language() or "en").split("-")[0]
    if lang == "ar":
        return "، ".join(items[:-1]) + " و" + items[-1]
    from babel import UnknownLocaleError
    from babel.lists import format_list

    try:
        return format_list(items, style="standard", locale=lang)
    except (UnknownLocaleError, ValueError):
        return format_list(items, style="standard", locale="en")


def _where(meeting: Meeting) -> str:
    return meeting.table.name if meeting.table else meeting.event.name


def _others(meeting: Meeting, person: Participant, seats=None) -> str:
    """Who else attends ``meeting`` ("Name (Organisation)", a list in the active language:
    ``list_text``); ``seats``: its seats already read (not left, with their participant and
    organisation), else they are read here."""
    if seats is None:
        seats = meeting.seats.filter(left=False).select_related("participant__organisation")
    names = [
        f"{s.participant.name} ({s.participant.organisation.name})"
        for s in seats
        if s.participant_id != person.pk
    ]
    return list_text(names)


def _texts(kind: str, *, person: Participant, meeting=None, request=None, extra=None):
    extra = extra or {}
    if meeting is not None:
        ctx = {
            "who": _others(meeting, person),
            "when": meeting.slot.start,
            "where": _where(meeting),
        }
    elif request is not None:
        other = request.recipient if request.sender_id == person.pk else request.sender
        ctx = {"who": f"{other.name} ({other.organisation.name})"}
    else:  # about several meetings: the caller says which (``extra``)
        ctx = {}
    ctx.update(extra)
    if isinstance(ctx.get("who"), list | tuple):  # names a caller read: a list in their language
        ctx["who"] = list_text(ctx["who"])
    for key in TIMES:  # in the recipient's language (active here) and the event's zone
        if isinstance(ctx.get(key), datetime):
            ctx[key] = moment_text(ctx[key], person.event.tz)
    if isinstance(ctx.get("day"), date):  # written the recipient's way (their language)
        ctx["day"] = date_format(ctx["day"], "DATE_FORMAT")
    if ctx.get("reason"):  # a system Reason renders in the active (the recipient's) language
        ctx["reason"] = str(ctx["reason"])
    subjects = {
        "request_received": _("New meeting request from %(who)s"),
        "request_accepted": _("%(who)s accepted your meeting request"),
        "request_declined": _("%(who)s declined your meeting request"),
        "request_expired": _("The meeting request between you and %(who)s expired"),
        "request_withdrawn": _("Meeting request with %(who)s withdrawn"),
        "request_expiring": _("%(who)s is waiting for your answer"),
        "meeting_booked": _("Meeting booked with %(who)s on %(when)s"),
        "meeting_moved": _("Your meeting with %(who)s moved to %(when)s"),
        "meeting_cancelled": _("Your meeting with %(who)s on %(when)s is cancelled"),
        "meeting_reminder": _("Reminder: meeting with %(who)s on %(when)s"),
        "attendee_left": (
            _("%(name)s no longer comes to your meeting on %(when)s; %(instead)s will be there")
            if extra.get("instead")
            else _("%(name)s will not attend your meeting on %(when)s")
        ),
        "feedback_request": _("How were your meetings on %(day)s?"),
        "attendance_withdrawn": _("You no longer come to %(event)s"),
        "import_overruled": _("The organisers updated your registration for %(event)s"),
        "message_received": _("%(who)s sent you a message"),
    }
    bodies = {
        "message_received": _("%(who)s wrote to you:"),
        "request_received": _(
            "%(who)s would like to meet you. Answer the request on your Requests page."
        ),
        "request_accepted": _("%(who)s accepted."),
        "request_declined": _("%(who)s declined your request."),
        "request_expired": _(
            "The request between you and %(who)s expired without an answer; no meeting was booked."
        ),
        "request_expiring": _(
            "%(who)s asked to meet you and is waiting for your answer. The request expires on "
            "%(when)s: accept or decline it before then on your Requests page."
        ),
        "request_withdrawn": (
            _(
                "The organisers withdrew the meeting request between you and %(who)s; no meeting "
                "will be booked for it."
            )
            if extra.get("by_organisers")
            else _(
                "%(who)s withdrew the meeting request between you; no meeting will be booked "
                "for it."
            )
        ),
        "meeting_booked": _("Meeting with %(who)s on %(when)s at %(where)s."),
        "meeting_moved": _("Your meeting with %(who)s now takes place on %(when)s at %(where)s."),
        "meeting_cancelled": (  # who cancelled it, when a person chose to
            _("%(by)s cancelled your meeting on %(when)s.")
            if extra.get("by")
            else _("The organisers cancelled your meeting with %(who)s on %(when)s.")
            if extra.get("organisers_cancelled")
            else _("Your meeting with %(who)s on %(when)s is cancelled.")
        ),
        "meeting_reminder": _("Your meeting with %(who)s starts on %(when)s at %(where)s."),
        "attendee_left": (
            _(
                "%(name)s no longer comes to your meeting on %(when)s at %(where)s. %(instead)s, "
                "who had joined it, will be there in their place: the meeting goes on, with "
                "%(who)s."
            )
            if extra.get("instead")
            else _(
                "%(name)s, who had joined your meeting with %(who)s on %(when)s at %(where)s, "
                "will not attend. The meeting goes on."
            )
        ),
        "attendance_withdrawn": (
            _(
                "The organisers recorded that you no longer come to %(event)s: %(cancelled)s. "
                "If this is a mistake, tell the organisers."
            )
            if extra.get("by_organisers")
            else _(
                "You said you no longer come to %(event)s: %(cancelled)s. If your plans "
                "change, say so under My times."
            )
        ),
        "import_overruled": _(
            "The organisers imported their participant list for %(event)s again. It changed "
            "what you had set yourself:"
        ),
        "feedback_request": _(
            "Did your meetings take place, and were they useful? Tell the organisers in your "
            "agenda, under each meeting (How was this meeting?): it takes a minute, and the "
            "other side does not see it. Meetings without your feedback yet:"
        ),
    }
    if kind == "attendance_withdrawn":
        counts = attendance_counts(ctx["meetings"], ctx["requests"])
        if ctx["meetings"] and ctx["requests"]:
            ctx["cancelled"] = _("%(meetings)s and %(requests)s cancelled") % counts
        elif ctx["meetings"] or ctx["requests"]:  # "0 requests" reads badly, in Arabic most
            what = counts["meetings"] if ctx["meetings"] else counts["requests"]
            ctx["cancelled"] = _("%(what)s cancelled") % {"what": what}
        else:
            ctx["cancelled"] = _("nothing of yours was still to come")
    body = bodies[kind]
    if kind in ("request_withdrawn", "request_declined", "meeting_cancelled") and ctx.get(
        "reason"
    ) not in (None, "", "-"):
        line = _("Reason: %(reason)s")  # not inside the f-string: makemessages finds it
        body = f"{body} {line}"
    proposed = getattr(request, "proposed_slot", None) if request is not None else None
    if proposed is not None and kind in ("request_received", "request_accepted"):
        ctx["proposed"] = moment_text(proposed.start, request.event.tz)
        if kind == "request_received":
            line = _("They propose %(proposed)s: accepting books it if it is still free.")
        else:  # told of the acceptance alone: the proposed time could not be booked
            line = _("The time you proposed, %(proposed)s, could not be booked.")
        body = f"{body} {line}"
    part = getattr(request, "session", "") if request is not None else ""
    if kind == "request_received" and part in ("morning", "afternoon"):
        # the booking and the scheduler keep to it: said before one accepts (the Requests page
        # says it too)
        line = (
            _("Asked for the morning: the meeting is booked in the morning.")
            if part == "morning"
            else _("Asked for the afternoon: the meeting is booked in the afternoon.")
        )
        body = f"{body} {line}"
    if kind == "request_accepted":  # what happens next, and why (booking closed, a limit)
        body = f"{body} {_accepted_next(extra)}"
    if kind == "request_received" and ctx.get("when"):
        line = _("Please answer by %(when)s.")  # the request expires then
        body = f"{body} {line}"
    if (
        kind == "request_received"
        and request is not None
        and not share_a_language(request.sender.languages, request.recipient.languages)
    ):
        line = _("You share no language: plan an interpreter or a bilingual colleague.")
        body = f"{body} {line}"
    if kind == "meeting_booked" and ctx.get("accepted_at"):
        # the other side accepted the request and chose the time (not the one proposed, if any)
        subjects[kind] = _("%(who)s accepted and booked your meeting for %(when)s")
        if ctx.get("proposed"):
            body = _(
                "%(who)s accepted your meeting request and booked the meeting for %(when)s at "
                "%(where)s (you proposed %(proposed)s)."
            )
        else:
            body = _(
                "%(who)s accepted your meeting request and booked the meeting for %(when)s at "
                "%(where)s."
            )
    if kind == "meeting_moved" and ctx.get("was"):
        line = _("It was on %(was)s.")
        body = f"{body} {line}"
    elif kind == "meeting_moved" and ctx.get("was_table"):  # same time, another table
        subjects[kind] = _("Your meeting with %(who)s on %(when)s moves to %(where)s")
        body = _(
            "Your meeting with %(who)s on %(when)s keeps its time and moves from %(was_table)s "
            "to %(where)s."
        )
    ctx.setdefault("reason", "-")
    body = body % ctx
    if kind == "feedback_request":
        body = "\n".join([body, *(f"- {line}" for line in ctx["meetings"])])
    if kind == "import_overruled":
        lines = {
            "times": _(
                "Your times at the fair are the organisers' again: yours no longer held a "
                "time of the new programme or one of your meetings. Check them under My times."
            ),
            "limit": _(
                "Your meeting limit is the organisers' again: yours was below the meetings "
                "they booked for you."
            ),
            "coming": _(
                "You said you no longer come, but the organisers' list gives you meetings or "
                "requests, so you are counted as coming. If you do not come, say so again "
                "under My times."
            ),
        }
        body = "\n".join([body, *(f"- {lines[w]}" for w in ctx["what"] if w in lines)])
    if kind == "message_received":  # as they wrote it (after the formatting: it may hold "%")
        quoted = "\n".join(f"> {line}" for line in extra["text"].splitlines())
        after = _(
            "Answer under Messages on your pages. Their next messages are not emailed to you "
            "until you have opened this conversation."
        )
        body = f"{body}\n\n{quoted}\n\n{after}"
    if kind == "request_received" and request is not None and request.message.strip():
        # what they wrote, as they wrote it (after the formatting: it may hold a "%")
        quoted = "\n".join(f"> {line}" for line in request.message.strip().splitlines())
        label = _("Their message:")
        body = f"{body}\n\n{label}\n{quoted}"
    return subjects[kind] % ctx, body


def _accepted_next(extra: dict) -> str:
    """What the sender of a request accepted without a meeting reads after "X accepted.": what
    happens next, as things stand (``extra["unbooked"]``: ``requests.unbooked_cause``)."""
    unbooked = extra.get("unbooked")
    if unbooked == "sender_limit":
        if extra.get("limit") == 1:
            return _(
                "You have reached your limit of 1 meeting, so this one cannot be booked: raise "
                "your limit on your profile, or cancel a meeting, to get it booked."
            )
        return _(
            "You have reached your limit of %(limit)s meetings, so this one cannot be booked: "
            "raise your limit on your profile, or cancel a meeting, to get it booked."
        )
    if unbooked == "booking_closed":
        return _(
            "Booking is closed, so neither of you can book a time now: the organisers will "
            "schedule the meeting, and you will be told its time."
        )
    if unbooked == "recipient_limit":
        return _("The meeting is still to be given a time: the organisers will schedule it.")
    return _(
        "The meeting is still to be given a time: book one in your agenda while booking is "
        "open, or the organisers will schedule it."
    )


def attendance_counts(meetings: int, requests: int) -> dict[str, str]:
    """What saying "no longer comes" cancelled, as words in the active language: ``meetings``
    ("2 meetings") and ``requests`` ("1 request")."""
    return {  # (the other side of each was told)
        "meetings": ngettext("%(n)s meeting", "%(n)s meetings", meetings) % {"n": meetings},
        "requests": ngettext("%(n)s request", "%(n)s requests", requests) % {"n": requests},
    }


def notify_attendance_withdrawn(
    *, person: Participant, meetings: int, requests: int, by_organisers: bool
) -> None:
    """One email to the person who no longer comes, saying what was cancelled (each other side
    was told of their meeting or request)."""
    when = person.withdrawn_at.isoformat() if person.withdrawn_at else timezone.now().isoformat()
    note = _create(
        Notification.Kind.ATTENDANCE_WITHDRAWN,
        f"attendance_withdrawn:to{person.pk}:{when}",
        person,
        extra={
            "event": person.event.name,
            "meetings": meetings,
            "requests": requests,
            "by_organisers": by_organisers,
        },
    )
    _deliver_later([note.pk] if note else [])


def notify_without_rows(*, person: Participant, kind: str, key: str, extra: dict) -> None:
    """An email about a meeting or request that no longer exists (a replacing import dropped the
    other side from the fair): what it was is said in ``extra`` (``who``, ``when``, ``where``,
    ``reason``, as the meeting's or request's own email would say it)."""
    note = _create(kind, key, person, extra=extra)
    _deliver_later([note.pk] if note else [])


def notify_message(*, message) -> None:
    """One email to the recipient of ``message`` (a ``Message``), quoting it; the caller sends
    it only for the first message they have not read from its sender."""
    sender = message.sender
    note = _create(
        Notification.Kind.MESSAGE_RECEIVED,
        f"message:{message.pk}",
        message.recipient,
        other=sender,
        extra={"who": f"{sender.name} ({sender.organisation.name})", "text": message.body},
    )
    _deliver_later([note.pk] if note else [])


def notify_import_overruled(*, person: Participant, what: list[str]) -> None:
    """One email to a participant whose own settings the organisers' new file overruled
    (``what``: "times", "limit", "coming"; see ``importer._Identities.overruled``)."""
    note = _create(
        Notification.Kind.IMPORT_OVERRULED,
        f"import_overruled:to{person.pk}:{timezone.now().isoformat()}",
        person,
        extra={"event": person.event.name, "what": list(what)},
    )
    _deliver_later([note.pk] if note else [])


def one_line(text: str) -> str:
    """``text`` fit for a mail header: line breaks (Django refuses them in a subject with
    BadHeaderError) and runs of white space become one space. Names come from imports and
    profiles, which may hold a line break."""
    return " ".join(str(text).split())


def site_link(path: str) -> str:
    """``path`` (an address on this site) as a full address to put in an email, or "" when no
    ``SITE_URL`` is set (the email then carries no link)."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else ""


_PAGE_OF_KIND = {  # the participant's page an email about this kind of change opens
    "request_received": "participant:requests",
    "request_accepted": "participant:requests",
    "request_declined": "participant:requests",
    "request_expired": "participant:requests",
    "request_withdrawn": "participant:requests",
    "request_expiring": "participant:requests",
    "meeting_booked": "participant:agenda",
    "meeting_moved": "participant:agenda",
    "meeting_cancelled": "participant:agenda",
    "meeting_reminder": "participant:agenda",
    "attendee_left": "participant:agenda",
    "feedback_request": "participant:agenda",
    "attendance_withdrawn": "participant:presence",
    "import_overruled": "participant:presence",
    "message_received": "participant:messages",
    "schedule_published": "participant:agenda",
}


def page_path(kind: str, person: Participant, *, meeting=None, request=None, other=None) -> str:
    """Where on the person's pages an email of ``kind`` sends them: the request or meeting
    itself (an anchor on the requests page or the agenda), the conversation with ``other``."""
    slug = person.event.slug
    if kind == "message_received" and other is not None:
        return reverse("participant:conversation", args=[slug, other.pk])
    path = reverse(_PAGE_OF_KIND.get(kind, "participant:event"), args=[slug])
    if meeting is not None:
        return f"{path}#meeting-{meeting.pk}"
    if request is not None:
        return f"{path}#request-{request.pk}"
    return path


def _create(kind: str, key: str, person: Participant, other=None, **links) -> Notification | None:
    lang = language_of(person)
    with translation.override(lang):
        subject, body = _texts(
            kind,
            person=person,
            meeting=links.get("meeting"),
            request=links.get("request"),
            extra=links.pop("extra", None),
        )
    path = page_path(
        kind, person, meeting=links.get("meeting"), request=links.get("request"), other=other
    )
    return _store(kind, key, person, lang, subject, body, path, **links)


def _store(kind, key, person, lang, subject, body, path, **links) -> Notification | None:
    """The notification, its body ending with a link to ``path`` (when ``SITE_URL`` is set);
    None when one with ``key`` exists already (the same change told once)."""
    url = site_link(path)
    if url:
        with translation.override(lang):
            line = _("Open it on your pages: %(url)s") % {"url": url}
        body = f"{body}\n\n{line}"
    note, created = Notification.objects.get_or_create(
        key=key[:200],
        defaults={
            "recipient": person,
            "kind": kind,
            "language": lang,
            "subject": one_line(subject)[:300],
            "body": body,
            **links,
        },
    )
    return note if created else None


def _deliver_later(ids: list[int]) -> None:
    if not ids:
        return
    pending = getattr(_batch, "ids", None)
    if pending is not None:
        pending.extend(ids)
        return
    from matchmaking.tasks import send_notifications

    # a task queue that cannot be reached must not fail the committed change (a booking answered
    # 500, its retry "already has a meeting"): the notes stay pending for the periodic sweep
    transaction.on_commit(lambda: send_notifications.delay(notification_ids=ids), robust=True)


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Collect the notifications created inside (a schedule publish) and send them in chunks."""
    _batch.ids = []
    try:
        yield
        ids = _batch.ids
    finally:
        _batch.ids = None
    for start in range(0, len(ids), CHUNK):
        _deliver_later(ids[start : start + CHUNK])


def notify_meeting(
    *,
    meeting: Meeting,
    kind: str,
    actor_participant=None,
    reason="",
    only=None,
    skip=(),
    was: datetime | None = None,
    was_table: str | None = None,
    extra_for: dict[int, dict] | None = None,
) -> None:
    """Tell every attendee of ``meeting`` (but the participant who made the change, and
    colleagues who left it) about it. ``reason`` is text a person typed (sent as typed) or a
    ``matchmaking.reasons.Reason`` (written in each recipient's language); ``was``: where a
    moved meeting's time was; ``was_table``: the table a meeting that kept its time left (the
    email then says the time stays and the place changes); ``extra_for``: more for some of
    them (participant id → words of ``_texts``: a booked meeting's ``accepted_at`` and
    ``proposed``)."""
    meeting = Meeting.objects.select_related("slot", "table", "event").get(pk=meeting.pk)
    cancelled_by = {}  # a cancellation says who chose it: the other party, or the organisers
    if kind == Notification.Kind.MEETING_CANCELLED:
        if meeting.cancelled_by == Meeting.CancelledBy.ORGANISER:
            cancelled_by = {"organisers_cancelled": True}
        elif meeting.cancelled_by == Meeting.CancelledBy.PARTICIPANT and actor_participant:
            who = actor_participant
            cancelled_by = {"by": f"{who.name} ({who.organisation.name})"}
    ids = []
    for seat in meeting.seats.filter(left=False).select_related("participant__organisation"):
        person = seat.participant
        if actor_participant is not None and person.pk == actor_participant.pk:
            continue
        if only is not None and person.pk not in only:  # ``only``: these participant ids
            continue
        if person.pk in skip:  # ``skip``: not these (told otherwise)
            continue
        # a reminder is for the meeting at its time: a colleague leaving (a new SEQUENCE) does
        # not send it again, a move does
        when = (
            f"slot{meeting.slot_id}"
            if kind == Notification.Kind.MEETING_REMINDER
            else f"seq{meeting.sequence}"
        )
        key = f"{kind}:meeting{meeting.pk}:{when}:to{person.pk}"
        extra = {"reason": reason or "-"} | cancelled_by
        if was is not None:
            extra["was"] = was
        elif was_table:
            extra["was_table"] = was_table
        extra |= (extra_for or {}).get(person.pk, {})
        collected = getattr(_digest, "people", None)
        if collected is not None and kind in DIGESTED:  # one email for the whole publish
            mine = collected.setdefault(person.pk, {})
            if mine.get(meeting.pk, ("",))[0] != "meeting_booked":  # booked, then placed: booked
                mine[meeting.pk] = (kind, extra)
            continue
        note = _create(kind, key, person, meeting=meeting, extra=extra)
        if note:
            ids.append(note.pk)
    _deliver_later(ids)


@contextlib.contextmanager
def digested(key: str) -> Iterator[None]:
    """Inside (a schedule publish), the emails of booked, moved and cancelled meetings are
    collected per person; at the end each person gets one email listing what changed for them
    (``key`` names the change: one email per person however often it is retried), with their
    agenda as a calendar file, instead of one email per meeting."""
    _digest.people = {}
    try:
        yield
        people = _digest.people
    finally:
        _digest.people = None
    ids = []
    for person in Participant.objects.filter(pk__in=list(people)).select_related("event"):
        note = _digest_create(person, people[person.pk], key=f"{key}:to{person.pk}")
        if note:
            ids.append(note.pk)
    _deliver_later(ids)  # inside a publish's batched(), sent in chunks with the rest


def _digest_create(person: Participant, changes: dict, *, key: str) -> Notification | None:
    """One email listing ``changes`` (meeting id -> (kind, extra)) in the person's language, in
    the order of the meetings' times."""
    seats = MeetingSeat.objects.filter(left=False).select_related("participant__organisation")
    meetings = (
        Meeting.objects.filter(pk__in=list(changes))
        .select_related("slot", "table", "event")
        .prefetch_related(Prefetch("seats", queryset=seats, to_attr="present"))
    )
    lines = []
    lang = language_of(person)
    with translation.override(lang):
        for meeting in sorted(meetings, key=lambda m: (m.slot.start, m.pk)):
            kind, extra = changes[meeting.pk]
            ctx = {
                "who": _others(meeting, person, meeting.present),
                "when": moment_text(meeting.slot.start, meeting.event.tz),
                "where": _where(meeting),
            }
            if kind == "meeting_booked":
                line = _("Booked: %(when)s, %(where)s, with %(who)s.") % ctx
            elif kind == "meeting_moved":
                line = _("Moved: %(when)s, %(where)s, with %(who)s.") % ctx
                if extra.get("was"):
                    was = _("It was on %(was)s.") % {
                        "was": moment_text(extra["was"], meeting.event.tz)
                    }
                    line = f"{line} {was}"
            else:
                line = _("Cancelled: %(when)s, with %(who)s.") % ctx
                if extra.get("reason", "-") != "-":
                    why = _("Reason: %(reason)s") % {"reason": str(extra["reason"])}
                    line = f"{line} {why}"
            lines.append(f"- {line}")
        subject = _("Your meetings at %(event)s: the schedule is published") % {
            "event": person.event.name
        }
        intro = _(
            "The organisers published the meeting schedule. What changed for you, attached as a "
            "calendar file too:"
        )
        body = "\n".join([intro, "", *lines])
    kind = Notification.Kind.SCHEDULE_PUBLISHED
    return _store(kind, key, person, lang, subject, body, page_path(kind, person))


def notify_attendee_left(
    *,
    meeting: Meeting,
    person: Participant,
    reason="",
    tell_them: bool = True,
    was_at: datetime | None = None,
) -> None:
    """A colleague no longer attends ``meeting``: its two parties are told that they will not
    come; with ``tell_them`` (someone else took them out, or their new times did), the colleague
    too, that it is cancelled for them, at the time they had it (``was_at``, when a replacing
    import moved the meeting as it took them out; else its time). The meeting goes on."""
    meeting = Meeting.objects.select_related("slot", "table", "event").get(pk=meeting.pk)
    ids = []
    if tell_them:
        key = f"meeting_cancelled:meeting{meeting.pk}:seq{meeting.sequence}:to{person.pk}"
        extra = {"reason": reason or "-"}
        if was_at is not None:
            extra["when"] = was_at
        note = _create(
            Notification.Kind.MEETING_CANCELLED,
            key,
            person,
            meeting=meeting,
            extra=extra,
        )
        ids += [note.pk] if note else []
    # the colleague is in the key: one import may take two out at the same SEQUENCE
    seq = meeting.sequence
    for seat in meeting.seats.filter(left=False, is_party=True).select_related(
        "participant__organisation"
    ):
        party = seat.participant
        key = f"attendee_left:meeting{meeting.pk}:seq{seq}:left{person.pk}:to{party.pk}"
        note = _create(
            Notification.Kind.ATTENDEE_LEFT,
            key,
            party,
            meeting=meeting,
            extra={"name": person.name},
        )
        ids += [note.pk] if note else []
    _deliver_later(ids)


def notify_party_replaced(*, meeting: Meeting, leaver: Participant, instead: Participant) -> None:
    """One of ``meeting``'s parties no longer comes and their colleague ``instead`` takes their
    place (``meetings.meeting_hand_over_locked``): the other side's party is told, in their
    language, who no longer comes and who will be there. The meeting goes on."""
    meeting = Meeting.objects.select_related("slot", "table", "event").get(pk=meeting.pk)
    ids = []
    for seat in meeting.seats.filter(left=False, is_party=True).select_related(
        "participant__organisation"
    ):
        party = seat.participant
        if party.pk == instead.pk:
            continue
        key = (
            f"attendee_left:meeting{meeting.pk}:seq{meeting.sequence}:left{leaver.pk}:to{party.pk}"
        )
        note = _create(
            Notification.Kind.ATTENDEE_LEFT,
            key,
            party,
            meeting=meeting,
            extra={"name": leaver.name, "instead": instead.name},
        )
        ids += [note.pk] if note else []
    _deliver_later(ids)


def notify_request(
    *,
    request: MeetingRequest,
    kind: str,
    by: Participant | None = None,
    reason="",
    by_organisers: bool | None = None,
    unbooked: str | None = None,
) -> None:
    """Request received (to the recipient), answered (to the sender), expired (to both),
    withdrawn (to the other side of ``by``, the party who withdrew it; to both when the
    organisers did; with the ``reason`` typed, if any; declined too). ``unbooked``: for an
    acceptance without a meeting, what stands in the way of booking it
    (``requests.unbooked_cause``), said to the sender with what to do."""
    request = MeetingRequest.objects.select_related(
        "sender__organisation", "recipient__organisation", "event", "proposed_slot"
    ).get(pk=request.pk)
    extra = None
    if kind == Notification.Kind.REQUEST_RECEIVED:
        people = [request.recipient]
        extra = {"when": request.expires_at} if request.expires_at else None
    elif kind == Notification.Kind.REQUEST_EXPIRING:  # the one who has to answer
        people = [request.recipient]
        extra = {"when": request.expires_at}
    elif kind == Notification.Kind.REQUEST_EXPIRED:
        people = [request.sender, request.recipient]
    elif kind == Notification.Kind.REQUEST_WITHDRAWN:
        people = [p for p in (request.sender, request.recipient) if by is None or p.pk != by.pk]
        # ``by_organisers``: the organisers acted for ``by`` (who is told otherwise)
        organisers = by is None if by_organisers is None else by_organisers
        extra = {"by_organisers": organisers, "reason": reason}
    else:
        people = [request.sender]
        if kind == Notification.Kind.REQUEST_DECLINED:
            extra = {"reason": reason}
        elif kind == Notification.Kind.REQUEST_ACCEPTED and unbooked:
            extra = {"unbooked": unbooked, "limit": request.sender.max_meetings}
    ids = []
    for person in people:
        key = f"{kind}:request{request.pk}:to{person.pk}"
        note = _create(kind, key, person, request=request, extra=extra)
        if note:
            ids.append(note.pk)
    _deliver_later(ids)


# emails that carry the meeting as a calendar entry (meeting.ics: the feed's UID and SEQUENCE,
# so importing it adds, moves or removes the same entry)
WITH_CALENDAR = ("meeting_booked", "meeting_moved", "meeting_cancelled")
MAX_SEND_ATTEMPTS = 6
SEND_CLAIM = timedelta(minutes=10)  # a sender that has not finished by then was lost


def calendar_part(filename: str, content: bytes, *, method: str = "") -> SafeMIMEText:
    """An iCalendar attachment: ``text/calendar`` with its charset once and, for an iTIP
    message, its ``method`` (PUBLISH, CANCEL), as calendar clients read it. (A mimetype string
    carrying the charset got a second one from Django.)"""
    part = SafeMIMEText(content.decode("utf-8"), "calendar", "utf-8")
    if method:
        part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def retry_delay(attempts: int) -> timedelta:
    """How long a notification waits after its ``attempts``-th failed attempt: 5, 10, 20, 40,
    80 minutes (about two and a half hours in all before it is given up)."""
    return timedelta(minutes=5 * 2 ** (attempts - 1))


def notifications_send(*, ids: Iterable[int], now: datetime | None = None) -> int:
    """Send the given pending notifications by email; returns how many were sent. Idempotent.

    A failed attempt (the mail server down, say) puts the notification back to pending, retried
    by the sweep after ``retry_delay``; after ``MAX_SEND_ATTEMPTS`` it stays failed, with the
    error, for the organisers to see."""
    sent = 0
    now = now or timezone.now()
    notes = Notification.objects.filter(pk__in=list(ids)).select_related(
        "recipient__event", "meeting__event"
    )
    for note in notes:
        claimed = Notification.objects.filter(
            pk=note.pk, status=Notification.Status.PENDING
        ).update(
            status=Notification.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + SEND_CLAIM,
        )
        if not claimed:
            continue
        attempts = note.attempts + 1
        try:
            email = EmailMessage(
                one_line(note.subject),
                note.body,
                settings.DEFAULT_FROM_EMAIL,
                [note.recipient.email],
            )
            if note.meeting_id and note.kind in WITH_CALENDAR:
                content = meeting_ics(meeting=note.meeting, participant=note.recipient)
                email.attach(calendar_part("meeting.ics", content, method=ics_method(content)))
            elif note.kind == Notification.Kind.SCHEDULE_PUBLISHED:  # their whole agenda
                content = agenda_ics(event=note.recipient.event, participant=note.recipient)
                email.attach(calendar_part("agenda.ics", content))
            email.send(fail_silently=False)
        except Exception as exc:  # the row keeps the error; retried unless it was the last try
            last = attempts >= MAX_SEND_ATTEMPTS
            logger.warning(
                "notification %s failed (attempt %s%s): %s",
                note.pk,
                attempts,
                ", giving up" if last else "",
                exc,
            )
            Notification.objects.filter(pk=note.pk).update(
                status=Notification.Status.FAILED if last else Notification.Status.PENDING,
                next_attempt_at=None if last else now + retry_delay(attempts),
                error=str(exc)[:1000],
            )
            continue
        Notification.objects.filter(pk=note.pk).update(
            status=Notification.Status.SENT, sent_at=timezone.now(), next_attempt_at=None
        )
        sent += 1
    return sent


PENDING_GRACE = timedelta(minutes=2)  # the task sent after commit has had its chance by then


def notifications_send_pending(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send notifications still pending ``PENDING_GRACE`` after they were written (their task
    never ran: the queue was down, a worker lost it) or due for another attempt, and take back
    those whose sender was lost while sending (its claim lapsed: sent at least once, perhaps
    twice); returns how many were sent. Periodic."""
    now = now or timezone.now()
    Notification.objects.filter(status=Notification.Status.SENDING, next_attempt_at__lt=now).update(
        status=Notification.Status.PENDING, next_attempt_at=None
    )
    ids = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, created_at__lt=now - PENDING_GRACE
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return notifications_send(ids=ids, now=now) if ids else 0


def reminders_due(*, now: datetime | None = None) -> int:
    """Create reminders for meetings starting within ``REMINDER_MINUTES`` that have none yet."""
    now = now or timezone.now()
    soon = now + timedelta(minutes=settings.REMINDER_MINUTES)
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, slot__start__gt=now, slot__start__lte=soon
    )
    count = 0
    for meeting in meetings:
        with transaction.atomic():
            before = Notification.objects.filter(meeting=meeting, kind="meeting_reminder").count()
            notify_meeting(meeting=meeting, kind=Notification.Kind.MEETING_REMINDER)
            count += (
                Notification.objects.filter(meeting=meeting, kind="meeting_reminder").count()
                - before
            )
    return count


def _ended_by(moment: datetime) -> datetime:
    return moment - timedelta(minutes=settings.FEEDBACK_ASK_MINUTES)


def _feedback_key(slug: str, ref: str, day, last: datetime) -> str:
    """One "how were your meetings?" per person and day, whatever their row (a replacing
    import gives people new rows but keeps their ref), and one more when a meeting booked
    later that day ends after the one they were asked after."""
    return f"feedback_request:{slug}:{ref}:{day.isoformat()}:{last:%Y%m%dT%H%M}"


def feedback_requests_due(*, now: datetime | None = None) -> int:
    """Ask each participant, once per day of the fair, how their meetings of that day went:
    ``FEEDBACK_ASK_MINUTES`` after the end of their last meeting of the day (one that is not
    cancelled or a no-show), when that day's meetings ended in the last 24 hours and some of
    them have no feedback from them yet. Returns the number of emails created.

    Runs every 15 minutes over every event: it finds in one aggregate query the people whose
    day is over, drops those already asked, and loads meetings only for the rest (a fixed
    handful of queries, whatever the number of meetings)."""
    now = now or timezone.now()
    ended = _ended_by(now)
    live = [Meeting.Status.SCHEDULED, Meeting.Status.CHECKED_IN, Meeting.Status.HELD]
    # each person's last live meeting of each day with a meeting ending in the last 24 hours
    # (a later meeting of that day counts too: the day is over only once it is)
    over = (
        MeetingSeat.objects.filter(
            left=False,
            meeting__status__in=live,
            meeting__slot__end__gt=ended - timedelta(hours=24),
        )
        .order_by()
        .values_list("participant_id", "participant__ref", "participant__event__slug")
        .annotate(day=F("meeting__slot__date"), last=Max("meeting__slot__end"))
        .filter(last__lte=ended)
    )
    wanted = {_feedback_key(slug, ref, day, last): (pid, day) for pid, ref, slug, day, last in over}
    if not wanted:
        return 0
    asked = set()
    keys = list(wanted)
    for i in range(0, len(keys), 500):
        asked.update(
            Notification.objects.filter(key__in=keys[i : i + 500]).values_list("key", flat=True)
        )
    todo = {key: who for key, who in wanted.items() if key not in asked}
    if not todo:
        return 0
    people = {pid for pid, _ in todo.values()}
    seats = (
        MeetingSeat.objects.filter(
            participant_id__in=people,
            left=False,
            meeting__status__in=live,
            meeting__slot__date__in={day for _, day in todo.values()},
            meeting__slot__start__lte=now,
        )
        .select_related("participant", "meeting__slot", "meeting__table", "meeting__event")
        .prefetch_related(
            Prefetch(
                "meeting__seats",
                queryset=MeetingSeat.objects.filter(left=False).select_related(
                    "participant__organisation"
                ),
                to_attr="seated",
            )
        )
        .order_by("meeting__slot__start")
    )
    days: dict[tuple, list[Meeting]] = {}
    person_of = {}
    for seat in seats:
        days.setdefault((seat.participant_id, seat.meeting.slot.date), []).append(seat.meeting)
        person_of[seat.participant_id] = seat.participant
    given = set(
        MeetingFeedback.objects.filter(
            participant_id__in=people,
            meeting_id__in={m.pk for ms in days.values() for m in ms},
        ).values_list("meeting_id", "participant_id")
    )
    ids = []
    for key, (pid, day) in todo.items():
        missing = [m for m in days.get((pid, day), []) if (m.pk, pid) not in given]
        if not missing:
            continue
        person = person_of[pid]
        lines = []
        for m in missing:
            others = list_text(
                [
                    f"{s.participant.name} ({s.participant.organisation.name})"
                    for s in m.seated
                    if s.participant_id != pid
                ],
                language_of(person),
            )
            lines.append(f"{_local_text(m.slot.start, m)[-5:]} {others} ({_where(m)})")
        note = _create(
            Notification.Kind.FEEDBACK_REQUEST,
            key,
            person,
            extra={"day": day, "meetings": lines},
        )
        if note:
            ids.append(note.pk)
    _deliver_later(ids)
    return len(ids)
