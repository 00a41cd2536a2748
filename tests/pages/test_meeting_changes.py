"""The meeting page's own changes: move (only to offered slots), cancel with a reason, fix in
place and release; refusals as messages with their 4xx status, never a 500."""

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.http import urlencode

from matchmaking.models import Meeting, MeetingLog
from matchmaking.reasons import when_text
from matchmaking.services.meetings import Actor, meeting_set_status
from tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def page_url(event, meeting) -> str:
    return f"/organiser/{event.slug}/meetings/{meeting.pk}/"


def offered(html: str) -> list[int]:
    """The slot ids the Move select offers."""
    select = re.search(r'<select name="slot" required>(.*?)</select>', html, re.S)
    assert select, "no Move form on the page"
    return [int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(1))]


@pytest.fixture
def slots(event):
    return list(event.slots.order_by("start"))


def test_move_select_lists_only_acceptable_slots(
    staff_client, event, slots, make_participant, book
):
    a, b = make_participant(), make_participant()
    meeting = book(a, b, 0)
    book(a, make_participant(), 1)  # a is busy at slot 1
    for _ in range(3):  # the event's three tables are all taken at slot 2
        book(make_participant(), make_participant(), 2)

    html = staff_client.get(page_url(event, meeting)).content.decode()

    assert offered(html) == [s.pk for i, s in enumerate(slots) if i not in (1, 2)]
    assert (
        f'<option value="{slots[0].pk}" selected>'
        "&#x2066;09:00–09:20&#x2069; (current time)</option>" in html
    )
    assert 'data-confirm="Cancel this meeting? Both sides are told."' in html


def test_move_to_an_offered_slot(staff_client, staff, event, slots, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    grid = f"/organiser/{event.slug}/grid/?date=2018-04-18"
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/move/?next={grid}"

    response = staff_client.post(url, {"slot": slots[3].pk})

    assert response.status_code == 302
    assert response["Location"] == f"{page_url(event, meeting)}?{urlencode({'next': grid})}"
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table.name, meeting.fixed) == (slots[3], "T01", False)
    log = MeetingLog.objects.get(meeting=meeting, action="moved")
    assert log.actor == staff
    assert log.detail["to_slot"] == slots[3].start.isoformat()
    html = staff_client.get(response["Location"]).content.decode()
    assert f"Meeting {meeting.pk} is now on Wednesday 18 April at 10:00, table T01." in html
    assert f'href="{grid}"' in html  # the way back to the grid is kept


def test_move_with_table_and_fix_it_there(staff_client, event, slots, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/",
        {"slot": slots[2].pk, "table": event.tables.get(name="T03").pk, "fixed": "1"},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table.name, meeting.fixed) == (slots[2], "T03", True)
    actions = list(MeetingLog.objects.filter(meeting=meeting).values_list("action", flat=True))
    assert sorted(actions) == ["booked", "fixed", "moved"]


@pytest.mark.parametrize("unticked", ["0", "false", "", "False "])
def test_move_with_fixed_unticked_does_not_fix_it(
    staff_client, event, slots, make_participant, book, unticked
):
    """``fixed=0`` fixed the meeting (Django's checkbox reads any text as ticked), while the
    fixed route reads 0 as release; a refused move showed the box ticked."""
    a = make_participant()
    meeting = book(a, make_participant(), 0)
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/move/"

    moved = staff_client.post(url, {"slot": slots[2].pk, "fixed": unticked})

    assert moved.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.fixed) == (slots[2], False)
    assert not MeetingLog.objects.filter(meeting=meeting, action="fixed").exists()
    book(a, make_participant(), 3)
    refused = staff_client.post(url, {"slot": slots[3].pk, "fixed": unticked})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert '<input type="checkbox" name="fixed" value="1">' in html  # shown unticked


def test_move_to_a_busy_slot_refused_with_409(staff_client, event, slots, make_participant, book):
    a = make_participant()
    meeting = book(a, make_participant(), 0)
    book(a, make_participant(), 1)

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/",
        {"slot": slots[1].pk, "fixed": "1"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "Someone in this meeting is not free on Wednesday 18 April at 09:20 (another meeting, "
        "or not at the fair then). Choose one of the offered times."
    ) in html
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.fixed) == (slots[0], False)  # nothing half-written
    assert not MeetingLog.objects.filter(meeting=meeting, action__in=["moved", "fixed"]).exists()


