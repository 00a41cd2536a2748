"""The participant's agenda printed (a delegate's day on paper): the meetings, whose agenda it
is, and nothing else; never the private calendar subscription address, the menus or the forms.
Rendered in headless Chromium with the print media type."""

import contextlib
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import _missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHROMIUM = "/usr/bin/chromium"
CSS = Path(__file__).resolve().parents[2] / "matchmaking" / "static" / "matchmaking"


@pytest.fixture
def chromium():
    """open(html) -> a Chromium page showing it. The page is rendered by the test client
    before Chromium starts: Playwright's event loop in this thread would give the ORM calls
    another connection, and the test database's tables would be locked."""
    if not Path(CHROMIUM).exists():
        _missing(f"needs Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("needs the playwright Python package")
    with contextlib.ExitStack() as stack:

        def open_page(html: str):
            pw = stack.enter_context(sync_playwright())
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            stack.callback(browser.close)
            page = browser.new_page()
            page.set_default_timeout(5_000)
            page.set_content(html)
            return page

        yield open_page


def _agenda_html(event, me) -> str:
    """The agenda page with its stylesheet inlined (no server: set_content)."""
    client = Client()
    client.force_login(me.user)
    html = client.get(f"/my/{event.slug}/agenda/").content.decode()
    css = (CSS / "participant.css").read_text()
    return html.replace("</head>", f"<style>{css}</style></head>", 1)


def test_the_printed_agenda_shows_the_meetings_and_hides_the_menus_forms_and_feed(
    event, make_participant, book, chromium
):
    me = make_participant(name="Mariem Ould Cheikh")
    other = make_participant(name="Laura Vidal")
    book(me, other, 0)
    page = chromium(_agenda_html(event, me))
    assert page.locator("input.pt-feed").is_visible()  # on screen: the subscription address

    page.emulate_media(media="print")
    assert page.locator(".pt-meeting").first.is_visible()
    assert "Laura Vidal" in page.locator(".pt-meeting").first.inner_text()
    assert "Mariem Ould Cheikh" in page.locator("[data-print-who]").inner_text()
    for hidden in (
        ".pt-topbar",
        "input.pt-feed",
        ".pt-meeting form",
        ".pt-meeting details",
        "a.pt-write",
        "#book",
    ):
        assert page.locator(hidden).first.is_hidden(), hidden
