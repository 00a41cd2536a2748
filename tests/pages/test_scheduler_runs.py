"""The runs page: which drafts it previews, and what it reads on each refresh."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking.models import ScheduleRun
from matchmaking.pages.organiser import PREVIEWED
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def _report(req_ids):
    return {
        "booked": 0,
        "moved": 0,
        "kept": 0,
        "cancelled": 0,
        "skipped": [
            {
                "request": pk,
                "reason": "the meeting was moved after the run",
                "reason_code": "after_run_moved",
                "reason_params": {},
            }
            for pk in req_ids
        ],
    }


def test_only_the_newest_drafts_are_previewed_and_every_draft_can_be_published(
    staff_client, event, make_participant
):
    req = RequestFactory(sender=make_participant(), recipient=make_participant())
    slot = event.slots.order_by("start").first()
    runs = [
        ScheduleRun.objects.create(
            event=event, status="draft", plan=[[req.pk, slot.pk, None]], basis={str(req.pk): None}
        )
        for _ in range(PREVIEWED + 1)
    ]
    html = staff_client.get(f"/organiser/{event.slug}/scheduler/runs/").content.decode()
    assert html.count("Publishing would:") == PREVIEWED
    assert html.count("Only the newest drafts show what publishing them would change") == 1
    for run in runs:  # the oldest one too
        assert f"/organiser/{event.slug}/scheduler/runs/{run.pk}/publish/" in html


def test_superseded_runs_keep_their_skipped_list_and_names_are_read_once(
    staff_client, event, make_participant
):
    reqs = [RequestFactory(sender=make_participant(), recipient=make_participant()) for _ in "ab"]

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            html = staff_client.get(f"/organiser/{event.slug}/scheduler/runs/").content.decode()
        return len(ctx), html

    ScheduleRun.objects.create(
        event=event, status="published", publish_report=_report([reqs[0].pk])
    )
    one, _ = page_queries()
    for _ in range(5):
        ScheduleRun.objects.create(
            event=event, status="superseded", publish_report=_report([r.pk for r in reqs])
        )
    many, html = page_queries()

    assert many == one  # the requests' names come in one query, however many runs list some
    assert html.count("2 changes of the plan were not applied") == 5
    assert "the meeting was moved after the run" in html
    french = staff_client.get(
        f"/organiser/{event.slug}/scheduler/runs/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "the meeting was moved after the run" not in french  # said in the page's language


def test_a_run_card_tells_moved_meetings_from_those_taken_out_of_the_plan(staff_client, event):
    stats = {"scheduled": 9, "requested": 10, "upper_bound": 10, "gap": 0.1, "idle_total": 0}
    ScheduleRun.objects.create(event=event, status="draft", stats={**stats, "moved": 2})
    ScheduleRun.objects.create(
        event=event, status="draft", stats={**stats, "moved": 3, "dropped": 1}
    )
    html = staff_client.get(f"/organiser/{event.slug}/scheduler/runs/").content.decode()
    assert html.count("Moved to another slot") == 2
    assert html.count("Taken out of the plan</dt><dd>1</dd>") == 1
    french = staff_client.get(
        f"/organiser/{event.slug}/scheduler/runs/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Retirés du plan</dt><dd>1</dd>" in french


def test_a_run_on_an_event_whose_slots_have_all_started_is_refused_saying_why(staff_client):
    """It ran and said "0 / 9000" with no reason (the exploratory test)."""
    from matchmaking.models import ScheduleRun
    from tests.factories import EventFactory

    held = EventFactory()  # April 2018
    response = staff_client.post(f"/organiser/{held.slug}/scheduler/", {"time_limit": 5})
    assert response.status_code == 409
    assert "Every slot of this event has started" in response.content.decode()
    assert not ScheduleRun.objects.exists()
