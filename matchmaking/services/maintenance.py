"""Housekeeping writes that no user action triggers."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from matchmaking.models import IdempotencyKey, LoginLink

# Sign-in links are kept this long after they were used or expired (what an organiser may
# look at in the admin when someone says their link did not work), then deleted.
LOGIN_LINKS_KEPT = timedelta(days=7)


def idempotency_keys_purge(*, now=None) -> int:
    """Delete the ``Idempotency-Key`` records older than their TTL; returns how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - IdempotencyKey.TTL).delete()
    return deleted


def login_links_purge(*, now=None) -> int:
    """Delete the sign-in links used or expired more than ``LOGIN_LINKS_KEPT`` ago; returns how
    many. Links still valid, and those of the last hour that the hourly cap counts, stay."""
    before = (now or timezone.now()) - LOGIN_LINKS_KEPT
    deleted, _ = LoginLink.objects.filter(Q(used_at__lt=before) | Q(expires_at__lt=before)).delete()
    return deleted


def sessions_purge() -> None:
    """Delete the expired sessions (what ``manage.py clearsessions`` does): Django never deletes
    them by itself, so the session table grows with every sign-in."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
