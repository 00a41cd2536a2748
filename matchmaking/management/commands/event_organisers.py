from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from matchmaking import selectors
from matchmaking.exceptions import DomainError
from matchmaking.management.accounts import organiser_accounts
from matchmaking.services.events import event_organiser_add, event_organiser_remove


class Command(BaseCommand):
    help = "Show an event's organiser team, or add and remove organiser accounts."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The event's slug.")
        parser.add_argument(
            "--add", action="append", default=[], metavar="USERNAME", help="Add this account."
        )
        parser.add_argument(
            "--remove", action="append", default=[], metavar="USERNAME", help="Remove it."
        )

    def handle(self, *args, slug, add, remove, **options):
        try:
            event = selectors.event_get(slug=slug)
            adding = organiser_accounts(add)
            removing = organiser_accounts(remove, any_account=True)
            with transaction.atomic():  # all the changes, or none
                for user in adding:
                    event_organiser_add(event=event, user=user)
                for user in removing:
                    event_organiser_remove(event=event, user=user)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        team = selectors.event_organisers(event=event)
        self.stdout.write(f"Organiser team of {event.slug} ({len(team)}):")
        for user in team:
            self.stdout.write(f"  {user.get_username()}  {user.email}")
        if not team:
            self.stdout.write("  nobody: only superusers organise it.")
