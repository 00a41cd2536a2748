"""Scheduler control: start a run, see its statistics and diff, publish it."""

import pytest

from matchmaking.models import Meeting, ScheduleRun
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    """The scheduler plans new meetings only into slots that have not started."""
    return upcoming_event


def test_start_run_then_publish(
    staff_client, staff, event, make_participant, django_capture_on_commit_callbacks
):
    for _ in range(3):
        RequestFactory(sender=make_participant(), recipient=make_participant())
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/organiser/{event.slug}/scheduler/",
            {"time_limit": "2", "pin_participant_bookings": "on"},
        )
    assert response.status_code == 302
    run = ScheduleRun.objects.get(event=event)
    assert run.created_by == staff
    assert run.options["time_limit"] == 2.0
    assert run.options["pin_participant_bookings"] is True
    assert run.options["minimise_moves"] is False  # the box was not ticked in this post
    assert run.options["replan_cancelled"] is False
    assert run.options["fair_weight_share"] == 0.0  # left empty: weight first
    assert run.status == ScheduleRun.Status.DRAFT  # Celery runs in-process, after commit
    html = staff_client.get(f"/organiser/{event.slug}/scheduler/").content.decode()
    assert 'name="minimise_moves" checked' in html  # ticked by default
    assert 'name="replan_cancelled">' in html  # not ticked by default
    assert "Publishing would:" in html
    assert "book 3, move 0, cancel 0, keep 0, leave 0 outside the plan as they are" in html
    assert "data-skipped" not in html
    assert "Left without a meeting" in html and "<dd data-zero>0</dd>" in html
    assert "Moved to another slot" in html  # the solver counts slot moves; the preview, any
    assert f"/organiser/{event.slug}/scheduler/runs/{run.pk}/publish/" in html

    with django_capture_on_commit_callbacks(execute=True):  # the publish task, in process
        published = staff_client.post(f"/organiser/{event.slug}/scheduler/runs/{run.pk}/publish/")
    assert published.status_code == 302
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.PUBLISHED
    assert Meeting.objects.filter(event=event, source="scheduler").count() == 3
    page = staff_client.get(f"/organiser/{event.slug}/scheduler/").content.decode()
    assert "3 booked" in page

    again = staff_client.post(f"/organiser/{event.slug}/scheduler/runs/{run.pk}/publish/")
    assert again.status_code == 409
    assert "Only a draft run can be published" in again.content.decode()


def test_start_run_bad_time_limit_400(staff_client, event):
    response = staff_client.post(f"/organiser/{event.slug}/scheduler/", {"time_limit": "0"})
    assert response.status_code == 400
    assert "Please correct the run" in response.content.decode()
    assert not ScheduleRun.objects.exists()


def test_start_run_fair_share_is_a_percentage(staff_client, event):
    url = f"/organiser/{event.slug}/scheduler/"
    response = staff_client.post(url, {"time_limit": "2", "fair_weight_share": "0.5"})
    assert response.status_code == 302
    assert ScheduleRun.objects.get(event=event).options["fair_weight_share"] == 0.005
    too_much = staff_client.post(url, {"time_limit": "2", "fair_weight_share": "20"})
    assert too_much.status_code == 400
    assert "Please correct the run" in too_much.content.decode()
    assert ScheduleRun.objects.filter(event=event).count() == 1


def test_start_run_without_slots_409(staff_client, db):
    from tests.factories import EventFactory

    event = EventFactory()
    event.slots.all().delete()
    response = staff_client.post(f"/organiser/{event.slug}/scheduler/", {"time_limit": "5"})
    assert response.status_code == 409
    assert "no slots" in response.content.decode()


def test_runs_partial_marks_busy_runs(staff_client, event):
    ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.RUNNING, progress=0.4)
    html = staff_client.get(f"/organiser/{event.slug}/scheduler/runs/").content.decode()
    assert "data-busy" in html
    assert 'aria-valuenow="40"' in html


def test_draft_lists_the_changes_publishing_would_skip(staff_client, event, make_participant):
    """A meeting booked after the run is not the plan's to move: the draft says so by name."""
    from matchmaking.services.meetings import Actor, meeting_book

    req = RequestFactory(
        sender=make_participant(name="Amina Tazi"), recipient=make_participant(name="Bruno Ley")
    )
    slots = list(event.slots.order_by("start"))
    ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[req.pk, slots[0].pk, None]],
        basis={str(req.pk): None},
    )
    meeting_book(request=req, slot=slots[3], actor=Actor(system=True))

    html = staff_client.get(f"/organiser/{event.slug}/scheduler/").content.decode()

    assert "book 0, move 0, cancel 0, keep 0, leave 0 outside the plan as they are" in html
    assert "1 change of the plan would not be applied" in html
    assert "Amina Tazi ↔ Bruno Ley: the meeting was booked after the run" in html

    french = staff_client.get(
        f"/organiser/{event.slug}/scheduler/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert (
        "réserver 0, déplacer 0, annuler 0, garder 0, laisser 0 hors du plan tels quels" in french
    )
    assert "1 changement du plan ne serait pas appliqué" in french
    assert "Réserver à nouveau les rendez-vous annulés par quelqu’un" in french


