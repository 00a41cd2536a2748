"""Two organisers on the same meeting page: the Move and Cancel forms carry the meeting's
version the page was rendered with; the second organiser's change, sent from a page loaded
before the first one's, is refused with where the meeting is now (409), nothing written."""

import re

import pytest
from django.test import Client

from matchmaking.models import Meeting, MeetingLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def slots(event):
    return list(event.slots.order_by("start"))


@pytest.fixture
def meeting(event, make_participant, book):
    return book(make_participant(name="Amina"), make_participant(name="Bruno"), 0)


@pytest.fixture
def second_client(staff):
    """Another browser of an organiser of the event (a colleague at the next desk)."""
    client = Client()
    client.force_login(staff)
    return client


def page(event, meeting, tail=""):
    return f"/organiser/{event.slug}/meetings/{meeting.pk}/{tail}"


def hidden_versions(html: str) -> dict[str, str]:
    """The version each form of the page carries, by the form's id."""
    out = {}
    for form_id, body in re.findall(r'<form[^>]*id="([\w-]+)"[^>]*>(.*?)</form>', html, re.S):
        found = re.search(r'<input type="hidden" name="version" value="(\d+)">', body)
        if found:
            out[form_id] = found.group(1)
    return out


def test_the_move_and_cancel_forms_carry_the_version_shown(staff_client, event, meeting, slots):
    every = ("status-form", "move-form", "fix-form", "cancel-form")
    html = staff_client.get(page(event, meeting)).content.decode()
    assert hidden_versions(html) == dict.fromkeys(every, "1")
    staff_client.post(page(event, meeting, "move/"), {"slot": slots[3].pk, "version": "1"})

    html = staff_client.get(page(event, meeting)).content.decode()

    assert hidden_versions(html) == dict.fromkeys(every, "2")


def test_the_second_organisers_move_from_an_old_page_is_refused(
    staff_client, second_client, event, meeting, slots
):
    """Both load the page at version 1; the first moves the meeting to 10:00; the second,
    still looking at 09:00, moves it to 10:20: refused, told where it is now, not moved."""
    shown = hidden_versions(second_client.get(page(event, meeting)).content.decode())["move-form"]
    first = staff_client.post(page(event, meeting, "move/"), {"slot": slots[3].pk, "version": "1"})
    assert first.status_code == 302

    response = second_client.post(
        page(event, meeting, "move/"), {"slot": slots[4].pk, "version": shown}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "This meeting was changed by someone else since you loaded the page: it is now on "
        "Wednesday 18 April at 10:00, table T01 (Scheduled). Nothing was changed; this page "
        "shows it as it is now: check it and try again." in html
    )
    assert hidden_versions(html)["move-form"] == "2"  # the page now shows it as it is
    now = Meeting.objects.get(pk=meeting.pk)
    assert (now.slot_id, now.version) == (slots[3].pk, 2)
    assert MeetingLog.objects.filter(meeting=meeting, action="moved").count() == 1


def test_a_cancellation_from_an_old_page_is_refused(
    staff_client, second_client, event, meeting, slots
):
    staff_client.post(page(event, meeting, "move/"), {"slot": slots[3].pk, "version": "1"})

    response = second_client.post(
        page(event, meeting, "cancel/"), {"reason": "Double booked", "version": "1"}
    )

    assert response.status_code == 409
    assert "This meeting was changed by someone else since you loaded the page" in (
        response.content.decode()
    )
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"


