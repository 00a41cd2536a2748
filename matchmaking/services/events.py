"""Event set-up: sessions, breaks and the slots generated from them."""

from datetime import date, datetime, time

from matchmaking.exceptions import InvalidInput
from matchmaking.models import Event, Session, Slot
from matchmaking.timegrid import session_slots

# A slot starting before this local time is "morning", otherwise "afternoon".
AFTERNOON_FROM = time(13, 0)


def slots_generate(*, event: Event) -> list[Slot]:
    """(Re)create the slots of an event that has no meetings yet, from its sessions and breaks.

    Side effects: deletes the event's existing slots and inserts new ones.
    """
    if event.meetings.exists():
        raise InvalidInput("Slots cannot be regenerated once meetings are booked.")
    tz = event.tz
    sessions = list(event.sessions.all())
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
            new.append(
                Slot(
                    event=event,
                    start=datetime.combine(s.date, start, tzinfo=tz),
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
