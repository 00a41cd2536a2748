"""Statistics on a small fixed event: every number exact."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking import reporting
from matchmaking.models import MeetingRequest, Participant
from matchmaking.services.meetings import Actor, meeting_cancel, meeting_set_status
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fair(event, staff, make_participant, book):
    """a, b exhibitors; c, d visitors; e investor.

    Meetings: a–c held (slot 0), b–d no-show (slot 1), a–d scheduled (slot 2), b–c cancelled
    (slot 3). Requests: those four accepted, plus c→e pending, d→e declined, e→a expired.
    """
    a, b = (make_participant(kind=Participant.Kind.EXHIBITOR) for _ in range(2))
    c, d = (make_participant(kind=Participant.Kind.VISITOR) for _ in range(2))
    e = make_participant(kind=Participant.Kind.INVESTOR)
    organiser = Actor(user=staff, organiser=True)
    held = book(a, c, 0)
    meeting_set_status(meeting=held, status="held", actor=organiser)
    no_show = book(b, d, 1)
    meeting_set_status(meeting=no_show, status="no_show", actor=organiser)
    book(a, d, 2)
    meeting_cancel(meeting=book(b, c, 3), user=staff, reason="test")
    RequestFactory(sender=c, recipient=e, status=MeetingRequest.Status.PENDING)
    RequestFactory(sender=d, recipient=e, status=MeetingRequest.Status.DECLINED)
    RequestFactory(sender=e, recipient=a, status=MeetingRequest.Status.EXPIRED)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_statistics_numbers_exact(event, fair):
    stats = reporting.event_statistics(event=event)
    assert stats["participants"] == 5
    assert {k: v for k, v in stats["by_kind"].items() if v} == {
        "exhibitor": 2,
        "visitor": 2,
        "investor": 1,
    }
    assert stats["requests"] == {
        "pending": 1,
        "accepted": 4,
        "declined": 1,
        "cancelled": 0,
        "expired": 1,
    }
    assert stats["requests_total"] == 7
    assert stats["acceptance_rate"] == 4 / 6
    assert stats["meetings"] == {
        "scheduled": 1,
        "checked_in": 0,
        "held": 1,
        "no_show": 1,
        "cancelled": 1,
    }
    assert stats["meetings_active"] == 3
    assert stats["no_show_rate"] == 1 / 2
    assert stats["per_participant"] == {0: 1, 1: 2, 2: 2}
    assert [p["id"] for p in stats["without_meetings"]] == [fair["e"].pk]
    assert stats["without_meetings_count"] == 1
    assert stats["tables"] == 3
    assert [round(o["rate"], 4) for o in stats["occupancy"]] == [0.3333] * 3 + [0.0] * 6
    assert [o["used"] for o in stats["occupancy"]] == [1, 1, 1, 0, 0, 0, 0, 0, 0]


def test_statistics_page_shows_numbers(staff_client, event, fair):
    html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert re.search(r'data-stat="participants">5<', html)
    assert re.search(r'data-stat="requests">7<', html)
    assert re.search(r'data-stat="acceptance">67&nbsp;%<', html)
    assert re.search(r'data-stat="meetings">3<', html)
    assert re.search(r'data-stat="no_show">1<', html)
    assert re.search(r'data-stat="no_show_rate">50&nbsp;%<', html)
    assert 'data-meeting-status="held">1<' in html
    assert 'data-request="declined">1<' in html
    assert html.count('class="chart-bar') == 3  # 0, 1 and 2 meetings
    assert "Participants with 1 meeting: " in html and "with 1 meetings" not in html
    assert "Participants with 2 meetings: " in html
    assert html.count('class="heat-cell"') == 9
    assert fair["e"].name in html


def test_statistics_query_count_fixed(staff_client, event, fair, make_participant, book):
    with CaptureQueriesContext(connection) as small:
        staff_client.get(f"/organiser/{event.slug}/stats/")
    for i in range(4, 8):
        book(make_participant(), make_participant(), i)
    with CaptureQueriesContext(connection) as bigger:
        staff_client.get(f"/organiser/{event.slug}/stats/")
    assert len(bigger.captured_queries) == len(small.captured_queries)


def test_statistics_empty_event(staff_client, event):
    response = staff_client.get(f"/organiser/{event.slug}/stats/")
    assert response.status_code == 200
    stats = reporting.event_statistics(event=event)
    assert stats["acceptance_rate"] is None
    assert stats["no_show_rate"] is None
    assert stats["per_participant"] == {}


def test_a_colleague_who_attends_a_meeting_counts_and_one_who_left_does_not(upcoming_event):
    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import meeting_book
    from tests.factories import ParticipantFactory

    event = upcoming_event  # Karim can leave a meeting that has not started
    a = ParticipantFactory(event=event, name="Amina")
    lina = ParticipantFactory(event=event, name="Lina", organisation=a.organisation)
    karim = ParticipantFactory(event=event, name="Karim", organisation=a.organisation)
    slots = list(event.slots.order_by("start"))
    req = RequestFactory(sender=a, recipient=ParticipantFactory(event=event, name="Bruno"))
    meeting_book(request=req, slot=slots[-1], actor=Actor(system=True), attendees=[lina, karim])
    availability_replace(  # Karim leaves the meeting
        participant=karim,
        periods=[(slots[0].start, slots[0].end)],
        actor=Actor(system=True),
        cancel_conflicting=True,
    )

    stats = reporting.event_statistics(event=event)

    assert stats["per_participant"] == {0: 1, 1: 3}
    assert [p["name"] for p in stats["without_meetings"]] == ["Karim"]


def test_an_event_without_tables_shows_no_table_occupancy(staff_client):
    """It said "Table occupancy per slot (0 tables)" over a strip of 0 % slots."""
    from tests.factories import EventFactory

    event = EventFactory(tables=0)
    html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert html.count('class="heat-cell"') == 0 and "Table occupancy" not in html
    assert 'data-stat="participants">0<' in html


def test_table_occupancy_counts_the_shared_tables_not_the_booths(event, make_participant, book):
    """Booths counted in the denominator (89 "tables" = 40 lounge tables + 49 booths on the
    demo): a full lounge showed as half used (the fifth exploratory test)."""
    from matchmaking.models import Table

    shared = Table.objects.filter(event=event, shared=True).count()
    booth = Table.objects.create(event=event, name="Booth Z", shared=False)
    exhibitor = make_participant(kind=Participant.Kind.EXHIBITOR, fixed_table=booth)
    book(make_participant(), exhibitor, 0)  # at the booth
    book(make_participant(), make_participant(), 0)  # at a lounge table
    stats = reporting.event_statistics(event=event)
    assert stats["tables"] == shared
    first = stats["occupancy"][0]
    assert (first["used"], first["rate"]) == (1, 1 / shared)


def test_the_console_shows_and_exports_meeting_feedback(event, fair, staff_client, book):
    """Statistics count what participants said of their meetings and point at the meetings
    whose two sides disagree; the meeting's page shows each one's word; the CSV has them all."""
    import csv
    import datetime as dt
    import io

    from matchmaking.models import Meeting
    from matchmaking.services.feedback import meeting_feedback_give

    empty = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert "No feedback yet" in empty
    held = Meeting.objects.get(status="held")
    later = held.slot.start + dt.timedelta(hours=2)
    a, c = fair["a"], fair["c"]
    meeting_feedback_give(
        meeting=held,
        participant=a,
        took_place=True,
        rating=5,
        outcome="agreement",
        comment="Pilot in Fès",
        now=later,
    )
    meeting_feedback_give(meeting=held, participant=c, took_place=False, now=later)

    page = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert re.search(r'data-feedback="given">2<', page)
    assert re.search(r'data-feedback="mean_rating">5[.,]0<', page)
    assert re.search(r'data-outcome="agreement">1<', page)
    assert "1 meeting where one side says it took place and the other says it did not" in page
    assert f"/organiser/{event.slug}/meetings/{held.pk}/" in page

    detail = staff_client.get(f"/organiser/{event.slug}/meetings/{held.pk}/").content.decode()
    assert "Pilot in Fès" in detail
    assert "did not take place" in detail

    response = staff_client.get(f"/organiser/{event.slug}/exports/feedback.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["from_name"], r["took_place"], r["rating"]) for r in rows] == sorted(
        [(a.name, "yes", "5"), (c.name, "no", "")]
    )
    assert "feedback.csv" in staff_client.get(f"/organiser/{event.slug}/exports/").content.decode()


def test_the_console_counts_shortlists_without_saying_who_marked_whom(
    event, fair, staff_client, make_participant
):
    from matchmaking.services.attendance import attendance_withdraw
    from matchmaking.services.marks import mark_set

    a, b, c, d, e = (fair[k] for k in "abcde")
    for who in (c, d):
        mark_set(participant=who, candidate_id=a.pk, kind="saved")
    mark_set(participant=c, candidate_id=e.pk, kind="saved")
    mark_set(participant=d, candidate_id=b.pk, kind="hidden")
    mark_set(participant=e, candidate_id=c.pk, kind="saved")
    attendance_withdraw(participant=c, actor=Actor(system=True))  # left out of "most saved"
    interest = reporting.interest_summary(event=event)
    assert (interest["saved"], interest["hidden"], interest["markers"]) == (4, 1, 3)
    # on two shortlists at least: one person's shortlist is not shown through it
    assert [(row["name"], row["n"]) for row in interest["most_saved"]] == [(a.name, 2)]
    body = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert 'data-interest="saved">4<' in body and 'data-interest="hidden">1<' in body
    assert f"/organiser/{event.slug}/participants/{a.pk}/" in body
    staff_client.cookies["django_language"] = "fr"
    body = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert "Sélections" in body


def test_the_console_counts_messages_without_showing_them(event, fair, staff_client):
    from matchmaking.services.messages import message_send

    a, b, c = (fair[k] for k in "abc")
    body = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert "No messages yet" in body
    RequestFactory(sender=a, recipient=b, status="pending")
    RequestFactory(sender=c, recipient=a, status="accepted")
    message_send(sender=a, recipient_id=b.pk, body="Private words")
    message_send(sender=b, recipient_id=a.pk, body="Private answer")
    message_send(sender=a, recipient_id=c.pk, body="Hello")
    assert reporting.message_summary(event=event) == {
        "messages": 3,
        "conversations": 2,
        "writers": 2,
    }
    body = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert 'data-talk="messages">3<' in body and 'data-talk="conversations">2<' in body
    assert "Private" not in body


def test_an_organiser_writes_to_one_participant_from_their_page(
    event, fair, staff_client, django_capture_on_commit_callbacks
):
    """The desk: "your booth moved" to one exhibitor, from their page (a message whose audience
    is that one participant, listed with the others by name)."""
    from django.core import mail

    from matchmaking.models import Broadcast

    a = fair["a"]
    page = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/")
    token = page.context["email_token"]
    back = f"/organiser/{event.slug}/participants/{a.pk}/#email"
    body = {
        "token": token,
        "audience": f"participant:{a.pk}",
        "back_to": str(a.pk),
        "subject": "Your booth moved",
        "body": "Your booth is now B12.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        sent = staff_client.post(f"/organiser/{event.slug}/messages/", body)
    assert sent.status_code == 302 and sent["Location"] == back
    assert [m.to for m in mail.outbox] == [[a.email]]
    assert Broadcast.objects.get().recipients == 1
    listed = staff_client.get(f"/organiser/{event.slug}/messages/").content.decode()
    assert f"<td>{a.name}</td>" in listed
    # an id of nobody is refused naming the audience, nothing sent
    nobody = staff_client.post(
        f"/organiser/{event.slug}/messages/", {**body, "token": "t2", "audience": "participant:0"}
    )
    assert nobody.status_code == 400
    assert Broadcast.objects.count() == 1
    # written as an id is, once: "0001" would store another spelling of the same person
    padded = staff_client.post(
        f"/organiser/{event.slug}/messages/",
        {**body, "token": "t3", "audience": f"participant:000{a.pk}"},
    )
    assert padded.status_code == 400
    # back to a page of this event's participants only, whatever the form says
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = staff_client.post(
            f"/organiser/{event.slug}/messages/",
            {**body, "token": "t4", "subject": "Again", "back_to": "../../x"},
        )
    assert elsewhere["Location"] == f"/organiser/{event.slug}/messages/"


def test_meetings_over_without_an_outcome_are_counted_apart(staff_client, event, fair):
    """At the end of the day, "Scheduled" mixed meetings still to come with those that are over
    and nobody marked held or no-show: the page says how many are over without an outcome and
    links to the grid of the first day that has one."""
    from matchmaking.models import Meeting

    over = reporting.event_statistics(event=event)["unrecorded"]
    assert over == {"count": 1, "first_day": Meeting.objects.get(status="scheduled").slot.date}
    html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert (
        '<p data-stat="unrecorded">1 scheduled meeting is over without an outcome: '
        f'<a href="/organiser/{event.slug}/grid/?date=2018-04-18">mark it held or no-show on '
        "the grid</a>.</p>"
    ) in html
    Meeting.objects.filter(status="scheduled").update(status="held")
    assert reporting.event_statistics(event=event)["unrecorded"] == {
        "count": 0,
        "first_day": None,
    }
    html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert 'data-stat="unrecorded"' not in html


def test_meetings_still_to_come_are_not_over(staff_client, upcoming_event, book):
    from tests.factories import ParticipantFactory

    people = [ParticipantFactory(event=upcoming_event) for _ in range(2)]
    slot = upcoming_event.slots.order_by("start").first()
    from matchmaking.services.meetings import meeting_book

    meeting_book(
        request=RequestFactory(sender=people[0], recipient=people[1]),
        slot=slot,
        actor=Actor(system=True),
    )
    over = reporting.event_statistics(event=upcoming_event)["unrecorded"]
    assert over == {"count": 0, "first_day": None}


def test_statistics_say_who_did_not_come(staff_client, staff, event, fair, make_participant, book):
    """A no-show did not say which side failed to come: statistics could not name anyone."""
    a, b, c, d = fair["a"], fair["b"], fair["c"], fair["d"]
    organiser = Actor(user=staff, organiser=True)
    meeting_set_status(  # b–d (the fair's no-show): d did not come
        meeting=b.seats.get(slot=event.slots.order_by("start")[1]).meeting,
        status="no_show",
        actor=organiser,
        absent="recipient",
    )
    x = make_participant(name="Xavier")
    for meeting, absent in (
        (book(d, x, 4), "both"),
        (book(d, a, 5), "sender"),
        (book(c, a, 6), ""),
    ):
        meeting_set_status(meeting=meeting, status="no_show", actor=organiser, absent=absent)

    stats = reporting.event_statistics(event=event)

    assert stats["no_show_absent"] == {"both": 1, "sender": 1, "recipient": 1, "": 1}
    assert [(p["id"], p["missed"]) for p in stats["absent_people"]] == [(d.pk, 3), (x.pk, 1)]
    html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert '<td class="num" data-absent="both">1</td>' in html
    assert '<td class="num" data-absent="sender">1</td>' in html
    assert '<td class="num" data-absent="unsaid">1</td>' in html
    assert f'<td class="num" data-missed="{d.pk}">3</td>' in html
    assert f'<td class="num" data-missed="{c.pk}">' not in html  # not said: nobody named


def test_statistics_count_arrivals_per_fair_day_after_the_fair(staff_client, event, fair):
    """The report after the fair: arrivals showed only on the day itself ("Arrived today"), so
    the sponsors' report had none. a and c arrived; b and d had a meeting and were not marked."""
    import datetime as dt

    from matchmaking.models import Arrival

    day = dt.date(2018, 4, 18)
    for person in (fair["a"], fair["c"]):
        Arrival.objects.create(event=event, participant=person, date=day)

    stats = reporting.event_statistics(event=event)

    assert stats["arrivals_by_day"] == [{"date": day, "arrived": 2, "expected": 4, "missing": 2}]
    html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert '<td class="num" data-arrived-on="2018-04-18">2</td>' in html
    assert '<td class="num" data-expected-on="2018-04-18">4</td>' in html
    assert '<td class="num" data-missing-on="2018-04-18">2</td>' in html
    assert "Wednesday 18 April" in html


def test_statistics_before_the_fair_show_no_arrivals(staff_client, upcoming_event):
    stats = reporting.event_statistics(event=upcoming_event)

    assert stats["arrivals_by_day"] == []
    html = staff_client.get(f"/organiser/{upcoming_event.slug}/stats/").content.decode()
    assert 'id="arrivals"' not in html
