"""Security review (API): each test shows a weakness found in review and fails until it is
fixed. Names say what should hold."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_multipart_body_over_the_limit_answers_413(event, make_participant, as_participant):
    """The API guide promises 413 ``too_large`` for a body over 2.5 MB; a multipart body whose
    size is in a file part is read whole (spooled to disk by Django's upload handlers) and
    answered as if it were small: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` leaves file parts out, and
    ``rest_framework.parsers.MultiPartParser`` is one of the API's parsers although no endpoint
    takes a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_participant(make_participant())
    big = SimpleUploadedFile("x.bin", b"\0" * (6 * 1024 * 1024))
    response = client.patch(
        f"/api/events/{event.slug}/me/",
        {"city": "Fes", "blob": big},
        format="multipart",
    )
    assert response.status_code == 413, (response.status_code, response.data)
