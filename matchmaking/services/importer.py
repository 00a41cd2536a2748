"""Import an event from the public JSON format (docs/import-format.md), all or nothing.

Validation runs in passes. The JSON Schema first (shapes, types and ranges), with the texts the
API refuses (a NUL or a lone surrogate, anywhere): when the document's shape is wrong nothing else
can be read, so its problems are the whole answer. Then the rules a schema cannot express (unique
refs and emails, known country codes, a slug that is no address of the service, days in the event
years and other date-times within a year of them, references that exist, sessions that do not
overlap nor span a change of the clocks, breaks inside sessions, availability that holds a meeting
slot, meetings on real slots and their attendees). Then the writes run in one transaction
on the rows that passed, applying the API's own rules (who may meet whom, guarded bookings), and
their refusals join the list: every independent problem comes back in one answer, and any
problem rolls the whole import back. Every error names the row (index and ref) and field.
"""

import json
import re
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, OuterRef, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from matchmaking import selectors
from matchmaking.countries import COUNTRY_CODES
from matchmaking.exceptions import DomainError, Forbidden, InvalidInput
from matchmaking.languages import LANGUAGE_CODES
from matchmaking.models import (
    Arrival,
    Availability,
    Broadcast,
    Event,
    Mark,
    Meeting,
    MeetingFeedback,
    MeetingLog,
    MeetingRequest,
    MeetingSeat,
    Message,
    Notification,
    Organisation,
    Participant,
    Profile,
    Session,
    Slot,
    Table,
)
from matchmaking.reasons import Reason
from matchmaking.services.availability import (
    merge_periods,
    period_without_slot,
    within_event_days,
)
from matchmaking.services.events import AROUND_DAYS, clock_change_problem, slots_generate
from matchmaking.services.feedback import feedback_values
from matchmaking.services.locking import (
    guarded_transaction,
    lock_name,
    lock_participants_and_slots,
)
from matchmaking.services.meetings import Actor, check_in_opens_at, meeting_book_locked
from matchmaking.services.notifications import (
    batched,
    notify_attendee_left,
    notify_import_overruled,
    notify_meeting,
    notify_without_rows,
)
from matchmaking.services.participants import PARTICIPANT_FIELDS, PROFILE_FIELDS
from matchmaking.services.requests import meeting_refusal
from matchmaking.timegrid import session_slots
from matchmaking.unusable import UNUSABLE, strings_in
from ml.taxonomy import SECTOR_IDS

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "import_format.schema.json"
MAX_ERRORS = 50

# The years an event's days may fall in; the other date-times of the file (booking window,
# availability, meetings) may be ``AROUND_DAYS`` from its days (``services.events``, which the
# settings apply too). Far-off dates are typing mistakes, and years 1 and 9999 overflow on the
# way to UTC.
EVENT_YEARS = (2000, 2100)

# Slugs that are fixed segments of the addresses at the place of an event's slug: an event
# named so could not be reached (/my/login/, /organiser/logout/, /api/events/import/).
RESERVED_SLUGS = {
    "import": "/api/events/import/",
    "login": "/my/login/ and /organiser/login/",
    "logout": "/my/logout/ and /organiser/logout/",
}


def _printable(text: str) -> str:
    """``text`` with NUL and surrogate characters written as escapes (``\\u0000``), so that an
    error message quoting a refused value can be encoded and shown."""
    return UNUSABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class ImportInvalid(InvalidInput):
    """The file was refused; ``errors`` lists every problem found (row and field named)."""

    def __init__(self, errors: list[str]):
        errors = [_printable(e) for e in errors]
        self.errors = errors[:MAX_ERRORS]
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        super().__init__(
            f"The import file has {len(errors)} problem(s){more}; nothing was imported. "
            f"First: {errors[0]}"
        )


def not_json_hint(text: str) -> str:
    """What a text that is not JSON seems to be, in a sentence to add to the parse error, or
    "": organisers export their registration list from a spreadsheet and pass the CSV (commas,
    or semicolons from a spreadsheet set up for French) as it is."""
    first = text.lstrip("\ufeff \t\r\n")
    if first[:1] in ("{", "[", '"') or not first:
        return ""
    line = first.splitlines()[0]
    if not any(sep in line for sep in (";", ",", "\t")):
        return ""
    shown = line if len(line) <= 60 else line[:59] + "…"
    return (
        f" It looks like a CSV or spreadsheet file (its first line: {shown}); the import takes "
        "the JSON import format (docs/import-format.md), one object per participant: convert "
        "the registration list to it."
    )


@cache
def import_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(data: dict, path: list) -> str:
    """A readable location: ``participants[3] (ref "p004").email``."""
    out = ""
    node: Any = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            try:
                node = node[part]
            except (IndexError, KeyError, TypeError):
                node = None
            if isinstance(node, dict) and isinstance(node.get("ref"), str):
                out += f' (ref "{node["ref"]}")'
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


@cache
def _pattern_sentences() -> dict[str, str]:
    """What a value failing each of the schema's patterns is not, in words (an organiser reads
    these; a regular expression tells them nothing)."""
    defs = import_schema()["$defs"]
    person = defs["participant"]["properties"]
    event = defs["event"]["properties"]
    return {
        person["email"]["pattern"]: "is not an email address",
        person["country"]["pattern"]: (
            'is not a country code: two capital letters of ISO 3166-1 alpha-2, such as "MA"'
        ),
        person["languages"]["items"]["pattern"]: (
            'is not a language code: two or three lower-case letters of ISO 639, such as "fr" '
            'or "zgh"'
        ),
        defs["ref"]["pattern"]: "is not a ref: use only letters, digits and . _ : -",
        defs["datetime"]["pattern"]: (
            "is not a date and time: write YYYY-MM-DDTHH:MM, with or without an offset "
            "such as +01:00"
        ),
        defs["date"]["pattern"]: "is not a date: write YYYY-MM-DD",
        defs["hhmm"]["pattern"]: "is not a time of day: write HH:MM (24-hour)",
        event["slug"]["pattern"]: (
            "is not a slug: use 2 to 50 lower-case letters, digits and hyphens"
        ),
        event["timezone"]["pattern"]: 'is not a time-zone name such as "Europe/Paris"',
        person["name"]["pattern"]: "is blank: write it with more than spaces",
    }


_FORMAT_SENTENCES = {
    "email": "is not an email address",
    "date": "is not a date: write YYYY-MM-DD",
    "iso-datetime": "is not a date and time of the calendar (check the day and the month)",
}

_FORMATS = FormatChecker()


@_FORMATS.checks("iso-datetime", raises=ValueError)
def _is_iso_datetime(value) -> bool:
    """A date-time the pattern accepts may still not exist ("2027-02-30T10:00"); one the
    pattern refuses is said by the pattern alone."""
    if isinstance(value, str) and re.search(import_schema()["$defs"]["datetime"]["pattern"], value):
        datetime.fromisoformat(value)
    return True


