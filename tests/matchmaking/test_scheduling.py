"""The organiser's scheduler runs end to end: database → solver → draft → publish."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import Meeting, MeetingLog, MeetingSeat, ScheduleRun
from matchmaking.reasons import when_text
from matchmaking.services.importer import event_import
from matchmaking.services.scheduling import (
    build_problem,
    schedule_run_create,
    schedule_run_execute,
    schedule_run_publish,
)

pytestmark = pytest.mark.django_db

# A month ahead: the scheduler plans new meetings only into slots that have not started.
FAIR_DAY = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def event(upcoming_event):
    """New meetings go only into slots that have not started: plan a month ahead."""
    return upcoming_event


def fair(n_companies=6, n_cities=6, booth_pairs=True) -> dict:
    """Cities request every company; companies sit two per booth (one booth per pair)."""
    people = []
    for i in range(n_companies):
        people.append(
            {
                "ref": f"c{i}",
                "name": f"Company {i}",
                "email": f"c{i}@example.org",
                "organisation": f"Org {i // 2 if booth_pairs else i}",
                "kind": "exhibitor",
                "languages": ["en"],
                "offers": ["sensors"],
                "needs": [],
                "sectors": ["mobility"],
                "fixed_table": f"Booth {i // 2 if booth_pairs else i}",
            }
        )
    for j in range(n_cities):
        people.append(
            {
                "ref": f"v{j}",
                "name": f"City {j}",
                "email": f"v{j}@example.org",
                "organisation": f"City {j}",
                "kind": "delegation",
                "languages": ["fr"],
                "offers": [],
                "needs": ["sensors"],
                "sectors": ["mobility"],
            }
        )
    requests = [
        {"from": f"v{j}", "to": f"c{i}", "status": "accepted", "priority": 1 + (i + j) % 5}
        for i in range(n_companies)
        for j in range(n_cities)
        if (i + j) % 2 == 0
    ]
    return {
        "event": {
            "slug": "sched-fair",
            "name": "Scheduling fair",
            "timezone": "Africa/Casablanca",
            "slot_minutes": 30,
            "tables": 4,
            "days": [
                {
                    "date": FAIR_DAY,
                    "sessions": [
                        {"start": "09:00", "end": "12:00"},
                        {"start": "14:00", "end": "17:00"},
                    ],
                }
            ],
        },
        "participants": people,
        "requests": requests,
        "meetings": [],
    }


def run_and_publish(event, **options):
    run = schedule_run_create(
        event=event, user=None, options={"time_limit": 10, **options}, enqueue=False
    )
    run = schedule_run_execute(run=run)
    assert run.status == "draft", run.error
    return schedule_run_publish(run=run, user=None)


def assert_no_double_booking(event):
    seats = MeetingSeat.objects.filter(meeting__event=event, active=True)
    assert seats.count() == len({(s.participant_id, s.slot_id) for s in seats})
    live = Meeting.objects.filter(event=event).exclude(status="cancelled")
    places = [(m.table_id, m.slot_id) for m in live if m.table_id]
    assert len(places) == len(set(places))


def assert_preview_is_the_publish(preview: dict, report: dict) -> None:
    """The draft's preview said exactly what its publish then did: counts, skipped changes,
    their reasons and order."""
    assert (preview["book"], preview["move"], preview["cancel"], preview["keep"]) == (
        report["booked"],
        report["moved"],
        report["cancelled"],
        report["kept"],
    )
    assert preview["skipped"] == report["skipped"]


def test_publish_books_every_request_with_shared_booths_respected():
    event = event_import(data=fair())
    run = run_and_publish(event)
    requested = len(fair()["requests"])
    assert run.stats["scheduled"] == requested
    assert run.publish_report == {
        "booked": requested,
        "moved": 0,
        "kept": 0,
        "cancelled": 0,
        "left": 0,
        "skipped": [],
    }
    assert Meeting.objects.filter(event=event, source="scheduler").count() == requested
    assert_no_double_booking(event)
    # Two companies share each booth: their meetings never overlap.
    assert all(m.table.name.startswith("Booth") for m in Meeting.objects.filter(event=event))


def test_rerun_without_changes_moves_nothing():
    event = event_import(data=fair())
    run_and_publish(event)
    before = dict(Meeting.objects.filter(event=event).values_list("request_id", "slot_id"))
    second = run_and_publish(event)
    assert second.stats["moved"] == 0
    assert second.publish_report["moved"] == 0
    assert dict(Meeting.objects.filter(event=event).values_list("request_id", "slot_id")) == before
    assert ScheduleRun.objects.get(pk=second.pk - 1).status == "superseded"


def test_participant_bookings_stay_pinned():
    data = fair()
    first = data["requests"][0]
    data["meetings"] = [{"from": first["from"], "to": first["to"], "start": f"{FAIR_DAY}T16:30"}]
    event = event_import(data=data)
    pinned = Meeting.objects.get(event=event)
    built = build_problem(event=event)
    assert [r.fixed_slot for r in built.problem.requests if r.id == pinned.request_id] == [11]
    run_and_publish(event)
    pinned.refresh_from_db()
    assert pinned.slot.start.astimezone(event.tz).strftime("%H:%M") == "16:30"
    assert pinned.sequence == 0
    assert_no_double_booking(event)


def test_a_meeting_a_participant_moved_stays_where_they_put_it():
    """A participant moved a meeting the scheduler had placed: it stayed "scheduler"-placed,
    unpinned, and the next run could move it away from the time they chose (the review)."""
    from matchmaking.models import Participant
    from matchmaking.services.meetings import Actor, meeting_reschedule

    event = event_import(data=fair())
    run_and_publish(event)
    meeting = Meeting.objects.filter(event=event, source="scheduler").first()
    person = Participant.objects.get(pk=meeting.request.sender_id)
    people = [meeting.request.sender_id, meeting.request.recipient_id]
    free = [
        slot
        for slot in event.slots.order_by("start")
        if slot.pk != meeting.slot_id
        and not Meeting.objects.filter(slot=slot, seats__participant__in=people)
        .exclude(status="cancelled")
        .exists()
    ]
    moved = meeting_reschedule(meeting=meeting, slot=free[-1], actor=Actor(participant=person))
    assert moved.source == "participant"
    built = build_problem(event=event)
    index = list(event.slots.order_by("start")).index(free[-1])
    assert [r.fixed_slot for r in built.problem.requests if r.id == meeting.request_id] == [index]


def test_a_runs_figures_count_people_not_the_booths_the_solver_merges():
    """Two people at one booth are one solver participant: a run reported 52 people without a
    meeting where there were 74, and 0 idle slots where a booth's people had 422 (the
    exploratory test). The figures are now counted per person."""
    from matchmaking import scheduler

    event = event_import(data=fair())
    built = build_problem(event=event)
    people = built.by_person()
    assert len(people.participants) == 12 and len(built.problem.participants) == 9

    def requests_of(ref):
        pk = event.participants.get(ref=ref).pk
        return [r.id for r in built.problem.requests if pk in built.people_of[r.id]]

    # Company 0 meets in slots 0 and 3, Company 1 (same booth) in slot 1, nobody else
    first, second = requests_of("c0")[:2]
    plan = [
        scheduler.Assignment(request_id=first, slot=0, table=None, place="Booth 0"),
        scheduler.Assignment(request_id=second, slot=3, table=None, place="Booth 0"),
        scheduler.Assignment(request_id=requests_of("c1")[0], slot=1, table=None, place="Booth 0"),
    ]
    assert scheduler.idle_summary(built.problem, plan) == (1, 1, 0)  # the booth: {0, 1, 3}
    assert scheduler.idle_summary(people, plan) == (2, 2, 0)  # Company 0: {0, 3}
    run = schedule_run_execute(run=schedule_run_create(event=event, user=None, enqueue=False))
    assert run.stats["participants"] == 12
    assert run.stats["solver_nodes"]["participants"] == 9


def test_a_limit_lowered_below_what_stays_booked_does_not_stop_the_scheduler():
    """An organiser lowers someone's limit below their pinned meetings: every run of the event
    failed ("fixed meetings exceed a participant's cap"), naming nobody (the fourth review).
    What stays counts; nothing new is added for that person, the others are planned."""
    from matchmaking.models import Participant

    data = fair(booth_pairs=False)
    city = data["requests"][0]["from"]
    mine = [r for r in data["requests"] if r["from"] == city]
    data["meetings"] = [
        {"from": r["from"], "to": r["to"], "start": f"{FAIR_DAY}T{h}"}
        for r, h in zip(mine, ("16:30", "16:00", "15:30"), strict=False)
    ]
    event = event_import(data=data)
    Participant.objects.filter(event=event, ref=city).update(max_meetings=1)
    run = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
    run = schedule_run_execute(run=run)
    assert run.status == ScheduleRun.Status.DRAFT, run.error
    run = schedule_run_publish(run=run, user=None)
    person = Participant.objects.get(event=event, ref=city)
    live = Meeting.objects.filter(event=event).exclude(status=Meeting.Status.CANCELLED)
    assert live.filter(seats__participant=person).count() == 3  # the three pinned, no more
    assert live.count() > 3
    assert_no_double_booking(event)


def test_an_event_without_tables_is_scheduled_and_a_failure_after_solving_fails_the_run(
    make_participant, monkeypatch
):
    """Without table allocation the run crashed after solving (IndexError on the empty table
    list) outside its error handling: the API answered 500 and the run stayed "running" for
    good (the fifth exploratory test). It now plans and books meetings without a table, and
    anything failing after the solver marks the run failed."""
    from matchmaking.services import scheduling
    from tests.factories import EventFactory, RequestFactory

    event = EventFactory(tables=0, days=[timezone.localdate() + dt.timedelta(days=30)])
    for i in range(3):
        RequestFactory(
            sender=make_participant(event=event, name=f"A{i}"),
            recipient=make_participant(event=event, name=f"B{i}"),
            status="accepted",
        )
    run = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
    run = schedule_run_execute(run=run)
    assert run.status == ScheduleRun.Status.DRAFT, run.error
    assert [table for _req, _slot, table in run.plan] == [None, None, None]
    run = schedule_run_publish(run=run, user=None)
    assert run.publish_report["booked"] == 3
    assert list(Meeting.objects.values_list("table", flat=True)) == [None, None, None]

    def broken(a, built):
        raise RuntimeError("plan row")

    monkeypatch.setattr(scheduling, "_plan_entry", broken)
    again = schedule_run_execute(
        run=schedule_run_create(event=event, user=None, options={"time_limit": 2}, enqueue=False)
    )
    assert (again.status, again.error) == (ScheduleRun.Status.FAILED, "plan row")


def test_a_colleague_sitting_in_a_meeting_is_busy_for_the_scheduler(make_participant):
    """Colleagues are not in the solver's pairs: a run planned Amina's colleague Karim into the
    slot where he sits in Amina's meeting, reported it scheduled, and the publish refused it
    (the fifth exploratory test). The meeting with a colleague now stays, Karim's slot is taken,
    and what the run reports is what the publish does."""
    from matchmaking.models import Availability, Table
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import EventFactory, RequestFactory

    event = EventFactory(tables=5, days=[timezone.localdate() + dt.timedelta(days=30)])
    slots = list(event.slots.order_by("start"))
    amina = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=amina.organisation)
    bruno, chen, dina = (make_participant(event=event, name=n) for n in ("Bruno", "Chen", "Dina"))
    Availability.objects.create(participant=chen, start=slots[0].start, end=slots[0].end)
    meeting = meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno, status="accepted"),
        slot=slots[0],
        actor=Actor(system=True),
        attendees=[karim],
        source=Meeting.Source.SCHEDULER,  # the scheduler's own: not pinned by its source
    )
    RequestFactory(sender=karim, recipient=chen, status="accepted")  # only slot 0 for Chen
    with_dina = RequestFactory(sender=karim, recipient=dina, status="accepted")
    run = schedule_run_execute(
        run=schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
    )
    assert run.status == ScheduleRun.Status.DRAFT, run.error
    planned = {req: slot for req, slot, _table in run.plan}
    assert planned[meeting.request_id] == slots[0].pk  # stays, with Karim
    assert set(planned) == {meeting.request_id, with_dina.pk}  # Karim-Chen cannot be planned
    assert planned[with_dina.pk] != slots[0].pk
    assert run.stats["scheduled"] == 2
    run = schedule_run_publish(run=run, user=None)
    assert run.publish_report["skipped"] == []
    assert run.publish_report["booked"] == 1
    assert MeetingSeat.objects.filter(meeting=meeting, participant=karim, active=True).exists()
    assert Table.objects.filter(event=event).count() == 5
    assert_no_double_booking(event)


def test_moved_meetings_bump_sequence_and_are_logged():
    event = event_import(data=fair())
    run_and_publish(event)
    m = Meeting.objects.filter(event=event).first()
    # Make the meeting's current slot unavailable for one side: the re-run must move it.
    city = m.request.sender
    city.availability.create(start=m.slot.end, end=m.slot.end.replace(hour=23))
    run = run_and_publish(event)
    m.refresh_from_db()
    assert m.status == "scheduled"
    assert m.sequence == 1
    assert run.publish_report["moved"] >= 1
    assert MeetingLog.objects.filter(meeting=m, action="moved").count() == 1
    assert_no_double_booking(event)


def test_meetings_that_happened_stay_when_availability_changes_later():
    """A meeting marked no-show (or held) in the morning, then the person's times become
    "afternoon only": the next run keeps that meeting where it was instead of failing."""
    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor, meeting_set_status

    event = event_import(data=fair())
    run_and_publish(event)
    m = Meeting.objects.filter(event=event, slot__start__hour__lt=11).order_by("slot__start")[0]
    meeting_set_status(meeting=m, status="no_show", actor=Actor(system=True), now=m.slot.end)
    city = m.request.sender
    afternoon = [
        s for s in event.slots.order_by("start") if s.start.astimezone(event.tz).hour >= 14
    ]
    availability_replace(
        participant=city,
        periods=[(afternoon[0].start, afternoon[-1].end)],
        actor=Actor(system=True),
        cancel_conflicting=True,
    )
    run = run_and_publish(event)
    m.refresh_from_db()
    assert (m.status, m.sequence) == ("no_show", 0)
    assert run.stats["scheduled"] >= 1
    later = Meeting.objects.filter(request__sender=city, status="scheduled")
    assert all(x.slot.start >= afternoon[0].start for x in later)
    assert_no_double_booking(event)


def test_minimise_moves_off_plans_afresh_counts_moves_and_keeps_tables():
    """The organiser can ask for a fresh plan: idle slots come first, but the run still counts
    what it moves against the published plan, and a meeting that stays in its slot keeps its
    table (no spurious "moved" notification)."""
    event = event_import(data=fair(booth_pairs=False))
    for person in event.participants.filter(fixed_table__isnull=False):
        person.fixed_table = None  # shared tables, so table numbers matter
        person.save(update_fields=["fixed_table"])
    first = run_and_publish(event)
    before = dict(Meeting.objects.filter(event=event).values_list("request_id", "slot_id"))
    tables = dict(Meeting.objects.filter(event=event).values_list("request_id", "table_id"))
    city = event.participants.get(ref="v0")
    slots = list(event.slots.order_by("start"))
    city.availability.create(start=slots[0].start, end=slots[5].end)  # mornings only
    run = run_and_publish(event, minimise_moves=False)
    assert run.options["minimise_moves"] is False
    after = dict(Meeting.objects.filter(event=event).values_list("request_id", "slot_id"))
    moved = sum(1 for rid, sid in after.items() if rid in before and before[rid] != sid)
    assert moved >= 1  # the city's afternoon meetings at least
    assert run.stats["moved"] == moved == run.publish_report["moved"]
    kept = [rid for rid in after if before.get(rid) == after[rid]]
    new_tables = dict(Meeting.objects.filter(event=event).values_list("request_id", "table_id"))
    assert kept and all(new_tables[rid] == tables[rid] for rid in kept)
    assert first.stats["moved"] == 0
    assert_no_double_booking(event)


def test_publish_twice_is_refused():
    event = event_import(data=fair())
    run = run_and_publish(event)
    from matchmaking.exceptions import Conflict

    with pytest.raises(Conflict):
        schedule_run_publish(run=run, user=None)


def test_schedule_runs_api(organiser_client, django_capture_on_commit_callbacks):
    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = organiser_client.post(url, {"time_limit": 5}, format="json")
    assert len(callbacks) == 1
    assert created.status_code == 202, created.data
    detail = organiser_client.get(f"{url}{created.data['id']}/")
    assert detail.data["status"] == "draft"  # tasks run in-process by default
    assert detail.data["changes"] == {
        "book": len(fair()["requests"]),
        "move": 0,
        "keep": 0,
        "cancel": 0,
        "leave": 0,
        "skip": 0,
        "skipped": [],
    }
    assert detail.data["stats"]["upper_bound"] == len(fair()["requests"])
    with django_capture_on_commit_callbacks(execute=True):  # the publish task, after commit
        published = organiser_client.post(f"{url}{created.data['id']}/publish/")
    assert (published.status_code, published.data["status"]) == (202, "publishing")
    done = organiser_client.get(f"{url}{created.data['id']}/")
    assert done.data["status"] == "published"
    assert done.data["publish_report"]["booked"] == len(fair()["requests"])
    again = organiser_client.post(f"{url}{created.data['id']}/publish/")
    assert again.status_code == 409
    bad = organiser_client.post(url, {"time_limit": 0}, format="json")
    assert bad.status_code == 400
    person = event.participants.first()
    from tests.conftest import client_for
    from tests.factories import UserFactory

    person.user = UserFactory(username=person.email)
    person.save()
    assert client_for(person.user).get(url).status_code == 403


def test_fair_weight_share_option_is_checked_stored_and_used(organiser_client, monkeypatch):
    from matchmaking.exceptions import DomainError
    from matchmaking.models import ScheduleRun
    from matchmaking.services import scheduling

    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    for bad in (0.5, -0.01, "a lot"):
        resp = organiser_client.post(url, {"fair_weight_share": bad}, format="json")
        assert resp.status_code == 400, resp.data
        assert "fair_weight_share" in str(resp.data)
    assert not ScheduleRun.objects.filter(event=event).exists()  # nothing half-written
    with pytest.raises(DomainError, match=r"between 0 and 0\.05"):
        schedule_run_create(
            event=event, user=None, options={"fair_weight_share": 0.2}, enqueue=False
        )
    seen = []
    real = scheduling.scheduler.solve

    def spy(problem, **kw):
        seen.append(kw["fair_weight_share"])
        return real(problem, **kw)

    monkeypatch.setattr(scheduling.scheduler, "solve", spy)
    run = schedule_run_create(
        event=event, user=None, options={"time_limit": 5, "fair_weight_share": 0.01}, enqueue=False
    )
    assert run.options["fair_weight_share"] == 0.01
    assert schedule_run_execute(run=run).status == "draft"
    # a run stored before the option existed uses 0 (weight first)
    old = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
    ScheduleRun.objects.filter(pk=old.pk).update(options={"time_limit": 5, "seed": 0})
    old.refresh_from_db()
    schedule_run_execute(run=old)
    assert seen == [0.01, 0.0]


def test_publish_moving_a_meeting_keeps_a_colleague_who_left_out_of_it(event, make_participant):
    """A publish vacates the meetings it moves, then re-seats them: the colleague who left the
    meeting stays out (inactive, in the new slot like every seat), the others come back."""
    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina")
    karim = make_participant(name="Karim Noor", organisation=amina.organisation)
    req = RequestFactory(sender=amina, recipient=make_participant(name="Bruno"))
    slots = list(event.slots.order_by("start"))
    meeting = meeting_book(request=req, slot=slots[-1], actor=Actor(system=True), attendees=[karim])
    availability_replace(
        participant=karim,
        periods=[(slots[0].start, slots[0].end)],
        actor=Actor(system=True),
        cancel_conflicting=True,
    )
    table = meeting.table
    run = ScheduleRun.objects.create(
        event=event, status=ScheduleRun.Status.DRAFT, plan=[[req.pk, slots[-2].pk, table.pk]]
    )

    run = schedule_run_publish(run=run, user=None)

    assert (run.publish_report["moved"], run.publish_report["skipped"]) == (1, [])
    seats = {
        s.participant_id: (s.slot_id, s.active, s.left)
        for s in MeetingSeat.objects.filter(meeting=meeting)
    }
    assert seats == {
        amina.pk: (slots[-2].pk, True, False),
        req.recipient_id: (slots[-2].pk, True, False),
        karim.pk: (slots[-2].pk, False, True),
    }
    # the log tells the table it left (the publish had vacated it, so the row held none)
    moved = MeetingLog.objects.get(meeting=meeting, action="moved")
    assert (moved.detail["from_table"], moved.detail["to_table"]) == (table.name, table.name)


def shift_slots(event, *, started: int) -> list:
    """Move the event's slots (and so its meetings) so that the first ``started`` of them have
    begun: "now" is 10 minutes into slot ``started - 1``. Returns the slots by start."""
    from django.db.models import F

    slots = list(event.slots.order_by("start"))
    delta = slots[started - 1].start - (timezone.now() - dt.timedelta(minutes=10))
    event.slots.update(start=F("start") - delta, end=F("end") - delta)
    return list(event.slots.order_by("start"))


def test_rerun_during_the_fair_plans_only_slots_that_have_not_started():
    """A re-run at noon places new meetings and moves planned ones only into the afternoon; the
    meetings of the morning (scheduled by the earlier run, not marked yet) stay where they are."""
    from matchmaking.models import MeetingRequest

    event = event_import(data=fair())
    run_and_publish(event)
    slots = shift_slots(event, started=4)
    started = {s.pk for s in slots[:4]}
    before = dict(Meeting.objects.filter(event=event).values_list("request_id", "slot_id"))
    assert started & set(before.values())  # the morning holds meetings
    late = MeetingRequest.objects.create(
        event=event,
        sender=event.participants.get(ref="v0"),
        recipient=event.participants.get(ref="c1"),
        status="accepted",
    )

    built = build_problem(event=event)
    index = {s.pk: i for i, s in enumerate(slots)}
    for r in built.problem.requests:
        if before.get(r.id) in started:
            assert (r.fixed_slot, r.allowed) == (index[before[r.id]], None)
        else:
            assert r.fixed_slot is None and r.allowed <= set(range(4, len(slots)))

    run = run_and_publish(event, minimise_moves=False)  # plan afresh: anything may move
    after = {m.request_id: (m.slot_id, m.sequence) for m in Meeting.objects.filter(event=event)}
    assert run.publish_report["skipped"] == []
    for req, slot_id in before.items():
        if slot_id in started:
            assert after[req] == (slot_id, 0)
        else:
            assert after[req][0] not in started
    assert after[late.pk][0] not in started
    assert_no_double_booking(event)


def test_publish_skips_changes_into_slots_that_started_since_the_run(event, make_participant):
    """A draft published hours after its run: a booking or a move into a slot that has started
    meanwhile, or the cancellation of a meeting whose slot has started, is skipped and reported;
    the rest of the plan is applied."""
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    slots = list(event.slots.order_by("start"))
    now = slots[2].start + dt.timedelta(minutes=1)  # the first three slots have started
    new = RequestFactory(sender=make_participant(), recipient=make_participant())
    later = RequestFactory(sender=make_participant(), recipient=make_participant())
    moving = RequestFactory(sender=make_participant(), recipient=make_participant())
    held = RequestFactory(sender=make_participant(), recipient=make_participant())
    meeting = meeting_book(
        request=moving, slot=slots[5], actor=Actor(system=True), source="scheduler"
    )
    dropped = meeting_book(
        request=held, slot=slots[1], actor=Actor(system=True), source="scheduler"
    )
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[
            [new.pk, slots[0].pk, None],
            [later.pk, slots[4].pk, None],
            [moving.pk, slots[2].pk, None],
        ],
    )

    run = schedule_run_publish(run=run, user=None, now=now)

    assert (run.publish_report["booked"], run.publish_report["moved"]) == (1, 0)
    assert run.publish_report["cancelled"] == 0
    assert sorted(
        ({"request": i["request"], "reason": i["reason"]} for i in run.publish_report["skipped"]),
        key=lambda x: x["request"],
    ) == [
        {"request": r.pk, "reason": f"the slot on {when_text(slot)} has already started"}
        for r, slot in sorted(
            [(new, slots[0]), (moving, slots[2]), (held, slots[1])], key=lambda x: x[0].pk
        )
    ]
    assert not Meeting.objects.filter(request=new).exists()
    assert Meeting.objects.get(request=later).slot == slots[4]
    meeting.refresh_from_db()
    dropped.refresh_from_db()
    assert (meeting.slot, meeting.sequence) == (slots[5], 0)
    assert (dropped.status, dropped.slot) == ("scheduled", slots[1])
    assert MeetingSeat.objects.filter(meeting__in=[meeting, dropped], active=True).count() == 4


def test_publish_puts_back_a_meeting_that_cannot_move_with_its_seats(make_participant):
    """An event without tables: a move refused during the publish puts the meeting back in its
    slot with every seat active again (a colleague who left stays out), so the double-booking
    guard keeps holding its people."""
    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import EventFactory, RequestFactory

    event = EventFactory(tables=0, days=[timezone.localdate() + dt.timedelta(days=30)])
    amina = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=amina.organisation)
    bruno = make_participant(event=event, name="Bruno")
    slots = list(event.slots.order_by("start"))
    req = RequestFactory(sender=amina, recipient=bruno)
    meeting = meeting_book(request=req, slot=slots[-1], actor=Actor(system=True), attendees=[karim])
    availability_replace(  # Karim leaves the meeting
        participant=karim,
        periods=[(slots[0].start, slots[0].end)],
        actor=Actor(system=True),
        cancel_conflicting=True,
    )
    other = RequestFactory(sender=bruno, recipient=make_participant(event=event, name="Chen"))
    busy = meeting_book(request=other, slot=slots[-2], actor=Actor(system=True), fixed=True)
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[req.pk, slots[-2].pk, None], [other.pk, slots[-2].pk, None]],
    )
    sequence_before = Meeting.objects.get(pk=meeting.pk).sequence

    run = schedule_run_publish(run=run, user=None)

    assert run.publish_report["moved"] == 0
    assert [s["request"] for s in run.publish_report["skipped"]] == [req.pk]
    assert "Bruno already has a meeting" in run.publish_report["skipped"][0]["reason"]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.table) == ("scheduled", slots[-1], None)
    seats = {
        s.participant_id: (s.slot_id, s.active, s.left)
        for s in MeetingSeat.objects.filter(meeting=meeting)
    }
    assert seats == {
        amina.pk: (slots[-1].pk, True, False),
        bruno.pk: (slots[-1].pk, True, False),
        karim.pk: (slots[-1].pk, False, True),
    }
    assert MeetingSeat.objects.filter(meeting=busy, active=True).count() == 2
    # put back, not moved: no new SEQUENCE, no "moved" log row, no email about a move
    from matchmaking.models import Notification

    assert meeting.sequence == sequence_before
    assert not MeetingLog.objects.filter(meeting=meeting, action="moved").exists()
    assert not Notification.objects.filter(kind="meeting_moved").exists()
    assert_no_double_booking(event)


def _draft(event, **options):
    run = schedule_run_create(
        event=event, user=None, options={"time_limit": 5, **options}, enqueue=False
    )
    run = schedule_run_execute(run=run)
    assert run.status == "draft", run.error
    return run


def _move_anywhere(meeting, actor):
    """Move ``meeting`` to the first other slot the booking rules accept."""
    from matchmaking.exceptions import DomainError
    from matchmaking.services.meetings import meeting_reschedule

    for slot in meeting.event.slots.exclude(pk=meeting.slot_id).order_by("start"):
        try:
            return meeting_reschedule(meeting=meeting, slot=slot, actor=actor)
        except DomainError:
            continue
    raise AssertionError("no free slot to move the meeting to")


def test_publish_leaves_alone_what_changed_after_the_run_and_the_draft_said_so():
    """A draft published later must not overrule what people did meanwhile: a meeting cancelled
    after the run is not booked again, one moved is not moved back, one booked on a request the
    run never saw is not cancelled. The draft's preview counts exactly what publishing does."""
    from matchmaking.models import MeetingRequest
    from matchmaking.services.meetings import Actor, meeting_book, meeting_cancel
    from matchmaking.services.scheduling import schedule_run_preview

    event = event_import(data=fair())
    run_and_publish(event)
    total = Meeting.objects.filter(event=event).count()
    run = _draft(event)
    cancelled, moved = Meeting.objects.filter(event=event).order_by("id")[:2]
    meeting_cancel(meeting=cancelled, by=cancelled.request.sender, reason="not needed")
    moved = _move_anywhere(moved, Actor(participant=moved.request.sender))
    late = MeetingRequest.objects.create(
        event=event,
        sender=event.participants.get(ref="v1"),
        recipient=event.participants.get(ref="c2"),
        status="accepted",
    )
    new = None
    for slot in event.slots.order_by("-start"):
        try:
            new = meeting_book(request=late, slot=slot, actor=Actor(system=True))
            break
        except Exception:  # try the next slot
            continue
    assert new is not None

    preview = schedule_run_preview(run=run)
    published = schedule_run_publish(run=run, user=None)

    reasons = {
        cancelled.request_id: "the meeting was cancelled after the run",
        moved.request_id: "the meeting was moved after the run",
    }
    assert sorted(
        ({"request": i["request"], "reason": i["reason"]} for i in preview["skipped"]),
        key=lambda i: i["request"],
    ) == [{"request": req, "reason": text} for req, text in sorted(reasons.items())]
    assert {k: preview[k] for k in ("book", "move", "cancel", "keep", "leave", "skip")} == {
        "book": 0,
        "move": 0,
        "cancel": 0,
        "keep": total - 2,
        "leave": 1,
        "skip": 2,
    }
    report = published.publish_report
    assert (report["booked"], report["moved"], report["cancelled"]) == (0, 0, 0)
    assert report["kept"] == preview["keep"]
    assert report["skipped"] == preview["skipped"]
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"
    assert not Meeting.objects.filter(request=cancelled.request).exclude(status="cancelled")
    assert Meeting.objects.get(pk=moved.pk).slot_id == moved.slot_id
    assert Meeting.objects.get(pk=new.pk).status == "scheduled"
    assert_no_double_booking(event)


