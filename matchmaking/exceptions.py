"""Domain errors. The API maps each to an HTTP status with its message; so do the commands."""


class DomainError(Exception):
    """Base class: a rule of the domain refused the operation. ``message`` is for people."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict | None = None,
        reason=None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}  # more keys for the API's error body (e.g. the ids at fault)
        # a matchmaking.reasons.Reason saying ``message`` again in another language, if any
        self.reason = reason
        if code:
            self.code = code


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class SlotTaken(Conflict):
    code = "slot_taken"


class ParticipantBusy(Conflict):
    code = "participant_busy"


class TableTaken(Conflict):
    code = "table_taken"


class BookingClosed(Conflict):
    code = "booking_closed"


class SlotPassed(Conflict):
    """A participant chose a slot that has already started."""

    code = "slot_passed"


class RequestNotOpen(Conflict):
    code = "request_not_open"


class DuplicateRequest(Conflict):
    code = "duplicate_request"


class RequestHasMeeting(Conflict):
    """A request already has a live meeting (the booking's check, or the database's constraint
    when two bookings race)."""

    code = "request_has_meeting"


class RequestDeclined(Conflict):
    """The recipient already declined the sender at this event."""

    code = "request_declined"


class LimitReached(Conflict):
    code = "limit_reached"


class MeetingChanged(Conflict):
    """A move, cancellation, fix or status change named the meeting's version it was shown
    (``Meeting.version``), and someone changed the meeting since: nothing was written.
    ``extra`` carries the current version; the API answers 412 when the version came in
    ``If-Match``, 409 otherwise."""

    code = "meeting_changed"


class AvailabilityChanged(Conflict):
    """A change of a participant's periods named the ones it was shown (the key the API gives as
    their ETag, the console's Times card as a hidden field), and they changed since: nothing
    was written. ``extra`` carries the current key; the API answers 412 (``If-Match``)."""

    code = "availability_changed"


class ProfileChanged(Conflict):
    """A profile edit named the profile it was shown (its key, the API's ETag, or the fields
    as the profile page showed them), and the profile changed since: nothing was written.
    ``extra`` carries the current key; the API answers 412 (``If-Match``), the page 409."""

    code = "profile_changed"


class Busy(Conflict):
    """A lock could not be had in time: nothing was written, the client may retry."""

    code = "busy"
    retry_after = 1
