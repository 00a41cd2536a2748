"""Optimistic concurrency on the meetings endpoints: a meeting's ``ETag`` is its ``version``;
a move or cancellation sent with ``If-Match`` (412 when stale) or a ``version`` in the body
(409 when stale) leaves a meeting someone changed since as it is. Without either, as before."""

import pytest

from matchmaking.models import Meeting, MeetingLog
from matchmaking.reasons import when_text
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def slots(event):
    return list(event.slots.order_by("start"))


@pytest.fixture
def meeting(event, slots, make_participant):
    return meeting_book(
        request=RequestFactory(
            sender=make_participant(name="Amina"), recipient=make_participant(name="Bruno")
        ),
        slot=slots[0],
        actor=Actor(system=True),
    )


def url(event, meeting, tail=""):
    return f"/api/events/{event.slug}/meetings/{meeting.pk}/{tail}"


def test_a_meeting_answers_its_version_as_its_etag(event, meeting, organiser_client):
    response = organiser_client.get(url(event, meeting))

    assert response.status_code == 200
    assert response.data["version"] == 1
    assert response["ETag"] == '"1"'


def test_a_move_with_if_match_goes_through_and_answers_the_new_etag(
    event, meeting, slots, organiser_client
):
    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 200, response.data
    assert (response.data["slot"], response.data["version"]) == (slots[3].pk, 2)
    assert response["ETag"] == '"2"'


def test_two_organisers_from_the_same_etag_the_second_gets_412_and_nothing_is_written(
    event, meeting, slots, organiser_client
):
    etag = organiser_client.get(url(event, meeting))["ETag"]
    first = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[2].pk}, HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200

    second = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH=etag
    )

    assert second.status_code == 412
    assert second.data["code"] == "meeting_changed"
    assert second.data["version"] == 2
    start = when_text(slots[2])  # as the pages write it: "Thursday 17 December 10:00"
    assert second.data["detail"] == (
        "This meeting was changed by someone else since you loaded it (you had version 1, it is "
        f"now version 2): it is now on {start}, table {first.data['table']}. "
        "Reload it and try again; nothing was changed."
    )
    now = Meeting.objects.get(pk=meeting.pk)
    assert (now.slot_id, now.version) == (slots[2].pk, 2)
    assert MeetingLog.objects.filter(meeting=meeting, action="moved").count() == 1


def test_a_stale_version_in_the_body_answers_409(event, meeting, slots, organiser_client):
    organiser_client.post(url(event, meeting, "reschedule/"), {"slot": slots[2].pk})

    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk, "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.data["code"] == "meeting_changed"
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[2].pk


def test_the_version_in_the_body_that_is_current_goes_through(
    event, meeting, slots, organiser_client
):
    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk, "version": 1}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.data["version"] == 2


def test_without_a_version_the_last_move_wins_as_before(event, meeting, slots, organiser_client):
    for slot in (slots[2], slots[3]):
        response = organiser_client.post(url(event, meeting, "reschedule/"), {"slot": slot.pk})
        assert response.status_code == 200
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[3].pk


@pytest.mark.parametrize("header", ['W/"1"', "*"])
def test_a_weak_etag_and_a_star_are_accepted(event, meeting, slots, organiser_client, header):
    """Compression turns the ETag weak (``W/"1"``) on its way: it still names the version.
    ``*`` names none (the meeting exists), as RFC 9110 says."""
    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH=header
    )

    assert response.status_code == 200, response.data


@pytest.mark.parametrize("header", ['"²"', '"١"', '"-1"', '"99999999999999999999"'])
def test_odd_if_match_values_answer_412_not_500(event, meeting, slots, organiser_client, header):
    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH=header
    )

    assert response.status_code == 412, response.data
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[0].pk


def test_an_etag_that_is_no_meetings_answers_412(event, meeting, slots, organiser_client):
    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH='"abc"'
    )

    assert response.status_code == 412
    assert response.data["code"] == "meeting_changed"
    assert response.data["detail"] == (
        'If-Match: "abc" is not an ETag of this meeting; its ETag is "1". Reload it and try '
        "again; nothing was changed."
    )
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[0].pk


