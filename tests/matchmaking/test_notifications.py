"""Every change that touches a meeting or request tells each affected person exactly once."""

import datetime as dt
from email import message_from_bytes

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from matchmaking.models import Meeting, MeetingRequest, Notification
from matchmaking.selectors import agenda_ics
from matchmaking.services.meetings import Actor, meeting_book, meeting_cancel, meeting_reschedule
from matchmaking.services.notifications import language_of, moment_text, reminders_due
from matchmaking.services.requests import request_create, requests_expire
from matchmaking.tasks import send_notifications
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def calendar_attachments(message):
    """The calendar files of a sent email as a mail client reads them: (file name, content,
    the Content-Type's parameters, which must hold one charset)."""
    parsed = message_from_bytes(message.message().as_bytes())
    return [
        (part.get_filename(), part.get_payload(decode=True), part.get_params())
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def test_request_flow_notifies_the_other_side_in_their_language(
    event, make_participant, as_participant, send
):
    amina = make_participant(name="Amina", languages=["ar", "fr"], email="amina@example.org")
    bruno = make_participant(name="Bruno", languages=["fr"], email="bruno@example.org")
    url = f"/api/events/{event.slug}/requests/"
    with send():
        created = as_participant(amina).post(url, {"recipient": bruno.pk})
    assert [m.to for m in mail.outbox] == [["bruno@example.org"]]
    assert mail.outbox[0].subject == (
        f"Nouvelle demande de rendez-vous : Amina ({amina.organisation.name})"
    )
    assert Notification.objects.get().language == "fr"
    with send():
        as_participant(bruno).post(f"{url}{created.data['id']}/accept/")
    assert [m.to for m in mail.outbox] == [["bruno@example.org"], ["amina@example.org"]]
    assert Notification.objects.filter(recipient=amina).get().language == "ar"
    assert mail.outbox[1].subject == f"تم قبول طلب لقائك من طرف Bruno ({bruno.organisation.name})"


def test_booking_notifies_the_other_party_not_the_booker(
    event, make_participant, as_participant, send
):
    a, b = make_participant(languages=["en"]), make_participant(languages=["en"])
    req = RequestFactory(sender=a, recipient=b)
    with send():
        as_participant(a).post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": req.pk, "slot": event.slots.first().pk},
        )
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert mail.outbox[0].subject.startswith("Meeting booked with")


def test_organiser_move_and_cancel_notify_each_attendee_once(
    event, make_participant, as_participant, organiser_client, send
):
    a, b = make_participant(languages=["en"]), make_participant(languages=["en"])
    colleague = make_participant(organisation=b.organisation, languages=["en"])
    req = RequestFactory(sender=a, recipient=b)
    booked = (
        as_participant(b)  # b brings their colleague
        .post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": req.pk, "slot": event.slots.first().pk, "attendees": [colleague.pk]},
            format="json",
        )
        .data
    )
    mail.outbox.clear()
    with send():
        organiser_client.post(
            f"/api/events/{event.slug}/meetings/{booked['id']}/reschedule/",
            {"slot": event.slots.last().pk},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email, colleague.email])
    assert {m.subject.split(" moved")[0] for m in mail.outbox} == {
        "Your meeting with " + n
        for n in {
            f"{b.name} ({b.organisation.name}) and {colleague.name} "
            f"({colleague.organisation.name})",
            f"{a.name} ({a.organisation.name}) and {colleague.name} "
            f"({colleague.organisation.name})",
            f"{a.name} ({a.organisation.name}) and {b.name} ({b.organisation.name})",
        }
    }
    mail.outbox.clear()
    with send():
        organiser_client.post(
            f"/api/events/{event.slug}/meetings/{booked['id']}/cancel/", {"reason": "hall closed"}
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email, colleague.email])
    assert all("Reason: hall closed" in m.body for m in mail.outbox)


def test_redelivered_task_sends_nothing_twice(event, make_participant, as_participant, send):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b)
    with send():
        as_participant(a).post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": req.pk, "slot": event.slots.first().pk},
        )
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert len(mail.outbox) == 1
    assert send_notifications.apply(kwargs={"notification_ids": ids}).get() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == "sent"


def test_same_change_twice_creates_one_notification(
    event, make_participant, organiser_client, send
):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b)
    meeting = organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": req.pk, "slot": event.slots.first().pk},
    ).data
    m = Meeting.objects.get(pk=meeting["id"])
    from matchmaking.services.notifications import notify_meeting

    notify_meeting(meeting=m, kind="meeting_booked")
    notify_meeting(meeting=m, kind="meeting_booked")
    assert Notification.objects.filter(kind="meeting_booked").count() == 2  # one per party


