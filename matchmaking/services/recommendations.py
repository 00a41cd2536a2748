"""Recommendations: profile vectors kept up to date, ranked lists computed and stored.

``embeddings_refresh`` encodes only the profiles whose text changed (content hash per model);
``recommendations_compute`` ranks with ``ml.Ranker`` (complementary needs↔offers, sectors,
languages, hard rules) and stores the top of each list with its reasons. The ranker of an event
is cached per process and rebuilt when a profile or a vector changes. Tasks call these after
commit: one participant when their profile changes, the whole event in a batch.
"""

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from matchmaking.models import (
    Availability,
    Event,
    Mark,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    Participant,
    Profile,
    ProfileEmbedding,
    Recommendation,
    Slot,
)
from matchmaking.selectors import available_slots, slots_of

logger = logging.getLogger(__name__)

STORE_TOP = 50  # stored per participant; the API serves a prefix of it (limit <= 50)
WRITE_CHUNK = 1000  # participants ranked and written at a time
BATCH_FROM = 20  # more lists than this at once go through the two-stage batch ranker
# Who is recommended to whom (unordered kind pairs). Buyers meet providers; exhibitors meet each
# other, and so do city delegations (exchanges of experience between cities), only when both
# opted in (``SAME_KIND_OPT_IN``, the ranker's same-kind rule); two visitors are not recommended
# to each other (they can still request a meeting).
SAME_KIND_OPT_IN = ("exhibitor", "delegation")
ALLOWED_KIND_PAIRS = (
    [
        ("exhibitor", other)
        for other in (
            "exhibitor",
            "delegation",
            "visitor",
            "investor",
            "institution",
            "startup",
            "speaker",
            "media",
        )
    ]
    + [
        ("startup", other)
        for other in ("delegation", "visitor", "investor", "institution", "speaker", "media")
    ]
    + [
        ("delegation", "delegation"),
        ("delegation", "investor"),
        ("delegation", "institution"),
        ("delegation", "speaker"),
        ("investor", "institution"),
        ("speaker", "media"),
    ]
)
EXCLUDING_STATUSES = ("pending", "accepted", "declined")


def kinds_recommended_to(kind: str, *, accepts_same_kind: bool = True) -> set[str]:
    """The kinds of participant the ranker may recommend to someone of ``kind``
    (``ALLOWED_KIND_PAIRS``; exhibitors, and delegations, among themselves only when both opted
    in: without ``accepts_same_kind``, an exhibitor is recommended no exhibitor)."""
    kinds = {b if a == kind else a for a, b in ALLOWED_KIND_PAIRS if kind in (a, b)}
    if kind in SAME_KIND_OPT_IN and not accepts_same_kind:
        kinds.discard(kind)
    return kinds


def recommendable(kind: str, accepts: bool, their_kind: str, their_accepts: bool) -> bool:
    """Whether the ranker may recommend someone of ``their_kind`` to someone of ``kind`` (of
    another organisation): an allowed pair, and for two of an opt-in kind, both opted in."""
    if their_kind not in kinds_recommended_to(kind, accepts_same_kind=accepts):
        return False
    return their_kind != kind or kind not in SAME_KIND_OPT_IN or their_accepts


_cache: "OrderedDict[int, tuple[tuple, object]]" = OrderedDict()
_cache_lock = threading.Lock()


def encoder_names() -> list[str]:
    """The primary encoder, and the secondary one when the ranker's weights use it."""
    from ml import ranker as ml_ranker

    names = [settings.MATCHING_ENCODER]
    aux = settings.MATCHING_AUX_ENCODER
    uses_aux = any(ml_ranker.DEFAULT_WEIGHTS.get(k, 0) for k in ("aux_comp", "aux_whole"))
    if aux and uses_aux and aux not in names:
        names.append(aux)
    return names


