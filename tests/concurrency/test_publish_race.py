"""Real threads against PostgreSQL: two publishes of one event at the same moment.

Two drafts computed from the same event, published at once (tasks in process, as without a
broker): both answered 200 and both were applied, the later one's plan over the earlier's, and
the labels said the older was published. Publishing is serialised per event: one 200, the
other 409 (``publish_in_progress`` while the first is at work, ``newer_run_published`` after).

The negative control runs the same race with the event's lock (``_lock_event``) switched off and
the window between "is another run publishing or published?" and the write widened: both
publishes then answer 200 and both plans are applied (one run published, the other superseded by
it), the very outcome the first test refuses, which proves that test can fail. The same widened
window with the lock on still gives one 200 and one 409: the widening alone does not decide.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from matchmaking.models import ScheduleRun
from matchmaking.services import scheduling
from matchmaking.services.scheduling import schedule_run_create, schedule_run_execute
from tests.concurrency.test_booking_race import hub_event, run_threads
from tests.conftest import client_for
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _publish_race():
    """Two drafts of one event, computed one after the other, published through the API at the
    same instant by one organiser. Returns the two answers and the runs' statuses after."""
    event, _hub, _requests = hub_event(n=6)
    organiser = UserFactory(is_staff=True)
    event.organisers.add(organiser)
    runs = [
        schedule_run_execute(
            run=schedule_run_create(
                event=event, user=None, options={"time_limit": 2}, enqueue=False
            )
        )
        for _ in range(2)
    ]
    assert [r.status for r in runs] == ["draft", "draft"]

    def publish(run):
        client = client_for(organiser)

        def job():
            response = client.post(f"/api/events/{event.slug}/schedule-runs/{run.pk}/publish/")
            return response.status_code, response.json()

        return job

    results = run_threads([publish(run) for run in runs])
    statuses = Counter(ScheduleRun.objects.filter(event=event).values_list("status", flat=True))
    return results, statuses


def _assert_one_applied_one_refused(results, statuses):
    assert Counter(code for code, _ in results) == {200: 1, 409: 1}, results
    (refused,) = [body for code, body in results if code == 409]
    assert refused["code"] in {"publish_in_progress", "newer_run_published"}
    assert statuses == {"published": 1, "draft": 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_the_same_moment_one_is_applied_the_other_refused():
    _assert_one_applied_one_refused(*_publish_race())


@pytest.fixture
def wide_window(monkeypatch):
    """Each check for a run publishing or published meanwhile (in the ask to publish, and in the
    publish) takes half a second more: two publishes started together are both inside it."""
    real = scheduling._refuse_if_outdated

    def slow(run):
        real(run)
        time.sleep(0.5)

    monkeypatch.setattr(scheduling, "_refuse_if_outdated", slow)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_publishes_in_a_wide_window_one_is_applied_the_other_refused(wide_window):
    _assert_one_applied_one_refused(*_publish_race())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_events_lock_both_publishes_are_applied(
    wide_window, monkeypatch
):
    monkeypatch.setattr(scheduling, "_lock_event", lambda event_id: None)

    results, statuses = _publish_race()

    assert Counter(code for code, _ in results) == {200: 2}, results
    assert statuses == {"published": 1, "superseded": 1}
    with pytest.raises(AssertionError):  # what the race test would say
        _assert_one_applied_one_refused(results, statuses)


SCRIPT = """
import datetime as dt, json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
call_command("migrate", verbosity=0)
from matchmaking.exceptions import DomainError
from matchmaking.models import ScheduleRun
from matchmaking.services.scheduling import (
    schedule_run_create, schedule_run_execute, schedule_run_publish_later,
)
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

event = EventFactory(tables=8, days=[timezone.localdate() + dt.timedelta(days=30)])
for _ in range(6):
    RequestFactory(
        sender=ParticipantFactory(event=event),
        recipient=ParticipantFactory(event=event),
        status="accepted",
    )
runs = [
    schedule_run_execute(
        run=schedule_run_create(event=event, user=None, options={"time_limit": 2}, enqueue=False)
    )
    for _ in range(2)
]
connection.close()
out = [None] * 2
barrier = threading.Barrier(2)

def publish(i):
    try:
        barrier.wait()
        run = schedule_run_publish_later(run=runs[i], user=None)  # the task runs in process
        run.refresh_from_db()
        out[i] = run.status if not run.error else "refused: " + run.error
    except DomainError as exc:
        out[i] = exc.code
    finally:
        connection.close()

threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
statuses = sorted(ScheduleRun.objects.values_list("status", flat=True))
print(json.dumps({"answers": sorted(out), "statuses": statuses}))
"""


def test_two_publishes_at_the_same_moment_on_a_sqlite_file(tmp_path):
    """The demo's database: the second publish waited for the first (one writer at a time),
    then found no publish at work and applied its older plan over the first: both "published"."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "CELERY_BROKER_URL": "",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == ["draft", "published"], result
    (refused,) = [a for a in result["answers"] if a != "published"]
    assert refused in {"publish_in_progress", "newer_run_published"} or refused.startswith(
        "refused: Run "
    ), result
