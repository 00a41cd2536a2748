"""Calendar entries (feed and emailed meeting.ics) carry a reminder, the place, and a
description that says who, where and links to the meeting, in the reader's language."""

import datetime as dt

import pytest
from icalendar import Calendar

from matchmaking.selectors import agenda_ics, meeting_ics
from matchmaking.services.meetings import Actor, meeting_book, meeting_cancel
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def booked(event, make_participant, settings):
    settings.SITE_URL = "https://expo.example.org"
    amina = make_participant(name="Amina", languages=["fr"])
    bruno = make_participant(name="Bruno", languages=["ar"])
    request = RequestFactory(sender=amina, recipient=bruno, status="accepted", message="Budget?")
    slot = event.slots.order_by("start").first()
    meeting = meeting_book(request=request, slot=slot, actor=Actor(system=True))
    return event, amina, bruno, meeting


def entry(content: bytes):
    [item] = Calendar.from_ical(content).walk("VEVENT")
    return item


def test_an_entry_reminds_ten_minutes_before_with_the_meeting_title(booked):
    event, amina, _bruno, _meeting = booked
    item = entry(agenda_ics(event=event, participant=amina))
    [alarm] = item.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm["trigger"].dt == dt.timedelta(minutes=-10)
    assert str(alarm["description"]) == str(item["summary"])


def test_an_entry_says_who_where_and_links_the_meeting_in_the_readers_language(booked):
    event, amina, bruno, meeting = booked
    table = meeting.table.name
    link = f"https://expo.example.org/my/{event.slug}/agenda/#meeting-{meeting.pk}"
    item = entry(agenda_ics(event=event, participant=amina))
    assert str(item["location"]) == f"{table}, {event.name}"
    assert str(item["description"]).splitlines() == [
        f"Avec : Bruno ({bruno.organisation.name})",
        f"Table : {table}",
        f"À retrouver sur vos pages : {link}",
        "",
        "Budget?",
    ]
    arabic = str(entry(meeting_ics(meeting=meeting, participant=bruno))["description"])
    assert arabic.splitlines()[:2] == [
        f"مع: Amina ({amina.organisation.name})",
        f"الطاولة: {table}",
    ]


def test_a_cancelled_entry_stays_a_cancel_without_a_reminder(booked):
    event, amina, _bruno, meeting = booked
    meeting_cancel(meeting=meeting, reason="Hall closed")
    meeting.refresh_from_db()
    calendar = Calendar.from_ical(meeting_ics(meeting=meeting, participant=amina))
    assert str(calendar["method"]) == "CANCEL"
    [item] = calendar.walk("VEVENT")
    assert str(item["status"]) == "CANCELLED"
    assert item.walk("VALARM") == []
    assert str(item["location"]) == f"{meeting.table.name}, {event.name}"
