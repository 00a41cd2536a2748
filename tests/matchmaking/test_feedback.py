"""Meeting feedback: who gives it, when, what it holds, and what organisers read of it."""

import datetime as dt

import pytest

from matchmaking import reporting
from matchmaking.exceptions import Conflict, Forbidden, InvalidInput
from matchmaking.models import Meeting, MeetingFeedback, MeetingRequest
from matchmaking.services.feedback import meeting_feedback_give
from matchmaking.services.meetings import (
    Actor,
    meeting_attendee_add,
    meeting_book,
    meeting_cancel,
    meeting_leave,
)
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def booked(sender, recipient, slot) -> Meeting:
    request = RequestFactory(
        sender=sender, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
    )
    return meeting_book(request=request, slot=slot, actor=Actor(system=True))


@pytest.fixture
def meeting(event, make_participant):
    a = make_participant(name="Amina")
    b = make_participant(name="Bruno", kind="exhibitor")
    return booked(a, b, event.slots.order_by("start").first())


def after(meeting, minutes=5):
    return meeting.slot.start + dt.timedelta(minutes=minutes)


def parties(meeting):
    return meeting.request.sender, meeting.request.recipient


def test_each_person_gives_their_own_and_may_change_it(meeting):
    a, b = parties(meeting)
    meeting_feedback_give(
        meeting=meeting,
        participant=a,
        took_place=True,
        rating=4,
        outcome="follow_up",
        comment=" Good lead. ",
        now=after(meeting),
    )
    meeting_feedback_give(meeting=meeting, participant=b, took_place=False, now=after(meeting))
    again = meeting_feedback_give(
        meeting=meeting,
        participant=a,
        took_place=True,
        rating=5,
        outcome="agreement",
        now=after(meeting, 60 * 24),
    )
    assert MeetingFeedback.objects.count() == 2
    assert (again.rating, again.outcome, again.comment) == (5, "agreement", "")
    theirs = MeetingFeedback.objects.get(participant=b)
    assert (theirs.took_place, theirs.rating, theirs.outcome) == (False, None, "")


def test_comment_is_stripped(meeting):
    a, _ = parties(meeting)
    given = meeting_feedback_give(
        meeting=meeting,
        participant=a,
        took_place=True,
        rating=3,
        comment="  ok  ",
        now=after(meeting),
    )
    assert given.comment == "ok"


def test_not_before_the_meeting_starts(meeting):
    a, _ = parties(meeting)
    with pytest.raises(Conflict) as caught:
        meeting_feedback_give(
            meeting=meeting,
            participant=a,
            took_place=True,
            rating=3,
            now=meeting.slot.start - dt.timedelta(minutes=1),
        )
    assert caught.value.code == "meeting_not_started"
    assert "feedback opens when it starts" in caught.value.message
    assert not MeetingFeedback.objects.exists()


def test_not_on_a_cancelled_meeting(meeting):
    _a, b = parties(meeting)
    meeting_cancel(meeting=meeting, by=None, user=None, reason="")
    with pytest.raises(Conflict) as caught:
        meeting_feedback_give(meeting=meeting, participant=b, took_place=False, now=after(meeting))
    assert caught.value.code == "meeting_cancelled"
    assert not MeetingFeedback.objects.exists()


def test_only_people_in_the_meeting(meeting, make_participant):
    stranger = make_participant(name="Chen")
    with pytest.raises(Forbidden) as caught:
        meeting_feedback_give(
            meeting=meeting, participant=stranger, took_place=True, rating=5, now=after(meeting)
        )
    assert caught.value.code == "not_in_meeting"


