"""The meeting page's **Swap with another meeting**: the late delegation takes its host's
later meeting, or two meetings at one time trade tables, in one step."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from matchmaking.models import Meeting
from tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return EventFactory(days=[timezone.localdate() + dt.timedelta(days=30)])


def page(event, meeting) -> str:
    return f"/organiser/{event.slug}/meetings/{meeting.pk}/"


def offered(html: str) -> list[int]:
    select = re.search(r'<select name="other" required>(.*?)</select>', html, re.S)
    assert select, "no Swap form on the page"
    return [int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(1))]


def test_swap_offers_the_same_peoples_meetings_and_those_at_the_same_time(
    staff_client, event, book
):
    x, p, q, r, s = (ParticipantFactory(event=event) for _ in range(5))
    first = book(x, p, 0)
    later = book(x, q, 3)  # x's other meeting
    same_time = book(r, s, 0)  # another table at 09:00
    book(*(ParticipantFactory(event=event) for _ in range(2)), 4)  # nobody's, another time

    html = staff_client.get(page(event, first)).content.decode()

    assert offered(html) == [same_time.pk, later.pk]


def test_swap_from_the_page_moves_both_and_says_where(staff_client, event, book):
    x, p, q = (ParticipantFactory(event=event) for _ in range(3))
    first = book(x, p, 0)
    later = book(x, q, 3)
    slots = list(event.slots.order_by("start"))

    done = staff_client.post(
        page(event, first) + "swap/",
        {"other": later.pk, "version": first.version},
        follow=True,
    )

    assert done.status_code == 200
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.slot, later.slot) == (slots[3], slots[0])
    when = slots[3].start.astimezone(event.tz)
    texts = [str(m) for m in done.context["messages"]]
    assert len(texts) == 1
    assert texts[0].startswith(f"Meetings swapped: meeting {first.pk} is now at ")
    assert f"{when:%H:%M}, {first.table.name}, meeting {later.pk} at " in texts[0]
    assert texts[0].endswith(". Everyone in them is told.")


def test_swap_refused_or_malformed_moves_nothing(staff_client, event, book):
    x, p, q, other = (ParticipantFactory(event=event) for _ in range(4))
    first = book(x, p, 0)
    later = book(x, q, 3)
    book(p, other, 3)  # p is busy when ``later`` takes place
    url = page(event, first) + "swap/"

    refused = staff_client.post(url, {"other": later.pk, "version": first.version})
    assert refused.status_code == 409
    [text] = [str(m) for m in refused.context["messages"]]
    assert text.startswith("These two meetings cannot swap: ")
    assert text.endswith(" Nothing was moved.")
    for bad in ({"other": "abc"}, {"other": first.pk}, {"other": later.pk, "version": "x"}):
        response = staff_client.post(url, bad)
        assert response.status_code == 400
    stale = staff_client.post(url, {"other": later.pk, "version": first.version - 1})
    assert stale.status_code == 409
    assert Meeting.objects.get(pk=first.pk).slot_id == first.slot_id
    assert Meeting.objects.get(pk=later.pk).slot_id == later.slot_id