def profile_text(person: Participant):
    from ml.text import ProfileText

    profile = getattr(person, "profile", None)
    return ProfileText(
        id=str(person.pk),
        org=str(person.organisation_id),
        kind=person.kind,
        languages=list(person.languages or []),
        description=profile.description if profile else "",
        offers=list(profile.offers) if profile else [],
        needs=list(profile.needs) if profile else [],
        sectors=list(profile.sectors) if profile else [],
        accepts_same_kind=person.accepts_same_kind,
    )


def suggested_sectors(*, participant: Participant) -> list[str]:
    """The sector the profile page (and ``me/`` in the API) proposes for the participant to
    confirm while their profile declares none: the best one the ranker itself infers from the
    text (``ml.ranker.suggested_sectors``), read from the stored vector when it is the current
    text's, else encoding the text; keywords alone when the encoder cannot load (as the ranker).
    Empty once sectors are declared or when nothing is written."""
    from ml.encoders import get_encoder
    from ml.ranker import ProfileVectors
    from ml.ranker import suggested_sectors as best_inferred
    from ml.text import content_hash, profile_document

    text = profile_text(participant)
    doc = profile_document(text)
    if text.sectors or not doc:
        return []
    name = settings.MATCHING_ENCODER
    try:
        encoder = get_encoder(name)
    except Exception:  # the ranker infers with keywords alone then too
        logger.warning("encoder %s unavailable: sectors suggested from keywords", name)
        encoder = None
    vector = None
    if encoder is not None:
        stored = (
            ProfileEmbedding.objects.filter(participant=participant, model_name=name)
            .values_list("content_hash", "vectors")
            .first()
        )
        if stored and stored[0] == content_hash(text, name):
            vector = ProfileVectors.from_bytes(bytes(stored[1])).profile
    return best_inferred(doc, encoder, vector)


def _people(event: Event, ids=None):
    qs = Participant.objects.filter(event=event).select_related("profile").order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs)


def embeddings_refresh(*, event: Event, participant_ids=None) -> dict[str, int]:
    """Encode the profiles whose text changed since their vectors were stored.

    Side effects: inserts or updates ProfileEmbedding rows. Returns {model: profiles encoded}.
    """
    from ml.encoders import get_encoder
    from ml.ranker import encode_profiles
    from ml.text import content_hash

    people = _people(event, participant_ids)
    done = {}
    for name in encoder_names():
        stored = dict(
            ProfileEmbedding.objects.filter(participant__in=people, model_name=name).values_list(
                "participant_id", "content_hash"
            )
        )
        texts = {p.pk: profile_text(p) for p in people}
        hashes = {pk: content_hash(t, name) for pk, t in texts.items()}
        todo = [pk for pk in texts if stored.get(pk) != hashes[pk]]
        if todo:
            vectors = encode_profiles([texts[pk] for pk in todo], get_encoder(name))
            rows = [
                ProfileEmbedding(
                    participant_id=pk,
                    model_name=name,
                    content_hash=hashes[pk],
                    vectors=vectors[str(pk)].to_bytes(),
                )
                for pk in todo
            ]
            with transaction.atomic():
                ProfileEmbedding.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["participant", "model_name"],
                    update_fields=["content_hash", "vectors", "updated_at"],
                )
        done[name] = len(todo)
    return done


def _fingerprint(event: Event) -> tuple:
    profiles = Profile.objects.filter(participant__event=event).aggregate(
        n=Count("pk"), changed=Max("updated_at")
    )
    vectors = ProfileEmbedding.objects.filter(participant__event=event).aggregate(
        n=Count("pk"), changed=Max("updated_at")
    )
    people = Participant.objects.filter(event=event).aggregate(n=Count("pk"), top=Max("pk"))
    # availability periods are replaced as a whole on import: their count and newest id change
    periods = Availability.objects.filter(participant__event=event).aggregate(
        n=Count("pk"), top=Max("pk")
    )
    slots = Slot.objects.filter(event=event).aggregate(n=Count("pk"), top=Max("pk"))
    weights = Event.objects.filter(pk=event.pk).values_list("ranker_weights", flat=True).first()
    return (
        people["n"],
        people["top"],
        periods["n"],
        periods["top"],
        slots["n"],
        slots["top"],
        profiles["n"],
        profiles["changed"],
        vectors["n"],
        vectors["changed"],
        tuple(encoder_names()),
        json.dumps(weights, sort_keys=True),
    )


