"""Housekeeping writes that no user action triggers."""

from django.utils import timezone

from matchmaking.models import IdempotencyKey


def idempotency_keys_purge(*, now=None) -> int:
    """Delete the ``Idempotency-Key`` records older than their TTL; returns how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - IdempotencyKey.TTL).delete()
    return deleted
