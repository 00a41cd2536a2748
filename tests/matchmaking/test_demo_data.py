"""The demo event (fixture) and synthetic events: schema-valid and internally consistent."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from matchmaking import demo_data
from matchmaking.demo_data import build_demo_event, build_synthetic_event

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "matchmaking" / "import_format.schema.json"
FIXTURE_PATH = ROOT / "fixtures" / "smart_city_expo_2018.json"
SHANGHAI = "Shanghai Municipal Government (Guest of Honour)"

_ARABIC = re.compile(r"[\u0600-\u06ff]")
_FR_WORDS = re.compile(r"\b(de|des|du|et|la|le|les|nous|notre|nos|pour|dans|je|est)\b", re.I)
_EN_WORDS = re.compile(r"\b(the|and|of|we|our|for|in|i|is|with)\b", re.I)


def description_language(text: str) -> str:
    if _ARABIC.search(text):
        return "ar"
    return "fr" if len(_FR_WORDS.findall(text)) > len(_EN_WORDS.findall(text)) else "en"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return build_demo_event()


@pytest.fixture(scope="module")
def fixture_data() -> dict[str, Any]:
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Any]:
    return build_synthetic_event(500, seed=7)


def schema_errors(validator: Draft202012Validator, data: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def to_local(value: str, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Parse an import-format datetime into naive local time of the event."""
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(tz)
    return parsed.replace(tzinfo=None)


def day_windows(event: dict[str, Any], key: str) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for day in event["days"]:
        date = dt.date.fromisoformat(day["date"])
        for item in day.get(key, []):
            start = dt.datetime.combine(date, dt.time.fromisoformat(item["start"]))
            end = dt.datetime.combine(date, dt.time.fromisoformat(item["end"]))
            out.append((start, end))
    return out


# --- Files and schema ------------------------------------------------------------------------


def test_fixture_file_is_build_demo_event_output(
    fixture_data: dict[str, Any], demo: dict[str, Any]
) -> None:
    assert fixture_data == demo
    expected = json.dumps(demo, indent=1, ensure_ascii=False) + "\n"
    assert FIXTURE_PATH.read_text(encoding="utf-8") == expected


def test_demo_is_deterministic_and_seed_dependent(demo: dict[str, Any]) -> None:
    assert build_demo_event(2018) == demo
    assert build_demo_event(1) != demo


def test_schema_is_strict(validator: Draft202012Validator) -> None:
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, path
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(validator.schema, "#")
    assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_fixture_validates_against_schema(
    validator: Draft202012Validator, fixture_data: dict[str, Any]
) -> None:
    assert schema_errors(validator, fixture_data) == []


def test_synthetic_validates_against_schema(
    validator: Draft202012Validator, synthetic: dict[str, Any]
) -> None:
    assert schema_errors(validator, synthetic) == []


def test_schema_rejects_bad_documents(
    validator: Draft202012Validator, demo: dict[str, Any]
) -> None:
    bad = json.loads(json.dumps(demo))
    bad["participants"][0]["sectors"] = ["smart_stuff"]
    bad["participants"][1]["email"] = "not-an-email"
    bad["participants"][2]["unknown"] = 1
    bad["requests"][0]["priority"] = 6
    bad["event"]["slot_minutes"] = 4
    bad["event"]["days"][0]["date"] = "2018-02-30"
    bad["meetings"][0]["status"] = "done"
    paths = {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(bad)}
    assert paths == {
        "participants/0/sectors/0",
        "participants/1/email",
        "participants/2",
        "requests/0/priority",
        "event/slot_minutes",
        "event/days/0/date",
        "meetings/0/status",
    }


def test_export_keys_are_allowed(validator: Draft202012Validator, demo: dict[str, Any]) -> None:
    exported = json.loads(json.dumps(demo))
    for meeting in exported["meetings"]:
        start = dt.datetime.fromisoformat(meeting["start"])
        meeting["end"] = (start + dt.timedelta(minutes=20)).isoformat()
        meeting["status"] = "scheduled"
    assert schema_errors(validator, exported) == []


# --- Demo event content ----------------------------------------------------------------------


def test_demo_event_block(demo: dict[str, Any]) -> None:
    event = demo["event"]
    assert event["slug"] == "smart-city-expo-casablanca-2018"
    assert event["timezone"] == "Africa/Casablanca"
    zoneinfo.ZoneInfo(event["timezone"])
    assert event["slot_minutes"] == 20
    assert event["tables"] == [{"name": f"Lounge {i:02d}"} for i in range(1, 41)]
    assert [d["date"] for d in event["days"]] == ["2018-04-18", "2018-04-19", "2018-04-20"]
    for day in event["days"]:
        assert [(s["start"], s["end"]) for s in day["sessions"]] == [
            ("09:30", "12:30"),
            ("14:00", "18:00"),
        ]
        assert [(b["start"], b["end"]) for b in day["breaks"]] == [("11:00", "11:15")]


