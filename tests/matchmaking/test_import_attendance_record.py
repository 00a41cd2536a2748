"""The attendance record in the import format: who did not come to a no-show (``absent``) and
the fair days each participant arrived (``arrived``) go out with the export and come back with
the import, and a replacing import keeps the entrance desk's record."""

import copy
import datetime as dt

import pytest

from matchmaking import selectors
from matchmaking.models import Arrival, Event, Meeting
from matchmaking.services.importer import ImportInvalid, event_import
from tests.factories import UserFactory
from tests.matchmaking.test_importer import days_from_today, small_event_on

pytestmark = pytest.mark.django_db


def fair_with_a_past_day() -> dict:
    """Two fair days, one a week ago and one next week; Amina missed her meeting with Bruno,
    Chen met Amina; Amina and Chen arrived on the first day."""
    data = small_event_on(-7, 7)
    past, _future = days_from_today(-7, 7)
    data["requests"][1]["status"] = "accepted"
    data["requests"].append({"from": "a", "to": "c", "status": "accepted"})
    data["meetings"] = [
        {"from": "a", "to": "b", "start": f"{past}T09:00", "status": "no_show", "absent": "sender"},
        {"from": "a", "to": "c", "start": f"{past}T09:30", "status": "held"},
    ]
    data["participants"][0]["arrived"] = [past]
    data["participants"][2]["arrived"] = [past]
    return data


def arrivals(event: Event) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ref, day in Arrival.objects.filter(event=event).values_list("participant__ref", "date"):
        out.setdefault(ref, []).append(day.isoformat())
    return out


def test_export_gives_who_did_not_come_and_arrivals_and_they_import_again():
    past, _ = days_from_today(-7, 7)
    event = event_import(data=fair_with_a_past_day())

    first = selectors.event_export(event=event)

    assert Meeting.objects.get(event=event, status="no_show").absent == "sender"
    assert [m.get("absent") for m in first["meetings"]] == ["sender", None]
    assert {p["ref"]: p.get("arrived") for p in first["participants"]} == {
        "a": [past],
        "b": None,
        "c": [past],
    }
    again = copy.deepcopy(first)
    again["event"]["slug"] = "mini-fair-copy"
    copied = event_import(data=again)
    second = selectors.event_export(event=copied)
    second["event"]["slug"] = "mini-fair"
    assert second == first
    assert arrivals(copied) == {"a": [past], "c": [past]}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d, past, future: d["meetings"][1].update(absent="both"),
            "meetings[1] (a ↔ c).absent: only a no_show meeting says who did not come (its status "
            "is held)",
        ),
        (
            lambda d, past, future: d["participants"][1].update(arrived=["2018-04-18"]),
            'participants[1] (ref "b").arrived[0]: 2018-04-18 is not one of the fair\'s days '
            "({past}, {future})",
        ),
        (
            lambda d, past, future: d["participants"][1].update(arrived=[past, future]),
            'participants[1] (ref "b").arrived[1]: {future} is still to come',
        ),
        (
            lambda d, past, future: d["participants"][1].update(arrived=[past, past]),
            'participants[1] (ref "b").arrived[1]: {past} is listed twice',
        ),
    ],
)
def test_import_refuses_a_wrong_attendance_record_naming_row_and_field(mutate, message):
    past, future = days_from_today(-7, 7)
    data = fair_with_a_past_day()
    mutate(data, past, future)

    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)

    assert info.value.errors == [message.format(past=past, future=future)]
    assert Event.objects.count() == 0
    assert Arrival.objects.count() == 0


def test_replacing_import_keeps_the_desks_arrivals_unless_the_file_lists_them():
    """A registration list imported again during the fair (no ``arrived``) used to wipe who had
    arrived; the desk's marks stay, with when and by whom. A file that lists them is the
    record."""
    past, _ = days_from_today(-7, 7)
    registration = small_event_on(-7, 7)
    registration["meetings"] = []
    event = event_import(data=registration)
    desk = UserFactory()
    amina = event.participants.get(ref="a")
    marked = Arrival.objects.create(
        event=event, participant=amina, date=dt.date.fromisoformat(past), by=desk
    )

    replaced = event_import(data=copy.deepcopy(registration), replace=True)

    (kept,) = Arrival.objects.filter(event=replaced)
    assert (kept.participant.ref, kept.date, kept.by, kept.at) == (
        "a",
        marked.date,
        desk,
        marked.at,
    )

    listed = copy.deepcopy(registration)
    listed["participants"][0]["arrived"] = []
    listed["participants"][1]["arrived"] = [past]
    replaced = event_import(data=listed, replace=True)

    assert arrivals(replaced) == {"b": [past]}


