"""Meeting feedback through the API: a person in the meeting gives theirs; organisers read all."""

import datetime as dt

import pytest

from matchmaking.models import Meeting, MeetingFeedback, MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from tests.conftest import client_for
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(event, make_participant) -> Meeting:
    """A meeting of 2018: it has started."""
    a = make_participant(name="Amina")
    b = make_participant(name="Bruno", kind="exhibitor")
    request = RequestFactory(sender=a, recipient=b, status=MeetingRequest.Status.ACCEPTED)
    return meeting_book(
        request=request, slot=event.slots.order_by("start").first(), actor=Actor(system=True)
    )


def url(meeting, tail="feedback/"):
    return f"/api/events/{meeting.event.slug}/meetings/{meeting.pk}/{tail}"


def test_give_read_and_change_my_feedback(meeting, as_participant):
    a = meeting.request.sender
    me = as_participant(a)
    assert me.get(url(meeting)).status_code == 404
    response = me.put(
        url(meeting),
        {"took_place": True, "rating": 4, "outcome": "follow_up", "comment": "Send the offer"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["rating"] == 4
    assert response.data["participant"] == a.pk
    body = me.get(url(meeting)).data
    assert body["outcome"] == "follow_up"
    # what GET gave, changed and sent back, is taken
    body["rating"] = 5
    again = me.put(url(meeting), body, format="json")
    assert again.status_code == 200, again.data
    assert MeetingFeedback.objects.get().rating == 5


def test_the_other_side_does_not_see_mine(meeting, as_participant):
    a, b = meeting.request.sender, meeting.request.recipient
    as_participant(a).put(url(meeting), {"took_place": True, "rating": 1}, format="json")
    assert as_participant(b).get(url(meeting)).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"took_place": True}, "rating"),
        ({"took_place": True, "rating": 9}, "rating"),
        ({"took_place": False, "rating": 3}, "rating"),
        ({"took_place": True, "rating": 3, "outcome": "maybe"}, "outcome"),
        ({"rating": 3}, "took_place"),
        ({"took_place": True, "rating": 3, "stars": 5}, "stars"),
        ({"took_place": True, "rating": "many"}, "rating"),
    ],
)
def test_bad_input_answers_400_naming_the_field(meeting, as_participant, body, field):
    response = as_participant(meeting.request.sender).put(url(meeting), body, format="json")
    assert response.status_code == 400, response.data
    assert field in str(response.data)
    assert not MeetingFeedback.objects.exists()


def test_before_the_meeting_answers_409(upcoming_event, make_participant, as_participant):
    a = make_participant(event=upcoming_event)
    b = make_participant(event=upcoming_event)
    request = RequestFactory(sender=a, recipient=b, status=MeetingRequest.Status.ACCEPTED)
    m = meeting_book(request=request, slot=upcoming_event.slots.first(), actor=Actor(system=True))
    response = as_participant(a).put(url(m), {"took_place": True, "rating": 5}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "meeting_not_started"
    # the time in words, as the pages and emails write it (not "2026-12-16 09:00")
    start = m.slot.start.astimezone(upcoming_event.tz)
    assert response.data["detail"] == (
        f"This meeting starts on {start:%A} {start.day} {start:%B} at {start:%H:%M}; feedback "
        "opens when it starts."
    )


def test_someone_else_gets_404(meeting, make_participant, as_participant):
    stranger = make_participant()
    response = as_participant(stranger).put(url(meeting), {"took_place": False}, format="json")
    assert response.status_code == 404


def test_organisers_read_everyone_s_and_give_none(meeting, organiser_client, as_participant):
    a, b = meeting.request.sender, meeting.request.recipient
    as_participant(a).put(url(meeting), {"took_place": True, "rating": 5}, format="json")
    as_participant(b).put(url(meeting), {"took_place": False}, format="json")
    refused = organiser_client.put(url(meeting), {"took_place": True, "rating": 5}, format="json")
    assert refused.status_code == 403
    assert refused.data["code"] == "organisers_read_feedback"
    listing = organiser_client.get(f"/api/events/{meeting.event.slug}/feedback/")
    assert listing.status_code == 200
    assert {r["participant"] for r in listing.data["results"]} == {a.pk, b.pk}
    only = organiser_client.get(
        f"/api/events/{meeting.event.slug}/feedback/", {"took_place": "false"}
    )
    assert [r["participant"] for r in only.data["results"]] == [b.pk]
    by = organiser_client.get(f"/api/events/{meeting.event.slug}/feedback/", {"participant": a.pk})
    assert [r["rating"] for r in by.data["results"]] == [5]


def test_participants_and_other_teams_cannot_list(meeting, as_participant, other_organiser):
    path = f"/api/events/{meeting.event.slug}/feedback/"
    assert as_participant(meeting.request.sender).get(path).status_code == 403
    response = client_for(other_organiser).get(path)
    assert response.status_code == 403
    assert response.data["code"] == "not_event_organiser"


def test_list_filter_with_a_bad_value_answers_400(meeting, organiser_client):
    path = f"/api/events/{meeting.event.slug}/feedback/"
    assert organiser_client.get(path, {"meeting": "x"}).status_code == 400
    assert organiser_client.get(path, {"took_place": "perhaps"}).status_code == 400


def test_feedback_from_a_meeting_of_yesterday(upcoming_event, make_participant, as_participant):
    """The common case: the day after, from the agenda's link."""
    a = make_participant(event=upcoming_event)
    b = make_participant(event=upcoming_event)
    request = RequestFactory(sender=a, recipient=b, status=MeetingRequest.Status.ACCEPTED)
    m = meeting_book(request=request, slot=upcoming_event.slots.first(), actor=Actor(system=True))
    from matchmaking.models import Slot

    start = m.slot.start - dt.timedelta(days=31)
    Slot.objects.filter(pk=m.slot_id).update(start=start, end=start + dt.timedelta(minutes=20))
    response = as_participant(b).put(url(m), {"took_place": False}, format="json")
    assert response.status_code == 200, response.data
