"""Model helpers."""

import pytest

from matchmaking.models import search_fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Fès", "fes"),
        ("FÈS Meknès", "fes meknes"),
        ("Œuvre Ærø", "oeuvre aero"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("ﬁbre", "fibre"),  # a ligature of the compatibility block
        ("الْعَلَوِي", "العلوي"),  # Arabic short vowels
        ("أحمد إدريس آمنة", "احمد ادريس امنه"),  # hamza forms of alif (and teh marbuta)
        ("مـــدينة", "مدينه"),  # tatweel
        ("سلمى اريانة ٱلمدينة", "سلمي اريانه المدينه"),  # letters written either way
    ],
)
def test_search_fold(text, folded):
    assert search_fold(text) == folded


def test_profile_search_columns_are_folded(db, make_participant):
    person = make_participant(name="Hélène Côté", city="Fès")
    person.profile.description = "Éclairage PUBLIC"
    person.profile.refresh_search_text()
    org = search_fold(person.organisation.name)
    # then the city's names (countries.MOROCCAN_CITIES: CLDR names no city Fès) and the
    # country's (MA), in the fair's languages
    assert person.profile.search_names == (
        f"helene cote {org} fes fes fez fes فاس morocco maroc المغرب"
    )
    assert "eclairage public" in person.profile.search_text
