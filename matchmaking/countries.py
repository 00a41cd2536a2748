"""Country codes: the one rule for ``Participant.country`` (API, participant pages, import).

A country is an ISO 3166-1 alpha-2 code, stored upper-cased, or blank. The list is the officially
assigned codes (249), kept here rather than pulling in a dependency for it.
"""

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
