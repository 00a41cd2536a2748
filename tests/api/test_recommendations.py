"""Recommendations through the API, with the real multilingual encoder."""

import pytest

from matchmaking.models import ProfileEmbedding, Recommendation
from matchmaking.services.participants import profile_update
from matchmaking.services.recommendations import embeddings_refresh, event_refresh
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_and_providers(event, make_participant):
    city = make_participant(
        name="Ville de Fès",
        kind="delegation",
        languages=["fr", "ar"],
        profile__needs=["réduire les embouteillages aux carrefours du centre-ville"],
        profile__description="La ville cherche à fluidifier la circulation urbaine.",
    )
    traffic = make_participant(
        name="FlowSense",
        kind="exhibitor",
        languages=["en"],
        profile__offers=["adaptive traffic signal control that cuts congestion at intersections"],
        profile__description="We build traffic management systems for cities.",
    )
    marketing = make_participant(
        name="ClickBoost",
        kind="exhibitor",
        languages=["en"],
        profile__offers=["web marketing that drives more traffic to your online shop"],
        profile__description="Digital agency: SEO, ads and website traffic growth.",
    )
    water = make_participant(
        name="AquaMeter",
        kind="startup",
        languages=["fr"],
        profile__offers=["compteurs d'eau intelligents pour détecter les fuites"],
        profile__description="Gestion intelligente des réseaux d'eau potable.",
    )
    colleague = make_participant(
        name="Adjoint",
        kind="delegation",
        organisation=city.organisation,
        profile__offers=["un partenariat municipal"],
    )
    return city, traffic, marketing, water, colleague


def names(response):
    return [r["participant"]["name"] for r in response.data]


def test_french_need_finds_english_traffic_provider_before_marketing_trap(
    event, city_and_providers, as_participant
):
    city, _traffic, _marketing, _water, _colleague = city_and_providers
    event_refresh(event=event)
    response = as_participant(city).get(f"/api/events/{event.slug}/recommendations/")
    assert response.status_code == 200
    ranked = names(response)
    assert ranked[0] == "FlowSense"
    assert ranked.index("FlowSense") < ranked.index("ClickBoost")
    assert "Adjoint" not in ranked and "Ville de Fès" not in ranked  # same organisation, self
    first = response.data[0]["reasons"]
    assert (
        first["need_to_offer"]["need"]
        == "réduire les embouteillages aux carrefours du centre-ville"
    )
    assert first["need_to_offer"]["offer"] == (
        "adaptive traffic signal control that cuts congestion at intersections"
    )
    assert first["languages"]["common"] == []
    assert "No common language" in first["languages"]["note"]


def test_requested_or_declined_people_disappear(event, city_and_providers, as_participant):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    event_refresh(event=event)
    RequestFactory(sender=city, recipient=traffic, status="declined")
    ranked = names(as_participant(city).get(f"/api/events/{event.slug}/recommendations/"))
    assert "FlowSense" not in ranked
    assert "AquaMeter" in ranked


def test_profile_edit_reencodes_only_that_profile_and_changes_the_list(
    event, city_and_providers, as_participant, django_capture_on_commit_callbacks
):
    city, _traffic, _marketing, _water, _colleague = city_and_providers
    event_refresh(event=event)
    before = dict(ProfileEmbedding.objects.values_list("participant_id", "content_hash"))
    client = as_participant(city)
    assert names(client.get(f"/api/events/{event.slug}/recommendations/"))[0] == "FlowSense"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/events/{event.slug}/me/",
            {"needs": ["détecter les fuites dans le réseau d'eau potable"]},
            format="json",
        )
    assert response.status_code == 200
    after = dict(ProfileEmbedding.objects.values_list("participant_id", "content_hash"))
    assert {pk for pk in after if after[pk] != before[pk]} == {city.pk}
    assert set(embeddings_refresh(event=event).values()) == {0}  # nothing left to encode
    assert names(client.get(f"/api/events/{event.slug}/recommendations/"))[0] == "AquaMeter"


