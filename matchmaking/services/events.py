"""Event set-up: sessions, breaks and the slots generated from them."""

import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Min

from matchmaking import selectors
from matchmaking.exceptions import Conflict, InvalidInput
from matchmaking.models import Event, Session, Slot
from matchmaking.timegrid import session_slots

# A slot starting before this local time is "morning", otherwise "afternoon".
AFTERNOON_FROM = time(13, 0)


def clock_changes(*, day: date, start: time, end: time, tz: zoneinfo.ZoneInfo) -> bool:
    """Whether the clocks change (daylight saving) in ``tz`` during ``start``-``end`` on ``day``:
    a local time in it that does not exist (spring) or exists twice (autumn) cannot be cut into
    slots of the right length. A span may end when the change begins (00:00-02:00 and 03:00-05:00
    split a day whose clocks jump at 02:00). Times are whole minutes."""
    first = datetime.combine(day, start)
    last = datetime.combine(day, end) - timedelta(minutes=1)
    offsets = {
        moment.replace(tzinfo=tz, fold=fold).utcoffset()
        for moment in (first, last)
        for fold in (0, 1)
    }
    return len(offsets) > 1


def clock_change_problem(
    *, day: date, start: time, end: time, tz: zoneinfo.ZoneInfo, what: str = "session"
) -> str | None:
    """The sentence that refuses a session (or break) during which the clocks change; None when
    they do not."""
    if not clock_changes(day=day, start=start, end=end, tz=tz):
        return None
    return (
        f"the clocks change during {start:%H:%M}-{end:%H:%M} in {tz.key}; "
        f"split the {what} around the change"
    )


def slots_generate(*, event: Event, ids: Mapping[datetime, int] | None = None) -> list[Slot]:
    """(Re)create the slots of an event that has no meetings yet, from its sessions and breaks.
    ``ids``: start -> the id a slot starting then takes (a replacing import keeps them).

    Side effects: deletes the event's existing slots and inserts new ones. Raises InvalidInput
    (nothing changed) when meetings are booked or the clocks change during a session or break.
    """
    if event.meetings.exists():
        raise InvalidInput("Slots cannot be regenerated once meetings are booked.")
    tz = event.tz
    sessions = list(event.sessions.all())
    for s in sessions:
        problem = clock_change_problem(
            day=s.date, start=s.start, end=s.end, tz=tz, what="break" if s.is_break else "session"
        )
        if problem:
            raise InvalidInput(f"{s.date}: {problem}.")
    breaks_by_day: dict[date, list[tuple[time, time]]] = {}
    for s in sessions:
        if s.is_break:
            breaks_by_day.setdefault(s.date, []).append((s.start, s.end))
    new = []
    for s in sessions:
        if s.is_break:
            continue
        for start, end in session_slots(
            day=s.date,
            start=s.start,
            end=s.end,
            minutes=event.slot_minutes,
            breaks=breaks_by_day.get(s.date, []),
        ):
            at = datetime.combine(s.date, start, tzinfo=tz)
            new.append(
                Slot(
                    pk=ids.get(at) if ids else None,
                    event=event,
                    start=at,
                    end=datetime.combine(s.date, end, tzinfo=tz),
                    date=s.date,
                    part=Slot.MORNING if start < AFTERNOON_FROM else Slot.AFTERNOON,
                    session_name=s.name,
                )
            )
    event.slots.all().delete()
    Slot.objects.bulk_create(new)
    return list(event.slots.all())


def session_create(
    *, event: Event, day: date, start: time, end: time, name: str = "", is_break: bool = False
) -> Session:
    if end <= start:
        raise InvalidInput(f"{day}: a session must end after it starts ({start}-{end}).")
    return Session.objects.create(
        event=event, date=day, start=start, end=end, name=name, is_break=is_break
    )


UNCHANGED = object()  # ``event_settings_update``: leave this setting as it is
EXPIRY_HOURS = (1, 8760)  # as the import format: an hour to a year
# How far from the event's days its other date-times (booking window, availability) may lie,
# in the import as in the settings.
AROUND_DAYS = timedelta(days=366)


