"""Where a recommended person comes from, as the page's reader says it: the city and the
country's name in the page's language ("El Jadida, Maroc", «El Jadida، المغرب»), not its
ISO code ("El Jadida, MA")."""

import pytest
from django.test import Client

from matchmaking.models import Recommendation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "place"),
    [("en", "El Jadida, Morocco"), ("fr", "El Jadida, Maroc"), ("ar", "El Jadida، المغرب")],
)
def test_a_card_names_the_country_in_the_pages_language(event, make_participant, language, place):
    me = make_participant(kind="visitor")
    other = make_participant(kind="exhibitor", city="El Jadida", country="MA")
    nowhere = make_participant(kind="exhibitor", city="", country="")
    for rank, candidate in enumerate((other, nowhere), start=1):
        Recommendation.objects.create(
            event=event, participant=me, candidate=candidate, rank=rank, score=0.5, reasons={}
        )
    client = Client()
    client.force_login(me.user)

    response = client.get(f"/my/{event.slug}/recommendations/", HTTP_ACCEPT_LANGUAGE=language)

    assert [card["place"] for card in response.context["cards"]] == [place, ""]
    assert f" · {place}</p>" in response.content.decode()