def test_a_ranker_built_before_the_re_encode_uses_the_new_text(event, city_and_providers):
    """The re-encode after an edit runs after commit; a ranker built in between (another
    person's refresh, a kind-filtered list) had the old vectors with the new, shorter text."""
    from matchmaking.services.recommendations import event_ranker

    city, *_ = city_and_providers
    event_refresh(event=event)
    profile_update(  # on_commit callbacks do not run here: the vectors are now stale
        participant=city, data={"needs": ["des compteurs d'eau pour détecter les fuites"]}
    )
    ranker = event_ranker(event=event)
    assert set(embeddings_refresh(event=event).values()) == {0}  # encoded while building
    (rec, *_) = ranker.recommend(str(city.pk), limit=5)
    assert rec.participant_id == str(city_and_providers[3].pk)  # AquaMeter, the water meters


def test_kind_filter_limit_and_organiser_view(
    event, city_and_providers, as_participant, organiser_client
):
    city, traffic, _marketing, _water, _colleague = city_and_providers
    event_refresh(event=event)
    url = f"/api/events/{event.slug}/recommendations/"
    assert names(as_participant(city).get(url, {"kind": "startup"})) == ["AquaMeter"]
    assert len(as_participant(city).get(url, {"limit": 1}).data) == 1

    def without_saved(items):  # a participant's shortlist is theirs: organisers get null
        return [{k: v for k, v in item.items() if k != "saved"} for item in items]

    seen = organiser_client.get(url, {"participant": city.pk}).data
    assert {item["saved"] for item in seen} == {None}
    assert without_saved(seen) == without_saved(as_participant(city).get(url).data)
    assert organiser_client.get(url).status_code == 400
    assert as_participant(city).get(url, {"participant": traffic.pk}).status_code == 404
    for bad in ({"limit": 0}, {"limit": "x"}, {"kind": "alien"}, {"participant": "-1"}):
        response = as_participant(city).get(url, bad)
        assert response.status_code == 400, bad


def test_a_kind_filter_reaches_past_the_stored_top_and_ranks_from_one(
    event, city_and_providers, as_participant, monkeypatch
):
    """The stored list is the top of all kinds: asking for start-ups when none made that top
    still finds them (ranked now), and ``rank`` numbers what is returned, after people asked
    or declined left the list (the first item said rank 2)."""
    from matchmaking.services import recommendations as services

    city, traffic, _marketing, _water, _colleague = city_and_providers
    monkeypatch.setattr(services, "STORE_TOP", 1)  # a stored top of one: FlowSense
    event_refresh(event=event)
    assert list(
        Recommendation.objects.filter(participant=city).values_list("candidate", flat=True)
    ) == [traffic.pk]
    url = f"/api/events/{event.slug}/recommendations/"
    only = as_participant(city).get(url, {"kind": "startup"}).data
    assert [(r["participant"]["name"], r["rank"]) for r in only] == [("AquaMeter", 1)]
    monkeypatch.setattr(services, "STORE_TOP", 50)
    event_refresh(event=event)
    RequestFactory(sender=city, recipient=traffic, status="declined")
    ranked = as_participant(city).get(url).data
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert "FlowSense" not in [r["participant"]["name"] for r in ranked]
    stored = next(r for r in ranked if r["participant"]["name"] == "AquaMeter")
    for key in ("shared_sectors", "need_to_offer", "languages"):  # the same card either way
        assert only[0]["reasons"][key] == stored["reasons"][key], key


def test_a_kind_filter_ranks_now_only_when_the_stored_top_may_have_cut_people_off(
    event, city_and_providers, as_participant, monkeypatch
):
    """The stored list holds every start-up of the event, or the kind is never recommended to
    the reader (two delegations): the stored list answers, without ranking again on each call."""
    from matchmaking.services import recommendations as services

    city = city_and_providers[0]
    monkeypatch.setattr(services, "STORE_TOP", 3)  # every candidate of the city is stored
    event_refresh(event=event)
    assert Recommendation.objects.filter(participant=city).count() == 3

    def never(**kwargs):
        raise AssertionError("ranked again although the stored list holds them all")

    monkeypatch.setattr(services, "recommendations_of_kinds", never)
    url = f"/api/events/{event.slug}/recommendations/"
    assert names(as_participant(city).get(url, {"kind": "startup"})) == ["AquaMeter"]
    assert as_participant(city).get(url, {"kind": "delegation"}).data == []