def test_move_to_a_taken_table_refused_with_409(staff_client, event, slots, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    book(make_participant(), make_participant(), 3)  # takes T01 at slot 3

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/",
        {"slot": slots[3].pk, "table": event.tables.get(name="T01").pk},
    )

    assert response.status_code == 409
    assert "T01 is already taken on Wednesday 18 April at 10:00" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.slot == slots[0]


@pytest.mark.parametrize("slot", ["abc", "999999", "", "other-event"])
def test_move_bad_slot_answers_400(staff_client, event, make_participant, book, slot):
    meeting = book(make_participant(), make_participant(), 0)
    if slot == "other-event":
        slot = str(EventFactory().slots.first().pk)

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/", {"slot": slot}
    )

    assert response.status_code == 400
    assert "Choose one of the offered times." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_move_bad_table_answers_400(staff_client, event, slots, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/",
        {"slot": slots[2].pk, "table": "nope"},
    )
    assert response.status_code == 400
    assert "Choose one of the offered tables." in response.content.decode()


def test_held_meeting_cannot_move_but_can_be_fixed_or_cancelled(
    staff_client, staff, event, slots, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    meeting_set_status(meeting=meeting, status="held", actor=Actor(user=staff, organiser=True))

    html = staff_client.get(page_url(event, meeting)).content.decode()
    assert 'name="slot"' not in html
    assert "Cancel the meeting" in html and "Fix in place" in html

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/", {"slot": slots[2].pk}
    )
    assert response.status_code == 409
    assert "Only scheduled meetings can move (this one: Held)." in response.content.decode()


def test_cancel_with_reason(staff_client, staff, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/cancel/", {"reason": "Stand closed"}
    )

    assert response.status_code == 302
    assert response["Location"] == page_url(event, meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_by, meeting.cancel_reason) == (
        "cancelled",
        "organiser",
        "Stand closed",
    )
    log = MeetingLog.objects.get(meeting=meeting, action="cancelled")
    assert (log.actor, log.detail) == (staff, {"reason": "Stand closed"})
    html = staff_client.get(response["Location"]).content.decode()
    assert f"Meeting {meeting.pk} is cancelled; both sides are told." in html
    assert "Cancelled: Stand closed" in html
    assert 'id="change"' not in html  # nothing left to change


