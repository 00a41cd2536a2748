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
from django.db.models import Q
from django.utils import timezone

from matchmaking import selectors
from matchmaking.exceptions import Conflict, InvalidInput, NotFound
from matchmaking.models import Message, Participant
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.notifications import notify_message
from matchmaking.unusable import UNUSABLE

BODY_LIMIT = 2000
UNANSWERED_LIMIT = 5


def message_refusal(sender: Participant, recipient: Participant) -> tuple[str, str] | None:
    """Why ``sender`` may not write to ``recipient`` now: ``(code, sentence)``, or None. Reads
    the two rows as given (the caller locked and re-read them when it writes)."""
    if sender.withdrawn_at is not None:
        return (
            "self_not_attending",
            "You said you no longer come to the fair; if you come after all, say so first "
            "(PUT me/attendance/ with attending true).",
        )
    if recipient.withdrawn_at is not None:
        return "not_attending", f"{recipient.name} no longer comes to the fair."
    if sender.organisation_id == recipient.organisation_id:
        return (
            "colleague",
            f"{recipient.name} is your colleague; messages here are for the people you meet.",
        )
    if recipient.pk not in selectors.in_touch_with(participant=sender, others=[recipient.pk]):
        return (
            "not_in_touch",
            f"You can write to {recipient.name} once a meeting request between you is waiting "
            "or accepted, or while you share a meeting.",
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
    if found is None:
        raise NotFound(f"No participant {recipient_id} in this event.")
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
    (False: the same form, ``client_token``, was sent already; nothing is sent twice).

    Side effects: one row; an email to the recipient when it is the first message from the
    sender they have not read yet (after commit). Refused (4xx) when the two are not in touch,
    one of them no longer comes, the text is empty or too long, or the sender has written
    ``UNANSWERED_LIMIT`` messages in a row without an answer."""
    text = _clean_body(body)
    token = (client_token or "")[:64]
    if token:
        sent = Message.objects.filter(sender=sender, client_token=token).first()
        if sent is not None:
            return sent, False
    recipient = _recipient(sender, recipient_id)
    try:
        with guarded_transaction():
            # the two rows locked and read again: a withdrawal or a replacing import meanwhile
            lock_participants_and_slots([sender.pk, recipient.pk], [])
            sender = Participant.objects.select_related("organisation").get(pk=sender.pk)
            recipient = Participant.objects.select_related("organisation").get(pk=recipient.pk)
            refusal = message_refusal(sender, recipient)
            if refusal is not None:
                code, sentence = refusal
                raise Conflict(sentence, code=code, field="participant")
            if _unanswered(sender, recipient) >= UNANSWERED_LIMIT:
                raise Conflict(
                    f"You have written to {recipient.name} {UNANSWERED_LIMIT} times in a row; "
                    "wait for an answer before writing again.",
                    code="wait_for_answer",
                )
            message = Message.objects.create(
                event_id=sender.event_id,
                sender=sender,
                recipient=recipient,
                body=text,
                client_token=token,
            )
            unread_before = (
                Message.objects.filter(sender=sender, recipient=recipient, read_at__isnull=True)
                .exclude(pk=message.pk)
                .exists()
            )
            if not unread_before:  # they were told of the first unread one already
                notify_message(message=message)
    except IntegrityError:
        # the same form sent twice at once: the first one is the message
        sent = Message.objects.filter(sender=sender, client_token=token).first() if token else None
        if sent is None:
            raise
        return sent, False
    return message, True


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
    Returns how many messages were unread; their sender's next message is emailed again."""
    if not Participant.objects.filter(event_id=participant.event_id, pk=other_id).exists():
        raise NotFound(f"No participant {other_id} in this event.")
    return Message.objects.filter(
        Q(sender_id=other_id) & Q(recipient=participant), read_at__isnull=True
    ).update(read_at=timezone.now())
