import secrets

from django.db import migrations, models

import matchmaking.models


def fill(apps, schema_editor):
    Participant = apps.get_model("matchmaking", "Participant")
    for person in Participant.objects.filter(calendar_token__isnull=True).only("pk"):
        person.calendar_token = secrets.token_urlsafe(32)
        person.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0004_embeddings_recommendations_login")]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="calendar_token",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="participant",
            name="calendar_token",
            field=models.CharField(
                default=matchmaking.models.new_calendar_token,
                editable=False,
                help_text="Secret of the participant's calendar subscription URL.",
                max_length=64,
                unique=True,
            ),
        ),
    ]