def test_cancel_twice_refused_with_409(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/cancel/"
    assert staff_client.post(url, {"reason": ""}).status_code == 302

    response = staff_client.post(url, {"reason": "again"})

    assert response.status_code == 409
    assert "This meeting is cancelled." in response.content.decode()
    assert MeetingLog.objects.filter(meeting=meeting, action="cancelled").count() == 1


def test_cancel_reason_too_long_answers_400(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/cancel/", {"reason": "x" * 301}
    )
    assert response.status_code == 400
    assert "The reason is too long: 300 characters at most." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_fix_and_release_logged(staff_client, staff, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/fixed/"

    fixed = staff_client.post(url, {"fixed": "1"})
    meeting.refresh_from_db()
    assert (fixed.status_code, meeting.fixed) == (302, True)
    html = staff_client.get(fixed["Location"]).content.decode()
    assert f"Meeting {meeting.pk} is fixed in place: the scheduler will not move it." in html
    assert "fixed by the organiser" in html
    assert "Release (the scheduler may move it)" in html

    released = staff_client.post(url, {"fixed": "0"})
    meeting.refresh_from_db()
    assert (released.status_code, meeting.fixed) == (302, False)
    logs = MeetingLog.objects.filter(meeting=meeting, action__in=["fixed", "unfixed"])
    assert [(row.action, row.actor) for row in logs.order_by("id")] == [
        ("fixed", staff),
        ("unfixed", staff),
    ]


def test_fix_bad_value_answers_400_and_cancelled_409(
    staff_client, staff, event, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/fixed/"
    assert staff_client.post(url, {"fixed": "maybe"}).status_code == 400
    staff_client.post(f"/organiser/{event.slug}/meetings/{meeting.pk}/cancel/", {"reason": ""})
    response = staff_client.post(url, {"fixed": "1"})
    assert response.status_code == 409
    assert "This meeting is cancelled." in response.content.decode()


def test_french_page_shows_the_new_labels_in_french(
    staff_client, event, slots, make_participant, book
):
    a = make_participant()
    meeting = book(a, make_participant(), 0)
    book(a, make_participant(), 1)
    html = staff_client.get(page_url(event, meeting), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for text in [
        "Modifier ce rendez-vous",
        "Déplacer le rendez-vous",
        "Nouvel horaire",
        "Attribuée automatiquement",
        "Annuler le rendez-vous",
        "Fixer sur place (le planificateur ne le déplacera pas)",
        "Motif (facultatif, envoyé aux deux parties)",
    ]:
        assert text in html, text
    assert "Move the meeting" not in html

    refused = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/",
        {"slot": slots[1].pk},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refused.status_code == 409
    assert "Une personne de ce rendez-vous n’est pas libre le mercredi 18 avril à 09:20" in (
        refused.content.decode()
    )


def test_arabic_page_shows_the_new_labels_in_arabic(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    html = staff_client.get(page_url(event, meeting), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "نقل اللقاء" in html
    assert "إلغاء اللقاء" in html
    assert "Move the meeting" not in html


@pytest.mark.parametrize(
    ("action", "data"),
    [("move", {"slot": "1"}), ("cancel", {"reason": "x"}), ("fixed", {"fixed": "1"})],
)
def test_participant_and_anonymous_refused(event, slots, make_participant, book, action, data):
    meeting = book(make_participant(), make_participant(), 0)
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/{action}/"
    data = {**data, "slot": slots[2].pk} if action == "move" else data

    client = Client()
    client.force_login(meeting.request.sender.user)
    assert client.post(url, data).status_code == 403
    anonymous = Client().post(url, data)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/organiser/login/")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.fixed) == ("scheduled", slots[0], False)
    assert list(MeetingLog.objects.filter(meeting=meeting).values_list("action", flat=True)) == [
        "booked"
    ]


def test_unknown_or_other_event_meeting_404_and_get_405(
    staff_client, event, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    other = EventFactory()
    for action in ("move", "cancel", "fixed"):
        assert (
            staff_client.post(
                f"/organiser/{other.slug}/meetings/{meeting.pk}/{action}/"
            ).status_code
            == 404
        )
        assert (
            staff_client.post(f"/organiser/{event.slug}/meetings/999999/{action}/").status_code
            == 404
        )
        assert (
            staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/{action}/").status_code
            == 405
        )


def test_own_place_meeting_offers_no_table_choice(staff_client, event, make_participant, book):
    booth = event.tables.create(name="Booth 7", shared=False)
    exhibitor = make_participant(fixed_table=booth)
    meeting = book(exhibitor, make_participant(), 0)
    html = staff_client.get(page_url(event, meeting)).content.decode()
    assert 'name="table"' not in html
    assert "It stays at Booth 7, a participant’s own place." in html


def test_meeting_with_a_colleague_offers_only_slots_the_colleague_is_free(
    staff_client, event, slots, make_participant, book
):
    a, b = make_participant(), make_participant()
    colleague = ParticipantFactory(event=event, organisation=a.organisation)
    meeting = book(a, b, 0, attendees=[colleague])
    book(colleague, make_participant(), 4)
    html = staff_client.get(page_url(event, meeting)).content.decode()
    assert slots[4].pk not in offered(html)
    assert slots[3].pk in offered(html)
    assert Meeting.objects.get(pk=meeting.pk).seats.count() == 3


def test_move_outside_the_requests_half_day_is_refused_in_the_pages_language(
    staff_client, event, slots, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    meeting.request.session = "morning"
    meeting.request.save(update_fields=["session"])
    afternoon = next(s for s in slots if s.part == "afternoon")

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/move/",
        {"slot": afternoon.pk},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("fr"):
        when = when_text(afternoon)
    assert (
        f"Cette demande porte sur un rendez-vous le matin ; {when} a lieu l&#x27;après-midi."
    ) in html
    meeting.refresh_from_db()
    assert meeting.slot == slots[0]


def test_the_desk_books_an_accepted_request_from_the_participants_page(
    staff_client, upcoming_event, make_participant
):
    """Organisers could book only through the API: the participant's page now lists their
    accepted requests without a meeting with the times the booking accepts, and books one."""
    import datetime as dt

    from django.utils import timezone

    from matchmaking.models import Meeting, MeetingRequest, Notification, Slot
    from matchmaking.pages import labels
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import RequestFactory

    event = upcoming_event
    amina, bruno = (
        make_participant(event=event, name="Amina"),
        make_participant(event=event, name="Bruno"),
    )
    request = RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    slots = list(event.slots.order_by("start"))
    other = RequestFactory(
        sender=bruno, recipient=make_participant(event=event), status=MeetingRequest.Status.ACCEPTED
    )
    meeting_book(request=other, slot=slots[0], actor=Actor(system=True))  # Bruno busy at 0
    Slot.objects.filter(pk=slots[1].pk).update(  # over: not offered (the sixth review)
        start=timezone.now() - dt.timedelta(hours=1),
        end=timezone.now() - dt.timedelta(minutes=40),
    )
    page = staff_client.get(f"/organiser/{event.slug}/participants/{amina.pk}/")
    (item,) = page.context["to_book"]
    offered = [s.pk for day in item["slots_by_day"].values() for s in day]
    assert offered == [s.pk for s in slots[2:]]
    assert '<option value="">—</option>' in page.content.decode()  # no time chosen for you
    url = f"/organiser/{event.slug}/participants/{amina.pk}/book/"
    refused = staff_client.post(url, {"request": request.pk, "slot": slots[0].pk}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        f"Bruno already has a meeting on {when_text(slots[0])}."
    ]
    Notification.objects.all().delete()
    done = staff_client.post(url, {"request": request.pk, "slot": slots[2].pk}, follow=True)
    meeting = Meeting.objects.get(request=request)
    assert (meeting.slot_id, meeting.source) == (slots[2].pk, "organiser")
    when = labels.local_when(meeting.slot.start, event.tz)
    assert [str(m) for m in done.context["messages"]] == [f"Meeting {meeting.pk} booked on {when}."]
    assert sorted(Notification.objects.values_list("recipient__name", flat=True)) == [
        "Amina",
        "Bruno",
    ]
    assert done.context["to_book"] == []
    # the page was out of date (booked meanwhile): said in the page's language, no API words
    staff_client.cookies["django_language"] = "fr"
    again = staff_client.post(url, {"request": request.pk, "slot": slots[3].pk}, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Cette demande a déjà un rendez-vous (réservé entre-temps) ; ouvrez-le depuis la grille "
        "pour le déplacer."
    ]
    staff_client.cookies["django_language"] = "en"
    stranger = RequestFactory(
        sender=bruno, recipient=make_participant(event=event), status=MeetingRequest.Status.ACCEPTED
    )
    staff_client.post(url, {"request": stranger.pk, "slot": slots[3].pk})
    assert not Meeting.objects.filter(request=stranger).exists()  # not one of Amina's


def test_the_organiser_adds_a_colleague_of_either_side(staff_client, upcoming_event):
    from matchmaking.services.meetings import meeting_book
    from tests.factories import RequestFactory

    event = upcoming_event
    a = ParticipantFactory(event=event, name="Amina")
    b = ParticipantFactory(event=event, name="Bruno")
    karim = ParticipantFactory(event=event, name="Karim", organisation=a.organisation)
    sami = ParticipantFactory(event=event, name="Sami", organisation=b.organisation)
    ParticipantFactory(event=event, name="Nadia")  # of neither side
    meeting = meeting_book(
        request=RequestFactory(sender=a, recipient=b, status="accepted"),
        slot=event.slots.order_by("start").first(),
        actor=Actor(system=True),
    )
    url = f"/organiser/{event.slug}/meetings/{meeting.pk}/attendees/"
    html = staff_client.get(page_url(event, meeting)).content.decode()
    form = re.search(r'id="attendee-form">(.*?)</form>', html, re.S).group(1)
    assert "Karim" in form and "Sami" in form and "Nadia" not in form
    done = staff_client.post(url, {"participant": sami.pk}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "Sami joins the meeting and has been told."
    ]
    assert set(meeting.seats.values_list("participant__name", flat=True)) == {
        "Amina",
        "Bruno",
        "Sami",
    }
    again = staff_client.post(url, {"participant": sami.pk})
    assert again.status_code == 409
    assert "already attends" in again.content.decode()
    for bad in ("", "x"):
        assert staff_client.post(url, {"participant": bad}).status_code == 400
    assert karim.pk not in meeting.seats.values_list("participant_id", flat=True)


def test_no_one_joins_a_meeting_that_has_started(staff_client, event, make_participant, book):
    """Organisers could add a colleague to a meeting of 2018, who was then told it was booked
    (the review)."""
    a, b = make_participant(), make_participant()
    karim = make_participant(organisation=a.organisation)
    meeting = book(a, b, 0)  # April 2018
    assert 'id="attendee-form"' not in staff_client.get(page_url(event, meeting)).content.decode()
    refused = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/attendees/", {"participant": karim.pk}
    )
    assert refused.status_code == 409
    assert not meeting.seats.filter(participant=karim).exists()


def status_buttons(html: str) -> dict[str, bool]:
    """The status form's buttons: value -> disabled."""
    form = html.split('class="actions">', 1)[1].split("</form>", 1)[0]
    return {
        value: "disabled" in attrs
        for value, attrs in re.findall(
            r'<button type="submit" name="status" value="(\w+)"([^>]*)>', form
        )
    }


def test_status_buttons_wait_for_the_meeting_s_time(
    staff_client, event, slots, make_participant, book
):
    """Checked in / Held / No-show were enabled for a meeting weeks away; a click only said
    "can be marked held or no-show once it has started". Disabled until then, with why."""
    import datetime as dt

    from django.utils import timezone

    from tests.api.test_meetings import move_slot

    meeting = book(make_participant(), make_participant(), 0)
    move_slot(slots[0], timezone.now() + dt.timedelta(days=20))
    html = staff_client.get(page_url(event, meeting)).content.decode()
    assert status_buttons(html) == {"checked_in": True, "held": True, "no_show": True}
    assert "data-status-early>Check-in opens 30 minutes before the meeting, on " in html
    assert "held or no-show can be marked once it has started, on " in html

    move_slot(slots[0], timezone.now() + dt.timedelta(minutes=10))  # check-in is open
    html = staff_client.get(page_url(event, meeting)).content.decode()
    assert status_buttons(html) == {"checked_in": False, "held": True, "no_show": True}
    assert "data-status-early>Held or no-show can be marked once the meeting has started" in html
    # the server still refuses a post
    early = staff_client.post(f"{page_url(event, meeting)}status/", {"status": "held"})
    assert early.status_code in (302, 409)
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"

    move_slot(slots[0], timezone.now() - dt.timedelta(minutes=5))  # started
    html = staff_client.get(page_url(event, meeting)).content.decode()
    assert status_buttons(html) == {"checked_in": False, "held": False, "no_show": False}
    assert "data-status-early" not in html


def test_the_desk_booking_time_is_labelled_for_the_meeting_it_books(
    staff_client, upcoming_event, make_participant
):
    """The time select of an accepted request without a meeting was labelled "New time" for
    screen readers, although no meeting exists yet: it now names whom the meeting is with."""
    from matchmaking.models import MeetingRequest
    from tests.factories import RequestFactory

    event = upcoming_event

    amina = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    request = RequestFactory(sender=amina, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    html = staff_client.get(f"/organiser/{event.slug}/participants/{amina.pk}/").content.decode()
    assert (
        f'<label class="visually-hidden" for="book-{request.pk}">Time of the meeting with '
        "Bruno</label>" in html
    )
    french = staff_client.get(
        f"/organiser/{event.slug}/participants/{amina.pk}/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Heure du rendez-vous avec Bruno</label>" in french
