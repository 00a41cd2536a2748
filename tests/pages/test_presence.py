"""The organiser console edits a participant's times at the fair (the desk's late changes)."""

from html import unescape

import pytest
from django.utils import timezone

from matchmaking.models import Availability, Meeting, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    """Meetings whose slot has started are left alone by a change of times: plan ahead."""
    return upcoming_event


def url(event, person):
    return f"/organiser/{event.slug}/participants/{person.pk}/presence/"


def test_organiser_sets_times_and_conflicts_are_refused_then_cancelled(
    staff_client, event, make_participant, book
):
    a, b = make_participant(name="Amina"), make_participant(name="Bruno")
    slots = list(event.slots.order_by("start"))
    meeting = book(a, b, len(slots) - 1)  # the last afternoon slot
    page = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/").content.decode()
    assert "Times at the fair" in page and 'name="here_0"' in page
    morning = {"here_0": "on", "from_0": slots[0].pk, "to_0": slots[5].pk}
    refused = staff_client.post(url(event, a), morning)
    assert refused.status_code == 409
    assert "1 booked meeting falls outside these times" in refused.content.decode()
    assert not Availability.objects.filter(participant=a).exists()
    done = staff_client.post(url(event, a), {**morning, "cancel_conflicting": "on"}, follow=True)
    assert done.status_code == 200
    assert "Amina's times are saved; 1 meeting cancelled." in unescape(done.content.decode())
    (period,) = Availability.objects.filter(participant=a)
    assert (period.start, period.end) == (slots[0].start, slots[5].end)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    # an organiser made the change: both sides are told
    told = set(
        Notification.objects.filter(kind="meeting_cancelled").values_list("recipient", flat=True)
    )
    assert told == {a.pk, b.pk}


def test_bad_times_answer_400_and_participants_cannot_post(
    staff_client, event, make_participant, client
):
    a = make_participant(name="Amina")
    slots = list(event.slots.order_by("start"))
    backwards = staff_client.post(
        url(event, a), {"here_0": "on", "from_0": slots[4].pk, "to_0": slots[1].pk}
    )
    assert backwards.status_code == 400
    assert "Leave after you arrive." in backwards.content.decode()
    unknown = staff_client.post(url(event, a), {"here_0": "on", "from_0": 999999, "to_0": 1})
    assert unknown.status_code == 400
    assert not Availability.objects.filter(participant=a).exists()
    client.force_login(a.user)
    assert client.post(url(event, a), {"here_0": "on"}).status_code in (302, 403)
    assert not Availability.objects.filter(participant=a).exists()


