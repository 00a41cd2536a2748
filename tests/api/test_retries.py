"""A mobile app retries a write whose answer it lost (the network dropped it): with the same
``Idempotency-Key`` the retry answers what the first one did, and nothing happens twice. The
answers to a request and the meeting actions took no key, so a lost "accept" retried answered
409 ``request_not_open`` as if it had failed."""

import pytest
from django.core import mail

from matchmaking.models import Meeting, MeetingLog, MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def base(event):
    return f"/api/events/{event.slug}"


def twice(client, path, body=None, key="retry-1"):
    first = client.post(path, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(path, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    return first, again


def assert_replayed(first, again, status=200):
    assert first.status_code == status, first.content
    assert again.status_code == status, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # (PostgreSQL's jsonb keeps the keys in its own order)


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_a_retried_answer_to_a_request_replays_it(
    event, make_participant, as_participant, send, answer
):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="pending")
    with send():
        first, again = twice(as_participant(b), f"{base(event)}/requests/{req.pk}/{answer}/")
    assert_replayed(first, again)
    assert again.json()["status"] == {"accept": "accepted", "decline": "declined"}[answer]
    assert len(mail.outbox) == 1  # the sender is told once
    # without the key, answering again is refused as before: the request is no longer open
    plain = as_participant(b).post(f"{base(event)}/requests/{req.pk}/{answer}/")
    assert plain.status_code == 409 and plain.data["code"] == "request_not_open"


def test_a_retried_withdrawal_replays_it(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="pending")
    first, again = twice(as_participant(a), f"{base(event)}/requests/{req.pk}/cancel/")
    assert_replayed(first, again)
    assert MeetingRequest.objects.get(pk=req.pk).status == "cancelled"


@pytest.fixture
def meeting(event, make_participant, as_participant):
    a, b = make_participant(name="Amina"), make_participant(name="Bruno")
    req = RequestFactory(sender=a, recipient=b, status="accepted")
    made = as_participant(a).post(
        f"{base(event)}/meetings/book/", {"request": req.pk, "slot": event.slots.first().pk}
    )
    assert made.status_code == 201, made.data
    return Meeting.objects.get(pk=made.data["id"]), a, b


def test_a_retried_move_moves_once(event, meeting, as_participant):
    booked, a, _b = meeting
    later = event.slots.order_by("start")[2]
    first, again = twice(
        as_participant(a), f"{base(event)}/meetings/{booked.pk}/reschedule/", {"slot": later.pk}
    )
    assert_replayed(first, again)
    booked.refresh_from_db()
    assert (booked.slot_id, booked.version, booked.sequence) == (later.pk, 2, 1)
    assert MeetingLog.objects.filter(meeting=booked, action="moved").count() == 1


def test_a_retried_cancellation_replays_it(event, meeting, as_participant):
    booked, a, _b = meeting
    first, again = twice(
        as_participant(a), f"{base(event)}/meetings/{booked.pk}/cancel/", {"reason": "ill"}
    )
    assert_replayed(first, again)
    assert again.json()["status"] == "cancelled"
    plain = as_participant(a).post(f"{base(event)}/meetings/{booked.pk}/cancel/")
    assert plain.status_code == 409 and plain.data["code"] == "meeting_already_cancelled"


def test_a_key_of_another_action_is_not_replayed_here(event, meeting, as_participant):
    """The key names one operation: the same key on another address answers 422."""
    booked, a, _b = meeting
    client = as_participant(a)
    later = event.slots.order_by("start")[2]
    moved = client.post(
        f"{base(event)}/meetings/{booked.pk}/reschedule/",
        {"slot": later.pk},
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert moved.status_code == 200
    other = client.post(f"{base(event)}/meetings/{booked.pk}/cancel/", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422 and other.data["code"] == "idempotency_key_reused"
    assert Meeting.objects.get(pk=booked.pk).status == "scheduled"


def test_a_replayed_meeting_answer_carries_its_etag(event, meeting, as_participant):
    booked, a, _b = meeting
    first, again = twice(as_participant(a), f"{base(event)}/meetings/{booked.pk}/cancel/")
    assert_replayed(first, again)
    assert first["ETag"] == again["ETag"] == '"2"'


def test_the_schema_documents_the_key_where_it_is_taken():
    from rest_framework.test import APIClient

    from api.schema import schema_cache_clear

    schema_cache_clear()
    paths = APIClient().get("/api/schema/", {"format": "json"}).json()["paths"]
    schema_cache_clear()
    taking = {
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
        and "422" in operation["responses"]
    }
    assert {
        ("/api/events/{slug}/requests/", "post"),
        ("/api/events/{slug}/requests/{id}/accept/", "post"),
        ("/api/events/{slug}/requests/{id}/decline/", "post"),
        ("/api/events/{slug}/meetings/{id}/reschedule/", "post"),
        ("/api/events/{slug}/meetings/{id}/cancel/", "post"),
        ("/api/events/{slug}/schedule-runs/{id}/publish/", "post"),
    } <= taking
    assert not any(method == "get" for _path, method in taking)


def test_a_key_too_long_is_named(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    answer = as_participant(a).post(
        f"{base(event)}/requests/", {"recipient": b.pk}, HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "Idempotency-Key must be at most 200 characters.",
        "code": "invalid",
        "field": "Idempotency-Key",
    }
    assert MeetingRequest.objects.count() == 0
