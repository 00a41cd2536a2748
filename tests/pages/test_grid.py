"""The meeting grid: exact cells of a day, filters, status buttons, query count."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking.models import Meeting, MeetingLog, Participant
from matchmaking.services.meetings import meeting_cancel
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = pytest.mark.django_db

DAY1, DAY2 = dt.date(2018, 4, 18), dt.date(2018, 4, 19)


def cells(html: str) -> list[str]:
    return re.findall(r'<td class="grid-meeting ([^"]*)" data-meeting="(\d+)"', html)


def test_grid_day_shows_exactly_its_meetings(staff_client, staff, make_participant):
    event = EventFactory(days=[DAY1, DAY2])
    people = [make_participant(event=event) for _ in range(6)]
    slots = list(event.slots.order_by("start"))
    day2 = [s for s in slots if s.date == DAY2]
    from matchmaking.services.meetings import Actor, meeting_book

    def book(a, b, slot):
        req = RequestFactory(sender=a, recipient=b)
        return meeting_book(request=req, slot=slot, actor=Actor(system=True))

    first = [book(people[0], people[1], slots[0]), book(people[2], people[3], slots[0])]
    cancelled = book(people[4], people[5], slots[1])
    meeting_cancel(meeting=cancelled, user=staff, reason="test")
    second = [book(people[0], people[2], day2[0])]

    html = staff_client.get(f"/organiser/{event.slug}/grid/?date={DAY1}").content.decode()
    found = {int(mid): cls for cls, mid in cells(html)}
    assert set(found) == {first[0].pk, first[1].pk, cancelled.pk}
    assert found[cancelled.pk] == "st-cancelled"
    assert re.search(r"<strong data-grid-count>2</strong>", html)
    assert 'data-status-count="cancelled">Cancelled <b>1</b>' in html
    assert people[0].name in html and people[0].organisation.name in html

    html2 = staff_client.get(f"/organiser/{event.slug}/grid/?date={DAY2}").content.decode()
    assert [int(mid) for _, mid in cells(html2)] == [second[0].pk]
    assert "<strong data-grid-count>1</strong>" in html2


def test_grid_unknown_date_falls_back_to_first_day(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    html = staff_client.get(f"/organiser/{event.slug}/grid/?date=nonsense").content.decode()
    assert [int(m) for _, m in cells(html)] == [meeting.pk]


def test_grid_filter_dims_non_matching(staff_client, event, make_participant, book):
    alice = make_participant(name="Alice Zephyr", kind=Participant.Kind.EXHIBITOR)
    m1 = book(alice, make_participant(), 0)
    m2 = book(make_participant(), make_participant(), 1)
    m3 = book(make_participant(), alice, 2)
    html = staff_client.get(f"/organiser/{event.slug}/grid/?q=zephyr").content.decode()
    found = {int(mid): cls for cls, mid in cells(html)}
    assert found == {m1.pk: "st-scheduled", m2.pk: "st-scheduled dim", m3.pk: "st-scheduled"}
    assert "<strong data-grid-matching>2</strong>" in html

    by_org = staff_client.get(
        f"/organiser/{event.slug}/grid/?q={alice.organisation.name.upper()}"
    ).content.decode()
    assert sum("dim" not in cls for cls, _ in cells(by_org)) == 2

    html = staff_client.get(f"/organiser/{event.slug}/grid/?kind=exhibitor").content.decode()
    found = {int(mid): cls for cls, mid in cells(html)}
    assert found[m2.pk] == "st-scheduled dim"
    assert found[m1.pk] == found[m3.pk] == "st-scheduled"


def test_grid_rows_filter_used_tables(staff_client, event, make_participant, book):
    book(make_participant(), make_participant(), 0)
    all_rows = staff_client.get(f"/organiser/{event.slug}/grid/").content.decode()
    used = staff_client.get(f"/organiser/{event.slug}/grid/?tables=used").content.decode()
    assert all_rows.count('class="grid-table"') == 3
    assert used.count('class="grid-table"') == 1


def test_used_tables_leave_out_a_table_whose_only_meeting_is_cancelled_and_count_what_shows(
    staff_client, staff, event, make_participant, book
):
    from matchmaking.services.meetings import meeting_cancel

    zineb = make_participant(name="Zineb Tazi")
    live = book(zineb, make_participant(), 0)
    gone = book(make_participant(), make_participant(), 0)
    meeting_cancel(meeting=gone, user=staff, reason="left")
    assert live.table_id != gone.table_id
    used = staff_client.get(f"/organiser/{event.slug}/grid/?tables=used").content.decode()
    assert used.count('class="grid-table"') == 1
    # the filter's count says what the rows shown hold
    own = staff_client.get(f"/organiser/{event.slug}/grid/?tables=own&q=zineb").content.decode()
    assert "<strong data-grid-matching>0</strong>" in own
    shared = staff_client.get(
        f"/organiser/{event.slug}/grid/?tables=shared&q=zineb"
    ).content.decode()
    assert "<strong data-grid-matching>1</strong>" in shared


def test_an_event_without_tables_shows_every_meeting_of_a_slot_and_plans_them_once(
    staff_client, staff
):
    """Without table allocation every meeting of a slot fell into one "No table" cell: the
    grid showed one of three (the fourth review), and no check-in for the other two."""
    event = EventFactory(tables=0, days=[DAY1])
    slots = list(event.slots.order_by("start"))
    made = []
    for i, slot in enumerate([0, 0, 0, 1]):
        a = ParticipantFactory(event=event, name=f"Amina {i}")
        b = ParticipantFactory(event=event, name=f"Bruno {i}")
        request = RequestFactory(sender=a, recipient=b, status="accepted")
        from matchmaking.services.meetings import Actor, meeting_book

        made.append(meeting_book(request=request, slot=slots[slot], actor=Actor(system=True)))
    meeting_cancel(meeting=made[3], user=staff, reason="left")
    html = staff_client.get(f"/organiser/{event.slug}/grid/?date={DAY1}").content.decode()
    assert sorted(int(mid) for _cls, mid in cells(html)) == [m.pk for m in made]
    assert html.count('class="grid-table"') == 3  # three "No table" rows: the busiest slot
    used = staff_client.get(f"/organiser/{event.slug}/grid/?date={DAY1}&tables=used")
    assert sorted(int(mid) for _cls, mid in cells(used.content.decode())) == [
        m.pk for m in made[:3]
    ]
    plan = staff_client.get(f"/organiser/{event.slug}/tables/?date={DAY1}")
    text = plan.content.decode()
    assert text.count('class="plan-table"') == 1  # one block for the meetings without a table
    assert all(f"Amina {i}" in text for i in range(3)) and "Amina 3" not in text


def test_grid_partial_has_cells_and_etag(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    response = staff_client.get(f"/organiser/{event.slug}/grid/live/")
    assert response.status_code == 200
    assert [int(m) for _, m in cells(response.content.decode())] == [meeting.pk]
    assert "<html" not in response.content.decode()
    etag = response["ETag"]
    again = staff_client.get(f"/organiser/{event.slug}/grid/live/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    # as a browser holds it once GZipMiddleware compressed the answer: a weak ETag
    zipped = staff_client.get(f"/organiser/{event.slug}/grid/live/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["ETag"].startswith('W/"')
    weak = staff_client.get(
        f"/organiser/{event.slug}/grid/live/",
        HTTP_IF_NONE_MATCH=zipped["ETag"],
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert weak.status_code == 304
    book(make_participant(), make_participant(), 1)
    changed = staff_client.get(f"/organiser/{event.slug}/grid/live/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


@pytest.mark.parametrize("status", ["checked_in", "held", "no_show"])
def test_status_button_changes_status_and_logs(
    staff_client, staff, event, make_participant, book, status
):
    meeting = book(make_participant(), make_participant(), 0)
    grid_url = f"/organiser/{event.slug}/grid/?date=2018-04-18"
    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/",
        {"status": status, "next": grid_url},
    )
    assert response.status_code == 302
    assert response["Location"] == grid_url
    meeting.refresh_from_db()
    assert meeting.status == status
    log = MeetingLog.objects.filter(meeting=meeting, action="status").get()
    assert log.actor == staff
    assert log.detail == {"old": "scheduled", "new": status}
    page = staff_client.get(grid_url).content.decode()
    assert f'<td class="grid-meeting st-{status}" data-meeting="{meeting.pk}">' in page
    assert "is now" in page  # the success message


def test_status_bad_value_answers_400_with_message(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/", {"status": "exploded"}
    )
    assert response.status_code == 400
    assert "Choose one of the offered statuses." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_status_of_cancelled_meeting_refused_back_to_the_meeting_with_message(
    staff_client, staff, event, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    meeting_cancel(meeting=meeting, user=staff, reason="test")
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/"
    response = staff_client.post(f"{url}status/", {"status": "held"})
    assert response.status_code == 302
    assert response["Location"] == url  # post-redirect-get: a reload does not post again
    page = staff_client.get(url).content.decode()
    assert 'class="message message-error">This meeting is cancelled.</li>' in page


def test_status_unknown_or_other_event_meeting_404(staff_client, event, make_participant, book):
    other = EventFactory()
    meeting = book(make_participant(), make_participant(), 0)
    url = f"/organiser/{other.slug}/meetings/{meeting.pk}/status/"
    assert staff_client.post(url, {"status": "held"}).status_code == 404
    assert (
        staff_client.post(
            f"/organiser/{event.slug}/meetings/999999/status/", {"status": "held"}
        ).status_code
        == 404
    )
    assert (
        staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/status/").status_code
        == 405
    )


def test_status_post_without_csrf_token_refused(staff, event, make_participant, book):
    from django.test import Client

    meeting = book(make_participant(), make_participant(), 0)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/", {"status": "held"}
    )
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_meeting_page_shows_parties_and_log(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/", {"status": "checked_in"}
    )
    html = staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/").content.decode()
    assert meeting.request.sender.email in html
    assert "Status: Scheduled → Checked in" in html
    assert "Booked for Wednesday 18 April at 09:00" in html


def grid_queries(client, event) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/organiser/{event.slug}/grid/?date=2018-04-18")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_grid_query_count_does_not_grow(staff_client, event, make_participant, book):
    book(make_participant(), make_participant(), 0)
    one = grid_queries(staff_client, event)
    for i in range(1, 5):
        book(make_participant(), ParticipantFactory(event=event), i)
    assert Meeting.objects.filter(event=event).count() == 5
    assert grid_queries(staff_client, event) == one


def test_a_status_set_on_the_meeting_page_comes_back_to_the_meeting(
    staff_client, event, make_participant, book
):
    """From the meeting page (no ``next`` posted) a successful change, like a refused one,
    comes back to the meeting, where "Back to scheduled" can undo a slip; the page still knows
    the grid the organiser came from."""
    meeting = book(make_participant(), make_participant(), 0)
    page = f"/organiser/{event.slug}/meetings/{meeting.pk}/"
    back = "?next=%2Forganiser%2F" + event.slug + "%2Fgrid%2F%3Fdate%3D2018-04-18"
    response = staff_client.post(f"{page}status/{back}", {"status": "held"})
    assert response.status_code == 302
    assert response["Location"] == page + back
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_the_live_grid_of_an_event_without_slots_says_so(staff_client):
    """It answered 500 (the day's count was missing): the exploratory test."""
    from tests.factories import EventFactory

    empty = EventFactory()
    empty.slots.all().delete()
    empty.sessions.all().delete()
    response = staff_client.get(f"/organiser/{empty.slug}/grid/live/")
    assert response.status_code == 200
    assert "This event has no slots yet." in response.content.decode()


def test_the_live_grid_changes_with_anything_it_shows_not_only_meetings(
    staff_client, event, make_participant, book
):
    """The live part answers 304 while nothing it shows changed; a table renamed, a party's
    name or organisation changed, a status set, each shown on the grid, gives a fresh part
    (and so a new "Updated" time) although some touch no meeting row."""
    from matchmaking.models import Organisation, Participant, Table

    amina = make_participant(name="Amina")
    meeting = book(amina, make_participant(name="Bruno"), 0)
    url = f"/organiser/{event.slug}/grid/live/"
    etag = staff_client.get(url)["ETag"]
    assert staff_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def changed() -> bool:
        nonlocal etag
        response = staff_client.get(url, HTTP_IF_NONE_MATCH=etag)
        if response.status_code == 304:
            return False
        etag = response["ETag"]
        return True

    Table.objects.filter(pk=meeting.table_id).update(name="Salon Atlas")
    assert changed()
    assert "Salon Atlas" in staff_client.get(url).content.decode()
    Participant.objects.filter(pk=amina.pk).update(name="Amina Alaoui")
    assert changed()
    Organisation.objects.filter(pk=amina.organisation_id).update(name="Ville de Fès")
    assert changed()
    Table.objects.create(event=event, name="T99", shared=True)  # a new row
    assert changed()
    assert not changed()  # nothing more: 304 again
