"""What the console's pages carry for the browser: anchors, busy labels, right-to-left time
ranges and arrows, names in their own direction, the grid dialog's data, wide tables."""

import datetime as dt
import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from matchmaking.models import Meeting, ScheduleRun
from matchmaking.services.meetings import Actor, meeting_cancel, meeting_set_fixed
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

LRI, PDI = "&#x2066;", "&#x2069;"


def get(client, url, language="en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


# 1. a refused change of times opens the page at the form, with the message next to it


def test_presence_form_posts_to_its_anchor_and_a_refusal_shows_beside_it(
    staff_client, upcoming_event, make_participant
):
    from matchmaking.services.meetings import meeting_book

    event = upcoming_event
    a, b = make_participant(event=event), make_participant(event=event)
    slots = list(event.slots.order_by("start"))
    meeting_book(
        request=RequestFactory(sender=a, recipient=b, status="accepted"),
        slot=slots[-1],
        actor=Actor(system=True),
    )
    action = f"/organiser/{event.slug}/participants/{a.pk}/presence/#presence"
    page = get(staff_client, f"/organiser/{event.slug}/participants/{a.pk}/")
    assert f'<form method="post" action="{action}">' in page

    refused = staff_client.post(
        action.removesuffix("#presence"),
        {"here_0": "on", "from_0": slots[0].pk, "to_0": slots[5].pk},
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    section = html[html.index('<section class="card" id="presence">') :]
    section = section[: section.index("</form>")]
    assert (
        '<div class="message message-error" role="alert">1 booked meeting falls outside these '
        "times. Move or cancel it first, or tick the box to cancel it now. </div>"
    ) in section


# 2. long posts say so: the forms name their busy label


def test_run_and_publish_forms_carry_their_busy_label(
    staff_client, upcoming_event, make_participant, django_capture_on_commit_callbacks
):
    event = upcoming_event
    RequestFactory(sender=make_participant(), recipient=make_participant())
    url = f"/organiser/{event.slug}/scheduler/"
    assert '<form method="post" class="stack" id="run-form" data-busy-label="Running…">' in get(
        staff_client, url
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, {"time_limit": "1"}).status_code == 302
    run = ScheduleRun.objects.get(event=event)
    assert run.status == ScheduleRun.Status.DRAFT
    publish = f"{url}runs/{run.pk}/publish/"
    for page in (url, f"{url}runs/"):
        assert f'<form method="post" action="{publish}" data-busy-label="Publishing…">' in get(
            staff_client, page
        )


# 3. time ranges keep their order in Arabic


def test_arabic_time_ranges_are_isolated_left_to_right(staff_client, event, make_participant, book):
    a, b = make_participant(), make_participant()
    meeting = book(a, b, 0)

    agenda = get(staff_client, f"/organiser/{event.slug}/participants/{a.pk}/", "ar")
    assert '<th scope="row" class="agenda-time"><bdi dir="ltr">09:00–09:20</bdi></th>' in agenda
    printable = get(staff_client, f"/organiser/{event.slug}/participants/{a.pk}/agenda/", "ar")
    assert '<bdi dir="ltr">09:00–09:20</bdi>' in printable

    page = get(staff_client, f"/organiser/{event.slug}/meetings/{meeting.pk}/", "ar")
    assert '<bdi dir="ltr">09:00–09:20</bdi></dd>' in page
    # the Move form's times: an <option> holds only text, so Unicode isolates
    assert f"{LRI}09:20–09:40{PDI}</option>" in page


# 4. a Latin name in the Arabic console is cut at its end


def test_names_take_their_own_direction_in_grid_and_top_bar(
    staff_client, event, make_participant, book
):
    a = make_participant(name="Fatima Zahra Naciri")
    book(a, make_participant(), 0)
    html = get(staff_client, f"/organiser/{event.slug}/grid/", "ar")
    assert '<span class="who-name" dir="auto">Fatima Zahra Naciri</span>' in html
    assert f'<span class="who-org" dir="auto">{a.organisation.name}</span>' in unescape(html)
    assert f'<span class="topbar-event" dir="auto" title="{event.name}">' in html


# 5. the back arrow points back in either direction


@pytest.mark.parametrize(("language", "arrow"), [("en", "←"), ("fr", "←"), ("ar", "→")])
def test_meeting_back_arrow_follows_the_page_direction(
    staff_client, event, make_participant, book, language, arrow
):
    meeting = book(make_participant(), make_participant(), 0)
    html = get(staff_client, f"/organiser/{event.slug}/meetings/{meeting.pk}/", language)
    assert re.search(
        rf'<p class="back"><a href="[^"]*"><span aria-hidden="true">{arrow}</span> ', html
    )


# 6. the charts run as the grid does


def test_charts_run_right_to_left_in_arabic(staff_client, event, make_participant, book):
    book(make_participant(), make_participant(), 0)
    make_participant()

    def first_and_last(html: str, cls: str) -> tuple[float, float]:
        xs = [float(x) for x in re.findall(rf'<rect x="([\d.]+)"[^>]*class="{cls}', html)]
        return xs[0], xs[-1]

    ltr = get(staff_client, f"/organiser/{event.slug}/stats/", "en")
    rtl = get(staff_client, f"/organiser/{event.slug}/stats/", "ar")
    first, last = first_and_last(ltr, "heat-cell")
    assert first < last  # the day's first slot on the left
    first, last = first_and_last(rtl, "heat-cell")
    assert first > last  # ... and on the right, as in the Arabic grid
    first, last = first_and_last(ltr, "chart-bar")
    assert first < last  # 0 meetings on the left
    first, last = first_and_last(rtl, "chart-bar")
    assert first > last
    assert 'text-anchor="start" dominant-baseline="middle"' in rtl  # the value axis on the right


# 7. the grid's dialog: time, table, the rules' times, focus; a refusal comes back


def test_grid_carries_slot_times_table_names_and_dialog_focus(
    staff_client, event, make_participant, book
):
    book(make_participant(), make_participant(), 0)
    html = get(staff_client, f"/organiser/{event.slug}/grid/")
    slot = event.slots.order_by("start").first()
    opens = slot.start - dt.timedelta(minutes=settings.CHECK_IN_OPENS_MINUTES)
    assert (
        f'<th scope="col" class="grid-slot" data-time="09:00–09:20" '
        f'data-start="{slot.start.isoformat()}" data-opens="{opens.isoformat()}">'
    ) in html
    assert re.search(
        r'<th scope="row" class="grid-table" data-table="[^"]+"><span dir="auto">', html
    )
    assert '<bdi dir="ltr" data-dialog-time></bdi>' in html
    assert 'data-day="Wednesday 18 April 2018"' in html
    assert '<button type="button" class="btn btn-ghost" data-dialog-close autofocus>' in html
    assert (
        "Check-in opens 30 minutes before the meeting; held or no-show once it has started." in html
    )


def test_refused_status_from_the_grid_comes_back_to_the_grid_with_the_message(
    staff_client, upcoming_event
):
    from matchmaking.services.meetings import meeting_book
    from tests.factories import ParticipantFactory

    event = upcoming_event
    request = RequestFactory(sender=ParticipantFactory(event=event))
    slot = event.slots.order_by("start").first()
    meeting = meeting_book(request=request, slot=slot, actor=Actor(system=True))
    grid_url = f"/organiser/{event.slug}/grid/?date={slot.date.isoformat()}"

    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/",
        {"status": "held", "next": grid_url},
    )

    assert response.status_code == 302
    assert response["Location"] == grid_url  # not a page at the POST's address
    page = get(staff_client, grid_url)
    assert '<li class="message message-error">This meeting starts on ' in page
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_meeting_page_status_form_comes_back_to_the_meeting(
    staff_client, upcoming_event, make_participant
):
    from matchmaking.services.meetings import meeting_book

    event = upcoming_event
    request = RequestFactory(sender=make_participant(event=event))
    meeting = meeting_book(
        request=request, slot=event.slots.order_by("start").first(), actor=Actor(system=True)
    )
    grid = f"/organiser/{event.slug}/grid/?date=2030-01-01"
    page_url = f"/organiser/{event.slug}/meetings/{meeting.pk}/"
    html = get(staff_client, f"{page_url}?next={grid}")
    status_url = f"{page_url}status/?next=%2Forganiser%2F{event.slug}%2Fgrid%2F%3Fdate%3D2030-01-01"
    form = f'<form method="post" action="{status_url}" id="status-form" class="actions">'
    assert form in unescape(html)

    response = staff_client.post(status_url, {"status": "no_show"})

    assert response.status_code == 302
    assert response["Location"] == status_url.replace("status/", "")


# 8. the console's icon


def test_console_links_its_icon():
    from django.test import Client

    html = Client().get("/organiser/login/").content.decode()
    assert '<link rel="icon" href="/static/matchmaking/favicon.svg" type="image/svg+xml">' in html
    path = finders.find("matchmaking/favicon.svg")
    with open(path, "rb") as f:
        svg = f.read()
    assert svg.startswith(b"<svg") and len(svg) < 1024


# 9. wide tables scroll in their own box


def test_wide_tables_scroll_in_their_own_box(staff_client, event, make_participant, book):
    a = make_participant()
    book(a, make_participant(), 0)
    people = get(staff_client, f"/organiser/{event.slug}/participants/?q=")
    assert people.count('<div class="table-scroll"><table class="table">') == 1
    page = get(staff_client, f"/organiser/{event.slug}/participants/{a.pk}/")
    # every table (the agenda's days, times at the fair, requests, change log) is wrapped
    assert page.count("<table") == page.count('<div class="table-scroll"><table') >= 4


# 10. a cancelled meeting is not "fixed"


def test_cancelled_fixed_meeting_is_not_shown_fixed(
    staff_client, staff, event, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    meeting_set_fixed(meeting=meeting, fixed=True, actor=Actor(user=staff, organiser=True))
    meeting_cancel(meeting=meeting, user=staff, reason="")
    assert Meeting.objects.get(pk=meeting.pk).fixed is True
    page = get(staff_client, f"/organiser/{event.slug}/meetings/{meeting.pk}/")
    assert "fixed by the organiser" not in page
    assert "Fix in place" not in page and "Release" not in page
    grid = get(staff_client, f"/organiser/{event.slug}/grid/")
    assert 'class="pin"' not in grid


# 11. the language menu has a real button (JavaScript hides it unless the keyboard changed it)


def test_language_menu_has_a_change_button(staff_client, event):
    html = get(staff_client, f"/organiser/{event.slug}/grid/")
    form = html[html.index('<form action="/i18n/setlang/"') :]
    form = form[: form.index("</form>")]
    assert "data-autosubmit" in form
    assert '<button type="submit" class="btn btn-ghost btn-small" data-autosubmit-button>' in form
    assert "<noscript>" not in form


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_status_colours_are_readable_at_the_desk():
    """Status words are small bold text: WCAG AA asks 4.5:1, for the label on its tinted cell
    and for white on the status buttons (checked-in teal was 2.9:1 and 3.3:1)."""
    import re
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "matchmaking" / "static" / "matchmaking"
    css = (static / "organiser.css").read_text()
    colours = dict(re.findall(r"--(st-[a-z_]+(?:-bg)?):\s*(#[0-9a-fA-F]{6})", css))
    statuses = [name for name in colours if not name.endswith("-bg")]
    assert len(statuses) == 5
    for name in statuses:
        assert _contrast(colours[name], colours[f"{name}-bg"]) >= 4.5, name
        assert _contrast(colours[name], "#ffffff") >= 4.5, name
    pt = (static / "participant.css").read_text()
    pairs = re.findall(
        r"\.pt-status-[a-z_]+[^{]*\{\s*background:\s*(#[0-9a-fA-F]{6});\s*color:\s*var\(--([a-z-]+)\)",
        pt,
    )
    pt_vars = dict(re.findall(r"--(pt-[a-z]+):\s*(#[0-9a-fA-F]{6})", pt))
    assert len(pairs) >= 3
    for background, var in pairs:
        assert _contrast(pt_vars[var], background) >= 4.5, var


def test_the_desk_gives_a_participant_a_new_calendar_address(
    staff_client, event, make_participant, client
):
    a = make_participant()
    old = a.calendar_token
    page = get(staff_client, f"/organiser/{event.slug}/participants/{a.pk}/")
    assert "New calendar address" in page
    done = staff_client.post(
        f"/organiser/{event.slug}/participants/{a.pk}/calendar-link/", follow=True
    )
    assert done.status_code == 200
    assert "has a new calendar address" in done.content.decode()
    a.refresh_from_db()
    assert a.calendar_token != old
    assert client.get(f"/api/calendar/{old}.ics").status_code == 404
    assert client.get(f"/api/calendar/{a.calendar_token}.ics").status_code == 200
