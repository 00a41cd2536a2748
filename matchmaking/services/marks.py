"""Marks: a participant's own verdict on someone the app showed them.

What a participant of Brella or Grip does with a recommendation besides requesting a meeting:
**save** it for later (a shortlist, kept even when the person drops out of the top of the list)
or say **not interested** (``hidden``: the person leaves their recommendations for good, and
the list fills up with the next ones). Marks are private: nobody else, organisers included, is
told or shown them. The learning from behaviour counts them as labels (``ranker_learn``): a
hidden person as a miss, a saved one as a hit, when no request between the two says more.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from matchmaking.exceptions import InvalidInput, NotFound
from matchmaking.models import Mark, Participant


def _candidate(participant: Participant, candidate_id: int) -> Participant:
    """The participant ``candidate_id`` of the same event whom ``participant`` may mark."""
    if candidate_id == participant.pk:
        raise InvalidInput(
            "You cannot save or hide yourself.", field="participant", code="cannot_mark_self"
        )
    found = Participant.objects.filter(event_id=participant.event_id, pk=candidate_id).first()
    if found is None:
        raise NotFound(f"No participant {candidate_id} in this event.")
    if found.withdrawn_at is not None:
        raise NotFound(f"{found.name} no longer comes to the fair.", code="not_attending")
    return found


def mark_set(*, participant: Participant, candidate_id: int, kind: str) -> tuple[Mark, bool]:
    """Save or hide someone (``kind``: ``saved`` or ``hidden``); a mark already there takes the
    new kind. Returns the mark and whether it is new. Side effects: one row; nobody is told."""
    if kind not in Mark.Kind.values:
        raise InvalidInput(f'mark must be "saved" or "hidden", not {kind!r}.', field="mark")
    candidate = _candidate(participant, candidate_id)
    for attempt in range(2):  # a concurrent first mark of the same pair: update it instead
        try:
            with transaction.atomic():
                mark, created = Mark.objects.select_for_update().update_or_create(
                    participant=participant,
                    candidate=candidate,
                    defaults={"kind": kind, "event_id": participant.event_id},
                )
            return mark, created
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def mark_clear(*, participant: Participant, candidate_id: int) -> str:
    """Take a mark away: a saved person leaves the shortlist, a hidden one may be recommended
    again. Returns the kind it had. Raises NotFound when there is none."""
    with transaction.atomic():
        mark = (
            Mark.objects.select_for_update()
            .filter(participant=participant, candidate_id=candidate_id)
            .first()
        )
        if mark is None:
            raise NotFound(
                f"You have neither saved nor hidden participant {candidate_id}.",
                code="not_marked",
            )
        mark.delete()
    return mark.kind
