"""The menu says how many requests wait for my answer, on every page (requests expire)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from matchmaking.models import MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def _requests_link(page: str) -> str:
    return re.search(r'<a href="/my/[^"]+/requests/"[^>]*>.*?</a>', page, re.S).group(0)


def test_the_menu_counts_the_requests_waiting_for_my_answer(event, make_participant):
    """A delegate lands on their agenda after signing in: nothing said that two companies had
    asked to meet them, and the requests expire after 72 hours unanswered. The menu's
    Requests link now carries their number, as Messages carries the unread ones; requests
    I sent, answered or expired ones do not count."""
    me = make_participant(name="Salma Naciri", kind="delegation")
    for status in ("pending", "pending", "accepted", "declined"):
        RequestFactory(sender=make_participant(), recipient=me, status=status)
    RequestFactory(  # past its expiry, not swept yet: no longer waiting
        sender=make_participant(),
        recipient=me,
        status=MeetingRequest.Status.PENDING,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    RequestFactory(sender=me, recipient=make_participant(), status="pending")  # mine, sent
    client = Client()
    client.force_login(me.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    link = _requests_link(client.get(f"/my/{event.slug}/agenda/").content.decode())
    assert re.sub(r"\s+", " ", link).endswith(
        'الطلبات <span class="pt-count" data-waiting-requests title="بانتظار ردّك">2'
        '<span class="pt-visually-hidden"> بانتظار ردّك</span></span></a>'
    )

    MeetingRequest.objects.filter(recipient=me, status="pending").update(status="declined")
    link = _requests_link(client.get(f"/my/{event.slug}/profile/").content.decode())
    assert "data-waiting-requests" not in link