def event_ranker(*, event: Event, learned: bool = True, _encoded: bool = False):
    """The event's ``ml.Ranker``, cached per process until a profile or a vector changes."""
    from ml.ranker import ProfileVectors, Ranker

    key = (*_fingerprint(event), learned)
    cache_key = (event.pk, learned)
    with _cache_lock:
        hit = _cache.get(cache_key)
        if hit and hit[0] == key:
            _cache.move_to_end(cache_key)
            return hit[1]
    from ml.text import content_hash

    people = _people(event)
    names = encoder_names()
    by_model: dict[str, dict[str, object]] = {name: {} for name in names}
    hashes: dict[str, str] = {}
    for pid, model, blob, digest in ProfileEmbedding.objects.filter(
        participant__event=event, model_name__in=names
    ).values_list("participant_id", "model_name", "vectors", "content_hash"):
        by_model[model][str(pid)] = ProfileVectors.from_bytes(bytes(blob))
        if model == names[0]:
            hashes[str(pid)] = digest
    texts = {p.pk: profile_text(p) for p in people}
    # missing vectors, or vectors of an older text (the re-encode after an edit has not run
    # yet): encode those few now rather than rank with phrases that no longer exist
    stale = [pk for pk, t in texts.items() if hashes.get(str(pk)) != content_hash(t, names[0])]
    if stale and not _encoded:  # once: a profile edited meanwhile keeps its vectors until its
        # own refresh (the ranker leaves out phrases it no longer has)
        embeddings_refresh(event=event, participant_ids=stale)
        return event_ranker(event=event, learned=learned, _encoded=True)
    missing = [p.pk for p in people if str(p.pk) not in by_model[names[0]]]
    if missing:  # someone joined meanwhile: encode them too, no third read
        embeddings_refresh(event=event, participant_ids=missing)
        for pid, model, blob in ProfileEmbedding.objects.filter(
            participant_id__in=missing, model_name__in=names
        ).values_list("participant_id", "model_name", "vectors"):
            by_model[model][str(pid)] = ProfileVectors.from_bytes(bytes(blob))
    weights = Event.objects.filter(pk=event.pk).values_list("ranker_weights", flat=True).first()
    extra = {names[1]: by_model[names[1]]} if len(names) > 1 else None
    # two people without a common meeting slot are never recommended to each other
    slots = list(slots_of(event=event))
    availability = (
        {str(pid): v for pid, v in available_slots(slots=slots, event=event).items()}
        if slots
        else None
    )
    ranker = Ranker(
        list(texts.values()),
        by_model[names[0]],
        encoder=names[0],
        extra_vectors=extra,
        allowed_kind_pairs=ALLOWED_KIND_PAIRS,
        opt_in_kinds=SAME_KIND_OPT_IN,
        weights=weights if learned and weights else None,
        availability=availability,
    )
    with _cache_lock:
        _cache[cache_key] = (key, ranker)
        while len(_cache) > settings.MATCHING_RANKER_CACHE:
            _cache.popitem(last=False)
    return ranker


def _not_coming(event_id: int) -> set[str]:
    """The event's participants who said they no longer come, or take no meetings (a meeting
    limit of 0, see ``services.requests``): nobody is recommended them."""
    return {
        str(pk)
        for pk in Participant.objects.filter(
            Q(withdrawn_at__isnull=False) | Q(max_meetings=0), event_id=event_id
        ).values_list("pk", flat=True)
    }


def exclusions_of(*, participant: Participant) -> set[str]:
    """People I already met, asked, was asked by, declined or was declined by, people I said I
    am not interested in (hidden), and people who no longer come."""
    rows = MeetingRequest.objects.filter(
        Q(sender=participant) | Q(recipient=participant), status__in=EXCLUDING_STATUSES
    ).values_list("sender_id", "recipient_id")
    return (
        {str(b if a == participant.pk else a) for a, b in rows}
        | _hidden_by(participant)
        | _not_coming(participant.event_id)
    )


