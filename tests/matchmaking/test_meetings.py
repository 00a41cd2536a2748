"""The booking rules read once for the agenda page and the organiser's Move form
(``meeting_slots_bookable``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking.exceptions import DomainError
from matchmaking.models import Meeting, MeetingRequest
from matchmaking.services.meetings import (
    Actor,
    meeting_book,
    meeting_reschedule,
    meeting_set_fixed,
    meeting_set_status,
    meeting_slots_bookable,
)
from tests.factories import ParticipantFactory, RequestFactory

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


# ------------------------------------------------------------------------------------------------
# ``moving``: the slots a live meeting may be moved to (``meeting_reschedule``'s rules)
# ------------------------------------------------------------------------------------------------


def _book(sender, recipient, slot, **kwargs):
    request = RequestFactory(sender=sender, recipient=recipient)
    return meeting_book(request=request, slot=slot, actor=Actor(system=True), **kwargs)


def _reschedule_accepts(meeting, slot, actor) -> bool:
    """Whether ``meeting_reschedule`` takes the meeting to ``slot``; if so, it is put back."""
    home = Meeting.objects.get(pk=meeting.pk).slot
    try:
        meeting_reschedule(meeting=meeting, slot=slot, actor=actor)
    except DomainError:
        return False
    meeting_reschedule(meeting=meeting, slot=home, actor=Actor(system=True))
    return True


def test_slots_bookable_for_a_move_are_exactly_those_reschedule_accepts(event, make_participant):
    slots = list(event.slots.order_by("start"))
    a, b = make_participant(max_meetings=1), make_participant()  # a is at their cap: no matter
    colleague = ParticipantFactory(event=event, organisation=a.organisation)
    meeting = _book(a, b, slots[0], attendees=[colleague])
    _book(colleague, make_participant(), slots[2])  # the colleague is busy at slot 2
    for _ in range(3):  # every table is taken at slot 4
        _book(make_participant(), make_participant(), slots[4])
    staff = Actor(system=True)

    offer = meeting_slots_bookable(requests=loaded(meeting.request), actor=staff, moving=meeting)

    expected = [s for i, s in enumerate(slots) if i not in (2, 4)]
    assert offer == {meeting.request_id: expected}  # its own slot included
    assert [s for s in slots if _reschedule_accepts(meeting, s, staff)] == expected
    # Without ``moving`` the same request is a new booking: a's cap and own meeting count.
    assert meeting_slots_bookable(requests=loaded(meeting.request), actor=staff) == {
        meeting.request_id: []
    }


def test_slots_bookable_for_a_move_by_a_participant(upcoming_event, make_participant):
    slots = list(upcoming_event.slots.order_by("start"))
    a, b = make_participant(event=upcoming_event), make_participant(event=upcoming_event)
    meeting = _book(a, b, slots[1])
    me = Actor(participant=a)

    offer = meeting_slots_bookable(requests=loaded(meeting.request), actor=me, moving=meeting)
    assert offer == {meeting.request_id: slots}
    assert [s for s in slots if _reschedule_accepts(meeting, s, me)] == slots

    stranger = Actor(participant=make_participant(event=upcoming_event))
    assert meeting_slots_bookable(
        requests=loaded(meeting.request), actor=stranger, moving=meeting
    ) == {meeting.request_id: []}

    meeting_set_fixed(meeting=meeting, fixed=True, actor=Actor(system=True))
    meeting.refresh_from_db()
    assert meeting_slots_bookable(requests=loaded(meeting.request), actor=me, moving=meeting) == {
        meeting.request_id: []
    }
    assert meeting_slots_bookable(
        requests=loaded(meeting.request), actor=Actor(system=True), moving=meeting
    ) == {meeting.request_id: slots}


def test_slots_bookable_for_a_move_of_a_meeting_no_longer_scheduled(event, make_participant):
    slots = list(event.slots.order_by("start"))
    meeting = _book(make_participant(), make_participant(), slots[0])
    meeting_set_status(meeting=meeting, status="held", actor=Actor(system=True))
    meeting.refresh_from_db()

    offer = meeting_slots_bookable(
        requests=loaded(meeting.request), actor=Actor(system=True), moving=meeting
    )

    assert offer == {meeting.request_id: []}
