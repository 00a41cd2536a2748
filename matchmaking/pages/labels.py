"""Translated labels for the domain's codes (the models keep plain English codes)."""

import re
from datetime import timedelta

from babel.dates import get_timezone_location
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from matchmaking.languages import ARABIC_NAMES
from matchmaking.reasons import day_time_text, reason_from_detail, reason_text
from matchmaking.services.notifications import attendance_counts as notification_counts

MEETING_STATUS = {
    "scheduled": _("Scheduled"),
    "checked_in": _("Checked in"),
    "held": _("Held"),
    "no_show": _("No-show"),
    "cancelled": _("Cancelled"),
}

REQUEST_STATUS = {
    "pending": _("Pending"),
    "accepted": _("Accepted"),
    "declined": _("Declined"),
    "cancelled": pgettext_lazy("request status", "Cancelled"),
    "expired": _("Expired"),
}

KIND = {
    "exhibitor": _("Exhibitor"),
    "visitor": _("Visitor"),
    "delegation": _("City delegation"),
    "startup": _("Start-up"),
    "investor": _("Investor"),
    "institution": _("Institution"),
    "speaker": _("Speaker"),
    "media": _("Media"),
}

FEEDBACK_OUTCOME = {
    "none": _("No further contact planned"),
    "follow_up": _("Follow-up planned"),
    "agreement": _("Business or cooperation agreement in view"),
}

BROADCAST_AUDIENCE = {
    "all": _("Everyone"),
    "without_meetings": _("People without a meeting yet"),
    "pending_answers": _("People with requests waiting for their answer"),
    "without_sectors": _("People whose profile names no sector"),
}


def audience_label(code: str, names: dict[str, str] | None = None) -> str:
    """An organisers' message's audience in words: one of ``BROADCAST_AUDIENCE``,
    "kind:<kind>" (every participant of that kind) or "participant:<id>" (their name, from
    ``names`` by code)."""
    if code.startswith("kind:"):
        return _("Kind: %(kind)s") % {"kind": label(KIND, code[5:])}
    if code.startswith("participant:"):
        return (names or {}).get(code) or _("A participant who is no longer listed")
    return label(BROADCAST_AUDIENCE, code)


RUN_STATUS = {
    "queued": _("Queued"),
    "running": _("Running"),
    "draft": _("Draft"),
    "publishing": _("Publishing"),
    "failed": _("Failed"),
    "published": _("Published"),
    "superseded": _("Superseded"),
}

TABLE_FILTER = {
    "all": _("All tables"),
    "used": _("Tables in use"),
    "shared": _("Lounge tables"),
    "own": _("Own places (booths)"),
}

LOG_ACTION = {
    "booked": _("booked"),
    "moved": _("moved"),
    "cancelled": _("cancelled"),
    "status": _("status changed"),
    "absent": _("who did not come changed"),
    "attendee_left": _("colleague left"),
    "attendee_added": _("colleague joined"),
    "fixed": _("fixed in place by the organisers"),
    "unfixed": _("released by the organisers (the scheduler may move it)"),
}

# On a no-show, who did not come (``Meeting.absent``), said without names (the log, lists)
ABSENT = {
    "": _("not said"),
    "both": _("neither side came"),
    "sender": _("the requester did not come"),
    "recipient": _("the requested side did not come"),
}


def absent_choices(sender: str, recipient: str) -> list[tuple[str, str]]:
    """The console's choices of who did not come to a no-show, naming the two parties."""
    return [
        ("", _("Who did not come: not said")),
        ("both", _("Neither side came")),
        ("sender", _("%(name)s did not come") % {"name": sender}),
        ("recipient", _("%(name)s did not come") % {"name": recipient}),
    ]


# Buttons the grid offers on a meeting (the service also accepts "scheduled", to undo).
GRID_ACTIONS = [
    ("checked_in", _("Checked in")),
    ("held", _("Held")),
    ("no_show", _("No-show")),
]


def label(mapping: dict, code: str) -> str:
    return str(mapping.get(code, code))


def local_day(moment) -> str:
    """A date (or a moment's date, as given) the way the active language writes it, with its
    month name: "18 avril 2018", "April 18, 2018", "18 أبريل، 2018" (Django's DATE_FORMAT)."""
    return date_format(moment, "DATE_FORMAT")


def local_when(moment, tz=None) -> str:
    """A moment in ``tz`` (as given if None) as the console's sentences write a meeting's
    time: with its weekday (a fair runs over several days), as the participant pages do
    (``day_time_text``): "Wednesday 18 April at 09:00" (after "on"), "mercredi 18 avril à
    09:00" (after "le"), "يوم الأربعاء 18 أبريل الساعة 09:00"."""
    if tz is not None and moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return day_time_text(moment)


def _when(value, tz) -> str:
    import datetime as dt

    if not value:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return local_when(moment, tz)


