"""Registration forms. Field names are the column codes of the participant file, and ``clean()``
hands the typed values to the import's row validator, so that a registration on screen and a row
in a file obey exactly the same rules."""

import datetime
import re
import unicodedata

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from finsam import codes
from finsam.core.forms import MAX_KEY, AccessibleErrorsMixin
from finsam.core.identifiers import redact_identity_numbers
from finsam.interventions.forms import DATE_WIDGET

from . import consent, variables
from .importing import ANONYMOUS_COLUMNS, RowContext, Validation, participation_row
from .models import Participation

BLANK = [("", "– Välj –")]

STALE_FORM = ("Formuläret saknar uppgift om vilken version av deltagandet du ändrar. Ingenting har sparats. "
              "Öppna deltagandet igen och gör ändringen på nytt.")


def check_version(form, cleaned):
    """The version the participation was read at (optimistic locking), as a number in ``cleaned``;
    a missing or forged one is STALE_FORM, said above the form (the field is hidden)."""
    version = cleaned.get("version") or ""
    if re.fullmatch(r"[1-9][0-9]{0,9}", version):
        cleaned["version"] = int(version)
    else:
        form.add_error(None, STALE_FORM)


def _choices(code_list):
    return BLANK + code_list.choices


def _variable_field(variable):
    """The form field of a variable, as declared (variables.py). A form overrides the fields that
    need more (a required date, a widget, choices of its förbund set in __init__)."""
    common = {"label": variable.label_on_form, "required": False, "help_text": variable.help}
    kind = variable.kind
    if kind == variables.CODE:
        return forms.ChoiceField(choices=_choices(variable.code_list), **common)
    if kind == variables.REFERRER:
        return forms.ChoiceField(**common)  # choices: the förbund's members (RowContext.referrer_choices)
    if kind == variables.CODES:  # without a code list: the förbund's target groups, set in __init__
        choices = variable.code_list.choices if variable.code_list else []
        return forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=choices, **common)
    if kind == variables.DATE:
        return forms.DateField(widget=DATE_WIDGET, **common)
    if kind in (variables.YEAR, variables.MUNICIPALITY):
        return forms.CharField(max_length=4, **common)
    return forms.CharField(max_length=60, **common)


def _variables_on_form(phase):
    return [v for v in variables.VARIABLES if v.phase == phase and v.on_form]


def _variable_fields(phase):
    """A form class holding a field for each variable of ``phase`` (its subclass overrides some)."""
    return type(f"_{phase.capitalize()}Variables", (forms.Form,),
                {v.code: _variable_field(v) for v in _variables_on_form(phase)})


def _cell(variable, value):
    """A cleaned form value as a cell of a participant-file row."""
    if variable.kind == variables.CODES:
        return ";".join(value or []) or None
    return value or None


def _initial(variable, cell):
    """A cell of a participant-file row as the form field's initial value."""
    if variable.kind == variables.CODES:
        return cell.split(";") if cell else []
    return cell


# The consent is asked as one group of fields, placed where the file has its consent date.
CONSENT_FIELDS = ["samtycke_form", "samtycke_bekraftat", "samtycke_datum", "samtycke_begaran"]


def _entry_field_order():
    order = ["version", "registreringssatt"]
    for variable in _variables_on_form(variables.ENTRY):
        if variable.code == "samtycke_datum":
            order += CONSENT_FIELDS
        elif variable.code not in CONSENT_FIELDS:
            order.append(variable.code)
    return order


