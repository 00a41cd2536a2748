"""Messages from the organisers: one email, written once, to a part of the event's participants
(everyone, one kind, those without a meeting, those with requests waiting for their answer) or
to one participant.
Each recipient gets a Notification (sent by the same task as every other email, with its
retries); the same form posted twice sends once."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.urls import reverse

from matchmaking import selectors
from matchmaking.exceptions import InvalidInput
from matchmaking.models import Broadcast, Event, Notification
from matchmaking.services.notifications import (
    SUPPORTED,
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


def _versions(translations) -> dict[str, dict[str, str]]:
    """The message in other languages (``{"ar": {"subject": ..., "body": ...}}``) checked as the
    message itself is; a language whose subject and text are both empty is left out (the
    console's form sends its empty boxes)."""
    if not translations:
        return {}
    if not isinstance(translations, dict):
        raise InvalidInput(
            'Give the other languages as {"fr": {"subject": ..., "body": ...}}.',
            field="translations",
        )
    versions = {}
    for lang, version in translations.items():
        if lang not in SUPPORTED:
            raise InvalidInput(
                f"{str(lang)[:20]!r} is not a language the emails are written in "
                f"({', '.join(SUPPORTED)}).",
                field="translations",
            )
        version = version if isinstance(version, dict) else {}
        if not any(str(version.get(k) or "").strip() for k in ("subject", "body")):
            continue
        versions[lang] = {
            "subject": one_line(
                _text(
                    version.get("subject"),
                    field=f"translations.{lang}.subject",
                    limit=SUBJECT_LIMIT,
                    what=f"subject in {lang}",
                )
            ),
            "body": _text(
                version.get("body"),
                field=f"translations.{lang}.body",
                limit=BODY_LIMIT,
                what=f"text in {lang}",
            ),
        }
    return dict(sorted(versions.items()))


def broadcast_send(
    *,
    event: Event,
    subject: str,
    body: str,
    audience: str,
    by=None,
    client_token: str = "",
    translations: dict | None = None,
) -> Broadcast:
    """Email ``subject`` and ``body`` to every participant of ``audience`` (one of
    ``selectors.BROADCAST_AUDIENCES``, ``kind:<kind>`` or ``participant:<id>``), in one
    transaction; the emails
    leave after it commits. ``client_token``: the sending form's token; a broadcast already sent
    with it is returned as it is, and nothing is sent again.

    Raises InvalidInput (naming the field) for an empty or too long text, an unknown audience,
    or an audience with nobody in it (code ``empty_audience``).

    ``translations``: the same message in other languages the emails are written in
    (``{"ar": {"subject": ..., "body": ...}}``); each recipient reads the version in their
    language (``language_of``), the others ``subject`` and ``body``."""
    subject = one_line(_text(subject, field="subject", limit=SUBJECT_LIMIT, what="subject"))
    body = _text(body, field="body", limit=BODY_LIMIT, what="text")
    versions = _versions(translations)
    if client_token:
        # the same form sent twice sends once; sent again with other words or another
        # audience (back, edit, send), it is another message
        words = f"{audience}\x00{subject}\x00{body}\x00{json.dumps(versions, sort_keys=True)}"
        content = hashlib.sha256(words.encode()).hexdigest()
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
    signature = f"\n\n-- \n{event.name}" + (f"\n{home}" if home else "")
    default = {"subject": subject, "body": body}
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
                translations=versions,
            )
            notes = []
            for person in people:
                lang = language_of(person)
                version = versions.get(lang, default)
                notes.append(
                    Notification(
                        recipient=person,
                        kind=Notification.Kind.BROADCAST,
                        key=f"broadcast{sent.pk}:to{person.pk}",
                        broadcast=sent,
                        language=lang,
                        subject=version["subject"],
                        body=version["body"] + signature,
                    )
                )
            notes = Notification.objects.bulk_create(notes)
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
