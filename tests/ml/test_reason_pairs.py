"""A recommendation's phrase pairs are reasons only when the phrases really match: the best pair
of two unrelated profiles always exists, and shown as "you need X, they offer Y" it reads as
nonsense (parking management <-> public Wi-Fi)."""

import numpy as np

from ml import ProfileText, Ranker, encode_profiles
from ml.ranker import PAIR_REASON_MIN_SECTOR_AGREEMENT, PAIR_REASON_MIN_SIMILARITY


def test_a_pair_that_does_not_match_is_no_reason_while_a_matching_one_is(use_encoder):
    profiles = [
        ProfileText(
            id="city",
            org="Ville de Fès",
            kind="delegation",
            languages=["fr"],
            needs=["gestion du stationnement en centre-ville"],
        ),
        ProfileText(
            id="wifi",
            org="Noor Systems",
            kind="exhibitor",
            languages=["en"],
            offers=["high-speed public Wi-Fi"],
        ),
        ProfileText(
            id="parking",
            org="ParkCo",
            kind="exhibitor",
            languages=["en"],
            offers=["connected parking sensors and guidance to free parking spaces"],
        ),
    ]
    vectors = encode_profiles(profiles, use_encoder)
    ranker = Ranker(profiles, vectors)
    sem = ranker.sem
    a, wifi, parking = (ranker.index[x] for x in ("city", "wifi", "parking"))
    texts = ranker._texts
    # the raw best pairs exist on both sides; only the parking one is clearly positive
    noise = sem.best_pair(a, wifi, texts[a]["needs"], texts[wifi]["offers"])
    good = sem.best_pair(a, parking, texts[a]["needs"], texts[parking]["offers"])
    assert noise["similarity"] < PAIR_REASON_MIN_SIMILARITY <= good["similarity"]

    for recs in (ranker.recommend("city", limit=5), ranker.recommend_many(["city"])["city"]):
        reasons = {r.participant_id: r.reasons for r in recs}
        assert reasons["wifi"]["need_to_offer"] is None
        assert reasons["wifi"]["shared_need"] is None  # Wi-Fi states no need
        assert reasons["parking"]["need_to_offer"]["need"] == profiles[0].needs[0]
        assert reasons["parking"]["need_to_offer"]["offer"] == profiles[2].offers[0]
    # and from the provider's side: its offer meets no need of the city
    back = {r.participant_id: r.reasons for r in ranker.recommend("wifi", limit=5)}
    assert back["city"]["offer_to_need"] is None


def test_close_phrases_of_different_sectors_are_no_reason(use_encoder):
    """ "A digital land registry" and "electronic health records" are close (about 0.39, above
    the cosine floor) but about different sectors: quoted as "you need X, they offer Y" they
    read as a match that is not there. The land-title offer stays a reason."""
    profiles = [
        ProfileText(
            id="city",
            org="Commune de Meknès",
            kind="delegation",
            languages=["en"],
            needs=["a digital land registry"],
        ),
        ProfileText(
            id="health",
            org="MediSoft",
            kind="exhibitor",
            languages=["en"],
            offers=["electronic health records"],
        ),
        ProfileText(
            id="land",
            org="GeoTitle",
            kind="exhibitor",
            languages=["en"],
            offers=["online land title registration and cadastral mapping"],
        ),
    ]
    ranker = Ranker(profiles, encode_profiles(profiles, use_encoder))
    a, health = ranker.index["city"], ranker.index["health"]
    texts = ranker._texts
    raw = ranker.sem.best_pair(a, health, texts[a]["needs"], texts[health]["offers"])
    assert raw["similarity"] >= PAIR_REASON_MIN_SIMILARITY  # the cosine alone would quote it
    for recs in (ranker.recommend("city", limit=5), ranker.recommend_many(["city"])["city"]):
        reasons = {r.participant_id: r.reasons for r in recs}
        assert reasons["health"]["need_to_offer"] is None
        assert reasons["land"]["need_to_offer"]["offer"] == profiles[2].offers[0]
    back = {r.participant_id: r.reasons for r in ranker.recommend("health", limit=5)}
    assert back["city"]["offer_to_need"] is None


