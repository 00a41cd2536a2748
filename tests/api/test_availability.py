"""Availability periods edited after the import: by the participant (me/availability/) or an
organiser (participants/{id}/availability/)."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from matchmaking.models import Availability, Meeting, Notification, Slot
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

MORNING = {"start": "2018-04-18T09:00", "end": "2018-04-18T11:00"}  # the event's local time
AFTERNOON = {"start": "2018-04-18T14:00", "end": "2018-04-18T15:00"}


def mine(event):
    return f"/api/events/{event.slug}/me/availability/"


def theirs(event, person):
    return f"/api/events/{event.slug}/participants/{person.pk}/availability/"


def local_hour(slot) -> int:
    return slot.start.astimezone(zoneinfo.ZoneInfo(slot.event.timezone)).hour


def test_no_period_means_every_slot(event, make_participant, as_participant):
    amina = make_participant(name="Amina")
    response = as_participant(amina).get(mine(event))
    assert response.status_code == 200
    assert response.data == {"periods": [], "slots": None}


def test_replace_periods_in_local_time_and_read_the_slots_they_allow(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina")
    response = as_participant(amina).put(mine(event), {"periods": [MORNING]}, format="json")
    assert response.status_code == 200, response.data
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    morning = [s.pk for s in slots if local_hour(s) < 12]
    assert response.data["slots"] == morning and len(morning) == 6  # 09:00-11:00, 20 minutes
    assert response.data["cancelled_meetings"] == []
    (period,) = Availability.objects.filter(participant=amina)
    assert period.start == slots[0].start  # 09:00 in Casablanca, the event's time zone
    # overlapping periods are merged; an empty list gives the whole event back
    response = as_participant(amina).put(
        mine(event),
        {
            "periods": [
                MORNING,
                {"start": "2018-04-18T10:00", "end": "2018-04-18T15:00"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    assert len(response.data["periods"]) == 1 and len(response.data["slots"]) == len(slots)
    response = as_participant(amina).put(mine(event), {"periods": []}, format="json")
    assert response.data["slots"] is None
    assert not Availability.objects.filter(participant=amina).exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"periods": [{"start": "2018-04-18T11:00", "end": "2018-04-18T09:00"}]},
            "periods[0]: ends before it starts",
        ),
        (
            {"periods": [{"start": "tomorrow", "end": "2018-04-18T09:00"}]},
            "periods[0].start: 'tomorrow' is not a date and time like 2027-04-19T09:00.",
        ),
        (
            {"periods": [{"start": "2018-04-18T12:00", "end": "2018-04-18T13:30"}]},
            "holds no whole meeting slot",
        ),
        ({"periods": [{"start": "2018-04-18T09:00"}]}, "periods[0].end"),
        ({}, "periods"),
        ({"periods": [MORNING] * 51}, "periods"),
        ({"periods": "all day"}, "periods"),
        (
            {"periods": [{"start": "0001-01-01T00:00+14:00", "end": "2018-04-18T09:00"}]},
            "periods[0]: the date is out of range",
        ),
        (
            {"periods": [{"start": "2018-04-18T15:00", "end": "2018-04-18T16:00"}]},
            "Slots run from 2018-04-18 09:00 to 2018-04-18 15:00",  # the event's local time
        ),
    ],
)
def test_bad_periods_answer_400_and_change_nothing(
    event, make_participant, as_participant, body, message
):
    amina = make_participant(name="Amina")
    Availability.objects.create(
        participant=amina,
        start=Slot.objects.filter(event=event).earliest("start").start,
        end=Slot.objects.filter(event=event).latest("start").end,
    )
    response = as_participant(amina).put(mine(event), body, format="json")
    assert response.status_code == 400, response.data
    assert message in response.data["detail"]
    assert Availability.objects.filter(participant=amina).count() == 1


def sessions(event) -> tuple[dict, dict]:
    """The morning and the afternoon of the event's day, in its local time."""
    day = Slot.objects.filter(event=event).earliest("start").date.isoformat()
    return (
        {"start": f"{day}T09:00", "end": f"{day}T11:00"},
        {"start": f"{day}T14:00", "end": f"{day}T15:00"},
    )


