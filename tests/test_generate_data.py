import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from finsam.participants.models import Participation, SupportRecord
from finsam.tenancy.models import Association


def test_generate_data_is_realistic_and_repeatable(db, capsys):
    call_command("generate_data", "--associations", "2", "--participations", "1500", "--seed", "3")
    assert "Skapade 1500 deltaganden i 2 förbund" in capsys.readouterr().out
    assert Association.objects.filter(slug__startswith="gen-").count() == 2
    participations = Participation.objects.all()
    assert participations.count() == 1500
    anonymous = participations.filter(anonymous=True).count()
    assert 0.05 < anonymous / 1500 < 0.35  # the example file has about one in six anonymous
    assert participations.filter(exit_reason="felregistrering").exists()
    assert participations.filter(end_date__isnull=True).exists() and participations.filter(end_date__isnull=False).exists()
    repeated = (participations.exclude(person_key="").values("person_key").annotate(n=Count("id")).filter(n__gt=1))
    assert repeated.exists(), "some persons take part in more than one insats"
    assert SupportRecord.objects.filter(phase="entry").exists()
    assert not participations.filter(anonymous=True).exclude(person_key="").exists()
    # As the import requires: a registered person's exit has a reason, an anonymous one has none.
    assert not participations.filter(anonymous=False, end_date__isnull=False, exit_reason="").exists()
    assert not participations.filter(anonymous=True).exclude(exit_reason="").exists()
    # The same seed again: the import path recognises every row, nothing new is created.
    call_command("generate_data", "--associations", "2", "--participations", "1500", "--seed", "3")
    assert "Skapade 0 deltaganden" in capsys.readouterr().out
    assert Participation.objects.count() == 1500


def test_generate_data_refuses_nonsense(db):
    with pytest.raises(CommandError):
        call_command("generate_data", "--associations", "0", "--participations", "10")