def test_a_colleague_leaving_is_told_apart_from_cancelled_meetings(
    staff_client, event, make_participant, book
):
    a, b = make_participant(name="Amina"), make_participant(name="Bruno")
    karim = make_participant(name="Karim Noor", organisation=a.organisation)
    slots = list(event.slots.order_by("start"))
    meeting = book(a, b, len(slots) - 1, attendees=[karim])
    morning = {"here_0": "on", "from_0": slots[0].pk, "to_0": slots[5].pk}

    done = staff_client.post(
        url(event, karim), {**morning, "cancel_conflicting": "on"}, follow=True
    )

    assert done.status_code == 200
    assert (
        "Karim Noor's times are saved; 0 meetings cancelled. They left 1 meeting joined as a "
        "colleague." in unescape(done.content.decode())
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_each_days_time_fields_name_their_day_for_screen_readers(staff_client):
    """Three days of "Here", "From" and "Until" read the same to a screen reader unless each
    label names its day."""
    import datetime as dt
    import re

    from django.utils import timezone

    from tests.factories import EventFactory, ParticipantFactory

    first = timezone.localdate() + dt.timedelta(days=30)
    event = EventFactory(days=[first + dt.timedelta(days=n) for n in range(3)])
    a = ParticipantFactory(event=event)
    page = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/").content.decode()
    labels = re.findall(r'<span class="visually-hidden">([^<]+)</span>', page)
    days = {s.date for s in event.slots.all()}
    for word in ("Here", "From", "Until"):
        named = [label for label in labels if label.startswith(f"{word} · ")]
        assert len(named) == len(set(named)) == len(days) == 3, word


def test_a_stale_times_card_does_not_overwrite_the_participants_own_change(
    staff_client, event, make_participant, as_participant
):
    """The desk had Amina's page open; Amina then narrowed her own times (My times, or the
    API); the desk changed another day and saved: the card replaced every day with what the
    page showed, and Amina's change was gone without a word. The card now carries the times it
    showed; when they changed since, nothing is saved and the page says so (409)."""
    import re

    a = make_participant(name="Amina")
    slots = list(event.slots.order_by("start"))
    page = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/").content.decode()
    card = page[page.index('id="presence"') :]
    shown = re.search(r'name="shown" value="([^"]*)"', card).group(1)
    mine = as_participant(a).put(
        f"/api/events/{event.slug}/me/availability/",
        {"periods": [{"start": slots[0].start.isoformat(), "end": slots[3].end.isoformat()}]},
        format="json",
    )
    assert mine.status_code == 200, mine.data
    desk = {"here_0": "on", "from_0": slots[0].pk, "to_0": slots[-1].pk, "shown": shown}
    refused = staff_client.post(url(event, a), desk)
    assert refused.status_code == 409
    assert (
        "Amina changed these times since you loaded this page, or someone else did: nothing was "
        "saved. Reload the page to see them as they are now." in unescape(refused.content.decode())
    )
    (period,) = Availability.objects.filter(participant=a)
    assert (period.start, period.end) == (slots[0].start, slots[3].end)
    # from the page as it is now, the desk's change goes through
    page = staff_client.get(f"/organiser/{event.slug}/participants/{a.pk}/").content.decode()
    card = page[page.index('id="presence"') :]
    fresh = re.search(r'name="shown" value="([^"]*)"', card).group(1)
    assert fresh != shown
    done = staff_client.post(url(event, a), {**desk, "shown": fresh})
    assert done.status_code == 302
    assert not Availability.objects.filter(participant=a).exists()  # the whole event again


def test_a_delegation_arriving_late_gets_its_times_in_one_step(
    staff_client, event, make_participant, book
):
    """Three delegates of one city arrive at 10:00 instead of 09:00: one card, the box for the
    colleagues, and all three have the new times; their meetings before 10:00 are refused
    together (nothing saved for anyone), then cancelled together with the cancel box."""
    from matchmaking.models import Organisation

    city = Organisation.objects.create(event=event, name="Ville de Dakar")
    lead, second, third = (
        make_participant(name=n, organisation=city) for n in ("Awa Sow", "Moussa Ba", "Fatou Fall")
    )
    gone = make_participant(name="Ibrahima Diop", organisation=city, withdrawn_at=timezone.now())
    slots = list(event.slots.order_by("start"))
    early = book(second, make_participant(name="Host"), 0)  # 09:00, before they arrive
    page = staff_client.get(f"/organiser/{event.slug}/participants/{lead.pk}/").content.decode()
    assert (
        "The same times for their colleagues of Ville de Dakar too (Fatou Fall and Moussa Ba)"
        in unescape(page)
    )
    late = {"here_0": "on", "from_0": slots[3].pk, "to_0": slots[-1].pk, "colleagues": "1"}

    refused = staff_client.post(url(event, lead), late)

    assert refused.status_code == 409
    assert "1 booked meeting falls outside these times" in refused.content.decode()
    assert not Availability.objects.filter(participant__organisation=city).exists()

    done = staff_client.post(url(event, lead), {**late, "cancel_conflicting": "on"}, follow=True)

    assert [str(m) for m in done.context["messages"]] == [
        "The times of Awa Sow, Fatou Fall, and Moussa Ba are saved; 1 meeting cancelled."
    ]
    for person in (lead, second, third):
        (period,) = Availability.objects.filter(participant=person)
        assert (period.start, period.end) == (slots[3].start, slots[-1].end)
    assert not Availability.objects.filter(participant=gone).exists()
    assert Meeting.objects.get(pk=early.pk).status == Meeting.Status.CANCELLED


def test_without_the_box_only_the_participant_s_times_change(staff_client, event, make_participant):
    from matchmaking.models import Organisation

    city = Organisation.objects.create(event=event, name="Ville de Dakar")
    lead, other = (make_participant(organisation=city) for _ in range(2))
    slots = list(event.slots.order_by("start"))
    staff_client.post(
        url(event, lead), {"here_0": "on", "from_0": slots[3].pk, "to_0": slots[-1].pk}
    )
    assert Availability.objects.filter(participant=lead).count() == 1
    assert not Availability.objects.filter(participant=other).exists()
