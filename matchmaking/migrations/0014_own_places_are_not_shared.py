"""A shared table named as someone's own place becomes that place (not shared).

Before, the import took a name of ``event.tables`` as a participant's ``fixed_table``: the
scheduler then planned other people's meetings at that table and the booking refused every
meeting of that participant it planned. The import now refuses such a file; rows stored
before are read as the import format says, "their own place".
"""

from django.db import migrations


def own_places_not_shared(apps, schema_editor):
    Table = apps.get_model("matchmaking", "Table")
    Participant = apps.get_model("matchmaking", "Participant")
    own = Participant.objects.filter(fixed_table__isnull=False).values("fixed_table_id")
    Table.objects.filter(shared=True, pk__in=own).update(shared=False)


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0013_availability_within_event_days")]

    operations = [migrations.RunPython(own_places_not_shared, migrations.RunPython.noop)]
