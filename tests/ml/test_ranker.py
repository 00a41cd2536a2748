import numpy as np

from ml import ProfileText, Ranker, encode_profiles, get_encoder
from ml.taxonomy import SECTOR_IDS


def ids(recs):
    return [r.participant_id for r in recs]


def test_french_need_finds_english_provider(ranker):
    recs = ranker.recommend("casa", limit=3)
    assert recs[0].participant_id in {"signals", "signals-2"}
    pair = recs[0].reasons["need_to_offer"]
    assert pair["need"].startswith("Nous cherchons à réduire les embouteillages")
    assert "traffic" in [s["id"] for s in recs[0].reasons["shared_sectors"]]


def test_web_traffic_trap_ranks_below_real_traffic_management(ranker):
    order = ids(ranker.recommend("casa", limit=10))
    assert order.index("signals") < order.index("seo")
    assert order.index("signals-2") < order.index("seo")


def test_self_same_org_and_exclusions_never_appear(event_profiles, event_vectors):
    r = Ranker(event_profiles, event_vectors, exclusions=[("waste", "casa")])
    assert "casa" not in ids(r.recommend("casa", limit=20))
    assert "waste" not in ids(r.recommend("casa", limit=20))
    assert "casa" not in ids(r.recommend("waste", limit=20))
    # same organisation (GreenWave Ltd) never recommended to itself
    assert "signals-2" not in ids(r.recommend("signals", limit=20))
    # per-call exclusion
    assert "signals" not in ids(r.recommend("casa", limit=20, exclude=["signals"]))


def test_exhibitor_to_exhibitor_only_if_both_opt_in(ranker):
    recs = ids(ranker.recommend("parkco", limit=20))
    assert "integrator" in recs  # both accept same-kind meetings
    assert "signals" not in recs and "seo" not in recs  # exhibitors that did not opt in
    assert "parkco" not in ids(ranker.recommend("signals", limit=20))


def test_allowed_kind_pairs_and_kind_filter(event_profiles, event_vectors):
    r = Ranker(
        event_profiles,
        event_vectors,
        allowed_kind_pairs=[("delegation", "exhibitor"), ("delegation", "startup")],
    )
    got = ids(r.recommend("casa", limit=20))
    assert set(got) == {"signals", "seo", "signals-2", "waste", "parkco", "integrator"}
    assert ids(r.recommend("casa", limit=20, kinds=["startup"])) == ["waste"]
    assert set(ids(r.recommend("signals", limit=20))) == {"casa", "rabat"}


def test_arabic_only_delegation_gets_french_provider_with_language_note(ranker):
    recs = ranker.recommend("rabat", limit=3)
    assert recs[0].participant_id == "waste"
    note = recs[0].reasons["languages"]["note"]
    assert recs[0].reasons["languages"]["common"] == []
    assert note.startswith("No common language (ar vs fr)")


def test_reasons_both_directions(ranker):
    rec = next(r for r in ranker.recommend("waste", limit=10) if r.participant_id == "rabat")
    assert rec.reasons["offer_to_need"]["offer"].startswith("Capteurs de remplissage")
    assert (
        rec.reasons["offer_to_need"]["need"]
        == "نبحث عن حلول لتدبير النفايات المنزلية وتحسين جمعها."
    )
    assert rec.reasons["need_to_offer"] is None  # waste start-up states no need


def test_diversity_keeps_limit_and_scores_sorted_without_it(ranker):
    plain = ranker.recommend("casa", limit=5)
    assert [r.score for r in plain] == sorted((r.score for r in plain), reverse=True)
    assert len(ranker.recommend("casa", limit=4, diversity=0.5)) == 4


def test_hashing_encoder_event_runs_without_models():
    profiles = [
        ProfileText(id="a", org="A", kind="x", needs=["street lighting LED"]),
        ProfileText(id="b", org="B", kind="y", offers=["LED street lighting retrofit"]),
        ProfileText(id="c", org="C", kind="y", offers=["bakery and pastries"]),
    ]
    enc = get_encoder("hashing")
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    assert ids(r.recommend("a")) == ["b", "c"]
    feats = r.pair_features("a", ["b", "c"])
    assert feats.shape == (2, 9) and np.isfinite(feats).all()


