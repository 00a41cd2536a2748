"""Constraint hits the row locks did not prevent become the same coded conflicts as the
services' own checks (the API and the pages translate by code)."""

import pytest
from django.db import IntegrityError

from matchmaking.models import Meeting
from matchmaking.services.locking import guarded_transaction, translate_integrity_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # PostgreSQL names the constraint, SQLite the columns
        ('duplicate key value violates unique constraint "meeting_one_active_per_request"', None),
        ("UNIQUE constraint failed: matchmaking_meeting.request_id", None),
        ('violates unique constraint "request_one_open_per_pair"', "duplicate_request"),
        ('violates unique constraint "seat_participant_once_per_slot"', "participant_busy"),
        ('violates unique constraint "meeting_table_once_per_slot"', "table_taken"),
    ],
)
def test_constraint_hits_carry_the_services_codes(text, code):
    exc = translate_integrity_error(IntegrityError(text))
    assert exc is not None
    assert exc.status == 409
    assert exc.code == (code or "request_has_meeting")


def test_a_second_live_meeting_on_a_request_raced_past_the_locks_is_request_has_meeting(
    make_participant,
):
    from matchmaking.exceptions import RequestHasMeeting
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    request = RequestFactory(sender=make_participant(), recipient=make_participant())
    slots = list(request.event.slots.order_by("start"))
    first = meeting_book(request=request, slot=slots[0], actor=Actor(system=True))
    with pytest.raises(RequestHasMeeting) as caught, guarded_transaction():
        Meeting.objects.create(event=first.event, request=request, slot=slots[1])
    assert caught.value.code == "request_has_meeting"
