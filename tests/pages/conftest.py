"""Fixtures of the organiser console tests: a small fixed event and a signed-in organiser."""

import pytest
from django.test import Client

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory, UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(username="org@example.org", is_staff=True)


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
