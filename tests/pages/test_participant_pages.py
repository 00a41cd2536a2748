"""The participant's pages under /my/: sign-in links, profile, recommendations, requests, agenda."""

import datetime as dt
import re
import time
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from icalendar import Calendar

from matchmaking.exceptions import Forbidden
from matchmaking.models import (
    LoginLink,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    Participant,
    Recommendation,
)
from matchmaking.reasons import when_text
from matchmaking.services.meetings import Actor, meeting_attendee_add, meeting_book
from matchmaking.services.participants import login_link_create, participant_token
from tests.factories import EventFactory, ParticipantFactory, RequestFactory

pytestmark = pytest.mark.django_db

NEUTRAL = "If this address is registered, a sign-in link is on its way. Check your inbox."


def client_of(participant: Participant) -> Client:
    client = Client()
    client.force_login(participant.user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def booked(sender, recipient, slot, **kwargs) -> Meeting:
    request = RequestFactory(
        sender=sender, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
    )
    return meeting_book(request=request, slot=slot, actor=Actor(system=True), **kwargs)


@pytest.fixture
def me(make_participant):
    return make_participant(name="Amina Alaoui", email="amina@casa.ma")


# ------------------------------------------------------------------------------------------------
# Sign-in
# ------------------------------------------------------------------------------------------------


def test_login_link_signs_in_once_then_refuses(event, me):
    secret = login_link_create(participant=me)

    first = Client()
    confirm = first.get(f"/my/login/{secret}/")  # a mail scanner's GET spends nothing
    assert confirm.status_code == 200
    assert "_auth_user_id" not in first.session
    response = first.post(f"/my/login/{secret}/")
    assert response.status_code == 302
    assert response["Location"] == f"/my/{event.slug}/"
    assert first.get(f"/my/{event.slug}/profile/").status_code == 200

    second = Client()
    response = second.post(f"/my/login/{secret}/")
    assert response.status_code == 404
    assert "This sign-in link is not valid" in response.content.decode()
    assert second.get(f"/my/{event.slug}/profile/").status_code == 302


def test_signing_in_with_a_newer_link_retires_the_older_unused_ones(event, me, make_participant):
    """Up to 3 sign-in links an hour are mailed, each valid 72 hours: spending one left the
    others valid, so an older email (forwarded, or in a shared or later compromised mailbox)
    still opened the account for days after its owner signed in with the newest link. The
    person's links for their other events go too (one sign-in opens all of them)."""
    elsewhere = make_participant(event=EventFactory(), email=me.email.upper())
    older = login_link_create(participant=me)
    other_event = login_link_create(participant=elsewhere)
    newer = login_link_create(participant=me)
    assert Client().post(f"/my/login/{newer}/").status_code == 302  # the owner signs in
    assert Client().post(f"/my/login/{older}/").status_code == 404
    assert Client().get(f"/my/login/{other_event}/").status_code == 404
    fresh = login_link_create(participant=me)  # a link asked for afterwards works
    assert Client().post(f"/my/login/{fresh}/").status_code == 302


@pytest.mark.parametrize("how", ["same email", "username is the email"])
def test_a_sign_in_link_never_opens_an_organiser_account(event, me, how):
    """A participant whose address is an organiser's: the link (and the API token) must not give
    a staff session (the console, every event's export, the admin)."""
    user_model = get_user_model()
    if how == "same email":  # the importer linked the participation to the staff user
        staff = user_model.objects.create_user(
            username="boss", email=me.email, password="pw", is_staff=True
        )
        Participant.objects.filter(pk=me.pk).update(user=staff)
    else:  # createsuperuser with the email as username; the participation has no user yet
        user_model.objects.filter(pk=me.user_id).delete()
        user_model.objects.create_superuser(username=me.email, email=me.email, password="pw")
    secret = login_link_create(participant=me)

    client = Client()
    response = client.post(f"/my/login/{secret}/")
    assert response.status_code == 403
    assert "organiser account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(f"/organiser/{event.slug}/grid/").status_code == 302
    with pytest.raises(Forbidden):
        participant_token(email=me.email)
    assert LoginLink.objects.get().used_at is None  # refused, not spent


def test_a_sign_in_while_the_database_is_held_asks_to_press_again(event, me, monkeypatch):
    """On SQLite (the demo), twelve simultaneous sign-ins with one link gave eleven 500s
    ("database is locked"); the link must stay unspent and the page say what to do."""
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    secret = login_link_create(participant=me)
    real = QuerySet.select_for_update

    def held(self, *args, **kwargs):
        if self.model is LoginLink:
            raise OperationalError("database is locked")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", held)
    client = Client()
    response = client.post(f"/my/login/{secret}/")
    assert response.status_code == 409
    assert "press Sign in again" in response.content.decode()
    assert "_auth_user_id" not in client.session
    monkeypatch.setattr(QuerySet, "select_for_update", real)
    assert client.post(f"/my/login/{secret}/").status_code == 302  # the link still works


def test_login_link_expired_is_refused(event, me):
    secret = login_link_create(participant=me)
    LoginLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    client = Client()
    response = client.post(f"/my/login/{secret}/")

    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_login_form_answers_the_same_and_mails_a_known_address_once(event, me, send):
    client = Client()

    with send():
        known = client.post("/my/login/", {"email": "AMINA@casa.ma"}, follow=True)
    with send():
        unknown = client.post("/my/login/", {"email": "nobody@nowhere.org"}, follow=True)

    assert messages_of(known) == [NEUTRAL]
    assert messages_of(unknown) == [NEUTRAL]
    assert known.redirect_chain == unknown.redirect_chain == [("/my/login/", 302)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@casa.ma"]
    link = re.search(r"http://testserver(/my/login/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert Client().post(link)["Location"] == f"/my/{event.slug}/"


def test_the_login_form_cannot_flood_a_mailbox(event, me, send):
    """A tester sent 15 sign-in emails to one address in a row through the open form (each
    post from another client address here: the per-client cap is another test's)."""
    from matchmaking.services.participants import SIGN_IN_EMAILS_PER_HOUR

    for i in range(SIGN_IN_EMAILS_PER_HOUR + 4):
        with send():
            answer = Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post(
                "/my/login/", {"email": me.email}, follow=True
            )
        assert messages_of(answer) == [NEUTRAL]  # the same answer every time
    assert len(mail.outbox) == SIGN_IN_EMAILS_PER_HOUR
    assert LoginLink.objects.filter(participant=me).count() == SIGN_IN_EMAILS_PER_HOUR


class SlowMailServer(LocmemBackend):
    """Django's in-memory backend with a real mail server's round trip: the test's stand-in
    for the SMTP server, not a mock of the project's code."""

    def send_messages(self, messages):
        time.sleep(SMTP_DELAY)
        return super().send_messages(messages)


SMTP_DELAY = 0.5  # a mail server's answer time (production sends through SMTP, up to 10 s)


@override_settings(EMAIL_BACKEND="tests.pages.test_participant_pages.SlowMailServer")
def test_the_login_form_does_the_same_work_for_a_known_address_as_for_an_unknown_one(
    event, monkeypatch, send
):
    """The form sent the sign-in email inside the request, and only for a registered address:
    its words were the same, but its answer time told an anonymous visitor who is registered
    (and a slow mail server held a web worker per such request). Now the request queues the
    same task for any address, and the lookup and the email happen in the task, out of the
    request (in-process with the embedded defaults, where the time still differs: what can be
    guaranteed is that the request itself neither looks up nor sends). Celery's
    ``apply_async`` is where a task leaves for the broker: here it is recorded, not run."""
    from celery.app.task import Task

    person = ParticipantFactory(event=event, email="amina@casa.ma")
    queued = []
    monkeypatch.setattr(
        Task, "apply_async", lambda task, args=None, kwargs=None, **o: queued.append((task, kwargs))
    )

    def timed_post(email):
        started = time.perf_counter()
        with send():
            response = Client().post("/my/login/", {"email": email})
        return response, time.perf_counter() - started

    timed_post("warm-up@nowhere.org")
    known, known_time = timed_post(person.email)
    unknown, unknown_time = timed_post("nobody@nowhere.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert known_time - unknown_time < SMTP_DELAY / 2, (known_time, unknown_time)
    assert not mail.outbox and not LoginLink.objects.exists()  # nothing done in the request
    assert [(task.name, kwargs) for task, kwargs in queued] == [
        (
            "matchmaking.send_sign_in_link",
            {"email": email, "origin": "http://testserver", "then": ""},
        )
        for email in ("warm-up@nowhere.org", "amina@casa.ma", "nobody@nowhere.org")
    ]
    # the worker: one email, to the registered address only, with a link that signs in
    monkeypatch.undo()
    sent = [task.apply(kwargs=kwargs).get() for task, kwargs in queued]
    assert sent == [False, True, False]
    assert [m.to for m in mail.outbox] == [["amina@casa.ma"]]
    link = re.search(r"http://testserver(/my/login/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert Client().post(link)["Location"] == f"/my/{event.slug}/"


@override_settings(SIGN_IN_LINKS_PER_CLIENT=10)
def test_the_login_form_limits_sign_in_emails_per_client_address(event, send):
    """The cap was per participant (3 an hour), not per client: one anonymous client made the
    site email every registered address it knew, 3 times an hour each (mass mailing through
    the organisers' mail server). Now one client address gets SIGN_IN_LINKS_PER_CLIENT (here 10)
    links an hour, whatever the addresses; beyond, the same answer and no email."""
    people = [ParticipantFactory(event=event) for _ in range(20)]
    client = Client(REMOTE_ADDR="203.0.113.9")
    for person in people:
        for _ in range(3):
            with send():
                answer = client.post("/my/login/", {"email": person.email}, follow=True)
            assert messages_of(answer) == [NEUTRAL]
    # the first 10 posts: 3 + 3 + 3 for the first three people (their own cap), 1 for the 4th
    assert len(mail.outbox) == 10
    assert {m.to[0] for m in mail.outbox} == {p.email for p in people[:4]}
    with send():  # another client is not held back
        Client(REMOTE_ADDR="203.0.113.10").post("/my/login/", {"email": people[5].email})
    assert mail.outbox[-1].to == [people[5].email]


@override_settings(TRUSTED_PROXY_HOPS=1, SIGN_IN_LINKS_PER_CLIENT=1)
def test_the_per_client_cap_counts_the_address_the_proxy_saw(event, me, send):
    """Behind a proxy, the client is the address the proxy saw (as for the organisers' sign-in
    throttle): a header the client writes itself does not make a new client."""
    for spoofed in ("198.51.100.1", "198.51.100.2"):
        with send():
            Client(REMOTE_ADDR="10.0.0.1").post(
                "/my/login/",
                {"email": me.email},
                HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.7",
            )
    assert len(mail.outbox) == 1


def test_the_login_form_answers_the_same_while_the_database_is_held(event, me, monkeypatch, send):
    """Parallel posts on SQLite (one writer) answered 500 for a registered address only."""
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real = QuerySet.select_for_update

    def held(self, *args, **kwargs):
        if self.model is Participant:
            raise OperationalError("database is locked")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", held)
    with send():  # the task, run in-process here, logs it
        answer = Client().post("/my/login/", {"email": me.email}, follow=True)
    assert messages_of(answer) == [NEUTRAL]
    assert not mail.outbox


def test_a_line_break_in_an_event_name_does_not_break_the_sign_in_email(event, me, send):
    """An imported name with a line break made the sign-in form answer 500 (BadHeaderError),
    and only for registered addresses: it told who takes part."""
    type(event).objects.filter(pk=event.pk).update(name="Smart City\nExpo")
    with send():
        answer = Client().post("/my/login/", {"email": me.email}, follow=True)
    assert messages_of(answer) == [NEUTRAL]
    assert mail.outbox[0].subject.endswith("Smart City Expo")


def test_login_email_follows_the_profiles_language_not_the_pages(event, make_participant, send):
    make_participant(name="Karim", email="karim@fes.ma", languages=["ar"])
    english = make_participant(name="Eve", email="eve@fes.ma", languages=["de", "en"])

    with send():
        response = Client().post(
            "/my/login/", {"email": "karim@fes.ma"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
        )
    with send():
        Client().post("/my/login/", {"email": english.email}, HTTP_ACCEPT_LANGUAGE="fr")

    assert messages_of(response) == [NEUTRAL]  # the page stays in its own language
    arabic, other = mail.outbox
    assert arabic.subject == f"رابط الدخول الخاص بك إلى {event.name}"
    assert arabic.body.startswith("مرحبًا Karim،\n\nافتح هذا الرابط")
    assert other.subject == f"Your sign-in link for {event.name}"  # German: not spoken, English


def test_login_link_command_prints_a_working_path(event, me):
    out = StringIO()
    call_command("login_link", "amina@casa.ma", "--slug", event.slug, stdout=out)
    path = out.getvalue().strip()

    assert re.fullmatch(r"/my/login/[A-Za-z0-9_-]{43}/", path)
    assert Client().post(path)["Location"] == f"/my/{event.slug}/"


def test_pages_need_sign_in(event):
    response = Client().get(f"/my/{event.slug}/agenda/")

    assert response.status_code == 302
    assert response["Location"] == f"/my/login/?next=%2Fmy%2F{event.slug}%2Fagenda%2F"


def test_event_without_my_participation_answers_404(me):
    other_event = EventFactory()

    assert client_of(me).get(f"/my/{other_event.slug}/agenda/").status_code == 404


def test_event_home_redirects_to_agenda(event, me):
    response = client_of(me).get(f"/my/{event.slug}/")

    assert response["Location"] == f"/my/{event.slug}/agenda/"


# ------------------------------------------------------------------------------------------------
# Profile
# ------------------------------------------------------------------------------------------------


def profile_data(**changes):
    data = {
        "title": "Head of mobility",
        "languages": "ar, FR",
        "country": "ma",
        "city": "Casablanca",
        "description": "The city's mobility department.",
        "offers": "Pilot sites in the city centre\n\n  Open traffic data ",
        "needs": "Smart parking sensors",
        "sectors": ["mobility", "parking"],
    }
    data.update(changes)
    return data


def test_profile_edit_saves_through_the_service(event, me):
    response = client_of(me).post(f"/my/{event.slug}/profile/", profile_data(), follow=True)

    assert messages_of(response) == ["Your profile is saved."]
    me.refresh_from_db()
    assert (me.title, me.languages, me.country, me.city) == (
        "Head of mobility",
        ["ar", "fr"],
        "MA",
        "Casablanca",
    )
    assert me.profile.offers == ["Pilot sites in the city centre", "Open traffic data"]
    assert me.profile.needs == ["Smart parking sensors"]
    assert me.profile.sectors == ["mobility", "parking"]
    assert "smart parking sensors" in me.profile.search_text


def test_profile_shows_field_errors_for_bad_sectors_and_languages(event, me):
    response = client_of(me).post(
        f"/my/{event.slug}/profile/",
        profile_data(sectors=["mobility", "teleportation"], languages="fr, english, elvish"),
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["sectors"] == ["teleportation is not a known sector."]
    assert form.errors["languages"] == [
        "Not a language we know: elvish. Write their names (français, العربية, English, "
        "Tamazight) or their codes (fr, ar, en, zgh)."
    ]
    body = response.content.decode()
    assert "teleportation is not a known sector." in body
    me.refresh_from_db()
    assert me.profile.sectors == []


def test_profile_without_any_language_is_refused_in_the_pages_language(event, me):
    response = client_of(me).post(
        f"/my/{event.slug}/profile/", profile_data(languages=" , "), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.context["form"].errors["languages"] == [
        "Indiquez au moins une langue dans laquelle vous pouvez tenir un rendez-vous, par "
        "exemple fr, ar ou en."
    ]
    me.refresh_from_db()
    assert me.languages  # unchanged


@pytest.mark.parametrize("country", ["ZZ", "xx", "MAR", "1A"])
def test_profile_refuses_a_country_that_is_not_an_iso_code_like_the_api(event, me, country):
    response = client_of(me).post(f"/my/{event.slug}/profile/", profile_data(country=country))

    assert response.status_code == 400
    message = f"“{country}” is not a country code. Use a two-letter ISO 3166-1 code such as MA."
    assert response.context["form"].errors["country"] == [message]
    me.refresh_from_db()
    assert me.country == "MA"  # unchanged


def test_profile_country_error_in_french(event, me):
    response = client_of(me).post(
        f"/my/{event.slug}/profile/", profile_data(country="ZZ"), HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.context["form"].errors["country"] == [
        "« ZZ » n’est pas un code pays. Utilisez un code ISO 3166-1 à deux lettres, comme MA."
    ]


def test_profile_country_blank_clears_it(event, me):
    client_of(me).post(f"/my/{event.slug}/profile/", profile_data(country=""))

    me.refresh_from_db()
    assert me.country == ""


def test_profile_shows_my_meeting_limit_and_saves_a_new_one(event, me):
    me.max_meetings = 4
    me.save(update_fields=["max_meetings"])
    client = client_of(me)

    page = client.get(f"/my/{event.slug}/profile/")
    assert page.context["form"]["max_meetings"].value() == 4
    assert 'name="max_meetings" value="4"' in page.content.decode()
    saved = client.post(f"/my/{event.slug}/profile/", profile_data(max_meetings="6"), follow=True)
    assert messages_of(saved) == ["Your profile is saved."]
    me.refresh_from_db()
    assert me.max_meetings == 6
    client.post(f"/my/{event.slug}/profile/", profile_data(max_meetings=""))
    me.refresh_from_db()
    assert me.max_meetings is None


def test_profile_limit_below_my_booked_meetings_is_a_field_error(event, me, make_participant):
    slots = list(event.slots.order_by("start"))
    booked(me, make_participant(), slots[0])
    booked(me, make_participant(), slots[1])

    response = client_of(me).post(f"/my/{event.slug}/profile/", profile_data(max_meetings="1"))

    assert response.status_code == 409
    assert response.context["form"].errors["max_meetings"] == [
        "You have 2 meetings booked, more than a limit of 1. Cancel some first, or set a limit "
        "of at least 2."
    ]
    me.refresh_from_db()
    assert me.max_meetings is None


def test_profile_limit_below_my_booked_meetings_is_explained_in_the_pages_language(
    event, me, make_participant
):
    from django.utils import translation

    from matchmaking.pages.participant_views import ERROR_TEXT

    booked(me, make_participant(), event.slots.order_by("start").first())
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.post(f"/my/{event.slug}/profile/", profile_data(max_meetings="0"))

    with translation.override("fr"):
        expected = str(ERROR_TEXT["meetings_over_limit"])
    assert response.context["form"].errors["max_meetings"] == [expected]


def presence_data(**days):
    """The presence form: day 0 ticked from its first to its last slot unless overridden."""
    data = {"here_0": "on"}
    data.update(days)
    return data


def test_presence_page_saves_one_period_per_day_and_the_whole_event_as_none(event, me):
    from matchmaking.models import Availability, Slot

    slots = list(Slot.objects.filter(event=event).order_by("start"))
    client = client_of(me)
    body = client.get(f"/my/{event.slug}/presence/").content.decode()
    assert "When you are at the fair" in body and 'name="here_0"' in body and "09:00" in body
    # from 09:20 until 10:00 (the end of the 09:40 slot)
    response = client.post(
        f"/my/{event.slug}/presence/",
        presence_data(from_0=slots[1].pk, to_0=slots[2].pk),
        follow=True,
    )
    assert messages_of(response) == ["Your times are saved."]
    (period,) = Availability.objects.filter(participant=me)
    assert (period.start, period.end) == (slots[1].start, slots[2].end)
    form = client.get(f"/my/{event.slug}/presence/").context["form"]
    assert (form["from_0"].initial, form["to_0"].initial) == (slots[1].pk, slots[2].pk)
    # the whole day is the whole event: no period stored
    client.post(f"/my/{event.slug}/presence/", presence_data(from_0=slots[0].pk, to_0=slots[-1].pk))
    assert not Availability.objects.filter(participant=me).exists()


def test_presence_page_keeps_a_days_gaps_unless_that_day_changes(event, me):
    from matchmaking.models import Availability, Slot
    from tests.factories import EventFactory

    two_days = EventFactory(days=[dt.date(2018, 4, 18), dt.date(2018, 4, 19)])
    me.event = two_days
    me.save(update_fields=["event"])
    slots = list(Slot.objects.filter(event=two_days).order_by("start"))
    day1, day2 = slots[:9], slots[9:]
    # day 1: 09:00-09:40 and 14:00-15:00 (from the import); day 2: all day
    Availability.objects.create(participant=me, start=day1[0].start, end=day1[1].end)
    Availability.objects.create(participant=me, start=day1[6].start, end=day2[-1].end)
    client = client_of(me)
    page = client.get(f"/my/{two_days.slug}/presence/")
    assert "they stay as they are unless you change this day" in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].initial for name in ("from_0", "to_0", "from_1", "to_1")}
    # only day 2 changes (leave at 10:00): day 1 keeps its two periods
    response = client.post(
        f"/my/{two_days.slug}/presence/",
        {**data, "here_0": "on", "here_1": "on", "to_1": day2[2].pk},
    )
    assert response.status_code == 302
    stored = list(Availability.objects.filter(participant=me).values_list("start", "end"))
    assert stored == [
        (day1[0].start, day1[1].end),
        (day1[6].start, day1[-1].end),
        (day2[0].start, day2[2].end),
    ]


def test_presence_page_errors_and_conflicting_meetings(upcoming_event, make_participant):
    from matchmaking.models import Availability, Slot

    event = upcoming_event  # meetings whose slot has started are not in the way
    me = make_participant(event=event, name="Amina Alaoui")
    slots = list(Slot.objects.filter(event=event).order_by("start"))
    client = client_of(me)
    backwards = client.post(
        f"/my/{event.slug}/presence/", presence_data(from_0=slots[3].pk, to_0=slots[1].pk)
    )
    assert backwards.status_code == 400  # as the console's times form answers
    assert backwards.context["form"].errors["to_0"] == ["Leave after you arrive."]
    nothing = client.post(f"/my/{event.slug}/presence/", {})
    assert nothing.status_code == 400
    assert "Tick at least one day." in nothing.content.decode()
    meeting = booked(me, make_participant(event=event, name="Bruno"), slots[-1])
    morning_only = presence_data(from_0=slots[0].pk, to_0=slots[5].pk)
    refused = client.post(f"/my/{event.slug}/presence/", morning_only)
    assert refused.status_code == 409
    assert "1 booked meeting falls outside these times" in refused.content.decode()
    assert not Availability.objects.filter(participant=me).exists()
    response = client.post(
        f"/my/{event.slug}/presence/", {**morning_only, "cancel_conflicting": "on"}, follow=True
    )
    assert messages_of(response) == ["Your times are saved; 1 meeting cancelled."]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_presence_page_in_french(event, me):
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get(f"/my/{event.slug}/presence/").content.decode()
    assert "Quand vous êtes au salon" in body and "Mes horaires" in body


def test_profile_lists_sectors_with_labels_in_the_page_language(event, me):
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    body = client.get(f"/my/{event.slug}/profile/").content.decode()

    assert 'value="public_transport"' in body
    assert "Transport public" in body


def test_arabic_page_is_right_to_left(event, me):
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    body = client.get(f"/my/{event.slug}/profile/").content.decode()

    assert '<html lang="ar" dir="rtl">' in body
    assert "التنقل الحضري" in body  # the mobility sector's Arabic label


# ------------------------------------------------------------------------------------------------
# Recommendations
# ------------------------------------------------------------------------------------------------


def recommend(me, candidate, rank, **reasons):
    base = {
        "shared_sectors": [],
        "related_sectors": [],
        "need_to_offer": None,
        "offer_to_need": None,
        "languages": {"common": [], "note": None},
        "sectors_inferred": False,
    }
    base.update(reasons)
    return Recommendation.objects.create(
        event=me.event, participant=me, candidate=candidate, rank=rank, score=0.5, reasons=base
    )


@pytest.fixture
def recommended(me, make_participant):
    solar = make_participant(name="Sun Tech", kind="startup", languages=["en"])
    fund = make_participant(name="Atlas Fund", kind="investor", languages=["fr"])
    recommend(
        me,
        solar,
        1,
        shared_sectors=[
            {
                "id": "parking",
                "label": {"en": "Parking", "fr": "Stationnement", "ar": "مواقف السيارات"},
            }
        ],
        related_sectors=[["parking", "traffic"]],
        need_to_offer={"need": "Smart parking sensors", "offer": "Capteurs de stationnement"},
        offer_to_need={"need": "Pilot sites", "offer": "Sites pilotes au centre-ville"},
        languages={"common": [], "note": "No common language (ar/fr vs en)."},
        sectors_inferred=True,
    )
    recommend(me, fund, 2, languages={"common": ["fr"], "note": None})
    return solar, fund


def test_recommendations_show_reasons(event, me, recommended):
    me.languages = ["ar", "fr"]
    me.save()
    response = client_of(me).get(f"/my/{event.slug}/recommendations/")

    assert response.status_code == 200
    cards = response.context["cards"]
    assert [c["person"]["name"] for c in cards] == ["Sun Tech", "Atlas Fund"]
    assert cards[0]["shared_sectors"] == ["Parking"]
    assert cards[0]["related_sectors"] == [("Parking", "Traffic management")]
    assert cards[0]["language_note"] == (
        "No common language (you: Arabic, French; they: English): plan an interpreter or a "
        "bilingual "
        "colleague."
    )
    assert cards[1]["common_languages"] == ["French"]
    body = response.content.decode()
    for text in (
        "Smart parking sensors",
        "Capteurs de stationnement",
        "Sites pilotes au centre-ville",
        "Some sectors were inferred from the profile texts.",
        "Request a meeting",
    ):
        assert text in body


def test_recommendation_of_a_peer_shows_what_both_look_for(event, me, make_participant):
    city = make_participant(name="Ville de Tanger", kind="delegation", languages=["fr"])
    recommend(
        me,
        city,
        1,
        shared_need={"need": "Feux intelligents", "their_need": "Smart traffic lights"},
        languages={"common": ["fr"], "note": None},
    )
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get(f"/my/{event.slug}/recommendations/").content.decode()
    assert "Vous cherchez tous deux" in body
    assert "Feux intelligents" in body and "Smart traffic lights" in body


def test_recommendations_shared_sector_label_follows_the_language(event, me, recommended):
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    cards = client.get(f"/my/{event.slug}/recommendations/").context["cards"]

    assert cards[0]["shared_sectors"] == ["Stationnement"]


def test_recommendations_filter_by_kind(event, me, recommended):
    me.kind = "delegation"  # investors are recommended to delegations (not to visitors)
    me.save(update_fields=["kind"])
    response = client_of(me).get(f"/my/{event.slug}/recommendations/?kind=investor")

    assert [c["person"]["name"] for c in response.context["cards"]] == ["Atlas Fund"]
    offered = [code for code, _label, _checked in response.context["kinds"]]
    assert "investor" in offered and "delegation" not in offered  # two delegations: never


def test_recommendations_offer_only_the_kinds_that_can_be_recommended(event, me):
    """A visitor is recommended exhibitors and start-ups only: the page offers no other kind
    to filter by (an investor filter always answered nothing)."""
    response = client_of(me).get(f"/my/{event.slug}/recommendations/")
    offered = {code for code, _label, _checked in response.context["kinds"]}
    assert offered == {"exhibitor", "startup"}


def test_request_from_a_recommendation_card(event, me, recommended):
    solar, _fund = recommended
    url = f"/my/{event.slug}/recommendations/"

    response = client_of(me).post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": solar.pk, "message": "Parking pilot?", "next": url},
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    assert messages_of(response) == ["Your request was sent to Sun Tech."]
    sent = MeetingRequest.objects.get(sender=me)
    assert (sent.recipient, sent.message, sent.status) == (solar, "Parking pilot?", "pending")
    # Once asked, the person leaves my recommendations.
    assert [c["person"]["name"] for c in response.context["cards"]] == ["Atlas Fund"]


def test_a_request_from_the_pages_may_ask_for_the_morning_or_the_afternoon(event, me, recommended):
    """Only the API could say which part of the day (the booking and the scheduler keep to
    it); the card's form now has *When*."""
    solar, fund = recommended
    page = client_of(me).get(f"/my/{event.slug}/recommendations/").content.decode()
    assert 'name="session"' in page and '<option value="afternoon">' in page
    client_of(me).post(
        f"/my/{event.slug}/requests/new/", {"recipient": solar.pk, "session": "afternoon"}
    )
    client_of(me).post(f"/my/{event.slug}/requests/new/", {"recipient": fund.pk})
    sessions = dict(MeetingRequest.objects.filter(sender=me).values_list("recipient", "session"))
    assert sessions == {solar.pk: "afternoon", fund.pk: "any"}
    bad = client_of(me).post(
        f"/my/{event.slug}/requests/new/", {"recipient": solar.pk, "session": "evening"}
    )
    assert bad.status_code == 302


def test_a_refused_part_of_the_day_is_explained_as_such_in_french(upcoming_event, make_participant):
    """The part-of-day refusal reused the code of "never at the fair together": French and
    Arabic pages said they were never there together (the sixth review)."""
    from django.utils import translation

    from matchmaking.models import Availability

    event = upcoming_event
    slots = list(event.slots.filter(part="morning").order_by("start"))
    me = make_participant(event=event, name="Fatima", languages=["fr"])
    other = make_participant(event=event, name="Lina")
    Availability.objects.create(participant=other, start=slots[0].start, end=slots[-1].end)
    client = client_of(me)
    with translation.override("fr"):
        response = client.post(
            f"/my/{event.slug}/requests/new/",
            {"recipient": other.pk, "session": "afternoon"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert messages_of(response) == [
        "Vous n’êtes jamais au salon en même temps à ce moment de la journée ; choisissez un "
        "autre moment ou « à tout moment »."
    ]


def test_while_booking_is_closed_the_cards_offer_no_request(event, me, recommended):
    from matchmaking.models import Event

    Event.objects.filter(pk=event.pk).update(booking_closes=timezone.now())
    page = client_of(me).get(f"/my/{event.slug}/recommendations/").content.decode()
    assert "Booking is closed: requests cannot be sent now." in page
    assert "/requests/new/" not in page


# ------------------------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------------------------


def test_accept_a_received_request(event, me, make_participant):
    other = make_participant(name="Bruno")
    req = RequestFactory(sender=other, recipient=me, status=MeetingRequest.Status.PENDING)
    client = client_of(me)

    page = client.get(f"/my/{event.slug}/requests/")
    assert [r.pk for r in page.context["received"]] == [req.pk]
    response = client.post(f"/my/{event.slug}/requests/{req.pk}/accept/", follow=True)

    assert messages_of(response) == ["Request accepted. Now book a time in your agenda."]
    req.refresh_from_db()
    assert req.status == MeetingRequest.Status.ACCEPTED


def test_someone_elses_request_answers_404(event, me, make_participant):
    a, b = make_participant(), make_participant()
    theirs = RequestFactory(sender=a, recipient=b, status=MeetingRequest.Status.PENDING)
    client = client_of(me)

    for action in ("accept", "decline", "cancel"):
        response = client.post(f"/my/{event.slug}/requests/{theirs.pk}/{action}/")
        assert response.status_code == 404
    assert client.get(f"/my/{event.slug}/requests/").context["received"] == []
    theirs.refresh_from_db()
    assert theirs.status == MeetingRequest.Status.PENDING


def test_refused_answer_is_a_message_not_an_error(event, me, make_participant):
    other = make_participant()
    mine = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.PENDING)

    response = client_of(me).post(f"/my/{event.slug}/requests/{mine.pk}/accept/", follow=True)

    assert response.status_code == 200
    assert messages_of(response) == [
        "Only the participant who received this request can answer it."
    ]


def test_cancel_a_sent_request(event, me, make_participant):
    other = make_participant()
    mine = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.PENDING)

    response = client_of(me).post(f"/my/{event.slug}/requests/{mine.pk}/cancel/", follow=True)

    assert messages_of(response) == ["Request cancelled."]
    mine.refresh_from_db()
    assert mine.status == MeetingRequest.Status.CANCELLED


def test_withdrawing_a_request_from_the_page_sends_the_reason(
    upcoming_event, make_participant, django_capture_on_commit_callbacks
):
    """The requests page asks for an optional reason, which the other side's email carries;
    a request whose meeting has started (or is checked in) offers no withdrawal, as the
    service refuses it."""
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from tests.api.test_meetings import move_slot

    event = upcoming_event
    me = make_participant(event=event, name="Amina Alaoui")
    other = make_participant(event=event, name="Bruno", languages=["en"])
    mine = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.PENDING)
    client = client_of(me)
    page = client.get(f"/my/{event.slug}/requests/").content.decode()
    assert f'id="withdraw-{mine.pk}" name="reason"' in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/my/{event.slug}/requests/{mine.pk}/cancel/",
            {"reason": "Our delegation's visit is cancelled"},
            follow=True,
        )
    assert messages_of(done) == ["Request cancelled."]
    (email,) = [m for m in mail.outbox if m.to == [other.email]]
    assert email.body.endswith("Reason: Our delegation's visit is cancelled")

    slots = list(event.slots.order_by("start"))
    started = booked(me, make_participant(event=event), slots[0])
    move_slot(slots[0], timezone.now() - dt.timedelta(minutes=5))
    page = client.get(f"/my/{event.slug}/requests/").content.decode()
    assert f'id="withdraw-{started.request_id}"' not in page


def test_declining_a_request_from_the_page_sends_the_reason(
    upcoming_event, make_participant, django_capture_on_commit_callbacks
):
    """The requests page's Decline takes an optional reason, as Cancel does; the sender's
    email quotes it."""
    from django.core import mail

    event = upcoming_event
    me = make_participant(event=event, name="Amina Alaoui")
    other = make_participant(event=event, name="Bruno", languages=["en"])
    theirs = RequestFactory(sender=other, recipient=me, status=MeetingRequest.Status.PENDING)
    client = client_of(me)
    page = client.get(f"/my/{event.slug}/requests/").content.decode()
    assert f'id="decline-{theirs.pk}" name="reason"' in page
    url = f"/my/{event.slug}/requests/{theirs.pk}/decline/"
    refused = client.post(url, {"reason": "x" * 301}, follow=True)
    assert messages_of(refused) == ["The reason is too long: 300 characters at most."]
    theirs.refresh_from_db()
    assert theirs.status == MeetingRequest.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"reason": "No budget this year"}, follow=True)
    assert messages_of(done) == ["Request declined."]
    theirs.refresh_from_db()
    assert theirs.status == MeetingRequest.Status.DECLINED
    (email,) = [m for m in mail.outbox if m.to == [other.email]]
    assert email.body.endswith("declined your request. Reason: No budget this year")


def test_directory_search_then_send_a_request(event, me, make_participant):
    make_participant(name="Karim Benali")
    target = make_participant(name="Léa Martin")
    client = client_of(me)

    found = client.get(f"/my/{event.slug}/requests/?q=mart").context["found"]
    assert [p.name for p in found] == ["Léa Martin"]
    first = client.post(
        f"/my/{event.slug}/requests/new/", {"recipient": target.pk, "message": "Hi"}, follow=True
    )
    again = client.post(
        f"/my/{event.slug}/requests/new/", {"recipient": target.pk, "message": "Hi"}, follow=True
    )

    assert MeetingRequest.objects.filter(sender=me, recipient=target).count() == 1
    assert messages_of(first) == ["Your request was sent to Léa Martin."]
    (refused,) = messages_of(again)
    assert refused.startswith("There is already an open request between Amina Alaoui and Léa")


@pytest.mark.parametrize("q", ["Fès", "fes", "FES", "fès"])
def test_directory_search_ignores_accents_and_case_in_names_organisations_and_cities(
    event, me, make_participant, q
):
    from matchmaking.models import Organisation

    make_participant(name="Karim Tazi", city="Fès")
    make_participant(name="Salma Idrissi", city="FES")
    make_participant(
        name="Ali Bennani", organisation=Organisation.objects.create(event=event, name="Régie Fès")
    )
    make_participant(name="Hélène Côté", city="Rabat")

    found = client_of(me).get(f"/my/{event.slug}/requests/", {"q": q}).context["found"]

    assert [p.name for p in found] == ["Ali Bennani", "Karim Tazi", "Salma Idrissi"]


def test_directory_search_finds_accented_and_arabic_names(event, me, make_participant):
    make_participant(name="Hélène Côté")
    make_participant(name="يوسف العلوي", city="فاس")
    client = client_of(me)

    def names(q):
        return [
            p.name for p in client.get(f"/my/{event.slug}/requests/", {"q": q}).context["found"]
        ]

    assert names("helene COTE") == ["Hélène Côté"]
    assert names("العلوي") == names("فاس") == names("الْعَلَوِي") == ["يوسف العلوي"]


def test_request_to_a_participant_of_another_event_answers_404(event, me):
    stranger = ParticipantFactory(event=EventFactory())

    response = client_of(me).post(f"/my/{event.slug}/requests/new/", {"recipient": stranger.pk})

    assert response.status_code == 404
    assert MeetingRequest.objects.count() == 0


# ------------------------------------------------------------------------------------------------
# Agenda
# ------------------------------------------------------------------------------------------------


def test_agenda_lists_exactly_my_meetings_in_event_time(event, me, make_participant):
    bruno, chen, dana = (make_participant(name=n) for n in ("Bruno", "Chen", "Dana"))
    slots = list(event.slots.order_by("start"))
    mine = booked(me, bruno, slots[0])
    booked(chen, dana, slots[0])

    response = client_of(me).get(f"/my/{event.slug}/agenda/")

    days = response.context["days"]
    assert [m.pk for day in days.values() for m in day] == [mine.pk]
    assert list(days) == [dt.date(2018, 4, 18)]
    body = response.content.decode()
    assert "Bruno" in body
    assert "Chen" not in body
    # 09:00 in Casablanca (UTC+1 on that day) is stored as 08:00 UTC.
    assert slots[0].start.hour == 8
    assert "09:00–09:20" in body


def test_the_agenda_page_gives_a_new_calendar_address(event, me):
    client = client_of(me)
    old = me.calendar_token
    page = client.get(f"/my/{event.slug}/agenda/").content.decode()
    assert old in page and "Get a new one" in page
    response = client.post(f"/my/{event.slug}/agenda/calendar-link/", follow=True)
    me.refresh_from_db()
    assert me.calendar_token != old
    page = response.content.decode()
    assert me.calendar_token in page and old not in page
    assert "the old one no longer works" in page
    assert Client().get(f"/api/calendar/{old}.ics").status_code == 404


def test_agenda_ics_parses_and_holds_my_meeting(event, me, make_participant):
    bruno = make_participant(name="Bruno")
    meeting = booked(me, bruno, event.slots.order_by("start").first())

    response = client_of(me).get(f"/my/{event.slug}/agenda.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    items = cal.walk("VEVENT")
    assert [str(i["UID"]) for i in items] == [f"meeting-{meeting.uid}@{event.slug}"]


def test_booking_message_in_french_names_the_day_in_french(make_participant):
    event = EventFactory(days=[dt.date(2031, 11, 12)])  # a Wednesday, far ahead
    me = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    req = RequestFactory(sender=bruno, recipient=me, status=MeetingRequest.Status.ACCEPTED)
    slot = event.slots.order_by("start").first()
    response = client_of(me).post(
        f"/my/{event.slug}/agenda/book/",
        {"request": req.pk, "slot": slot.pk},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )

    assert messages_of(response) == ["Rendez-vous réservé le mercredi 12 novembre à 09:00."]


def test_book_a_free_slot_from_the_agenda(upcoming_event, make_participant):
    me = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    req = RequestFactory(sender=bruno, recipient=me, status=MeetingRequest.Status.ACCEPTED)
    slots = list(upcoming_event.slots.order_by("start"))
    booked(me, make_participant(event=upcoming_event), slots[0])  # I am busy in the first slot
    client = client_of(me)

    page = client.get(f"/my/{upcoming_event.slug}/agenda/")
    (item,) = page.context["to_book"]
    offered = [s.pk for day in item["slots_by_day"].values() for s in day]
    assert offered == [s.pk for s in slots[1:]]
    response = client.post(
        f"/my/{upcoming_event.slug}/agenda/book/",
        {"request": req.pk, "slot": slots[2].pk},
        follow=True,
    )

    start = slots[2].start.astimezone(upcoming_event.tz)
    assert messages_of(response) == [
        f"Meeting booked on {date_format(start, 'l j F')} at {start:%H:%M}."
    ]
    meeting = Meeting.objects.get(request=req)
    assert (meeting.slot, meeting.status) == (slots[2], Meeting.Status.SCHEDULED)
    assert response.context["to_book"] == []


def test_move_a_meeting_from_the_agenda_to_a_time_that_suits_everyone(
    upcoming_event, make_participant, organiser
):
    """The pages offered no way to move a meeting (the API did): the agenda links to a move
    page that offers exactly the times the booking accepts for everyone seated, colleagues
    included; a move tells the others; a refused one says why and changes nothing."""
    from matchmaking.models import Notification
    from matchmaking.services.meetings import meeting_set_fixed

    event = upcoming_event
    me = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=me.organisation)
    bruno = make_participant(event=event, name="Bruno")
    slots = list(event.slots.order_by("start"))
    meeting = booked(bruno, me, slots[0], attendees=[karim])
    booked(karim, make_participant(event=event), slots[1])  # my colleague is busy then
    booked(make_participant(event=event), bruno, slots[2])  # and Bruno then
    client = client_of(me)
    agenda = client.get(f"/my/{event.slug}/agenda/").content.decode()
    move_url = f"/my/{event.slug}/meetings/{meeting.pk}/move/"
    assert f'href="{move_url}"' in agenda

    page = client.get(move_url)
    assert page.status_code == 200
    offered = [s.pk for day in page.context["slots_by_day"].values() for s in day]
    assert offered == [s.pk for s in slots[3:]]  # not its own, not where Karim or Bruno is busy
    Notification.objects.all().delete()
    refused = client.post(move_url, {"slot": slots[1].pk}, follow=True)
    assert messages_of(refused) == [f"Karim already has a meeting on {when_text(slots[1])}."]
    meeting.refresh_from_db()
    assert (meeting.slot_id, meeting.sequence) == (slots[0].pk, 0)
    moved = client.post(move_url, {"slot": slots[4].pk}, follow=True)
    start = slots[4].start.astimezone(event.tz)
    assert messages_of(moved) == [
        f"Meeting moved to {date_format(start, 'l j F')} at {start:%H:%M}. "
        "The others have been told."
    ]
    meeting.refresh_from_db()
    assert (meeting.slot_id, meeting.sequence) == (slots[4].pk, 1)
    assert sorted(Notification.objects.values_list("recipient__name", "kind")) == [
        ("Bruno", "meeting_moved"),
        ("Karim", "meeting_moved"),
    ]
    assert client.post(move_url, {"slot": "x"}, follow=True).redirect_chain[-1][0] == move_url

    meeting_set_fixed(meeting=meeting, fixed=True, actor=Actor(user=organiser, organiser=True))
    assert f'href="{move_url}"' not in client.get(f"/my/{event.slug}/agenda/").content.decode()
    fixed_page = client.get(move_url)
    assert fixed_page.context["slots_by_day"] == {}
    assert "The organisers fixed this meeting where it is" in fixed_page.content.decode()
    refused = client.post(move_url, {"slot": slots[5].pk}, follow=True)
    assert messages_of(refused) == ["This meeting was fixed by the organiser; ask them to move it."]
    same = client.post(move_url, {"slot": slots[4].pk}, follow=True)
    assert messages_of(same) == ["The meeting already takes place at that time."]
    other = booked(make_participant(event=event), bruno, slots[5])
    assert client.get(f"/my/{event.slug}/meetings/{other.pk}/move/").status_code == 404


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "This meeting was changed by someone else since you opened this page; nothing was "
            "changed. The page now shows it as it is: choose again.",
        ),
        (
            "ar",
            "تغيّر هذا اللقاء من جهة أخرى منذ فتح هذه الصفحة؛ لم يُغيَّر شيء. تعرض الصفحة الآن "
            "اللقاء كما هو: يُرجى الاختيار من جديد.",
        ),
    ],
)
def test_a_move_from_a_page_opened_before_the_other_side_moved_it_is_refused(
    upcoming_event, make_participant, language, text
):
    """Amina and Bruno open the move page of their 09:00 meeting; Bruno moves it to 10:00,
    then Amina, from the page she opened before, picks 10:20: refused (the page carried the
    meeting's version), and the move page shows it at 10:00."""
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    slots = list(event.slots.order_by("start"))
    meeting = booked(bruno, amina, slots[0])
    url = f"/my/{event.slug}/meetings/{meeting.pk}/move/"
    aminas = client_of(amina)
    aminas.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = aminas.get(url).content.decode()
    shown = re.search(r'<input type="hidden" name="version" value="(\d+)">', page).group(1)
    assert shown == "1"
    assert client_of(bruno).post(url, {"slot": slots[3].pk, "version": "1"}).status_code == 302

    refused = aminas.post(url, {"slot": slots[4].pk, "version": shown}, follow=True)

    assert messages_of(refused) == [text]
    assert refused.redirect_chain[-1][0] == url  # the move page again, as it is now
    meeting.refresh_from_db()
    assert (meeting.slot_id, meeting.version) == (slots[3].pk, 2)
    assert 'name="version" value="2"' in refused.content.decode()