def test_events_with_nobody_or_one_person_rank_nothing():
    """An event is often imported before anyone registers: no one, or one person, to rank."""
    enc = get_encoder("hashing")
    empty = Ranker([], {}, encoder=enc.name)
    assert empty.ids == [] and empty.recommend_many() == {}
    alone = [ProfileText(id="a", org="A", kind="delegation", needs=["street lighting LED"])]
    r = Ranker(alone, encode_profiles(alone, enc), encoder=enc.name, availability={"a": [0]})
    assert r.recommend("a") == []
    assert r.recommend_many() == {"a": []}


def test_concept_profiles_are_built_only_when_the_signal_is_asked_for(
    event_profiles, event_vectors
):
    r = Ranker(event_profiles, event_vectors)
    assert r.weights["concept"] == 0  # the tuned default does not use it
    r.recommend("casa", limit=3)
    assert r._concepts is None
    raw = r.raw_signals(r.index["casa"])  # every signal (what ml.tune asks for)
    assert raw["concept"].shape == (len(r.ids),)
    assert r._concepts is not None
    assert abs(float(raw["concept"][r.index["casa"]]) - 1.0) < 1e-5  # unit rows


def test_provider_ranks_above_a_peer_that_needs_the_same_thing(event_profiles, use_encoder):
    """Two delegations that both only need smart traffic lights read alike; the providers that
    offer them must still come first. A description-only profile keeps its whole-profile
    similarity as its complementary score (it is the only evidence there)."""
    casa = next(p for p in event_profiles if p.id == "casa")
    extra = [
        ProfileText(
            id="tanger",
            org="Ville de Tanger",
            kind="delegation",
            languages=["fr"],
            needs=[casa.needs[0].replace("Nous cherchons", "La ville cherche")],
        ),
        ProfileText(
            id="about",
            org="Feux & Co",
            kind="exhibitor",
            languages=["fr"],
            description="Fabricant de feux tricolores intelligents pour carrefours urbains.",
        ),
    ]
    profiles = list(event_profiles) + extra
    r = Ranker(profiles, encode_profiles(profiles, use_encoder))
    order = ids(r.recommend("casa", limit=20))
    assert order.index("signals") < order.index("tanger")
    assert order.index("signals-2") < order.index("tanger")
    raw = r.raw_signals(r.index["casa"])
    assert raw["sem_whole"][r.index["tanger"]] > 0.8  # near-identical texts
    assert raw["sem_comp"][r.index["tanger"]] == 0.0  # peers: no complementary evidence
    about = r.index["about"]
    assert raw["sem_comp"][about] == raw["sem_whole"][about]  # description only
    assert ids(r.recommend_many(["casa"], limit=20)["casa"]) == order  # the batch path agrees
    # the peer's card says what both look for; a provider's has the need -> offer pair instead
    recs = {x.participant_id: x.reasons for x in r.recommend("casa", limit=20)}
    assert recs["tanger"]["shared_need"]["their_need"] == extra[0].needs[0]
    assert recs["tanger"]["need_to_offer"] is None
    # (signals-2: "Traffic light controllers..." at 0.42; the long "Adaptive traffic signal
    # control..." sentence of "signals" stays just below PAIR_REASON_MIN_SIMILARITY)
    assert recs["signals-2"]["shared_need"] is None and recs["signals-2"]["need_to_offer"]
    batch = {x.participant_id: x.reasons for x in r.recommend_many(["casa"], limit=20)["casa"]}
    assert batch["tanger"]["shared_need"] == recs["tanger"]["shared_need"]


def test_colleagues_of_one_organisation_are_capped_in_a_list(event_profiles, use_encoder):
    third = ProfileText(
        id="signals-3",
        org="GreenWave Ltd.",  # same organisation, written differently
        kind="exhibitor",
        languages=["en", "fr"],
        offers=["Smart traffic lights that cut queues at busy intersections."],
    )
    profiles = [*event_profiles, third]
    r = Ranker(profiles, encode_profiles(profiles, use_encoder))
    greenwave = {"signals", "signals-2", "signals-3"}
    free = ids(r.recommend("casa", limit=4))
    assert set(free[:3]) == greenwave  # the three colleagues fill the top without a cap
    capped = ids(r.recommend("casa", limit=4, per_organisation=2))
    assert len(greenwave & set(capped)) == 2
    assert capped[:2] == free[:2]
    everyone = ids(r.recommend("casa", limit=20, per_organisation=2))
    assert everyone[-1] in greenwave  # still listed, after every other organisation
    batch = r.recommend_many(["casa"], limit=4, per_organisation=2)["casa"]
    assert ids(batch) == capped


