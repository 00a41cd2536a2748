import datetime as dt

import pytest

from matchmaking.exceptions import InvalidInput
from matchmaking.models import Session
from matchmaking.services.events import slots_generate
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "is_break", "message"),
    [
        (
            dt.date(2027, 3, 28),
            False,
            "2027-03-28: the clocks change during 01:00-04:00 in Europe/Paris; split the session "
            "around the change.",
        ),
        (
            dt.date(2027, 10, 31),
            True,
            "2027-10-31: the clocks change during 01:00-04:00 in Europe/Paris; split the break "
            "around the change.",
        ),
    ],
)
def test_slots_generate_refuses_a_clock_change_and_keeps_the_slots(day, is_break, message):
    """Called from anywhere (not only the importer): an InvalidInput, never an IntegrityError,
    and the slots it had stay as they were."""
    event = EventFactory(timezone="Europe/Paris", days=[day])
    before = list(event.slots.order_by("start").values_list("start", "end"))
    Session.objects.create(
        event=event, date=day, start=dt.time(1), end=dt.time(4), is_break=is_break
    )
    with pytest.raises(InvalidInput) as info:
        slots_generate(event=event)
    assert info.value.message == message
    assert list(event.slots.order_by("start").values_list("start", "end")) == before


def test_slots_generate_cuts_sessions_around_a_clock_change_into_whole_slots():
    event = EventFactory(timezone="Europe/Paris", days=[dt.date(2027, 3, 28)])
    Session.objects.create(event=event, date=dt.date(2027, 3, 28), start=dt.time(3), end=dt.time(4))
    slots = slots_generate(event=event)
    assert {s.end - s.start for s in slots} == {dt.timedelta(minutes=20)}
    assert len(slots) == 3 + 6 + 3  # 03:00-04:00, 09:00-11:00 and 14:00-15:00


def test_a_command_whose_encoder_is_not_installed_says_so_without_a_traceback(event, settings):
    """``MATCHING_ENCODER`` naming a model the machine lacks: the encoder's own message (it
    names the offline alternatives), as a command error."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.factories import ParticipantFactory

    ParticipantFactory(event=event, profile__offers=["LED street lighting"])
    settings.MATCHING_ENCODER = "nope-model"
    with pytest.raises(CommandError, match="nope-model"):
        call_command("refresh_recommendations", event.slug)
