"""Characters no text of the service can hold: a NUL (PostgreSQL refuses it in text) or half of
a UTF-16 surrogate pair (valid as a JSON escape, ``"\\ud800"``, but it cannot be encoded, so any
message quoting it fails). The importer, the API's JSON parser and the pages all look for them
here."""

import re
from collections.abc import Iterator
from typing import Any

UNUSABLE = re.compile(r"[\x00\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r\n?")


def plain_line_breaks(text: str) -> str:
    """``text`` with each line break one ``\n``. A browser sends a textarea's line breaks as
    CR LF, two characters where its ``maxlength`` counted one: a text the form accepted came
    in over the limit."""
    return _LINE_BREAK.sub("\n", text)


LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def strings_in(data: Any, *, keys: bool = False) -> Iterator[tuple[list, str]]:
    """(path, text) of every string of parsed JSON, in document order; with ``keys``, object
    keys too (at their object's path). A loop, not a recursion: a deeply nested document must
    not exhaust the stack."""
    stack: list[tuple[list, Any]] = [([], data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            yield path, node
        elif isinstance(node, dict):
            stack.extend(([*path, k], v) for k, v in reversed(list(node.items())))
            if keys:
                stack.extend((path, k) for k in reversed(node))
        elif isinstance(node, list):
            stack.extend(([*path, i], v) for i, v in reversed(list(enumerate(node))))
