"""The OpenAPI document at /api/schema/ and its Swagger UI at /api/docs/."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from api.schema import schema_cache_clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """How many times drf-spectacular builds the document (counted on its generator)."""
    schema_cache_clear()
    built = []
    real = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        built.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    yield built
    schema_cache_clear()


def test_anonymous_schema_requests_do_not_rebuild_the_schema_each_time(builds):
    """``/api/schema/`` is public and built the whole document (~180 KB) on every request:
    about 0.3-0.5 s of a worker's CPU each, with no cache and no throttle. An anonymous client
    kept every web worker busy with a few requests a second."""
    anon = APIClient()
    yaml = [anon.get("/api/schema/") for _ in range(3)]
    assert len(builds) == 1, f"the schema was built {len(builds)} times for 3 requests"
    assert {r.status_code for r in yaml} == {200}
    assert len({r.content for r in yaml}) == 1
    assert yaml[0]["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert yaml[0]["Content-Disposition"] == 'inline; filename="Expo matchmaking API.yaml"'
    assert yaml[0].content.startswith(b"openapi: 3.0.3\n")
    # JSON is rendered once too; a made-up language or Accept parameter builds nothing new
    json = anon.get("/api/schema/", {"format": "json"})
    assert json.status_code == 200 and json.json()["info"]["title"] == "Expo matchmaking API"
    anon.get("/api/schema/", {"format": "json", "lang": "xx-made-up"})
    anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi; x=1")
    assert len(builds) == 2
    assert "/api/schema/" not in json.json()["paths"]  # the schema view is left out, as before


def test_the_swagger_ui_reads_the_cached_schema(builds):
    docs = APIClient().get("/api/docs/")
    assert docs.status_code == 200
    assert b"/api/schema/" in docs.content
