"""Reasons the system gives for a change (a cancellation, a colleague leaving a meeting).

A reason typed by a person stays as typed. A reason the system writes is kept as a code and
parameters (``Reason``) and rendered in the reader's language: in each recipient's language in
notifications, in the organiser's language in the console's change log. The English text is what
``Meeting.cancel_reason`` and the API keep.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _

TEXTS = {
    "participant_unavailable": _("%(name)s is no longer available at that time."),
    "schedule_dropped": _("The meeting no longer fits the schedule (scheduler run %(run)s)."),
    "schedule_place_taken": _("Its place was taken by the schedule (scheduler run %(run)s)."),
    "request_cancelled": _("The meeting request was withdrawn."),
}


@dataclass(frozen=True)
class Reason:
    """A system reason: a code of ``TEXTS`` and its parameters (plain JSON values)."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in TEXTS:
            raise ValueError(f"Unknown reason code {self.code!r}.")

    def __str__(self) -> str:  # in the active language
        return str(TEXTS[self.code]) % self.params

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