def test_people_without_a_common_meeting_slot_are_never_recommended(event_profiles, event_vectors):
    # casa attends slots 0-1 only, the first traffic provider only 5; signals-2 gave no
    # availability (every slot); rabat's only slot is 1, shared with casa
    avail = {"casa": [0, 1], "signals": [5], "rabat": [1], "waste": []}
    r = Ranker(event_profiles, event_vectors, availability=avail)
    got = ids(r.recommend("casa", limit=20))
    assert "signals" not in got and "waste" not in got
    assert "signals-2" in got and "rabat" in got
    assert "casa" not in ids(r.recommend("signals", limit=20))
    assert ids(r.recommend("waste", limit=20)) == []  # attends no meeting slot at all
    batch = r.recommend_many(["casa", "signals", "waste"], limit=20)
    assert ids(batch["casa"]) == got
    assert "casa" not in ids(batch["signals"]) and batch["waste"] == []
    # without availability the rule is off
    assert "signals" in ids(Ranker(event_profiles, event_vectors).recommend("casa", limit=20))


def test_related_sectors_name_only_what_the_shared_sectors_do_not():
    """Two profiles that both name tourism and citizen engagement (neighbours in the taxonomy):
    both are shared sectors, not also a related pair twice over; a neighbour only one side
    names is a related pair once."""
    enc = get_encoder("hashing")
    profiles = [
        ProfileText(
            id="a",
            org="A",
            needs=["visitor engagement app"],
            sectors=["citizen_engagement", "tourism"],
        ),
        ProfileText(
            id="b",
            org="B",
            offers=["city guide and participation app"],
            sectors=["citizen_engagement", "tourism", "mobility"],
        ),
    ]
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    [rec] = r.recommend("a")
    shared = sorted(s["id"] for s in rec.reasons["shared_sectors"])
    assert shared == ["citizen_engagement", "tourism"]
    assert rec.reasons["related_sectors"] == [["tourism", "mobility"]]
    # and a neighbour of mine that is one of the sectors we share is no related pair again
    [back] = r.recommend("b")
    assert ["mobility", "tourism"] not in back.reasons["related_sectors"]
    assert back.reasons["related_sectors"] == []


def test_a_profile_with_nothing_written_gets_no_inferred_sectors():
    """Empty needs, offers, description and sectors: no sector can be read from nothing, so no
    "shared sectors" are claimed for it (the empty text's vector leaned to some)."""
    enc = get_encoder("use-multilingual")
    profiles = [
        ProfileText(id="empty", org="E", languages=["en"]),
        ProfileText(
            id="iot",
            org="I",
            offers=["city-wide LoRaWAN sensor network"],
            sectors=["connectivity", "citizen_engagement", "finance"],
        ),
    ]
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    assert not r.sector_matrix[0].any()
    [rec] = r.recommend("empty")
    assert rec.reasons["shared_sectors"] == []


def test_the_language_bonus_is_one_for_any_shared_language():
    """Sharing three languages is no better a match than sharing one (the bonus counted them)."""
    enc = get_encoder("hashing")
    base = {"org": "", "offers": ["smart water meters"], "sectors": ["water"]}
    profiles = [
        ProfileText(id="q", org="Q", needs=["water meters"], languages=["fr", "ar", "en"]),
        ProfileText(id="one", **{**base, "org": "O"}, languages=["fr"]),
        ProfileText(id="three", **{**base, "org": "T"}, languages=["fr", "ar", "en"]),
        ProfileText(id="none", **{**base, "org": "N"}, languages=["es"]),
    ]
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    lang = r.raw_signals(0, {"lang"})["lang"]
    assert lang.tolist() == [1.0, 1.0, 1.0, 0.0]  # itself, one, three, none
    block = r.raw_block([0], [1, 2, 3], {"lang"})["lang"]
    assert block.tolist() == [[1.0, 1.0, 0.0]]


