"""Real threads against PostgreSQL: the booking guard holds under contention.

The negative control switches the guard (row locks + recount) off and drops the database
constraints: the same race must then produce a double booking, which proves the test can fail.
"""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from rest_framework.test import APIClient

from matchmaking.exceptions import Conflict
from matchmaking.models import Meeting, MeetingSeat
from matchmaking.reasons import when_text
from matchmaking.services.meetings import Actor, meeting_book, meeting_reschedule
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 50
# A month ahead: participants book only slots that have not started.
DAY = timezone.localdate() + dt.timedelta(days=30)


def run_threads(jobs):
    """Run callables at the same instant (barrier); return their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def hub_event(n=N):
    event = EventFactory(tables=n + 5, days=[DAY])
    hub = ParticipantFactory(event=event, name="Hub", kind="exhibitor")
    requests = [
        RequestFactory(sender=ParticipantFactory(event=event), recipient=hub) for _ in range(n)
    ]
    return event, hub, requests


def book_job(event, req, slot):
    client: APIClient = client_for(req.sender.user)

    def job():
        response = client.post(
            f"/api/events/{event.slug}/meetings/book/", {"request": req.pk, "slot": slot.pk}
        )
        return response.status_code, response.data

    return job


def test_50_concurrent_bookings_of_one_participant_one_success(settings):
    # the losers queue on Hub's lock: give the queue time to drain on a loaded machine (a lock
    # timeout rightly answers "busy, retry", tested on its own below), so each is told why
    settings.BOOKING_LOCK_TIMEOUT_MS = 60_000
    event, hub, requests = hub_event()
    slot = event.slots.first()
    results = run_threads([book_job(event, req, slot) for req in requests])
    codes = Counter(code for code, _ in results)
    assert codes == {201: 1, 409: N - 1}
    details = {data["detail"] for code, data in results if code == 409}
    assert details == {f"Hub already has a meeting on {when_text(slot)}."}
    assert MeetingSeat.objects.filter(participant=hub, slot=slot, active=True).count() == 1


def test_crossing_bookings_do_not_deadlock():
    """T1 (B) books A→B with B's colleague; T2 books the colleague→A: their lock sets cross."""
    event = EventFactory(tables=40, days=[DAY])
    rounds = []
    for _ in range(15):
        a = ParticipantFactory(event=event)
        b = ParticipantFactory(event=event)
        b2 = ParticipantFactory(event=event, organisation=b.organisation)
        rounds.append(
            (
                a,
                b,
                b2,
                RequestFactory(sender=a, recipient=b),
                RequestFactory(sender=b2, recipient=a),
            )
        )
    slot = event.slots.first()
    url = f"/api/events/{event.slug}/meetings/book/"

    def job(client, body):
        return lambda: client.post(url, body, format="json").status_code

    jobs = []
    for _a, b, b2, r1, r2 in rounds:
        body1 = {"request": r1.pk, "slot": slot.pk, "attendees": [b2.pk]}
        jobs.append(job(client_for(b.user), body1))  # B brings their own colleague
        jobs.append(job(client_for(b2.user), {"request": r2.pk, "slot": slot.pk}))
    started = time.monotonic()
    results = run_threads(jobs)
    elapsed = time.monotonic() - started
    pairs = [sorted(results[i : i + 2]) for i in range(0, len(results), 2)]
    assert pairs == [[201, 409]] * len(rounds)
    assert elapsed < 30  # a deadlock would have waited for the lock timeout and answered "busy"


@pytest.fixture
def guard_off(settings):
    """Switch off the row locks and drop the two partial unique constraints, then restore."""
    settings.BOOKING_GUARD = False
    seat = next(
        c for c in MeetingSeat._meta.constraints if c.name == "seat_participant_once_per_slot"
    )
    table = next(c for c in Meeting._meta.constraints if c.name == "meeting_table_once_per_slot")
    with connection.schema_editor() as editor:
        editor.remove_constraint(MeetingSeat, seat)
        editor.remove_constraint(Meeting, table)
    yield
    MeetingSeat.objects.all().delete()
    Meeting.objects.all().delete()
    with connection.schema_editor() as editor:
        editor.add_constraint(MeetingSeat, seat)
        editor.add_constraint(Meeting, table)


