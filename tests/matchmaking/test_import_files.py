"""Import files as organisers' tools save them: a JSON file written by Windows Notepad, Excel's
"Save as" or PowerShell starts with a byte order mark (BOM), and some save UTF-16; the command
and the API refused them as "not valid JSON"."""

import codecs
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from matchmaking.models import Event
from tests.matchmaking.test_importer import small_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # with its BOM, as Notepad's "Unicode"
    ],
    ids=["utf-8 with BOM", "utf-16"],
)
def test_import_command_reads_a_file_with_a_byte_order_mark(tmp_path, encode):
    path = tmp_path / "fair.json"
    data = small_event()
    data["participants"][0]["name"] = "أمينة العلوي"
    path.write_bytes(encode(json.dumps(data, ensure_ascii=False)))

    call_command("import_event", str(path), "--skip-recommendations")

    event = Event.objects.get(slug="mini-fair")
    assert event.participants.get(ref="a").name == "أمينة العلوي"


def test_import_api_reads_a_body_with_a_byte_order_mark(organiser_client):
    body = codecs.BOM_UTF8 + json.dumps(small_event(), ensure_ascii=False).encode("utf-8")

    response = organiser_client.post("/api/events/import/", body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert response.data["participants"] == 3


EXCEL_CSV = (
    "\ufeffref;name;email;organisation;kind;languages\r\nr1;يوسف;y@rabat.ma;Rabat;delegation;ar\r\n"
)


def test_import_command_says_a_csv_file_is_not_the_import_format(tmp_path):
    """A registration list saved from a spreadsheet (semicolons, BOM) was refused with "not
    valid JSON: Expecting value at line 1, column 1", which told the organiser nothing."""
    path = tmp_path / "inscriptions.csv"
    path.write_text(EXCEL_CSV, encoding="utf-8")

    with pytest.raises(CommandError) as info:
        call_command("import_event", str(path), "--skip-recommendations")

    assert str(info.value) == (
        f"{path} is not valid JSON: Expecting value at line 1, column 1. It looks like a CSV or "
        "spreadsheet file (its first line: ref;name;email;organisation;kind;languages); the "
        "import takes the JSON import format (docs/import-format.md), one object per "
        "participant: convert the registration list to it."
    )
    assert Event.objects.count() == 0


def test_import_api_says_a_csv_body_is_not_the_import_format(organiser_client):
    response = organiser_client.post(
        "/api/events/import/", EXCEL_CSV.encode("utf-8"), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert (
        "It looks like a CSV or spreadsheet file (its first line: ref;name;email;"
        in (response.json()["detail"])
    )


@pytest.mark.parametrize(
    ("start", "why"),
    [
        ("2018-04-19T09:00", "2018-04-19 is not one of the fair's days (2018-04-18)"),
        ("2018-04-18T09:15", "the nearest slots that day start at 09:00 and 09:30"),
        ("2018-04-18T15:00", "the nearest slots that day start at 14:30"),
    ],
)
def test_a_meeting_off_the_slots_says_the_fairs_days_or_the_nearest_slots(start, why):
    """ "is not the start of a slot of this event" left the organiser to guess whether the day
    or the time was wrong, and what to write instead."""
    from matchmaking.services.importer import ImportInvalid, event_import

    data = small_event()
    data["meetings"][0]["start"] = start

    with pytest.raises(ImportInvalid) as info:
        event_import(data=data)

    assert info.value.errors == [
        f"meetings[0] (a ↔ b).start: {start} is not the start of a slot of this event: {why}"
    ]
