"""Shared fixtures. Tests that need PostgreSQL or Redis skip without them, except in CI
(``REQUIRE_SERVICES=1``, set by .ci/run), where a missing service fails the run."""

import contextlib
import datetime as dt
import os

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EventFactory, ParticipantFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: this test must run here)")
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/expo")
    if item.get_closest_marker("redis") and not os.environ.get("CELERY_BROKER_URL"):
        _missing("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Tasks run in-process in every test, even when CELERY_BROKER_URL points at Redis (CI),
    except in the tests marked ``redis``, which start a real worker on the broker."""
    from config.celery import app

    eager = not request.node.get_closest_marker("redis")
    before = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (per process, as by default): the sign-in counters
    one test leaves (per account, per client address) must not refuse the next test's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a page request activates its reader's
    language in the thread and leaves it there (a test after an Arabic page read its messages
    in Arabic, depending on the order the tests ran in)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def emails_without_links(settings):
    """Emails carry no link to the site unless a test sets ``SITE_URL`` (the tests of the
    links do): the others read an email's own words to its end."""
    settings.SITE_URL = ""


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def upcoming_event(db):
    """An event a month ahead: participants book only slots that have not started."""
    return EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the Celery task, in-process) of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def anon():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@contextlib.contextmanager
def on_every_team(user):
    """``user`` joins the organiser team of every event: those there are and those created
    while the block runs (by factories, imports or the demo)."""
    from django.db.models.signals import post_save

    from matchmaking.models import Event

    for event in Event.objects.all():
        event.organisers.add(user)

    def join(sender, instance, created, **kwargs):
        if created:
            instance.organisers.add(user)

    uid = f"test-organiser-team-{user.pk}"
    post_save.connect(join, sender=Event, weak=False, dispatch_uid=uid)
    try:
        yield user
    finally:
        post_save.disconnect(sender=Event, dispatch_uid=uid)


@pytest.fixture
def organiser(db):
    """A staff account on the organiser team of every event of the test. ``other_organiser``
    is on none."""
    with on_every_team(UserFactory(username="organiser@example.org", is_staff=True)) as user:
        yield user


@pytest.fixture
def other_organiser(db):
    """A staff account on no event's team: organiser of other fairs."""
    return UserFactory(username="other-organiser@example.org", is_staff=True)


@pytest.fixture
def organiser_client(organiser):
    return client_for(organiser)


@pytest.fixture
def make_participant(event):
    def make(**kwargs):
        kwargs.setdefault("event", event)
        return ParticipantFactory(**kwargs)

    return make


@pytest.fixture
def as_participant():
    return lambda participant: client_for(participant.user)
