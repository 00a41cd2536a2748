"""The console's change log in words: every logged action, never a Python dict."""

import zoneinfo

from django.utils import translation

from matchmaking.models import MeetingLog
from matchmaking.pages.labels import log_text

TZ = zoneinfo.ZoneInfo("Africa/Casablanca")


def test_attendee_left_reads_as_a_sentence_in_the_readers_language():
    row = MeetingLog(
        action="attendee_left",
        detail={
            "participant": 296,
            "name": "Karim Noor",
            "reason": "Karim Noor is no longer available at that time.",
            "reason_code": "participant_unavailable",
            "reason_params": {"name": "Karim Noor"},
        },
    )
    with translation.override("en"):
        assert log_text(row, TZ) == (
            "Karim Noor left the meeting: Karim Noor is no longer available at that time."
        )
    with translation.override("fr"):
        assert log_text(row, TZ) == (
            "Karim Noor a quitté le rendez-vous : Karim Noor n’est plus disponible à ce moment-là."
        )


def test_a_cancellation_with_its_reason_uses_the_languages_colon():
    row = MeetingLog(action="cancelled", detail={"reason": "Stand closed"})
    with translation.override("en"):
        assert log_text(row, TZ) == "Cancelled: Stand closed"
    with translation.override("fr"):
        assert log_text(row, TZ) == "Annulé : Stand closed"
    with translation.override("fr"):
        assert log_text(MeetingLog(action="cancelled", detail={}), TZ) == "Annulé"


def test_unknown_action_never_shows_a_dict():
    row = MeetingLog(action="some_new_thing", detail={"a": {"b": 1}, "c": None})
    text = log_text(row, TZ)
    assert text == "some new thing · a: b: 1 · c: —"
