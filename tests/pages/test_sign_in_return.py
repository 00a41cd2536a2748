"""Where a sign-in link leads (``next=``, never off the participant's pages nor to a button's
POST-only address), the language a sign-in keeps, and languages typed as a phrase (found in
review)."""

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.services.participants import login_link_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(make_participant):
    return make_participant(name="Amina Alaoui", email="amina@casa.ma", languages=["en", "fr"])


def test_login_link_next_does_not_leave_the_participant_pages(event, me):
    """``_ours`` promises "/my/... nowhere else", but "/my/../admin/" passes (the browser
    resolves it to /admin/)."""
    secret = login_link_create(participant=me)
    response = Client().post(f"/my/login/{secret}/?next=/my/../admin/")
    assert response.status_code == 302
    assert response["Location"] == f"/my/{event.slug}/"


def test_signing_in_keeps_the_language_chosen_in_the_menu(event, me):
    """The person chose French in the language menu (the cookie); they speak English and
    French. Signing in again (a new link after the session expired) resets the pages to
    English, the first of their languages: the chosen language is overridden."""
    secret = login_link_create(participant=me)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(f"/my/login/{secret}/")
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


@pytest.mark.parametrize(
    "typed",
    ["français et anglais", "English or French", "arabe et français"],
)
def test_profile_languages_written_as_a_phrase_do_not_add_a_language_nobody_named(event, me, typed):
    """``clean_languages`` falls back to reading each word of an item it cannot name as a
    code or a name: "et" (French "and") is Estonian's code, "or" Odia's. "français et
    anglais" is saved as French, Estonian, English without a word to the person; the page
    should refuse "et" as it refuses any other word it cannot read (or read it as "and")."""
    from tests.pages.test_participant_pages import client_of, profile_data

    response = client_of(me).post(f"/my/{event.slug}/profile/", profile_data(languages=typed))
    me.refresh_from_db()
    assert not {"et", "or"} & set(me.languages), (response.status_code, me.languages)


def test_a_sign_in_link_asked_from_a_button_does_not_land_on_a_405(event, me):
    """The session ended while a page was open; the person presses a button (Save, on the
    recommendations page: a POST-only address). The link led back to that address by GET: 405,
    a blank page. It now leads back to the page the button was on (or the event's home)."""
    url = f"/my/{event.slug}/marks/"
    page = f"/my/{event.slug}/recommendations/"
    for referer, back in ((f"http://testserver{page}", page), ("", f"/my/{event.slug}/")):
        asked = Client().post(url, {"candidate": me.pk, "state": "saved"}, HTTP_REFERER=referer)
        assert asked.status_code == 302 and asked["Location"].startswith("/my/login/")
        query = asked["Location"].partition("?")[2]
        secret = login_link_create(participant=me)
        client = Client()
        landed = client.post(f"/my/login/{secret}/?{query}")
        assert landed["Location"] == back
        assert client.get(landed["Location"], follow=True).status_code == 200
