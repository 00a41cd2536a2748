"""One error shape for the whole API: ``{"detail": str, "code": str, ...}``.

Domain errors carry their own status (400/403/404/409) and message; a lock timeout answers 409
with ``Retry-After``; Django's own validation and 404s are mapped too, so no bad input reaches 500.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.parsers import TOO_MANY_PARTS, too_large_text
from matchmaking.error_text import error_text
from matchmaking.exceptions import Busy, DomainError
from matchmaking.services.importer import ImportInvalid

MESSAGE_LIMIT = 300

# Refusals whose English sentence says more than their code's French or Arabic one (which id,
# which field), or whose code's sentence is about a page: said in English unless the refusal
# carries its particulars in every language (a ``Reason``).
KEEP_ENGLISH = frozenset(
    {"invalid", "not_found", "forbidden", "meeting_changed", "form_sent_already"}
)


def _short(text) -> str:
    """An error sentence a person reads: DRF's quote the value they sent (``"…" is not a valid
    choice``); a million-character value must not come back twice in the answer."""
    text = str(text)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _shortened(detail):
    """``detail`` (DRF's nested errors) with every sentence cut to ``MESSAGE_LIMIT``."""
    if isinstance(detail, dict):
        return {key: _shortened(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_shortened(value) for value in detail]
    return _short(detail)


def _plain_parse_error(detail: str) -> str:
    """Python's words about a body it could not read, in the API's."""
    if "Exceeds the limit" in detail and "digits" in detail:
        return "A number in the body has too many digits (at most 4,300)."
    return detail


def _flatten(detail, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if isinstance(key, int):  # a list item's errors (ListField, many=True)
                out += _flatten(value, f"{prefix}[{key}]")
                continue
            name = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}".strip(".") if name else prefix)
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            sub = f"{prefix}[{i}]" if isinstance(value, dict | list) else prefix
            out += _flatten(value, sub)
        return out
    return [f"{prefix}: {detail}" if prefix else str(detail)]


# What a person reads when an id in the URL names nothing they may see (Django's own
# "No Meeting matches the given query." is for developers).
NOT_FOUND_TEXT = {
    "Event": _("No such event."),
    "Slot": _("No such slot at this event."),
    "Participant": _("No such participant at this event."),
    "MeetingRequest": _("No such meeting request at this event."),
    "Meeting": _("No such meeting at this event."),
    "ScheduleRun": _("No such scheduler run at this event."),
}


def _not_found_text(context) -> str:
    view = (context or {}).get("view")
    model = getattr(getattr(view, "queryset", None), "model", None)
    if model is None and view is not None and hasattr(view, "get_queryset"):
        try:
            model = view.get_queryset().model
        except Exception:  # a view that cannot say what it lists: the generic sentence
            model = None
    name = getattr(model, "__name__", "")
    return str(NOT_FOUND_TEXT.get(name, _("Not found: nothing with that id here.")))


def _unreadable_body(exc) -> Response | None:
    """Django refuses bodies over its limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``, ...) with an
    exception that, left alone, becomes its HTML "Bad Request" page: answer in the API's shape."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = {"detail": too_large_text(limit), "code": "too_large"}
        return Response(body, status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        body = {"detail": gettext(TOO_MANY_PARTS), "code": "too_large"}
        return Response(body, status=413)
    return None


def exception_handler(exc, context):
    refused = _unreadable_body(exc)
    if refused is not None:
        return refused
    if isinstance(exc, DomainError):
        body = {"detail": error_text(exc, keep_english=KEEP_ENGLISH), "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.extra)
        if isinstance(exc, ImportInvalid):
            body["errors"] = exc.errors
        response = Response(body, status=exc.status)
        if isinstance(exc, Busy):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(exc.messages)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound(_not_found_text(context))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _shortened(exc.detail)
        messages = _flatten(errors)
        response.data = {
            "detail": "; ".join(messages) or "Invalid input.",
            "code": "invalid",
            "errors": errors,
        }
        # one field at fault: named in ``field`` as a refusal of the rules names it, so that an
        # app reads the field the same way from every 400
        if isinstance(errors, dict) and len(errors) == 1:
            (name,) = errors
            if name != "non_field_errors":
                response.data["field"] = str(name)
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        text = _short(_plain_parse_error(str(detail)))
        response.data = {"detail": text, "code": getattr(detail, "code", "error")}
    return response


NO_SUCH_ADDRESS = _("Not found: the API has no such address.")


def not_found(request, exception=None):
    """Django's 404 for an address no route matches (``/api/events/x/me/marks/abc/``): under
    ``/api/`` the API's JSON error shape, elsewhere Django's own page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NO_SUCH_ADDRESS), "code": "not_found"}, status=404)
    return page_not_found(request, exception)


@csrf_exempt  # a token client's POST to a wrong address is told so, not refused for a cookie
def unmatched(request, *args, **kwargs):
    """Every address under ``/api/`` that no route matches, whatever the method: the JSON 404 of
    ``not_found``. Django uses ``handler404`` only while ``DEBUG`` is off; with it on (the
    default outside production) it answered its HTML debug page. As Django's ``APPEND_SLASH``
    does, a ``GET`` of a route without its trailing slash is redirected to it; other methods
    (whose body a redirect would lose) are told the address to use."""
    from django.http import HttpResponsePermanentRedirect, JsonResponse

    path = request.path_info
    if settings.APPEND_SLASH and not path.endswith("/"):
        try:
            match = resolve(f"{path}/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not unmatched:
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            body = {
                "detail": _short(
                    _("%(no_such)s Add the trailing slash: %(path)s")
                    % {"no_such": NO_SUCH_ADDRESS, "path": f"{request.path}/"}
                ),
                "code": "not_found",
            }
            return JsonResponse(body, status=404)
    return not_found(request)
