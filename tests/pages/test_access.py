"""Who may open the organiser console: staff only."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "grid/",
    "grid/live/",
    "stats/",
    "scheduler/",
    "scheduler/runs/",
    "exports/",
    "exports/meetings.csv",
    "tables/",
    "participants/",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_anonymous_redirects_to_login(event, page):
    response = Client().get(f"/organiser/{event.slug}/{page}")
    assert response.status_code == 302
    assert response["Location"].startswith("/organiser/login/?next=")


@pytest.mark.parametrize("page", PAGES)
def test_page_participant_user_forbidden(event, make_participant, page):
    client = Client()
    client.force_login(make_participant().user)
    assert client.get(f"/organiser/{event.slug}/{page}").status_code == 403


def test_event_list_participant_user_forbidden(make_participant):
    client = Client()
    client.force_login(make_participant().user)
    assert client.get("/organiser/").status_code == 403


def test_status_post_participant_user_forbidden(event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    client = Client()
    client.force_login(meeting.request.sender.user)
    response = client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/", {"status": "held"}
    )
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_login_form_staff_redirects_to_event_list(db):
    user = UserFactory(username="boss@example.org", is_staff=True)
    user.set_password("a-long-password-1")
    user.save()
    client = Client()
    page = client.get("/organiser/login/")
    assert page.status_code == 200
    response = client.post(
        "/organiser/login/", {"username": "boss@example.org", "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/organiser/"
    assert client.get("/organiser/").status_code == 200


def test_login_form_non_staff_refused(make_participant):
    person = make_participant()
    person.user.set_password("a-long-password-1")
    person.user.save()
    response = Client().post(
        "/organiser/login/", {"username": person.user.username, "password": "a-long-password-1"}
    )
    assert response.status_code == 200
    assert "not an organiser account" in response.content.decode()


def test_logout_returns_to_login(staff_client):
    response = staff_client.post("/organiser/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/organiser/login/"
    assert staff_client.get("/organiser/").status_code == 302


def test_unknown_event_404(staff_client):
    assert staff_client.get("/organiser/no-such-event/grid/").status_code == 404


@pytest.mark.parametrize("page", ["/organiser/login/", "/admin/login/"])
def test_password_guessing_is_stopped_after_five_failures(db, page):
    """A tester guessed 25 wrong passwords, then the right one got in: no limit at all."""
    from django.core.cache import cache

    from matchmaking.pages.forms import SIGN_IN_FAILURES_ALLOWED

    cache.clear()
    user = UserFactory(username="boss@example.org", is_staff=True, is_superuser=True)
    user.set_password("a-long-password-1")
    user.save()
    client = Client()
    for n in range(SIGN_IN_FAILURES_ALLOWED):
        wrong = client.post(page, {"username": "boss@example.org", "password": f"guess-{n}"})
        assert wrong.status_code == 200 and "Too many" not in wrong.content.decode()
    right = client.post(page, {"username": "boss@example.org", "password": "a-long-password-1"})
    assert right.status_code == 200  # refused although right
    assert "Too many failed sign-ins" in right.content.decode()
    assert "_auth_user_id" not in client.session
    # the lock lifts after SIGN_IN_LOCK_SECONDS (the cache entry expires)
    cache.clear()
    again = client.post(page, {"username": "boss@example.org", "password": "a-long-password-1"})
    assert again.status_code == 302
