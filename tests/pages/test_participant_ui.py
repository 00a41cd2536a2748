"""What the participant's pages show and how they read (labels, directions, options), beyond
what they do: the tester's findings on phones and in Arabic and French."""

import datetime as dt
import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from matchmaking.models import LoginLink, MeetingRequest, Profile, Recommendation
from matchmaking.services.participants import login_link_create
from ml.ranker import PAIR_REASON_MIN_SIMILARITY
from tests.factories import EventFactory, RequestFactory

pytestmark = pytest.mark.django_db


def client_of(participant, language: str = "en") -> Client:
    client = Client()
    client.force_login(participant.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def me(make_participant):
    return make_participant(name="Amina Alaoui", email="amina@casa.ma")


# ------------------------------------------------------------------------------------------------
# Every page: the same icon; every aria-describedby names an element of the page
# ------------------------------------------------------------------------------------------------

PAGES = ("profile", "presence", "recommendations", "requests", "agenda")


@pytest.mark.parametrize("section", PAGES)
def test_every_aria_describedby_names_an_element_of_the_page(event, me, section):
    body = client_of(me).get(f"/my/{event.slug}/{section}/").content.decode()

    ids = set(re.findall(r'\bid="([^"]+)"', body))
    described = [
        ref for refs in re.findall(r'aria-describedby="([^"]*)"', body) for ref in refs.split()
    ]
    assert [ref for ref in described if ref not in ids] == []
    if section == "profile":  # the hints of the profile form are there and linked
        assert set(described) == {
            "id_languages_helptext",
            "id_offers_helptext",
            "id_needs_helptext",
            "id_max_meetings_helptext",
        }


def test_participant_pages_have_the_svg_favicon(event, me):
    for url in (f"/my/{event.slug}/profile/", "/my/login/"):
        body = client_of(me).get(url).content.decode()
        assert (
            '<link rel="icon" href="/static/matchmaking/favicon.svg" type="image/svg+xml">' in body
        )


# ------------------------------------------------------------------------------------------------
# Sign-in link: a used or invalid link says so at once, a valid one is not spent by a GET
# ------------------------------------------------------------------------------------------------


def test_used_expired_or_unknown_link_shows_the_failure_page_on_get(event, me):
    used = login_link_create(participant=me)
    Client().post(f"/my/login/{used}/")
    expired = login_link_create(participant=me)
    LoginLink.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    for secret in (used, expired, "no-such-link"):
        response = Client().get(f"/my/login/{secret}/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "This sign-in link is not valid" in body
        assert "Press the button to continue" not in body


def test_valid_link_get_asks_to_confirm_and_spends_nothing(event, me):
    secret = login_link_create(participant=me)

    for _ in range(3):  # a mail scanner may open it several times
        response = Client().get(f"/my/login/{secret}/")
        assert response.status_code == 200
        assert "Press the button to continue" in response.content.decode()
    assert LoginLink.objects.get().used_at is None
    assert Client().post(f"/my/login/{secret}/").status_code == 302


# ------------------------------------------------------------------------------------------------
# My times: each field's label names its day
# ------------------------------------------------------------------------------------------------


def test_presence_labels_name_the_day_of_each_field(make_participant):
    event = EventFactory(days=[dt.date(2018, 4, 18), dt.date(2018, 4, 19)])
    me = make_participant(event=event)

    body = client_of(me).get(f"/my/{event.slug}/presence/").content.decode()

    for day in ("Wednesday 18 April", "Thursday 19 April"):
        assert f'<span class="pt-visually-hidden">I am here on {day}</span>' in body
        assert f'<span class="pt-visually-hidden">From (on {day})</span>' in body
        assert f'<span class="pt-visually-hidden">Until (on {day})</span>' in body
    # the bare column names are only shown (on a phone), not read twice
    assert body.count('<span class="pt-presence-col" aria-hidden="true">From</span>') == 2


def test_presence_labels_keep_the_day_after_a_refused_save(event, me):
    from matchmaking.models import Slot

    slots = list(Slot.objects.filter(event=event).order_by("start"))
    response = client_of(me).post(
        f"/my/{event.slug}/presence/",
        {"here_0": "on", "from_0": slots[3].pk, "to_0": slots[1].pk},
    )

    body = response.content.decode()
    assert response.context["form"].errors["to_0"] == ["Leave after you arrive."]
    assert "Until (on Wednesday 18 April)" in body


# ------------------------------------------------------------------------------------------------
# Agenda: the calendar link in Arabic, a closed booking list that still names the day
# ------------------------------------------------------------------------------------------------


def test_calendar_link_isolates_only_the_file_type(event, me):
    body = client_of(me, "ar").get(f"/my/{event.slug}/agenda/").content.decode()

    (link,) = re.findall(r'<a href="/my/[^"]+/agenda\.ics"[^>]*>.*?</a>', body)
    assert 'dir="ltr"' not in link.split(">")[0]  # the translated words keep the page's way
    assert link.endswith(' <bdi dir="ltr">(.ics)</bdi></a>')


@pytest.mark.parametrize(
    "language, first",
    [
        ("en", "Wed 16 April · \u206609:00–09:20\u2069"),
        ("fr", "mer 16 avril · \u206609:00–09:20\u2069"),
        ("ar", "الأربعاء 16 إبريل · \u206609:00–09:20\u2069"),
    ],
)
def test_booking_options_name_their_day_in_the_pages_language(make_participant, language, first):
    event = EventFactory(
        days=[dt.date(2031, 4, 16), dt.date(2031, 4, 17), dt.date(2031, 4, 18)]
    )  # Wednesday to Friday, far ahead
    me = make_participant(event=event)
    other = make_participant(event=event)
    RequestFactory(sender=other, recipient=me, status=MeetingRequest.Status.ACCEPTED)

    body = client_of(me, language).get(f"/my/{event.slug}/agenda/").content.decode()

    options = [html.unescape(o) for o in re.findall(r'<option value="\d+">([^<]*)</option>', body)]
    assert len(options) == 3 * 9
    assert options[0] == first
    days = {option.split(" · ")[0] for option in options}
    assert len(days) == 3  # three days, each named: the same times no longer look alike
    assert len(re.findall(r"<optgroup label=", body)) == 3


# ------------------------------------------------------------------------------------------------
# Profile: the facts box, suggested sectors one can use
# ------------------------------------------------------------------------------------------------


def test_profile_email_is_isolated_left_to_right_inside_a_cell_of_the_pages_direction(event, me):
    body = client_of(me, "ar").get(f"/my/{event.slug}/profile/").content.decode()

    assert '<dd class="pt-email"><bdi dir="ltr">amina@casa.ma</bdi></dd>' in body


@pytest.fixture
def unsorted(make_participant):
    """A participant whose profile states no sector: parking is the sector inferred first
    (connectivity after it, which the page does not propose)."""
    return make_participant(
        name="Driss",
        profile__description=(
            "Capteurs de stationnement connectés et guidage vers les places libres au centre-ville."
        ),
    )


def test_each_suggested_sector_is_a_label_of_its_checkbox(event, unsorted):
    response = client_of(unsorted, "fr").get(f"/my/{event.slug}/profile/")
    body = response.content.decode()

    assert [(s, label) for s, label, _box in response.context["suggested"]] == [
        ("parking", "Stationnement"),
    ]
    for sector, label, box in response.context["suggested"]:
        assert f'<label class="pt-chip pt-chip-action" for="{box}">+ {label}</label>' in body
        checkbox = f'<input type="checkbox" name="sectors" value="{sector}" id="{box}"'
        assert checkbox in body
    assert 'name="use_suggested"' in body


def test_use_the_suggested_sectors_saves_them_with_what_i_ticked(event, unsorted):
    client = client_of(unsorted)
    form = client.get(f"/my/{event.slug}/profile/").context["form"]
    data = {name: form[name].value() or "" for name in ("title", "country", "city")}
    data |= {"languages": "fr, en", "description": form["description"].value()}
    data |= {"sectors": ["energy"], "use_suggested": "1"}

    response = client.post(f"/my/{event.slug}/profile/", data, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Your profile is saved."]
    assert sorted(Profile.objects.get(participant=unsorted).sectors) == ["energy", "parking"]
    assert response.context["suggested"] == []  # confirmed: no more suggestions


# ------------------------------------------------------------------------------------------------
# Recommendations: names aligned with the card, languages by name, no nonsense pairs
# ------------------------------------------------------------------------------------------------


def recommend(me, candidate, **reasons):
    base = {"shared_sectors": [], "related_sectors": [], "languages": {"common": [], "note": None}}
    return Recommendation.objects.create(
        event=me.event,
        participant=me,
        candidate=candidate,
        rank=1,
        score=0.5,
        reasons=base | reasons,
    )


def test_recommended_name_is_isolated_not_turned_left_to_right(event, me, make_participant):
    recommend(me, make_participant(name="Laura Vidal"))

    body = client_of(me, "ar").get(f"/my/{event.slug}/recommendations/").content.decode()

    assert "<h2><bdi>Laura Vidal</bdi></h2>" in body
    assert '<h2 dir="auto">' not in body


@pytest.mark.parametrize(
    "language, names",
    [
        ("en", "Languages in common: English, French, Chinese, Wolof, xx"),
        ("fr", "Langues communes : anglais, français, chinois, wolof, xx"),
        ("ar", "لغات مشتركة: الإنجليزية، الفرنسية، الصينية، الولوفية، xx"),
    ],
)
def test_common_languages_are_named_in_the_pages_language(
    event, me, make_participant, language, names
):
    """Every language a fair's participants speak has its name (Chinese and Wolof were shown
    as codes); an unknown code stays as it is."""
    recommend(
        me,
        make_participant(name="Laura"),
        languages={"common": ["en", "fr", "zh", "wo", "xx"], "note": None},
    )

    body = client_of(me, language).get(f"/my/{event.slug}/recommendations/").content.decode()

    (item,) = re.findall(r'<li class="pt-reason-langs">([^<]*)</li>', body)
    assert html.unescape(item) == names


def test_a_stored_pair_that_does_not_match_is_not_shown(event, me, make_participant):
    weak = PAIR_REASON_MIN_SIMILARITY - 0.06
    recommend(
        me,
        make_participant(name="Noor"),
        offer_to_need={
            "need": "city-centre parking management",
            "offer": "high-speed public Wi-Fi",
            "similarity": weak,
        },
        need_to_offer={
            "need": "funding for smart city projects",
            "offer": "infrastructure project finance",
            "similarity": 0.52,
        },
    )

    response = client_of(me).get(f"/my/{event.slug}/recommendations/")

    (card,) = response.context["cards"]
    assert card["offer_to_need"] is None
    assert card["need_to_offer"]["offer"] == "infrastructure project finance"
    body = response.content.decode()
    assert "high-speed public Wi-Fi" not in body and "infrastructure project finance" in body
