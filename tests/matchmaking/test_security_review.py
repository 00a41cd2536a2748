"""Security review (commands): each test shows a weakness found in review and fails until it
is fixed."""

import contextlib

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False, ALLOWED_HOSTS=["matchmaking.example.org"])
def test_demo_does_not_create_the_published_superuser_outside_development(capsys):
    """``manage.py demo`` creates the superuser ``organiser`` / ``expo2018`` (printed in the
    README and by the command) whatever the settings: run once against a production database
    (DEBUG off, DJANGO_ENV=production) to show the demo fair, it leaves a superuser of every
    event, the admin included, with a public password. (Served with ``--addrport
    0.0.0.0:8000``, the development ALLOWED_HOSTS do not protect it either: a client sends
    ``Host: localhost``.)"""
    with contextlib.suppress(CommandError):  # refusing is a fix
        call_command("demo", no_serve=True, participants=8)
    capsys.readouterr()
    assert authenticate(username="organiser", password="expo2018") is None