def test_a_colleague_leaves_from_the_agenda_the_parties_cancel(upcoming_event, make_participant):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=amina.organisation)
    bruno = make_participant(event=event, name="Bruno")
    meeting = booked(amina, bruno, event.slots.order_by("start").last(), attendees=[karim])
    leave = f"/my/{event.slug}/meetings/{meeting.pk}/leave/"
    cancel = f"/my/{event.slug}/meetings/{meeting.pk}/cancel/"
    karims = client_of(karim).get(f"/my/{event.slug}/agenda/").content.decode()
    assert f'action="{leave}"' in karims and f'action="{cancel}"' not in karims
    aminas = client_of(amina).get(f"/my/{event.slug}/agenda/").content.decode()
    # a party cancels; she may also leave it to Karim, who joined it (test_hand_over.py)
    assert f'action="{cancel}"' in aminas
    assert f'<form method="post" action="{leave}" class="pt-form" data-hand-over>' in aminas
    brunos = client_of(bruno).get(f"/my/{event.slug}/agenda/").content.decode()
    assert f'action="{cancel}"' in brunos and f'action="{leave}"' not in brunos
    refused = client_of(karim).post(cancel, {"reason": "x"}, follow=True)
    assert messages_of(refused) == [
        "You joined this meeting as a colleague: only its two parties can move or cancel it; "
        "you can leave it."
    ]
    move = f"/my/{event.slug}/meetings/{meeting.pk}/move/"
    assert f'href="{move}"' not in karims and f'href="{move}"' in aminas
    assert client_of(karim).get(move).context["slots_by_day"] == {}
    done = client_of(karim).post(leave, follow=True)
    assert messages_of(done) == ["You left the meeting; it goes on for the others."]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert f"meeting-{meeting.pk}" not in done.content.decode()


