"""Ranker.recommend_many (two-stage batch path) against Ranker.recommend."""

import numpy as np
import pytest

from ml import Ranker, encode_profiles, get_encoder
from ml.bench import synthetic_profiles
from ml.text import ProfileText


def ids(recs):
    return [r.participant_id for r in recs]


@pytest.fixture(scope="module")
def event200():
    profiles = synthetic_profiles(200, seed=3)
    profiles[5].needs, profiles[6].offers = [], []  # one-sided profiles
    enc = get_encoder("hashing-512")
    return Ranker(
        profiles,
        encode_profiles(profiles, enc),
        encoder=enc.name,
        exclusions=[("p0", "p3"), ("p10", "p21")],
    )


def test_small_event_equals_recommend(event200):
    many = event200.recommend_many(limit=10)
    assert set(many) == set(event200.ids)
    for pid in event200.ids:
        one = event200.recommend(pid, limit=10)
        assert ids(many[pid]) == ids(one)
        assert [r.score for r in many[pid]] == pytest.approx([r.score for r in one], abs=1e-3)
        assert many[pid][0].reasons["need_to_offer"] == one[0].reasons["need_to_offer"]
        assert many[pid][0].reasons["shared_sectors"] == one[0].reasons["shared_sectors"]


def test_small_pool_keeps_95_percent_of_top10(event200):
    # pool and statistics sample smaller than the event: the approximation is really used
    many = event200.recommend_many(limit=10, pool_size=50, stats_sample=100)
    overlap = [
        len(set(ids(many[pid])) & set(ids(event200.recommend(pid, limit=10)))) / 10
        for pid in event200.ids
    ]
    assert np.mean(overlap) >= 0.95


def test_rules_kinds_and_exclusions(ranker, event_profiles, event_vectors):
    r = Ranker(event_profiles, event_vectors, exclusions=[("waste", "casa")])
    many = r.recommend_many(
        ["casa", "parkco", "rabat"], limit=20, exclude_by_id={"casa": ["signals"]}
    )
    assert set(many) == {"casa", "parkco", "rabat"}
    assert ids(many["casa"]) == ids(r.recommend("casa", limit=20, exclude=["signals"]))
    assert "waste" not in ids(many["casa"]) and "signals" not in ids(many["casa"])
    assert ids(many["parkco"]) == ids(r.recommend("parkco", limit=20))
    by_kind = r.recommend_many(["casa"], limit=20, kinds=["exhibitor"])["casa"]
    assert ids(by_kind) == ids(r.recommend("casa", limit=20, kinds=["exhibitor"]))
    div = r.recommend_many(["casa"], limit=3, diversity=0.5)["casa"]
    assert ids(div) == ids(r.recommend("casa", limit=3, diversity=0.5))
    assert r.recommend_many([], limit=5) == {}


def test_the_batch_pool_scores_peers_and_languages_as_recommend_does():
    """Stage 1 picks the pool with the same peer rule and language bonus as ``recommend``:
    with more rivals than the pool holds, the batch list still finds the buyers (it gave four
    rivals: stage 1 still credited a peer's shared sectors and counted shared languages)."""
    enc = get_encoder("hashing")
    sectors = ["water", "data_platforms", "energy"]
    langs = ["fr", "en", "ar"]
    me = ProfileText(
        id="q",
        org="Q",
        kind="startup",
        offers=["smart water meters", "leak detection"],
        sectors=sectors,
        languages=langs,
    )
    rivals = [
        ProfileText(
            id=f"rival{i}",
            org=f"R{i}",
            kind="startup",
            offers=["smart water meters", "leak sensors"],
            sectors=sectors,
            languages=langs,
        )
        for i in range(8)
    ]
    buyers = [
        ProfileText(
            id=f"buyer{i}",
            org=f"B{i}",
            kind="investor",
            needs=["water meters", "detect leaks"],
            sectors=["water"],
            languages=["fr"],
        )
        for i in range(4)
    ]
    profiles = [me, *rivals, *buyers]
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    single = [x.participant_id for x in r.recommend("q", limit=4)]
    batch = r.recommend_many(["q"], limit=4, pool_size=4)["q"]
    assert set(single) == {f"buyer{i}" for i in range(4)}
    assert {x.participant_id for x in batch} == set(single)
