"""Real threads against PostgreSQL: imports of one slug at the same time, and a booking beside
a replacing import. Before, all but one of six simultaneous imports answered 500 (the slug's
unique key), and a booking committed between the replace's deletes failed it with a
ProtectedError (500)."""

import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import post_delete

from matchmaking.exceptions import Busy, DomainError
from matchmaking.models import Event, Meeting, MeetingRequest
from matchmaking.services import meetings as ms
from matchmaking.services.importer import ImportInvalid, event_import
from tests.matchmaking.test_importer import small_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(jobs):
    out, start = [None] * len(jobs), threading.Barrier(len(jobs))

    def run(i, job):
        try:
            start.wait()
            out[i] = job()
        except Exception as exc:
            out[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_six_imports_of_a_new_slug_at_once_write_one_event_and_refuse_the_rest_clearly():
    results = _in_threads([lambda: event_import(data=small_event())] * 6)
    written = [r for r in results if isinstance(r, Event)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(written) == 1, results
    assert len(refused) == 5, results
    assert all(isinstance(r, ImportInvalid | Busy) for r in refused), results
    assert all("already exists" in str(r.errors) for r in refused if isinstance(r, ImportInvalid))
    assert Event.objects.count() == 1


def test_six_replacing_imports_at_once_leave_one_whole_event():
    event_import(data=small_event())
    results = _in_threads([lambda: event_import(data=small_event(), replace=True)] * 6)
    assert all(isinstance(r, Event | Busy) for r in results), results
    assert any(isinstance(r, Event) for r in results)
    event = Event.objects.get()
    assert event.participants.count() == len(small_event()["participants"])


def test_a_booking_beside_a_replacing_import_either_lands_first_or_is_told_clearly():
    old = event_import(data=small_event())  # Amina and Bruno meet at 09:00
    req = MeetingRequest.objects.get(event=old, sender__name="Chen")
    req.status = "accepted"
    req.save()
    slot = old.slots.order_by("start")[1]
    deleting = threading.Event()

    def slow_delete(sender, instance, **kwargs):
        if instance.event_id == old.pk and not deleting.is_set():
            deleting.set()
            time.sleep(1.5)  # the replace is between its deletes

    def replace():
        return event_import(data=small_event(), replace=True)

    def book():
        deleting.wait(10)
        return ms.meeting_book(request=req, slot=slot, actor=ms.Actor(system=True))

    post_delete.connect(slow_delete, sender=Meeting, dispatch_uid="slow-delete")
    try:
        imported, booked = _in_threads([replace, book])
    finally:
        post_delete.disconnect(sender=Meeting, dispatch_uid="slow-delete")
    assert isinstance(imported, Event), imported
    assert isinstance(booked, DomainError), booked  # told, never a crash
    assert "imported again" in booked.message or isinstance(booked, Busy), booked.message
    assert Event.objects.get().pk == imported.pk
    assert not Meeting.objects.filter(request__sender__name="Chen").exists()
