"""End-to-end: the organiser console in headless Chromium (Debian's /usr/bin/chromium, driven by
the ``playwright`` Python package) against pytest-django's live server, on the demo event.

Screenshots of the grid and the statistics go to var/screenshots/ on every run.
"""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import requests
from django.db import connections
from django.utils import timezone

from matchmaking.demo_data import move_to_upcoming
from matchmaking.models import Event, Meeting, MeetingRequest, Slot
from matchmaking.services.importer import event_import
from matchmaking.services.participants import participant_token
from tests.conftest import _missing
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
DEMO = ROOT / "fixtures" / "smart_city_expo_2018.json"
DAY = "2018-04-18"


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        _missing(f"needs Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("needs the playwright Python package: pip install playwright")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            # ORM calls made while Playwright's event loop runs get their own connections
            # (asgiref locals follow the context); close them, or PostgreSQL cannot drop the
            # test database at the end of the session.
            connections.close_all()
            context.close()
            chromium.close()


def _load_demo(data: dict) -> Event:
    user = UserFactory(username="organiser", is_staff=True)
    user.set_password("expo2018-secret")
    user.save()
    return event_import(data=data, organisers=[user])


@pytest.fixture
def demo(db):
    """The demo fair as held, in April 2018 (its meetings happened: no-shows can be marked)."""
    return _load_demo(json.loads(DEMO.read_text()))


@pytest.fixture
def upcoming_demo(db):
    """The demo fair moved to the coming weeks as ``manage.py demo`` does (``move_to_upcoming``):
    its days, booking window, availability and meetings move together, so participants can book.
    Returns the event and its moved first day."""
    data, moved = move_to_upcoming(json.loads(DEMO.read_text()), timezone.localdate())
    day = dt.date.fromisoformat(DAY) + dt.timedelta(days=moved)
    return _load_demo(data), day.isoformat()


def login(page, base):
    page.goto(f"{base}/organiser/login/")
    page.fill("input[name=username]", "organiser")
    page.fill("input[name=password]", "expo2018-secret")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/organiser/")


def day_count(event) -> int:
    return (
        Meeting.objects.filter(event=event, slot__date=DAY)
        .exclude(status=Meeting.Status.CANCELLED)
        .count()
    )


def test_organiser_marks_no_show_from_grid_and_statistics_follow(browser, live_server, demo):
    page, base = browser, live_server.url
    login(page, base)
    page.click(f"a[href='/organiser/{demo.slug}/grid/']")
    page.wait_for_selector("[data-grid]")
    expected = day_count(demo)
    assert expected > 0
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}")
    assert int(page.inner_text("[data-grid-count]")) == expected
    assert page.locator("td.grid-meeting:not(.st-cancelled)").count() == expected

    page.goto(f"{base}/organiser/{demo.slug}/stats/")
    before = int(page.inner_text("[data-stat=no_show]"))
    assert before == Meeting.objects.filter(event=demo, status="no_show").count()

    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}&tables=used")
    page.screenshot(path=str(SHOTS / "grid.png"), full_page=False)
    cell = page.locator("td.grid-meeting.st-scheduled a").first
    meeting_id = int(cell.locator("xpath=..").get_attribute("data-meeting"))
    cell.click()
    page.wait_for_selector("#meeting-dialog[open]")
    page.screenshot(path=str(SHOTS / "grid-dialog.png"), full_page=False)
    page.click("#meeting-dialog button[value=no_show]")
    page.wait_for_selector(".message-success")
    assert Meeting.objects.get(pk=meeting_id).status == Meeting.Status.NO_SHOW
    assert page.locator(f"td.grid-meeting.st-no_show[data-meeting='{meeting_id}']").count() == 1

    page.goto(f"{base}/organiser/{demo.slug}/stats/")
    assert int(page.inner_text("[data-stat=no_show]")) == before + 1
    page.screenshot(path=str(SHOTS / "stats.png"), full_page=True)

    # The same pages in Arabic mirror right to left.
    page.select_option("#language-select", "ar")
    page.wait_for_selector("html[dir=rtl]")
    page.screenshot(path=str(SHOTS / "stats-ar.png"), full_page=False)
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}&tables=used")
    page.screenshot(path=str(SHOTS / "grid-ar.png"), full_page=False)


