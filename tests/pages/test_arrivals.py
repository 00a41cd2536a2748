"""The entrance desk: who has arrived at the fair today (a mark per fair day), from the
participant's page and the participants list; the live grid lists the meetings still to come
whose people have not arrived, and its ETag follows the arrivals; statistics count them."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from matchmaking.models import Arrival

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(event):
    """09:30 in Casablanca on the conftest event's day (18 April 2018): slots 0 and 1 are
    over, the meetings from 09:40 are still to come."""
    return dt.datetime(2018, 4, 18, 9, 30, tzinfo=event.tz)


@contextmanager
def at(moment):
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def arrive(client, event, person, **extra):
    return client.post(
        f"/organiser/{event.slug}/participants/{person.pk}/arrival/", {"arrived": "yes", **extra}
    )


def test_participant_page_marks_and_takes_back_an_arrival(
    staff_client, staff, event, make_participant, morning
):
    amina = make_participant(name="Amina")
    page = f"/organiser/{event.slug}/participants/{amina.pk}/"
    with at(morning):
        before = staff_client.get(page).content.decode()
        marked = arrive(staff_client, event, amina)
        after = staff_client.get(marked["Location"]).content.decode()
        undone = staff_client.post(
            f"/organiser/{event.slug}/participants/{amina.pk}/arrival/", {"arrived": "no"}
        )

    assert "data-not-arrived" in before and "data-arrived" not in before
    assert marked.status_code == 302
    assert marked["Location"] == page + "#arrival"
    assert '<span class="chip st-held" data-arrived>Arrived</span> at 09:30' in after
    assert "Amina has arrived." in after
    assert undone.status_code == 302
    assert Arrival.objects.count() == 0


def test_arrival_mark_saved_once_for_the_day(staff_client, staff, event, make_participant, morning):
    amina = make_participant()
    with at(morning):
        arrive(staff_client, event, amina)
        arrive(staff_client, event, amina)

    assert list(Arrival.objects.values_list("participant_id", "date", "by_id")) == [
        (amina.pk, dt.date(2018, 4, 18), staff.pk)
    ]


def test_arrival_form_refuses_bad_input_with_400(staff_client, event, make_participant, morning):
    amina = make_participant()
    with at(morning):
        response = staff_client.post(
            f"/organiser/{event.slug}/participants/{amina.pk}/arrival/", {"arrived": "maybe"}
        )

    assert response.status_code == 400
    assert "Say whether they arrived." in response.content.decode()
    assert Arrival.objects.count() == 0


def test_arrival_outside_the_fair_days_says_so(staff_client, event, make_participant):
    amina = make_participant()
    page = f"/organiser/{event.slug}/participants/{amina.pk}/"
    with at(dt.datetime(2018, 4, 20, 10, tzinfo=event.tz)):
        html = staff_client.get(page).content.decode()
        response = arrive(staff_client, event, amina)
        shown = staff_client.get(response["Location"]).content.decode()

    assert "The fair does not run today: arrivals are marked on its days." in html
    assert "Mark as arrived" not in html
    assert '<li class="message message-error">The fair does not run today' in shown
    assert Arrival.objects.count() == 0


def test_participants_list_filters_who_has_not_arrived_and_marks_from_it(
    staff_client, event, make_participant, morning
):
    amina = make_participant(name="Amina")
    bruno = make_participant(name="Bruno")
    make_participant(name="Chen", withdrawn_at=timezone.now())
    url = f"/organiser/{event.slug}/participants/?arrived=no"
    with at(morning):
        arrive(staff_client, event, amina)
        html = staff_client.get(url).content.decode()
        marked = arrive(staff_client, event, bruno, next=url)
        everyone = staff_client.get(f"/organiser/{event.slug}/participants/").content.decode()

    assert f"/participants/{bruno.pk}/" in html
    assert f"/participants/{amina.pk}/" not in html  # arrived
    assert "Chen" not in html  # no longer comes
    assert f'data-mark-arrived="{bruno.pk}"' in html
    assert marked["Location"] == url  # back to the desk's list
    assert f'data-arrived="{amina.pk}"' in everyone and f'data-arrived="{bruno.pk}"' in everyone


def test_grid_lists_meetings_still_to_come_whose_people_have_not_arrived(
    staff_client, event, make_participant, book, morning
):
    amina, bruno, chen = (make_participant(name=n) for n in ("Amina", "Bruno", "Chen"))
    over = book(amina, bruno, 0)  # 09:00, over at 09:30
    coming = book(amina, chen, 2)  # 09:40
    live = f"/organiser/{event.slug}/grid/live/?date=2018-04-18"
    with at(morning):
        first = staff_client.get(live)
        arrive(staff_client, event, amina)
        second = staff_client.get(live, HTTP_IF_NONE_MATCH=first["ETag"])
        arrive(staff_client, event, chen)
        third = staff_client.get(live)
    with at(morning + dt.timedelta(days=1)):  # another day: no such list
        other_day = staff_client.get(live).content.decode()

    html = first.content.decode()
    assert f'data-awaiting-meeting="{coming.pk}"' in html
    assert f'data-awaiting-meeting="{over.pk}"' not in html
    assert f'data-missing="{amina.pk}"' in html and f'data-missing="{chen.pk}"' in html
    assert second.status_code == 200  # an arrival changes the grid's mark
    assert f'data-missing="{amina.pk}"' not in second.content.decode()
    assert f'data-missing="{chen.pk}"' in second.content.decode()
    assert "data-awaiting-meeting" not in third.content.decode()
    assert "Everyone in the meetings still to come today has arrived." in third.content.decode()
    assert "data-awaiting" not in other_day


def test_statistics_count_arrivals_today(staff_client, event, make_participant, book, morning):
    amina, bruno, chen = (make_participant() for _ in range(3))
    book(amina, bruno, 2)
    make_participant()  # no meeting today: not expected
    with at(morning):
        arrive(staff_client, event, amina)
        arrive(staff_client, event, chen)
        html = staff_client.get(f"/organiser/{event.slug}/stats/").content.decode()

    assert '<span class="kpi-value" data-stat="arrived">2</span>' in html
    assert '<span class="kpi-value" data-stat="not_arrived">1</span>' in html  # Bruno


def test_participant_says_im_here_from_their_agenda(event, make_participant, morning):
    from django.test import Client

    amina = make_participant()
    client = Client()
    client.force_login(amina.user)
    agenda = f"/my/{event.slug}/agenda/"
    with at(morning):
        before = client.get(agenda).content.decode()
        response = client.post(f"/my/{event.slug}/arrival/")
        after = client.get(agenda).content.decode()
    with at(morning + dt.timedelta(days=1)):  # not a fair day: no button
        next_day = client.get(agenda).content.decode()

    assert "data-im-here" in before
    assert response.status_code == 302 and response["Location"] == agenda
    assert "You are marked as arrived at the fair today (09:30)." in after
    assert "Welcome to the fair: you are marked as arrived today." in after
    assert "data-im-here" not in after
    assert "data-im-here" not in next_day and "data-arrived" not in next_day
    row = Arrival.objects.get()
    assert (row.participant_id, row.by_id) == (amina.pk, None)  # said by themselves


def test_participant_arrival_outside_the_fair_days_is_refused(event, make_participant):
    from django.test import Client

    amina = make_participant()
    client = Client()
    client.force_login(amina.user)
    with at(dt.datetime(2018, 4, 20, 10, tzinfo=event.tz)):
        response = client.post(f"/my/{event.slug}/arrival/", follow=True)

    assert "The fair does not run today: arrivals are marked on its days." in (
        response.content.decode()
    )
    assert Arrival.objects.count() == 0
