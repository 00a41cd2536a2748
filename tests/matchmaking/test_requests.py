"""Meeting requests at the service level."""

import datetime as dt

import pytest

from matchmaking.services.requests import request_create

pytestmark = pytest.mark.django_db


def test_a_pending_request_expires_after_the_events_expiry_hours(event, make_participant):
    event.request_expiry_hours = 5
    event.save(update_fields=["request_expiry_hours"])
    sent = dt.datetime(2018, 4, 10, 9, 30, tzinfo=dt.UTC)

    created = request_create(sender=make_participant(), recipient=make_participant(), now=sent)

    assert created.expires_at == event.request_expires_at(sent) == sent + dt.timedelta(hours=5)
