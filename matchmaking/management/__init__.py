"""Management commands, and what they share."""

from django.core.management.base import CommandError


def event_or_fail(slug: str):
    """The event with this slug, or a CommandError that says so."""
    from matchmaking import selectors
    from matchmaking.exceptions import DomainError

    try:
        return selectors.event_get(slug=slug)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
