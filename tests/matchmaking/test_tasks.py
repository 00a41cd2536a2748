import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from matchmaking.models import MeetingRequest
from matchmaking.services.importer import event_import
from matchmaking.tasks import expire_requests, send_notifications
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


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_schedule_run_from_api_call_to_result_on_real_worker(organiser_client):
    """POST a scheduler run; a real worker picks it up from Redis and writes the draft plan."""
    from tests.matchmaking.test_scheduling import fair

    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        created = organiser_client.post(url, {"time_limit": 5}, format="json")
        assert created.status_code == 202
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run = organiser_client.get(f"{url}{created.data['id']}/").data
            if run["status"] not in ("queued", "running"):
                break
            time.sleep(0.2)
    assert run["status"] == "draft", run
    assert run["stats"]["scheduled"] == len(fair()["requests"])


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_cancel_notifies_once_through_real_worker_even_when_redelivered(upcoming_event):
    event = upcoming_event
    """API cancel → task on Redis → worker sends one email per affected person; sending the
    same task again (a redelivery) sends nothing more."""
    from django.core import mail

    from matchmaking.models import Notification
    from tests.conftest import client_for

    a = ParticipantFactory(event=event, languages=["en"])
    b = ParticipantFactory(event=event, languages=["en"])
    req = RequestFactory(sender=a, recipient=b)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        booked = client_for(a.user).post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": req.pk, "slot": event.slots.first().pk},
        )
        assert booked.status_code == 201
        cancelled = client_for(a.user).post(
            f"/api/events/{event.slug}/meetings/{booked.data['id']}/cancel/", {"reason": "ill"}
        )
        assert cancelled.status_code == 200
        deadline = time.monotonic() + 30
        while len(mail.outbox) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        ids = list(Notification.objects.values_list("pk", flat=True))
        assert send_notifications.delay(notification_ids=ids).get(timeout=30) == 0
    assert sorted((m.to[0], m.subject.split(" ")[0]) for m in mail.outbox) == [
        (b.email, "Meeting"),
        (b.email, "Your"),
    ]
    assert Notification.objects.filter(status="sent").count() == 2


