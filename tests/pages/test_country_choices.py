"""The profile's country list, named in the page's language and in the order its readers expect:
an accented letter sorts with its plain letter (Bénin among the B, Égypte among the E), and the
Arabic alef with hamza or madda with the plain alef."""

from matchmaking.pages.participant_views import country_choices


def names(lang: str) -> list[str]:
    return [name for _code, name in country_choices(lang)]


def test_french_accented_countries_sort_with_their_plain_letter():
    fr = names("fr")
    assert fr[0] == "—"
    assert fr.index("Belize") < fr.index("Bénin") < fr.index("Bermudes")
    assert fr.index("Cuba") > fr.index("Côte d’Ivoire") > fr.index("Costa Rica")
    assert fr.index("Dominique") < fr.index("Égypte") < fr.index("Espagne")
    assert fr.index("Estonie") < fr.index("États-Unis") < fr.index("Éthiopie") < fr.index("Fidji")
    assert fr.index("Sénégal") < fr.index("Serbie")
    assert fr.index("Hongrie") < fr.index("Îles Cook") < fr.index("Inde")
    assert fr[-1] == "Zimbabwe"


def test_arabic_alef_with_hamza_sorts_with_the_plain_alef():
    ar = names("ar")
    # إثيوبيا (Ethiopia) comes before أذربيجان (Azerbaijan): ث before ذ, whatever the hamza
    assert ar.index("إثيوبيا") < ar.index("أذربيجان")


def test_english_order_is_unchanged():
    en = names("en")
    assert en.index("Côte d’Ivoire") < en.index("Croatia")
    assert en.index("Réunion") < en.index("Romania")