def event_settings_update(
    *,
    event: Event,
    name=UNCHANGED,
    booking_opens=UNCHANGED,
    booking_closes=UNCHANGED,
    request_expiry_hours=UNCHANGED,
) -> Event:
    """The organisers change the event's name, its booking window (aware datetimes, or None for
    "no limit") or how long a request waits for an answer. Requests already sent keep their
    expiry. All or nothing: an invalid value changes nothing (InvalidInput naming the field).

    Side effects: saves the given fields of ``event``."""
    changed = {}
    if name is not UNCHANGED:
        name = " ".join(str(name).split())
        if not name or len(name) > 200:
            raise InvalidInput("The event's name must be 1 to 200 characters.", field="name")
        changed["name"] = name
    days = event.slots.aggregate(first=Min("date"), last=Max("date"))
    for field, value in (("booking_opens", booking_opens), ("booking_closes", booking_closes)):
        if value is UNCHANGED:
            continue
        if value is not None:
            if value.tzinfo is None:
                raise InvalidInput(f"{field} needs a time zone offset.", field=field)
            local = value.astimezone(event.tz).date()
            first, last = days["first"], days["last"]
            if first and not first - AROUND_DAYS <= local <= last + AROUND_DAYS:
                raise InvalidInput(
                    f"{field} must be within a year of the event's days "
                    f"({first:%Y-%m-%d} to {last:%Y-%m-%d}).",
                    field=field,
                    code="booking_window_far",
                )
        changed[field] = value
    opens = changed.get("booking_opens", event.booking_opens)
    closes = changed.get("booking_closes", event.booking_closes)
    if opens and closes and closes <= opens:
        raise InvalidInput(
            "Booking must close after it opens.",
            field="booking_closes" if "booking_closes" in changed else "booking_opens",
            code="booking_closes_before_opens",
        )
    if request_expiry_hours is not UNCHANGED:
        low, high = EXPIRY_HOURS
        if (
            isinstance(request_expiry_hours, bool)
            or not isinstance(request_expiry_hours, int)
            or not low <= request_expiry_hours <= high
        ):
            raise InvalidInput(
                f"request_expiry_hours must be a whole number of hours from {low} to {high}.",
                field="request_expiry_hours",
            )
        changed["request_expiry_hours"] = request_expiry_hours
    for field, value in changed.items():
        setattr(event, field, value)
    if changed:
        event.save(update_fields=list(changed))
    return event


SETTINGS = ("name", "booking_opens", "booking_closes", "request_expiry_hours")


def _same_setting(a, b) -> bool:
    """Two values of one setting read alike; times to the minute, as the settings page shows
    them (Close booking now writes seconds)."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)
    return a == b


def event_settings_update_seen(*, event: Event, values: Mapping, seen: Mapping) -> Event:
    """``event_settings_update`` from a page that showed the settings as ``seen`` (the
    ``SETTINGS`` as the page had them) and sends them back as ``values``: only the settings
    changed on the page are written, so a page loaded before a colleague pressed Close booking
    now does not reopen booking by sending its old closing time back with a new name. A setting
    changed on the page and, since it was loaded, by someone else too is a Conflict
    (``settings_changed``): nothing is written. Checked under the event's row lock.

    Side effects: saves the settings the page changed."""
    with transaction.atomic():
        current = Event.objects.select_for_update().get(pk=event.pk)
        mine = {f for f in SETTINGS if not _same_setting(values[f], seen[f])}
        theirs = {f for f in SETTINGS if not _same_setting(seen[f], getattr(current, f))}
        if mine & theirs:
            raise Conflict(
                "The settings were changed since this page was loaded: "
                f"{', '.join(sorted(mine & theirs))}. Nothing was saved.",
                code="settings_changed",
            )
        event_settings_update(event=current, **{f: values[f] for f in SETTINGS if f in mine})
    for field in SETTINGS:
        setattr(event, field, getattr(current, field))
    return event


def booking_set_open(*, event: Event, open_now: bool, now: datetime) -> Event:
    """Close booking now, or open it now: its opening time goes, and a closing time already
    past goes too (one still to come stays). Through ``event_settings_update``."""
    if not open_now:
        return event_settings_update(event=event, booking_closes=now)
    change = {"booking_opens": None}
    if event.booking_closes and event.booking_closes <= now:
        change["booking_closes"] = None
    return event_settings_update(event=event, **change)


def event_organiser_add(*, event: Event, user) -> None:
    """Put an organiser (staff) account on the event's team. Side effects: one team row (none
    when it is on the team already)."""
    if not selectors.is_organiser_account(user):
        raise InvalidInput(
            f"{user.get_username()} is not an organiser account: only staff accounts can join "
            "an event's organiser team.",
            field="organiser",
        )
    event.organisers.add(user)


def event_organiser_remove(*, event: Event, user) -> None:
    """Take an account off the event's team; the team's last member who can still organise
    stays (superusers organise every event, but a fair should not depend on them); an account
    that no longer can may always go. Side effects: deletes one team row."""
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one removal at a time
        if not event.organisers.filter(pk=user.pk).exists():
            return
        if selectors.last_organiser(event=event, user=user):
            raise Conflict(
                f"{user.get_username()} is the last organiser of this event: add another "
                "organiser before removing them.",
                code="last_organiser",
            )
        event.organisers.remove(user)