@pytest.fixture
def afternoon_meeting(upcoming_event, make_participant, organiser_client):
    """Amina meets Bruno in the afternoon of an event a month ahead."""
    event = upcoming_event
    amina = make_participant(name="Amina", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    request = RequestFactory(sender=amina, recipient=bruno)
    afternoon = Slot.objects.filter(event=event, start__hour__gte=13).order_by("start").first()
    booked = organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": request.pk, "slot": afternoon.pk},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    return amina, bruno, Meeting.objects.get(pk=booked.data["id"])


def test_meetings_outside_the_new_periods_answer_409_naming_them(
    upcoming_event, afternoon_meeting, as_participant
):
    event = upcoming_event
    amina, _bruno, meeting = afternoon_meeting
    morning, _afternoon = sessions(event)
    response = as_participant(amina).put(mine(event), {"periods": [morning]}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "meetings_outside_availability"
    assert response.data["meetings"] == [meeting.pk]
    start = meeting.slot.start.astimezone(event.tz)
    # local, in words: "Sunday 27 December at 14:00"
    written = f"{start:%A} {start.day} {start:%B} at 14:00 (meeting {meeting.pk})"
    assert f"outside these periods: {written}." in response.data["detail"]
    assert not Availability.objects.filter(participant=amina).exists()
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


FRENCH_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def test_meetings_outside_the_new_periods_are_named_in_the_readers_language(
    upcoming_event, afternoon_meeting, make_participant, as_participant, organiser_client
):
    """The refusal was English only (built with f-strings): a French app read "1 booked
    meeting falls outside these periods…" among French sentences."""
    event = upcoming_event
    amina, _bruno, meeting = afternoon_meeting
    morning, _afternoon = sessions(event)
    start = meeting.slot.start.astimezone(event.tz)
    when = f"{FRENCH_DAYS[start.weekday()]} {start.day} {FRENCH_MONTHS[start.month - 1]} à 14:00"
    fr = as_participant(amina).put(
        mine(event), {"periods": [morning]}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert fr.status_code == 409
    assert fr.data["code"] == "meetings_outside_availability"
    assert fr.data["meetings"] == [meeting.pk]  # machine fields do not change with the language
    assert fr.data["detail"] == (
        f"1 rendez-vous réservé est en dehors de ces périodes : {when} (rendez-vous "
        f"{meeting.pk}). Annulez-le ou déplacez-le d’abord, ou envoyez cancel_conflicting: true "
        "pour l’annuler."
    )
    ar = as_participant(amina).put(
        mine(event), {"periods": [morning]}, format="json", HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert ar.data["detail"].startswith("لقاء محجوز واحد يقع خارج هذه الفترات: يوم ")
    assert ar.data["detail"].endswith(
        f"(اللقاء رقم {meeting.pk}). ألغه أو انقله أولًا، أو أرسل cancel_conflicting: true لإلغائه."
    )
    # two meetings: the plural, in both languages
    chen = make_participant(name="Chen", kind="exhibitor", event=event)
    later = Slot.objects.filter(event=event, start__gt=meeting.slot.start).order_by("start")[0]
    booked = organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": RequestFactory(sender=amina, recipient=chen).pk, "slot": later.pk},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    en = as_participant(amina).put(mine(event), {"periods": [morning]}, format="json")
    assert en.data["detail"].startswith("2 booked meetings fall outside these periods: ")
    assert " and " in en.data["detail"]
    assert en.data["detail"].endswith(
        "Cancel or move them first, or send cancel_conflicting: true to cancel them."
    )
    fr = as_participant(amina).put(
        mine(event), {"periods": [morning]}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert fr.data["detail"].startswith(
        f"2 rendez-vous réservés sont en dehors de ces périodes : {when} (rendez-vous "
        f"{meeting.pk}) et "
    )
    assert fr.data["detail"].endswith(
        "Annulez-les ou déplacez-les d’abord, ou envoyez cancel_conflicting: true pour les annuler."
    )
    assert not Availability.objects.filter(participant=amina).exists()


def test_cancel_conflicting_cancels_them_and_tells_the_other_side(
    upcoming_event, afternoon_meeting, as_participant, organiser_client
):
    event = upcoming_event
    amina, bruno, meeting = afternoon_meeting
    morning, _afternoon = sessions(event)
    Notification.objects.all().delete()
    response = as_participant(amina).put(
        mine(event), {"periods": [morning], "cancel_conflicting": True}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["cancelled_meetings"] == [meeting.pk]
    assert response.data["left_meetings"] == []
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert "no longer available" in meeting.cancel_reason
    assert Notification.objects.filter(recipient=bruno, kind="meeting_cancelled").exists()
    assert not Notification.objects.filter(recipient=amina).exists()  # she made the change
    # and the booking service now refuses the afternoon for her
    again = organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": meeting.request_id, "slot": meeting.slot_id},
        format="json",
    )
    assert again.status_code == 409
    assert "not available" in again.data["detail"]


def test_a_meeting_whose_slot_has_started_is_left_alone(
    upcoming_event, afternoon_meeting, as_participant
):
    """It is a fact for the organisers to record (held or no-show), not a conflict: the new
    times are saved, the meeting is neither cancelled nor named."""
    event = upcoming_event
    amina, _bruno, meeting = afternoon_meeting
    started = timezone.now() - dt.timedelta(minutes=5)
    Slot.objects.filter(pk=meeting.slot_id).update(
        start=started, end=started + dt.timedelta(minutes=20)
    )
    morning, _afternoon = sessions(event)
    for cancel_conflicting in (False, True):
        response = as_participant(amina).put(
            mine(event),
            {"periods": [morning], "cancel_conflicting": cancel_conflicting},
            format="json",
        )
        assert response.status_code == 200, response.data
        assert (response.data["cancelled_meetings"], response.data["left_meetings"]) == ([], [])
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("scheduled", 0)


def test_a_period_that_keeps_the_meeting_changes_nothing_else(
    upcoming_event, afternoon_meeting, as_participant
):
    event = upcoming_event
    amina, _bruno, meeting = afternoon_meeting
    _morning, afternoon = sessions(event)
    response = as_participant(amina).put(mine(event), {"periods": [afternoon]}, format="json")
    assert response.status_code == 200
    assert (response.data["cancelled_meetings"], response.data["left_meetings"]) == ([], [])
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_organisers_edit_anyones_periods_participants_cannot(
    event, make_participant, as_participant, organiser_client
):
    amina = make_participant(name="Amina")
    bruno = make_participant(name="Bruno")
    response = organiser_client.put(theirs(event, amina), {"periods": [AFTERNOON]}, format="json")
    assert response.status_code == 200, response.data
    assert len(response.data["slots"]) == 3
    assert organiser_client.get(theirs(event, amina)).data["slots"] == response.data["slots"]
    assert as_participant(bruno).put(theirs(event, amina), {"periods": []}).status_code == 403
    assert as_participant(bruno).get(theirs(event, amina)).status_code == 403
    missing = organiser_client.get(f"/api/events/{event.slug}/participants/999999/availability/")
    assert missing.status_code == 404
    assert organiser_client.get(mine(event)).status_code == 404


def test_a_colleague_leaves_the_meeting_which_goes_on(
    upcoming_event, make_participant, as_participant, organiser_client
):
    from matchmaking.models import MeetingSeat

    event = upcoming_event
    amina = make_participant(name="Amina", event=event)
    colleague = make_participant(name="Karim", organisation=amina.organisation, event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    morning, _afternoon = sessions(event)
    request = RequestFactory(sender=amina, recipient=bruno)
    afternoon = Slot.objects.filter(event=event, start__hour__gte=13).order_by("start").first()
    booked = organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": request.pk, "slot": afternoon.pk, "attendees": [colleague.pk]},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    Notification.objects.all().delete()
    refused = as_participant(colleague).put(mine(event), {"periods": [morning]}, format="json")
    assert refused.status_code == 409
    assert refused.data["joined"] == [booked.data["id"]]
    assert refused.data["detail"].endswith(
        "send cancel_conflicting: true to cancel it (a meeting the participant only joined "
        "as a colleague is not cancelled: they leave it and it goes on)."
    )
    response = as_participant(colleague).put(
        mine(event), {"periods": [morning], "cancel_conflicting": True}, format="json"
    )
    assert response.status_code == 200, response.data
    meeting = Meeting.objects.get(pk=booked.data["id"])
    assert response.data["cancelled_meetings"] == []  # the meeting goes on: he left it
    assert response.data["left_meetings"] == [meeting.pk]
    assert meeting.status == "scheduled" and meeting.sequence == 1
    seats = {
        s.participant_id: (s.active, s.left) for s in MeetingSeat.objects.filter(meeting=meeting)
    }
    assert seats == {amina.pk: (True, False), bruno.pk: (True, False), colleague.pk: (False, True)}
    assert meeting.log.filter(action="attendee_left").count() == 1
    # the two parties learn that Karim will not come; he did it himself, so he is not told
    told = sorted(Notification.objects.values_list("recipient__name", "kind"))
    assert told == [("Amina", "attendee_left"), ("Bruno", "attendee_left")]
    note = Notification.objects.get(recipient=bruno)
    assert note.subject.startswith("Karim n’assistera pas à votre rendez-vous du ")  # French
    assert note.body.endswith("n’y assistera pas. Le rendez-vous est maintenu.")


def test_bad_date_says_what_is_wrong_in_words(upcoming_event, make_participant, as_participant):
    amina = make_participant(name="Amina", event=upcoming_event)
    response = as_participant(amina).put(
        mine(upcoming_event),
        {"periods": [{"start": "garbage", "end": "2027-04-19T10:00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["detail"] == (
        "periods[0].start: 'garbage' is not a date and time like 2027-04-19T09:00."
    )


def test_system_reason_reaches_a_french_recipient_in_french(
    upcoming_event, afternoon_meeting, as_participant
):
    amina, bruno, meeting = afternoon_meeting
    bruno.languages = ["fr"]
    bruno.save(update_fields=["languages"])
    morning, _afternoon = sessions(upcoming_event)
    Notification.objects.all().delete()
    response = as_participant(amina).put(
        mine(upcoming_event), {"periods": [morning], "cancel_conflicting": True}, format="json"
    )
    assert response.status_code == 200, response.data
    note = Notification.objects.get(recipient=bruno, kind="meeting_cancelled")
    assert note.body.endswith("Amina n’est plus disponible à ce moment-là.")
    assert "no longer available" not in note.body
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "Amina is no longer available at that time."
    log = meeting.log.get(action="cancelled")
    assert log.detail["reason_code"] == "participant_unavailable"
    assert log.detail["reason_params"] == {"name": "Amina"}


def test_a_local_time_the_clocks_skip_answers_400_saying_so(
    event, make_participant, as_participant
):
    """Casablanca's clocks jump from 02:00 to 03:00 on 2026-03-22: 02:30 names no moment."""
    amina = make_participant(name="Amina")
    response = as_participant(amina).put(
        mine(event),
        {"periods": [{"start": "2026-03-22T02:30", "end": "2026-03-22T09:00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["detail"] == (
        "periods[0].start: 2026-03-22 02:30 does not exist in Africa/Casablanca: "
        "the clocks skip it."
    )
    assert not Availability.objects.filter(participant=amina).exists()


def test_periods_far_beyond_the_fair_are_kept_as_the_fairs_days_and_export_back(
    event, make_participant, as_participant, organiser_client
):
    """A tester stored 0001-01-01 to 9999-12-31: the export then wrote a local-mean-time offset
    (-00:30:20) that the import refuses, so one participant broke the organisers' backup."""
    amina = make_participant(name="Amina")
    forever = {"start": "0001-01-01T00:00", "end": "9999-12-31T23:59"}
    response = as_participant(amina).put(mine(event), {"periods": [forever]}, format="json")
    assert response.status_code == 200, response.data
    tz = zoneinfo.ZoneInfo(event.timezone)
    (period,) = Availability.objects.filter(participant=amina)
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    first_day = slots[0].start.astimezone(tz).date()
    last_day = slots[-1].end.astimezone(tz).date()
    assert period.start.astimezone(tz) == dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    assert period.end.astimezone(tz) == dt.datetime.combine(
        last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz
    )
    assert response.data["slots"] == [s.pk for s in slots]

    exported = organiser_client.get(f"/api/events/{event.slug}/export/").json()
    exported["event"]["slug"] = "copy"
    copied = organiser_client.post("/api/events/import/", exported, format="json")
    assert copied.status_code == 201, copied.json()


def test_what_get_answers_can_be_put_back(event, make_participant, as_participant):
    """GET, edit the periods, PUT the object back: the answer's own keys are not "unknown"."""
    amina = make_participant(name="Amina")
    client = as_participant(amina)
    body = client.put(mine(event), {"periods": [MORNING]}, format="json").json()
    assert {"slots", "cancelled_meetings", "left_meetings"} <= set(body)
    body["periods"] = [AFTERNOON]
    again = client.put(mine(event), body, format="json")
    assert again.status_code == 200, again.json()
    assert len(again.json()["periods"]) == 1


def test_year_one_with_an_offset_answers_400(event, make_participant, as_participant):
    """Its local time in the event's zone is before year 1: the message could not be written."""
    amina = make_participant(name="Amina")
    response = as_participant(amina).put(
        mine(event),
        {"periods": [{"start": "0001-01-01T00:00Z", "end": "0001-01-01T01:00Z"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "out of range" in response.json()["detail"]


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        ("2018-04-18T09:30:00.123456789", "2018-04-18T09:30"),
        ("2018-04-18T09:30:00.000001", "2018-04-18T09:30"),
        ("2018-04-18T09:30:30", "2018-04-18T09:30"),
        ("2018-04-18T08:30:00,5Z", "2018-04-18T08:30"),
    ],
)
def test_a_time_that_is_not_a_whole_minute_answers_400_naming_it(
    event, make_participant, as_participant, start, shown
):
    """09:30:00.123456789 was taken and kept the 09:30 slot out in silence (it starts before the
    period does); 09:30:00.000001 to 09:50 said the period held no slot from 09:30 to 09:50."""
    amina = make_participant(name="Amina")
    response = as_participant(amina).put(
        mine(event), {"periods": [{"start": start, "end": "2018-04-18T11:00"}]}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == "periods"
    assert response.json()["detail"] == (
        f"Times are given to the minute: periods[0].start is {start!r}; write it without "
        f"seconds, like {shown}."
    )
    assert not Availability.objects.filter(participant=amina).exists()


def test_whole_minutes_with_zero_seconds_are_taken(event, make_participant, as_participant):
    amina = make_participant(name="Amina")
    period = {"start": "2018-04-18T09:00:00.000", "end": "2018-04-18T11:00:00"}
    response = as_participant(amina).put(mine(event), {"periods": [period]}, format="json")
    assert response.status_code == 200, response.json()


def test_an_organisers_put_with_a_stale_etag_leaves_the_participants_change(
    event, make_participant, as_participant, organiser_client
):
    """The desk read Amina's times; Amina then changed them herself; the desk's PUT, sent
    with the ETag it read, is refused (412) instead of overwriting her change, as the
    console's Times card is. With the fresh ETag it goes through; without If-Match, as before."""
    amina = make_participant(name="Amina")
    read = organiser_client.get(theirs(event, amina))
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 18
    mine_now = as_participant(amina).put(mine(event), {"periods": [MORNING]}, format="json")
    assert mine_now.status_code == 200
    assert mine_now["ETag"] != etag
    stale = organiser_client.put(
        theirs(event, amina), {"periods": [AFTERNOON]}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert stale.data["code"] == "availability_changed"
    assert stale.data["etag"] == mine_now["ETag"]
    assert stale.data["detail"].startswith("Amina's times were changed since you read them")
    (period,) = Availability.objects.filter(participant=amina)
    assert period.start.astimezone(zoneinfo.ZoneInfo(event.timezone)).hour == 9
    # a weak ETag (compression) names the same; the fresh one goes through
    fresh = organiser_client.get(theirs(event, amina))["ETag"]
    assert fresh == mine_now["ETag"]
    done = organiser_client.put(
        theirs(event, amina), {"periods": [AFTERNOON]}, format="json", HTTP_IF_MATCH=f"W/{fresh}"
    )
    assert done.status_code == 200, done.data
    assert done["ETag"] != fresh
    (period,) = Availability.objects.filter(participant=amina)
    assert period.start.astimezone(zoneinfo.ZoneInfo(event.timezone)).hour == 14
    # without If-Match (or with *) the last change wins, as before
    for headers in ({}, {"HTTP_IF_MATCH": "*"}):
        again = organiser_client.put(
            theirs(event, amina), {"periods": [MORNING]}, format="json", **headers
        )
        assert again.status_code == 200, again.data


def test_an_if_match_without_a_quoted_etag_is_a_400_naming_it(
    event, make_participant, organiser_client
):
    amina = make_participant(name="Amina")
    etag = organiser_client.get(theirs(event, amina))["ETag"]
    for header in ("abc", f"{etag}, {etag}"):
        response = organiser_client.put(
            theirs(event, amina), {"periods": [MORNING]}, format="json", HTTP_IF_MATCH=header
        )
        assert response.status_code == 400, header
        assert response.data["field"] == "If-Match"
    assert not Availability.objects.filter(participant=amina).exists()


def test_the_schema_documents_if_match_on_the_availability_put(organiser_client):
    schema = organiser_client.get("/api/schema/", {"format": "json"}).json()
    path = "/api/events/{slug}/participants/{id}/availability/"
    put = schema["paths"][path]["put"]
    (header,) = [p for p in put["parameters"] if p["name"] == "If-Match"]
    assert header["in"] == "header" and "availability_changed" in header["description"]
    assert "412" in put["responses"]