@pytest.mark.parametrize("header", ["abc", '"1", "2"'])
def test_an_if_match_without_one_quoted_etag_answers_400(
    event, meeting, slots, organiser_client, header
):
    response = organiser_client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH=header
    )

    assert response.status_code == 400
    assert response.data["field"] == "If-Match"
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[0].pk


def test_if_match_and_a_body_version_that_disagree_answer_400(
    event, meeting, slots, organiser_client
):
    response = organiser_client.post(
        url(event, meeting, "reschedule/"),
        {"slot": slots[3].pk, "version": 2},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 400
    assert response.data["field"] == "version"
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[0].pk


def test_a_cancellation_from_a_stale_etag_answers_412_and_keeps_the_meeting(
    event, meeting, slots, organiser_client
):
    organiser_client.post(url(event, meeting, "reschedule/"), {"slot": slots[2].pk})

    response = organiser_client.post(
        url(event, meeting, "cancel/"), {"reason": "Double"}, HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    fresh = organiser_client.post(
        url(event, meeting, "cancel/"), {"reason": "Double"}, HTTP_IF_MATCH='"2"'
    )
    assert fresh.status_code == 200
    assert (fresh.data["status"], fresh["ETag"]) == ("cancelled", '"3"')


def test_a_participant_moving_their_meeting_can_send_the_version_too(
    event, meeting, slots, as_participant
):
    amina = meeting.request.sender
    client = as_participant(amina)
    etag = client.get(url(event, meeting))["ETag"]
    Meeting.objects.filter(pk=meeting.pk).update(version=5)  # someone changed it meanwhile

    response = client.post(
        url(event, meeting, "reschedule/"), {"slot": slots[3].pk}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    assert response.data["version"] == 5


def test_a_fix_from_a_stale_etag_answers_412_and_leaves_the_meeting_unfixed(
    event, meeting, slots, organiser_client
):
    organiser_client.post(url(event, meeting, "reschedule/"), {"slot": slots[2].pk})

    response = organiser_client.post(
        url(event, meeting, "fix/"), {"fixed": True}, HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    assert (response.data["code"], response.data["version"]) == ("meeting_changed", 2)
    assert Meeting.objects.get(pk=meeting.pk).fixed is False
    fresh = organiser_client.post(url(event, meeting, "fix/"), {"fixed": True}, HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200, fresh.data
    assert (fresh.data["fixed"], fresh["ETag"]) == (True, '"3"')


def test_a_fix_with_a_stale_body_version_answers_409(event, meeting, slots, organiser_client):
    organiser_client.post(url(event, meeting, "reschedule/"), {"slot": slots[2].pk})

    response = organiser_client.post(
        url(event, meeting, "fix/"), {"fixed": True, "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert (response.data["code"], response.data["your_version"]) == ("meeting_changed", 1)
    assert Meeting.objects.get(pk=meeting.pk).fixed is False
    assert not MeetingLog.objects.filter(meeting=meeting, action="fixed").exists()


def test_a_status_from_a_stale_version_is_refused_and_writes_nothing(
    event, meeting, slots, organiser_client
):
    organiser_client.post(url(event, meeting, "fix/"), {"fixed": True})  # version 2

    header = organiser_client.post(
        url(event, meeting, "status/"), {"status": "scheduled"}, HTTP_IF_MATCH='"1"'
    )
    body = organiser_client.post(
        url(event, meeting, "status/"), {"status": "scheduled", "version": 1}, format="json"
    )

    assert (header.status_code, header.data["code"]) == (412, "meeting_changed")
    assert (body.status_code, body.data["code"]) == (409, "meeting_changed")
    assert Meeting.objects.get(pk=meeting.pk).version == 2
    fresh = organiser_client.post(
        url(event, meeting, "status/"), {"status": "scheduled", "version": 2}, format="json"
    )
    assert (fresh.status_code, fresh["ETag"]) == (200, '"2"')


def test_the_schema_documents_the_version_of_fix_and_status(organiser_client):
    schema = organiser_client.get("/api/schema/", {"format": "json"}).json()
    for action in ("reschedule", "cancel", "fix", "status"):
        post = schema["paths"][f"/api/events/{{slug}}/meetings/{{id}}/{action}/"]["post"]
        assert "If-Match" in [p["name"] for p in post["parameters"]], action
        assert post["responses"]["412"]["content"], action
        ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert body["properties"]["version"]["type"] == "integer", action
