"""Production settings refuse to start without a secret and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "SITE_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production." in result.stderr


def check_deploy(**env):
    """``manage.py check --deploy`` failing on warnings, with the documented production settings
    (``env`` changes them)."""
    production = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789-ABCDEFGHIJ",
        "DJANGO_ALLOWED_HOSTS": "matchmaking.example.org",
        "SITE_URL": "https://matchmaking.example.org",
    }
    return manage("check", "--deploy", "--fail-level", "WARNING", **(production | env))


def test_check_deploy_is_clean_in_production():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_mail_server_is_read_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT)"
    )
    result = manage(
        "shell",
        "-c",
        code,
        DJANGO_EMAIL_HOST="smtp.example.org",
        DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_HOST_USER="fair",
        DJANGO_EMAIL_USE_TLS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "smtp.example.org",
        "587",
        "fair",
        "True",
        "10",
    ]


def test_tls_and_ssl_together_refuse_to_start():
    result = manage("check", DJANGO_EMAIL_USE_TLS="1", DJANGO_EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL are exclusive" in result.stderr


def test_check_deploy_warns_when_emails_would_carry_no_link():
    result = check_deploy(SITE_URL="")
    assert result.returncode != 0
    assert "matchmaking.W001" in result.stderr + result.stdout
    assert "SITE_URL is not set" in result.stderr + result.stdout


def test_check_deploy_refuses_the_public_development_secret_key():
    """Outside ``DJANGO_ENV=production`` (unset, or a typo such as ``prod``) the settings fall
    back to the development key written in config/settings.py, in the public repository. It has
    no ``django-insecure-`` prefix, so Django's own check (security.W009) did not report it: a
    deployment with DEBUG off heard only about HTTPS settings, never that its secret is public."""
    result = manage(
        "check",
        "--deploy",
        DJANGO_ENV="prod",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="matchmaking.example.org",
        DATABASE_URL="sqlite:////tmp/secret-key-check.sqlite3",
    )
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "(matchmaking.E002) SECRET_KEY is the public development key" in report, report
    # in development (DEBUG on) the key is fine, and a key of one's own is too
    for env in ({}, {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60}):
        result = manage(
            "check",
            "--deploy",
            DJANGO_ALLOWED_HOSTS="matchmaking.example.org",
            DATABASE_URL="sqlite:////tmp/secret-key-check.sqlite3",
            **env,
        )
        assert "matchmaking.E002" not in result.stdout + result.stderr


def test_the_demo_refuses_to_run_in_production(tmp_path):
    result = manage(
        "demo",
        "--no-serve",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_ALLOWED_HOSTS="matchmaking.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    assert result.returncode != 0
    assert "The demo refuses to run with DJANGO_ENV=production" in result.stderr
    assert not (tmp_path / "production.sqlite3").exists()  # not even migrated
