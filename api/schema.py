"""The OpenAPI document: served once built (``SchemaView``), and post-processed with the error
answers every operation may give, in the error shape of ``api.exceptions.exception_handler``
(``detail``, ``code``, and ``field`` / ``errors`` when they apply). drf-spectacular documents
only each operation's success by itself."""

import threading

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in a sentence."},
        "code": {"type": "string", "description": "A stable code (see docs/api.md, Errors)."},
        "field": {"type": "string", "description": "The input the sentence is about."},
        "errors": {"description": "Per-field messages (validation), or the import's list."},
    },
    "required": ["detail", "code"],
}

ANSWERS = {
    "400": "Bad input: the sentence says what, `field` or `errors` where.",
    "401": "No or an unknown token.",
    "403": "Not allowed for this role, or not a member of this event.",
    "404": "No such event, or no such object in it.",
    "409": "Refused by the booking rules or a concurrent change (`code` says which).",
    "412": "What `If-Match` names is stale: the meeting changed since that version "
    "(`meeting_changed`), the participant's times since that ETag (`availability_changed`), "
    "or your profile since that ETag (`profile_changed`). "
    "Nothing was written.",
    "413": "The body is too large.",
    "422": "This `Idempotency-Key` was used for another request (`idempotency_key_reused`).",
}
WRITES = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """Document the error answers: 400, 401 and 403 everywhere; 404 on paths with an id or a
    slug; 409 and 413 on writes; 412 where an ``If-Match`` header is taken. An answer the view
    documents itself is kept."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "403"]
            if "{" in path:
                codes.append("404")
            if method in WRITES:
                codes += ["409", "413"]
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
                codes.append("412")
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                codes.append("422")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": ANSWERS[code], "content": ref})
    return result


# Answer fields that may be absent: the error's particulars (the directory's organiser fields
# are ``one_directory_shape``'s).
OPTIONAL_IN_ANSWERS = {"Error": {"field", "errors"}}


def answers_give_every_field(result, generator, request, public):
    """Every field of an answer is in it (``null`` where it is nullable), and the schema says so:
    drf-spectacular marks as required only the read-only fields of a response, so the answers'
    ``description``, ``offers``, ``fixed_table``, ``timezone``, ``session_name``... read as
    optional, and a generated client typed each of them as possibly missing. Bodies sent
    (``...Request`` components, ``COMPONENT_SPLIT_REQUEST``) keep their own required fields."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") or "properties" not in schema:
            continue
        optional = OPTIONAL_IN_ANSWERS.get(name, set())
        schema["required"] = [key for key in schema["properties"] if key not in optional]
    return result


def one_directory_shape(result, generator, request, public):
    """The directory's answer (``DirectoryParticipant``) as one object: a participant reads the
    directory's fields, an organiser those and their own. drf-spectacular wrote it as ``oneOf``
    [Participant, OrganiserParticipant], which an organiser's answer matches twice (it has every
    field of both), so a schema validator refuses it and a generated client cannot read it. The
    organisers' fields are documented, and not required."""
    schemas = result.get("components", {}).get("schemas", {})
    everyone, organisers = schemas.get("Participant"), schemas.get("OrganiserParticipant")
    if "DirectoryParticipant" not in schemas or not everyone or not organisers:
        return result
    properties = {}
    for name, schema in organisers["properties"].items():
        if name not in everyone["properties"]:
            schema = {"allOf": [schema]} if "$ref" in schema else dict(schema)
            words = schema.get("description", "")
            schema["description"] = f"Organisers only. {words}".strip()
        properties[name] = schema
    schemas["DirectoryParticipant"] = {
        "type": "object",
        "description": "A directory entry: the fields every member reads, and, in the answers "
        "organisers read, the organisers' ones.",
        "properties": properties,
        "required": list(everyone.get("required", [])),
    }
    return result


# (language, media type) -> (body, Content-Type, Content-Disposition), for this process's life:
# the document changes only with the code, which a deployment restarts the processes for.
_BUILT: dict[tuple[str, str], tuple[bytes, str, str]] = {}
_BUILDING = threading.Lock()


def schema_cache_clear() -> None:
    """Forget the documents built (tests; the code does not change under a running process)."""
    _BUILT.clear()


def _language(request) -> str:
    """The language the document is built in: ``?lang=`` or the reader's, as one of the site's
    languages (any other value is the default one), so that clients cannot make a document per
    made-up language."""
    code = request.GET.get("lang") or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


class SchemaView(SpectacularAPIView):
    """``/api/schema/``, built once per language and format in each process. drf-spectacular
    builds the whole document (~180 KB, 0.3-0.5 s of CPU) on every request, and the address
    is public: a few anonymous requests a second kept every web worker busy."""

    @extend_schema(**SCHEMA_KWARGS)  # left out of the document, as drf-spectacular's view is
    def get(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        # the renderer's own media type: parameters a client adds to Accept make no new key
        key = (_language(request), renderer.media_type)
        built = _BUILT.get(key)
        if built is None:
            with _BUILDING:  # parallel first requests build it once
                built = _BUILT.get(key)
                if built is None:
                    built = _BUILT[key] = self._build(request, key)
        body, content_type, disposition = built
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = disposition
        return response

    def _build(self, request, key: tuple[str, str]) -> tuple[bytes, str, str]:
        language, media_type = key
        with translation.override(language):
            answer = super().get(request)
            renderer = request.accepted_renderer
            body = renderer.render(answer.data, media_type, self.get_renderer_context())
        charset = f"; charset={renderer.charset}" if renderer.charset else ""
        return body, f"{media_type}{charset}", answer["Content-Disposition"]