def _hidden_by(participant: Participant) -> set[str]:
    """Whom ``participant`` said they are not interested in."""
    return {
        str(c)
        for c in Mark.objects.filter(participant=participant, kind=Mark.Kind.HIDDEN).values_list(
            "candidate_id", flat=True
        )
    }


def recommendations_compute(*, event: Event, participant_ids=None) -> int:
    """Rank and store the top ``STORE_TOP`` for each given participant (default: everyone).

    Side effects: replaces those participants' Recommendation rows. Returns lists computed.
    """
    ranker = event_ranker(event=event)
    people = _people(event, participant_ids)
    excluded = _exclusions_by_participant(event, people)
    # Chunks bound memory on large events: each chunk is ranked, written and released.
    for start in range(0, len(people), WRITE_CHUNK):
        chunk = people[start : start + WRITE_CHUNK]
        ids = [str(p.pk) for p in chunk]
        if len(ids) > BATCH_FROM:
            # Two stages: matrix top-k picks a pool per participant, the hybrid ranker scores it.
            lists = ranker.recommend_many(
                ids,
                limit=STORE_TOP,
                exclude_by_id={str(p.pk): sorted(excluded[p.pk]) for p in chunk},
                diversity=settings.MATCHING_DIVERSITY,
                per_organisation=settings.MATCHING_PER_ORGANISATION or None,
            )
        else:
            lists = {
                str(p.pk): ranker.recommend(
                    str(p.pk),
                    limit=STORE_TOP,
                    exclude=excluded.get(p.pk, ()),
                    diversity=settings.MATCHING_DIVERSITY,
                    per_organisation=settings.MATCHING_PER_ORGANISATION or None,
                )
                for p in chunk
            }
        rows = [
            Recommendation(
                event=event,
                participant=person,
                candidate_id=int(rec.participant_id),
                rank=rank,
                score=rec.score,
                reasons=rec.reasons,
            )
            for person in chunk
            if person.withdrawn_at is None  # who no longer comes gets no list
            for rank, rec in enumerate(lists.get(str(person.pk), []), start=1)
        ]
        with transaction.atomic():
            Recommendation.objects.filter(participant__in=chunk).delete()
            # an upsert: a concurrent refresh of the same participants (their own list after an
            # edit, say) may have inserted the same pairs since the delete
            Recommendation.objects.bulk_create(
                rows,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["participant", "candidate"],
                update_fields=["rank", "score", "reasons", "computed_at"],
            )
        del lists, rows
    return len(people)


def recommendations_of_kinds(
    *, participant: Participant, kinds, limit: int, exclude: set[str]
) -> list[tuple[int, float, dict]]:
    """A participant's list among some kinds only, ranked now with the event's ranker (cached
    per process): the stored list keeps only the top ``STORE_TOP`` of all kinds, which may hold
    few or none of the kinds asked for (15 investors at the fair, 4 in someone's stored list).
    Returns (candidate id, score, reasons), best first."""
    ranker = event_ranker(event=participant.event)
    if str(participant.pk) not in ranker.index:
        return []
    found = ranker.recommend(
        str(participant.pk),
        limit=limit,
        kinds=list(kinds),
        exclude=exclude,
        diversity=settings.MATCHING_DIVERSITY,
        per_organisation=settings.MATCHING_PER_ORGANISATION or None,
    )
    return [(int(r.participant_id), r.score, r.reasons) for r in found]


