"""The agenda says who cancelled a meeting and why, in the page's language."""

import re

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.models import MeetingRequest
from matchmaking.reasons import Reason
from matchmaking.services.meetings import Actor, meeting_book, meeting_cancel_locked
from matchmaking.services.meetings import meeting_cancel as cancel
from tests.factories import RequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salma(upcoming_event, make_participant):
    return make_participant(
        event=upcoming_event, name="Salma Naciri", languages=["ar"], kind="delegation"
    )


@pytest.fixture
def meryem(upcoming_event, make_participant):
    return make_participant(event=upcoming_event, name="Meryem Benslimane")


def _meeting(sender, recipient, index=0):
    slot = sender.event.slots.order_by("start")[index]
    request = RequestFactory(
        sender=sender, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
    )
    return meeting_book(request=request, slot=slot, actor=Actor(system=True))


def _said(page: str, meeting_id: int) -> str:
    """The "cancelled by … Reason: …" line of one meeting of the agenda ("" when none)."""
    card = page[page.index(f'id="meeting-{meeting_id}"') :]
    card = card[: card.index("</li>")]
    found = re.search(r"<p class=\"pt-muted\" data-cancelled>(.*?)</p>", card, re.S)
    return found.group(1) if found else ""


def _agenda(participant, lang: str) -> str:
    client = Client()
    client.force_login(participant.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(f"/my/{participant.event.slug}/agenda/").content.decode()


def test_a_meeting_the_other_side_cancelled_says_who_and_why_in_the_agenda(salma, meryem):
    """Meryem cancels with a reason typed in French: Salma's Arabic agenda showed "cancelled"
    and nothing else (the reason was in the email only). It now says who and why, the typed
    reason isolated from the Arabic sentence around it; Meryem's own agenda says she did."""
    meeting = _meeting(salma, meryem)
    cancel(meeting=meeting, by=meryem, user=meryem.user, reason="Empêchement, désolée.")

    assert _said(_agenda(salma, "ar"), meeting.pk) == (
        "أُلغي من طرف Meryem Benslimane. السبب: \u2068Empêchement, désolée.\u2069"
    )
    assert _said(_agenda(meryem, "fr"), meeting.pk) == (
        "Annulé par vous. Motif : \u2068Empêchement, désolée.\u2069"
    )


def test_a_meeting_cancelled_by_the_system_or_the_organisers_says_so_in_the_page_language(
    salma, meryem, make_participant
):
    """A system cancellation (the other side's new times) gives its reason in the reader's
    language, not the English text the meeting keeps; an organiser's says it was them; a
    meeting cancelled without a reason by its other side says who only."""
    by_system = _meeting(salma, meryem, 0)
    meeting_cancel_locked(
        meeting=by_system,
        actor=Actor(system=True),
        reason=Reason("participant_unavailable", {"name": "Meryem Benslimane"}),
    )
    by_organisers = _meeting(salma, make_participant(name="Bruno"), 1)
    cancel(meeting=by_organisers, by=None, user=UserFactory(is_staff=True), reason="")
    silent = _meeting(salma, make_participant(name="Chen"), 2)
    chen = silent.seats.get(is_party=True, participant__name="Chen").participant
    cancel(meeting=silent, by=chen, user=chen.user)

    page = _agenda(salma, "fr")
    assert _said(page, by_system.pk) == (
        "Motif : \u2068Meryem Benslimane n’est plus disponible à ce moment-là.\u2069"
    )
    assert _said(page, by_organisers.pk) == "Annulé par les organisateurs."
    assert _said(page, silent.pk) == "Annulé par Chen."
    english = _agenda(salma, "en")
    assert _said(english, by_system.pk) == (
        "Reason: \u2068Meryem Benslimane is no longer available at that time.\u2069"
    )
    # a meeting still on says nothing of the kind
    live = _meeting(salma, make_participant(name="Dina"), 3)
    assert _said(_agenda(salma, "en"), live.pk) == ""
