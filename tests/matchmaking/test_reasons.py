"""A time inside a reason or a refusal ("… already has a meeting at …") names its weekday in
the reader's language, as the agenda, the Requests page and the emails do ("Dec. 17, 2026 11:35"
made people count the fair's days); Arabic writes "يوم" before it."""

import pytest
from django.utils import translation

from matchmaking.reasons import Reason, when_text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Thursday 17 December at 11:35"),
        ("fr", "jeudi 17 décembre à 11:35"),
        ("ar", "يوم الخميس 17 ديسمبر الساعة 11:35"),
    ],
)
def test_when_text_names_the_weekday_in_the_readers_language(language, expected):
    with translation.override(language):
        assert when_text("2026-12-17 11:35") == expected


def test_a_refusal_names_the_weekday_and_the_api_keeps_english():
    reason = Reason("participant_has_meeting", {"name": "Bruno", "slot": "2026-12-17 11:35"})
    assert reason.english() == "Bruno already has a meeting on Thursday 17 December at 11:35."
    with translation.override("fr"):
        assert str(reason) == "Bruno a déjà un rendez-vous le jeudi 17 décembre à 11:35."
    with translation.override("ar"):
        assert str(reason) == "لدى Bruno لقاء آخر في يوم الخميس 17 ديسمبر الساعة 11:35."


def test_when_text_leaves_a_text_that_is_not_a_time():
    assert when_text("soon") == "soon"