def test_the_runs_page_compares_every_draft_with_one_reading_of_the_meetings():
    """Several drafts are previewed from one reading of the event's meetings and slots, and
    each preview is the one its own ``schedule_run_preview`` gives."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matchmaking.services.meetings import meeting_cancel
    from matchmaking.services.scheduling import schedule_run_preview, schedule_run_previews

    event = event_import(data=fair())
    run_and_publish(event)
    older = _draft(event)
    cancelled = Meeting.objects.filter(event=event).order_by("id").first()
    meeting_cancel(meeting=cancelled, by=cancelled.request.sender, reason="not needed")
    newer = _draft(event)
    third = _draft(event)

    with CaptureQueriesContext(connection) as one:
        alone = schedule_run_preview(run=older)
    with CaptureQueriesContext(connection) as many:
        diffs = schedule_run_previews(runs=[older, newer, third])

    assert diffs[older.pk] == alone
    assert diffs[newer.pk] == schedule_run_preview(run=newer)
    assert diffs[third.pk] == schedule_run_preview(run=third)
    assert alone["skip"] == 1  # the older draft still plans the cancelled meeting
    # the event is read once; each further draft adds at most its own three reads (requests
    # it would book, seats of the meetings it moves or cancels, those requests' parties)
    assert len(many) <= len(one) + 2 * 3
    assert schedule_run_previews(runs=[]) == {}


def test_a_draft_counts_what_its_publish_then_does_with_moves_and_drops():
    """Without anything happening in between, the preview and the publish report agree on a
    plan that books, moves and cancels."""
    from matchmaking.services.scheduling import schedule_run_preview

    event = event_import(data=fair())
    run_and_publish(event)
    first = Meeting.objects.filter(event=event).order_by("id").first()
    # the organiser makes one request unavailable for the rest of the day, then re-runs
    first.request.sender.availability.create(
        start=first.slot.start.replace(hour=0), end=first.slot.start
    )
    first.request.sender.availability.create(
        start=first.slot.end, end=first.slot.end.replace(hour=23)
    )
    run = _draft(event)
    plan = {req: slot for req, slot, _ in run.plan}
    preview = schedule_run_preview(run=run)
    report = schedule_run_publish(run=run, user=None).publish_report
    assert first.request_id not in plan or plan[first.request_id] != first.slot_id
    assert preview["move"] + preview["cancel"] >= 1
    assert (report["booked"], report["moved"], report["cancelled"], report["kept"]) == (
        preview["book"],
        preview["move"],
        preview["cancel"],
        preview["keep"],
    )
    assert report["skipped"] == preview["skipped"] == []


def test_the_preview_applies_the_booking_rules_as_the_publish_will():
    """A meeting limit lowered and times narrowed after the run: the draft's preview already
    counts the bookings the publish will refuse, with the publish's reasons, and the organiser
    decides from the figures the publish then reports."""
    from matchmaking.services.scheduling import schedule_run_preview

    event = event_import(data=fair())
    run = _draft(event)
    planned = {req: slot for req, slot, _ in run.plan}
    per_person: dict = {}
    for req in event.requests.filter(pk__in=planned).select_related("sender", "recipient"):
        for person in (req.sender, req.recipient):
            per_person.setdefault(person.pk, (person, []))[1].append(req.pk)
    capped, capped_reqs = next(v for v in per_person.values() if len(v[1]) >= 3)
    capped.max_meetings = 1
    capped.save(update_fields=["max_meetings"])
    narrowed, narrowed_reqs = next(
        v
        for v in per_person.values()
        if v[0].pk != capped.pk and not set(v[1]) & set(capped_reqs) and v[1]
    )
    first = event.slots.get(pk=planned[narrowed_reqs[0]])
    narrowed.availability.create(start=first.start, end=first.end)  # only its first meeting's

    preview = schedule_run_preview(run=run)
    report = schedule_run_publish(run=run, user=None).publish_report

    assert preview["skip"] == len(capped_reqs) - 1 + len(narrowed_reqs) - 1 > 0
    assert_preview_is_the_publish(preview, report)
    reasons = {item["reason"] for item in preview["skipped"]}
    assert f"{capped.name} has reached their limit of 1 meeting." in reasons
    assert any(r.startswith(f"{narrowed.name} is not available on ") for r in reasons)
    assert_no_double_booking(event)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_preview_and_publish_agree_after_random_changes_between_run_and_publish(seed):
    """A re-run that moves, books and cancels, then random changes before the publish (times
    narrowed, meeting limits lowered, a meeting cancelled): whatever the booking rules refuse,
    the preview reports exactly what the publish then does, reasons and order included."""
    import random

    from matchmaking.models import Availability
    from matchmaking.services.meetings import meeting_cancel
    from matchmaking.services.scheduling import schedule_run_preview

    rng = random.Random(seed)
    event = event_import(data=fair(n_companies=8, n_cities=8))
    run_and_publish(event)
    people = list(event.participants.order_by("pk"))
    slots = list(event.slots.order_by("start"))
    # before the re-run: two people lose some of their times (the meetings there stay booked)
    for person in rng.sample(people, 2):
        keep = rng.sample(slots, len(slots) // 2)
        Availability.objects.bulk_create(
            Availability(participant=person, start=s.start, end=s.end) for s in keep
        )
    run = _draft(event, minimise_moves=rng.random() < 0.5)
    # after the re-run, before the publish
    for person in rng.sample(people, 3):
        person.max_meetings = rng.randint(1, 3)
        person.save(update_fields=["max_meetings"])
    for person in rng.sample(people, 2):
        keep = rng.sample(slots, len(slots) // 3)
        person.availability.all().delete()
        Availability.objects.bulk_create(
            Availability(participant=person, start=s.start, end=s.end) for s in keep
        )
    live = list(Meeting.objects.filter(event=event, status="scheduled").order_by("pk"))
    gone = rng.choice(live)
    meeting_cancel(meeting=gone, by=gone.request.sender, reason="changed plans")

    preview = schedule_run_preview(run=run)
    report = schedule_run_publish(run=run, user=None).publish_report

    assert_preview_is_the_publish(preview, report)
    assert_no_double_booking(event)


def test_the_scheduler_does_not_book_again_what_a_person_cancelled():
    """A participant or an organiser who cancels a meeting decided it: the next run leaves the
    request out (counted), unless the organiser asks. A meeting the system cancelled (its
    participant's times changed) is planned again."""
    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor, meeting_cancel
    from tests.factories import UserFactory

    event = event_import(data=fair())
    run_and_publish(event)
    by_person, by_organiser, by_system = Meeting.objects.filter(event=event).order_by("id")[:3]
    meeting_cancel(meeting=by_person, by=by_person.request.recipient, reason="we met already")
    meeting_cancel(meeting=by_organiser, user=UserFactory(is_staff=True), reason="booth closed")
    city = by_system.request.sender
    keep = [(s.start, s.end) for s in event.slots.exclude(pk=by_system.slot_id)]
    availability_replace(
        participant=city, periods=keep, actor=Actor(system=True), cancel_conflicting=True
    )
    by_system.refresh_from_db()
    kinds = {
        m.pk: m.cancelled_by
        for m in Meeting.objects.filter(pk__in=[by_person.pk, by_organiser.pk, by_system.pk])
    }
    assert kinds == {
        by_person.pk: "participant",
        by_organiser.pk: "organiser",
        by_system.pk: "system",
    }

    run = run_and_publish(event)

    assert run.stats["withdrawn"] == 2
    live = set(
        Meeting.objects.filter(event=event)
        .exclude(status="cancelled")
        .values_list("request_id", flat=True)
    )
    assert by_person.request_id not in live and by_organiser.request_id not in live
    assert by_system.request_id in live  # planned again, elsewhere
    assert run.publish_report["booked"] == 1

    again = run_and_publish(event, replan_cancelled=True)
    assert again.stats["withdrawn"] == 0
    assert again.publish_report["booked"] == 2
    assert_no_double_booking(event)


def test_meetings_that_may_not_move_keep_their_table_too(event, make_participant):
    """A fixed meeting and one a participant booked keep their slot and their table through a
    run and its publish: no new SEQUENCE, no "moved" email (the solver used to hand their table
    to another meeting and give them the next free one)."""
    from matchmaking.models import Notification
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    slots = list(event.slots.order_by("start"))
    tables = list(event.tables.filter(shared=True).order_by("name"))
    assert len(tables) >= 3
    fixed_req = RequestFactory(sender=make_participant(), recipient=make_participant())
    own_req = RequestFactory(sender=make_participant(), recipient=make_participant())
    fixed = meeting_book(
        request=fixed_req, slot=slots[2], actor=Actor(system=True), table=tables[2], fixed=True
    )
    own = meeting_book(
        request=own_req,
        slot=slots[2],
        actor=Actor(participant=own_req.sender),
        table=tables[1],
    )
    assert own.source == "participant"
    for _ in range(4):  # new requests the scheduler places, some into that slot
        RequestFactory(sender=make_participant(), recipient=make_participant())

    run = run_and_publish(event)

    assert run.publish_report["moved"] == 0, run.publish_report
    for meeting, table in ((fixed, tables[2]), (own, tables[1])):
        meeting.refresh_from_db()
        assert (meeting.slot, meeting.table, meeting.sequence) == (slots[2], table, 0)
    assert not Notification.objects.filter(kind="meeting_moved").exists()
    assert_no_double_booking(event)


def _two_meetings_at_one_table(event, make_participant):
    """A (last slot) and B (the one before) at the same lounge table."""
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    slots = list(event.slots.order_by("start"))
    table = event.tables.filter(shared=True).order_by("name").first()
    reqs = [RequestFactory(sender=make_participant(), recipient=make_participant()) for _ in "ab"]
    a = meeting_book(request=reqs[0], slot=slots[-1], actor=Actor(system=True), table=table)
    b = meeting_book(request=reqs[1], slot=slots[-2], actor=Actor(system=True), table=table)
    return slots, table, a, b


def test_a_meeting_fixed_or_checked_in_after_the_run_is_not_moved(event, make_participant):
    """The plan swaps A and B. After the run, an organiser fixes B and A checks in: neither
    moves, the preview says so, and A is not cancelled when B cannot take its place."""
    from matchmaking.services.meetings import Actor, meeting_set_fixed, meeting_set_status
    from matchmaking.services.scheduling import schedule_run_preview

    slots, table, a, b = _two_meetings_at_one_table(event, make_participant)
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[a.request_id, slots[-2].pk, table.pk], [b.request_id, slots[-1].pk, table.pk]],
        basis={
            str(a.request_id): [a.pk, a.slot_id, a.table_id],
            str(b.request_id): [b.pk, b.slot_id, b.table_id],
        },
    )
    meeting_set_fixed(meeting=b, fixed=True, actor=Actor(system=True))
    meeting_set_status(meeting=a, status="checked_in", actor=Actor(system=True), now=a.slot.start)

    preview = schedule_run_preview(run=run)
    report = schedule_run_publish(run=run, user=None).publish_report

    reasons = {i["request"]: i["reason"] for i in preview["skipped"]}
    assert reasons == {
        a.request_id: "the meeting is checked in since the run",
        b.request_id: "the meeting was fixed by the organisers after the run",
    }
    assert (preview["move"], report["moved"], report["cancelled"]) == (0, 0, 0)
    assert report["skipped"] == preview["skipped"]
    for m, slot in ((a, slots[-1]), (b, slots[-2])):
        m.refresh_from_db()
        assert (m.slot, m.table, m.status != "cancelled") == (slot, table, True)


