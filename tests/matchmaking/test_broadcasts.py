"""Messages from the organisers: who they reach, once, and what is refused."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from matchmaking import selectors
from matchmaking.exceptions import InvalidInput
from matchmaking.models import Broadcast, MeetingRequest, Notification
from matchmaking.services.broadcasts import broadcast_send
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(upcoming_event, make_participant):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina", kind="delegation", languages=["ar"])
    bruno = make_participant(event=event, name="Bruno", kind="exhibitor", languages=["fr"])
    chen = make_participant(event=event, name="Chen", kind="exhibitor", languages=["en"])
    dina = make_participant(event=event, name="Dina", kind="investor", languages=["en"])
    req = RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    meeting_book(request=req, slot=event.slots.first(), actor=Actor(system=True))
    now = timezone.now()
    # pending: Chen has an answer to give; Dina's request is past its expiry
    RequestFactory(
        sender=amina, recipient=chen, status="pending", expires_at=now + dt.timedelta(days=1)
    )
    RequestFactory(
        sender=bruno, recipient=dina, status="pending", expires_at=now - dt.timedelta(minutes=1)
    )
    return {"amina": amina, "bruno": bruno, "chen": chen, "dina": dina}


def names(event, audience):
    return [p.name for p in selectors.broadcast_audience(event=event, audience=audience)]


def test_each_audience_reaches_the_right_people(upcoming_event, people):
    event = upcoming_event
    assert names(event, "all") == ["Amina", "Bruno", "Chen", "Dina"]
    assert names(event, "without_meetings") == ["Chen", "Dina"]
    assert names(event, "pending_answers") == ["Chen"]
    assert names(event, "kind:exhibitor") == ["Bruno", "Chen"]
    # recommendations are sharper once sectors are confirmed: those who declare none
    for person, sectors in zip(people.values(), ([], ["water"], [], ["finance"]), strict=True):
        person.profile.sectors = sectors
        person.profile.save()
    people["chen"].profile.delete()  # no profile at all: no sector either
    assert names(event, "without_sectors") == ["Amina", "Chen"]
    sizes = selectors.broadcast_audience_sizes(event=event)
    assert sizes["all"] == 4 and sizes["kind:exhibitor"] == 2 and sizes["kind:visitor"] == 0
    with pytest.raises(InvalidInput) as caught:
        selectors.broadcast_audience(event=event, audience="kind:martian")
    assert caught.value.field == "audience"


def test_a_message_is_emailed_once_to_each_and_the_same_form_sends_once(
    upcoming_event, people, organiser, django_capture_on_commit_callbacks, settings
):
    event = upcoming_event
    settings.SITE_URL = "http://127.0.0.1:8000"
    with django_capture_on_commit_callbacks(execute=True):
        sent = broadcast_send(
            event=event,
            subject="  Hall B opens at 9:00\n",
            body="Welcome! Meetings start at 9:00 in Hall B.",
            audience="kind:exhibitor",
            by=organiser,
            client_token="form-1",
        )
    assert sent.recipients == 2
    assert sent.subject == "Hall B opens at 9:00"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["bruno"].email, people["chen"].email]
    )
    assert mail.outbox[0].body.startswith("Welcome! Meetings start at 9:00 in Hall B.")
    # signed with the event's name and the address of its pages
    assert mail.outbox[0].body.endswith(
        f"-- \n{event.name}\nhttp://127.0.0.1:8000/my/{event.slug}/"
    )
    languages = set(Notification.objects.filter(broadcast=sent).values_list("language", flat=True))
    assert languages == {"fr", "en"}
    with django_capture_on_commit_callbacks(execute=True):
        again = broadcast_send(
            event=event,
            subject="  Hall B opens at 9:00\n",
            body="Welcome! Meetings start at 9:00 in Hall B.",
            audience="kind:exhibitor",
            by=organiser,
            client_token="form-1",
        )
    assert again.pk == sent.pk
    assert len(mail.outbox) == 2
    assert Broadcast.objects.count() == 1
    listed = selectors.broadcasts_of(event=event).get()
    assert (listed.sent, listed.failed) == (2, 0)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"subject": "   "}, "subject"),
        ({"body": ""}, "body"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "a\x00b"}, "body"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": "pending_answers", "event_without": True}, "audience"),
    ],
)
def test_refused_messages_name_the_field_and_send_nothing(
    upcoming_event, people, make_participant, fields, field
):
    event = upcoming_event
    if fields.pop("event_without", False):
        MeetingRequest.objects.filter(status="pending").update(status="declined")
    values = {"subject": "News", "body": "Hello", "audience": "all", **fields}
    with pytest.raises(InvalidInput) as caught:
        broadcast_send(event=event, **values)
    assert caught.value.field == field
    assert not Broadcast.objects.exists()
    assert not Notification.objects.filter(kind="broadcast").exists()


def test_the_same_form_sent_again_with_other_words_is_another_message(
    upcoming_event, people, organiser, django_capture_on_commit_callbacks
):
    """Back, edit, send: the form's token comes again with another text; it must not be
    answered "sent" while nothing was (the tester's finding). The same text again sends once."""
    event = upcoming_event
    form = {"event": event, "by": organiser, "client_token": "form-9", "audience": "all"}
    with django_capture_on_commit_callbacks(execute=True):
        first = broadcast_send(subject="Breakfast", body="At 8:00.", **form)
        again = broadcast_send(subject="Breakfast", body="At 8:00.", **form)
        other = broadcast_send(subject="Breakfast moved", body="At 8:30.", **form)
    assert (first.created, again.created, other.created) == (True, False, True)
    assert again.pk == first.pk and other.pk != first.pk
    assert len(mail.outbox) == 2 * 4


def test_line_breaks_count_once(upcoming_event, people):
    """A browser sends each line break as CR LF; the form counted one character."""
    body = "line\r\n" * 900  # 4,500 characters as typed, 5,400 as sent
    sent = broadcast_send(event=upcoming_event, subject="S", body=body, audience="all")
    assert "\r" not in sent.body and len(sent.body) == len("line\n" * 900) - 1


def test_a_replacing_import_keeps_the_messages_sent(organiser, django_capture_on_commit_callbacks):
    from matchmaking import selectors as sel
    from matchmaking.services.importer import event_import
    from tests.matchmaking.test_importer import small_event

    event = event_import(data=small_event())
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_send(event=event, subject="Welcome", body="Hi", audience="all", by=organiser)
    before = sel.broadcasts_of(event=event).get()
    again = event_import(data=sel.event_export(event=event), replace=True)
    kept = sel.broadcasts_of(event=again).get()
    assert (kept.subject, kept.recipients, kept.sent, kept.sent_by) == (
        "Welcome",
        before.recipients,
        before.sent,
        organiser,
    )
    assert kept.created_at == before.created_at


def test_each_person_reads_the_message_in_their_language_when_it_is_given(
    upcoming_event, people, organiser, django_capture_on_commit_callbacks
):
    """One text for a fair that speaks French, Arabic and English reached an Arabic-first
    delegate in French (the tester)."""
    event = upcoming_event
    with django_capture_on_commit_callbacks(execute=True):
        sent = broadcast_send(
            event=event,
            subject="Hall B opens at 9:00",
            body="Meetings start at 9:00.",
            audience="all",
            by=organiser,
            translations={
                "ar": {"subject": "تفتح القاعة B على الساعة 9:00", "body": "تبدأ اللقاءات 9:00."},
                "fr": {"subject": "  ", "body": ""},  # the form's empty boxes: no French version
            },
        )
    assert sent.translations == {
        "ar": {"subject": "تفتح القاعة B على الساعة 9:00", "body": "تبدأ اللقاءات 9:00."}
    }
    read = {m.to[0]: (m.subject, m.body.split("\n")[0]) for m in mail.outbox}
    assert read[people["amina"].email] == ("تفتح القاعة B على الساعة 9:00", "تبدأ اللقاءات 9:00.")
    assert read[people["bruno"].email] == ("Hall B opens at 9:00", "Meetings start at 9:00.")
    assert all(m.body.endswith(f"-- \n{event.name}") for m in mail.outbox)


@pytest.mark.parametrize(
    "translations, field",
    [
        ({"de": {"subject": "Hallo", "body": "x"}}, "translations"),
        ({"ar": {"subject": "مرحبا", "body": "  "}}, "translations.ar.body"),
        ({"fr": {"subject": "", "body": "Bonjour"}}, "translations.fr.subject"),
        ({"fr": {"subject": "x" * 201, "body": "Bonjour"}}, "translations.fr.subject"),
        ("in Arabic too", "translations"),
    ],
)
def test_a_version_in_another_language_is_checked_as_the_message_is(
    upcoming_event, people, translations, field
):
    with pytest.raises(InvalidInput) as refused:
        broadcast_send(
            event=upcoming_event,
            subject="Hi",
            body="x",
            audience="all",
            translations=translations,
        )
    assert refused.value.field == field
    assert not Broadcast.objects.exists()
