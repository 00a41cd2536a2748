"""Free-text boxes (the agenda's feedback comment, the directory search): what is typed may be
Arabic on a French page or the reverse, and is laid out in its own direction, as in every other
free-text box."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from tests.api.test_meetings import move_slot
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def test_the_feedback_comment_follows_the_direction_of_its_text(upcoming_event, make_participant):
    event = upcoming_event
    me = make_participant(event=event)
    slot = event.slots.order_by("start").first()
    request = RequestFactory(
        sender=me,
        recipient=make_participant(event=event),
        status=MeetingRequest.Status.ACCEPTED,
    )
    meeting_book(request=request, slot=slot, actor=Actor(system=True))
    move_slot(slot, timezone.now() - dt.timedelta(minutes=30))
    client = Client()
    client.force_login(me.user)

    page = client.get(f"/my/{event.slug}/agenda/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    textarea = re.search(r'<textarea name="comment"[^>]*>', page).group(0)
    assert ' dir="auto"' in textarea


def test_the_directory_search_box_follows_the_direction_of_its_text(event, make_participant):
    """A delegate searching «سلمى» on a French page, or "Fès" on an Arabic one."""
    me = make_participant()
    client = Client()
    client.force_login(me.user)
    page = client.get(f"/my/{event.slug}/requests/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    box = re.search(r'<input type="search" id="q"[^>]*>', page).group(0)
    assert ' dir="auto"' in box
