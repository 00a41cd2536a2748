"""GET /api/events/{slug}/participants/?q=: the directory search."""

import pytest

pytestmark = pytest.mark.django_db


def url(event) -> str:
    return f"/api/events/{event.slug}/participants/"


@pytest.fixture
def fes(make_participant):
    return [
        make_participant(name="Karim Tazi", city="Fès"),
        make_participant(name="Salma Idrissi", city="FES"),
        make_participant(name="Ali Bennani", city="fes"),
        make_participant(name="Hélène Côté", city="Rabat"),
        make_participant(name="Youssef", city="Meknès"),
        make_participant(name="يوسف العلوي", city="فاس"),
    ]


def found(client, event, q) -> list[str]:
    response = client.get(url(event), {"q": q})
    assert response.status_code == 200, response.data
    return sorted(p["name"] for p in response.data["results"])


@pytest.mark.parametrize("q", ["Fès", "fes", "FES", "fès", "FÈS"])
def test_directory_search_ignores_accents_and_case(event, fes, as_participant, q):
    assert found(as_participant(fes[4]), event, q) == [
        "Ali Bennani",
        "Karim Tazi",
        "Salma Idrissi",
        "يوسف العلوي",  # from فاس: the same city, in Arabic
    ]


def test_directory_search_names_with_accents_and_words_in_any_order(event, fes, as_participant):
    client = as_participant(fes[0])
    assert found(client, event, "helene cote") == ["Hélène Côté"]
    assert found(client, event, "CÔTÉ Hélène") == ["Hélène Côté"]
    assert found(client, event, "meknes") == ["Youssef"]


@pytest.mark.parametrize("q", ["يوسف", "العلوي", "الْعَلَوِي"])
def test_directory_search_finds_arabic_with_or_without_short_vowels(event, fes, as_participant, q):
    assert found(as_participant(fes[0]), event, q) == ["يوسف العلوي"]


@pytest.mark.parametrize("q", ["فاس", "Fez", "Fes", "Fès", "FEZ"])
def test_directory_search_finds_fes_by_any_of_its_names(
    event, fes, make_participant, as_participant, q
):
    """Fès is not a time zone's city, so CLDR does not name it: "فاس" found only the one who
    wrote it so, "Fez" nobody."""
    make_participant(name="Omar Fassi", city="Fez", country="")  # no country: found anyway
    assert found(as_participant(fes[3]), event, q) == [
        "Ali Bennani",
        "Karim Tazi",
        "Omar Fassi",
        "Salma Idrissi",
        "يوسف العلوي",
    ]


@pytest.mark.parametrize(
    ("city", "queries"),
    [
        ("Marrakech", ["Marrakesh", "مراكش", "marrakech"]),
        ("Tanger", ["Tangier", "طنجة", "طنجه"]),
        ("الرباط", ["Rabat"]),
        ("Meknès", ["مكناس", "Meknes"]),
        ("Laâyoune", ["Laayoune", "العيون"]),
        ("El Jadida", ["الجديدة", "jadida"]),
        ("بني ملال", ["Beni Mellal", "Béni Mellal"]),
        ("Kenitra", ["Kénitra", "القنيطرة"]),
        ("Tétouan", ["Tetouan", "تطوان"]),
        ("Agadir", ["أكادير", "اكادير"]),
        ("Oujda", ["وجدة"]),
        ("Dakhla", ["الداخلة"]),
        ("Safi", ["آسفي", "Asfi"]),
        ("Mohammedia", ["المحمدية"]),
        ("الناظور", ["Nador"]),
    ],
)
def test_directory_search_finds_moroccan_cities_in_the_fairs_languages(
    event, make_participant, as_participant, city, queries
):
    visitor = make_participant(name="Visitor", city="Lyon", country="FR")
    make_participant(name="From there", city=city, country="MA")
    make_participant(name="Casa", city="Casablanca", country="MA")
    for q in queries:
        assert found(as_participant(visitor), event, q) == ["From there"], q


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("سلمي", "سلمى بناني"),
        ("سلمى", "سلمى بناني"),
        ("اريانه", "سلمى بناني"),
        ("أريانة", "سلمى بناني"),
        ("مدرسة", "ٱلمدرسه الرقمية"),
        ("المدرسة", "ٱلمدرسه الرقمية"),
    ],
)
def test_directory_search_folds_arabic_spelling_variants(
    event, fes, make_participant, as_participant, q, name
):
    """ى and ي, ة and ه, ٱ and ا are written either way: ``q=سلمي`` found nobody."""
    make_participant(name="سلمى بناني", city="أريانة")
    make_participant(name="ٱلمدرسه الرقمية", city="تونس")
    assert found(as_participant(fes[0]), event, q) == [name]


@pytest.fixture
def places(make_participant):
    """A delegation of Casablanca (written in English), one of Algiers written in French, a
    Tunisian start-up whose city is written in Arabic, and a French company from Lyon."""
    return [
        make_participant(name="Casa Delegation", city="Casablanca", country="MA"),
        make_participant(name="Wilaya", city="Alger", country="DZ"),
        make_participant(name="Startup TN", city="تونس", country="TN"),
        make_participant(name="Lyon Tech", city="Lyon", country="FR"),
    ]


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("الدار البيضاء", ["Casa Delegation"]),  # Casablanca's Arabic name
        ("Casablanca", ["Casa Delegation"]),
        ("Maroc", ["Casa Delegation"]),  # the country, in French
        ("المغرب", ["Casa Delegation"]),  # in Arabic
        ("Morocco", ["Casa Delegation"]),
        ("Algiers", ["Wilaya"]),  # Alger, in English
        ("الجزائر", ["Wilaya"]),  # the city and the country, in Arabic
        ("Tunis", ["Startup TN"]),  # تونس, in Latin letters
        ("Tunisie", ["Startup TN"]),
        ("France", ["Lyon Tech"]),
    ],
)
def test_directory_search_finds_a_place_by_its_name_in_the_fairs_languages(
    event, places, as_participant, q, names
):
    """The city's and the country's names in French, Arabic and English (CLDR's, through
    Babel) are searchable, whichever language the profile wrote them in."""
    assert found(as_participant(places[3]), event, q) == names


def test_the_people_search_finds_a_delegation_by_its_city_in_arabic(event, places, organiser):
    """The organisers' participants list (``people_matching``) too."""
    from django.test import Client

    client = Client()
    client.force_login(organiser)
    response = client.get(f"/organiser/{event.slug}/participants/", {"q": "الدار البيضاء"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Casa Delegation" in body
    assert "Lyon Tech" not in body
