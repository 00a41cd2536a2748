"""Exports: the meetings CSV, printable agenda and table plan, the participant's ICS."""

import csv
import io

import pytest

from matchmaking.models import Table

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_meetings_csv_columns_and_rows_exact(staff_client, staff, event, make_participant, book):
    from matchmaking.services.meetings import meeting_cancel

    a = make_participant(name="Amina Alaoui", email="amina@example.org")
    b = make_participant(name="Bruno Blanc", email="bruno@example.org")
    c = make_participant(name="Chen Li", email="chen@example.org")
    first = book(a, b, 0)
    second = book(c, a, 7, table=Table.objects.get(event=event, name="T02"))
    meeting_cancel(meeting=second, user=staff, reason="test")
    staff_client.post(  # the event is over: Bruno did not come
        f"/organiser/{event.slug}/meetings/{first.pk}/status/",
        {"status": "no_show", "absent": "recipient"},
    )
    response = staff_client.get(f"/organiser/{event.slug}/exports/meetings.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{event.slug}-meetings.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows == [
        [
            "meeting",
            "day",
            "start",
            "end",
            "table",
            "status",
            "party_a_name",
            "party_a_organisation",
            "party_a_email",
            "party_b_name",
            "party_b_organisation",
            "party_b_email",
            "request",
            "attendees",
            "source",
            "fixed",
            "cancelled_by",
            "cancel_reason",
            "absent",
        ],
        [
            str(first.pk),
            "2018-04-18",
            "09:00",
            "09:20",
            "T01",
            "no_show",
            "Amina Alaoui",
            a.organisation.name,
            "amina@example.org",
            "Bruno Blanc",
            b.organisation.name,
            "bruno@example.org",
            str(first.request_id),
            "",
            "participant",
            "no",
            "",
            "",
            "recipient",
        ],
        [
            str(second.pk),
            "2018-04-18",
            "14:20",
            "14:40",
            "T02",
            "cancelled",
            "Chen Li",
            c.organisation.name,
            "chen@example.org",
            "Amina Alaoui",
            a.organisation.name,
            "amina@example.org",
            str(second.request_id),
            "",
            "participant",
            "no",
            "organiser",
            "test",
            "",
        ],
    ]


def test_meetings_csv_lists_attending_colleagues_not_who_left_or_cancelled(
    staff_client, staff, event, make_participant, book
):
    from matchmaking.models import MeetingSeat
    from matchmaking.services.meetings import (
        Actor,
        meeting_attendee_leave_locked,
        meeting_cancel,
    )

    a = make_participant(name="Amina Alaoui", email="amina@example.org")
    hind = make_participant(name="Hind", email="hind@example.org", organisation=a.organisation)
    omar = make_participant(name="Omar", email="omar@example.org", organisation=a.organisation)
    b = make_participant(name="Bruno Blanc", email="bruno@example.org")
    c = make_participant(name="Chen Li", email="chen@example.org")
    kept = book(a, b, 0, attendees=[omar, hind])
    book(b, hind, 1)  # Hind's own meeting: she is a party there, not a colleague
    meeting_attendee_leave_locked(
        seat=MeetingSeat.objects.get(meeting=kept, participant=omar), actor=Actor(system=True)
    )
    gone = book(c, a, 2, attendees=[omar])
    meeting_cancel(meeting=gone, user=staff, reason="test")
    rows = read_csv(staff_client.get(f"/organiser/{event.slug}/exports/meetings.csv"))
    at = rows[0].index("attendees")
    assert [row[at] for row in rows[1:]] == ["Hind <hind@example.org>", "", ""]
    book(a, c, 3, attendees=[omar, hind])
    rows = read_csv(staff_client.get(f"/organiser/{event.slug}/exports/meetings.csv"))
    assert rows[-1][at] == "Hind <hind@example.org>; Omar <omar@example.org>"


def test_participant_agenda_printable(staff_client, event, make_participant, book):
    a, b = make_participant(), make_participant()
    book(a, b, 2)
    response = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/agenda/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "@media print" not in html  # the print rules live in the stylesheet
    assert 'class="printable"' in html
    assert b.name in html and b.organisation.name in html
    assert "09:40–10:00" in html
    assert html.count('class="agenda-time"') == 9  # every slot of the day


