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


def test_the_agenda_isolates_each_name_and_organisation_on_an_arabic_page(
    upcoming_event, make_participant
):
    """On the Arabic agenda "Meryem Benslimane (Wattnow)" was one left-to-right run: an
    Arabic reader met the organisation first, and with two people the list read from the left.
    Each name and organisation is now isolated, so they follow the page's order (name first,
    on the right), as on the recommendation cards."""
    event = upcoming_event
    me = make_participant(event=event, name="Salma Naciri", languages=["ar"])
    other = make_participant(event=event, name="Meryem Benslimane")
    slot = event.slots.order_by("start").first()
    booked = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.ACCEPTED)
    meeting_book(request=booked, slot=slot, actor=Actor(system=True))
    to_book = make_participant(event=event, name="Omar Kettani")
    RequestFactory(sender=me, recipient=to_book, status=MeetingRequest.Status.ACCEPTED)
    client = Client()
    client.force_login(me.user)

    page = client.get(f"/my/{event.slug}/agenda/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    org = other.organisation.name
    assert (
        f'<strong><bdi>Meryem Benslimane</bdi> <span class="pt-muted">(<bdi>{org}</bdi>)</span>'
        in page
    )
    org = to_book.organisation.name
    assert (
        f'<strong><bdi>Omar Kettani</bdi></strong> <span class="pt-muted">(<bdi>{org}</bdi>)'
        in page
    )
