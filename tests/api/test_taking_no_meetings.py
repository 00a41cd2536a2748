"""A meeting limit of 0 means "not taking meetings" (the API, the import and the profile page
accept 0): requests to or from them are refused with 409 ``not_taking_meetings`` /
``self_not_taking_meetings`` (they could never be booked), they leave the others'
recommendations, search by need and directory list, and their profile page says so."""

import pytest
from django.conf import settings

from matchmaking.models import MeetingRequest, Participant
from matchmaking.services.recommendations import event_refresh
from tests.api.test_recommendations import city_and_providers, names  # noqa: F401
from tests.pages.test_participant_pages import client_of, messages_of

pytestmark = pytest.mark.django_db


def requests_url(event):
    return f"/api/events/{event.slug}/requests/"


def test_a_request_to_someone_taking_no_meetings_is_refused_with_409(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor", max_meetings=0)
    response = as_participant(amina).post(requests_url(event), {"recipient": bruno.pk})
    assert response.status_code == 409, response.data
    assert response.json() == {
        "detail": "Bruno is not taking meetings at this fair (their meeting limit is 0).",
        "code": "not_taking_meetings",
    }
    assert not MeetingRequest.objects.exists()
    Participant.objects.filter(pk=bruno.pk).update(max_meetings=None)  # control
    again = as_participant(amina).post(requests_url(event), {"recipient": bruno.pk})
    assert again.status_code == 201, again.data


def test_someone_taking_no_meetings_cannot_ask_for_one(event, make_participant, as_participant):
    amina = make_participant(name="Amina", kind="delegation", max_meetings=0)
    bruno = make_participant(name="Bruno", kind="exhibitor")
    response = as_participant(amina).post(requests_url(event), {"recipient": bruno.pk})
    assert response.status_code == 409, response.data
    assert response.json()["code"] == "self_not_taking_meetings"
    assert not MeetingRequest.objects.exists()


def test_the_page_says_why_in_the_readers_language(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor", max_meetings=0)
    client = client_of(amina)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    sent = client.post(f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk}, follow=True)
    assert messages_of(sent)[-1:] == [
        "Bruno ne prend pas de rendez-vous à ce salon (sa limite de rendez-vous est de 0)."
    ]
    assert not MeetingRequest.objects.exists()


def test_they_leave_the_others_directory_list_but_not_their_own_or_the_organisers(
    event, make_participant, as_participant, organiser_client
):
    amina = make_participant(name="Amina")
    bruno = make_participant(name="Bruno", max_meetings=0)
    url = f"/api/events/{event.slug}/participants/"

    def listed(client):
        return {p["name"] for p in client.get(url, {"page_size": 100}).data["results"]}

    assert listed(as_participant(amina)) == {"Amina"}
    assert listed(as_participant(bruno)) == {"Amina", "Bruno"}
    assert listed(organiser_client) == {"Amina", "Bruno"}
    assert as_participant(amina).get(f"{url}{bruno.pk}/").status_code == 200  # still there
    page = f"/my/{event.slug}/requests/"
    assert (
        "<strong>Bruno</strong>" not in client_of(amina).get(page, {"q": "Bruno"}).content.decode()
    )
    Participant.objects.filter(pk=bruno.pk).update(max_meetings=1)  # control
    assert "<strong>Bruno</strong>" in client_of(amina).get(page, {"q": "Bruno"}).content.decode()


def test_they_leave_the_others_recommendations_and_search(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    Participant.objects.filter(pk=traffic.pk).update(max_meetings=0)
    event_refresh(event=event)
    client = as_participant(city)
    recommended = names(client.get(f"/api/events/{event.slug}/recommendations/"))
    assert recommended and "FlowSense" not in recommended
    found = names(
        client.get(f"/api/events/{event.slug}/search/", {"need": "traffic signal control"})
    )
    assert found and "FlowSense" not in found
    Participant.objects.filter(pk=traffic.pk).update(max_meetings=None)  # control
    event_refresh(event=event)
    assert "FlowSense" in names(client.get(f"/api/events/{event.slug}/recommendations/"))


def test_their_profile_page_says_they_take_no_meetings(event, make_participant):
    me = make_participant(name="Bruno", max_meetings=0)
    html = client_of(me).get(f"/my/{event.slug}/profile/").content.decode()
    assert "data-no-meetings" in html and "you are not taking meetings" in html
    Participant.objects.filter(pk=me.pk).update(max_meetings=2)
    assert (
        "data-no-meetings" not in client_of(me).get(f"/my/{event.slug}/profile/").content.decode()
    )
