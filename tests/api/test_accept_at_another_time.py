"""POST .../requests/{id}/accept/ with {"slot": id}: accept at another time (a counter-proposal),
booked with the acceptance, or nothing done."""

from types import SimpleNamespace

import pytest

from matchmaking.models import Availability, Meeting, MeetingRequest, Notification
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import EventFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def pair(event, make_participant, as_participant):
    """Amina asked Bruno for a meeting (``request``), proposing the second slot; ``client``:
    Bruno's."""
    amina = make_participant(name="Amina", kind="delegation", languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor", languages=["en"])
    slots = list(event.slots.order_by("start"))
    sent = as_participant(amina).post(url(event), {"recipient": bruno.pk, "slot": slots[1].pk})
    assert sent.status_code == 201, sent.data
    request = MeetingRequest.objects.get(pk=sent.data["id"])
    return SimpleNamespace(
        amina=amina, bruno=bruno, request=request, slots=slots, client=as_participant(bruno)
    )


def url(event, tail=""):
    return f"/api/events/{event.slug}/requests/{tail}"


def still_pending(request) -> bool:
    request.refresh_from_db()
    return request.status == "pending" and not Meeting.objects.filter(request=request).exists()


def test_accepting_at_another_time_books_it_and_tells_the_sender(event, pair):
    accepted = pair.client.post(
        url(event, f"{pair.request.pk}/accept/"), {"slot": pair.slots[4].pk}, "json"
    )

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["status"] == "accepted"
    meeting = Meeting.objects.get(pk=accepted.data["meeting"]["id"])
    assert (meeting.request_id, meeting.slot_id) == (pair.request.pk, pair.slots[4].pk)
    note = Notification.objects.get(recipient=pair.amina, kind="meeting_booked")
    assert note.subject.startswith("Bruno (") and "accepted and booked your meeting" in note.subject
    assert "(you proposed " in note.body
    again = pair.client.post(url(event, f"{pair.request.pk}/accept/"), {"slot": pair.slots[5].pk})
    assert again.status_code == 409  # answered once: no longer pending
    assert again.data["code"] == "request_not_open"


def test_a_chosen_time_someone_took_answers_409_and_the_request_stays_pending(
    event, pair, make_participant
):
    chen = make_participant(name="Chen", kind="visitor")
    busy = RequestFactory(sender=chen, recipient=pair.amina, status="accepted")
    meeting_book(request=busy, slot=pair.slots[4], actor=Actor(system=True))

    refused = pair.client.post(
        url(event, f"{pair.request.pk}/accept/"), {"slot": pair.slots[4].pk}, "json"
    )

    assert refused.status_code == 409, refused.data
    assert (refused.data["code"], refused.data["field"]) == ("time_not_free", "slot")
    assert "Amina" not in refused.data["detail"]
    assert still_pending(pair.request)
    shown = pair.client.get(url(event, f"{pair.request.pk}/"))
    assert shown.data["status"] == "pending"


def test_a_time_outside_the_recipients_times_answers_409(event, pair):
    Availability.objects.create(
        participant=pair.bruno, start=pair.slots[0].start, end=pair.slots[2].end
    )

    refused = pair.client.post(
        url(event, f"{pair.request.pk}/accept/"), {"slot": pair.slots[6].pk}, "json"
    )

    assert refused.status_code == 409 and refused.data["code"] == "time_not_free"
    assert still_pending(pair.request)


@pytest.mark.parametrize("bad", ["elsewhere", 10**9, 10**20])
def test_a_slot_of_another_event_or_none_answers_400_naming_the_field(event, pair, bad):
    if bad == "elsewhere":
        bad = EventFactory(days=[pair.slots[0].date]).slots.first().pk

    refused = pair.client.post(url(event, f"{pair.request.pk}/accept/"), {"slot": bad}, "json")

    assert refused.status_code == 400, refused.data
    assert refused.data == {
        "detail": f"No slot {bad} in this event.",
        "code": "invalid",
        "field": "slot",
    }
    assert still_pending(pair.request)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ("x", "A valid integer is required."),
        (True, "A valid integer is required."),
        (0, "Ensure this value is greater than or equal to 1."),
        (-3, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_slot_that_is_no_id_answers_400_naming_the_field(event, pair, bad, error):
    refused = pair.client.post(url(event, f"{pair.request.pk}/accept/"), {"slot": bad}, "json")

    assert refused.status_code == 400
    assert refused.data["errors"] == {"slot": [error]}
    assert still_pending(pair.request)


def test_an_unknown_field_answers_400_and_nothing_is_done(event, pair):
    refused = pair.client.post(
        url(event, f"{pair.request.pk}/accept/"),
        {"slot": pair.slots[4].pk, "time": "10:00"},
        "json",
    )

    assert refused.status_code == 400
    assert refused.data["errors"] == {"time": ["Unknown field."]}
    assert still_pending(pair.request)


def test_a_null_slot_is_the_plain_acceptance_of_the_proposed_time(event, pair):
    accepted = pair.client.post(url(event, f"{pair.request.pk}/accept/"), {"slot": None}, "json")

    assert accepted.status_code == 200
    assert Meeting.objects.get(pk=accepted.data["meeting"]["id"]).slot_id == pair.slots[1].pk


def test_the_sender_cannot_accept_at_a_time_and_a_stranger_gets_404(
    event, pair, as_participant, make_participant
):
    stranger = make_participant(name="Dina", kind="investor")
    body = {"slot": pair.slots[4].pk}

    by_sender = as_participant(pair.amina).post(
        url(event, f"{pair.request.pk}/accept/"), body, "json"
    )
    by_stranger = as_participant(stranger).post(
        url(event, f"{pair.request.pk}/accept/"), body, "json"
    )

    assert by_sender.status_code == 403
    assert by_stranger.status_code == 404
    assert still_pending(pair.request)


def test_an_organiser_accepts_at_another_time_for_the_recipient(event, pair, organiser_client):
    accepted = organiser_client.post(
        url(event, f"{pair.request.pk}/accept/"), {"slot": pair.slots[7].pk}, "json"
    )

    assert accepted.status_code == 200, accepted.data
    assert Meeting.objects.get(pk=accepted.data["meeting"]["id"]).slot_id == pair.slots[7].pk


def test_the_schema_documents_the_accept_body(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    accept = schema["paths"]["/api/events/{slug}/requests/{id}/accept/"]["post"]
    ref = accept["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert list(body["properties"]) == ["slot"]
    assert body["properties"]["slot"]["nullable"] is True
    assert "409" in accept["responses"]
