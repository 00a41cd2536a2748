"""Proposing a time with a request from the pages, and accepting it books that time."""

import pytest
from django.conf import settings

from matchmaking.models import Meeting, MeetingRequest
from tests.pages.test_participant_pages import client_of, messages_of, recommend

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def test_propose_a_time_from_the_recommendations_and_accept_it(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    recommend(amina, bruno, 1)
    page = client_of(amina).get(f"/my/{event.slug}/recommendations/")
    body = page.content.decode()
    assert "Propose a time (optional)" in body
    slot = page.context["cards"][0]["proposable"][3]
    sent = client_of(amina).post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": bruno.pk, "session": "any", "slot": slot.pk},
        follow=True,
    )
    assert messages_of(sent) == ["Your request was sent to Bruno."]
    request = MeetingRequest.objects.get()
    assert request.proposed_slot == slot
    inbox = client_of(bruno).get(f"/my/{event.slug}/requests/").content.decode()
    assert "Proposed time:" in inbox and "Accept and book this time" in inbox
    accepted = client_of(bruno).post(f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True)
    assert messages_of(accepted)[0].startswith("Request accepted: the meeting is booked on ")
    assert Meeting.objects.get().slot == slot


def test_a_proposed_time_someone_took_meanwhile_is_said_in_french(event, make_participant):
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    slot = event.slots.order_by("start")[1]
    client_of(amina).post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "slot": slot.pk}
    )
    taken = RequestFactory(sender=chen, recipient=bruno, status="accepted")
    meeting_book(request=taken, slot=slot, actor=Actor(system=True))
    request = MeetingRequest.objects.get(sender=amina)
    client = client_of(bruno)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    accepted = client.post(f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True)
    assert messages_of(accepted)[0].startswith(
        "Demande acceptée, mais l'horaire proposé n'a pas pu être réservé. Bruno a déjà"
    )
    # a proposed time that is not a slot of the event: refused in words, nothing sent
    refused = client_of(chen).post(
        f"/my/{event.slug}/requests/new/", {"recipient": amina.pk, "slot": 10**9}, follow=True
    )
    assert messages_of(refused) == ["Choose a proposed time from the list, or none."]
    assert not MeetingRequest.objects.filter(sender=chen, recipient=amina).exists()


def test_a_proposed_time_that_started_is_no_proposal_any_more(event, make_participant):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    slot = event.slots.order_by("start")[1]
    client_of(amina).post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "slot": slot.pk}
    )
    request = MeetingRequest.objects.get()
    MeetingRequest.objects.filter(pk=request.pk).update(
        expires_at=slot.start + dt.timedelta(days=1)
    )
    later = slot.start + dt.timedelta(minutes=5)
    with mock.patch.object(timezone, "now", return_value=later):
        inbox = client_of(bruno).get(f"/my/{event.slug}/requests/").content.decode()
        accepted = client_of(bruno).post(
            f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True
        )
    assert "Proposed time:" not in inbox and "Accept and book this time" not in inbox
    assert messages_of(accepted) == ["Request accepted. Now book a time in your agenda."]
    assert not Meeting.objects.exists()


def test_a_time_not_free_for_both_is_refused_in_arabic(event, make_participant):
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    slot = event.slots.order_by("start")[1]
    busy = RequestFactory(sender=chen, recipient=bruno, status="accepted")
    meeting_book(request=busy, slot=slot, actor=Actor(system=True))
    client = client_of(amina)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    refused = client.post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "slot": slot.pk}, follow=True
    )
    assert messages_of(refused) == [
        "هذا الموعد غير متاح لكليكما: اقترح موعدًا آخر، أو أرسل الطلب دون موعد."
    ]
    assert not MeetingRequest.objects.filter(sender=amina).exists()


def test_the_console_shows_a_requests_proposed_time(event, make_participant, staff_client):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    slot = event.slots.order_by("start")[1]
    client_of(amina).post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "slot": slot.pk}
    )
    page = staff_client.get(f"/organiser/{event.slug}/participants/{bruno.pk}/")
    body = page.content.decode()
    assert "Proposed time" in body
    assert slot.start.astimezone(event.tz).strftime("%H:%M") in body.split("Proposed time")[1]