def test_negative_control_without_guard_double_books(guard_off):
    """The same race as the first test, unguarded: more than one booking gets through."""
    best = 0
    for _ in range(5):
        event, hub, requests = hub_event()
        slot = event.slots.first()
        results = run_threads([book_job(event, req, slot) for req in requests])
        best = max(best, Counter(code for code, _ in results)[201])
        if best > 1:
            break
    assert best > 1
    assert MeetingSeat.objects.filter(participant=hub, slot=slot, active=True).count() == best


def test_lock_timeout_answers_409_busy_with_retry_after(settings):
    """A booking that waits longer than the lock timeout gets 'busy, retry', not a 500."""
    settings.BOOKING_LOCK_TIMEOUT_MS = 200
    event, hub, requests = hub_event(1)
    slot = event.slots.first()
    holding = threading.Event()
    release = threading.Event()

    def holder():
        from django.db import transaction

        from matchmaking.models import Participant

        try:
            with transaction.atomic():
                list(Participant.objects.select_for_update().filter(pk=hub.pk))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(10)
    try:
        response = client_for(requests[0].sender.user).post(
            f"/api/events/{event.slug}/meetings/book/", {"request": requests[0].pk, "slot": slot.pk}
        )
    finally:
        release.set()
        thread.join()
    assert response.status_code == 409
    assert response.data["code"] == "busy"
    assert response["Retry-After"] == "1"
    assert Meeting.objects.count() == 0


def availability_race():
    """The hub says "mornings only" while 20 people book it in the afternoon at the same
    instant. Returns (the change's status, scheduled afternoon meetings left outside the hub's
    stored times)."""
    import zoneinfo

    from matchmaking.models import Availability
    from matchmaking.selectors import slot_inside

    event, hub, requests = hub_event(20)
    tz = zoneinfo.ZoneInfo(event.timezone)
    afternoon = [s for s in event.slots.order_by("start") if s.start.astimezone(tz).hour >= 14]
    hub_client = client_for(hub.user)

    def change():
        response = hub_client.put(
            f"/api/events/{event.slug}/me/availability/",
            {"periods": [{"start": f"{DAY}T09:00", "end": f"{DAY}T11:00"}]},
            format="json",
        )
        return response.status_code, response.data

    jobs = [book_job(event, req, afternoon[i % len(afternoon)]) for i, req in enumerate(requests)]
    jobs.insert(10, change)
    results = run_threads(jobs)
    assert {c for c, _ in results} <= {200, 201, 409}
    code, _ = results[10]
    periods = list(Availability.objects.filter(participant=hub).values_list("start", "end"))
    live = Meeting.objects.filter(event=event, status="scheduled", seats__participant=hub)
    outside = [m for m in live if periods and not slot_inside(m.slot, periods)]
    return code, outside, periods, live.exists()


def test_availability_change_racing_bookings_never_leaves_a_meeting_outside():
    """Every outcome is consistent: the change waits for the bookings' locks or they wait for
    its, so no scheduled meeting ends up outside the hub's new times."""
    for _ in range(3):
        code, outside, periods, booked = availability_race()
        assert code in (200, 409)
        assert outside == []
        if code == 409:
            assert periods == [] and booked  # refused: bookings came first


def test_negative_control_availability_race_without_locks(guard_off):
    """The same race without the row locks: a booking checks the old times while the change
    checks the old meetings, both commit, and a meeting is left outside the new times."""
    for _ in range(8):
        code, outside, _periods, _booked = availability_race()
        if code == 200 and outside:
            break
    assert code == 200 and outside


