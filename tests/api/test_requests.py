import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import IdempotencyKey, MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def url(event, tail=""):
    return f"/api/events/{event.slug}/requests/{tail}"


def test_create_request_then_recipient_accepts(event, make_participant, as_participant):
    a, b = make_participant(name="Amina"), make_participant(name="Bruno")
    created = as_participant(a).post(
        url(event), {"recipient": b.pk, "message": "Water metering?", "priority": 4}
    )
    assert created.status_code == 201, created.data
    assert created.data["status"] == "pending"
    assert created.data["direction"] == "sent"
    assert created.data["expires_at"] is not None
    inbox = as_participant(b).get(url(event), {"direction": "received"})
    assert [r["id"] for r in inbox.data["results"]] == [created.data["id"]]
    accepted = as_participant(b).post(url(event, f"{created.data['id']}/accept/"))
    assert accepted.status_code == 200
    assert accepted.data["status"] == "accepted"


def test_sender_cannot_accept_own_request(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="pending")
    response = as_participant(a).post(url(event, f"{req.pk}/accept/"))
    assert response.status_code == 403
    assert MeetingRequest.objects.get(pk=req.pk).status == "pending"


def test_duplicate_request_either_direction_answers_409(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    assert as_participant(a).post(url(event), {"recipient": b.pk}).status_code == 201
    again = as_participant(b).post(url(event), {"recipient": a.pk})
    assert again.status_code == 409
    assert again.data["code"] == "duplicate_request"


def test_request_to_self_or_colleague_answers_400(event, make_participant, as_participant):
    a = make_participant()
    colleague = make_participant(organisation=a.organisation)
    assert as_participant(a).post(url(event), {"recipient": a.pk}).status_code == 400
    response = as_participant(a).post(url(event), {"recipient": colleague.pk})
    assert response.status_code == 400
    assert "same organisation" in response.data["detail"]
    assert response.data["code"] == "same_organisation"
    own = as_participant(a).post(url(event), {"recipient": a.pk})
    assert own.data["code"] == "request_self"


def test_request_to_someone_never_at_the_fair_at_the_same_time_answers_409(
    event, make_participant, as_participant
):
    """Both gave their times and no slot lies inside both: the request could never be booked.
    Someone who gave no times (there all along) can still be asked."""
    from matchmaking.models import Availability

    slots = list(event.slots.order_by("start"))
    a, b, c = make_participant(), make_participant(name="Bruno Ley"), make_participant()
    Availability.objects.create(participant=a, start=slots[0].start, end=slots[1].end)
    Availability.objects.create(participant=b, start=slots[3].start, end=slots[-1].end)

    never = as_participant(a).post(url(event), {"recipient": b.pk})

    assert never.status_code == 409
    assert never.data["code"] == "no_common_time"
    assert "never at the fair at the same time" in never.data["detail"]
    assert "Bruno Ley" in never.data["detail"]
    assert not MeetingRequest.objects.filter(sender=a).exists()
    assert as_participant(a).post(url(event), {"recipient": c.pk}).status_code == 201
    Availability.objects.create(participant=b, start=slots[1].start, end=slots[1].end)
    assert as_participant(a).post(url(event), {"recipient": b.pk}).status_code == 201


def test_request_for_a_part_of_the_day_the_two_never_share_answers_409(
    make_participant, as_participant
):
    """Fatima is at the fair on day 1 and on day 2 in the morning, Lina only on day 2 in the
    morning: an afternoon request could never be booked (the booking keeps it to afternoon
    slots), so it is refused and says which part of the day; morning or any time may be asked."""
    from matchmaking.models import Availability
    from tests.factories import EventFactory

    first = timezone.localdate() + dt.timedelta(days=30)
    event = EventFactory(days=[first, first + dt.timedelta(days=1)])
    tz = event.tz

    def at(day, hour, minute=0):
        return dt.datetime.combine(first + dt.timedelta(days=day), dt.time(hour, minute), tz)

    fatima = make_participant(event=event, name="Fatima")
    lina = make_participant(event=event, name="Lina Haddad")
    Availability.objects.create(participant=fatima, start=at(0, 9), end=at(0, 18))
    Availability.objects.create(participant=fatima, start=at(1, 9), end=at(1, 12))
    Availability.objects.create(participant=lina, start=at(1, 9, 20), end=at(1, 12, 30))

    refused = as_participant(fatima).post(
        url(event), {"recipient": lina.pk, "session": "afternoon"}
    )

    assert refused.status_code == 409, refused.data
    assert refused.data["code"] == "no_common_time_in_session"
    assert refused.data["detail"] == (
        "You and Lina Haddad are never at the fair at the same time in the afternoon; choose "
        "another part of the day or any time."
    )
    assert not MeetingRequest.objects.exists()
    morning = as_participant(fatima).post(url(event), {"recipient": lina.pk, "session": "morning"})
    assert morning.status_code == 201, morning.data
    assert morning.data["session"] == "morning"


def test_request_for_a_part_of_the_day_without_common_time_at_all_says_so(
    event, make_participant, as_participant
):
    """Never together at any time: the sentence says so, not which part of the day to choose."""
    from matchmaking.models import Availability

    slots = list(event.slots.order_by("start"))
    a, b = make_participant(), make_participant(name="Bruno Ley")
    Availability.objects.create(participant=a, start=slots[0].start, end=slots[1].end)
    Availability.objects.create(participant=b, start=slots[3].start, end=slots[-1].end)

    never = as_participant(a).post(url(event), {"recipient": b.pk, "session": "afternoon"})

    assert never.status_code == 409
    assert never.data["code"] == "no_common_time"
    assert never.data["detail"] == (
        "You and Bruno Ley are never at the fair at the same time: no meeting slot lies inside "
        "both your times. Change your times, or ask someone else."
    )


def test_exhibitor_to_exhibitor_needs_both_opt_in(event, make_participant, as_participant):
    a = make_participant(kind="exhibitor", accepts_same_kind=True)
    b = make_participant(kind="exhibitor")
    assert as_participant(a).post(url(event), {"recipient": b.pk}).status_code == 400
    b.accepts_same_kind = True
    b.save()
    assert as_participant(a).post(url(event), {"recipient": b.pk}).status_code == 201


def test_expired_request_cannot_be_accepted(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    req = RequestFactory(
        sender=a, recipient=b, status="pending", expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    response = as_participant(b).post(url(event, f"{req.pk}/accept/"))
    assert response.status_code == 409
    assert response.data["detail"] == "This request expired before it was answered."
    assert MeetingRequest.objects.get(pk=req.pk).status == "expired"


def test_a_request_past_its_expiry_shows_expired_before_the_sweep_records_it(
    event, make_participant, as_participant, monkeypatch
):
    """It showed "pending, answer before ..." with Accept buttons until the 5-minute sweep ran;
    an answer recorded the expiry but left both lists as they were (the exploratory test)."""
    from matchmaking.services import requests as rs

    a, b = make_participant(), make_participant()
    req = RequestFactory(
        sender=a, recipient=b, status="pending", expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    shown = as_participant(b).get(url(event, f"{req.pk}/")).data
    assert shown["status"] == "expired"
    assert MeetingRequest.objects.get(pk=req.pk).status == "pending"  # a read writes nothing
    assert as_participant(b).get(url(event), {"status": "pending"}).data["results"] == []
    listed = as_participant(b).get(url(event), {"status": "expired"}).data["results"]
    assert [r["status"] for r in listed] == ["expired"]  # the filter follows what is shown
    page = as_participant(b)  # the pages show it expired, with no Accept button
    refreshed = []
    monkeypatch.setattr(rs, "_lists_refresh_later", lambda r: refreshed.append(r.pk))
    assert page.post(url(event, f"{req.pk}/accept/")).status_code == 409
    assert refreshed == [req.pk]  # the two lists may offer each other again


def test_cancel_accepted_request_cancels_its_meeting(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b)
    booked = as_participant(a).post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": req.pk, "slot": event.slots.first().pk},
    )
    assert booked.status_code == 201
    response = as_participant(b).post(
        url(event, f"{req.pk}/cancel/"), {"reason": "no longer needed"}
    )
    assert response.status_code == 200
    assert response.data["status"] == "cancelled"
    meeting = as_participant(a).get(f"/api/events/{event.slug}/meetings/{booked.data['id']}/")
    assert meeting.data["status"] == "cancelled"


def test_organiser_creates_request_on_behalf(event, make_participant, organiser_client):
    a, b = make_participant(), make_participant()
    assert organiser_client.post(url(event), {"recipient": b.pk}).status_code == 400
    response = organiser_client.post(url(event), {"sender": a.pk, "recipient": b.pk})
    assert response.status_code == 201
    assert response.data["sender"]["id"] == a.pk


def test_create_request_idempotency_key(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    client = as_participant(a)
    first = client.post(url(event), {"recipient": b.pk}, HTTP_IDEMPOTENCY_KEY="abc")
    second = client.post(url(event), {"recipient": b.pk}, HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert MeetingRequest.objects.count() == 1


def test_an_idempotency_key_older_than_24_hours_starts_a_new_operation(
    event, make_participant, as_participant
):
    a, b, c = make_participant(), make_participant(), make_participant()
    client = as_participant(a)
    first = client.post(url(event), {"recipient": b.pk}, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201
    # within 24 hours another body with the same key is refused
    reused = client.post(url(event), {"recipient": c.pk}, HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 422
    IdempotencyKey.objects.filter(key="k1").update(
        created_at=timezone.now() - IdempotencyKey.TTL - dt.timedelta(minutes=1)
    )
    later = client.post(url(event), {"recipient": c.pk}, HTTP_IDEMPOTENCY_KEY="k1")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert later.json()["recipient"]["id"] == c.pk
    assert MeetingRequest.objects.count() == 2
    assert IdempotencyKey.objects.filter(key="k1").count() == 1


def test_a_participant_cannot_have_more_requests_waiting_than_the_cap(
    event, make_participant, as_participant, organiser_client, settings
):
    """A tester sent 78 requests (78 emails) in 3.7 s: nothing stopped it."""
    settings.MAX_PENDING_REQUESTS = 3
    me = make_participant()
    others = [make_participant() for _ in range(5)]
    client = as_participant(me)
    for person in others[:3]:
        assert client.post(url(event), {"recipient": person.pk}).status_code == 201
    refused = client.post(url(event), {"recipient": others[3].pk})
    assert refused.status_code == 409
    assert refused.data["code"] == "too_many_pending_requests"
    assert "3 requests still waiting" in refused.data["detail"]
    assert MeetingRequest.objects.filter(sender=me).count() == 3
    # an answer frees a place; organisers are not capped
    MeetingRequest.objects.filter(sender=me, recipient=others[0]).update(status="declined")
    assert client.post(url(event), {"recipient": others[3].pk}).status_code == 201
    on_behalf = organiser_client.post(url(event), {"sender": me.pk, "recipient": others[4].pk})
    assert on_behalf.status_code == 201


def test_bad_request_bodies_answer_400(event, make_participant, as_participant):
    a = make_participant()
    client = as_participant(a)
    for body in (
        {},
        {"recipient": "x"},
        {"recipient": 99999},
        {"recipient": a.pk, "priority": 9},
        {"recipient": 1, "session": "night"},
    ):
        response = client.post(url(event), body, format="json")
        assert response.status_code == 400, (body, response.status_code, response.data)
        assert isinstance(response.data["detail"], str) and response.data["detail"]


def test_declined_sender_cannot_ask_again_the_recipient_can(
    event, make_participant, as_participant, organiser_client, django_capture_on_commit_callbacks
):
    from django.core import mail

    a, b = make_participant(name="Amina"), make_participant(name="Bruno")
    first = as_participant(a).post(url(event), {"recipient": b.pk})
    assert as_participant(b).post(url(event, f"{first.data['id']}/decline/")).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = as_participant(a).post(url(event), {"recipient": b.pk, "message": "Please?"})
        on_behalf = organiser_client.post(url(event), {"sender": a.pk, "recipient": b.pk})
    for response in (again, on_behalf):
        assert response.status_code == 409
        assert response.data == {
            "detail": "Bruno declined your request at this event; you cannot ask them again. "
            "They can still send you a request.",
            "code": "request_declined",
        }
    assert MeetingRequest.objects.count() == 1
    assert mail.outbox == []  # Bruno is not emailed again
    # Bruno may change his mind and ask Amina himself.
    assert as_participant(b).post(url(event), {"recipient": a.pk}).status_code == 201


def test_common_times_that_have_passed_do_not_count(event, make_participant):
    from matchmaking.exceptions import Conflict
    from matchmaking.models import Availability
    from matchmaking.services.requests import request_create

    slots = list(event.slots.order_by("start"))
    a, b = make_participant(), make_participant()
    Availability.objects.create(participant=a, start=slots[0].start, end=slots[1].end)
    Availability.objects.create(participant=b, start=slots[0].start, end=slots[-1].end)

    with pytest.raises(Conflict) as refused:
        request_create(sender=a, recipient=b, now=slots[1].start)  # both common slots begun
    assert refused.value.code == "no_common_time"
    assert request_create(sender=a, recipient=b, now=slots[0].start).status == "pending"


def test_no_common_time_when_one_side_gave_no_times_and_the_others_have_passed(
    event, make_participant
):
    """Someone who gave no times is at the fair at every slot; the other's times have all begun:
    no slot to come suits both, in either direction."""
    from matchmaking.exceptions import Conflict
    from matchmaking.models import Availability
    from matchmaking.services.requests import request_create

    slots = list(event.slots.order_by("start"))
    a, b = make_participant(), make_participant(name="Bruno Ley")
    Availability.objects.create(participant=a, start=slots[0].start, end=slots[1].end)

    for sender, recipient in ((a, b), (b, a)):
        with pytest.raises(Conflict) as refused:
            request_create(sender=sender, recipient=recipient, now=slots[1].start)
        assert refused.value.code == "no_common_time"
    assert not MeetingRequest.objects.exists()
    assert request_create(sender=b, recipient=a, now=slots[0].start).status == "pending"


def test_no_common_time_not_raised_when_neither_gave_times(event, make_participant):
    from matchmaking.services.requests import request_create

    slots = list(event.slots.order_by("start"))
    a, b = make_participant(), make_participant()
    assert request_create(sender=a, recipient=b, now=slots[-2].start).status == "pending"


def test_organisers_filter_requests_by_participant_and_direction(
    event, make_participant, organiser_client, as_participant
):
    """?participant= was ignored (every request of the event came back) and so was
    ?direction= for organisers: the exploratory test."""
    a, b, c = make_participant(), make_participant(), make_participant()
    ab = RequestFactory(sender=a, recipient=b)
    ca = RequestFactory(sender=c, recipient=a)
    bc = RequestFactory(sender=b, recipient=c)
    url = f"/api/events/{event.slug}/requests/"

    def ids(client, **query):
        response = client.get(url, query)
        assert response.status_code == 200, response.data
        return sorted(r["id"] for r in response.data["results"])

    assert ids(organiser_client, participant=a.pk) == sorted([ab.pk, ca.pk])
    assert ids(organiser_client, participant=a.pk, direction="sent") == [ab.pk]
    assert ids(organiser_client, participant=a.pk, direction="received") == [ca.pk]
    assert ids(organiser_client) == sorted([ab.pk, ca.pk, bc.pk])
    refused = organiser_client.get(url, {"direction": "sent"})
    assert (refused.status_code, refused.data["field"]) == (400, "direction")
    # a participant: their own requests, with that person
    assert ids(as_participant(a), participant=c.pk) == [ca.pk]
    assert ids(as_participant(a), participant=c.pk, direction="sent") == []
    assert organiser_client.get(url, {"participant": "x"}).status_code == 400


def test_decline_with_a_reason_quotes_it_in_the_senders_email(
    event, make_participant, as_participant, django_capture_on_commit_callbacks
):
    from django.core import mail

    a, b = make_participant(name="Amina", languages=["en"]), make_participant(name="Bruno")
    req = RequestFactory(sender=a, recipient=b, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_participant(b).post(
            url(event, f"{req.pk}/decline/"), {"reason": "We do not sell to cities"}
        )
    assert response.status_code == 200, response.content
    assert response.data["status"] == "declined"
    (email,) = [m for m in mail.outbox if m.to == [a.email]]
    assert email.body.endswith("declined your request. Reason: We do not sell to cities")


def test_decline_without_a_reason_says_none(
    event, make_participant, as_participant, django_capture_on_commit_callbacks
):
    from django.core import mail

    a, b = make_participant(name="Amina", languages=["en"]), make_participant(name="Bruno")
    req = RequestFactory(sender=a, recipient=b, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_participant(b).post(url(event, f"{req.pk}/decline/"))
    assert response.status_code == 200, response.content
    (email,) = [m for m in mail.outbox if m.to == [a.email]]
    assert "Reason" not in email.body


def test_decline_reason_too_long_is_refused(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="pending")
    response = as_participant(b).post(url(event, f"{req.pk}/decline/"), {"reason": "x" * 301})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]
    req.refresh_from_db()
    assert req.status == "pending"
