import datetime as dt
import re

import pytest
from django.utils import timezone
from icalendar import Calendar

from matchmaking.models import Meeting, MeetingLog, MeetingSeat, Slot, Table
from matchmaking.reasons import when_text
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def url(event, tail=""):
    return f"/api/events/{event.slug}/meetings/{tail}"


def in_words(slot) -> str:
    """A slot's local start as English messages write it: "Friday 27 November at 18:09"."""
    local = Slot.objects.get(pk=slot.pk).start.astimezone(slot.event.tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def move_slot(slot: Slot, start: dt.datetime) -> None:
    """Move ``slot`` (and its meetings) to ``start``."""
    Slot.objects.filter(pk=slot.pk).update(
        start=start,
        end=start + dt.timedelta(minutes=20),
        date=start.astimezone(slot.event.tz).date(),
    )


def starting_soon(slot: Slot) -> None:
    """Move ``slot`` to start in ten minutes: check-in is open."""
    move_slot(slot, timezone.now() + dt.timedelta(minutes=10))


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
    assert response.data["detail"] == f"Bruno is not available on {when_text(first)}."


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
    assert response.data["detail"].endswith("has reached their limit of 1 meeting.")


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


def test_a_colleague_in_a_meeting_does_not_read_the_request_message_in_their_calendar(
    event, make_participant, as_participant
):
    """A request's message is its two parties' (a colleague who joins the meeting gets 404 on
    the request), but the calendar wrote it into the DESCRIPTION of every attendee's entry, the
    colleague's too, and kept it there after they left the meeting (the entry stays, cancelled)."""
    from matchmaking.models import MeetingRequest
    from matchmaking.services.meetings import Actor, meeting_attendee_add, meeting_book

    amina = make_participant(name="Amina")
    bruno = make_participant(name="Bruno")
    bea = make_participant(name="Bea", organisation=bruno.organisation)
    req = RequestFactory(
        sender=amina,
        recipient=bruno,
        status=MeetingRequest.Status.ACCEPTED,
        message="Bruno, between us: our budget is 2 MEUR",
    )
    meeting = meeting_book(request=req, slot=event.slots.first(), actor=Actor(system=True))
    meeting_attendee_add(meeting=meeting, person=bea, actor=Actor(system=True))
    client = as_participant(bea)
    assert client.get(f"/api/events/{event.slug}/requests/{req.pk}/").status_code == 404
    feeds = {
        "bea (API)": client.get(f"/api/events/{event.slug}/agenda.ics").content,
        "bea (feed)": client.get(f"/api/calendar/{bea.calendar_token}.ics").content,
        "amina": as_participant(amina).get(f"/api/events/{event.slug}/agenda.ics").content,
        "bruno": as_participant(bruno).get(f"/api/events/{event.slug}/agenda.ics").content,
    }
    seen = {who: "2 MEUR" in ics.decode() for who, ics in feeds.items()}
    assert seen == {"bea (API)": False, "bea (feed)": False, "amina": True, "bruno": True}


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
    starting_soon(event.slots.first())
    assert (
        as_participant(a).post(url(event, f"{booked['id']}/check-in/")).data["status"]
        == "checked_in"
    )
    denied = as_participant(a).post(url(event, f"{booked['id']}/status/"), {"status": "no_show"})
    assert denied.status_code == 403
    early = organiser_client.post(url(event, f"{booked['id']}/status/"), {"status": "no_show"})
    assert early.status_code == 409  # it has not started yet
    assert early.data["code"] == "meeting_not_started"
    assert "once it has started" in early.data["detail"]
    # the start in words, as people read it ("starts on Wednesday 16 December at 11:35"), not ISO
    assert re.search(
        r"starts on [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ at \d\d:\d\d;", early.data["detail"]
    )
    move_slot(event.slots.first(), timezone.now() - dt.timedelta(minutes=5))
    marked = organiser_client.post(url(event, f"{booked['id']}/status/"), {"status": "no_show"})
    assert marked.data["status"] == "no_show"
    # the absent party cannot overwrite the organisers' record by checking in
    again = as_participant(a).post(url(event, f"{booked['id']}/check-in/"))
    assert again.status_code == 409
    assert again.data["code"] == "meeting_recorded"
    assert "no-show by the organisers" in again.data["detail"]
    assert Meeting.objects.get(pk=booked["id"]).status == "no_show"
    held = organiser_client.post(url(event, f"{booked['id']}/status/"), {"status": "held"})
    assert held.data["status"] == "held"  # organisers correct their own record


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


def test_booking_an_unknown_request_says_whose_it_is_not(
    event, pair, make_participant, as_participant, organiser_client
):
    """Organisers have no requests of their own: "No request 369 of yours" meant nothing."""
    a, b, req = pair
    slot = event.slots.first()
    others = RequestFactory(sender=b, recipient=make_participant())
    mine = as_participant(a).post(
        url(event, "book/"), {"request": others.pk, "slot": slot.pk}, format="json"
    )
    assert mine.status_code == 400
    assert mine.data["detail"] == f"No request {others.pk} of yours in this event."
    unknown = req.pk + 1000
    theirs = organiser_client.post(
        url(event, "book/"), {"request": unknown, "slot": slot.pk}, format="json"
    )
    assert theirs.status_code == 400
    assert (theirs.data["detail"], theirs.data["field"]) == (
        f"No request {unknown} in this event.",
        "request",
    )


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
    unknown = anon.get("/api/calendar/not-a-token.ics")
    assert unknown.status_code == 404
    assert unknown.json() == {  # the API's error shape, not Django's HTML page
        "detail": "No calendar has this address; ask for your current link.",
        "code": "not_found",
    }


def test_a_leaked_calendar_address_is_replaced_and_stops_working(
    event, pair, as_participant, organiser_client, anon
):
    """A feed address has no login: one shared by mistake must be revocable (a tester found no
    way short of re-importing the person)."""
    a, b, _req = pair
    client = as_participant(a)
    old = client.get(f"/api/events/{event.slug}/me/").data["calendar_url"]
    renewed = client.post(f"/api/events/{event.slug}/me/calendar-link/")
    assert renewed.status_code == 200
    new = renewed.data["calendar_url"]
    assert new != old and new == client.get(f"/api/events/{event.slug}/me/").data["calendar_url"]
    assert anon.get(old.replace("http://testserver", "")).status_code == 404
    assert anon.get(new.replace("http://testserver", "")).status_code == 200
    # an organiser renews anyone's; a participant cannot renew someone else's
    theirs = f"/api/events/{event.slug}/participants/{b.pk}/calendar-link/"
    assert client.post(theirs).status_code == 403
    assert organiser_client.post(theirs).status_code == 200
    assert organiser_client.post(f"/api/events/{event.slug}/me/calendar-link/").status_code == 404


# ------------------------------------------------------------------------------------------------
# A colleague who joined a meeting and left it (availability change) is out of it for good.
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def left_colleague(event, make_participant, as_participant, organiser_client):
    """Amina meets Bruno in the afternoon with her colleague Karim Noor; then an organiser
    records that Karim is here only in the morning: he leaves the meeting, which goes on."""
    amina = make_participant(name="Amina")
    karim = make_participant(name="Karim Noor", organisation=amina.organisation)
    bruno = make_participant(name="Bruno")
    req = RequestFactory(sender=amina, recipient=bruno)
    morning = list(event.slots.filter(part="morning").order_by("start"))
    afternoon = list(event.slots.filter(part="afternoon").order_by("start"))
    booked = as_participant(amina).post(
        url(event, "book/"),
        {"request": req.pk, "slot": afternoon[0].pk, "attendees": [karim.pk]},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    changed = organiser_client.put(
        f"/api/events/{event.slug}/participants/{karim.pk}/availability/",
        {
            "periods": [
                {"start": morning[0].start.isoformat(), "end": morning[-1].end.isoformat()}
            ],
            "cancel_conflicting": True,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.data
    assert (changed.data["cancelled_meetings"], changed.data["left_meetings"]) == (
        [],
        [booked.data["id"]],
    )
    return amina, karim, bruno, Meeting.objects.get(pk=booked.data["id"]), afternoon


def ics_items(client, event) -> list[tuple[str, int]]:
    body = client.get(f"/api/events/{event.slug}/agenda.ics").content
    return [(str(v["status"]), int(v["sequence"])) for v in Calendar.from_ical(body).walk("VEVENT")]


def test_colleague_who_left_is_no_longer_an_attendee(
    event, left_colleague, as_participant, organiser_client
):
    amina, karim, bruno, meeting, _afternoon = left_colleague
    assert as_participant(karim).get(url(event)).data["count"] == 0
    assert as_participant(karim).get(url(event, f"{meeting.pk}/")).status_code == 404
    assert as_participant(karim).post(url(event, f"{meeting.pk}/cancel/")).status_code == 404
    seen = as_participant(bruno).get(url(event, f"{meeting.pk}/")).data
    assert (seen["status"], [a["name"] for a in seen["attendees"]]) == (
        "scheduled",
        ["Amina", "Bruno"],
    )
    assert organiser_client.get(url(event), {"participant": karim.pk}).data["count"] == 0
    # His calendar drops it (a newer SEQUENCE, cancelled); the others keep it, confirmed.
    assert ics_items(as_participant(karim), event) == [("CANCELLED", 1)]
    assert ics_items(as_participant(amina), event) == [("CONFIRMED", 1)]


def test_colleague_who_left_stays_out_when_the_meeting_moves(event, left_colleague, as_participant):
    from matchmaking.models import Notification

    amina, karim, bruno, meeting, afternoon = left_colleague
    Notification.objects.all().delete()
    # Karim is away in the afternoon now; that no longer stops the others from moving it.
    moved = as_participant(bruno).post(
        url(event, f"{meeting.pk}/reschedule/"), {"slot": afternoon[1].pk}
    )
    assert moved.status_code == 200, moved.data
    assert [a["name"] for a in moved.data["attendees"]] == ["Amina", "Bruno"]
    seat = MeetingSeat.objects.get(meeting=meeting, participant=karim)
    assert (seat.slot_id, seat.active, seat.left) == (afternoon[1].pk, False, True)
    assert set(MeetingSeat.objects.filter(meeting=meeting).values_list("slot", flat=True)) == {
        afternoon[1].pk
    }
    assert list(Notification.objects.values_list("recipient", flat=True)) == [amina.pk]
    assert as_participant(karim).get(url(event)).data["count"] == 0
    assert ics_items(as_participant(karim), event) == [("CANCELLED", 2)]


def test_meeting_moves_onto_a_slot_where_the_colleague_who_left_has_another_meeting(
    event, left_colleague, make_participant, as_participant, organiser_client
):
    _amina, karim, bruno, meeting, afternoon = left_colleague
    organiser_client.put(
        f"/api/events/{event.slug}/participants/{karim.pk}/availability/",
        {"periods": []},
        format="json",
    )
    other = RequestFactory(sender=karim, recipient=make_participant(name="Chen"))
    theirs = as_participant(karim).post(
        url(event, "book/"), {"request": other.pk, "slot": afternoon[2].pk}
    )
    assert theirs.status_code == 201, theirs.data

    moved = as_participant(bruno).post(
        url(event, f"{meeting.pk}/reschedule/"), {"slot": afternoon[2].pk}
    )

    assert moved.status_code == 200, moved.data
    active = MeetingSeat.objects.filter(participant=karim, slot=afternoon[2], active=True)
    assert list(active.values_list("meeting", flat=True)) == [theirs.data["id"]]


# ------------------------------------------------------------------------------------------------
# Slots that have started; check-in around the meeting's time
# ------------------------------------------------------------------------------------------------


def test_participants_cannot_book_a_slot_that_has_started_organisers_can(
    event, pair, as_participant, organiser_client
):
    a, _b, req = pair
    slot = event.slots.first()
    move_slot(slot, timezone.now() - dt.timedelta(minutes=5))
    response = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    assert response.status_code == 409
    assert response.data == {
        "detail": f"The slot on {in_words(slot)} has already started; choose a later one.",
        "code": "slot_passed",
    }
    assert not Meeting.objects.exists()
    # An organiser may record a meeting that took place.
    recorded = organiser_client.post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    assert recorded.status_code == 201, recorded.data


def test_participants_cannot_move_a_meeting_into_a_slot_that_has_started(
    event, pair, as_participant, organiser_client
):
    a, _b, req = pair
    first, second = list(event.slots.order_by("start")[:2])
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": second.pk})
    move_slot(first, timezone.now() - dt.timedelta(hours=2))
    moved = as_participant(a).post(
        url(event, f"{booked.data['id']}/reschedule/"), {"slot": first.pk}
    )
    assert moved.status_code == 409
    assert moved.data["code"] == "slot_passed"
    assert Meeting.objects.get().slot_id == second.pk
    by_organiser = organiser_client.post(
        url(event, f"{booked.data['id']}/reschedule/"), {"slot": first.pk}
    )
    assert by_organiser.status_code == 200, by_organiser.data


def test_participants_cannot_move_a_meeting_that_has_started_organisers_can(
    event, pair, as_participant, organiser_client
):
    """Moving a started meeting away would erase it as a cancel would: the same rule, and the
    agenda page offers it no slot."""
    from matchmaking.services.meetings import Actor, meeting_slots_bookable

    a, _b, req = pair
    first, later = list(event.slots.order_by("start")[:2])
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": first.pk})
    move_slot(first, timezone.now() - dt.timedelta(minutes=10))
    first.refresh_from_db()
    moved = as_participant(a).post(
        url(event, f"{booked.data['id']}/reschedule/"), {"slot": later.pk}
    )
    assert (moved.status_code, moved.data["code"]) == (409, "meeting_started_move")
    assert moved.data["detail"].startswith(
        f"This meeting started on {in_words(first)}; it can no longer"
    )
    meeting = Meeting.objects.get()
    assert (meeting.slot_id, meeting.sequence) == (first.pk, 0)
    req.refresh_from_db()
    offered = meeting_slots_bookable(requests=[req], actor=Actor(participant=a), moving=meeting)
    assert offered == {req.pk: []}
    by_organiser = organiser_client.post(
        url(event, f"{booked.data['id']}/reschedule/"), {"slot": later.pk}
    )
    assert by_organiser.status_code == 200, by_organiser.data


def test_check_in_months_ahead_is_refused_and_the_meeting_can_still_be_cancelled(
    event, pair, as_participant, organiser_client
):
    a, _b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).data
    opens = (slot.start - dt.timedelta(minutes=30)).astimezone(event.tz)
    when = f"{opens:%A} {opens.day} {opens:%B} at {opens:%H:%M}"  # in words, as people read it
    for client in (as_participant(a), organiser_client):
        response = client.post(url(event, f"{booked['id']}/check-in/"))
        assert response.status_code == 409
        assert response.data == {
            "detail": f"Check-in opens 30 minutes before the meeting, on {when}.",
            "code": "check_in_not_open",
        }
    assert Meeting.objects.get().status == "scheduled"
    cancelled = as_participant(a).post(url(event, f"{booked['id']}/cancel/"))
    assert cancelled.status_code == 200
    assert cancelled.data["status"] == "cancelled"


def test_check_in_window_is_a_setting(event, pair, as_participant, settings):
    settings.CHECK_IN_OPENS_MINUTES = 60
    a, _b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).data
    move_slot(slot, timezone.now() + dt.timedelta(minutes=50))
    response = as_participant(a).post(url(event, f"{booked['id']}/check-in/"))
    assert response.status_code == 200, response.data
    assert response.data["status"] == "checked_in"


def test_participant_check_in_closes_after_the_meeting_day_organisers_record_it_later(
    event, pair, as_participant, organiser_client
):
    a, _b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).data
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    move_slot(slot, two_days_ago)
    day = two_days_ago.astimezone(event.tz).date()
    late = as_participant(a).post(url(event, f"{booked['id']}/check-in/"))
    assert late.status_code == 409
    assert late.data == {
        "detail": f"Check-in closed at the end of the meeting's day ({day:%Y-%m-%d}); ask the "
        "organisers to record it.",
        "code": "check_in_closed",
    }
    recorded = organiser_client.post(url(event, f"{booked['id']}/check-in/"))
    assert recorded.status_code == 200
    assert recorded.data["status"] == "checked_in"


def test_checked_in_meeting_cannot_be_cancelled_message_in_words(event, pair, as_participant):
    a, _b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).data
    starting_soon(slot)
    assert as_participant(a).post(url(event, f"{booked['id']}/check-in/")).status_code == 200
    response = as_participant(a).post(url(event, f"{booked['id']}/cancel/"))
    assert response.status_code == 409
    assert response.data == {
        "detail": "This meeting is already checked in; it can no longer be cancelled.",
        "code": "meeting_not_cancellable",
    }