def test_expiry_tells_both_sides(event, make_participant, send):
    a, b = make_participant(), make_participant()
    RequestFactory(
        sender=a, recipient=b, status="pending", expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    with send():
        assert requests_expire() == 1
    with send():
        assert requests_expire() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])


def test_reminders_once_per_attendee(event, make_participant, organiser_client, send, settings):
    settings.REMINDER_MINUTES = 60
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b)
    slot = event.slots.first()
    organiser_client.post(
        f"/api/events/{event.slug}/meetings/book/", {"request": req.pk, "slot": slot.pk}
    )
    mail.outbox.clear()
    now = slot.start - dt.timedelta(minutes=30)
    with send():
        assert reminders_due(now=now) == 2
    with send():
        assert reminders_due(now=now) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert reminders_due(now=timezone.now()) == 0


def test_scheduler_publish_sends_each_person_one_email_listing_their_meetings(send):
    """One email per meeting meant four emails at once for busy people (the tester): each
    person now gets one, listing their meetings in time order, with their agenda attached."""
    from icalendar import Calendar

    from matchmaking.services.importer import event_import
    from tests.matchmaking.test_scheduling import fair, run_and_publish

    event = event_import(data=fair())
    with send():
        run = run_and_publish(event)
    booked = run.publish_report["booked"]
    seated = (
        Meeting.objects.filter(event=event, status="scheduled")
        .values_list("seats__participant", flat=True)
        .distinct()
    )
    assert booked > 0 and sorted(m.to[0] for m in mail.outbox) == sorted(
        event.participants.filter(pk__in=seated).values_list("email", flat=True)
    )
    assert not Notification.objects.filter(kind="meeting_booked").exists()
    busiest = max(mail.outbox, key=lambda m: m.body.count("\n- "))
    person = event.participants.get(email=busiest.to[0])
    mine = Meeting.objects.filter(seats__participant=person, status="scheduled").order_by(
        "slot__start"
    )
    assert busiest.body.count("\n- ") == mine.count() >= 2
    lines = [line for line in busiest.body.splitlines() if line.startswith("- ")]
    assert all(
        line.startswith("- Booked: ") or line.startswith("- Réservé : ") or "محجوز" in line
        for line in lines
    )
    [(name, content, params)] = calendar_attachments(busiest)
    assert name == "agenda.ics" and params == [("text/calendar", ""), ("charset", "utf-8")]
    assert len(Calendar.from_ical(content).walk("VEVENT")) == mine.count()
    # A re-run that changes nothing sends nothing.
    with send():
        run_and_publish(event)
    assert len(mail.outbox) == len(set(seated))


def test_moving_via_service_by_participant_skips_the_mover(
    event, make_participant, as_participant, send
):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b)
    booked = (
        as_participant(a)
        .post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": req.pk, "slot": event.slots.first().pk},
        )
        .data
    )
    mail.outbox.clear()
    with send():
        meeting_reschedule(
            meeting=Meeting.objects.get(pk=booked["id"]),
            slot=event.slots.last(),
            actor=Actor(user=b.user, participant=b),
        )
    assert [m.to for m in mail.outbox] == [[a.email]]


