"""Real threads against PostgreSQL: two organisers replace one participant's times at the same
instant, each with the ETag they read (``If-Match``). One change goes through, the other answers
412 ``availability_changed`` and writes nothing: the key is compared under the participant's
lock. The first change stays in its transaction 0.5 s after it wrote, so the second has read
the times and waits for the lock meanwhile. The negative control, without If-Match, lets both
through (the second silently wins), which proves the race test can fail."""

import time
from collections import Counter

import pytest

from matchmaking.models import Availability
from matchmaking.services import availability as av
from tests.concurrency.test_booking_race import DAY, run_threads
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_changes(monkeypatch):
    real = av.lists_refresh_after_commit

    def slow(*args, **kwargs):  # called inside the transaction, after the rows are written
        real(*args, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(av, "lists_refresh_after_commit", slow)


def _two_organisers_change(*, if_match: bool):
    event = EventFactory(days=[DAY])
    amina = ParticipantFactory(event=event, name="Amina")
    url = f"/api/events/{event.slug}/participants/{amina.pk}/availability/"
    jobs = []
    for start, end in (("09:00", "11:00"), ("14:00", "15:00")):
        organiser = UserFactory(is_staff=True)
        event.organisers.add(organiser)
        client = client_for(organiser)
        etag = client.get(url)["ETag"]  # both read the whole event
        headers = {"HTTP_IF_MATCH": etag} if if_match else {}
        body = {"periods": [{"start": f"{DAY}T{start}", "end": f"{DAY}T{end}"}]}

        def job(client=client, body=body, headers=headers):
            response = client.put(url, body, format="json", **headers)
            return response.status_code, response.json()

        jobs.append(job)
    results = run_threads(jobs)
    return results, Availability.objects.filter(participant=amina).count()


def test_two_organisers_changing_one_participants_times_one_wins_the_other_gets_412(
    slow_changes,
):
    for _round in range(3):
        results, periods = _two_organisers_change(if_match=True)
        assert Counter(code for code, _ in results) == {200: 1, 412: 1}, results
        (refused,) = [body for code, body in results if code == 412]
        assert refused["code"] == "availability_changed"
        assert periods == 1


def test_negative_control_without_if_match_the_second_change_silently_wins(slow_changes):
    results, periods = _two_organisers_change(if_match=False)
    assert Counter(code for code, _ in results) == {200: 2}, results
    assert periods == 1
