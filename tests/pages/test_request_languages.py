"""A request between two people who share no language says so on the Requests page, to the
one who received it as to the one who sent it: the recommendation card told the sender, but
the delegate deciding to accept an English-only investor's request did not know an
interpreter would be needed. An Arabic variety counts as Arabic."""

import re

import pytest
from django.test import Client

from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

NOTE = (
    "No common language (you: {mine}; they: {theirs}): plan an interpreter or a bilingual "
    "colleague."
)


def card(client, event, request, **headers) -> str:
    html = client.get(f"/my/{event.slug}/requests/", **headers).content.decode()
    html = html[html.index(f'id="request-{request.pk}"') :]
    return html[: html.index("</li>")]


def client_of(participant) -> Client:
    client = Client()
    client.force_login(participant.user)
    return client


def test_both_sides_of_a_request_see_that_they_share_no_language(event, make_participant):
    mariem = make_participant(name="Mariem", kind="delegation", languages=["ar", "fr"])
    laura = make_participant(name="Laura", kind="investor", languages=["es", "en"])
    request = RequestFactory(sender=laura, recipient=mariem, status="pending")

    assert NOTE.format(mine="Arabic, French", theirs="English, Spanish") in card(
        client_of(mariem), event, request
    )
    assert NOTE.format(mine="English, Spanish", theirs="Arabic, French") in card(
        client_of(laura), event, request
    )
    arabic = card(client_of(mariem), event, request, HTTP_ACCEPT_LANGUAGE="ar")
    assert "لا توجد لغة مشتركة" in arabic and "العربية، الفرنسية" in arabic


def test_no_note_when_a_language_is_shared_or_the_request_is_closed(event, make_participant):
    darija = make_participant(name="Houda", kind="delegation", languages=["ary", "zgh"])
    arabic = make_participant(name="Karim", kind="exhibitor", languages=["ar", "en"])
    english = make_participant(name="Laura", kind="investor", languages=["en"])
    shared = RequestFactory(sender=arabic, recipient=darija, status="pending")
    closed = RequestFactory(sender=english, recipient=darija, status="declined")

    assert "No common language" not in card(client_of(darija), event, shared)
    assert "No common language" not in card(client_of(darija), event, closed)


def test_find_someone_says_when_a_person_found_shares_no_language_with_me(event, make_participant):
    """The Shanghai guest of honour (Chinese, English) finds an Arabic-only deputy mayor by
    name: the card said nothing before the request was sent, while the recommendation cards
    and the request itself say it. It now says it there too, before asking."""
    fang = make_participant(name="Fang Liu", languages=["zh", "en"])
    make_participant(name="Salma Naciri", languages=["ar"])
    make_participant(name="Salma Bennani", languages=["ar", "en"])
    client = Client()
    client.force_login(fang.user)

    page = client.get(f"/my/{event.slug}/requests/?q=Salma").content.decode()

    notes = re.findall(r"<p class=\"pt-language-note\" data-language-note>(.*?)</p>", page)
    assert notes == [
        "No common language (you: English, Chinese; they: Arabic): plan an interpreter or a "
        "bilingual colleague."
    ]
    card = page[page.index("<strong>Salma Naciri</strong>") :]
    assert card.index("data-language-note") < card.index("</li>")