def test_a_withdrawn_request_brings_the_person_back_into_both_lists(
    event, city_and_providers, as_participant, django_capture_on_commit_callbacks
):
    """A pending request keeps the two out of each other's lists; withdrawn, it no longer
    does, and both stored lists are computed again (they stayed without each other)."""
    from matchmaking.services.requests import request_cancel, request_create

    city, _traffic, _marketing, water, _colleague = city_and_providers
    request = request_create(sender=city, recipient=water)
    event_refresh(event=event)
    url = f"/api/events/{event.slug}/recommendations/"
    assert "AquaMeter" not in names(as_participant(city).get(url))
    with django_capture_on_commit_callbacks(execute=True):
        request_cancel(request=request, by=city)
    assert "AquaMeter" in names(as_participant(city).get(url))
    assert "Ville de Fès" in names(as_participant(water).get(url))
    assert Recommendation.objects.filter(participant=city, candidate=water).exists()


def test_list_computed_on_first_read(event, city_and_providers, as_participant):
    city = city_and_providers[0]
    assert Recommendation.objects.count() == 0
    response = as_participant(city).get(f"/api/events/{event.slug}/recommendations/")
    assert response.status_code == 200
    assert names(response)[0] == "FlowSense"


def test_profile_update_rejects_unknown_sector(event, city_and_providers):
    from matchmaking.exceptions import InvalidInput

    with pytest.raises(InvalidInput, match="Unknown sector"):
        profile_update(participant=city_and_providers[0], data={"sectors": ["space"]})


def test_whole_event_batch_gives_the_same_lists_as_one_by_one(event, make_participant, settings):
    settings.MATCHING_DIVERSITY = 0.3  # as deployed: MMR on
    from matchmaking.models import Recommendation
    from matchmaking.services import recommendations as reco

    topics = [
        "smart parking sensors",
        "water leak detection",
        "LED street lighting",
        "waste collection routing",
        "open data portals",
        "adaptive traffic signals",
        "building energy audits",
        "e-government services",
        "air quality monitoring",
        "electric buses",
        "tourism mobile guides",
        "school e-learning platforms",
        "emergency dispatch software",
        "rooftop solar",
        "citizen feedback apps",
        "fibre networks",
        "urban planning GIS",
        "telemedicine kiosks",
        "flood early warning",
        "bike sharing",
        "smart water meters",
        "noise mapping",
        "public wifi",
        "parking payment",
    ]
    for i, topic in enumerate(topics):  # distinct texts: no ties between candidates
        make_participant(
            kind="delegation" if i % 3 == 0 else "exhibitor",
            accepts_same_kind=True,
            profile__needs=[f"we need {topic}"] if i % 3 == 0 else [],
            profile__offers=[] if i % 3 == 0 else [f"we provide {topic} for cities"],
        )
    assert reco.recommendations_compute(event=event) == 24  # > BATCH_FROM: the batch path
    batch = list(Recommendation.objects.values_list("participant_id", "candidate_id", "rank"))
    people = list(event.participants.values_list("pk", flat=True))
    for pk in people:  # one at a time: the single path
        reco.recommendations_compute(event=event, participant_ids=[pk])
    single = list(Recommendation.objects.values_list("participant_id", "candidate_id", "rank"))
    assert len(batch) > 0
    assert sorted(batch) == sorted(single)


