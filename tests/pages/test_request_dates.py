"""A meeting's or a proposed time's day on the Requests page and in a conversation is named
as the agenda names it, with its weekday ("Thursday 17 December 10:10"): the fair lasts a few
days and people plan them by weekday; "Dec. 17, 2026 10:10" made them count."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def client_of(participant) -> Client:
    client = Client()
    client.force_login(participant.user)
    return client


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_proposed_and_booked_times_name_their_weekday(upcoming_event, make_participant, language):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina", kind="delegation")
    bruno = make_participant(event=event, name="Bruno", kind="exhibitor")
    slots = list(event.slots.order_by("start"))
    pending = RequestFactory(
        sender=amina, recipient=bruno, status="pending", proposed_slot=slots[2]
    )
    chen = make_participant(event=event, name="Chen", kind="exhibitor")
    booked = RequestFactory(sender=amina, recipient=chen, status=MeetingRequest.Status.ACCEPTED)
    meeting_book(request=booked, slot=slots[3], actor=Actor(system=True))

    def day(slot):
        local = slot.start.astimezone(event.tz)
        with translation.override(language):
            text = f"{date_format(local, 'l j F')} {local:%H:%M}"
        return f"يوم {text}" if language == "ar" else text  # Arabic: "يوم" before a weekday

    client = client_of(amina)
    lang = {"HTTP_ACCEPT_LANGUAGE": language}
    html = client.get(f"/my/{event.slug}/requests/", **lang).content.decode()
    proposed = html[html.index(f'id="request-{pending.pk}"') :]
    assert f"<strong>{day(slots[2])}</strong>" in proposed[: proposed.index("</li>")]
    meeting = html[html.index(f'id="request-{booked.pk}"') :]
    assert f"<strong>{day(slots[3])}</strong>" in meeting[: meeting.index("</li>")]

    talk = client.get(f"/my/{event.slug}/messages/{chen.pk}/", **lang).content.decode()
    assert f'#meeting-{booked.meetings.get().pk}">{day(slots[3])}</a>' in talk