def test_a_colleague_who_joined_gives_it_one_who_left_does_not(upcoming_event, make_participant):
    a = make_participant(event=upcoming_event, name="Amina")
    b = make_participant(event=upcoming_event, name="Bruno")
    mate = make_participant(event=upcoming_event, name="Aya", organisation=a.organisation)
    gone = make_participant(event=upcoming_event, name="Anas", organisation=a.organisation)
    m = booked(a, b, upcoming_event.slots.order_by("start").first())
    meeting_attendee_add(meeting=m, person=mate, actor=Actor(system=True))
    meeting_attendee_add(meeting=m, person=gone, actor=Actor(system=True))
    meeting_leave(meeting=m, participant=gone, user=None)
    given = meeting_feedback_give(
        meeting=m, participant=mate, took_place=True, rating=2, now=after(m)
    )
    assert given.participant == mate
    with pytest.raises(Forbidden):
        meeting_feedback_give(meeting=m, participant=gone, took_place=True, rating=2, now=after(m))


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"took_place": True}, "rating"),
        ({"took_place": True, "rating": 0}, "rating"),
        ({"took_place": True, "rating": 6}, "rating"),
        ({"took_place": True, "rating": True}, "rating"),
        ({"took_place": True, "rating": 3, "outcome": "maybe"}, "outcome"),
        ({"took_place": False, "rating": 3}, "rating"),
        ({"took_place": False, "outcome": "follow_up"}, "outcome"),
        ({"took_place": "yes", "rating": 3}, "took_place"),
        ({"took_place": True, "rating": 3, "comment": "x" * 1001}, "comment"),
        ({"took_place": True, "rating": 3, "comment": "a\x00b"}, "comment"),
    ],
)
def test_bad_fields_are_refused_by_name_and_nothing_is_written(meeting, fields, field):
    a, _ = parties(meeting)
    with pytest.raises(InvalidInput) as caught:
        meeting_feedback_give(meeting=meeting, participant=a, now=after(meeting), **fields)
    assert caught.value.field == field
    assert not MeetingFeedback.objects.exists()


def test_summary_and_export_for_organisers(event, make_participant):
    slots = list(event.slots.order_by("start"))
    a = make_participant(name="Amina")
    b = make_participant(name="Bruno")
    c = make_participant(name="=Chen")  # a formula-like name is exported as text
    m1 = booked(a, b, slots[0])
    m2 = booked(a, c, slots[1])
    m3 = booked(b, c, slots[2])
    give = meeting_feedback_give
    give(
        meeting=m1,
        participant=a,
        took_place=True,
        rating=5,
        outcome="agreement",
        comment="Signed an NDA",
        now=after(m1),
    )
    give(meeting=m1, participant=b, took_place=True, rating=3, now=after(m1))
    give(meeting=m2, participant=a, took_place=True, rating=4, outcome="follow_up", now=after(m2))
    give(meeting=m2, participant=c, took_place=False, now=after(m2))  # disputed
    give(meeting=m3, participant=b, took_place=False, now=after(m3))

    summary = reporting.feedback_summary(event=event)
    assert summary["given"] == 5
    assert summary["meetings"] == 3
    assert (summary["took_place"], summary["did_not_take_place"]) == (3, 2)
    assert summary["mean_rating"] == pytest.approx(4.0)
    assert summary["ratings"] == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert summary["outcomes"] == {"": 1, "none": 0, "follow_up": 1, "agreement": 1}
    assert [d["meeting"] for d in summary["disputed"]] == [m2.pk]
    assert summary["disputed_count"] == 1

    rows = list(reporting.feedback_export_rows(event=event))
    assert len(rows) == 5
    header = reporting.FEEDBACK_CSV_HEADER
    first = dict(zip(header, rows[0], strict=True))
    assert first["meeting"] == m1.pk
    assert first["from_name"] == "Amina"
    assert first["with"].startswith("Bruno (")
    assert (first["took_place"], first["rating"], first["outcome"]) == ("yes", 5, "agreement")
    assert first["comment"] == "Signed an NDA"
    no = dict(zip(header, rows[-1], strict=True))
    assert (no["took_place"], no["rating"]) == ("no", "")
    text = "".join(reporting.csv_stream(header=header, rows=iter(rows)))
    assert "'=Chen" in text


