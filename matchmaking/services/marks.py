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

from matchmaking import selectors
from matchmaking.exceptions import Busy, Conflict, InvalidInput, NotFound
from matchmaking.models import Mark, Participant
from matchmaking.reasons import no_such
from matchmaking.services.recommendations import lists_refresh_after_commit
from matchmaking.services.requests import SELF_NOT_ATTENDING, meeting_refusal


def _candidate(participant: Participant, candidate_id: int) -> Participant:
    """The participant ``candidate_id`` of the same event whom ``participant`` may mark."""
    if participant.withdrawn_at is not None:
        raise Conflict(SELF_NOT_ATTENDING, code="self_not_attending")
    if candidate_id == participant.pk:
        raise InvalidInput(
            "You cannot save or hide yourself.", field="participant", code="cannot_mark_self"
        )
    found = Participant.objects.filter(event_id=participant.event_id, pk=candidate_id).first()
    if found is None or not selectors.may_know(participant=participant, other=found):
        # who withdrew is an unknown id to someone who never dealt with them
        raise no_such("participant", candidate_id, NotFound)
    if found.withdrawn_at is not None:
        raise NotFound(f"{found.name} no longer comes to the fair.", code="not_attending")
    refusal = meeting_refusal(participant, found)  # a colleague: nobody to ask for a meeting
    if refusal:
        raise InvalidInput(refusal[1], field="participant", code=refusal[0])
    return found


def mark_set(*, participant: Participant, candidate_id: int, kind: str) -> tuple[Mark, str | None]:
    """Save or hide someone (``kind``: ``saved`` or ``hidden``); a mark already there takes the
    new kind. Returns the mark and the kind it had (None: it is new). Side effects: one row;
    nobody is told."""
    if kind not in Mark.Kind.values:
        raise InvalidInput(f'mark must be "saved" or "hidden", not {kind!r}.', field="mark")
    candidate = _candidate(participant, candidate_id)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                mark = (
                    Mark.objects.select_for_update()
                    .filter(participant=participant, candidate=candidate)
                    .first()
                )
                was = mark.kind if mark is not None else None
                if mark is None:
                    mark = Mark.objects.create(
                        event_id=participant.event_id,
                        participant=participant,
                        candidate=candidate,
                        kind=kind,
                    )
                elif was != kind:  # the same mark again changes nothing, not even its time
                    mark.kind = kind
                    mark.save(update_fields=["kind", "updated_at"])
                if Mark.Kind.HIDDEN in (kind, was) and kind != was:
                    lists_refresh_after_commit([participant.pk])
            return mark, was
        except IntegrityError:
            # a first mark of the same pair made meanwhile (then this one updates it), or one
            # of the two removed meanwhile (a replacing import): then it says so
            if not Participant.objects.filter(pk=participant.pk).exists():
                raise NotFound("You are no longer a participant of this event.") from None
            candidate = _candidate(participant, candidate_id)
    raise Busy("Someone else changed this at the same moment; please try again.")


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
        if mark.kind == Mark.Kind.HIDDEN:  # they may be in the list again: rank it afresh
            lists_refresh_after_commit([participant.pk])
    return mark.kind
