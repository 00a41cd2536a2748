"""Hand-read text on the pages: a NUL character (which PostgreSQL refuses in text) answers 400
with a sentence, never a 500; CSV cells never become spreadsheet formulas."""

import csv
import io

import pytest
from django.test import Client

from matchmaking.models import Meeting, MeetingRequest
from matchmaking.reporting import csv_cell
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

REFUSED = (
    "The text you sent contains a character that cannot be used (a NUL or an invalid "
    "character). Remove it and try again."
)


def client_of(participant) -> Client:
    client = Client()
    client.force_login(participant.user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def booked(sender, recipient, slot) -> Meeting:
    request = RequestFactory(
        sender=sender, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
    )
    return meeting_book(request=request, slot=slot, actor=Actor(system=True))


@pytest.mark.parametrize("q", ["\x00", "a\x00b"])
def test_organiser_participant_search_with_nul_answers_400(staff_client, event, q):
    response = staff_client.get(f"/organiser/{event.slug}/participants/", {"q": q})
    assert response.status_code == 400
    assert messages_of(response) == [REFUSED]


def test_organiser_grid_search_with_nul_answers_400(staff_client, event):
    response = staff_client.get(f"/organiser/{event.slug}/grid/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert messages_of(response) == [REFUSED]


def test_organiser_participant_search_still_finds(staff_client, event, make_participant):
    make_participant(name="Amina Alaoui")
    response = staff_client.get(f"/organiser/{event.slug}/participants/", {"q": " amina "})
    assert response.status_code == 200
    assert [p.name for p in response.context["people"]] == ["Amina Alaoui"]


def test_participant_requests_search_with_nul_answers_400(event, make_participant):
    me = make_participant()
    response = client_of(me).get(f"/my/{event.slug}/requests/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert messages_of(response) == [REFUSED]


def test_participant_request_cancel_with_nul_reason_answers_400_and_keeps_it(
    event, make_participant
):
    me, other = make_participant(), make_participant()
    mine = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.PENDING)
    response = client_of(me).post(
        f"/my/{event.slug}/requests/{mine.pk}/cancel/", {"reason": "a\x00b"}
    )
    assert response.status_code == 400
    assert messages_of(response) == [REFUSED]
    mine.refresh_from_db()
    assert mine.status == MeetingRequest.Status.PENDING


def test_participant_meeting_cancel_with_nul_reason_answers_400_and_keeps_it(
    upcoming_event, make_participant
):
    event = upcoming_event
    me, other = make_participant(event=event), make_participant(event=event)
    meeting = booked(me, other, event.slots.order_by("start").first())
    response = client_of(me).post(
        f"/my/{event.slug}/meetings/{meeting.pk}/cancel/", {"reason": "a\x00b"}
    )
    assert response.status_code == 400
    assert messages_of(response) == [REFUSED]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_participant_meeting_cancel_reason_is_stripped_and_refused_when_too_long(
    upcoming_event, make_participant
):
    """Stripped; over 300 characters refused (it was cut short in silence, while the API and
    the console refuse it), nothing cancelled."""
    event = upcoming_event
    me, other = make_participant(event=event), make_participant(event=event)
    meeting = booked(me, other, event.slots.order_by("start").first())
    url = f"/my/{event.slug}/meetings/{meeting.pk}/cancel/"
    response = client_of(me).post(url, {"reason": "  " + "x" * 400})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    client_of(me).post(url, {"reason": "  " + "x" * 300 + "  "})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "x" * 300)


# ------------------------------------------------------------------------------------------------
# CSV injection


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
        ("+212 600", "'+212 600"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Amina = CEO", "Amina = CEO"),
        ("", ""),
        (12, 12),
    ],
)
def test_csv_cell_neutralises_formulas(value, written):
    assert csv_cell(value) == written


def test_meetings_csv_writes_formula_like_names_as_text(
    staff_client, event, make_participant, book
):
    a = make_participant(name='=HYPERLINK("http://x","click")', email="a@example.org")
    b = make_participant(name="@Bruno", email="b@example.org")
    book(a, b, 0)
    response = staff_client.get(f"/organiser/{event.slug}/exports/meetings.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert row[header.index("party_a_name")] == '\'=HYPERLINK("http://x","click")'
    assert row[header.index("party_b_name")] == "'@Bruno"
    assert row[header.index("party_a_email")] == "a@example.org"