def test_a_move_reads_who_is_in_the_meeting_under_the_locks():
    """A colleague leaves a meeting (holding the locks) while a party moves it into a slot
    where the colleague has another meeting: the move waits for the locks, then sees that he
    left, and succeeds instead of being refused for someone no longer in the meeting."""
    from django.db import transaction

    from matchmaking.services.locking import lock_participants_and_slots
    from matchmaking.services.meetings import (
        Actor,
        meeting_attendee_leave_locked,
        meeting_book,
        meeting_reschedule,
    )

    event = EventFactory(days=[DAY])
    amina = ParticipantFactory(event=event, name="Amina")
    karim = ParticipantFactory(event=event, name="Karim", organisation=amina.organisation)
    bruno = ParticipantFactory(event=event, name="Bruno")
    first, second = list(event.slots.order_by("start")[:2])
    meeting = meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno),
        slot=first,
        actor=Actor(system=True),
        attendees=[karim],
    )
    meeting_book(
        request=RequestFactory(sender=karim, recipient=ParticipantFactory(event=event)),
        slot=second,
        actor=Actor(system=True),
    )
    holding = threading.Event()

    def leave():
        try:
            with transaction.atomic():
                lock_participants_and_slots([amina.pk, karim.pk, bruno.pk], [first.pk])
                holding.set()
                time.sleep(1)  # the move has read the meeting's people and waits for the locks
                seat = MeetingSeat.objects.select_related("meeting").get(
                    meeting=meeting, participant=karim
                )
                meeting_attendee_leave_locked(seat=seat, actor=Actor(system=True))
        finally:
            connection.close()

    thread = threading.Thread(target=leave)
    thread.start()
    assert holding.wait(10)
    try:
        moved = meeting_reschedule(
            meeting=meeting, slot=second, actor=Actor(user=bruno.user, participant=bruno)
        )
    finally:
        thread.join()

    assert moved.slot_id == second.pk
    seats = {
        s.participant_id: (s.slot_id, s.active, s.left)
        for s in MeetingSeat.objects.filter(meeting=meeting)
    }
    assert seats == {
        amina.pk: (second.pk, True, False),
        bruno.pk: (second.pk, True, False),
        karim.pk: (second.pk, False, True),
    }


def test_withdrawing_a_request_while_it_is_booked_never_leaves_a_live_meeting_on_it():
    """A participant withdraws an accepted request at the instant the other side books it: either
    the booking comes first and goes with the request, or it is refused. Before, the withdrawal
    read the live meeting outside its lock and could cancel the request beside a new meeting."""
    for _round in range(10):
        event = EventFactory(tables=5, days=[DAY])
        req = RequestFactory(
            sender=ParticipantFactory(event=event), recipient=ParticipantFactory(event=event)
        )
        slot = event.slots.first()
        url = f"/api/events/{event.slug}/requests/{req.pk}/cancel/"
        withdraw = client_for(req.recipient.user)
        results = run_threads([book_job(event, req, slot), lambda c=withdraw, url=url: c.post(url)])
        assert results[1].status_code == 200, results[1].data
        req.refresh_from_db()
        assert req.status == "cancelled"
        assert not Meeting.objects.filter(request=req).exclude(status="cancelled").exists()


def _withdraw_beside(prepare, monkeypatch):
    """Withdraw a request whose meeting a colleague joined, while another change locks the same
    people: ``prepare(event, meeting, colleague, slots)`` returns that change (the withdrawal
    holds the request row a moment longer, to widen the window). Returns both outcomes."""
    from matchmaking.services import requests as request_services

    locked = request_services._locked

    def slow(request):
        row = locked(request)
        time.sleep(0.5)
        return row

    monkeypatch.setattr(request_services, "_locked", slow)
    event = EventFactory(tables=5, days=[DAY])
    colleague = ParticipantFactory(event=event)  # the lowest id of the meeting's people
    sender = ParticipantFactory(event=event, organisation=colleague.organisation)
    recipient = ParticipantFactory(event=event)
    req = RequestFactory(sender=sender, recipient=recipient)
    slots = list(event.slots.order_by("start"))
    meeting = meeting_book(
        request=req, slot=slots[0], actor=Actor(system=True), attendees=[colleague]
    )
    change = prepare(event, meeting, colleague, slots)

    def withdraw():
        request_services.request_cancel(request=req, by=recipient)
        return "ok"

    def other():
        time.sleep(0.2)  # once the withdrawal holds its first locks
        return change()

    return run_threads([_outcome(withdraw), _outcome(other)])


