"""The pages a participant meets when something is off, in their language and with a way on:
a form sent from a page opened before they signed in again (another tab, a new sign-in link)
fails Django's CSRF check, and an address that is not theirs answers 404. Both showed Django's
bare English pages ("CSRF verification failed. Request aborted.", "Not Found")."""

import pytest
from django.test import Client

from matchmaking.models import MeetingRequest
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_form_from_a_page_opened_before_signing_in_again_says_what_to_do(event, make_participant):
    me = make_participant(name="Mariem")
    other = make_participant(name="Laura", kind="exhibitor")
    client = Client(enforce_csrf_checks=True)
    client.force_login(me.user)
    page = f"/my/{event.slug}/recommendations/"
    client.get(page)  # the page, with a form and its token
    client.cookies["csrftoken"] = "x" * 32  # signed in again elsewhere: the token changed

    response = client.post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": other.pk, "message": "Bonjour", "csrfmiddlewaretoken": "y" * 32},
        HTTP_ACCEPT_LANGUAGE="ar",
        HTTP_REFERER=f"http://testserver{page}",
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "هذه الصفحة قديمة" in html
    assert f'href="{page}"' in html  # back to the page it was sent from
    assert "CSRF" not in html
    assert not MeetingRequest.objects.exists()


def test_the_stale_form_page_never_links_to_another_site(event, make_participant):
    me = make_participant()
    client = Client(enforce_csrf_checks=True)
    client.force_login(me.user)
    response = client.post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": me.pk},
        HTTP_ACCEPT_LANGUAGE="fr",
        HTTP_REFERER="https://evil.example/phish",
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Cette page n’est plus à jour" in html
    assert "evil.example" not in html
    assert 'href="/my/"' in html


def test_an_address_that_is_not_mine_answers_a_page_in_my_language(make_participant):
    me = make_participant()
    other_event = EventFactory()
    client = Client()
    client.force_login(me.user)

    response = client.get(f"/my/{other_event.slug}/agenda/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Page introuvable" in html
    assert 'href="/my/"' in html
