"""Real threads against PostgreSQL: a profile edit that waits past the lock timeout."""

import threading

import pytest
from django.db import connection, transaction

from matchmaking.models import Participant
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_profile_edit_waiting_for_a_lock_answers_busy_about_the_profile(settings):
    """Two edits of one profile at once: the one that waits too long is told to retry, in words
    about the profile (not the schedule's), and nothing of it is saved."""
    settings.BOOKING_LOCK_TIMEOUT_MS = 200
    me = ParticipantFactory(event=EventFactory(), max_meetings=None)
    holding, release = threading.Event(), threading.Event()

    def other_edit():
        try:
            with transaction.atomic():
                list(Participant.objects.select_for_update().filter(pk=me.pk))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_edit)
    thread.start()
    assert holding.wait(10)
    try:
        response = client_for(me.user).patch(
            f"/api/events/{me.event.slug}/me/", {"max_meetings": 3}, format="json"
        )
    finally:
        release.set()
        thread.join()

    assert response.status_code == 409
    assert response.data == {
        "detail": "Someone else is changing this profile at the same moment; retry in a moment.",
        "code": "busy",
    }
    assert response["Retry-After"] == "1"
    assert Participant.objects.get(pk=me.pk).max_meetings is None