def test_the_best_allowed_pair_is_quoted_when_the_best_pair_is_refused(use_encoder):
    profiles = [
        ProfileText(id="q", org="A", kind="delegation", languages=["en"], needs=["parking"]),
        ProfileText(
            id="c",
            org="B",
            kind="exhibitor",
            languages=["en"],
            offers=["parking sensors", "parking guidance signs", "public Wi-Fi"],
        ),
    ]
    ranker = Ranker(profiles, encode_profiles(profiles, use_encoder))
    sem, texts = ranker.sem, ranker._texts
    best = sem.best_pair(0, 1, texts[0]["needs"], texts[1]["offers"])

    def refuse_best(side_a, rows_a, side_b, rows_b, sims):
        offers = [texts[1]["offers"][r - sem.offers.offsets[1]] for r in rows_b]
        return np.array([[o != best["offer"] for o in offers]] * len(rows_a))

    second = sem.best_pair(0, 1, texts[0]["needs"], texts[1]["offers"], allowed=refuse_best)
    assert second["offer"] != best["offer"]
    assert second["similarity"] <= best["similarity"]
    pairs = sem.best_pairs(0, np.array([1]), texts, allowed=refuse_best)
    assert pairs[0][0] == second
    nothing = sem.best_pair(
        0, 1, texts[0]["needs"], texts[1]["offers"], allowed=lambda *args: np.zeros((1, 3), bool)
    )
    assert nothing is None


def test_phrases_that_say_the_same_thing_are_a_reason_across_neighbouring_sectors(use_encoder):
    """ "Lowering the municipal energy bill" (energy) and "rénovation énergétique des bâtiments
    publics" (buildings) disagree on sectors, but their cosine (about 0.6) says they match."""
    profiles = [
        ProfileText(
            id="city",
            org="Ville d'Agadir",
            kind="delegation",
            languages=["en", "fr"],
            needs=["lowering the municipal energy bill"],
        ),
        ProfileText(
            id="renov",
            org="Batix",
            kind="exhibitor",
            languages=["fr"],
            offers=["rénovation énergétique des bâtiments publics"],
        ),
    ]
    ranker = Ranker(profiles, encode_profiles(profiles, use_encoder))
    a, b = ranker.index["city"], ranker.index["renov"]
    rows_a = np.arange(ranker.sem.needs.offsets[a], ranker.sem.needs.offsets[a + 1])
    rows_b = np.arange(ranker.sem.offers.offsets[b], ranker.sem.offers.offsets[b + 1])
    da = ranker._phrase_sectors("needs", rows_a)
    db = ranker._phrase_sectors("offers", rows_b)
    assert float((da @ db.T)[0, 0]) < PAIR_REASON_MIN_SECTOR_AGREEMENT  # sectors disagree
    (rec,) = ranker.recommend("city", limit=5)
    assert rec.reasons["need_to_offer"]["offer"] == profiles[1].offers[0]


def test_vectors_of_a_longer_profile_do_not_break_the_reasons(use_encoder):
    """A profile edited down to fewer needs keeps its old vectors until the re-encode after
    commit; a ranker built in between crashed (IndexError) building its reasons."""
    import dataclasses

    before = [
        ProfileText(
            id="city",
            org="Ville",
            kind="delegation",
            languages=["fr"],
            needs=["éclairage public intelligent", "recettes de cuisine", "club de football"],
        ),
        ProfileText(
            id="light",
            org="LightCo",
            kind="exhibitor",
            languages=["en"],
            offers=["smart LED street lighting"],
        ),
    ]
    vectors = encode_profiles(before, use_encoder)
    after = [dataclasses.replace(before[0], needs=["éclairage public intelligent"]), before[1]]
    ranker = Ranker(after, vectors)
    for recs in (ranker.recommend("city"), ranker.recommend_many(["city"])["city"]):
        (rec,) = recs
        pair = rec.reasons["need_to_offer"]
        assert pair is None or pair["need"] == "éclairage public intelligent"
