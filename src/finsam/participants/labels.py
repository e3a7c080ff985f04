"""Swedish labels for what a participation holds, for pages and history lines: users see words,
never the codes of the participant file (issue 10)."""

from finsam import codes
from finsam.interventions.models import target_group_choices

from . import variables

# Field of ParticipationChange.changes (services.SCALAR_FIELDS and SET_FIELDS) -> label.
FIELD_LABELS = variables.field_labels()

# Derived on every write from what is shown anyway: not repeated in the history.
DERIVED = {"age_at_start", "support_at_entry_and_exit"}

# ParticipationChange.action -> what the history says happened.
ACTION_LABELS = {
    "created": "Registrerad",
    "updated": "Ändrad",
    "exited": "Avslutad",
    "imported": "Inläst från fil",
    "anonymised": "Anonymiserad",
    "consent_withdrawn": "Samtycke återkallat",
    "deidentified": "Gallrad",
    "reopened": "Återöppnad",
    "marked_mistaken": "Markerad som felregistrering",
}

CODE_LISTS = variables.field_code_lists()


class Labeller:
    """Labels for one förbund: its members name the referrers, its own target groups are known."""

    def __init__(self, association):
        self.association = association
        members = list(association.members.all())
        self.member_names = {m.code: m.display_name for m in members}
        self.municipality_names = {m.municipality_code: m.display_name for m in members if m.kind == "kommun"}
        self.target_groups = dict(target_group_choices(association))
        self._interventions = None

    def referrer(self, code):
        """A member's own name (``kommun:0180``, ``fk``, ``af``, ``region``), else the national label."""
        if not code:
            return ""
        if code in self.member_names:
            return self.member_names[code]
        if code.startswith("kommun:"):  # a municipality that is not (or no longer) a member
            return f"Kommun med kommunkod {code.split(':', 1)[1]}"
        return codes.REFERRER.label(code)

    def municipality(self, code):
        if not code:
            return ""
        name = self.municipality_names.get(code)
        return f"{name} ({code})" if name else code

    def target_group(self, code):
        return self.target_groups.get(code, code)

    def intervention(self, pk):
        if self._interventions is None:
            self._interventions = dict(self.association.interventions.values_list("pk", "name"))
        return self._interventions.get(pk, "–")

    def value(self, field, value):
        """One stored value as the user reads it."""
        if value in (None, "", []):
            return "–"
        if isinstance(value, bool):
            return "ja" if value else "nej"
        if isinstance(value, list):
            return ", ".join(self.value(field, v) for v in value)
        if field == "referrer":
            return self.referrer(value)
        if field == "municipality":
            return self.municipality(value)
        if field == "target_groups":
            return self.target_group(value)
        if field == "intervention_id":
            return self.intervention(value)
        if field in CODE_LISTS:
            return CODE_LISTS[field].label(value)
        return str(value)

    def changes(self, change):
        """One ParticipationChange as (field, label, old, new), the values as labels. The person key
        is never shown (its values are "(dolt)")."""
        rows = []
        for field, pair in (change.changes or {}).items() if isinstance(change.changes, dict) else ():
            if field in DERIVED:
                continue
            label = FIELD_LABELS.get(field, field)
            if field == "person_key":
                rows.append((field, label, "(dolt)", "(dolt)"))
                continue
            old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
            rows.append((field, label, self.value(field, old), self.value(field, new)))
        return rows

    def history(self, changes):
        """ParticipationChange rows as (change, action label, ["Field: old → new", ...])."""
        return [(change, ACTION_LABELS.get(change.action, change.action),
                 [f"{label}: ändrat" if field == "person_key" else f"{label}: {old} → {new}"
                  for field, label, old, new in self.changes(change)])
                for change in changes]
