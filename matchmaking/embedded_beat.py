"""The periodic tasks of ``CELERY_BEAT_SCHEDULE``, run by a thread of the demo's own process.

Without a broker (the embedded set-up: SQLite, tasks in-process) there is no Celery beat:
pending requests would never expire, reminders never go out, notifications whose task failed
never be sent again, and edited profiles reach only their owner's list. ``manage.py demo``
starts this thread instead. With a broker, run ``celery -A config worker -B`` (operations).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

SOON = 30.0  # seconds after start: tasks due every 15 minutes or more often run first then


@dataclass
class EmbeddedBeat:
    """``schedule``: name -> {"task": registered task name, "schedule": seconds}."""

    schedule: dict = field(default_factory=lambda: dict(settings.CELERY_BEAT_SCHEDULE))
    clock: object = time.monotonic
    due: dict = field(default_factory=dict)

    def __post_init__(self):
        now = self.clock()
        for name, entry in self.schedule.items():
            every = float(entry["schedule"])
            # frequent tasks catch up soon after a start; daily ones wait their day
            self.due[name] = now + (min(SOON, every) if every <= 900 else every)

    def run_due(self) -> list[str]:
        """Run every task that is due (in-process, one after the other); returns their names.
        A failing task is logged and tried again at its next time. The thread's connection is
        refreshed around a pass (``start``), not between tasks: a task that breaks it makes the
        rest of that pass fail, and the next pass starts on a new one."""
        ran = []
        for name, entry in self.schedule.items():
            if self.clock() < self.due[name]:
                continue
            self.due[name] = self.clock() + float(entry["schedule"])
            try:
                import matchmaking.tasks  # noqa: F401  (registers the tasks the schedule names)

                # read the eager result without ``get()``: Celery refuses ``get()`` while any
                # other task runs in the process (a scheduler run in a request thread)
                result = current_app.tasks[entry["task"]].apply()
                if not result.successful():
                    logger.error(
                        "periodic task %s failed: %s\n%s",
                        entry["task"],
                        result.result,
                        result.traceback,
                    )
            except Exception:  # one task's failure must not stop the others
                logger.exception("periodic task %s failed", entry["task"])
            ran.append(name)
        return ran

    def next_wait(self) -> float:
        return max(0.0, min(self.due.values(), default=60.0) - self.clock())

    def start(self, stop: threading.Event | None = None) -> threading.Thread:
        """Run the schedule in a daemon thread until ``stop`` is set (or the process ends)."""
        stop = stop or threading.Event()

        def loop():
            while not stop.wait(min(self.next_wait(), 60.0)):
                close_old_connections()  # the thread's own connection, as a request's
                try:
                    self.run_due()
                finally:
                    close_old_connections()

        thread = threading.Thread(target=loop, name="embedded-beat", daemon=True)
        thread.start()
        return thread
