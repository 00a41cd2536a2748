"""Meeting feedback: once a meeting has started, each person in it may say whether it took
place, how useful it was (1-5), what comes next and a word for the organisers. It can be changed
later; the other side never sees it. Organisers read it in the statistics and a CSV export."""

from datetime import datetime

from django.db import IntegrityError
from django.utils import timezone

from matchmaking.exceptions import Conflict, Forbidden, InvalidInput
from matchmaking.models import Meeting, MeetingFeedback, MeetingSeat, Participant
from matchmaking.reasons import slot_words
from matchmaking.services.locking import guarded_transaction
from matchmaking.unusable import UNUSABLE, plain_line_breaks

COMMENT_LIMIT = 1000
OUTCOMES = [c for c, _ in MeetingFeedback.Outcome.choices]


def feedback_values(
    *, took_place, rating, outcome: str, comment: str
) -> tuple[int | None, str, str]:
    """The fields as stored, or InvalidInput naming the first one at fault (the import checks
    a file's feedback with it too)."""
    if not isinstance(took_place, bool):
        raise InvalidInput("Say whether the meeting took place: true or false.", field="took_place")
    outcome = (outcome or "").strip()
    comment = plain_line_breaks(comment or "").strip()
    if took_place:
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidInput(
                "Rate the meeting from 1 (not useful) to 5 (very useful).", field="rating"
            )
        if outcome and outcome not in OUTCOMES:
            raise InvalidInput(
                f"Unknown outcome {outcome!r}; one of: {', '.join(OUTCOMES)}.", field="outcome"
            )
    else:
        if rating is not None:
            raise InvalidInput(
                "A meeting that did not take place has no rating: leave the rating out.",
                field="rating",
            )
        if outcome:
            raise InvalidInput(
                "A meeting that did not take place has no outcome: leave the outcome out.",
                field="outcome",
            )
    if len(comment) > COMMENT_LIMIT:
        raise InvalidInput(
            f"The comment is {len(comment)} characters long; at most {COMMENT_LIMIT}.",
            field="comment",
        )
    if UNUSABLE.search(comment):
        raise InvalidInput(
            "The comment contains a character that cannot be stored (a NUL or half of a "
            "surrogate pair).",
            field="comment",
        )
    return (rating if took_place else None), outcome, comment


def _check_open(meeting: Meeting, participant: Participant, now: datetime) -> None:
    """Feedback is open to the people in the meeting, once it has started, unless cancelled."""
    seated = MeetingSeat.objects.filter(meeting=meeting, participant=participant, left=False)
    if not seated.exists():
        raise Forbidden("Only the people in a meeting give feedback on it.", code="not_in_meeting")
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict(
            "This meeting was cancelled; there is nothing to give feedback on.",
            code="meeting_cancelled",
        )
    if now < meeting.slot.start:
        raise Conflict(
            f"This meeting starts on {slot_words(meeting.slot)}; feedback opens when it starts.",
            code="meeting_not_started",
        )


def meeting_feedback_give(
    *,
    meeting: Meeting,
    participant: Participant,
    took_place: bool,
    rating: int | None = None,
    outcome: str = "",
    comment: str = "",
    now: datetime | None = None,
) -> MeetingFeedback:
    """Record (or replace) ``participant``'s feedback on ``meeting``.

    Only someone who sits in the meeting (a party, or a colleague who joined and did not leave)
    gives it, once the meeting has started and unless it was cancelled. ``rating`` (1-5) is
    required when it took place, and so is nothing else; a meeting that did not take place has
    neither rating nor outcome.

    Side effects: one MeetingFeedback row, created or updated. Raises InvalidInput (naming the
    field), Forbidden (``not_in_meeting``), Conflict (``meeting_cancelled``,
    ``meeting_not_started``).
    """
    rating, outcome, comment = feedback_values(
        took_place=took_place, rating=rating, outcome=outcome, comment=comment
    )
    values = {"took_place": took_place, "rating": rating, "outcome": outcome, "comment": comment}
    now = now or timezone.now()
    try:
        with guarded_transaction(durable=False):
            # the meeting's row is held until the feedback is written: an organiser's cancel or
            # move lands before the checks or after the write, never between them
            meeting = (
                Meeting.objects.select_for_update(of=("self",))
                .select_related("slot", "event")
                .get(pk=meeting.pk)
            )
            _check_open(meeting, participant, now)
            feedback, _ = MeetingFeedback.objects.update_or_create(
                meeting=meeting, participant=participant, defaults=values
            )
    except IntegrityError:
        # the same person's other click created the row first: this one replaces it
        MeetingFeedback.objects.filter(meeting=meeting, participant=participant).update(
            **values, updated_at=now
        )
        feedback = MeetingFeedback.objects.get(meeting=meeting, participant=participant)
    return feedback