def test_the_move_page_does_not_call_a_cancelled_meeting_in_place(upcoming_event, make_participant):
    """Posting its own time for a cancelled meeting said it "already takes place at that time"
    (the seventh review); a colleague got the same instead of "only its parties"."""
    from matchmaking.services.meetings import meeting_cancel

    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=amina.organisation)
    bruno = make_participant(event=event, name="Bruno")
    slots = list(event.slots.order_by("start"))
    kept = booked(bruno, amina, slots[1], attendees=[karim])
    url = f"/my/{event.slug}/meetings/{kept.pk}/move/"
    colleague = client_of(karim).post(url, {"slot": slots[1].pk}, follow=True)
    assert messages_of(colleague)[0].startswith("You joined this meeting as a colleague")
    chen = make_participant(event=event, name="Chen")
    gone = booked(chen, amina, slots[0])
    meeting_cancel(meeting=gone, by=amina, user=amina.user, reason="x")
    url = f"/my/{event.slug}/meetings/{gone.pk}/move/"
    page = client_of(amina).get(url)
    assert page.context["why"] == "This meeting is no longer scheduled; it can no longer be moved."
    same = client_of(amina).post(url, {"slot": slots[0].pk}, follow=True)
    assert messages_of(same) == ["This meeting is cancelled; only scheduled meetings can move."]


