"""The recommendations page's Save and Not interested buttons, the shortlist and the undo."""

import pytest
from django.conf import settings

from matchmaking.models import Mark
from matchmaking.services.attendance import attendance_withdraw
from matchmaking.services.meetings import Actor
from tests.pages.test_participant_pages import client_of, messages_of, recommend

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(make_participant):
    return make_participant(name="Amina Alaoui", kind="delegation", email="amina@casa.ma")


@pytest.fixture
def shown(me, make_participant):
    solar = make_participant(name="Sun Tech", kind="startup", languages=["en"])
    fund = make_participant(name="Atlas Fund", kind="investor", languages=["fr"])
    recommend(me, solar, 1)
    recommend(me, fund, 2)
    return solar, fund


def press(client, event, person, mark, **extra):
    return client.post(
        f"/my/{event.slug}/marks/",
        {"participant": person.pk, "mark": mark, **extra},
        follow=True,
    )


def names(response):
    return [c["person"]["name"] for c in response.context["cards"]]


def test_save_puts_someone_on_the_shortlist_and_not_interested_hides_them(event, me, shown):
    solar, fund = shown
    client = client_of(me)
    page = client.get(f"/my/{event.slug}/recommendations/")
    body = page.content.decode()
    assert "Save to my shortlist" in body and "Not interested" in body
    assert "My shortlist" not in body

    saved = press(client, event, fund, "saved")
    assert saved.request["PATH_INFO"] == f"/my/{event.slug}/recommendations/"
    assert messages_of(saved) == ["Atlas Fund is on your shortlist."]
    assert [m.candidate.name for m in saved.context["shortlist"]] == ["Atlas Fund"]
    assert [c["saved"] for c in saved.context["cards"]] == [False, True]
    assert "On my shortlist" in saved.content.decode()

    hidden = press(client, event, solar, "hidden")
    assert names(hidden) == ["Atlas Fund"]
    assert messages_of(hidden)[0].startswith("Sun Tech will no longer be recommended to you")
    assert [m.candidate.name for m in hidden.context["hidden"]] == ["Sun Tech"]
    assert "Not interested (1 person)" in hidden.content.decode()

    again = press(client, event, solar, "clear")
    assert messages_of(again) == ["Sun Tech may be recommended to you again."]
    assert names(again) == ["Sun Tech", "Atlas Fund"]
    off = press(client, event, fund, "clear")
    assert messages_of(off) == ["Atlas Fund is off your shortlist."]
    assert not Mark.objects.exists()


def test_the_shortlist_keeps_who_no_longer_comes_without_a_request_button(event, me, shown):
    _solar, fund = shown
    client = client_of(me)
    press(client, event, fund, "saved")
    attendance_withdraw(participant=fund, actor=Actor(system=True))
    body = client.get(f"/my/{event.slug}/recommendations/").content.decode()
    shortlist = body.split('id="shortlist"')[1].split("</section>")[0]
    assert "Atlas Fund" in shortlist
    assert "No longer comes to the fair." in shortlist
    assert "Request a meeting" not in shortlist
    # marking someone who no longer comes is refused, in the page's language
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    refused = press(client, event, fund, "hidden")
    assert messages_of(refused) == ["Cette personne ne vient plus au salon."]
    assert list(Mark.objects.values_list("kind", flat=True)) == ["saved"]
    # once the mark is cleared, nothing ties them any more: an unknown id, as in the API
    press(client, event, fund, "clear")
    assert (
        client.post(
            f"/my/{event.slug}/marks/", {"participant": fund.pk, "mark": "saved"}
        ).status_code
        == 404
    )
    assert not Mark.objects.exists()


def test_bad_mark_posts_are_refused_with_a_message(event, me, shown, make_participant):
    solar, _fund = shown
    client = client_of(me)
    assert messages_of(press(client, event, solar, "favourite")) == [
        "Choose someone to save or hide."
    ]
    assert messages_of(press(client, event, me, "saved")) == ["You cannot save or hide yourself."]
    assert messages_of(press(client, event, solar, "clear")) == [
        "You have neither saved nor hidden this person."
    ]
    missing = client.post(f"/my/{event.slug}/marks/", {"participant": 10**9, "mark": "saved"})
    assert missing.status_code == 404
    assert client.get(f"/my/{event.slug}/marks/").status_code == 405
    assert not Mark.objects.exists()


def test_marks_speak_french_and_arabic(event, me, shown):
    solar, fund = shown
    client = client_of(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    saved = press(client, event, fund, "saved")
    assert messages_of(saved) == ["Atlas Fund est dans votre sélection."]
    body = saved.content.decode()
    assert "Ma sélection" in body and "Pas intéressé" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    hidden = press(client, event, solar, "hidden")
    assert "غير مهتم" in hidden.content.decode()


def test_the_shortlist_says_who_declined_my_request_instead_of_offering_another(event, me, shown):
    from tests.factories import RequestFactory

    _solar, fund = shown
    client = client_of(me)
    press(client, event, fund, "saved")
    RequestFactory(sender=me, recipient=fund, status="declined")
    body = client.get(f"/my/{event.slug}/recommendations/").content.decode()
    shortlist = body.split('id="shortlist"')[1].split("</section>")[0]
    assert "Declined your request" in shortlist
    assert "Request a meeting" not in shortlist


def test_hiding_a_saved_person_says_they_leave_the_shortlist(event, me, shown):
    _solar, fund = shown
    client = client_of(me)
    press(client, event, fund, "saved")
    hidden = press(client, event, fund, "hidden")
    assert messages_of(hidden)[0].startswith(
        "Atlas Fund is off your shortlist. Atlas Fund will no longer be recommended to you"
    )
    assert not hidden.context["shortlist"]


def test_who_no_longer_comes_cannot_mark_from_the_page(event, me, shown):
    solar, _fund = shown
    attendance_withdraw(participant=me, actor=Actor(system=True))
    refused = press(client_of(me), event, solar, "saved")
    assert messages_of(refused) == [
        "You said you no longer come to the fair. If you come after all, say so under My times "
        "first."
    ]  # the page's words, not the API's "PUT me/attendance/"
    assert not Mark.objects.exists()


def test_the_page_asks_the_same_number_of_queries_for_one_mark_or_four(event, me, make_participant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matchmaking.services.marks import mark_set

    others = [make_participant(kind="startup") for _ in range(4)]
    client = client_of(me)
    mark_set(participant=me, candidate_id=others[0].pk, kind="saved")
    client.get(f"/my/{event.slug}/recommendations/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/my/{event.slug}/recommendations/")
    for other in others[1:]:
        mark_set(participant=me, candidate_id=other.pk, kind="hidden")
    with CaptureQueriesContext(connection) as four:
        client.get(f"/my/{event.slug}/recommendations/")
    assert len(one) == len(four)


def test_find_someone_saves_and_says_who_is_saved_or_hidden(event, me, shown):
    solar, fund = shown
    client = client_of(me)
    search = f"/my/{event.slug}/requests/?q=Sun"
    body = client.get(search).content.decode()
    assert "Save to my shortlist" in body
    saved = press(client, event, solar, "saved", next=search)
    assert saved.request["PATH_INFO"] == f"/my/{event.slug}/requests/"
    assert "On my shortlist" in saved.content.decode()
    press(client, event, fund, "hidden")
    found = client.get(f"/my/{event.slug}/requests/?q=Atlas")
    assert [p.mark for p in found.context["found"]] == ["hidden"]
    assert "Recommend again" in found.content.decode()
