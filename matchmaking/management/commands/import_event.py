import codecs
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matchmaking import selectors
from matchmaking.exceptions import DomainError
from matchmaking.management import encoder_or_fail
from matchmaking.management.accounts import organiser_accounts
from matchmaking.services.importer import ImportInvalid, event_import, not_json_hint
from matchmaking.services.recommendations import event_refresh


class Command(BaseCommand):
    help = "Import an event from a JSON file in the import format (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the JSON document, or - for standard input.")
        parser.add_argument(
            "--replace", action="store_true", help="Overwrite an existing event with the same slug."
        )
        parser.add_argument(
            "--organiser",
            action="append",
            default=[],
            metavar="USERNAME",
            help="An organiser account (staff) to put on the event's organiser team; repeat "
            "for several. A replaced event keeps its team. Superusers organise every event.",
        )
        parser.add_argument(
            "--skip-recommendations",
            action="store_true",
            help="Do not encode profiles and compute recommendations now.",
        )

    @encoder_or_fail
    def handle(self, *args, file, replace, organiser=(), skip_recommendations=False, **options):
        team = organiser_accounts(organiser)
        try:
            text = self.stdin_or_file(file)
            data = json.loads(text)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
                + not_json_hint(text)
            ) from exc
        try:
            event = event_import(data=data, replace=replace, organisers=team)
        except ImportInvalid as exc:
            lines = "\n".join(f"  - {e}" for e in exc.errors)
            raise CommandError(f"{exc.message}\n{lines}") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not skip_recommendations:
            lists = event_refresh(event=event)
            self.stdout.write(f"Computed {lists} recommendation lists.")
        total, never = selectors.requests_never_bookable(event=event, limit=10)
        if total:
            pairs = "; ".join(f"{r.sender.ref} → {r.recipient.ref}" for r in never)
            self.stdout.write(
                self.style.WARNING(
                    f"{total} open request(s) can never be booked: the two are never at the "
                    f"fair together in a slot still to come (or not in the part of the day "
                    f"asked for): {pairs}{' …' if total > len(never) else ''}. Change their "
                    "times or the requests; the scheduler page lists them."
                )
            )
        if event.replaced is not None:
            done = event.replaced
            self.stdout.write(
                f"Replaced: {done['kept']} participants kept, {done['new']} new, "
                f"{done['gone']} gone."
            )
            if done.get("meetings_cancelled"):
                self.stdout.write(
                    self.style.WARNING(
                        f"{done['meetings_cancelled']} meeting(s) still to come are no longer in "
                        "the file: cancelled, and their people told."
                    )
                )
            if done["email_changed"]:
                refs = ", ".join(done["email_changed"][:10])
                self.stdout.write(
                    self.style.WARNING(
                        f"{len(done['email_changed'])} ref(s) with another email: {refs}"
                        f"{' …' if len(done['email_changed']) > 10 else ''}. Each is another "
                        "person for the import: their calendar address, sign-in and saved "
                        "people did not follow."
                    )
                )
        names = ", ".join(sorted(u.get_username() for u in event.organisers.all()))
        self.stdout.write(f"Organiser team: {names or 'nobody yet (superusers only)'}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {event.slug}: {event.participants.count()} participants, "
                f"{event.slots.count()} slots, {event.requests.count()} requests, "
                f"{event.meetings.count()} meetings."
            )
        )

    @staticmethod
    def stdin_or_file(file: str) -> str:
        """The file's text: UTF-8, with or without the byte order mark Windows tools (Notepad,
        Excel, PowerShell) write, or UTF-16 with its mark (Notepad's "Unicode")."""
        if file == "-":
            import sys

            raw = sys.stdin.buffer.read()
        else:
            raw = Path(file).read_bytes()
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