def test_withdrawing_a_request_tells_the_other_side_once(
    event, make_participant, as_participant, organiser_client, send
):
    """The one asked learns that a pending request was withdrawn (nothing left to answer); a
    request withdrawn with its meeting says so once, through the cancelled meeting; an
    organiser's withdrawal reaches both sides, each in their language."""
    amina = make_participant(name="Amina", languages=["ar"], email="amina@example.org")
    bruno = make_participant(name="Bruno", languages=["fr"], email="bruno@example.org")
    chen = make_participant(name="Chen", languages=["en"], email="chen@example.org")
    url = f"/api/events/{event.slug}/requests/"

    pending = RequestFactory(sender=amina, recipient=bruno, status="pending")
    with send():
        as_participant(amina).post(f"{url}{pending.pk}/cancel/")
    assert [m.to for m in mail.outbox] == [["bruno@example.org"]]
    assert mail.outbox[0].subject == (
        f"Demande de rendez-vous avec Amina ({amina.organisation.name}) retirée"
    )
    assert mail.outbox[0].body.startswith(f"Amina ({amina.organisation.name}) a retiré")

    booked = RequestFactory(sender=amina, recipient=chen, status="accepted")
    with send():
        as_participant(amina).post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": booked.pk, "slot": event.slots.first().pk},
        )
    mail.outbox.clear()
    with send():
        as_participant(amina).post(f"{url}{booked.pk}/cancel/")
    assert [(m.to, Notification.objects.get(subject=m.subject).kind) for m in mail.outbox] == [
        (["chen@example.org"], "meeting_cancelled")
    ]

    mail.outbox.clear()
    accepted = RequestFactory(sender=bruno, recipient=chen, status="accepted")
    with send():
        organiser_client.post(
            f"{url}{accepted.pk}/cancel/", {"reason": "Chen's delegation left"}, format="json"
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["bruno@example.org", "chen@example.org"]
    to_chen = next(m for m in mail.outbox if m.to == ["chen@example.org"])
    assert to_chen.body.startswith("The organisers withdrew the meeting request between you and")
    assert to_chen.body.endswith("Reason: Chen's delegation left")
    to_bruno = next(m for m in mail.outbox if m.to == ["bruno@example.org"])
    assert to_bruno.body.endswith("Motif : Chen's delegation left")


def test_a_colleague_taken_out_of_a_meeting_by_new_times_is_told_unless_they_did_it(
    event, make_participant, organiser
):
    """An organiser narrowed Karim's times: he left Amina's meeting silently, and found out
    from his calendar (the fourth review). He is now told, in his language, with the reason;
    the parties' meeting goes on. Karim narrowing his own times is not told what he did."""
    from matchmaking.models import MeetingSeat
    from matchmaking.services.availability import availability_replace
    from matchmaking.services.meetings import meeting_book

    slots = list(event.slots.order_by("start"))
    amina = make_participant(name="Amina")
    karim = make_participant(name="Karim", organisation=amina.organisation, languages=["fr"])
    lina = make_participant(name="Lina", organisation=amina.organisation)
    bruno = make_participant(name="Bruno")
    first = meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno, status="accepted"),
        slot=slots[-1],
        actor=Actor(system=True),
        attendees=[karim, lina],
    )
    Notification.objects.all().delete()
    change = availability_replace(
        participant=karim,
        periods=[(slots[0].start, slots[0].end)],
        actor=Actor(user=organiser, organiser=True),
        cancel_conflicting=True,
    )
    assert change.left == [first.pk]
    assert sorted(Notification.objects.values_list("recipient__name", "kind")) == [
        ("Amina", "attendee_left"),
        ("Bruno", "attendee_left"),
        ("Karim", "meeting_cancelled"),
    ]
    note = Notification.objects.get(recipient=karim)
    assert (note.recipient_id, note.kind, note.language) == (karim.pk, "meeting_cancelled", "fr")
    assert "Amina" in note.subject and "Bruno" in note.subject and "Karim" not in note.subject
    assert note.body.endswith("est annulé. Motif : Karim n’est plus disponible à ce moment-là.")
    Notification.objects.all().delete()
    availability_replace(
        participant=lina,
        periods=[(slots[0].start, slots[0].end)],
        actor=Actor(participant=lina),
        cancel_conflicting=True,
    )
    assert not MeetingSeat.objects.get(meeting=first, participant=lina).active
    # Lina is not told what she did; the parties learn she will not come
    assert sorted(Notification.objects.values_list("recipient__name", "kind")) == [
        ("Amina", "attendee_left"),
        ("Bruno", "attendee_left"),
    ]


def test_a_colleague_leaving_does_not_send_the_reminder_again(
    event, make_participant, as_participant, send, settings
):
    """The reminder was keyed on the meeting's SEQUENCE, which a colleague leaving bumps: both
    parties got the same reminder twice (the review)."""
    settings.REMINDER_MINUTES = 60
    a, b = make_participant(), make_participant()
    colleague = make_participant(organisation=a.organisation)
    req = RequestFactory(sender=a, recipient=b, status="accepted")
    slot = event.slots.order_by("start").first()
    booked = as_participant(a).post(
        f"/api/events/{event.slug}/meetings/book/",
        {"request": req.pk, "slot": slot.pk, "attendees": [colleague.pk]},
        format="json",
    )
    assert booked.status_code == 201, booked.data
    with send():
        assert reminders_due(now=slot.start - dt.timedelta(minutes=20)) == 3
    left = as_participant(colleague).post(
        f"/api/events/{event.slug}/meetings/{booked.data['id']}/leave/"
    )
    assert left.status_code == 204
    with send():
        assert reminders_due(now=slot.start - dt.timedelta(minutes=15)) == 0
    assert Notification.objects.filter(kind="meeting_reminder", recipient=a).count() == 1


