import copy
import datetime as dt
import json
import re
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from matchmaking import selectors
from matchmaking.models import Event, Meeting, MeetingRequest, Notification, Participant
from matchmaking.services.importer import (
    RESERVED_SLUGS,
    ImportInvalid,
    event_import,
    parse_local_datetime,
)
from tests.factories import UserFactory

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


def email_time(day: str, hhmm: str, language: str) -> str:
    """A time of the Casablanca test event as its emails write it in ``language``."""
    from django.utils import translation

    from matchmaking.services.notifications import moment_text

    local = dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=CASABLANCA)
    with translation.override(language):
        return moment_text(local, CASABLANCA)


pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "smart_city_expo_2018.json"


def small_event() -> dict:
    return {
        "event": {
            "slug": "mini-fair",
            "name": "Mini fair",
            "timezone": "Africa/Casablanca",
            "slot_minutes": 30,
            "tables": 2,
            "days": [
                {
                    "date": "2018-04-18",
                    "sessions": [
                        {"start": "09:00", "end": "11:00"},
                        {"start": "14:00", "end": "15:00"},
                    ],
                    "breaks": [{"start": "10:00", "end": "10:30", "name": "Coffee"}],
                }
            ],
        },
        "participants": [
            {
                "ref": "a",
                "name": "Amina",
                "email": "amina@example.org",
                "organisation": "Ville de Rabat",
                "kind": "delegation",
                "languages": ["fr", "ar"],
                "offers": [],
                "needs": ["gestion des déchets"],
                "sectors": ["waste"],
                "availability": [{"start": "2018-04-18T09:00", "end": "2018-04-18T15:00"}],
            },
            {
                "ref": "b",
                "name": "Bruno",
                "email": "bruno@example.org",
                "organisation": "CleanTech SA",
                "kind": "exhibitor",
                "languages": ["fr", "en"],
                "offers": ["smart bins"],
                "needs": [],
                "sectors": ["waste"],
                "fixed_table": "Booth B2",
            },
            {
                "ref": "c",
                "name": "Chen",
                "email": "chen@example.org",
                "organisation": "Shanghai",
                "kind": "delegation",
                "languages": ["zh", "en"],
                "offers": [],
                "needs": ["smart parking"],
                "sectors": [],
            },
        ],
        "requests": [
            {"from": "a", "to": "b", "status": "accepted", "priority": 5, "session": "morning"},
            {"from": "c", "to": "b", "status": "pending"},
        ],
        "meetings": [{"from": "a", "to": "b", "start": "2018-04-18T09:00:00+01:00", "fixed": True}],
    }


def test_import_creates_slots_without_break_and_booth_meeting():
    event = event_import(data=small_event())
    starts = [s.start.astimezone(event.tz).strftime("%H:%M") for s in event.slots.all()]
    assert starts == ["09:00", "09:30", "10:30", "14:00", "14:30"]
    meeting = Meeting.objects.get()
    assert meeting.table.name == "Booth B2"
    assert meeting.fixed is True
    assert event.tables.filter(shared=True).count() == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["participants"][1].update(email="not-an-email"),
            'participants[1] (ref "b").email',
        ),
        (
            lambda d: d["participants"][2].update(ref="a"),
            'participants[2] (ref "a").ref: already used by participants[0]',
        ),
        (lambda d: d["participants"][0].update(kind="alien"), 'participants[0] (ref "a").kind'),
        (
            lambda d: d["participants"][0].update(sectors=["teleportation"]),
            'sectors[0]: "teleportation" is not one of:',
        ),
        (
            lambda d: d["requests"][0].update(to="zz"),
            'requests[0] (a → zz).to: no participant has ref "zz"',
        ),
        (
            lambda d: d["meetings"][0].update(start="2018-04-18T10:00:00+01:00"),
            "is not the start of a slot",
        ),
        (lambda d: d["event"].update(timezone="Mars/Olympus"), "event.timezone: unknown time zone"),
        (
            lambda d: d["participants"][0].update(country="ZZ"),
            'participants[0] (ref "a").country: "ZZ" is not an ISO 3166-1 alpha-2 country code',
        ),
        (
            lambda d: d["participants"][0].update(languages=["fr", "xx"]),
            'participants[0] (ref "a").languages: xx not ISO 639 language codes',
        ),
        (
            lambda d: d["participants"][0].update(languages=["fr", "qqq", "mul"]),
            'participants[0] (ref "a").languages: qqq, mul not ISO 639 language codes',
        ),
        (
            lambda d: d["participants"][0].update(languages=["french"]),
            'participants[0] (ref "a").languages[0]: "french" is not a language code: two or '
            'three lower-case letters of ISO 639, such as "fr" or "zgh"',
        ),
        (
            lambda d: d["participants"][0].update(country="ma"),
            'participants[0] (ref "a").country: "ma" is not a country code: two capital '
            'letters of ISO 3166-1 alpha-2, such as "MA"',
        ),
        (
            lambda d: d["event"]["days"][0]["sessions"].append({"start": "10:30", "end": "12:00"}),
            "overlaps",
        ),
        (
            lambda d: d["participants"][0].update(
                availability=[{"start": "2018-04-18T12:00", "end": "2018-04-18T09:00"}]
            ),
            "availability[0]: ends before it starts",
        ),
        (  # the availability API refuses the same (a slot at 09:00 was left out in silence)
            lambda d: d["participants"][0].update(
                availability=[{"start": "2018-04-18T09:00:00.5", "end": "2018-04-18T12:00"}]
            ),
            'participants[0] (ref "a").availability[0].start: times are given to the minute, '
            'not "2018-04-18T09:00:00.5"',
        ),
        (  # the availability API refuses the same period
            lambda d: d["participants"][0].update(
                availability=[
                    {"start": "2018-04-18T09:00", "end": "2018-04-18T15:00"},
                    {"start": "2018-04-18T16:00", "end": "2018-04-18T18:00"},
                ]
            ),
            'participants[0] (ref "a").availability[1]: The period 2018-04-18 16:00 to '
            "2018-04-18 18:00 holds no whole meeting slot of this event. "
            "Slots run from 2018-04-18 09:00 to 2018-04-18 15:00.",
        ),
        (
            lambda d: (
                d["participants"][0].update(organisation="Shanghai"),
                d["meetings"].append(
                    {"from": "c", "to": "a", "start": "2018-04-18T09:30:00+01:00"}
                ),
            ),
            "meetings[1] (c ↔ a): Participants of the same organisation cannot request meetings",
        ),
        (  # a meeting without a request creates an accepted one: the same rule applies
            lambda d: (
                d["participants"][2].update(organisation="CleanTech SA"),
                d["requests"].pop(1),
                d["meetings"].append(
                    {"from": "c", "to": "b", "start": "2018-04-18T09:30:00+01:00"}
                ),
            ),
            "meetings[1] (c ↔ b): Participants of the same organisation cannot request meetings",
        ),
        (  # asked again after a "no", as the API refuses (the exploratory test)
            lambda d: d["requests"].append({"from": "c", "to": "b", "status": "declined"}),
            "requests[1] (c → b): b declined a request from c at this event (requests[2]); c "
            "cannot ask them again",
        ),
        (  # shorter than a slot: it gave an event with no slot at all (the exploratory test)
            lambda d: d["event"]["days"][0]["sessions"].append({"start": "16:00", "end": "16:20"}),
            "event.days[0] (2018-04-18).sessions[2]: 16:00-16:20 holds no 30-minute meeting slot "
            "(its breaks taken out); make it longer or the slots shorter",
        ),
        (  # a break that takes up a whole session
            lambda d: d["event"]["days"][0]["breaks"].append({"start": "14:15", "end": "14:45"}),
            "event.days[0] (2018-04-18).sessions[1]: 14:00-15:00 holds no 30-minute",
        ),
        (
            lambda d: d["event"]["days"][0]["breaks"].append({"start": "12:00", "end": "12:30"}),
            "event.days[0] (2018-04-18).breaks[1]: 12:00-12:30 is not inside a session",
        ),
        (  # across the end of a session
            lambda d: d["event"]["days"][0]["breaks"].append({"start": "10:45", "end": "11:15"}),
            "event.days[0] (2018-04-18).breaks[1]: 10:45-11:15 is not inside a session",
        ),
        (
            lambda d: d["meetings"].append(
                {"from": "c", "to": "b", "start": "2018-04-18T09:30:00+01:00"}
            ),
            None,
        ),
    ],
)
def test_import_rejects_bad_file_naming_row_and_changes_nothing(mutate, message):
    data = small_event()
    mutate(data)
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    if message:
        assert any(message in e for e in info.value.errors), info.value.errors
    assert Event.objects.count() == 0
    assert Participant.objects.count() == 0


def test_import_reports_every_problem_found_while_writing_together():
    data = small_event()
    data["participants"][0]["availability"] = [
        {"start": "2018-04-18T11:00", "end": "2018-04-18T11:20"},  # 30-minute slots
        {"start": "2018-04-18T11:20", "end": "2018-04-18T11:50"},  # after the morning session
    ]
    data["participants"][2].update(organisation="CleanTech SA")
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert info.value.errors == [
        'participants[0] (ref "a").availability[0], availability[1]: The period '
        "2018-04-18 11:00 to 2018-04-18 11:50 holds no whole meeting slot of this event. "
        "Slots run from 2018-04-18 09:00 to 2018-04-18 15:00.",
        "requests[1] (c → b): Participants of the same organisation cannot request meetings "
        "with each other.",
    ]
    assert Event.objects.count() == 0


def test_import_accepts_periods_that_hold_a_slot_together_and_opted_in_exhibitors():
    data = small_event()
    data["participants"][0]["availability"] = [  # as the API: periods that touch are one
        {"start": "2018-04-18T09:00", "end": "2018-04-18T09:15"},
        {"start": "2018-04-18T09:15", "end": "2018-04-18T15:00"},
    ]
    data["participants"][1]["accepts_same_kind"] = True
    data["participants"][2].update(kind="exhibitor", accepts_same_kind=True)
    event = event_import(data=data)
    assert event.requests.get(sender__ref="c").recipient.ref == "b"


def test_imported_pending_requests_expire_like_requests_sent_through_the_api(
    organiser_client, as_participant
):
    UserFactory(username="chen@example.org")  # Chen's login: the import links the participant
    data = small_event()
    data["event"]["request_expiry_hours"] = 48
    before = timezone.now()
    response = organiser_client.post("/api/events/import/", data, format="json")
    after = timezone.now()
    assert response.status_code == 201, response.data
    pending = MeetingRequest.objects.get(status="pending")
    assert before + dt.timedelta(hours=48) <= pending.expires_at <= after + dt.timedelta(hours=48)
    assert MeetingRequest.objects.get(status="accepted").expires_at is None
    sent = as_participant(Participant.objects.get(ref="c")).get("/api/events/mini-fair/requests/")
    assert sent.status_code == 200
    (row,) = sent.data["results"]
    assert row["expires_at"] == pending.expires_at.astimezone(dt.UTC).isoformat().replace(
        "+00:00", "Z"
    )


def test_import_refused_booking_rolls_back_everything():
    data = small_event()
    # Two meetings for Bruno's booth in the same slot: the second is refused, nothing stays.
    data["participants"].append(
        {
            "ref": "d",
            "name": "Dina",
            "email": "d@example.org",
            "organisation": "Agadir",
            "kind": "delegation",
            "languages": ["ar"],
            "offers": [],
            "needs": [],
            "sectors": [],
        }
    )
    data["requests"].append({"from": "d", "to": "b", "status": "accepted"})
    data["meetings"].append({"from": "d", "to": "b", "start": "2018-04-18T09:00:00+01:00"})
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert info.value.errors == [
        "meetings[1] (d ↔ b): Bruno already has a meeting on Wednesday 18 April at 09:00."
    ]
    assert Event.objects.count() == 0


def test_import_existing_slug_refused_unless_replace():
    event_import(data=small_event())
    with pytest.raises(ImportInvalid):
        event_import(data=small_event())
    event_import(data=small_event(), replace=True)
    assert Event.objects.count() == 1


def test_round_trip_export_import_export_is_identical():
    original = small_event()
    original["participants"][0]["languages"] = ["fr", "zgh"]  # Tamazight has no 2-letter code
    original["requests"].append(
        {"from": "c", "to": "a", "status": "declined", "reason": "Pas de budget cette année."}
    )
    first = selectors.event_export(event=event_import(data=original))
    again = copy.deepcopy(first)
    again["event"]["slug"] = "mini-fair-copy"
    second = selectors.event_export(event=event_import(data=again))
    second["event"]["slug"] = "mini-fair"
    assert second == first
    assert first["meetings"] == [
        {
            "from": "a",
            "to": "b",
            "start": "2018-04-18T09:00:00+01:00",
            "end": "2018-04-18T09:30:00+01:00",
            "status": "scheduled",
            "fixed": True,
            "source": "import",
            "request": 0,
            "table": "Booth B2",
        }
    ]
    assert first["participants"][0]["languages"] == ["fr", "zgh"]
    assert first["requests"][-1]["reason"] == "Pas de budget cette année."  # kept, as typed
    assert first["participants"][0]["availability"] == [
        {"start": "2018-04-18T09:00:00+01:00", "end": "2018-04-18T15:00:00+01:00"}
    ]


def test_demo_fixture_round_trips():
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    event = event_import(data=data)
    exported = selectors.event_export(event=event)
    assert len(exported["participants"]) == len(data["participants"])
    assert len(exported["meetings"]) == len(data["meetings"])
    assert {(m["from"], m["to"]) for m in exported["meetings"]} == {
        (m["from"], m["to"]) for m in data["meetings"]
    }
    exported["event"]["slug"] = "copy"
    copy_event = event_import(data=exported)
    assert copy_event.meetings.count() == event.meetings.count()