def _outcome(job):
    def run():
        try:
            return job()
        except Exception as exc:  # the answer a caller would get, deadlocks included
            return f"{exc!r} / {exc.__cause__!r}"

    return run


def test_withdrawing_beside_a_booking_with_the_same_colleague_does_not_deadlock(monkeypatch):
    def prepare(event, meeting, colleague, slots):
        other = RequestFactory(
            sender=meeting.request.sender, recipient=ParticipantFactory(event=event)
        )

        def book():
            meeting_book(
                request=other, slot=slots[1], actor=Actor(system=True), attendees=[colleague]
            )
            return "ok"

        return book

    assert _withdraw_beside(prepare, monkeypatch) == ["ok", "ok"]


def test_withdrawing_beside_a_move_of_its_meeting_does_not_deadlock(monkeypatch):
    def prepare(event, meeting, colleague, slots):
        def move():
            try:
                meeting_reschedule(
                    meeting=meeting, slot=slots[1], actor=Actor(participant=meeting.request.sender)
                )
            except Conflict as exc:  # the withdrawal came first: the meeting is cancelled
                assert exc.code == "meeting_not_movable", exc
            return "ok"

        return move

    assert _withdraw_beside(prepare, monkeypatch) == ["ok", "ok"]


def test_parallel_requests_of_one_sender_stop_at_the_cap(settings):
    """The review: count-then-insert let parallel posts of one sender all see room."""
    from matchmaking.models import MeetingRequest

    settings.MAX_PENDING_REQUESTS = 5
    event = EventFactory(tables=10, days=[DAY])
    sender = ParticipantFactory(event=event)
    others = [ParticipantFactory(event=event) for _ in range(12)]
    client = client_for(sender.user)
    url = f"/api/events/{event.slug}/requests/"

    def job(person):
        return lambda: client.post(url, {"recipient": person.pk}).status_code

    codes = Counter(run_threads([job(p) for p in others]))
    assert codes == {201: 5, 409: 7}
    assert MeetingRequest.objects.filter(sender=sender).count() == 5


def test_parallel_requests_between_one_pair_open_one(settings):
    from matchmaking.models import MeetingRequest

    event = EventFactory(tables=10, days=[DAY])
    a, b = ParticipantFactory(event=event), ParticipantFactory(event=event)
    url = f"/api/events/{event.slug}/requests/"

    def job(x, y):
        client = client_for(x.user)
        return lambda: client.post(url, {"recipient": y.pk}).status_code

    jobs = [job(x, y) for x, y in [(a, b), (b, a)] * 4]
    codes = Counter(run_threads(jobs))
    assert codes[201] == 1 and codes[201] + codes[409] == 8
    assert MeetingRequest.objects.count() == 1


def attendance_race():
    """The hub says it no longer comes while 10 people book it and 10 others send it requests,
    at the same instant. Returns the answers (the hub's at index 10) and the hub."""
    event, hub, requests = hub_event(10)
    askers = [ParticipantFactory(event=event) for _ in range(10)]
    slots = list(event.slots.order_by("start"))
    hub_client = client_for(hub.user)

    def withdraw():
        response = hub_client.put(
            f"/api/events/{event.slug}/me/attendance/", {"attending": False}, format="json"
        )
        return response.status_code, response.data

    def ask(person):
        client = client_for(person.user)
        url = f"/api/events/{event.slug}/requests/"

        def job():
            response = client.post(url, {"recipient": hub.pk})
            return response.status_code, response.data

        return job

    jobs = [book_job(event, req, slots[i % len(slots)]) for i, req in enumerate(requests)]
    jobs += [ask(p) for p in askers]
    jobs.insert(10, withdraw)
    return run_threads(jobs), hub