def test_a_meeting_that_cannot_move_nor_return_keeps_its_slot_at_another_table(
    event, make_participant
):
    """The plan swaps A and B at one table; A's move is refused at publish (its sender left the
    fair's last-but-one slot without the system cancelling it), B takes A's table: A stays in
    its slot at another free table, reported, not cancelled."""
    from matchmaking.models import Availability

    slots, table, a, b = _two_meetings_at_one_table(event, make_participant)
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[a.request_id, slots[-2].pk, table.pk], [b.request_id, slots[-1].pk, table.pk]],
    )
    Availability.objects.create(
        participant=a.request.sender, start=slots[-1].start, end=slots[-1].end
    )

    report = schedule_run_publish(run=run, user=None).publish_report

    a.refresh_from_db()
    b.refresh_from_db()
    assert (b.slot, b.table) == (slots[-1], table)
    assert a.status == "scheduled" and a.slot == slots[-1] and a.table not in (None, table)
    [skip] = report["skipped"]
    assert skip["request"] == a.request_id
    assert skip["reason"].endswith("; it stayed in its slot, at another table")
    assert (report["moved"], report["cancelled"]) == (2, 0)
    assert_no_double_booking(event)


def test_a_run_that_read_no_request_cancels_nothing_booked_after_it(event, make_participant):
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    run = _draft(event)  # no accepted request yet
    assert run.basis == {} and run.plan == []
    req = RequestFactory(sender=make_participant(), recipient=make_participant())
    meeting = meeting_book(request=req, slot=event.slots.first(), actor=Actor(system=True))

    report = schedule_run_publish(run=run, user=None).publish_report

    assert report["cancelled"] == 0
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_a_plan_naming_a_deleted_slot_or_a_withdrawn_request_is_skipped(
    event, make_participant, admin_client
):
    from matchmaking.models import Slot
    from matchmaking.services.scheduling import schedule_run_preview
    from tests.factories import RequestFactory

    slots = list(event.slots.order_by("start"))
    gone = RequestFactory(sender=make_participant(), recipient=make_participant())
    withdrawn = RequestFactory(sender=make_participant(), recipient=make_participant())
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[gone.pk, slots[-1].pk, None], [withdrawn.pk, slots[0].pk, None]],
        basis={str(gone.pk): None, str(withdrawn.pk): None},
    )
    Slot.objects.filter(pk=slots[-1].pk).delete()
    withdrawn.status = "cancelled"
    withdrawn.save()

    preview = schedule_run_preview(run=run)
    page = admin_client.get(f"/organiser/{event.slug}/scheduler/runs/")
    report = schedule_run_publish(run=run, user=None).publish_report

    assert page.status_code == 200
    assert {i["request"]: i["reason"] for i in preview["skipped"]} == {
        gone.pk: "the planned slot no longer exists",
        withdrawn.pk: "the request is no longer accepted",
    }
    assert preview["book"] == report["booked"] == 0
    assert report["skipped"] == preview["skipped"]