def test_import_command_reports_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("import_event", str(bad))
    data = small_event()
    data["participants"][1]["email"] = "nope"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=r'participants\[1\] \(ref "b"\)\.email'):
        call_command("import_event", str(bad))


def test_import_api_and_export_api(organiser_client):
    response = organiser_client.post("/api/events/import/", small_event(), format="json")
    assert response.status_code == 201, response.data
    assert response.data == {
        "slug": "mini-fair",
        "participants": 3,
        "requests": 2,
        "meetings": 1,
        "slots": 5,
        "never_bookable": 0,  # 2018: no slot still to come, nothing to say
        "replaced": None,
    }
    exported = organiser_client.get("/api/events/mini-fair/export/")
    assert exported.status_code == 200
    assert exported.json()["meetings"][0]["table"] == "Booth B2"
    # replaced: who the new file kept; an email changed under the same ref is another person
    again = exported.json()
    again["participants"][2]["email"] = "chen.wei@example.org"
    again["participants"].pop(1)  # Bruno, with his meeting and request
    again["requests"], again["meetings"] = [], []
    replaced = organiser_client.post("/api/events/import/?replace=true", again, format="json").data[
        "replaced"
    ]
    assert replaced == {
        "kept": 1,
        "new": 1,
        "gone": 2,
        "email_changed": ["c"],
        "meetings_cancelled": 0,  # 2018: Bruno's meeting was not still to come
    }


def test_import_api_replace_answer_counts_the_meetings_it_cancelled(organiser_client):
    """The API's answer dropped ``replaced.meetings_cancelled`` (its serializer had no such
    field) although the service counts it and the command prints it: an organiser replacing
    an event through the API never learnt that meetings still to come were cancelled."""
    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0]["start"] = f"{day}T09:00"
    first = organiser_client.post("/api/events/import/", data, format="json")
    assert first.status_code == 201, first.data
    without = copy.deepcopy(data)
    without["meetings"] = []  # the meeting still to come is no longer in the file
    response = organiser_client.post("/api/events/import/?replace=true", without, format="json")
    assert response.status_code == 201, response.data
    assert response.data["replaced"] == {
        "kept": 3,
        "new": 0,
        "gone": 0,
        "email_changed": [],
        "meetings_cancelled": 1,
    }


def test_import_names_every_missing_field_of_an_object_at_once():
    """Only the first missing field of each object was named ("timezone"), then, once added,
    the next ("slot_minutes"), and so on: one round trip per field, whereas the import format
    promises one answer listing every problem."""
    data = small_event()
    for field in ("timezone", "slot_minutes", "days"):
        del data["event"][field]
    del data["participants"][0]["email"]
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert info.value.errors == [
        'event: "timezone", "slot_minutes" and "days" are missing',
        'participants[0] (ref "a"): "email" is missing',
    ]


def test_import_api_bad_file_answers_400_with_errors(organiser_client):
    data = small_event()
    del data["participants"][0]["email"]
    response = organiser_client.post("/api/events/import/", data, format="json")
    assert response.status_code == 400
    assert response.data["errors"] == ['participants[0] (ref "a"): "email" is missing']
    for body in ("[]", "null", '"x"', "{"):
        response = organiser_client.generic(
            "POST", "/api/events/import/", body, content_type="application/json"
        )
        assert response.status_code == 400, body


def with_dina() -> dict:
    data = small_event()
    data["participants"].append(
        {
            "ref": "d",
            "name": "Dina",
            "email": "dina@example.org",
            "organisation": "SensCity",
            "kind": "startup",
            "languages": ["fr", "en"],
            "offers": ["capteurs de stationnement"],
            "needs": [],
            "sectors": ["parking"],
        }
    )
    return data


def test_import_api_computes_recommendations_after_commit(
    organiser_client, django_capture_on_commit_callbacks
):
    from matchmaking.models import Recommendation

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post("/api/events/import/", with_dina(), format="json")
    assert response.status_code == 201
    lists = dict(
        Recommendation.objects.filter(participant__ref="a").values_list("candidate__ref", "rank")
    )
    # Bruno already has a request with Amina; Chen is another delegation.
    assert lists == {"d": 1}


def test_import_command_computes_recommendations(tmp_path):
    from matchmaking.models import Recommendation

    path = tmp_path / "fair.json"
    path.write_text(json.dumps(with_dina()), encoding="utf-8")
    out = StringIO()
    call_command("import_event", str(path), stdout=out)
    assert "Computed 4 recommendation lists." in out.getvalue()
    assert list(
        Recommendation.objects.filter(participant__ref="c").values_list("candidate__ref", flat=True)
    ) == ["d"]


def without_participants() -> dict:
    data = small_event()
    data.update(participants=[], requests=[], meetings=[])
    return data


def test_import_api_event_without_participants_answers_201(
    organiser_client, django_capture_on_commit_callbacks
):
    """An event is often set up before anyone registers; the refresh after commit has nobody to
    rank and finishes (its fingerprint stored), so the periodic check does not retry it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            "/api/events/import/", without_participants(), format="json"
        )
    assert response.status_code == 201, response.data
    assert response.data == {
        "slug": "mini-fair",
        "participants": 0,
        "requests": 0,
        "meetings": 0,
        "slots": 5,
        "never_bookable": 0,
        "replaced": None,
    }
    assert Event.objects.get().lists_fingerprint != ""


def test_import_api_answers_201_when_the_refresh_after_commit_fails(
    organiser_client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """The event is stored when the refresh runs: its failure is logged, the import is a 201."""
    from matchmaking import tasks

    def broken(**kwargs):
        raise RuntimeError("broker down")

    monkeypatch.setattr(tasks.refresh_event, "delay", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            "/api/events/import/", without_participants(), format="json"
        )
    assert response.status_code == 201, response.data
    assert Event.objects.filter(slug="mini-fair").exists()
    assert "broker down" in caplog.text


def test_import_command_event_without_participants(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(without_participants()), encoding="utf-8")
    out = StringIO()
    call_command("import_event", str(path), stdout=out)
    assert "Computed 0 recommendation lists." in out.getvalue()
    assert "Imported mini-fair: 0 participants, 5 slots" in out.getvalue()


def with_colleagues() -> dict:
    """small_event plus two colleagues of Amina (Ville de Rabat) and one of Bruno; Amina's
    meeting with Bruno is attended by Amina's colleague Hind."""
    data = small_event()
    for ref, name in (("a2", "Hind"), ("a3", "Omar")):
        data["participants"].append(
            {
                "ref": ref,
                "name": name,
                "email": f"{name.lower()}@example.org",
                "organisation": "Ville de Rabat",
                "kind": "delegation",
                "languages": ["fr"],
                "offers": [],
                "needs": [],
                "sectors": [],
            }
        )
    data["meetings"][0]["attendees"] = [{"ref": "a2"}]
    return data


def test_export_lists_colleagues_who_attend_not_those_who_left_or_cancelled(event, organiser):
    from matchmaking.models import MeetingSeat
    from matchmaking.services.meetings import (
        Actor,
        meeting_attendee_leave_locked,
        meeting_book,
        meeting_cancel,
    )
    from tests.factories import ParticipantFactory, RequestFactory

    amina = ParticipantFactory(event=event, name="Amina", email="amina@example.org")
    hind = ParticipantFactory(
        event=event, name="Hind", email="hind@example.org", organisation=amina.organisation
    )
    omar = ParticipantFactory(
        event=event, name="Omar", email="omar@example.org", organisation=amina.organisation
    )
    bruno = ParticipantFactory(event=event, name="Bruno", email="bruno@example.org")
    chen = ParticipantFactory(event=event, name="Chen", email="chen@example.org")
    slots = list(event.slots.order_by("start"))
    system = Actor(system=True)
    held = meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno),
        slot=slots[0],
        actor=system,
        attendees=[hind, omar],
    )
    meeting_attendee_leave_locked(
        seat=MeetingSeat.objects.get(meeting=held, participant=omar), actor=system
    )
    cancelled = meeting_book(
        request=RequestFactory(sender=chen, recipient=amina),
        slot=slots[1],
        actor=system,
        attendees=[hind],
    )
    meeting_cancel(meeting=cancelled, user=organiser, reason="test")

    meetings = selectors.event_export(event=event)["meetings"]
    assert [m.get("attendees") for m in meetings] == [
        [{"ref": hind.ref, "name": "Hind", "email": "hind@example.org"}],
        None,  # a cancelled meeting has nobody in it
    ]
    out = StringIO()
    call_command("export_event", event.slug, stdout=out)
    assert json.loads(out.getvalue())["meetings"][0]["attendees"] == [
        {"ref": hind.ref, "name": "Hind", "email": "hind@example.org"}
    ]


def test_round_trip_keeps_colleagues_who_attend_a_meeting():
    first = selectors.event_export(event=event_import(data=with_colleagues()))
    assert first["meetings"][0]["attendees"] == [
        {"ref": "a2", "name": "Hind", "email": "hind@example.org"}
    ]
    again = copy.deepcopy(first)
    again["event"]["slug"] = "mini-fair-copy"
    copy_event = event_import(data=again)
    second = selectors.event_export(event=copy_event)
    second["event"]["slug"] = "mini-fair"
    assert second == first
    seats = copy_event.meetings.get().seats.order_by("participant__ref")
    assert [(s.participant.ref, s.is_party, s.active) for s in seats] == [
        ("a", True, True),
        ("a2", False, True),
        ("b", True, True),
    ]


@pytest.mark.parametrize(
    ("attendees", "message"),
    [
        ([{"ref": "zz"}], 'meetings[0] (a ↔ b).attendees[0]: no participant has ref "zz"'),
        ([{"ref": "b"}], "meetings[0] (a ↔ b).attendees[0]: b is a party of the meeting"),
        (
            [{"ref": "a2"}, {"ref": "a2"}],
            "meetings[0] (a ↔ b).attendees[1]: a2 is listed twice",
        ),
        (
            [{"ref": "c"}],
            "meetings[0] (a ↔ b): Chen can join only a meeting of their own organisation or "
            "delegation.",
        ),
        ([{"name": "Hind"}], 'meetings[0].attendees[0]: "ref" is missing'),
    ],
)
def test_import_refuses_bad_attendees_naming_the_meeting(attendees, message):
    data = with_colleagues()
    data["meetings"][0]["attendees"] = attendees
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert info.value.errors == [message]
    assert Event.objects.count() == 0


def with_independent_mistakes() -> dict:
    """small_event with one of each mistake an organiser makes, none depending on another."""
    data = small_event()
    people = data["participants"]
    people[0]["country"] = "ZZ"
    people[1]["languages"] = ["fr", "xx"]
    people[2].update(
        organisation="CleanTech SA",  # Chen's pending request to Bruno, now a colleague
        availability=[{"start": "2018-04-18T11:50", "end": "2018-04-18T12:00"}],
    )
    people.append({**people[0], "ref": "d", "email": "AMINA@example.org", "country": "MA"})
    people.append({**people[0], "ref": "b", "email": "other@example.org", "country": "MA"})
    data["requests"] += [
        {"from": "a", "to": "zz", "status": "pending"},
        {"from": "a", "to": "a", "status": "declined"},
    ]
    data["meetings"] += [
        {"from": "a", "to": "c", "start": "2018-04-18T14:00", "table": "Lounge 9"},
        {"from": "a", "to": "c", "start": "2018-04-18T06:10"},
    ]
    return data


def test_import_reports_all_independent_problems_in_one_answer(organiser_client):
    """Not in rounds: the rules and the writes check every row whatever the others' problems
    (the API's who-may-meet rule of requests[1] included), then nothing is kept."""
    response = organiser_client.post(
        "/api/events/import/", with_independent_mistakes(), format="json"
    )
    assert response.status_code == 400
    assert response.data["errors"] == [
        'participants[0] (ref "a").country: "ZZ" is not an ISO 3166-1 alpha-2 country code',
        'participants[1] (ref "b").languages: xx not ISO 639 language codes',
        'participants[2] (ref "c").availability[0]: The period 2018-04-18 11:50 to 2018-04-18 '
        "12:00 holds no whole meeting slot of this event. "
        "Slots run from 2018-04-18 09:00 to 2018-04-18 15:00.",
        'participants[3] (ref "d").email: AMINA@example.org is already used by participants[0]',
        'participants[4] (ref "b").ref: already used by participants[1]',
        'requests[2] (a → zz).to: no participant has ref "zz"',
        "requests[3] (a → a): a participant cannot request a meeting with themselves",
        'meetings[1] (a ↔ c).table: no table is named "Lounge 9"',
        "meetings[2] (a ↔ c).start: 2018-04-18T06:10 is not the start of a slot of this event: "
        "the nearest slots that day start at 09:00",
        "requests[1] (c → b): Participants of the same organisation cannot request meetings "
        "with each other.",
    ]
    assert Event.objects.count() == 0
    assert Participant.objects.count() == 0
    assert MeetingRequest.objects.count() == 0


def test_import_with_the_independent_mistakes_fixed_is_accepted():
    """The control: each problem above is the whole of its own, fixing them leaves none."""
    data = with_independent_mistakes()
    people = data["participants"]
    people[0]["country"] = "MA"
    people[1]["languages"] = ["fr"]
    people[2].update(organisation="Shanghai", availability=[])
    people[3]["email"] = "dina@example.org"
    people[4]["ref"] = "e"
    del data["requests"][2:]
    data["meetings"][1]["table"] = "T01"
    data["meetings"][2].update(start="2018-04-18T14:30", **{"from": "e"})
    event = event_import(data=data)
    assert event.meetings.count() == 3


