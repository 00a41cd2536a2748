"""Participants: profile edits and API tokens."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from matchmaking.countries import country_code
from matchmaking.exceptions import (
    Busy,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ProfileChanged,
)
from matchmaking.languages import language_codes
from matchmaking.models import LoginLink, Participant, Profile, new_calendar_token
from matchmaking.selectors import (
    login_link_spendable,
    party_meeting_counts,
    profile_key,
    profile_values,
)
from matchmaking.services.locking import guarded_transaction, lock_participants_and_slots
from matchmaking.services.notifications import language_of, one_line
from matchmaking.services.recommendations import lists_refresh_after_commit
from ml.taxonomy import SECTOR_IDS

logger = logging.getLogger(__name__)

PROFILE_FIELDS = {"description", "offers", "needs", "sectors"}
PARTICIPANT_FIELDS = {"title", "languages", "country", "city", "accepts_same_kind", "max_meetings"}


def profile_update(
    *,
    participant: Participant,
    data: dict,
    expected_key: str | None = None,
    seen: dict | None = None,
) -> Participant:
    """Update a participant's own profile fields (validated by the caller's serializer).

    Side effects: saves Participant and Profile rows in one transaction. Raises InvalidInput
    (naming the field) for an unknown sector, a country that is not an ISO 3166-1 alpha-2 code
    or an unknown language code (``matchmaking.languages``); Conflict when ``max_meetings`` is
    lowered below the meetings already booked (the limit counts the meetings one is a party of,
    as booking does; keeping or raising it never refuses); sectors are kept once each. Busy
    (retry) when another change holds the participant's row past the lock timeout.

    Two edits at once (the phone app and a laptop) must not overwrite each other in silence:
    ``expected_key`` is the ``profile_key`` of the profile the caller was shown (the API's
    ETag): when the stored profile has another one, ``ProfileChanged`` and nothing is written.
    ``seen``: the fields as a form showed them; only the fields of ``data`` that differ from
    them are written, and one that someone else changed since too is ``ProfileChanged``
    (nothing written). Both are checked under the participant's row lock. None: no check.
    """
    unknown = set(data) - PROFILE_FIELDS - PARTICIPANT_FIELDS
    if unknown:
        raise InvalidInput(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    data = _normalised(data)
    bad = [s for s in data.get("sectors", []) if s not in SECTOR_IDS]
    if bad:
        raise InvalidInput(
            f"Unknown sector(s): {', '.join(bad)}. Known sectors: {', '.join(SECTOR_IDS)}.",
            field="sectors",
        )
    if "sectors" in data:
        data = {**data, "sectors": list(dict.fromkeys(data["sectors"]))}  # each once, in order
    if seen is not None:
        seen = _normalised(
            {f: v for f, v in seen.items() if f in PROFILE_FIELDS | PARTICIPANT_FIELDS}
        )
    try:
        _profile_save(participant=participant, data=data, expected_key=expected_key, seen=seen)
    except Busy as exc:
        # the shared lock helper speaks of the schedule; here it is someone's profile
        raise Busy(PROFILE_BUSY) from exc
    return participant


def _normalised(data: dict) -> dict:
    """Country and language codes as stored."""
    if "country" in data:
        data = {**data, "country": country_code(data["country"])}
    if "languages" in data:
        data = {**data, "languages": language_codes(data["languages"])}
    return data


def _same_value(field: str, a, b) -> bool:
    """Two values of a profile field read alike (text as a form gives it back: stripped;
    sectors in any order)."""
    if field == "sectors":
        return set(a or []) == set(b or [])
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return [str(x).strip() for x in a] == [str(x).strip() for x in b]
    return a == b


PROFILE_CHANGED = (
    "Your profile was changed elsewhere since it was read (in another tab, in the app, or by "
    "the organisers): nothing was saved. Read it again as it is now and make your change again."
)


def _fresh_check(*, participant: Participant, data: dict, expected_key, seen) -> dict:
    """Under the participant's lock: ``ProfileChanged`` when the profile the caller was shown
    is stale; the fields of ``data`` to write (with ``seen``: only those changed on the form)."""
    lock_participants_and_slots([participant.pk], [])
    participant.refresh_from_db(fields=sorted(PARTICIPANT_FIELDS))
    if expected_key is not None:
        now_key = profile_key(participant)
        if now_key != expected_key:
            raise ProfileChanged(PROFILE_CHANGED, extra={"etag": f'"{now_key}"'})
    if seen is None:
        return data
    current = profile_values(participant)
    mine = {f for f in data if f not in seen or not _same_value(f, data[f], seen[f])}
    theirs = {f for f in seen if not _same_value(f, seen[f], current[f])}
    if mine & theirs:
        raise ProfileChanged(
            PROFILE_CHANGED,
            extra={"etag": f'"{profile_key(participant)}"', "fields": sorted(mine & theirs)},
        )
    return {f: v for f, v in data.items() if f in mine}


PROFILE_BUSY = "Someone else is changing this profile at the same moment; retry in a moment."


def _profile_save(*, participant: Participant, data: dict, expected_key=None, seen=None) -> None:
    """The writes of ``profile_update``, its input checked."""
    with guarded_transaction(durable=False):
        if expected_key is not None or seen is not None:
            data = _fresh_check(
                participant=participant, data=data, expected_key=expected_key, seen=seen
            )
        limit = data.get("max_meetings")
        current = participant.max_meetings
        # only a new, lower limit is checked: keeping or raising one never refuses an edit (an
        # organiser may have set a limit below what someone had already booked)
        if limit is not None and (current is None or limit < current):
            # the lock booking takes: no meeting can be booked between the count and the save
            lock_participants_and_slots([participant.pk], [])
            booked = party_meeting_counts(participant_ids=[participant.pk]).get(participant.pk, 0)
            if booked > limit:
                raise Conflict(
                    f"You have {booked} meetings booked, more than a limit of {limit}. Cancel "
                    f"some first, or set a limit of at least {booked}.",
                    field="max_meetings",
                    code="meetings_over_limit",
                    extra={"booked": booked},
                )
        profile, _ = Profile.objects.get_or_create(participant=participant)
        p_fields = [f for f in PARTICIPANT_FIELDS if f in data]
        for f in p_fields:
            setattr(participant, f, data[f])
        if p_fields:
            participant.save(update_fields=p_fields)
        pr_fields = [f for f in PROFILE_FIELDS if f in data]
        for f in pr_fields:
            setattr(profile, f, data[f])
        profile.participant = participant
        profile.refresh_search_text()
        profile.save(update_fields=[*pr_fields, "search_text", "search_names", "updated_at"])
        lists_refresh_after_commit([participant.pk])


ORGANISER_ACCOUNT = (
    "This address belongs to an organiser account: organisers sign in with their password, "
    "never with a participant's sign-in link or token."
)


def _never_an_organiser(user) -> None:
    """A participant's link or token must not open a staff account (its console, every event's
    export, the admin): an organiser who registered with their own address keeps signing in
    with their password."""
    if user is not None and (user.is_staff or user.is_superuser):
        raise Forbidden(ORGANISER_ACCOUNT, code="organiser_account")


def organiser_address(*, email: str) -> bool:
    """Whether a sign-in link or token for ``email`` would open an organiser (staff) account:
    ``participant_token`` and the links refuse those."""
    email = email.strip().lower()
    user_model = get_user_model()
    users = user_model.objects.filter(
        Q(username=email) | Q(participations__email__iexact=email)
    ).distinct()
    return any(u.is_staff or u.is_superuser for u in users)


def participant_token(*, email: str) -> str:
    """An API token for the person with this email (any event they take part in).

    Side effects: creates the Django user (username = email) and links their participations.
    Raises Forbidden when that user is an organiser (staff) account.
    """
    email = email.strip().lower()
    participations = Participant.objects.filter(email__iexact=email)
    if not participations.exists():
        raise NotFound(f"No participant has the email {email}.")
    with transaction.atomic():
        user_model = get_user_model()
        user = user_model.objects.filter(username=email).first()
        _never_an_organiser(user)
        for linked in user_model.objects.filter(participations__in=participations).distinct():
            _never_an_organiser(linked)
        if user is None:
            user = user_model.objects.create_user(username=email, email=email)
            user.set_unusable_password()
            user.save()
        participations.filter(user__isnull=True).update(user=user)
        token, _ = Token.objects.get_or_create(user=user)
    return token.key


def login_link_create(*, participant: Participant, hours: int = 72) -> str:
    """A one-time secret for ``/my/login/<secret>/``; only its hash is stored.

    Side effects: inserts a LoginLink valid for ``hours``.
    """
    secret = secrets.token_urlsafe(32)
    LoginLink.objects.create(
        participant=participant,
        token_hash=hashlib.sha256(secret.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    return secret


def calendar_link_renew(*, participant: Participant) -> Participant:
    """Give ``participant`` a new calendar-feed secret: the old address stops working at once
    (a feed address that leaked, or was shared by mistake).

    Side effects: updates ``calendar_token``.
    """
    participant.calendar_token = new_calendar_token()
    participant.save(update_fields=["calendar_token"])
    return participant


# At most this many sign-in links are emailed to one participant per hour: the form answers the
# same for every address, so without a cap anyone could flood a participant's mailbox through it.
SIGN_IN_EMAILS_PER_HOUR = 3


def sign_in_link_email(*, participant: Participant, url_of) -> bool:
    """Email ``participant`` a new sign-in link, in their profile's language; ``url_of(secret)``
    gives the link's address. Returns whether it went out: not when
    ``SIGN_IN_EMAILS_PER_HOUR`` links were made for them in the last hour, nor when the mail
    server refused it (logged; the page must answer the same whatever happened). Raises Busy
    when the database is held by another write (SQLite's one writer).

    Side effects: a LoginLink (when sent), an email.
    """
    # counted one at a time (parallel posts all saw room); a held database: Busy, not a 500
    with guarded_transaction():
        Participant.objects.select_for_update().filter(pk=participant.pk).first()
        recent = LoginLink.objects.filter(
            participant=participant, created_at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        if recent >= SIGN_IN_EMAILS_PER_HOUR:
            logger.info("no sign-in link for participant %s: %d this hour", participant.pk, recent)
            return False
        secret = login_link_create(participant=participant)
    event = participant.event
    with translation.override(language_of(participant)):
        subject = _("Your sign-in link for %(event)s") % {"event": event.name}
        body = _(
            "Hello %(name)s,\n\nOpen this link to sign in to your meetings at %(event)s:"
            "\n\n%(url)s\n\nThe link works once and expires in 72 hours. If you did not "
            "ask for it, ignore this message."
        ) % {"name": participant.name, "event": event.name, "url": url_of(secret)}
    try:
        send_mail(
            one_line(subject),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [participant.email],
            fail_silently=False,
        )
    except Exception as exc:  # SMTP down or refusing: the page answers as usual
        logger.warning("sign-in link for participant %s not sent: %s", participant.pk, exc)
        return False
    return True


def sign_in_link_queue(*, email: str, origin: str, then: str = "") -> None:
    """Once the current transaction commits, queue ``sign_in_link_request`` for ``email`` (the
    ``send_sign_in_link`` Celery task), whether a participant has that address or not: the
    sign-in form's request neither looks the address up nor sends anything, so its answer time
    does not tell who is registered. With the embedded default (no broker) the task runs
    in-process, in the request: there the time still differs (docs/operations.md). A task
    queue that cannot be reached is logged; the form answers as usual.

    Side effects: a task queued after commit.
    """
    from matchmaking.tasks import send_sign_in_link

    transaction.on_commit(
        lambda: send_sign_in_link.delay(email=email, origin=origin, then=then), robust=True
    )


def sign_in_link_request(*, email: str, origin: str, then: str = "") -> bool:
    """Someone asked for a sign-in link for ``email`` on the sign-in form: email the first
    participant with that address (any case) a link (``sign_in_link_email``) at ``origin``
    (``https://host``, where the form was), leading to ``then`` (a page of theirs the caller
    checked) once they sign in. Returns whether an email went out: not for an
    unknown address, past the hourly cap, nor while the database is held (logged). Run by the
    ``send_sign_in_link`` task, out of the form's request: the form does the same work for every
    address, so its answer time does not tell who is registered.

    Side effects: those of ``sign_in_link_email``.
    """
    participant = (
        Participant.objects.filter(email__iexact=email.strip())
        .select_related("event")
        .order_by("id")
        .first()
    )
    if participant is None:
        return False
    try:
        return sign_in_link_email(
            participant=participant,
            url_of=lambda secret: (
                origin
                + reverse("participant:login-link", args=[secret])
                + (f"?{urlencode({'next': then})}" if then else "")
            ),
        )
    except Busy:
        logger.warning("no sign-in link for participant %s: database busy", participant.pk)
        return False


def login_link_use(*, secret: str) -> Participant:
    """Spend a login link: returns the link's participant, whose ``user`` is created on first
    use (the pages sign it in and open that participant's event).

    Side effects: marks the link used, and retires the other unused links sent to the same
    address (marked used too); creates and links the user like ``participant_token``. Raises
    NotFound for an unknown, used or expired link, Forbidden (nothing spent) when the
    participant's user is an organiser (staff) account, Busy (nothing spent) when the database
    is held by another write (SQLite's one writer).
    """
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with guarded_transaction():  # another sign-in holding the database: Busy, not a 500
        link = (
            LoginLink.objects.select_for_update()
            .select_related("participant__event")
            .filter(token_hash=digest)
            .first()
        )
        if not login_link_spendable(link):
            raise NotFound(
                "This sign-in link is unknown, already used or expired; ask for a new one."
            )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        participant_token(email=link.participant.email)
        link.participant.refresh_from_db()
        _never_an_organiser(link.participant.user)
        # the other unused links sent to this address (any of its events) stop working: an
        # older email, forwarded or in a mailbox read by others, no longer opens the account
        LoginLink.objects.filter(
            participant__email__iexact=link.participant.email, used_at__isnull=True
        ).update(used_at=link.used_at)
        return link.participant