def test_participants_cannot_cancel_a_meeting_that_has_started_organisers_can(
    event, pair, as_participant, organiser_client
):
    """A meeting whose slot has started is the organisers' to record (held or no-show): a
    participant can no longer erase it, neither directly nor by withdrawing its request."""
    a, b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk}).data
    move_slot(slot, timezone.now() - dt.timedelta(minutes=5))
    slot.refresh_from_db()
    for client in (as_participant(a), as_participant(b)):
        response = client.post(url(event, f"{booked['id']}/cancel/"), {"reason": "no-show"})
        assert response.status_code == 409
        assert response.data == {
            "detail": f"This meeting started on {in_words(slot)}; it can no longer be cancelled. "
            "If it did not take place, tell the organisers.",
            "code": "meeting_started",
        }
    withdrawn = as_participant(a).post(f"/api/events/{event.slug}/requests/{req.pk}/cancel/")
    assert (withdrawn.status_code, withdrawn.data["code"]) == (409, "meeting_started")
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.sequence, meeting.request.status) == (
        "scheduled",
        0,
        "accepted",
    )
    by_organiser = organiser_client.post(url(event, f"{booked['id']}/cancel/"), {"reason": "x"})
    assert by_organiser.status_code == 200
    assert by_organiser.data["status"] == "cancelled"