def test_colleagues_of_one_exhibitor_do_not_fill_the_list(
    event, city_and_providers, make_participant, as_participant, settings
):
    settings.MATCHING_PER_ORGANISATION = 2
    city, traffic, _marketing, _water, _colleague = city_and_providers
    for i, offer in enumerate(
        ["traffic light controllers for busy crossroads", "congestion analytics for city roads"]
    ):
        make_participant(
            name=f"FlowSense colleague {i}",
            kind="exhibitor",
            languages=["en", "fr"],
            organisation=traffic.organisation,
            profile__offers=[offer],
        )
    event_refresh(event=event)
    ranked = names(as_participant(city).get(f"/api/events/{event.slug}/recommendations/"))
    flowsense = [n for n in ranked if n.startswith("FlowSense")]
    assert len(flowsense) == 3  # all still listed...
    others = [n for n in ranked if not n.startswith("FlowSense")]
    # ...but the third colleague only after every other organisation's candidate
    assert ranked.index(flowsense[2]) > max(ranked.index(n) for n in others)
    assert ranked.index(flowsense[1]) < max(ranked.index(n) for n in others)


def test_people_who_cannot_meet_in_any_slot_are_not_recommended(
    event, city_and_providers, as_participant
):
    """The city is at the fair in the morning only, FlowSense in the afternoon only: no slot
    could hold their meeting, so neither is recommended to the other."""
    import datetime as dt

    from matchmaking.models import Slot

    city, traffic, _marketing, water, _colleague = city_and_providers
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    noon = next(s.start for s in slots if s.start.hour >= 12).replace(hour=12, minute=0)
    city.availability.create(start=slots[0].start, end=noon)
    traffic.availability.create(start=noon, end=slots[-1].end)
    water.availability.create(start=slots[0].start, end=slots[0].end)  # one morning slot
    event_refresh(event=event)
    ranked = names(as_participant(city).get(f"/api/events/{event.slug}/recommendations/"))
    assert "FlowSense" not in ranked
    assert "AquaMeter" in ranked and "ClickBoost" in ranked  # a common slot, or no periods
    assert "Ville de Fès" not in names(
        as_participant(traffic).get(f"/api/events/{event.slug}/recommendations/")
    )
    # the period changes: the cached ranker is rebuilt and the lists follow
    traffic.availability.all().delete()
    traffic.availability.create(start=slots[0].start, end=slots[-1].end + dt.timedelta(hours=1))
    event_refresh(event=event)
    ranked = names(as_participant(city).get(f"/api/events/{event.slug}/recommendations/"))
    assert ranked[0] == "FlowSense"


def test_availability_edit_through_the_api_updates_both_sides_lists(
    event, city_and_providers, as_participant, django_capture_on_commit_callbacks
):
    """FlowSense says it is only there in the afternoon, the city only in the morning: the
    change recomputes FlowSense's list and the city's stored list that showed FlowSense."""
    city, traffic, _marketing, _water, _colleague = city_and_providers
    recs = f"/api/events/{event.slug}/recommendations/"
    mine = f"/api/events/{event.slug}/me/availability/"
    event_refresh(event=event)
    assert names(as_participant(city).get(recs))[0] == "FlowSense"
    morning = {"start": "2018-04-18T09:00", "end": "2018-04-18T11:00"}
    afternoon = {"start": "2018-04-18T14:00", "end": "2018-04-18T15:00"}

    def put(person, periods):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_participant(person).put(mine, {"periods": periods}, format="json")
        assert response.status_code == 200, response.data

    put(city, [morning])
    assert names(as_participant(city).get(recs))[0] == "FlowSense"  # still a common slot
    put(traffic, [afternoon])
    assert "FlowSense" not in names(as_participant(city).get(recs))
    assert "Ville de Fès" not in names(as_participant(traffic).get(recs))
    # back to the whole event: FlowSense's own list shows the city again at once
    put(traffic, [])
    assert "Ville de Fès" in names(as_participant(traffic).get(recs))


