"""Messages: two participants who are in touch write to each other.

As in Brella or b2match, where people who connected can talk before and after they meet:
"could we meet in the afternoon?", "I am at stand B12", "here is the deck we discussed". Two
people are *in touch* while a meeting request between them is waiting or accepted, or while
they share a meeting that is not cancelled (a colleague who joined it included). A declined or
withdrawn request ends it, so nobody can be pestered after saying no; what was written stays
readable. Private: nobody else reads them, organisers included.

A recipient is emailed for the first message they have not read from someone, not for every
one: the next email comes once they have opened the conversation. A sender may write
``UNANSWERED_LIMIT`` messages in a row without an answer, then waits for one.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.utils import timezone

from matchmaking import selectors
from matchmaking.exceptions import Busy, Conflict, InvalidInput, NotFound
from matchmaking.models import Message, Participant
from matchmaking.reasons import no_such
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.notifications import notify_message
from matchmaking.services.requests import SELF_NOT_ATTENDING
from matchmaking.unusable import UNUSABLE

BODY_LIMIT = 2000
UNANSWERED_LIMIT = 5


def message_refusal(sender: Participant, recipient: Participant) -> tuple[str, str] | None:
    """Why ``sender`` may not write to ``recipient`` now: ``(code, sentence)``, or None. Reads
    the two rows as given (the caller locked and re-read them when it writes)."""
    if sender.withdrawn_at is not None:
        return "self_not_attending", SELF_NOT_ATTENDING
    if recipient.withdrawn_at is not None:
        return "not_attending", f"{recipient.name} no longer comes to the fair."
    if sender.organisation_id == recipient.organisation_id:
        return (
            "colleague",
            f"{recipient.name} is your colleague; messages here are for the people you meet.",
        )
    if recipient.pk not in selectors.in_touch_with(participant=sender, others=[recipient.pk]):
        declined = selectors.declined_between(a=sender, b=recipient)
        if declined is not None:  # a "no": no asking again, and no writing either
            if declined.recipient_id == sender.pk:
                sentence = (
                    f"You declined {recipient.name}'s meeting request; you no longer write "
                    "to each other here."
                )
            else:
                sentence = (
                    f"{recipient.name} declined your meeting request; you no longer write to "
                    "each other here."
                )
            return "declined_no_messages", sentence
        return (
            "not_in_touch",
            f"You can write to {recipient.name} once a meeting request between you is waiting "
            "or accepted, or while you share a meeting.",
        )
    if _unanswered(sender, recipient) >= UNANSWERED_LIMIT:
        return (
            "wait_for_answer",
            f"You have written to {recipient.name} {UNANSWERED_LIMIT} times in a row; wait for "
            "an answer before writing again.",
        )
    return None


def _recipient(sender: Participant, recipient_id: int) -> Participant:
    if recipient_id == sender.pk:
        raise InvalidInput(
            "You cannot write to yourself.", field="participant", code="cannot_message_self"
        )
    found = (
        Participant.objects.filter(event_id=sender.event_id, pk=recipient_id)
        .select_related("organisation")
        .first()
    )
    if found is None or not selectors.may_know(participant=sender, other=found):
        # who withdrew is an unknown id to someone who never dealt with them
        raise no_such("participant", recipient_id, NotFound)
    return found


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise InvalidInput(
            "Write a message first: it is empty.", field="body", code="message_blank"
        )
    if UNUSABLE.search(text):
        raise InvalidInput(
            "The message holds a character that cannot be stored (a NUL, or half of a "
            "surrogate pair); remove it and send again.",
            field="body",
        )
    if len(text) > BODY_LIMIT:
        raise InvalidInput(
            f"A message holds at most {BODY_LIMIT:,} characters; this one has {len(text):,}.",
            field="body",
            code="message_too_long",
        )
    return text


def message_send(
    *, sender: Participant, recipient_id: int, body: str, client_token: str = ""
) -> tuple[Message, bool]:
    """Write ``body`` to participant ``recipient_id``. Returns the message and whether it is new
    (False: the same form, ``client_token``, was sent already with the same text to the same
    person; nothing is sent twice).

    Side effects: one row; what the recipient wrote to the sender is read (answering means
    having read it); an email to the recipient when it is the first message from the sender
    they have not read yet (after commit). Refused (4xx) when the two are not in touch, one of
    them no longer comes, the text is empty or too long, the sender has written
    ``UNANSWERED_LIMIT`` messages in a row without an answer, or the form's token was used for
    another text (a form brought back by the browser: reload it)."""
    text = _clean_body(body)
    token = (client_token or "")[:64]
    recipient = _recipient(sender, recipient_id)
    sent = _sent_with(sender, token, recipient, text)
    if sent is not None:
        return sent, False
    try:
        with guarded_transaction():
            # the two rows locked and read again: a withdrawal or a replacing import meanwhile
            _lock_pair(sender, recipient)
            sender = Participant.objects.select_related("organisation").get(pk=sender.pk)
            recipient = Participant.objects.select_related("organisation").get(pk=recipient.pk)
            refusal = message_refusal(sender, recipient)
            if refusal is not None:
                code, sentence = refusal
                raise Conflict(sentence, code=code, field="participant")
            message = Message.objects.create(
                event_id=sender.event_id,
                sender=sender,
                recipient=recipient,
                body=text,
                client_token=token,
            )
            _read(reader=sender, writer_id=recipient.pk)
            unread_before = (
                Message.objects.filter(sender=sender, recipient=recipient, read_at__isnull=True)
                .exclude(pk=message.pk)
                .exists()
            )
            if not unread_before:  # they were told of the first unread one already
                notify_message(message=message)
    except IntegrityError:
        # the same form sent twice at once: the first one is the message
        sent = _sent_with(sender, token, recipient, text)
        if sent is None:
            raise
        return sent, False
    except Busy:
        raise Busy("Busy for a moment: send your message again.") from None
    return message, True


def _sent_with(sender: Participant, token: str, recipient: Participant, text: str):
    """The message this form (``token``) sent already, when it was this text to this person;
    None when the form was not sent. A form brought back with another text or for someone else
    (the browser's Back button) is refused rather than taken for the first send."""
    if not token:
        return None
    sent = Message.objects.filter(sender=sender, client_token=token).first()
    if sent is None:
        return None
    if (sent.recipient_id, sent.body) != (recipient.pk, text):
        raise Conflict(
            "This form was sent already; reload the page to write another message.",
            code="form_sent_already",
        )
    return sent


def _lock_pair(a: Participant, b: Participant) -> None:
    """Serialise what two people write to and read of each other (their rows, in id order)."""
    lock_participants_and_slots([a.pk, b.pk], [])


def _read(*, reader: Participant, writer_id: int) -> int:
    return Message.objects.filter(
        sender_id=writer_id, recipient=reader, read_at__isnull=True
    ).update(read_at=timezone.now())


def _unanswered(sender: Participant, recipient: Participant) -> int:
    """Messages ``sender`` wrote to ``recipient`` since the recipient's last one to them."""
    last_answer = (
        Message.objects.filter(sender=recipient, recipient=sender)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    mine = Message.objects.filter(sender=sender, recipient=recipient)
    if last_answer is not None:
        mine = mine.filter(created_at__gt=last_answer)
    return mine.count()


def messages_read(*, participant: Participant, other_id: int) -> int:
    """Mark what ``other_id`` wrote to ``participant`` as read (the conversation was opened).
    Returns how many messages were unread; their sender's next message is emailed again. Under
    the pair's lock, so that a message sent meanwhile is either read here or emailed."""
    other = Participant.objects.filter(event_id=participant.event_id, pk=other_id).first()
    if other is None:
        raise no_such("participant", other_id, NotFound)
    if not Message.objects.filter(
        sender=other, recipient=participant, read_at__isnull=True
    ).exists():
        return 0  # nothing to read: no lock, no write (every opening of a read conversation)
    try:
        with guarded_transaction():
            _lock_pair(participant, other)
            return _read(reader=participant, writer_id=other.pk)
    except Busy:
        raise Busy("Busy for a moment: open the conversation again.") from None
