"""The attendance service: saying "I no longer come" (or "I come after all") twice leaves the
same state, with nothing cancelled or told the second time (a retry, a second device)."""

import pytest

from matchmaking.models import Meeting, Notification, Participant
from matchmaking.services.attendance import attendance_resume, attendance_withdraw
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def booked(sender, recipient, slot) -> Meeting:
    request = RequestFactory(sender=sender, recipient=recipient, status="accepted")
    return meeting_book(request=request, slot=slot, actor=Actor(system=True))


def test_withdrawing_twice_is_unchanged_and_keeps_the_first_time(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    meeting = booked(amina, bruno, event.slots.order_by("start")[1])
    first = attendance_withdraw(participant=amina, actor=Actor(participant=amina))
    assert (first.cancelled_meetings, first.unchanged) == ([meeting.pk], False)
    said_at = Participant.objects.get(pk=amina.pk).withdrawn_at
    told = Notification.objects.count()

    stale = Participant.objects.get(pk=amina.pk)  # another device's copy
    stale.withdrawn_at = None
    again = attendance_withdraw(participant=stale, actor=Actor(participant=amina))

    assert again.unchanged is True
    assert (again.cancelled_meetings, again.left_meetings, again.withdrawn_requests) == ([], [], [])
    assert stale.withdrawn_at == said_at  # the state as it is
    assert Participant.objects.get(pk=amina.pk).withdrawn_at == said_at
    assert Notification.objects.count() == told
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_resuming_when_coming_is_unchanged(event, make_participant):
    amina = make_participant(name="Amina")
    assert attendance_resume(participant=amina).unchanged is True
    attendance_withdraw(participant=amina, actor=Actor(participant=amina))
    back = attendance_resume(participant=amina)
    assert back.unchanged is False and amina.withdrawn_at is None
    assert Participant.objects.get(pk=amina.pk).withdrawn_at is None
