"""The agenda is the page one lands on after signing in: empty, it says where to start."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from matchmaking.models import MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def _agenda(participant, lang="en"):
    client = Client()
    client.force_login(participant.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(f"/my/{participant.event.slug}/agenda/").content.decode()


def test_an_empty_agenda_points_to_recommendations_and_the_directory(
    upcoming_event, make_participant
):
    """A delegate signs in for the first time and lands on an agenda that said "No meetings
    yet." and "Every accepted request has a meeting." (there were none): a dead end. It now
    links to the recommendations and to Find someone, in the page's language, and leaves out
    the booking section that has nothing to book."""
    slug = upcoming_event.slug
    me = make_participant(event=upcoming_event, name="Ousmane Fall", kind="delegation")

    page = _agenda(me, "fr")
    assert (
        '<span class="pt-no-print" data-first-steps>Demandez des rendez-vous depuis vos '
        f'<a href="/my/{slug}/recommendations/">recommandations</a>, ou trouvez quelqu’un par '
        f'son nom sur la page <a href="/my/{slug}/requests/#directory">Demandes</a>.</span>'
    ) in page
    assert 'id="book"' not in page
    assert "Chaque demande acceptée a son rendez-vous." not in page

    # an accepted request to book: the agenda offers its times instead
    RequestFactory(sender=me, recipient=make_participant(event=upcoming_event), status="accepted")
    page = _agenda(me)
    assert "data-first-steps" not in page
    assert 'id="book"' in page
    MeetingRequest.objects.all().delete()
    assert "data-first-steps" in _agenda(me)


def test_an_empty_agenda_says_nothing_of_requests_while_booking_is_closed(
    upcoming_event, make_participant
):
    """Booking closed by the organisers: no request can be sent, so the agenda does not
    suggest it, and still says booking is closed."""
    upcoming_event.booking_closes = timezone.now() - dt.timedelta(hours=1)
    upcoming_event.save(update_fields=["booking_closes"])
    me = make_participant(event=upcoming_event)
    page = _agenda(me)
    assert "No meetings yet." in page
    assert "data-first-steps" not in page
    assert "Booking is closed for this event." in page
