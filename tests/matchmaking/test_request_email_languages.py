"""The "new meeting request" email tells its reader when the two share no language (an
Arabic variety counts as Arabic), in the reader's language: the delegate deciding whether to
accept knows an interpreter will be needed."""

import pytest

from matchmaking.models import Notification
from matchmaking.services.requests import request_create

pytestmark = pytest.mark.django_db

LINES = {
    "en": "You share no language: plan an interpreter or a bilingual colleague.",
    "fr": "Vous n’avez aucune langue en commun : prévoyez un interprète ou un collègue bilingue.",
    "ar": "لا توجد لغة مشتركة بينكما: خطط لوجود مترجم أو زميل يتقن اللغتين.",
}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_request_email_says_when_the_two_share_no_language(
    upcoming_event, make_participant, lang
):
    laura = make_participant(event=upcoming_event, name="Laura", languages=["es", "de"])
    mariem = make_participant(event=upcoming_event, name="Mariem", languages=[lang, "zgh"])

    request_create(sender=laura, recipient=mariem)

    body = Notification.objects.get(recipient=mariem, kind="request_received").body
    assert LINES[lang] in body


def test_no_such_line_when_a_language_is_shared(upcoming_event, make_participant):
    karim = make_participant(event=upcoming_event, name="Karim", languages=["ar", "en"])
    houda = make_participant(event=upcoming_event, name="Houda", languages=["ary", "fr"])

    request_create(sender=karim, recipient=houda)

    body = Notification.objects.get(recipient=houda, kind="request_received").body
    assert LINES["ar"] not in body and LINES["en"] not in body