@pytest.mark.parametrize("data_name", ["demo", "synthetic"])
def test_refs_and_emails_unique(data_name: str, request: pytest.FixtureRequest) -> None:
    data = request.getfixturevalue(data_name)
    refs = [p["ref"] for p in data["participants"]]
    emails = [p["email"].lower() for p in data["participants"]]
    assert len(refs) == len(set(refs))
    assert len(emails) == len(set(emails))


@pytest.mark.parametrize("data_name", ["demo", "synthetic"])
def test_requests_are_valid_pairs(data_name: str, request: pytest.FixtureRequest) -> None:
    data = request.getfixturevalue(data_name)
    people = {p["ref"]: p for p in data["participants"]}
    pairs = set()
    for req in data["requests"]:
        a, b = people[req["from"]], people[req["to"]]
        assert a["ref"] != b["ref"]
        assert a["organisation"] != b["organisation"], req
        if a["kind"] == b["kind"] == "exhibitor":  # the importer's rule: absent = not opted in
            assert a.get("accepts_same_kind") and b.get("accepts_same_kind"), req
        elif a["kind"] == b["kind"]:
            assert a.get("accepts_same_kind", True) and b.get("accepts_same_kind", True), req
        pairs.add(frozenset((a["ref"], b["ref"])))
    assert len(pairs) == len(data["requests"])  # no duplicate pair, in either direction


def test_demo_counts(demo: dict[str, Any]) -> None:
    participants = demo["participants"]
    assert 280 <= len(participants) <= 320
    kinds = Counter(p["kind"] for p in participants)
    assert set(kinds) == set(demo_data.KINDS)
    assert kinds["delegation"] >= 60
    assert kinds["exhibitor"] >= 60
    statuses = Counter(r["status"] for r in demo["requests"])
    assert 230 <= len(demo["requests"]) <= 270
    assert statuses["accepted"] > statuses["pending"] > statuses["declined"] > 0
    assert 25 <= len(demo["meetings"]) <= 35
    without_sectors = sum(1 for p in participants if not p["sectors"])
    assert 0.05 <= without_sectors / len(participants) <= 0.15
    assert any(r.get("priority") for r in demo["requests"])
    assert {r["session"] for r in demo["requests"] if "session" in r} == {
        "morning",
        "afternoon",
        "any",
    }


def test_demo_requests_are_compatible(demo: dict[str, Any]) -> None:
    """Every request links two participants whose sectors can be matched: what one needs is in
    the other's sectors (checked on all requests where both profiles list sectors)."""
    people = {p["ref"]: p for p in demo["participants"]}
    checked = 0
    for req in demo["requests"]:
        a, b = people[req["from"]], people[req["to"]]
        if a["sectors"] and b["sectors"]:
            assert set(a["sectors"]) & set(b["sectors"]), req
            checked += 1
    assert checked >= 150


def test_demo_languages(demo: dict[str, Any]) -> None:
    participants = demo["participants"]
    langs = Counter(description_language(p["description"]) for p in participants)
    assert set(langs) == {"fr", "en", "ar"}
    n = len(participants)
    assert 0.33 <= langs["fr"] / n <= 0.47
    assert 0.28 <= langs["en"] / n <= 0.42
    assert 0.18 <= langs["ar"] / n <= 0.32
    for p in participants:
        lang = description_language(p["description"])
        assert lang in p["languages"], p["ref"]
        for phrase in p["offers"] + p["needs"]:
            assert bool(_ARABIC.search(phrase)) == (lang == "ar"), (p["ref"], phrase)
        if p["country"] == "MA":
            assert {"fr", "ar"} <= set(p["languages"]), p["ref"]
        if p["country"] == "CN":
            assert {"zh", "en"} <= set(p["languages"]), p["ref"]
    descriptions = [p["description"] for p in participants]
    assert len(set(descriptions)) == len(descriptions)


def test_demo_delegations(demo: dict[str, Any]) -> None:
    orgs: dict[str, list[dict[str, Any]]] = {}
    for p in demo["participants"]:
        if p["kind"] == "delegation":
            orgs.setdefault(p["organisation"], []).append(p)
    shanghai = orgs[SHANGHAI]
    assert len(shanghai) >= 3
    assert len(shanghai) == max(len(members) for members in orgs.values())
    assert {p["city"] for p in shanghai} == {"Shanghai"}
    cities = {p["city"] for members in orgs.values() for p in members}
    assert {"Casablanca", "Rabat", "Marrakech", "Tanger", "Fès", "Agadir", "Oujda"} <= cities
    assert {"Dakar", "Abidjan", "Kigali", "Lagos", "Tunis", "Nairobi"} <= cities
    assert {"Barcelona", "Lyon", "Lisbon", "Bordeaux"} <= cities
    assert {"Shenzhen", "Hangzhou"} <= cities
    multi = Counter(p["organisation"] for p in demo["participants"])
    assert sum(1 for count in multi.values() if count >= 2) >= 40
    assert all(p["needs"] for members in orgs.values() for p in members)
    booths = [p for p in demo["participants"] if p.get("fixed_table")]
    assert sum(1 for p in booths if p["kind"] == "exhibitor") >= 30


