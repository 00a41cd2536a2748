"""Celery tasks: thin wrappers that call a service. Idempotent, ids as keyword arguments."""

import logging

from celery import shared_task

from matchmaking.services.requests import requests_expire, requests_expiring_remind

logger = logging.getLogger(__name__)


@shared_task(name="matchmaking.expire_requests")
def expire_requests() -> int:
    """Mark pending requests past their expiry as expired, and remind the recipients of those
    that expire soon (runs every 5 minutes under beat)."""
    count = requests_expire()
    if count:
        logger.info("expired %d meeting requests", count)
    reminded = requests_expiring_remind()
    if reminded:
        logger.info("reminded the recipients of %d meeting requests about to expire", reminded)
    return count


@shared_task(name="matchmaking.run_schedule")
def run_schedule(*, run_id: int) -> str | None:
    """Solve a queued schedule run into a draft plan; a redelivered started run does nothing."""
    from matchmaking.models import ScheduleRun
    from matchmaking.services.scheduling import schedule_run_execute

    run = ScheduleRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("schedule run %s is gone", run_id)
        return None
    return schedule_run_execute(run=run).status


@shared_task(name="matchmaking.publish_schedule")
def publish_schedule(*, run_id: int, user_id: int | None = None) -> str | None:
    """Publish a draft run asked for publishing (``schedule_run_publish_later``)."""
    from matchmaking.services.scheduling import schedule_run_publish_task

    return schedule_run_publish_task(run_id=run_id, user_id=user_id)


@shared_task(name="matchmaking.send_notifications")
def send_notifications(*, notification_ids: list[int]) -> int:
    """Send pending notifications by email (a redelivery sends nothing twice)."""
    from matchmaking.services.notifications import notifications_send

    return notifications_send(ids=notification_ids)


@shared_task(name="matchmaking.send_pending_notifications")
def send_pending_notifications() -> int:
    """Send notifications whose own task never ran (runs every 5 minutes under beat)."""
    from matchmaking.services.notifications import notifications_send_pending

    return notifications_send_pending()


@shared_task(name="matchmaking.fail_stalled_runs")
def fail_stalled_runs() -> list[int]:
    """Mark failed the schedule runs no worker finished (runs every 5 minutes under beat)."""
    from matchmaking.services.scheduling import schedule_runs_fail_stalled

    return schedule_runs_fail_stalled()


@shared_task(name="matchmaking.send_reminders")
def send_reminders() -> int:
    """Create and send reminders for meetings that start soon (runs every 5 minutes)."""
    from matchmaking.services.notifications import reminders_due

    return reminders_due()


@shared_task(name="matchmaking.ask_feedback")
def ask_feedback() -> int:
    """Ask participants how their meetings went, after their last meeting of each day (runs
    every 15 minutes)."""
    from matchmaking.services.notifications import feedback_requests_due

    return feedback_requests_due()


@shared_task(name="matchmaking.refresh_participant")
def refresh_participant(*, participant_id: int, with_referrers: bool = False) -> None:
    """Re-encode one profile if its text changed and recompute its recommendations (with
    ``with_referrers``, also the lists that show this participant)."""
    from matchmaking.models import Participant
    from matchmaking.services.recommendations import participant_refresh

    person = Participant.objects.select_related("event").filter(pk=participant_id).first()
    if person is None:
        logger.warning("participant %s is gone", participant_id)
        return
    participant_refresh(participant=person, with_referrers=with_referrers)


@shared_task(name="matchmaking.refresh_event")
def refresh_event(*, event_id: int) -> int:
    """Encode every changed profile of an event and recompute every list (batch)."""
    from matchmaking.models import Event
    from matchmaking.services.recommendations import event_refresh

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        logger.warning("event %s is gone", event_id)
        return 0
    return event_refresh(event=event)


@shared_task(name="matchmaking.refresh_stale_events")
def refresh_stale_events() -> list[str]:
    """Recompute every list of the events whose profiles, times or weights changed since their
    last full refresh (periodic), so an edited or new profile reaches everyone's list."""
    from matchmaking.services.recommendations import stale_events_refresh

    return stale_events_refresh()


@shared_task(name="matchmaking.learn_rankers")
def learn_rankers() -> int:
    """Re-learn every event's ranker weights from its answered requests and the people its
    participants saved or hid (nightly)."""
    from matchmaking.models import Event, Mark, MeetingRequest
    from matchmaking.services.recommendations import ranker_learn

    done = 0
    for event in Event.objects.all():
        answered = MeetingRequest.objects.filter(event=event, status__in=["accepted", "declined"])
        if answered.exists() or Mark.objects.filter(event=event).exists():
            report = ranker_learn(event=event)
            logger.info("ranker of %s: %s", event.slug, report)
            done += 1
    return done


@shared_task(name="matchmaking.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Delete ``Idempotency-Key`` records past their 24 hours (runs daily under beat)."""
    from matchmaking.services.maintenance import idempotency_keys_purge

    return idempotency_keys_purge()


@shared_task(name="matchmaking.send_sign_in_link")
def send_sign_in_link(*, email: str, origin: str, then: str = "") -> bool:
    """Email a sign-in link to the participant with ``email``, if there is one (the sign-in form
    queues this for every address it is given, so that its answer time tells nothing)."""
    from matchmaking.services.participants import sign_in_link_request

    return sign_in_link_request(email=email, origin=origin, then=then)


@shared_task(name="matchmaking.purge_sign_ins")
def purge_sign_ins() -> int:
    """Delete sign-in links used or expired more than a week ago, and expired sessions (runs
    daily under beat). Returns how many links were deleted."""
    from matchmaking.services.maintenance import login_links_purge, sessions_purge

    sessions_purge()
    return login_links_purge()
