"""A shared table named as someone's own place: that person gets a place of their own.

Before, the import took a name of ``event.tables`` as a participant's ``fixed_table``: the
scheduler then planned other people's meetings at that table and the booking refused every
meeting of that participant it planned. The import now refuses such a file. For rows stored
before, the table stays shared (other people's meetings may be booked at it) and its owners get
a new own place named after it, "T05 (own place)"; their meetings booked so far stay where they
are, their new ones take place at the new place.
"""

from django.db import migrations


def own_places_not_shared(apps, schema_editor):
    Table = apps.get_model("matchmaking", "Table")
    Participant = apps.get_model("matchmaking", "Participant")
    owners = Participant.objects.filter(fixed_table__shared=True).select_related("fixed_table")
    places = {}
    for person in owners:
        table = person.fixed_table
        if table.pk not in places:
            taken = set(Table.objects.filter(event_id=table.event_id).values_list("name", flat=True))
            name, n = f"{table.name} (own place)"[:100], 2
            while name in taken:
                name, n = f"{table.name} (own place {n})"[:100], n + 1
            places[table.pk] = Table.objects.create(event_id=table.event_id, name=name, shared=False)
        person.fixed_table = places[table.pk]
        person.save(update_fields=["fixed_table"])


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0013_availability_within_event_days")]

    operations = [migrations.RunPython(own_places_not_shared, migrations.RunPython.noop)]