def test_no_time_to_propose_at_my_limit_and_a_blocked_proposal_gets_a_plain_accept(
    event, make_participant
):
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event, max_meetings=1)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    recommend(bruno, chen, 1)
    slot = event.slots.order_by("start")[2]
    client_of(amina).post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "slot": slot.pk}
    )
    # Bruno books another meeting: his limit of one is reached
    other = RequestFactory(sender=chen, recipient=bruno, status="accepted")
    meeting_book(request=other, slot=event.slots.order_by("start")[0], actor=Actor(system=True))
    from matchmaking.services.requests import proposable_slots

    free = proposable_slots(sender=bruno, recipients=[amina], actor=Actor(participant=bruno))
    assert free == {amina.pk: []}  # nothing to propose at his limit
    inbox = client_of(bruno).get(f"/my/{event.slug}/requests/").content.decode()
    assert "Proposed time:" in inbox and "cannot be booked now" in inbox
    assert "Accept and book this time" not in inbox


def test_accepting_at_my_own_limit_says_so_to_me(event, make_participant):
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event, max_meetings=1)
    chen = make_participant(name="Chen", kind="visitor", event=event)
    slot = event.slots.order_by("start")[2]
    client_of(amina).post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "slot": slot.pk}
    )
    other = RequestFactory(sender=chen, recipient=bruno, status="accepted")
    meeting_book(request=other, slot=event.slots.order_by("start")[0], actor=Actor(system=True))
    request = MeetingRequest.objects.get(sender=amina)
    client = client_of(bruno)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(f"/my/{event.slug}/requests/").content.decode()
    said = (
        "Vous avez atteint votre limite de 1 rendez-vous : relevez-la dans votre profil ou "
        "annulez un rendez-vous avant d&#x27;accepter."
    )
    assert said in page and "Accepter et réserver cet horaire" not in page  # said beforehand
    accepted = client.post(f"/my/{event.slug}/requests/{request.pk}/accept/", follow=True)
    assert messages_of(accepted) == [said.replace("&#x27;", "'")]  # refused, nothing accepted
    assert MeetingRequest.objects.get(pk=request.pk).status == "pending"


def test_each_proposable_time_says_its_part_of_the_day(event, make_participant):
    """The "Propose a time" options carry the slot's part of the day (``Slot.part``, which the
    booking compares with the request's "When"), so the page's script can hide the others."""
    import re

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    recommend(amina, bruno, 1)
    page = client_of(amina).get(f"/my/{event.slug}/recommendations/")
    body = page.content.decode()
    times = body[body.index(f'id="slot-{bruno.pk}"') :]
    times = times[: times.index("</select>")]
    options = re.findall(r'<option value="(\d*)"(?: data-part="(\w+)")?>', times)
    slots = event.slots.order_by("start")
    assert options == [("", "")] + [(str(s.pk), s.part) for s in slots]
    assert [part for _pk, part in options[1:]] == ["morning"] * 6 + ["afternoon"] * 3
    assert f'id="session-{bruno.pk}" name="session" data-session-filter>' in body


