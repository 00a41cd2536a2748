"""Saved and hidden people (me/marks/): a participant keeps a shortlist of people worth meeting
and says "not interested" of others, who then leave their recommendations for good."""

import pytest

from matchmaking.models import Mark
from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.meetings import Actor
from matchmaking.services.recommendations import event_refresh
from tests.api.test_recommendations import city_and_providers, names  # noqa: F401

pytestmark = pytest.mark.django_db


def marks(event):
    return f"/api/events/{event.slug}/me/marks/"


def mark(event, person):
    return f"/api/events/{event.slug}/me/marks/{person.pk}/"


def recommendations(event):
    return f"/api/events/{event.slug}/recommendations/"


def test_not_interested_leaves_the_list_and_the_next_one_comes_up(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    event_refresh(event=event)
    client = as_participant(city)
    before = names(client.get(recommendations(event)))
    assert before[0] == "FlowSense"

    response = client.put(mark(event, traffic), {"mark": "hidden"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["mark"] == "hidden"
    assert response.data["participant"]["name"] == "FlowSense"
    assert response.data["participant"]["attending"] is True
    after = names(client.get(recommendations(event)))
    assert "FlowSense" not in after
    assert after == [n for n in before if n != "FlowSense"]
    # the kind-filtered list, ranked afresh, leaves them out too
    kinds = client.get(recommendations(event), {"kind": "exhibitor"})
    assert "FlowSense" not in names(kinds)

    # undo: recommended again
    assert client.delete(mark(event, traffic)).status_code == 204
    assert names(client.get(recommendations(event)))[0] == "FlowSense"
    assert client.delete(mark(event, traffic)).status_code == 404


def test_saved_people_are_flagged_in_the_list_and_kept_on_the_shortlist(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, marketing, water, _colleague = city_and_providers
    event_refresh(event=event)
    client = as_participant(city)
    assert client.put(mark(event, water), {"mark": "saved"}, format="json").status_code == 201
    assert client.put(mark(event, marketing), {"mark": "hidden"}, format="json").status_code == 201
    listed = {r["participant"]["name"]: r["saved"] for r in client.get(recommendations(event)).data}
    assert listed["AquaMeter"] is True
    assert listed["FlowSense"] is False

    # saved again: the same mark (200), not a second one
    again = client.put(mark(event, water), {"mark": "saved"}, format="json")
    assert again.status_code == 200
    assert Mark.objects.filter(participant=city).count() == 2

    shortlist = client.get(marks(event), {"mark": "saved"})
    assert shortlist.status_code == 200
    assert [m["participant"]["name"] for m in shortlist.data["results"]] == ["AquaMeter"]
    everything = client.get(marks(event)).data
    assert everything["count"] == 2
    assert client.get(mark(event, water)).data["mark"] == "saved"
    assert client.get(mark(event, traffic)).status_code == 404

    # a saved person changed to hidden leaves the list
    turned = client.put(mark(event, water), {"mark": "hidden"}, format="json")
    assert turned.status_code == 200 and turned.data["mark"] == "hidden"
    assert "AquaMeter" not in names(client.get(recommendations(event)))


def test_marks_are_private_to_the_one_who_marks(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
    organiser_client,
):
    city, traffic, marketing, _water, _colleague = city_and_providers
    as_participant(city).put(mark(event, traffic), {"mark": "saved"}, format="json")
    # the other side sees nothing of it
    assert as_participant(traffic).get(marks(event)).data["count"] == 0
    assert as_participant(traffic).get(mark(event, city)).status_code == 404
    # nor do organisers, who have no participant profile
    refused = organiser_client.get(marks(event))
    assert refused.status_code == 404
    assert "not shown to anyone else" in refused.data["detail"]
    assert organiser_client.put(mark(event, marketing), {"mark": "saved"}).status_code == 404


def test_bad_marks_are_refused_with_a_message_and_nothing_written(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
    make_participant,
):
    from tests.factories import EventFactory, ParticipantFactory

    city, traffic, _marketing, _water, _colleague = city_and_providers
    client = as_participant(city)
    cases = [
        (mark(event, traffic), {"mark": "favourite"}, 400, "mark"),
        (mark(event, traffic), {}, 400, "mark"),
        (mark(event, traffic), {"mark": "saved", "note": "x"}, 400, "note"),
        (mark(event, city), {"mark": "saved"}, 400, "participant"),
    ]
    for url, body, code, field in cases:
        response = client.put(url, body, format="json")
        assert response.status_code == code, (body, response.data)
        assert field in str(response.data), response.data
    bad = client.put(mark(event, traffic), {"mark": "favourite"}, format="json")
    assert '"favourite" is not a mark' in str(bad.data)
    # someone of another event, an id nobody has, an id too large for the database
    elsewhere = ParticipantFactory(event=EventFactory(slug="other-fair"))
    assert client.put(mark(event, elsewhere), {"mark": "saved"}, format="json").status_code == 404
    url = f"/api/events/{event.slug}/me/marks/99999999999999999999/"
    assert client.put(url, {"mark": "saved"}, format="json").status_code == 404
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.get(marks(event), {"mark": "both"}).status_code == 400
    assert not Mark.objects.exists()


def test_someone_who_no_longer_comes_cannot_be_marked_but_stays_on_the_shortlist(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, marketing, _water, _colleague = city_and_providers
    client = as_participant(city)
    client.put(mark(event, traffic), {"mark": "saved"}, format="json")
    attendance_withdraw(participant=traffic, actor=Actor(system=True))
    attendance_withdraw(participant=marketing, actor=Actor(system=True))
    refused = client.put(mark(event, traffic), {"mark": "hidden"}, format="json")
    assert refused.status_code == 404
    assert refused.data["detail"] == "FlowSense no longer comes to the fair."
    # someone they never dealt with: an unknown id (walking ids must not list who withdrew)
    unknown = client.put(mark(event, marketing), {"mark": "saved"}, format="json")
    assert unknown.status_code == 404
    assert unknown.data["detail"] == f"No participant {marketing.pk} in this event."
    kept = client.get(marks(event)).data["results"]
    assert [(m["participant"]["name"], m["participant"]["attending"]) for m in kept] == [
        ("FlowSense", False)
    ]


def test_organisers_see_no_shortlist_in_a_participants_list(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
    organiser_client,
):
    city, traffic, *_ = city_and_providers
    event_refresh(event=event)
    as_participant(city).put(mark(event, traffic), {"mark": "saved"}, format="json")
    seen = organiser_client.get(recommendations(event), {"participant": city.pk}).data
    assert seen and {r["saved"] for r in seen} == {None}
    assert {r["saved"] for r in as_participant(city).get(recommendations(event)).data} == {
        True,
        False,
    }


def test_the_codes_and_the_same_mark_again_changes_nothing(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, *_ = city_and_providers
    client = as_participant(city)
    assert client.get(mark(event, traffic)).data["code"] == "not_marked"
    assert client.delete(mark(event, traffic)).data["code"] == "not_marked"
    assert client.put(mark(event, city), {"mark": "saved"}, format="json").data["code"] == (
        "cannot_mark_self"
    )
    first = client.put(mark(event, traffic), {"mark": "saved"}, format="json").data
    again = client.put(mark(event, traffic), {"mark": "saved"}, format="json")
    assert again.status_code == 200
    assert again.data["updated_at"] == first["updated_at"]  # the shortlist's order stays


def test_who_no_longer_comes_cannot_mark(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, traffic, *_ = city_and_providers
    attendance_withdraw(participant=city, actor=Actor(system=True))
    refused = as_participant(city).put(mark(event, traffic), {"mark": "saved"}, format="json")
    assert refused.status_code == 409
    assert refused.data["code"] == "self_not_attending"
    assert not Mark.objects.exists()


def test_recommend_again_brings_them_back_after_the_list_was_recomputed(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
    django_capture_on_commit_callbacks,
):
    """While FlowSense is hidden the city's list is recomputed (a profile edit, say) without
    them; undoing the mark ranks the list again, and the periodic check sees the change."""
    from matchmaking.services.recommendations import inputs_fingerprint, participant_refresh

    city, traffic, *_ = city_and_providers
    event_refresh(event=event)
    client = as_participant(city)
    before = names(client.get(recommendations(event)))
    with django_capture_on_commit_callbacks(execute=True):
        client.put(mark(event, traffic), {"mark": "hidden"}, format="json")
    participant_refresh(participant=city)
    assert "FlowSense" not in names(client.get(recommendations(event)))
    fingerprint = inputs_fingerprint(event=event)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.delete(mark(event, traffic)).status_code == 204
    assert callbacks  # the list is ranked again once the undo commits
    assert names(client.get(recommendations(event))) == before
    assert inputs_fingerprint(event=event) != fingerprint


def test_hiding_many_never_runs_the_list_dry(event, make_participant):
    """The stored list keeps the top 50; hiding 40 of them still leaves 20 people to show while
    the event has more."""
    from matchmaking import selectors
    from matchmaking.models import Recommendation
    from matchmaking.services.marks import mark_set

    me = make_participant(
        kind="delegation", languages=["fr"], profile__needs=["gestion du trafic urbain"]
    )
    for i in range(70):
        make_participant(
            kind="exhibitor", languages=["fr"], profile__offers=[f"solution trafic {i}"]
        )
    event_refresh(event=event)
    stored = list(
        Recommendation.objects.filter(participant=me)
        .order_by("rank")
        .values_list("candidate_id", flat=True)
    )
    assert len(stored) == 50
    for pk in stored[:40]:
        mark_set(participant=me, candidate_id=pk, kind="hidden")
    got = [r["participant"]["id"] for r in selectors.recommendations_for(participant=me)]
    assert len(got) == 20
    assert not set(got) & set(stored[:40])


def test_a_colleague_cannot_be_saved_there_is_nobody_to_ask(
    event,
    city_and_providers,  # noqa: F811
    as_participant,
):
    city, _traffic, _marketing, _water, colleague = city_and_providers
    refused = as_participant(city).put(mark(event, colleague), {"mark": "saved"}, format="json")
    assert refused.status_code == 400
    assert refused.data["code"] == "same_organisation"
    assert not Mark.objects.exists()
