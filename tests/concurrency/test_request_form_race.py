"""Real threads against PostgreSQL: the same request form sent several times at once (a double
click) sends one request and every submit reads the first's result; without the form's token,
the same burst shows the reported symptom (one sent, the others refused as duplicates)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from matchmaking.models import MeetingRequest, Notification
from tests.concurrency.test_booking_race import run_threads
from tests.factories import EventFactory, ParticipantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def burst(token: str, n: int = 4) -> tuple[int, int, list]:
    """``n`` submits of one form at once: the requests written, the emails to the recipient, and
    each submit's refusal kept for its page (None: it was told the request was sent)."""
    event = EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])
    amina = ParticipantFactory(event=event, name="Amina", kind="delegation")
    bruno = ParticipantFactory(event=event, name="Bruno", kind="exhibitor")
    form = {"recipient": bruno.pk, "message": "Smart parking?", "token": token}
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(amina.user)
        clients.append(client)

    def job(client):
        return lambda: client.post(f"/my/{event.slug}/requests/new/", form)

    results = run_threads([job(c) for c in clients])
    assert all(r is not None and r.status_code == 302 for r in results)
    refusals = [c.session.get("request_draft") for c in clients]
    return (
        MeetingRequest.objects.filter(sender=amina).count(),
        Notification.objects.filter(recipient=bruno, kind="request_received").count(),
        refusals,
    )


def test_one_form_sent_at_once_sends_one_request_and_refuses_none():
    written, emailed, refusals = burst("form-token-1")
    assert (written, emailed) == (1, 1)
    assert refusals == [None] * 4


def test_negative_control_without_the_token_the_other_submits_are_refused():
    written, emailed, refusals = burst("")
    assert (written, emailed) == (1, 1)
    refused = [r for r in refusals if r is not None]
    assert len(refused) == 3
    assert all("already an open request" in r["error"] for r in refused)
