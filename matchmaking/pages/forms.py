"""Forms of the organiser console, the presence form both sides of the site use, and the one
reader of hand-typed text the pages take outside a form (`text_param`)."""

import hashlib
import ipaddress
import logging
import unicodedata
from collections import OrderedDict

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from matchmaking import selectors
from matchmaking.exceptions import Conflict
from matchmaking.models import Event, Meeting, Participant, Slot, Table
from matchmaking.services.availability import (
    AvailabilityChange,
    availability_replace,
    availability_replace_group,
)
from matchmaking.unusable import UNUSABLE, plain_line_breaks

logger = logging.getLogger(__name__)


class UnusableText(BadRequest):
    """A typed-in value no page can store or search for (a NUL character, which PostgreSQL
    refuses in text, or half of a UTF-16 surrogate pair). The page decorators answer 400 with
    ``message``; anywhere else Django answers its plain 400, never a 500."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TextField(forms.CharField):
    """A form's free text with each line break one ``\\n`` (``plain_line_breaks``) before its
    length is checked: a browser counts a textarea's line break once for ``maxlength`` but
    sends it as CR LF, and a text the box accepted was refused as too long."""

    def to_python(self, value):
        value = super().to_python(value)
        return plain_line_breaks(value) if isinstance(value, str) else value


def meeting_version_field(help_text: str) -> forms.IntegerField:
    """The hidden ``version`` of a meeting form (``_meeting_version.html`` writes it): the
    meeting's version the page showed, so that a meeting changed since is left as it is;
    absent, nothing is checked."""
    return forms.IntegerField(
        required=False, min_value=1, widget=forms.HiddenInput, help_text=help_text
    )


def id_param(data, name: str) -> int | None:
    """The row id ``data[name]`` that a page's select or hidden field posts: a whole number
    the database can hold, else None (the view says what to choose)."""
    value = data.get(name, "")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 18:
        return int(value)
    return None


def text_param(data, name: str, *, limit: int) -> str:
    """The free text ``data[name]`` (``request.GET`` or ``request.POST``; "" when absent),
    stripped, each line break one ``\\n`` (``plain_line_breaks``), and cut to ``limit``
    characters. The one way the pages read hand-typed text that no Django form cleans: what
    the database cannot take raises ``UnusableText`` (a 400 with a sentence) instead of a 500
    from PostgreSQL."""
    value = data.get(name, "")
    if not isinstance(value, str):
        value = ""
    if UNUSABLE.search(value):
        raise UnusableText(
            gettext(
                "The text you sent contains a character that cannot be used (a NUL or an "
                "invalid character). Remove it and try again."
            )
        )
    return plain_line_breaks(value).strip()[:limit]


# Password guessing: after SIGN_IN_FAILURES_ALLOWED failed sign-ins for one account from one
# address, that pair waits SIGN_IN_LOCK_SECONDS after its last failure; after
# SIGN_IN_FAILURES_PER_ACCOUNT from any addresses, the account does (many addresses guessing
# together). Counted in the cache: set DJANGO_CACHE_URL to a shared Redis when several server
# processes run, or each counts on its own. A cache that is down lets sign-ins through (logged).
SIGN_IN_FAILURES_ALLOWED = 5
SIGN_IN_FAILURES_PER_ACCOUNT = 50
SIGN_IN_LOCK_SECONDS = 15 * 60


def client_address(request) -> str:
    """The address a request came from: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_HOPS``
    proxies the address the outermost trusted one saw (``X-Forwarded-For``, counted from the
    right, so a client cannot choose it). An IPv6 address stands for its /64 network, which one
    machine usually holds whole."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [a for a in chain if a]
        if len(chain) >= hops:
            address = chain[-hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class ThrottledLogin:
    """Mixin for an AuthenticationForm: refuses an account whose sign-ins failed too often
    lately, whatever the password (the console's form and the admin's)."""

    def _failure_keys(self) -> tuple[str, str]:
        # the username as the form signs in with it (NFKC: "ｂoss" is "boss"), folded
        raw = self.cleaned_data.get("username") or self.data.get("username") or ""
        account = unicodedata.normalize("NFKC", str(raw)).casefold().strip()
        address = client_address(self.request) if self.request else ""
        pair = hashlib.sha256(f"{account}\n{address}".encode()).hexdigest()
        alone = hashlib.sha256(account.encode()).hexdigest()
        return f"sign-in-failures:{pair}", f"sign-in-failures-account:{alone}"

    def clean(self):
        pair, account = self._failure_keys()
        try:  # counted before the password is checked, atomically: a burst of parallel
            # guesses cannot all read the same count
            tries = _bump(pair), _bump(account)
        except Exception:  # the cache is down: sign-ins go on, unthrottled
            logger.warning("sign-in throttle: cache unavailable", exc_info=True)
            return super().clean()
        if tries[0] > SIGN_IN_FAILURES_ALLOWED or tries[1] > SIGN_IN_FAILURES_PER_ACCOUNT:
            raise forms.ValidationError(
                _("Too many failed sign-ins for this account: try again in 15 minutes."),
                code="throttled",
            )
        cleaned = super().clean()  # a wrong password raises: its try stays counted
        try:  # signed in: this address starts afresh, and this try was no failure
            cache.delete(pair)
            cache.decr(account)
        except Exception:
            logger.warning("sign-in throttle: cache unavailable", exc_info=True)
        return cleaned


def _bump(key: str) -> int:
    """One more try for ``key``; its count, kept SIGN_IN_LOCK_SECONDS after the last one."""
    cache.add(key, 0, SIGN_IN_LOCK_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, SIGN_IN_LOCK_SECONDS)
        count = 1
    cache.touch(key, SIGN_IN_LOCK_SECONDS)
    return count


SIGN_IN_LINKS_WINDOW_SECONDS = 3600


def sign_in_link_allowed(request) -> bool:
    """One more sign-in link asked for from this request's client address (``client_address``):
    False past ``SIGN_IN_LINKS_PER_CLIENT`` in the hour since its first, whatever the email
    addresses typed in, so that one client cannot make the site mail every address it knows.
    A cache that is down lets it through (logged)."""
    address = hashlib.sha256(client_address(request).encode()).hexdigest()
    key = f"sign-in-links:{address}"
    try:
        cache.add(key, 0, SIGN_IN_LINKS_WINDOW_SECONDS)  # the hour starts with the first
        try:
            count = cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, SIGN_IN_LINKS_WINDOW_SECONDS)
            count = 1
    except Exception:
        logger.warning("sign-in link throttle: cache unavailable", exc_info=True)
        return True
    if count > settings.SIGN_IN_LINKS_PER_CLIENT:
        logger.info("no sign-in link: %d asked from one client this hour", count)
        return False
    return True


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    """Django admin's login form with the same limit on failed sign-ins."""


