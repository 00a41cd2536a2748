"""Real threads against PostgreSQL: the sender withdraws their request while the recipient
accepts it with its proposed time (which books the meeting).

The acceptance holds its transaction open a second after it booked; the withdrawal starts then,
on its own connection: it reads no meeting (not committed yet), waits for the two people's
locks, and once the acceptance commits finds the meeting and cancels it with the request.
Before, the sender's last email said "meeting booked", with no cancellation after it: they were
the one who cancelled, so the cancellation was not sent to them, although they never knew of
that meeting. (This was a single-threaded test that booked from inside a patched lock call.)
"""

import threading
import time

import pytest
from django.db import connection

from matchmaking.models import Meeting, MeetingRequest, Notification
from matchmaking.services import meetings as ms
from matchmaking.services import requests as request_services
from tests.concurrency.test_booking_race import DAY
from tests.factories import EventFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_meeting_booked_while_the_request_is_withdrawn_is_told_cancelled_to_everyone(
    monkeypatch,
):
    event = EventFactory(tables=5, days=[DAY])
    amina = ParticipantFactory(event=event, name="Amina", languages=["en"])
    bruno = ParticipantFactory(event=event, name="Bruno", languages=["en"])
    slot = event.slots.order_by("start").first()
    req = request_services.request_create(sender=amina, recipient=bruno, slot=slot)
    booked, out = threading.Event(), {}
    real_log = ms._log

    def slow_log(meeting, actor, action, **detail):
        real_log(meeting, actor, action, **detail)
        if action == "booked":
            booked.set()
            time.sleep(1.0)  # still inside the acceptance's transaction

    monkeypatch.setattr(ms, "_log", slow_log)

    def accept():
        try:
            accepted = request_services.request_accept(
                request=MeetingRequest.objects.get(pk=req.pk), by=bruno
            )
            out["accept"] = (accepted.status, accepted.booked is not None)
        except Exception as exc:  # the answer a caller would get
            out["accept"] = repr(exc)
        finally:
            connection.close()

    def withdraw():
        try:
            assert booked.wait(10), "the acceptance never booked"
            # the meeting is written but not committed: this connection does not see it yet
            assert not Meeting.objects.filter(request_id=req.pk).exists()
            withdrawn = request_services.request_cancel(
                request=MeetingRequest.objects.get(pk=req.pk), by=amina, reason="Plans changed"
            )
            out["withdraw"] = withdrawn.status
        except Exception as exc:
            out["withdraw"] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept), threading.Thread(target=withdraw)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert out == {"accept": ("accepted", True), "withdraw": "cancelled"}
    meeting = Meeting.objects.get(request=req)
    assert meeting.status == Meeting.Status.CANCELLED
    told = list(
        Notification.objects.filter(meeting=meeting)
        .order_by("pk")
        .values_list("recipient__name", "kind")
    )
    assert told == [
        ("Amina", "meeting_booked"),
        ("Bruno", "meeting_cancelled"),
        ("Amina", "meeting_cancelled"),
    ]
    last = Notification.objects.filter(recipient=amina).latest("pk")
    assert last.kind == "meeting_cancelled"
    assert last.body.endswith("is cancelled. Reason: Plans changed")


def test_two_devices_saying_i_no_longer_come_at_once_both_get_200_and_cancel_once():
    """A PUT is idempotent: the phone and the laptop (or an app that retries) say "I no longer
    come" at the same instant. Both answer 200 with the same state; one cancelled the meetings
    and requests, the other nothing (it read the mark under the locks): nobody is told
    twice."""
    from collections import Counter

    from matchmaking.services.meetings import Actor, meeting_book
    from tests.concurrency.test_booking_race import run_threads
    from tests.conftest import client_for
    from tests.factories import RequestFactory

    event = EventFactory(tables=5, days=[DAY])
    amina = ParticipantFactory(event=event, name="Amina", languages=["en"])
    others = [ParticipantFactory(event=event, name=f"P{i}", languages=["en"]) for i in range(3)]
    slots = list(event.slots.order_by("start"))
    meetings = [
        meeting_book(
            request=RequestFactory(sender=amina, recipient=other, status="accepted"),
            slot=slots[i + 1],
            actor=Actor(system=True),
        )
        for i, other in enumerate(others[:2])
    ]
    RequestFactory(sender=others[2], recipient=amina, status="pending")
    Notification.objects.all().delete()  # the bookings'
    url = f"/api/events/{event.slug}/me/attendance/"

    def device():
        client = client_for(amina.user)
        response = client.put(url, {"attending": False}, format="json")
        return response.status_code, response.data

    raced = run_threads([device, device])
    assert [code for code, _ in raced] == [200, 200], raced
    did = sorted((data for _, data in raced), key=lambda d: len(d["cancelled_meetings"]))
    assert (did[0]["cancelled_meetings"], did[0]["withdrawn_requests"]) == ([], [])
    assert sorted(did[1]["cancelled_meetings"]) == sorted(m.pk for m in meetings)
    assert len(did[1]["withdrawn_requests"]) == 1
    assert did[0]["withdrawn_at"] == did[1]["withdrawn_at"]  # the same state, told to both
    retried = run_threads([device, device])  # and the app retries both: nothing more
    assert [(code, data["cancelled_meetings"]) for code, data in retried] == [(200, []), (200, [])]
    assert {m.status for m in Meeting.objects.filter(pk__in=[m.pk for m in meetings])} == {
        "cancelled"
    }
    told = Counter(Notification.objects.values_list("recipient__name", "kind"))
    assert told == {
        ("P0", "meeting_cancelled"): 1,
        ("P1", "meeting_cancelled"): 1,
        ("P2", "request_withdrawn"): 1,
        ("Amina", "attendance_withdrawn"): 1,
    }