def test_unknown_ids_answer_404_in_words(upcoming_event, make_participant, as_participant):
    amina = make_participant(name="Amina", event=upcoming_event)
    client = as_participant(amina)
    meeting = client.get(url(upcoming_event, "999999/"))
    assert meeting.status_code == 404
    assert meeting.data == {"detail": "No such meeting at this event.", "code": "not_found"}
    request = client.get(f"/api/events/{upcoming_event.slug}/requests/999999/")
    assert request.status_code == 404
    assert request.data["detail"] == "No such meeting request at this event."


def test_organiser_fixes_a_meeting_and_the_scheduler_and_participants_leave_it(
    upcoming_event, make_participant, as_participant, organiser_client
):
    """Fix in place (POST fix/, or with the move itself), release; participants may neither
    fix nor move a fixed meeting; the change is logged, and nobody is emailed about it."""
    from matchmaking.models import Notification
    from matchmaking.services.scheduling import build_problem

    event = upcoming_event
    a, b = make_participant(name="Amina"), make_participant(name="Bruno")
    req = RequestFactory(sender=a, recipient=b)
    slots = list(event.slots.order_by("start"))
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slots[0].pk})
    mid = booked.data["id"]
    sent = Notification.objects.count()

    refused = as_participant(a).post(url(event, f"{mid}/fix/"), {"fixed": True}, format="json")
    assert refused.status_code == 403
    assert "Only organisers" in refused.data["detail"]
    bad = organiser_client.post(url(event, f"{mid}/fix/"), {"fixed": "maybe"}, format="json")
    assert bad.status_code == 400 and "fixed" in str(bad.data)
    fixed = organiser_client.post(url(event, f"{mid}/fix/"), {"fixed": True}, format="json")
    assert fixed.status_code == 200 and fixed.data["fixed"] is True
    [r] = [r for r in build_problem(event=event).problem.requests if r.id == req.pk]
    assert r.fixed_slot == 0
    moving = as_participant(a).post(
        url(event, f"{mid}/reschedule/"), {"slot": slots[1].pk}, format="json"
    )
    assert moving.status_code == 403

    released = organiser_client.post(
        url(event, f"{mid}/reschedule/"), {"slot": slots[2].pk, "fixed": False}, format="json"
    )
    assert released.status_code == 200
    assert (released.data["fixed"], released.data["slot"]) == (False, slots[2].pk)
    pinned = organiser_client.post(
        url(event, f"{mid}/reschedule/"), {"slot": slots[3].pk, "fixed": True}, format="json"
    )
    assert pinned.data["fixed"] is True
    not_theirs = as_participant(a).post(
        url(event, f"{mid}/reschedule/"), {"slot": slots[4].pk, "fixed": False}, format="json"
    )
    assert not_theirs.status_code == 403
    assert Meeting.objects.get(pk=mid).slot_id == slots[3].pk  # nothing half-done
    actions = list(
        MeetingLog.objects.filter(meeting_id=mid).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["booked", "fixed", "moved", "unfixed", "moved", "fixed"]
    # the organiser's two moves notify both sides; fixing and releasing notify nobody
    kinds = list(Notification.objects.order_by("id").values_list("kind", flat=True))[sent:]
    assert kinds == ["meeting_moved"] * 4


@pytest.mark.parametrize(
    ("languages", "summary"),
    [
        (["fr", "en"], "Rendez-vous : Bruno ("),
        (["ar"], "لقاء: Bruno ("),
        (["de", "en"], "Meeting: Bruno ("),
    ],
)
def test_calendar_summaries_in_the_participants_language(
    event, pair, as_participant, languages, summary
):
    a, _b, req = pair
    a.languages = languages
    a.save(update_fields=["languages"])
    client = as_participant(a)
    client.post(url(event, "book/"), {"request": req.pk, "slot": event.slots.first().pk})
    ics = Calendar.from_ical(client.get(f"/api/events/{event.slug}/agenda.ics").content)
    [item] = ics.walk("VEVENT")
    assert str(item["summary"]).startswith(summary)


@pytest.mark.parametrize(
    ("languages", "summary"),
    [
        (["en"], "Meeting: Bruno (Bruno Co), Chadia (Bruno Co), and Driss (Bruno Co)"),
        (["fr"], "Rendez-vous : Bruno (Bruno Co), Chadia (Bruno Co) et Driss (Bruno Co)"),
        (["ar"], "لقاء: Bruno (Bruno Co)، Chadia (Bruno Co) وDriss (Bruno Co)"),
    ],
)
def test_calendar_summaries_list_the_others_as_the_emails_do(
    event, make_participant, as_participant, languages, summary
):
    """The names are a list of the reader's language (``list_text``, as in the emails), not
    joined with commas in every language ("A, B, C")."""
    from matchmaking.models import Organisation

    firm = Organisation.objects.create(event=event, name="Bruno Co")
    amina = make_participant(name="Amina", languages=languages)
    bruno = make_participant(name="Bruno", organisation=firm, kind="exhibitor")
    chadia = make_participant(name="Chadia", organisation=firm)
    driss = make_participant(name="Driss", organisation=firm)
    req = RequestFactory(sender=amina, recipient=bruno)
    booked = as_participant(bruno).post(
        url(event, "book/"),
        {"request": req.pk, "slot": event.slots.first().pk, "attendees": [chadia.pk, driss.pk]},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    feed = as_participant(amina).get(f"/api/events/{event.slug}/agenda.ics")
    [item] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(item["summary"]) == summary


@pytest.mark.parametrize("raw", ["²", "١٢", "0", "99999999999999999999999", "", "x"])
def test_agenda_ics_organiser_bad_participant_id_answers_400(event, organiser_client, raw):
    response = organiser_client.get(f"/api/events/{event.slug}/agenda.ics", {"participant": raw})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "participant"


def test_agenda_ics_organiser_gets_participant_feed(event, pair, organiser_client):
    a, _b, _req = pair
    response = organiser_client.get(
        f"/api/events/{event.slug}/agenda.ics", {"participant": str(a.pk)}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


def test_booking_twice_and_cancelling_twice_answer_409_with_their_own_codes(
    event, pair, as_participant
):
    a, _b, req = pair
    client = as_participant(a)
    slots = list(event.slots.order_by("start"))
    first = client.post(url(event, "book/"), {"request": req.pk, "slot": slots[0].pk})
    again = client.post(url(event, "book/"), {"request": req.pk, "slot": slots[1].pk})
    assert first.status_code == 201
    assert (again.status_code, again.data) == (
        409,
        {
            "detail": "This request already has a meeting; reschedule it instead.",
            "code": "request_has_meeting",
        },
    )
    assert client.post(url(event, f"{first.data['id']}/cancel/")).status_code == 200
    twice = client.post(url(event, f"{first.data['id']}/cancel/"))
    assert (twice.status_code, twice.data) == (
        409,
        {"detail": "This meeting is already cancelled.", "code": "meeting_already_cancelled"},
    )


def test_a_participant_adds_only_their_own_colleagues(
    event, make_participant, as_participant, organiser_client
):
    """A tester seated the other side's colleague, who never asked; that colleague could then
    move or cancel the two parties' meeting. A party given as an attendee was taken silently."""
    amina, bruno = make_participant(name="Amina"), make_participant(name="Bruno")
    brunos_colleague = make_participant(name="Chloé", organisation=bruno.organisation)
    req = RequestFactory(sender=amina, recipient=bruno)
    slot = event.slots.first()
    for attendees, words in (
        ([brunos_colleague.pk], "Chloé is a colleague of the other side"),
        ([bruno.pk], "Bruno is one of the two sides of this meeting already"),
    ):
        response = as_participant(amina).post(
            url(event, "book/"),
            {"request": req.pk, "slot": slot.pk, "attendees": attendees},
            format="json",
        )
        assert response.status_code == 400, response.data
        assert response.data["detail"].startswith(words)
    assert Meeting.objects.count() == 0
    # Bruno may bring Chloé; so may an organiser
    response = as_participant(bruno).post(
        url(event, "book/"),
        {"request": req.pk, "slot": slot.pk, "attendees": [brunos_colleague.pk]},
        format="json",
    )
    assert response.status_code == 201, response.data
    dan = make_participant(name="Dan", organisation=bruno.organisation)
    other = RequestFactory(sender=amina, recipient=dan)
    response = organiser_client.post(
        url(event, "book/"),
        {"request": other.pk, "slot": event.slots.last().pk, "attendees": [brunos_colleague.pk]},
        format="json",
    )
    assert response.status_code == 201, response.data


def test_a_colleague_leaves_a_meeting_and_cannot_cancel_it_for_the_parties(
    event, make_participant, as_participant, organiser_client
):
    """A colleague who joined could cancel the whole meeting of the two parties (the fifth
    exploratory test): now they leave it, and it goes on; the parties cancel, not leave (unless
    a colleague of theirs joined it, who takes their place)."""
    amina = make_participant(name="Amina")
    karim = make_participant(name="Karim", organisation=amina.organisation)
    bruno = make_participant(name="Bruno")
    req = RequestFactory(sender=amina, recipient=bruno)
    slot = event.slots.order_by("start").last()
    booked = as_participant(amina).post(
        url(event, "book/"),
        {"request": req.pk, "slot": slot.pk, "attendees": [karim.pk]},
        format="json",
    )
    mid = booked.data["id"]
    refused = as_participant(karim).post(url(event, f"{mid}/cancel/"), {"reason": "x"})
    assert (refused.status_code, refused.data["code"]) == (403, "not_a_party")
    assert refused.data["detail"].startswith("You joined this meeting as a colleague")
    earlier = event.slots.order_by("start").first()
    moved = as_participant(karim).post(url(event, f"{mid}/reschedule/"), {"slot": earlier.pk})
    assert (moved.status_code, moved.data["code"]) == (403, "not_a_party")
    assert Meeting.objects.get(pk=mid).slot_id == slot.pk
    # a party with no colleague of theirs in it cannot leave it (Amina could: Karim would
    # take her place, tests/matchmaking/test_hand_over.py)
    party = as_participant(bruno).post(url(event, f"{mid}/leave/"))
    assert (party.status_code, party.data["code"]) == (409, "party_cannot_leave")
    by_organiser = organiser_client.post(url(event, f"{mid}/leave/"))
    assert by_organiser.status_code == 403
    left = as_participant(karim).post(url(event, f"{mid}/leave/"))
    assert left.status_code == 204
    meeting = Meeting.objects.get(pk=mid)
    assert (meeting.status, meeting.sequence) == ("scheduled", 1)
    seat = MeetingSeat.objects.get(meeting=meeting, participant=karim)
    assert (seat.left, seat.active) == (True, False)
    assert as_participant(karim).post(url(event, f"{mid}/leave/")).status_code == 404
    assert MeetingLog.objects.filter(meeting=meeting, action="attendee_left").count() == 1
    mine = as_participant(karim).get(url(event)).data["results"]
    assert [m["id"] for m in mine] == []


@pytest.fixture
def booked(event, make_participant, as_participant):
    """Amina (with colleagues Karim and Lina) meets Bruno (colleague Sami) in the last slot."""
    amina = make_participant(name="Amina")
    karim = make_participant(name="Karim", organisation=amina.organisation)
    lina = make_participant(name="Lina", organisation=amina.organisation)
    bruno = make_participant(name="Bruno")
    sami = make_participant(name="Sami", organisation=bruno.organisation)
    req = RequestFactory(sender=amina, recipient=bruno)
    slot = event.slots.order_by("start").last()
    made = as_participant(amina).post(
        url(event, "book/"), {"request": req.pk, "slot": slot.pk}, format="json"
    )
    assert made.status_code == 201, made.data
    people = {p.name: p for p in (amina, karim, lina, bruno, sami)}
    return Meeting.objects.get(pk=made.data["id"]), people


def test_a_party_brings_a_colleague_to_a_booked_meeting_and_they_are_told(
    event, booked, as_participant
):
    from django.core import mail

    from matchmaking.models import Notification

    meeting, people = booked
    before = set(Notification.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    added = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Karim"].pk}
    )
    assert added.status_code == 200, added.data
    assert sorted(a["name"] for a in added.data["attendees"]) == ["Amina", "Bruno", "Karim"]
    meeting.refresh_from_db()
    assert meeting.sequence == 1  # calendars take the new attendee
    told = Notification.objects.exclude(pk__in=before)
    assert [(n.kind, n.recipient.name) for n in told] == [("meeting_booked", "Karim")]
    assert MeetingLog.objects.filter(meeting=meeting, action="attendee_added").count() == 1
    theirs = as_participant(people["Karim"]).get(url(event)).data["results"]
    assert [m["id"] for m in theirs] == [meeting.pk]
    again = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Karim"].pk}
    )
    assert (again.status_code, again.data["code"]) == (409, "already_attending")
    # a colleague who joined brings no one: the parties do
    refused = as_participant(people["Karim"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Lina"].pk}
    )
    assert (refused.status_code, refused.data["code"]) == (403, "not_a_party")
    # Karim leaves, then Amina brings him back
    assert (
        as_participant(people["Karim"]).post(url(event, f"{meeting.pk}/leave/")).status_code == 204
    )
    back = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Karim"].pk}
    )
    assert back.status_code == 200, back.data
    seat = MeetingSeat.objects.get(meeting=meeting, participant=people["Karim"])
    assert (seat.left, seat.active) == (False, True)


def test_only_one_side_brings_its_own_colleagues_and_organisers_either(
    event, booked, as_participant, organiser_client, make_participant
):
    meeting, people = booked
    other_side = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Sami"].pk}
    )
    assert other_side.status_code == 400
    assert "colleague of the other side" in other_side.data["detail"]
    stranger = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": make_participant().pk}
    )
    assert stranger.status_code == 400
    by_organiser = organiser_client.post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Sami"].pk}
    )
    assert by_organiser.status_code == 200, by_organiser.data
    outsider = as_participant(make_participant()).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Karim"].pk}
    )
    assert outsider.status_code == 404
    for body in ({}, {"participant": "x"}, {"participant": 0}, {"participant": 10**12}):
        bad = as_participant(people["Amina"]).post(
            url(event, f"{meeting.pk}/attendees/"), body, format="json"
        )
        assert bad.status_code == 400, (body, bad.data)
    assert MeetingSeat.objects.filter(meeting=meeting).count() == 3  # Amina, Bruno, Sami


