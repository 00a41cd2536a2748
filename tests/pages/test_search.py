"""Search by need on the recommendations page: who offers what one describes, in any of the
fair's languages, as cards with the offer that meets it."""

import pytest

from matchmaking.services.marks import mark_set
from tests.api.test_recommendations import city_and_providers  # noqa: F401
from tests.pages.test_participant_pages import client_of, messages_of

pytestmark = pytest.mark.django_db


def page(event):
    return f"/my/{event.slug}/recommendations/"


def test_a_search_shows_who_offers_it_with_the_offer_that_meets_it(
    event,
    city_and_providers,  # noqa: F811
):
    city, _traffic, _marketing, water, _colleague = city_and_providers
    mark_set(participant=city, candidate_id=water.pk, kind="saved")
    client = client_of(city)
    found = client.get(page(event), {"need": "fluidifier la circulation aux carrefours"})
    assert found.status_code == 200
    cards = found.context["cards"]
    assert cards[0]["person"]["name"] == "FlowSense"
    assert cards[0]["need_to_offer"]["offer"] == (
        "adaptive traffic signal control that cuts congestion at intersections"
    )
    body = found.content.decode()
    assert "Who offers what you describe:" in body
    assert "My shortlist" not in body  # the search alone, not the shortlist above it
    assert "Back to my recommendations" in body
    # with a kind ticked: start-ups only
    startups = client.get(page(event), {"need": "fuites d'eau", "kind": "startup"})
    assert [c["person"]["name"] for c in startups.context["cards"]] == ["AquaMeter"]


def test_a_too_long_search_says_so_with_a_400(event, city_and_providers):  # noqa: F811
    city = city_and_providers[0]
    response = client_of(city).get(page(event), {"need": "x" * 301})
    assert response.status_code == 400
    assert messages_of(response) == ["A search holds at most 300 characters; this one has 301."]
    assert client_of(city).get(page(event), {"need": "a\x00b"}).status_code == 400


def test_the_search_speaks_french(event, city_and_providers):  # noqa: F811
    city = city_and_providers[0]
    client = client_of(city)
    client.cookies["django_language"] = "fr"
    body = client.get(page(event), {"need": "compteurs d'eau"}).content.decode()
    assert "Qui offre ce que vous décrivez" in body


def test_a_search_card_of_someone_who_declined_me_offers_no_request(
    event,
    city_and_providers,  # noqa: F811
):
    from tests.factories import RequestFactory

    city, traffic, _marketing, _water, _colleague = city_and_providers
    RequestFactory(sender=city, recipient=traffic, status="declined")
    found = client_of(city).get(page(event), {"need": "adaptive traffic signal control"})
    [card] = [c for c in found.context["cards"] if c["person"]["name"] == "FlowSense"]
    assert card["declined_me"] is True
    body = found.content.decode()
    assert "Declined your request" in body
    assert "Why they come up" in body


def test_an_exhibitor_who_meets_no_exhibitors_is_not_offered_that_filter(event, make_participant):
    me = make_participant(name="Booth", kind="exhibitor", accepts_same_kind=False)
    kinds = [code for code, _label, _on in client_of(me).get(page(event)).context["kinds"]]
    assert "exhibitor" not in kinds


def test_a_delegation_open_to_other_cities_is_offered_that_filter_and_says_so(
    event, make_participant
):
    closed = make_participant(kind="delegation", accepts_same_kind=False)
    opened = make_participant(kind="delegation", accepts_same_kind=True)
    kinds = {
        who: [code for code, _label, _on in client_of(who).get(page(event)).context["kinds"]]
        for who in (closed, opened)
    }
    assert "delegation" not in kinds[closed] and "delegation" in kinds[opened]
    profile = client_of(closed).get(f"/my/{event.slug}/profile/").content.decode()
    assert "I am open to exchanges of experience with other city delegations" in profile
