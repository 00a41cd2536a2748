"""Data migrations: what they do to rows written before them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from matchmaking.models import MeetingLog, MeetingSeat
from matchmaking.services.meetings import Actor, meeting_book
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

mark_left = importlib.import_module(
    "matchmaking.migrations.0008_meetingseat_left"
).mark_colleagues_who_left


def test_0008_marks_every_colleague_the_log_says_left_even_if_a_move_brought_them_back(
    event, make_participant
):
    a = make_participant()
    karim = make_participant(organisation=a.organisation)  # left, then re-seated by a move
    lina = make_participant(organisation=a.organisation)  # still in the meeting
    slots = list(event.slots.all())
    req = RequestFactory(sender=a, recipient=make_participant(), status="accepted")
    meeting = meeting_book(
        request=req, slot=slots[0], actor=Actor(system=True), attendees=[karim, lina]
    )
    # the rows as the old code left them: the leave is logged, but the seat is active again
    MeetingLog.objects.create(
        meeting=meeting, action="attendee_left", detail={"participant": karim.pk, "reason": "x"}
    )
    MeetingSeat.objects.filter(meeting=meeting).update(left=False, active=True)

    mark_left(apps, None)

    seats = {s.participant_id: s for s in MeetingSeat.objects.filter(meeting=meeting)}
    assert (seats[karim.pk].left, seats[karim.pk].active) == (True, False)
    assert (seats[lina.pk].left, seats[lina.pk].active) == (False, True)
    assert (seats[a.pk].left, seats[a.pk].active) == (False, True)


mark_who_cancelled = importlib.import_module(
    "matchmaking.migrations.0009_cancelled_by_and_run_basis"
).mark_who_cancelled


def test_0009_tells_who_cancelled_each_meeting_from_its_log(event, make_participant):
    from matchmaking.models import Meeting
    from tests.factories import UserFactory

    slots = list(event.slots.all())
    meetings = []
    for i in range(6):
        req = RequestFactory(sender=make_participant(), recipient=make_participant())
        meetings.append(meeting_book(request=req, slot=slots[i], actor=Actor(system=True)))
    person, organiser, system, typed_by_nobody, unlogged, legacy = meetings
    staff, user = UserFactory(is_staff=True), UserFactory()
    rows = [
        (person, user, {"reason": "we met"}),
        (organiser, staff, {"reason": "closed"}),
        (system, user, {"reason": "x", "reason_code": "unavailable", "reason_params": {}}),
        (typed_by_nobody, None, {"reason": ""}),
        # a system reason as logged before reasons had codes, with the participant's own user
        (legacy, user, {"reason": "Amina is no longer available at that time."}),
    ]
    for meeting, actor, detail in rows:
        MeetingLog.objects.create(meeting=meeting, actor=actor, action="cancelled", detail=detail)
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(status="cancelled")

    mark_who_cancelled(apps, None)

    got = dict(Meeting.objects.filter(event=event).values_list("pk", "cancelled_by"))
    assert got == {
        person.pk: "participant",
        organiser.pk: "organiser",
        system.pk: "system",
        typed_by_nobody.pk: "system",
        unlogged.pk: "system",
        legacy.pk: "system",
    }


fold_search_columns = importlib.import_module(
    "matchmaking.migrations.0011_profile_search_names"
).fold_search_columns


def test_0011_folds_the_search_columns_of_profiles_written_before(event, make_participant):
    from matchmaking.models import Profile

    # no country, and a city CLDR does not name: no place names (0038 adds those)
    karim = make_participant(name="Karim Tazi", city="Évry", title="Directeur", country="")
    Profile.objects.filter(participant=karim).update(
        search_text="karim tazi directeur évry", search_names=""
    )  # as the old code stored it

    fold_search_columns(apps, None)

    profile = Profile.objects.get(participant=karim)
    org = karim.organisation.name.lower()
    assert profile.search_names == f"karim tazi {org} evry"
    assert profile.search_text == f"karim tazi directeur {org} evry "  # then an empty description
    stored = (profile.search_text, profile.search_names)
    profile.refresh_search_text()  # what the service stores today
    assert (profile.search_text, profile.search_names) == stored


def test_0034_folds_arabic_letters_written_either_way_in_profiles_written_before(
    event, make_participant
):
    from matchmaking.models import Profile

    fold = importlib.import_module(
        "matchmaking.migrations.0034_search_fold_arabic_letters"
    ).fold_search_columns
    salma = make_participant(name="سلمى", city="اريانة", title="", country="")  # as for 0011
    Profile.objects.filter(participant=salma).update(
        search_text="سلمى  org اريانة ", search_names="سلمى org اريانة"
    )  # as the old code stored it

    fold(apps, None)

    profile = Profile.objects.get(participant=salma)
    assert "سلمي" in profile.search_names and "اريانه" in profile.search_names
    assert "ى" not in profile.search_text and "ة" not in profile.search_text
    stored = (profile.search_text, profile.search_names)
    profile.refresh_search_text()  # what the service stores today
    assert (profile.search_text, profile.search_names) == stored


def test_0039_adds_the_place_names_to_profiles_written_before(event, make_participant):
    from matchmaking.models import Profile

    fill = importlib.import_module(
        "matchmaking.migrations.0039_search_place_names"
    ).fill_search_columns
    casa = make_participant(name="Casa", city="Casablanca", country="MA", title="")
    Profile.objects.filter(participant=casa).update(
        search_text="casa  org casablanca ", search_names="casa org casablanca"
    )  # as the old code stored it

    fill(apps, None)

    profile = Profile.objects.get(participant=casa)
    for name in ("الدار البيضاء", "maroc", "المغرب", "morocco"):
        assert name in profile.search_names and name in profile.search_text
    stored = (profile.search_text, profile.search_names)
    profile.refresh_search_text()  # what the service stores today
    assert (profile.search_text, profile.search_names) == stored


def test_0042_adds_the_moroccan_city_names_to_profiles_written_before(event, make_participant):
    from matchmaking.models import Profile

    fill = importlib.import_module(
        "matchmaking.migrations.0042_search_moroccan_cities"
    ).fill_search_columns
    fes = make_participant(name="Karim", city="Fez", country="MA", title="")
    lyon = make_participant(name="Lyon", city="Lyon", country="FR", title="")
    Profile.objects.filter(participant=fes).update(
        search_text="karim  org fez morocco maroc المغرب ",
        search_names="karim org fez morocco maroc المغرب",
    )  # as the code before stored it: the country's names only
    Profile.objects.filter(participant=lyon).update(search_text="old", search_names="old")

    fill(apps, None)

    profile = Profile.objects.get(participant=fes)
    for name in ("فاس", "fes", "fez", "maroc"):
        assert name in profile.search_names and name in profile.search_text
    stored = (profile.search_text, profile.search_names)
    profile.refresh_search_text()  # what the service stores today
    assert (profile.search_text, profile.search_names) == stored
    untouched = Profile.objects.get(participant=lyon)  # not a Moroccan city: left as it was
    assert (untouched.search_text, untouched.search_names) == ("old", "old")


cut_to_event_days = importlib.import_module(
    "matchmaking.migrations.0013_availability_within_event_days"
).cut_to_event_days


def test_0013_cuts_periods_stored_beyond_the_fair_to_its_days(event, make_participant):
    import datetime as dt
    import zoneinfo

    from matchmaking.models import Availability

    amina, karim = make_participant(), make_participant()
    tz = zoneinfo.ZoneInfo(event.timezone)
    slots = list(event.slots.order_by("start"))
    forever = Availability.objects.create(  # as a participant could store it before
        participant=amina,
        start=dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    inside = Availability.objects.create(participant=karim, start=slots[0].start, end=slots[2].end)

    cut_to_event_days(apps, None)

    forever.refresh_from_db()
    first_day = slots[0].start.astimezone(tz).date()
    last_day = slots[-1].end.astimezone(tz).date()
    assert forever.start == dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    assert forever.end == dt.datetime.combine(
        last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz
    )
    inside_before = (inside.start, inside.end)
    inside.refresh_from_db()
    assert (inside.start, inside.end) == inside_before


def test_0013_keeps_a_period_wholly_outside_the_days(event, make_participant):
    """Slots rebuilt after someone chose a day that is gone: deleting their only period would
    make them available for the whole event."""
    import datetime as dt

    from matchmaking.models import Availability

    lina = make_participant()
    last = event.slots.order_by("start").last()
    gone = Availability.objects.create(
        participant=lina,
        start=last.end + dt.timedelta(days=3),
        end=last.end + dt.timedelta(days=3, hours=4),
    )
    before = (gone.start, gone.end)

    cut_to_event_days(apps, None)

    gone.refresh_from_db()
    assert (gone.start, gone.end) == before


own_places_not_shared = importlib.import_module(
    "matchmaking.migrations.0014_own_places_are_not_shared"
).own_places_not_shared


def test_0014_someone_at_a_shared_table_gets_a_place_of_their_own_and_is_scheduled(
    make_participant,
):
    """Before: the scheduler planned the person's meetings at other lounge tables and at theirs
    for others, and the publish refused all of that person's (booked 0 of 3). The shared table
    stays shared (other people's meetings there stay valid, the export re-imports: the sixth
    review), the person gets "T05 (own place)"."""
    import datetime as dt

    from django.utils import timezone

    from matchmaking.models import Meeting, Table
    from matchmaking.selectors import event_export
    from matchmaking.services.importer import event_import
    from matchmaking.services.scheduling import (
        schedule_run_create,
        schedule_run_execute,
        schedule_run_publish,
    )
    from tests.factories import EventFactory

    event = EventFactory(tables=5, days=[timezone.localdate() + dt.timedelta(days=30)])
    lounge = Table.objects.filter(event=event, shared=True).order_by("name").last()
    amina = make_participant(event=event, name="Amina", fixed_table=lounge)  # an old import
    others = RequestFactory(
        sender=make_participant(event=event), recipient=make_participant(event=event)
    )
    kept = meeting_book(
        request=others,
        slot=event.slots.order_by("start").first(),
        actor=Actor(system=True),
        table=lounge,
    )
    for i in range(3):
        RequestFactory(
            sender=make_participant(event=event, name=f"B{i}"), recipient=amina, status="accepted"
        )

    own_places_not_shared(apps, None)

    lounge.refresh_from_db()
    amina.refresh_from_db()
    assert lounge.shared
    assert (amina.fixed_table.name, amina.fixed_table.shared) == (
        f"{lounge.name} (own place)",
        False,
    )
    run = schedule_run_create(event=event, user=None, options={"time_limit": 5}, enqueue=False)
    run = schedule_run_execute(run=run)
    run = schedule_run_publish(run=run, user=None)
    assert (run.publish_report["booked"], run.publish_report["skipped"]) == (3, [])
    tables = set(Meeting.objects.exclude(pk=kept.pk).values_list("table__name", flat=True))
    assert tables == {amina.fixed_table.name}
    assert Meeting.objects.get(pk=kept.pk).table == lounge
    data = event_export(event=event)
    data["event"]["slug"] = "copy"
    assert event_import(data=data).meetings.count() == 4  # the export imports again


staff_organise_existing_events = importlib.import_module(
    "matchmaking.migrations.0016_event_organiser_teams"
).staff_organise_existing_events


def test_0016_every_staff_account_keeps_organising_the_events_there_are():
    """Before teams every staff account steered every event: the upgrade keeps that for what
    exists; participants' accounts and inactive staff join no team."""
    from tests.factories import EventFactory, UserFactory

    fairs = [EventFactory(), EventFactory()]
    staff = UserFactory(username="boss", is_staff=True)
    UserFactory(username="gone", is_staff=True, is_active=False)
    UserFactory(username="visitor")

    staff_organise_existing_events(apps, None)

    for fair in fairs:
        assert [u.username for u in fair.organisers.all()] == [staff.username]


key_reminders_by_slot = importlib.import_module(
    "matchmaking.migrations.0019_reminder_keys_by_slot"
).key_reminders_by_slot


def test_0019_reminders_sent_before_the_upgrade_are_not_sent_again(event, make_participant):
    """Reminders were keyed on the meeting's SEQUENCE, now on its slot: without rewriting the
    keys, the first sweep after the upgrade sent the same reminders again (the review)."""
    from matchmaking.models import Notification
    from matchmaking.services.notifications import notify_meeting

    req = RequestFactory(sender=make_participant(), recipient=make_participant())
    meeting = meeting_book(request=req, slot=event.slots.first(), actor=Actor(system=True))
    notify_meeting(meeting=meeting, kind="meeting_reminder")
    for note in Notification.objects.filter(kind="meeting_reminder"):  # as the old code keyed
        note.key = f"meeting_reminder:meeting{meeting.pk}:seq0:to{note.recipient_id}"
        note.save(update_fields=["key"])

    key_reminders_by_slot(apps, None)

    before = Notification.objects.filter(kind="meeting_reminder").count()
    notify_meeting(meeting=meeting, kind="meeting_reminder")
    assert Notification.objects.filter(kind="meeting_reminder").count() == before == 2
