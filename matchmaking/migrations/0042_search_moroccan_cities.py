"""Directory search finds a participant by the names of Moroccan cities CLDR does not know
(Rabat, Fès, Marrakech, Tanger, ...) in French, English and Arabic: the search columns of the
profiles of participants from one of them, written before, are refilled."""

import unicodedata

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from django.db import migrations

# Copies of matchmaking.models.search_fold and matchmaking.countries (MOROCCAN_CITIES,
# city_names, place_names) as they are at this migration (migrations must not change when the
# code does).
_FOLD_LETTERS = str.maketrans(
    {
        **{"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "\u0640": ""},
        **{"\u0649": "\u064a", "\u0629": "\u0647", "\u0671": "\u0627"},
    }
)
LANGUAGES = ("en", "fr", "ar")
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


def search_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_FOLD_LETTERS)


def _cities() -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for zone, territory in sorted(get_global("zone_territories").items()):
        try:
            names = [
                get_timezone_location(zone, locale=lang, return_city=True) for lang in LANGUAGES
            ]
        except LookupError:
            continue
        out.append((territory, tuple(dict.fromkeys(names))))
    out.extend(("MA", names) for names in MOROCCAN_CITIES)
    return out


def place_names(city: str, country: str, cities) -> list[str]:
    found: tuple[str, ...] = ()
    wanted = search_fold(city or "").strip()
    if wanted:
        for where in dict.fromkeys([country or "", ""]):
            found = next(
                (
                    names
                    for territory, names in cities
                    if (not where or territory == where)
                    and any(search_fold(n) == wanted for n in names)
                ),
                (),
            )
            if found:
                break
    countries = (Locale.parse(lang).territories.get(country or "") for lang in LANGUAGES)
    return [*found, *dict.fromkeys(name for name in countries if name)]


def fill_search_columns(apps, schema_editor):
    """Refill both search columns of the profiles of participants whose city is one of
    ``MOROCCAN_CITIES`` (by any of its names), as ``Profile.refresh_search_text`` does."""
    Profile = apps.get_model("matchmaking", "Profile")
    wanted = {search_fold(name) for names in MOROCCAN_CITIES for name in names}
    cities = _cities()
    batch = []
    rows = (
        Profile.objects.select_related("participant__organisation")
        .exclude(participant__city="")
        .order_by("pk")
    )
    for profile in rows.iterator(chunk_size=500):
        p = profile.participant
        if search_fold(p.city or "").strip() not in wanted:
            continue
        places = place_names(p.city, p.country, cities)
        parts = [p.name, p.title, p.organisation.name, p.city, *places, profile.description]
        profile.search_text = search_fold(" ".join([*parts, *profile.offers, *profile.needs]))
        profile.search_names = search_fold(
            " ".join([p.name, p.organisation.name, p.city, *places])
        )
        batch.append(profile)
        if len(batch) >= 500:
            Profile.objects.bulk_update(batch, ["search_text", "search_names"])
            batch = []
    if batch:
        Profile.objects.bulk_update(batch, ["search_text", "search_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0041_arrival"),
    ]

    operations = [
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop, elidable=True),
    ]