def people_offering(
    *, event: Event, text: str, reader: Participant | None, kinds=None, limit: int = 20
) -> list[tuple[int, float, dict]]:
    """Who best offers what ``text`` asks for (``ml.Ranker.search``), with the event's ranker
    (cached per process): among those ``reader`` may be recommended (not themselves, their
    organisation, kinds never recommended to them, nobody without a common meeting slot, nobody
    they said they are not interested in), or among everyone for an organiser (``reader``
    None); never those who no longer come. A
    shared language with the reader counts as in their list. Returns (candidate id, score,
    reasons), best first."""
    ranker = event_ranker(event=event)
    reader_id = str(reader.pk) if reader is not None else None
    if reader_id is not None and reader_id not in ranker.index:
        return []
    exclude = _not_coming(event.pk)
    if reader is not None:  # whom they said they are not interested in: not found either
        exclude |= _hidden_by(reader)
    found = ranker.search(
        text,
        limit=limit,
        reader=reader_id,
        kinds=list(kinds) if kinds else None,
        exclude=exclude,
        languages=list(reader.languages or []) if reader is not None else (),
        per_organisation=settings.MATCHING_PER_ORGANISATION or None,
    )
    return [(int(r.participant_id), r.score, r.reasons) for r in found]


def _exclusions_by_participant(event: Event, people) -> dict[int, set[str]]:
    wanted = {p.pk for p in people}
    gone = _not_coming(event.pk)
    out: dict[int, set[str]] = {pk: set(gone) for pk in wanted}
    for a, b in MeetingRequest.objects.filter(
        event=event, status__in=EXCLUDING_STATUSES
    ).values_list("sender_id", "recipient_id"):
        if a in out:
            out[a].add(str(b))
        if b in out:
            out[b].add(str(a))
    for a, c in Mark.objects.filter(event=event, kind=Mark.Kind.HIDDEN).values_list(
        "participant_id", "candidate_id"
    ):
        if a in out:
            out[a].add(str(c))
    return out


def participant_refresh(*, participant: Participant, with_referrers: bool = False) -> None:
    """After a profile edit: re-encode it if its text changed and recompute its list.

    ``with_referrers`` (after an availability change) also recomputes the stored lists that
    show this participant, so nobody keeps a recommendation they can no longer meet. Lists that
    would now gain them follow at the next full refresh (``refresh_stale_events``, periodic, or
    ``refresh_recommendations``): those lists no longer match the event's last full refresh,
    so its fingerprint is cleared, and the next check recomputes them even when the change is
    undone before it (someone who said they no longer come, then that they come after all)."""
    embeddings_refresh(event=participant.event, participant_ids=[participant.pk])
    ids = {participant.pk}
    if with_referrers:
        ids |= set(
            Recommendation.objects.filter(candidate=participant).values_list(
                "participant_id", flat=True
            )
        )
    recommendations_compute(event=participant.event, participant_ids=sorted(ids))
    if len(ids) > 1:
        Event.objects.filter(pk=participant.event_id).update(lists_fingerprint="")


def lists_refresh_after_commit(participant_ids, *, with_referrers: bool = False) -> None:
    """Once the current transaction commits, re-encode these participants' profiles if their
    text changed and recompute their lists (``participant_refresh``, a Celery task). A task
    queue that cannot be reached is logged and does not undo or fail the committed change:
    the periodic refresh (``refresh_stale_events``) catches up."""
    from matchmaking.tasks import refresh_participant

    for pid in participant_ids:
        transaction.on_commit(
            lambda pid=pid: refresh_participant.delay(
                participant_id=pid, with_referrers=with_referrers
            ),
            robust=True,
        )


REFRESH_CLAIM = timedelta(hours=1)  # a crashed refresh frees the event after this


def event_refresh(*, event: Event, report: dict | None = None) -> int:
    """Encode every changed profile of the event and recompute every list.

    One full refresh per event at a time: the event is claimed first (a conditional update, so
    two workers cannot both win); when another refresh holds it, this one does nothing and
    returns 0 (the periodic check catches up on anything changed meanwhile). Side effects:
    stores the fingerprint of the inputs the lists were computed from. ``report`` (optional)
    receives ``encoded`` (per model) and the seconds of each step."""
    now = timezone.now()
    claimed = (
        Event.objects.filter(pk=event.pk)
        .filter(Q(lists_refreshing_until__isnull=True) | Q(lists_refreshing_until__lt=now))
        .update(lists_refreshing_until=now + REFRESH_CLAIM)
    )
    if not claimed:
        logger.info("lists of %s are being refreshed elsewhere", event.slug)
        if report is not None:
            report.update(encoded={}, encode_s=0.0, lists_s=0.0, skipped=True)
        return 0
    try:
        t0 = time.perf_counter()
        encoded = embeddings_refresh(event=event)
        t1 = time.perf_counter()
        # taken before the lists: an edit made while they are computed makes the next check
        # refresh again
        fingerprint = inputs_fingerprint(event=event)
        done = recommendations_compute(event=event)
        Event.objects.filter(pk=event.pk).update(lists_fingerprint=fingerprint)
    finally:
        Event.objects.filter(pk=event.pk).update(lists_refreshing_until=None)
    if report is not None:
        report.update(encoded=encoded, encode_s=t1 - t0, lists_s=time.perf_counter() - t1)
    return done


