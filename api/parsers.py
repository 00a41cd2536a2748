"""Request body parsers: DRF's, made safe for hostile bodies."""

import codecs
import io

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, pgettext
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, UnsupportedMediaType

from matchmaking.services.importer import not_json_hint
from matchmaking.unusable import LONE_SURROGATE, strings_in


def size_text(size: int) -> str:
    """``33554432`` → ``"32 MB"``; ``1572864`` → ``"1.5 MB"``; ``2048`` → ``"2 KB"``; in the
    active language ("1,5 Mo")."""
    if size >= 2**20 // 10:
        number, unit = size / 2**20, pgettext("a size in megabytes", "MB")
    else:
        number, unit = size / 2**10, pgettext("a size in kilobytes", "KB")
    rounded = round(number, 1)
    shown = number_format(rounded, decimal_pos=0 if rounded == int(rounded) else 1)
    return f"{shown} {unit}"


# the answers to a body over the limits, said in the reader's language (``gettext(...)``)
TOO_LARGE = gettext_noop("The request body is larger than %(size)s.")
TOO_MANY_PARTS = gettext_noop("The request body has too many fields or files.")


def too_large_text(limit: int) -> str:
    """The 413's sentence in the active language."""
    return gettext(TOO_LARGE) % {"size": size_text(limit)}


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, which answers 400 for a body nested too deeply to decode, or holding
    a lone surrogate (``"\\ud800"``, valid JSON).

    Python's ``json`` recurses once per ``[`` or ``{``; a body like ``[[[[...]]]]`` thousands
    deep raises ``RecursionError``, which DRF does not catch (it maps ``ValueError`` only), so
    every JSON endpoint answered 500. A lone surrogate passes the parser and most validators,
    then any error message quoting it could not be encoded as UTF-8: 500 again. DRF reads the
    body through Django, which refuses one over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413).
    """

    #: the event import names every field that holds one (the importer checks each text)
    check_surrogates = True

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise ParseError(
                "JSON parse error: the body is nested too deeply.", code="parse_error"
            ) from None
        if self.check_surrogates and any(
            LONE_SURROGATE.search(text) for _path, text in strings_in(data, keys=True)
        ):
            raise ParseError(
                "JSON parse error: the body holds a lone surrogate (\\ud800-\\udfff), which "
                "is not a character; send text as UTF-8.",
                code="parse_error",
            )
        return data


class FormParser(parsers.FormParser):
    """DRF's form parser, which refuses a JSON document sent as a form. ``curl -d '{"city":
    "Fes"}'`` sends ``Content-Type: application/x-www-form-urlencoded``: the whole document
    became one field name, and ``PATCH .../me/`` answered ``{"{\"city\":\"Fes\"}": "This
    field cannot be changed here."}``. No form field's name starts with ``{`` or ``[``: such a
    body answers 415 saying which header to send."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        first = next(iter(data), "")
        if first.lstrip()[:1] in ("{", "["):
            raise UnsupportedMediaType(
                media_type,
                detail="The body is JSON but was sent as a form (Content-Type: "
                "application/x-www-form-urlencoded, what curl -d sends by default): send it "
                "with the header Content-Type: application/json.",
            )
        return data


class ImportJSONParser(parsers.BaseParser):
    """The event import's JSON: up to ``IMPORT_MAX_BODY_SIZE`` (DRF hands a parser that is not
    its JSONParser the raw stream, so Django's smaller limit for every other body does not
    apply), and lone surrogates are left to the importer, which names the field holding one."""

    media_type = "application/json"

    @staticmethod
    def body_limit() -> int:
        """The largest body the import takes (``BodySizeLimitMiddleware`` lets it through)."""
        return settings.IMPORT_MAX_BODY_SIZE

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.IMPORT_MAX_BODY_SIZE
        length = str(request.META.get("CONTENT_LENGTH") or "") if request is not None else ""
        if length.isdigit() and int(length) > limit:
            raise BodyTooLarge(too_large_text(limit))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(too_large_text(limit))
        # a file saved by Windows tools (Notepad, Excel, PowerShell) starts with a UTF-8 byte
        # order mark, which JSON parsers refuse: it says nothing, so it goes
        raw = raw.removeprefix(codecs.BOM_UTF8)
        parser = JSONParser()
        parser.check_surrogates = False
        try:
            return parser.parse(io.BytesIO(raw), media_type, parser_context)
        except ParseError as exc:
            hint = not_json_hint(raw[:1000].decode("utf-8", errors="replace"))
            if not hint:
                raise
            raise ParseError(f"{exc.detail}.{hint}", code="parse_error") from None
