"""The demo's periodic tasks without a broker: the beat schedule run in-process."""

import datetime as dt
import threading

import pytest
from celery import shared_task

from matchmaking.embedded_beat import EmbeddedBeat
from matchmaking.models import MeetingRequest
from tests.factories import ParticipantFactory, RequestFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@shared_task(name="tests.always_fails")
def always_fails():
    raise RuntimeError("boom")


def test_the_schedule_runs_each_task_when_due_and_a_failure_stops_nothing(event):
    overdue = RequestFactory(
        sender=ParticipantFactory(event=event),
        recipient=ParticipantFactory(event=event),
        status="pending",
        expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    clock = Clock()
    beat = EmbeddedBeat(
        schedule={
            "broken": {"task": "tests.always_fails", "schedule": 60.0},
            "expire": {"task": "matchmaking.expire_requests", "schedule": 300.0},
            "daily": {"task": "matchmaking.purge_idempotency_keys", "schedule": 86400.0},
        },
        clock=clock,
    )
    assert beat.run_due() == []  # nothing at once
    assert beat.next_wait() == 30.0
    clock.now += 30
    assert beat.run_due() == ["broken", "expire"]  # the failure is logged, expiry still runs
    assert MeetingRequest.objects.get(pk=overdue.pk).status == "expired"
    clock.now += 60
    assert beat.run_due() == ["broken"]
    clock.now += 86400
    assert beat.run_due() == ["broken", "expire", "daily"]


def test_the_default_schedule_is_the_beat_schedule_and_the_thread_stops():
    from django.conf import settings

    beat = EmbeddedBeat()
    assert set(beat.schedule) == set(settings.CELERY_BEAT_SCHEDULE)
    assert "send-pending-notifications" in beat.schedule
    stop = threading.Event()
    thread = beat.start(stop)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_a_pass_runs_while_another_task_runs_in_the_process(event, monkeypatch, caplog):
    """During a scheduler run in a request thread every periodic task of that time was logged
    as failed: Celery refuses ``result.get()`` while any task runs in the process (the fuzzing
    helper saw it). The task's work is done, and no failure is reported."""
    from celery import result as celery_result

    overdue = RequestFactory(
        sender=ParticipantFactory(event=event),
        recipient=ParticipantFactory(event=event),
        status="pending",
        expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    clock = Clock()
    beat = EmbeddedBeat(
        schedule={"expire": {"task": "matchmaking.expire_requests", "schedule": 300.0}},
        clock=clock,
    )
    monkeypatch.setattr(celery_result, "task_join_will_block", lambda: True)  # another task runs
    clock.now += 30
    assert beat.run_due() == ["expire"]
    assert MeetingRequest.objects.get(pk=overdue.pk).status == "expired"
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
