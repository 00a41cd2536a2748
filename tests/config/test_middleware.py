"""``BodySizeLimitMiddleware``: a body over the limit is refused from its Content-Length, before
anything reads it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

SIX_MB = 6 * 1024 * 1024


def test_an_anonymous_multipart_body_over_the_limit_is_refused_before_it_is_read(event):
    """docs/operations.md: "every other request body keeps Django's 2.5 MB". Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count the file parts of a multipart body, and
    ``CsrfViewMiddleware`` parses ``request.POST`` of every POST before any view runs (an
    anonymous client supplies the CSRF cookie and token itself): the worker read a 6 MB upload
    whole and spooled it to disk, on any page address."""
    client = Client(enforce_csrf_checks=True)
    token = "A" * 32
    client.cookies["csrftoken"] = token
    big = SimpleUploadedFile("x.bin", b"\0" * SIX_MB)
    response = client.post(
        "/my/login/",
        {"csrfmiddlewaretoken": token, "email": "nobody@nowhere.org", "blob": big},
    )
    assert response.status_code == 413
    assert response.content.decode() == "The request body is larger than 2.5 MB."


def test_a_participants_multipart_patch_over_the_limit_answers_413(
    event, make_participant, as_participant
):
    """The API guide promises 413 ``too_large`` for a body over 2.5 MB; a multipart PATCH whose
    size was in a file part was read whole and answered as if it were small."""
    client = as_participant(make_participant())
    big = SimpleUploadedFile("x.bin", b"\0" * SIX_MB)
    response = client.patch(
        f"/api/events/{event.slug}/me/", {"city": "Fes", "blob": big}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 2.5 MB.",
        "code": "too_large",
    }


def test_the_import_keeps_its_own_larger_limit(organiser_client):
    """3 MB of JSON reaches the importer (which says what is wrong with it); over
    ``IMPORT_MAX_BODY_SIZE`` the middleware refuses it with that limit's size."""
    body = b'{"event": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    read = organiser_client.generic(
        "POST", "/api/events/import/", body, content_type="application/json"
    )
    assert read.status_code == 400, read.content[:300]
    with override_settings(IMPORT_MAX_BODY_SIZE=2 * 1024 * 1024):
        refused = organiser_client.generic(
            "POST", "/api/events/import/", body, content_type="application/json"
        )
    assert refused.status_code == 413
    assert refused.json() == {
        "detail": "The request body is larger than 2 MB.",
        "code": "too_large",
    }


def test_a_small_body_and_a_bodiless_request_pass(event):
    assert Client().post("/my/login/", {"email": "nobody@nowhere.org"}).status_code == 302
    assert Client().get("/my/login/").status_code == 200


@pytest.mark.parametrize("length", ["abc", "-1", "99999999999999999999"])
def test_a_content_length_that_is_no_size_answers_413_not_a_500(event, length):
    handler_response = _wsgi(
        "/api/events/import/", b"{}", {"CONTENT_LENGTH": length, "CONTENT_TYPE": "application/json"}
    )
    assert handler_response[0].startswith("413")


def test_a_chunked_body_without_a_length_is_refused_with_411(event):
    """Under WSGI, Django reads ``CONTENT_LENGTH`` bytes of a body: a chunked one (no length)
    was read as empty, so it could not bypass the limit, but its fields went missing without a
    word. Now it is refused, saying why."""
    status, body = _wsgi(
        "/my/login/",
        b"email=nobody%40nowhere.org",
        {
            "HTTP_TRANSFER_ENCODING": "chunked",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
        },
    )
    assert status.startswith("411")
    assert body == b"A request body must say its size (a Content-Length header)."


def _wsgi(path: str, body: bytes, extra: dict) -> tuple[str, bytes]:
    """The site's WSGI application called as a server would (the test client always sets
    ``CONTENT_LENGTH``)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        **extra,
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    chunks = WSGIHandler()(environ, start_response)
    return seen["status"], b"".join(chunks)


def test_a_page_says_it_in_the_readers_language(event):
    big = SimpleUploadedFile("x.bin", b"\0" * SIX_MB)
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").post("/my/login/", {"blob": big})
    assert response.status_code == 413
    assert response.content.decode() == "Le contenu de la requête dépasse 2,5 Mo."
