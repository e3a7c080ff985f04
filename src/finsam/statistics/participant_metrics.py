"""The metric source ``participants`` (shared/spec/activities-and-goals.md, "Metric reference"):
every key is read from the report's own tables (flow, unique, work_or_study, exit_reason) built by
the same builders for the indicator's scope and span, so that a plan's figure is the report's
figure (one path, no second count)."""

import datetime

from finsam import codes
from finsam.tenancy.scope import Scope

from . import metrics
from .tables.common import FURTHER, STUDIES, WORK

GENDERS = ("kvinna", "man", "annat_ej_angivet")
FLOW_KEYS = {"new_count": "new_totalt", "exited_count": "exited_totalt"}
CURRENT_KEYS = ("current_count", "current_count_incl_volume", "unique_individuals")
GENDER_SHARES = {"share_women_new": ("new", "kvinna"), "share_men_new": ("new", "man"),
                 "share_women_current": ("current", "kvinna"), "share_men_current": ("current", "man")}
EXIT_SHARES = {"share_work": WORK, "share_work_or_study": WORK + STUDIES,
               "share_work_study_or_further_measures": WORK + STUDIES + FURTHER}
EXIT_REASON_PREFIX = "share_exit_reason:"
KEYS = (*FLOW_KEYS, *CURRENT_KEYS, *GENDER_SHARES, *EXIT_SHARES, EXIT_REASON_PREFIX, "gap_women_men")
GAP_OF = (*GENDER_SHARES, *EXIT_SHARES)  # shares a gap may be of (and share_exit_reason:<code>)

LABELS = {
    "new_count": "Nya deltagande", "exited_count": "Avslutade deltagande", "current_count": "Aktuella deltagande",
    "current_count_incl_volume": "Aktuella deltagande inklusive volymregistreringar",
    "unique_individuals": "Unika individer", "share_women_new": "Andel kvinnor bland nya",
    "share_men_new": "Andel män bland nya", "share_women_current": "Andel kvinnor bland aktuella",
    "share_men_current": "Andel män bland aktuella", "share_work": "Andel avslutade till arbete",
    "share_work_or_study": "Andel avslutade till arbete eller studier",
    "share_work_study_or_further_measures": "Andel avslutade till arbete, studier eller fortsatta insatser",
    "gap_women_men": "Skillnad mellan kvinnors och mäns andel",
}


def label(ref):
    key = ref.get("key", "")
    if key.startswith(EXIT_REASON_PREFIX):
        text = f"Andel avslutade med orsak {codes.EXIT_REASON.label(key[len(EXIT_REASON_PREFIX):]).lower()}"
    elif key == "gap_women_men":
        text = f"{LABELS[key]}: {label({'key': ref.get('of', '')}).lower()}"
    else:
        text = LABELS.get(key, key)
    if ref.get("gender") in GENDERS:
        text += f" ({codes.GENDER_COLUMNS.label(ref['gender']).lower()})"
    return text


def _is_share(key):
    return key in GENDER_SHARES or key in EXIT_SHARES or (
        isinstance(key, str) and key.startswith(EXIT_REASON_PREFIX))


def validate(ref, association=None):
    errors = []
    key = ref.get("key")
    allowed = {"source", "key"}
    if isinstance(key, str) and key.startswith(EXIT_REASON_PREFIX):
        code = key[len(EXIT_REASON_PREFIX):]
        if code not in codes.EXIT_REASON or code == codes.EXIT_REASON_EXCLUDED:
            errors.append(f"Okänd avslutsorsak {code!r} (tillåtna: {', '.join(c.code for c in codes.EXIT_REASON)}).")
    if key in EXIT_SHARES or (isinstance(key, str) and key.startswith(EXIT_REASON_PREFIX)):
        allowed.add("gender")
        if "gender" in ref and ref["gender"] not in GENDERS:
            errors.append(f"Okänt kön {ref['gender']!r} (tillåtna: {', '.join(GENDERS)}).")
    if key == "gap_women_men":
        allowed.add("of")
        of = ref.get("of")
        if not (of in GAP_OF or (isinstance(of, str) and of.startswith(EXIT_REASON_PREFIX))):
            errors.append(f"\"of\" ska vara en andel: {', '.join(GAP_OF)} eller share_exit_reason:<kod>.")
        elif of.startswith(EXIT_REASON_PREFIX):
            errors += validate({"source": "participants", "key": of})
    for extra in sorted(set(ref) - allowed):
        errors.append(f"Okänd parameter {extra!r} för måttet {key!r}.")
    return errors


