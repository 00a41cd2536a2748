"""Country codes: the one rule for ``Participant.country`` (API, participant pages, import).

A country is an ISO 3166-1 alpha-2 code, stored upper-cased, or blank. The list is the officially
assigned codes (249), kept here rather than pulling in a dependency for it.
"""

from functools import cache

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from django.utils.translation import gettext_lazy

from matchmaking.exceptions import InvalidInput

_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_CODES.split())

COUNTRY_INVALID = gettext_lazy(
    "“%(value)s” is not a country code. Use a two-letter ISO 3166-1 code such as MA."
)


def country_code(value: str | None) -> str:
    """``value`` as stored: blank, or an ISO 3166-1 alpha-2 code upper-cased (``" ma"`` gives
    ``"MA"``). Raises InvalidInput naming the field ``country`` for anything else; its message
    is in the active language."""
    text = (value or "").strip()
    code = text.upper()
    if code and code not in COUNTRY_CODES:
        raise InvalidInput(str(COUNTRY_INVALID % {"value": text[:20]}), field="country")
    return code


# The languages a place's name is searchable in: the fair's three.
PLACE_NAME_LANGUAGES = ("en", "fr", "ar")


@cache
def country_names(code: str) -> tuple[str, ...]:
    """A country code's names in the fair's languages, from Babel's (CLDR) data: ``"MA"`` gives
    ("Morocco", "Maroc", "المغرب"); nothing for a blank or unknown code."""
    names = (Locale.parse(lang).territories.get(code or "") for lang in PLACE_NAME_LANGUAGES)
    return tuple(dict.fromkeys(name for name in names if name))


# Cities of the fair's host country that name no time zone (CLDR's only Moroccan one is
# Casablanca), so Babel does not know them: their names in French, English and Arabic with the
# usual spellings, so that "فاس", "Fez", "Fes" and "Fès" find one another (``search_fold`` also
# drops accents and Arabic hamza marks: "Meknes" and "أكادير" need no line of their own).
MOROCCAN_CITIES = (
    ("Rabat", "الرباط"),
    ("Fès", "Fez", "Fes", "فاس"),
    ("Marrakech", "Marrakesh", "Marrakch", "مراكش"),
    ("Tanger", "Tangier", "Tangiers", "Tanja", "طنجة"),
    ("Agadir", "أكادير", "أگادير"),
    ("Meknès", "Meknes", "Miknas", "مكناس"),
    ("Oujda", "Ujda", "وجدة"),
    ("Kénitra", "Kenitra", "القنيطرة"),
    ("Tétouan", "Tetouan", "Tetuan", "تطوان"),
    ("Laâyoune", "Laayoune", "Layoune", "El Aaiún", "El Aaiun", "العيون"),
    ("Dakhla", "Ad-Dakhla", "الداخلة"),
    ("El Jadida", "Eljadida", "Al Jadida", "الجديدة"),
    ("Safi", "Asfi", "آسفي"),
    ("Mohammedia", "Mohammédia", "المحمدية"),
    ("Béni Mellal", "Beni Mellal", "Beni-Mellal", "بني ملال"),
    ("Nador", "الناظور"),
)
EXTRA_CITIES = {"MA": MOROCCAN_CITIES}


@cache
def _known_cities(country: str) -> tuple[tuple[str, ...], ...]:
    """The cities of ``country``, or of every country for a blank one, each with its names in
    the fair's languages, as ("Casablanca", "Casablanca", "الدار البيضاء") without repeats: the
    time zones' cities (CLDR's exemplar cities, which Babel names in each language), then
    ``EXTRA_CITIES``."""
    cities = []
    for zone, territory in sorted(get_global("zone_territories").items()):
        if country and territory != country:
            continue
        try:
            names = [
                get_timezone_location(zone, locale=lang, return_city=True)
                for lang in PLACE_NAME_LANGUAGES
            ]
        except LookupError:  # a zone CLDR lists that the system's zone data lacks
            continue
        cities.append(tuple(dict.fromkeys(names)))
    for territory, extra in sorted(EXTRA_CITIES.items()):
        if not country or territory == country:
            cities.extend(extra)
    return tuple(cities)


def city_names(city: str, country: str = "") -> tuple[str, ...]:
    """``city``'s names in the fair's languages when it is known (the cities that name a time
    zone: "Casablanca" or "الدار البيضاء" give both; "Alger", "Algiers" and "الجزائر" one
    another; and ``EXTRA_CITIES``: "Fez" gives "Fès", "Fes" and "فاس"), looked for first in
    ``country``'s, then in every country's; else nothing. Spelling is compared folded
    (``search_fold``: accents, case, Arabic marks)."""
    from matchmaking.models import search_fold

    wanted = search_fold(city or "").strip()
    if not wanted:
        return ()
    for where in dict.fromkeys([country or "", ""]):
        for names in _known_cities(where):
            if any(search_fold(name) == wanted for name in names):
                return names
    return ()


def place_names(city: str, country: str) -> list[str]:
    """What directory search also matches a participant by: their city's and their country's
    names in the fair's languages (``city_names``, ``country_names``), so that "الدار البيضاء"
    finds the delegation of Casablanca and "Maroc" or "المغرب" the participants from MA."""
    return [*city_names(city, country), *country_names(country)]
