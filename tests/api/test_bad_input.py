"""Hostile or empty bodies and parameters answer a 4xx in the API's error shape, never a 500."""

import json

import pytest
from django.test import override_settings

from matchmaking.models import Availability, Event, Meeting, MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


def me_url(event) -> str:
    return f"/api/events/{event.slug}/me/"


# ------------------------------------------------------------------------------------------------
# Deeply nested JSON


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 5000 + "1" + "}" * 5000])
def test_deeply_nested_json_profile_patch_answers_400(
    event, make_participant, as_participant, body
):
    me = make_participant(city="Rabat")
    response = as_participant(me).generic(
        "PATCH", me_url(event), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error: the body is nested too deeply.",
        "code": "parse_error",
    }
    me.refresh_from_db()
    assert me.city == "Rabat"


def test_deeply_nested_json_import_answers_400(organiser_client):
    response = organiser_client.generic(
        "POST", "/api/events/import/", DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Event.objects.exists()


def test_deeply_nested_json_request_create_answers_400(event, make_participant, as_participant):
    me = make_participant()
    response = as_participant(me).generic(
        "POST", f"/api/events/{event.slug}/requests/", DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not MeetingRequest.objects.exists()


# ------------------------------------------------------------------------------------------------
# Bodies over the size limit


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2**20)
def test_body_over_the_limit_answers_413_in_json(event, make_participant, as_participant):
    me = make_participant(city="Rabat")
    body = json.dumps({"city": "x" * (2**20 + 10)})
    response = as_participant(me).generic(
        "PATCH", me_url(event), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 1 MB.",
        "code": "too_large",
    }
    me.refresh_from_db()
    assert me.city == "Rabat"


@override_settings(IMPORT_MAX_BODY_SIZE=3 * 2**19)
def test_import_over_the_limit_answers_413_in_json(organiser_client):
    body = json.dumps({"event": {"slug": "x", "name": "y" * 2 * 2**20}})
    response = organiser_client.generic(
        "POST", "/api/events/import/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 1.5 MB.",
        "code": "too_large",
    }
    assert not Event.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=3 * 2**19)
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("fr-FR,fr;q=0.9", "Le contenu de la requête dépasse 1,5 Mo."),
        ("ar", "محتوى الطلب أكبر من 1,5 ميغابايت."),
        ("en", "The request body is larger than 1.5 MB."),
    ],
)
def test_the_413_of_the_size_limit_is_in_the_readers_language(
    event, make_participant, as_participant, language, detail
):
    """The middleware answers before the API's language is chosen: it reads Accept-Language
    itself, as the pages' 413 does."""
    me = make_participant(city="Rabat")
    body = json.dumps({"city": "x" * 2**21})
    response = as_participant(me).generic(
        "PATCH", me_url(event), body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 413
    assert response.json() == {"detail": detail, "code": "too_large"}


@override_settings(IMPORT_MAX_BODY_SIZE=2**20)
def test_the_413_of_the_import_is_in_the_readers_language(organiser_client):
    body = json.dumps({"event": {"slug": "x", "name": "y" * 2**21}})
    response = organiser_client.generic(
        "POST",
        "/api/events/import/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Le contenu de la requête dépasse 1 Mo.",
        "code": "too_large",
    }


def test_upload_limit_fits_a_10000_participant_import(settings):
    """``python -m matchmaking.demo_data --participants 10000`` writes ~14.4 MB of JSON; every
    other body keeps Django's 2.5 MB (no one reads 32 MB before signing in)."""
    assert settings.IMPORT_MAX_BODY_SIZE >= 20 * 2**20
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2621440


def test_a_large_body_elsewhere_answers_413(event, make_participant, as_participant):
    me = make_participant(city="Rabat")
    body = json.dumps({"city": "x" * 3 * 2**20})
    response = as_participant(me).generic(
        "PATCH", me_url(event), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_import_above_djangos_default_limit_is_read(organiser_client):
    """3 MB of import (Django's default refuses bodies over 2.5 MB with an HTML page)."""
    document = {"event": {"slug": "big"}, "padding": "x" * 3 * 2**20}
    response = organiser_client.generic(
        "POST", "/api/events/import/", json.dumps(document), content_type="application/json"
    )
    # the body is read and judged by the importer (4xx in the API's shape), not refused unread
    assert response.json()["code"] != "too_large"
    assert response.status_code != 413


# ------------------------------------------------------------------------------------------------
# Profile: nothing to change


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", "application/json"),
        ("{}", "application/json"),
        ("", "application/x-www-form-urlencoded"),
    ],
)
def test_profile_patch_with_nothing_answers_400(
    event, make_participant, as_participant, body, content_type
):
    me = make_participant(city="Rabat")
    response = as_participant(me).generic("PATCH", me_url(event), body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nothing to change: send at least one field.",
        "code": "invalid",
        "errors": {"non_field_errors": ["Nothing to change: send at least one field."]},
    }


