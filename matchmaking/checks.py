"""System checks of the project's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_set(app_configs, **kwargs):
    """Emails link to the participant's pages only when ``SITE_URL`` says where the site is."""
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: the emails to participants carry no link to their pages.",
            hint="Set SITE_URL to the site's address, e.g. https://matchmaking.example.org.",
            id="matchmaking.W001",
        )
    ]


@register(Tags.security, deploy=True)
def secret_key_not_public(app_configs, **kwargs):
    """The development secret key is in the public repository: a site served with DEBUG off and
    that key lets anyone forge sessions, sign-in cookies and password-reset tokens. Django's own
    check (security.W009) does not know it: it is long and has no ``django-insecure-`` prefix."""
    if settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is the public development key written in config/settings.py.",
            hint="Set DJANGO_SECRET_KEY to a long random secret of your own (and DJANGO_ENV="
            "production, which refuses to start without one).",
            id="matchmaking.E002",
        )
    ]
