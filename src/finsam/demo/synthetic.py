"""Synthetic national data for benchmarks: associations with members, insatser and participations.

Each participation copies the coded answers of a random row of the example file (so gender, age,
referrer, education, support, exit reasons, anonymous and felregistrering rows follow the example's
distributions), gets a new start date spread over twenty years and a duration: the example row's, or
for a row that is ongoing in the example, one drawn from the example's exited rows (with their exit
reason and support after). A participation is ongoing only when its duration reaches past today, as
in real data; copying "ongoing" as such would leave half of twenty years' participations current. About one in eight participations is another insats for a person already generated in
the same association. Rows are written through ``services.upsert_participations``, the import's
bulk path, in batches.
"""

import csv
import datetime
import hashlib
import hmac
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from finsam.interventions.models import Intervention
from finsam.participants import services
from finsam.participants.identity import parse_identity_number
from finsam.tenancy.models import Association, Member, Role, RoleAssignment, User
from finsam.tenancy.scope import Scope

EXAMPLE = Path(__file__).parent / "data" / "exempelstad-deltagare.csv"
KOMMUNKODER = ["0114", "0115", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136", "0138", "0139",
               "0180", "0181", "0182", "0183", "0184", "0186", "0187", "0188", "0191", "0192", "0380", "0381",
               "0480", "0484", "0580", "0581", "0680", "0780", "0880", "0980", "1080", "1280", "1281", "1480",
               "1481", "1880", "1980", "2080", "2180", "2280", "2380", "2480", "2580"]
INTERVENTION_NAMES = ["Aktivitetsplatsen", "FINSAM-team", "IPS", "Unga vuxna", "Vägen vidare", "Arbetsträning",
                      "Steg för steg", "Hälsa och arbete"]
BATCH = 5000
YEARS = 20


@dataclass
class Template:
    gender: str
    anonymous: bool
    age: int | None
    duration_days: int | None
    exit_reason: str
    education: str
    referrer: str
    municipality: bool
    support_entry: list
    support_exit: list


