"""Variables declared once (participants/variables.py): every consumer covers every variable.

Each test is parametrized over the declaration, so a variable added there is checked in the import,
the template, the export, the forms, anonymisation and retention; a consumer that keeps a list of its
own and misses a variable fails here. One participation with every variable filled in (FULL_ROW,
built from the declaration) is imported through the participant file and read back.
"""

import datetime
import io

import openpyxl
import pytest

from finsam import codes
from finsam.participants import services, variables, workbook
from finsam.participants.forms import ExitForm, ParticipationForm
from finsam.participants.importing import COLUMNS, import_file
from finsam.participants.models import Participation
from finsam.participants.variables import CLEAR, STORED, SURROGATE, VARIABLES

D = datetime.date
TODAY = D(2026, 11, 23)
IDENTITY_NUMBER = "19850314-1239"


def _example(variable, world):
    """A valid, non-empty cell for ``variable``, from its kind and code list."""
    kind = variable.kind
    if kind == variables.INSATS:
        return world.assigned.slug
    if kind == variables.IDENTITY:
        return IDENTITY_NUMBER
    if kind == variables.FLAG:
        return "nej"
    if kind == variables.YEAR:
        return IDENTITY_NUMBER[:4]
    if kind == variables.DATE:
        return "2024-02-01" if variable.phase == variables.ENTRY else "2024-06-30"
    if kind == variables.REFERRER:
        return "fk"
    if kind == variables.MUNICIPALITY:
        return "0180"
    if kind in (variables.CODE, variables.CODES):
        choices = variable.code_list.codes if variable.code_list else ["vuxna"]  # a national target group
        return next(c for c in choices if c != codes.EXIT_REASON_EXCLUDED)
    return "FULL-1"


@pytest.fixture
def full(world):
    """A participation imported from a row holding every variable."""
    header = [v.code for v in VARIABLES]
    cells = [_example(v, world) for v in VARIABLES]
    data = (";".join(header) + "\n" + ";".join(cells) + "\n").encode()
    summary = import_file(data, "alla.csv", association=world.alfa, user=world.users["manager"],
                          interventions=[world.assigned], today=TODAY)
    assert summary.created == 1
    return Participation.objects.get(association=world.alfa, reference="FULL-1")


def _stored(participation, field):
    participation = Participation.objects.get(pk=participation.pk)
    return services.current_values(participation)[field]


def _empty(value):
    return value in (None, "", [], False)


@pytest.mark.parametrize("variable", VARIABLES, ids=lambda v: v.code)
def test_the_import_stores_every_variable(full, variable):
    assert variable.code in COLUMNS
    stored = _stored(full, variable.field)
    if variable.kind == variables.FLAG:
        assert stored is False  # "nej"
    else:
        assert not _empty(stored), f"{variable.code} was not stored"


@pytest.mark.parametrize("variable", VARIABLES, ids=lambda v: v.code)
def test_the_template_has_every_variable(world, variable):
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.template(world.alfa)))["Deltagare"]
    assert variable.code in [cell.value for cell in sheet[1]]
    instructions = openpyxl.load_workbook(io.BytesIO(workbook.template(world.alfa)))["Instruktioner"]
    assert variable.code in [row[0].value for row in instructions.iter_rows()]


@pytest.mark.parametrize("variable", VARIABLES, ids=lambda v: v.code)
def test_the_export_has_every_stored_variable(full, variable):
    content, _ = workbook.export(Participation.objects.filter(pk=full.pk), "csv", full.association)
    header, row = [line.split(";") for line in b"".join(content).decode("utf-8-sig").splitlines()]
    assert (variable.code in header) == variable.exported
    if variable.exported:
        assert row[header.index(variable.code)], f"{variable.code} is empty in the export"


@pytest.mark.parametrize("variable", [v for v in VARIABLES if v.on_form], ids=lambda v: v.code)
def test_the_form_of_its_phase_has_every_variable(full, variable):
    if variable.phase == variables.ENTRY:
        new = ParticipationForm(intervention=full.intervention, today=TODAY)
        edit = ParticipationForm(intervention=full.intervention, participation=full, today=TODAY)
    else:
        new = edit = ExitForm(intervention=full.intervention, participation=full, today=TODAY)
    assert variable.code in new.fields
    # Shown when the participation is edited: not the identity number (never stored), nor the
    # consent once given (changed by a withdrawal only).
    if variable.code in edit.fields and variable.kind != variables.IDENTITY:
        initial = edit.initial.get(variable.code, edit.fields[variable.code].initial)
        assert not _empty(initial), f"{variable.code} is not shown when the participation is edited"


def test_the_registration_form_is_in_the_order_of_the_file(world):
    """Its variables in the order of the file's columns; the consent is one group of fields."""
    from finsam.participants.forms import CONSENT_FIELDS

    form = ParticipationForm(intervention=world.assigned)
    on_form = [name for name in form.fields if name in COLUMNS and name not in CONSENT_FIELDS]
    assert on_form == [v.code for v in VARIABLES if v.on_form and v.phase == variables.ENTRY
                       and v.code not in CONSENT_FIELDS]


@pytest.mark.parametrize("item", VARIABLES + STORED, ids=lambda v: getattr(v, "code", v.field))
def test_anonymise_clears_what_the_declaration_says(full, world, item):
    before = _stored(full, item.field)
    services.anonymise(Participation.objects.filter(pk=full.pk), user=world.users["manager"])
    after = _stored(full, item.field)
    if item.anonymise == CLEAR:
        assert _empty(after), f"{item.field} survived anonymisation"
    elif item.field not in ("anonymous", "pseudonymous"):  # the kind flags are set, not kept
        assert after == before


@pytest.mark.parametrize("item", VARIABLES + STORED, ids=lambda v: getattr(v, "code", v.field))
def test_retention_clears_what_the_declaration_says(full, item):
    before = _stored(full, item.field)
    services.deidentify(Participation.objects.filter(pk=full.pk), now=datetime.datetime.now(datetime.UTC))
    after = _stored(full, item.field)
    if item.retention == CLEAR:
        assert _empty(after), f"{item.field} survived retention"
    elif item.retention == SURROGATE:
        assert after and after != before
    else:
        assert after == before, f"retention changed {item.field}, which the report tables count"
