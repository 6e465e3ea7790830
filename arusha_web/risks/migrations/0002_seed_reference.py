"""Load the default scales, bands and process catalogue (editable afterwards)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from arusha_web.risks.seed import seed_reference

    seed_reference(apps)


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