def offered_slots(client, event) -> list[int]:
    (item,) = client.get(f"/my/{event.slug}/agenda/").context["to_book"]
    return [s.pk for day in item["slots_by_day"].values() for s in day]


def test_agenda_offers_no_slot_where_the_booth_is_taken_by_a_colleague(
    upcoming_event, make_participant
):
    from matchmaking.models import Table

    booth = Table.objects.create(event=upcoming_event, name="Booth A1", shared=False)
    me = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, kind="exhibitor", fixed_table=booth)
    carla = make_participant(
        event=upcoming_event, kind="exhibitor", fixed_table=booth, organisation=bruno.organisation
    )
    RequestFactory(sender=me, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    slots = list(upcoming_event.slots.order_by("start"))
    booked(carla, make_participant(event=upcoming_event), slots[1])  # at the booth they share

    offered = offered_slots(client_of(me), upcoming_event)

    assert offered == [s.pk for s in slots if s != slots[1]]


@pytest.mark.parametrize("whose", ["mine", "theirs"])
def test_agenda_offers_no_slot_once_a_meeting_limit_is_reached(
    upcoming_event, make_participant, whose
):
    me = make_participant(event=upcoming_event, name="Amina")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    capped = me if whose == "mine" else bruno
    capped.max_meetings = 1
    capped.save(update_fields=["max_meetings"])
    RequestFactory(sender=me, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    slots = list(upcoming_event.slots.order_by("start"))
    booked(capped, make_participant(event=upcoming_event), slots[0])

    assert offered_slots(client_of(me), upcoming_event) == []
    body = client_of(me).get(f"/my/{upcoming_event.slug}/agenda/").content.decode()
    # the real reason, not the generic "ask the organisers"
    assert "No time can be booked for this meeting right now." not in body
    if whose == "mine":
        profile = f"/my/{upcoming_event.slug}/profile/"
        assert (  # the limit is also raised on the profile (the guide says so)
            "You have reached your limit of 1 meeting; cancel one to book another, or raise the "
            f'limit on your <a href="{profile}">profile</a>.' in body
        )
    else:
        assert "Bruno has reached their limit of meetings." in body


def test_agenda_names_my_limit_in_the_plural_before_the_other_sides(
    upcoming_event, make_participant
):
    me = make_participant(event=upcoming_event, name="Amina", max_meetings=2)
    bruno = make_participant(event=upcoming_event, name="Bruno", max_meetings=0)
    RequestFactory(sender=me, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    slots = list(upcoming_event.slots.order_by("start"))
    booked(me, make_participant(event=upcoming_event), slots[0])
    booked(me, make_participant(event=upcoming_event), slots[1])

    body = client_of(me).get(f"/my/{upcoming_event.slug}/agenda/").content.decode()

    assert "You have reached your limit of 2 meetings; cancel one to book another, or " in body
    assert "has reached their limit" not in body


def test_agenda_limit_reasons_in_french_and_arabic_words(upcoming_event, make_participant):
    """Needs the French and Arabic catalogues with the new sentences."""
    me = make_participant(event=upcoming_event, name="Amina", max_meetings=1)
    bruno = make_participant(event=upcoming_event, name="Bruno", max_meetings=0)
    chen = make_participant(event=upcoming_event, name="Chen")
    RequestFactory(sender=me, recipient=chen, status=MeetingRequest.Status.ACCEPTED)
    booked(me, make_participant(event=upcoming_event), upcoming_event.slots.first())
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get(f"/my/{upcoming_event.slug}/agenda/").content.decode()
    assert (
        "Vous avez atteint votre limite de 1 rendez-vous ; annulez-en un pour en réserver un "
        "autre, ou relevez la limite dans votre <a " in body
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = client.get(f"/my/{upcoming_event.slug}/agenda/").content.decode()
    assert (
        "لقد بلغت حدّك الأقصى من اللقاءات، وهو 1؛ ألغِ أحد لقاءاتك لتحجز لقاءً آخر، أو ارفع هذا "
        "الحدّ في <a " in body
    )
    Participant.objects.filter(pk=me.pk).update(max_meetings=None)
    RequestFactory(sender=bruno, recipient=me, status=MeetingRequest.Status.ACCEPTED)
    body = client.get(f"/my/{upcoming_event.slug}/agenda/").content.decode()
    assert "وصل عدد لقاءات Bruno إلى الحدّ الأقصى." in body


def test_agenda_without_a_limit_reached_keeps_the_generic_sentence(
    upcoming_event, make_participant
):
    me = make_participant(event=upcoming_event, name="Amina", max_meetings=5)
    bruno = make_participant(event=upcoming_event, name="Bruno")
    RequestFactory(sender=me, recipient=bruno, status=MeetingRequest.Status.ACCEPTED)
    for slot in upcoming_event.slots.all():
        booked(bruno, make_participant(event=upcoming_event), slot)

    body = client_of(me).get(f"/my/{upcoming_event.slug}/agenda/").content.decode()

    assert "No time can be booked for this meeting right now. Ask the organisers for help." in body
    assert "limit" not in body


def test_agenda_offers_only_slots_that_have_not_started(upcoming_event, make_participant):
    from matchmaking.models import Slot

    me = make_participant(event=upcoming_event, name="Amina")
    RequestFactory(sender=me, recipient=make_participant(event=upcoming_event), status="accepted")
    slots = list(upcoming_event.slots.order_by("start"))
    started = timezone.now() - dt.timedelta(minutes=5)
    Slot.objects.filter(pk=slots[0].pk).update(
        start=started, end=started + dt.timedelta(minutes=20)
    )

    assert offered_slots(client_of(me), upcoming_event) == [s.pk for s in slots[1:]]


def agenda_queries(client, event) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/my/{event.slug}/agenda/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_agenda_query_count_does_not_grow_with_requests_to_book(upcoming_event, make_participant):
    """1 and 3 accepted requests without a meeting (with booths and meeting limits, so every
    booking rule is read) cost the same number of queries."""
    from matchmaking.models import Table

    me = make_participant(event=upcoming_event, name="Amina", max_meetings=5)
    slots = list(upcoming_event.slots.order_by("start"))
    booked(me, make_participant(event=upcoming_event), slots[0])

    def accept_one(i: int) -> None:
        booth = Table.objects.create(event=upcoming_event, name=f"Booth {i}", shared=False)
        other = make_participant(
            event=upcoming_event, kind="exhibitor", fixed_table=booth, max_meetings=3
        )
        RequestFactory(sender=other, recipient=me, status=MeetingRequest.Status.ACCEPTED)

    accept_one(1)
    client = client_of(me)
    one = agenda_queries(client, upcoming_event)
    accept_one(2)
    accept_one(3)

    assert agenda_queries(client, upcoming_event) == one
    to_book = client.get(f"/my/{upcoming_event.slug}/agenda/").context["to_book"]
    assert [sum(map(len, item["slots_by_day"].values())) for item in to_book] == [
        len(slots) - 1
    ] * 3


def test_booking_a_busy_slot_is_refused_with_a_message(upcoming_event, make_participant):
    me = make_participant(event=upcoming_event, name="Amina Alaoui")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    chen = make_participant(event=upcoming_event, name="Chen")
    slot = upcoming_event.slots.order_by("start").first()
    booked(me, bruno, slot)
    req = RequestFactory(sender=me, recipient=chen, status=MeetingRequest.Status.ACCEPTED)

    response = client_of(me).post(
        f"/my/{upcoming_event.slug}/agenda/book/", {"request": req.pk, "slot": slot.pk}, follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [f"Amina Alaoui already has a meeting on {when_text(slot)}."]
    assert not Meeting.objects.filter(request=req).exists()


def test_busy_slot_message_is_translated_in_french(upcoming_event, make_participant):
    me = make_participant(event=upcoming_event, name="Amina Alaoui")
    bruno = make_participant(event=upcoming_event, name="Bruno")
    chen = make_participant(event=upcoming_event, name="Chen")
    slot = upcoming_event.slots.order_by("start").first()
    booked(me, bruno, slot)
    req = RequestFactory(sender=me, recipient=chen, status=MeetingRequest.Status.ACCEPTED)
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.post(
        f"/my/{upcoming_event.slug}/agenda/book/", {"request": req.pk, "slot": slot.pk}, follow=True
    )

    # The service's own sentence (who and when), said in French, not its English words, and
    # its time written the French way (it was "le 2026-12-16 09:30")
    with translation.override("fr"):
        when = when_text(slot)
    local = slot.start.astimezone(upcoming_event.tz)
    with translation.override("fr"):
        # "dimanche 27 décembre à 09:00"
        assert when == f"{date_format(local, 'l j F')} à {local:%H:%M}"
    assert messages_of(response) == [f"Amina Alaoui a déjà un rendez-vous le {when}."]


def test_cancel_my_meeting_and_not_someone_elses(upcoming_event, make_participant):
    event = upcoming_event
    me = make_participant(event=event, name="Amina Alaoui")
    bruno, chen, dana = (make_participant(event=event) for _ in range(3))
    slots = list(event.slots.order_by("start"))
    mine = booked(me, bruno, slots[0])
    theirs = booked(chen, dana, slots[0])
    client = client_of(me)

    refused = client.post(f"/my/{event.slug}/meetings/{theirs.pk}/cancel/")
    done = client.post(
        f"/my/{event.slug}/meetings/{mine.pk}/cancel/", {"reason": "Flight delayed"}, follow=True
    )

    assert refused.status_code == 404
    assert messages_of(done) == ["Meeting cancelled. The other side has been told."]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.cancel_reason) == (Meeting.Status.CANCELLED, "Flight delayed")
    assert theirs.status == Meeting.Status.SCHEDULED
    assert MeetingSeat.objects.filter(meeting=mine, active=True).count() == 0


def test_a_meeting_that_has_started_offers_no_cancel_and_is_refused_in_french(
    upcoming_event, make_participant
):
    from matchmaking.models import Slot

    me = make_participant(event=upcoming_event, name="Amina")
    slots = list(upcoming_event.slots.order_by("start"))
    started = booked(me, make_participant(event=upcoming_event), slots[0])
    coming = booked(me, make_participant(event=upcoming_event), slots[1])
    begun = timezone.now() - dt.timedelta(minutes=5)
    Slot.objects.filter(pk=slots[0].pk).update(start=begun, end=begun + dt.timedelta(minutes=20))
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    body = client.get(f"/my/{upcoming_event.slug}/agenda/").content.decode()
    response = client.post(f"/my/{upcoming_event.slug}/meetings/{started.pk}/cancel/", follow=True)

    cancel = f'action="/my/{upcoming_event.slug}/meetings/{{}}/cancel/"'
    assert cancel.format(started.pk) not in body
    assert cancel.format(coming.pk) in body
    assert messages_of(response) == [
        "Ce rendez-vous a déjà commencé ; il ne peut plus être annulé. S’il n’a pas eu lieu, "
        "prévenez les organisateurs."
    ]
    started.refresh_from_db()
    assert started.status == Meeting.Status.SCHEDULED


def test_closed_booking_window_offers_no_form_and_refuses(upcoming_event, make_participant):
    upcoming_event.booking_closes = timezone.now() - dt.timedelta(hours=1)
    upcoming_event.save()
    me = make_participant(event=upcoming_event, name="Amina")
    req = RequestFactory(
        sender=me, recipient=make_participant(event=upcoming_event), status="accepted"
    )
    client = client_of(me)

    body = client.get(f"/my/{upcoming_event.slug}/agenda/").content.decode()
    response = client.post(
        f"/my/{upcoming_event.slug}/agenda/book/",
        {"request": req.pk, "slot": upcoming_event.slots.first().pk},
        follow=True,
    )

    assert "Booking is closed for this event." in body
    assert f'action="/my/{upcoming_event.slug}/agenda/book/"' not in body
    assert messages_of(response) == ["Booking is closed for this event."]
    assert not Meeting.objects.filter(request=req).exists()


def test_cancel_a_checked_in_meeting_is_refused_in_words_in_arabic(
    upcoming_event, make_participant
):
    from matchmaking.services.meetings import meeting_set_status

    me = make_participant(event=upcoming_event, name="Amina")
    slot = upcoming_event.slots.order_by("start").first()
    meeting = booked(me, make_participant(event=upcoming_event), slot)
    meeting_set_status(
        meeting=meeting, status="checked_in", actor=Actor(system=True), now=slot.start
    )
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    response = client.post(f"/my/{upcoming_event.slug}/meetings/{meeting.pk}/cancel/", follow=True)

    assert messages_of(response) == [
        "تم تسجيل الحضور لهذا اللقاء أو انتهى؛ لم يعد من الممكن إلغاؤه."
    ]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CHECKED_IN


def double_submits(event, me, other, language: str) -> list[str]:
    """Book one request twice, then cancel its meeting twice, on pages in ``language``: the
    messages of the second submits."""
    req = RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.ACCEPTED)
    slots = list(event.slots.order_by("start"))
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    book = f"/my/{event.slug}/agenda/book/"
    client.post(book, {"request": req.pk, "slot": slots[0].pk}, follow=True)
    twice = client.post(book, {"request": req.pk, "slot": slots[1].pk}, follow=True)
    meeting = Meeting.objects.get(request=req)
    client.post(f"/my/{event.slug}/meetings/{meeting.pk}/cancel/", follow=True)
    again = client.post(f"/my/{event.slug}/meetings/{meeting.pk}/cancel/", follow=True)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    return [*messages_of(twice), *messages_of(again)]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_double_submits_are_explained_by_their_code_not_the_services_english(
    upcoming_event, make_participant, language
):
    from django.utils import translation

    from matchmaking.pages.participant_views import ERROR_TEXT

    me = make_participant(event=upcoming_event, name="Amina")
    shown = double_submits(upcoming_event, me, make_participant(event=upcoming_event), language)

    with translation.override(language):
        expected = [
            str(ERROR_TEXT["request_has_meeting"]),
            str(ERROR_TEXT["meeting_already_cancelled"]),
        ]
    assert shown == expected
    assert "This request already has a meeting; reschedule it instead." not in shown


def test_double_submits_in_french_and_arabic_words(upcoming_event, make_participant):
    """Needs the French and Arabic catalogues with the new sentences."""
    me = make_participant(event=upcoming_event, name="Amina")
    event = upcoming_event
    assert double_submits(event, me, make_participant(event=event), "fr") == [
        "Cette demande a déjà un rendez-vous ; retrouvez-le dans votre agenda.",
        "Ce rendez-vous est déjà annulé.",
    ]
    assert double_submits(event, me, make_participant(event=event), "ar") == [
        "لهذا الطلب لقاء محجوز بالفعل؛ تجده في جدول مواعيدك.",
        "هذا اللقاء ملغى بالفعل.",
    ]


def test_every_refusal_a_participant_page_can_meet_has_its_sentence():
    from matchmaking.pages.participant_views import ERROR_TEXT

    met_on_pages = {
        # booking and cancelling from the agenda
        "participant_busy", "table_taken", "slot_taken", "limit_reached", "booking_closed",
        "slot_passed", "request_not_open", "request_has_meeting", "meeting_not_cancellable",
        "meeting_started", "meeting_recorded", "meeting_already_cancelled", "meeting_cancelled",
        "meeting_not_movable",
        # requests
        "request_declined", "request_self", "same_organisation", "exhibitors_not_opted_in",
        "no_common_time", "duplicate_request",
        # profile
        "invalid", "meetings_over_limit",
        # any write
        "busy", "not_found", "forbidden",
    }  # fmt: skip
    assert met_on_pages - set(ERROR_TEXT) == set()


def test_asking_again_someone_who_declined_is_refused_in_french(event, me, make_participant):
    bruno = make_participant(name="Bruno")
    RequestFactory(sender=me, recipient=bruno, status=MeetingRequest.Status.DECLINED)
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "message": "Hi"}, follow=True
    )

    assert messages_of(response) == [
        "Cette personne a refusé votre demande ; vous ne pouvez plus la solliciter pour cet "
        "événement."
    ]
    assert MeetingRequest.objects.count() == 1


def test_asking_again_someone_who_declined_is_refused_in_english_to_the_sender(
    event, me, make_participant
):
    bruno = make_participant(name="Bruno")
    RequestFactory(sender=me, recipient=bruno, status=MeetingRequest.Status.DECLINED)

    response = client_of(me).post(
        f"/my/{event.slug}/requests/new/", {"recipient": bruno.pk, "message": "Hi"}, follow=True
    )

    assert messages_of(response) == [
        "Bruno declined your request at this event; you cannot ask them again. They can still "
        "send you a request."
    ]
    assert MeetingRequest.objects.count() == 1


def test_request_message_too_long_says_so(upcoming_event):
    from tests.factories import ParticipantFactory

    me = ParticipantFactory(event=upcoming_event)
    other = ParticipantFactory(event=upcoming_event, kind="exhibitor")
    response = client_of(me).post(
        f"/my/{upcoming_event.slug}/requests/new/",
        {"recipient": other.pk, "message": "x" * 2001},
        follow=True,
    )
    assert messages_of(response) == [
        "Your message is too long: write at most 2000 characters (it has 2001)."
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "You cannot request a meeting with yourself."),
        ("fr", "Vous ne pouvez pas demander un rendez-vous avec vous-même."),
        ("ar", "لا يمكنك طلب لقاء مع نفسك."),
    ],
)
def test_refused_request_is_explained_in_the_pages_language(event, me, language, text):
    response = client_of(me).post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": me.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert text in messages_of(response)
    assert not MeetingRequest.objects.filter(sender=me).exists()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "This request asks for an afternoon meeting; {slot} is in the morning."),
        ("fr", "Cette demande porte sur un rendez-vous l'après-midi ; {slot} a lieu le matin."),
        ("ar", "يطلب هذا الطلب لقاءً في فترة بعد الظهر، بينما {slot} في الصباح."),
    ],
)
def test_a_slot_outside_the_requests_half_day_is_refused_in_the_pages_language(
    upcoming_event, make_participant, language, text
):
    me = make_participant(event=upcoming_event, name="Amina Alaoui")
    chen = make_participant(event=upcoming_event, name="Chen")
    req = RequestFactory(sender=me, recipient=chen, status="accepted", session="afternoon")
    morning = upcoming_event.slots.filter(part="morning").order_by("start").first()
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(
        f"/my/{upcoming_event.slug}/agenda/book/",
        {"request": req.pk, "slot": morning.pk},
        follow=True,
    )
    with translation.override(language):
        assert messages_of(response) == [text.format(slot=when_text(morning))]
    assert not Meeting.objects.filter(request=req).exists()


