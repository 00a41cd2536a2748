"""Refusals in the reader's language. The services speak English (``DomainError.message``); a
refusal that carries a ``Reason`` says it again, with its particulars, in the active language;
otherwise the sentence of its code here is said in French and Arabic. The participant pages and
the API (``Accept-Language``) both read them."""

from django.utils.translation import get_language, gettext_lazy

from matchmaking.exceptions import DomainError
from matchmaking.reasons import Reason

# The services speak English; people reading French or Arabic get these sentences instead.
ERROR_TEXT = {
    "meeting_changed": gettext_lazy(
        "This meeting was changed by someone else since you opened this page; nothing was "
        "changed. The page now shows it as it is: choose again."
    ),
    "profile_changed": gettext_lazy(
        "Your profile was changed elsewhere since it was read (in another tab, in the app, or by "
        "the organisers): nothing was saved. Read it again as it is now and make your change "
        "again."
    ),
    "already_attending": gettext_lazy("Your colleague already attends this meeting."),
    "meeting_not_joinable": gettext_lazy(
        "This meeting is no longer scheduled; no one can join it any more."
    ),
    "meeting_started_join": gettext_lazy(
        "This meeting has already started; no one can join it any more."
    ),
    "not_a_party": gettext_lazy(
        "You joined this meeting as a colleague: only its two parties can move or cancel it; "
        "you can leave it."
    ),
    "meeting_fixed": gettext_lazy(
        "The organisers fixed this meeting where it is; ask them if it must move."
    ),
    "meeting_started_move": gettext_lazy(
        "This meeting has already started; it can no longer be moved. If it did not take "
        "place, tell the organisers."
    ),
    "meeting_started_leave": gettext_lazy(
        "This meeting has already started; you can no longer leave it. If you did not attend, "
        "tell the organisers."
    ),
    "meeting_not_leavable": gettext_lazy(
        "This meeting is already checked in or over; you can no longer leave it."
    ),
    "no_common_time_in_session": gettext_lazy(
        "You are never at the fair at the same time in that part of the day; choose another "
        "part of the day or any time."
    ),
    "party_cannot_leave": gettext_lazy(
        "You are one of the meeting's two parties: cancel it instead."
    ),
    "participant_busy": gettext_lazy(
        "One of you already has a meeting, or is not at the fair, at that time. Choose another "
        "slot."
    ),
    "table_taken": gettext_lazy("That meeting place is already taken at that time."),
    "slot_taken": gettext_lazy("Every table is taken at that time; choose another slot."),
    "limit_reached": gettext_lazy("The maximum number of meetings has been reached."),
    "booking_closed": gettext_lazy("Booking is closed for this event."),
    "too_many_pending_requests": gettext_lazy(
        "Too many of your requests are still waiting for an answer. Wait for answers, or "
        "withdraw some, before asking more people."
    ),
    "slot_passed": gettext_lazy("That time has already started; choose a later slot."),
    "meeting_not_cancellable": gettext_lazy(
        "This meeting is already checked in or over; it can no longer be cancelled."
    ),
    "meeting_started": gettext_lazy(
        "This meeting has already started; it can no longer be cancelled. If it did not take "
        "place, tell the organisers."
    ),
    "request_declined": gettext_lazy(
        "This person declined your request; you cannot ask them again at this event."
    ),
    "request_not_open": gettext_lazy("This request is no longer open."),
    "request_self": gettext_lazy("You cannot request a meeting with yourself."),
    "same_organisation": gettext_lazy(
        "Participants of the same organisation cannot request meetings with each other."
    ),
    "exhibitors_not_opted_in": gettext_lazy(
        "Exhibitors meet each other only when both have opted in to exhibitor meetings."
    ),
    "no_common_time": gettext_lazy(
        "You are never at the fair at the same time as this person: no meeting slot lies inside "
        "both your times. Change your times, or ask someone else."
    ),
    "meeting_recorded": gettext_lazy(
        "The organisers have recorded this meeting as held or missed; ask them if that is wrong."
    ),
    "duplicate_request": gettext_lazy("There is already an open request between you two."),
    "request_has_meeting": gettext_lazy(
        "This request already has a meeting; see it in your agenda."
    ),
    "meeting_already_cancelled": gettext_lazy("This meeting is already cancelled."),
    "meeting_cancelled": gettext_lazy("This meeting is cancelled."),
    "check_in_not_open": gettext_lazy(
        "Check-in is not open yet: it opens shortly before the meeting."
    ),
    "check_in_closed": gettext_lazy(
        "Check-in closed at the end of the meeting's day; ask the organisers to record it."
    ),
    "meeting_not_movable": gettext_lazy(
        "This meeting is no longer scheduled; it can no longer be moved."
    ),
    "meetings_over_limit": gettext_lazy(
        "You already have more meetings booked than this limit. Cancel some first, or set a "
        "higher limit."
    ),
    "meeting_not_started": gettext_lazy(
        "This meeting has not started yet; feedback opens when it starts."
    ),
    "not_in_meeting": gettext_lazy("Only the people in a meeting give feedback on it."),
    "feedback_not_held": gettext_lazy(
        "You said in your feedback that this meeting did not take place; change your feedback "
        "first if it did."
    ),
    "not_attending": gettext_lazy("This person no longer comes to the fair."),
    "self_not_attending": gettext_lazy(
        "You said you no longer come to the fair. If you come after all, say so under My times "
        "first."
    ),
    "invalid": gettext_lazy("Something you entered is not valid; check it and try again."),
    "busy": gettext_lazy("The system is busy; please try again in a moment."),
    "not_found": gettext_lazy("Not found."),
    "not_marked": gettext_lazy("You have neither saved nor hidden this person."),
    "proposed_time_not_free": gettext_lazy(
        "That time is not free for both of you: propose another, or send the request without "
        "a time."
    ),
    "time_not_free": gettext_lazy(
        "That time is not free for both of you: choose another, or accept without choosing a time."
    ),
    "cannot_mark_self": gettext_lazy("You cannot save or hide yourself."),
    "not_in_touch": gettext_lazy(
        "You can write to this person once a meeting request between you is waiting or "
        "accepted, or while you share a meeting."
    ),
    "colleague": gettext_lazy("This is your colleague; messages here are for the people you meet."),
    "wait_for_answer": gettext_lazy(
        "You have written several messages in a row to this person; wait for an answer before "
        "writing again."
    ),
    "cannot_message_self": gettext_lazy("You cannot write to yourself."),
    "declined_no_messages": gettext_lazy(
        "A meeting request between you was declined: you no longer write to each other here."
    ),
    "form_sent_already": gettext_lazy(
        "This form was sent already (the browser brought it back); your text is below: send it "
        "again."
    ),
    "message_blank": gettext_lazy("Write a message first: it is empty."),
    "message_too_long": gettext_lazy("A message holds at most 2,000 characters; shorten it."),
    "search_too_long": gettext_lazy("A search holds at most 300 characters; shorten it."),
    "forbidden": gettext_lazy("You are not allowed to do that."),
}


def error_text(exc: DomainError, *, keep_english=frozenset()) -> str:
    """``exc``'s sentence in the active language: English as the service wrote it; in French
    and Arabic its ``Reason`` (particulars included), else the sentence of its code, else the
    English one. Codes in ``keep_english`` keep the English sentence unless a ``Reason`` says it
    (one that says more than the code's sentence: which id, which field)."""
    if (get_language() or "en")[:2] == "en":
        return exc.message
    if isinstance(exc.reason, Reason):
        return str(exc.reason)
    text = ERROR_TEXT.get(exc.code) if exc.code not in keep_english else None
    return str(text) if text else exc.message
