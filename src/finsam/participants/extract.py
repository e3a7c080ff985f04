"""The register extract (registerutdrag): everything stored about one person, for one user.

Asked for by identity number (the person's participations are found by ``identity.person_keys``;
the number itself is never stored, shown or written to a file) or by the exact referens of a
participation (a pseudonymous one has no number). Only participations in the insatser the user may
see are included (``InterventionQuerySet.with_participant_access``): the page and both files say so,
and who to ask for the rest. For each participation: every stored field with a Swedish label and
value, its change history (ParticipationChange) and the access-log rows that name it (subject
"... deltagande <pk>" as the participant views write it). docs/privacy.md describes it.
"""

import json
import re

from django import forms
from django.db.models import Q
from django.utils import timezone

from finsam.audit.models import AccessLog
from finsam.core.forms import AccessibleErrorsMixin

from . import variables
from .forms import IdentityNumberInput
from .identity import InvalidIdentityNumber, parse_identity_number, person_keys
from .labels import ACTION_LABELS, CODE_LISTS, Labeller
from .models import Participation

FORMATS = {"html": "Visa utdraget", "pdf": "Ladda ned som PDF", "json": "Ladda ned som JSON"}


class ExtractForm(AccessibleErrorsMixin, forms.Form):
    # The number is searched for (hashed), never stored.
    identity_number_fields = ("identitet",)
    identitet = forms.CharField(
        label="Personnummer, samordningsnummer eller referens", max_length=60,
        help_text="Personnummer som ÅÅÅÅMMDD-NNNN. Ett pseudonymt deltagande har inget personnummer: ange då "
                  "deltagandets hela referens.",
        widget=IdentityNumberInput(attrs={"autocomplete": "off"}),
    )

    insats = forms.ChoiceField(
        label="Insats", required=False,
        help_text="Behövs bara när en referens finns i flera insatser: en referens är unik bara inom sin insats.",
    )

    def __init__(self, *args, interventions, **kwargs):
        """``interventions``: the insatser the user may see participants of (the only ones offered)."""
        super().__init__(*args, **kwargs)
        self.fields["insats"].choices = [("", "Alla insatser du har tillgång till")] + list(
            interventions.order_by("name").values_list("slug", "name"))

    def clean_identitet(self):
        text = self.cleaned_data["identitet"].strip()
        digits = text.replace("-", "").replace("+", "").replace(" ", "")
        if digits.isdigit() and len(digits) in (10, 12):
            # Looks like an identity number: a mistyped one is an error, not a referens search.
            try:
                return ("personnummer", parse_identity_number(text))
            except InvalidIdentityNumber as error:
                raise forms.ValidationError(f"Personnumret {error}.") from None
        return ("referens", text)


# Fields shown with another label than their verbose name, or without one in the model.
LABELS = {
    "intervention": "Insats",
    "reference": "Egen referens",
    "person_key": "Kod beräknad ur personnumret",
    "legal_gender": "Juridiskt kön (enligt personnumret)",
    "birth_month": "Födelsemånad",
    "age_at_start": "Ålder vid start",
    "support_at_entry_and_exit": "Försörjning registrerad både vid inskrivning och avslut",
    "deidentified_at": "Avidentifierad",
    "version": "Versionsnummer (ändringsräknare)",
    "created_at": "Registrerad",
    "updated_at": "Senast ändrad",
}
# Not shown: the row's key (named in the heading instead), the förbund (the file's header), and
# the kind flags, which are shown together as "Typ av registrering".
NOT_SHOWN = {"id", "association", "anonymous", "pseudonymous"}


def insatser_of_reference(association, reachable, value):
    """The names of the insatser in ``reachable`` holding the referens ``value``. A referens is
    unique within its insats only: found in more than one, it may name as many people, and the
    user must choose the insats (an extract must never mix two people)."""
    return list(Participation.objects.filter(association=association, intervention__in=reachable,
                                             reference__iexact=value)
                .order_by("intervention__name").values_list("intervention__name", flat=True).distinct())


def find(association, reachable, cleaned, intervention_slug=""):
    """The participations the extract covers, in the insatser ``reachable`` (a referens is looked
    for in the insats ``intervention_slug`` only, when given)."""
    how, value = cleaned
    visible = Participation.objects.filter(association=association, intervention__in=reachable)
    if how == "personnummer":
        found = visible.filter(person_key__in=person_keys(value))
    else:
        found = visible.filter(reference__iexact=value)
        if intervention_slug:
            found = found.filter(intervention__slug=intervention_slug)
        # The same person's other participations, when the referens names an identified one.
        keys = [k for k in found.exclude(person_key="").values_list("person_key", flat=True)]
        if keys:
            found = visible.filter(Q(pk__in=found.values("pk")) | Q(person_key__in=keys))
    return (found.select_related("intervention", "intervention__association")
            .prefetch_related("support", "target_group_records", "changes__user")
            .order_by("start_date", "id"))


def _field_label(field):
    return LABELS.get(field.name) or str(field.verbose_name).capitalize()