def test_saying_i_no_longer_come_racing_requests_and_bookings_leaves_nothing_open():
    """Whatever the order, nothing live is left with the hub: no open request, no meeting to
    come; the others are told clearly."""
    from matchmaking.models import MeetingRequest

    for _ in range(3):
        results, hub = attendance_race()
        assert results[10][0] == 200, results[10]
        assert {code for code, _ in results} <= {200, 201, 409}, results
        refused = [data for code, data in results if code == 409]
        allowed = {"not_attending", "request_not_open", "participant_busy", "busy"}
        assert {d["code"] for d in refused} <= allowed, refused
        open_requests = MeetingRequest.objects.filter(
            Q(sender=hub) | Q(recipient=hub), status__in=MeetingRequest.OPEN_STATUSES
        )
        assert not open_requests.exists()
        assert not Meeting.objects.filter(seats__participant=hub, status="scheduled").exists()


def counter_event(n=20):
    """A sender (Hub) waiting on ``n`` requests, one to each of ``n`` people."""
    event = EventFactory(tables=n + 5, days=[DAY])
    hub = ParticipantFactory(event=event, name="Hub", kind="delegation")
    requests = [
        RequestFactory(sender=hub, recipient=ParticipantFactory(event=event), status="pending")
        for _ in range(n)
    ]
    return event, hub, requests


def accept_at_job(event, req, slot):
    client: APIClient = client_for(req.recipient.user)

    def job():
        response = client.post(
            f"/api/events/{event.slug}/requests/{req.pk}/accept/", {"slot": slot.pk}
        )
        return response.status_code, response.data

    return job


def test_concurrent_acceptances_at_another_time_book_one_and_leave_the_rest_pending(settings):
    """Many people accept Hub's requests at the same other time at once: one meeting, and the
    other requests are still waiting for an answer (no acceptance without the meeting it was
    given for)."""
    from matchmaking.models import MeetingRequest

    # Fifty answers queue on Hub's lock; on a loaded machine some waited past the 3-s default
    # and rightly answered "busy, retry" (tested on its own above). Here every loser must be
    # told the time is taken, so give the queue time to drain.
    settings.BOOKING_LOCK_TIMEOUT_MS = 60_000

    event, hub, requests = counter_event(N)
    slot = event.slots.order_by("start")[3]
    results = run_threads([accept_at_job(event, req, slot) for req in requests])
    codes = Counter(code for code, _ in results)
    assert codes == {200: 1, 409: N - 1}
    assert {data["code"] for code, data in results if code == 409} == {"time_not_free"}
    assert MeetingSeat.objects.filter(participant=hub, slot=slot, active=True).count() == 1
    statuses = Counter(MeetingRequest.objects.filter(sender=hub).values_list("status", flat=True))
    assert statuses == {"accepted": 1, "pending": N - 1}


def test_negative_control_acceptances_at_another_time_without_guard_double_book(
    guard_off,
):
    best = 0
    for _ in range(5):
        event, hub, requests = counter_event(N)
        slot = event.slots.order_by("start")[3]
        results = run_threads([accept_at_job(event, req, slot) for req in requests])
        best = max(best, Counter(code for code, _ in results)[200])
        if best > 1:
            break
    assert best > 1
    assert MeetingSeat.objects.filter(participant=hub, slot=slot, active=True).count() == best


def test_an_answer_does_not_wait_for_another_request_of_the_same_event():
    """The answer locks its request's row, not its event's: while one acceptance holds its
    transaction open, someone else declines another request of the event at once. Before,
    FOR UPDATE over the join with the event locked the event's row, so the decline waited."""
    from django.db import transaction

    from matchmaking.models import MeetingRequest
    from matchmaking.services import requests as request_services

    _, _, (first, second) = counter_event(2)
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                request_services._locked(first)
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            request_services.request_decline(request=second, by=second.recipient)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    finally:
        release.set()
        holder.join(timeout=30)
    assert MeetingRequest.objects.get(pk=second.pk).status == "declined"
