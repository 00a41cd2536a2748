import re

from django.db import migrations

OLD = re.compile(r"^meeting_reminder:meeting(\d+):seq\d+:to(\d+)$")


def key_reminders_by_slot(apps, schema_editor):
    """Reminders sent before were keyed on the meeting's SEQUENCE; they are keyed on its slot
    now. Rewriting the keys of those sent keeps the first sweep after the upgrade from sending
    the same reminders again."""
    Notification = apps.get_model("matchmaking", "Notification")
    Meeting = apps.get_model("matchmaking", "Meeting")
    taken = set(
        Notification.objects.filter(key__contains=":slot").values_list("key", flat=True)
    )
    rows = list(Notification.objects.filter(kind="meeting_reminder", key__contains=":seq"))
    slots = dict(
        Meeting.objects.filter(pk__in={r.meeting_id for r in rows}).values_list("pk", "slot_id")
    )
    changed = []
    for note in rows:
        found = OLD.match(note.key)
        if not found or int(found[1]) not in slots:
            continue
        key = f"meeting_reminder:meeting{found[1]}:slot{slots[int(found[1])]}:to{found[2]}"
        if key in taken:
            continue
        taken.add(key)
        note.key = key
        changed.append(note)
    Notification.objects.bulk_update(changed, ["key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0018_schedule_run_publishing")]

    operations = [migrations.RunPython(key_reminders_by_slot, migrations.RunPython.noop)]
