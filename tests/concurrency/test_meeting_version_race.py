"""Real threads against PostgreSQL: two organisers move the same meeting at the same instant,
each from the version they loaded (``If-Match``). One move goes through, the other answers 412
and writes nothing: the version is read under the meeting's row lock.

The first move holds its transaction open a moment after it wrote (its log line sleeps), so
the second request has loaded the meeting and waits for the locks while the first is at work.
The negative controls run the same race without the guard: with no version sent (the old
behaviour) and with the version compared outside the row lock, both moves answer 200 and the
second silently wins, which proves the race test can fail.
"""

import time
from collections import Counter

import pytest

from matchmaking.models import Meeting, MeetingLog
from matchmaking.services import meetings as ms
from tests.concurrency.test_booking_race import DAY, run_threads
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory, RequestFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_moves(monkeypatch):
    """A move stays in its transaction 0.5 s after it wrote (its log line)."""
    real_log = ms._log

    def slow_log(meeting, actor, action, **detail):
        real_log(meeting, actor, action, **detail)
        if action == "moved":
            time.sleep(0.5)

    monkeypatch.setattr(ms, "_log", slow_log)


def _two_organisers_move(*, if_match: bool):
    """Amina's meeting with Bruno at the first slot; two organisers load it, then move it at
    the same instant, one to the third slot, one to the fourth. Returns the two answers (status
    code, body), the meeting's slot id and version after, and how many moves were logged."""
    event = EventFactory(tables=5, days=[DAY])
    slots = list(event.slots.order_by("start"))
    meeting = ms.meeting_book(
        request=RequestFactory(
            sender=ParticipantFactory(event=event, name="Amina"),
            recipient=ParticipantFactory(event=event, name="Bruno"),
        ),
        slot=slots[0],
        actor=ms.Actor(system=True),
    )
    url = f"/api/events/{event.slug}/meetings/{meeting.pk}/"
    jobs = []
    for target in (slots[2], slots[3]):
        organiser = UserFactory(is_staff=True)
        event.organisers.add(organiser)
        client = client_for(organiser)
        etag = client.get(url)["ETag"]  # each loads the meeting: version 1
        headers = {"HTTP_IF_MATCH": etag} if if_match else {}

        def job(client=client, target=target, headers=headers):
            response = client.post(f"{url}reschedule/", {"slot": target.pk}, **headers)
            return response.status_code, response.json()

        jobs.append(job)
    results = run_threads(jobs)
    after = Meeting.objects.get(pk=meeting.pk)
    moves = MeetingLog.objects.filter(meeting=meeting, action="moved").count()
    return results, after.slot_id, after.version, moves


def test_two_organisers_moving_one_meeting_at_once_one_wins_the_other_gets_412(slow_moves):
    for _round in range(3):
        results, where, version, moves = _two_organisers_move(if_match=True)

        assert Counter(code for code, _ in results) == {200: 1, 412: 1}, results
        (won,) = [body for code, body in results if code == 200]
        (refused,) = [body for code, body in results if code == 412]
        assert refused["code"] == "meeting_changed"
        assert refused["version"] == 2
        assert "was changed by someone else since you loaded it" in refused["detail"]
        # the winner's move stands, once
        assert (won["slot"], won["version"]) == (where, 2)
        assert (version, moves) == (2, 1)


def test_negative_control_without_a_version_the_second_move_silently_wins(slow_moves):
    """The old behaviour, which clients that send no version keep: both 200, two moves."""
    results, _where, version, moves = _two_organisers_move(if_match=False)

    assert Counter(code for code, _ in results) == {200: 2}, results
    assert (version, moves) == (3, 2)


def test_negative_control_a_version_read_outside_the_row_lock_lets_both_through(
    slow_moves, monkeypatch
):
    """The guard moved out of the lock: the version compared with the meeting as the view read
    it, before the transaction. Both requests read version 1 before either committed, so both
    pass, and the race test's assertion (one 200, one 412) would fail."""
    real_reschedule = ms.meeting_reschedule

    def check_first(*, meeting, expected_version=None, **kwargs):
        ms.check_version(meeting, expected_version)  # the meeting the view loaded: no lock
        return real_reschedule(meeting=meeting, **kwargs)

    monkeypatch.setattr(ms, "meeting_reschedule", check_first)

    results, _where, version, moves = _two_organisers_move(if_match=True)

    assert Counter(code for code, _ in results) == {200: 2}, results
    assert (version, moves) == (3, 2)