def on_a_clock_change_day(day: str, sessions: list[dict], breaks: list[dict] = ()) -> dict:
    """small_event moved to Paris on ``day``, without availability, requests nor meetings."""
    data = small_event()
    data["event"].update(
        timezone="Europe/Paris",
        days=[{"date": day, "sessions": sessions, "breaks": list(breaks)}],
    )
    del data["participants"][0]["availability"]
    data.update(requests=[], meetings=[])
    return data


@pytest.mark.parametrize(
    ("day", "sessions", "breaks", "message"),
    [
        (  # spring: 02:00 to 03:00 does not exist
            "2027-03-28",
            [{"start": "01:00", "end": "04:00"}],
            [],
            "event.days[0] (2027-03-28).sessions[0]: the clocks change during 01:00-04:00 in "
            "Europe/Paris; split the session around the change",
        ),
        (  # autumn: 02:00 to 03:00 happens twice
            "2027-10-31",
            [{"start": "09:00", "end": "12:00"}, {"start": "01:00", "end": "04:00"}],
            [],
            "event.days[0] (2027-10-31).sessions[1]: the clocks change during 01:00-04:00 in "
            "Europe/Paris; split the session around the change",
        ),
        (  # a session inside the missing hour
            "2027-03-28",
            [{"start": "02:00", "end": "02:30"}],
            [],
            "event.days[0] (2027-03-28).sessions[0]: the clocks change during 02:00-02:30 in "
            "Europe/Paris; split the session around the change",
        ),
        (
            "2027-10-31",
            [{"start": "00:00", "end": "06:00"}],
            [{"start": "01:30", "end": "03:30", "name": "Night"}],
            "event.days[0] (2027-10-31).breaks[0]: the clocks change during 01:30-03:30 in "
            "Europe/Paris; split the break around the change",
        ),
    ],
)
def test_import_api_refuses_a_session_during_a_clock_change(
    organiser_client, day, sessions, breaks, message
):
    """Was a 500 (two slots on one instant) in spring and a slot of the wrong length in autumn."""
    data = on_a_clock_change_day(day, sessions, breaks)
    response = organiser_client.post("/api/events/import/", data, format="json")
    assert response.status_code == 400, response.data
    assert message in response.data["errors"]
    assert Event.objects.count() == 0


@pytest.mark.parametrize("day", ["2027-03-28", "2027-10-31"])
def test_import_accepts_sessions_split_around_a_clock_change_with_slots_of_the_right_length(day):
    data = on_a_clock_change_day(
        day, [{"start": "00:00", "end": "02:00"}, {"start": "03:00", "end": "05:00"}]
    )
    event = event_import(data=data)
    slots = list(event.slots.order_by("start"))
    assert [f"{s.start.astimezone(event.tz):%H:%M}" for s in slots] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
        "04:00",
        "04:30",
    ]
    assert {s.end - s.start for s in slots} == {dt.timedelta(minutes=30)}


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("alice@", 'participants[1] (ref "b").email: "alice@" is not an email address'),
        ("not-an-email", 'participants[1] (ref "b").email: "not-an-email" is not an email address'),
    ],
)
def test_import_api_says_in_words_that_an_email_is_not_one(organiser_client, email, message):
    """Once, in words: not a regular expression, nor twice (its format and its pattern)."""
    data = small_event()
    data["participants"][1]["email"] = email
    response = organiser_client.post("/api/events/import/", data, format="json")
    assert response.status_code == 400
    assert response.data["errors"] == [message]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("booking_opens", "2018-04-01T10:00\n"),
        ("session_start", "09:00\n"),
        ("slug", "mini-fair\n"),
        ("email", "a@example.org\n"),
    ],
)
def test_import_api_refuses_a_value_with_a_trailing_newline(organiser_client, where, value):
    """A JSON Schema pattern's "$" lets one final newline through in Python: the patterns say
    "end of text", so these are refused with a sentence (400), never a 500 nor a slug no URL
    reaches."""
    data = small_event()
    if where == "session_start":
        data["event"]["days"][0]["sessions"][0]["start"] = value
    elif where == "email":
        data["participants"][0]["email"] = value
    else:
        data["event"][where] = value
    response = organiser_client.post("/api/events/import/", data, format="json")
    assert response.status_code == 400, response.data
    assert any(json.dumps(value) in line for line in response.data["errors"])


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        (
            ("event", "booking_opens"),
            "2027-02-30T10:00",
            'event.booking_opens: "2027-02-30T10:00" is not a date and time of the calendar '
            "(check the day and the month)",
        ),
        (
            ("event", "booking_closes"),
            "2027-13-01T10:00",
            'event.booking_closes: "2027-13-01T10:00" is not a date and time of the calendar '
            "(check the day and the month)",
        ),
        (
            ("session_start",),
            "0\u0669:00",  # an Arabic-Indic digit: Python's \\d would take it
            'event.days[0].sessions[0].start: "0\u0669:00" is not a time of day: '
            "write HH:MM (24-hour)",
        ),
    ],
)
def test_import_api_refuses_dates_that_do_not_exist_and_foreign_digits_with_a_400(
    organiser_client, place, value, message
):
    data = small_event()
    if place == ("session_start",):
        data["event"]["days"][0]["sessions"][0]["start"] = value
    else:
        data[place[0]][place[1]] = value
    response = organiser_client.post("/api/events/import/", data, format="json")
    assert response.status_code == 400
    assert message in response.data["errors"]


def test_import_error_example_of_the_docs_is_what_the_importer_says():
    docs = (DEMO.parents[1] / "docs" / "import-format.md").read_text(encoding="utf-8")
    data = small_event()
    data["participants"] += [
        {**data["participants"][0], "ref": f"p{n:03d}", "email": f"p{n}@example.org"}
        for n in range(4, 14)
    ]
    data["participants"][12]["email"] = "jean.dupont@"
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    (error,) = info.value.errors
    assert error == 'participants[12] (ref "p013").email: "jean.dupont@" is not an email address'
    assert f"\n{error}\n" in docs


def test_import_takes_participants_without_offers_needs_or_sectors():
    data = small_event()
    for key in ("offers", "needs", "sectors"):
        del data["participants"][2][key]
    event_import(data=data)
    profile = Participant.objects.get(ref="c").profile
    assert (profile.offers, profile.needs, profile.sectors) == ([], [], [])


def with_cancellations() -> dict:
    """small_event (Amina meets Bruno at 09:00) plus Dina, who meets Amina at 09:30 and Chen at
    14:00."""
    data = with_dina()
    data["requests"] += [
        {"from": "d", "to": "a", "status": "accepted"},
        {"from": "d", "to": "c", "status": "accepted"},
    ]
    data["meetings"] += [
        {"from": "d", "to": "a", "start": "2018-04-18T09:30:00+01:00"},
        {"from": "d", "to": "c", "start": "2018-04-18T14:00:00+01:00", "table": "T01"},
    ]
    return data


def test_round_trip_with_cancelled_meetings_and_requests_is_identical(organiser):
    """An organiser moving an event to another server keeps its cancellations: a cancelled
    meeting is exported and imported again as cancelled (it holds no seat nor table), whether
    its request is still accepted or was withdrawn with it. Withdrawn and expired requests are
    kept too (they are the learned ranker's "ignored" labels), even when the pair asked again."""
    from matchmaking.services.meetings import meeting_cancel
    from matchmaking.services.requests import request_cancel, request_create, requests_expire

    data = with_cancellations()
    data["requests"].append({"from": "b", "to": "d", "status": "pending"})
    event = event_import(data=data)
    meeting_cancel(
        meeting=event.meetings.get(request__sender__ref="d", request__recipient__ref="a"),
        user=organiser,
        reason="Dina's flight is late",
    )
    request_cancel(
        request=event.requests.get(sender__ref="d", recipient__ref="c"),
        by=None,
        user=organiser,
    )
    people = {p.ref: p for p in event.participants.all()}
    request_create(sender=people["c"], recipient=people["d"], message="Shall we try again?")
    requests_expire(now=timezone.now() + dt.timedelta(days=30))
    first = selectors.event_export(event=event)
    assert [(m["from"], m["to"], m["status"]) for m in first["meetings"]] == [
        ("a", "b", "scheduled"),
        ("d", "a", "cancelled"),
        ("d", "c", "cancelled"),
    ]
    assert [(r["from"], r["to"], r["status"]) for r in first["requests"]] == [
        ("a", "b", "accepted"),
        ("c", "b", "expired"),
        ("d", "a", "accepted"),  # its meeting is cancelled, the request stays accepted
        ("d", "c", "cancelled"),  # withdrawn with its meeting
        ("b", "d", "expired"),
        ("c", "d", "expired"),  # the pair asked again
    ]
    again = copy.deepcopy(first)
    again["event"]["slug"] = "mini-fair-copy"
    copy_event = event_import(data=again)
    second = selectors.event_export(event=copy_event)
    second["event"]["slug"] = "mini-fair"
    assert second == first
    assert [(m.get("cancelled_by"), m.get("cancel_reason")) for m in first["meetings"]] == [
        (None, None),
        ("organiser", "Dina's flight is late"),
        ("system", "The meeting request was withdrawn."),  # it went with its request
    ]
    cancelled = copy_event.meetings.filter(status="cancelled").order_by("slot__start")
    assert [(m.request.status, m.seats.filter(active=True).count()) for m in cancelled] == [
        ("accepted", 0),
        ("cancelled", 0),
    ]
    assert copy_event.requests.count() == event.requests.count() == 6  # no request added
    # they hold nothing: Dina's slots and table T01 are free to book again
    third = copy.deepcopy(first)
    third["event"]["slug"] = "mini-fair-third"
    third["meetings"].append(
        {"from": "d", "to": "a", "start": "2018-04-18T14:00:00+01:00", "table": "T01"}
    )
    assert event_import(data=third).meetings.exclude(status="cancelled").count() == 2


def test_a_local_time_the_clocks_skip_is_refused_with_a_sentence(organiser_client):
    """Europe/Paris skips 02:00-03:00 on 2027-03-28: a naive 02:30 names no moment. Refused
    (400, nothing written) in the booking window and in a participant's times, while 03:30
    the same night is fine."""

    def next_day_in_paris() -> dict:  # the event the day after (within a year of its days)
        data = small_event()
        data["event"]["timezone"] = "Europe/Paris"
        data["event"]["days"][0]["date"] = "2027-03-29"
        data["meetings"] = []  # their times are written with Casablanca's offset
        return data

    data = next_day_in_paris()
    data["event"]["booking_opens"] = "2027-03-28T02:30"
    data["participants"][0]["availability"] = [
        {"start": "2027-03-28T02:30", "end": "2027-03-29T15:00"}
    ]
    response = organiser_client.post("/api/events/import/", data, format="json")
    assert response.status_code == 400
    skipped = "2027-03-28 02:30 does not exist in Europe/Paris: the clocks skip it"
    assert f"event.booking_opens: {skipped}" in response.data["errors"]
    assert any(line.endswith(f".availability[0]: {skipped}") for line in response.data["errors"])
    assert not Event.objects.filter(slug=data["event"]["slug"]).exists()

    data = next_day_in_paris()
    data["event"]["booking_opens"] = "2027-03-28T03:30"
    data["participants"][0]["availability"] = [
        {"start": "2027-03-28T03:30", "end": "2027-03-29T15:00"}
    ]
    ok = organiser_client.post("/api/events/import/", data, format="json")
    assert ok.status_code == 201, ok.data


def test_what_a_profile_accepts_the_import_takes_back(organiser):
    """The export of an event re-imports whatever participants wrote on their profiles: phrases
    as long as the profile takes (500 characters), as many as it takes (30)."""
    from matchmaking.services.participants import profile_update

    event = event_import(data=small_event())
    amina = event.participants.get(ref="a")
    profile_update(
        participant=amina,
        data={"offers": ["é" * 500] * 30, "needs": ["n" * 500], "languages": ["AR", "fr"]},
    )
    exported = selectors.event_export(event=event)
    exported["event"]["slug"] = "mini-fair-copy"
    copy_event = event_import(data=exported)
    profile = copy_event.participants.get(ref="a").profile
    assert profile.offers == ["é" * 500] * 30
    assert profile.needs == ["n" * 500]


def test_replacing_an_event_keeps_calendar_links_uids_and_who_placed_each_meeting(organiser):
    """An organiser corrects the file and imports it again over the event: subscribed
    calendars go on working (same links), update the same entries (same UIDs; SEQUENCE up when
    the file moved one), and the scheduler still knows which meetings it placed itself."""
    from matchmaking.services.meetings import Actor, meeting_book, meeting_reschedule

    event = event_import(data=with_cancellations())
    people = {p.ref: p for p in event.participants.all()}
    bruno_chen = event.requests.get(sender__ref="c", recipient__ref="b")
    bruno_chen.status = "accepted"
    bruno_chen.save(update_fields=["status"])
    slots = list(event.slots.order_by("start"))
    meeting_book(request=bruno_chen, slot=slots[2], actor=Actor(system=True), source="scheduler")
    dina_amina = event.meetings.get(request__sender__ref="d", request__recipient__ref="a")
    meeting_reschedule(
        meeting=dina_amina, slot=slots[4], actor=Actor(user=organiser, organiser=True)
    )
    before = {
        (m.request.sender.ref, m.request.recipient.ref): (m.uid, m.sequence)
        for m in event.meetings.select_related("request__sender", "request__recipient")
    }
    tokens = {p.ref: p.calendar_token for p in people.values()}

    data = selectors.event_export(event=event)
    assert [m["source"] for m in data["meetings"]] == ["import", "scheduler", "import", "import"]
    moved = next(m for m in data["meetings"] if (m["from"], m["to"]) == ("c", "b"))
    moved["start"] = moved["start"].replace("10:30", "14:30")  # the organiser moves it
    del moved["table"]
    again = event_import(data=data, replace=True)

    after = {
        (m.request.sender.ref, m.request.recipient.ref): (m.uid, m.sequence, m.source)
        for m in again.meetings.select_related("request__sender", "request__recipient")
    }
    assert after[("a", "b")] == (*before[("a", "b")], "import")
    assert after[("d", "a")] == (*before[("d", "a")], "import")
    assert before[("d", "a")][1] == 1  # moved once by the organiser: calendars have SEQUENCE 1
    uid, sequence = before[("c", "b")]
    assert after[("c", "b")] == (uid, sequence + 1, "scheduler")  # moved by the new file
    assert {p.ref: p.calendar_token for p in again.participants.all()} == tokens


