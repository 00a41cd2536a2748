"""List endpoints issue the same number of queries for 1 and for 3 items (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(event, make_participant, as_participant, me, n):
    for _ in range(n):
        other = make_participant()
        req = RequestFactory(sender=me, recipient=other)
        slot = event.slots.exclude(seats__participant=me).first()
        booked = as_participant(me).post(
            f"/api/events/{event.slug}/meetings/book/", {"request": req.pk, "slot": slot.pk}
        )
        assert booked.status_code == 201


@pytest.mark.parametrize(
    "path", ["requests/", "meetings/", "participants/", "slots/", "agenda.ics"]
)
def test_list_query_count_constant(event, make_participant, as_participant, organiser_client, path):
    me = make_participant(profile__offers=["smart meters"])
    client = as_participant(me)
    grow(event, make_participant, as_participant, me, 1)
    one = queries(client, f"/api/events/{event.slug}/{path}")
    one_org = (
        queries(organiser_client, f"/api/events/{event.slug}/{path}") if path != "agenda.ics" else 0
    )
    grow(event, make_participant, as_participant, me, 2)
    assert queries(client, f"/api/events/{event.slug}/{path}") == one
    if path != "agenda.ics":
        assert queries(organiser_client, f"/api/events/{event.slug}/{path}") == one_org
