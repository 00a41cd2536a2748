"""Organisers change an event's name, booking window and request expiry after its import."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import Event, MeetingRequest
from tests.factories import EventFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return EventFactory(
        days=[timezone.localdate() + dt.timedelta(days=30)], timezone="Africa/Casablanca"
    )


def url(event):
    return f"/api/events/{event.slug}/"


def test_organisers_close_booking_and_participants_are_refused_then_reopen(
    event, organiser_client, make_participant, as_participant
):
    closes = timezone.now() - dt.timedelta(minutes=1)
    answer = organiser_client.patch(
        url(event), {"booking_closes": closes.isoformat()}, format="json"
    )
    assert answer.status_code == 200, answer.data
    assert answer.data["booking_closes"] is not None
    a, b, c = make_participant(), make_participant(), make_participant()
    request = RequestFactory(sender=a, recipient=b, status="accepted")
    slot = event.slots.order_by("start").first()
    book = f"/api/events/{event.slug}/meetings/book/"
    refused = as_participant(a).post(book, {"request": request.pk, "slot": slot.pk})
    assert (refused.status_code, refused.data["code"]) == (409, "booking_closed")
    asked = as_participant(a).post(f"/api/events/{event.slug}/requests/", {"recipient": c.pk})
    assert (asked.status_code, asked.data["code"]) == (409, "booking_closed")
    assert asked.data["detail"] == "Booking is closed for this event: requests cannot be sent now."
    by_organiser = organiser_client.post(
        f"/api/events/{event.slug}/requests/", {"sender": a.pk, "recipient": c.pk}
    )
    assert by_organiser.status_code == 201, by_organiser.data
    again = organiser_client.patch(url(event), {"booking_closes": None}, format="json")
    assert again.status_code == 200 and again.data["booking_closes"] is None
    assert as_participant(a).post(book, {"request": request.pk, "slot": slot.pk}).status_code == 201


def test_a_time_without_offset_is_the_events_local_time_and_the_answer_can_be_sent_back(
    event, organiser_client
):
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    opens = f"{day - dt.timedelta(days=10)}T09:00"
    answer = organiser_client.patch(
        url(event),
        {"booking_opens": opens, "name": "  Smart City   Expo ", "request_expiry_hours": 48},
        format="json",
    )
    assert answer.status_code == 200, answer.data
    event.refresh_from_db()
    assert event.booking_opens.astimezone(event.tz).strftime("%Y-%m-%dT%H:%M") == opens
    assert (event.name, event.request_expiry_hours) == ("Smart City Expo", 48)
    body = dict(answer.data)
    assert organiser_client.patch(url(event), body, format="json").status_code == 200


def test_new_requests_expire_after_the_new_delay_old_ones_keep_theirs(
    event, organiser_client, make_participant, as_participant
):
    old = RequestFactory(sender=make_participant(), recipient=make_participant())
    before = old.expires_at
    organiser_client.patch(url(event), {"request_expiry_hours": 2}, format="json")
    a, b = make_participant(), make_participant()
    sent = as_participant(a).post(f"/api/events/{event.slug}/requests/", {"recipient": b.pk})
    assert sent.status_code == 201, sent.data
    new = MeetingRequest.objects.get(pk=sent.data["id"])
    assert (
        dt.timedelta(hours=1, minutes=59)
        < new.expires_at - new.created_at
        <= dt.timedelta(hours=2, seconds=1)
    )
    old.refresh_from_db()
    assert old.expires_at == before


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"booking_opens": "2999-01-01T09:00"}, "booking_opens", "within a year of the event"),
        ({"booking_closes": "not a date"}, "booking_closes", "Datetime has wrong format"),
        ({"request_expiry_hours": 0}, "request_expiry_hours", "greater than or equal to 1"),
        ({"name": "   "}, "name", "may not be blank"),
        ({"slot_minutes": 30}, "slot_minutes", "cannot be changed here"),
        ({}, "non_field_errors", "Nothing to change"),
    ],
)
def test_bad_settings_answer_400_naming_the_field_and_change_nothing(
    event, organiser_client, body, field, message
):
    before = Event.objects.values().get(pk=event.pk)
    answer = organiser_client.patch(url(event), body, format="json")
    assert answer.status_code == 400, answer.data
    assert message in str(answer.data), answer.data
    assert field in str(answer.data)
    assert Event.objects.values().get(pk=event.pk) == before


def test_booking_must_close_after_it_opens_whichever_is_sent(event, organiser_client):
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    organiser_client.patch(url(event), {"booking_opens": f"{day}T08:00"}, format="json")
    answer = organiser_client.patch(url(event), {"booking_closes": f"{day}T07:00"}, format="json")
    assert answer.status_code == 400
    assert "Booking must close after it opens." in str(answer.data)


def test_only_organisers_change_settings(event, make_participant, as_participant, anon):
    me = make_participant()
    assert as_participant(me).patch(url(event), {"name": "x"}, format="json").status_code == 403
    assert anon.patch(url(event), {"name": "x"}, format="json").status_code in (401, 403)
    assert Event.objects.get(pk=event.pk).name != "x"


def test_a_local_time_the_clocks_skip_is_refused_as_the_import_does(organiser_client):
    """2018-03-25 02:30 does not exist in Paris (the clocks go from 02:00 to 03:00)."""
    event = EventFactory(days=[dt.date(2018, 4, 18)], timezone="Europe/Paris")
    answer = organiser_client.patch(
        url(event), {"booking_opens": "2018-03-25T02:30"}, format="json"
    )
    assert answer.status_code == 400
    assert "2018-03-25 02:30 does not exist in Europe/Paris: the clocks skip it." in str(
        answer.data
    )
    ok = organiser_client.patch(url(event), {"booking_opens": "2018-03-25T03:30"}, format="json")
    assert ok.status_code == 200
    event.refresh_from_db()
    assert event.booking_opens == dt.datetime(2018, 3, 25, 1, 30, tzinfo=dt.UTC)