def _shown(value, limit: int = 60) -> str:
    """A value as the file writes it (JSON: ``null``, ``true``, double quotes), cut to
    ``limit`` characters: an error must not echo a 100,000-character text or a list of 10,000
    tables back."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TYPE_WORDS = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _first_repeat(items: list):
    seen = []
    for item in items:
        if item in seen:
            return item
        seen.append(item)
    return None


def _schema_message(error) -> str:
    """A plain sentence for what the value breaks, in the file's words (JSON values, not
    Python's), never quoting more than a short excerpt of it; jsonschema's own message for the
    rest."""
    rule, wanted, value = error.validator, error.validator_value, error.instance
    sentence = None
    if rule == "pattern":
        sentence = _pattern_sentences().get(wanted)
    elif rule == "format":
        sentence = _FORMAT_SENTENCES.get(wanted)
    if sentence is not None and isinstance(value, str):
        return f"{_shown(value)} {sentence}"
    if rule == "maxLength" and isinstance(value, str):
        return f"is {len(value)} characters long; at most {wanted}"
    if rule == "minLength" and isinstance(value, str):
        return "is empty" if not value else f"is {len(value)} characters long; at least {wanted}"
    if rule == "maxItems" and isinstance(value, list):
        return f"has {len(value)} items; at most {wanted}"
    if rule == "minItems" and isinstance(value, list):
        return "is an empty list" if not value else f"has {len(value)} items; at least {wanted}"
    if rule == "uniqueItems" and isinstance(value, list):
        return f"lists {_shown(_first_repeat(value))} more than once"
    if rule == "type":
        kinds = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
        return f"{_shown(value)} is not {words}"
    if rule == "enum":
        return f"{_shown(value)} is not one of: {', '.join(_shown(v) for v in wanted)}"
    if rule == "required":
        missing = [name for name in wanted if isinstance(value, dict) and name not in value]
        # one error per missing field, all alike: name them all (said once, see schema_errors)
        names = [f'"{name}"' for name in missing]
        if len(names) == 1:
            return f"{names[0]} is missing"
        if names:
            return f"{', '.join(names[:-1])} and {names[-1]} are missing"
    return error.message


def _text_problem(value: str) -> str | None:
    """Why the API would refuse this text (DRF's own sentences), or None."""
    found = UNUSABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Null characters are not allowed."
    return f"Surrogate characters are not allowed: U+{ord(found.group()):X}."


def _bad_texts(data: Any) -> Iterator[tuple[list, str]]:
    """(path, problem) of every string of the document the API would refuse (the API's own
    sentences). Keys need no look: every object of the schema is closed, so an unknown key is
    refused by name."""
    for path, text in strings_in(data):
        problem = _text_problem(text)
        if problem:
            yield path, problem


def text_errors(data: Any) -> tuple[list[str], set[tuple]]:
    """The strings the API would refuse, anywhere in the document, and their paths."""
    out, paths = [], set()
    for path, problem in _bad_texts(data):
        out.append(f"{_where(data, path)}: {problem}")
        paths.add(tuple(path))
    return out, paths


def _branch_errors(error) -> list:
    """A "oneOf" error (``event.tables``: a count or a list) as the problems of the branch the
    value is of (a table's blank name, a count above the maximum) rather than "is not valid
    under any of the given schemas"; the error itself when the value is of no branch's type."""
    if error.validator != "oneOf" or not error.context:
        return [error]
    inside = [
        e
        for e in error.context
        if e.validator != "type" or list(e.absolute_path) != list(error.absolute_path)
    ]
    return [leaf for e in inside for leaf in _branch_errors(e)] or [error]


def schema_errors(data: Any, skip: set[tuple] = frozenset()) -> list[str]:
    """The schema's problems, except at the places in ``skip`` (said already)."""
    validator = Draft202012Validator(import_schema(), format_checker=_FORMATS)
    errors = sorted(
        (leaf for e in validator.iter_errors(data) for leaf in _branch_errors(e)),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    out: list[str] = []
    for e in errors:
        if tuple(e.absolute_path) in skip:
            continue
        line = f"{_where(data, list(e.absolute_path))}: {_schema_message(e)}"
        if line not in out:  # an email failing both its format and its pattern: said once
            out.append(line)
    return out


class SkippedLocalTime(ValueError):
    """A local time the clocks skip (the hour lost when summer time starts)."""


def _name_key(name: str) -> str:
    """A table's name as people read it: capitals and runs of spaces do not tell two apart."""
    return " ".join(name.split()).casefold()


def parse_local_datetime(value: str, tz: zoneinfo.ZoneInfo) -> datetime:
    """An ISO 8601 date-time; without an offset it is local time in ``tz``. A local time the
    clocks skip (the hour lost when summer time starts) is refused with ValueError, as a
    date that does not exist is: it names no moment."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=tz)
    try:
        back = local.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    except OverflowError as exc:  # years 1 and 9999 in a zone ahead of or behind UTC
        raise ValueError(f"{value} is out of the range of dates") from exc
    if back != moment:
        raise SkippedLocalTime(
            f"{moment:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip it"
        )
    return local


def _optional_dt(value: str | None, tz: zoneinfo.ZoneInfo) -> datetime | None:
    return parse_local_datetime(value, tz) if value else None


@dataclass(frozen=True)
class _Cell:
    """A slot as the validation pass lays it out (before any row exists)."""

    start: datetime
    end: datetime


@dataclass
class _Checked:
    """What the second validation pass derived, ready to write, and the rows it refused: the
    writer skips those (their problem is reported already) and checks the others."""

    tz: zoneinfo.ZoneInfo | None
    table_names: list[str]
    booths: set[str]
    grid_ok: bool = True  # days, sessions, breaks and tables can be written and cut into slots
    skip_participants: set[int] = field(default_factory=set)
    skip_availability: set[tuple[int, int]] = field(default_factory=set)
    skip_requests: set[int] = field(default_factory=set)
    skip_meetings: set[int] = field(default_factory=set)
    # the file's request index -> its "sent" and "answered" moments, when given
    request_times: dict[int, dict[str, datetime]] = field(default_factory=dict)

    @property
    def writable(self) -> bool:
        return self.tz is not None and self.grid_ok


def _in_event_years(day: date) -> bool:
    return EVENT_YEARS[0] <= day.year <= EVENT_YEARS[1]


def _moment_window(ev: dict) -> tuple[date, date]:
    """The dates the file's date-times may fall on: from a year before the event's first day to
    a year after its last (days out of the event years left out: they are refused)."""
    days = [date.fromisoformat(day["date"]) for day in ev["days"]]
    days = [d for d in days if _in_event_years(d)] or [
        date(EVENT_YEARS[0], 1, 1),
        date(EVENT_YEARS[1], 12, 31),
    ]
    return min(days) - AROUND_DAYS, max(days) + AROUND_DAYS


def _moment_problem(value: str, window: tuple[date, date]) -> str | None:
    """Why a date-time of the file is too far from the event's days, or None. Its date as
    written (an offset moves it by less than a day)."""
    first, last = window
    if first <= datetime.fromisoformat(value).date() <= last:
        return None
    return (
        f"{value} is more than a year away from the event's days: give a date from "
        f"{first.isoformat()} to {last.isoformat()}"
    )


def _grid_errors(ev: dict, tz: zoneinfo.ZoneInfo | None) -> tuple[list[str], list[_Cell]]:
    """Problems of the days, sessions and breaks; and the slots they give when there are none."""
    errors: list[str] = []
    seen_days: set[str] = set()
    for d, day in enumerate(ev["days"]):
        where = f"event.days[{d}] ({day['date']})"
        dated = _in_event_years(date.fromisoformat(day["date"]))
        if not dated:
            errors.append(
                f"{where}.date: {day['date']} is not a day of the years "
                f"{EVENT_YEARS[0]} to {EVENT_YEARS[1]}"
            )
        if day["date"] in seen_days:
            errors.append(f"{where}: this date appears twice")
        seen_days.add(day["date"])
        spans = sorted(
            (time.fromisoformat(s["start"]), time.fromisoformat(s["end"]), i)
            for i, s in enumerate(day["sessions"])
        )
        for start, end, i in spans:
            if end <= start:
                errors.append(f"{where}.sessions[{i}]: ends at {end:%H:%M}, before it starts")
        for (_, end_a, i), (start_b, _, j) in pairwise(spans):
            if start_b < end_a:
                errors.append(f"{where}.sessions[{j}]: overlaps sessions[{i}]")
        kinds = (("sessions", "session"), ("breaks", "break"))
        if tz is not None and dated:
            for key, what in kinds:
                for i, span in enumerate(day.get(key, [])):
                    start, end = time.fromisoformat(span["start"]), time.fromisoformat(span["end"])
                    problem = end > start and clock_change_problem(
                        day=date.fromisoformat(day["date"]), start=start, end=end, tz=tz, what=what
                    )
                    if problem:
                        errors.append(f"{where}.{key}[{i}]: {problem}")
        for i, brk in enumerate(day.get("breaks", [])):
            start, end = time.fromisoformat(brk["start"]), time.fromisoformat(brk["end"])
            if end <= start:
                errors.append(f"{where}.breaks[{i}]: ends before it starts")
            elif not any(s_start <= start and end <= s_end for s_start, s_end, _ in spans):
                errors.append(
                    f"{where}.breaks[{i}]: {start:%H:%M}-{end:%H:%M} is not inside a session; "
                    "a break must lie within one of the day's sessions"
                )
    if errors or tz is None:
        return errors, []
    cells = []
    for n, day in enumerate(ev["days"]):
        d = date.fromisoformat(day["date"])
        breaks = [
            (time.fromisoformat(b["start"]), time.fromisoformat(b["end"]))
            for b in day.get("breaks", [])
        ]
        for i, s in enumerate(day["sessions"]):
            start, end = time.fromisoformat(s["start"]), time.fromisoformat(s["end"])
            slots = session_slots(
                day=d, start=start, end=end, minutes=ev["slot_minutes"], breaks=breaks
            )
            if not slots:  # a session nobody could meet in: a typo, not a plan
                errors.append(
                    f"event.days[{n}] ({day['date']}).sessions[{i}]: {start:%H:%M}-{end:%H:%M} "
                    f"holds no {ev['slot_minutes']}-minute meeting slot (its breaks taken out); "
                    "make it longer or the slots shorter"
                )
            for slot_start, slot_end in slots:
                cells.append(
                    _Cell(
                        datetime.combine(d, slot_start, tzinfo=tz).astimezone(UTC),
                        datetime.combine(d, slot_end, tzinfo=tz).astimezone(UTC),
                    )
                )
    if errors:
        return errors, []
    return errors, sorted(cells, key=lambda c: c.start)


def _file_moment(value: str, tz: zoneinfo.ZoneInfo) -> tuple[datetime | None, str]:
    """A date and time the file gives (a request's ``sent``, a feedback's ``given``...) in the
    event's time zone, or what is wrong with it: ``(moment, "")`` or ``(None, problem)``."""
    try:
        moment = parse_local_datetime(value, tz)
        moment.astimezone(UTC)  # a year-1 time with an offset has no UTC moment
    except SkippedLocalTime as exc:
        return None, str(exc)
    except (OverflowError, ValueError):
        return None, f"{value} is not a date and time this event can hold"
    if not _in_event_years(moment.date()):
        return None, f"{value} is not in the years {EVENT_YEARS[0]} to {EVENT_YEARS[1]}"
    return moment, ""


def _request_times(
    r: dict, i: int, tz: zoneinfo.ZoneInfo, now: datetime, checked: _Checked
) -> list[str]:
    """Problems of a request's ``sent`` and ``answered`` moments (each "field: sentence"); the
    good ones go to ``checked.request_times``."""
    problems, moments = [], {}
    for key in ("sent", "answered", "expires", "proposed"):
        value = r.get(key)
        if value is None:
            continue
        moment, problem = _file_moment(value, tz)
        if problem:
            problems.append(f"{key}: {problem}")
            continue
        if key in ("expires", "proposed"):  # still to come, or past (then it reads expired)
            moments[key] = moment
        elif moment > now + timedelta(minutes=5):  # any past moment: an event imported later
            problems.append(f"{key}: {value} is still to come; give when it happened")
        else:
            moments[key] = moment
    if "answered" in r and r["status"] == "pending":
        problems.append("answered: a pending request has no answer yet; leave answered out")
        moments.pop("answered", None)
    if "expires" in r and r["status"] != "pending":
        problems.append(f"expires: only a pending request expires; this one is {r['status']}")
    if moments.get("expires") and moments.get("sent") and moments["expires"] < moments["sent"]:
        problems.append(f"expires: {r['expires']} is before the request was sent ({r['sent']})")
    if moments.get("answered") and moments.get("sent") and moments["answered"] < moments["sent"]:
        problems.append(f"answered: {r['answered']} is before the request was sent ({r['sent']})")
    if problems:
        checked.skip_requests.add(i)
    else:
        checked.request_times[i] = moments
    return problems


def _status_too_early(
    status: str | None, start: datetime, tz: zoneinfo.ZoneInfo, now: datetime
) -> str | None:
    """Why a meeting starting at ``start`` cannot have ``status`` yet, or None: the API's rules
    (``meeting_set_status``). Held or no-show once the meeting has started
    (``meeting_not_started``), checked in once its check-in has opened (``check_in_not_open``);
    a meeting that has started (an event in progress or over) keeps what was recorded."""
    local = f"{start.astimezone(tz):%Y-%m-%d %H:%M}"
    if status in (Meeting.Status.HELD, Meeting.Status.NO_SHOW) and now < start:
        return (
            f"a meeting can be marked held or no_show once it has started; {local} is still to come"
        )
    opens = check_in_opens_at(Slot(start=start))
    if status == Meeting.Status.CHECKED_IN and now < opens:
        return (
            "a meeting can be marked checked_in once its check-in has opened, "
            f"{settings.CHECK_IN_OPENS_MINUTES} minutes before it starts; check-in for {local} "
            f"opens at {opens.astimezone(tz):%Y-%m-%d %H:%M}"
        )
    return None


def rule_errors(data: dict) -> tuple[list[str], _Checked]:
    """Checks a JSON Schema cannot express. Assumes ``data`` passed the schema. Every row is
    checked, whatever the problems of the others; ``_Checked`` says which rows the writer skips
    and whether it can run at all."""
    errors: list[str] = []
    ev = data["event"]
    try:
        tz: zoneinfo.ZoneInfo | None = zoneinfo.ZoneInfo(ev["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = None
        errors.append(f'event.timezone: unknown time zone "{ev["timezone"]}"')

    grid, cells = _grid_errors(ev, tz)
    errors += grid
    grid_ok = not grid
    slot_starts = {c.start for c in cells}
    dates = _moment_window(ev)
    window = {}
    for key in ("booking_opens", "booking_closes"):
        if ev.get(key) and (problem := _moment_problem(ev[key], dates)):
            errors.append(f"event.{key}: {problem}")
            grid_ok = False  # the writer reads them
        elif tz is not None and ev.get(key):
            try:
                window[key] = parse_local_datetime(ev[key], tz)
            except ValueError as exc:
                errors.append(f"event.{key}: {exc}")
                grid_ok = False  # the writer reads them
    if len(window) == 2 and window["booking_closes"] <= window["booking_opens"]:
        errors.append("event.booking_closes: must be after booking_opens")

    if ev["slug"] in RESERVED_SLUGS:
        errors.append(
            f'event.slug: "{ev["slug"]}" is reserved: {RESERVED_SLUGS[ev["slug"]]} '
            "would not lead to the event; choose another slug"
        )

    tables = ev["tables"]
    table_names = (
        [t["name"] for t in tables]
        if isinstance(tables, list)
        else [f"T{i:02d}" for i in range(1, int(tables) + 1)]  # the schema's integer takes 2.0
    )
    seen_names: dict[str, str] = {}
    for name in table_names:  # as people read them: "T1", "t1" and " T1 " are one table
        first = seen_names.setdefault(_name_key(name), name)
        if first is not name:
            errors.append(
                f'event.tables: "{name}" and "{first}" name the same table; table names must '
                "be unique (capitals and spaces do not count)"
            )
            grid_ok = False
    checked = _Checked(tz=tz, table_names=table_names, booths=set(), grid_ok=grid_ok)
    shared_names = {_name_key(name): name for name in table_names}

    refs: dict[str, int] = {}
    emails: dict[str, int] = {}
    sectors = set(SECTOR_IDS)
    fair_days = sorted({day["date"] for day in ev["days"]})
    today = timezone.localtime(timezone.now(), tz).date().isoformat() if tz else None
    for i, p in enumerate(data["participants"]):
        where = f'participants[{i}] (ref "{p["ref"]}")'
        if p["ref"] in refs:
            errors.append(f"{where}.ref: already used by participants[{refs[p['ref']]}]")
            checked.skip_participants.add(i)
        refs.setdefault(p["ref"], i)
        email = p["email"].strip().lower()
        if email in emails:
            errors.append(
                f"{where}.email: {p['email']} is already used by participants[{emails[email]}]"
            )
            checked.skip_participants.add(i)
        emails.setdefault(email, i)
        unknown_languages = [x for x in p.get("languages", []) if x not in LANGUAGE_CODES]
        if unknown_languages:
            errors.append(
                f"{where}.languages: {', '.join(unknown_languages)} not ISO 639 language codes"
            )
        if p.get("country") and p["country"] not in COUNTRY_CODES:
            errors.append(
                f'{where}.country: "{p["country"]}" is not an ISO 3166-1 alpha-2 country code'
            )
        unknown = [s for s in p.get("sectors", []) if s not in sectors]
        if unknown:
            errors.append(
                f"{where}.sectors: unknown sector(s) {', '.join(unknown)}; "
                f"known: {', '.join(SECTOR_IDS)}"
            )
        errors += _arrived_errors(p.get("arrived", []), where, fair_days, today)
        spans = []
        for a, span in enumerate(p.get("availability", [])):
            far = [
                f"{where}.availability[{a}].{key}: {problem}"
                for key in ("start", "end")
                if (problem := _moment_problem(span[key], dates))
            ]
            errors += far
            if tz is None or far:
                checked.skip_availability.add((i, a))
                continue
            try:
                start, end = (
                    parse_local_datetime(span["start"], tz),
                    parse_local_datetime(span["end"], tz),
                )
            except ValueError as exc:
                errors.append(f"{where}.availability[{a}]: {exc}")
                checked.skip_availability.add((i, a))
                continue
            uneven = [
                f"{where}.availability[{a}].{key}: times are given to the minute, not "
                f"{_shown(span[key])}"
                for key, moment in (("start", start), ("end", end))
                if moment.second or moment.microsecond  # as the availability API refuses
            ]
            if uneven:
                errors += uneven
                checked.skip_availability.add((i, a))
                continue
            if end <= start:
                errors.append(f"{where}.availability[{a}]: ends before it starts")
                checked.skip_availability.add((i, a))
                continue
            spans.append((a, start, end))
        if grid_ok and tz is not None:
            # as the availability API: periods that overlap or touch are joined, and each must
            # hold a whole meeting slot
            for start, end in merge_periods([(s, e) for _, s, e in spans]):
                problem = period_without_slot(start, end, slots=cells, tz=tz)
                if problem:
                    entries = ", ".join(
                        f"availability[{a}]" for a, s, e in spans if start <= s and e <= end
                    )
                    errors.append(f"{where}.{entries}: {problem}")
        shared_like = shared_names.get(_name_key(p.get("fixed_table") or ""))
        if p.get("fixed_table") and shared_like is not None:
            # a shared table is everyone's: as someone's own place the scheduler would seat
            # others there, and its booking would refuse them (a name that differs only in
            # capitals or spaces reads as the same table to people)
            errors.append(
                f'{where}.fixed_table: "{p["fixed_table"]}" is one of event.tables, the shared '
                "tables; give this participant's own place a name of its own (such as "
                f'"Booth A12"), or take "{shared_like}" out of event.tables'
            )
        elif p.get("fixed_table"):
            checked.booths.add(p["fixed_table"])

    pairs: dict[frozenset, int] = {}
    declined = {  # (from, to) -> the first declined request's index
        (r["from"], r["to"]): i
        for i, r in reversed(list(enumerate(data.get("requests", []))))
        if r["status"] == "declined"
    }
    now = timezone.now()
    for i, r in enumerate(data.get("requests", [])):
        where = f"requests[{i}] ({r['from']} → {r['to']})"
        if tz is not None:
            problems = _request_times(r, i, tz, now, checked)
            errors += [f"{where}.{problem}" for problem in problems]
        for side in ("from", "to"):
            if r[side] not in refs:
                errors.append(f'{where}.{side}: no participant has ref "{r[side]}"')
                checked.skip_requests.add(i)
        if r["from"] == r["to"]:
            errors.append(f"{where}: a participant cannot request a meeting with themselves")
            checked.skip_requests.add(i)
        pair = frozenset((r["from"], r["to"]))
        if r["status"] in ("pending", "accepted") and (r["from"], r["to"]) in declined:
            # as the API: a "no" stays a "no" for the whole fair (the other may still ask)
            errors.append(
                f"{where}: {r['to']} declined a request from {r['from']} at this event "
                f"(requests[{declined[(r['from'], r['to'])]}]); {r['from']} cannot ask them again"
            )
            checked.skip_requests.add(i)
        if r["status"] in ("pending", "accepted"):
            if pair in pairs:
                errors.append(f"{where}: duplicates the open request requests[{pairs[pair]}]")
                checked.skip_requests.add(i)
            pairs.setdefault(pair, i)

    now = timezone.now()
    for i, m in enumerate(data.get("meetings", [])):
        where = f"meetings[{i}] ({m['from']} ↔ {m['to']})"
        for side in ("from", "to"):
            if m[side] not in refs:
                errors.append(f'{where}.{side}: no participant has ref "{m[side]}"')
                checked.skip_meetings.add(i)
        far = _moment_problem(m["start"], dates)
        if far:
            errors.append(f"{where}.start: {far}")
        if tz is None or far:
            checked.skip_meetings.add(i)
        else:
            try:
                start = parse_local_datetime(m["start"], tz)
            except ValueError as exc:
                errors.append(f"{where}.start: {exc}")
                checked.skip_meetings.add(i)
            else:
                if grid_ok and start.astimezone(UTC) not in slot_starts:
                    errors.append(
                        f"{where}.start: {m['start']} is not the start of a slot of this event: "
                        + not_a_slot_start(start, list(slot_starts), tz)
                    )
                    checked.skip_meetings.add(i)
                elif problem := _status_too_early(m.get("status"), start, tz, now):
                    errors.append(f"{where}: {problem}")
        errors += _feedback_errors(m, where, refs, tz, now, checked, i)
        if m.get("status") != Meeting.Status.CANCELLED:
            for key in ("cancelled_by", "cancel_reason"):
                if key in m:  # said of a meeting that goes on: dropped in silence before
                    errors.append(
                        f"{where}.{key}: only a cancelled meeting has one (its status is "
                        f"{m.get('status', 'scheduled')})"
                    )
        if "absent" in m and m.get("status") != Meeting.Status.NO_SHOW:
            # who did not come is said of a no-show only (the database refuses it on any other)
            errors.append(
                f"{where}.absent: only a no_show meeting says who did not come (its status is "
                f"{m.get('status', 'scheduled')})"
            )
            checked.skip_meetings.add(i)
        if m.get("table") and m["table"] not in table_names and m["table"] not in checked.booths:
            errors.append(f'{where}.table: no table is named "{m["table"]}"')
            checked.skip_meetings.add(i)
        if "request" in m:
            n = int(m["request"])  # the schema's integer takes 1.0 too
            requests = data.get("requests", [])
            if n >= len(requests):
                errors.append(f"{where}.request: there is no requests[{n}]")
                checked.skip_meetings.add(i)
            elif (requests[n]["from"], requests[n]["to"]) != (m["from"], m["to"]):
                errors.append(
                    f"{where}.request: requests[{n}] is from {requests[n]['from']} to "
                    f"{requests[n]['to']}, not from {m['from']} to {m['to']}"
                )
                checked.skip_meetings.add(i)
            elif n in checked.skip_requests:
                checked.skip_meetings.add(i)  # its request's problem is reported already
        listed: set[str] = set()
        for a, attendee in enumerate(m.get("attendees", [])):
            ref = attendee["ref"]
            if ref not in refs:
                errors.append(f'{where}.attendees[{a}]: no participant has ref "{ref}"')
                checked.skip_meetings.add(i)
            elif ref in (m["from"], m["to"]):
                errors.append(f"{where}.attendees[{a}]: {ref} is a party of the meeting")
                checked.skip_meetings.add(i)
            elif ref in listed:
                errors.append(f"{where}.attendees[{a}]: {ref} is listed twice")
                checked.skip_meetings.add(i)
            listed.add(ref)
    errors += _not_attending_errors(data, tz, now)
    return errors, checked


def _feedback_errors(
    m: dict, where: str, refs: dict, tz, now: datetime, checked: "_Checked", i: int
) -> list[str]:
    """What is wrong with a meeting's ``feedback`` rows, as the feedback service would refuse
    it: each giver once, a known ref, the values as the app takes them, given when it had
    happened; none on a cancelled meeting or one still to come. Who sits in the meeting is the
    writer's check (it needs the booked seats)."""
    rows = m.get("feedback", [])
    if not rows:
        return []
    if m.get("status") == Meeting.Status.CANCELLED:
        checked.skip_meetings.add(i)
        return [f"{where}.feedback: a cancelled meeting has no feedback"]
    errors, seen = [], set()
    start = None
    if tz is not None:
        with suppress(ValueError):  # reported with the start
            start = parse_local_datetime(m["start"], tz)
    if start is not None and start > now:
        errors.append(
            f"{where}.feedback: the meeting is still to come; feedback opens when it starts"
        )
    for k, f in enumerate(rows):
        at = f"{where}.feedback[{k}]"
        if f["ref"] not in refs:
            errors.append(f'{at}.ref: no participant has ref "{f["ref"]}"')
        elif f["ref"] in seen:
            errors.append(f"{at}.ref: {f['ref']} gave feedback on this meeting already")
        seen.add(f["ref"])
        try:
            feedback_values(
                took_place=f["took_place"],
                rating=f.get("rating"),
                outcome=f.get("outcome", ""),
                comment=f.get("comment", ""),
            )
        except InvalidInput as exc:
            errors.append(f"{at}.{exc.field}: {exc.message}")
        if "given" in f and tz is not None:  # as a request's ``sent``
            given, problem = _file_moment(f["given"], tz)
            if problem:
                errors.append(f"{at}.given: {problem}")
            elif given > now + timedelta(minutes=5):
                errors.append(f"{at}.given: {f['given']} is still to come")
    if errors:
        checked.skip_meetings.add(i)
    return errors


def not_a_slot_start(start: datetime, starts: list[datetime], tz: zoneinfo.ZoneInfo) -> str:
    """Why ``start`` is no slot start of the event whose slots start at ``starts``, with what
    the organiser needs to fix it: the fair's days when it is on another day, else the nearest
    slot starts that day (a 09:15 meant for 30-minute slots from 09:00)."""
    local = start.astimezone(tz)
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for s in sorted(starts):
        by_day[s.astimezone(tz).date()].append(s.astimezone(tz))
    if local.date() not in by_day:
        days = ", ".join(d.isoformat() for d in sorted(by_day))
        return f"{local.date()} is not one of the fair's days ({days})"
    that_day = by_day[local.date()]
    before = [s for s in that_day if s < local][-1:]
    after = [s for s in that_day if s > local][:1]
    nearest = " and ".join(f"{s:%H:%M}" for s in before + after)
    return f"the nearest slots that day start at {nearest}"


def _arrived_errors(days: list[str], where: str, fair_days: list[str], today: str | None):
    """What is wrong with a participant's ``arrived`` days: each a day of the fair, not still
    to come (the desk marks an arrival on the day), and listed once."""
    errors, seen = [], set()
    for k, day in enumerate(days):
        if day not in fair_days:
            errors.append(
                f"{where}.arrived[{k}]: {day} is not one of the fair's days "
                f"({', '.join(fair_days)})"
            )
        elif today is not None and day > today:
            errors.append(f"{where}.arrived[{k}]: {day} is still to come")
        elif day in seen:
            errors.append(f"{where}.arrived[{k}]: {day} is listed twice")
        seen.add(day)
    return errors


def _not_attending_errors(data: dict, tz, now) -> list[str]:
    """Who the file says no longer comes (``attending: false``) has nothing open: no pending
    request, no accepted request without a meeting in the file, no scheduled meeting still to
    come (a meeting of theirs that started is on record, as in the app)."""
    gone = {p["ref"] for p in data["participants"] if p.get("attending") is False}
    if not gone:
        return []
    errors = []
    met = {
        frozenset((m["from"], m["to"]))
        for m in data.get("meetings", [])
        if m.get("status", "scheduled") != "cancelled"
    }
    for i, r in enumerate(data.get("requests", [])):
        who = [x for x in (r["from"], r["to"]) if x in gone]
        waiting = r["status"] == "pending" or (
            r["status"] == "accepted" and frozenset((r["from"], r["to"])) not in met
        )
        if who and waiting:
            errors.append(
                f"requests[{i}] ({r['from']} → {r['to']}): {who[0]} no longer comes "
                f"(attending: false), so a request of theirs cannot be {r['status']}"
                + (" without a meeting" if r["status"] == "accepted" else "")
                + "; give it another status, or take attending: false away"
            )
    for i, m in enumerate(data.get("meetings", [])):
        who = [x for x in (m["from"], m["to"]) if x in gone]
        who += [a["ref"] for a in m.get("attendees", []) if a["ref"] in gone]
        if not who or m.get("status", "scheduled") != "scheduled" or tz is None:
            continue
        try:
            start = parse_local_datetime(m["start"], tz)
        except ValueError:
            continue  # reported above
        if start > now:
            errors.append(
                f"meetings[{i}] ({m['from']} ↔ {m['to']}): {who[0]} no longer comes "
                "(attending: false), so a meeting of theirs still to come cannot be scheduled; "
                "cancel it, or take attending: false away"
            )
    return errors


def validate_import(data: Any) -> _Checked:
    """Raise ImportInvalid listing every problem the two validation passes find, or return what
    the writer needs. (``event_import`` also reports what the writes refuse.)"""
    errors, checked = _validate(data)
    if errors:
        raise ImportInvalid(errors)
    return checked


def _validate(data: Any) -> tuple[list[str], _Checked]:
    """The schema pass with the texts the API refuses (their problems alone when there are any:
    raised), then the rules."""
    if not isinstance(data, dict):
        raise ImportInvalid(
            [
                "(top level): the file must be a JSON object with event, participants, "
                "requests and meetings (the last two may be empty lists: [])"
            ]
        )
    # a NUL or a lone surrogate: refused with the shape, before anything reads or writes it
    errors, bad_text = text_errors(data)
    errors += schema_errors(data, skip=bad_text)
    if errors:
        raise ImportInvalid(errors)
    return rule_errors(data)


def event_import(*, data: Any, replace: bool = False, by=None, organisers: Iterable = ()) -> Event:
    """Create an event with its participants, requests and meetings from one import document.

    ``by``: the organiser account importing it (None for the command line and the demo). A new
    event's organiser team is ``by`` and ``organisers``; a replaced event keeps its team, joined
    by ``organisers``, and only a member of that team (or a superuser) may replace it.

    The returned event's ``replaced`` says, on a replace, how many participants the new file
    kept (same ref and email), added and left out, and the refs whose email changed (another
    person for the import); None on a first import.

    Side effects: inserts everything in one transaction (pending requests expire
    ``request_expiry_hours`` after their ``sent`` time, else the import; cancelled meetings are
    recreated as cancelled, holding no seat); with ``replace`` an existing event of the same
    slug is deleted first (in the same transaction). Raises ImportInvalid listing every problem
    (nothing written): when the rules refuse some rows, the others are still written and checked
    the way the API would, then everything is rolled back, so one answer reports all independent
    problems.
    """
    errors, checked = _validate(data)
    ev = data["event"]
    with guarded_transaction(durable=False):
        # one import of a slug at a time: the second waits, then finds the event the first wrote
        lock_name(
            f"event-import:{ev['slug']}",
            busy="Another import of this event is under way; retry in a moment.",
        )
        existing = Event.objects.filter(slug=ev["slug"]).first()
        if existing is not None and not replace:
            raise ImportInvalid(
                [
                    *errors,
                    f'event.slug: an event "{ev["slug"]}" already exists '
                    "(replace it: --replace on the command line, ?replace=true in the API)",
                ]
            )
        kept = None
        team = {u.pk: u for u in organisers}
        if by is not None:
            team[by.pk] = by
        if existing is not None:
            if by is not None and not selectors.organises(user=by, event=existing):
                raise Forbidden(
                    f'You are not on the organiser team of "{existing.slug}": only its '
                    "organisers may replace it.",
                    code="not_event_organiser",
                )
            team.update({u.pk: u for u in existing.organisers.all()})
            # bookings under way finish first, and later ones wait for the new event
            lock_participants_and_slots(
                existing.participants.values_list("pk", flat=True),
                existing.slots.values_list("pk", flat=True),
            )
            kept = _Identities.of(existing)
            event_delete(event=existing)
        if checked.writable:
            event, write_errors = _write(data, checked, kept)
            errors += write_errors
        if errors:
            raise ImportInvalid(errors)  # rolls back whatever was written
        event.organisers.add(*team.values())
        event.replaced = None  # a first import
        if kept is not None:
            now_keys = {(p.ref, p.email.lower()) for p in event.participants.all()}
            old_keys = set(kept.participant_ids)
            # an email changed under the same ref is another person for the import (their
            # calendar address, sign-in and marks do not follow): the count shows it
            event.replaced = {
                "kept": len(now_keys & old_keys),
                "new": len(now_keys - old_keys),
                "gone": len(old_keys - now_keys),
                "email_changed": sorted(
                    {ref for ref, _ in now_keys - old_keys}
                    & {ref for ref, _ in old_keys - now_keys}
                ),
            }
            with batched():
                said = {
                    (p["ref"], p["email"].lower()) for p in data["participants"] if "attending" in p
                }
                arrived_said = {
                    (p["ref"], p["email"].lower()) for p in data["participants"] if "arrived" in p
                }
                told = kept.restore(event, said, arrived_said)
                event.replaced["meetings_cancelled"] = kept.cancelled_to_come
                # a colleague the file adds is told "booked", not "moved" with the others
                added = {
                    (m.pk, p.pk) for m, kind, p in told if p is not None and kind != "attendee_left"
                }
                for person in event.participants.filter(pk__in=list(kept.overruled)):
                    notify_import_overruled(person=person, what=kept.overruled[person.pk])
                for meeting, kind, person in told:
                    reason = meeting.cancel_reason or Reason("event_updated")
                    if person is None:
                        skip = {pid for mid, pid in added if mid == meeting.pk}
                        notify_meeting(meeting=meeting, kind=kind, reason=reason, skip=skip)
                    elif kind == Notification.Kind.ATTENDEE_LEFT:
                        notify_attendee_left(
                            meeting=meeting,
                            person=person,
                            reason=Reason("event_updated"),
                            was_at=kept.left_at.get((meeting.pk, person.pk)),
                        )
                    else:
                        notify_meeting(meeting=meeting, kind=kind, only={person.pk})
    return event


# a message's own fields, kept across a replacing import (its id too: API clients hold it)
MESSAGE_FIELDS = ("id", "body", "created_at", "read_at", "client_token")
BROADCAST_FIELDS = (
    "subject",
    "body",
    "audience",
    "sent_by_id",
    "created_at",
    "recipients",
    "client_token",
)
EMAIL_FIELDS = (
    "kind",
    "key",
    "language",
    "subject",
    "body",
    "status",
    "sent_at",
    "error",
    "attempts",
    "next_attempt_at",
)
FEEDBACK_FIELDS = ("took_place", "rating", "outcome", "comment", "created_at", "updated_at")


# the fields participants edit themselves (profile, times): a replacing import keeps their edit of
# a field the new file leaves as the last file had it (a three-way merge: the organisers' file
# from their registration system knows nothing of what people changed in the app since)
# (``profile_update``'s fields, and the times)
OWN_FIELDS = sorted(PARTICIPANT_FIELDS)
OWN_PROFILE_FIELDS = {"description": "", "offers": [], "needs": [], "sectors": []}
assert set(OWN_PROFILE_FIELDS) == PROFILE_FIELDS


def _periods_key(periods, slots, tz) -> list[list[str]]:
    """Periods as the merge compares them: cut to the event's days as the availability API
    stores them (``slots`` sorted), in UTC ISO text."""
    return [
        [start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()]
        for start, end in sorted(within_event_days(list(periods), slots, tz))
    ]


# lists whose order says nothing: the same sectors or languages in another order are the same
UNORDERED_FIELDS = {"languages", "sectors"}


def _same(f: str, a, b) -> bool:
    if f in UNORDERED_FIELDS and isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def own_values_of_file(p: dict, periods, slots, tz) -> dict:
    """What an import file's participant row says of the fields participants edit themselves
    (``periods``: its availability as written; ``slots``, sorted, and ``tz``: the event's)."""
    return {
        "title": p.get("title", ""),
        "languages": p["languages"],
        "country": p.get("country", ""),
        "city": p.get("city", ""),
        "max_meetings": p.get("max_meetings"),
        "accepts_same_kind": p.get("accepts_same_kind", False),
        **{f: p.get(f, default) for f, default in OWN_PROFILE_FIELDS.items()},
        "availability": _periods_key(periods, slots, tz),
    }


def _own_values_now(person: Participant, periods, slots, tz) -> dict:
    profile = getattr(person, "profile", None)
    return {
        **{f: getattr(person, f) for f in OWN_FIELDS},
        **{
            f: getattr(profile, f) if profile is not None else default
            for f, default in OWN_PROFILE_FIELDS.items()
        },
        "availability": _periods_key(periods, slots, tz),
    }


@dataclass
class _Identities:
    """What outside calendars know of an event that an import replaces: each participant's
    calendar link (by ref) and each meeting's iCalendar UID and SEQUENCE (by its two parties,
    live or cancelled). Restored on the new rows, a replaced event's feeds and .ics files go on
    updating the same calendar entries instead of adding copies (and old links keep working)."""

    tokens: dict[tuple[str, str], str]  # (ref, email lower-cased) -> calendar token
    meetings: dict[frozenset, list[tuple]]  # the two parties -> [(state, uid, sequence)]
    colleagues: dict[str, set] = field(default_factory=dict)  # uid -> colleagues' (ref, email)
    # (meeting id, person id) -> when the meeting was, for a colleague the new file takes out
    left_at: dict[tuple[int, int], datetime] = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)  # uid -> the meeting's status
    # uid -> what the people in it said of it: [((ref, email), field values)]
    feedback: dict = field(default_factory=dict)
    # the emails kept across a replace ("how were your meetings?", the organisers' messages):
    # [((ref, email), field values with the old broadcast id)], and those messages by old id
    emails: list = field(default_factory=list)
    messages: dict = field(default_factory=dict)
    # (ref, email) -> when they said in the app that they no longer come
    withdrawn: dict = field(default_factory=dict)
    # (ref, email) -> (their own fields now, as the last file gave them)
    own: dict = field(default_factory=dict)
    # who saved or hid whom: [((ref, email), (ref, email), kind, created_at, updated_at)]
    marks: list = field(default_factory=list)
    # what participants wrote to each other: [((ref, email), (ref, email), field values)]
    notes: list = field(default_factory=list)
    # the entrance desk's record: (ref, email) -> [(fair day, when, by whom (user id))]
    arrivals: dict = field(default_factory=lambda: defaultdict(list))
    # the ids the new rows take again, so that open pages, links and API clients that kept
    # them go on working: (ref, email) -> participant id; (sender, recipient) as (ref, email)
    # -> their requests' ids, oldest first
    participant_ids: dict = field(default_factory=dict)
    request_ids: dict = field(default_factory=dict)
    requests_left: dict = field(default_factory=dict)  # what request_ids_assign left over
    names: dict = field(default_factory=dict)  # (ref, email) -> "Name (Organisation)"
    # meetings still to come that the new file no longer lists (``_dropped`` counts them)
    cancelled_to_come: int = 0
    # open requests: [(sender (ref, email), recipient (ref, email), status, booked)]
    open_requests: list = field(default_factory=list)
    event_id: int | None = None
    # new participant id -> what of their own the new file overruled ("times": their own times
    # no longer fitted, "limit": their own meeting limit was below the file's meetings,
    # "coming": they said they no longer come, the file gives them something open): they are
    # told (``notify_import_overruled``)
    overruled: dict = field(default_factory=lambda: defaultdict(list))
    slot_ids: dict = field(default_factory=dict)  # start -> id
    table_ids: dict = field(default_factory=dict)  # (name, shared) -> id
    # shared tables the organisers took out of service: they stay so (a broken table is not
    # mended by a new participant list)
    tables_out: set = field(default_factory=set)
    meeting_ids: dict = field(default_factory=dict)  # UID -> id
    versions: dict = field(default_factory=dict)  # UID -> Meeting.version

    def participant_id(self, ref: str, email: str) -> int | None:
        return self.participant_ids.get((ref, email.lower()))

    @staticmethod
    def _pair(sender: Participant, recipient: Participant) -> tuple:
        return ((sender.ref, sender.email.lower()), (recipient.ref, recipient.email.lower()))

    def request_ids_assign(self, rows: list[MeetingRequest], sent: list[datetime]) -> None:
        """Give the new requests of each pair the ids of its old ones: first the one sent at
        the same moment (an export gives it), then one of the same status, then the oldest
        left; rows without one get a new id."""
        left = self.requests_left = {pair: list(old) for pair, old in self.request_ids.items()}
        for match in (
            lambda row, at, old: old[1] == at,
            lambda row, at, old: old[2] == row.status,
            lambda row, at, old: True,
        ):
            for row, at in zip(rows, sent, strict=True):
                if row.pk is not None:
                    continue
                old = left.get(self._pair(row.sender, row.recipient), [])
                found = next((o for o in old if match(row, at, o)), None)
                if found is not None:
                    old.remove(found)
                    row.pk = found[0]

    def request_id(self, sender: Participant, recipient: Participant) -> int | None:
        """After ``request_ids_assign``: an id of the pair's old requests that no new one took,
        the accepted one first (None when none is left)."""
        old = self.requests_left.get(self._pair(sender, recipient), [])
        found = next((o for o in old if o[2] == MeetingRequest.Status.ACCEPTED), None)
        found = found or (old[0] if old else None)
        if found is None:
            return None
        old.remove(found)
        return found[0]

    @staticmethod
    def _colleagues(event: Event) -> dict[int, set]:
        """Meeting id -> the (ref, email) of the colleagues who joined it and did not leave."""
        out: dict[int, set] = defaultdict(set)
        for mid, ref, email in MeetingSeat.objects.filter(
            meeting__event=event, is_party=False, left=False
        ).values_list("meeting_id", "participant__ref", "participant__email"):
            out[mid].add((ref, email.lower()))
        return out

    @staticmethod
    def _meetings(event: Event):
        """Each meeting of ``event`` with its two parties (ref and email: a ref given to
        someone else is another meeting for calendars) and its state for calendars."""
        for m in (
            Meeting.objects.filter(event=event)
            .select_related("request__sender", "request__recipient", "slot", "table")
            .order_by("id")
        ):
            state = (m.slot.start, m.table.name if m.table else None, m.status == "cancelled")
            sender, recipient = m.request.sender, m.request.recipient
            pair = frozenset(
                ((sender.ref, sender.email.lower()), (recipient.ref, recipient.email.lower()))
            )
            yield m, pair, state

    @classmethod
    def of(cls, event: Event) -> "_Identities":
        meetings: dict[frozenset, list[tuple]] = defaultdict(list)
        joined = cls._colleagues(event)
        colleagues = {}
        statuses = {}
        meeting_ids = {}
        versions = {}
        for m, pair, state in cls._meetings(event):
            meetings[pair].append((state, m.uid, m.sequence))
            colleagues[m.uid] = joined.get(m.pk, set())
            statuses[m.uid] = m.status
            meeting_ids[m.uid] = m.pk
            versions[m.uid] = m.version
        tokens = {
            (ref, email.lower()): token
            for ref, email, token in event.participants.values_list(
                "ref", "email", "calendar_token"
            )
        }
        feedback = defaultdict(list)
        for row in MeetingFeedback.objects.filter(meeting__event=event).values(
            "meeting__uid", "participant__ref", "participant__email", *FEEDBACK_FIELDS
        ):
            who = (row.pop("participant__ref"), row.pop("participant__email").lower())
            feedback[row.pop("meeting__uid")].append((who, row))
        emails = [
            ((row.pop("recipient__ref"), row.pop("recipient__email").lower()), row)
            for row in Notification.objects.filter(recipient__event=event).values(
                "recipient__ref",
                "recipient__email",
                "broadcast_id",
                "meeting__uid",
                "request_id",
                "request__sender__ref",
                "request__sender__email",
                "request__recipient__ref",
                "request__recipient__email",
                "created_at",
                *EMAIL_FIELDS,
            )
        ]
        messages = {
            values.pop("id"): values
            for values in event.broadcasts.order_by("id").values("id", *BROADCAST_FIELDS)
        }
        withdrawn = {
            (ref, email.lower()): at
            for ref, email, at in event.participants.filter(withdrawn_at__isnull=False).values_list(
                "ref", "email", "withdrawn_at"
            )
        }
        periods = defaultdict(list)
        for pid, start, end in Availability.objects.filter(participant__event=event).values_list(
            "participant_id", "start", "end"
        ):
            periods[pid].append((start, end))
        slots = list(event.slots.order_by("start"))
        own = {
            (p.ref, p.email.lower()): (
                _own_values_now(p, periods[p.pk], slots, event.tz),
                p.imported,
            )
            for p in event.participants.select_related("profile")
            if p.imported  # imported before the merge existed: the file wins
        }
        marks = [
            ((a_ref, a_email.lower()), (b_ref, b_email.lower()), kind, created, updated)
            for a_ref, a_email, b_ref, b_email, kind, created, updated in Mark.objects.filter(
                event=event
            ).values_list(
                "participant__ref",
                "participant__email",
                "candidate__ref",
                "candidate__email",
                "kind",
                "created_at",
                "updated_at",
            )
        ]
        notes = [
            ((a_ref, a_email.lower()), (b_ref, b_email.lower()), values)
            for a_ref, a_email, b_ref, b_email, *values in Message.objects.filter(
                event=event
            ).values_list(
                "sender__ref",
                "sender__email",
                "recipient__ref",
                "recipient__email",
                *MESSAGE_FIELDS,
            )
        ]
        arrivals = defaultdict(list)
        for ref, email, day, at, by_id in Arrival.objects.filter(event=event).values_list(
            "participant__ref", "participant__email", "date", "at", "by_id"
        ):
            arrivals[(ref, email.lower())].append((day, at, by_id))
        request_ids = defaultdict(list)  # pair -> [(id, sent, status)], oldest first
        for pk, created, status, a_ref, a_email, b_ref, b_email in (
            MeetingRequest.objects.filter(event=event)
            .order_by("id")
            .values_list(
                "pk",
                "created_at",
                "status",
                "sender__ref",
                "sender__email",
                "recipient__ref",
                "recipient__email",
            )
        ):
            request_ids[((a_ref, a_email.lower()), (b_ref, b_email.lower()))].append(
                (pk, created, status)
            )
        live = Meeting.objects.filter(event=event).exclude(status=Meeting.Status.CANCELLED)
        open_requests = [
            ((a_ref, a_email.lower()), (b_ref, b_email.lower()), status, booked)
            for a_ref, a_email, b_ref, b_email, status, booked in MeetingRequest.objects.filter(
                event=event, status__in=MeetingRequest.OPEN_STATUSES
            )
            .annotate(booked=Exists(live.filter(request=OuterRef("pk"))))
            .values_list(
                "sender__ref",
                "sender__email",
                "recipient__ref",
                "recipient__email",
                "status",
                "booked",
            )
        ]
        return cls(
            names={
                (ref, email.lower()): f"{name} ({org})"
                for ref, email, name, org in event.participants.values_list(
                    "ref", "email", "name", "organisation__name"
                )
            },
            open_requests=open_requests,
            meeting_ids=meeting_ids,
            versions=versions,
            event_id=event.pk,
            slot_ids=dict(event.slots.values_list("start", "pk")),
            table_ids={
                (name, shared): pk
                for name, shared, pk in event.tables.values_list("name", "shared", "pk")
            },
            tables_out=set(
                event.tables.filter(shared=True, out_of_service=True).values_list("name", flat=True)
            ),
            participant_ids={
                (ref, email.lower()): pk
                for pk, ref, email in event.participants.values_list("pk", "ref", "email")
            },
            request_ids=dict(request_ids),
            marks=marks,
            notes=notes,
            arrivals=arrivals,
            own=own,
            withdrawn=withdrawn,
            tokens=tokens,
            meetings=meetings,
            colleagues=colleagues,
            statuses=statuses,
            feedback=feedback,
            emails=emails,
            messages=messages,
        )

    def _withdrawn_restore(self, event: Event, said: set) -> None:
        """Who said in the app that they no longer come stays so when the file does not say
        (``said``: the (ref, email) of the participants whose ``attending`` the file gives),
        unless the file gives them something open: a pending request, an accepted one without
        a live meeting, or a scheduled meeting still to come (then they come)."""
        # the file says so too (an export imported again): since when, as it was
        again = [
            p
            for p in event.participants.filter(withdrawn_at__isnull=False)
            if (p.ref, p.email.lower()) in self.withdrawn
        ]
        for p in again:
            p.withdrawn_at = self.withdrawn[(p.ref, p.email.lower())]
        Participant.objects.bulk_update(again, ["withdrawn_at"])
        now = timezone.now()
        people = [
            p
            for p in event.participants.filter(withdrawn_at__isnull=True)
            if (p.ref, p.email.lower()) in self.withdrawn and (p.ref, p.email.lower()) not in said
        ]
        if not people:
            return
        live = Meeting.objects.filter(event=event).exclude(status=Meeting.Status.CANCELLED)
        busy = set(
            MeetingSeat.objects.filter(
                meeting__in=live.filter(slot__start__gt=now), participant__in=people, left=False
            ).values_list("participant_id", flat=True)
        )
        for a, b, status, booked in (
            MeetingRequest.objects.filter(event=event, status__in=MeetingRequest.OPEN_STATUSES)
            .annotate(booked=Exists(live.filter(request=OuterRef("pk"))))
            .values_list("sender_id", "recipient_id", "status", "booked")
        ):
            if status == MeetingRequest.Status.PENDING or not booked:
                busy.update((a, b))
        kept = [p for p in people if p.pk not in busy]
        for p in kept:
            p.withdrawn_at = self.withdrawn[(p.ref, p.email.lower())]
        Participant.objects.bulk_update(kept, ["withdrawn_at"])
        for p in people:
            if p.pk in busy:  # the file gives them something open: they come again
                self.overruled[p.pk].append("coming")

    def _own_edits_restore(self, event: Event) -> None:
        """Each participant's own edit of a field (profile, times) stays when the new file gives
        that field as the last file did; a field the organisers changed in the file takes the
        file's value. Their times stay only if they still hold a slot of the (new) event and
        every meeting of theirs still to come lies inside them (else the file's times, which
        the file's meetings were booked in), and their meeting limit only if the file's
        meetings do not exceed it. A file that gives a field as the participant has it (an
        export imported again) leaves the last file's value as the base, so that the next
        registration list does not undo the edit."""
        now = timezone.now()
        slots = list(event.slots.order_by("start"))
        tz = event.tz
        for person in event.participants.select_related("profile"):
            mine = self.own.get((person.ref, person.email.lower()))
            if mine is None:
                continue
            current, before = mine
            given = dict(person.imported)
            keep = {
                f: value
                for f, value in current.items()
                if f in before
                and not _same(f, value, before[f])
                and _same(f, given.get(f, value), before[f])
            }
            base = {
                f: before[f] if f in before and _same(f, given[f], current.get(f)) else given[f]
                for f in given
            }
            limit = keep.get("max_meetings")
            if limit is not None:  # their own limit stays if the file's meetings fit it
                booked = selectors.party_meeting_counts(participant_ids=[person.pk])
                if booked.get(person.pk, 0) > limit:
                    del keep["max_meetings"]
                    self.overruled[person.pk].append("limit")
            periods = keep.pop("availability", None)
            if periods is not None and not self._times_restore(person, periods, slots, tz, now):
                self.overruled[person.pk].append("times")
            fields = [f for f in OWN_FIELDS if f in keep]
            for f in fields:
                setattr(person, f, keep[f])
            if base != person.imported:
                person.imported = base
                fields.append("imported")
            if fields:  # one write for the kept fields and the new base
                person.save(update_fields=fields)
            profile_fields = [f for f in OWN_PROFILE_FIELDS if f in keep]
            for f in profile_fields:
                setattr(person.profile, f, keep[f])
            if set(fields) - {"imported"} or profile_fields:  # title and city are searched too
                person.profile.participant = person
                person.profile.refresh_search_text()
                person.profile.save()

    @staticmethod
    def _times_restore(person: Participant, periods, slots, tz, now) -> bool:
        """Put ``person``'s own times back if they hold a slot of the event and every meeting
        of theirs still to come (else the file's times stay: False)."""
        spans = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in periods]
        if spans:
            spans = [
                (a, b)
                for a, b in within_event_days(spans, slots, tz)
                if not period_without_slot(a, b, slots=slots, tz=tz)
            ]
            if not spans:  # none holds a slot of the new programme: the file's times
                return False
        to_come = Meeting.objects.filter(
            seats__participant=person, seats__active=True, slot__start__gt=now
        ).exclude(status=Meeting.Status.CANCELLED)
        if spans and not all(
            selectors.slot_inside(m.slot, spans) for m in to_come.select_related("slot")
        ):
            return False
        Availability.objects.filter(participant=person).delete()
        Availability.objects.bulk_create(
            Availability(participant=person, start=a, end=b) for a, b in spans
        )
        return True

    def restore(
        self, event: Event, said: set = frozenset(), arrived_said: set = frozenset()
    ) -> list[tuple[Meeting, str, Participant | None]]:
        """Put the identities back on ``event``'s new rows; returns who should be told what:
        (meeting, kind, None) for everyone in a meeting the new file books, moves or cancels;
        (meeting, "meeting_booked", person) for a colleague it adds to a meeting; (meeting,
        "attendee_left", person) for a colleague it takes out (given a left seat, so their
        calendar shows the meeting cancelled, as when they leave); (meeting, "meeting_cancelled",
        None) for a live meeting the new file no longer lists at all, recreated cancelled (by
        the organisers) under its UID, so that its people's calendars drop it and they know.
        One whose slot or person the new file no longer has is gone with the old rows.
        ``said``: the (ref, email) of those the file says whether they come; ``arrived_said``:
        of those whose arrivals it lists."""
        self._own_edits_restore(event)
        self._withdrawn_restore(event, said)
        # a link is kept only for the same person: a ref given to someone else gets a new one
        people = [p for p in event.participants.all() if (p.ref, p.email.lower()) in self.tokens]
        for p in people:
            p.calendar_token = self.tokens[(p.ref, p.email.lower())]
        Participant.objects.bulk_update(people, ["calendar_token"])
        changed, told = [], []
        joined = self._colleagues(event)
        by_key = {(p.ref, p.email.lower()): p for p in event.participants.all()}
        for m, pair, state in self._meetings(event):
            old = self.meetings.get(pair)
            if not old:
                if not state[2]:  # a meeting the new file adds
                    told.append((m, Notification.Kind.MEETING_BOOKED, None))
                continue
            # the same entry if any, else one in the same state (live or cancelled), else any:
            # a meeting the new file cancels or moves updates the calendars' entry
            i = next(
                (i for i, o in enumerate(old) if o[0] == state),
                next((i for i, o in enumerate(old) if o[0][2] == state[2]), 0),
            )
            old_state, old_uid, sequence = old.pop(i)
            m.uid = old_uid
            # calendars take an update only with a higher SEQUENCE
            m.sequence = max(m.sequence, sequence if old_state == state else sequence + 1)
            changed.append(m)
            was_cancelled, cancelled = old_state[2], state[2]
            if cancelled and not was_cancelled:
                told.append((m, Notification.Kind.MEETING_CANCELLED, None))
            elif was_cancelled and not cancelled:
                told.append((m, Notification.Kind.MEETING_BOOKED, None))
            elif not cancelled and old_state != state:
                told.append((m, Notification.Kind.MEETING_MOVED, None))
            if cancelled or was_cancelled:
                continue
            before, now = self.colleagues.get(old_uid, set()), joined.get(m.pk, set())
            if before != now:  # who attends changed: calendars take the update
                m.sequence = max(m.sequence, sequence + 1)
            for key in sorted(now - before):  # a colleague the new file adds
                told.append((m, Notification.Kind.MEETING_BOOKED, by_key[key]))
            for key in sorted(before - now):  # one it takes out, still at the fair
                person = by_key.get(key)
                if (
                    person is not None
                    and not MeetingSeat.objects.filter(meeting=m, participant=person).exists()
                ):
                    MeetingSeat.objects.create(
                        meeting=m,
                        participant=person,
                        slot=m.slot,
                        is_party=False,
                        active=False,
                        left=True,
                    )
                    told.append((m, Notification.Kind.ATTENDEE_LEFT, person))
                    self.left_at[(m.pk, person.pk)] = old_state[0]
        Meeting.objects.bulk_update(changed, ["uid", "sequence"])
        self._feedback_restore(changed)
        self._emails_restore(event, by_key)
        self._marks_restore(event, by_key)
        self._notes_restore(event, by_key)
        self._arrivals_restore(event, by_key, arrived_said)
        told += self._dropped(event, by_key)
        self._requests_dropped(event, by_key)
        self._versions_restore(event)
        self._meeting_ids_restore(event, told)
        return told

    def _versions_restore(self, event: Event) -> None:
        """A meeting that keeps its UID (and so, below, its id) takes a version above the one
        it had: a console page or an API client that holds the old version is told the import
        changed it (``MeetingChanged``), rather than its "1" matching the new row's first."""
        rows = [m for m in event.meetings.only("pk", "uid", "version") if m.uid in self.versions]
        for m in rows:
            m.version = self.versions[m.uid] + 1
        Meeting.objects.bulk_update(rows, ["version"], batch_size=1000)

    def _meeting_ids_restore(self, event: Event, told: list) -> None:
        """Each meeting that kept its UID takes its old id again (with the rows that point to
        it), so that console pages and API clients that hold it go on working; ``told`` and
        ``left_at`` follow."""
        renumber = {
            pk: self.meeting_ids[uid]
            for pk, uid in event.meetings.values_list("pk", "uid")
            if uid in self.meeting_ids and self.meeting_ids[uid] != pk
        }
        # the old ids are free (their rows went with the old event) and below every new one
        items = sorted(renumber.items())
        for start in range(0, len(items), 500):
            batch = dict(items[start : start + 500])

            def old_of(column: str, batch=batch):
                return Case(*(When(**{column: new}, then=Value(old)) for new, old in batch.items()))

            Meeting.objects.filter(pk__in=batch).update(id=old_of("id"))
            for model in (MeetingSeat, MeetingFeedback, MeetingLog, Notification):
                model.objects.filter(meeting_id__in=batch).update(meeting_id=old_of("meeting_id"))
        for meeting, _kind, _person in told:
            meeting.pk = renumber.get(meeting.pk, meeting.pk)
        self.left_at = {(renumber.get(m, m), p): at for (m, p), at in self.left_at.items()}

    def _marks_restore(self, event: Event, people: dict) -> None:
        """Who saved or hid whom, between the people the new file keeps (same ref and email;
        ``people`` by that key): a participant's shortlist and "not interested" outlive a new
        registration list."""
        kept = [m for m in self.marks if m[0] in people and m[1] in people]
        rows = [
            Mark(event=event, participant=people[a], candidate=people[b], kind=kind)
            for a, b, kind, _created, _updated in kept
        ]
        Mark.objects.bulk_create(rows, batch_size=1000)
        # when they were made and last changed, as they were (the inserts stamped them now)
        for row, (_a, _b, _kind, created, updated) in zip(rows, kept, strict=True):
            row.created_at, row.updated_at = created, updated
        Mark.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=1000)

    def _arrivals_restore(self, event: Event, people: dict, said: set) -> None:
        """The entrance desk's record of who arrived on which fair day, for the people the new
        file keeps, on the days it still has: a registration list imported during the fair does
        not wipe it. Whose arrivals the file lists (``said``: (ref, email)) has the file's days,
        each keeping when and by whom it was marked where the old record had that day."""
        days = set(event.slots.values_list("date", flat=True).distinct())
        listed = {
            (a.participant_id, a.date): a
            for a in Arrival.objects.filter(event=event, participant__in=list(people.values()))
        }
        new, new_at, changed = [], [], []
        for key, marks in self.arrivals.items():
            person = people.get(key)
            if person is None:
                continue
            for day, at, by_id in marks:
                row = listed.get((person.pk, day))
                if row is not None:  # the file lists it too: when and by whom, as it was
                    row.at, row.by_id = at, by_id
                    changed.append(row)
                elif key not in said and day in days:
                    new.append(Arrival(event=event, participant=person, date=day, by_id=by_id))
                    new_at.append(at)
        Arrival.objects.bulk_create(new, batch_size=1000)
        for row, at in zip(new, new_at, strict=True):  # the inserts stamped them now
            row.at = at
        Arrival.objects.bulk_update(new + changed, ["at", "by_id"], batch_size=1000)

    def _notes_restore(self, event: Event, people: dict) -> None:
        """What participants wrote to each other (their messages, with their ids, times and
        read state), between the people the new file keeps: a conversation outlives a new
        registration list as their requests do."""
        kept = [
            (people[a], people[b], dict(zip(MESSAGE_FIELDS, values, strict=True)))
            for a, b, values in self.notes
            if a in people and b in people
        ]
        rows = [
            Message(event=event, sender=sender, recipient=recipient, **values)
            for sender, recipient, values in kept
        ]
        Message.objects.bulk_create(rows, batch_size=1000)
        # when they were written, as it was (the inserts stamped them now)
        for row, (_sender, _recipient, values) in zip(rows, kept, strict=True):
            row.created_at = values["created_at"]
        Message.objects.bulk_update(rows, ["created_at"], batch_size=1000)

    def _emails_restore(self, event: Event, people: dict) -> None:
        """The organisers' messages, and every email of the people the new file keeps (same
        ref and email; ``people`` by that key), sent or still to send: the event's history of
        what was sent to whom, and what the periodic tasks look for so as not to send it twice
        (the reminder of a meeting, "how were your meetings?"). An email stays linked to its
        meeting when the meeting kept its UID, and to its request when the request kept its
        id between the same two people."""
        old_ids = list(self.messages)
        sent = Broadcast.objects.bulk_create(
            [Broadcast(event=event, **self.messages[i]) for i in old_ids]
        )
        for row, i in zip(sent, old_ids, strict=True):  # bulk_create stamped them "now"
            row.created_at = self.messages[i]["created_at"]
        Broadcast.objects.bulk_update(sent, ["created_at"])
        new_id = {i: row.pk for row, i in zip(sent, old_ids, strict=True)}
        meetings = dict(event.meetings.values_list("uid", "pk"))
        requests = {
            pk: ((a_ref, a_email.lower()), (b_ref, b_email.lower()))
            for pk, a_ref, a_email, b_ref, b_email in event.requests.values_list(
                "pk", "sender__ref", "sender__email", "recipient__ref", "recipient__email"
            )
        }
        rows, stamps = [], []
        for who, values in self.emails:
            if who not in people:
                continue
            values = dict(values)
            uid = values.pop("meeting__uid")
            pair = (
                (values.pop("request__sender__ref"), values.pop("request__sender__email")),
                (values.pop("request__recipient__ref"), values.pop("request__recipient__email")),
            )
            if pair[0][1] is not None:
                pair = ((pair[0][0], pair[0][1].lower()), (pair[1][0], pair[1][1].lower()))
            request_id = values.pop("request_id")
            stamps.append(values.pop("created_at"))
            broadcast = values.pop("broadcast_id")
            rows.append(
                Notification(
                    recipient=people[who],
                    **values,
                    broadcast_id=new_id.get(broadcast),
                    meeting_id=meetings.get(uid),
                    request_id=request_id if requests.get(request_id) == pair else None,
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        # when they were written, as they were (the inserts stamped them now)
        when = {n.key: at for n, at in zip(rows, stamps, strict=True)}
        keys = list(when)
        for start in range(0, len(keys), 500):
            again = list(Notification.objects.filter(key__in=keys[start : start + 500]))
            for note in again:
                note.created_at = when[note.key]
            Notification.objects.bulk_update(again, ["created_at"])

    def _feedback_restore(self, meetings: list[Meeting]) -> None:
        """The feedback people gave on a meeting the new file keeps (same two parties, not
        cancelled, started), for each giver who still sits in it; with its times."""
        now = timezone.now()
        kept = [
            m
            for m in meetings
            if self.feedback.get(m.uid)
            and m.status != Meeting.Status.CANCELLED
            and m.slot.start <= now
        ]
        seated = defaultdict(dict)
        for mid, pid, ref, email in MeetingSeat.objects.filter(
            meeting__in=kept, left=False
        ).values_list("meeting_id", "participant_id", "participant__ref", "participant__email"):
            seated[mid][(ref, email.lower())] = pid
        # what the file itself gives (an export's feedback) stands for its givers, first given
        # when the old record says (the file says when it was last changed)
        in_file = {
            (f.meeting_id, f.participant_id): f
            for f in MeetingFeedback.objects.filter(meeting__in=kept)
        }
        first_given = []
        for m in kept:
            for who, values in self.feedback[m.uid]:
                row = in_file.get((m.pk, seated[m.pk].get(who)))
                if row is not None and values["created_at"] <= row.updated_at:
                    row.created_at = values["created_at"]
                    first_given.append(row)
        MeetingFeedback.objects.bulk_update(first_given, ["created_at"])
        given = [
            (MeetingFeedback(meeting=m, participant_id=seated[m.pk][who], **values), values)
            for m in kept
            for who, values in self.feedback[m.uid]
            if who in seated[m.pk] and (m.pk, seated[m.pk][who]) not in in_file
        ]
        rows = MeetingFeedback.objects.bulk_create([row for row, _ in given])
        # bulk_create stamps both times "now"; they go back as they were
        for row, values in given:
            row.created_at, row.updated_at = values["created_at"], values["updated_at"]
        MeetingFeedback.objects.bulk_update(rows, ["created_at", "updated_at"])

    def _tell_gone(self, person: Participant, kind: str, key: str, gone: tuple, **extra) -> None:
        """Tell ``person`` that their meeting or request with ``gone`` (ref, email), whom the
        new file no longer lists, is cancelled or withdrawn (nothing of it is left to link).
        ``who`` in ``extra`` names whom it was with instead (a colleague who sat in it)."""
        name = self.names.get(gone, gone[0]).rsplit(" (", 1)[0]
        notify_without_rows(
            person=person,
            kind=kind,
            key=key,
            extra={
                "who": self.names.get(gone, gone[0]),
                "reason": Reason("participant_removed", {"name": name}),
                "by_organisers": True,
                **extra,
            },
        )

    def _requests_dropped(self, event: Event, by_key: dict) -> None:
        """Open requests whose other side the new file no longer lists: the one who stays is
        told it is withdrawn (a booked one to come was told of its meeting)."""
        stamp = timezone.now().isoformat()
        for a, b, _status, booked in self.open_requests:
            if booked or (a in by_key) == (b in by_key):
                continue
            stays, gone = (by_key[a], b) if a in by_key else (by_key[b], a)
            self._tell_gone(
                stays,
                Notification.Kind.REQUEST_WITHDRAWN,
                f"request_withdrawn:{gone[0]}:{stamp}:to{stays.pk}",
                gone,
            )

    def _dropped(self, event: Event, by_key: dict) -> list[tuple[Meeting, str, None]]:
        """The live meetings the new file no longer lists (left over in ``self.meetings`` once
        ``restore`` matched the others), recreated cancelled under their UIDs."""
        slots = {s.start: s for s in event.slots.all()}
        tables = {t.name: t for t in event.tables.all()}
        now = timezone.now()
        requests = {}
        for r in event.requests.order_by("-id"):  # the pair's latest request
            requests.setdefault(frozenset((r.sender_id, r.recipient_id)), r)
        told = []
        for pair, left in self.meetings.items():
            people = [by_key.get(key) for key in sorted(pair)]
            for (start, table_name, _cancelled), uid, sequence in left:
                # a meeting still to come: one held, missed or past goes with the old rows
                # (no "cancelled" for a meeting of 2018, the review)
                to_come = self.statuses.get(uid) == Meeting.Status.SCHEDULED and start > now
                self.cancelled_to_come += to_come
                if to_come and None not in people and len(people) == 2 and start not in slots:
                    # its time is no longer in the programme, and a meeting cannot be kept
                    # without its slot: everyone who sat in it is told it is cancelled
                    seated = [*sorted(pair), *sorted(self.colleagues.get(uid, ()))]
                    for key in seated:
                        person = by_key.get(key)
                        if person is None:
                            continue
                        notify_without_rows(
                            person=person,
                            kind=Notification.Kind.MEETING_CANCELLED,
                            key=f"meeting_cancelled:{uid}:seq{sequence + 1}:to{person.pk}",
                            extra={
                                # joined in the recipient's language (notifications.list_text)
                                "who": [self.names.get(k, k[0]) for k in seated if k != key],
                                "when": start,
                                "where": table_name or event.name,
                                "reason": Reason("event_updated"),
                                "by_organisers": True,
                            },
                        )
                if to_come and len(people) == 2 and people.count(None) == 1:
                    # the other side is no longer on the list: tell the one who stays, and the
                    # colleagues who sat in it (but those the new file drops too), who are
                    # named everyone else who sat in it, as the meeting's own email would
                    gone = next(k for k, p in zip(sorted(pair), people, strict=True) if p is None)
                    stays = next(p for p in people if p is not None)
                    when, where = start, table_name or event.name
                    self._tell_gone(
                        stays,
                        Notification.Kind.MEETING_CANCELLED,
                        f"meeting_cancelled:{uid}:seq{sequence + 1}:to{stays.pk}",
                        gone,
                        when=when,
                        where=where,
                    )
                    seated = [*sorted(pair), *sorted(self.colleagues.get(uid, ()))]
                    for key in sorted(self.colleagues.get(uid, ())):
                        colleague = by_key.get(key)
                        if colleague is None:
                            continue
                        self._tell_gone(
                            colleague,
                            Notification.Kind.MEETING_CANCELLED,
                            f"meeting_cancelled:{uid}:seq{sequence + 1}:to{colleague.pk}",
                            gone,
                            who=[self.names.get(k, k[0]) for k in seated if k != key],
                            when=when,
                            where=where,
                        )
                if not to_come or None in people or len(people) != 2 or start not in slots:
                    continue
                a, b = people
                request = requests.get(frozenset((a.pk, b.pk)))
                if request is not None:
                    a, b = request.sender, request.recipient
                problem = _cancelled_meeting_create(
                    event=event,
                    a=a,
                    b=b,
                    request=request,
                    slot=slots[start],
                    table=tables.get(table_name),
                    row={"cancelled_by": Meeting.CancelledBy.ORGANISER},
                    identity=(uid, sequence + 1),
                )
                if problem is None:
                    meeting = Meeting.objects.get(event=event, uid=uid)
                    told.append((meeting, Notification.Kind.MEETING_CANCELLED, None))
        return told


def event_delete(*, event: Event) -> None:
    """Delete an event and everything in it. Meetings first: slots and tables protect them."""
    Meeting.objects.filter(event=event).delete()
    MeetingRequest.objects.filter(event=event).delete()
    Participant.objects.filter(event=event).delete()
    event.delete()


def _write(
    data: dict, checked: _Checked, kept: _Identities | None = None
) -> tuple[Event, list[str]]:
    """Write the rows the validation passed (``checked`` names those it refused) and return the
    event with the problems the API's rules find in them. The caller rolls back on any problem.
    ``kept`` (a replacing import): participants and requests take their old ids again."""
    ev = data["event"]
    tz = checked.tz
    assert tz is not None
    event = Event.objects.create(
        pk=kept.event_id if kept else None,
        slug=ev["slug"],
        name=ev["name"],
        timezone=ev["timezone"],
        slot_minutes=ev["slot_minutes"],
        booking_opens=_optional_dt(ev.get("booking_opens"), tz),
        booking_closes=_optional_dt(ev.get("booking_closes"), tz),
        request_expiry_hours=ev.get("request_expiry_hours", 72),
    )
    sessions = []
    for day in ev["days"]:
        d = date.fromisoformat(day["date"])
        for s in day["sessions"]:
            sessions.append(
                Session(
                    event=event,
                    date=d,
                    start=time.fromisoformat(s["start"]),
                    end=time.fromisoformat(s["end"]),
                    name=s.get("name", ""),
                )
            )
        for b in day.get("breaks", []):
            sessions.append(
                Session(
                    event=event,
                    date=d,
                    start=time.fromisoformat(b["start"]),
                    end=time.fromisoformat(b["end"]),
                    name=b.get("name", ""),
                    is_break=True,
                )
            )
    Session.objects.bulk_create(sessions)
    slots_generate(event=event, ids=kept.slot_ids if kept else None)
    slots = {s.start: s for s in event.slots.all()}

    table_ids = kept.table_ids if kept else {}
    tables_out = kept.tables_out if kept else set()
    Table.objects.bulk_create(
        [
            Table(
                pk=table_ids.get((n, True)),
                event=event,
                name=n,
                shared=True,
                out_of_service=n in tables_out,
            )
            for n in checked.table_names
        ]
        + [
            Table(pk=table_ids.get((n, False)), event=event, name=n, shared=False)
            for n in sorted(checked.booths)
        ]
    )
    tables = {t.name: t for t in event.tables.all()}

    # participants the rules refused (a ref or email used twice) are left out, and so are the
    # requests and meetings that name them: their problem is reported already
    rows = [
        (i, p) for i, p in enumerate(data["participants"]) if i not in checked.skip_participants
    ]
    org_names = sorted({p["organisation"] for _, p in rows})
    Organisation.objects.bulk_create([Organisation(event=event, name=n) for n in org_names])
    orgs = {o.name: o for o in event.organisations.all()}

    # accounts by email in any case, as participant_token finds them (it writes them lower-case)
    wanted = {p["email"].lower() for _, p in rows}
    users = {
        u.email.lower(): u
        for u in get_user_model()
        .objects.annotate(email_key=Lower("email"))
        .filter(email_key__in=wanted)
        .order_by("-pk")
    }
    # availability as the API takes it: periods that overlap or touch are joined; one that holds
    # no whole meeting slot (reported by the validation) is refused, as the API would
    slot_list = sorted(slots.values(), key=lambda s: s.start)
    periods_of = {}
    for i, p in rows:
        spans = [
            (parse_local_datetime(a["start"], tz), parse_local_datetime(a["end"], tz))
            for n, a in enumerate(p.get("availability", []))
            if (i, n) not in checked.skip_availability
        ]
        periods_of[i] = [
            (start, end)
            for start, end in merge_periods(spans)
            if not period_without_slot(start, end, slots=slot_list, tz=tz)
        ]
    Participant.objects.bulk_create(
        Participant(
            pk=kept.participant_id(p["ref"], p["email"]) if kept else None,
            event=event,
            imported=own_values_of_file(p, periods_of[i], slot_list, tz),
            ref=p["ref"],
            user=users.get(p["email"].lower()),
            name=p["name"],
            email=p["email"],
            title=p.get("title", ""),
            organisation=orgs[p["organisation"]],
            kind=p["kind"],
            languages=p["languages"],
            country=p.get("country", ""),
            city=p.get("city", ""),
            max_meetings=p.get("max_meetings"),
            fixed_table=tables.get(p["fixed_table"]) if p.get("fixed_table") else None,
            accepts_same_kind=p.get("accepts_same_kind", False),
        )
        for i, p in rows
    )
    people = {p.ref: p for p in event.participants.select_related("organisation", "fixed_table")}
    profiles = [
        Profile(
            participant=people[p["ref"]],
            description=p.get("description", ""),
            offers=p.get("offers", []),
            needs=p.get("needs", []),
            sectors=p.get("sectors", []),
        )
        for _, p in rows
    ]
    for profile in profiles:
        profile.refresh_search_text()
    Profile.objects.bulk_create(profiles)

    Availability.objects.bulk_create(
        Availability(participant=people[p["ref"]], start=start, end=end)
        for i, p in rows
        for start, end in periods_of[i]
    )
    # the fair days the entrance desk marked them as arrived (the export gives them; a day
    # listed twice is reported by the validation, and written once here)
    Arrival.objects.bulk_create(
        Arrival(event=event, participant=people[p["ref"]], date=date.fromisoformat(day))
        for _, p in rows
        for day in dict.fromkeys(p.get("arrived", []))
    )

    # requests: the API's rules of who may meet whom; pending ones expire after their sent time
    # (else now)
    errors: list[str] = []
    now = timezone.now()
    requests: dict[frozenset, MeetingRequest] = {}
    to_create, created_rows, sent_at = [], [], []
    for i, r in enumerate(data.get("requests", [])):
        if i in checked.skip_requests or r["from"] not in people or r["to"] not in people:
            continue
        sender, recipient = people[r["from"]], people[r["to"]]
        reason = _pair_refused(sender, recipient)
        if reason:
            errors.append(f"requests[{i}] ({r['from']} → {r['to']}): {reason}")
            continue
        times = checked.request_times.get(i, {})
        proposed = None
        if "proposed" in times:
            proposed = slots.get(times["proposed"])
            wished = r.get("session", MeetingRequest.SessionPreference.ANY)
            problem = None
            if proposed is None:
                problem = "is not the start of one of the event's meeting slots: " + (
                    not_a_slot_start(times["proposed"], list(slots), tz)
                )
            elif wished != MeetingRequest.SessionPreference.ANY and proposed.part != wished:
                problem = f"is in the {proposed.part}, and the request asks for the {wished}"
            if problem:
                errors.append(
                    f"requests[{i}] ({r['from']} → {r['to']}).proposed: {r['proposed']} {problem}"
                )
                continue
        created_rows.append(i)
        # without it: as if sent now, or when it was answered if that is given
        sent = times.get("sent", times.get("answered", now))
        sent_at.append(sent)
        to_create.append(
            MeetingRequest(
                event=event,
                sender=sender,
                recipient=recipient,
                status=r["status"],
                priority=r.get("priority", 3),
                session=r.get("session", "any"),
                message=r.get("message", ""),
                answer_reason=r.get("reason", ""),
                responded_at=times.get("answered"),
                expires_at=(
                    times.get("expires", event.request_expires_at(sent))
                    if r["status"] == "pending"
                    else None
                ),
                proposed_slot=proposed,
            )
        )
    # withdrawn requests of each pair, in the file's order: a cancelled meeting goes with one
    withdrawn: dict[tuple[int, int], list[MeetingRequest]] = defaultdict(list)
    by_row: dict[int, MeetingRequest] = {}  # the file's request index -> its row
    if kept is not None:
        kept.request_ids_assign(to_create, sent_at)
    created = MeetingRequest.objects.bulk_create(to_create)
    for req, sent in zip(created, sent_at, strict=True):
        req.created_at = sent  # the insert stamped it now (auto_now_add)
    MeetingRequest.objects.bulk_update(created, ["created_at"], batch_size=1000)
    for row, req in zip(created_rows, created, strict=True):
        by_row[row] = req
        if req.status in MeetingRequest.OPEN_STATUSES:
            requests[frozenset((req.sender_id, req.recipient_id))] = req
        elif req.status == MeetingRequest.Status.CANCELLED:
            withdrawn[(req.sender_id, req.recipient_id)].append(req)

    organiser = Actor(system=True)
    for i, m in enumerate(data.get("meetings", [])):
        if i in checked.skip_meetings or m["from"] not in people or m["to"] not in people:
            continue
        if any(x["ref"] not in people for x in m.get("attendees", [])):
            continue
        where = f"meetings[{i}] ({m['from']} ↔ {m['to']})"
        a, b = people[m["from"]], people[m["to"]]
        slot = slots[parse_local_datetime(m["start"], tz)]
        table = tables.get(m["table"]) if m.get("table") else None
        req = requests.get(frozenset((a.pk, b.pk)))
        if "request" in m:  # the export says which request it belongs to
            req = by_row.get(int(m["request"]))
            if req is None:
                continue  # the rules refused that request: reported already
        if m.get("status") == "cancelled":
            if "request" not in m and (req is None or req.status != "accepted"):
                # withdrawn with its meeting: the pair's next withdrawn request of the file
                req = (withdrawn.get((a.pk, b.pk)) or [None]).pop(0)
            problem = _cancelled_meeting_create(
                event=event, a=a, b=b, request=req, slot=slot, table=table, row=m
            )
            if problem:
                errors.append(f"{where}: {problem}")
            continue
        if req is None:
            reason = _pair_refused(a, b)
            if reason:
                errors.append(f"{where}: {reason}")
                continue
            req = MeetingRequest.objects.create(
                pk=kept.request_id(a, b) if kept else None,
                event=event,
                sender=a,
                recipient=b,
                status=MeetingRequest.Status.ACCEPTED,
            )
            requests[frozenset((a.pk, b.pk))] = req
        elif req.status != MeetingRequest.Status.ACCEPTED:
            errors.append(f"{where}: the request between them is {req.status}, not accepted")
            continue
        try:
            meeting = meeting_book_locked(
                request=req,
                slot=slot,
                actor=organiser,
                table=table,
                attendees=[people[x["ref"]] for x in m.get("attendees", [])],
                source="import",
                fixed=m.get("fixed", False),
            )
        except DomainError as exc:
            errors.append(f"{where}: {exc.message}")
            continue
        # restored after booking, which tells only other sources' people about it
        meeting.status = m.get("status", Meeting.Status.SCHEDULED)
        meeting.source = m.get("source", Meeting.Source.IMPORT)
        meeting.absent = m.get("absent", "")
        meeting.save(update_fields=["status", "source", "absent"])
        errors += _feedback_write(meeting, m, where, people, tz, now)
    # who no longer comes is marked once their record is written (the booking of a meeting of
    # theirs that already took place would refuse them)
    gone = [p["ref"] for _, p in rows if p.get("attending") is False]
    event.participants.filter(ref__in=gone).update(withdrawn_at=timezone.now())
    return event, errors


def _feedback_write(
    meeting: Meeting, m: dict, where: str, people: dict, tz, now: datetime
) -> list[str]:
    """Write what the file says the people in ``meeting`` said of it (validated already but
    for who sits in it: its two parties and the colleagues who attend it); returns the
    refusals. ``given`` sets when it was given and last changed (default: now)."""
    rows = m.get("feedback", [])
    if not rows:
        return []
    seated = set(
        MeetingSeat.objects.filter(meeting=meeting, left=False).values_list(
            "participant_id", flat=True
        )
    )
    errors, written = [], []
    for k, f in enumerate(rows):
        person = people[f["ref"]]
        if person.pk not in seated:
            errors.append(
                f"{where}.feedback[{k}].ref: {f['ref']} is not in this meeting; its two parties "
                "and the colleagues who attend it give feedback"
            )
            continue
        rating, outcome, comment = feedback_values(
            took_place=f["took_place"],
            rating=f.get("rating"),
            outcome=f.get("outcome", ""),
            comment=f.get("comment", ""),
        )
        row = MeetingFeedback(
            meeting=meeting,
            participant=person,
            took_place=f["took_place"],
            rating=rating,
            outcome=outcome,
            comment=comment,
        )
        written.append((row, parse_local_datetime(f["given"], tz) if "given" in f else now))
    if errors:
        return errors
    rows_made = MeetingFeedback.objects.bulk_create([row for row, _ in written])
    for row, (_, given) in zip(rows_made, written, strict=True):  # the insert stamped now
        row.created_at = row.updated_at = given
    MeetingFeedback.objects.bulk_update(rows_made, ["created_at", "updated_at"])
    return []


def _pair_refused(a: Participant, b: Participant) -> str | None:
    """Why the file may not record a request or meeting between ``a`` and ``b``: the rules of
    who may meet whom, except the exhibitors' opt-in, which governs the requests participants
    send (an exhibitor who opted out later keeps what they had: an export must import again)."""
    refusal = meeting_refusal(a, b)
    if refusal is None or refusal[0] == "exhibitors_not_opted_in":
        return None
    return refusal[1]


def _cancelled_meeting_create(
    *,
    event: Event,
    a: Participant,
    b: Participant,
    request: MeetingRequest | None,
    slot,
    table: Table | None,
    row: dict,
    identity: tuple[uuid.UUID, int] | None = None,
) -> str | None:
    """Recreate an exported cancelled meeting as it was: cancelled, its two parties' seats
    inactive (it keeps its slot and table for the record but occupies neither), attached to
    ``request``: the pair's accepted request or, when the request was withdrawn with the
    meeting, one of the pair's withdrawn requests of the file; without one (an older export
    listed no withdrawn requests), to a new withdrawn request.
    Who cancelled it and why come from ``cancelled_by`` and ``cancel_reason``; without them it
    counts as the organisers' decision, so the scheduler does not plan it again by itself.
    ``identity``: the iCalendar UID and SEQUENCE to give it (a replaced event's meeting).
    Returns why the pair may not meet, or None."""
    reason = _pair_refused(a, b)
    if reason:
        return reason
    if request is None:
        request = MeetingRequest.objects.create(
            event=event,
            sender=a,
            recipient=b,
            status=MeetingRequest.Status.CANCELLED,
        )
        # sent and withdrawn at one moment: the insert stamps created_at itself, and an
        # answer a few microseconds before it would not import again (the review)
        MeetingRequest.objects.filter(pk=request.pk).update(responded_at=request.created_at)
    meeting = Meeting.objects.create(
        event=event,
        request=request,
        slot=slot,
        table=table,
        status=Meeting.Status.CANCELLED,
        source=row.get("source", Meeting.Source.IMPORT),
        fixed=row.get("fixed", False),
        cancelled_by=row.get("cancelled_by", Meeting.CancelledBy.ORGANISER),
        cancel_reason=row.get("cancel_reason", ""),
        **({"uid": identity[0], "sequence": identity[1]} if identity else {"sequence": 1}),
    )
    MeetingSeat.objects.bulk_create(
        MeetingSeat(meeting=meeting, participant=p, slot=slot, is_party=True, active=False)
        for p in (a, b)
    )
    return None