def test_grid_dialog_offers_statuses_by_the_servers_clock_not_the_desks(browser, live_server, demo):
    """A desk whose clock is a day slow (or a year fast) still gets the buttons the server's
    rules allow: the dialog reads the time the page was made, not the desk's clock."""
    page, base = browser, live_server.url
    login(page, base)
    page.clock.install(time=dt.datetime(2018, 4, 17, 9, 0, tzinfo=dt.UTC))  # the fair's eve
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}&tables=used")
    page.locator("td.grid-meeting.st-scheduled a").first.click()
    page.wait_for_selector("#meeting-dialog[open]")
    # the meeting was in April 2018: by the server's clock it has happened
    assert page.locator("#meeting-dialog button[value=no_show]").is_enabled()
    assert page.locator("#meeting-dialog button[value=held]").is_enabled()
    assert page.locator("[data-dialog-early]").is_hidden()


def test_grid_dialog_refuses_a_status_once_someone_else_changed_the_meeting(
    browser, live_server, demo
):
    """The grid was loaded; a colleague then marks the meeting held (from their desk); this
    grid, not refreshed yet, marks it no-show: refused (409, the meeting page as it is now,
    the same words as the meeting page's forms), the colleague's status kept. Once the grid
    has refreshed, the dialog sends the version it now shows and the change goes through."""
    from matchmaking.services.meetings import Actor, meeting_set_status

    page, base = browser, live_server.url
    login(page, base)
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}&tables=used")
    cell = page.locator("td.grid-meeting.st-scheduled a").first
    meeting = Meeting.objects.get(pk=int(cell.locator("xpath=..").get_attribute("data-meeting")))
    assert cell.get_attribute("data-version") == str(meeting.version)
    meeting_set_status(meeting=meeting, status="held", actor=Actor(system=True))

    cell.click()
    page.wait_for_selector("#meeting-dialog[open]")
    with page.expect_response(lambda r: r.url.endswith("/status/")) as answer:
        page.click("#meeting-dialog button[value=no_show]")
    assert answer.value.status == 409
    assert "This meeting was changed by someone else since you loaded the page" in (
        page.inner_text(".message-error")
    )
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD

    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}&tables=used")
    page.locator(f"td[data-meeting='{meeting.pk}'] a").click()
    page.wait_for_selector("#meeting-dialog[open]")
    page.click("#meeting-dialog button[value=no_show]")
    page.wait_for_selector(".message-success")
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.NO_SHOW


def test_grid_dialog_keeps_early_statuses_off_when_the_desks_clock_is_fast(
    browser, live_server, upcoming_demo
):
    page, base = browser, live_server.url
    demo, day = upcoming_demo
    login(page, base)
    page.clock.install(time=timezone.now() + dt.timedelta(days=365))
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={day}&tables=used")
    page.locator("td.grid-meeting.st-scheduled a").first.click()
    page.wait_for_selector("#meeting-dialog[open]")
    # the meeting is weeks away by the server's clock
    for status in ("checked_in", "held", "no_show"):
        assert page.locator(f"#meeting-dialog button[value={status}]").is_disabled()
    assert page.locator("[data-dialog-early]").is_visible()


def test_meeting_booked_by_participants_appears_in_grid(browser, live_server, upcoming_demo):
    page, base = browser, live_server.url
    demo, day = upcoming_demo
    request = (
        MeetingRequest.objects.filter(event=demo, status="pending", session="any")
        .exclude(sender__availability__isnull=False)  # both at the fair the whole time
        .exclude(recipient__availability__isnull=False)
        .select_related("sender__organisation", "recipient__organisation")
        .order_by("id")
        .first()
    )
    login(page, base)
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={day}")
    page.wait_for_selector("[data-grid]")
    before = int(page.inner_text("[data-grid-count]"))

    api = f"{base}/api/events/{demo.slug}"
    recipient = {"Authorization": f"Token {participant_token(email=request.recipient.email)}"}
    accepted = requests.post(f"{api}/requests/{request.pk}/accept/", headers=recipient, timeout=10)
    assert accepted.status_code == 200, accepted.text
    booked = None
    for slot in Slot.objects.filter(event=demo, date=day).order_by("start"):
        answer = requests.post(
            f"{api}/meetings/book/",
            json={"request": request.pk, "slot": slot.pk},
            headers=recipient,
            timeout=10,
        )
        if answer.status_code == 201:
            booked = answer.json()
            break
        assert answer.status_code == 409, answer.text  # busy at that time: try the next slot
    assert booked is not None, answer.text

    # The grid refreshes itself (every 15 s); trigger its refresh now rather than wait.
    page.evaluate("document.getElementById('grid-live').refreshNow()")
    cell = page.locator(f"td.grid-meeting[data-meeting='{booked['id']}']")
    cell.wait_for()
    text = cell.inner_text()
    for person in (request.sender, request.recipient):
        assert person.name in text
        assert person.organisation.name in text
    assert int(page.inner_text("[data-grid-count]")) == before + 1
    assert re.search(r"\d", page.inner_text("[data-updated]"))