def test_a_failed_email_is_retried_later_and_given_up_after_the_last_attempt(
    event, make_participant, monkeypatch
):
    """A mail server down for a few minutes lost every email of those minutes for good: the
    notification stayed failed, and the sweep only sent pending ones (the review)."""
    from matchmaking.services import notifications as n

    a, b = make_participant(), make_participant()
    RequestFactory(sender=a, recipient=b)  # factories write no notification
    now = timezone.now()
    n.notify_request(request=a.sent_requests.get(), kind="request_received")
    note = Notification.objects.get()

    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(n.EmailMessage, "send", down)
    assert n.notifications_send(ids=[note.pk], now=now) == 0
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("pending", 1)
    assert "mail server down" in note.error
    later = now + dt.timedelta(minutes=3)
    assert n.notifications_send_pending(now=later) == 0  # waits 5 minutes after a failure
    note.refresh_from_db()
    assert note.attempts == 1
    monkeypatch.undo()
    mail.outbox.clear()
    assert n.notifications_send_pending(now=now + dt.timedelta(minutes=6)) == 1
    note.refresh_from_db()
    assert (note.status, note.attempts, note.next_attempt_at) == ("sent", 2, None)
    assert [m.to for m in mail.outbox] == [[b.email]]

    # down for good: given up after the last attempt, with its error
    Notification.objects.filter(pk=note.pk).update(status="pending", attempts=0)
    monkeypatch.setattr(n.EmailMessage, "send", down)
    moment = now
    for attempt in range(1, n.MAX_SEND_ATTEMPTS + 1):
        moment += dt.timedelta(hours=3)
        n.notifications_send_pending(now=moment)
        note.refresh_from_db()
        assert note.attempts == attempt
    assert note.status == "failed" and note.next_attempt_at is None
    n.notifications_send_pending(now=moment + dt.timedelta(days=1))
    note.refresh_from_db()
    assert note.attempts == n.MAX_SEND_ATTEMPTS


def test_a_notification_whose_sender_was_lost_is_sent_by_the_sweep(event, make_participant):
    """A worker killed while sending left the row "sending" for good: never retried."""
    from matchmaking.services import notifications as n

    a, b = make_participant(), make_participant()
    RequestFactory(sender=a, recipient=b)
    n.notify_request(request=a.sent_requests.get(), kind="request_received")
    now = timezone.now()
    Notification.objects.update(status="sending", attempts=1, next_attempt_at=now + n.SEND_CLAIM)
    mail.outbox.clear()
    assert n.notifications_send_pending(now=now + dt.timedelta(minutes=5)) == 0  # still its
    assert n.notifications_send_pending(now=now + dt.timedelta(minutes=11)) == 1
    assert Notification.objects.get().status == "sent"
    assert [m.to for m in mail.outbox] == [[b.email]]


def test_the_request_email_carries_its_message_and_a_move_says_the_old_time(
    event, make_participant, as_participant, send
):
    """What the sender wrote never reached the recipient's email, and a "moved" email did not
    say from when (the exploratory test)."""
    a, b = make_participant(), make_participant()  # French first (the factory)
    with send():
        sent = as_participant(a).post(
            f"/api/events/{event.slug}/requests/",
            {"recipient": b.pk, "message": "Bonjour,\nparlons capteurs à 100 %."},
        )
    assert sent.status_code == 201, sent.data
    received = Notification.objects.get(kind="request_received")
    assert received.body.endswith("Son message :\n> Bonjour,\n> parlons capteurs à 100 %.")
    with send():
        as_participant(b).post(f"/api/events/{event.slug}/requests/{sent.data['id']}/accept/")
    slots = list(event.slots.order_by("start"))
    with send():
        booked = as_participant(a).post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": sent.data["id"], "slot": slots[0].pk},
        )
        moved = as_participant(a).post(
            f"/api/events/{event.slug}/meetings/{booked.data['id']}/reschedule/",
            {"slot": slots[2].pk},
        )
    assert moved.status_code == 200, moved.data
    note = Notification.objects.get(kind="meeting_moved", recipient=b)
    with translation.override("fr"):
        was = moment_text(slots[0].start, event.tz)
    assert note.body.endswith(f"Il était prévu le {was}.")


