"""Messages between participants who are in touch (a request waiting or accepted, or a shared
meeting): who may write, what is emailed, read state, the limit of unanswered messages."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from matchmaking import selectors
from matchmaking.exceptions import Conflict, InvalidInput, NotFound
from matchmaking.models import MeetingRequest, Message, Notification
from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.meetings import Actor, meeting_attendee_add, meeting_book, meeting_cancel
from matchmaking.services.messages import UNANSWERED_LIMIT, message_send, messages_read
from matchmaking.services.requests import request_decline
from tests.factories import ParticipantFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.fixture
def pair(event, make_participant):
    amina = make_participant(name="Amina", languages=["fr"], email="amina@example.org")
    bruno = make_participant(name="Bruno", languages=["en"], email="bruno@example.org")
    return amina, bruno


def test_a_pending_request_puts_both_sides_in_touch(event, pair, send):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.PENDING)
    with send():
        message, new = message_send(sender=bruno, recipient_id=amina.pk, body="  Afternoon?  ")
    assert new is True
    assert (message.sender, message.recipient, message.body) == (bruno, amina, "Afternoon?")
    # the recipient is emailed, in her language, with the text quoted
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]
    assert mail.outbox[0].subject == f"Bruno ({bruno.organisation.name}) vous a envoyé un message"
    assert "> Afternoon?" in mail.outbox[0].body


def test_nobody_is_in_touch_without_a_request_or_meeting(event, pair):
    amina, bruno = pair
    with pytest.raises(Conflict) as refused:
        message_send(sender=amina, recipient_id=bruno.pk, body="Hello")
    assert refused.value.code == "not_in_touch"
    assert refused.value.message == (
        "You can write to Bruno once a meeting request between you is waiting or accepted, or "
        "while you share a meeting."
    )
    assert Message.objects.count() == 0


def test_a_declined_request_ends_the_conversation_but_keeps_it_readable(event, pair):
    amina, bruno = pair
    request = RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.PENDING)
    message_send(sender=amina, recipient_id=bruno.pk, body="Please say yes")
    request_decline(request=request, by=bruno)
    with pytest.raises(Conflict) as refused:
        message_send(sender=amina, recipient_id=bruno.pk, body="Why not?")
    assert refused.value.code == "declined_no_messages"
    assert refused.value.message == (
        "Bruno declined your meeting request; you no longer write to each other here."
    )
    with pytest.raises(Conflict) as refused:  # nor the one who declined
        message_send(sender=bruno, recipient_id=amina.pk, body="Sorry")
    assert refused.value.message == (
        "You declined Amina's meeting request; you no longer write to each other here."
    )
    assert [m.body for m in selectors.messages_between(participant=bruno, other_id=amina.pk)] == [
        "Please say yes"
    ]
    [conversation] = selectors.conversations_of(participant=amina)
    assert (conversation.other, conversation.in_touch) == (bruno, False)


def test_an_expired_pending_request_is_no_link_any_more(event, pair):
    amina, bruno = pair
    RequestFactory(
        sender=amina,
        recipient=bruno,
        status=MeetingRequest.Status.PENDING,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    with pytest.raises(Conflict) as refused:
        message_send(sender=amina, recipient_id=bruno.pk, body="Still there?")
    assert refused.value.code == "not_in_touch"


def test_a_colleague_who_joined_a_meeting_may_write_to_the_other_side(event, pair):
    amina, bruno = pair
    request = RequestFactory(sender=amina, recipient=bruno)
    meeting = meeting_book(
        request=request, slot=event.slots.first(), actor=Actor(participant=amina)
    )
    colleague = ParticipantFactory(event=event, organisation=amina.organisation, name="Chadia")
    with pytest.raises(Conflict):
        message_send(sender=colleague, recipient_id=bruno.pk, body="I will come too")
    meeting_attendee_add(meeting=meeting, person=colleague, actor=Actor(participant=amina))
    message, _new = message_send(sender=colleague, recipient_id=bruno.pk, body="I will come too")
    assert message.recipient == bruno
    # a cancelled meeting is no link; the accepted request still is, for its two parties only
    meeting_cancel(meeting=meeting, by=bruno)
    with pytest.raises(Conflict) as refused:
        message_send(sender=colleague, recipient_id=bruno.pk, body="Rebook?")
    assert refused.value.code == "not_in_touch"
    message_send(sender=amina, recipient_id=bruno.pk, body="Rebook?")


def test_colleagues_and_oneself_are_refused(event, pair):
    amina, _bruno = pair
    colleague = ParticipantFactory(event=event, organisation=amina.organisation, name="Chadia")
    with pytest.raises(Conflict) as refused:
        message_send(sender=amina, recipient_id=colleague.pk, body="Lunch?")
    assert refused.value.code == "colleague"
    with pytest.raises(InvalidInput) as refused:
        message_send(sender=amina, recipient_id=amina.pk, body="Note to self")
    assert refused.value.code == "cannot_message_self"
    other_event = ParticipantFactory()
    with pytest.raises(NotFound):
        message_send(sender=amina, recipient_id=other_event.pk, body="Hello")


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "message_blank"), ("   \n ", "message_blank"), ("x" * 2001, "message_too_long")],
)
def test_empty_and_too_long_messages_are_refused(event, pair, body, code):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno)
    with pytest.raises(InvalidInput) as refused:
        message_send(sender=amina, recipient_id=bruno.pk, body=body)
    assert (refused.value.code, refused.value.field) == (code, "body")
    assert Message.objects.count() == 0


def test_someone_who_no_longer_comes_neither_writes_nor_is_written_to(event, pair):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno)
    message_send(sender=amina, recipient_id=bruno.pk, body="See you")
    attendance_withdraw(participant=bruno, actor=Actor(participant=bruno))
    with pytest.raises(Conflict) as refused:
        message_send(sender=amina, recipient_id=bruno.pk, body="Are you coming?")
    assert refused.value.code == "not_attending"
    bruno.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        message_send(sender=bruno, recipient_id=amina.pk, body="Sorry")
    assert refused.value.code == "self_not_attending"


def test_only_the_first_unread_message_is_emailed_until_the_conversation_is_opened(
    event, pair, send
):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno)
    with send():
        message_send(sender=amina, recipient_id=bruno.pk, body="One")
        message_send(sender=amina, recipient_id=bruno.pk, body="Two")
    assert len(mail.outbox) == 1
    assert selectors.unread_messages(participant=bruno) == 2
    assert messages_read(participant=bruno, other_id=amina.pk) == 2
    assert selectors.unread_messages(participant=bruno) == 0
    assert messages_read(participant=bruno, other_id=amina.pk) == 0
    with send():
        message_send(sender=amina, recipient_id=bruno.pk, body="Three")
    assert len(mail.outbox) == 2
    assert "> Three" in mail.outbox[1].body
    assert Notification.objects.filter(kind="message_received").count() == 2


def test_a_message_quoting_percent_signs_and_lines_is_emailed_as_written(event, pair, send):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno)
    with send():
        message_send(sender=amina, recipient_id=bruno.pk, body="100% sure\n%(who)s line two")
    assert "> 100% sure\n> %(who)s line two" in mail.outbox[0].body


def test_five_unanswered_messages_wait_for_an_answer(event, pair):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno)
    for n in range(UNANSWERED_LIMIT):
        message_send(sender=amina, recipient_id=bruno.pk, body=f"Ping {n}")
    with pytest.raises(Conflict) as refused:
        message_send(sender=amina, recipient_id=bruno.pk, body="Ping again")
    assert refused.value.code == "wait_for_answer"
    message_send(sender=bruno, recipient_id=amina.pk, body="Pong")
    message_send(sender=amina, recipient_id=bruno.pk, body="At last")
    assert Message.objects.filter(sender=amina).count() == UNANSWERED_LIMIT + 1


def test_the_same_form_sent_twice_sends_once(event, pair, send):
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno)
    with send():
        first, new = message_send(sender=amina, recipient_id=bruno.pk, body="Hi", client_token="t1")
        again, new_again = message_send(
            sender=amina, recipient_id=bruno.pk, body="Hi", client_token="t1"
        )
    assert (new, new_again, again) == (True, False, first)
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_conversations_list_the_latest_first_with_unread_counts(event, pair, make_participant):
    amina, bruno = pair
    chadia = make_participant(name="Chadia")
    RequestFactory(sender=amina, recipient=bruno)
    RequestFactory(sender=chadia, recipient=amina)
    message_send(sender=bruno, recipient_id=amina.pk, body="From Bruno")
    message_send(sender=amina, recipient_id=chadia.pk, body="To Chadia")
    message_send(sender=bruno, recipient_id=amina.pk, body="Bruno again")
    found = selectors.conversations_of(participant=amina)
    assert [(c.other.name, c.last.body, c.unread, c.in_touch) for c in found] == [
        ("Bruno", "Bruno again", 2, True),
        ("Chadia", "To Chadia", 0, True),
    ]
    assert [c.other.name for c in selectors.conversations_of(participant=chadia)] == ["Amina"]


def test_the_message_email_opens_the_conversation(event, pair, send, settings):
    settings.SITE_URL = "https://mm.example.org/"[:-1]
    amina, bruno = pair
    RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.PENDING)
    with send():
        message_send(sender=amina, recipient_id=bruno.pk, body="Morning?")
    assert mail.outbox[-1].to == [bruno.email]
    assert mail.outbox[-1].body.endswith(
        f"Open it on your pages: https://mm.example.org/my/{event.slug}/messages/{amina.pk}/"
    )
