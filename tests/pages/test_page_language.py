"""The pages' language follows the profile's languages, as the emails do, until the person
chooses a language in the menu: signed in with a French-first profile, then the languages set
to English only, the pages stayed French while the emails switched to English."""

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.pages.participant_views import LANGUAGE_SOURCE_COOKIE
from matchmaking.services.participants import login_link_create
from tests.pages.test_participant_pages import profile_data

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def me(make_participant):
    return make_participant(name="Amina Alaoui", email="amina@casa.ma", languages=["fr", "en"])


def signed_in(person, client=None) -> Client:
    client = client or Client()
    response = client.post(f"/my/login/{login_link_create(participant=person)}/")
    assert response.status_code == 302
    return client


def page_language(client, event) -> str:
    body = client.get(f"/my/{event.slug}/agenda/").content.decode()
    return body.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_pages_follow_the_profile_s_new_languages(event, me):
    client = signed_in(me)
    assert client.cookies[COOKIE].value == "fr" and page_language(client, event) == "fr"
    saved = client.post(f"/my/{event.slug}/profile/", profile_data(languages="English"))
    assert saved.status_code == 302
    assert client.cookies[COOKIE].value == "en"
    assert page_language(client, event) == "en"


def test_a_language_chosen_in_the_menu_stays_when_the_profile_changes(event, me):
    client = signed_in(me)
    chosen = client.post("/i18n/setlang/", {"language": "ar", "next": f"/my/{event.slug}/"})
    assert chosen.status_code == 302
    client.post(f"/my/{event.slug}/profile/", profile_data(languages="English"))
    assert client.cookies[COOKIE].value == "ar"
    assert page_language(client, event) == "ar"
    # and signing in again keeps it too
    signed_in(me, client)
    assert client.cookies[COOKIE].value == "ar"


def test_signing_in_again_follows_the_profile_s_languages(event, me):
    """The cookie set at the first sign-in was the profile's, not a choice: a later sign-in
    after the languages changed elsewhere (the organisers' import, the API) follows them."""
    client = signed_in(me)
    client.post("/my/logout/")
    me.languages = ["ar"]
    me.save(update_fields=["languages"])
    signed_in(me, client)
    assert client.cookies[COOKIE].value == "ar"
    assert client.cookies[LANGUAGE_SOURCE_COOKIE].value == "profile"


def test_no_language_the_product_speaks_leaves_the_browser_s(event, me):
    client = signed_in(me)
    client.post(f"/my/{event.slug}/profile/", profile_data(languages="zgh"))
    assert client.cookies[COOKIE].value == ""  # removed: the browser's language again
    browser = client.get(f"/my/{event.slug}/agenda/", headers={"accept-language": "fr"})
    assert '<html lang="fr"' in browser.content.decode()


def test_a_moroccan_arabic_speaker_reads_arabic_pages(event, make_participant):
    client = signed_in(make_participant(languages=["ary", "fr"]))
    assert client.cookies[COOKIE].value == "ar"
