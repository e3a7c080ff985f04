"""Retention and consent withdrawal change who can be found, never the numbers reported."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from finsam.audit.models import AccessLog
from finsam.participants import retention, services, variables
from finsam.participants.identity import parse_identity_number, person_key
from finsam.participants.models import Participation, SupportRecord, TargetGroupRecord
from finsam.statistics.engine import compute_report

RETENTION_DAY = datetime.date(2029, 6, 1)  # five years after 2024-06-01


@pytest.fixture
def loaded(exempelstad, example_association):
    return example_association


def volumes(association):
    """What flow, flow_years and unique count: participations by insats, gender and dates."""
    return sorted(
        Participation.objects.filter(association=association)
        .values_list("intervention__slug", "gender", "start_date", "end_date")
        .annotate(n=Count("id")), key=repr
    )


def unique_people(association):
    qs = Participation.objects.filter(association=association)
    return qs.exclude(person_key="").values("person_key").distinct().count() + qs.filter(person_key="").count()


def background(association):
    """What the background and outcome tables count, among non-anonymous participations."""
    qs = Participation.objects.filter(association=association, anonymous=False)
    return (
        sorted(qs.values_list("intervention__slug", "gender", "birth_year", "birth_month", "start_date", "end_date",
                              "exit_reason", "education", "time_on_support", "referrer", "municipality")
               .annotate(n=Count("id")), key=repr),
        sorted(SupportRecord.objects.filter(participation__in=qs)
               .values_list("phase", "code", "participation__gender").annotate(n=Count("id"))),
        sorted(TargetGroupRecord.objects.filter(participation__in=qs).values_list("code").annotate(n=Count("id"))),
    )


def every_report_table(association):
    """Every registered table, with its sections per insats, for each year of the example data and
    for all of them: what retention must leave exactly as it was."""
    periods = [(datetime.date(y, 1, 1), datetime.date(y, 12, 31)) for y in (2022, 2023, 2024)]
    periods.append((datetime.date(2022, 1, 1), datetime.date(2024, 12, 31)))
    reports = []
    for date_from, date_to in periods:
        data = compute_report(association, date_from, date_to, sections=True).to_json()
        reports.append(data["tables"])
    return reports


def test_retention_dry_run_changes_nothing(loaded, capsys):
    association, _ = loaded
    before = list(Participation.objects.order_by("pk").values())
    call_command("retention", "--association", "exempelstad", "--dry-run", "--today", RETENTION_DAY.isoformat())
    out = capsys.readouterr().out
    due = retention.due(association, RETENTION_DAY).count()
    assert due > 0 and f"{due} deltaganden avslutade före 2024-06-01 skulle avidentifieras" in out
    assert list(Participation.objects.order_by("pk").values()) == before


def test_retention_keeps_every_aggregate_and_removes_identity(loaded, capsys):
    association, _ = loaded
    # The example file leaves several coded variables empty: give every other identified participation
    # a value of each declared one, old and new alike, so that any table counting one has something
    # to lose if retention cleared it.
    identified = list(Participation.objects.filter(association=association, anonymous=False).order_by("pk"))
    Participation.objects.filter(pk__in=[p.pk for p in identified[::2]]).update(
        **{v.field: v.code_list.choices[0][0] for v in variables.of_kind(variables.CODE)})
    before = (volumes(association), unique_people(association), background(association))
    tables_before = every_report_table(association)
    old = Participation.objects.filter(end_date__lt=datetime.date(2024, 6, 1), anonymous=False, reference__gt="")
    sample = old.first()
    sample_key = sample.person_key
    due = retention.due(association, RETENTION_DAY).count()
    # A person with a later participation keeps their identity until that one is due too.
    waiting = Participation.objects.filter(end_date__lt=datetime.date(2024, 6, 1)).count() - due
    assert waiting > 0, "the example data should hold a person with an old and a recent participation"

    call_command("retention", "--today", RETENTION_DAY.isoformat())
    assert f"exempelstad: {due} deltaganden" in capsys.readouterr().out

    assert (volumes(association), unique_people(association), background(association)) == before
    tables_after = every_report_table(association)
    for before_tables, after_tables in zip(tables_before, tables_after):
        for table_before, table_after in zip(before_tables, after_tables):
            assert table_after == table_before, table_before["id"]
    sample.refresh_from_db()
    assert sample.deidentified_at is not None
    assert sample.reference == "" and sample.consent_date is None
    assert sample.person_key.startswith("gallrad-") and sample.person_key != sample_key
    assert not Participation.objects.filter(person_key=sample_key, end_date__lt=datetime.date(2024, 6, 1)).exists()
    recent = Participation.objects.filter(end_date__gte=datetime.date(2024, 6, 1)) | Participation.objects.filter(end_date=None)
    assert not recent.filter(deidentified_at__isnull=False).exists()
    assert AccessLog.objects.get(action="retention").row_count == due
    # A second run finds nothing more to do.
    call_command("retention", "--today", RETENTION_DAY.isoformat())
    assert "exempelstad: 0 deltaganden" in capsys.readouterr().out


def test_consent_withdrawal_keeps_volumes(loaded):
    association, admin = loaded
    before_volumes = volumes(association)
    person = Participation.objects.filter(anonymous=False).exclude(person_key="").first().person_key
    count = services.anonymise(Participation.objects.filter(person_key=person), user=admin)
    assert count >= 1
    assert volumes(association) == before_volumes
    assert not Participation.objects.filter(person_key=person).exists()


def test_person_key_search_finds_nothing_after_withdrawal(loaded):
    association, admin = loaded
    key = person_key(parse_identity_number("197003199770"))
    assert Participation.objects.filter(person_key=key).exists()
    services.anonymise(Participation.objects.filter(person_key=key), user=admin)
    assert not Participation.objects.filter(person_key=key).exists()


def test_retention_command_refuses_bad_input(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("retention", "--association", "finns-inte")
    with pytest.raises(CommandError):
        call_command("retention", "--today", "igår")
