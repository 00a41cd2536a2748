"""Real threads against PostgreSQL: marks made while the same pair is marked, or while a
replacing import removes the person."""

import threading

import pytest
from django.db import connection, transaction

from matchmaking.models import Mark, Participant
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_first_marks_of_one_pair_at_once_end_as_one_mark():
    event = EventFactory()
    me, other = ParticipantFactory(event=event), ParticipantFactory(event=event)
    holding, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                Mark.objects.create(event=event, participant=me, candidate=other, kind="saved")
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    threading.Timer(0.5, release.set).start()
    response = client_for(me.user).put(
        f"/api/events/{event.slug}/me/marks/{other.pk}/", {"mark": "hidden"}, format="json"
    )
    thread.join()
    assert response.status_code == 200, response.data
    assert Mark.objects.get().kind == "hidden"


def test_a_mark_of_someone_an_import_removes_meanwhile_answers_404():
    """The candidate was read, then removed before the mark is written: 404, not a 500."""
    event = EventFactory()
    me, other = ParticipantFactory(event=event), ParticipantFactory(event=event)
    holding, release = threading.Event(), threading.Event()

    def removal():
        try:
            with transaction.atomic():
                list(Participant.objects.select_for_update().filter(pk=other.pk))
                holding.set()
                release.wait(10)
                Participant.objects.filter(pk=other.pk).delete()
        finally:
            connection.close()

    thread = threading.Thread(target=removal)
    thread.start()
    assert holding.wait(10)
    threading.Timer(0.5, release.set).start()
    client = client_for(me.user)
    client.raise_request_exception = False
    response = client.put(
        f"/api/events/{event.slug}/me/marks/{other.pk}/", {"mark": "saved"}, format="json"
    )
    thread.join()
    assert response.status_code == 404, response.status_code
    assert not Mark.objects.exists()
