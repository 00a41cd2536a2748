"""The draft's preview (``schedule_run_preview``) against the publish, on hand-made plans that
reach every branch: moves refused and put back, moved to another table or cancelled, bookings
refused by availability, limits, booths and tables; colleagues seated in meetings."""

import contextlib
import datetime as dt
import random

import pytest
from django.utils import timezone

from matchmaking.exceptions import Conflict, DomainError, LimitReached
from matchmaking.models import Availability, Meeting, MeetingLog, ScheduleRun, Table
from matchmaking.services.meetings import Actor, meeting_book
from matchmaking.services.scheduling import schedule_run_preview, schedule_run_publish
from tests.factories import EventFactory, ParticipantFactory, RequestFactory
from tests.matchmaking.test_scheduling import (
    assert_no_double_booking,
    assert_preview_is_the_publish,
)

pytestmark = pytest.mark.django_db

SEEDS = [227, 297, 327, 418, 603, *range(60)]  # the first five failed before the fall-back fix


def _random_draft(rng: random.Random):
    event = EventFactory(
        days=[timezone.localdate() + dt.timedelta(days=30)], tables=rng.choice([0, 1, 2, 3])
    )
    slots = list(event.slots.order_by("start"))[:5]
    n = rng.randint(4, 7)
    people = [
        ParticipantFactory(event=event, name=rng.choice("ABCDEFG") + str(i)) for i in range(n)
    ]
    colleague = (
        ParticipantFactory(event=event, organisation=people[0].organisation, name="Colleague")
        if rng.random() < 0.5
        else None
    )
    if rng.random() < 0.4:
        people[1].fixed_table = Table.objects.create(event=event, name="Booth", shared=False)
        people[1].save(update_fields=["fixed_table"])
    requests = [
        RequestFactory(
            sender=people[i],
            recipient=people[j],
            session=rng.choice(["any", "any", "morning"]),
        )
        for i in range(n)
        for j in range(i + 1, n)
        if rng.random() < 0.5
    ]
    tables = list(event.tables.all())
    meetings = {}
    for r in requests:
        if rng.random() < 0.5:
            joins = colleague and r.sender_id == people[0].pk and rng.random() < 0.5
            with contextlib.suppress(DomainError):  # a random slot may be refused
                meetings[r.pk] = meeting_book(
                    request=r,
                    slot=rng.choice(slots),
                    actor=Actor(system=True),
                    attendees=[colleague] if joins else [],
                )
    plan, basis = [], {}
    for r in requests:
        m = meetings.get(r.pk)
        basis[str(r.pk)] = [m.pk, m.slot_id, m.table_id] if m else None
        if rng.random() < 0.85:
            table = rng.choice([None] + [t.pk for t in tables])
            plan.append([r.pk, rng.choice(slots).pk, table])
    run = ScheduleRun.objects.create(
        event=event, status=ScheduleRun.Status.DRAFT, plan=plan, basis=basis
    )
    # after the run: times narrowed, limits lowered
    for person in rng.sample(people, 2):
        for s in rng.sample(slots, rng.randint(1, 4)):
            Availability.objects.create(participant=person, start=s.start, end=s.end)
    for person in rng.sample(people, 2):
        person.max_meetings = rng.randint(0, 3)
        person.save(update_fields=["max_meetings"])
    return run


@pytest.mark.parametrize("seed", SEEDS)
def test_preview_reports_what_the_publish_does_on_random_plans(seed):
    """The publish carries out its plan (the preview) through the booking services, which check
    every rule again and would stop it: here they never do, and the rows say what the report
    says."""
    run = _random_draft(random.Random(seed))
    tables = dict(Meeting.objects.filter(event=run.event).values_list("pk", "table"))
    preview = schedule_run_preview(run=run)
    report = schedule_run_publish(run=run, user=None).publish_report
    assert_preview_is_the_publish(preview, report)
    meetings = Meeting.objects.filter(event=run.event)
    dropped = meetings.filter(cancel_reason__startswith="The meeting no longer fits the schedule")
    for pk, table in dropped.values_list("pk", "table"):
        assert table == tables[pk]  # a cancelled meeting keeps its place for the record
    assert meetings.filter(source="scheduler").count() == report["booked"]
    assert (
        meetings.filter(cancel_reason__contains=f"scheduler run {run.pk})").count()
        == (report["cancelled"])
    )
    assert (
        MeetingLog.objects.filter(meeting__event=run.event, action="moved").count()
        == (report["moved"])
    )
    assert_no_double_booking(run.event)


def test_a_step_the_booking_service_refuses_stops_the_publish_and_writes_nothing(monkeypatch):
    """Should the booking service ever refuse what the plan allowed, the publish is not half
    done: it stops with a sentence and every row stays as it was."""
    from matchmaking.services import meetings as booking

    run = next(
        r
        for r in map(_random_draft, map(random.Random, SEEDS))
        if schedule_run_preview(run=r)["book"]
    )
    before = sorted(Meeting.objects.filter(event=run.event).values_list("pk", "slot", "status"))

    def refuse(*args, **kwargs):
        raise LimitReached("Everyone has reached their limit.")

    monkeypatch.setattr(booking, "_check_caps", refuse)  # the plan's own copy still allows
    with pytest.raises(Conflict) as info:
        schedule_run_publish(run=run, user=None)
    assert info.value.code == "publish_stopped"
    assert "Nothing was changed" in info.value.message
    assert "Everyone has reached their limit." in info.value.message
    after = sorted(Meeting.objects.filter(event=run.event).values_list("pk", "slot", "status"))
    assert after == before
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.DRAFT
    assert_no_double_booking(run.event)