def test_people_are_asked_once_a_day_how_their_meetings_went(event, make_participant, send):
    """After someone's last meeting of a day, one email in their language asks how the day's
    meetings went, listing those they have not given feedback on; not while their day goes on,
    not for a cancelled meeting or one they gave feedback on, never twice."""
    from matchmaking.services.feedback import meeting_feedback_give
    from matchmaking.services.meetings import meeting_book, meeting_cancel
    from matchmaking.services.notifications import feedback_requests_due

    slots = list(event.slots.order_by("start"))
    amina = make_participant(name="Amina", languages=["fr"])
    bruno = make_participant(name="Bruno", languages=["en"])
    chen = make_participant(name="Chen", languages=["en"])
    dina = make_participant(name="Dina", languages=["en"])

    def book(a, b, slot):
        req = RequestFactory(sender=a, recipient=b, status="accepted")
        return meeting_book(request=req, slot=slot, actor=Actor(system=True))

    first = book(amina, bruno, slots[0])
    book(amina, chen, slots[1])
    book(bruno, dina, slots[4])  # Bruno's day goes on after Amina's
    gone = book(chen, dina, slots[2])
    meeting_cancel(meeting=gone, by=None, user=None, reason="")
    mail.outbox.clear()

    # 10 minutes after Amina's last meeting: not yet (15 by default)
    assert feedback_requests_due(now=slots[1].end + dt.timedelta(minutes=10)) == 0
    meeting_feedback_give(
        meeting=first, participant=amina, took_place=True, rating=4, now=slots[1].end
    )
    later = slots[1].end + dt.timedelta(minutes=20)
    with send():
        assert feedback_requests_due(now=later) == 2  # Amina and Chen; Bruno's day goes on
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {amina.email, chen.email}
    to_amina = by_person[amina.email]
    assert to_amina.subject.startswith("Comment se sont passés vos rendez-vous du")
    assert "Chen" in to_amina.body and "Bruno" not in to_amina.body  # Bruno's is rated
    with send():
        assert feedback_requests_due(now=later + dt.timedelta(minutes=15)) == 0
    with send():
        assert feedback_requests_due(now=slots[4].end + dt.timedelta(minutes=15)) == 2
    assert {m.to[0] for m in mail.outbox[2:]} == {bruno.email, dina.email}
    # a day over long ago is not asked about
    assert feedback_requests_due(now=slots[4].end + dt.timedelta(days=2)) == 0
    assert Notification.objects.filter(kind="feedback_request").count() == 4


def test_a_replacing_import_does_not_ask_people_again_the_same_day(send):
    """People get new rows on a replace; the question is keyed by the event and their ref."""
    from matchmaking import selectors
    from matchmaking.services.importer import event_import
    from matchmaking.services.notifications import feedback_requests_due
    from tests.matchmaking.test_importer import small_event

    event = event_import(data=small_event())
    meeting = event.meetings.select_related("slot").get()
    later = meeting.slot.end + dt.timedelta(hours=1)
    with send():
        assert feedback_requests_due(now=later) == 2
    event_import(data=selectors.event_export(event=event), replace=True)
    with send():
        assert feedback_requests_due(now=later) == 0


def test_a_meeting_booked_later_that_day_is_asked_about_too(event, make_participant, send):
    from matchmaking.services.meetings import meeting_book
    from matchmaking.services.notifications import feedback_requests_due

    slots = list(event.slots.order_by("start"))
    alice, bob, carol = (make_participant(languages=["en"]) for _ in range(3))
    first = RequestFactory(sender=alice, recipient=bob, status="accepted")
    meeting_book(request=first, slot=slots[0], actor=Actor(system=True))
    with send():
        assert feedback_requests_due(now=slots[0].end + dt.timedelta(minutes=20)) == 2
    late = RequestFactory(sender=carol, recipient=alice, status="accepted")
    meeting_book(request=late, slot=slots[4], actor=Actor(system=True))
    mail.outbox.clear()
    with send():
        assert feedback_requests_due(now=slots[4].end + dt.timedelta(minutes=20)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, carol.email])


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ar",
            "أخبرتنا أنك لن تحضر {event}: أُلغي طلبان. إن تغيّرت خططك، فأخبرنا بذلك في صفحة أوقاتي.",
        ),
        (
            "fr",
            "Vous avez indiqué ne plus venir à {event} : annulation de 2 demandes. Si vos plans",
        ),
        ("en", "You said you no longer come to {event}: 2 requests cancelled. If your plans"),
    ],
)
def test_the_no_longer_come_email_leaves_out_what_counts_zero(
    event, make_participant, language, expected
):
    """ "أُلغي لا لقاءات و2 طلبات" ("no meetings and 2 requests were cancelled") is no Arabic."""
    from matchmaking.services.attendance import attendance_withdraw
    from matchmaking.services.meetings import Actor

    amina = make_participant(name="Amina", languages=[language])
    for _ in range(2):
        RequestFactory(sender=amina, recipient=make_participant(), status="pending")
    attendance_withdraw(participant=amina, actor=Actor(participant=amina))
    body = Notification.objects.get(recipient=amina, kind="attendance_withdrawn").body
    assert body.startswith(expected.format(event=event.name))


