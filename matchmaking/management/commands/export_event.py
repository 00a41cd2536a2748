import json

from django.core.management.base import BaseCommand, CommandError

from matchmaking import selectors
from matchmaking.management import event_or_fail


class Command(BaseCommand):
    help = (
        "Print an event in the import format, with its meetings (end, table, status and the "
        "colleagues who attend them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slug, output=None, **options):
        data = selectors.event_export(event=event_or_fail(slug))
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            except OSError as exc:  # a missing folder, a folder, no permission, a full disk
                raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from exc
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text)
