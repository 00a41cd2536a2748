"""A recommendation's phrase pairs are reasons only when the phrases really match: the best pair
of two unrelated profiles always exists, and shown as "you need X, they offer Y" it reads as
nonsense (parking management <-> public Wi-Fi)."""

from ml import ProfileText, Ranker, encode_profiles
from ml.ranker import PAIR_REASON_MIN_SIMILARITY


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