def test_an_arabic_variety_shares_arabic():
    """A Darija speaker (ary) and an exhibitor who declared Arabic share a language: the bonus,
    the reasons and the search say "ar", and no interpreter note; two Darija speakers share
    Darija itself; Tamazight is not Arabic."""
    enc = get_encoder("hashing")
    base = {"org": "", "offers": ["smart water meters"], "sectors": ["water"]}
    profiles = [
        ProfileText(id="q", org="Q", needs=["water meters"], languages=["ary", "fr"]),
        ProfileText(id="ar", **{**base, "org": "A"}, languages=["ar", "en"]),
        ProfileText(id="ary", **{**base, "org": "D"}, languages=["ary"]),
        ProfileText(id="zgh", **{**base, "org": "Z"}, languages=["zgh"]),
    ]
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    assert r.raw_signals(0, {"lang"})["lang"].tolist() == [1.0, 1.0, 1.0, 0.0]
    langs = {rec.participant_id: rec.reasons["languages"] for rec in r.recommend("q", limit=5)}
    assert langs["ar"] == {"common": ["ar"], "note": None}
    assert langs["ary"] == {"common": ["ary"], "note": None}
    assert langs["zgh"]["common"] == []
    assert langs["zgh"]["note"].startswith("No common language (ary/fr vs zgh)")
    found = {
        h.participant_id: h.reasons["languages"]
        for h in r.search("water meters", languages=["aeb"])
    }
    assert found["ar"]["common"] == ["ar"] and found["ary"]["common"] == ["ar"]
    assert found["zgh"]["common"] == []


def test_a_competitor_selling_the_same_thing_ranks_below_a_buyer():
    """Two start-ups that only offer traffic systems share every sector; the city that needs
    them shares fewer. The buyer comes first: a peer's shared sectors are no reason to meet."""
    enc = get_encoder("use-multilingual")
    profiles = [
        ProfileText(
            id="wattnow",
            org="W",
            kind="startup",
            offers=["adaptive traffic signal control", "traffic counting cameras"],
            sectors=["mobility", "traffic", "data_platforms"],
        ),
        ProfileText(
            id="rival",
            org="R",
            kind="startup",
            offers=["smart traffic lights", "vehicle counting sensors"],
            sectors=["mobility", "traffic", "data_platforms"],
        ),
        ProfileText(
            id="city",
            org="C",
            kind="delegation",
            needs=["réduire les embouteillages aux carrefours"],
            sectors=["traffic"],
        ),
    ]
    r = Ranker(profiles, encode_profiles(profiles, enc), encoder=enc.name)
    assert [rec.participant_id for rec in r.recommend("wattnow")] == ["city", "rival"]


def test_a_french_search_finds_the_english_traffic_providers_not_the_seo_agency(ranker):
    """Typed into the search box in French, in Arabic or in English: who offers it, across
    languages, and the web-marketing "traffic" trap below real traffic management."""
    for text in (
        "gestion du trafic et des feux aux carrefours",
        "إدارة حركة المرور وإشارات المرور",
        "traffic management at junctions",
    ):
        order = ids(ranker.search(text, limit=10))
        assert order[0] in {"signals", "signals-2"}, (text, order)
        assert order.index("signals") < order.index("seo")
        assert order.index("signals-2") < order.index("seo")
    best = ranker.search("gestion du trafic et des feux aux carrefours", limit=1)[0]
    assert best.reasons["offer"]["need"] == "gestion du trafic et des feux aux carrefours"
    assert best.reasons["offer"]["offer"] in {
        o for p in ("signals", "signals-2") for o in ranker._texts[ranker.index[p]]["offers"]
    }
    assert "traffic" in [s["id"] for s in best.reasons["shared_sectors"]]


def test_a_search_with_a_reader_keeps_their_rules_and_scores_as_their_need(ranker):
    """A participant's search leaves out whom they may not be recommended (themselves, their
    organisation, exhibitors who did not opt in); typing their own need ranks as their list."""
    casa_need = ranker._texts[ranker.index["casa"]]["needs"][0]
    searched = ids(ranker.search(casa_need, limit=20, reader="casa", exclude=["rabat"]))
    listed = ids(ranker.recommend("casa", limit=20, exclude=["rabat"]))
    # in the list's order; only those with an offer close to it or in its sectors
    assert searched == [x for x in listed if x in searched]
    assert searched[:2] == listed[:2] and "integrator" not in searched
    assert "signals-2" not in ids(ranker.search("traffic lights", limit=20, reader="signals"))
    assert "signals" not in ids(ranker.search("traffic lights", limit=20, reader="signals"))
    assert "seo" not in ids(ranker.search("traffic lights", limit=20, reader="signals"))
    assert ids(ranker.search("waste collection", limit=20, kinds=["startup"])) == ["waste"]
    assert ranker.search("traffic lights", limit=20, kinds=["startup"]) == []  # none offers it
    assert ranker.search("   \n  ", limit=20) == []