def test_a_cancelled_meeting_goes_back_with_its_own_request_after_the_pair_asked_again(
    organiser,
):
    """An organiser withdrew Dina's request to Chen with its meeting, then Dina asked again and
    Chen accepted: the copy keeps the old meeting with the withdrawn request (the export says
    which), so the new request is still the scheduler's to plan."""
    from matchmaking.services.requests import request_accept, request_cancel, request_create
    from matchmaking.services.scheduling import build_problem

    event = event_import(data=with_cancellations())
    people = {p.ref: p for p in event.participants.all()}
    first = event.requests.get(sender__ref="d", recipient__ref="c")
    request_cancel(request=first, by=None, user=organiser, reason="Chen is ill")
    again = request_create(sender=people["d"], recipient=people["c"])
    request_accept(request=again, by=people["c"])
    planned = {r.id for r in build_problem(event=event).problem.requests}
    assert again.pk in planned

    data = selectors.event_export(event=event)
    cancelled = next(m for m in data["meetings"] if m["status"] == "cancelled")
    assert data["requests"][cancelled["request"]]["status"] == "cancelled"
    data["event"]["slug"] = "mini-fair-copy"
    copy_event = event_import(data=data)
    meeting = copy_event.meetings.get(status="cancelled")
    assert meeting.request.status == "cancelled"
    accepted = copy_event.requests.get(sender__ref="d", recipient__ref="c", status="accepted")
    assert accepted.pk in {r.id for r in build_problem(event=copy_event).problem.requests}
    second = selectors.event_export(event=copy_event)
    second["event"]["slug"] = data["event"]["slug"]
    assert second == data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"request": 9}, "meetings[0] (a ↔ b).request: there is no requests[9]"),
        (
            {"request": 1},
            "meetings[0] (a ↔ b).request: requests[1] is from c to b, not from a to b",
        ),
        (
            {"request": 1.0},
            "meetings[0] (a ↔ b).request: requests[1] is from c to b, not from a to b",
        ),
        ({"request": 2.0}, "meetings[0] (a ↔ b).request: there is no requests[2]"),
    ],
)
def test_a_meeting_naming_a_wrong_request_is_refused_by_row(change, message):
    data = small_event()
    data["meetings"][0].update(change)
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert message in info.value.errors


def test_replacing_gives_a_reused_ref_a_new_calendar_link_and_a_cancelled_meeting_its_uid(
    organiser,
):
    """A ref handed to someone else does not inherit the old person's calendar link (their
    calendar would show the newcomer's meetings); a meeting the new file cancels keeps its UID
    with a higher SEQUENCE, so calendars drop the entry they have."""
    event = event_import(data=small_event())
    tokens = dict(event.participants.values_list("ref", "calendar_token"))
    meeting = event.meetings.get()
    data = selectors.event_export(event=event)
    data["participants"][2]["email"] = "someone.else@example.org"
    data["meetings"][0]["status"] = "cancelled"
    again = event_import(data=data, replace=True)
    assert again.participants.get(ref="c").calendar_token != tokens["c"]
    assert again.participants.get(ref="a").calendar_token == tokens["a"]
    cancelled = again.meetings.get()
    assert (cancelled.uid, cancelled.status) == (meeting.uid, "cancelled")
    assert cancelled.sequence == meeting.sequence + 1


def test_replacing_gives_a_meeting_with_someone_else_under_an_old_ref_a_new_uid():
    """Ref "a" now names another person: the meeting a-b is a different meeting for the
    calendars of b (a new entry), not an update of the old one with the same SEQUENCE."""
    event = event_import(data=small_event())
    old_uid = event.meetings.get().uid
    data = selectors.event_export(event=event)
    data["participants"][0].update(email="nadia@example.org", name="Nadia")
    again = event_import(data=data, replace=True)
    assert again.meetings.get().uid != old_uid


def test_a_replacing_import_tells_the_people_whose_meetings_it_changes(
    django_capture_on_commit_callbacks,
):
    """A re-import moved, cancelled or added meetings without a word to anyone (the fifth
    exploratory test). Now each change is told once, in the person's language; an unchanged
    meeting, or a first import, tells nobody."""
    from django.core import mail

    from matchmaking.models import Notification

    data = small_event()
    data["requests"][1]["status"] = "accepted"  # c -> b
    data["requests"].append({"from": "a", "to": "c", "status": "accepted"})
    data["meetings"] = [
        {"from": "a", "to": "b", "start": "2018-04-18T09:00:00+01:00"},
        {"from": "c", "to": "b", "start": "2018-04-18T09:30:00+01:00"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data)
    assert Notification.objects.count() == 0
    data["meetings"] = [
        {"from": "a", "to": "b", "start": "2018-04-18T10:30:00+01:00"},  # moved
        {"from": "c", "to": "b", "start": "2018-04-18T09:30:00+01:00", "status": "cancelled"},
        {"from": "a", "to": "c", "start": "2018-04-18T14:00:00+01:00"},  # added
    ]
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data, replace=True)
    told = sorted(Notification.objects.values_list("kind", "recipient__ref"))
    assert told == [
        ("meeting_booked", "a"),
        ("meeting_booked", "c"),
        ("meeting_cancelled", "b"),
        ("meeting_cancelled", "c"),
        ("meeting_moved", "a"),
        ("meeting_moved", "b"),
    ]
    cancelled = Notification.objects.get(kind="meeting_cancelled", recipient__ref="c")
    assert cancelled.body.endswith("The organisers updated the event's programme.")
    assert len(mail.outbox) == 6
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data, replace=True)  # the same file again: nothing changed
    assert Notification.objects.count() == 0


def test_a_meeting_a_replacing_import_no_longer_lists_is_cancelled_under_its_uid_and_told(
    django_capture_on_commit_callbacks,
):
    """A re-import without one of the meetings dropped it in silence: its two people were not
    told, and a calendar that had imported its .ics file kept it. Now it is cancelled by the
    organisers under the same UID (SEQUENCE up), and its people are told, once."""
    from matchmaking.models import Meeting, Notification
    from matchmaking.selectors import event_export

    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["requests"][1]["status"] = "accepted"  # c -> b
    data["meetings"][0]["start"] = f"{day}T09:00"
    data["meetings"].append({"from": "c", "to": "b", "start": f"{day}T09:30"})
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=data)
    old = Meeting.objects.get(event=event, request__sender__ref="c")
    data["meetings"] = data["meetings"][:1]  # c -> b no longer listed
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=data, replace=True)
    told = sorted(Notification.objects.values_list("kind", "recipient__ref"))
    assert told == [("meeting_cancelled", "b"), ("meeting_cancelled", "c")]
    gone = Meeting.objects.get(event=event, request__sender__ref="c")
    assert (gone.status, gone.uid, gone.sequence) == ("cancelled", old.uid, old.sequence + 1)
    assert gone.cancelled_by == "organiser"
    assert gone.request.status == "accepted"  # the request stays; the scheduler leaves it
    assert not gone.seats.filter(active=True).exists()
    exported = event_export(event=event)
    assert [m.get("status", "scheduled") for m in exported["meetings"]].count("cancelled") == 1
    sent = set(Notification.objects.values_list("key", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=exported, replace=True)  # its export again: nothing more to tell
    # the emails already sent are kept, with their meeting, and nothing new is written
    assert set(Notification.objects.values_list("key", flat=True)) == sent
    assert set(Notification.objects.values_list("meeting__uid", flat=True)) == {old.uid}
    # a meeting that took place (or is past) is not "cancelled" by leaving it out (the review)
    held = small_event()
    held["meetings"][0]["status"] = "held"
    event_import(data=held, replace=True)
    sent = set(Notification.objects.values_list("key", flat=True))
    held["meetings"] = []
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=held, replace=True)
    assert not Meeting.objects.filter(event=event).exists()
    assert set(Notification.objects.values_list("key", flat=True)) <= sent


def test_a_replacing_import_tells_colleagues_it_adds_to_or_takes_out_of_a_meeting(
    django_capture_on_commit_callbacks,
):
    """A colleague added or removed by a re-import was told nothing, and the meeting vanished
    from the removed one's calendar (the sixth exploratory test)."""
    from icalendar import Calendar

    from matchmaking.models import Notification
    from matchmaking.selectors import agenda_ics

    data = small_event()
    data["participants"].append(
        {
            "ref": "a2",
            "name": "Anas",
            "email": "anas@example.org",
            "organisation": data["participants"][0]["organisation"],
            "kind": data["participants"][0]["kind"],
            "languages": ["fr"],
            "offers": [],
            "needs": ["bins"],
            "sectors": ["waste"],
        }
    )
    data["meetings"][0]["attendees"] = [{"ref": "a2"}]
    event_import(data=data)
    del data["meetings"][0]["attendees"]
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=data, replace=True)
    told = sorted(Notification.objects.values_list("kind", "recipient__ref"))
    assert told == [("attendee_left", "a"), ("attendee_left", "b"), ("meeting_cancelled", "a2")]
    anas = event.participants.get(ref="a2")
    (entry,) = Calendar.from_ical(agenda_ics(event=event, participant=anas)).walk("VEVENT")
    assert (str(entry["STATUS"]), int(entry["SEQUENCE"])) == ("CANCELLED", 1)
    Notification.objects.all().delete()
    data["meetings"][0]["attendees"] = [{"ref": "a2"}]
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data, replace=True)
    assert list(Notification.objects.values_list("kind", "recipient__ref")) == [
        ("meeting_booked", "a2")
    ]


def _colleague(data, ref, name):
    data["participants"].append(
        {
            "ref": ref,
            "name": name,
            "email": f"{ref}@example.org",
            "organisation": data["participants"][0]["organisation"],
            "kind": data["participants"][0]["kind"],
            "languages": ["en"],
            "offers": [],
            "needs": ["bins"],
            "sectors": ["waste"],
        }
    )


def test_a_replacing_import_announces_each_colleague_it_takes_out_and_tells_an_added_one_once(
    django_capture_on_commit_callbacks,
):
    """The seventh review: the parties heard of one of two colleagues taken out at once (the
    key named no colleague), and a colleague added to a meeting the file also moves got both
    "moved" and "booked"."""
    from matchmaking.models import Notification

    data = small_event()
    _colleague(data, "a2", "Anas")
    _colleague(data, "a3", "Aya")
    data["meetings"][0]["attendees"] = [{"ref": "a2"}, {"ref": "a3"}]
    event_import(data=data)
    del data["meetings"][0]["attendees"]
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data, replace=True)
    to_amina = Notification.objects.filter(recipient__ref="a", kind="attendee_left")
    assert sorted(n.subject.split(" ")[0] for n in to_amina) == ["Anas", "Aya"]  # in French
    Notification.objects.all().delete()
    data["meetings"][0]["attendees"] = [{"ref": "a2"}]
    data["meetings"][0]["start"] = "2018-04-18T09:30:00+01:00"
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data, replace=True)
    told = sorted(Notification.objects.values_list("recipient__ref", "kind"))
    assert told == [("a", "meeting_moved"), ("a2", "meeting_booked"), ("b", "meeting_moved")]


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_an_unclear_replace_flag_is_refused_naming_it(organiser_client, value):
    """?replace=maybe answered "already exists (use replace to overwrite)" although replace was
    given: it is refused by name instead, and nothing is written."""
    organiser_client.post("/api/events/import/", small_event(), format="json")
    response = organiser_client.post(
        f"/api/events/import/?replace={value}", small_event(), format="json"
    )
    assert response.status_code == 400
    assert response.data["detail"] == f"replace must be true or false, not {value!r}."
    assert response.data["field"] == "replace"
    for accepted in ("true", "1", "yes", "TRUE"):
        again = organiser_client.post(
            f"/api/events/import/?replace={accepted}", small_event(), format="json"
        )
        assert again.status_code == 201, accepted


def test_the_shape_example_of_the_docs_imports_as_it_stands():
    """docs/import-format.md says its example "imports as it stands"."""
    docs = (DEMO.parents[1] / "docs" / "import-format.md").read_text(encoding="utf-8")
    example = docs.split("```json\n", 1)[1].split("```", 1)[0]
    event = event_import(data=json.loads(example))
    meeting = event.meetings.get()
    assert (meeting.table.name, meeting.fixed) == ("Booth A12", True)
    assert event.participants.count() == 3


def post_import(client, data: dict):
    """POST the document as JSON text: a lone surrogate is written as its escape ("\\ud800"),
    as a client sends it (the test client cannot encode the character itself)."""
    return client.generic(
        "POST", "/api/events/import/", json.dumps(data), content_type="application/json"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (  # 500 (OverflowError in timedelta) before the maximum
            lambda d: d["event"].update(request_expiry_hours=1_000_000_000_000),
            "event.request_expiry_hours: 1000000000000 is greater than the maximum of 8760",
        ),
        (  # 500 on PostgreSQL (integer out of range), stored on SQLite
            lambda d: d["participants"][2].update(max_meetings=2**40),
            'participants[2] (ref "c").max_meetings: 1099511627776 is greater than the maximum '
            "of 1000",
        ),
        (  # the API's cap
            lambda d: d["participants"][2].update(max_meetings=1001),
            'participants[2] (ref "c").max_meetings: 1001 is greater than the maximum of 1000',
        ),
        (
            lambda d: d["meetings"][0].update(request=2**63),
            "meetings[0].request: 9223372036854775808 is greater than the maximum of 1000000",
        ),
        (
            lambda d: d["event"].update(tables=2**31),
            "event.tables: 2147483648 is greater than the maximum of 10000",
        ),
        (
            lambda d: d["event"].update(slot_minutes=2**31),
            "event.slot_minutes: 2147483648 is greater than the maximum of 240",
        ),
        (
            lambda d: d["requests"][0].update(priority=2**31),
            "requests[0].priority: 2147483648 is greater than the maximum of 5",
        ),
    ],
)
def test_import_refuses_out_of_range_integers_naming_the_field(organiser_client, change, message):
    data = small_event()
    change(data)
    response = post_import(organiser_client, data)
    assert response.status_code == 400, response.content
    assert response.data["errors"] == [message]
    assert Event.objects.count() == 0


