"""Import an event from the public JSON format (docs/import-format.md), all or nothing.

Validation happens in two passes before anything is written: the JSON Schema (shapes and types),
then the rules a schema cannot express (unique refs and emails, known country codes, references
that exist, sessions that do not overlap, breaks inside sessions, meetings on real slots and their
attendees). Every error names the row (index and ref) and field. The writes then run in one
transaction and apply the API's own rules (availability periods that hold a meeting slot, who may
meet whom, guarded bookings): any refusal rolls the whole import back.
"""

import json
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from matchmaking.countries import COUNTRY_CODES
from matchmaking.exceptions import DomainError, InvalidInput
from matchmaking.languages import LANGUAGE_CODES
from matchmaking.models import (
    Availability,
    Event,
    Meeting,
    MeetingRequest,
    Organisation,
    Participant,
    Profile,
    Session,
    Table,
)
from matchmaking.services.availability import merge_periods, period_without_slot
from matchmaking.services.events import slots_generate
from matchmaking.services.meetings import Actor, meeting_book_locked
from matchmaking.services.requests import meeting_allowed
from ml.taxonomy import SECTOR_IDS

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "import_format.schema.json"
MAX_ERRORS = 50


class ImportInvalid(InvalidInput):
    """The file was refused; ``errors`` lists every problem found (row and field named)."""

    def __init__(self, errors: list[str]):
        self.errors = errors[:MAX_ERRORS]
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        super().__init__(
            f"The import file has {len(errors)} problem(s){more}; nothing was imported. "
            f"First: {errors[0]}"
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


def schema_errors(data: Any) -> list[str]:
    validator = Draft202012Validator(import_schema(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_where(data, list(e.absolute_path))}: {e.message}" for e in errors]


def parse_local_datetime(value: str, tz: zoneinfo.ZoneInfo) -> datetime:
    """An ISO 8601 date-time; without an offset it is local time in ``tz``."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _optional_dt(value: str | None, tz: zoneinfo.ZoneInfo) -> datetime | None:
    return parse_local_datetime(value, tz) if value else None


@dataclass
class _Checked:
    """What the second validation pass derived, ready to write."""

    tz: zoneinfo.ZoneInfo
    table_names: list[str]
    booths: set[str]


def rule_errors(data: dict) -> tuple[list[str], _Checked | None]:
    """Checks a JSON Schema cannot express. Assumes ``data`` passed the schema."""
    errors: list[str] = []
    ev = data["event"]
    try:
        tz = zoneinfo.ZoneInfo(ev["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [f'event.timezone: unknown time zone "{ev["timezone"]}"'], None

    seen_days: set[str] = set()
    for d, day in enumerate(ev["days"]):
        where = f"event.days[{d}] ({day['date']})"
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
        for i, brk in enumerate(day.get("breaks", [])):
            start, end = time.fromisoformat(brk["start"]), time.fromisoformat(brk["end"])
            if end <= start:
                errors.append(f"{where}.breaks[{i}]: ends before it starts")
            elif not any(s_start <= start and end <= s_end for s_start, s_end, _ in spans):
                errors.append(
                    f"{where}.breaks[{i}]: {start:%H:%M}-{end:%H:%M} is not inside a session; "
                    "a break must lie within one of the day's sessions"
                )
    opens, closes = ev.get("booking_opens"), ev.get("booking_closes")
    if opens and closes and parse_local_datetime(closes, tz) <= parse_local_datetime(opens, tz):
        errors.append("event.booking_closes: must be after booking_opens")

    tables = ev["tables"]
    table_names = (
        [f"T{i:02d}" for i in range(1, tables + 1)]
        if isinstance(tables, int)
        else [t["name"] for t in tables]
    )
    if len(set(table_names)) != len(table_names):
        errors.append("event.tables: table names must be unique")

    refs: dict[str, int] = {}
    emails: dict[str, int] = {}
    booths: set[str] = set()
    sectors = set(SECTOR_IDS)
    for i, p in enumerate(data["participants"]):
        where = f'participants[{i}] (ref "{p["ref"]}")'
        if p["ref"] in refs:
            errors.append(f"{where}.ref: already used by participants[{refs[p['ref']]}]")
        refs.setdefault(p["ref"], i)
        email = p["email"].strip().lower()
        if email in emails:
            errors.append(
                f"{where}.email: {p['email']} is already used by participants[{emails[email]}]"
            )
        emails.setdefault(email, i)
        unknown_languages = [x for x in p.get("languages", []) if x not in LANGUAGE_CODES]
        if unknown_languages:
            errors.append(
                f"{where}.languages: {', '.join(unknown_languages)} not ISO 639-1 language codes"
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
        for a, span in enumerate(p.get("availability", [])):
            try:
                start, end = (
                    parse_local_datetime(span["start"], tz),
                    parse_local_datetime(span["end"], tz),
                )
            except ValueError as exc:
                errors.append(f"{where}.availability[{a}]: {exc}")
                continue
            if end <= start:
                errors.append(f"{where}.availability[{a}]: ends before it starts")
        if p.get("fixed_table") and p["fixed_table"] not in table_names:
            booths.add(p["fixed_table"])

    pairs: dict[frozenset, int] = {}
    for i, r in enumerate(data.get("requests", [])):
        where = f"requests[{i}] ({r['from']} → {r['to']})"
        for side in ("from", "to"):
            if r[side] not in refs:
                errors.append(f'{where}.{side}: no participant has ref "{r[side]}"')
        if r["from"] == r["to"]:
            errors.append(f"{where}: a participant cannot request a meeting with themselves")
        pair = frozenset((r["from"], r["to"]))
        if r["status"] in ("pending", "accepted"):
            if pair in pairs:
                errors.append(f"{where}: duplicates the open request requests[{pairs[pair]}]")
            pairs.setdefault(pair, i)

    for i, m in enumerate(data.get("meetings", [])):
        where = f"meetings[{i}] ({m['from']} ↔ {m['to']})"
        for side in ("from", "to"):
            if m[side] not in refs:
                errors.append(f'{where}.{side}: no participant has ref "{m[side]}"')
        try:
            parse_local_datetime(m["start"], tz)
        except ValueError as exc:
            errors.append(f"{where}.start: {exc}")
        if m.get("table") and m["table"] not in table_names and m["table"] not in booths:
            errors.append(f'{where}.table: no table is named "{m["table"]}"')
        listed: set[str] = set()
        for a, attendee in enumerate(m.get("attendees", [])):
            ref = attendee["ref"]
            if ref not in refs:
                errors.append(f'{where}.attendees[{a}]: no participant has ref "{ref}"')
            elif ref in (m["from"], m["to"]):
                errors.append(f"{where}.attendees[{a}]: {ref} is a party of the meeting")
            elif ref in listed:
                errors.append(f"{where}.attendees[{a}]: {ref} is listed twice")
            listed.add(ref)
    return errors, _Checked(tz=tz, table_names=table_names, booths=booths)


def validate_import(data: Any) -> _Checked:
    """Raise ImportInvalid listing every problem, or return what the writer needs."""
    if not isinstance(data, dict):
        raise ImportInvalid(
            ["(top level): the file must be a JSON object with event and participants"]
        )
    errors = schema_errors(data)
    if errors:
        raise ImportInvalid(errors)
    errors, checked = rule_errors(data)
    if errors or checked is None:
        raise ImportInvalid(errors)
    return checked


def event_import(*, data: Any, replace: bool = False) -> Event:
    """Create an event with its participants, requests and meetings from one import document.

    Side effects: inserts everything in one transaction (pending requests expire
    ``request_expiry_hours`` after the import, as if sent then); with ``replace`` an existing event
    of the same slug is deleted first (in the same transaction). Raises ImportInvalid (nothing
    written).
    """
    checked = validate_import(data)
    ev = data["event"]
    with transaction.atomic():
        existing = Event.objects.filter(slug=ev["slug"]).first()
        if existing is not None:
            if not replace:
                raise ImportInvalid(
                    [
                        f'event.slug: an event "{ev["slug"]}" already exists '
                        "(use replace to overwrite)"
                    ]
                )
            event_delete(event=existing)
        event = _write(data, checked)
    return event


def event_delete(*, event: Event) -> None:
    """Delete an event and everything in it. Meetings first: slots and tables protect them."""
    Meeting.objects.filter(event=event).delete()
    MeetingRequest.objects.filter(event=event).delete()
    Participant.objects.filter(event=event).delete()
    event.delete()


def _write(data: dict, checked: _Checked) -> Event:
    ev = data["event"]
    tz = checked.tz
    event = Event.objects.create(
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
    slots_generate(event=event)
    slots = {s.start: s for s in event.slots.all()}

    Table.objects.bulk_create(
        [Table(event=event, name=n, shared=True) for n in checked.table_names]
        + [Table(event=event, name=n, shared=False) for n in sorted(checked.booths)]
    )
    tables = {t.name: t for t in event.tables.all()}

    org_names = sorted({p["organisation"] for p in data["participants"]})
    Organisation.objects.bulk_create([Organisation(event=event, name=n) for n in org_names])
    orgs = {o.name: o for o in event.organisations.all()}

    users = {
        u.email.lower(): u
        for u in get_user_model().objects.filter(
            email__in=[p["email"] for p in data["participants"]]
        )
    }
    rows = data["participants"]
    Participant.objects.bulk_create(
        Participant(
            event=event,
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
        for p in rows
    )
    people = {p.ref: p for p in event.participants.select_related("organisation", "fixed_table")}
    profiles = [
        Profile(
            participant=people[p["ref"]],
            description=p.get("description", ""),
            offers=p["offers"],
            needs=p["needs"],
            sectors=p["sectors"],
        )
        for p in rows
    ]
    for profile in profiles:
        profile.refresh_search_text()
    Profile.objects.bulk_create(profiles)

    # availability as the API takes it: periods that overlap or touch are joined, and each must
    # hold a whole meeting slot
    errors: list[str] = []
    slot_list = sorted(slots.values(), key=lambda s: s.start)
    periods = []
    for i, p in enumerate(rows):
        spans = [
            (parse_local_datetime(a["start"], tz), parse_local_datetime(a["end"], tz))
            for a in p.get("availability", [])
        ]
        for start, end in merge_periods(spans):
            problem = period_without_slot(start, end, slots=slot_list, tz=tz)
            if problem:
                entries = ", ".join(
                    f"availability[{a}]"
                    for a, (s, e) in enumerate(spans)
                    if start <= s and e <= end
                )
                errors.append(f'participants[{i}] (ref "{p["ref"]}").{entries}: {problem}')
            periods.append(Availability(participant=people[p["ref"]], start=start, end=end))
    Availability.objects.bulk_create(periods)

    # requests: the API's rules of who may meet whom; pending ones expire as if sent now
    now = timezone.now()
    requests: dict[frozenset, MeetingRequest] = {}
    to_create = []
    for i, r in enumerate(data.get("requests", [])):
        sender, recipient = people[r["from"]], people[r["to"]]
        reason = meeting_allowed(sender, recipient)
        if reason:
            errors.append(f"requests[{i}] ({r['from']} → {r['to']}): {reason}")
            continue
        to_create.append(
            MeetingRequest(
                event=event,
                sender=sender,
                recipient=recipient,
                status=r["status"],
                priority=r.get("priority", 3),
                session=r.get("session", "any"),
                message=r.get("message", ""),
                expires_at=event.request_expires_at(now) if r["status"] == "pending" else None,
            )
        )
    if errors:
        raise ImportInvalid(errors)
    for req in MeetingRequest.objects.bulk_create(to_create):
        if req.status in MeetingRequest.OPEN_STATUSES:
            requests[frozenset((req.sender_id, req.recipient_id))] = req

    organiser = Actor(system=True)
    for i, m in enumerate(data.get("meetings", [])):
        where = f"meetings[{i}] ({m['from']} ↔ {m['to']})"
        if m.get("status") == "cancelled":
            continue  # an export carries cancelled meetings for the record; they book nothing
        a, b = people[m["from"]], people[m["to"]]
        start = parse_local_datetime(m["start"], tz)
        slot = slots.get(start)
        if slot is None:
            errors.append(f"{where}.start: {m['start']} is not the start of a slot of this event")
            continue
        req = requests.get(frozenset((a.pk, b.pk)))
        if req is None:
            reason = meeting_allowed(a, b)
            if reason:
                errors.append(f"{where}: {reason}")
                continue
            req = MeetingRequest.objects.create(
                event=event, sender=a, recipient=b, status=MeetingRequest.Status.ACCEPTED
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
                table=tables.get(m["table"]) if m.get("table") else None,
                attendees=[people[x["ref"]] for x in m.get("attendees", [])],
                source="import",
                fixed=m.get("fixed", False),
            )
        except DomainError as exc:
            errors.append(f"{where}: {exc.message}")
            continue
        if m.get("status", "scheduled") != "scheduled":
            meeting.status = m["status"]
            meeting.save(update_fields=["status"])
    if errors:
        raise ImportInvalid(errors)
    return event
