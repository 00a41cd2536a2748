"""``Idempotency-Key`` on the POSTs that create or change something (a request and its answers,
a booking and the meeting actions, a message, a broadcast, a scheduler run and its publish): the
same key (per user) replays the first response, so that a client retrying a write whose answer it
lost does not do it twice (nor read a 409 for the change it made itself).

A key reused with a different body answers 422; a key whose first request is still running
answers 409 with ``Retry-After``. Only successful responses are stored, so a client can fix a
refused request and retry it with the same key. A key is kept ``IdempotencyKey.TTL`` (24 hours):
after that the same key starts a new operation (and the daily purge deletes it).
"""

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from matchmaking.models import IdempotencyKey

HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    raw = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def idempotent(view_method):
    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 200:
            return Response(
                {
                    "detail": _("Idempotency-Key must be at most 200 characters."),
                    "code": "invalid",
                    "field": HEADER,
                },
                status=400,
            )
        fingerprint = _fingerprint(request)
        IdempotencyKey.objects.filter(
            user=request.user, key=key, created_at__lt=timezone.now() - IdempotencyKey.TTL
        ).delete()
        try:
            with transaction.atomic():
                record, created = IdempotencyKey.objects.get_or_create(
                    user=request.user,
                    key=key,
                    defaults={
                        "method": request.method,
                        "path": request.path,
                        "fingerprint": fingerprint,
                    },
                )
        except IntegrityError:
            record, created = IdempotencyKey.objects.get(user=request.user, key=key), False
        if not created:
            if record.fingerprint != fingerprint:
                return Response(
                    {
                        "detail": _(
                            "This Idempotency-Key was already used for a different request."
                        ),
                        "code": "idempotency_key_reused",
                    },
                    status=422,
                )
            if record.status_code is None:
                response = Response(
                    {
                        "detail": _(
                            "A request with this Idempotency-Key is still being processed."
                        ),
                        "code": "busy",
                    },
                    status=409,
                )
                response["Retry-After"] = "1"
                return response
            response = Response(record.body, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            tag = getattr(self, "replay_etag", None)  # an answer that carries an ETag
            etag = tag(record.body) if tag is not None else None
            if etag:
                response["ETag"] = etag
            return response
        try:
            response = view_method(self, request, *args, **kwargs)
        except Exception:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "body"])
        else:
            record.delete()
        return response

    wrapper.idempotent = True  # the schema documents the header (api.openapi.AutoSchema)
    return wrapper