def test_emails_link_to_the_page_they_are_about(
    event, make_participant, as_participant, send, settings
):
    """A demanding user expects "open it" in the email, not "find it on your pages"."""
    settings.SITE_URL = "https://mm.example.org"
    amina = make_participant(name="Amina", languages=["fr"])
    bruno = make_participant(name="Bruno", languages=["en"])
    with send():
        created = as_participant(amina).post(
            f"/api/events/{event.slug}/requests/", {"recipient": bruno.pk}
        )
    request_id = created.data["id"]
    assert mail.outbox[-1].body.endswith(
        f"\n\nOpen it on your pages: https://mm.example.org/my/{event.slug}/requests/"
        f"#request-{request_id}"
    )
    with send():
        as_participant(bruno).post(f"/api/events/{event.slug}/requests/{request_id}/accept/")
        booked = as_participant(bruno).post(
            f"/api/events/{event.slug}/meetings/book/",
            {"request": request_id, "slot": event.slots.first().pk},
        )
    accepted, meeting = mail.outbox[-2:]
    assert accepted.to == [amina.email]  # in her language
    assert accepted.body.endswith(
        f"À retrouver sur vos pages : https://mm.example.org/my/{event.slug}/requests/"
        f"#request-{request_id}"
    )
    assert meeting.to == [amina.email]
    assert meeting.body.endswith(
        f"https://mm.example.org/my/{event.slug}/agenda/#meeting-{booked.data['id']}"
    )


def test_without_a_site_address_emails_carry_no_link(
    event, make_participant, as_participant, send, settings
):
    settings.SITE_URL = ""
    amina, bruno = make_participant(languages=["en"]), make_participant(languages=["en"])
    with send():
        as_participant(amina).post(f"/api/events/{event.slug}/requests/", {"recipient": bruno.pk})
    assert "Open it on your pages" not in mail.outbox[-1].body
    assert "http" not in mail.outbox[-1].body


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "Thursday 19 April 2018 at 09:30 (UTC+1)"),
        ("fr", "jeudi 19 avril 2018 à 09:30 (UTC+1)"),
        ("ar", "الخميس 19 إبريل 2018 الساعة 09:30 (UTC+1)"),
    ],
)
def test_emails_write_a_time_with_its_weekday_and_zone_in_the_reader_s_language(language, text):
    """ "2018-04-19 08:30" left readers to work out the day, and whose clock it was."""
    import zoneinfo

    moment = dt.datetime(2018, 4, 19, 8, 30, tzinfo=dt.UTC)
    with translation.override(language):
        assert moment_text(moment, zoneinfo.ZoneInfo("Africa/Casablanca")) == text
    with translation.override("en"):
        assert moment_text(moment, zoneinfo.ZoneInfo("Asia/Kolkata")).endswith("(UTC+5:30)")
        assert moment_text(moment, zoneinfo.ZoneInfo("America/St_Johns")).endswith("(UTC-2:30)")
        assert moment_text(moment, zoneinfo.ZoneInfo("UTC")).endswith("at 08:30 (UTC)")


def test_a_cancellation_says_who_chose_it(event, make_participant, as_participant, send):
    """Both sides read "Your meeting ... is cancelled" whoever cancelled it: the other person,
    the organisers, or nobody (new times); the reason line goes when nobody gave one."""
    amina = make_participant(name="Amina", languages=["en"])
    bruno = make_participant(name="Bruno", languages=["en"])
    slots = list(event.slots.order_by("start"))
    first = meeting_book(
        request=RequestFactory(sender=amina, recipient=bruno, status="accepted"),
        slot=slots[0],
        actor=Actor(system=True),
    )
    second = meeting_book(
        request=RequestFactory(sender=bruno, recipient=amina, status="accepted"),
        slot=slots[1],
        actor=Actor(system=True),
    )
    with send():
        meeting_cancel(meeting=first, by=amina, user=amina.user)
        meeting_cancel(meeting=second, reason="Hall closed")
    by_amina, by_organisers = (
        Notification.objects.filter(kind="meeting_cancelled", recipient=bruno)
        .order_by("meeting__slot__start")
        .values_list("body", flat=True)
    )
    assert by_amina.startswith(f"Amina ({amina.organisation.name}) cancelled your meeting on ")
    assert "Reason" not in by_amina
    assert by_organisers.startswith(
        f"The organisers cancelled your meeting with Amina ({amina.organisation.name}) on "
    )
    assert by_organisers.endswith(". Reason: Hall closed")


