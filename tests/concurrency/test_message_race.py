"""Real threads against PostgreSQL: the limit of unanswered messages holds when one person
sends many at once (the pair's row locks serialise them); without the locks it does not."""

from collections import Counter

import pytest

from matchmaking.models import MeetingRequest, Message
from matchmaking.services.messages import UNANSWERED_LIMIT
from tests.concurrency.test_booking_race import run_threads
from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def burst(n: int = 10) -> tuple[list[int], int]:
    event = EventFactory()
    amina, bruno = ParticipantFactory(event=event), ParticipantFactory(event=event)
    RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.PENDING)
    for k in range(UNANSWERED_LIMIT - 1):
        Message.objects.create(event=event, sender=amina, recipient=bruno, body=f"ping {k}")
    url = f"/api/events/{event.slug}/me/conversations/{bruno.pk}/messages/"

    def job(k):
        return lambda: client_for(amina.user).post(url, {"body": f"burst {k}"}, format="json")

    results = run_threads([job(k) for k in range(n)])
    return [r.status_code for r in results], Message.objects.filter(sender=amina).count()


def test_many_messages_at_once_stop_at_the_limit():
    codes, sent = burst()
    assert Counter(codes) == {201: 1, 409: 9}
    assert sent == UNANSWERED_LIMIT


def test_negative_control_without_the_locks_the_limit_is_passed(settings):
    settings.BOOKING_GUARD = False  # the row locks off: each send counts before the others write
    worst = 0
    for _ in range(5):
        _codes, sent = burst()
        worst = max(worst, sent)
        if worst > UNANSWERED_LIMIT:
            break
    assert worst > UNANSWERED_LIMIT