def test_import_takes_the_largest_integers_it_allows_and_integers_written_as_2_0():
    data = small_event()
    data["event"].update(request_expiry_hours=8760, tables=2.0)  # 2.0 was a 500
    data["participants"][2]["max_meetings"] = 1000
    event = event_import(data=data)
    assert event.request_expiry_hours == 8760
    assert event.tables.filter(shared=True).count() == 2
    assert event.participants.get(ref="c").max_meetings == 1000


TEXT_PLACES = [
    (("event", "name"), "event.name"),
    (("event", "days", 0, "sessions", 0, "name"), "event.days[0].sessions[0].name"),
    (("participants", 0, "ref"), None),  # said with the ref, escaped
    (("participants", 0, "name"), 'participants[0] (ref "a").name'),
    (("participants", 0, "email"), 'participants[0] (ref "a").email'),
    (("participants", 0, "organisation"), 'participants[0] (ref "a").organisation'),
    (("participants", 0, "country"), 'participants[0] (ref "a").country'),
    (("participants", 0, "needs", 0), 'participants[0] (ref "a").needs[0]'),
    (("participants", 1, "offers", 0), 'participants[1] (ref "b").offers[0]'),
    (("participants", 1, "fixed_table"), 'participants[1] (ref "b").fixed_table'),
    (("requests", 0, "message"), "requests[0].message"),
    (("requests", 0, "to"), "requests[0].to"),
    (("meetings", 0, "start"), "meetings[0].start"),
]


def _append(data: dict, place: tuple, text: str) -> None:
    """Append ``text`` to the string at ``place`` ("x" when there is none)."""
    *parents, last = place
    node = data
    for key in parents:
        node = node[key]
    node[last] = (node[last] if isinstance(node, list) else node.get(last, "x")) + text


@pytest.mark.parametrize(("place", "where"), TEXT_PLACES)
@pytest.mark.parametrize(
    ("char", "problem"),
    [
        ("\u0000", "Null characters are not allowed."),
        ("\ud800", "Surrogate characters are not allowed: U+D800."),
    ],
)
def test_import_refuses_nul_and_surrogate_characters_in_any_text(
    organiser_client, place, where, char, problem
):
    """As the API does: a NUL was stored on SQLite and a 500 on PostgreSQL, a lone surrogate (a
    valid JSON escape) a 500 everywhere. Said once for the field, whatever else it breaks."""
    data = small_event()
    _append(data, place, char)
    response = post_import(organiser_client, data)
    assert response.status_code == 400, response.content
    if where is None:  # the ref is written with an escape: an error message must be encodable
        escaped = "\\u0000" if char == "\u0000" else "\\ud800"
        where = f'participants[0] (ref "a{escaped}").ref'
    assert response.data["errors"] == [f"{where}: {problem}"]
    response.content.decode("utf-8")
    assert Event.objects.count() == 0
    assert Participant.objects.count() == 0


def test_import_command_says_which_field_holds_a_surrogate(tmp_path):
    data = small_event()
    data["participants"][2]["organisation"] = "Shang\ud800hai"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")  # written "\ud800", as JSON allows
    with pytest.raises(CommandError) as info:
        call_command("import_event", str(bad))
    assert (
        'participants[2] (ref "c").organisation: Surrogate characters are not allowed: U+D800.'
        in str(info.value)
    )
    str(info.value).encode("utf-8")
    assert Event.objects.count() == 0


YEAR_AROUND = "give a date from 2017-04-17 to 2019-04-19"  # small_event's one day, 2018-04-18


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["event"]["days"][0].update(date="9999-12-31"),
            "event.days[0] (9999-12-31).date: 9999-12-31 is not a day of the years 2000 to 2100",
        ),
        (
            lambda d: d["event"]["days"][0].update(date="0001-01-01"),
            "event.days[0] (0001-01-01).date: 0001-01-01 is not a day of the years 2000 to 2100",
        ),
        (
            lambda d: d["event"].update(booking_opens="0001-01-01T00:00"),
            "event.booking_opens: 0001-01-01T00:00 is more than a year away from the event's "
            f"days: {YEAR_AROUND}",
        ),
        (
            lambda d: d["event"].update(booking_closes="9999-12-31T23:59"),
            "event.booking_closes: 9999-12-31T23:59 is more than a year away from the event's "
            f"days: {YEAR_AROUND}",
        ),
        (
            lambda d: d["event"].update(booking_opens="2017-04-16T23:59+01:00"),
            "event.booking_opens: 2017-04-16T23:59+01:00 is more than a year away from the "
            f"event's days: {YEAR_AROUND}",
        ),
        (
            lambda d: d["participants"][0].update(
                availability=[{"start": "0001-01-01T00:00", "end": "9999-12-31T23:59"}]
            ),
            'participants[0] (ref "a").availability[0].start: 0001-01-01T00:00 is more than a '
            f"year away from the event's days: {YEAR_AROUND}",
        ),
        (  # a 500 before (OverflowError on the way to UTC)
            lambda d: d["meetings"][0].update(start="0001-01-01T00:00+05:00"),
            "meetings[0] (a ↔ b).start: 0001-01-01T00:00+05:00 is more than a year away from "
            f"the event's days: {YEAR_AROUND}",
        ),
    ],
)
def test_import_refuses_dates_far_from_the_event(organiser_client, change, message):
    data = small_event()
    change(data)
    response = post_import(organiser_client, data)
    assert response.status_code == 400, response.content
    assert message in response.data["errors"], response.data["errors"]
    assert Event.objects.count() == 0


def test_an_availability_of_years_1_to_9999_is_refused_in_a_zone_ahead_of_utc():
    """Year 1 at midnight in Tokyo is before the first moment of UTC: a 500 before."""
    data = small_event()
    data["event"]["timezone"] = "Asia/Tokyo"
    data["meetings"] = []
    data["participants"][0]["availability"] = [
        {"start": "0001-01-01T00:00", "end": "9999-12-31T23:59"}
    ]
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert [e.split(": ", 1)[0] for e in info.value.errors] == [
        'participants[0] (ref "a").availability[0].start',
        'participants[0] (ref "a").availability[0].end',
    ]
    with pytest.raises(ValueError, match="out of the range of dates"):
        parse_local_datetime("0001-01-01T00:00", zoneinfo.ZoneInfo("Asia/Tokyo"))


def test_import_takes_dates_up_to_a_year_from_the_event_days():
    data = small_event()
    data["event"].update(booking_opens="2017-04-17T00:00", booking_closes="2019-04-19T23:59")
    data["participants"][0]["availability"] = [
        {"start": "2017-04-17T00:00", "end": "2019-04-19T23:59"}
    ]
    event = event_import(data=data)
    assert event.booking_opens.year == 2017
    assert event.participants.get(ref="a").availability.get().end.year == 2019


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["participants"][0].update(name="   "),
            'participants[0] (ref "a").name: "   " is blank: write it with more than spaces',
        ),
        (
            lambda d: d["participants"][1].update(organisation="\t \n"),
            'participants[1] (ref "b").organisation: "\\t \\n" is blank: write it with more '
            "than spaces",
        ),
        (
            lambda d: d["event"].update(name="\u00a0"),
            'event.name: "\u00a0" is blank: write it with more than spaces',
        ),
        (
            lambda d: d["event"].update(tables=[{"name": "Lounge"}, {"name": " "}]),
            'event.tables[1].name: " " is blank: write it with more than spaces',
        ),
        (
            lambda d: d["participants"][1].update(fixed_table="  "),
            'participants[1] (ref "b").fixed_table: "  " is blank: write it with more than spaces',
        ),
        (
            lambda d: d["participants"][1].update(offers=["smart bins", " "]),
            'participants[1] (ref "b").offers[1]: " " is blank: write it with more than spaces',
        ),
        (
            lambda d: d["meetings"][0].update(table=" "),
            'meetings[0].table: " " is blank: write it with more than spaces',
        ),
    ],
)
def test_import_refuses_required_texts_of_spaces_only(change, message):
    """An empty name was refused and one of spaces taken: a participant without a name."""
    data = small_event()
    change(data)
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert info.value.errors == [message]
    assert Event.objects.count() == 0


def test_import_refuses_a_shared_table_as_someones_own_place():
    """A shared table named as a participant's own place: the scheduler planned other people's
    meetings at it and the booking then refused every one of that participant's (the fourth
    review)."""
    data = small_event()
    data["event"]["tables"] = [{"name": "T01"}, {"name": "T02"}]
    data["participants"][1]["fixed_table"] = "T02"
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert info.value.errors == [
        'participants[1] (ref "b").fixed_table: "T02" is one of event.tables, the shared tables; '
        'give this participant\'s own place a name of its own (such as "Booth A12"), or take '
        '"T02" out of event.tables'
    ]
    assert Event.objects.count() == 0
    for variant in ("t02", "  T02 "):  # the same table to people
        data["participants"][1]["fixed_table"] = variant
        with pytest.raises(ImportInvalid) as info:
            event_import(data=data)
        assert info.value.errors[0].endswith('or take "T02" out of event.tables')


@pytest.mark.parametrize(
    ("slug", "address"),
    [
        ("login", "/my/login/ and /organiser/login/"),
        ("logout", "/my/logout/ and /organiser/logout/"),
        ("import", "/api/events/import/"),
    ],
)
def test_import_refuses_a_slug_that_is_an_address_of_the_service(organiser_client, slug, address):
    data = small_event()
    data["event"]["slug"] = slug
    response = post_import(organiser_client, data)
    assert response.status_code == 400, response.content
    assert response.data["errors"] == [
        f'event.slug: "{slug}" is reserved: {address} would not lead to the event; '
        "choose another slug"
    ]
    assert Event.objects.count() == 0


def _routes(patterns, namespace="", params=()):
    """(name, the names of its parameters) of every named route, parents' parameters included."""
    for p in patterns:
        own = tuple(
            p.pattern.converters
            if isinstance(p.pattern, RoutePattern)
            else p.pattern.regex.groupindex
        )
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, inner, params + own)
        elif p.name:
            yield namespace + p.name, params + own


def test_reserved_slugs_are_every_fixed_segment_where_a_slug_goes():
    """Every route with an event's slug is reached with any slug the importer takes: a word of
    the addresses (a fixed segment) at the slug's place is in RESERVED_SLUGS, and only those."""
    words = set()
    for p in get_resolver().url_patterns:
        stack = [p]
        while stack:
            node = stack.pop()
            text = re.sub(r"<[^>]*>|\(\?P<[^>]*>", "", str(node.pattern))
            words |= set(re.findall(r"(?<![\w\\])[a-z][a-z0-9-]+", text))
            stack += getattr(node, "url_patterns", [])
    clashing = set()
    for name, params in _routes(get_resolver().url_patterns):
        if "slug" not in params or "format" in params:
            continue
        for word in words | set(RESERVED_SLUGS):
            kwargs = {k: (word if k == "slug" else "1") for k in params}
            if resolve(reverse(name, kwargs=kwargs)).view_name != name:
                clashing.add(word)
    assert clashing == set(RESERVED_SLUGS)


def days_from_today(*offsets: int) -> list[str]:
    today = timezone.localdate()
    return [(today + dt.timedelta(days=n)).isoformat() for n in offsets]


def small_event_on(*offsets: int) -> dict:
    """``small_event`` with its day's sessions on each day ``offsets`` days from today; Amina
    is there at every slot."""
    data = small_event()
    day = data["event"]["days"][0]
    data["event"]["days"] = [{**day, "date": d} for d in days_from_today(*offsets)]
    del data["participants"][0]["availability"]
    return data


@pytest.mark.parametrize("status", ["held", "no_show"])
def test_import_refuses_held_or_no_show_for_a_meeting_still_to_come(status):
    """As the API and the console (``meeting_not_started``): statistics would count a meeting
    still to come as held or missed."""
    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0].update(start=f"{day}T09:00", status=status)

    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)

    assert info.value.errors == [
        "meetings[0] (a ↔ b): a meeting can be marked held or no_show once it has started; "
        f"{day} 09:00 is still to come"
    ]
    assert Event.objects.count() == 0
    assert Meeting.objects.count() == 0


def test_import_refuses_checked_in_before_its_check_in_opens(settings):
    """As the API: check-in opens CHECK_IN_OPENS_MINUTES before the meeting, for everyone."""
    settings.CHECK_IN_OPENS_MINUTES = 30
    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0].update(start=f"{day}T09:00", status="checked_in")

    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)

    assert info.value.errors == [
        "meetings[0] (a ↔ b): a meeting can be marked checked_in once its check-in has opened, "
        f"30 minutes before it starts; check-in for {day} 09:00 opens at {day} 08:30"
    ]
    assert Event.objects.count() == 0


