"""The console and organiser teams: an organiser sees and steers only the events whose team
they are on, and manages the team on the settings page."""

from html import unescape

import pytest
from django.test import Client

from matchmaking.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def first_message(response) -> str:
    return str(next(iter(response.context["messages"])))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", email="out@fair.example", is_staff=True)


@pytest.mark.parametrize(
    "section",
    [
        "grid",
        "stats",
        "scheduler",
        "exports",
        "settings",
        "exports/meetings.csv",
        "exports/feedback.csv",
        "messages",
    ],
)
def test_a_staff_account_off_the_team_sees_no_page_of_the_event(event, outsider, section):
    response = signed_in(outsider).get(
        f"/organiser/{event.slug}/{section}/".replace(".csv/", ".csv")
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "not on the organiser team" in html and event.name in html
    assert f'href="/organiser/{event.slug}/grid/"' not in html  # no navigation into it


def test_the_event_list_shows_only_the_events_one_organises(outsider):
    mine, theirs = EventFactory(name="Casablanca 2018"), EventFactory(name="Rabat 2019")
    mine.organisers.add(outsider)
    html = signed_in(outsider).get("/organiser/").content.decode()
    assert "Casablanca 2018" in html and "Rabat 2019" not in html
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    html = signed_in(boss).get("/organiser/").content.decode()
    assert "Casablanca 2018" in html and "Rabat 2019" in html
    html = signed_in(UserFactory(username="new", is_staff=True)).get("/organiser/").content
    assert "You organise no event yet" in html.decode()
    assert theirs.pk


def test_the_settings_page_adds_and_removes_team_members(staff_client, staff, event, outsider):
    url = f"/organiser/{event.slug}/settings/"
    html = staff_client.get(url).content.decode()
    assert 'data-organiser="org@example.org"' in html and "(you)" in html

    added = staff_client.post(url, {"team": "add", "account": "OUT@fair.example"}, follow=True)
    assert [str(m) for m in added.context["messages"]] == [
        "outsider is now an organiser of this event."
    ]
    assert set(event.organisers.values_list("username", flat=True)) == {
        "org@example.org",
        "outsider",
    }
    assert signed_in(outsider).get(f"/organiser/{event.slug}/grid/").status_code == 200

    refused = staff_client.post(url, {"team": "add", "account": "nobody"}, follow=True)
    assert "No organiser account is called" in first_message(refused)
    refused = staff_client.post(url, {"team": "add", "account": ""}, follow=True)
    assert first_message(refused) == "Type the username or email of an organiser account to add."
    visitor = UserFactory(username="visitor")
    refused = staff_client.post(url, {"team": "add", "account": "visitor"}, follow=True)
    assert "No organiser account is called “visitor”" in first_message(refused)
    assert not event.organisers.filter(pk=visitor.pk).exists()

    removed = staff_client.post(url, {"team": "remove", "user": str(outsider.pk)}, follow=True)
    assert [str(m) for m in removed.context["messages"]] == [
        "outsider is no longer an organiser of this event."
    ]
    assert signed_in(outsider).get(f"/organiser/{event.slug}/grid/").status_code == 403
    for bad in ("x", "²", "9" * 40, str(outsider.pk)):
        gone = staff_client.post(url, {"team": "remove", "user": bad}, follow=True)
        assert gone.status_code == 200
        assert "not on this event's team" in first_message(gone)

    last = staff_client.post(url, {"team": "remove", "user": str(staff.pk)}, follow=True)
    assert "last organiser" in first_message(last)
    assert list(event.organisers.values_list("username", flat=True)) == ["org@example.org"]


def test_an_outsider_cannot_join_a_team_by_posting_to_its_settings(event, outsider):
    url = f"/organiser/{event.slug}/settings/"
    response = signed_in(outsider).post(url, {"team": "add", "account": "outsider"})
    assert response.status_code == 403
    assert not Event.objects.get(pk=event.pk).organisers.filter(pk=outsider.pk).exists()


def test_the_team_section_speaks_french(staff_client, event):
    html = staff_client.get(
        f"/organiser/{event.slug}/settings/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Équipe d’organisation" in html


def test_the_admin_is_for_superusers_whatever_permissions_a_staff_account_holds(event, outsider):
    """A staff account given the admin's event permissions could put itself on any event's team
    there, and edit every event's rows (the review)."""
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(*Permission.objects.filter(content_type__app_label="matchmaking"))
    client = signed_in(outsider)
    assert client.get(f"/admin/matchmaking/event/{event.pk}/change/").status_code == 403
    assert (
        client.post(
            f"/admin/matchmaking/event/{event.pk}/change/", {"organisers": [outsider.pk]}
        ).status_code
        == 403
    )
    apps = [a["app_label"] for a in client.get("/admin/").context["app_list"]]
    assert "matchmaking" not in apps
    assert not event.organisers.filter(pk=outsider.pk).exists()
    boss = signed_in(UserFactory(username="boss", is_staff=True, is_superuser=True))
    assert boss.get(f"/admin/matchmaking/event/{event.pk}/change/").status_code == 200
    assert "matchmaking" in [a["app_label"] for a in boss.get("/admin/").context["app_list"]]


def test_adding_someone_already_on_the_team_says_so(staff_client, event, outsider):
    """Adding a member a second time (by another spelling of the same account) said again
    "outsider is now an organiser of this event", and an empty account answered "No organiser
    account is called “”": say that they are on the team already, and ask for a name."""
    url = f"/organiser/{event.slug}/settings/"
    staff_client.post(url, {"team": "add", "account": "outsider"}, follow=True)
    again = staff_client.post(url, {"team": "add", "account": "OUT@fair.example"}, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "outsider is on this event's team already."
    ]
    assert event.organisers.filter(pk=outsider.pk).count() == 1
    empty = staff_client.post(url, {"team": "add", "account": "  "}, follow=True)
    assert [str(m) for m in empty.context["messages"]] == [
        "Type the username or email of an organiser account to add."
    ]
    french = staff_client.post(
        url, {"team": "add", "account": "outsider"}, follow=True, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert [str(m) for m in french.context["messages"]] == [
        "outsider fait déjà partie de l’équipe de cet événement."
    ]


def test_removing_yourself_asks_first_then_goes_to_the_event_list(
    staff_client, staff, event, outsider
):
    """Removing oneself succeeded and landed on a 403 page. It now asks first, saying access
    to the event is lost; confirmed, it goes to the console's event list with a message."""
    event.organisers.add(outsider)
    url = f"/organiser/{event.slug}/settings/"
    asked = staff_client.post(url, {"team": "remove", "user": str(staff.pk)})
    assert asked.status_code == 200
    html = asked.content.decode()
    assert (
        f"Remove yourself from the organiser team of “{event.name}”? You will lose access to "
        "this event" in unescape(html)
    )
    assert 'name="confirm" value="1"' in html
    assert event.organisers.filter(pk=staff.pk).exists()  # nothing done yet

    done = staff_client.post(url, {"team": "remove", "user": str(staff.pk), "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == "/organiser/"
    assert not event.organisers.filter(pk=staff.pk).exists()
    listed = staff_client.get("/organiser/")
    assert listed.status_code == 200
    assert [str(m) for m in listed.context["messages"]] == [
        f"You are no longer an organiser of “{event.name}”: its pages are closed to you now."
    ]


def test_the_last_organiser_cannot_remove_themselves_and_is_told_why(staff_client, staff, event):
    url = f"/organiser/{event.slug}/settings/"
    for body in ({}, {"confirm": "1"}):
        refused = staff_client.post(
            url, {"team": "remove", "user": str(staff.pk), **body}, follow=True
        )
        assert refused.status_code == 200
        assert [str(m) for m in refused.context["messages"]] == [
            "You are the last organiser of this event: add another organiser before you leave "
            "its team."
        ]
    assert list(event.organisers.all()) == [staff]


def test_a_superuser_removing_themselves_keeps_the_event_and_is_not_asked(event, outsider):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    event.organisers.add(outsider, boss)
    url = f"/organiser/{event.slug}/settings/"
    done = signed_in(boss).post(url, {"team": "remove", "user": str(boss.pk)})
    assert done.status_code == 302 and done["Location"] == url
    assert not event.organisers.filter(pk=boss.pk).exists()


def test_the_leave_question_speaks_french(staff_client, staff, event, outsider):
    event.organisers.add(outsider)
    asked = staff_client.post(
        f"/organiser/{event.slug}/settings/",
        {"team": "remove", "user": str(staff.pk)},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Vous perdrez l’accès à cet événement" in unescape(asked.content.decode())