def test_empty_summary(event):
    summary = reporting.feedback_summary(event=event)
    assert summary["given"] == 0
    assert summary["mean_rating"] is None
    assert summary["disputed"] == []


def test_the_summary_counts_only_meetings_that_started_and_go_on(event, make_participant):
    """Feedback given, then the organisers cancel the meeting or move it to a later time: it
    no longer counts (the rows stay, in the CSV, with the meeting's status)."""
    from matchmaking.models import Slot

    slots = list(event.slots.order_by("start"))
    a, b, c = (make_participant() for _ in range(3))
    kept = booked(a, b, slots[0])
    moved = booked(a, c, slots[1])
    cancelled = booked(b, c, slots[2])
    for m, person in ((kept, a), (moved, a), (cancelled, b)):
        meeting_feedback_give(
            meeting=m, participant=person, took_place=True, rating=5, now=after(m)
        )
    meeting_cancel(meeting=cancelled, by=None, user=None, reason="")
    future = slots[1].start + dt.timedelta(days=3650)
    Slot.objects.filter(pk=slots[1].pk).update(start=future, end=future + dt.timedelta(minutes=20))
    summary = reporting.feedback_summary(event=event)
    assert (summary["given"], summary["meetings"]) == (1, 1)
    assert len(list(reporting.feedback_export_rows(event=event))) == 3


def test_disputes_are_between_the_two_sides_and_the_record_is_checked(
    upcoming_event, make_participant
):
    """Two colleagues of one side who disagree are no dispute; a meeting the organisers marked
    no-show that someone says took place is flagged."""
    from matchmaking.services.meetings import meeting_set_status

    event = upcoming_event
    slots = list(event.slots.order_by("start"))
    a = make_participant(event=event)
    mate = make_participant(event=event, organisation=a.organisation)
    b = make_participant(event=event)
    c = make_participant(event=event)
    m = booked(a, b, slots[0])
    meeting_attendee_add(meeting=m, person=mate, actor=Actor(system=True))
    n = booked(c, b, slots[1])
    later = slots[1].end + dt.timedelta(hours=1)
    meeting_feedback_give(meeting=m, participant=a, took_place=True, rating=4, now=later)
    meeting_feedback_give(meeting=m, participant=mate, took_place=False, now=later)
    meeting_set_status(
        meeting=n, status="no_show", actor=Actor(system=True, organiser=True), now=later
    )
    meeting_feedback_give(meeting=n, participant=b, took_place=True, rating=3, now=later)
    summary = reporting.feedback_summary(event=event, now=later)
    assert summary["disputed_count"] == 0
    assert [x["meeting"] for x in summary["against_record"]] == [n.pk]


def test_both_sides_agreeing_is_no_dispute_whatever_a_colleague_says(
    upcoming_event, make_participant
):
    event = upcoming_event
    slots = list(event.slots.order_by("start"))
    a, b = make_participant(event=event), make_participant(event=event)
    mate = make_participant(event=event, organisation=a.organisation)
    m = booked(a, b, slots[0])
    meeting_attendee_add(meeting=m, person=mate, actor=Actor(system=True))
    later = slots[0].end + dt.timedelta(hours=1)
    meeting_feedback_give(meeting=m, participant=a, took_place=True, rating=4, now=later)
    meeting_feedback_give(meeting=m, participant=b, took_place=True, rating=4, now=later)
    meeting_feedback_give(meeting=m, participant=mate, took_place=False, now=later)
    assert reporting.feedback_summary(event=event, now=later)["disputed_count"] == 0
    meeting_feedback_give(meeting=m, participant=b, took_place=False, now=later)
    assert reporting.feedback_summary(event=event, now=later)["disputed_count"] == 1


def test_a_comment_counts_a_line_break_once(meeting):
    a, _ = parties(meeting)
    given = meeting_feedback_give(
        meeting=meeting,
        participant=a,
        took_place=True,
        rating=3,
        comment="ab\r\n" * 333,
        now=after(meeting),
    )
    assert "\r" not in given.comment and len(given.comment) == 3 * 333 - 1
