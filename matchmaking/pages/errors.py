"""The pages a visitor meets when a request cannot be served, in their language and with a way
on, instead of Django's bare English ones: a form sent from a page that is out of date (the CSRF
check failed: signed in again in another tab, or the page was open too long) and an address with
nothing for them (``404.html``, which Django's own 404 view renders)."""

from urllib.parse import urlsplit

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def home_of(request) -> str:
    """Where to start again: the organiser console for its own addresses, else the
    participant's pages."""
    return "/organiser/" if request.path.startswith("/organiser/") else "/my/"


def csrf_failure(request, reason: str = ""):
    """``CSRF_FAILURE_VIEW``: nothing was done; say why in words and link back to the page the
    form was on (the Referer, when it is this site's), where reloading gives a fresh form."""
    referer = request.headers.get("Referer", "")
    back = home_of(request)
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
    return render(request, "matchmaking/participant/stale_form.html", {"back": back}, status=403)
