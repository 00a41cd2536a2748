"""Real threads against PostgreSQL: two publishes of one event at the same moment.

Two drafts computed from the same event, published at once (tasks in process, as without a
broker): both answered 200 and both were applied, the later one's plan over the earlier's, and
the labels said the older was published. Publishing is serialised per event: one 200, the
other 409 (``publish_in_progress`` while the first is at work, ``newer_run_published`` after).
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from matchmaking.models import ScheduleRun
from matchmaking.services.scheduling import schedule_run_create, schedule_run_execute
from tests.concurrency.test_booking_race import hub_event, run_threads
from tests.conftest import client_for
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_the_same_moment_one_is_applied_the_other_refused():
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

    assert Counter(code for code, _ in results) == {200: 1, 409: 1}, results
    (refused,) = [body for code, body in results if code == 409]
    assert refused["code"] in {"publish_in_progress", "newer_run_published"}
    statuses = Counter(ScheduleRun.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == {"published": 1, "draft": 1}


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
