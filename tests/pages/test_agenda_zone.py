"""The agenda says the event's time zone as a person would, with its offset from UTC on the
fair's days ("Casablanca time (UTC+1)"), in the reader's language; it showed the zone's id
"Africa/Casablanca"."""

import datetime as dt

import pytest
from django.test import Client

from matchmaking import selectors
from matchmaking.pages.labels import zone_text
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "All times are Casablanca time (UTC+1)."),
        ("fr", "Toutes les heures sont en heure de Casablanca (UTC+1)."),
        ("ar", "جميع الأوقات وفق توقيت الدار البيضاء (UTC+1)."),
    ],
)
def test_agenda_says_the_zone_as_a_person_would(make_participant, language, expected):
    event = EventFactory(days=[dt.date(2031, 11, 12)])  # Africa/Casablanca
    me = make_participant(event=event, name="Amina")
    client = Client()
    client.force_login(me.user)

    html = client.get(f"/my/{event.slug}/agenda/", HTTP_ACCEPT_LANGUAGE=language).content
    html = html.decode()

    assert expected in html
    assert "Africa/Casablanca" not in html


def test_the_offset_is_the_fair_days_not_today(make_participant):
    """Paris in July is UTC+2 whatever the date the page is read; a fair across the end of
    summer time names both offsets, in day order."""
    summer = EventFactory(days=[dt.date(2031, 7, 1), dt.date(2031, 7, 2)], timezone="Europe/Paris")
    assert zone_text(summer.timezone, selectors.event_utc_offsets(event=summer)) == (
        "Paris time (UTC+2)"
    )
    across = EventFactory(
        days=[dt.date(2031, 10, 25), dt.date(2031, 10, 27)], timezone="Europe/Paris"
    )
    assert zone_text(across.timezone, selectors.event_utc_offsets(event=across)) == (
        "Paris time (UTC+2 / UTC+1)"
    )


def test_a_zone_without_a_place_is_its_offset():
    assert zone_text("UTC", [dt.timedelta(0)]) == "UTC"
    assert zone_text("Asia/Kolkata", [dt.timedelta(hours=5, minutes=30)]) == (
        "Kolkata time (UTC+5:30)"
    )


def test_french_elides_de_before_a_vowel():
    from django.utils import translation

    algiers = [dt.timedelta(hours=1)]
    with translation.override("fr"):
        assert zone_text("Africa/Algiers", algiers) == "heure d’Alger (UTC+1)"
        assert zone_text("Africa/Casablanca", algiers) == "heure de Casablanca (UTC+1)"
    with translation.override("en"):
        assert zone_text("Africa/Algiers", algiers) == "Algiers time (UTC+1)"
