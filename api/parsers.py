"""Request body parsers: DRF's, made safe for hostile bodies."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _lone_surrogate(value) -> bool:
    """Whether a string (or key) anywhere in parsed JSON holds half of a UTF-16 surrogate pair.
    Iterative: the body was already decoded, but its depth is the client's choice."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, which answers 400 for a body nested too deeply to decode, or holding
    a lone surrogate (``"\\ud800"``, valid JSON).

    Python's ``json`` recurses once per ``[`` or ``{``; a body like ``[[[[...]]]]`` thousands
    deep raises ``RecursionError``, which DRF does not catch (it maps ``ValueError`` only), so
    every JSON endpoint answered 500. A lone surrogate passes the parser and most validators,
    then any error message quoting it could not be encoded as UTF-8: 500 again.
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
        if self.check_surrogates and _lone_surrogate(data):
            raise ParseError(
                "JSON parse error: the body holds a lone surrogate (\\ud800-\\udfff), which is "
                "not a character; send text as UTF-8.",
                code="parse_error",
            )
        return data


class ImportJSONParser(JSONParser):
    """For the event import, whose own checks name each text that holds a lone surrogate."""

    check_surrogates = False