def test_a_colleague_busy_away_or_late_does_not_join(event, booked, as_participant):
    from matchmaking.models import Availability

    meeting, people = booked
    amina, karim, lina = people["Amina"], people["Karim"], people["Lina"]
    # Karim has another meeting then
    other = RequestFactory(sender=karim, recipient=people["Sami"])
    made = as_participant(karim).post(
        url(event, "book/"), {"request": other.pk, "slot": meeting.slot_id}, format="json"
    )
    assert made.status_code == 201, made.data
    busy = as_participant(amina).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": karim.pk}
    )
    assert (busy.status_code, busy.data["code"]) == (409, "participant_busy")
    # Lina leaves before the meeting
    first = event.slots.order_by("start").first()
    Availability.objects.create(participant=lina, start=first.start, end=first.end)
    away = as_participant(amina).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": lina.pk}
    )
    assert away.status_code == 409, away.data
    # the meeting has started
    starting_soon(meeting.slot)
    Slot.objects.filter(pk=meeting.slot_id).update(start=timezone.now() - dt.timedelta(minutes=1))
    Availability.objects.filter(participant=lina).delete()
    late = as_participant(amina).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": lina.pk}
    )
    assert (late.status_code, late.data["code"]) == (409, "meeting_started_join")
    assert MeetingSeat.objects.filter(meeting=meeting).count() == 2


