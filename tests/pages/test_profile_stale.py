"""The participant's profile page left open while the profile changes elsewhere (the app, the
API, another tab): it saves only what was changed on it, and a field changed on both is
refused (409) instead of being overwritten in silence."""

from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FORM = '<form method="post" class="pt-form pt-card" novalidate>'


class _Fields(HTMLParser):
    """The fields a browser sends for a form: inputs (checked boxes only), textareas, selects."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = [""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = [a.get("value") or ""]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][0] += (
                data.removeprefix("\n") if not self.fields[self._textarea][0] else data
            )


def profile_form(html: str) -> dict:
    form = html[html.index(FORM) :]
    form = form[: form.index("</form>")]
    parser = _Fields()
    parser.feed(form)
    return {k: v if len(v) > 1 or k.endswith("sectors") else v[0] for k, v in parser.fields.items()}


@pytest.fixture
def amina(make_participant):
    me = make_participant(
        name="Amina Alaoui", title="Engineer", city="Rabat", languages=["fr"], country="MA"
    )
    me.profile.offers = ["Open traffic data"]
    me.profile.sectors = ["mobility"]
    me.profile.save()
    return me


def page(event) -> str:
    return f"/my/{event.slug}/profile/"


def browser(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_a_stale_profile_page_keeps_what_the_app_changed_meanwhile(event, amina, as_participant):
    """Amina opens her profile on the laptop, changes her title in the phone app, then edits
    her city on the laptop page and saves: the page's old title no longer overwrites the app's."""
    laptop = browser(amina)
    stale = profile_form(laptop.get(page(event)).content.decode())
    assert stale["title"] == "Engineer" and stale["shown-title"] == "Engineer"
    app = as_participant(amina).patch(
        f"/api/events/{event.slug}/me/",
        {"title": "CTO", "sectors": ["mobility", "parking"]},
        format="json",
    )
    assert app.status_code == 200, app.data
    saved = laptop.post(page(event), {**stale, "city": "Salé"})
    assert saved.status_code == 302
    amina.refresh_from_db()
    assert (amina.title, amina.city) == ("CTO", "Salé")
    assert amina.profile.sectors == ["mobility", "parking"]
    assert amina.profile.offers == ["Open traffic data"]


def test_a_field_changed_on_the_page_and_in_the_app_is_refused(event, amina, as_participant):
    laptop = browser(amina)
    stale = profile_form(laptop.get(page(event)).content.decode())
    app = as_participant(amina).patch(
        f"/api/events/{event.slug}/me/", {"title": "CTO"}, format="json"
    )
    assert app.status_code == 200, app.data
    refused = laptop.post(page(event), {**stale, "title": "Head of mobility", "city": "Salé"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert (
        "Your profile was changed elsewhere since it was read (in another tab, in the app, or "
        "by the organisers): nothing was saved." in html
    )
    amina.refresh_from_db()
    assert (amina.title, amina.city) == ("CTO", "Rabat")
    # the form shows the profile as it is now: saved again from it, it goes through
    now = profile_form(html)
    assert (now["title"], now["shown-title"]) == ("CTO", "CTO")
    again = laptop.post(page(event), {**now, "title": "Head of mobility"})
    assert again.status_code == 302
    amina.refresh_from_db()
    assert amina.title == "Head of mobility"


def test_the_stale_profile_refusal_is_in_the_pages_language(event, amina, as_participant):
    laptop = browser(amina)
    stale = profile_form(laptop.get(page(event)).content.decode())
    as_participant(amina).patch(f"/api/events/{event.slug}/me/", {"city": "Fès"}, format="json")
    refused = laptop.post(page(event), {**stale, "city": "Salé"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 409
    assert "Votre profil a été modifié ailleurs" in refused.content.decode()
    amina.refresh_from_db()
    assert amina.city == "Fès"


def test_a_profile_form_without_shown_fields_sets_every_field_as_before(event, amina):
    laptop = browser(amina)
    form = profile_form(laptop.get(page(event)).content.decode())
    plain = {k: v for k, v in form.items() if not k.startswith("shown-")}
    saved = laptop.post(page(event), {**plain, "title": "CTO"})
    assert saved.status_code == 302
    amina.refresh_from_db()
    assert amina.title == "CTO"