@pytest.mark.django_db
def test_periodic_refresh_brings_a_new_profile_into_everyone_elses_list():
    """A provider who joins (or edits their offers) after the lists were computed shows up in
    the city's list at the next periodic check; nothing is recomputed when nothing changed,
    and events that are over are left alone."""
    from django.utils import timezone

    from matchmaking.models import Event, Recommendation
    from matchmaking.services.participants import profile_update
    from matchmaking.services.recommendations import event_refresh
    from matchmaking.tasks import refresh_stale_events
    from tests.factories import EventFactory

    soon = EventFactory(days=[timezone.localdate() + dt.timedelta(days=20)])
    past = EventFactory()  # 2018: over
    city = ParticipantFactory(
        event=soon,
        name="Ville de Fès",
        kind="delegation",
        profile__needs=["réduire les embouteillages aux carrefours"],
    )
    ParticipantFactory(event=soon, name="AquaMeter", profile__offers=["compteurs d'eau"])
    ParticipantFactory(event=past, name="Old", profile__offers=["traffic lights"])
    for event in (soon, past):
        event_refresh(event=event)
    assert refresh_stale_events.apply().get() == []

    def listed():
        return list(
            Recommendation.objects.filter(participant=city)
            .order_by("rank")
            .values_list("candidate__name", flat=True)
        )

    assert "FlowSense" not in listed()
    ParticipantFactory(
        event=soon,
        name="FlowSense",
        kind="exhibitor",
        profile__offers=["adaptive traffic signal control that cuts congestion"],
    )
    ParticipantFactory(event=past, name="Late", profile__offers=["parking sensors"])
    assert refresh_stale_events.apply().get() == [soon.slug]
    assert listed()[0] == "FlowSense"
    assert refresh_stale_events.apply().get() == []
    # a form saved without changes is not a change; a new sector, new times or a re-learned
    # weight is
    profile_update(participant=city, data={"needs": list(city.profile.needs)})
    assert refresh_stale_events.apply().get() == []
    profile_update(participant=city, data={"sectors": ["traffic"]})
    assert refresh_stale_events.apply().get() == [soon.slug]
    first = soon.slots.order_by("start").first()
    city.availability.create(start=first.start, end=first.end)
    assert refresh_stale_events.apply().get() == [soon.slug]
    Event.objects.filter(pk=soon.pk).update(ranker_weights={"sem_comp": 1.0, "sector": 1.0})
    assert refresh_stale_events.apply().get() == [soon.slug]
    assert refresh_stale_events.apply().get() == []
    # one refresh at a time: while another worker holds the event, this one steps aside
    ParticipantFactory(event=soon, name="Other", profile__offers=["bus lanes"])
    Event.objects.filter(pk=soon.pk).update(
        lists_refreshing_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert refresh_stale_events.apply().get() == []
    Event.objects.filter(pk=soon.pk).update(lists_refreshing_until=None)
    assert refresh_stale_events.apply().get() == [soon.slug]
    assert Event.objects.get(pk=soon.pk).lists_refreshing_until is None
    # an event without slots yet is checked too
    empty = EventFactory()
    empty.slots.all().delete()
    ParticipantFactory(event=empty, name="Early bird", profile__offers=["sensors"])
    assert empty.slug in refresh_stale_events.apply().get()


@pytest.mark.django_db
def test_who_leaves_and_comes_back_before_the_periodic_check_is_in_the_lists_again(send):
    """Saying "I no longer come" takes someone out of the lists that showed them at once; saying
    "I come after all" before the periodic check left them out for good (the event's inputs
    were as at its last full refresh, so the check saw nothing to do)."""
    from django.utils import timezone

    from matchmaking.models import Recommendation
    from matchmaking.services.attendance import attendance_resume, attendance_withdraw
    from matchmaking.services.meetings import Actor
    from matchmaking.services.recommendations import event_refresh
    from matchmaking.tasks import refresh_stale_events
    from tests.factories import EventFactory

    soon = EventFactory(days=[timezone.localdate() + dt.timedelta(days=20)])
    city = ParticipantFactory(
        event=soon,
        kind="delegation",
        profile__needs=["réduire les embouteillages aux carrefours"],
    )
    flow = ParticipantFactory(
        event=soon,
        name="FlowSense",
        kind="exhibitor",
        profile__offers=["adaptive traffic signal control that cuts congestion"],
    )
    ParticipantFactory(event=soon, name="AquaMeter", profile__offers=["compteurs d'eau"])
    event_refresh(event=soon)

    def listed():
        return list(
            Recommendation.objects.filter(participant=city)
            .order_by("rank")
            .values_list("candidate__name", flat=True)
        )

    assert listed()[0] == "FlowSense"
    with send():  # the lists' refresh runs after the commit
        attendance_withdraw(participant=flow, actor=Actor(participant=flow))
    assert "FlowSense" not in listed()
    with send():
        attendance_resume(participant=flow)
    assert refresh_stale_events.apply().get() == [soon.slug]
    assert listed()[0] == "FlowSense"
    assert refresh_stale_events.apply().get() == []


@pytest.mark.django_db
def test_periodic_refresh_of_an_event_without_participants_completes(caplog):
    """Nobody registered yet: the refresh has no list to compute, stores its fingerprint and
    logs no failure, so later checks leave the event alone until someone joins."""
    from django.utils import timezone

    from matchmaking.models import Event
    from matchmaking.services.recommendations import inputs_fingerprint
    from matchmaking.tasks import refresh_stale_events
    from tests.factories import EventFactory

    event = EventFactory(days=[timezone.localdate() + dt.timedelta(days=20)])
    with caplog.at_level("ERROR"):
        assert refresh_stale_events.apply().get() == []
    assert caplog.records == []
    event = Event.objects.get(pk=event.pk)
    assert event.lists_fingerprint == inputs_fingerprint(event=event)
    ParticipantFactory(event=event, name="First", profile__offers=["parking sensors"])
    assert refresh_stale_events.apply().get() == [event.slug]


@pytest.mark.django_db
def test_purge_idempotency_keys_deletes_only_keys_past_their_24_hours(event):
    from django.utils import timezone

    from matchmaking.models import IdempotencyKey
    from matchmaking.tasks import purge_idempotency_keys

    user = ParticipantFactory(event=event).user
    fields = {"user": user, "method": "POST", "path": "/x", "fingerprint": "f"}
    old = IdempotencyKey.objects.create(key="old", **fields)
    new = IdempotencyKey.objects.create(key="new", **fields)
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - IdempotencyKey.TTL - dt.timedelta(seconds=1)
    )
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [new.key]


