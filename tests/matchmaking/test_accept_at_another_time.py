"""Accepting a request at another time (a counter-proposal): the recipient chooses a time free
for both, and the meeting is booked then with the acceptance, or nothing happens at all."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone, translation

from matchmaking.exceptions import Conflict, Forbidden, InvalidInput, RequestNotOpen, SlotPassed
from matchmaking.models import Availability, Meeting, MeetingRequest, Notification
from matchmaking.services.meetings import Actor, meeting_book
from matchmaking.services.notifications import moment_text
from matchmaking.services.requests import request_accept, request_create
from tests.factories import EventFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def people(make_participant):
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor", languages=["en"])
    return amina, bruno


def slots_of(event):
    return list(event.slots.order_by("start"))


def told(person):
    notes = Notification.objects.filter(recipient=person).order_by("pk")
    return list(notes.values_list("kind", flat=True))


def test_accepting_at_another_time_books_it_and_tells_the_sender_both_times(
    event, people, settings
):
    settings.SITE_URL = "https://expo.example.org"
    amina, bruno = people
    slots = slots_of(event)
    sent = request_create(sender=amina, recipient=bruno, slot=slots[1])
    Notification.objects.all().delete()

    accepted = request_accept(request=sent, by=bruno, slot=slots[4])

    assert accepted.status == MeetingRequest.Status.ACCEPTED
    assert accepted.booked.slot == slots[4] and accepted.proposal_refused is None
    meeting = Meeting.objects.get()
    assert (meeting.request_id, meeting.slot, meeting.status) == (sent.pk, slots[4], "scheduled")
    assert told(bruno) == []  # he chose it
    note = Notification.objects.get(recipient=amina)
    assert note.kind == "meeting_booked" and note.meeting_id == meeting.pk
    with translation.override("en"):
        chosen = moment_text(slots[4].start, event.tz)
        proposed = moment_text(slots[1].start, event.tz)
    who = f"Bruno ({bruno.organisation.name})"
    assert note.subject == f"{who} accepted and booked your meeting for {chosen}"
    assert note.body.startswith(
        f"{who} accepted your meeting request and booked the meeting "
        f"for {chosen} at {meeting.table.name} (you proposed {proposed})."
    )
    link = f"https://expo.example.org/my/{event.slug}/agenda/#meeting-{meeting.pk}"
    assert note.body.endswith(f"Open it on your pages: {link}")


def test_accepting_a_request_without_a_proposed_time_at_a_time_books_it(event, people):
    amina, bruno = people
    slots = slots_of(event)
    sent = request_create(sender=amina, recipient=bruno)

    accepted = request_accept(request=sent, by=bruno, slot=slots[2])

    assert accepted.booked.slot == slots[2]
    note = Notification.objects.get(recipient=amina)
    assert note.kind == "meeting_booked"
    assert "accepted your meeting request and booked the meeting for" in note.body
    assert "you proposed" not in note.body


def test_choosing_the_proposed_time_itself_is_the_ordinary_booked_email(event, people):
    amina, bruno = people
    slot = slots_of(event)[3]
    sent = request_create(sender=amina, recipient=bruno, slot=slot)

    request_accept(request=sent, by=bruno, slot=slot)

    note = Notification.objects.get(recipient=amina, kind="meeting_booked")
    assert note.subject.startswith("Meeting booked with Bruno")


def test_the_senders_email_is_in_their_language(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", languages=["fr"])
    bruno = make_participant(name="Bruno", kind="exhibitor", languages=["en"])
    farid = make_participant(name="Farid", kind="delegation", languages=["ar"])
    slots = slots_of(event)
    to_amina = request_create(sender=amina, recipient=bruno, slot=slots[0])
    to_farid = request_create(sender=farid, recipient=bruno, slot=slots[0])

    request_accept(request=to_amina, by=bruno, slot=slots[2])
    request_accept(request=to_farid, by=bruno, slot=slots[3])

    french = Notification.objects.get(recipient=amina, kind="meeting_booked")
    with translation.override("fr"):
        chosen, proposed = (moment_text(s.start, event.tz) for s in (slots[2], slots[0]))
    assert french.subject.startswith("Bruno (")
    assert f"a accepté et réservé votre rendez-vous le {chosen}" in french.subject
    assert f"(vous aviez proposé le {proposed})" in french.body
    arabic = Notification.objects.get(recipient=farid, kind="meeting_booked")
    with translation.override("ar"):
        chosen, proposed = (moment_text(s.start, event.tz) for s in (slots[3], slots[0]))
    assert f"وحُجز اللقاء ليوم {chosen}" in arabic.body
    assert f"(كنت قد اقترحت {proposed})" in arabic.body


def test_a_time_the_sender_is_busy_refuses_and_leaves_the_request_pending(
    event, people, make_participant
):
    amina, bruno = people
    chen = make_participant(name="Chen", kind="visitor")
    slots = slots_of(event)
    sent = request_create(sender=amina, recipient=bruno, slot=slots[1])
    busy = RequestFactory(sender=chen, recipient=amina, status="accepted")
    meeting_book(request=busy, slot=slots[4], actor=Actor(system=True))
    before = Notification.objects.count()

    with pytest.raises(Conflict) as refused:
        request_accept(request=sent, by=bruno, slot=slots[4])

    assert (refused.value.status, refused.value.code, refused.value.field) == (
        409,
        "time_not_free",
        "slot",
    )
    assert refused.value.message == (
        "That time is not free for both of you: choose another, or accept without choosing a time."
    )
    assert refused.value.reason is None  # nor in another language: his agenda is not read
    sent.refresh_from_db()
    assert (sent.status, sent.responded_at) == ("pending", None)
    assert not Meeting.objects.filter(request=sent).exists()
    assert Notification.objects.count() == before  # nobody told anything


def test_a_time_outside_the_recipients_times_is_refused(event, people):
    amina, bruno = people
    slots = slots_of(event)
    Availability.objects.create(participant=bruno, start=slots[0].start, end=slots[2].end)
    sent = request_create(sender=amina, recipient=bruno)

    with pytest.raises(Conflict) as refused:
        request_accept(request=sent, by=bruno, slot=slots[5])

    assert refused.value.code == "time_not_free"
    sent.refresh_from_db()
    assert sent.status == "pending" and not Meeting.objects.exists()
    inside = request_accept(request=sent, by=bruno, slot=slots[2])
    assert inside.booked.slot == slots[2]


def test_a_time_no_table_is_left_for_is_refused(make_participant):
    event = EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)], tables=1)
    amina = make_participant(event=event, name="Amina", kind="delegation")
    bruno = make_participant(event=event, name="Bruno", kind="exhibitor")
    chen = make_participant(event=event, name="Chen", kind="visitor")
    dina = make_participant(event=event, name="Dina", kind="investor")
    slot = slots_of(event)[2]
    other = RequestFactory(sender=chen, recipient=dina, status="accepted")
    meeting_book(request=other, slot=slot, actor=Actor(system=True))
    sent = request_create(sender=amina, recipient=bruno)

    with pytest.raises(Conflict) as refused:
        request_accept(request=sent, by=bruno, slot=slot)

    assert refused.value.code == "time_not_free"
    sent.refresh_from_db()
    assert sent.status == "pending"


def test_another_events_slot_a_past_slot_or_the_wrong_part_of_the_day_is_refused(event, people):
    amina, bruno = people
    slots = slots_of(event)
    elsewhere = EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])
    sent = request_create(sender=amina, recipient=bruno, session="morning")

    with pytest.raises(InvalidInput) as other_event:
        request_accept(request=sent, by=bruno, slot=elsewhere.slots.first())
    assert other_event.value.field == "slot"
    afternoon = next(s for s in slots if s.part == "afternoon")
    with pytest.raises(InvalidInput) as wrong_part:
        request_accept(request=sent, by=bruno, slot=afternoon)
    assert wrong_part.value.field == "slot"
    MeetingRequest.objects.filter(pk=sent.pk).update(expires_at=slots[-1].end)
    with mock.patch.object(timezone, "now", return_value=slots[1].start + dt.timedelta(minutes=1)):
        with pytest.raises(SlotPassed) as passed:
            request_accept(request=sent, by=bruno, slot=slots[1])
        with pytest.raises(SlotPassed):  # organisers too: it books a meeting to come
            request_accept(request=sent, by=None, slot=slots[0])
    assert passed.value.field == "slot"
    sent.refresh_from_db()
    assert sent.status == "pending" and not Meeting.objects.exists()


def test_booking_closed_refuses_the_participant_and_accepts_nothing(event, people):
    amina, bruno = people
    slots = slots_of(event)
    sent = request_create(sender=amina, recipient=bruno)
    event.booking_closes = timezone.now() - dt.timedelta(minutes=1)
    event.save(update_fields=["booking_closes"])

    with pytest.raises(Conflict) as refused:
        request_accept(request=sent, by=bruno, slot=slots[2])

    assert refused.value.code == "booking_closed"
    sent.refresh_from_db()
    assert sent.status == "pending"


def test_only_the_recipient_accepts_and_an_expired_request_is_recorded_expired(event, people):
    amina, bruno = people
    slots = slots_of(event)
    sent = request_create(sender=amina, recipient=bruno)
    with pytest.raises(Forbidden):
        request_accept(request=sent, by=amina, slot=slots[2])
    MeetingRequest.objects.filter(pk=sent.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(RequestNotOpen):
        request_accept(request=sent, by=bruno, slot=slots[2])
    sent.refresh_from_db()
    assert sent.status == "expired" and not Meeting.objects.exists()


def test_an_organiser_accepts_for_the_recipient_at_a_time_and_both_are_told(
    event, people, make_participant
):
    amina, bruno = people
    chen = make_participant(name="Chen", kind="visitor")
    slots = slots_of(event)
    sent = request_create(sender=amina, recipient=bruno, slot=slots[0])
    busy = RequestFactory(sender=chen, recipient=amina, status="accepted")
    meeting_book(request=busy, slot=slots[3], actor=Actor(system=True))

    with pytest.raises(Conflict) as refused:  # organisers read why
        request_accept(request=sent, by=None, slot=slots[3])
    assert refused.value.code == "time_not_free"
    assert "Amina" in refused.value.message

    accepted = request_accept(request=sent, by=None, slot=slots[5])

    assert accepted.booked.slot == slots[5]
    assert told(bruno) == ["request_received", "meeting_booked"]
    to_amina = Notification.objects.get(recipient=amina, meeting=accepted.booked)
    assert "(you proposed " in to_amina.body
    to_bruno = Notification.objects.get(recipient=bruno, kind="meeting_booked")
    assert to_bruno.subject.startswith("Meeting booked with Amina")