def test_a_multipart_body_answers_415_no_endpoint_takes_files(
    event, make_participant, as_participant
):
    """The API read multipart bodies although no endpoint takes a file (and Django's size
    limit does not count file parts)."""
    me = make_participant(city="Rabat")
    response = as_participant(me).patch(me_url(event), {"city": "Fes"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    me.refresh_from_db()
    assert me.city == "Rabat"


def test_profile_patch_with_one_field_still_saves(event, make_participant, as_participant):
    me = make_participant(city="Rabat")
    response = as_participant(me).patch(me_url(event), {"city": "Fès"}, format="json")
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.city == "Fès"


def test_profile_unknown_and_invalid_fields_are_both_named(event, make_participant, as_participant):
    me = make_participant(city="Rabat")
    response = as_participant(me).patch(
        me_url(event), {"city": "x" * 101, "nmae": "typo"}, format="json"
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["city", "nmae"]
    assert response.json()["errors"]["nmae"] == ["This field cannot be changed here."]


# ------------------------------------------------------------------------------------------------
# Availability: unknown keys


MORNING = {"start": "2018-04-18T09:00", "end": "2018-04-18T11:00"}


def test_availability_unknown_top_level_key_answers_400_naming_it(
    event, make_participant, as_participant
):
    me = make_participant()
    response = as_participant(me).put(
        f"/api/events/{event.slug}/me/availability/",
        {"periods": [MORNING], "cancel_conflicts": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {"cancel_conflicts": ["Unknown field."]}
    assert response.json()["detail"] == "cancel_conflicts: Unknown field."
    assert not Availability.objects.filter(participant=me).exists()


def test_availability_unknown_key_in_a_period_answers_400_naming_it(
    event, make_participant, organiser_client
):
    person = make_participant()
    response = organiser_client.put(
        f"/api/events/{event.slug}/participants/{person.pk}/availability/",
        {"periods": [MORNING, {**MORNING, "stop": "2018-04-18T12:00"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "periods[1].stop: Unknown field."
    assert not Availability.objects.filter(participant=person).exists()


# ------------------------------------------------------------------------------------------------
# agenda.ics ?participant=


def test_agenda_ics_participant_asking_for_someone_else_answers_404(
    event, make_participant, as_participant
):
    me, other = make_participant(), make_participant()
    response = as_participant(me).get(
        f"/api/events/{event.slug}/agenda.ics", {"participant": str(other.pk)}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "No such participant.", "code": "not_found"}


def test_agenda_ics_participant_naming_themselves_gets_their_feed(
    event, make_participant, as_participant
):
    me, other = make_participant(), make_participant()
    slot = event.slots.order_by("start").first()
    from matchmaking.services.meetings import Actor, meeting_book

    request = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.ACCEPTED)
    meeting_book(request=request, slot=slot, actor=Actor(system=True))
    client = as_participant(me)
    plain = client.get(f"/api/events/{event.slug}/agenda.ics")
    named = client.get(f"/api/events/{event.slug}/agenda.ics", {"participant": str(me.pk)})
    assert named.status_code == 200
    assert named.content == plain.content
    assert Meeting.objects.count() == 1


# (an empty ``participant=`` is no filter, as on every list: test_query_parameters.py)
@pytest.mark.parametrize("raw", ["abc", "0", "-1", "²"])
def test_agenda_ics_participant_bad_participant_id_answers_400(
    event, make_participant, as_participant, raw
):
    me = make_participant()
    response = as_participant(me).get(f"/api/events/{event.slug}/agenda.ics", {"participant": raw})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "path_tail, body",
    [
        ("requests/", '{"recipient": 1, "session": "\\ud800"}'),
        ("me/", '{"sectors": ["\\ud800"]}'),
        ("me/", '{"\\ud800": 1}'),
    ],
)
def test_a_lone_surrogate_anywhere_in_a_body_answers_400(
    event, make_participant, as_participant, path_tail, body
):
    """Valid JSON, not text: an error message quoting it could not be encoded (500)."""
    client = as_participant(make_participant())
    method = "POST" if path_tail == "requests/" else "PATCH"
    response = client.generic(
        method, f"/api/events/{event.slug}/{path_tail}", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "lone surrogate" in response.json()["detail"]


@pytest.mark.parametrize("size", ["abc", "0", "-5", "1.5", "", "٣", "9" * 30])
def test_a_page_size_that_is_not_a_whole_number_is_refused_naming_it(event, organiser_client, size):
    response = organiser_client.get(f"/api/events/{event.slug}/requests/", {"page_size": size})
    assert response.status_code == 400, response.data
    assert response.data["field"] == "page_size"
    assert "whole number from 1 (pages hold 200 at most)" in response.data["detail"]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "", "٣", "9" * 15])
def test_a_page_that_is_not_a_whole_number_is_refused_naming_it(event, organiser_client, page):
    """``?page=abc`` answered 404 "Invalid page." while ``?page_size=abc`` answered 400."""
    response = organiser_client.get(f"/api/events/{event.slug}/requests/", {"page": page})
    assert response.status_code == 400, response.data
    assert response.data["field"] == "page"
    assert response.data["detail"] == f"page must be a whole number from 1, not {page!r}."


def test_a_page_past_the_last_answers_404_and_last_is_the_last(event, organiser_client):
    path = f"/api/events/{event.slug}/slots/"
    assert organiser_client.get(path, {"page": "1"}).status_code == 200
    assert organiser_client.get(path, {"page": "last"}).status_code == 200
    past = organiser_client.get(path, {"page": "2"})
    assert past.status_code == 404
    assert past.data["detail"] == "Invalid page."


def test_a_page_size_over_the_limit_gives_the_limit(event, organiser_client):
    response = organiser_client.get(f"/api/events/{event.slug}/participants/", {"page_size": 999})
    assert response.status_code == 200


def test_an_empty_form_body_to_the_import_answers_415(organiser_client):
    """DRF hands an empty form or multipart body over unparsed (an empty QueryDict): the
    importer's text check failed on it with a 500."""
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = organiser_client.generic(
            "POST", "/api/events/import/", b"", content_type=content_type
        )
        assert response.status_code == 415, response.content
        assert "JSON" in response.json()["detail"]


def test_a_form_body_without_a_boolean_does_not_read_as_false(
    event, make_participant, organiser_client
):
    """``fixed`` left out of a form body was read as false, releasing the meeting."""
    from matchmaking.models import MeetingRequest
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status=MeetingRequest.Status.ACCEPTED)
    meeting = meeting_book(
        request=req, slot=event.slots.first(), actor=Actor(system=True), fixed=True
    )
    url = f"/api/events/{event.slug}/meetings/{meeting.pk}/fix/"
    response = organiser_client.post(url, {"note": "1"})  # a form body
    assert response.status_code == 400
    assert "fixed" in response.json()["errors"]
    meeting.refresh_from_db()
    assert meeting.fixed is True
    me = f"/api/events/{event.slug}/me/"
    a.accepts_same_kind = True
    a.save(update_fields=["accepts_same_kind"])
    from tests.conftest import client_for

    assert client_for(a.user).patch(me, {"city": "Fès"}).status_code == 200
    a.refresh_from_db()
    assert (a.city, a.accepts_same_kind) == ("Fès", True)


def test_errors_quote_at_most_a_short_excerpt_of_what_was_sent(
    event, make_participant, as_participant
):
    """DRF quotes the value in ``"…" is not a valid choice``: a million characters came back
    twice. A number of 5,000 digits was answered in Python's words."""
    person = make_participant()
    client = as_participant(person)
    response = client.post(
        f"/api/events/{event.slug}/requests/",
        {"recipient": person.pk, "session": "x" * 100_000},
        format="json",
    )
    assert response.status_code == 400
    assert len(response.content) < 2_000
    digits = client.generic(
        "POST",
        f"/api/events/{event.slug}/requests/",
        '{"recipient": ' + "9" * 5000 + "}",
        content_type="application/json",
    )
    assert digits.status_code == 400
    assert digits.json()["detail"] == "A number in the body has too many digits (at most 4,300)."


def test_an_api_address_no_route_matches_answers_json(event, as_participant, make_participant):
    """``/me/marks/abc/`` matched no route and answered Django's HTML page."""
    client = as_participant(make_participant())
    for url in (f"/api/events/{event.slug}/me/marks/abc/", "/api/nothing-here/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": "Not found: the API has no such address.",
            "code": "not_found",
        }
    assert "text/html" in client.get("/nothing-here/")["Content-Type"]  # pages: an HTML page


# ------------------------------------------------------------------------------------------------
# Unknown fields on every write


@pytest.fixture
def booked(event, make_participant):
    """Two participants with an accepted request booked into a meeting, a colleague of the
    first, and an accepted request of theirs not booked yet."""
    from matchmaking.services.meetings import Actor, meeting_book

    a, b = make_participant(), make_participant()
    colleague = make_participant(organisation=a.organisation)
    req = RequestFactory(sender=a, recipient=b, status=MeetingRequest.Status.ACCEPTED)
    meeting = meeting_book(request=req, slot=event.slots.first(), actor=Actor(system=True))
    unbooked = RequestFactory(
        sender=a, recipient=make_participant(), status=MeetingRequest.Status.ACCEPTED
    )
    return {"a": a, "b": b, "colleague": colleague, "meeting": meeting, "unbooked": unbooked}


def _state(event) -> list:
    """What a refused write must leave as it was."""
    from matchmaking.models import MeetingLog, ScheduleRun

    return [
        list(MeetingRequest.objects.order_by("pk").values_list("pk", "status", "message")),
        list(
            Meeting.objects.order_by("pk").values_list("pk", "slot", "status", "fixed", "sequence")
        ),
        MeetingLog.objects.count(),
        ScheduleRun.objects.count(),
        event.organisers.count(),
    ]


# (who, path, body, the unknown keys): each body's known fields are valid
TYPOS = [
    (
        "a",
        "requests/",
        {"recipient": "b", "sesion": "morning", "mesage": "hello"},
        ["mesage", "sesion"],
    ),
    ("a", "requests/{unbooked}/cancel/", {"reson": "sorry"}, ["reson"]),
    ("a", "meetings/book/", {"request": "unbooked", "slot": "slot", "tabel": "T01"}, ["tabel"]),
    ("a", "meetings/{meeting}/reschedule/", {"slot": "slot", "fix": True}, ["fix"]),
    ("a", "meetings/{meeting}/cancel/", {"reson": "sorry"}, ["reson"]),
    ("a", "meetings/{meeting}/attendees/", {"participant": "colleague", "as": "x"}, ["as"]),
    ("organiser", "meetings/{meeting}/fix/", {"fixed": True, "note": "x"}, ["note"]),
    ("organiser", "meetings/{meeting}/status/", {"status": "held", "reason": "x"}, ["reason"]),
    ("organiser", "schedule-runs/", {"time_limit": 5, "seeds": 3}, ["seeds"]),
    ("organiser", "organisers/", {"account": "organiser@example.org", "role": "x"}, ["role"]),
]


@pytest.mark.parametrize(("who", "path", "body", "unknown"), TYPOS)
def test_an_unknown_field_on_a_write_answers_400_naming_it(
    event, booked, organiser, organiser_client, as_participant, who, path, body, unknown
):
    """A misspelled field (``sesion``, ``reson``) was dropped: 201 with the defaults."""
    ids = {
        "b": booked["b"].pk,
        "unbooked": booked["unbooked"].pk,
        "colleague": booked["colleague"].pk,
        "slot": list(event.slots.order_by("start"))[-1].pk,
    }
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    url = f"/api/events/{event.slug}/" + path.format(
        unbooked=booked["unbooked"].pk, meeting=booked["meeting"].pk
    )
    client = organiser_client if who == "organiser" else as_participant(booked[who])
    before = _state(event)

    response = client.post(url, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {name: ["Unknown field."] for name in unknown}
    assert _state(event) == before


# (who, path): actions that take no body
BODYLESS = [
    ("b", "requests/{pending}/accept/"),
    ("b", "requests/{pending}/decline/"),
    ("a", "meetings/{meeting}/check-in/"),
    ("a", "meetings/{meeting}/leave/"),
    ("a", "me/calendar-link/"),
    ("organiser", "participants/{a}/calendar-link/"),
    ("a", "me/conversations/{b}/read/"),
    ("organiser", "schedule-runs/{run}/publish/"),
]


@pytest.fixture
def bodyless(event, booked):
    """``booked``, with a request pending for b, a message from b to a not read yet and a
    draft scheduler run."""
    from matchmaking.models import Message, ScheduleRun

    a, b = booked["a"], booked["b"]
    pending = RequestFactory(sender=booked["unbooked"].recipient, recipient=b, status="pending")
    Message.objects.create(event=event, sender=b, recipient=a, body="hello")
    run = ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.DRAFT)
    ids = {"pending": pending.pk, "meeting": booked["meeting"].pk, "run": run.pk}
    return {**booked, "ids": {**ids, "a": a.pk, "b": b.pk}}


def _bodyless_state(event) -> list:
    from matchmaking.models import MeetingSeat, Message, Participant, ScheduleRun

    return [
        *_state(event),
        list(Participant.objects.order_by("pk").values_list("pk", "calendar_token")),
        list(Message.objects.order_by("pk").values_list("pk", "read_at")),
        list(MeetingSeat.objects.order_by("pk").values_list("pk", "active", "left")),
        list(ScheduleRun.objects.order_by("pk").values_list("pk", "status")),
    ]


@pytest.mark.parametrize(("who", "path"), BODYLESS)
def test_an_action_without_a_body_refuses_an_unknown_field(
    event, bodyless, organiser_client, as_participant, who, path
):
    """``{"bogus": 1}`` was ignored: the request was accepted, the meeting checked in..."""
    url = f"/api/events/{event.slug}/" + path.format(**bodyless["ids"])
    client = organiser_client if who == "organiser" else as_participant(bodyless[who])
    before = _bodyless_state(event)

    response = client.post(url, {"bogus": 1}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {"bogus": ["Unknown field."]}
    assert _bodyless_state(event) == before


@pytest.mark.parametrize("body", [None, {}])
@pytest.mark.parametrize(
    ("who", "path"),
    [p for p in BODYLESS if p[1].split("/")[-2] not in ("check-in", "leave", "publish")],
)
def test_an_action_without_a_body_takes_an_empty_one(
    event, bodyless, organiser_client, as_participant, who, path, body
):
    url = f"/api/events/{event.slug}/" + path.format(**bodyless["ids"])
    client = organiser_client if who == "organiser" else as_participant(bodyless[who])

    response = client.post(url, body, format="json")

    assert response.status_code in (200, 204), response.content


def test_an_organiser_still_names_the_sender(event, booked, organiser_client):
    """``sender`` is a field of the request form (organisers send for someone), not unknown."""
    response = organiser_client.post(
        f"/api/events/{event.slug}/requests/",
        {"sender": booked["b"].pk, "recipient": booked["colleague"].pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["sender"]["id"] == booked["b"].pk


# ------------------------------------------------------------------------------------------------
# Booleans are true or false; numbers are not booleans

AFTERNOON = {"start": "2018-04-18T14:00", "end": "2018-04-18T15:00"}

# (who, method, path, body, the field at fault, its message)
NOT_BOOLEANS = [
    ("a", "put", "me/availability/", {"periods": [AFTERNOON], "cancel_conflicting": "yes"}),
    ("a", "put", "me/availability/", {"periods": [AFTERNOON], "cancel_conflicting": 1}),
    ("a", "patch", "me/", {"accepts_same_kind": "on"}),
    ("a", "put", "me/attendance/", {"attending": 0}),
    ("organiser", "post", "meetings/{meeting}/fix/", {"fixed": "1"}),
    ("organiser", "post", "meetings/{meeting}/reschedule/", {"slot": "slot", "fixed": "no"}),
    ("organiser", "post", "meetings/book/", {"request": "unbooked", "slot": "slot", "fixed": 0}),
    ("organiser", "post", "schedule-runs/", {"pin_participant_bookings": "1"}),
    ("organiser", "post", "schedule-runs/", {"minimise_moves": 0}),
    ("organiser", "post", "schedule-runs/", {"replan_cancelled": "yes"}),
]


@pytest.mark.parametrize(("who", "method", "path", "body"), NOT_BOOLEANS)
def test_a_boolean_that_is_not_true_or_false_answers_400_naming_it(
    event, booked, organiser, organiser_client, as_participant, who, method, path, body
):
    """``cancel_conflicting: "yes"`` cancelled meetings and scheduler options took "1" and 0,
    while ``attending`` refused "yes": every boolean of a body is JSON true or false now."""
    ids = {"unbooked": booked["unbooked"].pk, "slot": list(event.slots.order_by("start"))[-1].pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    url = f"/api/events/{event.slug}/" + path.format(meeting=booked["meeting"].pk)
    client = organiser_client if who == "organiser" else as_participant(booked[who])
    field = next(k for k in body if k not in ("periods", "slot", "request"))
    before = [
        *_state(event),
        list(Availability.objects.values_list("pk", flat=True)),
        [(p.accepts_same_kind, p.withdrawn_at) for p in booked.values() if hasattr(p, "kind")],
    ]

    response = getattr(client, method)(url, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {field: ["Must be true or false."]}
    for person in (booked["a"], booked["b"], booked["colleague"]):
        person.refresh_from_db()
    assert [
        *_state(event),
        list(Availability.objects.values_list("pk", flat=True)),
        [(p.accepts_same_kind, p.withdrawn_at) for p in booked.values() if hasattr(p, "kind")],
    ] == before


@pytest.mark.parametrize("field", ["time_limit", "fair_weight_share"])
def test_a_scheduler_number_given_as_a_boolean_answers_400(event, organiser_client, field):
    """``time_limit: true`` ran the scheduler for one second."""
    from matchmaking.models import ScheduleRun

    response = organiser_client.post(
        f"/api/events/{event.slug}/schedule-runs/", {field: True}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {field: ["A valid number is required."]}
    assert not ScheduleRun.objects.exists()


def test_a_form_body_still_says_true_or_false_in_words(event, booked, organiser_client):
    url = f"/api/events/{event.slug}/meetings/{booked['meeting'].pk}/fix/"
    assert organiser_client.post(url, {"fixed": "true"}).json()["fixed"] is True
    assert organiser_client.post(url, {"fixed": "False"}).json()["fixed"] is False


# ------------------------------------------------------------------------------------------------
# Ids too large for any row

HUGE = 99999999999999999999

# (who, path, body with ID where the id goes, the field and the row it names)
ID_FIELDS = [
    ("a", "requests/", {"recipient": "ID"}, "recipient", "participant"),
    ("a", "requests/", {"recipient": "b", "slot": "ID"}, "slot", "slot"),
    ("organiser", "requests/", {"sender": "ID", "recipient": "b"}, "sender", "participant"),
    ("organiser", "meetings/book/", {"request": "ID", "slot": "slot"}, "request", "request"),
    ("a", "meetings/book/", {"request": "unbooked", "slot": "ID"}, "slot", "slot"),
    (
        "a",
        "meetings/book/",
        {"request": "unbooked", "slot": "slot", "attendees": ["ID"]},
        "attendees",
        "participant",
    ),
    ("a", "meetings/{meeting}/reschedule/", {"slot": "ID"}, "slot", "slot"),
    ("a", "meetings/{meeting}/attendees/", {"participant": "ID"}, "participant", "participant"),
]


@pytest.mark.parametrize(("who", "path", "body", "field", "row"), ID_FIELDS)
def test_an_id_too_large_for_any_row_is_answered_as_an_unknown_id(
    event, booked, organiser, organiser_client, as_participant, who, path, body, field, row
):
    """``{"slot": 99999999999999999999}`` answered "Ensure this value is less than or equal to
    4611686018427387904."; each id field now says what it says of any id it does not know."""
    client = organiser_client if who == "organiser" else as_participant(booked[who])
    url = f"/api/events/{event.slug}/" + path.format(meeting=booked["meeting"].pk)
    ids = {
        "b": booked["b"].pk,
        "unbooked": booked["unbooked"].pk,
        "slot": list(event.slots.order_by("start"))[-1].pk,
    }

    def answer(pk: int):
        def value(v):
            if isinstance(v, list):
                return [value(x) for x in v]
            return pk if v == "ID" else ids.get(v, v)

        return client.post(url, {k: value(v) for k, v in body.items()}, format="json")

    before = _state(event)
    huge = answer(HUGE)
    unknown = answer(10**9)

    assert huge.status_code == unknown.status_code == 400, huge.content
    assert huge.json() == {
        "detail": f"No {row} {HUGE} in this event.",
        "code": "invalid",
        "field": field,
    }
    assert unknown.json()["detail"] == f"No {row} {10**9} in this event."
    assert _state(event) == before


def test_recommendations_for_a_participant_id_too_large_say_there_is_none(event, organiser_client):
    response = organiser_client.get(
        f"/api/events/{event.slug}/recommendations/", {"participant": HUGE}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"No participant {HUGE} in this event."


@override_settings(DEBUG=True)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_an_api_address_no_route_matches_answers_json_with_debug_on(
    event, as_participant, make_participant, method
):
    """With DEBUG on (the default outside production) Django answered its HTML debug page:
    it uses ``handler404`` only when DEBUG is off."""
    client = as_participant(make_participant())
    client.handler.enforce_csrf_checks = True  # a token client sends no CSRF token
    for url in (
        f"/api/events/{event.slug}/me/marks/abc/",
        "/api/nothing-here/",
        "/api/nothing\nhere",
        f"/api/events/{event.slug}/meetings/1/no-such-action/",
    ):
        response = getattr(client, method)(url, {"a": 1}, format="json")
        assert response.status_code == 404, (url, response.content[:200])
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": "Not found: the API has no such address.",
            "code": "not_found",
        }


@override_settings(DEBUG=True)
def test_an_api_route_without_its_trailing_slash(event, as_participant, make_participant):
    """A GET is redirected to the route, as Django's APPEND_SLASH does; a POST, whose body a
    redirect would lose (with DEBUG on Django raised an error page), is told the address."""
    client = as_participant(make_participant())
    me = f"/api/events/{event.slug}/me"
    got = client.get(me, {"x": "1"})
    assert (got.status_code, got["Location"]) == (301, f"{me}/?x=1")
    posted = client.post(f"/api/events/{event.slug}/requests", {"recipient": 1}, format="json")
    assert posted.status_code == 404
    assert posted.json() == {
        "detail": "Not found: the API has no such address. Add the trailing slash: "
        f"/api/events/{event.slug}/requests/",
        "code": "not_found",
    }


# ------------------------------------------------------------------------------------------------
# JSON sent as a form (curl -d without a Content-Type)

JSON_AS_FORM = (
    "The body is JSON but was sent as a form (Content-Type: application/x-www-form-urlencoded, "
    "what curl -d sends by default): send it with the header Content-Type: application/json."
)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "me/", '{"city":"Fes"}'),
        ("PATCH", "me/", ' [{"city": "Fes"}]'),
        ("POST", "requests/", '{"recipient": 1, "message": "water & energy = savings"}'),
    ],
)
def test_json_sent_as_a_form_answers_415_saying_which_header_to_send(
    event, make_participant, as_participant, method, path, body
):
    """``PATCH me/ -d '{"city":"Fes"}'`` answered ``{"{\\"city\\":\\"Fes\\"}": "This field
    cannot be changed here."}``."""
    me = make_participant(city="Rabat")
    response = as_participant(me).generic(
        method,
        f"/api/events/{event.slug}/{path}",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415, response.content
    assert response.json() == {"detail": JSON_AS_FORM, "code": "unsupported_media_type"}
    me.refresh_from_db()
    assert me.city == "Rabat"
    assert not MeetingRequest.objects.exists()


def test_a_form_body_is_still_read(event, make_participant, as_participant):
    me = make_participant(city="Rabat")
    response = as_participant(me).generic(
        "PATCH",
        f"/api/events/{event.slug}/me/",
        "city=F%C3%A8s&title=%7Bchief%7D",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    me.refresh_from_db()
    assert (me.city, me.title) == ("Fès", "{chief}")


def test_a_list_filtered_by_a_meeting_id_too_large_for_any_row_is_empty(event, organiser_client):
    """As for an unknown id: nothing matches (it said "Ensure this value is less than or equal to
    4611686018427387904.")."""
    response = organiser_client.get(f"/api/events/{event.slug}/feedback/?meeting={HUGE}")
    assert response.status_code == 200, response.data
    assert response.data["count"] == 0


@pytest.mark.parametrize("path", ["requests/", "meetings/", "feedback/"])
def test_a_list_filtered_by_a_participant_id_too_large_says_there_is_none(
    event, organiser_client, path
):
    """As ``recommendations`` and ``agenda.ics`` answer it (see api/test_list_filters.py)."""
    response = organiser_client.get(f"/api/events/{event.slug}/{path}?participant={HUGE}")
    assert response.status_code == 400, response.data
    assert response.json() == {
        "detail": f"No participant {HUGE} in this event.",
        "code": "invalid",
        "field": "participant",
    }


def test_a_400_names_its_one_field_whichever_layer_refused_it(
    event, make_participant, as_participant
):
    """The guide says every error carries ``field`` when one field is at fault: the booking
    rules' refusals did, a serializer's did not (only ``errors``), so an app had to look in two
    places for the field to mark."""
    a, b = make_participant(), make_participant()
    client = as_participant(a)
    requests = f"/api/events/{event.slug}/requests/"
    form = client.post(requests, {"recipient": b.pk, "priority": 9}, format="json")
    assert form.status_code == 400
    assert form.json() == {
        "detail": "priority: Ensure this value is less than or equal to 5.",
        "code": "invalid",
        "errors": {"priority": ["Ensure this value is less than or equal to 5."]},
        "field": "priority",
    }
    rule = client.post(requests, {"recipient": a.pk}, format="json")
    assert (rule.status_code, rule.json()["field"]) == (400, "recipient")
    # two fields at fault: each in errors, no single field
    both = client.post(requests, {"recipient": "x", "priority": 9}, format="json")
    assert both.status_code == 400
    assert set(both.json()["errors"]) == {"recipient", "priority"}
    assert "field" not in both.json()
    # an error that is no field's (a list body): no field either
    whole = client.post(requests, [1, 2], format="json")
    assert whole.status_code == 400 and "field" not in whole.json()
    assert MeetingRequest.objects.count() == 0
