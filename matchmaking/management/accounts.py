"""Organiser accounts named on the command line."""

from django.core.management.base import CommandError

from matchmaking import selectors


def organiser_accounts(usernames, *, any_account: bool = False) -> list:
    """The organiser accounts named (username or email, any case); a CommandError names those
    that do not exist or are not organiser (staff) accounts. ``any_account``: any account (to
    take one off a team, which it may leave after it stopped being an organiser)."""
    found, problems = [], []
    for name in usernames:
        name = name.strip()
        if any_account:
            user = selectors.account_named(name=name)
        else:
            user = selectors.organiser_account_named(name=name)
        if user is not None:
            found.append(user)
        elif selectors.account_named(name=name) is None:
            problems.append(f"there is no account {name!r}")
        else:
            problems.append(f"the account {name!r} is not an organiser (staff) account")
    if problems:
        text = "; ".join(problems)
        raise CommandError(f"{text[0].upper()}{text[1:]}.")
    return found