def test_import_of_an_event_in_progress_keeps_what_was_recorded_and_round_trips():
    """Only slots still to come are concerned: a fair whose first day is over keeps its held,
    missed and checked-in meetings, and its export imports again as it was."""
    data = small_event_on(-7, 7)
    past, future = days_from_today(-7, 7)
    data["participants"].append(
        {**data["participants"][2], "ref": "d", "email": "dina@example.org", "name": "Dina"}
    )
    data["participants"][3]["organisation"] = "Tanger"
    data["requests"][1]["status"] = "accepted"
    data["meetings"] = [
        {"from": "a", "to": "b", "start": f"{past}T09:00", "status": "held"},
        {"from": "a", "to": "c", "start": f"{past}T09:30", "status": "no_show"},
        {"from": "a", "to": "d", "start": f"{past}T14:00", "status": "checked_in"},
        {"from": "c", "to": "b", "start": f"{future}T09:00"},
    ]

    event = event_import(data=data)

    statuses = {
        (m.request.sender.ref, m.request.recipient.ref): m.status
        for m in Meeting.objects.filter(event=event).select_related(
            "request__sender", "request__recipient"
        )
    }
    assert statuses == {
        ("a", "b"): "held",
        ("a", "c"): "no_show",
        ("a", "d"): "checked_in",
        ("c", "b"): "scheduled",
    }
    first = selectors.event_export(event=event)
    again = copy.deepcopy(first)
    again["event"]["slug"] = "mini-fair-copy"
    second = selectors.event_export(event=event_import(data=again))
    second["event"]["slug"] = "mini-fair"
    assert second == first


def test_a_replacing_import_links_accounts_whatever_the_case_of_the_email(db):
    """Emails are case-insensitive in the format; the import looked accounts up case by case,
    so a file that wrote "Amina@Example.org" locked out Amina's token (403) after a replace
    (the review)."""
    from matchmaking.models import Participant
    from matchmaking.services.participants import participant_token
    from tests.conftest import client_for

    event_import(data=small_event())
    participant_token(email="amina@example.org")
    data = small_event()
    data["participants"][0]["email"] = "Amina@Example.ORG"
    event_import(data=data, replace=True)
    amina = Participant.objects.get(name="Amina")
    assert amina.user is not None and amina.user.username == "amina@example.org"
    assert client_for(amina.user).get(f"/api/events/{amina.event.slug}/me/").status_code == 200


def test_an_exhibitor_who_opted_out_after_meeting_another_still_exports_and_imports(
    organiser_client,
):
    """Two exhibitors opted in, one asked, then the other opted out and accepted; the export
    of that event was refused on import ("Exhibitors meet each other only when both have opted
    in"): the exploratory test. The opt-in governs the requests participants send; the file
    records what is."""
    data = small_event()
    data["participants"][2].update(kind="exhibitor")  # neither opted in, Chen asked Bruno
    data["requests"][1]["status"] = "accepted"
    data["meetings"].append({"from": "c", "to": "b", "start": "2018-04-18T09:30:00+01:00"})
    event = event_import(data=data)
    exported = selectors.event_export(event=event)
    exported["event"]["slug"] = "mini-fair-copy"
    copied = organiser_client.post("/api/events/import/", exported, format="json")
    assert copied.status_code == 201, copied.data
    assert copied.data["meetings"] == 2


def test_tables_keep_the_order_people_count_in_and_look_alike_names_are_refused():
    """'Table 1, Table 10, Table 11, Table 2' in the grid, the plan and the export; and "T1",
    "t1" and " T1 " imported as three tables (the exploratory test)."""
    from matchmaking.reporting import grid_day
    from matchmaking.selectors import event_export

    data = small_event()
    data["event"]["tables"] = [{"name": f"Table {i}"} for i in (1, 2, 10, 11)]
    data["participants"][1].pop("fixed_table")
    event = event_import(data=data)
    grid = grid_day(event=event, day=event.slots.first().start.date())
    assert [t["name"] for t, _cells in grid.rows][:4] == [
        "Table 1",
        "Table 2",
        "Table 10",
        "Table 11",
    ]
    assert [t["name"] for t in event_export(event=event)["event"]["tables"]] == [
        "Table 1",
        "Table 2",
        "Table 10",
        "Table 11",
    ]
    data = small_event()
    data["event"]["tables"] = [{"name": "T1"}, {"name": "t1"}, {"name": " T1 "}]
    with pytest.raises(ImportInvalid) as refused:
        event_import(data=data)
    assert refused.value.errors[:2] == [
        'event.tables: "t1" and "T1" name the same table; table names must be unique '
        "(capitals and spaces do not count)",
        'event.tables: " T1 " and "T1" name the same table; table names must be unique '
        "(capitals and spaces do not count)",
    ]


def test_requests_keep_when_they_were_sent_and_answered_through_export_and_import():
    """A replacing import dated every request to the import and forgot its answer time: the
    requests CSV's "answered" column went blank and pending requests got a fresh expiry (the
    exploratory test)."""
    import datetime as dt

    from matchmaking.models import MeetingRequest
    from matchmaking.selectors import event_export

    data = small_event()
    data["requests"][0].update(sent="2018-04-10T09:15", answered="2018-04-11T10:00")
    data["requests"][1].update(sent="2018-04-17T08:00:00+00:00")
    event = event_import(data=data)
    accepted = MeetingRequest.objects.get(event=event, status="accepted")
    pending = MeetingRequest.objects.get(event=event, status="pending")
    casablanca = dt.timezone(dt.timedelta(hours=1))
    assert accepted.created_at == dt.datetime(2018, 4, 10, 9, 15, tzinfo=casablanca)
    assert accepted.responded_at == dt.datetime(2018, 4, 11, 10, 0, tzinfo=casablanca)
    # 72 h after, but no later than the end of the last slot (15:00 in Casablanca)
    assert pending.expires_at == dt.datetime(2018, 4, 18, 14, 0, tzinfo=dt.UTC)
    exported = event_export(event=event)
    assert exported["requests"][0]["sent"] == "2018-04-10T09:15:00+01:00"
    assert exported["requests"][0]["answered"] == "2018-04-11T10:00:00+01:00"
    assert "answered" not in exported["requests"][1]
    again = event_export(event=event_import(data=exported, replace=True))
    assert again["requests"] == exported["requests"]


@pytest.mark.parametrize(
    ("times", "status", "message"),
    [
        ({"sent": "2099-01-01T09:00"}, "accepted", "sent: 2099-01-01T09:00 is still to come"),
        ({"answered": "2018-04-11T10:00"}, "pending", "answered: a pending request has no answer"),
        (
            {"sent": "2018-04-12T10:00", "answered": "2018-04-11T10:00"},
            "declined",
            "answered: 2018-04-11T10:00 is before the request was sent (2018-04-12T10:00)",
        ),
        ({"sent": "yesterday"}, "accepted", "sent"),
    ],
)
def test_request_times_that_cannot_be_are_refused_naming_them(times, status, message):
    data = small_event()
    data["requests"][1].update(status=status, **times)
    with pytest.raises(ImportInvalid) as refused:
        event_import(data=data)
    assert any(message in e and "requests[1]" in e for e in refused.value.errors), (
        refused.value.errors
    )


def test_a_colleague_a_replacing_import_takes_out_of_a_moved_meeting_is_told_its_old_time(
    django_capture_on_commit_callbacks,
):
    """They were told their meeting "at 10:30" was cancelled, a time they never had: the file
    moved it from 09:00 as it took them out (the exploratory test)."""
    from matchmaking.models import Notification

    data = small_event()
    _colleague(data, "a2", "Anas")
    data["meetings"][0]["attendees"] = [{"ref": "a2"}]
    event_import(data=data)
    del data["meetings"][0]["attendees"]
    data["meetings"][0]["start"] = "2018-04-18T10:30:00+01:00"
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=data, replace=True)
    cancelled = Notification.objects.get(kind="meeting_cancelled", recipient__ref="a2")
    assert "Wednesday 18 April 2018 at 09:00 (UTC+1)" in cancelled.subject
    assert "10:30" not in cancelled.subject
    parties = Notification.objects.filter(kind="attendee_left").values_list("subject", flat=True)
    assert all("10:30 (UTC+1)" in s for s in parties) and len(parties) == 2


def test_an_event_with_a_cancelled_meeting_and_no_request_exports_and_imports_again():
    """The withdrawn request made for such a meeting was answered a few microseconds before it
    was sent, and its export was refused on import (the review)."""
    from matchmaking.selectors import event_export

    data = small_event()
    data["requests"] = [{"from": "c", "to": "b", "status": "pending"}]
    data["meetings"] = [
        {"from": "a", "to": "b", "start": "2018-04-18T09:00:00+01:00", "status": "cancelled"}
    ]
    event = event_import(data=data)
    exported = event_export(event=event)
    again = event_export(event=event_import(data=exported, replace=True))
    assert again["requests"] == exported["requests"]
    answered_only = small_event()
    answered_only["requests"][0]["answered"] = "2018-04-11T10:00"  # sent: then too
    event_import(data=answered_only, replace=True)


def test_a_pending_request_keeps_its_expiry_through_export_and_import():
    """The import computed it again from the event's expiry hours, which an organiser may have
    lowered since: a request still open became expired at once (the review)."""
    import datetime as dt

    from django.utils import timezone

    from matchmaking.models import MeetingRequest
    from matchmaking.selectors import event_export

    event = event_import(data=small_event())
    pending = MeetingRequest.objects.get(event=event, status="pending")
    later = timezone.now() + dt.timedelta(hours=40)
    MeetingRequest.objects.filter(pk=pending.pk).update(expires_at=later)
    event.request_expiry_hours = 1
    event.save()
    exported = event_export(event=event)
    event = event_import(data=exported, replace=True)
    kept = MeetingRequest.objects.get(event=event, status="pending")
    assert abs(kept.expires_at - later) < dt.timedelta(seconds=1)
    data = small_event()
    data["requests"][0]["expires"] = "2018-04-12T10:00"
    with pytest.raises(ImportInvalid, match="only a pending request expires"):
        event_import(data=data, replace=True)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("sent", "0001-01-01T00:00:00Z"),  # accepted, then the export answered 500
        ("sent", "0001-01-01T00:00:00+14:00"),  # the import itself answered 500
        ("sent", "1900-01-01T00:00:00"),
        ("expires", "9999-12-31T23:59:00-05:00"),
    ],
)
def test_request_times_out_of_the_events_years_are_refused_not_a_500(key, value):
    """The focused test of the new fields."""
    data = small_event()
    data["requests"][1][key] = value  # c -> b, pending
    with pytest.raises(ImportInvalid) as refused:
        event_import(data=data)
    assert any(e.startswith(f"requests[1] (c → b).{key}: {value}") for e in refused.value.errors)


def test_replacing_keeps_what_people_said_of_their_meetings(organiser):
    """Feedback on a meeting the new file keeps stays, with its times, for each giver still in
    it; a ref given to someone else does not inherit it, nor does a meeting the file cancels."""
    import copy
    import datetime as dt

    from matchmaking.models import MeetingFeedback
    from matchmaking.services.feedback import meeting_feedback_give

    event = event_import(data=small_event())
    meeting = event.meetings.select_related("slot").get()
    a, b = meeting.request.sender, meeting.request.recipient
    later = meeting.slot.start + dt.timedelta(minutes=5)
    meeting_feedback_give(
        meeting=meeting,
        participant=a,
        took_place=True,
        rating=4,
        outcome="follow_up",
        comment="Send the tender",
        now=later,
    )
    meeting_feedback_give(meeting=meeting, participant=b, took_place=False, now=later)
    before = {
        f.participant.ref: (f.took_place, f.rating, f.outcome, f.comment, f.created_at)
        for f in MeetingFeedback.objects.select_related("participant")
    }
    data = selectors.event_export(event=event)
    for row in data["meetings"]:  # a file without feedback (a registration list): restored
        del row["feedback"]

    again = event_import(data=data, replace=True)
    kept = {
        f.participant.ref: (f.took_place, f.rating, f.outcome, f.comment, f.created_at)
        for f in MeetingFeedback.objects.filter(meeting__event=again).select_related("participant")
    }
    assert kept == before

    # the same ref for someone else: another meeting for calendars, and no one's feedback
    other = copy.deepcopy(data)
    other["participants"][[p["ref"] for p in data["participants"]].index(b.ref)]["email"] = (
        "someone.else@example.org"
    )
    third = event_import(data=other, replace=True)
    assert MeetingFeedback.objects.filter(meeting__event=again).exists() is False
    assert not MeetingFeedback.objects.filter(meeting__event=third).exists()

    fourth = event_import(data=data, replace=True)
    meeting = fourth.meetings.get()
    meeting_feedback_give(
        meeting=meeting,
        participant=fourth.participants.get(ref=a.ref),
        took_place=True,
        rating=2,
        now=later,
    )
    cancelled = copy.deepcopy(data)
    cancelled["meetings"][0]["status"] = "cancelled"
    fifth = event_import(data=cancelled, replace=True)
    assert fifth.meetings.get().status == "cancelled"
    assert not MeetingFeedback.objects.exists()


@pytest.mark.parametrize("key, value", [("cancel_reason", "why"), ("cancelled_by", "participant")])
def test_a_cancellation_detail_on_a_meeting_that_goes_on_is_refused(key, value):
    """It was dropped in silence: the export then lacked what the file said."""
    data = small_event()
    data["meetings"][0][key] = value
    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)
    assert any(f".{key}: only a cancelled meeting has one" in e for e in info.value.errors), (
        info.value.errors
    )
    assert not Event.objects.exists()


