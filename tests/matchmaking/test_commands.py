"""Management commands given arguments they cannot use: a one-line CommandError, never a
traceback (as ``import_event`` says "Cannot read …" and ``login_link --hours -5`` names its
range)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("limit", ["-3", "0", "51"])
def test_recommend_refuses_a_limit_outside_1_to_50(event, limit):
    """``--limit -3`` crashed with "ValueError: Negative indexing is not supported" and
    ``--limit 0`` printed a header over nothing: the API's range (1-50) is named instead."""
    person = ParticipantFactory(event=event)
    with pytest.raises(CommandError) as info:
        call_command("recommend", event.slug, person.email, "--limit", limit)
    assert str(info.value) == f"--limit must be between 1 and 50, not {limit}."


def test_recommend_refuses_an_unknown_kind(event):
    """``--kind nope`` printed an empty list as if nobody matched."""
    person = ParticipantFactory(event=event)
    with pytest.raises(CommandError) as info:
        call_command("recommend", event.slug, person.email, "--kind", "exhibitor", "--kind", "nope")
    assert str(info.value) == (
        "Unknown --kind 'nope': one of exhibitor, visitor, delegation, startup, investor, "
        "institution, speaker, media."
    )


def test_export_event_to_a_place_it_cannot_write_says_so(event, tmp_path):
    """``-o`` naming a missing folder or a folder crashed with FileNotFoundError or
    IsADirectoryError."""
    for target in (tmp_path / "missing" / "out.json", tmp_path):
        with pytest.raises(CommandError) as info:
            call_command("export_event", event.slug, "-o", str(target))
        assert str(info.value).startswith(f"Cannot write {target}: ")
    written = tmp_path / "out.json"
    call_command("export_event", event.slug, "-o", str(written))
    assert written.read_text(encoding="utf-8").startswith("{")
