"""The Django admin keeps the domain's rules for what it edits directly."""

import pytest
from django.contrib.admin.sites import site

from matchmaking.models import Participant

pytestmark = pytest.mark.django_db


def test_admin_participant_country_follows_the_api_rule(rf, make_participant, organiser):
    person = make_participant(country="TN")
    model_admin = site._registry[Participant]
    request = rf.get("/")
    request.user = organiser
    form_class = model_admin.get_form(request, person)
    data = {f: getattr(person, f) for f in ("ref", "name", "email", "kind", "city", "title")}
    data.update(
        event=person.event_id,
        organisation=person.organisation_id,
        user=person.user_id,
        languages='["fr"]',
    )
    bad = form_class(data={**data, "country": "zz"}, instance=person)
    assert bad.errors["country"] == [
        "“zz” is not a country code. Use a two-letter ISO 3166-1 code such as MA."
    ]
    good = form_class(data={**data, "country": "ma"}, instance=person)
    assert good.is_valid(), good.errors
    assert good.cleaned_data["country"] == "MA"


def test_admin_participant_languages_follow_the_api_rule(rf, make_participant, organiser):
    person = make_participant(country="TN")
    model_admin = site._registry[Participant]
    request = rf.get("/")
    request.user = organiser
    form_class = model_admin.get_form(request, person)
    data = {f: getattr(person, f) for f in ("ref", "name", "email", "kind", "city", "title")}
    data.update(
        event=person.event_id,
        organisation=person.organisation_id,
        user=person.user_id,
        country="TN",
    )
    bad = form_class(data={**data, "languages": '["fr", "xx"]'}, instance=person)
    assert bad.errors["languages"] == [
        "Not a language code: xx. Use ISO 639 codes such as fr, ar, en, or zgh for Tamazight."
    ]
    shape = form_class(data={**data, "languages": '"fr"'}, instance=person)
    assert shape.errors["languages"] == ['A list of language codes, such as ["fr", "ar"].']
    good = form_class(data={**data, "languages": '["FR", " ar", "fr"]'}, instance=person)
    assert good.is_valid(), good.errors
    assert good.cleaned_data["languages"] == ["fr", "ar"]


def test_admin_rename_is_found_by_the_directory_search_at_once(rf, make_participant, organiser):
    from matchmaking.models import Profile

    person = make_participant(name="Old Name", country="TN")
    Profile.objects.update_or_create(participant=person, defaults={"description": "smart parking"})
    model_admin = site._registry[Participant]
    request = rf.post("/")
    request.user = organiser
    form_class = model_admin.get_form(request, person)
    data = {f: getattr(person, f) for f in ("ref", "email", "kind", "city", "title", "country")}
    data.update(
        name="Hélène Côté",
        event=person.event_id,
        organisation=person.organisation_id,
        user=person.user_id,
        languages='["fr"]',
    )
    form = form_class(data=data, instance=person)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    profile = Profile.objects.get(participant=person)
    assert "helene cote" in profile.search_names
    assert "old name" not in profile.search_text


def test_admin_created_participant_gets_a_profile_the_directory_finds(
    rf, make_participant, organiser
):
    from matchmaking.models import Profile

    colleague = make_participant(country="TN")
    model_admin = site._registry[Participant]
    request = rf.post("/")
    request.user = organiser
    form_class = model_admin.get_form(request, None)
    form = form_class(
        data={
            "ref": "new-1",
            "name": "Zoé Bénard",
            "email": "zoe@example.org",
            "kind": "visitor",
            "city": "Fès",
            "title": "",
            "country": "MA",
            "event": colleague.event_id,
            "organisation": colleague.organisation_id,
            "languages": '["fr"]',
        }
    )
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=False)
    profile = Profile.objects.get(participant__ref="new-1")
    assert "zoe benard" in profile.search_names and "fes" in profile.search_names


def test_admin_refuses_a_shared_table_as_someones_own_place(rf, make_participant, organiser):
    """The scheduler seats others at a shared table: as someone's own place, every booking of
    theirs it planned was refused (the fourth review). Nor can an own place become shared."""
    from matchmaking.models import Table

    person = make_participant()
    lounge = Table.objects.create(event=person.event, name="T99", shared=True)
    booth = Table.objects.create(event=person.event, name="Booth Z", shared=False)
    request = rf.get("/")
    request.user = organiser
    form_class = site._registry[Participant].get_form(request, person)
    data = {f: getattr(person, f) for f in ("ref", "name", "email", "kind", "city", "title")}
    data.update(
        event=person.event_id,
        organisation=person.organisation_id,
        user=person.user_id,
        languages='["fr"]',
    )
    bad = form_class(data={**data, "fixed_table": lounge.pk}, instance=person)
    assert bad.errors["fixed_table"] == [
        "T99 is a shared table; a participant's own place is a table that is not shared (a booth)."
    ]
    good = form_class(data={**data, "fixed_table": booth.pk}, instance=person)
    assert good.is_valid(), good.errors
    good.save()
    table_form = site._registry[Table].get_form(request, booth)
    shared = table_form(
        data={"event": booth.event_id, "name": "Booth Z", "shared": True}, instance=booth
    )
    assert shared.errors["shared"] == ["Booth Z is a participant's own place; it cannot be shared."]


def test_admin_meetings_show_and_filter_who_did_not_come(admin_client):
    from matchmaking.services.importer import event_import
    from tests.matchmaking.test_import_attendance_record import fair_with_a_past_day

    event = event_import(data=fair_with_a_past_day())
    missed = event.meetings.get(status="no_show")

    page = admin_client.get("/admin/matchmaking/meeting/", {"absent__exact": "sender"})

    assert page.status_code == 200
    assert [m.pk for m in page.context["cl"].result_list] == [missed.pk]
    assert "absent" in page.context["cl"].list_display
    change = admin_client.get(f"/admin/matchmaking/meeting/{missed.pk}/change/")
    assert change.status_code == 200
    assert "absent" in change.context["adminform"].readonly_fields


def test_admin_lists_arrivals_by_fair_day_read_only(admin_client):
    from matchmaking.models import Arrival
    from matchmaking.services.importer import event_import
    from tests.matchmaking.test_import_attendance_record import fair_with_a_past_day

    event = event_import(data=fair_with_a_past_day())
    day = Arrival.objects.filter(event=event).first().date

    page = admin_client.get("/admin/matchmaking/arrival/", {"date": day.isoformat(), "q": "Amina"})

    assert page.status_code == 200
    assert [(a.participant.ref, a.date) for a in page.context["cl"].result_list] == [("a", day)]
    assert admin_client.get("/admin/matchmaking/arrival/add/").status_code == 403
