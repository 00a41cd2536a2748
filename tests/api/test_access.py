"""Object-level access: others' private objects answer 404 and never appear in lists."""

import pytest

from tests.conftest import client_for
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(event, make_participant, organiser_client):
    a, b, outsider = make_participant(), make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b)
    booked = organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": req.pk, "slot": event.slots.first().pk},
    )
    assert booked.status_code == 201
    return {"a": a, "b": b, "outsider": outsider, "request": req, "meeting": booked.data["id"]}


ID_ENDPOINTS = [
    ("get", "requests/{request}/"),
    ("post", "requests/{request}/accept/"),
    ("post", "requests/{request}/decline/"),
    ("post", "requests/{request}/cancel/"),
    ("get", "meetings/{meeting}/"),
    ("post", "meetings/{meeting}/reschedule/"),
    ("post", "meetings/{meeting}/cancel/"),
    ("post", "meetings/{meeting}/check-in/"),
]


@pytest.mark.parametrize(("method", "path"), ID_ENDPOINTS)
def test_outsider_gets_404_on_private_object(event, world, as_participant, method, path):
    client = as_participant(world["outsider"])
    target = f"/api/events/{event.slug}/" + path.format(
        request=world["request"].pk, meeting=world["meeting"]
    )
    response = getattr(client, method)(target, {"slot": event.slots.last().pk})
    assert response.status_code == 404


def test_outsider_lists_do_not_show_others_objects(event, world, as_participant):
    client = as_participant(world["outsider"])
    assert client.get(f"/api/events/{event.slug}/requests/").data["count"] == 0
    assert client.get(f"/api/events/{event.slug}/meetings/").data["count"] == 0
    assert (
        client.get(f"/api/events/{event.slug}/meetings/", {"participant": world["a"].pk}).data[
            "count"
        ]
        == 0
    )


def test_participant_of_other_event_is_refused(event, world):
    stranger = ParticipantFactory(event=EventFactory())
    client = client_for(stranger.user)
    for path in ("participants/", "requests/", "meetings/", "me/", "agenda.ics"):
        assert client.get(f"/api/events/{event.slug}/{path}").status_code == 403
    assert (
        client.get(f"/api/events/{event.slug}/requests/{world['request'].pk}/").status_code == 403
    )


def test_participant_detail_of_other_event_is_404(event, world, as_participant):
    other = ParticipantFactory(event=EventFactory())
    response = as_participant(world["a"]).get(f"/api/events/{event.slug}/participants/{other.pk}/")
    assert response.status_code == 404


def test_directory_hides_email_from_participants_but_not_organisers(
    event, world, as_participant, organiser_client
):
    mine = as_participant(world["a"]).get(f"/api/events/{event.slug}/participants/{world['b'].pk}/")
    assert "email" not in mine.data
    theirs = organiser_client.get(f"/api/events/{event.slug}/participants/{world['b'].pk}/")
    assert theirs.data["email"] == world["b"].email


def test_anonymous_is_401_on_private_and_200_on_public(event, anon):
    assert anon.get(f"/api/events/{event.slug}/requests/").status_code == 401
    assert anon.get(f"/api/events/{event.slug}/slots/").status_code == 200
    assert anon.get(f"/api/events/{event.slug}/").status_code == 200
    assert anon.get("/api/events/nope/").status_code == 404


def test_export_and_import_are_organiser_only(event, world, as_participant):
    client = as_participant(world["a"])
    assert client.get(f"/api/events/{event.slug}/export/").status_code == 403
    assert client.post("/api/events/import/", {}, format="json").status_code == 403
