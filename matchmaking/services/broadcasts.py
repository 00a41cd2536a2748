"""Messages from the organisers: one email, written once, to a part of the event's participants
(everyone, one kind, those without a meeting, those with requests waiting for their answer) or
to one participant.
Each recipient gets a Notification (sent by the same task as every other email, with its
retries); the same form posted twice sends once."""

import hashlib

from django.db import IntegrityError, transaction
from django.urls import reverse

from matchmaking import selectors
from matchmaking.exceptions import InvalidInput
from matchmaking.models import Broadcast, Event, Notification
from matchmaking.services.notifications import (
    _deliver_later,
    batched,
    language_of,
    one_line,
    site_link,
)
from matchmaking.unusable import UNUSABLE, plain_line_breaks

SUBJECT_LIMIT = 200
BODY_LIMIT = 5000


def _text(value, *, field: str, limit: int, what: str) -> str:
    text = plain_line_breaks(value).strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"Write the message's {what}.", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} is {len(text)} characters long; at most {limit}.", field=field
        )
    if UNUSABLE.search(text):
        raise InvalidInput(
            f"The {what} contains a character that cannot be sent (a NUL or half of a "
            "surrogate pair).",
            field=field,
        )
    return text


def broadcast_send(
    *, event: Event, subject: str, body: str, audience: str, by=None, client_token: str = ""
) -> Broadcast:
    """Email ``subject`` and ``body`` to every participant of ``audience`` (one of
    ``selectors.BROADCAST_AUDIENCES``, ``kind:<kind>`` or ``participant:<id>``), in one
    transaction; the emails
    leave after it commits. ``client_token``: the sending form's token; a broadcast already sent
    with it is returned as it is, and nothing is sent again.

    Raises InvalidInput (naming the field) for an empty or too long text, an unknown audience,
    or an audience with nobody in it (code ``empty_audience``)."""
    subject = one_line(_text(subject, field="subject", limit=SUBJECT_LIMIT, what="subject"))
    body = _text(body, field="body", limit=BODY_LIMIT, what="text")
    if client_token:
        # the same form sent twice sends once; sent again with other words or another
        # audience (back, edit, send), it is another message
        content = hashlib.sha256(f"{audience}\x00{subject}\x00{body}".encode()).hexdigest()
        client_token = f"{client_token[:31]}:{content[:32]}"
        done = Broadcast.objects.filter(event=event, client_token=client_token).first()
        if done is not None:
            done.created = False
            return done
    people = list(selectors.broadcast_audience(event=event, audience=audience))
    if not people:
        raise InvalidInput(
            "Nobody is in this audience at the moment; nothing was sent.",
            field="audience",
            code="empty_audience",
        )
    home = site_link(reverse("participant:event", args=[event.slug]))
    signed = f"{body}\n\n-- \n{event.name}" + (f"\n{home}" if home else "")
    try:
        with transaction.atomic(), batched():
            sent = Broadcast.objects.create(
                event=event,
                subject=subject,
                body=body,
                audience=audience,
                sent_by=by if getattr(by, "pk", None) else None,
                recipients=len(people),
                client_token=client_token,
            )
            notes = Notification.objects.bulk_create(
                Notification(
                    recipient=person,
                    kind=Notification.Kind.BROADCAST,
                    key=f"broadcast{sent.pk}:to{person.pk}",
                    broadcast=sent,
                    language=language_of(person),
                    subject=subject,
                    body=signed,
                )
                for person in people
            )
            _deliver_later([n.pk for n in notes])
    except IntegrityError:
        # the same form posted twice at once: the other post sent it
        done = Broadcast.objects.filter(event=event, client_token=client_token).first()
        if client_token and done is not None:
            done.created = False
            return done
        raise
    sent.created = True
    return sent
