"""One participation per (insats, person, start date) enforced by the database (issue 9), and the
stored consent texts. An installation that already holds such duplicates (imported concurrently
before this constraint) is told which ones, rather than failing on an anonymous IntegrityError."""

import django.db.models.deletion
from django.db import migrations, models


def refuse_duplicates(apps, schema_editor):
    from django.db.models import Count

    Participation = apps.get_model("participants", "Participation")
    groups = list(
        Participation.objects.exclude(person_key="").values("intervention_id", "person_key", "start_date")
        .annotate(n=Count("id")).filter(n__gt=1)[:20]
    )
    if not groups:
        return
    lines = []
    for group in groups:
        ids = sorted(Participation.objects.filter(**{k: group[k] for k in ("intervention_id", "person_key", "start_date")})
                     .values_list("id", flat=True))
        lines.append(f"  insats {group['intervention_id']}, startdatum {group['start_date']}: deltaganden {ids}")
    raise RuntimeError(
        "Samma person har flera deltaganden med samma startdatum i samma insats, vilket inte längre är "
        "tillåtet. Ta bort dubbletterna (till exempel med finsam shell) och kör migreringen igen:\n"
        + "\n".join(lines)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0004_person_key_index'),
        ('tenancy', '0002_data_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsentText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.CharField(max_length=20)),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='participation',
            constraint=models.UniqueConstraint(condition=models.Q(('person_key', ''), _negated=True), fields=('intervention', 'person_key', 'start_date'), name='participation_unique_person_start'),
        ),
        migrations.AddField(
            model_name='consenttext',
            name='association',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.association'),
        ),
        migrations.AddConstraint(
            model_name='consenttext',
            constraint=models.UniqueConstraint(fields=('association', 'version'), name='consent_text_unique_version'),
        ),
    ]
