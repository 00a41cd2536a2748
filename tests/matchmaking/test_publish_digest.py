"""The publish digest is written inside the publish's transaction, and the digest and the expiry
reminders read a fixed number of rows however many meetings or requests (found in review)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matchmaking.models import Notification
from matchmaking.services.importer import event_import
from matchmaking.services.meetings import Actor, meeting_book
from matchmaking.services.notifications import _digest_create
from matchmaking.services.requests import requests_expiring_remind
from matchmaking.services.scheduling import (
    schedule_run_create,
    schedule_run_execute,
    schedule_run_publish,
)
from tests.factories import RequestFactory
from tests.matchmaking.test_scheduling import fair


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.mark.django_db(transaction=True)
def test_publish_digest_is_written_inside_the_publishs_transaction():
    """``with batched(), digested(...), guarded_transaction():`` exits the transaction first:
    the schedule_published notifications are created after the publish committed, each in its
    own little transaction. A crash (or a database error, "database is locked" on SQLite) in
    between loses every email of the publish for good: nothing pending for the sweep, and the
    run is published so it cannot be published again. (In the background publish, such an
    error is also logged as "publishing failed" and the task answers DRAFT for a run that is
    PUBLISHED.) Notifications are to be created inside the service's transaction (module
    docstring of notifications.py)."""
    event = event_import(data=fair(n_companies=2, n_cities=2))
    run = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
    run = schedule_run_execute(run=run)
    assert run.status == "draft", run.error
    inside = []

    def saw(sender, instance, created, **kwargs):
        if created and instance.kind == Notification.Kind.SCHEDULE_PUBLISHED:
            blocks = getattr(connection, "atomic_blocks", [])
            inside.append(bool(blocks) and blocks[0].durable)

    post_save.connect(saw, sender=Notification)
    try:
        schedule_run_publish(run=run, user=None)
    finally:
        post_save.disconnect(saw, sender=Notification)
    assert inside and all(inside), inside


@pytest.mark.django_db(transaction=True)
def test_control_a_booking_email_is_written_inside_the_bookings_transaction(
    event, make_participant
):
    """Negative control for the test above: the way it observes works, a booking's email
    is created inside the booking's durable transaction."""
    a, b = make_participant(), make_participant()
    inside = []

    def saw(sender, instance, created, **kwargs):
        if created:
            blocks = getattr(connection, "atomic_blocks", [])
            inside.append(bool(blocks) and blocks[0].durable)

    req = RequestFactory(sender=a, recipient=b, status="accepted")
    post_save.connect(saw, sender=Notification)
    try:
        meeting_book(request=req, slot=event.slots.first(), actor=Actor(participant=a))
    finally:
        post_save.disconnect(saw, sender=Notification)
    assert inside and all(inside), inside


@pytest.mark.django_db
def test_digest_of_one_person_reads_the_same_number_of_rows_for_1_and_3_meetings(
    event, make_participant
):
    """``_digest_create`` calls ``_others`` (a seats query) for each meeting of each person:
    a publish of 2,000 meetings makes ~4,000 extra queries (DESIGN §4.8: 1 and 3 items issue
    the same number of queries)."""
    amina = make_participant(name="Amina", languages=["en"])
    slots = list(event.slots.order_by("start"))

    used = iter(slots)

    def changes(n):
        out = {}
        for _ in range(n):
            other = make_participant(languages=["fr"])
            req = RequestFactory(sender=amina, recipient=other, status="accepted")
            meeting = meeting_book(request=req, slot=next(used), actor=Actor(system=True))
            out[meeting.pk] = ("meeting_booked", {"reason": "-"})
        return out

    one, three = changes(1), changes(3)
    with CaptureQueriesContext(connection) as q1:
        _digest_create(amina, one, key="review:1")
    with CaptureQueriesContext(connection) as q3:
        _digest_create(amina, three, key="review:3")
    assert len(q3) == len(q1)


@pytest.mark.django_db
def test_expiring_reminders_read_the_same_number_of_rows_for_1_and_3_requests(
    event, make_participant
):
    """``requests_expiring_remind`` (every 5 minutes) runs one ``exists()`` per pending request
    near its expiry, again on every run for those already reminded."""
    now = timezone.now()

    def pending(n):
        out = []
        for _ in range(n):
            req = RequestFactory(
                sender=make_participant(), recipient=make_participant(), status="pending"
            )
            type(req).objects.filter(pk=req.pk).update(
                created_at=now - dt.timedelta(hours=70), expires_at=now + dt.timedelta(hours=2)
            )
            out.append(req)
        return out

    first = pending(1)
    assert requests_expiring_remind(now=now) == 1  # reminded once
    with CaptureQueriesContext(connection) as q1:
        assert requests_expiring_remind(now=now) == 0
    pending(2)
    requests_expiring_remind(now=now)
    with CaptureQueriesContext(connection) as q3:
        assert requests_expiring_remind(now=now) == 0
    assert first and len(q3) == len(q1)