def test_a_colleague_cannot_bring_anyone_and_a_refused_colleague_names_the_field(
    event, booked, as_participant
):
    meeting, people = booked
    added = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Karim"].pk}
    )
    assert added.status_code == 200
    refused = as_participant(people["Karim"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Lina"].pk}
    )
    assert refused.data["detail"] == (
        "You joined this meeting as a colleague: only its two parties can bring colleagues to it."
    )
    other_side = as_participant(people["Amina"]).post(
        url(event, f"{meeting.pk}/attendees/"), {"participant": people["Sami"].pk}
    )
    assert (other_side.status_code, other_side.data["field"]) == (400, "participant")


def test_check_in_after_my_own_did_not_take_place_is_refused(event, pair, as_participant):
    """It answered 200 checked_in, and the agenda showed "Present" beside "did not take
    place": one changes the feedback first. The organisers record what they saw."""
    a, _b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    meeting_id = booked.data["id"]
    move_slot(slot, timezone.now() - dt.timedelta(minutes=25))  # over, the same day
    feedback = url(event, f"{meeting_id}/feedback/")
    said = as_participant(a).put(feedback, {"took_place": False}, format="json")
    assert said.status_code == 200, said.data
    refused = as_participant(a).post(url(event, f"{meeting_id}/check-in/"))
    assert refused.status_code == 409
    assert refused.data["code"] == "feedback_not_held"
    assert refused.data["detail"] == (
        "You said in your feedback that this meeting did not take place; change your feedback "
        "first if it did."
    )
    assert Meeting.objects.get(pk=meeting_id).status == "scheduled"
    as_participant(a).put(feedback, {"took_place": True, "rating": 4}, format="json")
    checked = as_participant(a).post(url(event, f"{meeting_id}/check-in/"))
    assert checked.status_code == 200 and checked.data["status"] == "checked_in"


def test_organisers_check_in_whatever_a_participant_s_feedback_says(
    event, pair, as_participant, organiser_client
):
    a, _b, req = pair
    slot = event.slots.first()
    booked = as_participant(a).post(url(event, "book/"), {"request": req.pk, "slot": slot.pk})
    move_slot(slot, timezone.now() - dt.timedelta(minutes=25))
    feedback = url(event, f"{booked.data['id']}/feedback/")
    as_participant(a).put(feedback, {"took_place": False}, format="json")
    desk = organiser_client.post(
        url(event, f"{booked.data['id']}/status/"), {"status": "checked_in"}
    )
    assert desk.status_code == 200 and desk.data["status"] == "checked_in"


def test_organiser_table_is_found_whatever_its_capitals_and_spaces(event, pair, organiser_client):
    """The import format counts ``T1`` and ``t1`` as one table, but the API's ``table`` had to
    be typed exactly: ``lounge 05`` answered 400 "No table named" at the desk. Now capitals and
    runs of spaces do not tell two tables apart here either; an unknown name is still refused."""
    _a, _b, req = pair
    Table.objects.create(event=event, name="Lounge 05")
    slots = list(event.slots.order_by("start")[:2])
    booked = organiser_client.post(
        url(event, "book/"),
        {"request": req.pk, "slot": slots[0].pk, "table": "lounge 05"},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    assert booked.data["table"] == "Lounge 05"
    moved = organiser_client.post(
        url(event, f"{booked.data['id']}/reschedule/"),
        {"slot": slots[1].pk, "table": "  T01 "},
        format="json",
    )
    assert moved.status_code == 200, moved.data
    assert moved.data["table"] == "T01"
    unknown = organiser_client.post(
        url(event, f"{booked.data['id']}/reschedule/"),
        {"slot": slots[1].pk, "table": "Lounge 5"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.data["detail"] == 'No table named "Lounge 5" in this event.'


def _started_meeting(event, pair, as_participant):
    a, _b, req = pair
    booked = (
        as_participant(a)
        .post(url(event, "book/"), {"request": req.pk, "slot": event.slots.first().pk})
        .data
    )
    move_slot(event.slots.first(), timezone.now() - dt.timedelta(minutes=5))
    return booked["id"]


def test_no_show_records_who_did_not_come(event, pair, as_participant, organiser_client):
    """A no-show said nothing of which side failed to come: statistics could not tell."""
    mid = _started_meeting(event, pair, as_participant)
    status_url = url(event, f"{mid}/status/")

    marked = organiser_client.post(status_url, {"status": "no_show", "absent": "recipient"})

    assert marked.status_code == 200, marked.data
    assert marked.data["status"] == "no_show"
    assert marked.data["absent"] == "recipient"
    assert Meeting.objects.get(pk=mid).absent == "recipient"
    version = marked.data["version"]
    corrected = organiser_client.post(status_url, {"status": "no_show", "absent": "both"})
    assert corrected.data["absent"] == "both"
    assert corrected.data["version"] == version + 1
    log = MeetingLog.objects.filter(meeting_id=mid).order_by("id")
    assert [(x.action, x.detail) for x in log][-2:] == [
        ("status", {"old": "scheduled", "new": "no_show", "absent": "recipient"}),
        ("absent", {"old": "recipient", "new": "both"}),
    ]
    held = organiser_client.post(status_url, {"status": "held"})
    assert held.data["absent"] is None  # said of a no-show only
    assert Meeting.objects.get(pk=mid).absent == ""


def test_no_show_without_absent_says_null(event, pair, as_participant, organiser_client):
    mid = _started_meeting(event, pair, as_participant)

    marked = organiser_client.post(url(event, f"{mid}/status/"), {"status": "no_show"})

    assert marked.data["absent"] is None
    assert organiser_client.get(url(event, f"{mid}/")).data["absent"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "held", "absent": "both"}, "absent"),
        ({"status": "no_show", "absent": "nobody"}, "absent"),
    ],
)
def test_absent_refused_with_400(event, pair, as_participant, organiser_client, body, field):
    mid = _started_meeting(event, pair, as_participant)

    response = organiser_client.post(url(event, f"{mid}/status/"), body, format="json")

    assert response.status_code == 400, response.data
    assert field in str(response.data)
    assert Meeting.objects.get(pk=mid).status == "scheduled"