def test_printed_agenda_tells_free_slots_from_times_away_from_the_fair(
    staff_client, event, make_participant, book
):
    """The desk must not offer a walk-in meeting when the person has left: slots outside the
    times they gave print as "not at the fair", not "free" (in the page's language)."""
    from matchmaking.models import Availability

    a, b = make_participant(languages=["en"]), make_participant()
    slots = list(event.slots.order_by("start"))
    book(a, b, 0)
    Availability.objects.create(participant=a, start=slots[0].start, end=slots[3].end)
    url = f"/organiser/{event.slug}/participants/{a.pk}/agenda/"
    html = staff_client.get(url).content.decode()
    assert html.count("not at the fair") == len(slots) - 4
    assert html.count(">free<") == 3
    a.languages = ["fr", "en"]  # printed in the participant's language
    a.save(update_fields=["languages"])
    french = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert french.count("hors du salon") == len(slots) - 4


def test_printed_agenda_speaks_the_participants_language_without_cancelled_meetings(
    staff_client, make_participant
):
    """It followed the organiser's language, listed cancelled meetings, and gave a day the
    participant is not at the fair one "not at the fair" row per slot."""
    import datetime as dt

    from matchmaking.models import Availability
    from matchmaking.services.meetings import Actor, meeting_book, meeting_cancel
    from tests.factories import EventFactory, RequestFactory

    event = EventFactory(days=[dt.date(2018, 4, 18), dt.date(2018, 4, 19)])
    a = make_participant(event=event, name="Amina", languages=["es", "ar", "fr"])
    b = make_participant(event=event, name="Bruno")
    c = make_participant(event=event, name="Chen Cancelled")
    slots = list(event.slots.order_by("start"))
    first_day = [s for s in slots if s.date == dt.date(2018, 4, 18)]
    Availability.objects.create(participant=a, start=first_day[0].start, end=first_day[-1].end)

    def booked(other, slot):
        req = RequestFactory(sender=a, recipient=other, status="accepted")
        return meeting_book(request=req, slot=slot, actor=Actor(system=True))

    booked(b, first_day[0])
    meeting_cancel(meeting=booked(c, first_day[1]), by=None, reason="x")
    url = f"/organiser/{event.slug}/participants/{a.pk}/agenda/"

    html = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # the sheet in Arabic, right to left; the console around it in the organiser's language
    assert '<html lang="en" dir="ltr">' in html
    assert '<div class="print-sheet" lang="ar" dir="rtl">' in html
    assert ">Grid</a>" in html and ">Print</button>" in html
    assert "Bruno" in html and "Chen Cancelled" not in html
    assert html.count("خارج المعرض طوال هذا اليوم.") == 1  # the 19th, in one line
    assert html.count('class="agenda-time"') == len(first_day)
    assert "خارج المعرض<" not in html  # the 18th: at the fair at every slot
    page = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/").content.decode()
    assert "Chen Cancelled" in page  # the organiser's own page still lists it


def test_table_plan_printable(staff_client, event, make_participant, book):
    a, b = make_participant(), make_participant()
    book(a, b, 0)
    response = staff_client.get(f"/organiser/{event.slug}/tables/?date=2018-04-18")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="plan-table"') == 3
    assert a.name in html and b.name in html


def test_participant_ics(staff_client, event, make_participant, book):
    a, b = make_participant(), make_participant()
    meeting = book(a, b, 0)
    response = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/agenda.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert f"UID:meeting-{meeting.uid}@{event.slug}" in body


def test_participant_of_other_event_404(staff_client, event, make_participant):
    from tests.factories import EventFactory

    other = EventFactory()
    person = make_participant()
    for suffix in ("", "agenda/", "agenda.ics"):
        url = f"/organiser/{other.slug}/participants/{person.pk}/{suffix}"
        assert staff_client.get(url).status_code == 404


def test_participant_page_agenda_requests_log(staff_client, event, make_participant, book):
    a, b = make_participant(), make_participant()
    meeting = book(a, b, 0)
    staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/", {"status": "no_show"}
    )
    html = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/").content.decode()
    assert b.name in html
    assert f"<td>{meeting.request_id}</td>" in html
    assert "Status: Scheduled → No-show" in html
    assert "org@example.org" in html  # who changed it
    assert f"/api/events/{event.slug}/" not in html
    assert f"/organiser/{event.slug}/participants/{a.pk}/agenda.ics" in html


