"""The live grid marks the slot under way during the fair (its header is #grid-now, which the
page scrolls to, and its column's cells carry grid-now), found in the event's time zone; in a
break the next slot is marked Next (the page opens there); before and after the fair or on
another day nothing is marked."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

DAY1, DAY2 = dt.date(2018, 4, 18), dt.date(2018, 4, 19)


@pytest.fixture
def fair(make_participant, book):
    """The conftest's event (one day, 18 April 2018, Casablanca) with a meeting in its third
    slot, 09:40 local time."""
    return book(make_participant(), make_participant(), 2)


def grid_at(client, event, now, query=""):
    with mock.patch.object(timezone, "now", return_value=now):
        return client.get(f"/organiser/{event.slug}/grid/{query}").content.decode()


def marked(html: str) -> list[str]:
    return re.findall(
        r'<th scope="col" class="grid-slot grid-now" id="grid-now"[^>]*>([^<]*)', html
    )


def test_during_the_fair_the_slot_under_way_is_marked_in_the_events_time(staff_client, event, fair):
    slot = fair.slot
    assert slot.start.astimezone(event.tz).strftime("%H:%M") == "09:40"  # local, not UTC
    html = grid_at(staff_client, event, slot.start + dt.timedelta(minutes=5))
    assert marked(html) == ["09:40"]
    assert html.count('aria-current="time"') == 1
    assert '<span class="grid-now-label">Now</span>' in html
    assert f'<td class="grid-meeting st-scheduled grid-now" data-meeting="{fair.pk}">' in html
    tables = event.tables.count()
    assert html.count('<td class="grid-free grid-now"></td>') == tables - 1  # the column
    assert 'href="#grid-now" data-now-link' in html
    # its first minute is in it, its end is the next slot's
    assert marked(grid_at(staff_client, event, slot.start)) == ["09:40"]
    assert marked(grid_at(staff_client, event, slot.end)) == ["10:00"]


@pytest.mark.parametrize("when", ["a day before", "after the last slot"])
def test_before_and_after_the_slots_nothing_is_marked(staff_client, event, fair, when):
    slots = list(event.slots.order_by("start"))
    now = {
        "a day before": slots[0].start - dt.timedelta(days=1),
        "after the last slot": slots[-1].end + dt.timedelta(minutes=1),
    }[when]
    html = grid_at(staff_client, event, now)
    assert "grid-now" not in html and "data-now-link" not in html
    assert f'data-meeting="{fair.pk}"' in html  # the grid itself is there


def test_another_day_shows_no_mark(staff_client):
    event = EventFactory(days=[DAY1, DAY2])
    now = event.slots.filter(date=DAY1).order_by("start").first().start + dt.timedelta(minutes=1)
    assert len(marked(grid_at(staff_client, event, now, f"?date={DAY1}"))) == 1
    assert "grid-now" not in grid_at(staff_client, event, now, f"?date={DAY2}")


def test_the_live_part_follows_the_clock_not_only_the_meetings(staff_client, event, fair):
    """The auto-refresh answers 304 while nothing changed: the mark moving is a change."""
    url = f"/organiser/{event.slug}/grid/live/"
    slot = fair.slot
    with mock.patch.object(timezone, "now", return_value=slot.start + dt.timedelta(minutes=1)):
        first = staff_client.get(url)
        assert marked(first.content.decode()) == ["09:40"]
        same = staff_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert same.status_code == 304
    with mock.patch.object(timezone, "now", return_value=slot.end + dt.timedelta(minutes=1)):
        moved = staff_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert marked(moved.content.decode()) == ["10:00"]


def test_the_updated_time_is_the_events_not_the_servers(staff_client, event, fair):
    """'Updated HH:MM' said the server's time (UTC) on a Casablanca fair."""
    now = fair.slot.start + dt.timedelta(minutes=5, seconds=7)
    local = now.astimezone(event.tz).strftime("%H:%M:%S")
    assert local != now.astimezone(dt.UTC).strftime("%H:%M:%S")
    for path in ("grid/", "grid/live/"):
        with mock.patch.object(timezone, "now", return_value=now):
            html = staff_client.get(f"/organiser/{event.slug}/{path}").content.decode()
        assert f"<time data-updated>{local}</time>" in html, path


def test_in_the_lunch_break_the_next_slot_is_marked_next(staff_client, event, fair):
    """Between slots on a fair day the Now mark showed nothing and the page opened at the
    morning's start; it now points at the next slot, marked Next (not aria-current: it is not
    under way), and the page opens there."""
    slots = list(event.slots.order_by("start"))
    assert slots[6].start - slots[5].end > dt.timedelta(minutes=30)  # the lunch break
    html = grid_at(staff_client, event, slots[5].end + dt.timedelta(minutes=30))
    local = slots[6].start.astimezone(event.tz).strftime("%H:%M")
    heads = re.findall(
        r'<th scope="col" class="grid-slot grid-next" id="grid-now"[^>]*>([^<]*)', html
    )
    assert heads == [local]
    assert '<span class="grid-now-label">Next</span>' in html
    assert 'href="#grid-now" data-now-link>Next</a>' in html
    assert 'aria-current="time"' not in html
    assert "grid-free grid-now" not in html and "st-scheduled grid-now" not in html  # no column
    assert marked(html) == []
    with mock.patch.object(timezone, "now", return_value=slots[5].end + dt.timedelta(minutes=30)):
        french = staff_client.get(f"/organiser/{event.slug}/grid/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "data-now-link>Suivant</a>" in french.content.decode()


def test_the_live_part_moves_from_next_to_now(staff_client, event, fair):
    url = f"/organiser/{event.slug}/grid/live/"
    slots = list(event.slots.order_by("start"))
    with mock.patch.object(timezone, "now", return_value=slots[5].end + dt.timedelta(minutes=1)):
        first = staff_client.get(url)
    assert "data-now-link>Next</a>" in first.content.decode()
    with mock.patch.object(timezone, "now", return_value=slots[6].start):
        moved = staff_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert "data-now-link>Now</a>" in moved.content.decode()
