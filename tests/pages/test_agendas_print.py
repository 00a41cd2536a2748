"""Every attending participant's agenda on one printable page: each on a sheet of its own (a
page break between them), in its participant's language, filterable by kind, read in a fixed
number of queries whatever the number of participants."""

import re
from html import unescape

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def url(event, query=""):
    return f"/organiser/{event.slug}/agendas/{query}"


def sheets(html: str) -> list[tuple[str, str, str]]:
    """(lang, dir, the sheet's heading) of each agenda on the page."""
    found = re.findall(
        r'<div class="print-sheet agenda-page" lang="(\w+)" dir="(\w+)">.*?<h1>([^<]*)</h1>',
        html,
        re.S,
    )
    return [(lang, d, unescape(h)) for lang, d, h in found]


def test_every_attending_participants_agenda_on_its_own_page_in_their_language(
    staff_client, event, make_participant, book
):
    amina = make_participant(name="Amina", languages=["ar"], kind="delegation")
    bruno = make_participant(name="Bruno", languages=["fr"], kind="exhibitor")
    chen = make_participant(name="Chen", languages=["en"], kind="exhibitor")
    gone = make_participant(name="Gone", languages=["en"], kind="exhibitor")
    gone.withdrawn_at = timezone.now()
    gone.save(update_fields=["withdrawn_at"])
    book(amina, bruno, 0)
    cancelled = book(amina, chen, 1)
    cancelled.status = "cancelled"
    cancelled.save(update_fields=["status"])

    response = staff_client.get(url(event))

    assert response.status_code == 200
    html = response.content.decode()
    assert sheets(html) == [
        ("ar", "rtl", "جدول المواعيد: Amina"),
        ("fr", "ltr", "Agenda: Bruno"),
        ("en", "ltr", "Agenda: Chen"),
    ]
    pages = html.split('<div class="print-sheet agenda-page"')[1:]
    assert "Bruno" in pages[0] and "Amina" in pages[1]  # the one meeting, on both sides
    assert "Chen" not in pages[0] and "Amina" not in pages[2]  # the cancelled one on neither
    assert "Heures locales de l’événement" in unescape(pages[1])  # Bruno's, in French
    assert "الأوقات بالتوقيت المحلي للحدث" in pages[0]
    assert "Times are local to the event" in pages[2]
    assert "Gone" not in html  # who no longer comes gets no agenda
    assert "data-print" in html


def test_the_page_break_between_agendas_is_in_the_print_css():
    from pathlib import Path

    import matchmaking

    css = (Path(matchmaking.__file__).parent / "static/matchmaking/organiser.css").read_text()
    rule = ".agenda-page + .agenda-page { break-before: page; page-break-before: always; }"
    assert rule in css.split("@media print", 1)[1]


def test_filtered_by_kind_and_an_unknown_kind_is_a_400(staff_client, event, make_participant):
    make_participant(name="Amina", kind="delegation")
    make_participant(name="Bruno", kind="exhibitor")
    html = staff_client.get(url(event, "?kind=delegation")).content.decode()
    assert [h for _l, _d, h in sheets(html)] == ["Agenda: Amina"]
    assert '<option value="delegation" selected>' in html
    bad = staff_client.get(url(event, "?kind=robot"), follow=True)
    assert bad.status_code == 400
    assert "Choose one of the offered kinds of participant." in bad.content.decode()
    none = staff_client.get(url(event, "?kind=media")).content.decode()
    assert "No participant who comes to the fair is of this kind." in none


def test_the_queries_do_not_grow_with_the_participants(
    staff_client, event, make_participant, book, django_assert_max_num_queries
):
    a, b = make_participant(languages=["fr"]), make_participant(languages=["ar"])
    book(a, b, 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url(event)).status_code == 200
    for i in range(12):
        c, d = make_participant(languages=["en"]), make_participant(languages=["fr"])
        book(c, d, i % 6)
    with django_assert_max_num_queries(len(few)):
        response = staff_client.get(url(event))
    assert len(sheets(response.content.decode())) == 26


def test_the_exports_page_links_it(staff_client, event):
    html = staff_client.get(f"/organiser/{event.slug}/exports/").content.decode()
    assert f'href="/organiser/{event.slug}/agendas/">Print all agendas at once</a>' in html


def test_only_organisers_of_the_event(event, make_participant, as_participant):
    from django.test import Client

    from tests.factories import UserFactory

    outsider = Client()
    outsider.force_login(UserFactory(username="outsider", is_staff=True))
    assert outsider.get(url(event)).status_code == 403
    amina = make_participant(name="Amina")
    assert as_participant(amina).get(url(event)).status_code in (302, 403)


def test_the_page_around_the_sheets_speaks_the_organisers_language(
    staff_client, event, make_participant
):
    make_participant(name="Amina", languages=["en"])
    html = staff_client.get(url(event), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tous les agendas" in html
    assert "Agendas 1 à 1 sur 1, chacun sur sa propre page, dans la langue de son participant." in (
        unescape(html)
    )
    assert sheets(html) == [("en", "ltr", "Agenda: Amina")]  # the sheet, Amina's language


def test_a_hundred_agendas_a_page_with_the_kind_kept_across_pages(
    staff_client, event, make_participant, book, monkeypatch
):
    """A large fair's every agenda at once was a page of 26 MB in 7.8 s (2,000 people, pages
    bench): they come a page of ``AGENDAS_PER_PAGE`` at a time, the kind kept from page to page,
    each page's meetings read for its people only."""
    from matchmaking.pages import organiser

    monkeypatch.setattr(organiser, "AGENDAS_PER_PAGE", 2)
    a, _b, c = (make_participant(name=n, kind="exhibitor") for n in ("Ana", "Ben", "Cy"))
    make_participant(name="Dee", kind="delegation")
    book(a, c, 0)

    first = staff_client.get(url(event, "?kind=exhibitor")).content.decode()
    assert [h for _l, _d, h in sheets(first)] == ["Agenda: Ana", "Agenda: Ben"]
    assert "Agendas 1 to 2 of 3" in unescape(first)
    assert 'href="?kind=exhibitor&amp;page=2" data-next-agendas' in first
    second = staff_client.get(url(event, "?kind=exhibitor&page=2")).content.decode()
    assert [h for _l, _d, h in sheets(second)] == ["Agenda: Cy"]
    assert "Ana" in second  # Cy's meeting with Ana, read for Cy's page
    assert "data-next-agendas" not in second and "Previous agendas" in second


@pytest.mark.parametrize("page", ["3", "0", "x"])
def test_a_page_that_does_not_exist_is_a_400_with_a_sentence(
    staff_client, event, make_participant, page
):
    make_participant(name="Ana")
    response = staff_client.get(url(event, f"?page={page}"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    said = [str(m) for m in response.context["messages"]]
    assert said == ["No such page of agendas: choose a page from 1 to 1."]