def test_a_participant_the_file_says_no_longer_comes_has_nothing_open():
    data = small_event()
    data["participants"][2]["attending"] = False  # Chen, who has a pending request to Bruno
    data["participants"][0]["attending"] = False  # Amina: accepted request, meeting on record
    with pytest.raises(ImportInvalid) as caught:
        event_import(data=data)
    assert caught.value.errors == [
        "requests[1] (c → b): c no longer comes (attending: false), so a request of theirs "
        "cannot be pending; give it another status, or take attending: false away"
    ]
    data["requests"][1]["status"] = "cancelled"
    event = event_import(data=data)
    gone = dict(event.participants.values_list("ref", "withdrawn_at"))
    assert gone["a"] and gone["c"] and gone["b"] is None
    exported = selectors.event_export(event=event)
    assert [p.get("attending") for p in exported["participants"]] == [False, None, False]


def test_no_longer_coming_refuses_an_unbooked_accepted_request_and_a_meeting_to_come():
    data = small_event()
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data["event"]["days"][0]["date"] = day
    data["participants"][0]["availability"] = [{"start": f"{day}T09:00", "end": f"{day}T15:00"}]
    data["participants"][0]["attending"] = False
    data["meetings"][0]["start"] = f"{day}T09:00"
    with pytest.raises(ImportInvalid) as caught:
        event_import(data=data)
    assert caught.value.errors == [
        "meetings[0] (a ↔ b): a no longer comes (attending: false), so a meeting of theirs "
        "still to come cannot be scheduled; cancel it, or take attending: false away"
    ]
    del data["meetings"][0]
    with pytest.raises(ImportInvalid) as caught:
        event_import(data=data)
    assert caught.value.errors == [
        "requests[0] (a → b): a no longer comes (attending: false), so a request of theirs "
        "cannot be accepted without a meeting; give it another status, or take attending: "
        "false away"
    ]
    assert not Event.objects.exists()


def _chen_no_longer_comes() -> tuple[dict, Event, Participant]:
    """The small fair imported (Chen's request declined), then Chen says he no longer comes."""
    from matchmaking.services.attendance import attendance_withdraw
    from matchmaking.services.meetings import Actor

    data = small_event()
    data["requests"][1]["status"] = "declined"
    event = event_import(data=data)
    chen = event.participants.get(ref="c")
    attendance_withdraw(participant=chen, actor=Actor(participant=chen))
    return data, event, Participant.objects.get(pk=chen.pk)


def test_a_replacing_import_keeps_who_said_in_the_app_they_no_longer_come():
    from matchmaking.services.attendance import attendance_withdraw
    from matchmaking.services.meetings import Actor

    data, _event, chen = _chen_no_longer_comes()
    said_at = chen.withdrawn_at

    def chen_after(doc) -> Participant:
        event_import(data=doc, replace=True)
        return Participant.objects.get(ref="c")

    assert chen_after(copy.deepcopy(data)).withdrawn_at == said_at  # the file does not say
    assert not Notification.objects.filter(kind="import_overruled").exists()
    again = copy.deepcopy(data)
    again["requests"][1]["status"] = "pending"  # the file asks for a meeting: he comes
    assert chen_after(again).withdrawn_at is None
    (told,) = Notification.objects.filter(kind="import_overruled")  # and he is told so
    assert "you are counted as coming" in told.body
    attendance_withdraw(participant=Participant.objects.get(ref="c"), actor=Actor(system=True))
    back = copy.deepcopy(data)
    back["participants"][2]["attending"] = True  # the organisers say he comes after all
    assert chen_after(back).withdrawn_at is None


def _replace_with(doc) -> Participant:
    event_import(data=doc, replace=True)
    return Participant.objects.select_related("profile").get(ref="a")


def test_a_replacing_import_keeps_what_participants_changed_that_the_file_did_not():
    """The organisers import their registration list again: Amina's own edits of her profile
    and times stay where the new file says what the last one said; a field the organisers
    changed in the file takes the file's value."""
    import zoneinfo as zi

    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor
    from matchmaking.services.participants import profile_update

    data = small_event()
    event = event_import(data=data)
    amina = event.participants.get(ref="a")
    profile_update(
        participant=amina,
        data={"needs": ["tri sélectif des déchets ménagers"], "city": "Rabat", "title": "Maire"},
    )
    tz = zi.ZoneInfo("Africa/Casablanca")
    morning = (
        dt.datetime(2018, 4, 18, 9, 0, tzinfo=tz),
        dt.datetime(2018, 4, 18, 11, 0, tzinfo=tz),
    )
    availability_replace(participant=amina, periods=[morning], actor=Actor(participant=amina))

    again = copy.deepcopy(data)
    again["participants"][0]["title"] = "Maire adjointe"  # the organisers corrected it
    kept = _replace_with(again)
    assert kept.profile.needs == ["tri sélectif des déchets ménagers"]  # hers, the file unchanged
    assert kept.city == "Rabat"
    assert kept.title == "Maire adjointe"  # the file changed it: the file's
    assert [(p.start, p.end) for p in kept.availability.all()] == [morning]
    assert "tri selectif" in kept.profile.search_text  # searchable as she wrote it

    # the next import compares with what this file said: her edits stay again
    assert _replace_with(copy.deepcopy(again)).profile.needs == [
        "tri sélectif des déchets ménagers"
    ]
    # an export taken now and imported again changes nothing
    exported = selectors.event_export(event=Event.objects.get(slug="mini-fair"))
    assert _replace_with(exported).profile.needs == ["tri sélectif des déchets ménagers"]


def test_a_file_that_changes_the_field_wins_and_an_older_import_has_nothing_to_keep():
    from matchmaking.services.participants import profile_update

    data = small_event()
    event = event_import(data=data)
    amina = event.participants.get(ref="a")
    profile_update(participant=amina, data={"needs": ["éclairage public"]})
    changed = copy.deepcopy(data)
    changed["participants"][0]["needs"] = ["collecte des déchets"]
    assert _replace_with(changed).profile.needs == ["collecte des déchets"]
    # imported before this existed (nothing recorded of the last file): the file wins, as before
    amina = Participant.objects.get(ref="a")
    profile_update(participant=amina, data={"needs": ["éclairage public"]})
    Participant.objects.filter(pk=amina.pk).update(imported={})
    assert _replace_with(copy.deepcopy(changed)).profile.needs == ["collecte des déchets"]


def test_own_times_stay_only_if_every_meeting_to_come_fits_them():
    import zoneinfo as zi

    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor

    data = small_event()
    day = timezone.localdate() + dt.timedelta(days=30)
    data["event"]["days"][0]["date"] = day.isoformat()
    data["participants"][0]["availability"] = [{"start": f"{day}T09:00", "end": f"{day}T15:00"}]
    data["meetings"][0]["start"] = f"{day}T14:00"  # the afternoon
    data["requests"][0]["session"] = "any"
    event = event_import(data=data)
    amina = event.participants.get(ref="a")
    tz = zi.ZoneInfo("Africa/Casablanca")
    whole = [(p.start, p.end) for p in amina.availability.all()]
    afternoon = (
        dt.datetime.combine(day, dt.time(14), tz),
        dt.datetime.combine(day, dt.time(15), tz),
    )
    availability_replace(participant=amina, periods=[afternoon], actor=Actor(participant=amina))
    assert [(p.start, p.end) for p in _replace_with(copy.deepcopy(data)).availability.all()] == [
        afternoon
    ]
    assert not Notification.objects.filter(kind="import_overruled").exists()
    # the organisers' new file books her in the morning: the file's times, which hold it
    morning = copy.deepcopy(data)
    morning["meetings"][0]["start"] = f"{day}T09:00"
    assert [(p.start, p.end) for p in _replace_with(morning).availability.all()] == whole
    # and she is told, once, in her language
    (told,) = Notification.objects.filter(kind="import_overruled")
    assert told.recipient.ref == "a" and told.language == "fr"
    assert "Vos horaires au salon sont de nouveau ceux des organisateurs" in told.body


def test_an_export_imported_again_keeps_since_when_someone_no_longer_comes():
    _data, event, chen = _chen_no_longer_comes()
    said_at = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    Participant.objects.filter(pk=chen.pk).update(withdrawn_at=said_at)
    exported = selectors.event_export(event=event)
    assert exported["participants"][2]["attending"] is False
    event_import(data=exported, replace=True)
    assert Participant.objects.get(ref="c").withdrawn_at == said_at


def test_no_longer_coming_refuses_an_accepted_request_whose_only_meeting_is_cancelled():
    data = small_event()
    data["participants"][0]["attending"] = False
    data["meetings"][0]["status"] = "cancelled"
    data["meetings"][0]["fixed"] = False
    with pytest.raises(ImportInvalid) as caught:
        event_import(data=data)
    assert caught.value.errors == [
        "requests[0] (a → b): a no longer comes (attending: false), so a request of theirs "
        "cannot be accepted without a meeting; give it another status, or take attending: "
        "false away"
    ]


def test_an_own_meeting_limit_stays_only_if_the_files_meetings_fit_it():
    """The exploratory tester: Amina set her limit to 1 in the app; the organisers' new file
    books her a second meeting: the file's limit (none), not a silent excess."""
    from matchmaking.services.participants import profile_update

    data = small_event()
    data["requests"][1]["status"] = "declined"
    event_import(data=data)
    amina = Participant.objects.get(ref="a")
    profile_update(participant=amina, data={"max_meetings": 1})
    assert _replace_with(copy.deepcopy(data)).max_meetings == 1  # one meeting: it fits
    more = copy.deepcopy(data)
    more["requests"].append({"from": "a", "to": "c", "status": "accepted"})
    more["meetings"].append({"from": "a", "to": "c", "start": "2018-04-18T09:30:00+01:00"})
    assert _replace_with(more).max_meetings is None
    (told,) = Notification.objects.filter(kind="import_overruled", recipient__ref="a")
    assert "Votre nombre maximal de rendez-vous est de nouveau celui des organisateurs" in (
        told.body
    )
    assert told.subject == "Les organisateurs ont mis à jour votre inscription à Mini fair"


def test_own_edits_survive_an_export_imported_in_between():
    """The second review: importing an export made the participants' own values the base, so
    the next registration list (unchanged) undid their edits."""
    from matchmaking.services.participants import profile_update

    data = small_event()
    event = event_import(data=data)
    chen = event.participants.get(ref="c")
    profile_update(participant=chen, data={"needs": ["éclairage public"], "city": "Tanger"})
    exported = selectors.event_export(event=Event.objects.get())
    event_import(data=exported, replace=True)
    event_import(data=copy.deepcopy(data), replace=True)  # the registration list again
    chen = Participant.objects.select_related("profile").get(ref="c")
    assert chen.profile.needs == ["éclairage public"]
    assert chen.city == "Tanger" and "tanger" in chen.profile.search_text  # searchable


def test_the_same_sectors_in_another_order_are_no_change_of_the_file():
    from matchmaking.services.participants import profile_update

    data = small_event()
    data["participants"][0]["sectors"] = ["waste", "water"]
    event_import(data=data)
    amina = Participant.objects.get(ref="a")
    profile_update(participant=amina, data={"sectors": ["waste"], "languages": ["fr"]})
    again = copy.deepcopy(data)
    again["participants"][0]["sectors"] = ["water", "waste"]
    again["participants"][0]["languages"] = ["ar", "fr"]
    kept = _replace_with(again)
    assert (kept.profile.sectors, kept.languages) == (["waste"], ["fr"])


def test_own_times_that_hold_no_slot_of_the_new_programme_give_way_to_the_files():
    """The second review: the organisers move the fair by a day; Chen's own times (the old
    day) held no slot of it any more and left him at the fair at no time at all."""
    import zoneinfo as zi

    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import Actor

    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0]["start"] = f"{day}T09:00"
    event = event_import(data=data)
    chen = event.participants.get(ref="c")
    d = dt.date.fromisoformat(day)
    tz = zi.ZoneInfo("Africa/Casablanca")
    morning = (dt.datetime.combine(d, dt.time(9), tz), dt.datetime.combine(d, dt.time(10), tz))
    availability_replace(participant=chen, periods=[morning], actor=Actor(participant=chen))
    moved = copy.deepcopy(data)
    (later,) = days_from_today(31)
    moved["event"]["days"][0]["date"] = later
    moved["meetings"][0]["start"] = f"{later}T09:00"
    moved["participants"][0]["availability"] = [
        {"start": f"{later}T09:00", "end": f"{later}T15:00"}
    ]
    event_import(data=moved, replace=True)
    chen = Participant.objects.get(ref="c")
    assert not chen.availability.exists()  # the file's: the whole event


def test_a_replacing_import_keeps_who_saved_or_hid_whom():
    """Amina's shortlist and her "not interested" outlive a new registration list, between the
    people the new file keeps (same ref and email)."""
    from matchmaking.models import Mark
    from matchmaking.services.marks import mark_set

    data = small_event()
    event = event_import(data=data)
    amina, bruno, chen = (event.participants.get(ref=r) for r in "abc")
    mark_set(participant=amina, candidate_id=bruno.pk, kind="saved")
    mark_set(participant=amina, candidate_id=chen.pk, kind="hidden")
    mark_set(participant=chen, candidate_id=bruno.pk, kind="saved")
    saved_at = Mark.objects.get(participant=amina, candidate=bruno).created_at

    again = copy.deepcopy(data)
    again["participants"][2]["email"] = "chen.wei@example.org"  # another person for the file
    event = event_import(data=again, replace=True)
    kept = {
        (m.participant.ref, m.candidate.ref, m.kind)
        for m in Mark.objects.filter(event=event).select_related("participant", "candidate")
    }
    assert kept == {("a", "b", "saved")}
    assert Mark.objects.get(event=event, kind="saved").created_at == saved_at