# --- Meetings --------------------------------------------------------------------------------


def test_meetings_are_valid(demo: dict[str, Any]) -> None:
    event = demo["event"]
    tz = zoneinfo.ZoneInfo(event["timezone"])
    length = dt.timedelta(minutes=event["slot_minutes"])
    sessions = day_windows(event, "sessions")
    breaks = day_windows(event, "breaks")
    people = {p["ref"]: p for p in demo["participants"]}
    tables = {t["name"] for t in event["tables"]}
    accepted = {(r["from"], r["to"]) for r in demo["requests"] if r["status"] == "accepted"}
    sessions_by_pair = {(r["from"], r["to"]): r.get("session", "any") for r in demo["requests"]}
    busy_people: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    busy_tables: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    count: Counter[str] = Counter()

    def overlaps(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    for m in demo["meetings"]:
        start = to_local(m["start"], tz)
        slot = (start, start + length)
        assert any(s <= slot[0] and slot[1] <= e for s, e in sessions), m
        assert not any(overlaps(slot, b) for b in breaks), m
        assert (m["from"], m["to"]) in accepted, m
        pref = sessions_by_pair[(m["from"], m["to"])]
        assert pref == "any" or (pref == "morning") == (start.hour < 13), m
        a, b = people[m["from"]], people[m["to"]]
        fixed = [t for t in (a.get("fixed_table"), b.get("fixed_table")) if t]
        if fixed:
            assert [m["table"]] == fixed, m
        else:
            assert m["table"] in tables, m
        for p in (a, b):
            assert all(not overlaps(slot, other) for other in busy_people.get(p["ref"], [])), m
            busy_people.setdefault(p["ref"], []).append(slot)
            count[p["ref"]] += 1
            windows = p.get("availability")
            if windows:
                assert any(
                    to_local(w["start"], tz) <= slot[0] and slot[1] <= to_local(w["end"], tz)
                    for w in windows
                ), m
        assert all(not overlaps(slot, other) for other in busy_tables.get(m["table"], [])), m
        busy_tables.setdefault(m["table"], []).append(slot)
    for ref, n in count.items():
        assert n <= people[ref].get("max_meetings", n), ref
    assert any(m.get("fixed") for m in demo["meetings"])
    assert any(
        SHANGHAI in (people[m["from"]]["organisation"], people[m["to"]]["organisation"])
        for m in demo["meetings"]
    )


def test_slot_starts_skip_the_break() -> None:
    starts = [s.strftime("%H:%M") for s in demo_data.slot_starts(["2018-04-18"])]
    assert starts[:8] == ["09:30", "09:50", "10:10", "10:30", "11:15", "11:35", "11:55", "14:00"]
    assert starts[-1] == "17:40"
    assert len(starts) == 19


# --- Synthetic events ------------------------------------------------------------------------


def test_synthetic_shape(synthetic: dict[str, Any]) -> None:
    assert len(synthetic["participants"]) == 500
    assert synthetic["meetings"] == []
    accepted = sum(1 for r in synthetic["requests"] if r["status"] == "accepted")
    assert accepted == 1500  # n * request_ratio / 2
    refs = {p["ref"] for p in synthetic["participants"]}
    assert all(r["from"] in refs and r["to"] in refs for r in synthetic["requests"])
    received = Counter(r["to"] for r in synthetic["requests"])
    top = received.most_common(1)[0][1]
    assert top >= 10 * (len(synthetic["requests"]) / len(refs))  # Zipf-skewed popularity
    langs = Counter(description_language(p["description"]) for p in synthetic["participants"])
    assert set(langs) == {"fr", "en", "ar"}
    assert build_synthetic_event(500, seed=7) == synthetic


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_synthetic_small_sizes(n: int, validator: Draft202012Validator) -> None:
    data = build_synthetic_event(n, days=1, tables=3)
    assert len(data["participants"]) == n
    assert len(data["event"]["days"]) == 1
    assert data["event"]["tables"] == 3
    assert schema_errors(validator, data) == []


def test_synthetic_5000_is_fast() -> None:
    import time

    t0 = time.perf_counter()
    data = build_synthetic_event(5000, seed=1)
    elapsed = time.perf_counter() - t0
    assert len(data["participants"]) == 5000
    assert sum(1 for r in data["requests"] if r["status"] == "accepted") == 15000
    assert elapsed < 5.0


# --- Command line ----------------------------------------------------------------------------


def test_cli_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.json"
    assert demo_data.main(["-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == build_demo_event()
    assert demo_data.main(["--participants", "20", "--seed", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == build_synthetic_event(20, seed=3)


def test_move_to_upcoming_moves_every_date_by_whole_weeks(fixture_data: dict[str, Any]) -> None:
    today = dt.date(2026, 11, 26)
    moved, days = demo_data.move_to_upcoming(fixture_data, today)
    assert days % 7 == 0 and days > 0
    first = dt.date.fromisoformat(moved["event"]["days"][0]["date"])
    assert today + dt.timedelta(days=14) <= first < today + dt.timedelta(days=21)
    assert first.weekday() == dt.date(2018, 4, 18).weekday()  # a Wednesday, as in 2018
    late = dt.timedelta(days=days)
    ev, old = moved["event"], fixture_data["event"]
    for key in ("booking_opens", "booking_closes"):
        assert dt.datetime.fromisoformat(ev[key]) - dt.datetime.fromisoformat(old[key]) == late
    periods = [
        (p["availability"], q["availability"])
        for p, q in zip(moved["participants"], fixture_data["participants"], strict=True)
        if q.get("availability")
    ]
    assert periods
    for new, was in periods:
        for a, b in zip(new, was, strict=True):
            assert (
                dt.datetime.fromisoformat(a["start"]) - dt.datetime.fromisoformat(b["start"])
                == late
            )
            assert dt.datetime.fromisoformat(a["end"]) - dt.datetime.fromisoformat(b["end"]) == late
    for m, n in zip(moved["meetings"], fixture_data["meetings"], strict=True):
        assert dt.datetime.fromisoformat(m["start"]) - dt.datetime.fromisoformat(n["start"]) == late
    # the input is untouched, and a fair already far enough ahead does not move
    assert fixture_data["event"]["days"][0]["date"] == "2018-04-18"
    assert demo_data.move_to_upcoming(moved, today)[1] == 0


def test_demo_command_serves_an_upcoming_fair_participants_can_book(db, capsys) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from matchmaking.models import Event

    call_command("demo", no_serve=True)
    event = Event.objects.get(slug="smart-city-expo-casablanca-2018")
    first = event.slots.order_by("start").first().start
    assert first > timezone.now() + dt.timedelta(days=13)
    assert event.booking_open_at(timezone.now())
    assert "Dates moved by" in capsys.readouterr().out
    assert [u.username for u in event.organisers.all()] == ["organiser"]  # on the team


def test_demo_command_refuses_to_run_in_production(db, capsys) -> None:
    """``manage.py demo`` creates the superuser ``organiser`` / ``expo2018`` (printed in the
    README and by the command): run once against a production database to show the demo fair,
    it left a superuser of every event, the admin included, with a public password."""
    from django.contrib.auth import authenticate
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import override_settings

    from matchmaking.models import Event

    with (
        override_settings(PRODUCTION=True, DEBUG=False, ALLOWED_HOSTS=["example.org"]),
        pytest.raises(CommandError, match="refuses to run with DJANGO_ENV=production"),
    ):
        call_command("demo", no_serve=True, participants=8)
    assert authenticate(username="organiser", password="expo2018") is None
    assert not Event.objects.exists()  # refused before anything was written


@pytest.mark.parametrize("broker", [False, True])
def test_demo_command_fails_the_runs_its_last_process_left_unfinished(
    db, capsys, settings, broker
) -> None:
    """The demo solves runs in its own process (no broker): a run it was solving when it was
    stopped showed "Running" for its time limit plus 15 minutes after the restart. With a
    broker, a worker may still be solving it: it is left alone. (The suite runs with and without
    a broker, so each case sets it.)"""
    from django.core.management import call_command

    from matchmaking.models import ScheduleRun
    from tests.factories import EventFactory

    settings.CELERY_TASK_ALWAYS_EAGER = not broker
    run = ScheduleRun.objects.create(
        event=EventFactory(), options={"time_limit": 1000}, status="running"
    )
    call_command("demo", no_serve=True, participants=8)
    run.refresh_from_db()
    said = capsys.readouterr().out
    if broker:
        assert (run.status, run.error) == ("running", "")
        assert "left unfinished" not in said
        return
    assert (run.status, run.error) == (
        "failed",
        "The server stopped before this run finished; start it again.",
    )
    assert (
        "Scheduler runs left unfinished when the demo last stopped: 1 (marked failed; start "
        "them again)." in said
    )