def test_the_recipient_is_reminded_once_before_a_request_expires(
    event, make_participant, send, settings
):
    from matchmaking.services.requests import requests_expiring_remind

    settings.SITE_URL = "https://mm.example.org"
    a = make_participant(name="Amina", languages=["en"])
    b = make_participant(name="Bruno", languages=["fr"])
    sent = timezone.now()
    long = RequestFactory(sender=a, recipient=b, status="pending")
    short = RequestFactory(sender=b, recipient=a, status="pending")  # 9 hours, below
    answered = RequestFactory(sender=a, recipient=make_participant(), status="accepted")
    MeetingRequest.objects.filter(pk__in=[long.pk, short.pk, answered.pk]).update(
        created_at=sent, expires_at=sent + dt.timedelta(hours=9)
    )
    MeetingRequest.objects.filter(pk=long.pk).update(expires_at=sent + dt.timedelta(hours=72))
    with send():
        assert requests_expiring_remind(now=sent + dt.timedelta(hours=5)) == 0  # 4 h of 9 left
        assert requests_expiring_remind(now=sent + dt.timedelta(hours=7)) == 1  # the short one
        assert requests_expiring_remind(now=sent + dt.timedelta(hours=47)) == 0  # 25 h left
        assert requests_expiring_remind(now=sent + dt.timedelta(hours=49)) == 1
        assert requests_expiring_remind(now=sent + dt.timedelta(hours=50)) == 0  # once
    to_amina, to_bruno = mail.outbox  # each to the side that has to answer
    assert to_amina.to == [a.email] and to_amina.subject.startswith("Bruno (")
    assert to_amina.subject.endswith(" is waiting for your answer")
    assert to_bruno.to == [b.email] and "attend votre réponse" in to_bruno.subject
    assert "La demande expire le " in to_bruno.body
    assert to_bruno.body.endswith(f"/my/{event.slug}/requests/#request-{long.pk}")


