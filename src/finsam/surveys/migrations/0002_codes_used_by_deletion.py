"""A used single-use code is deleted instead of marked used (docs/privacy.md, "Indicator surveys"):
on PostgreSQL the marked row kept the id of the response's transaction (``xmin``) and so linked
the code to its answers. Each round keeps the number of codes issued (``codes_issued``: every code
row that exists now, used or not); then the used rows go, and with them the ``used`` column.
Their dead tuples stay until (auto)vacuum; ``VACUUM surveys_surveycode`` after the upgrade clears
them at once."""

import secrets

from django.db import migrations, models
from django.db.models import Count


def count_and_delete_used(apps, schema_editor):
    Round = apps.get_model("surveys", "Round")
    SurveyCode = apps.get_model("surveys", "SurveyCode")
    counts = SurveyCode._base_manager.values("round_id").annotate(n=Count("id")).order_by()
    for item in counts:
        Round._base_manager.filter(pk=item["round_id"]).update(codes_issued=item["n"])
    SurveyCode._base_manager.filter(used=True).delete()


def restore_used_rows(apps, schema_editor):
    """Backwards: a used row per code used, under a random hash that matches no code (the used
    codes' hashes are gone), so that the old count of used codes holds again."""
    Round = apps.get_model("surveys", "Round")
    SurveyCode = apps.get_model("surveys", "SurveyCode")
    left = dict(SurveyCode._base_manager.values("round_id").annotate(n=Count("id")).order_by()
                .values_list("round_id", "n"))
    for rnd in Round._base_manager.filter(codes_issued__gt=0):
        used = rnd.codes_issued - left.get(rnd.pk, 0)
        SurveyCode._base_manager.bulk_create([
            SurveyCode(association_id=rnd.association_id, round_id=rnd.pk, code_hash=secrets.token_hex(32), used=True)
            for _ in range(max(used, 0))])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="round",
            name="codes_issued",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="utdelade koder"),
        ),
        migrations.RunPython(count_and_delete_used, restore_used_rows, elidable=False),
        migrations.RemoveField(model_name="surveycode", name="used"),
    ]
