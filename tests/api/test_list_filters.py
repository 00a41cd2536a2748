"""The list filters that take a participant answer an id of no participant of this event (another
event's, an unknown one) with 400 "No participant N in this event.", as ``agenda.ics`` and
``recommendations`` do, not with an empty list that reads as "nothing with them"."""

import pytest

from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = pytest.mark.django_db

LISTS = ["meetings/", "requests/", "feedback/"]


@pytest.fixture
def strangers(db):
    """A participant of another event, and an id nobody has."""
    elsewhere = ParticipantFactory(event=EventFactory())
    return {"another event's": elsewhere.pk, "unknown": elsewhere.pk + 1000}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("who", ["another event's", "unknown"])
def test_organisers_filtering_by_no_participant_of_the_event_get_400(
    event, organiser_client, strangers, path, who
):
    pid = strangers[who]
    response = organiser_client.get(f"/api/events/{event.slug}/{path}", {"participant": pid})
    assert response.status_code == 400, response.data
    assert response.json() == {
        "detail": f"No participant {pid} in this event.",
        "code": "invalid",
        "field": "participant",
    }
    agenda = organiser_client.get(f"/api/events/{event.slug}/agenda.ics", {"participant": pid})
    assert (agenda.status_code, agenda.json()["detail"]) == (400, response.json()["detail"])


@pytest.mark.parametrize("path", ["meetings/", "requests/"])
def test_participants_filtering_by_no_participant_of_the_event_get_400(
    event, make_participant, as_participant, strangers, path
):
    client = as_participant(make_participant())
    for pid in strangers.values():
        response = client.get(f"/api/events/{event.slug}/{path}", {"participant": pid})
        assert response.status_code == 400, response.data
        assert response.json()["detail"] == f"No participant {pid} in this event."


@pytest.mark.parametrize("path", ["meetings/", "requests/"])
def test_a_participant_filtering_by_someone_gone_they_never_dealt_with_gets_400(
    event, make_participant, as_participant, path
):
    """Who no longer comes is an unknown id to those who never dealt with them, as everywhere."""
    from django.utils import timezone

    gone = make_participant(withdrawn_at=timezone.now())
    client = as_participant(make_participant())
    response = client.get(f"/api/events/{event.slug}/{path}", {"participant": gone.pk})
    assert response.status_code == 400
    assert response.json()["detail"] == f"No participant {gone.pk} in this event."


def test_a_participant_of_the_event_still_filters(
    event, make_participant, as_participant, organiser_client
):
    a, b, c = make_participant(), make_participant(), make_participant()
    RequestFactory(sender=a, recipient=b)
    url = f"/api/events/{event.slug}/requests/"
    assert organiser_client.get(url, {"participant": a.pk}).data["count"] == 1
    assert organiser_client.get(url, {"participant": c.pk}).data["count"] == 0
    assert as_participant(a).get(url, {"participant": c.pk}).data["count"] == 0
    meetings = f"/api/events/{event.slug}/meetings/"
    assert as_participant(a).get(meetings, {"participant": b.pk}).data["count"] == 0
    feedback = f"/api/events/{event.slug}/feedback/"
    assert organiser_client.get(feedback, {"participant": c.pk}).data["count"] == 0
