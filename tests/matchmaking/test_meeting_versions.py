"""Meeting versions (optimistic concurrency): every change bumps ``Meeting.version``; a move or
a cancellation that names the version it was shown is refused once someone changed the meeting,
and writes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.exceptions import MeetingChanged
from matchmaking.models import Meeting, MeetingLog, MeetingSeat, Notification, Slot
from matchmaking.reasons import when_text
from matchmaking.services.meetings import (
    Actor,
    meeting_attendee_add,
    meeting_book,
    meeting_cancel,
    meeting_leave,
    meeting_reschedule,
    meeting_set_fixed,
    meeting_set_status,
)
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

ORGANISER = Actor(system=True)


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def slots(event):
    return list(event.slots.order_by("start"))


@pytest.fixture
def meeting(event, slots, make_participant):
    amina = make_participant(name="Amina")
    bruno = make_participant(name="Bruno")
    return meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno), slot=slots[0], actor=ORGANISER
    )


def version(meeting) -> int:
    return Meeting.objects.values_list("version", flat=True).get(pk=meeting.pk)


def test_a_new_meeting_is_version_1(meeting):
    assert version(meeting) == 1


def test_every_change_bumps_the_version(meeting, slots, make_participant):
    soon = timezone.now() + dt.timedelta(minutes=10)  # check-in is open there
    Slot.objects.filter(pk=slots[2].pk).update(start=soon, end=soon + dt.timedelta(minutes=20))
    karim = make_participant(name="Karim", organisation=meeting.request.sender.organisation)
    seen = [version(meeting)]
    meeting_reschedule(meeting=meeting, slot=slots[3], actor=ORGANISER)
    seen.append(version(meeting))
    meeting_set_fixed(meeting=meeting, fixed=True, actor=ORGANISER)
    seen.append(version(meeting))
    meeting_attendee_add(meeting=meeting, person=karim, actor=ORGANISER)
    seen.append(version(meeting))
    meeting_leave(meeting=meeting, participant=karim)
    seen.append(version(meeting))
    meeting_reschedule(meeting=meeting, slot=slots[2], actor=ORGANISER)
    seen.append(version(meeting))
    meeting_set_status(meeting=meeting, status="checked_in", actor=ORGANISER)
    seen.append(version(meeting))
    meeting_cancel(meeting=meeting, reason="Plans changed")
    seen.append(version(meeting))

    assert seen == [1, 2, 3, 4, 5, 6, 7, 8]


def test_what_changes_nothing_keeps_the_version(meeting, slots):
    meeting_reschedule(meeting=meeting, slot=slots[0], actor=ORGANISER)  # where it is
    meeting_set_fixed(meeting=meeting, fixed=False, actor=ORGANISER)  # not fixed already

    assert version(meeting) == 1


def test_a_move_with_the_version_shown_goes_through(meeting, slots):
    moved = meeting_reschedule(meeting=meeting, slot=slots[3], actor=ORGANISER, expected_version=1)

    assert (moved.slot_id, moved.version) == (slots[3].pk, 2)


def test_a_move_from_a_stale_version_is_refused_and_writes_nothing(meeting, slots):
    """Two organisers opened the meeting at version 1; the first moved it to the third slot.
    The second's move to the fourth slot, from the page they loaded before, is refused."""
    meeting_reschedule(meeting=meeting, slot=slots[2], actor=ORGANISER, expected_version=1)
    logs = MeetingLog.objects.count()
    notes = Notification.objects.count()

    with pytest.raises(MeetingChanged) as refused:
        meeting_reschedule(meeting=meeting, slot=slots[3], actor=ORGANISER, expected_version=1)

    assert refused.value.status == 409
    assert refused.value.code == "meeting_changed"
    start = when_text(slots[2])  # as the pages write it, with its weekday
    table = Meeting.objects.get(pk=meeting.pk).table.name
    assert refused.value.message == (
        "This meeting was changed by someone else since you loaded it (you had version 1, it is "
        f"now version 2): it is now on {start}, table {table}. Reload it and try "
        "again; nothing was changed."
    )
    assert refused.value.extra == {"version": 2, "your_version": 1}
    now = Meeting.objects.get(pk=meeting.pk)
    assert (now.slot_id, now.version, now.sequence) == (slots[2].pk, 2, 1)
    assert set(MeetingSeat.objects.filter(meeting=meeting).values_list("slot_id", flat=True)) == {
        slots[2].pk
    }
    assert (MeetingLog.objects.count(), Notification.objects.count()) == (logs, notes)


