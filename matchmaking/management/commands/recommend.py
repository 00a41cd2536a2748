from django.core.management.base import BaseCommand, CommandError

from matchmaking import selectors
from matchmaking.management import encoder_or_fail, event_or_fail
from matchmaking.models import Participant


class Command(BaseCommand):
    help = "Print a participant's recommendations, with their reasons, as the API gives them."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable).")

    @encoder_or_fail
    def handle(self, *args, slug, email, limit, kind, **options):
        if not 1 <= limit <= 50:  # the API's range
            raise CommandError(f"--limit must be between 1 and 50, not {limit}.")
        kinds = Participant.Kind.values
        for wanted in kind or []:
            if wanted not in kinds:
                raise CommandError(f"Unknown --kind {wanted!r}: one of {', '.join(kinds)}.")
        event = event_or_fail(slug)
        person = Participant.objects.filter(event=event, email__iexact=email).first()
        if person is None:
            raise CommandError(f"No participant with the email {email} in {slug}.")
        recs = selectors.recommendations_for(
            participant=person, limit=limit, kinds=kind, private=False
        )
        self.stdout.write(f"Recommendations for {person.name} ({person.organisation.name}):")
        for rec in recs:
            p, why = rec["participant"], rec["reasons"]
            self.stdout.write(
                f"{rec['rank']:>3}. {p['name']} — {p['organisation']} ({p['kind']}, "
                f"{'/'.join(p['languages'])})  score {rec['score']:.3f}"
            )
            sectors = ", ".join(s["label"]["en"] for s in why.get("shared_sectors", []))
            if sectors:
                self.stdout.write(f"      shared sectors: {sectors}")
            for key, label in (("need_to_offer", "your need"), ("offer_to_need", "their need")):
                pair = why.get(key)
                if pair:
                    self.stdout.write(
                        f"      {label}: “{pair.get('need')}” ↔ “{pair.get('offer')}”"
                    )
            note = (why.get("languages") or {}).get("note")
            if note:
                self.stdout.write(f"      language: {note}")
