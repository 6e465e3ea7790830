"""Messages keep their order in a field of their own: new rows get random ids (RandomIdModel)."""

from django.db import migrations, models


def number_existing_messages(apps, schema_editor):
    """Number each report's existing messages in the order of their (then sequential) ids."""
    Message = apps.get_model("cases", "Message")
    positions: dict[int, int] = {}
    for message in Message.objects.order_by("pk").only("pk", "report_id"):
        positions[message.report_id] = positions.get(message.report_id, 0) + 1
        Message.objects.filter(pk=message.pk).update(position=positions[message.report_id])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_reporter_attachments_and_day_precision"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="position",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AlterModelOptions(
            name="message",
            options={"ordering": ["position", "pk"]},
        ),
        migrations.RunPython(number_existing_messages, migrations.RunPython.noop),
    ]