def test_a_move_without_a_version_is_not_checked(meeting, slots):
    """Callers that name no version (older API clients) move it as before: the last one wins."""
    meeting_reschedule(meeting=meeting, slot=slots[2], actor=ORGANISER)
    moved = meeting_reschedule(meeting=meeting, slot=slots[3], actor=ORGANISER)

    assert (moved.slot_id, moved.version) == (slots[3].pk, 3)


def test_a_cancellation_from_a_stale_version_is_refused_and_writes_nothing(meeting, slots):
    meeting_reschedule(meeting=meeting, slot=slots[2], actor=ORGANISER)

    with pytest.raises(MeetingChanged):
        meeting_cancel(meeting=meeting, reason="Double booked", expected_version=1)

    now = Meeting.objects.get(pk=meeting.pk)
    assert (now.status, now.version) == ("scheduled", 2)
    assert MeetingSeat.objects.filter(meeting=meeting, active=True).count() == 2


def test_a_stale_move_of_a_meeting_cancelled_since_says_it_is_cancelled(meeting, slots):
    meeting_cancel(meeting=meeting)

    with pytest.raises(MeetingChanged) as refused:
        meeting_reschedule(meeting=meeting, slot=slots[3], actor=ORGANISER, expected_version=1)

    assert "it is now cancelled. Reload it" in refused.value.message


def test_a_participant_outside_the_meeting_learns_nothing_of_its_version(
    meeting, slots, make_participant
):
    """The version check comes after the check of who asks: a stranger gets "No such
    meeting", not where it is now."""
    from matchmaking.exceptions import NotFound

    stranger = make_participant(name="Stranger")
    with pytest.raises(NotFound):
        meeting_reschedule(
            meeting=meeting, slot=slots[3], actor=Actor(participant=stranger), expected_version=9
        )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "This meeting was changed by someone else since you loaded it (you had version 1, it "
            "is now version 2): it is now on Tuesday 15 October at 09:20, table T01 (already "
            "checked in). Reload it and try again; nothing was changed.",
        ),
        (
            "fr",
            "Ce rendez-vous a été modifié par quelqu’un d’autre depuis que vous l’avez chargé "
            "(vous aviez la version 1, c’est désormais la version 2) : il a désormais lieu le "
            "mardi 15 octobre à 09:20, table T01 (présence déjà enregistrée). Rechargez-le et "
            "réessayez ; rien n’a été modifié.",
        ),
        (
            "ar",
            "تغيّر هذا اللقاء من جهة أخرى منذ تحميله (كانت لديك النسخة 1، والنسخة الحالية 2): "
            "أصبح الآن في يوم الثلاثاء 15 أكتوبر الساعة 09:20، الطاولة T01 (سُجّل الحضور فيه). "
            "يُرجى إعادة تحميله والمحاولة مجددًا؛ لم يُغيَّر شيء.",
        ),
    ],
)
def test_the_refusal_says_where_the_meeting_is_in_the_readers_language(
    make_participant, lang, expected
):
    """Its time in the event's zone (Africa/Casablanca, UTC+1: 08:20 UTC), written as the pages
    and the other refusals write times, with its weekday, in the reader's language; the API's
    message is the English one. It used to quote an ISO "2030-10-15 09:20" in every language."""
    from django.utils import translation

    from matchmaking.services.meetings import check_version
    from tests.factories import EventFactory

    event = EventFactory(days=[dt.date(2030, 10, 15)], tables=2)
    slot = event.slots.order_by("start")[1]
    amina = make_participant(event=event, name="Amina")
    booked = meeting_book(
        request=RequestFactory(sender=amina, recipient=make_participant(event=event)),
        slot=slot,
        actor=ORGANISER,
        table=event.tables.get(name="T01"),
    )
    Meeting.objects.filter(pk=booked.pk).update(status="checked_in", version=2)

    with pytest.raises(MeetingChanged) as refused:
        check_version(Meeting.objects.get(pk=booked.pk), 1)

    assert slot.start.astimezone(dt.UTC).strftime("%H:%M") == "08:20"
    with translation.override(lang):
        assert str(refused.value.reason) == expected
    assert refused.value.message == str(refused.value.reason.english())
