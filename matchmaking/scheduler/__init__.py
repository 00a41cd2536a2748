"""Django-free B2B meeting scheduler (slots and tables for accepted meeting requests)."""

from .model import Assignment, InfeasibleError, Participant, Problem, Request, Result, Stats
from .solve import solve
from .validate import idle_summary, participants_without_meeting_possible, validate

__all__ = [
    "Assignment",
    "InfeasibleError",
    "Participant",
    "Problem",
    "Request",
    "Result",
    "Stats",
    "idle_summary",
    "participants_without_meeting_possible",
    "solve",
    "validate",
]
