"""Benchmark of the recommendation pipeline on a synthetic event, end to end through Django:
import, encode every profile, compute every list, re-encode after a few edits, and the API's
answer time for one participant. Prints figures; run on purpose, not in the test suite."""

import resource
import statistics
import time

from django.core.management.base import BaseCommand
from rest_framework.test import APIClient

from matchmaking.demo_data import build_synthetic_event
from matchmaking.management import encoder_or_fail
from matchmaking.models import Participant, Profile
from matchmaking.services.importer import event_import
from matchmaking.services.participants import participant_token
from matchmaking.services.recommendations import (
    embeddings_refresh,
    inputs_fingerprint,
    recommendations_compute,
)

# what participants type into the search box (French, Arabic, English)
SEARCHES = [
    "compteurs d'eau intelligents pour détecter les fuites",
    "إدارة حركة المرور في المدينة",
    "financing for solar street lighting",
    "plateforme de données ouvertes pour la mairie",
    "جمع النفايات وإعادة تدويرها",
    "electric buses and charging stations",
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time encoding, list computation and the recommendations API on a synthetic event."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=2000)
        parser.add_argument("--queries", type=int, default=50, help="API calls to time.")

    @encoder_or_fail
    def handle(self, *args, participants, queries, **options):
        w = self.stdout.write
        data = build_synthetic_event(participants, seed=7)
        data["event"]["slug"] = f"bench-reco-{participants}"
        t = time.perf_counter()
        event = event_import(data=data, replace=True)
        w(f"import {participants} participants: {time.perf_counter() - t:.1f} s")
        words = [
            len(" ".join([p.description, *p.offers, *p.needs]).split())
            for p in Profile.objects.filter(participant__event=event)
        ]
        w(f"profile length: {statistics.mean(words):.0f} words on average")

        t = time.perf_counter()
        encoded = embeddings_refresh(event=event)
        w(f"encode all profiles: {time.perf_counter() - t:.1f} s {encoded}")

        t = time.perf_counter()
        lists = recommendations_compute(event=event)
        w(f"compute and store {lists} lists: {time.perf_counter() - t:.1f} s")

        edited = list(
            Profile.objects.filter(participant__event=event)[: max(1, participants // 100)]
        )
        for profile in edited:
            profile.description += " Nous cherchons aussi des partenaires pour l'éclairage public."
            profile.save(update_fields=["description", "updated_at"])
        t = time.perf_counter()
        encoded = embeddings_refresh(event=event)
        w(f"re-encode after {len(edited)} edits: {time.perf_counter() - t:.1f} s {encoded}")

        t = time.perf_counter()
        inputs_fingerprint(event=event)
        w(
            f"periodic staleness check (content fingerprint of the event): "
            f"{(time.perf_counter() - t) * 1000:.0f} ms"
        )

        people = list(Participant.objects.filter(event=event).order_by("?")[:queries])

        def timed(path: str, params_of) -> list[float]:
            """Milliseconds of one GET per participant (their own token), in order."""
            out = []
            for n, person in enumerate(people):
                client = APIClient()
                token = participant_token(email=person.email)
                client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
                t = time.perf_counter()
                response = client.get(f"/api/events/{event.slug}/{path}", params_of(n))
                out.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.content
            return out

        def spread(ms: list[float]) -> str:
            ms = sorted(ms) or [0.0]
            return (
                f"median {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms"
            )

        times = timed("recommendations/", lambda n: {"limit": 20})
        w(f"API recommendations (limit 20, {len(times)} participants): {spread(times)}")
        # a kind filter whose people the stored top holds too few of: ranked at once (the first
        # call of a process builds the event's ranker, the next ones reuse it)
        kind_times = timed("recommendations/", lambda n: {"limit": 20, "kind": "investor"})
        w(
            f"API recommendations with kind=investor: first call {kind_times[0]:.0f} ms (builds "
            f"the ranker), then {spread(kind_times[1:])}"
        )
        # search by need, in the fair's three languages (the ranker is built: same process)
        needs = SEARCHES
        search_times = timed("search/", lambda n: {"need": needs[n % len(needs)], "limit": 20})
        w(
            f"API search by need (limit 20, {len(search_times)} searches): first call "
            f"{search_times[0]:.0f} ms (scores every offer's sectors once per ranker), then "
            f"{spread(search_times[1:])}"
        )
        w(f"peak memory: {peak_mb():.0f} MB")