def accrual(ref):
    key = ref.get("key")
    if key in FLOW_KEYS:
        return "flow"
    if key in CURRENT_KEYS:
        return "current"
    return "rate"


def unit(ref):
    key = ref.get("key")
    if key == "gap_women_men":
        return "points"
    return "share" if _is_share(key) else "count"


class _Tables:
    """The report's tables for one scope and span, built on first use."""

    def __init__(self, query):
        from .engine import Context
        from .tables import registry

        self.ctx = Context(Scope.of(query.association), query.start, query.end, list(query.interventions) or None)
        self.registry = registry
        self._built = {}

    def __getitem__(self, table_id):
        if table_id not in self._built:
            self._built[table_id] = self.registry.get(table_id).build(self.ctx)
        return self._built[table_id]


def _share(numerator, denominator, accrual_):
    value = numerator / denominator if denominator else None
    return metrics.MetricValue(value, "share", accrual_, numerator=numerator, denominator=denominator,
                               counts=(numerator, denominator))


def _exit_share(tables, key, gender):
    g = gender or "totalt"
    reasons = [key[len(EXIT_REASON_PREFIX):]] if key.startswith(EXIT_REASON_PREFIX) else EXIT_SHARES[key]
    exit_reason = tables["exit_reason"]
    numerator = sum(exit_reason.cells.get(code, {}).get(g, 0) for code in reasons)
    return _share(numerator, exit_reason.cells["totalt"][g], "rate")


def _gender_share(tables, key, gender):
    measure, default = GENDER_SHARES[key]
    row = tables["flow"].cells["totalt"]
    return _share(row[f"{measure}_{gender or default}"], row[f"{measure}_totalt"], "rate")


def _value(tables, ref, gender=None):
    key = ref["key"]
    if key in FLOW_KEYS:
        n = tables["flow"].cells["totalt"][FLOW_KEYS[key]]
        return metrics.MetricValue(n, "count", "flow", numerator=n, counts=(n,))
    if key == "current_count":
        n = tables["flow"].cells["totalt"]["current_totalt"]
    elif key == "current_count_incl_volume":
        n = tables["flow"].cells["totalt_inkl_volym"]["current_totalt"]
    elif key == "unique_individuals":
        n = tables["unique"].cells["totalt"]["totalt"]
    elif key in GENDER_SHARES:
        return _gender_share(tables, key, gender)
    else:
        return _exit_share(tables, key, gender or ref.get("gender"))
    return metrics.MetricValue(n, "count", "current", numerator=n, counts=(n,))


def resolve(ref, query):
    if query.association is None or query.end < query.start - datetime.timedelta(days=1):
        return metrics.MetricValue.none(unit(ref), accrual(ref))
    tables = _Tables(query)
    if ref.get("key") != "gap_women_men":
        return _value(tables, ref)
    of = {"source": "participants", "key": ref["of"]}
    women, men = (_value(tables, of, gender) if of["key"] not in GENDER_SHARES else _gap_part(tables, of["key"], gender)
                  for gender in ("kvinna", "man"))
    value = None if women.value is None or men.value is None else abs(women.value - men.value)
    return metrics.MetricValue(value, "points", "rate", counts=women.counts + men.counts,
                               detail={"women": women, "men": men})


def _gap_part(tables, key, gender):
    # a gender share's "gap" compares the women's share with the men's of the same population
    measure, _ = GENDER_SHARES[key]
    return _gender_share(tables, f"share_{'women' if gender == 'kvinna' else 'men'}_{measure}", gender)


PARTICIPANTS = metrics.MetricSource(name="participants", label="Deltagare", keys=KEYS, validate=validate,
                                    resolve=resolve, accrual=accrual, unit=unit)