def _value(participation, name, labeller):
    value = getattr(participation, name)
    if value in (None, ""):
        return ""
    if name == "intervention":
        return participation.intervention.name
    if name == "person_key":
        return "Ja (koden går inte att räkna tillbaka till personnumret)"
    if name in CODE_LISTS or name == "referrer":  # a stored code: labelled where all of them are
        return labeller.value(name, value)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if hasattr(value, "hour") else value.isoformat()
    return str(value)


_NAMED = re.compile(r"(?:^|\s)deltagande (\d+)(?=$|[\s,)])")


def named_participations(subject):
    """The keys of the participations an access-log subject names."""
    return {int(pk) for pk in _NAMED.findall(subject)}


def log_subject(file_format, participations, job=None):
    """The subject of the extract's own log row: every participation named when it fits."""
    made = f"registerutdrag {file_format}" + (f" (jobb {job})" if job else "") + ": "
    subject = made + ", ".join(f"deltagande {p.pk}" for p in participations)
    return subject if len(subject) <= 200 else f"{made}{len(participations)} deltaganden"


def log_rows(association, participations):
    """The access-log rows that name one of the participations ("deltagande 5", "deltagande 5 (ändra)",
    "samtycke återkallat via deltagande 5", "registerutdrag pdf: deltagande 5, deltagande 7"),
    oldest first."""
    if not participations:
        return {}
    condition = Q()
    for p in participations:
        name = f"deltagande {p.pk}"
        condition |= (Q(subject=name) | Q(subject__startswith=f"{name} ") | Q(subject__endswith=f" {name}")
                      | Q(subject__contains=f" {name} ") | Q(subject__contains=f" {name},"))
    rows = {p.pk: [] for p in participations}
    for entry in AccessLog.objects.filter(condition, association=association).select_related("user").order_by("at", "id"):
        for pk in named_participations(entry.subject):
            if pk in rows:
                rows[pk].append(entry)
    return rows


# An extract's PDF costs about 25 ms a row of history or access log (bench/extract_pdf.py, 2 cores):
# above this many rows it is made by `finsam worker` (participants/jobs.py), not in the request. The
# access log grows with every view of a participation, so without it a person viewed often could
# make the request run for minutes.
EXTRACT_JOB_ROWS = 150


def row_count(participations, logs):
    """The rows of history and access log an extract lists (``logs``: ``log_rows``'s; the history is
    prefetched by ``find``)."""
    return sum(len(p.changes.all()) for p in participations) + sum(len(rows) for rows in logs.values())


def build(association, participations, *, user, how, logs=None):
    """The extract as plain data with Swedish keys (the JSON file; the page and PDF show the same)."""
    from finsam.audit.views import ACTION_LABELS as LOG_ACTIONS

    participations = list(participations)
    logs = log_rows(association, participations) if logs is None else logs
    fields = [f for f in Participation._meta.concrete_fields if f.name not in NOT_SHOWN]
    labeller = Labeller(association)
    items = []
    for p in participations:
        values = [{"fält": "Typ av registrering", "värde": p.kind_label}]
        values += [{"fält": _field_label(f), "värde": _value(p, f.name, labeller)} for f in fields]
        sets = variables.stored_sets(p)
        for variable in variables.of_kind(variables.CODES):  # the multi-valued variables' rows
            values.append({"fält": variable.label, "värde": ", ".join(
                labeller.value(variable.field, code) for code in sets[variable.field])})
        history = [{
            "tid": timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"),
            "användare": c.user.username if c.user else "",
            "händelse": ACTION_LABELS.get(c.action, c.action),
            "ändringar": [{"fält": label, "före": old, "efter": new} for _, label, old, new in labeller.changes(c)],
        } for c in sorted(p.changes.all(), key=lambda c: (c.at, c.pk))]
        access = [{
            "tid": timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
            "användare": e.user.username if e.user else "systemet",
            "åtgärd": LOG_ACTIONS.get(e.action, e.action),
            "vad": e.subject,
        } for e in logs.get(p.pk, [])]
        items.append({"deltagande": p.pk, "insats": p.intervention.name,
                      "personuppgiftsansvarig": p.intervention.controller_display,
                      "uppgifter": values, "historik": history, "åtkomstlogg": access})
    return {
        "rubrik": "Registerutdrag",
        "förbund": association.name,
        "framtaget": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "framtaget_av": user.username,
        "sökt_på": "personnummer" if how == "personnummer" else "referens",
        "antal_deltaganden": len(items),
        "avgränsning": LIMITATION,
        "deltaganden": items,
    }


LIMITATION = ("Utdraget tar bara med deltaganden i de insatser som den som tog fram det har tillgång till. "
              "Personen kan ha fler deltaganden i förbundets andra insatser: fråga deras deltagaransvariga, eller "
              "insatsens personuppgiftsansvarige, om ett utdrag därifrån. Personnumret sparas aldrig och står inte "
              "i utdraget.")


def as_json(extract):
    return json.dumps(extract, ensure_ascii=False, indent=2).encode()


def as_pdf(extract):
    """The extract as a tagged A4 PDF (core/pdf.py, participants/pdf/extract.html)."""
    from finsam.core import pdf

    return pdf.render("participants/pdf/extract.html", {"e": extract})
