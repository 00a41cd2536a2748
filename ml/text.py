"""Profile text as seen by the ML layer, and the content hash used to skip re-encoding."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["ProfileText", "content_hash", "normalise", "profile_document", "texts_to_embed"]


@dataclass
class ProfileText:
    """One participant of an event.

    ``kind`` is free text chosen by the caller (e.g. "exhibitor", "startup", "investor",
    "delegation"); ``languages`` are language codes ("fr", "ar", "en", "zgh"); ``sectors`` are
    taxonomy ids from :mod:`ml.taxonomy` (empty = infer them from the text).
    """

    id: str
    org: str = ""
    kind: str = ""
    languages: list[str] = field(default_factory=list)
    description: str = ""
    offers: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    accepts_same_kind: bool = False


_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC + collapsed whitespace (the exact string that gets embedded)."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def _phrases(items: list[str]) -> list[str]:
    return [p for p in (normalise(x) for x in items) if p]


def profile_document(p: ProfileText) -> str:
    """Whole-profile text: description, offers and needs."""
    parts = [normalise(p.description), *_phrases(p.offers), *_phrases(p.needs)]
    return " ".join(x for x in parts if x)


def texts_to_embed(p: ProfileText) -> dict[str, list[str]]:
    """The normalised texts encoded for one profile: ``profile`` (1), ``needs``, ``offers``."""
    return {
        "profile": [profile_document(p)],
        "needs": _phrases(p.needs),
        "offers": _phrases(p.offers),
    }


def content_hash(profile_text: ProfileText, model_name: str) -> str:
    """sha256 over the texts that are embedded plus the model name.

    Only fields that change the vectors are included (not id, org, kind, languages, sectors),
    so a caller can re-encode exactly the profiles whose hash changed.
    """
    t = texts_to_embed(profile_text)
    payload = "\x1e".join(
        [
            "v1",
            model_name,
            t["profile"][0],
            "\x1f".join(t["needs"]),
            "\x1f".join(t["offers"]),
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
