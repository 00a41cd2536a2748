"""The participant's pages under /my/: sign-in by one-time link, profile, recommendations,
requests and agenda for one event.

Views are thin: reads go through ``matchmaking.selectors``, writes through the services. Every
page needs a signed-in user who takes part in the event of the URL (anyone else: 404). A refused
write (``DomainError``) becomes a message on the page, never a 500. Times are shown in the event's
time zone.
"""

from __future__ import annotations

import functools
import secrets
import unicodedata
from collections import OrderedDict
from urllib.parse import urlsplit

from babel import Locale
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from matchmaking import selectors
from matchmaking.countries import COUNTRY_CODES, country_code
from matchmaking.error_text import ERROR_TEXT
from matchmaking.exceptions import (
    Busy,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from matchmaking.languages import (
    LANGUAGE_CODES,
    language_codes,
    language_words,
    share_a_language,
)
from matchmaking.models import (
    Event,
    Mark,
    Meeting,
    MeetingRequest,
    Participant,
)
from matchmaking.pages.forms import (
    AttendanceForm,
    PresenceForm,
    TextField,
    UnusableText,
    id_param,
    sign_in_link_allowed,
    text_param,
)
from matchmaking.pages.labels import (
    FEEDBACK_OUTCOME,
    KIND,
    MEETING_STATUS,
    REQUEST_STATUS,
    attendance_counts,
    language_names,
    zone_text,
)
from matchmaking.reasons import Reason, day_time_text, reason_from_detail
from matchmaking.services.arrivals import arrival_mark
from matchmaking.services.attendance import attendance_resume, attendance_withdraw
from matchmaking.services.feedback import meeting_feedback_give
from matchmaking.services.marks import mark_clear, mark_set
from matchmaking.services.meetings import (
    Actor,
    check_in_open,
    meeting_attendee_add,
    meeting_book,
    meeting_cancel,
    meeting_leave,
    meeting_move_refusal,
    meeting_reschedule,
    meeting_set_status,
    meeting_slots_bookable,
)
from matchmaking.services.messages import BODY_LIMIT as MESSAGE_BODY_LIMIT
from matchmaking.services.messages import message_refusal, message_send, messages_read
from matchmaking.services.notifications import language_spoken
from matchmaking.services.participants import (
    calendar_link_renew,
    login_link_use,
    profile_update,
    sign_in_link_queue,
)
from matchmaking.services.recommendations import (
    SAME_KIND_OPT_IN,
    kinds_recommended_to,
    suggested_sectors,
)
from matchmaking.services.requests import (
    proposable_slots,
    proposal_refusals,
    request_accept,
    request_cancel,
    request_create,
    request_decline,
    requests_decline_received,
)
from matchmaking.unusable import plain_line_breaks
from ml.taxonomy import SECTOR_IDS, sector_label

LOGIN_SENT = gettext_lazy(
    "If this address is registered, a sign-in link is on its way. Check your inbox."
)


def _error(request, exc: DomainError) -> None:
    """Show a refused write as a message: the service's own sentence in English, a translated
    one in French and Arabic when the refusal has a known code."""
    messages.error(request, _error_text(exc))


# Refusals whose API sentence points to what only the API offers ("reschedule it"): the pages
# say theirs in every language.
PAGE_WORDING = {
    "request_has_meeting",
    "not_marked",
    "self_not_attending",
    "form_sent_already",
    "meeting_changed",
}


def _error_text(exc: DomainError) -> str:
    """The service's own sentence in English; in French and Arabic, the translated sentence of
    the refusal's code when there is one."""
    lang = (get_language() or "en")[:2]
    if lang == "en" and exc.code not in PAGE_WORDING:
        return exc.message
    page_words = exc.code in PAGE_WORDING  # the pages' own sentence, reason or not
    if isinstance(exc.reason, Reason) and not page_words:  # its particulars, in the language
        return str(exc.reason)
    text = ERROR_TEXT.get(exc.code)
    return str(text) if text else exc.message


def _login_url(request) -> str:
    """The sign-in page, then back to this page; a button pressed signed out (a POST: its
    address answers nothing else) goes back to the page it was on, when it is ours."""
    if request.method in ("GET", "HEAD"):
        then = request.get_full_path()
    else:
        then = _ours(urlsplit(request.META.get("HTTP_REFERER", "")).path)
    if not then:
        return reverse("participant:login")
    return f"{reverse('participant:login')}?{urlencode({'next': then})}"


def _home(event: Event) -> str:
    return reverse("participant:agenda", args=[event.slug])


def participant_page(view):
    """Signed in (else → /my/login/), taking part in the URL's event (else 404). Calls
    ``view(request, event, me, ...)`` with the event's time zone active. Text the view cannot
    use (``UnusableText``) answers 400 with its sentence on an otherwise empty page."""

    @functools.wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            raise Http404(_("No such event."))
        me = selectors.participant_of(event=event, user=request.user)
        if me is None:
            raise Http404(_("You do not take part in this event."))
        with timezone.override(event.tz):
            try:
                return view(request, event, me, *args, **kwargs)
            except UnusableText as exc:
                messages.error(request, exc.message)
                return _page(request, "base.html", event, me, "", status=400)

    return wrapped


def _page(
    request,
    template: str,
    event: Event,
    me: Participant,
    section: str,
    status: int = 200,
    **context,
):
    participations = Participant.objects.filter(user=request.user).count()
    return render(
        request,
        f"matchmaking/participant/{template}",
        {
            "event": event,
            "me": me,
            "section": section,
            "several_events": participations > 1,
            "unread_messages": selectors.unread_messages(participant=me),
            # requests expire: the menu says how many wait for my answer, on every page
            "waiting_requests": selectors.requests_waiting(participant=me),
            # while booking is closed, the pages offer no request to send
            "booking_open": event.booking_open_at(timezone.now()),
        }
        | context,
        status=status,
    )


def _form_status(request, form, refused: int | None = None) -> int:
    """A form page answers 200, or a 4xx when a POST is shown again with a problem: the
    service's status (409...) for its refusal, else 400 for what the form itself refuses."""
    if refused is not None:
        return refused
    return 400 if request.method == "POST" and form.errors else 200


def _back(request, fallback: str) -> str:
    """The page a POST came from (``next``), if it is one of ours; else ``fallback``."""
    return _ours(request.POST.get("next", "")) or fallback


def _ours(target: str) -> str:
    """``target`` if it is an address of the participant's pages (``/my/...``, nowhere else:
    not another site, not ``//host``), else ""."""
    lowered = target.lower()
    if not target.startswith("/my/") or "//" in target or "\\" in target:
        return ""
    if ".." in target or "%2e" in lowered or "%2f" in lowered or "%5c" in lowered:
        return ""  # "/my/../admin/" is /admin/ to a browser
    return target


# ------------------------------------------------------------------------------------------------
# Sign-in
# ------------------------------------------------------------------------------------------------


class LoginEmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address"), max_length=254)


@require_http_methods(["GET", "POST"])
def login_request(request):
    """Ask for a sign-in link by email. The answer is the same whether the address is known or
    not, so the page does not tell who is registered, and so is the work: it queues the same
    task for every address (the lookup and the email happen in the task, out of the request),
    at most ``SIGN_IN_LINKS_PER_CLIENT`` an hour for one client address."""
    form = LoginEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip()
        if sign_in_link_allowed(request):
            origin = request.build_absolute_uri("/").rstrip("/")
            # the page they were going to (an email's link, say) is where the link takes them
            then = _ours(request.GET.get("next", ""))
            sign_in_link_queue(email=email, origin=origin, then=then)
        messages.success(request, LOGIN_SENT)
        return redirect("participant:login")
    return render(request, "matchmaking/participant/login.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login_link(request, secret: str):
    """GET shows a "Sign in" button; its POST spends the one-time link, signs in and goes to the
    home of the event the link was made for (mail scanners that pre-open links only GET, so
    they do not use it up). A used, expired or unknown link answers 404 with a page that offers
    a new one, already on the GET (which checks the link without spending it)."""
    if request.method == "GET":
        person = selectors.login_link_owner(secret=secret)
        if person is None:
            return render(request, "matchmaking/participant/login_failed.html", status=404)
        return _login_confirm_page(request, person)
    try:
        person = login_link_use(secret=secret)
    except NotFound:
        return render(request, "matchmaking/participant/login_failed.html", status=404)
    except Forbidden:  # the participant's account is an organiser's: password only
        return render(
            request,
            "matchmaking/participant/login_failed.html",
            {"organiser_account": True},
            status=403,
        )
    except Busy:  # the link is not spent: the button works again
        messages.error(request, _("The site is busy for a moment: press Sign in again."))
        return render(request, "matchmaking/participant/login_confirm.html", status=409)
    login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
    # the page they asked for the link from (``next``, kept by the form posting to this
    # address), else the home of the event the link was made for (they may take part in several)
    then = _ours(request.GET.get("next", ""))
    response = redirect(then) if then else redirect("participant:event", slug=person.event.slug)
    # the pages speak the person's language, as their emails do (an Arabic-speaking delegate
    # on a French browser read French pages); the menu's language choice changes it later
    follow_profile_language(request, response, person)
    return response


def _login_confirm_page(request, person: Participant):
    """The "Sign in" button. When someone else is signed in in this browser (a shared computer
    at the registration desk), it first says who is and whom the link signs in, in the
    language of the link's person (their profile's, not the browser's), so that they do not go
    on in someone else's account; pressing the button signs the other account out."""
    user = request.user
    if not user.is_authenticated or person.user_id == user.pk:
        return render(request, "matchmaking/participant/login_confirm.html")
    lang = language_spoken(person) or get_language()
    context = {"signed_in_as": selectors.account_name(user), "link_for": person.name}
    with translation.override(lang):
        response = render(request, "matchmaking/participant/login_confirm.html", context)
    response["Content-Language"] = lang
    return response


#: says the language cookie was set from the profile's languages (at sign-in, or when they
#: changed), not chosen in the menu: a profile change sets it anew, a choice in the menu stays
LANGUAGE_SOURCE_COOKIE = "expo_language_from"


def _cookie(response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


def follow_profile_language(request, response, person: Participant) -> None:
    """Set the pages' language (Django's language cookie) on ``response`` to the first of the
    person's languages the product speaks, unless a language was chosen in the menu (the
    cookie is there without our mark). None spoken: the browser's language (a cookie we set
    before is removed)."""
    cookie = settings.LANGUAGE_COOKIE_NAME
    ours = request.COOKIES.get(LANGUAGE_SOURCE_COOKIE) == "profile"
    if cookie in request.COOKIES and not ours:
        return  # chosen in the menu: it stays
    spoken = language_spoken(person)
    if spoken is None:
        if ours:
            response.delete_cookie(cookie, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
            response.delete_cookie(
                LANGUAGE_SOURCE_COOKIE, samesite=settings.LANGUAGE_COOKIE_SAMESITE
            )
        return
    _cookie(response, cookie, spoken)
    _cookie(response, LANGUAGE_SOURCE_COOKIE, "profile")


def set_language_chosen(request):
    """The menu's language choice (Django's ``set_language``), which then stays: the pages no
    longer follow the profile's languages (``follow_profile_language``)."""
    response = set_language(request)
    if request.POST.get("language") and settings.LANGUAGE_COOKIE_NAME in response.cookies:
        response.delete_cookie(LANGUAGE_SOURCE_COOKIE, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("participant:login")


@require_GET
def index(request):
    """My events: straight to the only one, or a list to choose from."""
    if not request.user.is_authenticated:
        return redirect(_login_url(request))
    mine = list(
        Participant.objects.filter(user=request.user)
        .select_related("event", "organisation")
        .order_by("id")
    )
    if len(mine) == 1:
        return redirect("participant:event", slug=mine[0].event.slug)
    return render(request, "matchmaking/participant/index.html", {"participations": mine})


@participant_page
def event_home(request, event, me):
    return redirect(_home(event))


# ------------------------------------------------------------------------------------------------
# Profile
# ------------------------------------------------------------------------------------------------


AUTO = {"dir": "auto"}  # free text may be Arabic in a French page, or the reverse


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


LANGUAGE_UNKNOWN = gettext_lazy(
    "Not a language we know: %(words)s. Write their names (français, العربية, English, "
    "Tamazight) or their codes (fr, ar, en, zgh)."
)


class ProfileForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Job title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(AUTO),
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages you speak"),
        required=False,
        help_text=gettext_lazy(
            "Their names separated by commas, in English, French or Arabic (français, العربية, "
            "English, Tamazight), or their codes (fr, ar, en, zgh)."
        ),
    )
    # a list of names in the page's language (a code typed by hand, "ma", is still read)
    country = forms.CharField(label=gettext_lazy("Country"), required=False, max_length=20)
    city = forms.CharField(
        label=gettext_lazy("City"), max_length=100, required=False, widget=forms.TextInput(AUTO)
    )
    description = TextField(
        label=gettext_lazy("About your organisation"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, **AUTO}),
    )
    offers = TextField(
        label=gettext_lazy("What you offer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, **AUTO}),
        help_text=gettext_lazy("One offer per line."),
    )
    needs = TextField(
        label=gettext_lazy("What you are looking for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, **AUTO}),
        help_text=gettext_lazy("One need per line."),
    )
    sectors = forms.MultipleChoiceField(
        label=gettext_lazy("Sectors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("%(value)s is not a known sector.")},
    )
    accepts_same_kind = forms.BooleanField(
        label=gettext_lazy("I am open to meetings with other exhibitors"),
        required=False,
    )
    max_meetings = forms.IntegerField(
        label=gettext_lazy("Most meetings I want at this fair"),
        required=False,
        min_value=0,
        max_value=1000,  # the API's bounds
        help_text=gettext_lazy("Leave empty for no limit."),
    )

    def __init__(self, *args, lang: str = "en", kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        same_kind_choice = kind in SAME_KIND_OPT_IN
        self.fields["sectors"].choices = [(s, sector_label(s, lang)) for s in SECTOR_IDS]
        self.fields["country"].widget = forms.Select(choices=country_choices(lang))
        if not same_kind_choice:
            # Only exhibitors (to meet) and delegations (to be recommended to each other) give
            # their consent to meetings with their own kind
            del self.fields["accepts_same_kind"]
        elif kind == Participant.Kind.DELEGATION:
            self.fields["accepts_same_kind"].label = gettext_lazy(
                "I am open to exchanges of experience with other city delegations"
            )
            self.fields["accepts_same_kind"].help_text = gettext_lazy(
                "Delegations that both tick it are recommended to each other."
            )

    def clean_languages(self) -> list[str]:
        words = language_words(self.cleaned_data["languages"])
        unknown = [w for w in words if w.strip().lower() not in LANGUAGE_CODES]
        if unknown:  # the API's message asks for codes; the page takes names too
            shown = ", ".join(dict.fromkeys(w[:30] for w in unknown))
            raise forms.ValidationError(LANGUAGE_UNKNOWN % {"words": shown})
        try:
            return language_codes(words)  # the API's rule too
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_country(self) -> str:
        try:
            return country_code(self.cleaned_data["country"])  # the API's rule too
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def _phrases(self, name: str) -> list[str]:
        phrases = _lines(self.cleaned_data[name])
        if len(phrases) > 30:
            raise forms.ValidationError(_("At most 30 lines."))
        if any(len(p) > 500 for p in phrases):
            raise forms.ValidationError(_("Each line may have at most 500 characters."))
        return phrases

    def clean_offers(self) -> list[str]:
        return self._phrases("offers")

    def clean_needs(self) -> list[str]:
        return self._phrases("needs")


def _profile_initial(me: Participant) -> dict:
    profile = getattr(me, "profile", None)
    return {
        "title": me.title,
        # as the page writes them, with its own comma (both are read back)
        "languages": _list_separator().join(language_names(me.languages or [])),
        "country": me.country,
        "city": me.city,
        "description": profile.description if profile else "",
        "offers": "\n".join(profile.offers) if profile else "",
        "needs": "\n".join(profile.needs) if profile else "",
        "sectors": list(profile.sectors) if profile else [],
        "accepts_same_kind": me.accepts_same_kind,
        "max_meetings": me.max_meetings,
    }


@require_http_methods(["GET", "POST"])
@participant_page
def profile(request, event, me):
    lang = (get_language() or "en")[:2]
    form = ProfileForm(
        request.POST or None,
        initial=_profile_initial(me),
        lang=lang,
        kind=me.kind,
    )
    suggested = suggested_sectors(participant=me)  # to confirm, while it declares none
    if request.method == "POST" and "use_suggested" in request.POST:
        # "Tick the suggestions and save": the form as typed, with the suggested sectors added
        data = request.POST.copy()
        data.setlist("sectors", list(dict.fromkeys([*data.getlist("sectors"), *suggested])))
        form = ProfileForm(
            data,
            initial=_profile_initial(me),
            lang=lang,
            kind=me.kind,
        )
    refused = None
    # the profile as the page showed it (hidden ``shown-*``): only what was changed on the page
    # is saved, so a page left open does not put back what the app changed meanwhile; a form
    # without them (a script) sets every field, as before
    seen_form = ProfileForm(request.POST or None, prefix="shown", lang=lang, kind=me.kind)
    with_seen = request.method == "POST" and all(
        f"shown-{name}" in request.POST
        for name, field in seen_form.fields.items()
        if not isinstance(field, forms.BooleanField | forms.MultipleChoiceField)
    )
    if request.method == "POST" and form.is_valid() and with_seen and not seen_form.is_valid():
        messages.error(  # not values this page wrote
            request, _("This form is not one this page showed; reload the page and try again.")
        )
        refused = 400
    elif request.method == "POST" and form.is_valid():
        try:
            profile_update(
                participant=me,
                data=dict(form.cleaned_data),
                seen=dict(seen_form.cleaned_data) if with_seen else None,
            )
        except DomainError as exc:
            refused = exc.status
            if exc.code == "profile_changed":
                _error(request, exc)
                # the form as the profile is now, to check and save again
                me.refresh_from_db()
                initial = _profile_initial(me)
                form = ProfileForm(initial=initial, lang=lang, kind=me.kind)
            elif exc.field and exc.field in form.fields:
                form.add_error(exc.field, _error_text(exc))
            else:
                _error(request, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("participant:profile", slug=event.slug)
            # new languages: the pages follow them, unless a language was chosen in the menu
            me.refresh_from_db(fields=["languages"])
            follow_profile_language(request, response, me)
            return response
    boxes = {box.data["value"]: box.id_for_label for box in form["sectors"]}
    return _page(
        request,
        "profile.html",
        event,
        me,
        "profile",
        status=_form_status(request, form, refused),
        form=form,
        # what the page shows, sent back with the form (see the POST above)
        shown=_shown_profile(me, lang),
        # not taking meetings: the requests still waiting for my answer (declined in one go)
        waiting=(
            me.received_requests.filter(status=MeetingRequest.Status.PENDING)
            .exclude(expires_at__lte=timezone.now())
            .count()
            if me.max_meetings == 0
            else 0
        ),
        # (sector id, label in the page's language, id of its checkbox in the sector list)
        suggested=[(s, sector_label(s, lang), boxes.get(s)) for s in suggested],
    )


def _shown_profile(me: Participant, lang: str) -> ProfileForm:
    """The profile as the page shows it, for its hidden ``shown-*`` fields (without help texts:
    a hidden field describes nothing)."""
    shown = ProfileForm(initial=_profile_initial(me), prefix="shown", lang=lang, kind=me.kind)
    for field in shown.fields.values():
        field.help_text = ""
    return shown


@require_http_methods(["GET", "POST"])
@participant_page
def presence(request, event, me):
    data = request.POST if request.method == "POST" else None
    form = PresenceForm(data, event=event, participant=me)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = form.save(participant=me, actor=Actor(user=request.user, participant=me))
        except DomainError as exc:
            refused = exc.status
            _error(request, exc)
        else:
            if cancelled is not None:
                messages.success(request, form.saved_message(cancelled))
                return redirect("participant:presence", slug=event.slug)
            refused = Conflict.status  # booked meetings outside the times: a form error now
    status = _form_status(request, form, refused)
    return _page(request, "presence.html", event, me, "presence", status=status, form=form)


@require_POST
@participant_page
def attendance(request, event, me):
    """The presence page's "I no longer come" / "I come after all" buttons."""
    form = AttendanceForm(request.POST)
    back = redirect("participant:presence", slug=event.slug)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Choose whether you come.")]:
            messages.error(request, error)
        return back
    try:
        if form.cleaned_data["attending"] == "yes":
            if attendance_resume(participant=me).unchanged:  # said twice (two tabs, a retry)
                messages.info(request, _("You are coming to the fair already."))
                return back
            messages.success(
                request,
                _(
                    "Welcome back: you come to the fair. What was cancelled stays cancelled; "
                    "send new requests to the people you want to meet."
                ),
            )
            return back
        done = attendance_withdraw(participant=me, actor=Actor(user=request.user, participant=me))
    except DomainError as exc:
        _error(request, exc)
        return back
    if done.unchanged:  # said already: nothing more was cancelled
        messages.info(request, _("You already said you no longer come to the fair."))
        return back
    messages.success(
        request,
        _(
            "You no longer come to the fair: %(meetings)s and %(requests)s cancelled; the other "
            "side was told. If your plans change again, say so here."
        )
        % attendance_counts(done),
    )
    return back


# ------------------------------------------------------------------------------------------------
# Recommendations
# ------------------------------------------------------------------------------------------------


def _open_requests_by_other(event: Event, me: Participant) -> dict[int, MeetingRequest]:
    """My open (pending or accepted) requests, keyed by the other participant's id."""
    found = {}
    for r in selectors.requests_of(event=event, participant=me).filter(
        status__in=MeetingRequest.OPEN_STATUSES
    ):
        found[r.recipient_id if r.sender_id == me.pk else r.sender_id] = r
    return found


def _sort_key(name: str) -> str:
    """A name as its readers sort it: without accents (Bénin among the B, Égypte among the
    E) and, in Arabic, the alef with a hamza or madda as the plain alef (both are combining
    marks once decomposed), whatever the case."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def country_choices(lang: str) -> list[tuple[str, str]]:
    """Every country, named in the page's language (CLDR, through Babel) and sorted by name
    as its readers sort it (``_sort_key``), after an empty choice."""
    names = Locale.parse(lang).territories
    named = sorted(
        ((c, names.get(c, c)) for c in COUNTRY_CODES), key=lambda c: (_sort_key(c[1]), c[1])
    )
    return [("", "—"), *named]


@functools.cache
def _territories(lang: str) -> dict[str, str]:
    """Country codes -> their names in ``lang`` (CLDR, through Babel)."""
    return dict(Locale.parse(lang).territories)


def _card(rec: dict, lang: str, open_requests: dict, my_languages: list[str]) -> dict:
    """A recommendation ready for the template: labels in the page's language."""
    reasons = rec.get("reasons") or {}
    person = rec["participant"]
    shared = [
        (s.get("label") or {}).get(lang) or (s.get("label") or {}).get("en") or s.get("id")
        for s in reasons.get("shared_sectors") or []
    ]
    related = []
    for pair in reasons.get("related_sectors") or []:
        a, b = pair[0], pair[1]
        related.append(
            (
                sector_label(a, lang) if a in SECTOR_IDS else a,
                sector_label(b, lang) if b in SECTOR_IDS else b,
            )
        )
    langs = reasons.get("languages") or {}
    note = langs.get("note")
    sep = _list_separator(lang)
    if note and not langs.get("common"):
        # The ranker writes this note in English; say it in the page's language.
        note = _language_note(my_languages, person.get("languages") or [], sep)
    country = person.get("country") or ""
    # where they come from, the country named in the page's language ("El Jadida, Maroc")
    place = sep.join(p for p in (person.get("city"), _territories(lang).get(country, country)) if p)
    return {
        "person": person,
        "kind_label": KIND.get(person.get("kind"), person.get("kind")),
        "place": place,
        "rank": rec.get("rank"),
        "score": rec.get("score"),
        "shared_sectors": shared,
        "related_sectors": related,
        "need_to_offer": reasons.get("need_to_offer"),
        "offer_to_need": reasons.get("offer_to_need"),
        "shared_need": reasons.get("shared_need"),
        "common_languages": language_names(langs.get("common") or []),
        "list_separator": sep,
        "language_note": note,
        "sectors_inferred": bool(reasons.get("sectors_inferred")),
        "open_request": open_requests.get(person["id"]),
        "saved": bool(rec.get("saved")),
    }


def _list_separator(lang: str | None = None) -> str:
    """The comma between a list's items in ``lang`` (the page's by default): Arabic has its
    own."""
    return "، " if (lang or get_language()) == "ar" else ", "


def _language_note(mine, theirs, sep: str) -> str:
    """The cards' "no common language" sentence, in the page's language, naming the two sides'
    languages (codes) by name."""
    return _(
        "No common language (you: %(mine)s; they: %(theirs)s): plan an interpreter or a "
        "bilingual colleague."
    ) % {
        "mine": sep.join(language_names(sorted(mine))) or "?",
        "theirs": sep.join(language_names(sorted(theirs))) or "?",
    }


def _no_common_language(me: Participant, other: Participant, sep: str) -> str:
    """``_language_note`` when the two share no language (an Arabic variety counts as Arabic)
    and both said which they speak, else ""."""
    mine, theirs = me.languages or [], other.languages or []
    return "" if share_a_language(mine, theirs) else _language_note(mine, theirs, sep)


def _searched(rec: dict, me: Participant) -> dict:
    """A search result in the shape of a recommendation, for ``_card``: the offer that meets
    the search is the card's "you need — they offer" pair."""
    reasons = rec["reasons"]
    theirs = set(rec["participant"]["languages"])
    common = reasons["languages"]["common"]
    unshared = bool(me.languages) and bool(theirs) and not common
    return {
        **rec,
        "reasons": {
            "shared_sectors": reasons["shared_sectors"],
            "need_to_offer": reasons["offer"],
            "languages": {"common": common, "note": unshared},
        },
    }


@require_GET
@participant_page
def recommendations(request, event, me):
    lang = (get_language() or "en")[:2]
    kinds = [k for k in request.GET.getlist("kind") if k in KIND]
    offered = kinds_recommended_to(me.kind, accepts_same_kind=me.accepts_same_kind)
    need = text_param(request.GET, "need", limit=4 * selectors.SEARCH_TEXT_LIMIT)
    status = 200
    open_requests = _open_requests_by_other(event, me)
    if need:  # search by need: who offers what I describe, ranked like my list
        try:
            recs = [
                _searched(rec, me)
                for rec in selectors.people_offering(
                    event=event, text=need, reader=me, kinds=kinds or None
                )
            ]
        except DomainError as exc:
            _error(request, exc)
            recs, status = [], exc.status
    else:
        recs = selectors.recommendations_for(participant=me, limit=20, kinds=kinds or None)
    # they cannot be asked again: the shortlist and a search say so instead
    declined_me = selectors.declined_by(participant=me)
    cards = [_card(rec, lang, open_requests, me.languages or []) for rec in recs]
    for card in cards:
        card["declined_me"] = card["person"]["id"] in declined_me
    marks = list(selectors.marks_of(participant=me))
    for mark in marks:
        mark.kind_label = KIND.get(mark.candidate.kind, mark.candidate.kind)
        mark.open_request = open_requests.get(mark.candidate_id)
        mark.declined_me = mark.candidate_id in declined_me
    shortlist = [m for m in marks if m.kind == Mark.Kind.SAVED]
    # a colleague of mine already in touch with them: said before I ask them too
    ties = selectors.colleague_requests(
        participant=me,
        other_ids=[c["person"]["id"] for c in cards] + [m.candidate_id for m in shortlist],
    )
    for card in cards:
        card["colleague_note"] = _colleague_note(ties.get(card["person"]["id"]))
    for mark in shortlist:
        mark.colleague_note = _colleague_note(ties.get(mark.candidate_id))
    empty_filter = _empty_filter(me, kinds, offered, lang) if kinds and not recs else None
    forms = [("", card["person"]["id"], card) for card in cards]
    if not need:
        forms += [("shortlist-", m.candidate_id, m) for m in shortlist]
    _request_forms(request, event, me, forms)
    return _page(
        request,
        "recommendations.html",
        event,
        me,
        "recommendations",
        status=status,
        cards=cards,
        need=need,
        shortlist=shortlist,
        hidden=[m for m in marks if m.kind == Mark.Kind.HIDDEN],
        # only the kinds that can be recommended to me (a visitor is shown no investors)
        kinds=[(k, label, k in kinds) for k, label in KIND.items() if k in offered],
        request_status_labels=REQUEST_STATUS,
        empty_filter=empty_filter,
    )


def _colleague_note(tie: MeetingRequest | None) -> str:
    """What a card says of a colleague of mine already in touch with that person
    (``selectors.colleague_requests``), in the page's language; "" when none is."""
    if tie is None:
        return ""
    name = {"name": tie.colleague.name}
    if tie.status == MeetingRequest.Status.ACCEPTED:
        return (
            _(
                "Your colleague %(name)s already meets them: %(name)s can bring you to that "
                "meeting, rather than you asking them again."
            )
            % name
        )
    return (
        _("Your colleague %(name)s already has a meeting request with them, waiting for an answer.")
        % name
    )


def _empty_filter(me: Participant, kinds: list[str], offered: set[str], lang: str) -> dict:
    """Why a list filtered by kind is empty: the kinds chosen cannot be recommended to me (a
    delegation that has not opted into exchanges filtering delegations), or none of them is
    recommended yet. ("Complete your profile" misled someone whose profile was complete.)"""
    names = _list_separator(lang).join(str(KIND[k]) for k in kinds)
    if any(k in offered for k in kinds):
        return {
            "text": _("No one of the kinds you chose (%(kinds)s) is recommended to you yet.")
            % {"kinds": names}
        }
    note = {
        "text": _("No one of the kinds you chose (%(kinds)s) can be recommended to you.")
        % {"kinds": names}
    }
    if me.kind in kinds and me.kind in SAME_KIND_OPT_IN and not me.accepts_same_kind:
        if me.kind == Participant.Kind.DELEGATION:
            note["hint"] = _(
                "City delegations are recommended to each other for exchanges of experience "
                "when both tick “I am open to exchanges of experience with other city "
                "delegations” on their profile."
            )
        else:
            note["hint"] = _(
                "Exhibitors are recommended to each other when both tick “I am open to "
                "meetings with other exhibitors” on their profile."
            )
    return note


class MarkForm(forms.Form):
    participant = forms.IntegerField(min_value=1, max_value=2**62)
    # "clear": take the mark away (off the shortlist, or recommended again)
    mark = forms.ChoiceField(choices=[*Mark.Kind.choices, ("clear", "clear")])


@require_POST
@participant_page
def mark(request, event, me):
    """The recommendations page's **Save**, **Not interested** and their undo buttons."""
    back = redirect(_back(request, reverse("participant:recommendations", args=[event.slug])))
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose someone to save or hide."))
        return back
    pk, kind = form.cleaned_data["participant"], form.cleaned_data["mark"]
    person = Participant.objects.filter(event=event, pk=pk).first()
    if person is None or not selectors.may_know(participant=me, other=person):
        raise Http404(_("No such participant."))
    name = {"name": person.name}
    try:
        if kind == "clear":
            if mark_clear(participant=me, candidate_id=pk) == Mark.Kind.HIDDEN:
                done = _("%(name)s may be recommended to you again.") % name
            else:
                done = _("%(name)s is off your shortlist.") % name
        else:
            _mark, was = mark_set(participant=me, candidate_id=pk, kind=kind)
            if kind == Mark.Kind.SAVED:
                done = _("%(name)s is on your shortlist.") % name
            else:
                done = (
                    _(
                        "%(name)s will no longer be recommended to you (Recommend again, under "
                        "Not interested at the bottom of this page, undoes it)."
                    )
                    % name
                )
                if was == Mark.Kind.SAVED:
                    done = _("%(name)s is off your shortlist.") % name + " " + done
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, done)
    return back


# ------------------------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------------------------


def _my_request(event: Event, me: Participant, request_id: int) -> MeetingRequest:
    """One of my requests, or 404 (someone else's request does not exist for me)."""
    found = selectors.requests_of(event=event, participant=me).filter(pk=request_id).first()
    if found is None:
        raise Http404(_("No such request."))
    return found


def _shown_status(request: MeetingRequest, now) -> None:
    """A request's status as people see it now (``status``: a pending one past its expiry is
    expired; shown, not saved) and its label in the page's language (``status_label``)."""
    request.status = selectors.request_status_now(request, now)
    request.status_label = REQUEST_STATUS.get(request.status, request.status)


def _may_cancel(status: str, start, now) -> bool:
    """Whether a participant may still cancel a meeting, as ``meeting_cancel`` decides:
    scheduled (not checked in, held...) and not started yet."""
    return status == Meeting.Status.SCHEDULED and start > now


@require_GET
@participant_page
def requests_page(request, event, me):
    # with what telling whether a proposed time can be booked reads: both people's booths, and
    # the slot's event (a refusal names the time in the event's time zone)
    mine = list(
        selectors.requests_of(event=event, participant=me).select_related(
            "sender__fixed_table", "recipient__fixed_table", "proposed_slot__event"
        )
    )
    booked = {  # request -> its live meeting (its time, table and status)
        m.request_id: m
        for m in Meeting.objects.filter(request__in=[r.pk for r in mine])
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("slot", "table")
    }
    # an accepted request whose meeting was cancelled (the request stays accepted, to book
    # another time): its latest cancelled meeting, to say when it was, who cancelled it and why
    unbooked = [
        r.pk for r in mine if r.status == MeetingRequest.Status.ACCEPTED and r.pk not in booked
    ]
    called_off = {
        m.request_id: m
        for m in Meeting.objects.filter(request__in=unbooked, status=Meeting.Status.CANCELLED)
        .select_related("slot")
        .prefetch_related("seats__participant")
        .order_by("pk")  # the latest wins
    }
    _cancellations_said(me, list(called_off.values()))
    now = timezone.now()
    for r in mine:
        _shown_status(r, now)
        r.meeting = booked.get(r.pk)
        r.has_meeting = r.meeting is not None
        r.called_off = called_off.get(r.pk)
        # as request_cancel decides for a participant: open, and its meeting (if any) still
        # one they may cancel
        r.can_cancel = r.status in MeetingRequest.OPEN_STATUSES and (
            r.meeting is None or _may_cancel(r.meeting.status, r.meeting.slot.start, now)
        )
        # a proposed time that has started is no proposal any more; one the booking would
        # refuse now is shown as such, with a plain "Accept"
        r.proposal = r.proposed_slot if r.proposed_slot and r.proposed_slot.start > now else None
        r.proposal_blocked = False
    proposing = [
        r for r in mine if r.proposal is not None and r.status == MeetingRequest.Status.PENDING
    ]
    refusals = proposal_refusals(  # read once for them all
        event=event, requests=proposing, actor=Actor(participant=me), now=now
    )
    for r, refusal in zip(proposing, refusals, strict=True):
        r.proposal_blocked = refusal is not None
    sep = _list_separator()
    for r in mine:  # an open request between two who share no language says so to both
        other = r.sender if r.recipient_id == me.pk else r.recipient
        open_ = r.status in MeetingRequest.OPEN_STATUSES
        r.language_note = _no_common_language(me, other, sep) if open_ else ""
        # a request waiting for someone who has since set their meeting limit to 0: the sender
        # is told they are not taking meetings, rather than left waiting for an answer
        waiting = r.sender_id == me.pk and r.status == MeetingRequest.Status.PENDING
        r.not_taking = ""
        if waiting and r.recipient.max_meetings == 0:
            r.not_taking = str(Reason("not_taking_meetings", {"name": r.recipient.name}))
    received = [r for r in mine if r.recipient_id == me.pk]
    # at my own meeting limit, accepting is refused: the page says so instead of the buttons
    at_limit = None
    if me.max_meetings is not None:
        count = selectors.party_meeting_counts(participant_ids=[me.pk]).get(me.pk, 0)
        if count >= me.max_meetings:
            code = "own_limit_one" if me.max_meetings == 1 else "own_limit"
            at_limit = str(Reason(code, {"limit": me.max_meetings}))  # as accepting says it
    pending = [r for r in received if r.status == MeetingRequest.Status.PENDING]
    _other_times(event, me, [] if at_limit else pending)
    if at_limit:
        for r in pending:
            r.other_times = {}
    sent = [r for r in mine if r.sender_id == me.pk]
    query = text_param(request.GET, "q", limit=100)
    found = []
    if len(query) >= 2:
        open_requests = _open_requests_by_other(event, me)
        found = list(
            selectors.directory(event=event, searcher=me)
            .filter(selectors.people_matching(query))
            .exclude(pk=me.pk)[:20]
        )
        marked = dict(  # saved or hidden: said on each person found
            selectors.marks_of(participant=me)
            .filter(candidate__in=found)
            .values_list("candidate_id", "kind")
        )
        declined_me = selectors.declined_by(participant=me)  # no form: marked, as elsewhere
        for person in found:
            person.kind_label = KIND.get(person.kind, person.kind)
            person.open_request = open_requests.get(person.pk)
            person.mark = marked.get(person.pk)
            person.declined_me = person.pk in declined_me
            # before asking them: as on a recommendation card and on an open request
            person.language_note = _no_common_language(me, person, sep)
        ties = selectors.colleague_requests(participant=me, other_ids=[p.pk for p in found])
        for person in found:
            person.colleague_note = _colleague_note(ties.get(person.pk))
    asked = [("", person.pk, person) for person in found if not person.declined_me]
    _request_forms(request, event, me, asked)
    return _page(
        request,
        "requests.html",
        event,
        me,
        "requests",
        received=received,
        sent=sent,
        at_limit=at_limit,
        query=query,
        found=found,
        searched=len(query) >= 2,
        request_status_labels=REQUEST_STATUS,
    )


def _other_times(event: Event, me: Participant, pending: list[MeetingRequest]) -> None:
    """Give each pending request I received ``other_times``: the times I may accept it at
    instead (free for both of us, as the booking has it now; ``request_accept`` decides again
    on the click), by day, without its proposed time (**Accept and book this time** books
    that one)."""
    for r in pending:
        r.event = event  # the booking rules read its window: one event, read once
    free = meeting_slots_bookable(requests=pending, actor=Actor(participant=me))
    for r in pending:
        r.other_times = OrderedDict()
        for slot in free.get(r.pk, []):
            if r.proposal is None or slot.pk != r.proposal.pk:
                r.other_times.setdefault(slot.start.astimezone(event.tz).date(), []).append(slot)


REQUEST_MESSAGE_LIMIT = 2000
REQUEST_DRAFT = "request_draft"  # the session's key for a refused request form, shown again
FEEDBACK_DRAFT = "feedback_draft"  # the session's key for a refused feedback form, shown again
FEEDBACK_RATINGS = ("1", "2", "3", "4", "5")


def _request_forms(request, event, me, forms: list[tuple[str, int, object]]) -> None:
    """Prepare the "Request a meeting" forms of a page, ``forms`` being (the form's prefix, the
    person's id, the card, mark or person it goes on): each gets ``proposable``, the times the
    two of us could meet as the booking has it now (both at the fair and free, neither at our
    limit, a table free), and the form a refusal sent back (``request_send``) gets ``draft``:
    what was typed and why it was refused, shown on that form. A draft whose form is not on
    the page any more says its refusal at the top of the page, as before."""
    draft = request.session.pop(REQUEST_DRAFT, None)
    people = {
        p.pk: p
        for p in Participant.objects.select_related("fixed_table").filter(
            event=event, pk__in={pk for _, pk, _ in forms}
        )
    }
    free = proposable_slots(
        sender=me,
        recipients=list(people.values()),
        actor=Actor(user=request.user, participant=me),
    )
    placed = False
    for prefix, pk, holder in forms:
        mine = draft is not None and (prefix, pk) == (draft["prefix"], draft["recipient"])
        placed = placed or mine
        values = {
            "proposable": free.get(pk, []),
            "draft": draft if mine else None,
            # each form its own: the same form sent twice sends once (request_create)
            "token": secrets.token_urlsafe(16),
        }
        if isinstance(holder, dict):
            holder.update(values)
        else:
            for key, value in values.items():
                setattr(holder, key, value)
    if draft is not None and not placed:
        messages.error(request, draft["error"])


class RequestSendForm(forms.Form):
    recipient = forms.IntegerField(min_value=1)
    message = TextField(max_length=REQUEST_MESSAGE_LIMIT, required=False)
    # the part of the day the meeting should take (the booking and the scheduler keep to it)
    session = forms.ChoiceField(
        choices=MeetingRequest.SessionPreference.choices,
        required=False,
    )
    # a proposed time (a slot id; empty: none): accepting the request books it if still free
    slot = forms.IntegerField(min_value=1, max_value=2**62, required=False)


@require_POST
@participant_page
def request_send(request, event, me):
    back = _back(request, reverse("participant:requests", args=[event.slug]))
    form = RequestSendForm(request.POST)

    def refused(text: str):
        """Back to the page, on the person's form: what was typed, and why it was refused,
        beside their card (it was said at the top of the page, and the message was lost)."""
        prefix = request.POST.get("form_prefix", "")
        prefix = prefix if prefix in ("", "shortlist-") else ""
        slot = request.POST.get("slot", "")
        request.session[REQUEST_DRAFT] = {
            "recipient": form.cleaned_data["recipient"],
            "prefix": prefix,
            "message": request.POST.get("message", "")[: 4 * REQUEST_MESSAGE_LIMIT],
            "session": request.POST.get("session", ""),
            "slot": int(slot) if slot.isascii() and slot.isdigit() and len(slot) < 19 else None,
            "error": str(text),
        }
        return redirect(f"{back.split('#')[0]}#{prefix}ask-{form.cleaned_data['recipient']}")

    if not form.is_valid():
        if "recipient" in form.errors:
            messages.error(request, _("Choose someone to send the request to."))
            return redirect(back)
        if "session" in form.errors:
            return refused(_("Choose when: any time, in the morning or in the afternoon."))
        if "slot" in form.errors:
            return refused(_("Choose a proposed time from the list, or none."))
        return refused(
            _("Your message is too long: write at most %(limit)s characters (it has %(length)s).")
            % {
                "limit": REQUEST_MESSAGE_LIMIT,
                "length": len(plain_line_breaks(request.POST.get("message", ""))),
            }
        )
    # one who no longer comes since the page was shown is found, and the service says so
    recipient = (
        selectors.directory(event=event, with_withdrawn=True)
        .filter(pk=form.cleaned_data["recipient"])
        .first()
    )
    if recipient is None or not selectors.may_know(participant=me, other=recipient):
        raise Http404(_("No such participant."))
    slot = None
    if form.cleaned_data["slot"]:
        slot = event.slots.filter(pk=form.cleaned_data["slot"]).first()
        if slot is None:
            return refused(_("Choose a proposed time from the list, or none."))
    try:
        request_create(
            sender=me,
            recipient=recipient,
            message=form.cleaned_data["message"],
            session=form.cleaned_data["session"] or MeetingRequest.SessionPreference.ANY,
            slot=slot,
            # the form's own token: sent twice (a double click), it shows the first's result
            client_token=text_param(request.POST, "token", limit=64),
        )
    except DomainError as exc:
        return refused(_error_text(exc))
    messages.success(request, _("Your request was sent to %(name)s.") % {"name": recipient.name})
    return redirect(back)


class AcceptAtForm(forms.Form):
    slot = forms.IntegerField(min_value=1, max_value=2**62)


def _answer(action: str):
    @require_POST
    @participant_page
    def view(request, event, me, request_id: int):
        req = _my_request(event, me, request_id)
        back = _back(request, reverse("participant:requests", args=[event.slug]))
        try:
            if action == "accept":
                slot = None
                if "slot" in request.POST:  # Accept at another time: the time chosen
                    form = AcceptAtForm(request.POST)
                    if form.is_valid():
                        slot = event.slots.filter(pk=form.cleaned_data["slot"]).first()
                    if slot is None:
                        messages.error(request, _("Choose a time from the list."))
                        return redirect(back)
                accepted = request_accept(request=req, by=me, user=request.user, slot=slot)
                if accepted.booked is not None:
                    start = accepted.booked.slot.start.astimezone(event.tz)
                    done = _("Request accepted: the meeting is booked on %(when)s.") % {
                        "when": day_time_text(start)
                    }
                elif accepted.unbooked == "booking_closed":
                    done = _(
                        "Request accepted. Booking is closed, so no time can be booked now: the "
                        "organisers will schedule the meeting."
                    )
                elif accepted.unbooked == "sender_limit":
                    done = _(
                        "Request accepted. %(name)s has reached their meeting limit: the "
                        "meeting can be booked once they raise it or cancel a meeting."
                    ) % {"name": accepted.sender.name}
                elif accepted.proposal_refused is not None:
                    done = _(
                        "Request accepted, but the proposed time could not be booked. %(why)s"
                    ) % {"why": _error_text(accepted.proposal_refused)}
                else:
                    done = _("Request accepted. Now book a time in your agenda.")
            elif action == "decline":
                reason = _reason(request)
                if reason is None:
                    return redirect(back)
                request_decline(request=req, by=me, reason=reason)
                done = _("Request declined.")
            else:
                reason = _reason(request)
                if reason is None:
                    return redirect(back)
                request_cancel(request=req, by=me, user=request.user, reason=reason)
                done = _("Request cancelled.")
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, done)
        return redirect(back)

    view.__name__ = f"request_{action}"
    return view


REASON_LIMIT = 300


def _reason(request) -> str | None:
    """The reason typed for a cancellation or a decline, or None (said as a message) when it
    is longer than the other side's email takes: it was cut short in silence before, while the
    API and the console refuse it."""
    reason = text_param(request.POST, "reason", limit=REASON_LIMIT * 10)
    if len(reason) > REASON_LIMIT:
        messages.error(request, _("The reason is too long: 300 characters at most."))
        return None
    return reason


@require_POST
@participant_page
def requests_decline_all(request, event, me):
    """ "Decline them all": every request still pending to me, with one reason the senders see
    (offered while my meeting limit is 0, not taking meetings)."""
    back = reverse("participant:profile", args=[event.slug])
    reason = _reason(request)
    if reason is None:
        return redirect(back)
    declined = requests_decline_received(participant=me, reason=reason)
    messages.success(
        request,
        ngettext(
            "%(n)s request declined; its sender is told.",
            "%(n)s requests declined; their senders are told.",
            declined,
        )
        % {"n": declined},
    )
    return redirect(back)


request_accept_view = _answer("accept")
request_decline_view = _answer("decline")
request_cancel_view = _answer("cancel")


# ------------------------------------------------------------------------------------------------
# Agenda
# ------------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------------
# Messages
# ------------------------------------------------------------------------------------------------


@require_GET
@participant_page
def messages_page(request, event, me):
    """Everyone I exchanged messages with, the latest first, with what is unread."""
    return _page(
        request,
        "messages.html",
        event,
        me,
        "messages",
        conversations=selectors.conversations_of(participant=me),
    )


@require_http_methods(["GET", "POST"])
@participant_page
def conversation(request, event, me, participant_id: int):
    """My messages with one person, oldest first; opening it marks theirs as read. The form
    writes to them while we are in touch (else the page says why not)."""
    other = (
        Participant.objects.filter(event=event, pk=participant_id)
        .select_related("organisation")
        .first()
    )
    if other is None or other.pk == me.pk or not selectors.may_know(participant=me, other=other):
        raise Http404(_("No such participant."))
    here = reverse("participant:conversation", args=[event.slug, other.pk])
    draft, refused = "", None
    if request.method == "POST":
        # not cut: the service says how long it is
        draft = text_param(request.POST, "body", limit=len(request.POST.get("body", "")))
        try:
            message_send(
                sender=me,
                recipient_id=other.pk,
                body=draft,
                client_token=text_param(request.POST, "token", limit=64),
            )
        except DomainError as exc:
            _error(request, exc)
            refused = exc.status
        else:
            return redirect(f"{here}#latest")
    messages_read(participant=me, other_id=other.pk)
    refusal = message_refusal(me, other)
    return _page(
        request,
        "conversation.html",
        event,
        me,
        "messages",
        status=refused or 200,
        other=other,
        thread=list(selectors.messages_between(participant=me, other_id=other.pk)),
        links=_links_with(event, me, other),
        refusal=_refusal_text(*refusal) if refusal else "",
        draft=draft,
        token=secrets.token_urlsafe(16),
        body_limit=MESSAGE_BODY_LIMIT,
    )


def _links_with(event: Event, me: Participant, other: Participant) -> dict:
    """What ties me to ``other``, shown above our messages, with its labels."""
    request, meetings = selectors.ties_between(event=event, participant=me, other=other)
    if request is not None:
        _shown_status(request, timezone.now())
        request.mine = request.sender_id == me.pk
    return {"request": request, "meetings": meetings}


def _refusal_text(code: str, sentence: str) -> str:
    """Why I cannot write to someone, in the page's language (as ``_error_text`` says it)."""
    return _error_text(DomainError(sentence, code=code))


@require_GET
@participant_page
def agenda(request, event, me):
    tz = event.tz
    now = timezone.now()
    today = timezone.localtime(now, tz).date()
    days: OrderedDict = OrderedDict()
    booking_open = event.booking_open_at(now)
    colleagues = list(  # who may join my meetings: not one who no longer comes
        event.participants.filter(organisation_id=me.organisation_id, withdrawn_at__isnull=True)
        .exclude(pk=me.pk)
        .order_by("name")
    )
    feedback = selectors.feedback_given_by(event=event, participant=me)
    # a refused feedback form (meeting_feedback_view): shown again on its meeting
    feedback_draft = request.session.pop(FEEDBACK_DRAFT, None)
    draft_placed = False
    for m in selectors.meetings_of(event=event, participant=me):
        m.others = [s.participant for s in m.seats.all() if s.participant_id != me.pk]
        m.status_label = MEETING_STATUS.get(m.status, m.status)
        party = any(s.is_party for s in m.seats.all() if s.participant_id == me.pk)
        # the two parties cancel it; a colleague who joined leaves it (as the services decide)
        m.can_leave = not party and _may_cancel(m.status, m.slot.start, now)
        m.can_cancel = party and _may_cancel(m.status, m.slot.start, now)
        # a party who will not attend leaves it to a colleague of theirs who joined it
        # (meeting_leave hands it over; it refuses when nobody can take over)
        m.successors = [  # the first who joined first, as meeting_leave chooses
            s.participant
            for s in sorted(m.seats.all(), key=lambda s: s.pk)
            if party
            and not s.is_party
            and not s.left
            and s.participant.organisation_id == me.organisation_id
        ]
        m.can_hand_over = bool(m.successors) and m.can_cancel and m.status == "scheduled"
        # as meeting_reschedule decides for a participant (the move page offers the times)
        m.can_move = m.can_cancel and not m.fixed and booking_open
        # a party brings colleagues of their own organisation (meeting_attendee_add decides)
        seated = {s.participant_id for s in m.seats.all() if not s.left}
        m.invitable = (
            [c for c in colleagues if c.pk not in seated]
            if m.can_cancel and booking_open and m.status == Meeting.Status.SCHEDULED
            else []
        )
        # as meeting_set_status decides for a participant: around the meeting's time
        m.can_check_in = m.status == Meeting.Status.SCHEDULED and check_in_open(m.slot, tz, now)
        # as meeting_feedback_give decides: once it has started, unless it was cancelled
        m.feedback_open = m.status != Meeting.Status.CANCELLED and m.slot.start <= now
        m.my_feedback = feedback.get(m.pk)
        # no check-in beside my own "did not take place" (meeting_set_status refuses it)
        said_not_held = m.my_feedback is not None and not m.my_feedback.took_place
        m.check_in_blocked = m.can_check_in and said_not_held
        m.can_check_in = m.can_check_in and not said_not_held
        if m.my_feedback is not None:
            m.my_feedback.outcome_label = FEEDBACK_OUTCOME.get(m.my_feedback.outcome, "")
        # what the feedback form shows: a refused form as it was sent, else what I said
        if m.feedback_open and feedback_draft and feedback_draft.get("meeting") == m.pk:
            m.feedback_form = feedback_draft
            draft_placed = True
        elif m.my_feedback is not None:
            given = m.my_feedback
            m.feedback_form = {
                "took_place": "yes" if given.took_place else "no",
                "rating": str(given.rating) if given.rating else "",
                "outcome": given.outcome,
                "comment": given.comment,
            }
        else:
            m.feedback_form = {}
        days.setdefault(m.slot.start.astimezone(tz).date(), []).append(m)
    if feedback_draft and not draft_placed:  # its form is not on the page (any more)
        messages.error(request, feedback_draft.get("error", ""))
    _cancellations_said(me, [m for ms in days.values() for m in ms if m.status == "cancelled"])
    unbooked = selectors.requests_to_book(event=event, participant=me)
    # Exactly the slots the booking service would accept now (it decides again on the click).
    free = meeting_slots_bookable(
        requests=unbooked, actor=Actor(user=request.user, participant=me), now=now
    )
    # Why a request has no time to offer, when a meeting limit says so (the booking's rule).
    capped = {
        p.pk: p
        for r in unbooked
        if not free.get(r.pk)
        for p in (r.sender, r.recipient)
        if p.max_meetings is not None
    }
    booked = selectors.party_meeting_counts(participant_ids=list(capped))
    full = {pk for pk, p in capped.items() if booked.get(pk, 0) >= p.max_meetings}
    to_book = []
    for r in unbooked:
        other = r.recipient if r.sender_id == me.pk else r.sender
        by_day: OrderedDict = OrderedDict()
        for s in free.get(r.pk, []):
            by_day.setdefault(s.start.astimezone(tz).date(), []).append(s)
        limit = "mine" if me.pk in full else "theirs" if other.pk in full else ""
        to_book.append({"request": r, "other": other, "slots_by_day": by_day, "limit": limit})
    return _page(
        request,
        "agenda.html",
        event,
        me,
        "agenda",
        days=days,
        to_book=to_book,
        outcomes=list(FEEDBACK_OUTCOME.items()),
        booking_open=booking_open,
        zone=zone_text(event.timezone, selectors.event_utc_offsets(event=event)),
        # "I'm here" on a fair day (the desk sees who arrived; its grid lists who has not)
        fair_today=selectors.fair_runs_on(event=event, day=today),
        my_arrival=selectors.arrival_of(participant=me, day=today),
        ics_url=request.build_absolute_uri(reverse("participant:agenda-ics", args=[event.slug])),
        feed_url=request.build_absolute_uri(
            reverse("calendar-feed", kwargs={"token": me.calendar_token})
        ),
    )


def _cancellations_said(me: Participant, cancelled: list[Meeting]) -> None:
    """Who cancelled each of these meetings and why, in the page's language, as the emails
    said it: ``cancelled_who`` ("Cancelled by <name>.", by you, by the organisers; nothing when
    the system did, its reason says why) and ``cancelled_why`` (the reason typed, or the
    system's in the page's language; isolated, as it may be written in another script)."""
    logs = selectors.meeting_cancellations(meeting_ids=[m.pk for m in cancelled])
    for m in cancelled:
        log = logs.get(m.pk)
        why = reason_from_detail(log.detail) if log is not None else m.cancel_reason
        m.cancelled_why = f"\u2068{why}\u2069" if why else ""
        m.cancelled_who = ""
        if m.cancelled_by == Meeting.CancelledBy.ORGANISER:
            m.cancelled_who = _("Cancelled by the organisers.")
        elif m.cancelled_by == Meeting.CancelledBy.PARTICIPANT and log is not None:
            if log.actor_id is not None and log.actor_id == me.user_id:
                m.cancelled_who = _("Cancelled by you.")
            else:
                by = next(
                    (s.participant for s in m.seats.all() if s.participant.user_id == log.actor_id),
                    None,
                )
                if by is not None and log.actor_id is not None:
                    m.cancelled_who = _("Cancelled by %(name)s.") % {"name": by.name}


@require_POST
@participant_page
def arrival_view(request, event, me):
    """ "I'm here": I arrived at the fair today (``arrival_mark`` for myself); back to my
    agenda. Taking it back is the desk's (a participant's wrong click is rare and harmless)."""
    back = reverse("participant:agenda", args=[event.slug])
    try:
        arrival_mark(participant=me, actor=Actor(user=request.user, participant=me))
    except DomainError as exc:
        said = {
            "not_a_fair_day": _("The fair does not run today: arrivals are marked on its days."),
        }.get(exc.code)
        messages.error(request, said or _error_text(exc))
        return redirect(back)
    messages.success(request, _("Welcome to the fair: you are marked as arrived today."))
    return redirect(back)


@require_POST
@participant_page
def calendar_renew(request, event, me):
    """A new secret address for the calendar feed; the old one stops working."""
    calendar_link_renew(participant=me)
    messages.success(
        request,
        _("Your calendar has a new address: the old one no longer works. Subscribe again with it."),
    )
    return redirect("participant:agenda", slug=event.slug)


class BookForm(forms.Form):
    request = forms.IntegerField(min_value=1)
    slot = forms.IntegerField(min_value=1)


@require_POST
@participant_page
def agenda_book(request, event, me):
    back = reverse("participant:agenda", args=[event.slug])
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a time slot."))
        return redirect(back)
    req = _my_request(event, me, form.cleaned_data["request"])
    slot = selectors.slots_of(event=event).filter(pk=form.cleaned_data["slot"]).first()
    if slot is None:
        messages.error(request, _("That time slot does not exist."))
        return redirect(back)
    try:
        meeting = meeting_book(
            request=req, slot=slot, actor=Actor(user=request.user, participant=me)
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        start = timezone.localtime(meeting.slot.start)
        messages.success(
            request,
            _("Meeting booked on %(day)s at %(time)s.")
            % {"day": date_format(start, "l j F"), "time": f"{start:%H:%M}"},
        )
    return redirect(back)


class MoveForm(forms.Form):
    slot = forms.IntegerField(min_value=1)
    # the meeting's version the page showed: a meeting the other side (or the organisers) moved
    # meanwhile is not moved again from the old page (``MeetingChanged``)
    version = forms.IntegerField(min_value=1, required=False)


@require_http_methods(["GET", "POST"])
@participant_page
def meeting_move_view(request, event, me, meeting_id: int):
    """Move one of my meetings to another time: the page offers exactly the slots the booking
    service would accept now for everyone seated in it (colleagues too); a POST moves it, and
    the others are told."""
    meeting = (
        selectors.meetings_of(event=event, participant=me)
        .select_related(
            "slot",
            "table",
            "request__event",
            "request__sender__fixed_table",
            "request__recipient__fixed_table",
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404(_("No such meeting."))
    actor = Actor(user=request.user, participant=me)
    back = reverse("participant:agenda", args=[event.slug]) + f"#meeting-{meeting.pk}"
    if request.method == "POST":
        form = MoveForm(request.POST)
        slot = (
            selectors.slots_of(event=event).filter(pk=form.cleaned_data["slot"]).first()
            if form.is_valid()
            else None
        )
        if slot is None:
            messages.error(request, _("Choose a time slot."))
            return redirect(request.get_full_path())
        is_party = me.pk in (meeting.request.sender_id, meeting.request.recipient_id)
        if slot.pk == meeting.slot_id and is_party and meeting.status == Meeting.Status.SCHEDULED:
            messages.info(request, _("The meeting already takes place at that time."))
            return redirect(back)
        try:
            moved = meeting_reschedule(
                meeting=meeting,
                slot=slot,
                actor=actor,
                expected_version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            _error(request, exc)
            return redirect(request.get_full_path())
        start = timezone.localtime(moved.slot.start)
        messages.success(
            request,
            _("Meeting moved to %(day)s at %(time)s. The others have been told.")
            % {"day": date_format(start, "l j F"), "time": f"{start:%H:%M}"},
        )
        return redirect(back)
    offered = meeting_slots_bookable(requests=[meeting.request], actor=actor, moving=meeting)
    by_day: OrderedDict = OrderedDict()
    for s in offered.get(meeting.request_id, []):
        if s.pk != meeting.slot_id:
            by_day.setdefault(s.start.astimezone(event.tz).date(), []).append(s)
    others = [
        seat.participant
        for seat in meeting.seats.filter(left=False).select_related("participant__organisation")
        if seat.participant_id != me.pk
    ]
    # why nothing can be offered, when the rules say so before any slot is looked at (the
    # reschedule service's own refusal, in the page's words)
    now = timezone.now()
    refused = meeting_move_refusal(meeting=meeting, actor=actor, now=now)
    if refused is not None:
        why = ERROR_TEXT[refused.code]
    elif not event.booking_open_at(now):
        why = ERROR_TEXT["booking_closed"]
    else:
        why = ""
    return _page(
        request,
        "meeting_move.html",
        event,
        me,
        "agenda",
        meeting=meeting,
        others=others,
        slots_by_day=by_day,
        back=back,
        why=why,
    )


def _my_meeting(event: Event, me: Participant, meeting_id: int) -> Meeting:
    """One of my meetings in ``event`` (404 for anyone else's)."""
    meeting = selectors.meetings_of(event=event, participant=me).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


@require_POST
@participant_page
def meeting_leave_view(request, event, me, meeting_id: int):
    """I will not attend this meeting: I leave it, it goes on (a party leaves it to a colleague
    of theirs who joined it, who takes their place)."""
    back = reverse("participant:agenda", args=[event.slug])
    meeting = _my_meeting(event, me, meeting_id)
    was_party = me.pk in meeting.request.parties()
    try:
        left = meeting_leave(meeting=meeting, participant=me, user=request.user)
    except DomainError as exc:
        _error(request, exc)
    else:
        req = MeetingRequest.objects.select_related("sender", "recipient").get(pk=left.request_id)
        # a party hands it to their colleague, who is now one of the request's two sides
        instead = next(
            (p for p in (req.sender, req.recipient) if p.organisation_id == me.organisation_id),
            None,
        )
        if was_party and instead is not None and instead.pk != me.pk:
            messages.success(
                request,
                _("You left the meeting; %(name)s takes your place, and the other side is told.")
                % {"name": instead.name},
            )
        else:
            messages.success(request, _("You left the meeting; it goes on for the others."))
    return redirect(back)


@require_POST
@participant_page
def meeting_attendee_add_view(request, event, me, meeting_id: int):
    """I bring a colleague of my organisation to a meeting I am a party of."""
    back = reverse("participant:agenda", args=[event.slug])
    meeting = _my_meeting(event, me, meeting_id)
    person = event.participants.filter(pk=id_param(request.POST, "participant")).first()
    if person is None:
        messages.error(request, _("Choose a colleague."))
        return redirect(back)
    try:
        meeting_attendee_add(
            meeting=meeting, person=person, actor=Actor(user=request.user, participant=me)
        )
    except DomainError as exc:
        if exc.code == "not_a_party":  # the code's page sentence speaks of moving, cancelling
            messages.error(
                request,
                _(
                    "You joined this meeting as a colleague: only its two parties can bring "
                    "colleagues to it."
                ),
            )
        else:
            _error(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s joins the meeting and has been told.") % {"name": person.name},
        )
    return redirect(f"{back}#meeting-{meeting.pk}")


@require_POST
@participant_page
def meeting_feedback_view(request, event, me, meeting_id: int):
    """My feedback on a meeting that has started: did it take place, how useful (1-5), what
    next, a word for the organisers (``meeting_feedback_give``); back to it in my agenda. A
    refused form comes back on that meeting as it was filled in, with why beside it
    (``FEEDBACK_DRAFT``): the comment written after a meeting is not lost for a missing mark."""
    meeting = _my_meeting(event, me, meeting_id)
    back = reverse("participant:agenda", args=[event.slug]) + f"#meeting-{meeting.pk}"
    answer = request.POST.get("took_place")
    took_place = answer == "yes"
    rating = id_param(request.POST, "rating") if took_place else None
    outcome = request.POST.get("outcome", "") if took_place else ""
    if outcome not in FEEDBACK_OUTCOME:
        outcome = ""
    comment = text_param(request.POST, "comment", limit=10_000)

    def refused(text: str):
        request.session[FEEDBACK_DRAFT] = {
            "meeting": meeting.pk,
            "took_place": answer if answer in ("yes", "no") else "",
            "rating": request.POST.get("rating", "")
            if request.POST.get("rating", "") in FEEDBACK_RATINGS
            else "",
            "outcome": request.POST.get("outcome", "")
            if request.POST.get("outcome", "") in FEEDBACK_OUTCOME
            else "",
            "comment": comment,
            "error": str(text),
        }
        return redirect(back)

    if answer not in ("yes", "no"):
        return refused(_("Say whether the meeting took place."))
    if took_place and rating not in range(1, 6):
        return refused(_("Rate the meeting from 1 (not useful) to 5 (very useful)."))
    if len(comment) > 1000:  # refused, not cut: the person rewrites it shorter
        return refused(
            _("Your comment is %(n)s characters long; at most 1,000.") % {"n": len(comment)}
        )
    try:
        meeting_feedback_give(
            meeting=meeting,
            participant=me,
            took_place=took_place,
            rating=rating,
            outcome=outcome,
            comment=comment,
        )
    except DomainError as exc:
        return refused(_error_text(exc))
    messages.success(request, _("Thank you: your feedback is saved. Only the organisers read it."))
    return redirect(back)


@require_POST
@participant_page
def meeting_cancel_view(request, event, me, meeting_id: int):
    back = reverse("participant:agenda", args=[event.slug])
    meeting = _my_meeting(event, me, meeting_id)
    reason = _reason(request)
    if reason is None:
        return redirect(back)
    try:
        meeting_cancel(meeting=meeting, by=me, user=request.user, reason=reason)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Meeting cancelled. The other side has been told."))
    return redirect(back)


@require_POST
@participant_page
def meeting_check_in_view(request, event, me, meeting_id: int):
    """I am at the meeting's table: check in (from shortly before it until the end of its day,
    as the service decides); back to the meeting in my agenda."""
    meeting = _my_meeting(event, me, meeting_id)
    try:
        meeting_set_status(
            meeting=meeting,
            status=Meeting.Status.CHECKED_IN,
            actor=Actor(user=request.user, participant=me),
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("You are checked in for this meeting."))
    return redirect(reverse("participant:agenda", args=[event.slug]) + f"#meeting-{meeting.pk}")


@require_GET
@participant_page
def agenda_ics(request, event, me):
    body = selectors.agenda_ics(event=event, participant=me)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{event.slug}-agenda.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response
