"""A lounge table taken out of service mid-morning (``services.tables``): its meetings still to
come move to free tables of the same slot, the booking rules and the scheduler leave it out."""

import pytest

from matchmaking.exceptions import InvalidInput
from matchmaking.models import Meeting, MeetingLog, Notification, Table
from matchmaking.services.meetings import Actor, meeting_book, meeting_reschedule
from matchmaking.services.tables import table_back_in_service, table_take_out_of_service
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

DESK = Actor(system=True)


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def _book(make_participant, slot, table=None, **kwargs):
    req = RequestFactory(sender=make_participant(), recipient=make_participant())
    return meeting_book(request=req, slot=slot, actor=DESK, table=table, **kwargs)


def test_out_of_service_moves_meetings_still_to_come_to_free_tables_of_their_slot(
    event, make_participant, send
):
    slots = list(event.slots.order_by("start"))
    t1, t2, _t3 = event.tables.order_by("name")
    started = _book(make_participant, slots[0], t1)
    later = _book(make_participant, slots[2], t1)
    neighbour = _book(make_participant, slots[2], t2)  # T02 is taken then: T03 it is
    alone = _book(make_participant, slots[3], t1)

    with send():
        result = table_take_out_of_service(table=t1, actor=DESK, now=slots[1].start)

    t1.refresh_from_db()
    assert t1.out_of_service is True
    assert [(m.pk, t.name) for m, t in result.moved] == [(later.pk, "T03"), (alone.pk, "T02")]
    assert result.stuck == []
    tables = dict(Meeting.objects.values_list("pk", "table__name"))
    assert tables == {started.pk: "T01", later.pk: "T03", neighbour.pk: "T02", alone.pk: "T02"}
    slots_after = dict(Meeting.objects.values_list("pk", "slot_id"))
    assert slots_after[later.pk] == slots[2].pk and slots_after[alone.pk] == slots[3].pk
    moved_to = [
        log.detail["to_table"]
        for log in MeetingLog.objects.filter(action="moved").order_by("meeting_id")
    ]
    assert moved_to == ["T03", "T02"]
    # both sides of each moved meeting are told where it now is
    assert Notification.objects.filter(kind="meeting_moved").count() == 4


def test_a_meeting_no_table_can_take_stays_and_is_listed(event, make_participant):
    slots = list(event.slots.order_by("start"))
    t1, t2, t3 = event.tables.order_by("name")
    full = [_book(make_participant, slots[2], t) for t in (t1, t2, t3)]

    result = table_take_out_of_service(table=t1, actor=DESK, now=slots[0].start)

    assert result.moved == []
    assert [m.pk for m, _ in result.stuck] == [full[0].pk]
    assert result.stuck[0][1].code == "slot_taken"
    assert str(result.stuck[0][1]).startswith("Every table is taken on ")
    assert Meeting.objects.get(pk=full[0].pk).table == t1


def test_nothing_is_booked_at_a_table_out_of_service(event, make_participant):
    slots = list(event.slots.order_by("start"))
    t1, t2, _t3 = event.tables.order_by("name")
    table_take_out_of_service(table=t1, actor=DESK, now=slots[0].start)

    chosen = _book(make_participant, slots[1])
    assert chosen.table == t2
    with pytest.raises(InvalidInput) as refused:
        _book(make_participant, slots[2], t1)
    assert str(refused.value) == "T01 is out of service; choose another table."
    with pytest.raises(InvalidInput):
        meeting_reschedule(meeting=chosen, slot=slots[1], actor=DESK, table=t1)

    table_back_in_service(table=t1, actor=DESK)
    assert _book(make_participant, slots[2], t1).table == t1


def test_only_shared_tables_go_out_of_service_and_only_by_organisers(event, make_participant):
    booth = Table.objects.create(event=event, name="Booth A01", shared=False)
    with pytest.raises(InvalidInput):
        table_take_out_of_service(table=booth, actor=DESK)
    t1 = event.tables.get(name="T01")
    with pytest.raises(InvalidInput):
        table_take_out_of_service(table=t1, actor=Actor(participant=make_participant()))
    assert Table.objects.filter(out_of_service=True).count() == 0


def test_a_meeting_that_only_changes_table_says_its_time_stays(event, make_participant, send):
    """The "moved" email of a table change used to read "moved to <the same time>", as if the
    time had changed: it says the time stays and names both tables, in each one's language."""
    from django.core import mail

    slots = list(event.slots.order_by("start"))
    t1, t2, _t3 = event.tables.order_by("name")
    a = make_participant(name="Amina Idrissi", languages=["en"])
    b = make_participant(name="Paul Martin", languages=["fr"])
    meeting = meeting_book(
        request=RequestFactory(sender=a, recipient=b), slot=slots[2], actor=DESK, table=t1
    )
    mail.outbox.clear()

    with send():
        meeting_reschedule(meeting=meeting, slot=slots[2], actor=DESK, table=t2)

    when = slots[2].start.astimezone(event.tz)
    by_person = {m.to[0]: m for m in mail.outbox}
    english = by_person[a.email]
    assert english.subject.startswith(f"Your meeting with {b.name} (")
    assert english.subject.endswith(" moves to T02")
    assert f"at {when:%H:%M}" in english.subject
    first_line = english.body.splitlines()[0]
    assert first_line.endswith(" keeps its time and moves from T01 to T02.")
    french = by_person[b.email]
    assert french.subject.endswith(" passe à T02")
    assert french.body.splitlines()[0].endswith(" garde son horaire et passe de T01 à T02.")
