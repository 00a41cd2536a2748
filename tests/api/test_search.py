"""Search by need (GET /api/events/{slug}/search/?need=...): who offers what one describes, in
any of the fair's languages, ranked like recommendations, with the offer that meets it."""

import pytest

from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.marks import mark_set
from matchmaking.services.meetings import Actor
from tests.api.test_recommendations import city_and_providers, names  # noqa: F401

pytestmark = pytest.mark.django_db


def search(event):
    return f"/api/events/{event.slug}/search/"


def test_an_arabic_search_finds_the_english_traffic_provider_before_the_marketing_trap(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    mark_set(participant=city, candidate_id=traffic.pk, kind="saved")
    response = as_participant(city).get(search(event), {"need": "تنظيم حركة السير في المدينة"})
    assert response.status_code == 200, response.data
    ranked = names(response)
    assert ranked.index("FlowSense") < ranked.index("ClickBoost")
    assert "Adjoint" not in ranked and "Ville de Fès" not in ranked  # colleague, oneself
    best = response.data[0]
    assert best["participant"]["name"] == "FlowSense"
    assert best["saved"] is True
    assert best["rank"] == 1
    assert best["reasons"]["offer"]["offer"] == (
        "adaptive traffic signal control that cuts congestion at intersections"
    )
    assert "traffic" in [s["id"] for s in best["reasons"]["shared_sectors"]]
    # a French search for water leaks: the French water start-up first
    leaks = as_participant(city).get(search(event), {"need": "détecter les fuites d'eau"})
    assert names(leaks)[0] == "AquaMeter"


def test_kinds_limit_and_who_no_longer_comes(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    client = as_participant(city)
    only = client.get(search(event), {"need": "compteurs d'eau", "kind": "startup"})
    assert names(only) == ["AquaMeter"]
    # no start-up offers anything close to traffic: nobody, not the closest start-up
    assert client.get(search(event), {"need": "traffic", "kind": "startup"}).data == []
    assert len(client.get(search(event), {"need": "traffic", "limit": 1}).data) == 1
    attendance_withdraw(participant=traffic, actor=Actor(participant=traffic))
    assert "FlowSense" not in names(client.get(search(event), {"need": "traffic"}))


def test_organisers_search_everyone_and_see_no_shortlist(
    event,
    city_and_providers,  # noqa: F811
    organiser_client,
):
    response = organiser_client.get(search(event), {"need": "gestion de la circulation"})
    assert response.status_code == 200
    ranked = names(response)
    assert ranked[0] == "FlowSense"
    # everyone whose offers come close; not the city, which needs it, nor the water meters
    assert "Ville de Fès" not in ranked and "AquaMeter" not in ranked
    assert all(r["saved"] is None for r in response.data)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "need"),
        ({"need": "   "}, "need"),
        ({"need": "x" * 301}, "need"),
        ({"need": "traffic", "limit": "0"}, "limit"),
        ({"need": "traffic", "limit": "many"}, "limit"),
        ({"need": "traffic", "kind": "robot"}, "kind"),
    ],
)
def test_bad_searches_are_400_naming_the_field(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
    params,
    field,
):
    city = city_and_providers[0]
    response = as_participant(city).get(search(event), params)
    assert response.status_code == 400, response.data
    assert field in str(response.data)


def test_strangers_cannot_search_an_event(event, city_and_providers, anon):  # noqa: F811
    assert anon.get(search(event), {"need": "traffic"}).status_code in (401, 403)


def test_whom_i_am_not_interested_in_is_not_found(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    mark_set(participant=city, candidate_id=traffic.pk, kind="hidden")
    found = as_participant(city).get(search(event), {"need": "traffic signal control"})
    assert "FlowSense" not in names(found)
