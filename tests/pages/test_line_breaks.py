"""A text the page's box accepted is accepted: a browser counts a line break as one character
for a textarea's ``maxlength`` but sends it as CR LF, two. The request message and the
profile's texts count it once, as the conversation and the feedback already did."""

import pytest
from django.test import Client

from matchmaking.models import MeetingRequest

pytestmark = pytest.mark.django_db


def client_of(participant) -> Client:
    client = Client()
    client.force_login(participant.user)
    return client


def test_a_request_message_at_the_limit_with_line_breaks_is_sent(event, make_participant):
    me = make_participant(name="Mariam Traoré")
    other = make_participant(name="Laura Vidal", kind="exhibitor")
    typed = "\n".join(["a" * 199] * 10)  # 1,999 characters in the box (maxlength 2,000)
    sent = typed.replace("\n", "\r\n")  # 2,008 on the wire

    response = client_of(me).post(
        f"/my/{event.slug}/requests/new/", {"recipient": other.pk, "message": sent}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Your request was sent to Laura Vidal."
    ]
    assert MeetingRequest.objects.get(sender=me).message == typed


def test_a_request_message_over_the_limit_is_still_refused(event, make_participant):
    me = make_participant()
    other = make_participant(kind="exhibitor")
    client_of(me).post(
        f"/my/{event.slug}/requests/new/", {"recipient": other.pk, "message": "a" * 2001}
    )
    assert not MeetingRequest.objects.filter(sender=me).exists()


def test_a_profile_description_at_the_limit_with_line_breaks_is_saved(event, make_participant):
    me = make_participant()
    typed = "\n".join(["b" * 99] * 50)  # 4,999 characters in the box (maxlength 5,000)
    response = client_of(me).post(
        f"/my/{event.slug}/profile/",
        {
            "title": "Cofondatrice",
            "languages": "fr",
            "country": "CI",
            "city": "Abidjan",
            "description": typed.replace("\n", "\r\n"),
            "offers": "billettique mobile\r\nplateforme MaaS",
            "needs": "",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Your profile is saved."]
    me.refresh_from_db()
    assert me.profile.description == typed
    assert me.profile.offers == ["billettique mobile", "plateforme MaaS"]
