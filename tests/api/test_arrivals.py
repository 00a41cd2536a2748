"""The entrance desk marks who arrived at the fair today (participants/{id}/arrival/), a
participant may say "I'm here" (me/arrival/); once per fair day."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from matchmaking.models import Arrival
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


@pytest.fixture
def event(db):
    """The fair runs today (event time), and tomorrow."""
    today = timezone.localtime(timezone.now(), CASABLANCA).date()
    return EventFactory(days=[today, today + dt.timedelta(days=1)])


def theirs(event, person):
    return f"/api/events/{event.slug}/participants/{person.pk}/arrival/"


def mine(event):
    return f"/api/events/{event.slug}/me/arrival/"


def test_desk_marks_arrival_once_per_day(event, make_participant, organiser_client, organiser):
    amina = make_participant(name="Amina")
    today = timezone.localtime(timezone.now(), CASABLANCA).date()
    assert organiser_client.get(theirs(event, amina)).data == {
        "date": today.isoformat(),
        "arrived": False,
        "at": None,
        "by_self": False,
    }

    marked = organiser_client.post(theirs(event, amina))
    again = organiser_client.post(theirs(event, amina))

    assert marked.status_code == 201, marked.data
    assert marked.data["arrived"] is True
    assert marked.data["by_self"] is False
    assert again.status_code == 200  # a double click keeps the first mark
    assert again.data["at"] == marked.data["at"]
    row = Arrival.objects.get(participant=amina)
    assert (row.date, row.by_id, row.event_id) == (today, organiser.pk, event.pk)


def test_desk_takes_an_arrival_back(event, make_participant, organiser_client):
    amina = make_participant()
    organiser_client.post(theirs(event, amina))

    undone = organiser_client.delete(theirs(event, amina))
    again = organiser_client.delete(theirs(event, amina))

    assert undone.status_code == 204
    assert Arrival.objects.count() == 0
    assert again.status_code == 409
    assert again.data["code"] == "not_arrived"


def test_participant_says_im_here_but_marks_nobody_else(event, make_participant, as_participant):
    amina, bruno = make_participant(), make_participant()
    client = as_participant(amina)

    mine_marked = client.post(mine(event))

    assert mine_marked.status_code == 201
    assert mine_marked.data["by_self"] is True
    assert client.get(mine(event)).data["arrived"] is True
    assert client.post(theirs(event, bruno)).status_code == 403
    assert client.delete(theirs(event, amina)).status_code == 403
    assert list(Arrival.objects.values_list("participant_id", flat=True)) == [amina.pk]


def test_arrival_refused_outside_the_fair_days(make_participant, organiser_client):
    past = EventFactory()  # 18 April 2018
    amina = make_participant(event=past)

    response = organiser_client.post(theirs(past, amina))

    assert response.status_code == 409
    assert response.data["code"] == "not_a_fair_day"
    assert Arrival.objects.count() == 0


def test_arrival_refused_for_who_no_longer_comes(event, make_participant, organiser_client):
    amina = make_participant(withdrawn_at=timezone.now())

    response = organiser_client.post(theirs(event, amina))

    assert response.status_code == 409
    assert response.data["code"] == "participant_withdrawn"


def test_arrival_of_another_events_participant_is_404(event, make_participant, organiser_client):
    other = make_participant(event=EventFactory())

    assert organiser_client.post(theirs(event, other)).status_code == 404


def test_arrival_post_with_a_body_is_400(event, make_participant, organiser_client):
    amina = make_participant()

    response = organiser_client.post(theirs(event, amina), {"bogus": 1}, format="json")

    assert response.status_code == 400
    assert Arrival.objects.count() == 0


def test_participants_list_filters_who_has_not_arrived_today(
    event, make_participant, organiser_client, as_participant
):
    amina, bruno = make_participant(name="Amina"), make_participant(name="Bruno")
    make_participant(name="Chen", withdrawn_at=timezone.now())
    organiser_client.post(theirs(event, amina))
    url = f"/api/events/{event.slug}/participants/"

    waiting = organiser_client.get(url, {"arrived_today": "false", "attending": "true"})
    arrived = organiser_client.get(url, {"arrived_today": "true"})
    refused = as_participant(bruno).get(url, {"arrived_today": "false"})

    assert [p["id"] for p in waiting.data["results"]] == [bruno.pk]
    assert [p["id"] for p in arrived.data["results"]] == [amina.pk]
    assert refused.status_code == 403  # who is at the fair is the organisers' to see
