from django.core.management.base import BaseCommand, CommandError

from matchmaking import selectors
from matchmaking.exceptions import DomainError
from matchmaking.models import ScheduleRun
from matchmaking.services.scheduling import (
    schedule_run_create,
    schedule_run_execute,
    schedule_run_publish,
)


class Command(BaseCommand):
    help = "Run the automatic scheduler on an event's accepted requests; --publish applies it."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--publish", action="store_true", help="Publish the plan at once.")
        parser.add_argument("--time-limit", type=float, default=60.0, help="Seconds (default 60).")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--move-participant-bookings",
            action="store_true",
            help="Let the scheduler move meetings participants booked themselves.",
        )
        parser.add_argument(
            "--replan-cancelled",
            action="store_true",
            help="Plan again requests whose meeting a participant or an organiser cancelled.",
        )
        parser.add_argument(
            "--fair-share",
            type=float,
            default=0.0,
            help="Share of the total weight (0-0.05) the scheduler may give up so that "
            "participants without any meeting get one (default 0: weight first).",
        )

    def handle(
        self,
        *args,
        slug,
        publish,
        time_limit,
        seed,
        move_participant_bookings,
        fair_share,
        replan_cancelled,
        **opts,
    ):
        try:
            event = selectors.event_get(slug=slug)
            run = schedule_run_create(
                event=event,
                user=None,
                enqueue=False,
                options={
                    "time_limit": time_limit,
                    "seed": seed,
                    "pin_participant_bookings": not move_participant_bookings,
                    "fair_weight_share": fair_share,
                    "replan_cancelled": replan_cancelled,
                },
            )
            run = schedule_run_execute(run=run)
            if run.status == ScheduleRun.Status.FAILED:
                raise CommandError(f"The scheduler failed: {run.error}")
            st = run.stats
            self.stdout.write(
                f"Run {run.pk}: {st['scheduled']}/{st['requested']} meetings "
                f"(upper bound {st['upper_bound']}, gap {st['gap']:.2%}), "
                f"idle slots total {st['idle_total']}, max {st['idle_max']}, "
                f"range {st['idle_range']}, moved {st['moved']}, {st['seconds']:.1f} s"
            )
            if st.get("withdrawn"):
                self.stdout.write(
                    f"Left out: {st['withdrawn']} accepted requests whose meeting a participant "
                    "or an organiser cancelled (--replan-cancelled plans them)"
                )
            if publish:
                run = schedule_run_publish(run=run, user=None)
                rep = run.publish_report
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Published: {rep['booked']} booked, {rep['moved']} moved, "
                        f"{rep['kept']} kept, {rep['cancelled']} cancelled, "
                        f"{len(rep['skipped'])} skipped"
                    )
                )
                for item in rep["skipped"][:20]:
                    self.stdout.write(f"  skipped request {item['request']}: {item['reason']}")
            else:
                self.stdout.write(
                    f"Draft saved; publish with the API or: "
                    f"python manage.py schedule_event {slug} --publish"
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
