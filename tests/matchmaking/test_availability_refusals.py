"""The refusal of new times that leave booked meetings outside them
(``meetings_outside_availability``), for one participant and for a group given the same times
(the console's box): said in the reader's language, and saying what saving would really do to
each meeting."""

import pytest
from django.utils import translation

from matchmaking.error_text import error_text
from matchmaking.exceptions import Conflict
from matchmaking.models import Meeting
from matchmaking.reasons import day_time_text
from matchmaking.services.availability import availability_replace_group
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def booked(sender, recipient, slot, **kwargs) -> Meeting:
    request = RequestFactory(sender=sender, recipient=recipient, status="accepted")
    return meeting_book(request=request, slot=slot, actor=Actor(system=True), **kwargs)


def refusal_of_group(people, periods) -> Conflict:
    with pytest.raises(Conflict) as refused:
        availability_replace_group(
            participants=people, periods=periods, actor=Actor(organiser=True)
        )
    assert refused.value.code == "meetings_outside_availability"
    return refused.value


def morning_only(event):
    """The periods of the first slot only: every later meeting falls outside them."""
    first = event.slots.order_by("start")[0]
    return [(first.start, first.end)]


def test_a_groups_refusal_speaks_french_and_arabic_with_plurals(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation")
    karim = make_participant(name="Karim", kind="delegation", organisation=amina.organisation)
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="exhibitor")
    slots = list(event.slots.order_by("start"))
    one, two = booked(amina, bruno, slots[2]), booked(karim, chen, slots[3])

    refused = refusal_of_group([amina, karim], morning_only(event))

    def when(meeting):
        return day_time_text(meeting.slot.start.astimezone(event.tz))

    with translation.override("en"):
        english = f"Amina on {when(one)} (meeting {one.pk}) and Karim on {when(two)}"
    assert refused.message == (
        f"2 booked meetings fall outside these periods: {english} (meeting {two.pk}). Cancel or "
        "move them first, or cancel them with the change."
    )
    with translation.override("fr"):
        assert error_text(refused) == (
            f"2 rendez-vous réservés sont en dehors de ces périodes : Amina le {when(one)} "
            f"(rendez-vous {one.pk}) et Karim le {when(two)} (rendez-vous {two.pk}). "
            "Annulez-les ou déplacez-les d’abord, ou annulez-les avec le changement."
        )
    with translation.override("ar"):
        said = error_text(refused)
        assert said.startswith("لقاءان محجوزان يقعان خارج هذه الفترات: Amina يوم ")
        assert said.endswith("ألغهما أو انقلهما أولًا، أو ألغهما مع التغيير.")
    assert {m.status for m in Meeting.objects.all()} == {"scheduled"}
