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
