"""The organiser's settings page: booking window, one-click close and open, request expiry."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from matchmaking.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return EventFactory(
        days=[timezone.localdate() + dt.timedelta(days=30)], timezone="Africa/Casablanca"
    )


def page(event):
    return f"/organiser/{event.slug}/settings/"


def test_close_booking_now_then_open_it_again(staff_client, event):
    html = staff_client.get(page(event)).content.decode()
    assert 'data-booking-state="open"' in html and f'href="{page(event)}"' in html  # nav link
    closed = staff_client.post(page(event), {"booking": "close"}, follow=True)
    assert [str(m) for m in closed.context["messages"]] == [
        "Booking is closed: participants can no longer send requests or book."
    ]
    event.refresh_from_db()
    assert not event.booking_open_at(timezone.now())
    assert 'data-booking-state="closed"' in closed.content.decode()
    opened = staff_client.post(page(event), {"booking": "open"}, follow=True)
    event.refresh_from_db()
    assert (event.booking_opens, event.booking_closes) == (None, None)
    assert 'data-booking-state="open"' in opened.content.decode()


def test_settings_are_saved_in_the_events_local_time_and_shown_back(staff_client, event):
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    opens = f"{day - dt.timedelta(days=7)}T09:30"
    response = staff_client.post(
        page(event),
        {
            "name": "Smart City Expo 2018",
            "booking_opens": opens,
            "booking_closes": "",
            "request_expiry_hours": "48",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Settings saved."]
    event.refresh_from_db()
    assert event.booking_opens.astimezone(event.tz).strftime("%Y-%m-%dT%H:%M") == opens
    assert (event.name, event.booking_closes, event.request_expiry_hours) == (
        "Smart City Expo 2018",
        None,
        48,
    )
    assert f'value="{opens}"' in response.content.decode()


def test_a_refused_setting_shows_the_form_again_with_the_reason_and_changes_nothing(
    staff_client, event
):
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    before = Event.objects.values().get(pk=event.pk)
    response = staff_client.post(
        page(event),
        {
            "name": "Renamed",
            "booking_opens": f"{day}T10:00",
            "booking_closes": f"{day}T09:00",
            "request_expiry_hours": "48",
        },
    )
    assert response.status_code == 400
    assert "Booking must close after it opens." in response.content.decode()
    assert Event.objects.values().get(pk=event.pk) == before
    bad = staff_client.post(page(event), {"name": "x", "request_expiry_hours": "0"})
    assert bad.status_code == 400
    assert Event.objects.values().get(pk=event.pk) == before


def test_only_organisers_see_the_settings(event, make_participant):
    client = Client()
    assert client.get(page(event)).status_code == 302  # to the organiser login
    person = make_participant(event=event)
    client.force_login(person.user)
    assert client.get(page(event)).status_code == 403


def test_open_booking_now_keeps_a_closing_time_still_to_come(staff_client, event):
    """It cleared both limits: booking planned to close at the fair's end never closed (the
    sixth review)."""
    later = timezone.now() + dt.timedelta(days=20)
    Event.objects.filter(pk=event.pk).update(
        booking_opens=timezone.now() + dt.timedelta(days=7), booking_closes=later
    )
    staff_client.post(page(event), {"booking": "open"})
    event.refresh_from_db()
    assert (event.booking_opens, event.booking_closes) == (None, later)
    staff_client.post(page(event), {"booking": "close"})
    staff_client.post(page(event), {"booking": "open"})
    event.refresh_from_db()
    assert (event.booking_opens, event.booking_closes) == (None, None)  # the past one goes


def test_refused_settings_are_explained_in_the_pages_language(staff_client, event):
    """The field errors came in English with field names on French and Arabic pages."""
    staff_client.post("/i18n/setlang/", {"language": "fr"})
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    body = {"name": "x", "request_expiry_hours": "48", "booking_closes": ""}
    wrong = staff_client.post(
        page(event),
        {**body, "booking_opens": f"{day}T10:00", "booking_closes": f"{day}T09:00"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "La réservation doit fermer après son ouverture." in wrong.content.decode()
    far = staff_client.post(
        page(event), {**body, "booking_opens": "2000-01-01T10:00"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = far.content.decode()
    assert "Choisissez une date à moins d’un an des jours de l’événement" in html
    assert "must be within a year" not in html


def test_close_booking_now_refused_is_said_in_the_pages_language(staff_client):
    """The button's refusal kept the service's English with a field name (the seventh review)."""
    old = EventFactory(
        days=[timezone.localdate() - dt.timedelta(days=400)], timezone="Africa/Casablanca"
    )
    staff_client.post("/i18n/setlang/", {"language": "fr"})
    response = staff_client.post(page(old), {"booking": "close"}, follow=True)
    (said,) = [str(m) for m in response.context["messages"]]
    assert said.startswith("Choisissez une date à moins d’un an des jours de l’événement")


def test_organisers_write_to_part_of_the_participants_from_the_console(
    staff_client, event, make_participant, django_capture_on_commit_callbacks
):
    """The Messages page shows each audience with its size, sends one email to each person of
    the one chosen, lists it with its count, and does not send twice when the form is posted
    again; a refusal says why (in the page's language) and sends nothing."""
    from django.core import mail

    from matchmaking.models import Broadcast

    make_participant(name="Bruno", kind="exhibitor")
    make_participant(name="Chen", kind="exhibitor")
    make_participant(name="Dina", kind="investor")
    page = staff_client.get(f"/organiser/{event.slug}/messages/")
    html = page.content.decode()
    assert 'data-audience="kind:exhibitor" data-size="2"' in html
    assert 'data-audience="kind:visitor"' not in html  # nobody of that kind
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    form = {
        "audience": "kind:exhibitor",
        "subject": "Hall B",
        "body": "Set up by 8:30.",
        "token": token,
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(f"/organiser/{event.slug}/messages/", form, follow=True)
    assert [str(m) for m in done.context["messages"]] == ["Sent to 2 people."]
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/organiser/{event.slug}/messages/", form, follow=True)
    assert len(mail.outbox) == 2 and Broadcast.objects.count() == 1
    listed = done.content.decode()
    assert "Hall B" in listed and 'data-broadcast="' in listed

    staff_client.cookies["django_language"] = "fr"
    refused = staff_client.post(
        f"/organiser/{event.slug}/messages/",
        {"audience": "pending_answers", "subject": "x", "body": "y", "token": "t2"},
    )
    assert refused.status_code == 400
    assert [str(m) for m in refused.context["messages"]] == [
        "Personne n’est dans ce public pour l’instant ; rien n’a été envoyé."
    ]
    assert Broadcast.objects.count() == 1


def test_a_message_form_with_a_nul_is_shown_again_with_the_text(
    staff_client, event, make_participant
):
    from matchmaking.models import Broadcast

    make_participant(kind="exhibitor")
    response = staff_client.post(
        f"/organiser/{event.slug}/messages/",
        {"audience": "all", "subject": "Hi\x00", "body": "Keep this text", "token": "t"},
    )
    assert response.status_code == 400
    assert "Keep this text" in response.content.decode()
    assert not Broadcast.objects.exists()


def test_a_message_too_long_says_how_long_counting_each_line_break_once(
    staff_client, event, make_participant
):
    from matchmaking.models import Broadcast

    make_participant(kind="exhibitor")
    url = f"/organiser/{event.slug}/messages/"
    form = {"audience": "all", "subject": "Hi", "token": "t"}
    refused = staff_client.post(url, {**form, "body": "line\r\n" * 1100})
    assert refused.status_code == 400
    assert [str(m) for m in refused.context["messages"]] == [
        "Write a text of at most 5,000 characters (it has 5499)."
    ]
    sent = staff_client.post(url, {**form, "body": "line\r\n" * 1000}, follow=True)
    assert [str(m) for m in sent.context["messages"]] == ["Sent to 1 person."]
    assert Broadcast.objects.get().body == ("line\n" * 1000).strip()


def test_the_console_writes_the_message_in_other_languages_too(
    staff_client, event, make_participant, django_capture_on_commit_callbacks
):
    from django.core import mail

    from matchmaking.models import Broadcast

    make_participant(name="Amina", kind="delegation", languages=["ar"])
    make_participant(name="Bruno", kind="exhibitor", languages=["fr"])
    url = f"/organiser/{event.slug}/messages/"
    form = {"audience": "all", "subject": "Hall B", "body": "Set up by 8:30.", "token": "t1"}
    form |= {"subject_ar": "القاعة B", "body_ar": "التجهيز قبل 8:30.", "subject_fr": ""}
    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(url, form, follow=True)
    assert [str(m) for m in done.context["messages"]] == ["Sent to 2 people."]
    assert sorted(m.subject for m in mail.outbox) == ["Hall B", "القاعة B"]
    assert "also in Arabic" in done.content.decode()
    # half a version is refused, by language, and the form comes back filled in
    staff_client.cookies["django_language"] = "fr"
    refused = staff_client.post(url, {**form, "token": "t2", "subject_ar": "", "body_fr": "Oui"})
    assert refused.status_code == 400
    assert [str(m) for m in refused.context["messages"]] == [
        "Le message en français demande un objet (200 caractères au plus) et un texte (5 000 "
        "caractères au plus), ou aucun des deux."
    ]
    assert "التجهيز قبل 8:30." in refused.content.decode()
    assert Broadcast.objects.count() == 1


def settings_form(html: str) -> dict:
    """The settings form's fields as a browser sends them, hidden ones included (an input
    without a value sends "")."""
    form = html[html.index('<form method="post" class="stack">') :]
    form = form[: form.index("</form>")]
    fields = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([\w-]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        fields[name] = value.group(1) if value else ""
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_stale_settings_page_does_not_reopen_booking_another_organiser_closed(
    staff_client, event
):
    """Organiser B had the settings page open; organiser A pressed Close booking now; B
    changed the event's name and saved: the form's stale, empty closing time went with it and
    booking was open again, in silence. Only what B changed is saved now."""
    stale = settings_form(staff_client.get(page(event)).content.decode())
    staff_client.post(page(event), {"booking": "close"})
    event.refresh_from_db()
    closed_at = event.booking_closes
    assert not event.booking_open_at(timezone.now())
    saved = staff_client.post(page(event), {**stale, "name": "Expo 2018"}, follow=True)
    assert [str(m) for m in saved.context["messages"]] == [
        "Booking is closed: participants can no longer send requests or book.",
        "Settings saved.",
    ]
    event.refresh_from_db()
    assert (event.name, event.booking_closes) == ("Expo 2018", closed_at)
    assert not event.booking_open_at(timezone.now())


def test_a_setting_changed_on_both_pages_is_refused_on_the_stale_one(staff_client, event):
    """Both pages changed the closing time: the second save would overwrite the first without
    either knowing. It is refused (409), nothing is saved, and the form shows the settings as
    they are now."""
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    stale = settings_form(staff_client.get(page(event)).content.decode())
    first = staff_client.post(page(event), {**stale, "booking_closes": f"{day}T08:00"})
    assert first.status_code == 302
    second = staff_client.post(page(event), {**stale, "booking_closes": f"{day}T18:00"})
    assert second.status_code == 409
    html = second.content.decode()
    assert (
        "The settings were changed since you loaded this page (by someone else, or in another "
        "tab): nothing was saved. The form shows them as they are now: check them and save "
        "again." in html
    )
    assert settings_form(html)["booking_closes"] == f"{day}T08:00"
    event.refresh_from_db()
    assert event.booking_closes.astimezone(event.tz).strftime("%Y-%m-%dT%H:%M") == (f"{day}T08:00")
    # saved again from the page as it is now: it goes through
    again = staff_client.post(
        page(event), {**settings_form(html), "booking_closes": f"{day}T18:00"}
    )
    assert again.status_code == 302


def test_the_stale_settings_refusal_is_in_the_pages_language(staff_client, event):
    day = event.slots.order_by("start").first().start.astimezone(event.tz).date()
    stale = settings_form(staff_client.get(page(event)).content.decode())
    staff_client.post(page(event), {**stale, "booking_closes": f"{day}T08:00"})
    refused = staff_client.post(
        page(event),
        {**stale, "request_expiry_hours": "5", "booking_closes": f"{day}T09:00"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refused.status_code == 409
    assert "Les paramètres ont été modifiés depuis le chargement de cette page" in (
        refused.content.decode()
    )
    event.refresh_from_db()
    assert event.request_expiry_hours == 72  # nothing saved, not even the other field


def test_the_message_form_offers_those_whose_profile_names_no_sector(
    staff_client, event, make_participant
):
    """Recommendations are sharper with confirmed sectors: the organisers can write to those
    who declare none, to check and confirm the one read from their text."""
    make_participant(kind="exhibitor", profile__sectors=[])
    make_participant(kind="exhibitor", profile__sectors=["water"])
    staff_client.cookies["django_language"] = "fr"

    page = staff_client.get(f"/organiser/{event.slug}/messages/")

    sizes = {code: n for code, _name, n in page.context["audiences"]}
    assert sizes["without_sectors"] == 1
    body = page.content.decode()
    assert 'data-audience="without_sectors" data-size="1"' in body
    assert "Personnes dont le profil n’indique aucun secteur" in body
