"""Which languages two people can hold a meeting in: declared codes (BCP 47 primary subtags, as
``Participant.languages`` stores them) and the macrolanguage their varieties belong to.

A speaker of Moroccan Arabic (``ary``), Algerian (``arq``), Tunisian (``aeb``) or Egyptian
Arabic (``arz``) reads and speaks Arabic (``ar``) as well: a Darija-speaking delegate and an
exhibitor who declared "Arabic" share a language, and two Darija speakers share Darija. The
Amazigh languages (``zgh``, ``tzm``, ``shi``, ``rif``, ``kab``) are languages of their own.
"""

from collections.abc import Iterable

#: The ISO 639-3 members of the Arabic macrolanguage (``ara`` / ``ar``).
_ARABIC_MEMBERS = """
    aao abh abv acm acq acw acx acy adf aeb aec afb ajp apc apd arb arq ars ary arz auz avl ayh
    ayl ayn ayp bbz pga shu ssh
"""
ARABIC_MEMBERS = frozenset(_ARABIC_MEMBERS.split())


def meeting_languages(codes: Iterable[str]) -> set[str]:
    """The declared codes, with ``ar`` for anyone who declared an Arabic variety."""
    out = set(codes)
    if out & ARABIC_MEMBERS:
        out.add("ar")
    return out


def common_languages(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """The languages two people share, sorted: ``ar`` when one declared Arabic and the other an
    Arabic variety (or two different varieties); the variety itself, not ``ar`` beside it, when
    both declared it (two Darija speakers share Darija)."""
    shared = meeting_languages(a) & meeting_languages(b)
    if shared & ARABIC_MEMBERS:
        shared.discard("ar")
    return sorted(shared)
