"""Arrivals: the entrance desk marks a participant as arrived at the fair, once per fair day.

Check-in exists per meeting; at the entrance the organisers want to know who is in the building
today, so that they can phone whoever is expected at a table and has not arrived, or free the
table. A mark per fair day, not one for the whole fair: a several-day fair's visitors come on
one day or on some days, and a once-for-all mark would say nothing about day two. Organisers
mark anyone who still comes; a participant may say "I'm here" for themselves (the same mark,
``by`` blank). Undoing it (a wrong name clicked at the desk) deletes today's mark.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from matchmaking.exceptions import Conflict, Forbidden
from matchmaking.models import Arrival, Participant, Slot
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.meetings import Actor


def fair_day(*, participant: Participant, now: datetime | None = None) -> date:
    """Today in the event's time zone, when it is one of the fair's days (it has slots); else
    ``Conflict`` (``not_a_fair_day``): an arrival is marked on the day it happens."""
    event = participant.event
    today = timezone.localtime(now or timezone.now(), event.tz).date()
    if not Slot.objects.filter(event=event, date=today).exists():
        raise Conflict(
            f"{today:%Y-%m-%d} is not one of the fair's days: arrivals are marked on the day.",
            code="not_a_fair_day",
        )
    return today


def _check_actor(participant: Participant, actor: Actor) -> None:
    if actor.is_organiser:
        return
    if actor.participant is None or actor.participant.pk != participant.pk:
        raise Forbidden("Only organisers mark someone else's arrival.")


def arrival_mark(
    *, participant: Participant, actor: Actor, now: datetime | None = None
) -> tuple[Arrival, bool]:
    """``participant`` arrived today (a fair day, event time). Organisers mark anyone; a
    participant only themselves. Marking again the same day keeps the first mark (who and
    when), so a double click or a retry does no harm: answers ``(arrival, created)``.

    Side effects: one ``Arrival`` row (``by``: the organiser's user, blank for the participant
    themselves), under the participant's lock. Raises ``Forbidden`` for someone else's arrival,
    ``Conflict`` ``not_a_fair_day`` outside the fair's days, ``participant_withdrawn`` for
    someone who said they no longer come (they come after all: say so first).
    """
    _check_actor(participant, actor)
    today = fair_day(participant=participant, now=now)
    with guarded_transaction():
        lock_participants_and_slots([participant.pk], [])
        person = Participant.objects.get(pk=participant.pk)
        if person.withdrawn_at is not None:
            raise Conflict(
                f"{person.name} said they no longer come; record that they come after all first.",
                code="participant_withdrawn",
            )
        found = Arrival.objects.filter(participant=person, date=today).first()
        if found is not None:
            return found, False
        by = actor.user if actor.is_organiser and getattr(actor.user, "pk", None) else None
        arrival = Arrival.objects.create(
            event_id=person.event_id, participant=person, date=today, by=by
        )
    return arrival, True


def arrival_undo(*, participant: Participant, actor: Actor, now: datetime | None = None) -> None:
    """Take back today's arrival of ``participant`` (a wrong name clicked at the desk).
    Organisers only: a participant who said "I'm here" by mistake asks the desk.

    Side effects: deletes today's ``Arrival`` row. Raises ``Forbidden`` for a participant,
    ``Conflict`` ``not_arrived`` when there is none today, ``not_a_fair_day`` outside the
    fair's days.
    """
    if not actor.is_organiser:
        raise Forbidden("Only organisers take back an arrival.")
    today = fair_day(participant=participant, now=now)
    with guarded_transaction():
        lock_participants_and_slots([participant.pk], [])
        deleted, _ = Arrival.objects.filter(participant=participant, date=today).delete()
        if not deleted:
            raise Conflict(
                f"{participant.name} is not marked as arrived today.", code="not_arrived"
            )