def test_a_long_publish_keeps_its_button_disabled_while_the_runs_refresh(browser, live_server):
    """The publish form says "Publishing…" and stays disabled until the answer comes, even
    while another run keeps the runs' box refreshing every 3 seconds (the refresh used to swap
    a fresh, enabled form in)."""
    from matchmaking.models import ScheduleRun
    from matchmaking.services.scheduling import schedule_run_create, schedule_run_execute
    from tests.factories import EventFactory, ParticipantFactory, RequestFactory

    page, base = browser, live_server.url
    event = EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])
    RequestFactory(
        sender=ParticipantFactory(event=event), recipient=ParticipantFactory(event=event)
    )
    user = UserFactory(username="organiser", is_staff=True)
    user.set_password("pw-secret-123")
    user.save()
    event.organisers.add(user)
    run = schedule_run_execute(run=schedule_run_create(event=event, user=user, enqueue=False))
    assert run.status == "draft"
    ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.RUNNING, progress=0.5)

    page.goto(f"{base}/organiser/login/")
    page.fill("input[name=username]", "organiser")
    page.fill("input[name=password]", "pw-secret-123")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/organiser/")
    page.goto(f"{base}/organiser/{event.slug}/scheduler/")
    refreshes = []
    page.on("request", lambda r: refreshes.append(r.url) if r.url.endswith("/runs/") else None)
    # a stand-in for a slow server: the post never leaves (this listener runs after the page's)
    page.evaluate("window.addEventListener('submit', function (e) { e.preventDefault(); })")
    page.on("dialog", lambda d: d.accept())
    button = page.locator(f"form[action$='/runs/{run.pk}/publish/'] button[type=submit]")
    button.click(no_wait_after=True)
    page.wait_for_timeout(4_500)  # more than one 3-s refresh of the busy runs' box

    assert button.inner_text() == "Publishing…"
    assert button.is_disabled()
    assert refreshes == []  # the box waits while a post is on its way


def test_proposed_times_follow_the_part_of_the_day_chosen(browser, live_server):
    """Choosing "In the morning" in a request's form hides the afternoon's times from
    "Propose a time" (and lets go of one chosen), "Any time" shows them all again."""
    from django.conf import settings
    from django.test import Client

    from tests.factories import EventFactory, ParticipantFactory
    from tests.pages.test_participant_pages import recommend

    page, base = browser, live_server.url
    event = EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])
    amina = ParticipantFactory(event=event, name="Amina", kind="delegation")
    bruno = ParticipantFactory(event=event, name="Bruno", kind="exhibitor")
    recommend(amina, bruno, 1)
    client = Client()
    client.force_login(amina.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    slots = list(event.slots.order_by("start"))
    morning = [str(s.pk) for s in slots if s.part == Slot.MORNING]
    afternoon = [str(s.pk) for s in slots if s.part == Slot.AFTERNOON]
    assert len(morning) == 6 and len(afternoon) == 3

    page.goto(f"{base}/my/{event.slug}/recommendations/")
    page.click(f"details.pt-request:has(#slot-{bruno.pk}) summary")
    when, times = f"#session-{bruno.pk}", f"#slot-{bruno.pk}"

    def shown():
        return page.eval_on_selector(
            times, "s => Array.from(s.options).filter(o => !o.hidden).map(o => o.value)"
        )

    assert shown() == ["", *morning, *afternoon]
    page.select_option(times, afternoon[0])
    page.select_option(when, "morning")
    assert shown() == ["", *morning]
    assert page.input_value(times) == ""  # the afternoon's time chosen is let go
    page.select_option(when, "afternoon")
    assert shown() == ["", *afternoon]
    page.select_option(when, "any")
    assert shown() == ["", *morning, *afternoon]

    page.select_option(when, "morning")
    page.select_option(times, morning[2])
    page.click(f"details.pt-request:has(#slot-{bruno.pk}) button[type=submit]")
    page.wait_for_selector(".pt-message-success")
    sent = MeetingRequest.objects.get(sender=amina)
    assert (sent.session, str(sent.proposed_slot_id)) == ("morning", morning[2])


def test_accepting_a_request_at_another_time(browser, live_server):
    """The recipient opens "Accept at another time" beside Accept, picks one of the times free
    for both, and is back on the page with the meeting booked then."""
    from django.conf import settings
    from django.test import Client

    from matchmaking.services.requests import request_create
    from tests.factories import EventFactory, ParticipantFactory

    page, base = browser, live_server.url
    event = EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])
    amina = ParticipantFactory(event=event, name="Amina", kind="delegation")
    bruno = ParticipantFactory(event=event, name="Bruno", kind="exhibitor")
    slots = list(event.slots.order_by("start"))
    request = request_create(sender=amina, recipient=bruno, slot=slots[0])
    client = Client()
    client.force_login(bruno.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])

    page.goto(f"{base}/my/{event.slug}/requests/")
    page.click(f"#accept-at-{request.pk} summary")
    page.select_option(f"#accept-slot-{request.pk}", str(slots[4].pk))
    page.screenshot(path=str(SHOTS / "requests-accept-at-another-time.png"), full_page=True)
    page.click(f"#accept-at-{request.pk} button[type=submit]")
    page.wait_for_selector(".pt-message-success")

    assert "the meeting is booked on" in page.inner_text(".pt-message-success")
    assert Meeting.objects.get(request=request).slot == slots[4]


