"""PATCH /api/events/{slug}/me/: the participant's own profile."""

import pytest

pytestmark = pytest.mark.django_db


def url(event) -> str:
    return f"/api/events/{event.slug}/me/"


@pytest.mark.parametrize(("sent", "stored"), [("ma", "MA"), (" Fr ", "FR"), ("MA", "MA"), ("", "")])
def test_profile_country_is_upper_cased_iso_code(
    event, make_participant, as_participant, sent, stored
):
    me = make_participant(country="TN")
    response = as_participant(me).patch(url(event), {"country": sent}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["country"] == stored
    me.refresh_from_db()
    assert me.country == stored


@pytest.mark.parametrize("sent", ["ZZ", "xx", "MAR", "M", "1A", "Maroc", "É1"])
def test_profile_country_not_an_iso_code_answers_400_naming_the_field(
    event, make_participant, as_participant, sent
):
    me = make_participant(country="TN")
    response = as_participant(me).patch(url(event), {"country": sent}, format="json")
    assert response.status_code == 400
    message = f"“{sent}” is not a country code. Use a two-letter ISO 3166-1 code such as MA."
    assert response.data["errors"] == {"country": [message]}
    assert response.data["detail"] == f"country: {message}"
    me.refresh_from_db()
    assert me.country == "TN"


def test_profile_country_of_wrong_type_answers_400(event, make_participant, as_participant):
    me = make_participant(country="TN")
    response = as_participant(me).patch(url(event), {"country": ["MA"]}, format="json")
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["country"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (["FR", " ar", "fr"], ["fr", "ar"]),
        (["en"], ["en"]),
        (["ZGH", "ar", "ary"], ["zgh", "ar", "ary"]),
    ],
)
def test_profile_languages_are_lower_cased_iso_codes_once(
    event, make_participant, as_participant, sent, stored
):
    me = make_participant(languages=["es"])
    response = as_participant(me).patch(url(event), {"languages": sent}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["languages"] == stored


# "und" (undetermined) and "mul" (several) are ISO 639 codes but no language to meet in
@pytest.mark.parametrize(
    "sent", [["xx", "fr"], ["french"], ["f"], ["zz", "zz"], ["und"], ["mul"], ["fra"]]
)
def test_profile_language_not_an_iso_code_answers_400_naming_the_field(
    event, make_participant, as_participant, sent
):
    me = make_participant(languages=["es"])
    response = as_participant(me).patch(url(event), {"languages": sent}, format="json")
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["languages"]
    assert "Not a language code" in response.data["detail"]
    me.refresh_from_db()
    assert me.languages == ["es"]


def test_profile_without_any_language_answers_400_as_the_import_would(
    event, make_participant, as_participant
):
    """Nobody meets in no language, and the import format asks for one: a profile left without
    one would make the event's export refuse to import again."""
    me = make_participant(languages=["es"])
    response = as_participant(me).patch(url(event), {"languages": []}, format="json")
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["languages"]
    assert "at least one language" in response.data["detail"]
    me.refresh_from_db()
    assert me.languages == ["es"]


def test_meeting_limit_below_the_meetings_booked_answers_409(
    event, make_participant, as_participant
):
    from matchmaking.models import Participant
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    me = make_participant(max_meetings=None)
    slots = list(event.slots.order_by("start"))
    for slot in slots[:2]:
        req = RequestFactory(sender=me, recipient=make_participant())
        meeting_book(request=req, slot=slot, actor=Actor(system=True))

    low = as_participant(me).patch(url(event), {"max_meetings": 1}, format="json")

    assert low.status_code == 409
    assert low.data["code"] == "meetings_over_limit"
    assert "You have 2 meetings booked" in low.data["detail"]
    assert Participant.objects.get(pk=me.pk).max_meetings is None
    ok = as_participant(me).patch(url(event), {"max_meetings": 2}, format="json")
    assert ok.status_code == 200 and ok.data["max_meetings"] == 2


def test_a_limit_an_organiser_set_below_the_bookings_does_not_block_other_edits(
    event, make_participant, as_participant
):
    """The organisers lowered my limit under what I had booked: I can still edit my profile and
    send my limit back unchanged (the profile page always sends it); lowering it further is
    still refused."""
    from matchmaking.models import Participant
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    me = make_participant()
    for slot in list(event.slots.order_by("start"))[:2]:
        req = RequestFactory(sender=me, recipient=make_participant())
        meeting_book(request=req, slot=slot, actor=Actor(system=True))
    Participant.objects.filter(pk=me.pk).update(max_meetings=1)  # as in the admin

    edit = as_participant(me).patch(url(event), {"city": "Fès", "max_meetings": 1}, format="json")
    assert edit.status_code == 200, edit.data
    assert edit.data["city"] == "Fès"
    lower = as_participant(me).patch(url(event), {"max_meetings": 0}, format="json")
    assert lower.status_code == 409 and lower.data["code"] == "meetings_over_limit"


def test_profile_read_only_or_unknown_fields_answer_400_naming_them(
    event, make_participant, as_participant
):
    me = make_participant(name="Amina", city="Rabat")
    response = as_participant(me).patch(
        url(event), {"name": "Evil", "email": "x@evil.example", "city": "Fès"}, format="json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["errors"] == {
        "email": ["This field cannot be changed here."],
        "name": ["This field cannot be changed here."],
    }
    assert response.data["detail"] == (
        "email: This field cannot be changed here.; name: This field cannot be changed here."
    )
    me.refresh_from_db()
    assert (me.name, me.city) == ("Amina", "Rabat")  # nothing changed


def test_profile_accepts_every_documented_field(event, make_participant, as_participant):
    me = make_participant()
    body = {
        "title": "CTO",
        "languages": ["fr"],
        "country": "MA",
        "city": "Fès",
        "description": "Water.",
        "offers": ["Meters"],
        "needs": ["Pilots"],
        "sectors": ["water"],
        "max_meetings": 3,
        "accepts_same_kind": True,
    }
    response = as_participant(me).patch(url(event), body, format="json")
    assert response.status_code == 200, response.data
    assert {k: response.data[k] for k in body} == body


def test_profile_sectors_are_kept_once_each(event, make_participant, as_participant):
    me = make_participant()
    response = as_participant(me).patch(
        url(event), {"sectors": ["parking", "parking", "connectivity"]}, format="json"
    )
    assert response.status_code == 200
    assert response.data["sectors"] == ["parking", "connectivity"]


def test_a_profile_patch_with_a_stale_etag_leaves_the_other_edit(
    event, make_participant, as_participant
):
    """Phone app and laptop both read the profile; the phone saves its title first; the
    laptop's PATCH, sent with the ETag it read, is refused (412, the current ETag in the answer)
    instead of overwriting the phone's change. With the fresh ETag (or without If-Match, as
    before) it goes through."""
    me = make_participant(name="Amina", title="Engineer", city="Rabat")
    phone, laptop = as_participant(me), as_participant(me)
    read = laptop.get(url(event))
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 18
    assert phone.get(url(event))["ETag"] == etag
    saved = phone.patch(url(event), {"title": "CTO"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200, saved.data
    assert saved["ETag"] != etag
    stale = laptop.patch(url(event), {"city": "Salé"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.data["code"] == "profile_changed"
    assert stale.data["etag"] == saved["ETag"]
    assert stale.data["detail"] == (
        "Your profile was changed elsewhere since it was read (in another tab, in the app, or "
        "by the organisers): nothing was saved. Read it again as it is now and make your "
        "change again."
    )
    me.refresh_from_db()
    assert (me.title, me.city) == ("CTO", "Rabat")
    fresh = laptop.get(url(event))["ETag"]
    assert fresh == saved["ETag"]
    done = laptop.patch(url(event), {"city": "Salé"}, format="json", HTTP_IF_MATCH=f"W/{fresh}")
    assert done.status_code == 200, done.data
    assert done["ETag"] not in (fresh, etag)
    me.refresh_from_db()
    assert (me.title, me.city) == ("CTO", "Salé")
    for headers in ({}, {"HTTP_IF_MATCH": "*"}):
        again = laptop.patch(url(event), {"city": "Fès"}, format="json", **headers)
        assert again.status_code == 200, again.data


def test_the_profile_etag_follows_the_profile_text_too(event, make_participant, as_participant):
    me = make_participant()
    client = as_participant(me)
    before = client.get(url(event))["ETag"]
    changed = client.patch(url(event), {"offers": ["Smart parking sensors"]}, format="json")
    assert changed.status_code == 200, changed.data
    assert changed["ETag"] != before
    stale = client.patch(url(event), {"needs": ["Pilots"]}, format="json", HTTP_IF_MATCH=before)
    assert stale.status_code == 412
    assert client.get(url(event)).data["needs"] == []


def test_a_profile_if_match_without_a_quoted_etag_is_a_400_naming_it(
    event, make_participant, as_participant
):
    me = make_participant(city="Rabat")
    client = as_participant(me)
    etag = client.get(url(event))["ETag"]
    for header in ("abc", f"{etag}, {etag}"):
        response = client.patch(url(event), {"city": "Fès"}, format="json", HTTP_IF_MATCH=header)
        assert response.status_code == 400, header
        assert response.data["field"] == "If-Match"
    me.refresh_from_db()
    assert me.city == "Rabat"


def test_the_stale_profile_refusal_is_in_the_readers_language(
    event, make_participant, as_participant
):
    me = make_participant()
    client = as_participant(me)
    etag = client.get(url(event))["ETag"]
    client.patch(url(event), {"city": "Tanger"}, format="json")
    stale = client.patch(
        url(event), {"city": "Fès"}, format="json", HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert stale.status_code == 412
    assert stale.data["detail"].startswith("Votre profil a été modifié ailleurs")


def test_the_schema_documents_if_match_on_the_profile_patch(organiser_client):
    schema = organiser_client.get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/events/{slug}/me/"]["patch"]
    (header,) = [p for p in patch["parameters"] if p["name"] == "If-Match"]
    assert "profile_changed" in header["description"]
    assert "412" in patch["responses"]


def test_me_proposes_the_sector_read_from_the_text_until_sectors_are_declared(
    event, make_participant, as_participant
):
    """A phone app shows the sector to confirm, as the profile page does: the one the
    recommendations use; a text edit changes it; declared sectors end it."""
    me = make_participant(
        profile__description="Compteurs d'eau intelligents et détection des fuites.",
        profile__sectors=[],
    )
    client = as_participant(me)

    assert client.get(url(event)).data["suggested_sectors"] == ["water"]
    edited = client.patch(
        url(event),
        {"description": "Bornes de recharge pour véhicules électriques et gestion de flotte."},
        format="json",
    )
    assert edited.data["suggested_sectors"] == ["mobility"]
    confirmed = client.patch(url(event), {"sectors": ["mobility"]}, format="json")
    assert confirmed.data["sectors"] == ["mobility"]
    assert confirmed.data["suggested_sectors"] == []
    nonsense = client.patch(url(event), {"sectors": [], "description": "asdfgh"}, format="json")
    assert nonsense.data["suggested_sectors"] == []
