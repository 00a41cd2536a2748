"""A day standing alone (a heading, a label, a list's group) names its weekday on every page,
and in Arabic with "يوم" before it, as the sentences and the emails write it (Django's Arabic
date format alone wrote "الأربعاء 18 إبريل"; the console wrote "April 18, 2018")."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from matchmaking.reasons import weekday_date_text


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "Thursday 17 December"),
        ("fr", "jeudi 17 décembre"),
        ("ar", "يوم الخميس 17 ديسمبر"),
    ],
)
def test_a_slot_lists_day_group_names_the_weekday_the_languages_way(language, text):
    start = dt.datetime(2026, 12, 17, 10, 30)
    slot = SimpleNamespace(pk=1, start=start, end=start + dt.timedelta(minutes=20))
    with translation.override(language):
        html = render_to_string(
            "matchmaking/_slot_select.html",
            {"select_id": "s", "slots_by_day": {start.date(): [slot]}},
        )
    assert f'<optgroup label="{text}">' in html


def test_the_year_is_added_on_request():
    with translation.override("ar"):
        assert weekday_date_text(dt.date(2018, 4, 18), year=True) == "يوم الأربعاء 18 إبريل 2018"
    with translation.override("fr"):
        assert weekday_date_text(dt.date(2018, 4, 18), year=True) == "mercredi 18 avril 2018"


@pytest.mark.django_db
def test_the_organisers_meeting_page_names_the_weekday(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/"

    english = staff_client.get(url).content.decode()
    arabic = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert "<dd>Wednesday 18 April 2018 · " in english
    assert '<optgroup label="Wednesday 18 April">' in english  # the Move form's days
    assert "<dd>يوم الأربعاء 18 إبريل 2018 · " in arabic
    assert '<optgroup label="يوم الأربعاء 18 إبريل">' in arabic
