"""Organiser teams through the API: a staff account steers only the events whose team it is on
(before, every staff account could export, schedule and change every event)."""

import pytest

from matchmaking.models import Event, Meeting, ScheduleRun
from tests.conftest import client_for
from tests.factories import RequestFactory, UserFactory
from tests.matchmaking.test_importer import small_event

pytestmark = pytest.mark.django_db

TEAM_ONLY = [
    ("get", "export/"),
    ("patch", ""),
    ("get", "schedule-runs/"),
    ("post", "schedule-runs/"),
    ("get", "requests/"),
    ("get", "meetings/"),
    ("post", "meetings/book/"),
    ("get", "participants/{person}/availability/"),
    ("post", "participants/{person}/calendar-link/"),
]


@pytest.mark.parametrize(("method", "path"), TEAM_ONLY)
def test_a_staff_account_off_the_team_is_refused_and_nothing_is_written(
    event, make_participant, organiser_client, other_organiser, method, path
):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="accepted")
    url = f"/api/events/{event.slug}/{path.format(person=a.pk)}"
    body = {"request": req.pk, "slot": event.slots.first().pk, "name": "Taken over"}
    response = getattr(client_for(other_organiser), method)(url, body, format="json")
    assert response.status_code == 403, response.data
    assert response.data["code"] == "not_event_organiser"
    assert f'not on the organiser team of "{event.slug}"' in response.data["detail"]
    assert not Meeting.objects.exists() and not ScheduleRun.objects.exists()
    assert Event.objects.get(pk=event.pk).name == event.name
    # the team's own organiser may
    assert organiser_client.get(f"/api/events/{event.slug}/requests/").status_code == 200


def test_a_team_member_books_for_the_event_but_not_for_another(
    event, make_participant, other_organiser
):
    from tests.factories import EventFactory, ParticipantFactory

    other = EventFactory()
    other.organisers.add(other_organiser)
    mine = RequestFactory(
        sender=ParticipantFactory(event=other),
        recipient=ParticipantFactory(event=other),
        status="accepted",
    )
    theirs = RequestFactory(
        sender=make_participant(), recipient=make_participant(), status="accepted"
    )
    client = client_for(other_organiser)
    booked = client.post(
        f"/api/events/{other.slug}/meetings/book/",
        {"request": mine.pk, "slot": other.slots.first().pk},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    refused = client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": theirs.pk, "slot": event.slots.first().pk},
        format="json",
    )
    assert refused.status_code == 403
    assert Meeting.objects.filter(request=theirs).count() == 0


def test_an_import_makes_the_importer_its_organiser_and_only_the_team_replaces_it(db):
    owner = UserFactory(username="owner", is_staff=True)
    outsider = UserFactory(username="outsider", is_staff=True)
    created = client_for(owner).post("/api/events/import/", small_event(), format="json")
    assert created.status_code == 201, created.data
    slug = created.data["slug"]
    event = Event.objects.get(slug=slug)
    assert [u.username for u in event.organisers.all()] == ["owner"]
    assert client_for(owner).get(f"/api/events/{slug}/export/").status_code == 200
    assert client_for(outsider).get(f"/api/events/{slug}/export/").status_code == 403

    replaced = client_for(outsider).post(
        "/api/events/import/?replace=true", small_event(), format="json"
    )
    assert replaced.status_code == 403, replaced.data
    assert replaced.data["code"] == "not_event_organiser"
    assert Event.objects.get(slug=slug).pk == event.pk  # not replaced
    again = client_for(owner).post("/api/events/import/?replace=true", small_event(), format="json")
    assert again.status_code == 201


def test_a_staff_account_that_takes_part_acts_as_a_participant_not_as_an_organiser(
    upcoming_event, make_participant
):
    """An organiser of other fairs registered here with their own address: on this event they
    are a participant, bound by the participants' rules (here: cannot book a meeting they are
    not part of)."""
    staff = UserFactory(username="visiting-organiser@example.org", is_staff=True)
    make_participant(event=upcoming_event, user=staff)
    a, b = make_participant(event=upcoming_event), make_participant(event=upcoming_event)
    others = RequestFactory(sender=a, recipient=b, status="accepted")
    client = client_for(staff)
    listed = client.get(f"/api/events/{upcoming_event.slug}/requests/")
    assert listed.status_code == 200 and listed.data["count"] == 0  # only their own
    slot = upcoming_event.slots.order_by("start").first()
    refused = client.post(
        f"/api/events/{upcoming_event.slug}/meetings/book/",
        {"request": others.pk, "slot": slot.pk},
        format="json",
    )
    assert refused.status_code == 400, refused.data
    assert "of yours" in refused.data["detail"]
    assert not Meeting.objects.filter(request=others).exists()
