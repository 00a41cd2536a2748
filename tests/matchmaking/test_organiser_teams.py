"""Organiser teams: which accounts steer which event (``selectors.organises``), who joins a
team on import, and the rules for adding and removing members."""

import pytest
from django.core.management import CommandError, call_command

from matchmaking import selectors
from matchmaking.exceptions import Conflict, Forbidden, InvalidInput
from matchmaking.services.events import event_organiser_add, event_organiser_remove
from matchmaking.services.importer import event_import
from tests.factories import EventFactory, UserFactory
from tests.matchmaking.test_importer import small_event

pytestmark = pytest.mark.django_db


def test_only_the_team_and_superusers_organise_an_event():
    fair, other_fair = EventFactory(), EventFactory()
    member = UserFactory(username="member", is_staff=True)
    outsider = UserFactory(username="outsider", is_staff=True)
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    visitor = UserFactory(username="visitor")  # put on the team by hand, not a staff account
    retired = UserFactory(username="retired", is_staff=True, is_active=False)
    fair.organisers.add(member, visitor, retired)

    assert selectors.organises(user=member, event=fair)
    assert selectors.organises(user=boss, event=fair)
    assert not selectors.organises(user=member, event=other_fair)
    assert not selectors.organises(user=outsider, event=fair)
    assert not selectors.organises(user=visitor, event=fair)
    assert not selectors.organises(user=retired, event=fair)
    assert list(selectors.events_organised_by(user=member)) == [fair]
    assert set(selectors.events_organised_by(user=boss)) == {fair, other_fair}
    assert not selectors.events_organised_by(user=visitor).exists()


def test_an_import_puts_its_importer_on_the_new_events_team():
    importer = UserFactory(username="importer", is_staff=True)
    colleague = UserFactory(username="colleague", is_staff=True)
    event = event_import(data=small_event(), by=importer, organisers=[colleague])
    assert {u.username for u in event.organisers.all()} == {"importer", "colleague"}


def test_only_its_team_may_replace_an_event_and_the_team_stays():
    owner = UserFactory(username="owner", is_staff=True)
    outsider = UserFactory(username="outsider", is_staff=True)
    first = event_import(data=small_event(), by=owner)

    with pytest.raises(Forbidden, match="not on the organiser team") as refused:
        event_import(data=small_event(), replace=True, by=outsider)
    assert refused.value.code == "not_event_organiser"
    assert selectors.event_get(slug=first.slug).pk == first.pk  # untouched

    colleague = UserFactory(username="colleague", is_staff=True)
    again = event_import(data=small_event(), replace=True, by=owner, organisers=[colleague])
    assert again.pk == first.pk  # replaced, under the id open pages and clients hold
    assert {u.username for u in again.organisers.all()} == {"owner", "colleague"}
    # the command line (no importing account) keeps the team too
    third = event_import(data=small_event(), replace=True)
    assert {u.username for u in third.organisers.all()} == {"owner", "colleague"}


def test_a_team_keeps_its_last_member_and_takes_only_organiser_accounts():
    event = EventFactory()
    first = UserFactory(username="first", is_staff=True)
    second = UserFactory(username="second", is_staff=True)
    event_organiser_add(event=event, user=first)
    event_organiser_add(event=event, user=second)
    event_organiser_add(event=event, user=second)  # twice: still one row
    assert event.organisers.count() == 2

    with pytest.raises(InvalidInput, match="not an organiser account"):
        event_organiser_add(event=event, user=UserFactory(username="visitor"))

    event_organiser_remove(event=event, user=second)
    with pytest.raises(Conflict, match="last organiser") as refused:
        event_organiser_remove(event=event, user=first)
    assert refused.value.code == "last_organiser"
    assert [u.username for u in event.organisers.all()] == ["first"]
    event_organiser_remove(event=event, user=second)  # not on it: nothing to do


def test_the_commands_show_and_change_a_team(capsys, tmp_path):
    import json

    UserFactory(username="ana", email="ana@fair.example", is_staff=True)
    UserFactory(username="ben", is_staff=True)
    UserFactory(username="visitor")
    path = tmp_path / "fair.json"
    path.write_text(json.dumps(small_event()))

    with pytest.raises(
        CommandError,
        match=r"The account 'visitor' is not an organiser .*; there is no account 'nobody'",
    ):
        call_command("import_event", str(path), "--organiser", "visitor", "--organiser", "nobody")
    assert not selectors.events_organised_by(user=UserFactory(is_superuser=True, is_staff=True))

    call_command(
        "import_event", str(path), "--organiser", "ANA@fair.example", "--skip-recommendations"
    )
    assert "Organiser team: ana." in capsys.readouterr().out
    slug = small_event()["event"]["slug"]

    call_command("event_organisers", slug, "--add", "ben")
    out = capsys.readouterr().out
    assert "Organiser team of" in out and "ana" in out and "ben" in out
    call_command("event_organisers", slug, "--remove", "ana")
    with pytest.raises(CommandError, match="last organiser"):
        call_command("event_organisers", slug, "--remove", "ben")
    with pytest.raises(CommandError, match="No event"):
        call_command("event_organisers", "no-such-fair")


def test_the_last_member_is_the_last_who_can_still_organise_and_the_command_is_all_or_nothing():
    """A team of one working account and one deactivated one let the working one go, leaving
    only an unusable member; the command added accounts before finding a name it did not know
    (the review)."""
    event = EventFactory()
    working = UserFactory(username="working", is_staff=True)
    gone = UserFactory(username="gone", is_staff=True)
    event.organisers.add(working, gone)
    gone.is_active = False
    gone.save()
    with pytest.raises(Conflict, match="last organiser"):
        event_organiser_remove(event=event, user=working)
    event_organiser_remove(event=event, user=gone)  # an unusable member may always go
    assert [u.username for u in event.organisers.all()] == ["working"]

    UserFactory(username="new", is_staff=True)
    with pytest.raises(CommandError, match="There is no account 'nobody'"):
        call_command("event_organisers", event.slug, "--add", "new", "--remove", "nobody")
    assert [u.username for u in event.organisers.all()] == ["working"]


def test_an_organiser_is_found_by_email_beside_a_participants_account_and_exact_names_win():
    """A participant's account with the organiser's email hid the staff account; "Staff2"
    found "staff2" although an account "Staff2" exists; a member no longer staff could not be
    taken off with the command (the focused test)."""
    UserFactory(username="ana@fair.example", email="ana@fair.example")  # her participant account
    ana = UserFactory(username="ana", email="ana@fair.example", is_staff=True)
    assert selectors.organiser_account_named(name="ANA@fair.example") == ana
    lower = UserFactory(username="staff2", is_staff=True)
    upper = UserFactory(username="Staff2", is_staff=True)
    assert selectors.organiser_account_named(name="Staff2") == upper
    assert selectors.organiser_account_named(name="staff2") == lower
    assert selectors.organiser_account_named(name="STAFF2") in (lower, upper)

    event = EventFactory()
    event.organisers.add(ana, lower)
    lower.is_staff = False
    lower.save()
    call_command("event_organisers", event.slug, "--remove", "staff2")
    assert [u.username for u in event.organisers.all()] == ["ana"]
