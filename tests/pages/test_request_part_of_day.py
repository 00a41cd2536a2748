"""A request's part of the day (When: in the morning, in the afternoon) is shown on the
Requests page, to the one who answers it and to the one who sent it."""

import re

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.models import Meeting
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def _card(page: str, request_id: int) -> str:
    start = page.index(f'id="request-{request_id}"')
    return page[start : page.index("</li>", start)]


def _when(card: str) -> str:
    found = re.search(r'<p class="pt-when" data-when>(.*?)</p>', card)
    return found.group(1) if found else ""


def _requests_page(participant, lang: str) -> str:
    client = Client()
    client.force_login(participant.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(f"/my/{participant.event.slug}/requests/").content.decode()


def test_the_requests_page_says_which_part_of_the_day_a_request_asks_for(
    upcoming_event, make_participant
):
    """Fang asks Salma for an afternoon meeting: Salma's card said nothing of it, so she
    accepted not knowing that only afternoon times would be bookable (the booking and the
    scheduler keep to it), and the new-request email did not say it either. Both cards now
    say it, in each page's language; a request for any time says nothing."""
    salma = make_participant(event=upcoming_event, name="Salma Naciri", languages=["ar"])
    fang = make_participant(event=upcoming_event, name="Fang Liu", languages=["zh", "en"])
    afternoon = RequestFactory(sender=fang, recipient=salma, session="afternoon")
    morning = RequestFactory(
        sender=salma, recipient=make_participant(event=upcoming_event), session="morning"
    )
    any_time = RequestFactory(
        sender=make_participant(event=upcoming_event), recipient=salma, session="any"
    )

    received = _requests_page(salma, "ar")
    assert _when(_card(received, afternoon.pk)) == "مطلوب في فترة بعد الظهر: يُحجز اللقاء بعد الظهر."
    assert _when(_card(received, morning.pk)) == "مطلوب في الفترة الصباحية: يُحجز اللقاء صباحًا."
    assert _when(_card(received, any_time.pk)) == ""
    sent = _requests_page(fang, "en")
    assert (
        _when(_card(sent, afternoon.pk))
        == "Asked for the afternoon: the meeting is booked in the afternoon."
    )
    french = _requests_page(fang, "fr")
    assert (
        _when(_card(french, afternoon.pk))
        == "Demandé pour l’après-midi : le rendez-vous est réservé l’après-midi."
    )


def test_a_booked_or_closed_request_no_longer_says_its_part_of_the_day(
    upcoming_event, make_participant
):
    """Once its meeting is booked the card shows the meeting's time instead; a declined
    request has nothing left to book."""
    from matchmaking.services.meetings import Actor, meeting_book

    me = make_participant(event=upcoming_event, name="Salma Naciri")
    booked = RequestFactory(
        sender=make_participant(event=upcoming_event),
        recipient=me,
        session="morning",
        status="accepted",
    )
    morning_slot = next(
        s
        for s in upcoming_event.slots.order_by("start")
        if s.start.astimezone(upcoming_event.tz).hour < 12
    )
    meeting_book(request=booked, slot=morning_slot, actor=Actor(system=True))
    declined = RequestFactory(
        sender=make_participant(event=upcoming_event),
        recipient=me,
        session="morning",
        status="declined",
    )
    to_book = RequestFactory(
        sender=make_participant(event=upcoming_event),
        recipient=me,
        session="morning",
        status="accepted",
    )

    page = _requests_page(me, "en")
    assert Meeting.objects.filter(request=booked).exists()
    assert _when(_card(page, booked.pk)) == ""
    assert _when(_card(page, declined.pk)) == ""
    assert _when(_card(page, to_book.pk)) == (
        "Asked for the morning: the meeting is booked in the morning."
    )


@pytest.mark.parametrize(
    ("lang", "session", "line"),
    [
        ("ar", "afternoon", "مطلوب في فترة بعد الظهر: يُحجز اللقاء بعد الظهر."),
        ("fr", "morning", "Demandé pour le matin : le rendez-vous est réservé le matin."),
        ("en", "any", None),
    ],
)
def test_the_new_request_email_says_which_part_of_the_day_it_asks_for(
    upcoming_event, make_participant, lang, session, line
):
    """The email that announces a request said nothing of the morning or afternoon asked for
    either: it now says it, in the recipient's language (nothing for any time)."""
    from matchmaking.models import Notification
    from matchmaking.services.requests import request_create

    sender = make_participant(event=upcoming_event, name="Fang Liu")
    recipient = make_participant(event=upcoming_event, name="Salma", languages=[lang])
    request_create(sender=sender, recipient=recipient, session=session)

    body = Notification.objects.get(recipient=recipient, kind="request_received").body
    if line is None:
        assert "morning" not in body and "afternoon" not in body
    else:
        assert line in body