def test_participants_check_in_from_their_agenda_around_the_meetings_time(
    upcoming_event, make_participant
):
    """At the table, a participant checks in from the agenda on their phone: the button shows
    only while the check-in window is open (as the service decides), and a post outside it is
    refused with a sentence in the page's language."""
    import datetime as dt

    from django.utils import timezone

    from tests.api.test_meetings import move_slot

    event = upcoming_event
    me = make_participant(event=event, name="Amina Alaoui")
    slots = list(event.slots.order_by("start"))
    soon = booked(me, make_participant(event=event, name="Bruno"), slots[0])
    later = booked(me, make_participant(event=event, name="Chen"), slots[1])
    move_slot(slots[0], timezone.now() + dt.timedelta(minutes=10))
    client = client_of(me)
    page = client.get(f"/my/{event.slug}/agenda/").content.decode()
    assert page.count("I am here: check in") == 1
    assert f"/my/{event.slug}/meetings/{soon.pk}/check-in/" in page

    done = client.post(f"/my/{event.slug}/meetings/{soon.pk}/check-in/", follow=True)
    assert messages_of(done) == ["You are checked in for this meeting."]
    soon.refresh_from_db()
    assert soon.status == Meeting.Status.CHECKED_IN
    assert "I am here: check in" not in done.content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    early = client.post(f"/my/{event.slug}/meetings/{later.pk}/check-in/", follow=True)
    assert messages_of(early) == [
        "L’enregistrement de la présence n’est pas encore ouvert : il ouvre peu avant le "
        "rendez-vous."
    ]
    later.refresh_from_db()
    assert later.status == Meeting.Status.SCHEDULED
    stranger = client_of(make_participant(event=event))
    assert stranger.post(f"/my/{event.slug}/meetings/{later.pk}/check-in/").status_code == 404


