"""Real threads against PostgreSQL: a participant's meeting limit (``max_meetings``) holds when
they accept many requests at once.

Accepting with the proposed time books the meeting under both people's row locks, so N
acceptances at once book exactly up to the limit. A plain acceptance (no time to book) counts
the recipient's meetings too (a participant at their limit cannot accept): it used to count them
without the locks, so a booking of theirs committing in between let it accept a request that
nobody could ever book. Each test has its negative control: with the locks off it fails.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from matchmaking.models import Meeting, MeetingRequest, MeetingSeat
from matchmaking.services import meetings as ms
from matchmaking.services import requests as request_services
from tests.concurrency.test_booking_race import DAY, run_threads
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LIMIT = 3
N = 8  # requests, each proposing its own time (the event's day has 9)


def limited_hub():
    """Hub, limited to ``LIMIT`` meetings, with ``N`` pending requests, each proposing its own
    time; returns the event, Hub and the requests."""
    event = EventFactory(tables=N + 5, days=[DAY])
    hub = ParticipantFactory(event=event, name="Hub", max_meetings=LIMIT)
    slots = list(event.slots.order_by("start"))[:N]
    requests = [
        RequestFactory(
            sender=ParticipantFactory(event=event),
            recipient=hub,
            status=MeetingRequest.Status.PENDING,
            proposed_slot=slot,
        )
        for slot in slots
    ]
    return event, hub, requests


def accept_all(event, hub, requests):
    client = client_for(hub.user)

    def job(req):
        def accept():
            response = client.post(f"/api/events/{event.slug}/requests/{req.pk}/accept/")
            return response.status_code, response.data

        return accept

    return run_threads([job(req) for req in requests])


def hub_meetings(hub) -> int:
    return MeetingSeat.objects.filter(participant=hub, active=True, is_party=True).count()


def test_concurrent_acceptances_book_exactly_up_to_the_limit():
    event, hub, requests = limited_hub()
    results = accept_all(event, hub, requests)
    assert Counter(code for code, _ in results) == {200: LIMIT, 409: N - LIMIT}
    assert {data["code"] for code, data in results if code == 409} == {"limit_reached"}
    assert hub_meetings(hub) == LIMIT
    statuses = Counter(
        MeetingRequest.objects.filter(recipient=hub).values_list("status", flat=True)
    )
    assert statuses == {"accepted": LIMIT, "pending": N - LIMIT}


def test_negative_control_without_the_locks_acceptances_pass_the_limit(settings):
    settings.BOOKING_GUARD = False  # each acceptance counts before the others book
    worst = 0
    for _ in range(5):
        event, hub, requests = limited_hub()
        accept_all(event, hub, requests)
        worst = max(worst, hub_meetings(hub))
        if worst > LIMIT:
            break
    assert worst > LIMIT


def plain_accept_beside_a_booking(monkeypatch) -> tuple[dict, MeetingRequest]:
    """Hub (limit 1) accepts Amina's request with its proposed time, which books their meeting;
    while that acceptance holds its transaction open, Hub accepts Bruno's request, which
    proposes no time. Returns both answers and Bruno's request as it ends."""
    event = EventFactory(tables=5, days=[DAY])
    hub = ParticipantFactory(event=event, name="Hub", max_meetings=1)
    amina = ParticipantFactory(event=event, name="Amina")
    bruno = ParticipantFactory(event=event, name="Bruno")
    pending = MeetingRequest.Status.PENDING
    slot = event.slots.order_by("start").first()
    timed = RequestFactory(sender=amina, recipient=hub, status=pending, proposed_slot=slot)
    plain = RequestFactory(sender=bruno, recipient=hub, status=pending)
    booked, out = threading.Event(), {}
    real_log = ms._log

    def slow_log(meeting, actor, action, **detail):
        real_log(meeting, actor, action, **detail)
        if action == "booked":
            booked.set()
            time.sleep(1.0)  # still inside the acceptance's transaction

    monkeypatch.setattr(ms, "_log", slow_log)

    def answer(name, req):
        try:
            done = request_services.request_accept(request=req, by=hub)
            out[name] = (done.status, done.booked is not None)
        except Exception as exc:  # the answer a caller would get
            out[name] = getattr(exc, "code", repr(exc))
        finally:
            connection.close()

    def second():
        assert booked.wait(10), "the first acceptance never booked"
        answer("plain", plain)

    threads = [threading.Thread(target=answer, args=("timed", timed))]
    threads.append(threading.Thread(target=second))
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert Meeting.objects.filter(request=timed, status="scheduled").count() == 1
    return out, MeetingRequest.objects.get(pk=plain.pk)


def test_a_plain_acceptance_waits_for_a_booking_and_then_counts_it(monkeypatch):
    """The plain acceptance waits for Hub's lock, then counts the meeting just booked: Hub is
    at their limit, so it is refused and Bruno's request stays pending."""
    out, plain = plain_accept_beside_a_booking(monkeypatch)
    assert out == {"timed": ("accepted", True), "plain": "limit_reached"}
    assert plain.status == MeetingRequest.Status.PENDING


def test_negative_control_without_the_locks_a_plain_acceptance_passes_the_limit(
    monkeypatch, settings
):
    settings.BOOKING_GUARD = False
    out, plain = plain_accept_beside_a_booking(monkeypatch)
    assert out == {"timed": ("accepted", True), "plain": ("accepted", False)}
    assert plain.status == MeetingRequest.Status.ACCEPTED
