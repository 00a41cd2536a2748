"""Directory search folds the Arabic letters people write either way (ى → ي, ة → ه, ٱ → ا):
both stored search columns are refilled, for the profiles written before."""

import unicodedata

from django.db import migrations

# A copy of matchmaking.models.search_fold as it is at this migration (migrations must not
# change when the code does).
_FOLD_LETTERS = str.maketrans(
    {
        **{"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "\u0640": ""},
        **{"\u0649": "\u064a", "\u0629": "\u0647", "\u0671": "\u0627"},
    }
)


def search_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_FOLD_LETTERS)


def fold_search_columns(apps, schema_editor):
    """Refill both search columns of every profile, as ``Profile.refresh_search_text`` does."""
    Profile = apps.get_model("matchmaking", "Profile")
    batch = []
    rows = Profile.objects.select_related("participant__organisation").order_by("pk")
    for profile in rows.iterator(chunk_size=500):
        p = profile.participant
        parts = [p.name, p.title, p.organisation.name, p.city, profile.description]
        profile.search_text = search_fold(" ".join([*parts, *profile.offers, *profile.needs]))
        profile.search_names = search_fold(" ".join([p.name, p.organisation.name, p.city]))
        batch.append(profile)
        if len(batch) >= 500:
            Profile.objects.bulk_update(batch, ["search_text", "search_names"])
            batch = []
    if batch:
        Profile.objects.bulk_update(batch, ["search_text", "search_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0033_schedule_published"),
    ]

    operations = [
        migrations.RunPython(fold_search_columns, migrations.RunPython.noop, elidable=True),
    ]