class _RowForm(AccessibleErrorsMixin, forms.Form):
    """Shared machinery: build a raw row, validate it like an import row, map errors to fields."""

    # The version the participation was read at (optimistic locking). Checked in clean(), not by
    # the field, so that a missing or forged value gets a sentence rather than a hidden-field error.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, intervention, participation=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.intervention = intervention
        self.association = intervention.association
        self.participation = participation
        self.today = today or datetime.date.today()
        self.row = None
        self.warnings = []
        # Stored participations this one clashes with, shown with links: (participation, why).
        self.duplicates = []
        self.needs_confirmation = False  # a possible duplicate the user may confirm ("Spara ändå")
        self.warnings_before_save = []  # said by raw_row, shown with the row's warnings
        self.consent_request = None  # set when consent was given on the participant's phone
        if participation is not None:
            self.fields["version"].initial = participation.version

    @cached_property
    def context(self):
        """The import's row validator for this insats, built once: it validates the row and
        supplies the choices of the fields."""
        return RowContext(self.association, [self.intervention], self.today)

    def raw_row(self):
        raise NotImplementedError

    def kind(self):
        """The kind of registration chosen (``codes.PARTICIPATION_KIND``), None: as a file's row."""
        return None

    def clean(self):
        cleaned = super().clean()
        if self.participation is not None:
            # An edit must say which version it was read at: without it the optimistic lock
            # would let this save overwrite someone else's (issue 9).
            check_version(self, cleaned)
        else:
            cleaned["version"] = None
        if self.errors:
            return cleaned
        raw = self.raw_row()
        result = Validation()
        row = self.context.clean_row(0, raw, result, known_identity=self.participation, kind=self.kind())
        for error in result.errors:
            field = error.column if error.column in self.fields else None
            self.add_error(field, error.message[:1].upper() + error.message[1:])
        if row is not None:
            self._check_reference(row)
            self._check_same_start(row)
            if self.participation is None and not self.errors:
                self._check_ongoing(row)
            self.row = row if not self.errors else None
            self.warnings = ([w.split(": ", 1)[-1] for w in row["warnings"]] + self._same_person_warning(row)
                             + self.warnings_before_save)
        return cleaned

    def _check_reference(self, row):
        if not row["reference"]:
            return
        clash = Participation.objects.filter(intervention=self.intervention, reference=row["reference"])
        if self.participation is not None:
            clash = clash.exclude(pk=self.participation.pk)
        clash = clash.first()
        if clash is not None:
            self.add_error("referens", "Referensen används redan i insatsen. Se deltagandet ovanför formuläret. "
                                       "Välj en annan referens, eller öppna det deltagandet om det är samma.")
            self.duplicates.append((clash, "samma referens"))
            self.row = None

    def _check_same_start(self, row):
        """The database holds one participation per person, insats and start date; say so here
        rather than on save."""
        if not row.get("person_key") or not row.get("start_date"):
            return
        keys = [row["person_key"], *row.get("previous_person_keys", [])]
        clash = Participation.objects.filter(intervention=self.intervention, person_key__in=keys,
                                             start_date=row["start_date"])
        if self.participation is not None:
            clash = clash.exclude(pk=self.participation.pk)
        clash = clash.first()
        if clash is not None:
            self.add_error("startdatum", "Personen har redan ett deltagande i insatsen med samma startdatum. Se "
                                         "deltagandet ovanför formuläret. Samma deltagande kan inte registreras två gånger.")
            if clash not in [d for d, _ in self.duplicates]:
                self.duplicates.append((clash, "samma person, samma startdatum"))

    def _check_ongoing(self, row):
        """A new registration of a person already ongoing in the insats is probably a mistake:
        not saved until the user confirms it (issue 10)."""
        if not row.get("person_key"):
            return
        keys = [row["person_key"], *row.get("previous_person_keys", [])]
        ongoing = list(Participation.objects.filter(intervention=self.intervention, person_key__in=keys,
                                                    end_date__isnull=True).order_by("start_date", "id"))
        if not ongoing:
            return
        self.duplicates.extend((p, "samma person, pågående") for p in ongoing)
        if self.data.get("spara_anda") != "1":
            self.needs_confirmation = True
            self.add_error(None, "Samma person har redan ett pågående deltagande i insatsen, se ovanför formuläret. "
                                 "Ingenting har sparats. Rätta uppgifterna, eller kryssa i Spara ändå om det är "
                                 "ett nytt deltagande.")

    def _same_person_warning(self, row):
        if not row.get("person_key"):
            return []
        keys = [row["person_key"], *row.get("previous_person_keys", [])]
        ongoing = Participation.objects.filter(intervention=self.intervention, person_key__in=keys, end_date__isnull=True)
        if self.participation is not None:
            ongoing = ongoing.exclude(pk=self.participation.pk)
        if ongoing.exists():
            return ["Samma person har redan ett pågående deltagande i insatsen."]
        return []