def test_a_replacing_import_keeps_the_ids_open_pages_and_clients_hold():
    """The event, its slots and tables, the participants and their requests keep their ids
    across a replacing import (same start, same table name, same ref and email, same pair), so
    a console page or an API client that kept them goes on working; new rows get new ids."""
    from matchmaking.services.requests import request_create

    data = small_event()
    event = event_import(data=data)
    before = {
        "event": event.pk,
        "slots": dict(event.slots.values_list("start", "pk")),
        "tables": dict(event.tables.values_list("name", "pk")),
        "people": dict(event.participants.values_list("ref", "pk")),
        "requests": {
            (r.sender.ref, r.recipient.ref): r.pk
            for r in event.requests.select_related("sender", "recipient")
        },
        "meeting": Meeting.objects.get(event=event).pk,
    }
    Meeting.objects.filter(event=event).update(version=4)  # changed a few times since
    before["version"] = 4
    again = copy.deepcopy(data)
    again["meetings"][0]["start"] = "2018-04-18T09:30:00+01:00"  # moved: the same meeting
    again["participants"][2]["email"] = "chen.wei@example.org"  # another person for the file
    again["participants"].append(
        {
            "ref": "d",
            "name": "Dana",
            "email": "dana@example.org",
            "organisation": "Dana Ltd",
            "kind": "exhibitor",
            "languages": ["en"],
        }
    )
    again["requests"].append({"from": "a", "to": "d", "status": "pending"})
    event = event_import(data=again, replace=True)
    assert event.pk == before["event"]
    assert dict(event.slots.values_list("start", "pk")) == before["slots"]
    assert dict(event.tables.values_list("name", "pk")) == before["tables"]
    people = dict(event.participants.values_list("ref", "pk"))
    assert people["a"] == before["people"]["a"] and people["b"] == before["people"]["b"]
    assert people["c"] != before["people"]["c"]  # another email: another person
    assert people["d"] not in before["people"].values()
    requests = {
        (r.sender.ref, r.recipient.ref): r.pk
        for r in event.requests.select_related("sender", "recipient")
    }
    assert requests[("a", "b")] == before["requests"][("a", "b")]
    assert requests[("c", "b")] != before["requests"][("c", "b")]  # Chen is someone else
    assert requests[("a", "d")] not in before["requests"].values()
    moved = Meeting.objects.get(event=event)
    assert moved.pk == before["meeting"]
    assert moved.slot.start.astimezone(event.tz).strftime("%H:%M") == "09:30"
    # its version goes past the one it had: a page or client holding that one is told it changed
    assert moved.version == before["version"] + 1
    # the rows that point to it follow it: its seats, its log, the emails about the move
    assert {s.participant.ref for s in moved.seats.select_related("participant")} == {"a", "b"}
    assert moved.log.exists()
    assert Notification.objects.filter(meeting=moved, kind="meeting_moved").count() == 2
    # rows made afterwards get fresh ids (the database's counters were not confused)
    dana, chen = event.participants.get(ref="d"), event.participants.get(ref="c")
    made = request_create(sender=chen, recipient=dana)
    assert made.pk not in requests.values()


def test_a_replacing_import_keeps_the_emails_so_no_reminder_goes_out_twice(settings):
    """The exploratory tester: every replace dropped the emails of the old rows, so the
    reminder of each meeting to come went out again (60 in the demo)."""
    from matchmaking.services.notifications import reminders_due

    settings.REMINDER_MINUTES = 60 * 24 * 60
    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0]["start"] = f"{day}T09:00"
    event = event_import(data=data)
    assert reminders_due() == 2  # both sides of the meeting
    pending = Notification.objects.filter(kind="meeting_reminder").first()
    Notification.objects.filter(pk=pending.pk).update(status="pending")  # one not sent yet
    event_import(data=selectors.event_export(event=event), replace=True)
    assert reminders_due() == 0
    kept = Notification.objects.get(key=pending.key)
    assert kept.status == "pending" and kept.meeting.request.sender.ref == "a"  # still to send
    assert kept.created_at == pending.created_at


def test_a_request_keeps_its_id_when_an_earlier_one_of_the_pair_leaves_the_file():
    """The exploratory tester: ids went by position within a pair, so deleting a withdrawn
    request from the export gave the pending one the withdrawn one's id."""
    from matchmaking.services.requests import request_cancel, request_create

    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0]["start"] = f"{day}T09:00"
    data["requests"] = data["requests"][:1]  # a -> b, with its meeting
    event = event_import(data=data)
    chen, bruno = event.participants.get(ref="c"), event.participants.get(ref="b")
    first = request_create(sender=chen, recipient=bruno)
    request_cancel(request=first, by=chen)
    second = request_create(sender=chen, recipient=bruno)
    exported = selectors.event_export(event=event)
    exported["requests"] = [
        r for r in exported["requests"] if not (r["from"] == "c" and r["status"] == "cancelled")
    ]
    event_import(data=exported, replace=True)
    kept = MeetingRequest.objects.get(sender__ref="c", recipient__ref="b")
    assert (kept.pk, kept.status) == (second.pk, "pending")
    assert not MeetingRequest.objects.filter(pk=first.pk).exists()


def test_who_stays_is_told_when_the_file_drops_the_other_side(django_capture_on_commit_callbacks):
    """The exploratory tester: a participant the new file leaves out took their meetings and
    requests with them, and nobody was told."""
    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0]["start"] = f"{day}T09:00"  # Amina meets Bruno; Chen asks Bruno
    event_import(data=data)
    without_bruno = copy.deepcopy(data)
    without_bruno["participants"] = [p for p in data["participants"] if p["ref"] != "b"]
    without_bruno["requests"], without_bruno["meetings"] = [], []
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=without_bruno, replace=True)
    told = {
        n.recipient.ref: n
        for n in Notification.objects.filter(kind__in=["meeting_cancelled", "request_withdrawn"])
    }
    assert told["a"].kind == "meeting_cancelled" and told["c"].kind == "request_withdrawn"
    assert told["a"].language == "fr"
    assert "Bruno (CleanTech SA)" in told["a"].subject
    assert "Bruno ne figure plus sur la liste des participants du salon." in told["a"].body
    assert "Bruno is no longer on the fair's participant list." in told["c"].body
    assert told["c"].body.startswith("The organisers withdrew the meeting request")
    # the same file again: nobody is told twice
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=copy.deepcopy(without_bruno), replace=True)
    assert (
        Notification.objects.filter(kind__in=["meeting_cancelled", "request_withdrawn"]).count()
        == 2
    )


def test_a_proposed_time_goes_through_export_and_import():
    data = small_event_on(30)
    (day,) = days_from_today(30)
    data["meetings"][0]["start"] = f"{day}T09:00"
    data["requests"][1]["proposed"] = f"{day}T09:30"  # Chen proposes 9:30 to Bruno
    event = event_import(data=data)
    request = MeetingRequest.objects.get(sender__ref="c")
    assert request.proposed_slot.start.astimezone(event.tz).strftime("%H:%M") == "09:30"
    exported = selectors.event_export(event=event)
    assert exported["requests"][1]["proposed"].startswith(f"{day}T09:30")
    event_import(data=exported, replace=True)
    assert MeetingRequest.objects.get(sender__ref="c").proposed_slot_id == request.proposed_slot_id
    wrong = copy.deepcopy(data)
    wrong["requests"][1]["proposed"] = f"{day}T09:10"  # inside a slot, not its start
    with pytest.raises(ImportInvalid) as refused:
        event_import(data=wrong, replace=True)
    assert "requests[1] (c → b).proposed" in refused.value.errors[0]
    assert "is not the start of one of the event's meeting slots" in refused.value.errors[0]
    afternoon = copy.deepcopy(data)
    afternoon["requests"][1].update(session="morning", proposed=f"{day}T14:00")
    with pytest.raises(ImportInvalid) as refused:
        event_import(data=afternoon, replace=True)
    assert "is in the afternoon, and the request asks for the morning" in refused.value.errors[0]


def test_a_replacing_import_keeps_what_participants_wrote_to_each_other():
    """Amina's conversation with Bruno outlives a new registration list (ids, times, read
    state), between the people the new file keeps; Chen's, whom the file makes another person,
    goes with him."""
    from matchmaking.models import Message
    from matchmaking.services.messages import message_send, messages_read

    def conversations():
        return {
            m.pk: (m.sender.ref, m.recipient.ref, m.body, m.created_at, m.read_at)
            for m in Message.objects.select_related("sender", "recipient")
        }

    data = small_event()
    event = event_import(data=data)
    amina, bruno, chen = (event.participants.get(ref=r) for r in "abc")
    message_send(sender=amina, recipient_id=bruno.pk, body="See you at 9")
    message_send(sender=bruno, recipient_id=amina.pk, body="Yes")
    messages_read(participant=bruno, other_id=amina.pk)
    message_send(sender=chen, recipient_id=bruno.pk, body="Any time for me?")
    before = conversations()

    again = copy.deepcopy(data)
    again["participants"][2]["email"] = "chen.wei@example.org"  # another person for the file
    event_import(data=again, replace=True)
    kept = {pk: row for pk, row in before.items() if "c" not in row[:2]}
    assert len(kept) == 2
    assert conversations() == kept


def test_colleagues_in_a_meeting_are_told_when_the_file_drops_its_other_side(
    django_capture_on_commit_callbacks,
):
    """Colleagues who sat in a meeting to come whose other side the new file no longer lists
    are told too, each once, in their language (but one the file drops as well)."""
    data = with_colleagues()  # Hind (fr) sits in Amina's meeting with Bruno
    data["event"]["days"] = [{**data["event"]["days"][0], "date": d} for d in days_from_today(30)]
    del data["participants"][0]["availability"]
    (day,) = days_from_today(30)
    data["participants"].append(
        {
            "ref": "b2",
            "name": "Karim",
            "email": "karim@example.org",
            "organisation": "CleanTech SA",
            "kind": "exhibitor",
            "languages": ["ar"],
            "offers": [],
            "needs": [],
            "sectors": [],
        }
    )
    data["meetings"][0]["start"] = f"{day}T09:00"
    data["meetings"][0]["attendees"] = [{"ref": "a2"}, {"ref": "a3"}, {"ref": "b2"}]
    event_import(data=data)
    # Bruno leaves the list, and Omar with him
    without = copy.deepcopy(data)
    without["participants"] = [p for p in data["participants"] if p["ref"] not in ("b", "a3")]
    without["requests"], without["meetings"] = [], []
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=without, replace=True)
    told = {
        n.recipient.ref: n
        for n in Notification.objects.filter(kind="meeting_cancelled").select_related("recipient")
    }
    assert sorted(told) == ["a", "a2", "b2"]
    hind, karim = told["a2"], told["b2"]
    assert (hind.language, karim.language) == ("fr", "ar")
    assert hind.subject == (
        "Votre rendez-vous avec Amina (Ville de Rabat), Bruno (CleanTech SA), Omar (Ville de "
        f"Rabat) et Karim (CleanTech SA) du {email_time(day, '09:00', 'fr')} est annulé"
    )
    assert hind.body.endswith("Bruno ne figure plus sur la liste des participants du salon.")
    # each in their own language's list: Karim reads Arabic (its comma, and و before the last)
    assert karim.subject.startswith(
        "أُلغي لقاؤك مع Amina (Ville de Rabat)، Bruno (CleanTech SA)، Hind (Ville de Rabat) وOmar "
        "(Ville de Rabat) يوم "
    )
    assert "Karim (CleanTech SA)" not in karim.subject
    assert email_time(day, "09:00", "ar") in karim.subject
    # the same file again: nobody is told twice
    with django_capture_on_commit_callbacks(execute=True):
        event_import(data=copy.deepcopy(without), replace=True)
    assert Notification.objects.filter(kind="meeting_cancelled").count() == 3


def test_a_meeting_whose_day_a_replacing_import_drops_is_told_and_counted(
    django_capture_on_commit_callbacks,
):
    """A day taken out of the programme took its meetings still to come with it in silence (no
    email, no count): a meeting cannot be kept without its slot, but its two people are told it
    is cancelled (the organisers updated the programme), and the answer counts it."""
    from matchmaking.models import Meeting, Notification

    data = small_event_on(30, 31)
    first, second = days_from_today(30, 31)
    data["meetings"][0]["start"] = f"{first}T09:00"
    data["requests"][1]["status"] = "accepted"  # c -> b
    data["meetings"].append({"from": "c", "to": "b", "start": f"{second}T09:30"})
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=data)
    assert event.replaced is None
    shorter = copy.deepcopy(data)
    shorter["event"]["days"] = shorter["event"]["days"][:1]  # the second day is dropped
    shorter["meetings"] = shorter["meetings"][:1]
    for person in shorter["participants"]:
        person.pop("availability", None)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=shorter, replace=True)
    assert event.replaced["meetings_cancelled"] == 1
    assert not Meeting.objects.filter(event=event, request__sender__ref="c").exists()
    told = sorted(
        (n.kind, n.recipient.ref, n.body)
        for n in Notification.objects.filter(kind="meeting_cancelled").select_related("recipient")
    )
    assert [(kind, ref) for kind, ref, _body in told] == [
        ("meeting_cancelled", "b"),
        ("meeting_cancelled", "c"),
    ]
    assert told[0][2] == (  # Bruno reads French
        f"Votre rendez-vous avec Chen (Shanghai) du {email_time(second, '09:30', 'fr')} est "
        "annulé. Motif : Les "
        "organisateurs ont mis à jour le programme de l’événement."
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        event = event_import(data=shorter, replace=True)  # again: nothing more to tell
    assert event.replaced["meetings_cancelled"] == 0
    assert Notification.objects.count() == 0


def test_a_replacing_import_keeps_a_table_out_of_service():
    """A table the organisers took out of service mid-fair stays so when the event is imported
    again (a late registration list): the import format does not say it, and a broken table is
    not mended by a new file."""
    from matchmaking.models import Table

    event = event_import(data=small_event())
    Table.objects.filter(event=event, shared=True, name="T01").update(out_of_service=True)

    event = event_import(data=small_event(), replace=True)

    out = dict(event.tables.filter(shared=True).values_list("name", "out_of_service"))
    assert out == {"T01": True, "T02": False}
