"""A participant who no longer comes to the fair says so in one step (me/attendance/), or an
organiser does for them (participants/{id}/attendance/): their meetings to come and open
requests are cancelled, the other side told, and nobody can recommend, ask or message them."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import Meeting, MeetingRequest, MeetingSeat, Notification, Slot
from matchmaking.selectors import broadcast_audience, broadcast_audience_sizes
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def mine(event):
    return f"/api/events/{event.slug}/me/attendance/"


def theirs(event, person):
    return f"/api/events/{event.slug}/participants/{person.pk}/attendance/"


def say_not_coming(client, url):
    response = client.put(url, {"attending": False}, format="json")
    assert response.status_code == 200, response.data
    return response


def book(client, event, request, slot, **extra):
    response = client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": request.pk, "slot": slot.pk, **extra},
        format="json",
    )
    assert response.status_code == 201, response.data
    return Meeting.objects.get(pk=response.data["id"])


@pytest.fixture
def amina_agenda(upcoming_event, make_participant, organiser_client):
    """Amina (a delegation) has: a meeting to come with Bruno, a meeting that started with
    Chen, a seat as Karim's colleague in his meeting with Dana, a pending request from Eva, a
    pending request to Farid, and an accepted request with Gita not booked yet."""
    event = upcoming_event
    people = {}
    for name, kind, language in [
        ("Amina", "delegation", "ar"),
        ("Bruno", "exhibitor", "en"),
        ("Chen", "exhibitor", "en"),
        ("Dana", "exhibitor", "en"),
        ("Eva", "startup", "fr"),
        ("Farid", "exhibitor", "en"),
        ("Gita", "investor", "en"),
    ]:
        people[name] = make_participant(name=name, kind=kind, event=event, languages=[language])
    amina = people["Amina"]
    people["Karim"] = make_participant(
        name="Karim", kind="delegation", event=event, organisation=amina.organisation
    )
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    with_bruno = book(
        organiser_client, event, RequestFactory(sender=amina, recipient=people["Bruno"]), slots[1]
    )
    with_chen = book(
        organiser_client, event, RequestFactory(sender=people["Chen"], recipient=amina), slots[0]
    )
    karims = book(
        organiser_client,
        event,
        RequestFactory(sender=people["Karim"], recipient=people["Dana"]),
        slots[2],
        attendees=[amina.pk],
    )
    from_eva = RequestFactory(sender=people["Eva"], recipient=amina, status="pending")
    to_farid = RequestFactory(sender=amina, recipient=people["Farid"], status="pending")
    with_gita = RequestFactory(sender=people["Gita"], recipient=amina)
    # Chen's meeting started five minutes ago
    started = timezone.now() - dt.timedelta(minutes=5)
    Slot.objects.filter(pk=slots[0].pk).update(start=started, end=started + dt.timedelta(20))
    Notification.objects.all().delete()
    return people, {
        "bruno": with_bruno,
        "chen": with_chen,
        "karim": karims,
        "eva": from_eva,
        "farid": to_farid,
        "gita": with_gita,
    }


def test_saying_i_no_longer_come_cancels_what_is_to_come_and_tells_the_others(
    upcoming_event, amina_agenda, as_participant
):
    event = upcoming_event
    people, mine_ = amina_agenda
    amina = people["Amina"]
    assert as_participant(amina).get(mine(event)).data == {
        "attending": True,
        "withdrawn_at": None,
    }
    response = as_participant(amina).put(mine(event), {"attending": False}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["attending"] is False and response.data["withdrawn_at"]
    assert response.data["cancelled_meetings"] == [mine_["bruno"].pk]
    assert response.data["left_meetings"] == [mine_["karim"].pk]
    withdrawn = {mine_["eva"].pk, mine_["farid"].pk, mine_["gita"].pk}
    assert set(response.data["withdrawn_requests"]) == withdrawn  # Bruno's went with the meeting
    statuses = dict(MeetingRequest.objects.values_list("pk", "status"))
    assert all(statuses[pk] == "cancelled" for pk in withdrawn | {mine_["bruno"].request_id})
    # the meeting that started stays, with its request: what happened is the organisers'
    assert statuses[mine_["chen"].request_id] == "accepted"
    meetings = {m.pk: m for m in Meeting.objects.all()}
    assert meetings[mine_["chen"].pk].status == "scheduled"
    assert meetings[mine_["bruno"].pk].status == "cancelled"
    assert meetings[mine_["bruno"].pk].cancel_reason == "Amina no longer comes to the fair."
    assert meetings[mine_["karim"].pk].status == "scheduled"  # Karim's meeting goes on
    assert MeetingSeat.objects.get(meeting=mine_["karim"], participant=amina).left
    told = set(Notification.objects.values_list("recipient__name", "kind"))
    assert told == {
        ("Bruno", "meeting_cancelled"),
        ("Karim", "attendee_left"),
        ("Dana", "attendee_left"),
        ("Eva", "request_withdrawn"),
        ("Farid", "request_withdrawn"),
        ("Gita", "request_withdrawn"),
        ("Amina", "attendance_withdrawn"),  # one email saying what was cancelled
    }  # once each
    assert Notification.objects.count() == len(told)
    summary = Notification.objects.get(recipient=amina)  # in her language (Arabic)
    assert summary.subject == f"لن تحضر {event.name}"
    assert summary.body.startswith(f"أخبرتنا أنك لن تحضر {event.name}: أُلغي لقاء واحد و3 طلبات")
    # each is told why in their language
    eva_email = Notification.objects.get(recipient=people["Eva"])
    assert "Motif : Amina ne vient plus au salon." in eva_email.body
    farid_email = Notification.objects.get(recipient=people["Farid"])
    assert "Reason: Amina no longer comes to the fair." in farid_email.body
    assert as_participant(amina).get(mine(event)).data["attending"] is False
    assert as_participant(amina).get(f"/api/events/{event.slug}/me/").data["attending"] is False


def test_nobody_can_find_ask_or_message_who_no_longer_comes(
    upcoming_event, make_participant, as_participant, organiser_client
):
    event = upcoming_event
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    karim = make_participant(
        name="Karim", kind="delegation", event=event, organisation=amina.organisation
    )
    say_not_coming(as_participant(amina), mine(event))
    directory = f"/api/events/{event.slug}/participants/"
    seen = {p["name"] for p in as_participant(bruno).get(directory).data["results"]}
    assert seen == {"Bruno", "Karim"}
    # to someone who never dealt with her, her id is unknown (walking ids must not list who
    # withdrew); her colleague is told why
    gone = as_participant(bruno).get(f"{directory}{amina.pk}/")
    assert gone.status_code == 404 and gone.data["detail"] == "No such participant at this event."
    told = as_participant(karim).get(f"{directory}{amina.pk}/")
    assert told.status_code == 404 and told.data["detail"] == "Amina no longer comes to the fair."
    # organisers see everyone, and who no longer comes
    listed = organiser_client.get(directory, {"attending": "false"}).data["results"]
    assert [(p["name"], p["attending"]) for p in listed] == [("Amina", False)]
    assert organiser_client.get(directory, {"attending": "true"}).data["count"] == 2
    requests = f"/api/events/{event.slug}/requests/"
    asked = as_participant(bruno).post(requests, {"recipient": amina.pk}, format="json")
    assert asked.status_code == 400, asked.data
    assert asked.data["detail"] == f"No participant {amina.pk} in this event."
    assert asked.data["field"] == "recipient"
    asked = organiser_client.post(
        requests, {"sender": bruno.pk, "recipient": amina.pk}, format="json"
    )
    assert asked.status_code == 409, asked.data
    assert asked.data["code"] == "not_attending"
    assert "Amina no longer comes to the fair" in asked.data["detail"]
    asks = as_participant(amina).post(requests, {"recipient": bruno.pk}, format="json")
    assert asks.status_code == 409 and asks.data["code"] == "self_not_attending"
    assert asks.data["detail"] == (  # said to her: about herself
        "You said you no longer come to the fair; if you come after all, say so first "
        "(PUT me/attendance/ with attending true)."
    )
    for_her = organiser_client.post(
        requests, {"sender": amina.pk, "recipient": bruno.pk}, format="json"
    )
    assert for_her.status_code == 409 and for_her.data["code"] == "self_not_attending"
    assert for_her.data["detail"] == (  # said to an organiser acting for her
        "Amina said they no longer come to the fair; they must say that they come after all first."
    )
    assert not MeetingRequest.objects.exists()
    # not recommended to anyone, recommended nobody
    recs = f"/api/events/{event.slug}/recommendations/"
    assert amina.pk not in {r["participant"]["id"] for r in as_participant(bruno).get(recs).data}
    assert as_participant(amina).get(recs).data == []
    # the organisers' messages leave her out
    assert set(broadcast_audience(event=event, audience="all")) == {bruno, karim}
    assert broadcast_audience_sizes(event=event)["kind:delegation"] == 1


def test_a_colleague_who_no_longer_comes_cannot_be_brought_to_a_meeting(
    upcoming_event, make_participant, as_participant, organiser_client
):
    event = upcoming_event
    amina = make_participant(name="Amina", kind="delegation", event=event)
    karim = make_participant(
        name="Karim", kind="delegation", event=event, organisation=amina.organisation
    )
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    say_not_coming(organiser_client, theirs(event, karim))
    request = RequestFactory(sender=amina, recipient=bruno)
    slot = Slot.objects.filter(event=event).order_by("start").first()
    booked = as_participant(amina).post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": request.pk, "slot": slot.pk, "attendees": [karim.pk]},
        format="json",
    )
    assert booked.status_code == 409, booked.data
    assert booked.data["code"] == "not_attending" and not Meeting.objects.exists()
    meeting = book(as_participant(amina), event, request, slot)
    joined = as_participant(amina).post(
        f"/api/events/{event.slug}/meetings/{meeting.pk}/attendees/",
        {"participant": karim.pk},
        format="json",
    )
    assert joined.status_code == 409 and "Karim no longer comes" in joined.data["detail"]
    assert meeting.seats.count() == 2


def test_coming_after_all_brings_nothing_back_and_opens_requests_again(
    upcoming_event, amina_agenda, as_participant
):
    event = upcoming_event
    people, mine_ = amina_agenda
    amina = people["Amina"]
    say_not_coming(as_participant(amina), mine(event))
    back = as_participant(amina).put(mine(event), {"attending": True}, format="json")
    assert back.status_code == 200, back.data
    assert back.data == {
        "attending": True,
        "withdrawn_at": None,
        "cancelled_meetings": [],
        "left_meetings": [],
        "withdrawn_requests": [],
    }
    assert Meeting.objects.get(pk=mine_["bruno"].pk).status == "cancelled"
    assert MeetingRequest.objects.get(pk=mine_["eva"].pk).status == "cancelled"
    twice = as_participant(amina).put(mine(event), {"attending": True}, format="json")
    assert twice.status_code == 200 and twice.data == back.data  # a PUT says it twice: the same
    asks = as_participant(amina).post(
        f"/api/events/{event.slug}/requests/", {"recipient": people["Farid"].pk}, format="json"
    )
    assert asks.status_code == 201, asks.data


def test_saying_i_no_longer_come_twice_answers_the_same_state_and_cancels_nothing_more(
    upcoming_event, amina_agenda, as_participant, organiser_client
):
    """A PUT is idempotent: a mobile app that retries, or a second device (or the organisers'
    desk) saying it too, gets 200 with the state as it is, not 409 already_withdrawn; nothing
    is cancelled and nobody is told the second time."""
    event = upcoming_event
    people, mine_ = amina_agenda
    amina = people["Amina"]
    first = say_not_coming(as_participant(amina), mine(event))
    assert first.data["cancelled_meetings"] == [mine_["bruno"].pk]
    told = Notification.objects.count()
    # a request she receives meanwhile is refused, so there is nothing new to cancel either
    again = as_participant(amina).put(mine(event), {"attending": False}, format="json")
    assert again.status_code == 200, again.data
    assert again.data == {
        "attending": False,
        "withdrawn_at": first.data["withdrawn_at"],  # when she first said it
        "cancelled_meetings": [],
        "left_meetings": [],
        "withdrawn_requests": [],
    }
    desk = organiser_client.put(theirs(event, amina), {"attending": False}, format="json")
    assert desk.status_code == 200 and desk.data == again.data
    assert Notification.objects.count() == told  # nobody told twice
    assert as_participant(amina).get(mine(event)).data == {
        "attending": False,
        "withdrawn_at": first.data["withdrawn_at"],
    }


def test_saying_i_come_when_i_come_answers_the_same_state(
    event, make_participant, as_participant, organiser_client
):
    amina = make_participant(name="Amina")
    coming = {
        "attending": True,
        "withdrawn_at": None,
        "cancelled_meetings": [],
        "left_meetings": [],
        "withdrawn_requests": [],
    }
    said = as_participant(amina).put(mine(event), {"attending": True}, format="json")
    assert said.status_code == 200 and said.data == coming
    desk = organiser_client.put(theirs(event, amina), {"attending": True}, format="json")
    assert desk.status_code == 200 and desk.data == coming


def test_organisers_change_anyones_attendance_participants_only_their_own(
    event, make_participant, as_participant, organiser_client
):
    amina = make_participant(name="Amina")
    bruno = make_participant(name="Bruno")
    assert as_participant(bruno).put(theirs(event, amina), {"attending": False}).status_code == 403
    assert as_participant(bruno).get(theirs(event, amina)).status_code == 403
    response = organiser_client.put(theirs(event, amina), {"attending": False}, format="json")
    assert response.status_code == 200, response.data
    assert organiser_client.get(theirs(event, amina)).data["attending"] is False
    assert organiser_client.get(mine(event)).status_code == 404  # no profile of their own
    missing = organiser_client.get(f"/api/events/{event.slug}/participants/999999/attendance/")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "fmt", "message"),
    [
        ({}, "json", "attending"),
        ({"attending": "maybe"}, "json", "attending"),
        ({"attending": None}, "json", "attending"),
        ({"attending": 0}, "json", "Must be true or false."),
        ({"attending": "no"}, "json", "Must be true or false."),
        ({"attending": "on"}, "json", "Must be true or false."),
        ({"attending": [False]}, "json", "attending"),
        ({"attending": False, "reason": "flight"}, "json", "reason"),
        ({"note": "x"}, "form", "attending"),  # an absent form boolean is not false
    ],
)
def test_bad_attendance_answers_400_and_changes_nothing(
    event, make_participant, as_participant, body, fmt, message
):
    amina = make_participant(name="Amina")
    client = as_participant(amina)
    if fmt == "form":
        form = "&".join(f"{k}={v}" for k, v in body.items())
        response = client.generic(
            "PUT", mine(event), form, content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.put(mine(event), body, format=fmt)
    assert response.status_code == 400, response.data
    assert message in str(response.data)
    amina.refresh_from_db()
    assert amina.attending


def test_a_colleague_who_withdrew_while_the_booking_was_under_way_is_not_seated(
    upcoming_event, make_participant
):
    """The review: the colleague was checked before the locks, from the object the caller
    loaded; they are read again under the locks."""
    from matchmaking.exceptions import Conflict
    from matchmaking.models import Participant
    from matchmaking.services.meetings import Actor, meeting_book

    event = upcoming_event
    amina = make_participant(name="Amina", kind="delegation", event=event)
    karim = make_participant(
        name="Karim", kind="delegation", event=event, organisation=amina.organisation
    )
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    request = RequestFactory(sender=amina, recipient=bruno)
    stale_karim = Participant.objects.get(pk=karim.pk)  # loaded before he withdraws
    Participant.objects.filter(pk=karim.pk).update(withdrawn_at=timezone.now())
    slot = Slot.objects.filter(event=event).order_by("start").first()
    with pytest.raises(Conflict) as refused:
        meeting_book(
            request=request,
            slot=slot,
            actor=Actor(participant=amina),
            attendees=[stale_karim],
        )
    assert refused.value.code == "not_attending"
    assert not Meeting.objects.exists()


def test_a_meeting_on_record_of_who_no_longer_comes_cannot_move_to_a_time_to_come(
    upcoming_event, amina_agenda, as_participant, organiser_client
):
    event = upcoming_event
    people, mine_ = amina_agenda
    say_not_coming(as_participant(people["Amina"]), mine(event))
    started = mine_["chen"]  # kept: it had started
    later = Slot.objects.filter(event=event).order_by("start")[3]
    moved = organiser_client.post(
        f"/api/events/{event.slug}/meetings/{started.pk}/reschedule/",
        {"slot": later.pk},
        format="json",
    )
    assert moved.status_code == 409, moved.data
    assert moved.data["code"] == "not_attending"
    assert Meeting.objects.get(pk=started.pk).slot_id == started.slot_id


def test_a_meeting_the_other_side_checked_in_to_stays_and_does_not_block_the_change(
    upcoming_event, make_participant, as_participant
):
    """Check-in opens half an hour before: the other side is there; the organisers record it."""
    event = upcoming_event
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    soon = timezone.now() + dt.timedelta(minutes=10)
    slot = Slot.objects.filter(event=event).order_by("start").first()
    Slot.objects.filter(pk=slot.pk).update(start=soon, end=soon + dt.timedelta(minutes=20))
    request = RequestFactory(sender=amina, recipient=bruno)
    meeting = book(as_participant(amina), event, request, slot)
    checked = as_participant(bruno).post(
        f"/api/events/{event.slug}/meetings/{meeting.pk}/check-in/", format="json"
    )
    assert checked.status_code == 200, checked.data
    response = say_not_coming(as_participant(amina), mine(event))
    assert response.data["cancelled_meetings"] == [] and response.data["withdrawn_requests"] == []
    meeting.refresh_from_db()
    assert meeting.status == "checked_in"
    assert MeetingRequest.objects.get(pk=request.pk).status == "accepted"


def test_when_the_organisers_act_the_others_hear_it_was_them_and_she_gets_one_email(
    upcoming_event, amina_agenda, organiser_client
):
    """The exploratory tester: the desk's change mailed her once per item, naming herself as
    the reason; now the other sides hear the organisers withdrew it, and she gets one email."""
    event = upcoming_event
    people, mine_ = amina_agenda
    amina = people["Amina"]
    say_not_coming(organiser_client, theirs(event, amina))
    withdrawn = Notification.objects.filter(kind="request_withdrawn")
    assert sorted(withdrawn.values_list("recipient__name", flat=True)) == ["Eva", "Farid", "Gita"]
    eva = withdrawn.get(recipient=people["Eva"])
    assert "Les organisateurs ont retiré la demande" in eva.body, eva.body
    (summary,) = Notification.objects.filter(recipient=amina)
    assert summary.kind == "attendance_withdrawn" and summary.language == "ar"
    said = f"سجّل المنظمون أنك لن تحضر {event.name}: " + "أُلغي لقاء واحد و3 طلبات"
    assert summary.body.startswith(said)
    # the cancellation is the organisers' decision, not the system's (the scheduler keeps off)
    assert Meeting.objects.get(pk=mine_["bruno"].pk).cancelled_by == "organiser"


def test_the_directory_filter_refuses_a_value_that_is_not_true_or_false(
    event, make_participant, organiser_client
):
    make_participant(name="Amina")
    url = f"/api/events/{event.slug}/participants/"
    for value in ("maybe", "0", "1"):
        response = organiser_client.get(url, {"attending": value})
        assert response.status_code == 400, (value, response.data)
        assert "attending" in str(response.data)


def test_the_summary_says_so_when_nothing_was_left_to_cancel(
    event, make_participant, as_participant
):
    amina = make_participant(name="Amina", languages=["en"])
    say_not_coming(as_participant(amina), mine(event))
    (summary,) = Notification.objects.filter(recipient=amina)
    assert summary.body.startswith(
        f"You said you no longer come to {event.name}: nothing of yours was still to come."
    ), summary.body


def test_participants_do_not_learn_who_withdrew_by_probing_ids(
    upcoming_event, make_participant, as_participant, organiser_client
):
    """``participants/{id}/`` answered any id of a withdrawn participant with their name
    ("<name> no longer comes to the fair."), to anyone in the event: walking ids listed everyone
    who withdrew. Now only someone who dealt with them (a request, a shared meeting, a mark, a
    colleague) or an organiser is told; to anyone else it is an unknown id, on every route
    that takes an id."""
    event = upcoming_event
    stranger = make_participant(name="Sam", event=event)
    asker = make_participant(name="Asker", event=event)
    gone = make_participant(name="Nadia Gone", event=event)
    RequestFactory(sender=asker, recipient=gone, status=MeetingRequest.Status.DECLINED)
    say_not_coming(as_participant(gone), mine(event))
    base = f"/api/events/{event.slug}"
    client = as_participant(stranger)
    listed = client.get(f"{base}/participants/").data
    assert gone.pk not in [p["id"] for p in listed["results"]]  # hidden in the list
    unknown_id = gone.pk + 1000
    for pk in (gone.pk, unknown_id):  # the same answers as for an id nobody has
        one = client.get(f"{base}/participants/{pk}/")
        assert (one.status_code, one.data["detail"]) == (404, "No such participant at this event.")
        marked = client.put(f"{base}/me/marks/{pk}/", {"mark": "saved"}, format="json")
        assert (marked.status_code, marked.data["detail"]) == (
            404,
            f"No participant {pk} in this event.",
        )
        wrote = client.post(
            f"{base}/me/conversations/{pk}/messages/", {"body": "Hello"}, format="json"
        )
        assert (wrote.status_code, wrote.data["detail"]) == (
            404,
            f"No participant {pk} in this event.",
        )
    told = as_participant(asker).get(f"{base}/participants/{gone.pk}/")
    assert (told.status_code, told.data["detail"]) == (
        404,
        "Nadia Gone no longer comes to the fair.",
    )
    seen = organiser_client.get(f"{base}/participants/{gone.pk}/")
    assert seen.status_code == 200 and seen.data["attending"] is False
