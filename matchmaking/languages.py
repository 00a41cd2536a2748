"""Language codes: the one rule for ``Participant.languages`` (API, participant pages, import).

Languages are the primary language subtags of BCP 47, as the web writes them: the ISO 639-1
code (two letters) where a language has one, else the three-letter ISO 639 code the Unicode CLDR
names, such as ``zgh`` (Standard Moroccan Tamazight, written in Tifinagh), ``tzm``, ``shi``,
``kab`` or ``ary`` (Moroccan Arabic). Stored lower-cased, each once. The two-letter list is the
assigned codes (183), kept here; the three-letter ones come from the CLDR through Babel.
"""

import functools
import re
import unicodedata

from django.utils.translation import gettext_lazy

from matchmaking.exceptions import InvalidInput
from ml.languages import ARABIC_MEMBERS, common_languages

_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
"""
#: CLDR's codes for "several", "undetermined", "no linguistic content" and "uncoded": no
#: language to hold a meeting in
_NOT_LANGUAGES = frozenset({"mul", "und", "zxx", "mis"})


def _three_letter_codes() -> frozenset[str]:
    """ISO 639-2/3 codes of languages with no two-letter code that the CLDR names (461)."""
    from babel import Locale

    return frozenset(
        code
        for code in Locale.parse("en").languages
        if re.fullmatch("[a-z]{3}", code) and code not in _NOT_LANGUAGES
    )


LANGUAGE_CODES = frozenset(_CODES.split()) | _three_letter_codes()

#: The Arabic varieties the CLDR names (of the ISO 639-3 members of the Arabic macrolanguage):
#: Moroccan (ary), Algerian (arq), Tunisian (aeb), Egyptian (arz), Najdi (ars), Chadian (shu).
#: Their speakers read Arabic: the product writes to them in Arabic (``product_language``).
ARABIC_VARIETIES = LANGUAGE_CODES & ARABIC_MEMBERS


def product_language(code: str) -> str:
    """The language of the product's own list (fr, ar, en) a language code reads as: an
    Arabic variety reads as Arabic ("ary" gives "ar"); any other code is itself. Amazigh
    languages (zgh, tzm, shi, rif, kab) stay themselves: the product has no Tamazight text."""
    return "ar" if code in ARABIC_VARIETIES else code


def share_a_language(mine, theirs) -> bool:
    """Whether two people can talk without help: a language in common as the recommendations
    count it (``ml.languages.common_languages``: an Arabic variety shares Arabic), or either
    one said none (nothing to warn about)."""
    if not mine or not theirs:
        return True
    return bool(common_languages(mine, theirs))


MAX_LANGUAGES = 20

LANGUAGES_INVALID = gettext_lazy(
    "Not a language code: %(codes)s. Use ISO 639 codes such as fr, ar, en, or zgh for Tamazight."
)
LANGUAGES_TOO_MANY = gettext_lazy("At most 20 languages.")
LANGUAGES_NONE = gettext_lazy(
    "Give at least one language you can hold a meeting in, such as fr, ar or en."
)


def language_codes(values) -> list[str]:
    """``values`` as stored: language codes (see the module), lower-cased, each once, in the
    given order (``["FR", " ar", "fr"]`` gives ``["fr", "ar"]``). Raises InvalidInput naming
    the field ``languages`` for anything else; its message is in the active language."""
    codes = [str(v).strip().lower() for v in values or [] if str(v).strip()]
    bad = [c for c in codes if c not in LANGUAGE_CODES]
    if bad:
        shown = ", ".join(dict.fromkeys(b[:20] for b in bad))
        raise InvalidInput(str(LANGUAGES_INVALID % {"codes": shown}), field="languages")
    codes = list(dict.fromkeys(codes))
    if not codes:  # the import format asks for one too: nobody meets in no language
        raise InvalidInput(str(LANGUAGES_NONE), field="languages")
    if len(codes) > MAX_LANGUAGES:
        raise InvalidInput(str(LANGUAGES_TOO_MANY), field="languages")
    return codes


#: the languages the product speaks, whose names a profile may use for a language
NAMED_IN = ("en", "fr", "ar")


def _folded(word: str) -> str:
    """A language's name as compared: lower case, no accents, and for Arabic no article "ال"
    and no final "ة"/"ي" ("العربية", "عربية" and "عربي" are one word here)."""
    text = unicodedata.normalize("NFKD", word.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    if text.startswith("ال"):
        text = text[2:]
    return text.rstrip("ةي")


#: names people use that the CLDR does not give: Amazigh, as
#: Moroccans call it in French, English and Arabic, is its standard written form; Darija is
#: Moroccan Arabic; Mandarin is the Chinese the CLDR calls Chinese
ALIASES = {
    "amazigh": "zgh",
    "amazighe": "zgh",
    "tamazight": "zgh",
    "tamaziɣt": "zgh",  # as its speakers write it in Latin letters
    "berbère": "zgh",
    "berber": "zgh",
    "الأمازيغية": "zgh",
    "تمازيغت": "zgh",
    "mandarin": "zh",
    "darija": "ary",
    "الدارجة": "ary",
}

#: Arabic names of the Maghreb's languages that the CLDR names in English and French only
#: (the Arabic pages showed them as codes: "ary"); they are read back as their codes too
ARABIC_NAMES = {
    "ary": "الدارجة المغربية",
    "arq": "الدارجة الجزائرية",
    "aeb": "الدارجة التونسية",
    "arz": "العربية المصرية",
    "rif": "الريفية",
}
ALIASES.update({name: code for code, name in ARABIC_NAMES.items()})


@functools.cache
def _names() -> dict[str, str]:
    """Folded language names -> code, from the Unicode CLDR (through Babel): each language's
    name in English, French and Arabic, and in itself ("français", "العربية", "Deutsch")."""
    from babel import Locale, UnknownLocaleError

    names: dict[str, str] = {}
    for lang in NAMED_IN:
        for code, name in Locale.parse(lang).languages.items():
            if code in LANGUAGE_CODES:
                names.setdefault(_folded(name), code)
    for code in sorted(LANGUAGE_CODES):
        try:
            own = Locale.parse(code).get_display_name(code)
        except (UnknownLocaleError, ValueError):
            continue
        if own:
            names.setdefault(_folded(own), code)
    for alias, code in ALIASES.items():
        names.setdefault(_folded(alias), code)
    return names


def language_code_of(word: str) -> str:
    """The code of a language written as a code ("FR") or a name in English, French, Arabic or
    the language itself ("French", "français", "الفرنسية", "arabe", "عربي"); a word that is
    neither is returned as typed (``language_codes`` then refuses it by name)."""
    plain = word.strip()
    if plain.lower() in LANGUAGE_CODES:
        return plain.lower()
    return _names().get(_folded(plain), plain)


#: words that join language names in a phrase ("français et anglais", "English or French")
CONNECTORS = frozenset({"and", "or", "et", "ou", "y", "e", "&", "+", "و", "أو", "/"})


def language_words(text: str) -> list[str]:
    """Languages as a person types them, between commas (Latin or Arabic) or semicolons: each
    a name or a code (``language_code_of``), "fr en ar", or a phrase of names ("français et
    anglais": not Estonian's "et", nor Odia's "or"). Returns codes, and any word that is
    neither as typed (for ``language_codes`` or the caller to refuse by name)."""
    words = []
    for item in re.split(r"[,;،\n]+", text):
        code = language_code_of(item)
        if code in LANGUAGE_CODES:
            words.append(code)
            continue
        parts = item.split()
        if all(part.lower() in LANGUAGE_CODES for part in parts):
            words += [part.lower() for part in parts]
        else:
            words += [language_code_of(p) for p in parts if p.lower() not in CONNECTORS]
    return words
