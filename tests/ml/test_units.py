import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ml import EncoderUnavailable, ProfileText, ProfileVectors, content_hash, get_encoder
from ml.diversity import mmr, select
from ml.learn import fit_if_better
from ml.taxonomy import SECTOR_IDS, infer_sectors, sector_similarity, sector_vector
from ml.topk import topk_all, topk_one

P = ProfileText(
    id="p1",
    org="Org",
    kind="startup",
    languages=["fr"],
    description="Capteurs  pour la ville.",
    offers=["Capteurs de qualité de l'air"],
    needs=["Financement d'amorçage"],
    sectors=["environment"],
)


def test_content_hash_changes_only_when_embedded_text_changes():
    h = content_hash(P, "use-multilingual")
    assert len(h) == 64
    same = dataclasses.replace(P, id="p2", languages=["ar"], sectors=[], kind="investor")
    assert content_hash(same, "use-multilingual") == h
    assert (
        content_hash(
            dataclasses.replace(P, description="Capteurs pour la ville."), "use-multilingual"
        )
        == h
    )
    assert (
        content_hash(dataclasses.replace(P, needs=["Financement de série A"]), "use-multilingual")
        != h
    )
    assert content_hash(dataclasses.replace(P, offers=[]), "use-multilingual") != h
    assert content_hash(P, "all-MiniLM-L6-v2") != h


def test_mmr_removes_near_duplicate():
    v = np.array([[1.0, 0.0, 0.0], [0.999, 0.0447, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    scores = np.array([1.0, 0.99, 0.6, 0.5])
    assert mmr(scores, v, 2, lambda_=1.0) == [0, 1]
    assert mmr(scores, v, 2, lambda_=0.5) == [0, 2]


def test_select_caps_colleagues_of_one_organisation():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    orgs = np.array(["blue", "blue", "blue", "aqua", "", ""], dtype=object)
    v = np.eye(6, dtype=np.float32)
    assert select(scores, v, orgs, 4).tolist() == [0, 1, 2, 3]  # no cap: score order
    # the third colleague waits until every other organisation's candidate is placed
    assert select(scores, v, orgs, 4, per_organisation=2).tolist() == [0, 1, 3, 4]
    assert select(scores, v, orgs, 6, per_organisation=2).tolist() == [0, 1, 3, 4, 5, 2]
    # no organisation given ("") is never capped; a short pool is still filled
    assert select(scores[:3], v[:3], orgs[:3], 3, per_organisation=1).tolist() == [0, 1, 2]
    # with MMR the first picks equal mmr's own
    assert select(scores, v, orgs, 3, diversity=0.5).tolist() == mmr(scores, v, 3, 0.5)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 120), k=st.integers(1, 30), chunk=st.integers(1, 50), seed=st.integers(0, 99)
)
def test_topk_chunked_equals_brute_force(n, k, chunk, seed):
    m = np.random.default_rng(seed).standard_normal((n, 8)).astype(np.float32)
    idx, val = topk_all(m, k=k, chunk=chunk)
    s = m @ m.T
    np.fill_diagonal(s, -np.inf)
    kk = min(k, n - 1)
    brute = np.argsort(-s, axis=1, kind="stable")[:, :kk]
    assert idx.shape == (n, kk)
    np.testing.assert_array_equal(idx, brute)
    np.testing.assert_allclose(val, np.take_along_axis(s, brute, axis=1), rtol=1e-5, atol=1e-6)
    one, _ = topk_one(m, m[0], kk)
    np.testing.assert_array_equal(one, np.argsort(-(m @ m[0]), kind="stable")[:kk])


def test_fit_if_better_rejects_model_worse_than_baseline():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 4))
    y = (x[:, 0] + 0.8 * rng.standard_normal(300) > 0).astype(int)
    oracle = x[:, 0]  # the unlearned baseline sees the true signal
    features = rng.standard_normal((300, 4))  # learner only sees noise
    report = {}
    assert fit_if_better(features, y, oracle, report=report) is None
    assert report["accepted"] is False and report["auc_baseline"] > report["auc_model"]


def test_fit_if_better_accepts_better_model_with_groups():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 3))
    labels = np.where(x[:, 1] > 0, "accepted", np.where(x[:, 2] > 0, "declined", "ignored"))
    report = {}
    model = fit_if_better(
        x, labels, rng.standard_normal(400), groups=np.arange(400) // 8, report=report
    )
    assert model is not None and report["accepted"] is True
    assert report["auc_model"] > 0.9 > report["auc_baseline"]
    assert report["ndcg_model"] >= report["ndcg_baseline"]
    assert model.score(x[:5]).shape == (5,)


def test_taxonomy_ids_and_similarity():
    assert SECTOR_IDS == (
        "mobility", "traffic", "parking", "public_transport", "energy", "street_lighting",
        "water", "waste", "buildings", "urban_planning", "e_government", "public_safety",
        "health", "education", "environment", "connectivity", "data_platforms", "tourism",
        "finance", "citizen_engagement",
    )  # fmt: skip
    t, p, h = sector_vector(["traffic"]), sector_vector(["parking"]), sector_vector(["health"])
    assert sector_similarity(t, t[None])[0] == pytest.approx(1.0)
    assert 0 < sector_similarity(t, p[None])[0] < 1
    assert sector_similarity(t, h[None])[0] == 0.0
    assert sector_similarity(t, p[None], neighbour_scale=0.0)[0] == 0.0


