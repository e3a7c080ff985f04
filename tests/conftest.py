"""Shared fixtures: two associations, a user for every role, an outsider and a system admin."""

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association, Member, PrivacyModel, Role, RoleAssignment, User

PASSWORD = "Ett-långt-testlösenord-42"
DATA = Path(__file__).parent / "data"


def make_user(username, association=None, *roles, superuser=False):
    user = User.objects.create_user(username=username, password=PASSWORD, is_superuser=superuser)
    for role in roles:
        RoleAssignment.objects.create(user=user, association=association, role=role)
    return user


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the test database is a file beside the configured one rather than in memory, so
    that a real `finsam worker` process can open it (tests/test_jobs.py)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        database.setdefault("TEST", {})["NAME"] = str(Path(database["NAME"]).with_suffix(".test.sqlite3"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 costs ~0.1 s per hash by design; tests that are not about hashing use a fast one.
    tests/test_security.py checks that Argon2 is what the project configures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def scopes_off_in_test_bodies():
    """Test bodies and fixtures create and inspect rows of several förbund freely (as pretix's tests
    do). What they drive runs under real scopes all the same: every request starts without one
    (tenancy.scope.RequestScopeMiddleware) and association_view, the commands and the engine
    activate theirs, which switches scoping back on inside (tests/test_scope.py proves both)."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def empty_report_cache():
    """Each test starts without cached reports: ids and versions repeat after a rollback."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class World:
    alfa: Association
    beta: Association
    alfa_member: Member
    beta_member: Member
    assigned: Intervention  # alfa, assigned to the manager
    unassigned: Intervention  # alfa, not assigned
    beta_intervention: Intervention
    users: dict  # role name -> user in alfa; "outsider" = admin of beta; "sysadmin"; "nobody"


@pytest.fixture
def world(db):
    alfa = Association.objects.create(slug="alfa", name="Samordningsförbundet Alfa", organisationsnummer="222000-0000")
    beta = Association.objects.create(slug="beta", name="Samordningsförbundet Beta")
    alfa_member = Member.objects.create(association=alfa, kind="fk")
    beta_member = Member.objects.create(association=beta, kind="af")
    start = datetime.date(2024, 1, 1)
    assigned = Intervention.objects.create(association=alfa, slug="aktivitet", name="Aktivitetsplatsen", start_date=start)
    unassigned = Intervention.objects.create(association=alfa, slug="team", name="FINSAM-team", start_date=start)
    beta_intervention = Intervention.objects.create(association=beta, slug="hemlig", name="Betas insats", start_date=start)
    users = {
        "admin": make_user("admin@alfa.se", alfa, Role.ADMIN),
        "analyst": make_user("analytiker@alfa.se", alfa, Role.ANALYST),
        "manager": make_user("projektledare@alfa.se", alfa, Role.PARTICIPANT_MANAGER),
        "reader": make_user("styrelse@alfa.se", alfa, Role.READER),
        "outsider": make_user("admin@beta.se", beta, Role.ADMIN),
        "sysadmin": make_user("system@finsam.local", superuser=True),
        "nobody": make_user("ingen@roll.se"),
    }
    assigned.assigned_users.add(users["manager"])
    world = World(alfa, beta, alfa_member, beta_member, assigned, unassigned, beta_intervention, users)
    world.participation = make_participation(assigned, "A-1")
    world.unassigned_participation = make_participation(unassigned, "T-1", personnummer="19770707-7710")
    world.beta_participation = make_participation(beta_intervention, "B-1", personnummer="19880808-8887")
    return world


def set_privacy_model(association, model):
    """Set the förbund's privacy model (docs/privacy.md), with the legal basis "Förbundet ansvarar" needs."""
    association.privacy_model = model
    if model == PrivacyModel.ASSOCIATION:
        association.legal_basis = "Styrelsebeslut om uppgift av allmänt intresse"
        association.legal_basis_decided_on = datetime.date(2026, 1, 15)
    association.full_clean()
    association.save()


@pytest.fixture
def foerbund_responsible(world):
    """The world's förbund under "Förbundet ansvarar": its administratör and analytiker handle the
    participants of every insats. For tests about participant handling in general; under the
    default ("Parterna ansvarar") only the assigned deltagaransvarig does (tests/test_access_matrix.py)."""
    set_privacy_model(world.alfa, PrivacyModel.ASSOCIATION)
    return world


def make_participation(intervention, reference, **fields):
    from finsam.participants.identity import parse_identity_number, person_key

    identity = parse_identity_number(fields.pop("personnummer", "19900101-0017"))
    values = dict(
        association=intervention.association, intervention=intervention, reference=reference,
        person_key=person_key(identity), gender=identity.legal_gender, legal_gender=identity.legal_gender,
        birth_year=identity.birth_date.year, birth_month=identity.birth_date.month,
        consent_date=datetime.date(2024, 2, 1), consent_form="digitalt", start_date=datetime.date(2024, 2, 1),
    )
    values.update(fields)
    from finsam.participants.models import Participation

    return Participation.objects.create(**values)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def demo(db):
    """The demo förbund (finsam demo: participants, plan, activities, finance, surveys) and its analyst."""
    from django.core.management import call_command

    call_command("demo", quiet=True)
    return Association.objects.get(slug="exempelstad"), User.objects.get(username="analytiker@exempelstad.se")


@pytest.fixture
def example_association(db):
    """The example förbund of shared/examples with an administrator: (association, admin)."""
    from finsam.interventions.association_file import apply_association_file

    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    admin = User.objects.create_user("admin@exempelstad.se")
    RoleAssignment.objects.create(user=admin, association=association, role=Role.ADMIN)
    return association, admin


@pytest.fixture
def exempelstad(example_association):
    """The example förbund with its 320 participations imported."""
    from finsam.participants.importing import import_file

    association, admin = example_association
    import_file((DATA / "exempel-deltagare.csv").read_bytes(), "exempel-deltagare.csv", association=association,
                user=admin, interventions=association.interventions.all(), today=datetime.date(2026, 11, 23))
    return association


@pytest.fixture
def finance_example(exempelstad):
    """The example förbund with its finance settings, budget and actuals (shared/examples, finance)."""
    from finsam.finance.services import import_actuals, import_budget
    from finsam.interventions.association_file import apply_association_file

    apply_association_file((DATA / "exempel-forbund-ekonomi.json").read_bytes())
    import_budget(exempelstad, (DATA / "exempel-budget.csv").read_bytes(), filename="exempel-budget.csv")
    import_actuals(exempelstad, (DATA / "exempel-utfall.csv").read_bytes(), filename="exempel-utfall.csv",
                   today=datetime.date(2026, 11, 23))
    return exempelstad
