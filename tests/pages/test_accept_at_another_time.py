"""The requests page's "Accept at another time": only times free for both are offered, and
choosing one accepts the request and books the meeting then."""

import re

import pytest
from django.conf import settings

from matchmaking.models import Availability, Meeting, MeetingRequest, Notification
from matchmaking.services.requests import request_create
from tests.pages.test_participant_pages import booked, client_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def offered(html: str, request_id: int) -> list[int]:
    """The slot ids of the request's "Accept at another time" list."""
    start = html.index(f'id="accept-at-{request_id}"')
    form = html[start : html.index("</details>", start)]
    return [int(pk) for pk in re.findall(r'<option value="(\d+)"', form)]


def test_the_other_times_are_those_free_for_both_without_the_proposed_one(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    slots = list(event.slots.order_by("start"))
    request = request_create(sender=amina, recipient=bruno, slot=slots[1])
    booked(chen, amina, slots[2])  # Amina is busy then
    Availability.objects.create(participant=bruno, start=slots[0].start, end=slots[5].end)

    page = client_of(bruno).get(f"/my/{event.slug}/requests/")

    html = page.content.decode()
    assert "Accept at another time" in html and "Accept and book this time" in html
    expected = [slots[0].pk, slots[3].pk, slots[4].pk, slots[5].pk]
    assert offered(html, request.pk) == expected
    (shown,) = page.context["received"]
    assert [s.pk for day in shown.other_times.values() for s in day] == expected
    # the sender's own page offers nothing of the kind
    assert (
        "Accept at another time"
        not in client_of(amina).get(page.request["PATH_INFO"]).content.decode()
    )


def test_accepting_at_another_time_books_it_and_returns_to_the_page(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", event=event, languages=["en"])
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    slots = list(event.slots.order_by("start"))
    request = request_create(sender=amina, recipient=bruno)
    page = f"/my/{event.slug}/requests/"

    client = client_of(bruno)

    answer = client.post(
        f"/my/{event.slug}/requests/{request.pk}/accept/",
        {"slot": slots[4].pk, "next": page},
    )

    assert answer.status_code == 302 and answer["Location"] == page
    shown = client.get(page)
    assert messages_of(shown)[0].startswith("Request accepted: the meeting is booked on ")
    request.refresh_from_db()
    assert request.status == "accepted"
    assert Meeting.objects.get(request=request).slot == slots[4]
    note = Notification.objects.get(recipient=amina, kind="meeting_booked")
    assert "accepted your meeting request and booked the meeting for" in note.body


def test_a_time_taken_meanwhile_is_refused_in_french_and_nothing_is_accepted(
    event, make_participant
):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    slots = list(event.slots.order_by("start"))
    request = request_create(sender=amina, recipient=bruno)
    client = client_of(bruno)
    assert slots[3].pk in offered(
        client.get(f"/my/{event.slug}/requests/").content.decode(), request.pk
    )
    booked(chen, amina, slots[3])  # once the page was shown
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    answer = client.post(
        f"/my/{event.slug}/requests/{request.pk}/accept/", {"slot": slots[3].pk}, follow=True
    )

    assert messages_of(answer) == [
        "Cet horaire n'est pas libre pour vous deux : choisissez-en un autre, ou acceptez sans "
        "choisir d'horaire."
    ]
    request.refresh_from_db()
    assert request.status == "pending"
    assert not Meeting.objects.filter(request=request).exists()


@pytest.mark.parametrize("bad", ["", "x", "0", str(10**9), "elsewhere"])
def test_a_time_not_from_the_list_is_refused_in_words(event, make_participant, bad):
    from tests.factories import EventFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    request = request_create(sender=amina, recipient=bruno)
    if bad == "elsewhere":
        bad = str(EventFactory(days=[event.slots.first().date]).slots.first().pk)

    answer = client_of(bruno).post(
        f"/my/{event.slug}/requests/{request.pk}/accept/", {"slot": bad}, follow=True
    )

    assert messages_of(answer) == ["Choose a time from the list."]
    request.refresh_from_db()
    assert request.status == "pending"


def test_the_choice_is_post_only_and_in_arabic(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    request = request_create(sender=amina, recipient=bruno)
    client = client_of(bruno)
    assert client.get(f"/my/{event.slug}/requests/{request.pk}/accept/").status_code == 405
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    html = client.get(f"/my/{event.slug}/requests/").content.decode()

    assert "القبول في موعد آخر" in html and "القبول في هذا الموعد" in html
    assert MeetingRequest.objects.get().status == "pending"


def test_no_time_free_for_both_offers_no_other_time(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event, max_meetings=1)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    request = request_create(sender=amina, recipient=bruno)
    page = f"/my/{event.slug}/requests/"
    assert len(offered(client_of(bruno).get(page).content.decode(), request.pk)) == 9
    booked(chen, bruno, event.slots.order_by("start")[0])  # his limit of one is reached

    html = client_of(bruno).get(page).content.decode()

    assert f'id="request-{request.pk}"' in html
    assert "Accept at another time" not in html