def test_the_scheduler_plans_nothing_for_who_no_longer_comes():
    """Saying "I no longer come" withdraws a person's requests; an accepted request that is
    still there (an older import, or a change that raced it) is left out of the plan anyway,
    while a meeting of theirs on record stays a fact."""
    from matchmaking.models import MeetingRequest, Participant

    event = event_import(data=fair())
    request = MeetingRequest.objects.filter(event=event, status="accepted").order_by("id").first()
    Participant.objects.filter(pk=request.sender_id).update(withdrawn_at=timezone.now())
    assert request.pk not in build_problem(event=event).people_of
    run = run_and_publish(event)
    assert not Meeting.objects.filter(request=request).exists()
    assert run.publish_report["booked"] >= 1


def test_an_older_draft_is_refused_once_a_newer_run_is_published():
    """Publishing the older draft after the newer run flipped the labels: the older read
    Published and the newer Superseded, its plan brought back over the newer one's."""
    from matchmaking.exceptions import Conflict

    event = event_import(data=fair())

    def draft():
        run = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
        return schedule_run_execute(run=run)

    older, newer = draft(), draft()
    schedule_run_publish(run=newer, user=None)
    before = list(Meeting.objects.order_by("pk").values_list("pk", "slot", "status", "sequence"))

    with pytest.raises(Conflict) as refused:
        schedule_run_publish(run=older, user=None)

    assert refused.value.code == "newer_run_published"
    assert refused.value.message == (
        f"Run {newer.pk} was published after this run was computed: this run's plan is out of "
        "date and cannot be published. Start a new run."
    )
    assert refused.value.extra == {"published_run": newer.pk}
    statuses = dict(ScheduleRun.objects.values_list("pk", "status"))
    assert statuses == {older.pk: "draft", newer.pk: "published"}
    after = list(Meeting.objects.order_by("pk").values_list("pk", "slot", "status", "sequence"))
    assert after == before
    third = draft()  # computed after: it may be published
    assert schedule_run_publish(run=third, user=None).status == "published"
    statuses = dict(ScheduleRun.objects.values_list("pk", "status"))
    assert statuses == {older.pk: "draft", newer.pk: "superseded", third.pk: "published"}


