"""Real threads against PostgreSQL: two desks at the entrance mark the same person at once, or
the desk marks someone whose "I no longer come" is being saved.

The first desk's mark (or the withdrawal) holds the person's lock in an open transaction; the
second desk's request starts then, on its own connection, waits for that lock and, once the
first commits, reads what it wrote. Without the lock the second desk would read no mark, insert
its own and hit the once-a-day constraint: a 500 at the desk, or a mark for someone who no
longer comes."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from matchmaking.models import Arrival, Participant
from matchmaking.services.locking import lock_participants_and_slots
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


def _today():
    return timezone.localtime(timezone.now(), CASABLANCA).date()


def _holding(work):
    """Run ``work`` in a thread inside a transaction that holds until released; answer the
    thread, the "holding" event and the release event."""
    holding, release = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                work()
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10), "the first desk never got the lock"
    threading.Timer(2.0, release.set).start()  # the second desk waits meanwhile
    return thread


def test_two_desks_marking_one_person_at_once_keep_one_mark(organiser):
    event = EventFactory(days=[_today(), _today() + dt.timedelta(days=1)])
    amina = ParticipantFactory(event=event, name="Amina")

    def first_desk():
        lock_participants_and_slots([amina.pk], [])
        Arrival.objects.create(event=event, participant=amina, date=_today(), by=organiser)

    thread = _holding(first_desk)
    client = client_for(organiser)
    client.raise_request_exception = False
    response = client.post(f"/api/events/{event.slug}/participants/{amina.pk}/arrival/")
    thread.join()

    assert response.status_code == 200, (response.status_code, getattr(response, "data", None))
    assert response.data["arrived"] is True
    assert Arrival.objects.filter(participant=amina).count() == 1


def test_the_desk_marking_someone_whose_withdrawal_is_being_saved_is_refused(organiser):
    event = EventFactory(days=[_today(), _today() + dt.timedelta(days=1)])
    amina = ParticipantFactory(event=event, name="Amina")

    def withdrawal():
        lock_participants_and_slots([amina.pk], [])
        Participant.objects.filter(pk=amina.pk).update(withdrawn_at=timezone.now())

    thread = _holding(withdrawal)
    client = client_for(organiser)
    client.raise_request_exception = False
    response = client.post(f"/api/events/{event.slug}/participants/{amina.pk}/arrival/")
    thread.join()

    assert response.status_code == 409, (response.status_code, getattr(response, "data", None))
    assert response.data["code"] == "participant_withdrawn"
    assert not Arrival.objects.exists()