def test_requests_page_query_count_does_not_grow_with_proposed_times(event, make_participant):
    """Whether "Accept and book this time" can be offered is read once for all the pending
    requests with a proposed time: 1 and 3 of them (with booths, meeting limits and times at
    the fair, so every booking rule is read) cost the same number of queries, and the page
    still tells a time that can be booked from one that cannot."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matchmaking.models import Availability, Table
    from tests.factories import RequestFactory
    from tests.pages.test_participant_pages import booked

    booth = Table.objects.create(event=event, name="Booth B", shared=False)
    bruno = make_participant(
        name="Bruno", kind="exhibitor", event=event, fixed_table=booth, max_meetings=5
    )
    slots = list(event.slots.order_by("start"))
    client = client_of(bruno)

    def propose(i: int, slot_index: int) -> MeetingRequest:
        sender = make_participant(name=f"Sender {i}", kind="delegation", event=event)
        sender.max_meetings = 3
        sender.save(update_fields=["max_meetings"])
        Availability.objects.create(participant=sender, start=slots[0].start, end=slots[-1].end)
        return RequestFactory(
            sender=sender,
            recipient=bruno,
            status=MeetingRequest.Status.PENDING,
            proposed_slot=slots[slot_index],
        )

    def page_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"/my/{event.slug}/requests/")
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    # Bruno has a meeting at the fourth slot: a time proposed then cannot be booked now
    booked(make_participant(event=event), bruno, slots[3])
    propose(1, 1)
    client.get(f"/my/{event.slug}/requests/")  # the session and the like, read once
    one, body = page_queries()
    assert body.count("Accept and book this time") == 1
    propose(2, 2)
    propose(3, 3)
    three, body = page_queries()
    assert body.count("Accept and book this time") == 2
    assert body.count("cannot be booked now") == 1
    assert three == one


def test_the_times_to_propose_are_those_both_are_free_and_at_the_fair(event, make_participant):
    """The list offered only my own free times: one where the other side has a meeting, or is
    not at the fair, was offered and then refused ("not free for both of you")."""
    from matchmaking.models import Availability
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    chen = make_participant(name="Chen", kind="startup", event=event)
    recommend(amina, bruno, 1)
    recommend(amina, chen, 2)
    slots = list(event.slots.order_by("start"))
    taken = RequestFactory(sender=make_participant(event=event), recipient=bruno, status="accepted")
    meeting_book(request=taken, slot=slots[0], actor=Actor(system=True))
    Availability.objects.create(participant=chen, start=slots[2].start, end=slots[3].end)

    page = client_of(amina).get(f"/my/{event.slug}/recommendations/")

    offered = {card["person"]["id"]: card["proposable"] for card in page.context["cards"]}
    assert offered[bruno.pk] == slots[1:]
    assert offered[chen.pk] == slots[2:4]
    body = page.content.decode()
    times = body[body.index(f'id="slot-{bruno.pk}"') :]
    assert f'value="{slots[0].pk}"' not in times[: times.index("</select>")]


def test_a_refused_request_comes_back_on_its_card_with_what_was_typed(event, make_participant):
    """A refused request lost the typed message and said why at the top of the page, far from
    the card: the page now opens that person's form again, with the message and the proposed
    time, and the reason beside it."""
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    recommend(amina, bruno, 1)
    slots = list(event.slots.order_by("start"))
    client = client_of(amina)
    page = f"/my/{event.slug}/recommendations/"
    # Bruno books that time with someone else once the page is shown
    taken = RequestFactory(sender=make_participant(event=event), recipient=bruno, status="accepted")
    meeting_book(request=taken, slot=slots[1], actor=Actor(system=True))

    sent = client.post(
        f"/my/{event.slug}/requests/new/",
        {
            "recipient": bruno.pk,
            "message": "Smart parking in Fès?",
            "session": "morning",
            "slot": slots[1].pk,
            "next": page,
        },
    )

    assert sent.status_code == 302
    assert sent["Location"] == f"{page}#ask-{bruno.pk}"
    assert not MeetingRequest.objects.filter(sender=amina).exists()
    shown = client.get(page)
    assert messages_of(shown) == []  # not at the top of the page
    (card,) = shown.context["cards"]
    assert card["draft"]["message"] == "Smart parking in Fès?"
    html = shown.content.decode()
    form = html[html.index(f'id="ask-{bruno.pk}"') :]
    form = form[: form.index("</details>")]
    assert form.startswith(f'id="ask-{bruno.pk}" open>')
    assert (
        '<p class="pt-error" role="alert">That time is not free for both of you: propose '
        "another, or send the request without a time.</p>" in form
    )
    assert ">Smart parking in Fès?</textarea>" in form
    assert '<option value="morning" selected>' in form
    assert f'<option value="{slots[1].pk}" data-part="morning" selected>' not in form  # gone
    again = client.get(page).content.decode()  # shown once
    assert 'class="pt-error"' not in again


def test_a_refused_request_from_the_directory_keeps_the_message_and_the_time(
    event, make_participant
):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno Directory", kind="exhibitor", event=event)
    slot = event.slots.order_by("start")[2]  # a morning time, for an afternoon meeting
    client = client_of(amina)
    page = f"/my/{event.slug}/requests/?q=directory"

    sent = client.post(
        f"/my/{event.slug}/requests/new/",
        {
            "recipient": bruno.pk,
            "message": "Once more?",
            "session": "afternoon",
            "slot": slot.pk,
            "next": page,
        },
    )

    assert sent["Location"] == f"{page}#ask-{bruno.pk}"
    shown = client.get(page)
    assert messages_of(shown) == []
    html = shown.content.decode()
    form = html[html.index(f'id="ask-{bruno.pk}"') :]
    form = form[: form.index("</details>")]
    assert "This request asks for an afternoon meeting;" in form
    assert ">Once more?</textarea>" in form
    assert f'<option value="{slot.pk}" data-part="morning" selected>' in form


def test_a_refusal_whose_card_is_not_on_the_page_is_said_at_the_top(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation", event=event)
    bruno = make_participant(name="Bruno", kind="exhibitor", event=event)
    client = client_of(amina)
    sent = client.post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": bruno.pk, "message": "x" * 2001},
        follow=True,
    )
    assert messages_of(sent) == [
        "Your message is too long: write at most 2000 characters (it has 2001)."
    ]
