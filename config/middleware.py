"""Middleware of the whole site."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from api.parsers import TOO_LARGE, size_text


class BodySizeLimitMiddleware:
    """Refuses a request body larger than the limit before anything reads it: 413 when its
    ``Content-Length`` says so, 411 for a chunked body that gives no length.

    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) does not count the file parts of a
    multipart body, and ``CsrfViewMiddleware`` reads ``request.POST`` of every POST it checks
    before any view runs: a 6 MB upload to any page, anonymous, was read whole and spooled to
    disk. The limit is ``DATA_UPLOAD_MAX_MEMORY_SIZE``, or the view's parser's own
    (``body_limit()``: the event import's ``IMPORT_MAX_BODY_SIZE``). Placed before every
    middleware that may read the body. Under WSGI a chunked body without ``Content-Length`` is
    not read at all by Django (it reads ``CONTENT_LENGTH`` bytes, none); it is refused here so
    that the client hears why rather than seeing its fields missing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        length = str(meta.get("CONTENT_LENGTH") or "").strip()
        if not length:
            if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
                return _refused(request, 411, "length_required", LENGTH_REQUIRED, {})
            return self.get_response(request)
        limit = _limit(request)
        if limit is not None and (not length.isdigit() or int(length) > limit):
            size = {"size": lambda: size_text(limit)}  # in the reader's language too
            return _refused(request, 413, "too_large", TOO_LARGE, size)
        return self.get_response(request)


LENGTH_REQUIRED = gettext_noop("A request body must say its size (a Content-Length header).")


def _limit(request) -> int | None:
    """The largest body the address takes: its parser's own limit (the import's), else the
    default."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return limit
    parsers = (getattr(view, "initkwargs", None) or {}).get("parser_classes")
    if parsers is None:
        parsers = getattr(getattr(view, "cls", None), "parser_classes", ())
    own = [p.body_limit() for p in parsers if hasattr(p, "body_limit")]
    return max(own) if own else limit


def _refused(request, status: int, code: str, text: str, values: dict) -> HttpResponse:
    """The sentence in the reader's language (``Accept-Language``, as the API's other errors
    and the pages; ``LocaleMiddleware`` has not run yet): in the API's error shape under
    ``/api/``, as plain text for a page."""
    with translation.override(translation.get_language_from_request(request)):
        detail = gettext(text) % {key: value() for key, value in values.items()}
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")
