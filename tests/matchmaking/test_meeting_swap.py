"""Organisers swap two meetings in one step (``meeting_swap``): each takes the other's time and
table, under the booking rules, or neither moves."""

import pytest

from matchmaking.exceptions import Conflict, DomainError, Forbidden, InvalidInput, MeetingChanged
from matchmaking.models import Meeting, MeetingLog, Notification, Table
from matchmaking.services.meetings import Actor, meeting_book, meeting_swap
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

DESK = Actor(system=True)


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def _book(a, b, slot, table=None):
    return meeting_book(
        request=RequestFactory(sender=a, recipient=b), slot=slot, actor=DESK, table=table
    )


def _where(meeting):
    m = Meeting.objects.select_related("slot", "table").get(pk=meeting.pk)
    return m.slot, m.table.name if m.table else None


def test_an_exhibitor_s_two_meetings_swap_times_and_tables(event, make_participant, send):
    """A late delegation takes its host's later meeting: exhibitor X meets P at 09:00 (T01)
    and Q at 09:20 (T02); P is late, so P and Q trade places."""
    slots = list(event.slots.order_by("start"))
    t1, t2, _t3 = event.tables.order_by("name")
    x, p, q = make_participant(), make_participant(), make_participant()
    first = _book(x, p, slots[0], t1)
    second = _book(x, q, slots[1], t2)

    with send():
        meeting_swap(meeting=first, other=second, actor=DESK, now=slots[0].start.replace(hour=0))

    assert _where(first) == (slots[1], "T02")
    assert _where(second) == (slots[0], "T01")
    for m in (first, second):
        m_now = Meeting.objects.get(pk=m.pk)
        assert (m_now.sequence, m_now.version) == (m.sequence + 1, m.version + 1)
    assert MeetingLog.objects.filter(action="moved").count() == 2
    # X, P and Q are each told of each of their meetings that moved: X twice
    told = sorted(Notification.objects.filter(kind="meeting_moved").values_list("recipient_id"))
    assert told == sorted([(x.pk,), (x.pk,), (p.pk,), (q.pk,)])


def test_two_meetings_at_one_time_trade_tables(event, make_participant):
    slots = list(event.slots.order_by("start"))
    t1, t2, _t3 = event.tables.order_by("name")
    a = _book(make_participant(), make_participant(), slots[2], t1)
    b = _book(make_participant(), make_participant(), slots[2], t2)

    meeting_swap(meeting=a, other=b, actor=DESK, now=slots[0].start)

    assert (_where(a), _where(b)) == ((slots[2], "T02"), (slots[2], "T01"))


def test_a_booth_meeting_keeps_its_booth_and_takes_the_other_time(event, make_participant):
    slots = list(event.slots.order_by("start"))
    t1 = event.tables.get(name="T01")
    booth = Table.objects.create(event=event, name="Booth A1", shared=False)
    exhibitor = make_participant(fixed_table=booth)
    at_booth = _book(exhibitor, make_participant(), slots[0])
    lounge = _book(make_participant(), make_participant(), slots[1], t1)

    meeting_swap(meeting=at_booth, other=lounge, actor=DESK, now=slots[0].start.replace(hour=0))

    assert _where(at_booth) == (slots[1], "Booth A1")
    assert _where(lounge) == (slots[0], "T01")


def test_a_swap_the_rules_refuse_moves_neither(event, make_participant):
    """P is busy at 09:20 with someone else: the swap would double-book P, so nothing moves."""
    slots = list(event.slots.order_by("start"))
    t1, t2, t3 = event.tables.order_by("name")
    x, p, q = make_participant(), make_participant(), make_participant()
    first = _book(x, p, slots[0], t1)
    second = _book(x, q, slots[1], t2)
    _book(p, make_participant(), slots[1], t3)

    with pytest.raises(DomainError) as refused:
        meeting_swap(meeting=first, other=second, actor=DESK, now=slots[0].start.replace(hour=0))

    assert refused.value.code == "participant_busy"
    assert (_where(first), _where(second)) == ((slots[0], "T01"), (slots[1], "T02"))
    assert MeetingLog.objects.filter(action="moved").count() == 0


def test_swap_refusals(event, make_participant):
    slots = list(event.slots.order_by("start"))
    t1, t2, _t3 = event.tables.order_by("name")
    a = _book(make_participant(), make_participant(), slots[1], t1)
    b = _book(make_participant(), make_participant(), slots[2], t2)
    early = slots[0].start
    with pytest.raises(Forbidden):
        meeting_swap(meeting=a, other=b, actor=Actor(participant=make_participant()), now=early)
    with pytest.raises(InvalidInput):
        meeting_swap(meeting=a, other=a, actor=DESK, now=early)
    with pytest.raises(MeetingChanged):
        meeting_swap(meeting=a, other=b, actor=DESK, expected_version=a.version - 1, now=early)
    with pytest.raises(Conflict) as started:  # a meeting under way does not swap
        meeting_swap(meeting=a, other=b, actor=DESK, now=slots[1].start)
    assert started.value.code == "meeting_started_move"
    assert (_where(a), _where(b)) == ((slots[1], "T01"), (slots[2], "T02"))
