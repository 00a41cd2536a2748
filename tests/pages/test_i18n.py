"""French, English and Arabic: translated strings, right-to-left Arabic, the language switcher."""

import pytest
from django.utils import translation
from django.utils.formats import date_format

pytestmark = pytest.mark.django_db

# a meeting's time inside the console's sentences, with its weekday, in each language
DAY_TIME = {"en": "{day} at {time}", "fr": "{day} à {time}", "ar": "يوم {day} الساعة {time}"}


def test_arabic_grid_rtl_and_translated(staff_client, event):
    html = staff_client.get(
        f"/organiser/{event.slug}/grid/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "شبكة اللقاءات" in html  # Meeting grid
    assert "الإحصائيات" in html  # Statistics (nav)
    assert "Meeting grid" not in html


def test_french_statistics_translated(staff_client, event):
    html = staff_client.get(
        f"/organiser/{event.slug}/stats/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Taux d’acceptation" in html
    assert "Participants sans rendez-vous" in html


def test_english_default_ltr(staff_client, event):
    html = staff_client.get(f"/organiser/{event.slug}/grid/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Meeting grid" in html


def test_language_switcher_sets_language(staff_client, event):
    grid = f"/organiser/{event.slug}/grid/"
    response = staff_client.post("/i18n/setlang/", {"language": "ar", "next": grid})
    assert response.status_code == 302
    assert response["Location"] == grid
    html = staff_client.get(grid).content.decode()
    assert 'dir="rtl"' in html
    assert 'value="ar" lang="ar" selected' in html


def test_arabic_status_message_translated(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)
    response = staff_client.post(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/status/",
        {"status": "bogus"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 400
    assert "اختر إحدى الحالات المقترحة." in response.content.decode()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_chart_numbers_not_localised(staff_client, event, make_participant, book, language):
    """SVG coordinates must keep a decimal point whatever the language shows numbers with."""
    import re

    for i in range(3):
        book(make_participant(), make_participant(), i)
    make_participant()
    html = staff_client.get(
        f"/organiser/{event.slug}/stats/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    coordinates = re.findall(r' (?:x|y|width|height|fill-opacity)="([^"]*)"', html)
    assert len(coordinates) > 20
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Check-in opens 30 minutes before the meeting, on {opens}."),
        (
            "fr",
            "L’enregistrement de la présence ouvre 30 minutes avant le rendez-vous, le {opens}.",
        ),
        ("ar", "يبدأ تسجيل الحضور قبل اللقاء بـ 30 دقيقة، في {opens}."),
    ],
)
def test_early_check_in_refusal_in_the_consoles_language(
    staff_client, upcoming_event, language, text
):
    """The grid dialog's "Checked in" pressed a month ahead: refused, in the page's language."""
    import datetime as dt

    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import ParticipantFactory, RequestFactory

    request = RequestFactory(sender=ParticipantFactory(event=upcoming_event))
    slot = upcoming_event.slots.order_by("start").first()
    meeting = meeting_book(request=request, slot=slot, actor=Actor(system=True))
    opens = (slot.start - dt.timedelta(minutes=30)).astimezone(upcoming_event.tz)

    response = staff_client.post(
        f"/organiser/{upcoming_event.slug}/meetings/{meeting.pk}/status/",
        {"status": "checked_in"},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )

    # refused: back to the meeting page with the message (post-redirect-get)
    meeting_url = f"/organiser/{upcoming_event.slug}/meetings/{meeting.pk}/"
    assert response.redirect_chain == [(meeting_url, 302)]
    assert response.status_code == 200
    with translation.override(language):
        day = date_format(opens, "l j F")  # "mercredi 18 avril", in the console's language
    when = DAY_TIME[language].format(day=day, time=f"{opens:%H:%M}")
    assert text.format(opens=when) in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "This meeting starts on {at}; it can be marked held or no-show once it has started.",
        ),
        ("fr", "Ce rendez-vous commence le {at} ; il pourra être marqué tenu ou absent une fois"),
    ],
)
def test_no_show_before_the_meeting_refused_in_the_consoles_language(
    staff_client, upcoming_event, language, text
):
    """A meeting a month ahead cannot have been missed yet: refused, in the page's language."""
    from matchmaking.services.meetings import Actor, meeting_book
    from tests.factories import ParticipantFactory, RequestFactory

    request = RequestFactory(sender=ParticipantFactory(event=upcoming_event))
    slot = upcoming_event.slots.order_by("start").first()
    meeting = meeting_book(request=request, slot=slot, actor=Actor(system=True))
    start = slot.start.astimezone(upcoming_event.tz)

    response = staff_client.post(
        f"/organiser/{upcoming_event.slug}/meetings/{meeting.pk}/status/",
        {"status": "no_show"},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )

    # refused: back to the meeting page with the message (post-redirect-get)
    meeting_url = f"/organiser/{upcoming_event.slug}/meetings/{meeting.pk}/"
    assert response.redirect_chain == [(meeting_url, 302)]
    assert response.status_code == 200
    with translation.override(language):
        day = date_format(start, "l j F")
    when = DAY_TIME[language].format(day=day, time=f"{start:%H:%M}")
    assert text.format(at=when) in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_french_console_writes_dates_with_french_month_and_day_names(
    staff_client, event, make_participant, book
):
    """Day tabs, change-log times and log sentences follow the page's language (Django's own
    French formats), not English-looking abbreviations ("12 Nov 2026") or ISO dates."""
    import datetime as dt

    from matchmaking.models import MeetingLog

    meeting = book(make_participant(), make_participant(), 0)
    # a fixed moment for the log row: 10:05 UTC is 11:05 in Casablanca
    MeetingLog.objects.filter(meeting=meeting).update(
        at=dt.datetime(2026, 11, 12, 10, 5, tzinfo=dt.UTC)
    )

    grid = staff_client.get(
        f"/organiser/{event.slug}/grid/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    page = staff_client.get(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert "mer 18 avril</a>" in grid
    assert "Avr" not in grid
    assert "<td>12 novembre 2026 11:05</td>" in page
    assert "Réservé pour le mercredi 18 avril à 09:00" in page
    assert "Nov 2026" not in page and "le 2018-04-18" not in page


def test_arabic_console_writes_dates_with_arabic_month_names(
    staff_client, event, make_participant, book
):
    meeting = book(make_participant(), make_participant(), 0)
    grid = staff_client.get(
        f"/organiser/{event.slug}/grid/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    page = staff_client.get(
        f"/organiser/{event.slug}/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()

    assert "18 إبريل</a>" in grid
    assert "حُجز يوم الأربعاء 18 إبريل الساعة 09:00" in page  # the "booked for" log sentence
    assert "2018-04-18 09:00" not in page


def test_english_console_dates(staff_client, event, make_participant, book):
    import datetime as dt

    from matchmaking.models import MeetingLog

    meeting = book(make_participant(), make_participant(), 0)
    MeetingLog.objects.filter(meeting=meeting).update(
        at=dt.datetime(2026, 11, 12, 10, 5, tzinfo=dt.UTC)
    )
    grid = staff_client.get(f"/organiser/{event.slug}/grid/").content.decode()
    page = staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/").content.decode()

    assert "Wed April 18</a>" in grid
    assert "<td>Nov. 12, 2026 11:05</td>" in page
    assert "Booked for Wednesday 18 April at 09:00" in page


def test_participant_requests_page_dates_in_french(event, make_participant):
    import datetime as dt

    from django.test import Client

    from matchmaking.models import MeetingRequest
    from tests.factories import RequestFactory

    me, other = make_participant(), make_participant()
    req = RequestFactory(sender=other, recipient=me, status=MeetingRequest.Status.PENDING)
    MeetingRequest.objects.filter(pk=req.pk).update(
        created_at=dt.datetime(2096, 11, 12, 10, 5, tzinfo=dt.UTC),
        expires_at=dt.datetime(2096, 11, 15, 10, 5, tzinfo=dt.UTC),
    )
    client = Client()
    client.force_login(me.user)
    html = client.get(f"/my/{event.slug}/requests/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Reçue le 12 novembre 2096 11:05" in html
    assert "Répondre avant le 15 novembre 2096 11:05" in html


def test_french_language_menu_says_changer_not_the_admins_modification(staff_client, event):
    """The admin's catalogue is listed first: ours must still win for "Change"."""
    html = staff_client.get(
        f"/organiser/{event.slug}/grid/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert ">Changer</button>" in html
    assert "Modification" not in html


def test_organiser_saving_someones_times_names_them(staff_client, upcoming_event):
    from tests.factories import ParticipantFactory

    person = ParticipantFactory(event=upcoming_event, name="Karim Noor")
    slots = list(upcoming_event.slots.order_by("start"))
    response = staff_client.post(
        f"/organiser/{upcoming_event.slug}/participants/{person.pk}/presence/",
        {"here_0": "on", "from_0": slots[1].pk, "to_0": slots[-1].pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "Horaires de Karim Noor enregistrés ; 0 rendez-vous annulé." in texts


@pytest.mark.parametrize(
    ("language", "days"),
    [
        ("fr", ["4 juin 09:00", "4 juil. 09:00", "4 déc. 09:00"]),
        ("ar", ["4 يونيو 09:00", "4 يوليو 09:00", "4 ديسمبر 09:00"]),
        ("en", ["4 June 09:00", "4 July 09:00", "4 Dec. 09:00"]),
    ],
)
def test_proposable_times_name_their_month_in_the_pages_language(make_participant, language, days):
    """The request form's short dates: French months abbreviated the French way, lower case
    ("4 déc.", "4 juil."), not Django's capitalised three letters ("Déc", "Jui" for both June
    and July); Arabic keeps its month names whole."""
    import datetime as dt
    import re

    from django.test import Client
    from django.utils import timezone

    from tests.factories import EventFactory
    from tests.pages.test_participant_pages import recommend

    year = timezone.localdate().year + 1
    event = EventFactory(days=[dt.date(year, 6, 4), dt.date(year, 7, 4), dt.date(year, 12, 4)])
    me = make_participant(event=event)
    other = make_participant(event=event)
    recommend(me, other, 1)
    client = Client()
    client.force_login(me.user)
    html = client.get(
        f"/my/{event.slug}/recommendations/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    times = html[html.index(f'id="slot-{other.pk}"') :]
    times = times[: times.index("</select>")]
    shown = re.findall(r'data-part="morning">\S+ (\d+ \S+ 09:00)</option>', times)
    assert shown == days
