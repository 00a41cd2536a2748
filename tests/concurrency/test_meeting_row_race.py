"""Real threads against PostgreSQL: a check-in committed while a participant cancels or moves
the same meeting is read, not overwritten (the meeting row is locked after the people's rows).

Each test holds the check-in's transaction open for a second after it wrote, then starts the
other change: without the row lock the other change read the meeting as still scheduled and
overwrote the check-in.
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from matchmaking.exceptions import Conflict
from matchmaking.models import Meeting, Slot
from matchmaking.services import meetings as ms
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _booked_soon():
    """A meeting between Amina and Bruno that starts in ten minutes (check-in is open)."""
    event = EventFactory(tables=5, days=[timezone.localdate() + dt.timedelta(days=30)])
    amina = ParticipantFactory(event=event, name="Amina")
    bruno = ParticipantFactory(event=event, name="Bruno")
    slots = list(event.slots.order_by("start"))
    soon = timezone.now() + dt.timedelta(minutes=10)
    Slot.objects.filter(pk=slots[0].pk).update(start=soon, end=soon + dt.timedelta(minutes=20))
    ms.meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno),
        slot=Slot.objects.get(pk=slots[0].pk),
        actor=ms.Actor(system=True),
    )
    return amina, bruno, slots


def _check_in_then(monkeypatch, amina, other_change):
    """Amina checks in; while her transaction is still open, ``other_change`` runs."""
    logged, out = threading.Event(), {}
    real_log = ms._log

    def slow_log(meeting, actor, action, **detail):
        real_log(meeting, actor, action, **detail)
        if action == "status":
            logged.set()
            time.sleep(1.0)  # still inside the check-in's transaction

    monkeypatch.setattr(ms, "_log", slow_log)

    def check_in():
        try:
            out["check_in"] = ms.meeting_set_status(
                meeting=Meeting.objects.get(),
                status="checked_in",
                actor=ms.Actor(participant=amina),
            ).status
        finally:
            connection.close()

    def other():
        try:
            logged.wait(5)
            out["other"] = other_change()
        except Conflict as exc:
            out["other"] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def test_a_cancel_waits_for_a_check_in_and_is_refused(monkeypatch):
    amina, bruno, _slots = _booked_soon()
    out = _check_in_then(
        monkeypatch,
        amina,
        lambda: ms.meeting_cancel(meeting=Meeting.objects.get(), by=bruno).status,
    )
    assert out == {"check_in": "checked_in", "other": "meeting_not_cancellable"}
    assert Meeting.objects.get().status == Meeting.Status.CHECKED_IN


def test_a_move_waits_for_a_check_in_and_is_refused(monkeypatch):
    amina, bruno, slots = _booked_soon()
    out = _check_in_then(
        monkeypatch,
        amina,
        lambda: (
            ms.meeting_reschedule(
                meeting=Meeting.objects.get(), slot=slots[3], actor=ms.Actor(participant=bruno)
            ).slot_id
        ),
    )
    assert out == {"check_in": "checked_in", "other": "meeting_not_movable"}
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.slot_id) == (Meeting.Status.CHECKED_IN, slots[0].pk)
