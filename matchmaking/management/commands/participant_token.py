from django.core.management.base import BaseCommand, CommandError

from matchmaking.exceptions import DomainError
from matchmaking.services.participants import participant_token


class Command(BaseCommand):
    help = "Print the API token of the participant with this email (created on first use)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            self.stdout.write(participant_token(email=email))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
