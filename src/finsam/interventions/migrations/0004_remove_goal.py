"""The plan is the only store of insats goals (docs/decisions.md, issue 14): every Goal row is
mirrored into its plan indicator once more (plans/legacy.py, as plans.0002 did; idempotent), then
the model is removed."""

from django.db import migrations


def mirror_every_goal(apps, schema_editor):
    from finsam.plans.legacy import migrate_goals

    migrate_goals(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0003_intervention_controller"),
        ("plans", "0002_insats_goals_into_plans"),
    ]

    operations = [
        migrations.RunPython(mirror_every_goal, migrations.RunPython.noop),
        migrations.DeleteModel(name="Goal"),
    ]
