"""A query-string parameter a list does not read answers 400 naming it, as a body field does,
rather than being ignored: ``/slots/?date=...`` gave every day's slots, ``?ordering=-start``
the list in its own order, and ``/recommendations/?page=2`` the first page again, each with a
200 that read as done."""

import pytest

from tests.factories import EventFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    import datetime as dt

    return EventFactory(days=[dt.date(2018, 4, 18), dt.date(2018, 4, 19)])


def base(event):
    return f"/api/events/{event.slug}"


def test_slots_of_one_day_or_part(event, anon):
    every = anon.get(f"{base(event)}/slots/").json()
    first_day = anon.get(f"{base(event)}/slots/", {"date": "2018-04-19"}).json()
    assert every["count"] == 2 * first_day["count"] > 0
    assert {s["date"] for s in first_day["results"]} == {"2018-04-19"}
    mornings = anon.get(f"{base(event)}/slots/", {"date": "2018-04-19", "part": "morning"})
    assert mornings.status_code == 200
    assert {(s["date"], s["part"]) for s in mornings.json()["results"]} == {
        ("2018-04-19", "morning")
    }
    bad = anon.get(f"{base(event)}/slots/", {"date": "19/04/2018"})
    assert bad.status_code == 400 and "date" in bad.json()["errors"]


@pytest.mark.parametrize(
    ("path", "query", "unknown"),
    [
        ("/slots/", {"ordering": "-start"}, "ordering"),
        ("/participants/", {"serach": "water"}, "serach"),
        ("/participants/", {"kind": "startup", "sort": "name"}, "sort"),
        ("/requests/", {"state": "pending"}, "state"),
        ("/meetings/", {"day": "2018-04-18"}, "day"),
        ("/recommendations/", {"page": "2"}, "page"),
        ("/search/", {"need": "water", "offset": "20"}, "offset"),
        ("/me/marks/", {"kind": "saved"}, "kind"),
    ],
)
def test_an_unknown_query_parameter_answers_400_naming_it(
    event, make_participant, as_participant, path, query, unknown
):
    a = make_participant()
    answer = as_participant(a).get(f"{base(event)}{path}", query)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert (body["code"], body["field"]) == ("invalid", unknown)
    assert body["detail"].startswith(f"Unknown query parameter: {unknown}.")


def test_known_parameters_and_the_format_still_read(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    RequestFactory(sender=a, recipient=b, status="pending")
    client = as_participant(a)
    listed = client.get(
        f"{base(event)}/requests/",
        {"status": "pending", "direction": "sent", "page": "1", "page_size": "10"},
    )
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert client.get(f"{base(event)}/participants/", {"format": "json"}).status_code == 200
    assert client.get(f"{base(event)}/me/marks/", {"mark": "saved"}).status_code == 200
    assert client.get(f"{base(event)}/agenda.ics", {"participant": a.pk}).status_code == 200
    # one object's address reads no query string: it answers as before (404 for another's)
    assert client.get(f"{base(event)}/me/", {"fields": "name"}).status_code == 200
    # a write's query string is its own business (the import reads ?replace=)
    assert client.post(f"{base(event)}/requests/?x=1", {"recipient": b.pk}).status_code != 400


def test_the_message_lists_what_the_list_reads(event, make_participant, as_participant):
    answer = as_participant(make_participant()).get(
        f"{base(event)}/meetings/", {"ordering": "start"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Paramètre de requête inconnu : ordering. Cette adresse lit : date, format, page, "
        "page_size, participant, status."
    )


@pytest.mark.parametrize(
    "path",
    [
        "/participants/?kind=",
        "/participants/?kind=&kind=startup",
        "/requests/?status=",
        "/meetings/?status=",
        "/requests/?participant=",
        "/slots/?date=&part=",
        "/recommendations/?kind=",
        "/recommendations/?limit=&participant=",
        "/search/?need=water&kind=&limit=",
        "/agenda.ics?participant=",
    ],
)
def test_an_empty_filter_is_no_filter_on_every_list(event, make_participant, as_participant, path):
    """An app that clears a filter sends it empty: ``?q=`` or ``?date=`` read as no filter,
    while ``?kind=`` or ``?status=`` answered 400 "Select a valid choice.  is not one of the
    available choices." and ``/recommendations/?limit=`` "A valid integer is required."."""
    a = make_participant()
    make_participant(kind="startup")
    client = as_participant(a)
    empty = client.get(f"{base(event)}{path}")
    assert empty.status_code == 200, empty.content
    if path.startswith("/agenda.ics"):  # my own agenda (DTSTAMP is the time it was written)
        own = client.get(f"{base(event)}/agenda.ics")
        lines = [
            [line for line in answer.content.splitlines() if not line.startswith(b"DTSTAMP")]
            for answer in (empty, own)
        ]
        assert lines[0] == lines[1]
        return
    cleaned = "&".join(p for p in path.split("?")[1].split("&") if not p.endswith("="))
    plain = client.get(f"{base(event)}{path.split('?')[0]}?{cleaned}")
    assert empty.json() == plain.json()


@pytest.mark.parametrize(
    "path",
    ["/slots/", "/participants/?kind=startup", "/requests/", "/meetings/", "/recommendations/"],
)
def test_a_browsers_cache_buster_is_ignored(event, make_participant, as_participant, path):
    """jQuery's ``cache: false`` adds ``_=<timestamp>`` to every GET: each list answered 400
    "Unknown query parameter: _." to a browser client. Exactly ``_`` is ignored."""
    a = make_participant()
    make_participant(kind="startup")
    client = as_participant(a)
    joiner = "&" if "?" in path else "?"
    busted = client.get(f"{base(event)}{path}{joiner}_=1700000000000")
    assert busted.status_code == 200, busted.content
    assert busted.json() == client.get(f"{base(event)}{path}").json()
    ics = client.get(f"{base(event)}/agenda.ics", {"_": "1700000000000"})
    assert ics.status_code == 200


@pytest.mark.parametrize("name", ["__", "_x", "x_", "_ "])
def test_only_the_cache_buster_itself_is_ignored(event, make_participant, as_participant, name):
    answer = as_participant(make_participant()).get(
        f"{base(event)}/meetings/", {name: "1700000000000"}
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == name
