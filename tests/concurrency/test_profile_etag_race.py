"""Real threads against PostgreSQL: the phone app and the laptop PATCH one profile at the same
instant, each with the ETag it read (``If-Match``). One change goes through, the other answers
412 ``profile_changed`` and writes nothing: the key is compared under the participant's row
lock. The first change stays in its transaction 0.5 s after it wrote, so the second has read the
profile and waits for the lock meanwhile. The negative control, without If-Match, lets both
through (the second silently overwrites the first), which proves the race test can fail."""

import time
from collections import Counter

import pytest

from matchmaking.models import Participant
from matchmaking.services import participants as ps
from tests.concurrency.test_booking_race import DAY, run_threads
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_changes(monkeypatch):
    real = ps.lists_refresh_after_commit

    def slow(*args, **kwargs):  # called inside the transaction, after the rows are written
        real(*args, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(ps, "lists_refresh_after_commit", slow)


def _two_devices_change(*, if_match: bool):
    event = EventFactory(days=[DAY])
    amina = ParticipantFactory(event=event, name="Amina", title="Engineer")
    url = f"/api/events/{event.slug}/me/"
    jobs = []
    for title in ("CTO", "Head of mobility"):
        client = client_for(amina.user)
        etag = client.get(url)["ETag"]  # both read the same profile
        headers = {"HTTP_IF_MATCH": etag} if if_match else {}

        def job(client=client, title=title, headers=headers):
            response = client.patch(url, {"title": title}, format="json", **headers)
            return response.status_code, response.json()

        jobs.append(job)
    results = run_threads(jobs)
    return results, Participant.objects.get(pk=amina.pk).title


def test_two_devices_editing_one_profile_one_wins_the_other_gets_412(slow_changes):
    for _round in range(3):
        results, title = _two_devices_change(if_match=True)
        assert Counter(code for code, _ in results) == {200: 1, 412: 1}, results
        (won,) = [body for code, body in results if code == 200]
        (refused,) = [body for code, body in results if code == 412]
        assert refused["code"] == "profile_changed"
        assert title == won["title"]


def test_negative_control_without_if_match_the_second_change_silently_wins(slow_changes):
    results, _title = _two_devices_change(if_match=False)
    assert Counter(code for code, _ in results) == {200: 2}, results


def test_negative_control_without_the_lock_both_etags_pass(slow_changes, settings):
    """With the row lock switched off, both PATCHes compare their ETag before either commits:
    both go through, the second overwriting the first. The lock is what makes one get 412."""
    settings.BOOKING_GUARD = False
    results, _title = _two_devices_change(if_match=True)
    assert Counter(code for code, _ in results) == {200: 2}, results
