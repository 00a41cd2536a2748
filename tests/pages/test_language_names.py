"""Languages named in the page's language: the Arabic pages name the Maghreb's own languages
(Darija, Riffian…) that the CLDR names only in English and French, instead of showing codes,
and the profile gives them back in the same words."""

import pytest
from django.test import Client
from django.utils import translation

from matchmaking.languages import language_words
from matchmaking.pages.labels import language_names

pytestmark = pytest.mark.django_db

ARABIC = {
    "ary": "الدارجة المغربية",
    "arq": "الدارجة الجزائرية",
    "aeb": "الدارجة التونسية",
    "arz": "العربية المصرية",
    "rif": "الريفية",
}


def test_arabic_pages_name_the_maghreb_languages():
    with translation.override("ar"):
        assert language_names([*ARABIC, "fr"]) == [*ARABIC.values(), "الفرنسية"]
    with translation.override("fr"):
        assert language_names(["ary", "rif"]) == ["arabe marocain", "rifain"]


def test_the_arabic_names_are_read_back_as_their_codes():
    assert language_words("، ".join(ARABIC.values())) == list(ARABIC)


def test_arabic_profile_shows_darija_by_name_and_keeps_it_when_saved(event, make_participant):
    me = make_participant(languages=["zgh", "ary", "fr"], country="MR", city="Nouakchott")
    client = Client()
    client.force_login(me.user)
    form = client.get(f"/my/{event.slug}/profile/", HTTP_ACCEPT_LANGUAGE="ar").context["form"]
    shown = form["languages"].value()
    assert shown == "التمازيغية المغربية القياسية، الدارجة المغربية، الفرنسية"

    client.post(
        f"/my/{event.slug}/profile/",
        {"languages": shown, "country": "MR", "city": "Nouakchott"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    me.refresh_from_db()
    assert me.languages == ["zgh", "ary", "fr"]
