"""Messages from the organisers through the API."""

import pytest
from django.core import mail

from matchmaking.models import Broadcast
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def url(event):
    return f"/api/events/{event.slug}/broadcasts/"


def test_organisers_send_and_list_messages(
    event, make_participant, organiser_client, django_capture_on_commit_callbacks
):
    make_participant(name="Bruno", kind="exhibitor")
    make_participant(name="Chen", kind="visitor")
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            url(event),
            {"subject": "Welcome", "body": "Hall B, 9:00.", "audience": "kind:exhibitor"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k1",
        )
    assert response.status_code == 201, response.data
    assert response.data["recipients"] == 1
    assert response.data["sent"] == 0  # the emails leave once the message is stored
    assert response.data["sent_by"] == "organiser@example.org"
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = organiser_client.post(
            url(event),
            {"subject": "Welcome", "body": "Hall B, 9:00.", "audience": "kind:exhibitor"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k1",
        )
    assert again.status_code == 201
    assert len(mail.outbox) == 1 and Broadcast.objects.count() == 1
    listing = organiser_client.get(url(event))
    assert [(b["subject"], b["sent"]) for b in listing.data["results"]] == [("Welcome", 1)]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"subject": "Hi", "body": "x", "audience": "martians"}, "audience"),
        ({"subject": "Hi", "body": "x", "audience": "kind:visitor"}, "audience"),  # nobody
        ({"subject": "", "body": "x", "audience": "all"}, "subject"),
        ({"subject": "Hi", "audience": "all"}, "body"),
        ({"subject": "Hi", "body": "x", "audience": "all", "to": "me"}, "to"),
        ({"subject": ["Hi"], "body": "x", "audience": "all"}, "subject"),
    ],
)
def test_bad_messages_answer_400_naming_the_field(
    event, make_participant, organiser_client, body, field
):
    make_participant(kind="exhibitor")
    response = organiser_client.post(url(event), body, format="json")
    assert response.status_code == 400, response.data
    assert field in str(response.data)
    assert not Broadcast.objects.exists()
    assert not mail.outbox


def test_participants_and_other_teams_cannot(
    event, make_participant, as_participant, other_organiser
):
    someone = make_participant()
    assert as_participant(someone).get(url(event)).status_code == 403
    response = client_for(other_organiser).post(
        url(event), {"subject": "Hi", "body": "x", "audience": "all"}, format="json"
    )
    assert response.status_code == 403
    assert response.data["code"] == "not_event_organiser"


def test_an_audience_with_nobody_says_so_by_its_code(event, make_participant, organiser_client):
    """Told apart from an unknown audience by ``code``, not by the sentence (the console's
    message depends on it, in every language)."""
    from django.utils import timezone

    make_participant(kind="visitor", withdrawn_at=timezone.now())  # who no longer comes: nobody
    empty = organiser_client.post(
        url(event), {"subject": "Hi", "body": "x", "audience": "kind:visitor"}, format="json"
    )
    assert (empty.status_code, empty.data["code"]) == (400, "empty_audience")
    unknown = organiser_client.post(
        url(event), {"subject": "Hi", "body": "x", "audience": "martians"}, format="json"
    )
    assert unknown.status_code == 400 and unknown.data["code"] != "empty_audience"


def test_one_participant_is_an_audience_even_if_they_no_longer_come(
    event, make_participant, organiser_client, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    gone = make_participant(name="Gone", withdrawn_at=timezone.now())
    make_participant(name="Other")
    with django_capture_on_commit_callbacks(execute=True):
        sent = organiser_client.post(
            url(event),
            {
                "subject": "Sorry to miss you",
                "body": "Next year?",
                "audience": f"participant:{gone.pk}",
            },
            format="json",
        )
    assert sent.status_code == 201, sent.data
    assert sent.data["recipients"] == 1
    assert [m.to for m in mail.outbox] == [[gone.email]]
    for audience in ("participant:999999", "participant:x", f"participant:{2**64}", "participant:"):
        refused = organiser_client.post(
            url(event), {"subject": "Hi", "body": "x", "audience": audience}, format="json"
        )
        assert refused.status_code == 400, audience
        assert refused.data["field"] == "audience"


def test_the_message_in_other_languages_through_the_api(
    event, make_participant, organiser_client, django_capture_on_commit_callbacks
):
    make_participant(name="Amina", kind="delegation", languages=["ar", "fr"])
    make_participant(name="Chen", kind="exhibitor", languages=["zh", "en"])
    body = {
        "subject": "Welcome",
        "body": "Hall B, 9:00.",
        "audience": "all",
        "translations": {"ar": {"subject": "مرحبا", "body": "القاعة B، 9:00."}},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url(event), body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["translations"] == body["translations"]
    assert sorted(m.subject for m in mail.outbox) == ["Welcome", "مرحبا"]
    bad = organiser_client.post(
        url(event), {**body, "translations": {"ar": {"subject": "x", "text": "y"}}}, format="json"
    )
    assert bad.status_code == 400 and "text" in str(bad.data)
