"""Availability periods stored before they were cut to the event's days (a participant could
store 0001-01-01 to 9999-12-31, which the export then wrote with an offset the import refuses):
cut them as ``services.availability`` now does on every write."""

import datetime as dt
import zoneinfo

from django.db import migrations


def cut_to_event_days(apps, schema_editor):
    Availability = apps.get_model("matchmaking", "Availability")
    Slot = apps.get_model("matchmaking", "Slot")
    Event = apps.get_model("matchmaking", "Event")
    for event in Event.objects.all():
        first = Slot.objects.filter(event=event).order_by("start").first()
        last = Slot.objects.filter(event=event).order_by("start").last()  # as the service
        if first is None:
            continue
        tz = zoneinfo.ZoneInfo(event.timezone)
        lo = dt.datetime.combine(first.start.astimezone(tz).date(), dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(
            last.end.astimezone(tz).date() + dt.timedelta(days=1), dt.time.min, tzinfo=tz
        )
        # periods that reach beyond the days (a period wholly outside them, left by slots
        # rebuilt since, stays as it is: deleting someone's only period would make them
        # available for the whole event)
        overlapping = Availability.objects.filter(
            participant__event=event, start__lt=hi, end__gt=lo
        )
        for period in overlapping.filter(start__lt=lo) | overlapping.filter(end__gt=hi):
            period.start, period.end = max(period.start, lo), min(period.end, hi)
            period.save(update_fields=["start", "end"])


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0012_notification_request_withdrawn")]

    operations = [migrations.RunPython(cut_to_event_days, migrations.RunPython.noop)]
