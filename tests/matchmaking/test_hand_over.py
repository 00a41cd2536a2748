"""One of a meeting's two parties no longer comes, and a colleague of theirs had joined the
meeting ("Bring a colleague"): the meeting stays, with the colleague in their place, instead of
being cancelled for everyone; the other side is told, in their language, who no longer comes
and who will be there."""

import pytest

from matchmaking.models import Meeting, MeetingLog, MeetingRequest, MeetingSeat, Notification
from matchmaking.selectors import party_meeting_counts
from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def booked(sender, recipient, slot, **kwargs) -> Meeting:
    request = RequestFactory(sender=sender, recipient=recipient, status="accepted")
    return meeting_book(request=request, slot=slot, actor=Actor(system=True), **kwargs)


@pytest.fixture
def delegation(upcoming_event, make_participant):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina", kind="delegation", languages=["ar"])
    karim = make_participant(
        event=event, name="Karim", kind="delegation", organisation=amina.organisation
    )
    bruno = make_participant(event=event, name="Bruno", kind="exhibitor", languages=["fr"])
    slot = event.slots.order_by("start")[1]
    meeting = booked(bruno, amina, slot, attendees=[karim])
    return amina, karim, bruno, meeting


def test_the_colleague_who_joined_takes_the_place_of_who_no_longer_comes(delegation):
    amina, karim, bruno, meeting = delegation
    Notification.objects.all().delete()

    change = attendance_withdraw(participant=amina, actor=Actor(participant=amina))

    assert (change.cancelled_meetings, change.handed_over) == ([], [meeting.pk])
    assert change.left_meetings == [meeting.pk]  # they left it; it goes on
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence, meeting.version) == ("scheduled", 1, 2)
    request = MeetingRequest.objects.get(pk=meeting.request_id)
    assert (request.sender_id, request.recipient_id, request.status) == (
        bruno.pk,
        karim.pk,
        "accepted",
    )
    seats = {
        s.participant_id: (s.active, s.is_party, s.left)
        for s in MeetingSeat.objects.filter(meeting=meeting)
    }
    assert seats == {
        bruno.pk: (True, True, False),
        karim.pk: (True, True, False),  # the seat they held: nothing booked again
        amina.pk: (False, False, True),
    }
    assert party_meeting_counts(participant_ids=[karim.pk, amina.pk]) == {karim.pk: 1}
    log = MeetingLog.objects.filter(meeting=meeting).latest("id")
    assert (log.action, log.detail["instead"], log.detail["reason_code"]) == (
        "attendee_left",
        karim.pk,
        "participant_withdrew",
    )
    # Bruno, in French: who no longer comes and who will be there; Amina hears of it once
    notes = Notification.objects.order_by("recipient__name")
    assert [(n.recipient.name, n.kind) for n in notes] == [
        ("Amina", "attendance_withdrawn"),
        ("Bruno", "attendee_left"),
    ]
    note = notes.get(recipient=bruno)
    assert note.language == "fr"
    assert note.subject.startswith("Amina ne vient plus à votre rendez-vous du ")
    assert note.subject.endswith(" ; Karim sera là")
    assert "Karim, qui l’avait rejoint, sera là à sa place" in note.body