def test_the_pending_requests_cap_is_said_in_the_readers_language(
    event, me, make_participant, settings
):
    settings.MAX_PENDING_REQUESTS = 1
    first, second = make_participant(), make_participant()
    client = client_of(me)
    client.post(f"/my/{event.slug}/requests/new/", {"recipient": first.pk})
    refused = client.post(
        f"/my/{event.slug}/requests/new/",
        {"recipient": second.pk},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert messages_of(refused)[-1:] == [
        "Trop de vos demandes attendent encore une réponse. Attendez les réponses, ou retirez-en, "
        "avant de solliciter d’autres personnes."
    ]
    assert not MeetingRequest.objects.filter(sender=me, recipient=second).exists()


def test_a_party_brings_a_colleague_from_the_agenda(upcoming_event, make_participant):
    """Colleagues could join a meeting only through the API's booking: the agenda offers each
    party their own colleagues, and the colleague finds the meeting in theirs."""
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=amina.organisation)
    bruno = make_participant(event=event, name="Bruno")
    sami = make_participant(event=event, name="Sami", organisation=bruno.organisation)
    meeting = booked(amina, bruno, event.slots.order_by("start").last())
    add = f"/my/{event.slug}/meetings/{meeting.pk}/attendees/"
    aminas = client_of(amina).get(f"/my/{event.slug}/agenda/").content.decode()
    assert f'action="{add}"' in aminas and f'value="{karim.pk}">Karim<' in aminas
    assert "Sami" not in aminas  # the other side's people are theirs to bring
    done = client_of(amina).post(add, {"participant": karim.pk}, follow=True)
    assert messages_of(done) == ["Karim joins the meeting and has been told."]
    karims = client_of(karim).get(f"/my/{event.slug}/agenda/").content.decode()
    assert f"meeting-{meeting.pk}" in karims
    aminas = client_of(amina).get(f"/my/{event.slug}/agenda/").content.decode()
    assert f'action="{add}"' not in aminas  # no colleague left to bring
    other_side = client_of(amina).post(add, {"participant": sami.pk}, follow=True)
    assert "colleague of the other side" in messages_of(other_side)[0]
    for bad in ("", "x", "9" * 40):
        refused = client_of(amina).post(add, {"participant": bad}, follow=True)
        assert messages_of(refused) == ["Choose a colleague."]
    french = client_of(amina)
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    again = french.post(add, {"participant": karim.pk}, follow=True)
    assert messages_of(again) == ["Votre collègue participe déjà à ce rendez-vous."]
    assert client_of(sami).post(add, {"participant": sami.pk}).status_code == 404


