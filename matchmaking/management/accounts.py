"""Organiser accounts named on the command line."""

from django.core.management.base import CommandError

from matchmaking import selectors


def organiser_accounts(usernames) -> list:
    """The organiser accounts named (username or email, any case); a CommandError names those
    that do not exist or are not organiser (staff) accounts."""
    found, problems = [], []
    for name in usernames:
        name = name.strip()
        user = selectors.account_named(name=name)
        if user is None:
            problems.append(f"there is no account {name!r}")
        elif not selectors.is_organiser_account(user):
            problems.append(f"the account {name!r} is not an organiser (staff) account")
        else:
            found.append(user)
    if problems:
        text = "; ".join(problems)
        raise CommandError(f"{text[0].upper()}{text[1:]}.")
    return found
