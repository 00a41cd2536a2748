"""The refusal of new times that leave booked meetings outside them
(``meetings_outside_availability``), for one participant and for a group given the same times
(the console's box): said in the reader's language, and saying what saving would really do to
each meeting."""

import pytest
from django.utils import translation

from matchmaking.error_text import error_text
from matchmaking.exceptions import Conflict
from matchmaking.models import Meeting, MeetingLog, MeetingRequest, Notification
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


@pytest.fixture
def delegation(event, make_participant):
    """Amina (a delegation) meets Bruno later in the day; her colleague Karim joined the meeting
    first, Leila second. Nobody is told anything yet."""
    amina = make_participant(name="Amina", kind="delegation")
    karim = make_participant(name="Karim", kind="delegation", organisation=amina.organisation)
    leila = make_participant(name="Leila", kind="delegation", organisation=amina.organisation)
    bruno = make_participant(name="Bruno", kind="exhibitor")
    meeting = booked(amina, bruno, event.slots.order_by("start")[2], attendees=[karim, leila])
    Notification.objects.all().delete()
    return amina, karim, leila, bruno, meeting


def hand_overs(meeting) -> list[int]:
    """Who took over the meeting as a party, in order (the log's ``instead``)."""
    return [
        log.detail["instead"]
        for log in MeetingLog.objects.filter(meeting=meeting).order_by("id")
        if "instead" in log.detail
    ]


def test_a_colleague_outside_the_group_takes_over_and_the_refusal_says_so(event, delegation):
    """Karim, the first colleague who joined, is in the group given the new times: he cannot
    take over. The refusal said the meeting would be cancelled although Leila, outside the
    group, takes it over; and saving handed it to Karim, then from Karim to Leila (Bruno told
    twice)."""
    amina, karim, leila, bruno, meeting = delegation
    group, periods = [amina, karim], morning_only(event)

    refused = refusal_of_group(group, periods)

    assert refused.extra["handed_over"] == [meeting.pk]
    assert refused.message.endswith(
        f"(meeting {meeting.pk} is not cancelled: a colleague who had joined it takes over and "
        "it goes on)."
    )
    changes = availability_replace_group(
        participants=group, periods=periods, actor=Actor(organiser=True), cancel_conflicting=True
    )
    assert changes[amina.pk].handed_over == [meeting.pk]
    assert changes[amina.pk].cancelled == changes[karim.pk].cancelled == []
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    assert MeetingRequest.objects.get(pk=meeting.request_id).sender_id == leila.pk
    assert hand_overs(meeting) == [leila.pk]  # straight to Leila, never to Karim
    seats = {s.participant_id: (s.is_party, s.left) for s in meeting.seats.all()}
    assert seats == {
        amina.pk: (False, True),
        karim.pk: (False, True),
        leila.pk: (True, False),
        bruno.pk: (True, False),
    }
    kinds = [n.kind for n in Notification.objects.filter(recipient=bruno)]
    assert kinds.count("meeting_cancelled") == 0


def test_with_only_colleagues_of_the_group_the_refusal_says_cancelled_and_saving_cancels(
    event, delegation
):
    """Karim and Leila are both in the group: nobody stays to take over. The refusal does not
    say a colleague's meeting goes on, and saving cancels it once, without handing it over to
    someone who leaves too."""
    amina, karim, leila, bruno, meeting = delegation
    group, periods = [amina, karim, leila], morning_only(event)

    refused = refusal_of_group(group, periods)

    assert (refused.extra["handed_over"], refused.extra["joined"]) == ([], [])
    assert refused.message.endswith("Cancel or move them first, or cancel them with the change.")
    changes = availability_replace_group(
        participants=group, periods=periods, actor=Actor(organiser=True), cancel_conflicting=True
    )
    assert changes[amina.pk].cancelled == [meeting.pk]
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    assert hand_overs(meeting) == []
    kinds = [n.kind for n in Notification.objects.filter(recipient=bruno)]
    assert kinds == ["meeting_cancelled"]


def test_the_group_order_does_not_change_what_saving_does(event, delegation):
    amina, karim, leila, _bruno, meeting = delegation
    availability_replace_group(
        participants=[karim, amina],
        periods=morning_only(event),
        actor=Actor(organiser=True),
        cancel_conflicting=True,
    )
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    assert MeetingRequest.objects.get(pk=meeting.request_id).sender_id == leila.pk
    assert hand_overs(meeting) == [leila.pk]