def test_exports_page_and_search(staff_client, event, make_participant):
    person = make_participant(name="Zineb Tazi")
    assert staff_client.get(f"/organiser/{event.slug}/exports/").status_code == 200
    html = staff_client.get(f"/organiser/{event.slug}/participants/?q=tazi").content.decode()
    assert f"/organiser/{event.slug}/participants/{person.pk}/agenda/" in html


def test_requests_csv_columns_and_rows_exact(staff_client, event, make_participant, book):
    """Organisers had no export of the requests (their acceptance, who asked whom)."""
    import datetime as dt

    from matchmaking.models import MeetingRequest
    from tests.factories import RequestFactory

    a = make_participant(name="Amina Alaoui", email="amina@example.org")
    b = make_participant(name="Bruno Blanc", email="bruno@example.org")
    c = make_participant(name="Chen Li", email="chen@example.org")
    met = book(a, b, 0)
    waiting = RequestFactory(
        sender=c,
        recipient=a,
        message="=HYPERLINK(1)",
        status="pending",
        priority=5,
        session="morning",
        expires_at=dt.datetime(2018, 4, 20, 8, 0, tzinfo=dt.UTC),
    )
    MeetingRequest.objects.filter(pk=waiting.pk).update(
        created_at=dt.datetime(2018, 4, 17, 8, 30, tzinfo=dt.UTC),
        proposed_slot=event.slots.order_by("start").first(),  # the time Chen proposed
    )
    MeetingRequest.objects.filter(pk=met.request_id).update(
        created_at=dt.datetime(2018, 4, 16, 8, 30, tzinfo=dt.UTC),
        responded_at=dt.datetime(2018, 4, 16, 9, 0, tzinfo=dt.UTC),
        expires_at=None,
    )
    response = staff_client.get(f"/organiser/{event.slug}/exports/requests.csv")
    assert response.status_code == 200
    assert f'filename="{event.slug}-requests.csv"' in response["Content-Disposition"]
    local = "%Y-%m-%d %H:%M"
    tz = event.tz

    def at(*args):
        return dt.datetime(*args, tzinfo=dt.UTC).astimezone(tz).strftime(local)

    assert read_csv(response) == [
        [
            "request",
            "sent",
            "status",
            "answered",
            "expires",
            "from_name",
            "from_organisation",
            "from_email",
            "to_name",
            "to_organisation",
            "to_email",
            "priority",
            "session",
            "proposed",
            "meeting",
            "message",
            "reason",
        ],
        [
            str(met.request_id),
            at(2018, 4, 16, 8, 30),
            "accepted",
            at(2018, 4, 16, 9, 0),
            "",
            "Amina Alaoui",
            a.organisation.name,
            "amina@example.org",
            "Bruno Blanc",
            b.organisation.name,
            "bruno@example.org",
            "3",
            "any",
            "",
            str(met.pk),
            "",
            "",
        ],
        [
            str(waiting.pk),
            at(2018, 4, 17, 8, 30),
            "pending",
            "",
            at(2018, 4, 20, 8, 0),
            "Chen Li",
            c.organisation.name,
            "chen@example.org",
            "Amina Alaoui",
            a.organisation.name,
            "amina@example.org",
            "5",
            "morning",
            at(2018, 4, 18, 8, 0),
            "",
            "'=HYPERLINK(1)",
            "",
        ],
    ]


def test_requests_csv_keeps_the_reasons_typed_for_a_decline_and_a_withdrawal(
    staff_client, event, make_participant
):
    from matchmaking.services.requests import request_cancel, request_create, request_decline

    a, b, c = make_participant(), make_participant(), make_participant()
    declined = request_create(sender=a, recipient=b, by_organiser=True)
    request_decline(request=declined, by=b, reason="Not our sector, sorry")
    withdrawn = request_create(sender=a, recipient=c, by_organiser=True)
    request_cancel(request=withdrawn, by=a, reason="=We found a partner")

    response = staff_client.get(f"/organiser/{event.slug}/exports/requests.csv")

    rows = read_csv(response)
    assert rows[0][-1] == "reason"
    assert {row[0]: (row[2], row[-1]) for row in rows[1:]} == {
        str(declined.pk): ("declined", "Not our sector, sorry"),
        str(withdrawn.pk): ("cancelled", "'=We found a partner"),
    }