def with_feedback() -> dict:
    """``fair_with_a_past_day`` where Amina and Chen said how their meeting went."""
    past, _ = days_from_today(-7, 7)
    data = fair_with_a_past_day()
    data["meetings"][1]["feedback"] = [
        {
            "ref": "a",
            "took_place": True,
            "rating": 5,
            "outcome": "agreement",
            "comment": "Projet pilote à Rabat.",
            "given": f"{past}T18:00:00+01:00",
        },
        {"ref": "c", "took_place": True, "rating": 3, "given": f"{past}T18:30:00+01:00"},
    ]
    return data


def test_meeting_feedback_goes_out_with_the_export_and_imports_again():
    """The ratings sponsors ask for were in the feedback CSV only: a copy of the event (or its
    JSON record) lost them."""
    past, _ = days_from_today(-7, 7)
    event = event_import(data=with_feedback())

    first = selectors.event_export(event=event)

    assert first["meetings"][1]["feedback"] == [
        {
            "ref": "a",
            "took_place": True,
            "rating": 5,
            "outcome": "agreement",
            "comment": "Projet pilote à Rabat.",
            "given": f"{past}T18:00:00+01:00",
        },
        {"ref": "c", "took_place": True, "rating": 3, "given": f"{past}T18:30:00+01:00"},
    ]
    again = copy.deepcopy(first)
    again["event"]["slug"] = "mini-fair-copy"
    second = selectors.event_export(event=event_import(data=again))
    second["event"]["slug"] = "mini-fair"
    assert second == first
    # replaced by its own export: each giver's feedback once, as it was
    replaced = event_import(data=copy.deepcopy(first), replace=True)
    assert selectors.event_export(event=replaced) == first


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["meetings"][1]["feedback"][1].update(took_place=False),
            "meetings[1] (a ↔ c).feedback[1].rating: A meeting that did not take place has no "
            "rating: leave the rating out.",
        ),
        (
            lambda d: d["meetings"][1]["feedback"][1].pop("rating"),
            "meetings[1] (a ↔ c).feedback[1].rating: Rate the meeting from 1 (not useful) to 5 "
            "(very useful).",
        ),
        (
            lambda d: d["meetings"][1]["feedback"][1].update(ref="a"),
            "meetings[1] (a ↔ c).feedback[1].ref: a gave feedback on this meeting already",
        ),
        (
            lambda d: d["meetings"][1]["feedback"][1].update(ref="b"),
            "meetings[1] (a ↔ c).feedback[1].ref: b is not in this meeting; its two parties and "
            "the colleagues who attend it give feedback",
        ),
        (
            lambda d: d["meetings"][1].update(status="cancelled"),
            "meetings[1] (a ↔ c).feedback: a cancelled meeting has no feedback",
        ),
        (
            lambda d: d["meetings"][1]["feedback"][0].update(given="2099-01-01T10:00"),
            "meetings[1] (a ↔ c).feedback[0].given: 2099-01-01T10:00 is still to come",
        ),
        (
            lambda d: d["meetings"][1]["feedback"][0].update(given="0001-01-01T00:00+01:00"),
            "meetings[1] (a ↔ c).feedback[0].given: 0001-01-01T00:00+01:00 is not a date and "
            "time this event can hold",
        ),
        (
            lambda d: d["meetings"][1]["feedback"][0].update(given="1999-12-31T10:00"),
            "meetings[1] (a ↔ c).feedback[0].given: 1999-12-31T10:00 is not in the years 2000 "
            "to 2100",
        ),
    ],
)
def test_import_refuses_wrong_feedback_naming_row_and_field(mutate, message):
    data = with_feedback()
    mutate(data)

    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)

    assert info.value.errors == [message]
    assert Event.objects.count() == 0


def test_import_refuses_feedback_on_a_meeting_still_to_come():
    data = with_feedback()
    _, future = days_from_today(-7, 7)
    data["meetings"][1].update(start=f"{future}T09:30", status="scheduled")

    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)

    assert info.value.errors == [
        "meetings[1] (a ↔ c).feedback: the meeting is still to come; feedback opens when it starts"
    ]


def test_feedback_on_a_meeting_cancelled_since_is_not_exported_so_the_export_imports_again():
    """The organisers may cancel a meeting that started; its feedback stays in the database
    but the import refuses feedback on a cancelled meeting."""
    from matchmaking.services.meetings import meeting_cancel

    event = event_import(data=with_feedback())
    meeting = Meeting.objects.get(event=event, status="held")
    meeting_cancel(meeting=meeting, user=UserFactory(is_superuser=True), reason="Erreur")

    exported = selectors.event_export(event=event)

    assert "feedback" not in exported["meetings"][1]
    exported["event"]["slug"] = "mini-fair-copy"
    assert event_import(data=exported).meetings.filter(status="cancelled").count() == 1
