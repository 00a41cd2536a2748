"""The event's organiser team through the API (the console's Settings has the same)."""

import pytest

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_organisers_list_add_and_remove_team_members(event, organiser, organiser_client):
    url = f"/api/events/{event.slug}/organisers/"
    assert [m["username"] for m in organiser_client.get(url).data] == ["organiser@example.org"]
    colleague = UserFactory(username="colleague", email="col@fair.example", is_staff=True)
    added = organiser_client.post(url, {"account": "COL@fair.example"}, format="json")
    assert added.status_code == 200, added.data
    assert [m["username"] for m in added.data] == ["colleague", "organiser@example.org"]
    assert client_for(colleague).get(f"/api/events/{event.slug}/export/").status_code == 200

    for bad in ({}, {"account": ""}, {"account": "nobody"}, {"account": "x" * 200}):
        refused = organiser_client.post(url, bad, format="json")
        assert refused.status_code == 400, (bad, refused.data)
    visitor = UserFactory(username="visitor")
    refused = organiser_client.post(url, {"account": "visitor"}, format="json")
    assert (refused.status_code, refused.data["field"]) == (400, "account")
    assert not event.organisers.filter(pk=visitor.pk).exists()

    assert organiser_client.delete(f"{url}{colleague.pk}/").status_code == 204
    assert client_for(colleague).get(f"/api/events/{event.slug}/export/").status_code == 403
    assert organiser_client.delete(f"{url}{colleague.pk}/").status_code == 404
    assert organiser_client.delete(f"{url}{9 * 10**30}/").status_code == 404
    last = organiser_client.delete(f"{url}{organiser.pk}/")
    assert (last.status_code, last.data["code"]) == (409, "last_organiser")


def test_only_the_team_manages_the_team(event, other_organiser, make_participant, as_participant):
    url = f"/api/events/{event.slug}/organisers/"
    outsider = client_for(other_organiser)
    assert outsider.get(url).status_code == 403
    joined = outsider.post(url, {"account": other_organiser.username}, format="json")
    assert (joined.status_code, joined.data["code"]) == (403, "not_event_organiser")
    assert not event.organisers.filter(pk=other_organiser.pk).exists()
    assert as_participant(make_participant()).get(url).status_code == 403