def test_infer_sectors_keywords_and_zero_shot(use_encoder):
    assert infer_sectors("Gestion des places de stationnement en voirie")[0][0] == "parking"
    assert infer_sectors("نبحث عن حلول لتدبير النفايات المنزلية", use_encoder)[0][0] == "waste"
    assert infer_sectors("LED street lighting retrofits with remote dimming", use_encoder)[0][
        0
    ] == ("street_lighting")


def test_keywords_match_whole_words_not_longer_words_they_start():
    """The word "bus" is not "business" (every profile at a B2B fair says business), "fund" is not
    "fundamental", "tri" is not "tribunal"; plurals and French feminine forms still match."""
    from ml.taxonomy import keyword_scores

    def hits(text):
        return {SECTOR_IDS[i] for i in np.flatnonzero(keyword_scores(text))}

    assert hits("Our business development team") == set()
    assert hits("We need fundamental research") == set()
    assert hits("Le tribunal administratif") == set()
    assert hits("firewall appliances") == set()
    assert hits("Electric buses and trams") >= {"public_transport"}
    assert hits("Détection des fuites") == {"water"}
    assert hits("capteurs connectés") == {"connectivity"}
    # acronyms in capitals only: "led" and "sig" are other words in lower case
    assert hits("A programme led by the city") == set()
    assert hits("Éclairage LED intelligent") == {"street_lighting"}
    assert hits("Cartographie SIG de la commune") == {"urban_planning"}


def test_sector_classifier_shipped_fit_is_current_and_used(use_encoder, monkeypatch):
    """The stored fit matches today's training phrases, so no process refits it at start."""
    from ml import taxonomy

    with np.load(taxonomy.CLASSIFIER_FILE) as data:
        assert str(data["hash"]) == taxonomy.training_hash(), (
            "ml/sector_classifier.npz is stale: run python -m ml.tune --sector-classifier"
        )
        assert str(data["encoder"]) == use_encoder.name
    monkeypatch.setattr(taxonomy, "_CLASSIFIERS", {})

    def refit(_encoder):
        raise AssertionError("refitted although the shipped fit is current")

    monkeypatch.setattr(taxonomy, "train_classifier", refit)
    probs = taxonomy.classifier_probabilities(
        use_encoder.encode(["Smart water meters that flag leaks at night"]), use_encoder
    )
    assert probs.shape == (1, len(SECTOR_IDS))
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert SECTOR_IDS[int(probs.argmax())] == "water"


def test_sector_classifier_reads_paraphrases_the_keywords_miss(use_encoder):
    """No keyword of the taxonomy appears in these; the classifier still finds the sector."""
    cases = {
        "Need to cut the fuel costs of our rubbish collection trucks.": "waste",
        "Patients in remote villages travel hours to see a doctor.": "health",
        "صندوق استثمار يدعم الشركات الناشئة في مرحلة الانطلاق": "finance",
    }
    for text, sector in cases.items():
        assert infer_sectors(text, use_encoder)[0][0] == sector, text


def test_sector_classifier_refits_for_another_encoder():
    from ml import taxonomy

    enc = get_encoder("hashing")
    coef, intercept = taxonomy.train_classifier(enc)
    assert coef.shape == (len(SECTOR_IDS), enc.dim) and intercept.shape == (len(SECTOR_IDS),)
    texts, labels = taxonomy.training_phrases()
    assert len(texts) == len(labels) > 20 * 20 and set(labels) == set(range(len(SECTOR_IDS)))


def test_profile_vectors_bytes_roundtrip():
    rng = np.random.default_rng(0)
    pv = ProfileVectors(
        rng.standard_normal(5).astype(np.float32),
        rng.standard_normal((2, 5)).astype(np.float32),
        np.zeros((0, 5), np.float32),
    )
    back = ProfileVectors.from_bytes(pv.to_bytes())
    np.testing.assert_array_equal(back.profile, pv.profile)
    np.testing.assert_array_equal(back.needs, pv.needs)
    assert back.offers.shape == (0, 5)


def test_encoders_cached_normalised_and_unavailable(use_encoder):
    assert get_encoder("use-multilingual") is use_encoder
    v = use_encoder.encode(["Bonjour", "مرحبا", "Hello"])
    assert v.shape == (3, 512) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    h = get_encoder("hashing").encode(["same text", "same text"])
    np.testing.assert_array_equal(h[0], h[1])
    with pytest.raises(EncoderUnavailable, match="all-MiniLM-L6-v2"):
        get_encoder("no-such-org/no-such-model-for-tests")


def test_packaged_minilm_loads_offline():
    enc = get_encoder("all-MiniLM-L6-v2")
    v = enc.encode(["adaptive traffic signal control", "traffic light timing", "bakery"])
    assert enc.dim == 384 and v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
