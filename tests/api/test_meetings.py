import datetime as dt

import pytest
from icalendar import Calendar

from matchmaking.models import Meeting, MeetingLog, MeetingSeat, Table
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def url(event, tail=""):
    return f"/api/events/{event.slug}/meetings/{tail}"


@pytest.fixture
def pair(event, make_participant):
    a = make_participant(name="Amina")
    b = make_participant(name="Bruno", kind="exhibitor")
    req = RequestFactory(sender=a, recipient=b)
    return a, b, req


def test_book_accepted_request_creates_meeting_at_free_table(event, pair, as_participant):
    a, _b, req = pair
    slot = event.slots.first()
    response = as_participant(a).post(
        url(event, "book/"), {"request": req.pk, "slot": slot.pk}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["table"] == "T01"
    assert response.data["status"] == "scheduled"
    assert sorted(x["name"] for x in response.data["attendees"]) == ["Amina", "Bruno"]
    assert MeetingSeat.objects.filter(slot=slot, active=True).count() == 2


def test_book_participant_busy_answers_409_naming_who(
    event, pair, make_participant, as_participant
):
    a, b, req = pair
    c = make_participant(name="Chen")
    other = RequestFactory(sender=c, recipient=b)
    slot = event.slots.first()
    assert (
        as_participant(a)
        .post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
        .status_code
        == 201
    )
    response = as_participant(c).post(url(event, "book/"), {"request": other.pk, "slot": slot.pk})
    assert response.status_code == 409
    assert response.data["code"] == "participant_busy"
    assert "Bruno already has a meeting" in response.data["detail"]
    assert Meeting.objects.count() == 1


def test_book_when_every_table_taken_answers_409(event, make_participant, as_participant):
    slot = event.slots.first()
    for _ in range(3):
        req = RequestFactory(sender=make_participant(), recipient=make_participant())
        assert (
            as_participant(req.sender)
            .post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
            .status_code
            == 201
        )
    req = RequestFactory(sender=make_participant(), recipient=make_participant())
    response = as_participant(req.sender).post(
        url(event, "book/"), {"request": req.pk, "slot": slot.pk}
    )
    assert response.status_code == 409
    assert response.data["code"] == "slot_taken"


def test_book_exhibitor_with_booth_meets_at_booth_not_lounge(
    event, make_participant, as_participant
):
    booth = Table.objects.create(event=event, name="Booth A1", shared=False)
    a = make_participant()
    b = make_participant(kind="exhibitor", fixed_table=booth)
    req = RequestFactory(sender=a, recipient=b)
    response = as_participant(a).post(
        url(event, "book/"), {"request": req.pk, "slot": event.slots.first().pk}
    )
    assert response.status_code == 201
    assert response.data["table"] == "Booth A1"


def test_book_pending_request_answers_409(event, pair, as_participant):
    a, _b, req = pair
    req.status = "pending"
    req.save()
    response = as_participant(a).post(
        url(event, "book/"), {"request": req.pk, "slot": event.slots.first().pk}
    )
    assert response.status_code == 409
    assert response.data["code"] == "request_not_open"


def test_book_outside_availability_answers_409(event, pair, as_participant):
    a, b, req = pair
    first = event.slots.first()
    b.availability.create(start=first.end, end=first.end + dt.timedelta(hours=8))
    response = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": first.pk})
    assert response.status_code == 409
    assert response.data["detail"] == f"Bruno is not available at {first}."


def test_book_respects_session_preference(event, pair, as_participant):
    a, _b, req = pair
    req.session = "afternoon"
    req.save()
    morning = event.slots.filter(part="morning").first()
    response = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": morning.pk})
    assert response.status_code == 400
    assert "afternoon" in response.data["detail"]


def test_book_booking_closed_for_participant_but_not_organiser(
    event, pair, as_participant, organiser_client
):
    a, _b, req = pair
    event.booking_closes = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    event.save()
    slot = event.slots.first()
    response = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    assert response.status_code == 409
    assert response.data["code"] == "booking_closed"
    assert (
        organiser_client.post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).status_code
        == 201
    )


def test_book_max_meetings_limit(event, make_participant, as_participant):
    a = make_participant(max_meetings=1)
    r1 = RequestFactory(sender=a, recipient=make_participant())
    r2 = RequestFactory(sender=a, recipient=make_participant())
    s1, s2 = list(event.slots.all()[:2])
    assert (
        as_participant(a).post(url(event, "book/"), {"request": r1.pk, "slot": s1.pk}).status_code
        == 201
    )
    response = as_participant(a).post(url(event, "book/"), {"request": r2.pk, "slot": s2.pk})
    assert response.status_code == 409
    assert response.data["code"] == "limit_reached"


