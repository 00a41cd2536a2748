"""Celery tasks: thin wrappers that call a service. Idempotent, ids as keyword arguments."""

import logging

from celery import shared_task

from matchmaking.services.requests import requests_expire

logger = logging.getLogger(__name__)


@shared_task(name="matchmaking.expire_requests")
def expire_requests() -> int:
    """Mark pending requests past their expiry as expired (runs every 5 minutes under beat)."""
    count = requests_expire()
    if count:
        logger.info("expired %d meeting requests", count)
    return count
