"""Reasons the system gives for a change (a cancellation, a colleague leaving a meeting).

A reason typed by a person stays as typed. A reason the system writes is kept as a code and
parameters (``Reason``) and rendered in the reader's language: in each recipient's language in
notifications, in the organiser's language in the console's change log. The English text is what
``Meeting.cancel_reason`` and the API keep.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

TEXTS = {
    "participant_unavailable": _("%(name)s is no longer available at that time."),
    "participant_withdrew": _("%(name)s no longer comes to the fair."),
    "schedule_dropped": _("The meeting no longer fits the schedule (scheduler run %(run)s)."),
    "schedule_place_taken": _("Its place was taken by the schedule (scheduler run %(run)s)."),
    "request_cancelled": _("The meeting request was withdrawn."),
    "event_updated": _("The organisers updated the event's programme."),
    "participant_removed": _("%(name)s is no longer on the fair's participant list."),
    # why a scheduler run's change is skipped at publish (the English text is the API's)
    "after_run_accepted": _("the request was accepted after the run"),
    "after_run_booked": _("the meeting was booked after the run"),
    "after_run_cancelled": _("the meeting was cancelled after the run"),
    "after_run_moved": _("the meeting was moved after the run"),
    "after_run_fixed": _("the meeting was fixed by the organisers after the run"),
    "after_run_checked_in": _("the meeting is checked in since the run"),
    "after_run_held": _("the meeting is held since the run"),
    "after_run_no_show": _("the meeting is no show since the run"),
    "slot_deleted": _("the planned slot no longer exists"),
    "slot_started": _("the slot on %(slot)s has already started"),
    "request_not_accepted": _("the request is no longer accepted"),
    # the booking rules' refusals (the English text is the exception's message)
    "participant_not_available": _("%(name)s is not available on %(slot)s."),
    "participant_has_meeting": _("%(name)s already has a meeting on %(slot)s."),
    "meeting_limit_one": _("%(name)s has reached their limit of 1 meeting."),
    "meeting_limit": _("%(name)s has reached their limit of %(limit)s meetings."),
    # a participant accepting a request while at their own limit
    "own_limit_one": _(
        "You have reached your limit of 1 meeting: raise it on your profile or cancel a meeting "
        "before accepting."
    ),
    "own_limit": _(
        "You have reached your limit of %(limit)s meetings: raise it on your profile or cancel a "
        "meeting before accepting."
    ),
    "table_taken": _("%(table)s is already taken on %(slot)s."),
    "slot_full": _("Every table is taken on %(slot)s; choose another slot."),
    "table_out_of_service": _("%(table)s is out of service; choose another table."),
    "wants_morning": _("This request asks for a morning meeting; %(slot)s is in the afternoon."),
    "wants_afternoon": _("This request asks for an afternoon meeting; %(slot)s is in the morning."),
    "request_pending": _(
        "Only accepted requests can be booked; this one is pending: it is still waiting for an "
        "answer."
    ),
    # a meeting limit of 0: not taking meetings
    "not_taking_meetings": _(
        "%(name)s is not taking meetings at this fair (their meeting limit is 0)."
    ),
    "self_not_taking_meetings": _(
        "Your meeting limit is 0: you are not taking meetings. Raise it on your profile to ask "
        "for one."
    ),
    # who may join a meeting as a colleague (the English text is the exception's message)
    "already_a_party": _(
        "%(name)s is one of the two sides of this meeting already; attendees are their colleagues."
    ),
    "other_side_colleague": _(
        "%(name)s is a colleague of the other side: only that side, or an organiser, can add "
        "them to the meeting."
    ),
    "not_a_colleague": _(
        "%(name)s can join only a meeting of their own organisation or delegation."
    ),
    # a change made from a stale view of a meeting (``check_version``): where it is now
    "meeting_changed": _(
        "This meeting was changed by someone else since you loaded it (you had version "
        "%(yours)s, it is now version %(version)s): it is now on %(slot)s. Reload it and try "
        "again; nothing was changed."
    ),
    "meeting_changed_table": _(
        "This meeting was changed by someone else since you loaded it (you had version "
        "%(yours)s, it is now version %(version)s): it is now on %(slot)s, table %(table)s. "
        "Reload it and try again; nothing was changed."
    ),
    "meeting_changed_status": _(
        "This meeting was changed by someone else since you loaded it (you had version "
        "%(yours)s, it is now version %(version)s): it is now on %(slot)s (%(status)s). Reload "
        "it and try again; nothing was changed."
    ),
    "meeting_changed_table_status": _(
        "This meeting was changed by someone else since you loaded it (you had version "
        "%(yours)s, it is now version %(version)s): it is now on %(slot)s, table %(table)s "
        "(%(status)s). Reload it and try again; nothing was changed."
    ),
    "meeting_changed_cancelled": _(
        "This meeting was changed by someone else since you loaded it (you had version "
        "%(yours)s, it is now version %(version)s): it is now cancelled. Reload it and try "
        "again; nothing was changed."
    ),
    # an id in the address or the body that names nothing of the event (the English text is
    # the API's)
    "no_participant": _("No participant %(id)s in this event."),
    "no_slot": _("No slot %(id)s in this event."),
    "no_request": _("No request %(id)s in this event."),
    "no_request_of_yours": _("No request %(id)s of yours in this event."),
}

# a meeting's state that is no longer "scheduled", said in a sentence (a ``status`` parameter)
STATUS_WORDS = {
    "checked_in": _("already checked in"),
    "held": _("already marked as held"),
    "no_show": _("already marked as a no-show"),
}

# what a publish did with a move the rules refused, said after the reason
OUTCOMES = {
    "retabled": _("it stayed in its slot, at another table"),
    "cancelled": _("its place was taken meanwhile, so it was cancelled"),
}


def day_time_text(moment) -> str:
    """A local moment as the pages write a meeting's time inside a sentence, with its weekday,
    in the active language: "Thursday 17 December at 10:10" (the sentence says "on" before
    it), "jeudi 17 décembre à 10:10" (after "le"), "يوم الخميس 17 ديسمبر الساعة 10:10"
    (Arabic writes "يوم" before a weekday; the translation adds it)."""
    return pgettext(
        "a meeting's weekday, day and time inside a sentence", "%(day)s at %(time)s"
    ) % {
        "day": date_format(moment, "l j F"),
        "time": f"{moment:%H:%M}",
    }


def time_words(moment, tz=None) -> str:
    """A moment as the services' English messages write it for people, in the event's zone
    ``tz``: "Wednesday 16 December at 11:35" (``day_time_text`` in English, whatever the active
    language: the sentence around it is English; its French and Arabic come from its code or
    Reason). The sentence says "on" before it. ISO stays in machine fields."""
    local = moment.astimezone(tz) if tz is not None else moment
    with translation.override("en"):
        return day_time_text(local)


def slot_words(slot) -> str:
    """A slot's start as ``time_words`` writes it, in its event's zone."""
    return time_words(slot.start, slot.event.tz)


def weekday_date_text(day, *, year: bool = False) -> str:
    """A day with its weekday standing alone (a heading, a label, a list's group), in the
    active language: "Wednesday 18 April [2018]", "mercredi 18 avril [2018]", "يوم الأربعاء
    18 إبريل [2018]" (Arabic writes "يوم" before a weekday, as ``day_time_text`` and the
    emails' sentences do; the translation adds it)."""
    return pgettext("a date with its weekday, standing alone (a heading, a label)", "%(day)s") % {
        "day": date_format(day, "l j F Y" if year else "l j F")
    }


def when_text(value) -> str:
    """A slot's start in the event's zone as a Reason keeps it ("2026-12-16 09:30", the slot's
    ``str``) written as the pages write times, with its weekday, in the active language
    (``day_time_text``): "Wednesday 16 December at 09:30", "mercredi 16 décembre à 09:30" (an ISO
    date inside a French sentence read badly, and people plan the fair's days by weekday). A
    text that is not a time stays as it is."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return day_time_text(moment)


@dataclass(frozen=True)
class Reason:
    """A system reason: a code of ``TEXTS`` and its parameters (plain JSON values)."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in TEXTS:
            raise ValueError(f"Unknown reason code {self.code!r}.")

    def __str__(self) -> str:  # in the active language
        params = dict(self.params)
        if "slot" in params:  # kept as the slot's local start; written the language's way
            params["slot"] = when_text(params["slot"])
        if params.get("status") in STATUS_WORDS:  # kept as the code
            params["status"] = STATUS_WORDS[params["status"]]
        return str(TEXTS[self.code]) % params

    def english(self) -> str:
        with translation.override("en"):
            return str(self)

    def detail(self) -> dict:
        """What a MeetingLog row keeps: the English text and the code to render it again."""
        return {"reason": self.english(), "reason_code": self.code, "reason_params": self.params}


def reason_from_detail(detail: dict) -> str:
    """The reason of a MeetingLog row in the active language (typed text stays as typed)."""
    code = detail.get("reason_code")
    if code in TEXTS:
        try:
            return str(Reason(code, dict(detail.get("reason_params") or {})))
        except (KeyError, TypeError, ValueError):
            pass
    return str(detail.get("reason") or "")


def skip_item(request_id: int, reason: "Reason | str", outcome: str | None = None) -> dict:
    """A skipped change of a scheduler run, as the preview and the publish report keep it: the
    English text (the API's ``reason``), and the code and parameters to say it again in the
    reader's language (``reason_text``). ``outcome``: what happened to a move the rules refused
    (a key of ``OUTCOMES``)."""
    item = {"request": request_id}
    if isinstance(reason, Reason):
        item.update(reason.detail())
    else:
        item["reason"] = str(reason)
    if outcome:
        with translation.override("en"):
            item["reason"] = f"{item['reason'].rstrip('.')}; {OUTCOMES[outcome]}"
        item["outcome"] = outcome
    return item


def reason_text(item: dict) -> str:
    """A skipped change's reason (``skip_item``) in the active language."""
    code = item.get("reason_code")
    if code not in TEXTS:
        return str(item.get("reason") or "")
    text = reason_from_detail(item)
    if item.get("outcome") in OUTCOMES:
        text = f"{text.rstrip('.')}; {OUTCOMES[item['outcome']]}"
    return text


def no_such(kind: str, pk, error=None, **kwargs):
    """The refusal of an id that names no ``kind`` of the event ("participant", "slot",
    "request", "request_of_yours"): "No slot 99 in this event.", said in the reader's language
    by the API (``Reason``). ``error``: the ``DomainError`` class (``InvalidInput``, 400, by
    default; ``NotFound`` for an id in the address)."""
    from matchmaking.exceptions import InvalidInput

    reason = Reason(f"no_{kind}", {"id": str(pk)})
    return (error or InvalidInput)(reason.english(), reason=reason, **kwargs)
