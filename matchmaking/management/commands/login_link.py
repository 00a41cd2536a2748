"""Print a one-time sign-in link path for a participant (organisers hand these out)."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from matchmaking.models import Participant
from matchmaking.services.participants import login_link_create, organiser_address


class Command(BaseCommand):
    help = (
        "Print a one-time sign-in link path (/my/login/<secret>/) for the participant with this "
        "email. With several events, --slug chooses the event."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--slug", help="The event's slug, when the person takes part in several."
        )
        parser.add_argument(
            "--hours", type=int, default=72, help="How long the link stays valid (default 72)."
        )

    def handle(self, *args, email, slug=None, hours=72, **options):
        people = Participant.objects.filter(email__iexact=email.strip()).select_related("event")
        if slug:
            people = people.filter(event__slug=slug)
        people = list(people.order_by("id"))
        if not people:
            where = f" in event {slug}" if slug else ""
            raise CommandError(f"No participant has the email {email}{where}.")
        if not 1 <= hours <= 8760:
            raise CommandError("--hours must be between 1 and 8760 (a year).")
        if organiser_address(email=email):
            raise CommandError(
                f"{email} belongs to an organiser account: organisers sign in with their "
                "password, never with a participant's sign-in link."
            )
        secret = login_link_create(participant=people[0], hours=hours)
        self.stdout.write(reverse("participant:login-link", args=[secret]))
