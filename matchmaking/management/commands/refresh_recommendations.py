from django.core.management.base import BaseCommand

from matchmaking.management import encoder_or_fail, event_or_fail
from matchmaking.services.recommendations import event_refresh


class Command(BaseCommand):
    help = "Encode changed profiles and recompute every participant's recommendations."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    @encoder_or_fail
    def handle(self, *args, slug, **options):
        event = event_or_fail(slug)
        report: dict = {}
        lists = event_refresh(event=event, report=report)
        counts = ", ".join(f"{n} with {m}" for m, n in report["encoded"].items())
        self.stdout.write(
            f"Encoded {counts} in {report['encode_s']:.1f} s; "
            f"{lists} lists in {report['lists_s']:.1f} s."
        )