def test_console_search_and_grid_filter_ignore_accents_case_and_arabic_marks(
    staff_client, event, make_participant, book
):
    """The console found "Lefèvre" only as typed, where the participants' directory finds it
    whatever the accents (the exploratory test)."""
    from matchmaking.models import Organisation

    lefevre = make_participant(name="Hélène Lefèvre", email="h.lefevre@example.org")
    youssef = make_participant(
        name="يوسف العلوي",
        organisation=Organisation.objects.create(event=event, name="Ørsted Maroc"),
    )
    book(lefevre, youssef, 0)

    def found(q):
        page = staff_client.get(f"/organiser/{event.slug}/participants/", {"q": q})
        return [p.name for p in page.context["people"]]

    assert found("LEFEVRE") == found("lefèvre") == ["Hélène Lefèvre"]
    assert found("الْعَلَوِي") == found("orsted") == ["يوسف العلوي"]
    assert found("h.lefevre@") == ["Hélène Lefèvre"]
    assert found("nobody") == []

    def grid_matches(q):
        page = staff_client.get(f"/organiser/{event.slug}/grid/", {"date": "2018-04-18", "q": q})
        return page.context["grid"].matching

    assert grid_matches("LEFEVRE") == grid_matches("الْعَلَوِي") == grid_matches("ORSTED") == 1
    assert grid_matches("zzz") == 0


def test_participants_csv_columns_and_rows_exact(staff_client, event, make_participant, book):
    """One row per participant, with who still comes, their meetings and their requests."""
    import datetime as dt

    from tests.factories import RequestFactory

    amina = make_participant(
        name="Amina Alaoui",
        email="amina@example.org",
        ref="p-amina",
        kind="delegation",
        languages=["fr", "ar"],
        country="MA",
        city="Rabat",
        title="=cmd|' /C calc'!A0",  # a formula: written as text
        profile__sectors=["waste", "water"],
    )
    bruno = make_participant(name="Bruno Blanc", email="bruno@example.org", ref="p-bruno")
    chen = make_participant(name="Chen Li", email="chen@example.org", ref="p-chen")
    book(amina, bruno, 0)
    RequestFactory(sender=chen, recipient=amina, status="pending")
    RequestFactory(sender=amina, recipient=chen, status="declined")
    gone = dt.datetime(2018, 4, 17, 18, 30, tzinfo=dt.UTC)  # 19:30 in Casablanca
    chen.withdrawn_at = gone
    chen.max_meetings = 4
    chen.save()
    response = staff_client.get(f"/organiser/{event.slug}/exports/participants.csv")
    assert response.status_code == 200
    assert f'filename="{event.slug}-participants.csv"' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:5] == ["participant", "ref", "name", "email", "organisation"]
    by_name = {row[2]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_name) == ["Amina Alaoui", "Bruno Blanc", "Chen Li"]
    a = by_name["Amina Alaoui"]
    assert (a["ref"], a["kind"], a["country"], a["city"]) == (
        "p-amina",
        "delegation",
        "MA",
        "Rabat",
    )
    assert (a["languages"], a["sectors"], a["title"]) == (
        "fr ar",
        "waste water",
        "'=cmd|' /C calc'!A0",
    )
    assert (a["meetings"], a["requests_sent"], a["requests_received"]) == ("1", "2", "1")
    assert (a["waiting_for_their_answer"], a["attending"]) == ("1", "yes")
    c = by_name["Chen Li"]
    assert (c["attending"], c["no_longer_comes_since"]) == ("no", "2018-04-17 19:30")
    assert (c["meetings"], c["requests_sent"], c["max_meetings"]) == ("0", "1", "4")
    assert by_name["Bruno Blanc"]["meetings"] == "1"


