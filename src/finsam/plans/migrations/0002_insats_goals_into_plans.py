"""Every existing insats goal (interventions.Goal) becomes an indicator of the plan covering its
year (plans/legacy.py: the same function the förbundsfil's goals and the insats pages use)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from finsam.plans.legacy import migrate_goals

    migrate_goals(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
