"""Security review (settings): each test shows a weakness found in review and fails until it
is fixed."""

from tests.config.test_settings import manage


def test_check_deploy_flags_the_published_development_secret_key():
    """Outside ``DJANGO_ENV=production`` (unset, or a typo such as ``prod``) the settings fall
    back to the development key written in config/settings.py, in the public repository. It is
    64 characters long and has no ``django-insecure-`` prefix, so ``check --deploy`` does not
    report it (security.W009): a deployment with DEBUG off and its hosts set hears only about
    HTTPS settings (W004, W008, W012, W016), never that its secret is public."""
    result = manage(
        "check",
        "--deploy",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="matchmaking.example.org",
        DATABASE_URL="sqlite:////tmp/security-review-check.sqlite3",
    )
    report = result.stdout + result.stderr
    assert "SECRET_KEY" in report, report
