"""The booking rules read once for the agenda page (``meeting_slots_bookable``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import Actor, meeting_slots_bookable
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def loaded(request: MeetingRequest) -> list[MeetingRequest]:
    """The request as the agenda page loads it."""
    return list(
        MeetingRequest.objects.select_related(
            "event", "sender__fixed_table", "recipient__fixed_table"
        ).filter(pk=request.pk)
    )


def test_slots_bookable_uses_the_requests_as_loaded(upcoming_event, make_participant):
    me = make_participant(event=upcoming_event)
    req = RequestFactory(sender=me, recipient=make_participant(event=upcoming_event))
    requests = loaded(req)

    with CaptureQueriesContext(connection) as ctx:
        offer = meeting_slots_bookable(requests=requests, actor=Actor(participant=me))

    assert offer == {req.pk: list(upcoming_event.slots.order_by("start"))}
    assert [
        q["sql"] for q in ctx.captured_queries if "matchmaking_meetingrequest" in q["sql"]
    ] == []


def test_slots_bookable_for_a_participant_reads_only_slots_that_have_not_started(
    event, make_participant, django_assert_num_queries
):
    """An event that is over (2018): one query finds no slot left, nothing else is read."""
    me = make_participant()
    req = RequestFactory(sender=me, recipient=make_participant())
    requests = loaded(req)

    with django_assert_num_queries(1):
        offer = meeting_slots_bookable(requests=requests, actor=Actor(participant=me))

    assert offer == {req.pk: []}
    # An organiser may still place a meeting afterwards: every slot is read for them.
    staff = Actor(system=True)
    assert meeting_slots_bookable(requests=requests, actor=staff) == {
        req.pk: list(event.slots.order_by("start"))
    }