@pytest.mark.django_db
def test_purge_sign_ins_deletes_old_links_and_expired_sessions(event):
    """Used and expired sign-in links, and expired sessions, piled up for ever (Django deletes
    neither by itself); beat now purges them daily: links a week after they were used or
    expired, sessions once expired."""
    import hashlib

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from matchmaking.models import LoginLink
    from matchmaking.services.participants import login_link_create
    from matchmaking.tasks import purge_sign_ins

    person = ParticipantFactory(event=event)
    now = timezone.now()
    links = {name: login_link_create(participant=person) for name in ("valid", "a", "b", "c", "d")}
    week = dt.timedelta(days=7, minutes=1)
    changes = {
        "a": {"used_at": now - week},  # used over a week ago
        "b": {"expires_at": now - week},  # expired over a week ago
        "c": {"used_at": now - dt.timedelta(days=1)},  # used yesterday: kept a while
        "d": {"expires_at": now - dt.timedelta(days=1)},
    }

    def row(secret):
        return LoginLink.objects.filter(token_hash=hashlib.sha256(secret.encode()).hexdigest())

    for name, fields in changes.items():
        row(links[name]).update(**fields)
    live, dead = SessionStore(), SessionStore()
    live.create()
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(expire_date=now - week)

    assert purge_sign_ins.apply().get() == 2
    assert {n for n, secret in links.items() if row(secret).exists()} == {"valid", "c", "d"}
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert purge_sign_ins.apply().get() == 0  # idempotent
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-sign-ins"]
    assert schedule == {"task": "matchmaking.purge_sign_ins", "schedule": 86400.0}


