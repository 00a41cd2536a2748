"""Weekdays in slot lists: Arabic writes the full weekday with its article ("الخميس"), as
Django's abbreviations ("خميس") read wrong; French and English keep the short form."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation


def _slots():
    start = dt.datetime(2026, 12, 17, 10, 30)
    slot = SimpleNamespace(pk=1, start=start, end=start + dt.timedelta(minutes=20))
    return {start.date(): [slot]}


@pytest.mark.parametrize(
    "language, day",
    [("ar", "الخميس 17 ديسمبر"), ("fr", "jeu 17 décembre"), ("en", "Thu 17 December")],
)
def test_a_slot_list_names_the_weekday_the_language_s_way(language, day):
    with translation.override(language):
        html = render_to_string(
            "matchmaking/_slot_select.html", {"select_id": "s", "slots_by_day": _slots()}
        )
    option = html.split("<option", 1)[1]
    assert f">{day} · " in option


def test_a_proposable_time_names_the_arabic_weekday_with_its_article():
    start = dt.datetime(2026, 12, 17, 10, 30)
    with translation.override("ar"):
        html = render_to_string(
            "matchmaking/participant/_request_button.html",
            {
                "booking_open": True,
                "event": SimpleNamespace(slug="s"),
                "recipient_id": 2,
                "form_prefix": "",
                "proposable": [SimpleNamespace(pk=1, start=start, part="morning")],
            },
        )
    assert "الخميس 17 ديسمبر 10:30" in html
    assert ">خميس" not in html