def test_a_cancelled_request_is_feminine_in_french(event, me, make_participant):
    """ "Annulé" stood beside "Acceptée" and "Refusée" (the exploratory test): the pages now use
    the console's labels, where a request's status has its own context."""
    other = make_participant(name="Bruno")
    RequestFactory(sender=me, recipient=other, status=MeetingRequest.Status.CANCELLED)
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(f"/my/{event.slug}/requests/").content.decode()
    assert "Annulée" in html and "Annulé<" not in html


def test_a_request_past_its_expiry_offers_no_answer(event, me, make_participant):
    other = make_participant(name="Bruno")
    req = RequestFactory(
        sender=other,
        recipient=me,
        status=MeetingRequest.Status.PENDING,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    html = client_of(me).get(f"/my/{event.slug}/requests/").content.decode()
    assert "Expired" in html
    accept = f"/my/{event.slug}/requests/{req.pk}/accept/"
    assert accept not in html
    req.expires_at = timezone.now() + dt.timedelta(hours=1)
    req.save()
    assert accept in client_of(me).get(f"/my/{event.slug}/requests/").content.decode()  # control


def test_the_agenda_says_which_meetings_the_organisers_fixed(upcoming_event, make_participant):
    """A participant learnt it only when the move was refused (the exploratory test)."""
    from matchmaking.services.meetings import meeting_set_fixed

    event = upcoming_event
    amina, bruno = make_participant(event=event), make_participant(event=event)
    meeting = booked(amina, bruno, event.slots.order_by("start").last())
    assert "data-fixed" not in client_of(amina).get(f"/my/{event.slug}/agenda/").content.decode()
    meeting_set_fixed(meeting=meeting, fixed=True, actor=Actor(system=True))
    html = client_of(amina).get(f"/my/{event.slug}/agenda/").content.decode()
    assert "data-fixed>fixed by the organiser<" in html


def test_a_colleague_who_tries_to_bring_someone_is_told_why_in_french(
    upcoming_event, make_participant
):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    karim = make_participant(event=event, name="Karim", organisation=amina.organisation)
    lina = make_participant(event=event, name="Lina", organisation=amina.organisation)
    meeting = booked(amina, make_participant(event=event), event.slots.order_by("start").last())
    meeting_attendee_add(meeting=meeting, person=karim, actor=Actor(system=True))
    client = client_of(karim)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    refused = client.post(
        f"/my/{event.slug}/meetings/{meeting.pk}/attendees/", {"participant": lina.pk}, follow=True
    )
    assert messages_of(refused) == [
        "Vous participez à ce rendez-vous en tant que collègue : seules ses deux parties peuvent "
        "y faire venir des collègues."
    ]


def test_participants_give_feedback_from_their_agenda_once_a_meeting_has_started(
    upcoming_event, make_participant
):
    """After a meeting, its people say from the agenda whether it took place and how useful
    it was; the form shows only for a meeting that has started, shows what they said, and a
    post before the start or with no answer is refused with a sentence (nothing written)."""
    from matchmaking.models import MeetingFeedback
    from tests.api.test_meetings import move_slot

    event = upcoming_event
    me = make_participant(event=event, name="Amina Alaoui")
    slots = list(event.slots.order_by("start"))
    past = booked(me, make_participant(event=event, name="Bruno"), slots[0])
    later = booked(me, make_participant(event=event, name="Chen"), slots[1])
    move_slot(slots[0], timezone.now() - dt.timedelta(minutes=30))
    client = client_of(me)
    page = client.get(f"/my/{event.slug}/agenda/").content.decode()
    assert page.count("How was this meeting?") == 1
    assert f"/my/{event.slug}/meetings/{past.pk}/feedback/" in page

    url = f"/my/{event.slug}/meetings/{past.pk}/feedback/"
    # a refusal is said beside the meeting's form (tests/pages/test_feedback_form.py)
    beside = '<p class="pt-error" role="alert" data-feedback-error>{}</p>'.format
    no_answer = client.post(url, {"rating": "4"}, follow=True)
    assert beside("Say whether the meeting took place.") in no_answer.content.decode()
    no_rating = client.post(url, {"took_place": "yes", "rating": "9"}, follow=True)
    assert (
        beside("Rate the meeting from 1 (not useful) to 5 (very useful).")
        in no_rating.content.decode()
    )
    assert not MeetingFeedback.objects.exists()

    done = client.post(
        url,
        {"took_place": "yes", "rating": "4", "outcome": "follow_up", "comment": " Call back "},
        follow=True,
    )
    assert messages_of(done) == ["Thank you: your feedback is saved. Only the organisers read it."]
    given = MeetingFeedback.objects.get()
    assert (given.rating, given.outcome, given.comment) == (4, "follow_up", "Call back")
    shown = done.content.decode()
    assert "Your feedback:" in shown and "4/5" in shown and "Follow-up planned" in shown

    too_long = client.post(
        url, {"took_place": "yes", "rating": "4", "comment": "x" * 1001}, follow=True
    )
    assert (
        beside("Your comment is 1001 characters long; at most 1,000.") in too_long.content.decode()
    )
    given.refresh_from_db()
    assert given.comment == "Call back"
    # it did not take place after all: rating and outcome go, whatever the form still held
    client.post(url, {"took_place": "no", "rating": "4", "outcome": "follow_up"}, follow=True)
    given.refresh_from_db()
    assert (given.took_place, given.rating, given.outcome) == (False, None, "")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    early = client.post(
        f"/my/{event.slug}/meetings/{later.pk}/feedback/",
        {"took_place": "yes", "rating": "5"},
        follow=True,
    )
    assert messages_of(early) == [
        "Ce rendez-vous n’a pas encore commencé ; l’avis s’ouvre quand il commence."
    ]
    assert MeetingFeedback.objects.count() == 1
    stranger = client_of(make_participant(event=event))
    assert stranger.post(url, {"took_place": "no"}).status_code == 404


def test_a_sign_in_link_opens_the_event_it_was_made_for(event, me):
    """Someone at two fairs: ``login_link --slug`` for the second one lands there, not in the
    first they joined; an organiser's address gets no link at all."""
    other = EventFactory()
    there = ParticipantFactory(event=other, email=me.email, name=me.name)
    out = StringIO()
    call_command("login_link", me.email, "--slug", other.slug, stdout=out)
    assert Client().post(out.getvalue().strip())["Location"] == f"/my/{other.slug}/"
    assert there.pk != me.pk

    staff = get_user_model().objects.create_user(
        username="boss@fair.example", email="boss@fair.example", is_staff=True
    )
    ParticipantFactory(event=event, email=staff.email, user=staff)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="organiser account"):
        call_command("login_link", "boss@fair.example", stdout=StringIO())


