"""Saying "I no longer come" on the participant's My times page, and "no longer comes" at the
organisers' desk (the participant's console page)."""

from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from matchmaking.models import Meeting, MeetingRequest, Notification, Participant
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_a_participant_says_they_no_longer_come_then_that_they_come_after_all(
    event, make_participant, book
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    chen = make_participant(name="Chen", kind="startup")
    meeting = book(amina, bruno, 1)
    pending = RequestFactory(sender=chen, recipient=amina, status="pending")
    client = signed_in(amina)
    presence = f"/my/{event.slug}/presence/"
    page = client.get(presence).content.decode()
    assert "You can no longer come?" in page and 'name="confirm"' in page
    url = f"/my/{event.slug}/attendance/"
    # without the tick nothing happens, and the page says why
    unticked = client.post(url, {"attending": "no"}, follow=True)
    assert "Tick the box to confirm" in unescape(unticked.content.decode())
    assert Participant.objects.get(pk=amina.pk).withdrawn_at is None
    done = client.post(url, {"attending": "no", "confirm": "on"}, follow=True)
    text = unescape(done.content.decode())
    assert "You no longer come to the fair: 1 meeting and 1 request cancelled" in text
    assert "I come after all" in text
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    assert MeetingRequest.objects.get(pk=pending.pk).status == "cancelled"
    assert set(Notification.objects.values_list("recipient__name", flat=True)) >= {"Bruno", "Chen"}
    # every other page reminds her, with the way back
    agenda = unescape(client.get(f"/my/{event.slug}/agenda/").content.decode())
    assert "You said you no longer come to the fair." in agenda
    recs = unescape(client.get(f"/my/{event.slug}/recommendations/").content.decode())
    assert "so nobody is recommended to you" in recs and 'name="kind"' not in recs
    assert "Complete your profile" not in recs  # not the advice for an empty profile
    # a second click (another tab): said as it is, to her, not an error; nothing more cancelled
    told = Notification.objects.count()
    again = client.post(url, {"attending": "no", "confirm": "on"}, follow=True)
    again_text = unescape(again.content.decode())
    assert "You already said you no longer come to the fair." in again_text
    assert "message-info" in again_text and "message-error" not in again_text
    assert Notification.objects.count() == told
    back = client.post(url, {"attending": "yes"}, follow=True)
    assert "Welcome back" in unescape(back.content.decode())
    assert Participant.objects.get(pk=amina.pk).withdrawn_at is None
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"  # stays cancelled
    twice = client.post(url, {"attending": "yes"}, follow=True)
    assert "You are coming to the fair already." in unescape(twice.content.decode())


def test_the_page_speaks_the_readers_language(event, make_participant):
    amina = make_participant(name="Amina", kind="delegation")
    client = signed_in(amina)
    done = client.post(
        f"/my/{event.slug}/attendance/",
        {"attending": "no", "confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    text = unescape(done.content.decode())
    assert "Vous ne venez plus au salon : 0 rendez-vous et 0 demande annulés" in text


def test_bad_attendance_posts_change_nothing(event, make_participant):
    amina = make_participant(name="Amina")
    client = signed_in(amina)
    url = f"/my/{event.slug}/attendance/"
    for body in ({}, {"attending": "maybe", "confirm": "on"}):
        response = client.post(url, body, follow=True)
        assert response.status_code == 200
        assert "Choose whether you come." in unescape(response.content.decode())
    assert client.get(url).status_code == 405
    assert Participant.objects.get(pk=amina.pk).withdrawn_at is None


def test_the_desk_marks_someone_who_called_and_the_console_shows_it(
    staff_client, event, make_participant, book
):
    amina = make_participant(name="Amina", kind="delegation")
    bruno = make_participant(name="Bruno", kind="exhibitor")
    book(amina, bruno, 2)
    url = f"/organiser/{event.slug}/participants/{amina.pk}/attendance/"
    unticked = staff_client.post(url, {"attending": "no"}, follow=True)  # said of her, not me
    assert "Tick the box to confirm: their meetings and requests will be cancelled." in unescape(
        unticked.content.decode()
    )
    done = staff_client.post(url, {"attending": "no", "confirm": "on"}, follow=True)
    text = unescape(done.content.decode())
    assert "Amina no longer comes: 1 meeting and 0 requests cancelled" in text
    assert "not at the fair" in text and ">free<" not in text  # at no time, not free
    assert "They come after all" in text
    told = set(Notification.objects.values_list("recipient__name", flat=True))
    assert told == {"Amina", "Bruno"}  # an organiser made the change: both sides are told
    listed = staff_client.get(f"/organiser/{event.slug}/participants/").content.decode()
    assert "No longer comes" in listed
    only = staff_client.get(f"/organiser/{event.slug}/participants/?attending=no")
    page = only.content.decode()
    assert ">Amina<" in page and ">Bruno<" not in page
    stats = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()
    assert 'data-stat="no_longer_coming">1<' in stats
    without = stats[stats.index("data-without") :]
    assert "Bruno" in without and "Amina" not in without  # she needs no meeting
    sent = Notification.objects.count()
    again = staff_client.post(url, {"attending": "no", "confirm": "on"}, follow=True)
    assert "Amina no longer comes already." in unescape(again.content.decode())
    assert Notification.objects.count() == sent  # nothing more cancelled, nobody told again
    back = staff_client.post(url, {"attending": "yes"}, follow=True)
    assert "Amina comes again." in unescape(back.content.decode())
    twice = staff_client.post(url, {"attending": "yes"}, follow=True)
    assert "Amina is coming already." in unescape(twice.content.decode())
    # a participant cannot use the desk's form
    client = signed_in(bruno)
    assert client.post(url, {"attending": "no", "confirm": "on"}).status_code in (302, 403)
    assert Participant.objects.get(pk=amina.pk).withdrawn_at is None


def test_statistics_agree_on_who_still_comes(event, make_participant):
    """The review: the chart of meetings per participant counted who no longer comes at zero,
    the list of those without a meeting did not."""
    from matchmaking.reporting import event_statistics

    make_participant(name="Amina", withdrawn_at=timezone.now())
    make_participant(name="Bruno")
    stats = event_statistics(event=event)
    assert stats["per_participant"] == {0: 1}
    assert stats["without_meetings_count"] == 1
    assert [p["name"] for p in stats["without_meetings"]] == ["Bruno"]
    assert stats["no_longer_coming"] == 1
    assert stats["participants"] == 2  # registered


def test_the_pages_do_not_tell_a_stranger_who_withdrew(event, make_participant):
    """The pages answer a withdrawn participant's id as an unknown one to someone who never
    dealt with them, as the API does: the conversation page, the Save button, the request
    form."""

    from matchmaking.services.attendance import attendance_withdraw
    from matchmaking.services.meetings import Actor

    stranger = make_participant(name="Sam")
    gone = make_participant(name="Nadia Gone")
    attendance_withdraw(participant=gone, actor=Actor(system=True))
    client = Client()
    client.force_login(stranger.user)
    my = f"/my/{event.slug}"
    assert client.get(f"{my}/messages/{gone.pk}/").status_code == 404
    assert client.post(f"{my}/marks/", {"participant": gone.pk, "mark": "saved"}).status_code == 404
    asked = client.post(f"{my}/requests/new/", {"recipient": gone.pk})
    assert asked.status_code == 404
    assert "Nadia Gone" not in asked.content.decode()
