"""The requests page: an accepted request whose meeting was cancelled says so (when it was,
who cancelled it and why), beside its "Book a time", instead of only "accepted"."""

import re

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from matchmaking.services.meetings import meeting_cancel as cancel
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salma(upcoming_event, make_participant):
    return make_participant(event=upcoming_event, name="Salma Naciri", kind="delegation")


@pytest.fixture
def meryem(upcoming_event, make_participant):
    return make_participant(event=upcoming_event, name="Meryem Benslimane")


def _called_off(participant, request_id: int, lang: str = "en") -> str:
    """The "its meeting was cancelled" line of one request card ("" when none)."""
    client = Client()
    client.force_login(participant.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get(f"/my/{participant.event.slug}/requests/").content.decode()
    card = page[page.index(f'id="request-{request_id}"') :]
    card = card[: card.index("</li>")]
    found = re.search(r"<p class=\"pt-called-off\" data-called-off>(.*?)</p>", card, re.S)
    return re.sub(r"\s+", " ", found.group(1)) if found else ""


def test_an_accepted_request_whose_meeting_was_cancelled_says_when_who_and_why(salma, meryem):
    request = RequestFactory(sender=salma, recipient=meryem, status=MeetingRequest.Status.ACCEPTED)
    slot = salma.event.slots.order_by("start")[0]
    meeting = meeting_book(request=request, slot=slot, actor=Actor(system=True))
    assert _called_off(salma, request.pk) == ""  # booked: the card says when and where

    cancel(meeting=meeting, by=meryem, user=meryem.user, reason="Train delayed")

    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.ACCEPTED  # to book another time
    said = _called_off(salma, request.pk)
    assert said.startswith("Its meeting on ")
    assert "was cancelled; the request stays accepted, to book another time." in said
    assert "Cancelled by Meryem Benslimane." in said
    assert "Reason: \u2068Train delayed\u2069" in said
    # the one who cancelled reads it too, in French
    mine = _called_off(meryem, request.pk, "fr")
    assert "Annulé par vous." in mine and "a été annulée" in mine


def test_an_accepted_request_never_booked_says_nothing_of_a_cancellation(salma, meryem):
    request = RequestFactory(sender=salma, recipient=meryem, status=MeetingRequest.Status.ACCEPTED)

    assert _called_off(salma, request.pk) == ""
