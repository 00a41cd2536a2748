"""What the request emails say: the answer deadline, in the reader's language."""

import pytest
from django.utils import translation

from matchmaking.models import Notification
from matchmaking.services.notifications import moment_text
from matchmaking.services.requests import request_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "Please answer by %s."),
        ("fr", "Merci de répondre avant le %s."),
        ("ar", "يُرجى الرد قبل %s."),
    ],
)
def test_the_request_received_email_gives_the_answer_deadline(
    upcoming_event, make_participant, lang, line
):
    amina = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, name="Bruno", languages=[lang])

    request = request_create(sender=amina, recipient=bruno)

    body = Notification.objects.get(recipient=bruno, kind="request_received").body
    with translation.override(lang):
        when = moment_text(request.expires_at, upcoming_event.tz)
    assert line % when in body


def test_the_same_form_token_returns_the_first_request_and_refuses_another_recipient(
    upcoming_event, make_participant
):
    from matchmaking.exceptions import Conflict
    from matchmaking.models import MeetingRequest

    amina = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    chen = make_participant(event=upcoming_event, name="Chen")

    first = request_create(sender=amina, recipient=bruno, client_token="t1")
    again = request_create(sender=amina, recipient=bruno, client_token="t1")

    assert (first.created, again.created, again.pk) == (True, False, first.pk)
    with pytest.raises(Conflict) as refused:
        request_create(sender=amina, recipient=chen, client_token="t1")
    assert refused.value.code == "form_sent_already"
    assert MeetingRequest.objects.filter(sender=amina).count() == 1
