"""Fixtures of the organiser console tests: a small fixed event and a signed-in organiser."""

import pytest
from django.test import Client

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from tests.conftest import on_every_team
from tests.factories import RequestFactory, UserFactory


@pytest.fixture
def staff(db):
    """A staff account on the organiser team of every event of the test."""
    with on_every_team(UserFactory(username="org@example.org", is_staff=True)) as user:
        yield user


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def book(event):
    """book(sender, recipient, slot_index, table=None) -> Meeting, through the booking service."""
    slots = list(event.slots.order_by("start"))

    def make(sender, recipient, slot_index, **kwargs):
        request = RequestFactory(
            sender=sender, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
        )
        return meeting_book(
            request=request, slot=slots[slot_index], actor=Actor(system=True), **kwargs
        )

    return make