def test_an_event_with_one_participant_recommends_nobody(
    event, make_participant, as_participant, organiser_client
):
    alone = make_participant(name="Ville de Fès", kind="delegation", profile__needs=["bus"])
    event_refresh(event=event)
    url = f"/api/events/{event.slug}/recommendations/"
    response = as_participant(alone).get(url)
    assert response.status_code == 200
    assert response.data == []
    assert organiser_client.get(url, {"participant": alone.pk}).data == []
    response = organiser_client.get(url, {"participant": alone.pk + 1})
    assert response.status_code == 400
    assert response.data["detail"] == f"No participant {alone.pk + 1} in this event."


def test_a_stored_pair_below_the_cut_off_is_null_in_the_api(
    event, make_participant, as_participant
):
    """Lists stored before the ranker left weak pairs out: the API (and the command and the
    pages, which read the same selector) give null rather than a pair that does not match."""
    from ml.ranker import PAIR_REASON_MIN_SIMILARITY

    me, other = make_participant(), make_participant()
    weak = {
        "need": "parking",
        "offer": "public Wi-Fi",
        "similarity": PAIR_REASON_MIN_SIMILARITY - 0.05,
    }
    good = {"need": "funding", "offer": "project finance", "similarity": 0.52}
    Recommendation.objects.create(
        event=event,
        participant=me,
        candidate=other,
        rank=1,
        score=1.0,
        reasons={"need_to_offer": good, "offer_to_need": weak, "shared_need": None},
    )
    response = as_participant(me).get(f"/api/events/{event.slug}/recommendations/")
    assert response.status_code == 200
    (item,) = response.data  # a plain list, not paginated
    assert item["reasons"]["offer_to_need"] is None
    assert item["reasons"]["need_to_offer"] == good


def test_who_no_longer_comes_leaves_every_stored_list(
    event, city_and_providers, as_participant, django_capture_on_commit_callbacks
):
    """The traffic provider says it no longer comes: the stored lists that showed it are
    recomputed without it (after commit), and it gets no list of its own; coming back puts it
    in its own list again."""
    city, traffic, _marketing, _water, _colleague = city_and_providers
    event_refresh(event=event)
    assert Recommendation.objects.filter(candidate=traffic).exists()
    assert Recommendation.objects.filter(participant=traffic).exists()
    url = f"/api/events/{event.slug}/me/attendance/"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_participant(traffic).put(url, {"attending": False}, format="json")
    assert response.status_code == 200, response.data
    assert not Recommendation.objects.filter(candidate=traffic).exists()
    assert not Recommendation.objects.filter(participant=traffic).exists()
    recs = f"/api/events/{event.slug}/recommendations/"
    assert "FlowSense" not in names(as_participant(city).get(recs))
    with django_capture_on_commit_callbacks(execute=True):
        response = as_participant(traffic).put(url, {"attending": True}, format="json")
    assert response.status_code == 200, response.data
    assert names(as_participant(traffic).get(recs))  # its own list again
    event_refresh(event=event)  # the next full refresh: others see it again
    assert names(as_participant(city).get(recs))[0] == "FlowSense"


def test_delegations_open_to_exchanges_are_recommended_to_each_other(
    event, city_and_providers, make_participant, as_participant
):
    """City-to-city exchanges of experience (the tester: profiles said "open to exchanges with
    other cities", yet no city could ever find another): both must have said so."""
    city, _traffic, _marketing, _water, _colleague = city_and_providers
    city.accepts_same_kind = True
    city.save(update_fields=["accepts_same_kind"])

    def delegation(name, opted_in):
        return make_participant(
            name=name,
            kind="delegation",
            accepts_same_kind=opted_in,
            languages=["fr"],
            profile__needs=["réduire les embouteillages et fluidifier le trafic urbain"],
        )

    delegation("Ville de Tanger", True)
    delegation("Ville d'Agadir", False)
    event_refresh(event=event)
    url = f"/api/events/{event.slug}/recommendations/"
    listed = names(as_participant(city).get(url, {"kind": "delegation"}))
    assert listed == ["Ville de Tanger"]  # not Agadir, who did not open up; not a colleague
    agadir = event.participants.get(name="Ville d'Agadir")
    assert names(as_participant(agadir).get(url, {"kind": "delegation"})) == []