def inputs_fingerprint(*, event: Event) -> str:
    """A hash of the content the event's lists depend on: who takes part and how (kind,
    languages, organisation, same-kind consent), declared sectors, the texts' vectors (by their
    content hash), availability periods, slots, who hid whom, encoders and weights. Saving a
    form without changing anything, or refreshing, leaves it as it was."""
    h = hashlib.sha256()

    def feed(rows) -> None:
        for row in rows:
            h.update(repr(row).encode())
        h.update(b"|")

    people = Participant.objects.filter(event=event)
    feed(
        people.order_by("pk").values_list(
            "pk", "kind", "languages", "organisation_id", "accepts_same_kind", "withdrawn_at"
        )
    )
    feed(
        Profile.objects.filter(participant__event=event)
        .order_by("participant_id")
        .values_list("participant_id", "sectors")
    )
    feed(
        ProfileEmbedding.objects.filter(participant__event=event)
        .order_by("participant_id", "model_name")
        .values_list("participant_id", "model_name", "content_hash")
    )
    feed(
        Availability.objects.filter(participant__event=event)
        .order_by("participant_id", "start", "end")
        .values_list("participant_id", "start", "end")
    )
    feed(Slot.objects.filter(event=event).order_by("pk").values_list("pk", "start", "end"))
    feed(  # who hid whom: they leave that one list (and come back to it when the mark goes)
        Mark.objects.filter(event=event, kind=Mark.Kind.HIDDEN)
        .order_by("participant_id", "candidate_id")
        .values_list("participant_id", "candidate_id")
    )
    weights = Event.objects.filter(pk=event.pk).values_list("ranker_weights", flat=True).first()
    feed([tuple(encoder_names()), json.dumps(weights, sort_keys=True)])
    return h.hexdigest()


def stale_events_refresh(*, days_after: int = 1) -> list[str]:
    """Recompute every list of each event whose inputs changed since its last full refresh
    (someone edited a profile or their times, joined or left, or the weights were re-learned),
    so everyone else's list can show them, not only their own. Events whose last slot ended
    more than ``days_after`` days ago are left alone; one event failing does not stop the
    others. Returns the refreshed events' slugs."""
    cutoff = timezone.now() - timedelta(days=days_after)
    events = Event.objects.annotate(last=Max("slots__end")).filter(
        Q(last__isnull=True) | Q(last__gte=cutoff)
    )
    done = []
    for event in events:
        if event.lists_fingerprint == inputs_fingerprint(event=event):
            continue
        try:
            if event_refresh(event=event):
                done.append(event.slug)
        except Exception:  # logged; the next check tries again
            logger.exception("refreshing the lists of %s failed", event.slug)
    return done


LABEL_OF_STATUS = {"accepted": "accepted", "declined": "declined", "expired": "ignored"}


# at most this many of each participant's marks (their latest) are labels
MARK_LABELS_PER_PARTICIPANT = 10
# A requester who met and rated the meeting this low (1-5) did not find the right partner, even
# though the request was accepted: the label says so.
POOR_RATING = 2


