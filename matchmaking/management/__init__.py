"""Management commands, and what they share."""

import functools

from django.core.management.base import CommandError


def encoder_or_fail(handle):
    """A command's ``handle`` whose text encoder is not installed (``MATCHING_ENCODER`` names
    a model the machine does not have) stops with the encoder's message, which names the
    offline alternatives, instead of a traceback."""

    @functools.wraps(handle)
    def wrapped(*args, **kwargs):
        from ml.encoders import EncoderUnavailable

        try:
            return handle(*args, **kwargs)
        except EncoderUnavailable as exc:
            raise CommandError(str(exc)) from exc

    return wrapped


def event_or_fail(slug: str):
    """The event with this slug, or a CommandError that says so."""
    from matchmaking import selectors
    from matchmaking.exceptions import DomainError

    try:
        return selectors.event_get(slug=slug)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