def test_without_a_colleague_it_is_cancelled_as_before(upcoming_event, make_participant):
    amina = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    meeting = booked(bruno, amina, upcoming_event.slots.order_by("start")[1])

    change = attendance_withdraw(participant=amina, actor=Actor(participant=amina))

    assert (change.cancelled_meetings, change.handed_over) == ([meeting.pk], [])
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_a_colleague_at_their_limit_or_already_asking_does_not_take_over(delegation):
    """The booking's guards hold: becoming a party counts toward the colleague's meeting limit,
    and one request at most is open between two people."""
    amina, karim, _bruno, meeting = delegation
    karim.max_meetings = 0
    karim.save(update_fields=["max_meetings"])

    change = attendance_withdraw(participant=amina, actor=Actor(participant=amina))

    assert change.handed_over == []
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_an_open_request_between_them_leaves_it_cancelled(delegation, make_participant):
    amina, karim, bruno, meeting = delegation
    RequestFactory(sender=bruno, recipient=karim, status="pending")

    change = attendance_withdraw(participant=amina, actor=Actor(participant=amina))

    assert change.handed_over == []
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_the_other_sides_colleague_does_not_take_over(upcoming_event, make_participant):
    amina = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    lea = make_participant(event=upcoming_event, name="Lea", organisation=bruno.organisation)
    meeting = booked(bruno, amina, upcoming_event.slots.order_by("start")[1], attendees=[lea])

    change = attendance_withdraw(participant=amina, actor=Actor(participant=amina))

    assert change.handed_over == []
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_a_party_who_will_not_attend_leaves_it_to_their_colleague(delegation):
    """'Cancels their part': from the agenda, a party whose colleague joined the meeting has
    'I will not attend: Karim takes my place'; without such a colleague a party cannot leave
    (they cancel it)."""
    from django.test import Client

    amina, karim, bruno, meeting = delegation
    client = Client()
    client.force_login(amina.user)
    agenda = client.get(f"/my/{amina.event.slug}/agenda/").content.decode()
    assert "I will not attend: Karim takes my place" in agenda
    Notification.objects.all().delete()

    done = client.post(f"/my/{amina.event.slug}/meetings/{meeting.pk}/leave/", follow=True)

    assert [str(m) for m in done.context["messages"]] == [
        "You left the meeting; Karim takes your place, and the other side is told."
    ]
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    request = MeetingRequest.objects.get(pk=meeting.request_id)
    assert (request.sender_id, request.recipient_id) == (bruno.pk, karim.pk)
    assert list(Notification.objects.values_list("recipient__name", "kind")) == [
        ("Bruno", "attendee_left")
    ]
    # Karim is a party now: nobody of his side left to hand it to, he cancels it instead
    client.force_login(karim.user)
    agenda = client.get(f"/my/{amina.event.slug}/agenda/").content.decode()
    assert "data-hand-over" not in agenda
    refused = client.post(f"/my/{amina.event.slug}/meetings/{meeting.pk}/leave/", follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        "You are one of the meeting's two parties: cancel it instead."
    ]
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_times_that_no_longer_cover_the_meeting_hand_it_over_to_the_colleague(delegation):
    """Amina's new times leave out the meeting's slot: a colleague of hers had joined it, so
    Karim takes her place and the meeting goes on (as when she no longer comes), instead of
    being cancelled for Bruno and Karim too."""
    from matchmaking.services.availability import availability_replace

    amina, karim, bruno, meeting = delegation
    later = list(meeting.event.slots.filter(start__gt=meeting.slot.end).order_by("start"))
    Notification.objects.all().delete()

    change = availability_replace(
        participant=amina,
        periods=[(later[0].start, later[-1].end)],
        actor=Actor(participant=amina),
        cancel_conflicting=True,
    )

    assert (change.cancelled, change.handed_over, change.left) == ([], [meeting.pk], [meeting.pk])
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    request = MeetingRequest.objects.get(pk=meeting.request_id)
    assert (request.sender_id, request.recipient_id) == (bruno.pk, karim.pk)
    assert party_meeting_counts(participant_ids=[karim.pk, amina.pk]) == {karim.pk: 1}
    # Bruno is told who no longer comes and who will be there, not that it is cancelled
    assert list(Notification.objects.values_list("recipient__name", "kind")) == [
        ("Bruno", "attendee_left")
    ]


