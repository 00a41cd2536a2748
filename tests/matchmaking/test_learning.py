"""Learning from behaviour: learned weights are used only when they beat the tuned ranker."""

import pytest

from matchmaking.models import Event, Mark
from matchmaking.services.recommendations import event_ranker, ranker_learn
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

OFFERS = [
    "smart parking sensors",
    "water leak detection",
    "LED street lighting",
    "waste collection routing",
    "open data portal",
    "traffic signal control",
    "building energy audits",
    "e-government services",
    "air quality monitoring",
    "bus fleet electrification",
    "tourism mobile guide",
    "school e-learning",
    "emergency dispatch software",
    "solar rooftops",
    "citizen feedback app",
    "fibre networks",
    "urban planning GIS",
    "telemedicine kiosks",
]


def shown_pairs(make_participant):
    """Eight French-speaking delegations, each shown six providers (half speak French, half
    English): the (delegation, provider) pairs."""
    cities = [
        make_participant(kind="delegation", languages=["fr"], profile__needs=[OFFERS[i]])
        for i in range(8)
    ]
    providers = [
        make_participant(
            kind="exhibitor", languages=["fr"] if i % 2 else ["en"], profile__offers=[OFFERS[i]]
        )
        for i in range(len(OFFERS))
    ]
    return [
        (city, providers[(c + k) % len(providers)])
        for c, city in enumerate(cities)
        for k in range(6)
    ]


def test_learned_weights_kept_when_they_beat_the_ranker(event, make_participant):
    # Delegations accept French-speaking providers and decline the others, whatever the offer.
    for city, provider in shown_pairs(make_participant):
        status = "accepted" if provider.languages == ["fr"] else "declined"
        RequestFactory(sender=city, recipient=provider, status=status)
    report = ranker_learn(event=event)
    assert report["labels"] == 48
    assert report["accepted"] is True
    assert report["auc_model"] > report["auc_baseline"]
    weights = Event.objects.get(pk=event.pk).ranker_weights
    assert weights == report["weights"]
    assert weights["lang"] == max(weights.values())
    assert event_ranker(event=event).weights == weights


def test_too_few_labels_keep_the_tuned_weights(event, make_participant):
    a, b = make_participant(kind="delegation"), make_participant(kind="exhibitor")
    RequestFactory(sender=a, recipient=b, status="accepted")
    report = ranker_learn(event=event)
    assert report == {
        "labels": 1,
        "poor_meetings": 0,
        "marks": 0,
        "accepted": False,
        "reason": "need at least 10 labels of both classes",
    }
    assert Event.objects.get(pk=event.pk).ranker_weights is None


def test_a_meeting_its_requester_rated_poorly_counts_as_a_miss(event, make_participant):
    """Delegations accept every provider, but after meeting them rate the English-speaking ones
    1/5: the ratings, not the acceptances, teach the ranker that language mattered."""
    import datetime as dt

    from matchmaking.services.feedback import meeting_feedback_give
    from matchmaking.services.meetings import Actor, meeting_book

    cities = [
        make_participant(kind="delegation", languages=["fr"], profile__needs=[OFFERS[i]])
        for i in range(8)
    ]
    providers = [
        make_participant(
            kind="exhibitor", languages=["fr"] if i % 2 else ["en"], profile__offers=[OFFERS[i]]
        )
        for i in range(len(OFFERS))
    ]
    from matchmaking.models import Table

    Table.objects.bulk_create(Table(event=event, name=f"X{i}") for i in range(8))
    slots = list(event.slots.order_by("start"))
    for c, city in enumerate(cities):
        for k in range(6):
            provider = providers[(c + k) % len(providers)]
            request = RequestFactory(sender=city, recipient=provider, status="accepted")
            meeting = meeting_book(request=request, slot=slots[k], actor=Actor(system=True))
            meeting_feedback_give(
                meeting=meeting,
                participant=city,
                took_place=True,
                rating=5 if provider.languages == ["fr"] else 1,
                now=meeting.slot.start + dt.timedelta(hours=1),
            )
    report = ranker_learn(event=event)
    assert report["labels"] == 48
    assert report["poor_meetings"] == 24
    assert report["accepted"] is True
    weights = Event.objects.get(pk=event.pk).ranker_weights
    assert weights["lang"] == max(weights.values())


def test_people_saved_or_hidden_from_the_list_are_labels(event, make_participant):
    """Delegations never send a request, but save the French-speaking providers they are shown
    and hide the others ("not interested"): the marks alone teach that language mattered. A
    request between the two gives its own label instead of the mark."""
    from matchmaking.services.marks import mark_set

    pairs = shown_pairs(make_participant)
    for city, provider in pairs:
        kind = "saved" if provider.languages == ["fr"] else "hidden"
        mark_set(participant=city, candidate_id=provider.pk, kind=kind)
    # one pair also has a request: the request's label, not the mark's
    RequestFactory(sender=pairs[0][0], recipient=pairs[0][1], status="declined")
    report = ranker_learn(event=event)
    assert report["labels"] == 48
    assert report["marks"] == 47
    assert report["accepted"] is True
    assert report["weights"]["lang"] == max(report["weights"].values())


def test_marks_the_ranker_never_shows_or_a_request_answers_are_no_labels(event, make_participant):
    from matchmaking.services.marks import mark_set

    city = make_participant(kind="delegation")
    colleague = make_participant(kind="delegation", organisation=city.organisation)
    # two delegations are recommended to each other only when both opted in; two exhibitors too
    other_city = make_participant(kind="delegation", accepts_same_kind=True)
    booth = make_participant(kind="exhibitor", accepts_same_kind=True)
    other_booth = make_participant(kind="exhibitor")
    # (marking an exhibitor who did not opt in is refused now; one marked before is no label)
    Mark.objects.create(event=event, participant=booth, candidate=other_booth, kind="hidden")
    provider = make_participant(kind="exhibitor")
    for person in (other_city, provider):
        mark_set(participant=city, candidate_id=person.pk, kind="hidden")
    # a colleague cannot be marked now; one marked before that rule is no label either
    Mark.objects.create(event=event, participant=city, candidate=colleague, kind="hidden")
    RequestFactory(sender=provider, recipient=city, status="declined")  # the other way
    report = ranker_learn(event=event)
    assert report["marks"] == 0
    assert report["labels"] == 1


def test_the_nightly_learning_takes_an_event_with_marks_only(event, make_participant):
    from matchmaking.services.marks import mark_set
    from matchmaking.tasks import learn_rankers

    for city, provider in shown_pairs(make_participant):
        kind = "saved" if provider.languages == ["fr"] else "hidden"
        mark_set(participant=city, candidate_id=provider.pk, kind=kind)
    assert learn_rankers() == 1
    assert Event.objects.get(pk=event.pk).ranker_report["marks"] == 48


def test_one_participant_who_hides_many_gives_ten_labels_at_most(event, make_participant):
    from matchmaking.services.marks import mark_set
    from matchmaking.services.recommendations import MARK_LABELS_PER_PARTICIPANT

    city = make_participant(kind="delegation")
    for _ in range(3 * MARK_LABELS_PER_PARTICIPANT):
        provider = make_participant(kind="exhibitor")
        mark_set(participant=city, candidate_id=provider.pk, kind="hidden")
    assert ranker_learn(event=event)["marks"] == MARK_LABELS_PER_PARTICIPANT