def test_a_cancel_reason_too_long_is_refused_not_cut(upcoming_event, make_participant):
    event = upcoming_event
    me = make_participant(event=event, name="Amina")
    meeting = booked(me, make_participant(event=event, name="Bruno"), event.slots.first())
    client = client_of(me)
    url = f"/my/{event.slug}/meetings/{meeting.pk}/cancel/"
    refused = client.post(url, {"reason": "x" * 301}, follow=True)
    assert messages_of(refused) == ["The reason is too long: 300 characters at most."]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    done = client.post(url, {"reason": "y" * 300}, follow=True)
    assert messages_of(done) == ["Meeting cancelled. The other side has been told."]
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "y" * 300


def test_a_page_asked_for_signed_out_is_where_the_sign_in_link_leads(event, me, send):
    """An email's link to a conversation, opened signed out: the sign-in link it brings goes
    there, not to the event's home."""
    page = f"/my/{event.slug}/messages/"
    asked = Client().get(page)
    assert asked["Location"] == f"/my/login/?next=%2Fmy%2F{event.slug}%2Fmessages%2F"
    with send():  # the link leaves in a task, after the request
        Client().post(asked["Location"], {"email": me.email})
    link = re.search(r"http://testserver(/my/login/\S+)", mail.outbox[-1].body).group(1)
    assert link.endswith(f"?next=%2Fmy%2F{event.slug}%2Fmessages%2F")
    client = Client()
    assert client.get(link).status_code == 200  # the button's form posts back to this address
    assert client.post(link)["Location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("then", ["//evil.example.org/my/", "https://evil.example.org/", "/admin/"])
def test_the_sign_in_link_goes_nowhere_but_the_participant_pages(event, me, then, send):
    with send():
        Client().post(f"/my/login/?next={then}", {"email": me.email})
    link = re.search(r"http://testserver(/my/login/\S+)", mail.outbox[-1].body).group(1)
    assert "next" not in link
    secret = login_link_create(participant=me)
    assert Client().post(f"/my/login/{secret}/?next={then}")["Location"] == f"/my/{event.slug}/"


def test_languages_are_written_by_name_and_the_country_chosen_from_a_list(event, me):
    """The tester typed "عربي" and "المغرب" and was told to use ISO codes."""
    client = client_of(me)
    saved = client.post(
        f"/my/{event.slug}/profile/",
        profile_data(languages="عربي، Français; english", country="MA"),
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert saved.status_code == 302
    me.refresh_from_db()
    assert (me.languages, me.country) == (["ar", "fr", "en"], "MA")
    # the pages now follow the profile (Arabic first) unless a language is chosen in the menu
    client.post("/i18n/setlang/", {"language": "fr"})
    page = client.get(f"/my/{event.slug}/profile/", HTTP_ACCEPT_LANGUAGE="fr")
    form = page.context["form"]
    assert form["languages"].value() == "arabe, français, anglais"  # as the page writes them
    body = page.content.decode()
    assert '<option value="MA" selected>Maroc</option>' in body
    assert '<option value="CN">Chine</option>' in body
    # sent back unchanged, the names are read again
    data = profile_data(languages=form["languages"].value(), country="MA")
    assert client.post(f"/my/{event.slug}/profile/", data).status_code == 302
    me.refresh_from_db()
    assert me.languages == ["ar", "fr", "en"]


def test_amazigh_and_darija_are_languages_a_moroccan_delegate_can_declare(event, me):
    """Tamazight is an official language of Morocco and has no two-letter code: a delegate
    could not declare it. It is written by the names Moroccans use, in Latin, Arabic or
    Tifinagh script, and stored as its ISO 639-3 code."""
    client = client_of(me)
    for typed in ("Amazigh", "tamazight", "Tamaziɣt", "الأمازيغية", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "berbère", "zgh"):
        saved = client.post(
            f"/my/{event.slug}/profile/", profile_data(languages=f"français, {typed}, darija")
        )
        assert saved.status_code == 302, typed
        me.refresh_from_db()
        assert me.languages == ["fr", "zgh", "ary"], typed
    page = client.get(f"/my/{event.slug}/profile/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.context["form"]["languages"].value() == (
        "français, amazighe standard marocain, arabe marocain"
    )


def test_signing_in_turns_the_pages_to_the_person_s_language(event, make_participant):
    """An Arabic-first delegate on a French browser read French pages, Arabic emails."""
    sonia = make_participant(name="Sonia", languages=["de", "ar", "fr"])
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.post(f"/my/login/{login_link_create(participant=sonia)}/")
    page = client.get(f"/my/{event.slug}/profile/")
    assert page.content.decode().count('lang="ar"') >= 1 and page.context["LANGUAGE_CODE"] == "ar"
    # the menu's choice still wins afterwards
    client.post("/i18n/setlang/", {"language": "en", "next": f"/my/{event.slug}/profile/"})
    assert client.get(f"/my/{event.slug}/profile/").context["LANGUAGE_CODE"] == "en"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Only accepted requests can be booked; this one is pending: it is still waiting for "
            "an answer.",
        ),
        (
            "fr",
            "Seules les demandes acceptées peuvent être réservées ; celle-ci est en attente : "
            "elle attend encore une réponse.",
        ),
    ],
)
def test_booking_a_pending_request_says_it_is_pending(
    upcoming_event, make_participant, language, text
):
    """The page said "This request is no longer open" of a request waiting for an answer; the
    API said it is pending."""
    me = make_participant(event=upcoming_event, name="Amina Alaoui")
    req = RequestFactory(
        sender=me, recipient=make_participant(event=upcoming_event), status="pending"
    )
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    slot = upcoming_event.slots.order_by("start").first()
    response = client.post(
        f"/my/{upcoming_event.slug}/agenda/book/", {"request": req.pk, "slot": slot.pk}, follow=True
    )
    assert messages_of(response) == [text]
    assert not Meeting.objects.filter(request=req).exists()


def test_a_kind_that_cannot_be_recommended_says_so_not_complete_your_profile(
    event, make_participant
):
    """A delegation that has not opted into exchanges filtering delegations read "No
    recommendations yet. Complete your profile": the filter, not the profile, empties it."""
    city = make_participant(kind="delegation", accepts_same_kind=False, name="Rabat")
    make_participant(kind="delegation", accepts_same_kind=True)
    body = client_of(city).get(f"/my/{event.slug}/recommendations/?kind=delegation")
    html = body.content.decode()
    assert "Complete your profile" not in html
    assert "No one of the kinds you chose (City delegation) can be recommended to you." in html
    assert "when both tick “I am open to exchanges of experience with other city" in html
    # opted in, the same filter may just be empty for now: said so, without the hint
    city.accepts_same_kind = True
    city.save(update_fields=["accepts_same_kind"])
    html = client_of(city).get(f"/my/{event.slug}/recommendations/?kind=delegation")
    html = html.content.decode()
    assert "Complete your profile" not in html and "when both tick" not in html
    assert "No one of the kinds you chose (City delegation) is recommended to you yet." in html


def test_no_check_in_beside_my_own_did_not_take_place(upcoming_event, make_participant):
    """The agenda showed "Present" beside "did not take place": after saying the meeting did
    not take place, the check-in button gives way to a sentence, and a post is refused in the
    page's language."""
    import datetime as dt

    from django.utils import timezone

    from matchmaking.services.feedback import meeting_feedback_give
    from tests.api.test_meetings import move_slot

    event = upcoming_event
    me = make_participant(event=event, name="Amina Alaoui")
    slot = event.slots.order_by("start").first()
    meeting = booked(me, make_participant(event=event, name="Bruno"), slot)
    move_slot(slot, timezone.now() - dt.timedelta(minutes=25))
    meeting_feedback_give(meeting=meeting, participant=me, took_place=False)
    client = client_of(me)
    page = client.get(f"/my/{event.slug}/agenda/").content.decode()
    assert "I am here: check in" not in page
    assert (
        "You said this meeting did not take place: to check in, change your feedback below "
        "first." in page
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    refused = client.post(f"/my/{event.slug}/meetings/{meeting.pk}/check-in/", follow=True)
    assert messages_of(refused) == [
        "Vous avez indiqué dans votre avis que ce rendez-vous n’a pas eu lieu ; modifiez d’abord "
        "votre avis s’il a eu lieu."
    ]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
