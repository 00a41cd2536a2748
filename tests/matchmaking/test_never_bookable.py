"""Open requests no slot still to come can hold: shown after an import and on the scheduler
page, so the organisers fix someone's times before running the scheduler."""

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from matchmaking.models import Availability
from matchmaking.selectors import requests_never_bookable
from matchmaking.services.importer import event_import
from tests.matchmaking.test_importer import small_event

pytestmark = pytest.mark.django_db

DAY = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def fair() -> dict:
    """The small fair a month ahead: Amina only in the morning, Chen only in the afternoon;
    Amina → Bruno accepted (any time), Chen → Bruno pending, and three more requests."""
    data = small_event()
    data["event"]["days"][0]["date"] = DAY
    data["participants"][0]["availability"] = [{"start": f"{DAY}T09:00", "end": f"{DAY}T10:00"}]
    data["participants"][2]["availability"] = [{"start": f"{DAY}T14:00", "end": f"{DAY}T15:00"}]
    data["participants"].append(
        {
            **copy.deepcopy(data["participants"][1]),
            "ref": "d",
            "name": "Dana",
            "email": "dana@example.org",
            "organisation": "Dana SA",
            "fixed_table": "Booth D4",
        }
    )
    data["requests"] = [
        {"from": "a", "to": "b", "status": "accepted"},  # bookable in the morning
        {"from": "c", "to": "b", "status": "pending"},  # bookable in the afternoon
        {"from": "a", "to": "c", "status": "accepted"},  # never together
        {"from": "c", "to": "d", "status": "pending", "session": "morning"},  # not mornings
        {"from": "a", "to": "d", "status": "declined"},  # closed: not listed
    ]
    data["meetings"] = []
    return data


def test_the_requests_no_slot_to_come_can_hold_are_listed_with_why():
    event = event_import(data=fair())
    total, found = requests_never_bookable(event=event)
    assert total == 2
    assert [(r.sender.ref, r.recipient.ref, r.never_in) for r in found] == [
        ("a", "c", ""),
        ("c", "d", "morning"),
    ]
    # once every slot has started there is nothing to plan, so nothing to say
    later = timezone.now() + dt.timedelta(days=60)
    assert requests_never_bookable(event=event, now=later) == (0, [])
    assert requests_never_bookable(event=event, limit=1)[0] == 2  # counted, one loaded
    assert len(requests_never_bookable(event=event, limit=1)[1]) == 1


def test_the_import_says_how_many_and_the_command_names_them(organiser_client):
    response = organiser_client.post("/api/events/import/", fair(), format="json")
    assert response.status_code == 201, response.data
    assert response.data["never_bookable"] == 2
    out = StringIO()
    path = "/tmp/never-bookable-fair.json"
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({**fair(), "event": {**fair()["event"], "slug": "mini-fair-2"}}, fh)
    call_command("import_event", path, "--skip-recommendations", stdout=out)
    text = out.getvalue()
    assert "2 open request(s) can never be booked" in text
    assert "a → c; c → d" in text


def test_the_scheduler_page_lists_them(client):
    from tests.conftest import on_every_team
    from tests.factories import UserFactory

    event = event_import(data=fair())
    with on_every_team(UserFactory(username="org@example.org", is_staff=True)) as staff:
        client.force_login(staff)
        page = client.get(f"/organiser/{event.slug}/scheduler/").content.decode()
    section = page[page.index('id="never-bookable"') :]
    assert "2 requests can never be booked" in section
    assert "Amina" in section and "never together in the morning" in section
    # their times change (here, both at the fair all day): the list follows
    Availability.objects.filter(participant__ref__in=["a", "c"]).delete()
    assert requests_never_bookable(event=event) == (0, [])


def test_available_slots_is_slot_inside_for_every_slot_and_period(event, make_participant):
    """The bisecting version finds exactly the slots the plain definition does, whatever the
    order of the slots given and however the periods cut them."""
    import random

    from matchmaking.selectors import available_slots, slot_inside

    rng = random.Random(7)
    slots = list(event.slots.all())
    rng.shuffle(slots)
    first, last = min(s.start for s in slots), max(s.end for s in slots)
    span = (last - first).total_seconds()
    people = []
    for _ in range(12):
        person = make_participant()
        for _ in range(rng.randint(1, 3)):
            a = first + dt.timedelta(seconds=rng.uniform(-600, span))
            b = a + dt.timedelta(seconds=rng.uniform(0, span / 2))
            Availability.objects.create(participant=person, start=a, end=b)
        people.append(person)
    got = available_slots(slots=slots, event=event)
    for person in people:
        periods = list(person.availability.values_list("start", "end"))
        want = frozenset(i for i, s in enumerate(slots) if slot_inside(s, periods))
        assert got.get(person.pk, frozenset()) == want
    assert any(got.values())  # not a vacuous comparison


def test_a_part_of_the_day_no_slot_to_come_has_is_never_bookable_for_anyone():
    """The second review: nobody gave times, and a request asks for the morning of a fair with
    afternoon sessions only."""
    data = fair()
    for p in data["participants"]:
        p.pop("availability", None)
    data["event"]["days"][0]["sessions"] = [{"start": "14:00", "end": "16:00"}]
    data["event"]["days"][0]["breaks"] = []
    event = event_import(data=data)
    total, found = requests_never_bookable(event=event)
    assert [(r.sender.ref, r.recipient.ref, r.never_in) for r in found] == [("c", "d", "morning")]
    assert total == 1
