"""System checks of the project's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