class OrganiserLoginForm(ThrottledLogin, AuthenticationForm):
    """The usual login form, for staff users only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": _("This account is not an organiser account."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not selectors.is_organiser_account(user):
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class EventSettingsForm(forms.Form):
    """The event's settings organisers change after the import (``event_settings_update``
    checks them again). Times are the event's local time; empty means no limit."""

    name = forms.CharField(label=_("Event name"), max_length=200)
    booking_opens = forms.DateTimeField(
        label=_("Booking opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: participants may send requests and book at once."),
    )
    booking_closes = forms.DateTimeField(
        label=_("Booking closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Empty: open until the end. Once closed, participants can no longer send requests "
            "or book; organisers still can."
        ),
    )
    request_expiry_hours = forms.IntegerField(
        label=_("A request waits this many hours for an answer"),
        min_value=1,
        max_value=8760,
        help_text=_("Requests already sent keep their expiry."),
    )


class OrganiserBookForm(forms.Form):
    """Book an accepted request into a slot from the console (the service checks the rest)."""

    request = forms.IntegerField(min_value=1)
    slot = forms.IntegerField(min_value=1)


class MeetingStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Meeting.Status.SCHEDULED, _("Scheduled")),
            (Meeting.Status.CHECKED_IN, _("Checked in")),
            (Meeting.Status.HELD, _("Held")),
            (Meeting.Status.NO_SHOW, _("No-show")),
        ]
    )
    # with a no-show only (the view passes it on then): who did not come; blank: not said
    absent = forms.ChoiceField(
        choices=[("", "")] + [(c, c) for c in Meeting.Absent.values], required=False
    )
    version = meeting_version_field(
        "As the move form's: a meeting changed since the page was shown keeps its "
        "status. The meeting page and the grid's dialog send it (the grid cell's "
        "``data-version``); a post without it checks nothing."
    )