def test_meeting_emails_carry_the_meeting_as_the_calendar_feed_writes_it(
    event, make_participant, send
):
    """Booked, moved and cancelled emails carry meeting.ics with the feed's UID and SEQUENCE,
    so a calendar that imports it updates one entry; a request email carries none."""
    from icalendar import Calendar

    amina = make_participant(name="Amina", languages=["fr"])
    bruno = make_participant(name="Bruno", languages=["en"])
    slots = list(event.slots.order_by("start"))
    with send():
        meeting = meeting_book(
            request=RequestFactory(sender=amina, recipient=bruno, status="accepted"),
            slot=slots[0],
            actor=Actor(system=True),
        )
    with send():
        meeting_reschedule(meeting=meeting, slot=slots[1], actor=Actor(system=True))
    with send():
        meeting_cancel(meeting=meeting, reason="Hall closed")
    to_bruno = [m for m in mail.outbox if m.to == [bruno.email]]
    assert [m.subject.split(" ")[:2] for m in to_bruno] == [
        ["Meeting", "booked"],
        ["Your", "meeting"],
        ["Your", "meeting"],
    ]
    entries, methods = [], []
    for message in to_bruno:
        [(name, content, params)] = calendar_attachments(message)
        assert name == "meeting.ics"
        calendar = Calendar.from_ical(content)
        methods.append(str(calendar["method"]))
        # the header says the calendar's method, and its charset once (it was said twice)
        assert params == [("text/calendar", ""), ("charset", "utf-8"), ("method", methods[-1])]
        [entry] = calendar.walk("VEVENT")
        entries.append(entry)
    assert len({str(e["uid"]) for e in entries}) == 1  # one entry, updated
    sequences = [int(e["sequence"]) for e in entries]
    assert sequences[0] < sequences[1] < sequences[2]  # each a newer version of it
    assert [str(e["status"]) for e in entries] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    # calendar clients remove an entry sent by email on METHOD:CANCEL (RFC 5546), which names
    # the organizer and the attendee; PUBLISH names the organizer (and no attendee)
    assert methods == ["PUBLISH", "PUBLISH", "CANCEL"]
    organizers = {str(e["organizer"]) for e in entries}
    assert organizers == {f"mailto:{settings.DEFAULT_FROM_EMAIL}"}
    assert entries[0]["organizer"].params["CN"] == event.name
    assert "attendee" not in entries[0] and "attendee" not in entries[1]
    assert str(entries[2]["attendee"]) == f"mailto:{bruno.email}"
    assert entries[2]["attendee"].params["CN"] == "Bruno"
    assert entries[0]["dtstart"].dt == slots[0].start and entries[1]["dtstart"].dt == slots[1].start
    assert str(entries[0]["summary"]) == f"Meeting: Amina ({amina.organisation.name})"
    feed = Calendar.from_ical(agenda_ics(event=event, participant=bruno))
    assert str(feed.walk("VEVENT")[0]["uid"]) == str(entries[0]["uid"])
    # the subscription feed stays a feed: no method, no organizer; the entry cancelled
    assert "method" not in feed and "organizer" not in feed.walk("VEVENT")[0]
    assert str(feed.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_a_digest_lists_booked_moved_and_cancelled_meetings_in_time_order(
    event, make_participant, send
):
    from matchmaking.services.notifications import digested

    amina = make_participant(name="Amina", languages=["en"])
    others = [make_participant(name=n, languages=["fr"]) for n in ("Bruno", "Chen", "Dina")]
    slots = list(event.slots.order_by("start"))

    def book(other, slot):
        request = RequestFactory(sender=amina, recipient=other, status="accepted")
        return meeting_book(request=request, slot=slot, actor=Actor(system=True))

    moving, dropping = book(others[0], slots[0]), book(others[1], slots[1])
    mail.outbox.clear()
    with send(), digested("publish:test"):
        meeting_reschedule(meeting=moving, slot=slots[3], actor=Actor(system=True))
        meeting_cancel(meeting=dropping, reason="Plan changed")
        book(others[2], slots[2])
    to_amina = [m for m in mail.outbox if m.to == [amina.email]]
    assert len(to_amina) == 1 and len(mail.outbox) == 4  # one each, Amina's lists three
    lines = [line for line in to_amina[0].body.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in lines] == ["- Cancelled", "- Booked", "- Moved"]
    assert lines[0].endswith("Reason: Plan changed")
    assert "It was on " in lines[2] and "Dina" in lines[1]
    with send(), digested("publish:test"):  # the same change again: nobody told twice
        pass
    assert len(mail.outbox) == 4


def test_reminders_say_on_the_day_in_each_language(event, make_participant, send, settings):
    """ "Reminder: meeting with X at Friday 27 November…", "à vendredi", "في الجمعة": a day
    is "on", "le", "يوم"; "at" is for the place."""
    settings.REMINDER_MINUTES = 60
    en = make_participant(name="Ed", languages=["en"])
    fr = make_participant(name="Flore", languages=["fr"])
    ar = make_participant(name="Amal", languages=["ar"])
    slot = event.slots.order_by("start").first()
    with send():
        meeting_book(
            request=RequestFactory(sender=en, recipient=fr, status="accepted"),
            slot=slot,
            actor=Actor(system=True),
        )
        meeting_book(
            request=RequestFactory(sender=ar, recipient=make_participant(), status="accepted"),
            slot=event.slots.order_by("start")[1],
            actor=Actor(system=True),
        )
    mail.outbox.clear()
    with send():
        reminders_due(now=slot.start - dt.timedelta(minutes=30))
    by_to = {m.to[0]: m for m in mail.outbox}
    tz = event.tz
    with translation.override("en"):
        when = moment_text(slot.start, tz)
    assert by_to[en.email].subject == (
        f"Reminder: meeting with Flore ({fr.organisation.name}) on {when}"
    )
    meeting = Meeting.objects.get(slot=slot)
    assert by_to[en.email].body.startswith(
        f"Your meeting with Flore ({fr.organisation.name}) starts on {when} at "
        f"{meeting.table.name}."
    )
    with translation.override("fr"):
        quand = moment_text(slot.start, tz)
    assert by_to[fr.email].subject == (
        f"Rappel : rendez-vous avec Ed ({en.organisation.name}) le {quand}"
    )
    with translation.override("ar"):
        other = event.slots.order_by("start")[1].start
        arabic = moment_text(other, tz)
    subject = by_to[ar.email].subject
    assert " يوم " + arabic in subject and "في " + arabic not in subject
    assert " يوم " + arabic in by_to[ar.email].body


@pytest.mark.parametrize(
    "languages, written",
    [
        (["ary"], "ar"),  # Moroccan Arabic
        (["zgh", "ary", "fr"], "ar"),
        (["arq"], "ar"),
        (["aeb", "en"], "ar"),
        (["arz"], "ar"),
        (["ars"], "ar"),
        (["fr", "ary"], "fr"),
        (["zgh", "tzm", "shi", "rif", "kab"], "en"),  # Amazigh only: no Tamazight text yet
    ],
)
def test_an_arabic_variety_reads_as_arabic(languages, written, event, make_participant):
    person = make_participant(languages=languages)
    assert language_of(person) == written


def test_a_moroccan_arabic_speaker_is_written_to_in_arabic(event, make_participant, send):
    hafsa = make_participant(name="Hafsa", languages=["ary", "en"])
    with send():
        request_create(sender=make_participant(name="Bruno"), recipient=hafsa)
    [note] = Notification.objects.filter(recipient=hafsa)
    assert note.language == "ar"
    assert mail.outbox[0].subject.startswith("طلب")