def ranker_learn(*, event: Event) -> dict:
    """Learn signal weights from this event's answered requests (accepted = 1, declined or
    expired unanswered = 0) and keep them only if they beat the unlearned ranker on held-out
    requesters (``ml.learn.fit_if_better``). An accepted request whose meeting its requester
    rated ``POOR_RATING`` or lower counts as a miss (0): what people say after meeting is a
    better label than the answer they gave before (``report["poor_meetings"]`` counts them).
    People a participant hid ("not interested") count as misses and those they saved as hits,
    unless a request between the two (either way, whatever its status) says more, and only
    for pairs the ranker may show (another organisation, a kind recommended to them), at most
    ``MARK_LABELS_PER_PARTICIPANT`` (the latest) of each participant (``report["marks"]`` counts
    them).

    Side effects: sets ``event.ranker_weights`` (or clears it when the learned model loses) and
    ``event.ranker_report``. Returns the report.
    """
    import numpy as np

    from ml.learn import fit_if_better
    from ml.ranker import SIGNALS

    ranker = event_ranker(event=event, learned=False)
    rows = list(
        MeetingRequest.objects.filter(event=event, status__in=list(LABEL_OF_STATUS))
        .order_by("sender_id", "id")
        .values_list("sender_id", "recipient_id", "status")
    )
    poor = set(
        MeetingFeedback.objects.filter(
            meeting__event=event,
            took_place=True,
            rating__lte=POOR_RATING,
            participant_id=F("meeting__request__sender_id"),
            meeting__slot__start__lte=timezone.now(),  # not one moved to a later time since
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .values_list("meeting__request__sender_id", "meeting__request__recipient_id")
    )
    by_sender: dict[int, list[tuple[int, str]]] = {}
    for sender, recipient, status in rows:
        label = LABEL_OF_STATUS[status]
        if label == "accepted" and (sender, recipient) in poor:
            label = "declined"  # met, and the requester says it was not useful
        by_sender.setdefault(sender, []).append((recipient, label))
    # what people said of those they were shown without asking them: "not interested" (hidden)
    # is a miss, saved a hit; a request between the two says more, and wins
    asked = {
        frozenset((a, b))
        for a, b in MeetingRequest.objects.filter(event=event).values_list(
            "sender_id", "recipient_id"
        )
    }
    used: dict[int, int] = {}  # participant -> their marks taken as labels
    for who, candidate, kind, who_kind, their_kind, who_org, their_org, *consents in (
        Mark.objects.filter(event=event).order_by("participant_id", "-updated_at", "-id")
    ).values_list(
        "participant_id",
        "candidate_id",
        "kind",
        "participant__kind",
        "candidate__kind",
        "participant__organisation_id",
        "candidate__organisation_id",
        "participant__accepts_same_kind",
        "candidate__accepts_same_kind",
    ):
        shown = who_org != their_org and recommendable(
            who_kind, consents[0], their_kind, consents[1]
        )
        if shown and frozenset((who, candidate)) not in asked:
            # one participant who hides eighty people must not teach the whole event alone
            if used.get(who, 0) >= MARK_LABELS_PER_PARTICIPANT:
                continue
            used[who] = used.get(who, 0) + 1
            by_sender.setdefault(who, []).append((candidate, kind))
    features, labels, groups = [], [], []
    for sender, items in by_sender.items():
        feats = ranker.pair_features(str(sender), [str(r) for r, _ in items])
        features.append(feats)
        labels += [label for _, label in items]
        groups += [sender] * len(items)
    report: dict = {"labels": len(labels), "poor_meetings": len(poor), "marks": sum(used.values())}
    model = None
    if features:
        x = np.vstack(features)
        base_w = np.array([ranker.weights.get(sig, 0.0) for sig in SIGNALS])
        model = fit_if_better(x, labels, x @ base_w, groups=groups, report=report)
    weights = None
    if model is not None:
        scaler, logreg = model.pipeline[0], model.pipeline[-1]
        coef = logreg.coef_[0] / scaler.scale_
        weights = {sig: round(float(c), 6) for sig, c in zip(SIGNALS, coef, strict=True)}
        report["weights"] = weights
    Event.objects.filter(pk=event.pk).update(ranker_weights=weights, ranker_report=report)
    return report
