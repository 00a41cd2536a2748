"""POST /api/events/{slug}/schedule-runs/: the status says whether the run is made yet."""

import pytest

from matchmaking.services.importer import event_import
from tests.matchmaking.test_scheduling import fair


@pytest.mark.django_db(transaction=True)  # no test transaction: on_commit runs as in the demo
def test_a_run_made_in_the_request_answers_201_with_the_finished_run(organiser_client):
    """Without a broker (tasks in process) the run is finished when the answer leaves: 201 and
    the draft, not 202 and a 'queued' run that is already done."""
    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    created = organiser_client.post(url, {"time_limit": 5}, format="json")
    assert created.status_code == 201, created.data
    assert created.data["status"] == "draft"
    assert created.data["stats"]["scheduled"] == len(fair()["requests"])
    assert organiser_client.get(f"{url}{created.data['id']}/").data == created.data


@pytest.mark.django_db
def test_a_run_still_waiting_for_its_worker_answers_202_queued(
    organiser_client, django_capture_on_commit_callbacks
):
    """The task is sent after the answer (as to a broker): the run is queued, 202."""
    event = event_import(data=fair())
    url = f"/api/events/{event.slug}/schedule-runs/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = organiser_client.post(url, {"time_limit": 5}, format="json")
    assert len(callbacks) == 1
    assert (created.status_code, created.data["status"]) == (202, "queued")


@pytest.mark.django_db
def test_the_schema_gives_both_answers_of_a_run_start(organiser_client):
    schema = organiser_client.get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/events/{slug}/schedule-runs/"]["post"]
    assert {"201", "202"} <= set(post["responses"])
