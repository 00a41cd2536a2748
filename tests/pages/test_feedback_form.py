"""The agenda's "How was this meeting?" form keeps what was written when it is refused."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from matchmaking.models import MeetingFeedback, MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from tests.api.test_meetings import move_slot
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

COMMENT = "Très utile : ils ont déjà équipé Dakar en capteurs de stationnement, à rappeler."


@pytest.fixture
def past_meeting(upcoming_event, make_participant):
    """A meeting of Ousmane's that started half an hour ago; Ousmane's signed-in client."""
    event = upcoming_event
    me = make_participant(event=event, name="Ousmane Fall", languages=["fr", "wo"])
    other = make_participant(event=event, name="Meryem Benslimane")
    slot = event.slots.order_by("start").first()
    request = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.ACCEPTED)
    meeting = meeting_book(request=request, slot=slot, actor=Actor(system=True))
    move_slot(slot, timezone.now() - dt.timedelta(minutes=30))
    client = Client()
    client.force_login(me.user)
    return event, meeting, client


def _feedback_form(page: str, meeting_id: int) -> str:
    """The feedback <details> of one meeting in the agenda's HTML."""
    start = page.index(f'id="meeting-{meeting_id}"')
    found = re.search(r'<details class="pt-feedback".*?</details>', page[start:], re.S)
    return found.group(0)


def test_a_feedback_form_refused_for_a_missing_rating_comes_back_as_it_was_filled_in(
    past_meeting,
):
    """A delegate answers "yes", picks what comes next and writes a comment, but forgets the
    rating: the agenda opened the form again empty, the comment lost, with the reason at the
    top of the page (far from the meeting on a phone). Now the form comes back open, as it was
    filled in, with the reason beside it, in the page's language; nothing is saved."""
    event, meeting, client = past_meeting
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    url = f"/my/{event.slug}/meetings/{meeting.pk}/feedback/"
    response = client.post(
        url, {"took_place": "yes", "rating": "", "outcome": "follow_up", "comment": COMMENT}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/my/{event.slug}/agenda/#meeting-{meeting.pk}"
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == []  # said beside the form instead
    form = _feedback_form(page.content.decode(), meeting.pk)
    assert form.startswith('<details class="pt-feedback" open>')
    assert (
        '<p class="pt-error" role="alert" data-feedback-error>Notez le rendez-vous de 1 (pas utile)'
        " à 5 (très utile).</p>"
    ) in form
    assert 'value="yes" required checked>' in form
    assert '<option value="follow_up" selected>' in form
    assert f">{COMMENT}</textarea>" in form.replace("&#x27;", "'")
    assert not MeetingFeedback.objects.exists()
    # shown once: the next visit shows the form as saved (here: nothing yet)
    again = _feedback_form(client.get(f"/my/{event.slug}/agenda/").content.decode(), meeting.pk)
    assert "data-feedback-error" not in again and "</textarea>" in again
    assert COMMENT not in again.replace("&#x27;", "'")


def test_a_too_long_feedback_comment_comes_back_to_be_shortened(past_meeting):
    """Over 1,000 characters the comment is refused, not cut: it comes back in the form to be
    shortened, beside the rating already chosen, instead of being lost."""
    event, meeting, client = past_meeting
    long_comment = "Suite à donner. " * 70
    response = client.post(
        f"/my/{event.slug}/meetings/{meeting.pk}/feedback/",
        {"took_place": "yes", "rating": "4", "comment": long_comment},
        follow=True,
    )
    form = _feedback_form(response.content.decode(), meeting.pk)
    length = len(long_comment.strip())
    assert f"Your comment is {length} characters long; at most 1,000." in form
    assert '<option value="4" selected>4/5</option>' in form
    assert f">{long_comment.strip()}</textarea>" in form.replace("&#x27;", "'")
    assert not MeetingFeedback.objects.exists()

    saved = client.post(
        f"/my/{event.slug}/meetings/{meeting.pk}/feedback/",
        {"took_place": "yes", "rating": "4", "comment": COMMENT},
        follow=True,
    )
    assert [str(m) for m in saved.context["messages"]] == [
        "Thank you: your feedback is saved. Only the organisers read it."
    ]
    form = _feedback_form(saved.content.decode(), meeting.pk)
    assert "data-feedback-error" not in form
    assert '<option value="4" selected>4/5</option>' in form