def test_the_api_refuses_an_older_draft_after_a_newer_run(
    organiser_client, django_capture_on_commit_callbacks
):
    from matchmaking.models import Event

    event = event_import(data=fair())
    runs = []
    for _ in range(2):
        run = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
        runs.append(schedule_run_execute(run=run))
    older, newer = runs
    url = f"/api/events/{event.slug}/schedule-runs/"
    with django_capture_on_commit_callbacks(execute=True):
        published = organiser_client.post(f"{url}{newer.pk}/publish/")
    assert published.status_code == 202, published.data  # the task ran after the answer
    newer.refresh_from_db()
    assert newer.status == "published"
    with django_capture_on_commit_callbacks(execute=True):
        refused = organiser_client.post(f"{url}{older.pk}/publish/")
    assert refused.status_code == 409, refused.data
    assert refused.json()["code"] == "newer_run_published"
    assert refused.json()["published_run"] == newer.pk
    assert refused.json()["detail"].startswith(f"Run {newer.pk} was published after this run")
    older.refresh_from_db()
    assert (older.status, older.error) == ("draft", "")
    assert Event.objects.get(pk=event.pk).schedule_runs.get(pk=newer.pk).status == "published"


def test_a_run_plans_nothing_at_a_table_out_of_service(event, make_participant):
    """Taken out of service mid-fair, a lounge table gets no meeting from a run (the solver's
    first table before); a meeting that could not leave it, its slot being full, stays there."""
    from matchmaking.services.meetings import Actor, meeting_book
    from matchmaking.services.tables import table_take_out_of_service
    from tests.factories import RequestFactory

    slots = list(event.slots.order_by("start"))
    t1, t2, t3 = event.tables.order_by("name")
    stuck = [
        meeting_book(
            request=RequestFactory(sender=make_participant(), recipient=make_participant()),
            slot=slots[0],
            actor=Actor(system=True),
            table=table,
        )
        for table in (t1, t2, t3)
    ]
    result = table_take_out_of_service(table=t1, actor=Actor(system=True))
    assert [m.pk for m, _ in result.stuck] == [stuck[0].pk]
    for _ in range(8):
        RequestFactory(sender=make_participant(), recipient=make_participant())

    run = run_and_publish(event)

    assert run.publish_report["booked"] == 8, run.publish_report
    at_t1 = Meeting.objects.filter(table=t1).exclude(status="cancelled")
    assert list(at_t1.values_list("pk", flat=True)) == [stuck[0].pk]
    assert Meeting.objects.get(pk=stuck[0].pk).slot == slots[0]
    assert_no_double_booking(event)