def test_a_move_from_a_page_loaded_before_a_cancellation_says_it_was_cancelled(
    staff_client, second_client, event, meeting, slots
):
    staff_client.post(page(event, meeting, "cancel/"), {"version": "1"})

    response = second_client.post(
        page(event, meeting, "move/"), {"slot": slots[4].pk, "version": "1"}
    )

    assert response.status_code == 409
    assert (
        "This meeting was cancelled by someone else since you loaded the page; nothing was "
        "changed." in response.content.decode()
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Ce rendez-vous a été modifié par quelqu’un d’autre depuis le chargement"),
        ("ar", "تغيّر هذا اللقاء من جهة أخرى منذ تحميل الصفحة"),
    ],
)
def test_the_refusal_in_the_consoles_language(staff_client, event, meeting, slots, language, text):
    staff_client.post(page(event, meeting, "move/"), {"slot": slots[3].pk})

    response = staff_client.post(
        page(event, meeting, "move/"),
        {"slot": slots[4].pk, "version": "1"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 409
    assert text in response.content.decode()


def test_a_form_without_a_version_moves_as_before(staff_client, event, meeting, slots):
    """A form posted without the version (a script written before versions) is not checked."""
    response = staff_client.post(page(event, meeting, "move/"), {"slot": slots[4].pk})

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[4].pk


def test_a_version_that_is_not_a_number_is_refused(staff_client, event, meeting, slots):
    response = staff_client.post(
        page(event, meeting, "move/"), {"slot": slots[4].pk, "version": "x"}
    )

    assert response.status_code == 400
    assert "This form is not one this page showed; reload the page and try again." in (
        response.content.decode()
    )
    assert Meeting.objects.get(pk=meeting.pk).slot_id == slots[0].pk


def test_the_hidden_version_field_is_written_once_for_every_form():
    """The Move and Cancel forms of the console and the participant's move page include one
    partial for the meeting's version, rather than each a copy of the field. The grid's one
    dialog holds the field empty: its script fills it from the cell opened."""
    from pathlib import Path

    import matchmaking

    root = Path(matchmaking.__file__).parent / "templates"
    holders = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'name="version"' in path.read_text(encoding="utf-8")
    )
    assert holders == ["matchmaking/_meeting_version.html", "matchmaking/organiser/grid.html"]


def test_the_same_move_posted_again_says_it_is_already_there(
    staff_client, second_client, event, meeting, slots
):
    """The Move form posted twice (a resubmit, or a colleague making the very same move from
    the same old page): the second answered 409 "changed by someone else" although the meeting
    was exactly where it asked, often moved there by the same organiser. It now says so
    (nothing to change); a different move from the old page is still refused."""
    move = {"slot": slots[3].pk, "version": "1"}
    assert staff_client.post(page(event, meeting, "move/"), move).status_code == 302

    again = second_client.post(page(event, meeting, "move/"), move, follow=True)

    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == [
        f"Meeting {meeting.pk} is already on Wednesday 18 April at 10:00, table T01: "
        "nothing to change."
    ]
    now = Meeting.objects.get(pk=meeting.pk)
    assert (now.slot_id, now.version) == (slots[3].pk, 2)
    assert MeetingLog.objects.filter(meeting=meeting, action="moved").count() == 1
    fixed = second_client.post(page(event, meeting, "move/"), {**move, "fixed": "1"})
    assert fixed.status_code == 409  # fixing it there is a change the old page did not see


def test_already_there_in_french(staff_client, second_client, event, meeting, slots):
    move = {"slot": slots[3].pk, "version": "1"}
    staff_client.post(page(event, meeting, "move/"), move)
    again = second_client.post(
        page(event, meeting, "move/"), move, follow=True, HTTP_ACCEPT_LANGUAGE="fr"
    )
    (said,) = [str(m) for m in again.context["messages"]]
    assert said.startswith(f"Le rendez-vous {meeting.pk} a déjà lieu le ")
    assert said.endswith(", table T01 : rien à changer.")


def test_a_status_from_an_old_page_is_refused_and_the_same_one_again_is_already_so(
    staff_client, second_client, event, meeting, slots
):
    """The status buttons (checked in, no-show, …) sent no version: a click from a page loaded
    before a colleague's change overwrote it. They now carry the page's version: another
    status from the old page is refused (409, the page as it is now), the very same status
    says it is already so."""
    assert (
        staff_client.post(
            page(event, meeting, "status/"), {"status": "no_show", "version": "1"}
        ).status_code
        == 302
    )
    assert Meeting.objects.get(pk=meeting.pk).status == "no_show"

    stale = second_client.post(page(event, meeting, "status/"), {"status": "held", "version": "1"})

    assert stale.status_code == 409
    html = stale.content.decode()
    assert "This meeting was changed by someone else since you loaded the page" in html
    assert hidden_versions(html)["status-form"] == "2"
    assert Meeting.objects.get(pk=meeting.pk).status == "no_show"
    again = second_client.post(
        page(event, meeting, "status/"), {"status": "no_show", "version": "1"}, follow=True
    )
    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == [
        f"Meeting {meeting.pk} is already No-show: nothing to change."
    ]
    assert MeetingLog.objects.filter(meeting=meeting).exclude(action="booked").count() == 1
    # a post without a version (a client of its own) checks nothing, as before
    assert (
        second_client.post(page(event, meeting, "status/"), {"status": "held"}).status_code == 302
    )
    assert Meeting.objects.get(pk=meeting.pk).status == "held"


def test_a_fix_from_an_old_page_is_refused_and_the_same_one_again_is_already_so(
    staff_client, second_client, event, meeting, slots
):
    staff_client.post(page(event, meeting, "move/"), {"slot": slots[3].pk, "version": "1"})

    stale = second_client.post(page(event, meeting, "fixed/"), {"fixed": "1", "version": "1"})

    assert stale.status_code == 409
    assert "This meeting was changed by someone else since you loaded the page" in (
        stale.content.decode()
    )
    assert Meeting.objects.get(pk=meeting.pk).fixed is False
    assert (
        staff_client.post(
            page(event, meeting, "fixed/"), {"fixed": "1", "version": "2"}
        ).status_code
        == 302
    )
    again = second_client.post(
        page(event, meeting, "fixed/"), {"fixed": "1", "version": "2"}, follow=True
    )
    assert [str(m) for m in again.context["messages"]] == [
        f"Meeting {meeting.pk} is already fixed in place: nothing to change."
    ]
    bad = second_client.post(page(event, meeting, "fixed/"), {"fixed": "0", "version": "x"})
    assert bad.status_code == 400
    assert Meeting.objects.get(pk=meeting.pk).fixed is True
