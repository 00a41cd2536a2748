"""Settings → Tables: a lounge table that breaks mid-morning is taken out of service in one step
(its meetings still to come move to free tables of their slot), the grid says so, and it can come
back."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import Meeting, Table
from tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])


def page(event):
    return f"/organiser/{event.slug}/settings/"


def test_take_a_table_out_of_service_moves_its_meetings_and_marks_the_grid(
    staff_client, event, book
):
    t1, t2, t3 = event.tables.order_by("name")
    people = [ParticipantFactory(event=event) for _ in range(6)]
    moved = book(people[0], people[1], 2, table=t1)
    book(people[2], people[3], 4, table=t2)
    full = [book(people[4], people[5], 4, table=t1)]
    full.append(book(*[ParticipantFactory(event=event) for _ in range(2)], 4, table=t3))

    html = staff_client.get(page(event)).content.decode()
    assert 'name="table_service" value="out"' in html
    done = staff_client.post(page(event), {"table_service": "out", "table": t1.pk}, follow=True)

    assert done.status_code == 200
    texts = [str(m) for m in done.context["messages"]]
    slot = full[0].slot.start.astimezone(event.tz)
    when = f"{slot:%A} {slot.day} {slot:%B} at {slot:%H:%M}"
    assert texts == [
        "T01 is out of service. 1 meeting still to come moved to another table at the same "
        "time; both sides are told where.",
        f"Still at T01: the meeting of {people[4].name} – {people[5].name} on {when} (Every "
        f"table is taken on {when}; choose another slot). Move it or cancel it from its page "
        f"(meeting {full[0].pk}).",
    ]
    assert Meeting.objects.get(pk=moved.pk).table.name == "T02"
    assert 'data-table-out="T01"' in done.content.decode()
    grid = staff_client.get(f"/organiser/{event.slug}/grid/").content.decode()
    assert grid.count("data-out-of-service") == 1

    back = staff_client.post(page(event), {"table_service": "in", "table": t1.pk}, follow=True)
    assert [str(m) for m in back.context["messages"]] == [
        "T01 is back in service: bookings and scheduler runs may use it again."
    ]
    assert Table.objects.get(pk=t1.pk).out_of_service is False


def test_a_table_that_is_not_a_lounge_table_of_the_event_is_a_400(staff_client, event):
    booth = Table.objects.create(event=event, name="Booth 1", shared=False)
    other = EventFactory().tables.first()
    for value in (booth.pk, other.pk, "abc", ""):
        response = staff_client.post(page(event), {"table_service": "out", "table": value})
        assert response.status_code == 400
        assert [str(m) for m in response.context["messages"]] == [
            "Choose one of the event's lounge tables."
        ]
    assert Table.objects.filter(out_of_service=True).count() == 0