def test_the_times_page_says_the_meeting_goes_on_with_the_colleague(delegation):
    from django.test import Client

    amina, _karim, _bruno, meeting = delegation
    event = amina.event
    later = list(event.slots.filter(start__gt=meeting.slot.end).order_by("start"))
    client = Client()
    client.force_login(amina.user)
    days = sorted({s.start.astimezone(event.tz).date() for s in event.slots.all()})
    first_day = [s for s in later if s.start.astimezone(event.tz).date() == days[0]]
    # here on the first day only, from the slot after the meeting's to the day's end
    form = {"cancel_conflicting": "on", "here_0": "on"}
    form.update(from_0=first_day[0].pk, to_0=first_day[-1].pk)
    done = client.post(f"/my/{event.slug}/presence/", form, follow=True)

    said = [str(m) for m in done.context["messages"]]
    assert said == [
        "Your times are saved. 1 meeting goes on with a colleague of yours who had joined it."
    ]
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_times_without_a_colleague_in_the_meeting_still_cancel_it(upcoming_event, make_participant):
    from matchmaking.services.availability import availability_replace

    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    slots = list(event.slots.order_by("start"))
    meeting = booked(bruno, amina, slots[1])
    later = [s for s in slots if s.start > slots[1].end]

    change = availability_replace(
        participant=amina,
        periods=[(later[0].start, later[-1].end)],
        actor=Actor(participant=amina),
        cancel_conflicting=True,
    )

    assert (change.cancelled, change.handed_over, change.left) == ([meeting.pk], [], [])
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_times_refused_for_a_meeting_a_colleague_had_joined_say_it_would_go_on(delegation):
    """Without the box, the refusal of Amina's new times said to tick it "to cancel them",
    while ticking it hands this meeting over to Karim, who had joined it: it says so."""
    from matchmaking.exceptions import Conflict
    from matchmaking.services.availability import availability_replace

    amina, _karim, _bruno, meeting = delegation
    later = list(meeting.event.slots.filter(start__gt=meeting.slot.end).order_by("start"))

    with pytest.raises(Conflict) as refused:
        availability_replace(
            participant=amina,
            periods=[(later[0].start, later[-1].end)],
            actor=Actor(participant=amina),
        )

    assert refused.value.code == "meetings_outside_availability"
    assert refused.value.extra["handed_over"] == [meeting.pk]
    assert refused.value.message.endswith(
        "Cancel or move it first, or send cancel_conflicting: true to cancel it "
        f"(meeting {meeting.pk} is not cancelled: a colleague who had joined it takes over and "
        "it goes on)."
    )
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_the_times_page_says_ticking_the_box_hands_the_meeting_over(delegation):
    from django.test import Client

    amina, _karim, _bruno, meeting = delegation
    event = amina.event
    later = list(event.slots.filter(start__gt=meeting.slot.end).order_by("start"))
    client = Client()
    client.force_login(amina.user)
    days = sorted({s.start.astimezone(event.tz).date() for s in event.slots.all()})
    first_day = [s for s in later if s.start.astimezone(event.tz).date() == days[0]]
    form = {"here_0": "on", "from_0": first_day[0].pk, "to_0": first_day[-1].pk}
    for language, said in (
        (
            "en",
            "1 booked meeting falls outside these times. Move or cancel it first, or tick the "
            "box to go ahead. 1 of them is not cancelled then: a colleague who had joined it "
            "takes over and it goes on.",
        ),
        (
            "fr",
            "1 rendez-vous réservé est en dehors de ces horaires. Déplacez-le ou annulez-le "
            "d’abord, ou cochez la case pour continuer. 1 d’entre eux n’est alors pas annulé : "
            "un collègue qui s’y était joint prend le relais et il a lieu.",
        ),
    ):
        refused = client.post(f"/my/{event.slug}/presence/", form, HTTP_ACCEPT_LANGUAGE=language)
        assert refused.status_code == 409, language
        assert refused.context["form"].non_field_errors() == [said]
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_the_times_refusal_says_what_the_box_does_to_each_meeting():
    from matchmaking.pages.forms import PresenceForm

    assert PresenceForm.outside_message(2, handed=1) == (
        "2 booked meetings fall outside these times. Move or cancel them first, or tick the "
        "box to go ahead. 1 of them is not cancelled then: a colleague who had joined it takes "
        "over and it goes on. The others are cancelled."
    )
    assert PresenceForm.outside_message(2) == (
        "2 booked meetings fall outside these times. Move or cancel them first, or tick the "
        "box to cancel them now."
    )
