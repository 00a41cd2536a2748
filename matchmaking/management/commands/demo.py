import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from matchmaking.demo_data import build_synthetic_event, move_to_upcoming
from matchmaking.management import encoder_or_fail
from matchmaking.models import Event, MeetingRequest, Recommendation
from matchmaking.selectors import pending_now
from matchmaking.services.importer import event_import
from matchmaking.services.participants import login_link_create, participant_token
from matchmaking.services.recommendations import event_refresh
from matchmaking.services.scheduling import schedule_runs_fail_unfinished

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "smart_city_expo_2018.json"
ORGANISER = ("organiser", "expo2018")


class Command(BaseCommand):
    help = (
        "Set up and serve the demo: migrate, load the Smart City Expo Casablanca 2018 event, "
        "create an organiser login, print tokens, serve on http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument(
            "--participants",
            type=int,
            help="Load a synthetic event of this size instead of the demo fixture.",
        )
        parser.add_argument("--reset", action="store_true", help="Reload the event from scratch.")
        parser.add_argument(
            "--as-held",
            action="store_true",
            help="Keep the fair's own dates (18-20 April 2018) instead of moving it to the coming "
            "weeks; participants then cannot book any more.",
        )

    @encoder_or_fail
    def handle(self, *args, addrport, no_serve, participants, reset, as_held, **options):
        if settings.PRODUCTION:
            # the demo's superuser has a published password: never on a production database
            raise CommandError(
                "The demo refuses to run with DJANGO_ENV=production: it creates the superuser "
                f"{ORGANISER[0]!r} with the published password {ORGANISER[1]!r}. Run it on a "
                "development setup, or import your event with import_event."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # no broker: runs are solved and published in the demo's own process, so those a
            # previous process left unfinished are worked on by nobody (their cards would say
            # "running" for their time limit plus 15 minutes)
            lost = schedule_runs_fail_unfinished()
            if lost:
                self.stdout.write(
                    f"Scheduler runs left unfinished when the demo last stopped: {len(lost)} "
                    "(marked failed; start them again)."
                )
        if participants:
            data = build_synthetic_event(participants)
        else:
            data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        slug = data["event"]["slug"]
        if reset or not Event.objects.filter(slug=slug).exists():
            moved = 0
            if not as_held:
                # a fair in the coming weeks, so that participants can book and answer requests
                data, moved = move_to_upcoming(data, timezone.localdate())
            event = event_import(data=data, replace=True)
            self.stdout.write(f"Loaded {event.name}: {event.participants.count()} participants.")
            if moved:
                first = event.slots.order_by("start").first()
                when = first.start.date() if first else ""
                self.stdout.write(f"  Dates moved by {moved} days: the fair now starts on {when}.")
        event = Event.objects.get(slug=slug)
        if not Recommendation.objects.filter(event=event).exists():
            self.stdout.write("Encoding profiles and computing recommendations (first start)...")
            started = time.perf_counter()
            lists = event_refresh(event=event)
            self.stdout.write(f"  {lists} lists in {time.perf_counter() - started:.0f} s.")

        user_model = get_user_model()
        organiser = user_model.objects.filter(username=ORGANISER[0]).first()
        if organiser is None:
            organiser = user_model.objects.create_superuser(
                ORGANISER[0], "organiser@localhost", ORGANISER[1]
            )
        event.organisers.add(organiser)  # the event's team, as the Settings page shows it

        # Two participants with a pending request between them, to try the API at once.
        req = (
            MeetingRequest.objects.filter(pending_now(timezone.now()), event=event)
            .select_related("sender", "recipient")
            .order_by("id")
            .first()
        )
        people = [req.sender, req.recipient] if req else list(event.participants.all()[:2])
        base = f"http://{addrport}"
        if "SITE_URL" not in os.environ:  # the emails' links lead to this server
            settings.SITE_URL = base
        w = self.stdout.write
        w(self.style.SUCCESS(f"\nDemo event: {event.name} ({slug})"))
        w(f"  Organiser console: {base}/organiser/  (user {ORGANISER[0]}, password {ORGANISER[1]})")
        w(f"    meeting grid:    {base}/organiser/{slug}/grid/")
        w(f"  API docs:          {base}/api/docs/  (log in at {base}/admin/ first, same user)")
        for person in people:
            link = login_link_create(participant=person, hours=24 * 30)
            token = participant_token(email=person.email)
            w(f"  Participant {person.name} <{person.email}>:")
            w(f"    pages:     {base}/my/login/{link}/")
            w(f"    API token: {token}")
        if people:
            w(
                f'    curl -H "Authorization: Token {participant_token(email=people[-1].email)}" '
                f"{base}/api/events/{slug}/recommendations/"
            )
        w("  More sign-in links: python manage.py login_link EMAIL")
        if no_serve:
            return
        if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker, so no Celery beat: run it here
            from matchmaking.embedded_beat import EmbeddedBeat

            EmbeddedBeat().start()
            w("  Periodic tasks (request expiry, reminders, list refresh) run in this process.")
        call_command("runserver", addrport, use_reloader=False)