def test_the_printed_agenda_of_someone_who_no_longer_comes_says_so(
    staff_client, event, make_participant
):
    """It printed "not at the fair this day" for every day, and the organiser's navigation
    switched to the participant's language (Arabic, right to left)."""
    from matchmaking.services.attendance import attendance_withdraw
    from matchmaking.services.meetings import Actor

    a = make_participant(name="Amina", languages=["ar"])
    attendance_withdraw(participant=a, actor=Actor(system=True))
    url = f"/organiser/{event.slug}/participants/{a.pk}/agenda/"
    html = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "سُجّل عدم حضور Amina إلى المعرض" in html
    days = len({s.start.date() for s in event.slots.all()})
    assert html.count("لا حضور في المعرض بعد الآن.") == days
    assert "خارج المعرض" not in html
    assert '<html lang="en" dir="ltr">' in html and ">Statistics</a>" in html
    ed = make_participant(name="Ed", languages=["en"])
    attendance_withdraw(participant=ed, actor=Actor(system=True))
    html = staff_client.get(f"/organiser/{event.slug}/participants/{ed.pk}/agenda/")
    html = html.content.decode()
    assert "Ed no longer comes to the fair (since " in html
    assert "Not at the fair this day." not in html


def test_participant_list_says_when_it_shows_only_the_first_hundred(staff_client, event):
    """The list stopped at the 100th name in silence (the demo's 293 people ended at "Hamza
    L…"): whoever browsed it for a "Z" name concluded they were not registered. It now says
    that only the first 100 are shown and how to find the others."""
    from tests.factories import ParticipantFactory

    people = ParticipantFactory.create_batch(101, event=event)
    url = f"/organiser/{event.slug}/participants/"
    html = staff_client.get(url).content.decode()
    assert html.count('/agenda/"') == 100  # one row each
    notice = "Only the first 100 are shown: search by name, organisation or email for the others."
    assert notice in html
    one = staff_client.get(url, {"q": people[0].email}).content.decode()
    assert notice not in one
    french = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Seules les 100 premières personnes sont affichées" in french


