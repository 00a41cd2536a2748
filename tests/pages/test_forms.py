"""Page forms' messages: plurals through ngettext, in English, French and Arabic."""

import pytest
from django.utils import translation

from matchmaking.pages.forms import PresenceForm
from matchmaking.services.availability import AvailabilityChange


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (AvailabilityChange(), "Your times are saved."),
        (AvailabilityChange(cancelled=[7]), "Your times are saved; 1 meeting cancelled."),
        (AvailabilityChange(cancelled=[7, 8]), "Your times are saved; 2 meetings cancelled."),
        (
            AvailabilityChange(left=[7]),
            "Your times are saved. You left 1 meeting joined as a colleague; it goes on "
            "without you.",
        ),
        (
            AvailabilityChange(cancelled=[5], left=[7, 8, 9]),
            "Your times are saved; 1 meeting cancelled. You left 3 meetings joined as a "
            "colleague; they go on without you.",
        ),
    ],
)
def test_presence_saved_message_singular_and_plural(change, text):
    with translation.override("en"):
        assert PresenceForm.saved_message(change) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (
            1,
            "1 booked meeting falls outside these times. Move or cancel it first, or tick the "
            "box to cancel it now.",
        ),
        (
            2,
            "2 booked meetings fall outside these times. Move or cancel them first, or tick the "
            "box to cancel them now.",
        ),
    ],
)
def test_presence_outside_message_singular_and_plural(count, text):
    with translation.override("en"):
        assert PresenceForm.outside_message(count) == text


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("fr", 1, "Vos horaires sont enregistrés ; 1 rendez-vous annulé."),
        ("fr", 3, "Vos horaires sont enregistrés ; 3 rendez-vous annulés."),
        ("ar", 1, "تم حفظ أوقاتك؛ أُلغي لقاء واحد."),
        ("ar", 2, "تم حفظ أوقاتك؛ أُلغي لقاءان."),
        ("ar", 5, "تم حفظ أوقاتك؛ أُلغيت 5 لقاءات."),
        ("ar", 11, "تم حفظ أوقاتك؛ أُلغي 11 لقاءً."),
    ],
)
def test_presence_saved_message_plural_forms_translated(language, count, text):
    change = AvailabilityChange(cancelled=list(range(count)))
    with translation.override(language):
        assert PresenceForm.saved_message(change) == text


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("fr", 1, "Vous avez quitté 1 rendez-vous rejoint en tant que collègue ; il a lieu"),
        ("fr", 2, "Vous avez quitté 2 rendez-vous rejoints en tant que collègue ; ils ont lieu"),
        ("ar", 2, "غادرت لقاءين انضممت إليهما كزميل"),
    ],
)
def test_presence_left_message_translated(language, count, text):
    change = AvailabilityChange(left=list(range(count)))
    with translation.override(language):
        assert text in PresenceForm.saved_message(change)


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("fr", 1, "1 rendez-vous réservé est en dehors de ces horaires. Déplacez-le"),
        ("fr", 2, "2 rendez-vous réservés sont en dehors de ces horaires. Déplacez-les"),
        ("ar", 1, "لقاء محجوز واحد خارج هذه الأوقات."),
    ],
)
def test_presence_outside_message_translated(language, count, text):
    with translation.override(language):
        assert PresenceForm.outside_message(count).startswith(text)


def test_presence_outside_message_says_a_joined_meeting_is_left_not_cancelled():
    """A colleague leaving early does not cancel the meetings they only joined: the refusal
    says what ticking the box does to those (it said "cancel them")."""
    assert PresenceForm.outside_message(1, joined=True).endswith(
        "Meetings joined only as a colleague are not cancelled: ticking the box leaves them and "
        "they go on."
    )
    assert "colleague" not in PresenceForm.outside_message(1)
    with translation.override("fr"):
        assert PresenceForm.outside_message(2, joined=True).endswith(
            "cocher la case permet de les quitter, et ils continuent."
        )