NOT_TICKED = frozenset({"", "0", "false", "off", "no"})


def checkbox_ticked(value) -> bool:
    """Whether a form body says yes to a checkbox: ``"0"``, ``"false"``, blank or absent say no
    (Django's checkbox reads any other text, ``"0"`` included, as ticked). The move form's
    ``fixed`` and the fix form read it this way, and the meeting page shows it so."""
    return str(value if value is not None else "").strip().lower() not in NOT_TICKED


class _CheckboxInput(forms.CheckboxInput):
    def value_from_datadict(self, data, files, name):
        return checkbox_ticked(data.get(name))


class CheckboxField(forms.BooleanField):
    """An optional checkbox read by ``checkbox_ticked``."""

    widget = _CheckboxInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return checkbox_ticked(value)


class MeetingMoveForm(forms.Form):
    """Move a meeting: any slot (and shared table) of its event is accepted here; whether the
    move is allowed is the reschedule service's to decide. The page offers only the slots that
    service would accept (``meeting_slots_bookable``)."""

    slot = forms.ModelChoiceField(queryset=Slot.objects.none(), label=_("New time"))
    table = forms.ModelChoiceField(
        queryset=Table.objects.none(),
        required=False,
        label=_("Table"),
        empty_label=_("Chosen automatically"),
    )
    fixed = CheckboxField(label=_("Fix it there (the scheduler will not move it)"))
    version = meeting_version_field(
        "The meeting's version the page showed (``Meeting.version``): a meeting "
        "changed since is not moved. The console always sends it; absent, nothing is checked."
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = Slot.objects.filter(event=event)
        self.fields["table"].queryset = Table.objects.filter(event=event)


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, sent to both sides)"), max_length=300, required=False
    )
    version = meeting_version_field(
        "As the move form's: a meeting changed since the page was shown is not cancelled."
    )


class MeetingFixForm(forms.Form):
    fixed = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=checkbox_ticked)
    version = meeting_version_field(
        "As the move form's: a meeting changed since the page was shown is not fixed or released."
    )


class ScheduleRunForm(forms.Form):
    time_limit = forms.FloatField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=3600,
        initial=10,
        help_text=_("The solver stops after this time and keeps its best plan."),
    )
    pin_participant_bookings = forms.BooleanField(
        label=_("Keep meetings participants booked themselves"),
        required=False,
        initial=True,
        help_text=_("Pinned meetings keep their slot; the scheduler plans around them."),
    )
    minimise_moves = forms.BooleanField(
        label=_("Move as few planned meetings as possible"),
        required=False,
        initial=True,
        help_text=_(
            "For a re-run after late changes: confirmed agendas stay as they are where they can. "
            "Untick to plan afresh with fewer idle slots (before anything is published)."
        ),
    )
    replan_cancelled = forms.BooleanField(
        label=_("Book again meetings people cancelled"),
        required=False,
        initial=False,
        help_text=_(
            "Off: a meeting a participant or an organiser cancelled stays cancelled. Meetings "
            "cancelled by a change of someone's times are always planned again."
        ),
    )
    fair_weight_share = forms.FloatField(
        label=_("Weight given up for first meetings (%)"),
        min_value=0,
        max_value=5,
        initial=0,
        required=False,
        help_text=_(
            "Up to this share of the total match weight may be traded so that participants "
            "left without any meeting get one. 0 keeps the highest total weight."
        ),
    )