@pytest.mark.parametrize("what", ["meetings", "requests", "participants", "feedback"])
def test_csv_for_excel_in_french_or_arabic_is_separated_by_semicolons(
    staff_client, event, make_participant, book, what
):
    """Excel set up for French or Arabic (the organisers' own, in Casablanca) opens a
    comma-separated file as one column: ``?sep=semicolon`` gives the same rows with semicolons,
    the Exports page links to it, and the comma file is as before."""
    a = make_participant(name="Zoé Dupré, fils", organisation__name="Ville d'Oujda; Maroc")
    b = make_participant(name="سلمى العلوي")
    book(a, b, 0)
    url = f"/organiser/{event.slug}/exports/{what}.csv"
    comma = b"".join(staff_client.get(url).streaming_content).decode("utf-8")
    semi = staff_client.get(url + "?sep=semicolon")

    assert semi.status_code == 200
    body = b"".join(semi.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows == list(csv.reader(io.StringIO(comma[1:])))
    assert body.splitlines()[0].count(";") == len(rows[0]) - 1
    page = staff_client.get(f"/organiser/{event.slug}/exports/").content.decode()
    assert f'href="{url}?sep=semicolon"' in page


def test_csv_with_an_unknown_separator_is_a_400(staff_client, event):
    response = staff_client.get(f"/organiser/{event.slug}/exports/meetings.csv?sep=tab")
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == [
        "Choose commas or semicolons to separate the columns."
    ]


def test_table_cards_put_each_table_on_a_sheet_and_say_which_is_out_of_service(
    staff_client, event, make_participant, book
):
    """Table cards to post at the tables: ``cards=1`` prints one table a sheet (the page links
    to it and keeps it across day tabs); a table out of service says so on its card rather than
    a bare "No meetings."."""
    Table.objects.filter(event=event, name="T03").update(out_of_service=True)
    book(make_participant(), make_participant(), 0)
    url = f"/organiser/{event.slug}/tables/?date=2018-04-18"
    plain = staff_client.get(url).content.decode()
    assert 'class="plan"' in plain and "plan-cards" not in plain
    assert 'href="?date=2018-04-18&amp;cards=1" data-table-cards' in plain

    cards = staff_client.get(url + "&cards=1").content.decode()
    assert 'class="plan plan-cards"' in cards
    assert 'href="?date=2018-04-18&amp;cards=1" aria-current="page"' in cards
    assert cards.count("data-out-of-service") == 1
    t03 = cards[cards.index("<h2>T03") :]
    assert t03.startswith('<h2>T03 <span class="tag tag-warn" data-out-of-service>')


def test_requests_csv_gives_an_expiry_only_to_requests_that_wait_or_expired(
    staff_client, event, make_participant
):
    """An accepted, declined or withdrawn request showed the time it would have expired, as if
    it still could: the column is empty for them, kept for pending and expired requests."""
    import datetime as dt

    from matchmaking.models import MeetingRequest
    from tests.factories import RequestFactory

    when = dt.datetime(2018, 4, 20, 8, 0, tzinfo=dt.UTC)
    statuses = ["pending", "expired", "accepted", "declined", "cancelled"]
    for status in statuses:
        RequestFactory(sender=make_participant(), recipient=make_participant(), status=status)
    MeetingRequest.objects.update(expires_at=when)
    response = staff_client.get(f"/organiser/{event.slug}/exports/requests.csv")
    header, *rows = read_csv(response)
    expires = {row[header.index("status")]: row[header.index("expires")] for row in rows}
    assert expires == {
        "pending": "2018-04-20 09:00",
        "expired": "2018-04-20 09:00",
        "accepted": "",
        "declined": "",
        "cancelled": "",
    }


def test_participants_csv_gives_the_days_they_arrived_and_the_meetings_they_missed(
    staff_client, staff, event, make_participant, book
):
    """The sponsors' report per person: the fair days each arrived and the no-shows they were
    named as not coming to (the export had neither)."""
    import datetime as dt

    from matchmaking.models import Arrival
    from matchmaking.services.meetings import Actor, meeting_set_status

    amina, bruno, chen = (make_participant(name=n) for n in ("Amina", "Bruno", "Chen"))
    organiser = Actor(user=staff, organiser=True)
    for meeting, absent in ((book(amina, bruno, 0), "recipient"), (book(chen, bruno, 1), "both")):
        meeting_set_status(meeting=meeting, status="no_show", actor=organiser, absent=absent)
    Arrival.objects.create(event=event, participant=amina, date=dt.date(2018, 4, 18))

    header, *rows = read_csv(staff_client.get(f"/organiser/{event.slug}/exports/participants.csv"))

    assert header[-2:] == ["arrived", "missed_meetings"]
    assert [(row[2], row[-2], row[-1]) for row in rows] == [
        ("Amina", "2018-04-18", "0"),
        ("Bruno", "", "2"),
        ("Chen", "", "1"),
    ]


def test_the_console_downloads_the_whole_event_as_json_that_imports_again(
    staff_client, staff, event, make_participant, book
):
    """The event's record after the fair (programme, arrivals, meetings with who did not come)
    was only reachable with an API token or the command line."""
    import datetime as dt
    import json

    from matchmaking import selectors
    from matchmaking.models import Arrival
    from matchmaking.services.importer import event_import
    from matchmaking.services.meetings import Actor, meeting_set_status

    amina, bruno = make_participant(name="أمينة"), make_participant(name="Bruno")
    meeting = book(amina, bruno, 0)
    organiser = Actor(user=staff, organiser=True)
    meeting_set_status(meeting=meeting, status="no_show", actor=organiser, absent="recipient")
    Arrival.objects.create(event=event, participant=amina, date=dt.date(2018, 4, 18))

    page = staff_client.get(f"/organiser/{event.slug}/exports/").content.decode()
    response = staff_client.get(f"/organiser/{event.slug}/exports/event.json")

    assert f'href="/organiser/{event.slug}/exports/event.json" download' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.json"'
    assert "أمينة" in response.content.decode("utf-8")  # as written, not \\u escapes
    document = json.loads(response.content)
    assert document == selectors.event_export(event=event)
    assert document["meetings"][0]["absent"] == "recipient"
    document["event"]["slug"] = "copy"
    copied = event_import(data=document)
    assert copied.meetings.get().absent == "recipient"
    assert list(
        Arrival.objects.filter(event=copied).values_list("participant__name", flat=True)
    ) == ["أمينة"]


def test_the_event_json_is_for_the_events_organisers_only(client, event, make_participant):
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.create_user("other@example.org", is_staff=True)
    client.force_login(outsider)

    response = client.get(f"/organiser/{event.slug}/exports/event.json")

    assert response.status_code == 403
    assert "application/json" not in response.get("Content-Type", "")