def test_draft_counts_a_booking_the_rules_will_refuse_and_the_published_run_lists_it(
    staff_client, event, make_participant, django_capture_on_commit_callbacks
):
    """A limit lowered after the run: the draft already counts the booking its publish will
    refuse, and once published the run still lists what was not applied, with the reason."""
    from matchmaking.models import MeetingRequest

    amina = make_participant(name="Amina Tazi")
    bruno, chen = make_participant(name="Bruno Ley"), make_participant(name="Chen Wei")
    first = RequestFactory(sender=amina, recipient=bruno)
    second = RequestFactory(sender=amina, recipient=chen)
    assert MeetingRequest.objects.filter(status="accepted").count() == 2
    slots = list(event.slots.order_by("start"))
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[first.pk, slots[0].pk, None], [second.pk, slots[1].pk, None]],
        basis={str(first.pk): None, str(second.pk): None},
    )
    amina.max_meetings = 1
    amina.save(update_fields=["max_meetings"])

    html = staff_client.get(f"/organiser/{event.slug}/scheduler/").content.decode()
    assert "book 1, move 0, cancel 0, keep 0, leave 0 outside the plan as they are" in html
    assert "1 change of the plan would not be applied" in html
    assert "Amina Tazi ↔ Chen Wei: Amina Tazi has reached their limit of 1 meeting." in html

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/organiser/{event.slug}/scheduler/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert run.publish_report["booked"] == 1
    html = staff_client.get(f"/organiser/{event.slug}/scheduler/").content.decode()
    assert "Published: 1 booked, 0 moved, 0 cancelled, 0 kept." in html
    assert "1 change of the plan was not applied" in html
    assert "Amina Tazi ↔ Chen Wei: Amina Tazi has reached their limit of 1 meeting." in html
    french = staff_client.get(
        f"/organiser/{event.slug}/scheduler/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "1 changement du plan n’a pas été appliqué" in french


def test_french_statistics_say_annulee_for_a_request(staff_client, event, make_participant):
    RequestFactory(sender=make_participant(), recipient=make_participant(), status="cancelled")
    french = staff_client.get(
        f"/organiser/{event.slug}/stats/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Annulée" in french  # a request (une demande) is feminine
    assert "Annulé<" in french or "Annulé " in french  # a meeting (un rendez-vous) is not


def test_a_publish_at_work_shows_on_its_card_and_the_cards_refresh(
    staff_client, event, make_participant
):
    from tests.factories import RequestFactory

    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="accepted")
    slot = event.slots.order_by("start").first()
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DRAFT,
        plan=[[req.pk, slot.pk, None]],
        basis={str(req.pk): None},
    )
    asked = staff_client.post(
        f"/organiser/{event.slug}/scheduler/runs/{run.pk}/publish/", follow=True
    )
    assert [str(m) for m in asked.context["messages"]] == [
        f"Run {run.pk} is being published; its card shows when it is done."
    ]
    html = asked.content.decode()
    assert "data-busy" in html and "Publishing: meetings are booked" in html
    assert f"/scheduler/runs/{run.pk}/publish/" not in html  # no second publish button


def test_the_console_says_an_older_draft_is_out_of_date_once_a_newer_run_is_published(
    staff_client, event, make_participant, django_capture_on_commit_callbacks
):
    from matchmaking.services.scheduling import schedule_run_create, schedule_run_execute

    for _ in range(2):
        RequestFactory(sender=make_participant(), recipient=make_participant())
    older, newer = (
        schedule_run_execute(
            run=schedule_run_create(
                event=event, user=None, options={"time_limit": 2}, enqueue=False
            )
        )
        for _ in range(2)
    )
    base = f"/organiser/{event.slug}/scheduler/runs"
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(f"{base}/{newer.pk}/publish/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        refused = staff_client.post(f"{base}/{older.pk}/publish/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    html = refused.content.decode()
    assert (
        f"Run {newer.pk} was published after run {older.pk} was computed: the plan of run "
        f"{older.pk} is out of date and cannot be published. Start a new run." in html
    )
    with django_capture_on_commit_callbacks(execute=True):
        french = staff_client.post(f"{base}/{older.pk}/publish/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "est périmé" in french.content.decode()
    statuses = dict(ScheduleRun.objects.values_list("pk", "status"))
    assert statuses == {older.pk: "draft", newer.pk: "published"}