# Fields of the registration form that an anonymous registration does not keep: every variable an
# anonymous participation may not hold, and the confirmation of consent. (The consent's form is a
# choice with a default, so it is always filled in; the registration leaves it empty.)
NOT_KEPT_WHEN_ANONYMOUS = tuple(
    [v.code for v in _variables_on_form(variables.ENTRY) if not v.anonymous and v.code != "samtycke_form"]
    + ["samtycke_bekraftat"]
)
NOT_KEPT_MESSAGE = ("En anonym registrering sparar inte den här uppgiften. Töm fältet, eller välj ett annat "
                    "registreringssätt om deltagaren har samtyckt.")


class ParticipationForm(_RowForm, _variable_fields(variables.ENTRY)):
    """The registration: a field for every entry variable (variables.py), some declared here with
    more than the declaration says, in the order of the participant file."""

    field_order = _entry_field_order()
    identity_number_fields = ("personnummer",)  # hashed by the row validator, never stored
    # Replaces the former "Anonym deltagare" checkbox; a posted anonym=on still means anonymous
    # when no kind is posted (kind()).
    registreringssatt = forms.ChoiceField(
        label="Registreringssätt", required=False, widget=forms.RadioSelect, choices=codes.PARTICIPATION_KIND.choices,
        help_text="Med personnummer: numret blir en nyckel som inte går att räkna tillbaka. Pseudonym: utan "
                  "personnummer; den egna referensen identifierar deltagandet, kön och födelseår anges och alla "
                  "uppgifter sparas. Anonym: utan samtycke, eller med skyddade personuppgifter; då sparas bara "
                  "referens, kön och datum, övriga uppgifter i formuläret sparas inte.",
    )
    referens = forms.CharField(label="Egen referens", max_length=60, required=False,
                               help_text="Ditt eget id för deltagaren, aldrig ett namn. Unikt i insatsen. Krävs utan "
                                         "personnummer.")
    personnummer = forms.CharField(
        label="Personnummer eller samordningsnummer", required=False, max_length=13,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        help_text="ÅÅÅÅMMDD-NNNN. Numret sparas aldrig, bara en nyckel som inte går att räkna tillbaka.",
    )
    fodelsear = forms.CharField(
        label="Födelseår", required=False, max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="Fyra siffror, t.ex. 1985, vid pseudonym registrering. Med personnummer tas året från numret.",
    )
    samtycke_form = forms.ChoiceField(label="Samtycke", required=False, widget=forms.RadioSelect,
                                      choices=[("digitalt", "Digitalt: deltagaren läser och bekräftar här"),
                                               ("papper", "På papper")])
    samtycke_bekraftat = forms.BooleanField(label="Deltagaren har läst samtyckestexten och bekräftar den", required=False)
    samtycke_datum = forms.DateField(label="Datum för samtycke på papper", required=False, widget=DATE_WIDGET)
    samtycke_begaran = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_KEY)
    startdatum = forms.DateField(label="Startdatum", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anmalande_part"].choices = BLANK + self.context.referrer_choices()
        self.fields["malgrupp"].choices = list(self.context.target_groups.items())
        p = self.participation
        if self.consent_is_fixed:
            # Given consent is changed by a withdrawal only (see the detail page), never by an edit.
            for name in ("samtycke_form", "samtycke_bekraftat", "samtycke_datum", "samtycke_begaran"):
                del self.fields[name]
        if p is None:
            self.initial.setdefault("samtycke_form", "digitalt")
            self.initial.setdefault("registreringssatt", "identified")
        if p is not None and not self.is_bound:
            raw = participation_row(p)
            for name in self.fields:
                if name in raw and raw[name] is not None:
                    self.initial[name] = _initial(variables.BY_CODE[name], raw[name])
            self.initial["registreringssatt"] = p.kind
            self.initial["samtycke_bekraftat"] = p.consent_form == "digitalt"
            self.fields["personnummer"].help_text = (
                "Lämna tomt för att behålla den registrerade personen. Numret sparas aldrig och kan inte visas."
            )

    @property
    def consent_is_fixed(self):
        p = self.participation
        return p is not None and not p.anonymous and p.consent_date is not None

    def kind(self):
        chosen = self.cleaned_data.get("registreringssatt")
        if chosen:
            return chosen
        if self.data.get("anonym") in ("on", "true", "True", "1"):
            return "anonymous"  # the former checkbox
        p = self.participation
        return "pseudonymous" if p is not None and p.kind == "pseudonymous" else "identified"

    def raw_row(self):
        data = self.cleaned_data
        anonymous = self.kind() == "anonymous"
        raw = {v.code: _cell(v, data.get(v.code)) for v in _variables_on_form(variables.ENTRY) if v.code in self.fields}
        raw.update({
            "insats": self.intervention.slug,
            "anonym": "ja" if anonymous else "nej",
            "samtycke_form": None,  # set from the consent fields below
            "samtycke_datum": None,
        })
        if self.participation is not None:
            # Exit data is edited in the exit form; keep it.
            current = participation_row(self.participation)
            raw.update({v.code: current[v.code] for v in variables.VARIABLES if v.phase == variables.EXIT})
        if anonymous:
            # Only insats, reference, gender and dates are kept for an anonymous participant. What
            # else was filled in is refused, never dropped in silence (issue 10); the script of the
            # page hides and disables those fields when Anonym is ticked.
            for name in self.fields:  # in the page's order
                if name in NOT_KEPT_WHEN_ANONYMOUS and data.get(name) not in (None, "", [], False):
                    self.add_error(name, NOT_KEPT_MESSAGE)
            keep = set(ANONYMOUS_COLUMNS)
            if raw.get("avslutsorsak") == codes.EXIT_REASON_EXCLUDED:
                keep.add("avslutsorsak")  # a mistaken registration stays excluded
            raw = {k: (v if k in keep else None) for k, v in raw.items()}
        elif self.consent_is_fixed:
            raw.update(samtycke_form=self.participation.consent_form or None,
                       samtycke_datum=self.participation.consent_date)
        else:
            self._consent(raw)
        return raw

    def _consent(self, raw):
        data = self.cleaned_data
        form = data.get("samtycke_form")
        if (self.kind() == "pseudonymous" and not self.association.pseudonymous_consent_required
                and not data.get("samtycke_begaran") and not data.get("samtycke_bekraftat")
                and not (form == "papper" and data.get("samtycke_datum"))):
            # The förbund does not require consent for pseudonymous rows: registered without.
            self.warnings_before_save.append("Deltagandet registreras utan samtycke (förbundet kräver inte samtycke "
                                             "för pseudonyma deltagare).")
            return
        if form == "papper":
            if not data.get("samtycke_datum"):
                self.add_error("samtycke_datum", "Ange datum för samtycket på papper.")
            raw.update(samtycke_form="papper", samtycke_datum=data.get("samtycke_datum"))
        elif form == "digitalt" and data.get("samtycke_begaran"):
            self.consent_request = consent.usable(self.intervention, data["samtycke_begaran"])
            if self.consent_request is None:
                self.add_error("samtycke_form", "Samtycket från deltagarens telefon saknas, har redan använts eller är för gammalt.")
                return
            raw.update(samtycke_form="digitalt", samtycke_datum=timezone.localdate(self.consent_request.answered_at))
        elif form == "digitalt":
            if not data.get("samtycke_bekraftat"):
                self.add_error("samtycke_bekraftat", "Deltagaren måste bekräfta samtycket, eller registreras som anonym.")
            keep = self.participation and self.participation.consent_form == "digitalt" and self.participation.consent_date
            raw.update(samtycke_form="digitalt", samtycke_datum=keep or self.today)
        else:
            self.add_error("samtycke_form", "Välj hur samtycket lämnades, eller registrera deltagaren som anonym.")

    def values(self):
        """Values for services.save_participation."""
        row = dict(self.row)
        if self.consent_is_fixed:
            row["consent_text_version"] = self.participation.consent_text_version
        elif row.get("consent_form") == "digitalt" and not row["anonymous"]:
            if self.consent_request is not None:
                row["consent_text_version"] = self.consent_request.text_version
            else:
                # The text shown on this form, stored so that the version says what was read.
                row["consent_text_version"] = consent.record(self.intervention).version
        return row


class ExitForm(_RowForm, _variable_fields(variables.EXIT)):
    """The exit: a field for every exit variable (variables.py); the exit date is required here."""

    slutdatum = forms.DateField(label="Slutdatum", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.participation.anonymous:
            # An anonymous participation holds no exit reason or support.
            for variable in _variables_on_form(variables.EXIT):
                if not variable.anonymous:
                    del self.fields[variable.code]
        if not self.is_bound and self.participation.end_date:
            current = participation_row(self.participation)
            for variable in _variables_on_form(variables.EXIT):
                self.initial[variable.code] = _initial(variable, current[variable.code])

    def raw_row(self):
        data = self.cleaned_data
        raw = participation_row(self.participation)
        raw.update({v.code: _cell(v, data.get(v.code)) for v in _variables_on_form(variables.EXIT) if v.code in self.fields})
        return raw

    def values(self):
        return dict(self.row)  # the consent stays as stored (services.save_participation keeps it)


class WithdrawConsentForm(AccessibleErrorsMixin, forms.Form):
    bekrafta = forms.BooleanField(
        label="Deltagaren har återkallat sitt samtycke. Gör alla deltagarens deltaganden anonyma.",
        error_messages={"required": "Kryssa i att deltagaren har återkallat sitt samtycke för att gå vidare. "
                                    "Ingenting har ändrats."},
    )


class CorrectionForm(AccessibleErrorsMixin, forms.Form):
    """Confirmation of a correction (felregistrering, reopening, deletion): the version the
    participation was read at, so that two corrections of the same reading do not both act."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    bekrafta = forms.BooleanField(label="Jag bekräftar ändringen",
                                  error_messages={"required": "Kryssa i att du bekräftar ändringen. Ingenting har ändrats."})

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = participation.version

    def clean(self):
        cleaned = super().clean()
        check_version(self, cleaned)
        return cleaned


class DeleteForm(CorrectionForm):
    motivering = forms.CharField(
        label="Varför tas deltagandet bort?", max_length=150,
        help_text="Till exempel: registrerad två gånger, fel insats. Skriv aldrig namn eller personnummer. "
                  "Motiveringen sparas i åtkomstloggen.",
        error_messages={"required": "Skriv varför deltagandet tas bort. Ingenting har tagits bort."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bekrafta"].label = "Ta bort deltagandet och dess historik. Det går inte att ångra."


class IdentityNumberInput(forms.TextInput):
    """A text input for an identity number or a referens that does not send an identity number
    back in the page (the register extract promises it is never shown; the browser would keep
    it with the page). Anything else typed, a referens, is shown back as usual."""

    def format_value(self, value):
        if value and redact_identity_numbers(str(value)) != unicodedata.normalize("NFKC", str(value)):
            return None
        return super().format_value(value)


class SearchForm(forms.Form):
    STATUS_CHOICES = [("ongoing", "Pågående"), ("exited", "Avslutade"), ("all", "Alla")]
    status = forms.ChoiceField(label="Visa", choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label="Sök på referens eller personnummer", required=False, max_length=20,
                        widget=IdentityNumberInput(attrs={"autocomplete": "off", "type": "search",
                                                           "aria-describedby": "sok-hjalp"}))


class ImportForm(forms.Form):
    file = forms.FileField(label="Deltagarfil (.xlsx eller .csv)",
                           help_text="Högst 20 MB. Använd mallen så blir kolumnerna rätt.")
