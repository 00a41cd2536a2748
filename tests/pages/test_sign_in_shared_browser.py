"""A sign-in link opened where someone else is signed in (a shared computer at the registration
desk) says who is and whom the link signs in, in the link person's language, before they
confirm; otherwise the page is as before."""

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.services.participants import login_link_create
from tests.pages.test_participant_pages import client_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_participant):
    amina = make_participant(name="Amina", languages=["fr"], email="amina@example.org")
    bruno = make_participant(name="Bruno", languages=["ar", "en"], email="bruno@example.org")
    return amina, bruno


def test_the_page_says_who_is_signed_in_and_whom_the_link_signs_in_in_their_language(people):
    amina, bruno = people
    secret = login_link_create(participant=bruno)
    browser = client_of(amina)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # the desk's browser speaks French
    page = browser.get(f"/my/login/{secret}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert page["Content-Language"] == "ar"
    assert (
        "الحساب المفتوح حاليًا: Amina؛ هذا الرابط يفتح حساب Bruno. تسجيل الدخول يُغلق حساب "
        "Amina في هذا المتصفح."
    ) in html
    signed = browser.post(f"/my/login/{secret}/")  # it still signs Bruno in
    assert signed.status_code == 302
    assert int(browser.session["_auth_user_id"]) == bruno.user_id


def test_the_browsers_language_when_the_product_speaks_none_of_theirs(people, make_participant):
    amina, _bruno = people
    chen = make_participant(name="Chen", languages=["zh"])  # no language of the product
    secret = login_link_create(participant=chen)
    html = client_of(amina).get(f"/my/login/{secret}/").content.decode()
    assert (
        "You are signed in as Amina; this link signs in Chen. Signing in signs Amina out of "
        "this browser."
    ) in html


@pytest.mark.parametrize("who", ["nobody", "the link's person"])
def test_nothing_is_said_when_nobody_else_is_signed_in(people, who):
    _amina, bruno = people
    secret = login_link_create(participant=bruno)
    first = login_link_create(participant=bruno)
    browser = Client()
    if who == "the link's person":
        browser.post(f"/my/login/{first}/")
        secret = login_link_create(participant=bruno)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = browser.get(f"/my/login/{secret}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-other-account" not in html
    assert '<html lang="fr"' in html  # the browser's language, as before