def load_templates():
    templates = []
    with open(EXAMPLE, encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            start = datetime.date.fromisoformat(row["startdatum"])
            end = datetime.date.fromisoformat(row["slutdatum"]) if row["slutdatum"] else None
            anonymous = row["anonym"] == "ja"
            age, gender = None, row["kon"]
            if not anonymous:
                identity = parse_identity_number(row["personnummer"])
                age = start.year - identity.birth_date.year - (start.month < identity.birth_date.month)
                gender = gender or identity.legal_gender
            templates.append(Template(
                gender=gender, anonymous=anonymous, age=age,
                duration_days=(end - start).days if end else None, exit_reason=row["avslutsorsak"],
                education=row["utbildning"], referrer=row["anmalande_part"],
                municipality=bool(row["folkbokforingskommun"]),
                support_entry=[c for c in row["forsorjning_fore"].split(";") if c],
                support_exit=[c for c in row["forsorjning_efter"].split(";") if c],
            ))
    return templates


def _association(index, rng):
    slug = f"gen-{index:03d}"
    association, _ = Association.objects.get_or_create(slug=slug, defaults={"name": f"Samordningsförbundet Syntet {index}"})
    with Scope.of(association).activate():  # each förbund is written in its own scope
        return _association_rows(index, association, rng)


def _association_rows(index, association, rng):
    slug = association.slug
    municipality = KOMMUNKODER[index % len(KOMMUNKODER)]
    for kind, code, name in (("fk", "", ""), ("af", "", ""), ("region", "", "Region Syntet"),
                             ("kommun", municipality, f"Kommun {municipality}")):
        Member.objects.get_or_create(association=association, kind=kind, municipality_code=code, defaults={"name": name})
    interventions = []
    for n, name in enumerate(INTERVENTION_NAMES[: rng.randint(4, 8)]):
        intervention, _ = Intervention.objects.get_or_create(
            association=association, slug=f"insats-{n + 1}",
            defaults={"name": name, "start_date": datetime.date.today().replace(year=datetime.date.today().year - YEARS)},
        )
        interventions.append(intervention)
    admin, _ = User.objects.get_or_create(username=f"admin@{slug}.example")
    RoleAssignment.objects.get_or_create(user=admin, association=association, role=Role.ADMIN)
    return association, interventions, municipality, admin


def generate(associations, participations, seed=1, log=print, today=None):
    """Create ``associations`` synthetic associations holding ``participations`` in all."""
    rng = random.Random(seed)
    today = today or datetime.date.today()
    templates = load_templates()
    exited = [t for t in templates if t.duration_days is not None]
    # A registered person's outcome comes from a registered row: anonymous rows hold no exit reason.
    exited_registered = [t for t in exited if not t.anonymous]
    key = settings.FINSAM_PERSON_KEY.encode()
    first_day = today.replace(year=today.year - YEARS)
    span = (today - first_day).days
    per_association = [participations // associations + (1 if i < participations % associations else 0)
                       for i in range(associations)]
    created = 0
    for index, count in enumerate(per_association, start=1):
        association, interventions, municipality, admin = _association(index, rng)
        persons = []  # (person_key, birth_year, birth_month, legal_gender) for reuse in another insats
        # (insats, person, start date) taken: the database holds one participation for each.
        taken = set()
        rows = []
        for n in range(count):
            t = rng.choice(templates)
            start = first_day + datetime.timedelta(days=rng.randrange(span))
            outcome = t if t.duration_days is not None else rng.choice(exited if t.anonymous else exited_registered)
            end = start + datetime.timedelta(days=outcome.duration_days)
            if end > today:
                end = None
            row = {
                "intervention": rng.choice(interventions), "reference": f"S{index:03d}-{n:07d}", "anonymous": t.anonymous,
                "gender": t.gender, "start_date": start, "end_date": end,
                "exit_reason": (outcome.exit_reason if end and not t.anonymous else ""), "person_key": "", "legal_gender": "",
                "birth_year": None, "birth_month": None, "consent_date": None, "consent_form": "",
                "referrer": "", "education": "", "municipality": "", "target_groups": [], "support_entry": [],
                "support_exit": [],
            }
            if not t.anonymous:
                reused = rng.choice(persons) if persons and rng.random() < 0.125 else None
                if reused and (row["intervention"].pk, reused[0], start) not in taken:
                    person_key, birth_year, birth_month, legal = reused
                else:
                    birth_year = start.year - (t.age or 40)
                    birth_month = rng.randint(1, 12)
                    legal = t.gender if t.gender in ("kvinna", "man") else rng.choice(["kvinna", "man"])
                    digits = f"{birth_year}{birth_month:02d}{rng.randint(1, 28):02d}{rng.randrange(10000):04d}{index:03d}{n}"
                    person_key = hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()
                    persons.append((person_key, birth_year, birth_month, legal))
                taken.add((row["intervention"].pk, person_key, start))
                row.update(
                    person_key=person_key, legal_gender=legal, birth_year=birth_year, birth_month=birth_month,
                    consent_date=start, consent_form="digitalt", education=t.education,
                    referrer=f"kommun:{municipality}" if t.referrer.startswith("kommun:") else t.referrer,
                    municipality=municipality if t.municipality else "",
                    support_entry=list(t.support_entry), support_exit=list(outcome.support_exit) if end else [],
                )
            row["identity"] = (row["intervention"].pk, "ref", row["reference"])
            rows.append(row)
            if len(rows) == BATCH:
                created += _write(association, rows, admin)
                rows = []
        if rows:
            created += _write(association, rows, admin)
        log(f"{association.slug}: {count} deltaganden")
    _analyze()
    return created


def _analyze():
    """Fresh planner statistics after a bulk load (PostgreSQL guessed 200 groups for a million),
    and on PostgreSQL a VACUUM, which marks the pages all-visible so that the covering indexes
    are read without visiting the table (autovacuum would do it later on its own)."""
    from django.db import connection

    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # VACUUM needs autocommit
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _write(association, rows, user):
    with transaction.atomic(), Scope.of(association).activate():
        return services.upsert_participations(association, rows, user=user).created
