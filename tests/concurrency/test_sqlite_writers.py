"""The embedded database (a SQLite file, the demo's) lets parallel writers wait their turn.

Run in a child process on a real file: the test database of the suite is SQLite in memory (or
PostgreSQL in CI), whose locking differs. Six bookings of six different pairs into one slot with
eight tables must all succeed; before transactions took the write lock when they began, five
answered "busy" at once (the fifth exploratory test).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import datetime as dt, json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
call_command("migrate", verbosity=0)
from matchmaking.exceptions import DomainError
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

event = EventFactory(tables=8, days=[timezone.localdate() + dt.timedelta(days=30)])
slot = event.slots.order_by("start").first()
requests = [
    RequestFactory(
        sender=ParticipantFactory(event=event),
        recipient=ParticipantFactory(event=event),
        status="accepted",
    )
    for _ in range(6)
]
connection.close()
out = [None] * 6
barrier = threading.Barrier(6)

def book(i):
    try:
        barrier.wait()
        meeting_book(request=requests[i], slot=slot, actor=Actor(system=True))
        out[i] = "booked"
    except DomainError as exc:
        out[i] = exc.code
    finally:
        connection.close()

threads = [threading.Thread(target=book, args=(i,)) for i in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(out))
"""


def test_parallel_bookings_on_a_sqlite_file_wait_for_each_other(tmp_path):
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
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["booked"] * 6
