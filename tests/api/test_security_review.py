"""Security review (API): each test shows a weakness found in review and fails until it is
fixed. Names say what should hold."""

import pytest

from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.meetings import Actor

pytestmark = pytest.mark.django_db


def test_participant_does_not_learn_who_withdrew_by_probing_ids(
    event, make_participant, as_participant
):
    """Participants are not shown who no longer comes (the directory leaves them out), but
    ``ParticipantViewSet.get_object`` answers any id of a withdrawn participant with their name
    ("<name> no longer comes to the fair."), to anyone in the event, tie or not: walking ids
    lists everyone who withdrew."""
    stranger, gone = make_participant(), make_participant(name="Nadia Gone")
    attendance_withdraw(participant=gone, actor=Actor(system=True))
    client = as_participant(stranger)
    listed = client.get(f"/api/events/{event.slug}/participants/").data
    assert gone.pk not in [p["id"] for p in listed["results"]]  # hidden in the list
    one = client.get(f"/api/events/{event.slug}/participants/{gone.pk}/")
    assert one.status_code == 404
    assert "Nadia Gone" not in one.data["detail"], one.data["detail"]


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
