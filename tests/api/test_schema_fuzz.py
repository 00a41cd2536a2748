"""Schemathesis fuzzes every operation of /api/schema/ with a participant's token (and an
organiser's): no generated input may produce a server error."""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from tests.conftest import client_for
from tests.factories import RequestFactory


@pytest.fixture
def fuzz_world(event, make_participant, organiser):
    a, b = make_participant(), make_participant(kind="exhibitor")
    RequestFactory(sender=a, recipient=b)
    RequestFactory(sender=make_participant(), recipient=a, status="pending")
    tokens = {
        "participant": client_for(a.user)._credentials["HTTP_AUTHORIZATION"],
        "organiser": client_for(organiser)._credentials["HTTP_AUTHORIZATION"],
    }
    return event, tokens


@pytest.fixture
def api_schema(db):
    # The real WSGI handler closes the database connection after each request; the test's
    # transaction must survive, as Django's own test client arranges.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(api_schema, event, token):
    """Every operation, positive and negative inputs; collect server errors instead of
    stopping at the first, so one run names them all."""
    failures, statuses = [], Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(
            case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
            | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        )
        def run(case):
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = event.slug
            response = case.call(headers={"Authorization": token})
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                what = f"{case.path_parameters} {case.query} {case.body!r}"
                failures.append(f"{case.operation.label}: {response.status_code} {what}"[:400])

        run()
    return failures, statuses


def test_no_server_error_as_participant(api_schema, fuzz_world):
    event, tokens = fuzz_world
    failures, statuses = fuzz(api_schema, event, tokens["participant"])
    assert failures == []
    # The fuzzer really reached the views: authenticated successes and refusals both happened.
    assert statuses[200] > 0 and statuses[400] > 0 and sum(statuses.values()) > 100, statuses


def test_no_server_error_as_organiser(api_schema, fuzz_world):
    event, tokens = fuzz_world
    failures, statuses = fuzz(api_schema, event, tokens["organiser"])
    assert failures == []
    assert statuses[200] > 0 and statuses[400] > 0 and sum(statuses.values()) > 100, statuses


