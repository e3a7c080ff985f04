import pytest
from django.core.management import call_command

from finsam.cli import translate
from finsam.interventions.models import Intervention
from finsam.tenancy.models import RoleAssignment, User


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["finsam", "serve"], ["finsam", "runserver", "127.0.0.1:8000"]),
        (["finsam", "serve", "0.0.0.0:9000"], ["finsam", "runserver", "0.0.0.0:9000"]),
        (["finsam", "serve", "--noreload"], ["finsam", "runserver", "127.0.0.1:8000", "--noreload"]),
        (["finsam", "setup-association", "f.json"], ["finsam", "setup_association", "f.json"]),
        (["finsam", "migrate"], ["finsam", "migrate"]),
        (["finsam", "--help"], ["finsam", "--help"]),
    ],
)
def test_translate(argv, expected):
    assert translate(argv) == expected


def test_demo_is_idempotent(db):
    call_command("demo", quiet=True)
    snapshot = (
        list(User.objects.order_by("username").values_list("username", "password", "is_superuser")),
        list(RoleAssignment.objects.order_by("id").values_list("user__username", "role")),
        list(Intervention.objects.order_by("slug").values_list("slug", "name", "updated_at")),
    )
    call_command("demo", quiet=True)
    again = (
        list(User.objects.order_by("username").values_list("username", "password", "is_superuser")),
        list(RoleAssignment.objects.order_by("id").values_list("user__username", "role")),
        list(Intervention.objects.order_by("slug").values_list("slug", "name", "updated_at")),
    )
    assert again == snapshot
    from finsam.participants.models import Participation

    assert Participation.objects.count() == 320
    from finsam.plans.models import Indicator

    # the example plan with the insats goals of the förbund file: 21 indicators, once each
    assert Indicator.objects.filter(goal__focus_area__plan__key="vp-2024").count() == 21
    manager = User.objects.get(username="projektledare@exempelstad.se")
    assert sorted(manager.assigned_interventions.values_list("slug", flat=True)) == ["aktivitetsplatsen", "novum"]