def _broker_down(*args, **kwargs):
    raise OSError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_a_task_queue_that_is_down_fails_no_committed_change_and_the_sweep_sends_later(
    upcoming_event,
    make_participant,
    as_participant,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """With the broker down a booking committed, then answered 500 (the enqueue after commit
    raised), and its retry said "already has a meeting" (the fourth review). Now it answers
    201, its notes wait, and the periodic sweep sends them; a profile edit likewise."""
    from django.core import mail
    from django.utils import timezone

    from matchmaking.models import Meeting, Notification
    from matchmaking.services.notifications import notifications_send_pending
    from matchmaking.tasks import refresh_participant

    monkeypatch.setattr(send_notifications, "delay", _broker_down)
    monkeypatch.setattr(refresh_participant, "delay", _broker_down)
    a = make_participant(event=upcoming_event, name="Amina")
    b = make_participant(event=upcoming_event, name="Bruno")
    request = RequestFactory(sender=a, recipient=b, status="accepted")
    slot = upcoming_event.slots.order_by("start").first()
    with django_capture_on_commit_callbacks(execute=True):
        booked = as_participant(a).post(
            f"/api/events/{upcoming_event.slug}/meetings/book/",
            {"request": request.pk, "slot": slot.pk},
        )
    assert booked.status_code == 201, booked.data
    assert Meeting.objects.count() == 1
    note = Notification.objects.get()
    assert (note.recipient_id, note.status) == (b.pk, "pending")
    with django_capture_on_commit_callbacks(execute=True):
        edited = as_participant(a).patch(
            f"/api/events/{upcoming_event.slug}/me/", {"offers": ["parking sensors"]}, format="json"
        )
    assert edited.status_code == 200, edited.data
    assert notifications_send_pending() == 0  # its own task may still come
    later = timezone.now() + dt.timedelta(minutes=3)
    assert notifications_send_pending(now=later) == 1
    assert Notification.objects.get().status == "sent" and len(mail.outbox) == 1
    assert notifications_send_pending(now=later) == 0


@pytest.mark.django_db
def test_a_run_that_cannot_be_queued_fails_at_once_saying_why(
    organiser_client, monkeypatch, django_capture_on_commit_callbacks
):
    from matchmaking.models import ScheduleRun
    from matchmaking.tasks import run_schedule
    from tests.matchmaking.test_scheduling import fair

    event = event_import(data=fair())
    monkeypatch.setattr(run_schedule, "delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        created = organiser_client.post(
            f"/api/events/{event.slug}/schedule-runs/", {"time_limit": 5}, format="json"
        )
    assert created.status_code == 202
    run = ScheduleRun.objects.get()
    assert run.status == "failed"
    assert run.error == (
        "The task queue could not be reached (OSError); nothing ran. Check the workers "
        "(docs/operations.md), then start the run again."
    )


@pytest.mark.django_db
def test_runs_lost_by_their_workers_are_failed_and_a_late_result_does_not_revive_them(event):
    from django.utils import timezone

    from matchmaking.models import ScheduleRun
    from matchmaking.services.scheduling import schedule_run_execute, schedule_runs_fail_stalled
    from matchmaking.tasks import fail_stalled_runs

    now = timezone.now()
    hour = dt.timedelta(hours=1)
    queued_long = ScheduleRun.objects.create(event=event, options={"time_limit": 60})
    from matchmaking.services.scheduling import _clean_options

    # complete options: the late run solves, and only the guard keeps it failed
    queued_now = ScheduleRun.objects.create(event=event, options=_clean_options({"time_limit": 2}))
    running_long = ScheduleRun.objects.create(
        event=event, options={"time_limit": 60}, status="running", started_at=now - hour
    )
    running_now = ScheduleRun.objects.create(
        event=event,
        options={"time_limit": 600},
        status="running",
        started_at=now - 2 * 600 * dt.timedelta(seconds=1),
    )
    ScheduleRun.objects.filter(pk=queued_long.pk).update(created_at=now - 2 * hour)
    assert sorted(schedule_runs_fail_stalled(now=now)) == [queued_long.pk, running_long.pk]
    assert fail_stalled_runs.apply().get() == []
    states = dict(ScheduleRun.objects.values_list("pk", "status"))
    assert states == {
        queued_long.pk: "failed",
        queued_now.pk: "queued",
        running_long.pk: "failed",
        running_now.pk: "running",
    }
    assert ScheduleRun.objects.get(pk=running_long.pk).error == (
        "The worker running this run stopped before it finished; start it again."
    )
    # the lost worker comes back with a plan: the run stays failed
    run = ScheduleRun.objects.get(pk=queued_now.pk)
    from matchmaking.services import scheduling

    real = scheduling.build_problem

    def reaped_meanwhile(**kwargs):
        ScheduleRun.objects.filter(pk=run.pk).update(status="failed", error="lost")
        return real(**kwargs)

    scheduling.build_problem = reaped_meanwhile
    try:
        assert schedule_run_execute(run=run).status == "failed"
    finally:
        scheduling.build_problem = real


@pytest.mark.django_db
def test_a_publish_runs_in_the_background_and_a_refused_or_lost_one_is_a_draft_again(
    organiser_client, monkeypatch, django_capture_on_commit_callbacks
):
    """Publishing 6,379 meetings held one console request for 8 minutes, longer than a proxy
    or a server lets a request live (the exploratory test): it now runs as a task."""
    from django.utils import timezone

    from matchmaking.exceptions import Conflict
    from matchmaking.models import Meeting, ScheduleRun
    from matchmaking.services import scheduling
    from matchmaking.tasks import publish_schedule
    from tests.matchmaking.test_scheduling import fair

    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    with django_capture_on_commit_callbacks(execute=True):
        created = organiser_client.post(url, {"time_limit": 5}, format="json")
    run_url = f"{url}{created.data['id']}/"

    # asked, not yet done: the worker has not taken it
    asked = organiser_client.post(f"{run_url}publish/")
    assert (asked.status_code, asked.data["status"]) == (202, "publishing")
    assert organiser_client.post(f"{run_url}publish/").status_code == 409  # once
    run = ScheduleRun.objects.get()
    assert publish_schedule.delay(run_id=run.pk, user_id=None).get() == "published"
    assert Meeting.objects.filter(event=event).count() == len(fair()["requests"])
    assert publish_schedule.delay(run_id=run.pk, user_id=None).get() is None  # redelivered

    # refused by the rules: a draft again, saying why, nothing written
    with django_capture_on_commit_callbacks(execute=True):
        second = organiser_client.post(url, {"time_limit": 5}, format="json")
    second_run = ScheduleRun.objects.get(pk=second.data["id"])

    def refuse(**kwargs):
        raise Conflict("A booking service refused a step.", code="publish_stopped")

    monkeypatch.setattr(scheduling, "schedule_run_publish", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(f"{url}{second_run.pk}/publish/")
    second_run.refresh_from_db()
    assert (second_run.status, second_run.error) == ("draft", "A booking service refused a step.")
    monkeypatch.undo()

    # the queue down: a draft again at once
    monkeypatch.setattr(publish_schedule, "delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(f"{url}{second_run.pk}/publish/")
    second_run.refresh_from_db()
    assert second_run.status == "draft"
    assert second_run.error.startswith("The task queue could not be reached")
    monkeypatch.undo()

    # lost by its worker: a draft again after an hour
    ScheduleRun.objects.filter(pk=second_run.pk).update(
        status="publishing", published_at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert scheduling.schedule_runs_fail_stalled() == [second_run.pk]
    second_run.refresh_from_db()
    assert second_run.status == "draft" and "stopped before it finished" in second_run.error


@pytest.mark.django_db
def test_one_publish_at_a_time_per_event(organiser_client, django_capture_on_commit_callbacks):
    """A second draft could be published while the first was still publishing: an older plan
    could then land after a newer one (the focused test)."""
    from matchmaking.models import ScheduleRun
    from tests.matchmaking.test_scheduling import fair

    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    with django_capture_on_commit_callbacks(execute=True):
        first = organiser_client.post(url, {"time_limit": 5}, format="json").data["id"]
        second = organiser_client.post(url, {"time_limit": 5}, format="json").data["id"]
    assert organiser_client.post(f"{url}{first}/publish/").status_code == 202  # not yet done
    refused = organiser_client.post(f"{url}{second}/publish/")
    assert (refused.status_code, refused.data["code"]) == (409, "publish_in_progress")
    assert f"Run {first} is being published" in refused.data["detail"]
    assert ScheduleRun.objects.get(pk=second).status == "draft"


@pytest.mark.django_db
def test_runs_left_unfinished_by_the_embedded_process_are_failed_when_it_starts_again(event):
    """Embedded setup (no broker: ``manage.py demo``): a run is solved or published inside the
    web process, so one that process left queued, running or publishing when it stopped is
    worked on by nobody. Its card said "Running · 30 %" for its time limit plus 15 minutes (a
    1000-second run: 32 minutes) until ``fail_stalled_runs`` gave up on it; the demo now fails
    them as it starts."""
    from django.utils import timezone

    from matchmaking.models import ScheduleRun
    from matchmaking.services.scheduling import schedule_runs_fail_unfinished

    now = timezone.now()
    queued = ScheduleRun.objects.create(event=event, options={"time_limit": 60})
    running = ScheduleRun.objects.create(
        event=event, options={"time_limit": 1000}, status="running", started_at=now
    )
    publishing = ScheduleRun.objects.create(
        event=event, options={"time_limit": 60}, status="publishing", published_at=now
    )
    draft = ScheduleRun.objects.create(event=event, options={"time_limit": 60}, status="draft")
    assert sorted(schedule_runs_fail_unfinished()) == sorted([queued.pk, running.pk, publishing.pk])
    states = {r.pk: (r.status, r.error) for r in ScheduleRun.objects.all()}
    stopped = "The server stopped before this run finished; start it again."
    assert states == {
        queued.pk: ("failed", stopped),
        running.pk: ("failed", stopped),
        publishing.pk: (
            "draft",
            "The server stopped while publishing this run; nothing was published. Publish it "
            "again.",
        ),
        draft.pk: ("draft", ""),
    }
    assert ScheduleRun.objects.get(pk=publishing.pk).published_at is None
    assert schedule_runs_fail_unfinished() == []