class PresenceForm(forms.Form):
    """When I am at the fair: per day, here or not, from the start of one slot to the end of
    another. Saving replaces the participant's periods: one per day ticked, except that a day
    whose stored periods have gaps keeps them while its fields are left unchanged."""

    cancel_conflicting = forms.BooleanField(
        label=_("Cancel my booked meetings outside these times"),
        required=False,
    )

    def __init__(self, *args, event: Event, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        tz = event.tz
        current = selectors.availability_of(participant=participant)
        allowed = None if current["slots"] is None else set(current["slots"])
        # the times the page shows, sent back with it (the console's card renders it): a card
        # loaded before someone changed them is refused instead of overwriting that change
        self.shown_key = selectors.availability_key(current["periods"])
        self.fields["shown"] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=self.shown_key
        )
        self.stale = False
        self.whose = participant.name
        self.days: list[dict] = []
        by_day: OrderedDict = OrderedDict()
        for slot in selectors.slots_of(event=event):
            by_day.setdefault(slot.start.astimezone(tz).date(), []).append(slot)
        for i, (day, slots) in enumerate(by_day.items()):
            mine = [s for s in slots if allowed is None or s.pk in allowed]
            shown_from, shown_to = (mine or slots)[0].pk, (mine or slots)[-1].pk
            here, first, last = f"here_{i}", f"from_{i}", f"to_{i}"
            self.fields[here] = forms.BooleanField(required=False, initial=bool(mine))
            self.fields[first] = forms.TypedChoiceField(
                choices=[(s.pk, f"{s.start.astimezone(tz):%H:%M}") for s in slots],
                coerce=int,
                required=False,
                initial=shown_from,
            )
            self.fields[last] = forms.TypedChoiceField(
                choices=[(s.pk, f"{s.end.astimezone(tz):%H:%M}") for s in slots],
                coerce=int,
                required=False,
                initial=shown_to,
            )
            gaps = bool(mine) and len(mine) < slots.index(mine[-1]) - slots.index(mine[0]) + 1
            # the stored periods clipped to this day: kept as they are while the day's fields
            # are left unchanged (a day with gaps is not flattened by editing another day)
            day_from, day_to = slots[0].start, slots[-1].end
            kept = [
                (max(a, day_from), min(b, day_to))
                for a, b in current["periods"]
                if a < day_to and b > day_from
            ]
            self.days.append(
                {
                    "date": day,
                    "slots": slots,
                    "here": here,
                    "from": first,
                    "to": last,
                    "gaps": gaps,
                    "kept": kept if allowed is not None else [],
                    "initial": (bool(mine), shown_from, shown_to),
                }
            )

    def rows(self):
        """(day, here field, from field, until field, has gaps) for the template."""
        return [
            (d["date"], self[d["here"]], self[d["from"]], self[d["to"]], d["gaps"])
            for d in self.days
        ]

    def clean(self):
        data = super().clean()
        if data.get("shown") and data["shown"] != self.shown_key:
            self.stale = True
            raise forms.ValidationError(
                gettext(
                    "%(name)s changed these times since you loaded this page, or someone else "
                    "did: nothing was saved. Reload the page to see them as they are now."
                )
                % {"name": self.whose}
            )
        periods = []
        whole = True
        for d in self.days:
            if not data.get(d["here"]):
                whole = False
                continue
            by_id = {s.pk: s for s in d["slots"]}
            first, last = by_id.get(data.get(d["from"])), by_id.get(data.get(d["to"]))
            if first is None or last is None:
                self.add_error(d["to"] if first else d["from"], _("Choose a time."))
                continue
            if last.start < first.start:
                self.add_error(d["to"], _("Leave after you arrive."))
                continue
            if d["gaps"] and d["kept"] and (True, first.pk, last.pk) == d["initial"]:
                periods.extend(d["kept"])  # untouched day with gaps: as it was
                whole = False
                continue
            whole = whole and first == d["slots"][0] and last == d["slots"][-1]
            periods.append((first.start, last.end))
        if not periods and not self.errors:
            raise forms.ValidationError(_("Tick at least one day."))
        data["periods"] = [] if whole else periods  # every slot: no period at all
        return data

    def save(self, *, participant: Participant, actor, colleagues=()) -> AvailabilityChange | None:
        """Replace the periods through the availability service; the meetings it cancelled or
        the participant left. ``colleagues`` (the console's box): the same times for them too,
        all or nothing (``availability_replace_group``; what it did to everyone's meetings,
        together). Booked meetings outside them (without the cancel box) become a form error
        and ``None``; other refusals raise."""
        try:
            if colleagues:
                changes = availability_replace_group(
                    participants=[participant, *colleagues],
                    periods=self.cleaned_data["periods"],
                    actor=actor,
                    cancel_conflicting=self.cleaned_data["cancel_conflicting"],
                )
                together = AvailabilityChange()
                for change in changes.values():
                    together.cancelled.extend(
                        m for m in change.cancelled if m not in together.cancelled
                    )
                    together.left.extend(change.left)
                return together
            return availability_replace(
                participant=participant,
                periods=self.cleaned_data["periods"],
                actor=actor,
                cancel_conflicting=self.cleaned_data["cancel_conflicting"],
            )
        except Conflict as exc:
            if exc.code != "meetings_outside_availability":
                raise
            self.add_error(
                None,
                self.outside_message(
                    len(exc.extra.get("meetings", [])),
                    joined=len(exc.extra.get("joined", [])),
                    handed=len(exc.extra.get("handed_over", [])),
                ),
            )
            return None

    @staticmethod
    def outside_message(count: int, *, joined: int = 0, handed: int = 0) -> str:
        """Why the times were refused: ``count`` booked meetings outside them (``joined``: how
        many of them were joined only as a colleague, which the box leaves instead of cancelling;
        ``handed``: how many of them the box hands over to a colleague who had joined them
        instead of cancelling them)."""
        if handed:  # the box does not only cancel: "tick the box to cancel them" would be wrong
            text = ngettext(
                "%(count)s booked meeting falls outside these times. Move or cancel it first, or "
                "tick the box to go ahead.",
                "%(count)s booked meetings fall outside these times. Move or cancel them first, "
                "or tick the box to go ahead.",
                count,
            ) % {"count": count}
            text += " " + ngettext(
                "%(handed)s of them is not cancelled then: a colleague who had joined it takes "
                "over and it goes on.",
                "%(handed)s of them are not cancelled then: colleagues who had joined them take "
                "over and they go on.",
                handed,
            ) % {"handed": handed}
            if count > handed + joined:
                text += " " + gettext("The others are cancelled.")
        else:
            text = ngettext(
                "%(count)s booked meeting falls outside these times. Move or cancel it first, or "
                "tick the box to cancel it now.",
                "%(count)s booked meetings fall outside these times. Move or cancel them first, "
                "or tick the box to cancel them now.",
                count,
            ) % {"count": count}
        if joined:
            text += " " + gettext(
                "Meetings joined only as a colleague are not cancelled: ticking the box leaves "
                "them and they go on."
            )
        return text

    @staticmethod
    def saved_message(change: AvailabilityChange, of: Participant | None = None) -> str:
        """What saving did, said to the participant, or (``of``) to an organiser at the desk."""
        count = len(change.cancelled)
        handed = len(change.handed_over)
        joined = [m for m in change.left if m not in change.handed_over]
        if of is not None:
            text = ngettext(
                "%(name)s's times are saved; %(count)s meeting cancelled.",
                "%(name)s's times are saved; %(count)s meetings cancelled.",
                count,
            ) % {"count": count, "name": of.name}
            if handed:
                text += " " + ngettext(
                    "%(count)s meeting goes on with a colleague of theirs who had joined it.",
                    "%(count)s meetings go on with colleagues of theirs who had joined them.",
                    handed,
                ) % {"count": handed}
            if joined:
                left = len(joined)
                text += " " + ngettext(
                    "They left %(count)s meeting joined as a colleague.",
                    "They left %(count)s meetings joined as a colleague.",
                    left,
                ) % {"count": left}
            return text
        if change.cancelled:
            text = ngettext(
                "Your times are saved; %(count)s meeting cancelled.",
                "Your times are saved; %(count)s meetings cancelled.",
                count,
            ) % {"count": count}
        else:
            text = gettext("Your times are saved.")
        if handed:
            text += " " + ngettext(
                "%(count)s meeting goes on with a colleague of yours who had joined it.",
                "%(count)s meetings go on with colleagues of yours who had joined them.",
                handed,
            ) % {"count": handed}
        if joined:
            count = len(joined)
            text += " " + ngettext(
                "You left %(count)s meeting joined as a colleague; it goes on without you.",
                "You left %(count)s meetings joined as a colleague; they go on without you.",
                count,
            ) % {"count": count}
        return text


class AttendanceForm(forms.Form):
    """ "I no longer come" (with a tick that says the person knows what it cancels), or "I come
    after all"."""

    attending = forms.ChoiceField(choices=[("no", "no"), ("yes", "yes")])
    confirm = forms.BooleanField(required=False)
    #: what the tick confirms, said to who fills the form (the console's says "their")
    unconfirmed = _("Tick the box to confirm: your meetings and requests will be cancelled.")

    def clean(self):
        data = super().clean()
        if data.get("attending") == "no" and not data.get("confirm"):
            raise forms.ValidationError(self.unconfirmed)
        return data


class TheirAttendanceForm(AttendanceForm):
    """The console's: an organiser records it for a participant."""

    unconfirmed = _("Tick the box to confirm: their meetings and requests will be cancelled.")