def test_answers_match_their_documented_schema(api_schema, fuzz_world, make_participant):
    """Found by fuzzing a live server: ``fixed_table`` was null but documented as a string,
    and a session's "09:30:00" was documented as a time with an offset."""
    event, tokens = fuzz_world
    person = make_participant()  # no own place: fixed_table is null
    checked = [
        ("/api/events/{slug}/", {"slug": event.slug}),
        ("/api/events/{slug}/participants/{id}/", {"slug": event.slug, "id": person.pk}),
        ("/api/events/{slug}/me/", {"slug": event.slug}),
    ]
    for path, params in checked:
        case = api_schema[path]["GET"].Case(path_parameters=params)
        response = case.call(
            headers={"Authorization": tokens["participant"], "Accept-Encoding": "identity"}
        )
        assert response.status_code == 200, (path, response.status_code)
        case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
    # error answers are documented too, in their own shape
    missing = api_schema["/api/events/{slug}/participants/{id}/"]["GET"].Case(
        path_parameters={"slug": event.slug, "id": 999999}
    )
    response = missing.call(
        headers={"Authorization": tokens["participant"], "Accept-Encoding": "identity"}
    )
    assert response.status_code == 404
    missing.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
    assert set(response.json()) >= {"detail", "code"}
    documented = api_schema.raw_schema["paths"]["/api/events/{slug}/participants/{id}/"]["get"]
    assert {"400", "401", "403", "404"} <= set(documented["responses"])
    booking = api_schema.raw_schema["paths"]["/api/events/{slug}/meetings/book/"]["post"]
    assert booking["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_directory_answers_match_exactly_one_documented_shape(api_schema, fuzz_world):
    """An organiser's directory entry has every field of a participant's: documented as
    ``oneOf`` [Participant, OrganiserParticipant], it matched both, which a JSON-schema validator
    refuses and a generated client cannot deserialise ("multiple matches")."""
    event, tokens = fuzz_world
    person = event.participants.first()
    for who in ("participant", "organiser"):
        for path, params in (
            ("/api/events/{slug}/participants/", {"slug": event.slug}),
            ("/api/events/{slug}/participants/{id}/", {"slug": event.slug, "id": person.pk}),
        ):
            case = api_schema[path]["GET"].Case(path_parameters=params)
            response = case.call(
                headers={"Authorization": tokens[who], "Accept-Encoding": "identity"}
            )
            assert response.status_code == 200, (who, path, response.status_code)
            case.validate_response(
                response, checks=[schemathesis.checks.response_schema_conformance]
            )
    entry = api_schema.raw_schema["components"]["schemas"]["DirectoryParticipant"]
    assert "oneOf" not in entry
    # the organisers' fields are documented, and not required of a participant's answer
    assert {"email", "ref", "attending", "withdrawn_at"} <= set(entry["properties"])
    assert "email" not in entry["required"] and "name" in entry["required"]


def test_every_read_answers_as_documented(api_schema, fuzz_world, make_participant):
    """Each GET of the schema, as a participant and as an organiser, with ids that exist (a
    meeting, a request, a conversation, a mark, feedback, a scheduler run): the answer matches
    its documented shape, every field documented as always there included (drf-spectacular
    had left ``description``, ``fixed_table``, ``timezone``... optional, and ``languages``
    without a type)."""
    from matchmaking.services.feedback import meeting_feedback_give
    from matchmaking.services.marks import mark_set
    from matchmaking.services.meetings import Actor, meeting_book
    from matchmaking.services.messages import message_send

    # the world is made through the services: Django's test client would connect again the
    # handlers that close the database connection after each request (api_schema's note)
    event, tokens = fuzz_world
    a = event.participants.order_by("pk").first()
    b = make_participant(kind="investor")
    req = RequestFactory(sender=a, recipient=b, status="accepted")
    meeting = meeting_book(request=req, slot=event.slots.first(), actor=Actor(system=True))
    message_send(sender=a, recipient_id=b.pk, body="Hi")
    mark_set(participant=a, candidate_id=b.pk, kind="saved")
    feedback = meeting_feedback_give(meeting=meeting, participant=a, took_place=False)
    event.schedule_runs.create(status="queued")  # the fair is over: no run would start now
    you = f"Token {Token.objects.get_or_create(user=a.user)[0].key}"
    ids = {
        "participants": b.pk,
        "meetings": meeting.pk,
        "requests": req.pk,
        "conversations": b.pk,
        "marks": b.pk,
        "feedback": feedback.pk,
        "schedule-runs": event.schedule_runs.get().pk,
        "slots": event.slots.first().pk,
    }
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or operation.path.endswith(".ics"):
            continue
        parts = [p for p in operation.path.split("/") if p]
        params = {"slug": event.slug} if "{slug}" in parts else {}
        if "{id}" in parts:
            params["id"] = ids[parts[parts.index("{id}") - 1]]
        query = {"need": "water"} if operation.path.endswith("/search/") else None
        for who in ("participant", "organiser"):
            if who == "organiser" and "/me/" in operation.path:
                continue  # organisers have no profile: 404
            if who == "organiser" and operation.path.endswith("/feedback/"):
                continue  # organisers read feedback at /feedback/: 403
            case = operation.Case(path_parameters=params, query=query)
            if who == "organiser" and operation.path.endswith("/recommendations/"):
                case.query = {"participant": a.pk}
            headers = {"Authorization": tokens[who], "Accept-Encoding": "identity"}
            if who == "participant":
                headers["Authorization"] = you
            response = case.call(headers=headers)
            if response.status_code == 403 and who == "participant":
                continue  # an organisers' route
            assert response.status_code == 200, (who, operation.path, response.content[:300])
            case.validate_response(
                response, checks=[schemathesis.checks.response_schema_conformance]
            )
            checked.append((who, operation.path))
    assert len(checked) > 30, checked
    schemas = api_schema.raw_schema["components"]["schemas"]
    assert {"description", "fixed_table", "languages"} <= set(schemas["Participant"]["required"])
    assert schemas["Participant"]["properties"]["languages"]["type"] == "array"
    assert {"timezone", "slot_minutes"} <= set(schemas["Event"]["required"])
    # every field of an answer has a type (a JSONField had none: a client read it as "any")
    untyped = [
        (name, key)
        for name, schema in schemas.items()
        if not name.endswith("Request") and name != "Error"
        for key, field in schema.get("properties", {}).items()
        if not {"type", "$ref", "allOf", "oneOf", "anyOf"} & set(field)
    ]
    assert untyped == []
