"""OpenAPI post-processing: the error answers every operation may give, in the error shape of
``api.exceptions.exception_handler`` (``detail``, ``code``, and ``field`` / ``errors`` when
they apply). drf-spectacular documents only each operation's success by itself."""

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
    "413": "The body is too large.",
}
WRITES = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """Document the error answers: 400, 401 and 403 everywhere; 404 on paths with an id or a
    slug; 409 and 413 on writes. An answer the view documents itself is kept."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "403"]
            if "{" in path:
                codes.append("404")
            if method in WRITES:
                codes += ["409", "413"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": ANSWERS[code], "content": ref})
    return result
