import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from matchmaking.models import MeetingRequest
from matchmaking.tasks import expire_requests
from tests.factories import ParticipantFactory, RequestFactory


def make_expired(event):
    return RequestFactory(
        sender=ParticipantFactory(event=event),
        recipient=ParticipantFactory(event=event),
        status="pending",
        expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )


@pytest.mark.django_db
def test_expire_requests_marks_only_overdue_pending(event):
    overdue = make_expired(event)
    fresh = RequestFactory(
        sender=ParticipantFactory(event=event),
        recipient=ParticipantFactory(event=event),
        status="pending",
        expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    assert expire_requests.apply().get() == 1
    assert expire_requests.apply().get() == 0  # idempotent: a redelivery does nothing
    assert MeetingRequest.objects.get(pk=overdue.pk).status == "expired"
    assert MeetingRequest.objects.get(pk=fresh.pk).status == "pending"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_expire_requests_through_real_broker_and_worker(event):
    """The task goes through Redis to a real worker thread and its result comes back."""
    assert app.conf.task_always_eager is False
    overdue = make_expired(event)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = expire_requests.delay()
        assert result.get(timeout=30) == 1
    assert MeetingRequest.objects.get(pk=overdue.pk).status == "expired"
