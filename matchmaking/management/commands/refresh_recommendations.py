import time

from django.core.management.base import BaseCommand

from matchmaking.management import event_or_fail
from matchmaking.services.recommendations import embeddings_refresh, recommendations_compute


class Command(BaseCommand):
    help = "Encode changed profiles and recompute every participant's recommendations."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        event = event_or_fail(slug)
        t0 = time.perf_counter()
        encoded = embeddings_refresh(event=event)
        t1 = time.perf_counter()
        lists = recommendations_compute(event=event)
        t2 = time.perf_counter()
        counts = ", ".join(f"{n} with {m}" for m, n in encoded.items())
        self.stdout.write(f"Encoded {counts} in {t1 - t0:.1f} s; {lists} lists in {t2 - t1:.1f} s.")