def test_the_grid_opens_scrolled_to_the_slot_under_way(browser, live_server, demo):
    """During the fair the grid opens on the slot under way (the server marks #grid-now; the
    page's script scrolls it into view); otherwise it opens at the day's start."""
    from unittest import mock

    base = live_server.url
    login(browser, base)
    last = Slot.objects.filter(event=demo, date=DAY).order_by("start").last()
    grid = f"{base}/organiser/{demo.slug}/grid/?date={DAY}"

    def scrolled() -> dict:
        return browser.evaluate(
            """() => {
              const box = document.querySelector('.grid-scroll');
              const now = document.getElementById('grid-now');
              const seen = now && (() => {
                const a = box.getBoundingClientRect(), b = now.getBoundingClientRect();
                return b.left >= a.left && b.right <= a.right;
              })();
              return {left: box.scrollLeft, wide: box.scrollWidth > box.clientWidth,
                      marked: !!now, seen: !!seen};
            }"""
        )

    with mock.patch.object(timezone, "now", return_value=last.start + dt.timedelta(minutes=1)):
        browser.goto(grid)
        browser.wait_for_selector("#grid-now")
        during = scrolled()
        browser.screenshot(path=str(SHOTS / "grid-now.png"))
    assert during["wide"], "the day's grid must be wider than the page for this test"
    assert during["marked"] and during["seen"] and during["left"] > 0
    with mock.patch.object(timezone, "now", return_value=last.end + dt.timedelta(days=1)):
        browser.goto(grid)
        browser.wait_for_selector(".grid-scroll")
        after = scrolled()
    assert after == {"left": 0, "wide": True, "marked": False, "seen": False}


def test_grid_dialog_names_who_did_not_come_to_a_no_show(browser, live_server, demo):
    page, base = browser, live_server.url
    login(page, base)
    page.goto(f"{base}/organiser/{demo.slug}/grid/?date={DAY}&tables=used")
    cell = page.locator("td.grid-meeting.st-scheduled a").first
    meeting_id = int(cell.locator("xpath=..").get_attribute("data-meeting"))
    meeting = Meeting.objects.select_related("request__recipient").get(pk=meeting_id)
    cell.click()
    page.wait_for_selector("#meeting-dialog[open]")
    option = "#meeting-dialog option[value=recipient]"
    assert page.inner_text(option) == f"{meeting.request.recipient.name} did not come"
    assert page.input_value("#meeting-dialog [data-dialog-absent]") == ""

    page.select_option("#meeting-dialog [data-dialog-absent]", "recipient")
    page.click("#meeting-dialog button[value=no_show]")
    page.wait_for_selector(".message-success")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.absent) == ("no_show", "recipient")
    # opened again: the choice made shows, and No-show stays on to correct it
    page.click(f"td.grid-meeting[data-meeting='{meeting_id}'] a")
    page.wait_for_selector("#meeting-dialog[open]")
    assert page.input_value("#meeting-dialog [data-dialog-absent]") == "recipient"
    assert page.locator("#meeting-dialog button[value=no_show]").is_enabled()