def log_text(row, tz) -> str:
    """A MeetingLog row in words, in the current language."""
    from django.utils.translation import gettext as _

    d = row.detail or {}
    if row.action == "booked":
        text = _("Booked for %(when)s") % {"when": _when(d.get("slot"), tz)}
        if d.get("table"):
            text += " · " + _("table %(table)s") % {"table": d["table"]}
        return text
    if row.action == "moved":
        return _("Moved from %(a)s (%(ta)s) to %(b)s (%(tb)s)") % {
            "a": _when(d.get("from_slot"), tz),
            "ta": d.get("from_table") or "—",
            "b": _when(d.get("to_slot"), tz),
            "tb": d.get("to_table") or "—",
        }
    if row.action == "cancelled":
        reason = reason_from_detail(d)
        text = _("Cancelled")
        # the separator is the language's ("Annulé : …" in French)
        return _("%(status)s: %(reason)s") % {"status": text, "reason": reason} if reason else text
    if row.action == "attendee_left":
        name = d.get("name") or _participant_name(d.get("participant"))
        text = _("%(name)s left the meeting") % {"name": name}
        reason = reason_from_detail(d)
        return _("%(status)s: %(reason)s") % {"status": text, "reason": reason} if reason else text
    if row.action == "attendee_added":
        name = d.get("name") or _participant_name(d.get("participant"))
        return _("%(name)s joined the meeting") % {"name": name}
    if row.action == "status":
        text = _("Status: %(old)s → %(new)s") % {
            "old": label(MEETING_STATUS, d.get("old", "")),
            "new": label(MEETING_STATUS, d.get("new", "")),
        }
        return f"{text} · {label(ABSENT, d['absent'])}" if d.get("absent") else text
    if row.action == "absent":
        return _("Who did not come: %(old)s → %(new)s") % {
            "old": label(ABSENT, d.get("old", "")),
            "new": label(ABSENT, d.get("new", "")),
        }
    # An action without its own sentence: its label, then its details as "key: value".
    text = label(LOG_ACTION, row.action).replace("_", " ")
    details = [f"{key.replace('_', ' ')}: {_plain(value)}" for key, value in d.items()]
    return " · ".join([text, *details])


def _plain(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return "—" if value is None or value == "" else str(value)


def _participant_name(pk) -> str:
    from matchmaking.models import Participant

    name = Participant.objects.filter(pk=pk).values_list("name", flat=True).first() if pk else None
    return name or "—"


def skip_reason(item: dict) -> str:
    """Why a scheduler run's change was (or would be) skipped, in the active language: from its
    ``reason_code`` and ``reason_params`` when it has them, else the English text it keeps."""
    return reason_text(item)


def attendance_counts(done) -> dict[str, str]:
    """What saying "no longer comes" cancelled (an ``AttendanceChange``), as words for the
    pages' messages: ``meetings`` ("2 meetings") and ``requests`` ("1 request")."""
    # the meetings they only joined as a colleague go on: not counted as cancelled
    return notification_counts(len(done.cancelled_meetings), len(done.withdrawn_requests))


def language_names(codes) -> list[str]:
    """Language codes as names in the page's language, from the Unicode CLDR through Babel
    ("zh" -> "Chinese", "chinois", "الصينية"; Django names only the languages it is translated
    into, and left zh, wo, ln... as codes), or ``ARABIC_NAMES`` for the Maghreb's languages
    the CLDR names in English and French only; a code neither knows stays as it is."""
    from babel import Locale

    lang = (get_language() or "en")[:2]
    names = Locale.parse(lang).languages
    extra = ARABIC_NAMES if lang == "ar" else {}
    return [names.get(code) or extra.get(code, code) for code in codes]


def offset_text(offset: timedelta) -> str:
    """An offset from UTC as people write it: "UTC+1", "UTC-3:30", "UTC"."""
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def zone_text(zone: str, offsets: list[timedelta]) -> str:
    """An event's time zone as a person says it, in the active language, with its offsets from
    UTC on the fair's days (``selectors.event_utc_offsets``): "Casablanca time (UTC+1)", "heure
    de Casablanca (UTC+1)", "توقيت الدار البيضاء (UTC+1)"; "Paris time (UTC+2 / UTC+1)" when the
    clocks change during the fair. A zone that names no place (UTC, Etc/GMT-1): its offset."""
    offset = " / ".join(offset_text(o) for o in offsets)
    if "/" not in zone or zone.startswith("Etc/"):
        return offset
    locale = (get_language() or "en").replace("-", "_")
    try:
        city = get_timezone_location(zone, locale=locale, return_city=True)
    except (LookupError, ValueError):
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
    text = _("%(city)s time (%(offset)s)") % {"city": city, "offset": offset}
    if locale.startswith("fr"):
        # French elides "de" before a vowel: "heure d’Alger", "heure d’Istanbul"
        text = re.sub(r"\bde (?=[AEIOUYÉÈÊÎÔÂaeiouyéèêîôâ])", "d’", text, count=1)
    return text