def test_book_with_colleague_seats_both(event, make_participant, as_participant):
    a = make_participant()
    colleague = make_participant(organisation=a.organisation)
    req = RequestFactory(sender=a, recipient=make_participant())
    slot = event.slots.first()
    response = as_participant(a).post(
        url(event, "book/"),
        {"request": req.pk, "slot": slot.pk, "attendees": [colleague.pk]},
        format="json",
    )
    assert response.status_code == 201
    assert len(response.data["attendees"]) == 3
    assert MeetingSeat.objects.get(participant=colleague).is_party is False


def test_book_with_outsider_as_attendee_answers_400(event, pair, make_participant, as_participant):
    a, _b, req = pair
    outsider = make_participant()
    response = as_participant(a).post(
        url(event, "book/"),
        {"request": req.pk, "slot": event.slots.first().pk, "attendees": [outsider.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert Meeting.objects.count() == 0


def test_book_idempotency_key_replays_first_response(event, pair, as_participant):
    a, _b, req = pair
    client = as_participant(a)
    body = {"request": req.pk, "slot": event.slots.first().pk}
    first = client.post(url(event, "book/"), body, HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(url(event, "book/"), body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Meeting.objects.count() == 1
    other = client.post(
        url(event, "book/"), {**body, "slot": event.slots.last().pk}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422


def test_reschedule_bumps_sequence_and_keeps_uid_in_ics(event, pair, as_participant):
    a, _b, req = pair
    client = as_participant(a)
    s1, s2 = list(event.slots.all()[:2])
    booked = client.post(url(event, "book/"), {"request": req.pk, "slot": s1.pk}).data
    moved = client.post(url(event, f"{booked['id']}/reschedule/"), {"slot": s2.pk})
    assert moved.status_code == 200, moved.data
    assert moved.data["slot"] == s2.pk
    assert moved.data["sequence"] == 1
    ics = client.get(f"/api/events/{event.slug}/agenda.ics")
    assert ics.status_code == 200
    vevents = list(Calendar.from_ical(ics.content).walk("VEVENT"))
    assert len(vevents) == 1
    assert str(vevents[0]["uid"]) == f"meeting-{booked['uid']}@{event.slug}"
    assert int(vevents[0]["sequence"]) == 1
    assert vevents[0].decoded("dtstart") == s2.start
    assert list(MeetingLog.objects.values_list("action", flat=True)) == ["booked", "moved"]


def test_cancel_frees_slot_for_another_booking(event, pair, as_participant):
    _a, b, req = pair
    client = as_participant(b)
    slot = event.slots.first()
    booked = client.post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).data
    cancelled = client.post(url(event, f"{booked['id']}/cancel/"), {"reason": "flight delayed"})
    assert cancelled.status_code == 200
    assert cancelled.data["status"] == "cancelled"
    assert cancelled.data["cancel_reason"] == "flight delayed"
    again = client.post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    assert again.status_code == 201
    ics = Calendar.from_ical(client.get(f"/api/events/{event.slug}/agenda.ics").content)
    assert sorted(str(v["status"]) for v in ics.walk("VEVENT")) == ["CANCELLED", "CONFIRMED"]


def test_check_in_then_organiser_marks_no_show(event, pair, as_participant, organiser_client):
    a, _b, req = pair
    booked = (
        as_participant(a)
        .post(url(event, "book/"), {"request": req.pk, "slot": event.slots.first().pk})
        .data
    )
    assert (
        as_participant(a).post(url(event, f"{booked['id']}/check-in/")).data["status"]
        == "checked_in"
    )
    denied = as_participant(a).post(url(event, f"{booked['id']}/status/"), {"status": "no_show"})
    assert denied.status_code == 403
    marked = organiser_client.post(url(event, f"{booked['id']}/status/"), {"status": "no_show"})
    assert marked.data["status"] == "no_show"


def test_organiser_lists_all_meetings_participant_only_theirs(
    event, make_participant, as_participant, organiser_client
):
    slot = event.slots.first()
    reqs = [
        RequestFactory(sender=make_participant(), recipient=make_participant()) for _ in range(2)
    ]
    for req in reqs:
        as_participant(req.sender).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    assert organiser_client.get(url(event)).data["count"] == 2
    assert as_participant(reqs[0].sender).get(url(event)).data["count"] == 1


def test_bad_slot_id_answers_400_not_500(event, pair, as_participant):
    a, _b, req = pair
    for body in (
        {"request": req.pk, "slot": 999999},
        {"request": req.pk, "slot": "x"},
        {"request": None},
        {},
    ):
        response = as_participant(a).post(url(event, "book/"), body, format="json")
        assert response.status_code == 400, (body, response.data)
        assert response.data["detail"]


def test_calendar_subscription_url_serves_my_agenda_without_login(
    event, pair, as_participant, anon
):
    a, _b, req = pair
    client = as_participant(a)
    client.post(url(event, "book/"), {"request": req.pk, "slot": event.slots.first().pk})
    feed = client.get(f"/api/events/{event.slug}/me/").data["calendar_url"]
    assert feed.startswith("http://testserver/api/calendar/")
    response = anon.get(feed.replace("http://testserver", ""))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    assert anon.get("/api/calendar/not-a-token.ics").status_code == 404