def test_a_search_finds_who_offers_it_not_who_needs_it_or_nonsense(ranker):
    """A delegation that needs traffic management is no answer to "traffic management"; a
    text nobody's offer comes close to finds nobody."""
    order = ids(ranker.search("تدبير النفايات المنزلية", limit=20))
    assert order[0] == "waste"
    assert "casa" not in ids(ranker.search("gestion du trafic", limit=20))  # she needs it
    for nonsense in ("...?!", "hello world", "مرحبا", "x' OR 1=1--"):
        assert ranker.search(nonsense, limit=20) == [], nonsense


def test_a_search_names_the_sectors_of_what_they_offer_not_those_they_declare(use_encoder):
    """The sector credit of a search is for offers: so are the "shared sectors" its card shows
    (a start-up declaring water, traffic and parking but offering water meters only)."""
    profiles = [
        ProfileText(
            id="meters",
            org="AquaMeter",
            kind="startup",
            languages=["fr"],
            offers=["compteurs d'eau intelligents pour détecter les fuites"],
            sectors=["water", "traffic", "parking"],
        ),
        ProfileText(id="city", org="Ville", kind="delegation", needs=["réduire les fuites d'eau"]),
    ]
    r = Ranker(profiles, encode_profiles(profiles, use_encoder))
    [hit] = r.search("feux de circulation et compteurs d'eau", limit=5, kinds=["startup"])
    assert [s["id"] for s in hit.reasons["shared_sectors"]] == ["water"]


def test_a_search_that_names_no_sector_shows_no_shared_sectors(use_encoder):
    """The classifier's guess for a text that names no sector (waste, e-government and
    connectivity for "bridging the digital divide") is no reason: its results show none."""
    offers = {
        "inclusion": "digital inclusion workshops for seniors",
        "broadband": "free broadband access in underserved neighbourhoods",
        "meters": "smart water meters",
    }
    profiles = [
        ProfileText(id=k, org=k, kind="exhibitor", languages=["en"], offers=[v])
        for k, v in offers.items()
    ]
    r = Ranker(profiles, encode_profiles(profiles, use_encoder))
    found = r.search("bridging the digital divide", limit=10)
    assert {"inclusion", "broadband"} <= set(ids(found)[:2])
    assert all(hit.reasons["shared_sectors"] == [] for hit in found)
    # a text that names a sector still shows it
    [hit, *_] = r.search("compteurs d'eau intelligents", limit=10)
    assert hit.participant_id == "meters"
    assert [s["id"] for s in hit.reasons["shared_sectors"]] == ["water"]


def test_the_suggested_sector_is_the_rankers_own_best_and_none_for_a_trap(use_encoder):
    """The profile page proposes the sector the ranker infers first for a profile that declares
    none (not a keyword guess of its own), and nothing for a text that names no sector."""
    from ml.ranker import suggested_sectors
    from ml.text import profile_document

    profiles = [
        ProfileText(id="leaks", kind="delegation", needs=["نبحث عن شركة لتقليل تسربات المياه"]),
        ProfileText(
            id="parking",
            kind="startup",
            description="Capteurs de stationnement connectés et guidage vers les places libres.",
        ),
        ProfileText(
            id="seo",
            kind="exhibitor",
            offers=[
                "Nous aidons les e-commerçants à augmenter le trafic de leur site web (SEO, "
                "publicité en ligne)."
            ],
        ),
    ]
    vectors = encode_profiles(profiles, use_encoder)
    r = Ranker(profiles, vectors)
    proposed = {
        p.id: suggested_sectors(profile_document(p), use_encoder, vectors[p.id].profile)
        for p in profiles
    }
    for i, p in enumerate(profiles[:2]):  # the ranker's first inferred sector
        assert proposed[p.id] == [SECTOR_IDS[int(np.argmax(r.sector_matrix[i]))]]
    assert proposed == {"leaks": ["water"], "parking": ["parking"], "seo": []}
    # the same without the stored vector (the text is encoded)
    assert suggested_sectors(profile_document(profiles[0]), use_encoder) == ["water"]
