"""Messages through the API (me/conversations/...): private to the two people in touch."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking.models import MeetingRequest, Message
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def thread(event, person):
    return f"/api/events/{event.slug}/me/conversations/{person.pk}/messages/"


@pytest.fixture
def pair(upcoming_event, make_participant):
    amina = make_participant(name="Amina", languages=["en"])
    bruno = make_participant(name="Bruno", languages=["en"])
    RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.PENDING)
    return amina, bruno


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def test_write_read_and_list_conversations(
    event, pair, as_participant, django_capture_on_commit_callbacks
):
    amina, bruno = pair
    with django_capture_on_commit_callbacks(execute=True):
        sent = as_participant(amina).post(
            thread(event, bruno), {"body": "Afternoon?"}, format="json"
        )
    assert sent.status_code == 201, sent.data
    assert (sent.data["sender"], sent.data["recipient"], sent.data["mine"]) == (
        amina.pk,
        bruno.pk,
        True,
    )
    assert sent.data["read_at"] is None
    assert len(mail.outbox) == 1

    client = as_participant(bruno)
    assert client.get(f"/api/events/{event.slug}/me/").data["unread_messages"] == 1
    listed = client.get(f"/api/events/{event.slug}/me/conversations/")
    assert listed.status_code == 200
    [conversation] = listed.data["results"]
    assert conversation["participant"]["name"] == "Amina"
    assert conversation["unread"] == 1
    assert conversation["in_touch"] is True
    assert conversation["last_message"]["body"] == "Afternoon?"
    assert conversation["last_message"]["mine"] is False

    read = client.post(f"/api/events/{event.slug}/me/conversations/{amina.pk}/read/")
    assert read.status_code == 200
    assert read.data == {"read": 1}
    assert client.get(f"/api/events/{event.slug}/me/").data["unread_messages"] == 0

    answer = client.post(thread(event, amina), {"body": "Yes, 15:00"}, format="json")
    assert answer.status_code == 201
    latest_first = as_participant(amina).get(thread(event, bruno)).data["results"]
    assert [m["body"] for m in latest_first] == ["Yes, 15:00", "Afternoon?"]
    assert latest_first[1]["read_at"] is not None


def test_people_not_in_touch_get_a_409_that_says_why(event, make_participant, as_participant):
    amina, stranger = make_participant(name="Amina"), make_participant(name="Zed")
    response = as_participant(amina).post(thread(event, stranger), {"body": "Hi"}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "not_in_touch"
    assert response.data["detail"].startswith("You can write to Zed once a meeting request")
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({}, "body"),
        ({"body": "hi", "sender": 5, "extra": 1}, "extra"),
        ({"body": ["a list"]}, "body"),
    ],
)
def test_bad_bodies_are_refused_with_400(event, pair, as_participant, body, field):
    amina, bruno = pair
    response = as_participant(amina).post(thread(event, bruno), body, format="json")
    assert response.status_code == 400, response.data
    assert field in str(response.data)
    assert Message.objects.count() == 0


def test_a_nul_character_is_refused_not_a_500(event, pair, as_participant):
    amina, bruno = pair
    response = as_participant(amina).post(thread(event, bruno), {"body": "a\x00b"}, format="json")
    assert response.status_code == 400


def test_unknown_and_foreign_participants_are_404(event, pair, as_participant):
    amina, _bruno = pair
    client = as_participant(amina)
    for pk in (999_999, 2**63):
        url = f"/api/events/{event.slug}/me/conversations/{pk}/messages/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Hi"}, format="json").status_code == 404
        assert (
            client.post(f"/api/events/{event.slug}/me/conversations/{pk}/read/").status_code == 404
        )


def test_organisers_do_not_read_participants_messages(
    event, pair, as_participant, organiser_client
):
    amina, bruno = pair
    as_participant(amina).post(thread(event, bruno), {"body": "Private"}, format="json")
    assert organiser_client.get(f"/api/events/{event.slug}/me/conversations/").status_code == 404
    response = organiser_client.get(thread(event, bruno))
    assert response.status_code == 404
    assert "not shown to anyone else" in response.data["detail"]


def test_a_third_participant_sees_none_of_it(event, pair, as_participant, make_participant):
    amina, bruno = pair
    as_participant(amina).post(thread(event, bruno), {"body": "Private"}, format="json")
    third = as_participant(make_participant(name="Chadia"))
    assert third.get(thread(event, amina)).data["results"] == []
    assert third.get(f"/api/events/{event.slug}/me/conversations/").data["results"] == []


def test_an_idempotency_key_sends_once(event, pair, as_participant):
    amina, bruno = pair
    client = as_participant(amina)
    headers = {"HTTP_IDEMPOTENCY_KEY": "msg-1"}
    first = client.post(thread(event, bruno), {"body": "Once"}, format="json", **headers)
    again = client.post(thread(event, bruno), {"body": "Once"}, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.data["id"] == again.data["id"]
    assert Message.objects.count() == 1


def test_the_conversation_list_costs_the_same_queries_for_one_or_three(
    event, make_participant, as_participant
):
    me = make_participant(name="Me")
    client = as_participant(me)
    url = f"/api/events/{event.slug}/me/conversations/"
    counts = []
    for n in (1, 3):
        while Message.objects.filter(recipient=me).values("sender").distinct().count() < n:
            other = make_participant()
            RequestFactory(sender=other, recipient=me)
            as_participant(other).post(thread(event, me), {"body": "Hello"}, format="json")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_answering_reads_what_they_wrote_so_their_next_message_is_emailed(
    event, pair, as_participant, send
):
    """A client that reads the thread and answers without POST .../read/ left the first message
    unread for ever, and the other side's next messages were never emailed."""
    amina, bruno = pair
    with send():
        as_participant(amina).post(thread(event, bruno), {"body": "One"}, format="json")
    api = as_participant(bruno)
    api.get(thread(event, amina))
    with send():
        api.post(thread(event, amina), {"body": "Answer"}, format="json")
        as_participant(amina).post(thread(event, bruno), {"body": "Two"}, format="json")
    assert [m.to for m in mail.outbox] == [[bruno.email], [amina.email], [bruno.email]]
    assert "> Two" in mail.outbox[2].body
