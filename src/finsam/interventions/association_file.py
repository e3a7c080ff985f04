"""The förbundsfil: an association with its members, insatser and goals as one JSON document
(``shared/spec/import-format.md``).

:func:`parse_association_file` validates the whole document and lists every error in Swedish;
:func:`apply_association_file` writes a valid document in one transaction. Applying the same file
twice changes nothing the second time. Nothing absent from the file is deleted: the file adds and
updates, so that a partial file cannot wipe out an association's insatser.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from finsam import codes
from finsam.core.identifiers import (
    IDENTITY_NUMBER_MESSAGE, contains_identity_number, normalise_organisationsnummer, redact_identity_numbers,
    valid_kommunkod,
)
from finsam.tenancy.models import MINIMUM_MASKING_THRESHOLD, RESERVED_SLUGS, Association, Member, mark_data_changed
from finsam.tenancy.scope import Scope

from .models import (
    RESERVED_INTERVENTION_SLUGS, Intervention, TargetGroup, goal_metric_label, is_share_metric, validate_goal_metric,
)

TOP_KEYS = {"slug", "name", "organisationsnummer", "members", "target_groups", "interventions", "goals", "settings"}


# --- sections other apps add (finance, plans, measures, activity_kinds) ------------------------------

@dataclass(frozen=True)
class Section:
    """A top-level key of the förbundsfil owned by another app, registered in its
    ``AppConfig.ready`` with :func:`register_section`.

    ``parse(checker, value, context)`` validates the key's value and returns it cleaned; it reports
    every problem with ``checker.error(json_path, swedish_message)`` (paths start with the key, e.g.
    ``plans[1].focus_areas[2].key``). ``write(association, cleaned, summary, context)`` upserts it,
    inside the file's one transaction and the förbund's scope, recording in ``summary``
    (``Summary.created/updated/unchanged``); what the file leaves out is left untouched.
    ``export(association)`` returns the key's value for ``export_association_file`` (or None to
    leave the key out). Sections are parsed and written after the core keys, in ``order``."""

    key: str
    parse: object
    write: object
    export: object = None
    order: int = 100


@dataclass
class SectionContext:
    """What a section may refer to: the förbund as stored (None when the file creates it), and the
    insatser (slug -> kind) and member codes of the file and of the database together. ``written``
    is filled while writing: slug -> Intervention of every insats of the förbund."""

    association: object
    interventions: dict
    members: set
    written: dict = field(default_factory=dict)


_sections = {}


def register_section(section):
    if section.key in TOP_KEYS or section.key in _sections:
        raise ValueError(f"Section {section.key!r} of the förbundsfil is registered twice")
    _sections[section.key] = section
    return section


def _ordered_sections():
    return sorted(_sections.values(), key=lambda sec: sec.order)
MEMBER_KEYS = {"code", "name"}
TARGET_GROUP_KEYS = {"code", "label"}
INTERVENTION_KEYS = {
    "slug", "name", "kind", "start", "end", "target_groups", "owner", "external_provider", "description", "status",
}
GOAL_KEYS = {"intervention", "year", "metric", "target", "manual_result", "description"}
SETTINGS_KEYS = {"masking_threshold", "retention_years", "grade_acceptable_percent"}


class AssociationFileError(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Summary:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0

    def lines(self):
        return [
            f"Skapade: {len(self.created)}",
            *[f"  + {c}" for c in self.created],
            f"Uppdaterade: {len(self.updated)}",
            *[f"  ~ {u}" for u in self.updated],
            f"Oförändrade: {self.unchanged}",
        ]


class _Object(dict):
    """A JSON object of the file that remembers the fields it was given more than once (``json``
    keeps the last silently: {"target": A, "target": B} would read as B without a word)."""

    duplicates = ()


def _object(pairs):
    obj = _Object(pairs)
    if len(obj) < len(pairs):
        seen = set()
        obj.duplicates = sorted({key for key, _ in pairs if key in seen or seen.add(key)})
    return obj


class _Checker:
    def __init__(self):
        self.errors = []

    def error(self, where, message):
        # Messages quote the file's values: shortened, and never with an identity number in them.
        message = redact_identity_numbers(message)
        self.errors.append(f"{where}: {message if len(message) <= 300 else message[:300] + '…'}")

    def keys(self, where, obj, allowed, required=()):
        if not isinstance(obj, dict):
            self.error(where, "ska vara ett objekt ({…}).")
            return False
        for key in getattr(obj, "duplicates", ()):
            self.error(where, f"fältet \"{key}\" förekommer flera gånger i samma objekt.")
        for key in sorted(set(obj) - allowed):
            self.error(where, f"okänt fält \"{key}\". Tillåtna fält: {', '.join(sorted(allowed))}.")
        for key in required:
            if obj.get(key) in (None, ""):
                self.error(where, f"fältet \"{key}\" saknas.")
        return True

    def text(self, where, value, max_length):
        if not isinstance(value, str):
            self.error(where, "ska vara text.")
            return None
        if len(value) > max_length:
            self.error(where, f"får vara högst {max_length} tecken.")
            return None
        if "\x00" in value:
            self.error(where, "innehåller ett nolltecken (NUL), som inte kan sparas.")
            return None
        if contains_identity_number(value):
            self.error(where, IDENTITY_NUMBER_MESSAGE)
            return None
        return value.strip()

    def slug(self, where, value, max_length=50):
        try:
            if not isinstance(value, str):
                raise TypeError
            validate_slug(value)
        except (ValidationError, TypeError):
            self.error(where, f"\"{_shown(value)}\" är inget giltigt kortnamn (små bokstäver, siffror, - och _).")
            return None
        if len(value) > max_length:
            self.error(where, f"får vara högst {max_length} tecken.")
            return None
        if contains_identity_number(value):
            self.error(where, IDENTITY_NUMBER_MESSAGE)
            return None
        return value

    def code(self, where, value):
        """A value that must be one of a list's codes: text, or it is reported and ignored."""
        if value is None or isinstance(value, str):
            return value
        self.error(where, "ska vara text.")
        return None

    def date(self, where, value):
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(where, f"\"{value}\" är inget datum. Skriv ÅÅÅÅ-MM-DD, t.ex. 2024-01-31.")
            return None

    def number(self, where, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.error(where, "ska vara ett tal.")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(where, f"\"{_shown(value)}\" är inget tal.")
            return None
        # The columns hold 12 digits, 4 of them decimals.
        if not number.is_finite() or abs(number) >= 10 ** 8:
            self.error(where, "ska vara ett tal mindre än 100 000 000.")
            return None
        return number.quantize(Decimal("0.0001"))


def parse_member_code(code):
    """``(kind, municipality_code)`` for a member code, or None."""
    if code in ("fk", "af", "region"):
        return code, ""
    if isinstance(code, str) and code.startswith("kommun:") and valid_kommunkod(code[7:]):
        return "kommun", code[7:]
    return None


def parse_association_file(raw):
    """Validate a förbundsfil (bytes, str or already-decoded dict). Returns the cleaned document;
    raises :class:`AssociationFileError` listing every problem."""
    if isinstance(raw, (bytes, str)):
        try:
            raw = json.loads(raw, object_pairs_hook=_object)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            # ValueError: also numbers of more than 4 300 digits; RecursionError: deep nesting.
            detail = error if isinstance(error, json.JSONDecodeError) else "för djupt nästlad, för långa tal eller fel teckenkodning"
            raise AssociationFileError([f"Filen är ingen giltig JSON: {detail}"]) from None
    c = _Checker()
    if not c.keys("Förbundet", raw, TOP_KEYS | set(_sections), required=("slug",)):
        raise AssociationFileError(c.errors)
    doc = {"members": [], "target_groups": [], "interventions": [], "goals": [], "settings": {}}

    slug = c.slug("slug", raw.get("slug")) if raw.get("slug") else None
    if slug in RESERVED_SLUGS:
        c.error("slug", f"\"{slug}\" är reserverat. Välj ett annat kortnamn.")
    doc["slug"] = slug
    existing = Association.objects.filter(slug=slug).first() if slug else None
    # A file for a förbund that exists may leave out its name (e.g. slug + plans alone): what a file
    # leaves out is untouched. A new förbund needs one.
    if "name" in raw or existing is None:
        doc["name"] = c.text("name", raw.get("name", ""), 200)
        if not doc["name"] and existing is None:
            c.error("name", "saknas: ett nytt förbund behöver ett namn.")
    if "organisationsnummer" in raw or existing is None:
        orgnr = raw.get("organisationsnummer") or ""
        if orgnr:
            doc["organisationsnummer"] = normalise_organisationsnummer(str(orgnr))
            if doc["organisationsnummer"] is None:
                c.error("organisationsnummer", f"\"{orgnr}\" är inget giltigt organisationsnummer (NNNNNN-NNNN).")
        else:
            doc["organisationsnummer"] = ""

    settings = raw.get("settings", {})
    if c.keys("settings", settings, SETTINGS_KEYS):
        limits = {"masking_threshold": (MINIMUM_MASKING_THRESHOLD, 50), "retention_years": (1, 100),
                  "grade_acceptable_percent": (1, 100)}
        for key, value in settings.items():
            if key in limits:
                low, high = limits[key]
                if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                    c.error(f"settings.{key}", f"ska vara ett heltal från {low} till {high}.")
                else:
                    doc["settings"][key] = value

    member_codes = set()
    for i, member in enumerate(_list(c, raw, "members")):
        where = f"members[{i + 1}]"
        if not c.keys(where, member, MEMBER_KEYS, required=("code",)):
            continue
        parsed = parse_member_code(member.get("code"))
        if parsed is None:
            c.error(f"{where}.code", f"\"{member.get('code')}\" är ingen medlem. Tillåtet: fk, af, region, kommun:<kommunkod>.")
            continue
        name = c.text(f"{where}.name", member.get("name", ""), 200) or ""
        if parsed[0] in ("region", "kommun") and not name:
            c.error(f"{where}.name", "namnet saknas (krävs för region och kommun).")
        if member["code"] in member_codes:
            c.error(f"{where}.code", f"\"{member['code']}\" förekommer flera gånger.")
        member_codes.add(member["code"])
        doc["members"].append({"kind": parsed[0], "municipality_code": parsed[1], "name": name})

    own_groups = set()
    for i, group in enumerate(_list(c, raw, "target_groups")):
        where = f"target_groups[{i + 1}]"
        if not c.keys(where, group, TARGET_GROUP_KEYS, required=("code", "label")):
            continue
        code = c.slug(f"{where}.code", group.get("code"))
        if code in codes.TARGET_GROUP:
            c.error(f"{where}.code", f"\"{code}\" finns redan i den nationella kodlistan.")
        label = c.text(f"{where}.label", group.get("label", ""), 200)
        if code and label:
            own_groups.add(code)
            doc["target_groups"].append({"code": code, "label": label})

    intervention_slugs = set()
    for i, item in enumerate(_list(c, raw, "interventions")):
        where = f"interventions[{i + 1}]"
        if not c.keys(where, item, INTERVENTION_KEYS, required=("slug", "name", "start")):
            continue
        islug = c.slug(f"{where}.slug", item.get("slug"), max_length=60) if item.get("slug") else None
        if islug in RESERVED_INTERVENTION_SLUGS:
            c.error(f"{where}.slug", f"\"{islug}\" är reserverat. Välj ett annat kortnamn.")
        if islug in intervention_slugs:
            c.error(f"{where}.slug", f"\"{islug}\" förekommer flera gånger.")
        intervention_slugs.add(islug)
        kind = c.code(f"{where}.kind", item.get("kind", "individual"))
        if kind is not None and kind not in codes.INTERVENTION_KIND:
            c.error(f"{where}.kind", f"\"{kind}\" är ingen insatstyp. Tillåtet: individual, structural.")
        status = c.code(f"{where}.status", item.get("status", "active"))
        if status is not None and status not in codes.INTERVENTION_STATUS:
            c.error(f"{where}.status", f"\"{status}\" är ingen status. Tillåtet: {', '.join(codes.INTERVENTION_STATUS.codes)}.")
        start = c.date(f"{where}.start", item.get("start"))
        end = c.date(f"{where}.end", item.get("end"))
        if start and end and end < start:
            c.error(f"{where}.end", "slutdatum är före startdatum.")
        groups = item.get("target_groups", [])
        if not isinstance(groups, list):
            c.error(f"{where}.target_groups", "ska vara en lista av koder.")
            groups = []
        for code in groups:
            if not isinstance(code, str):
                c.error(f"{where}.target_groups", "ska vara en lista av koder (text).")
            elif code not in codes.TARGET_GROUP and code not in own_groups:
                c.error(f"{where}.target_groups", f"okänd målgrupp \"{code}\". Tillåtet: {', '.join(codes.TARGET_GROUP.codes + sorted(own_groups))}.")
        owner = c.code(f"{where}.owner", item.get("owner"))
        if owner is not None and owner not in member_codes:
            c.error(f"{where}.owner", f"\"{owner}\" är ingen medlem i filen.")
        if owner and item.get("external_provider"):
            c.error(f"{where}.external_provider", "ange antingen owner eller external_provider, inte båda.")
        doc["interventions"].append(
            {
                "slug": islug,
                "name": c.text(f"{where}.name", item.get("name", ""), 200),
                "kind": kind,
                "status": status,
                "start_date": start,
                "end_date": end,
                "target_groups": list(groups),
                "owner": owner,
                "external_provider": c.text(f"{where}.external_provider", item.get("external_provider") or "", 200) or "",
                "description": c.text(f"{where}.description", item.get("description") or "", 10000) or "",
            }
        )

    goal_keys = set()
    for i, goal in enumerate(_list(c, raw, "goals")):
        where = f"goals[{i + 1}]"
        if not c.keys(where, goal, GOAL_KEYS, required=("intervention", "year", "metric", "target")):
            continue
        goal_intervention = c.code(f"{where}.intervention", goal.get("intervention"))
        if goal_intervention and goal_intervention not in intervention_slugs:
            c.error(f"{where}.intervention", f"\"{goal_intervention}\" är ingen insats i filen.")
        year = goal.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100):
            c.error(f"{where}.year", f"\"{_shown(year)}\" är inget år (2000–2100).")
            year = None
        metric = c.code(f"{where}.metric", goal.get("metric")) or ""
        try:
            validate_goal_metric(metric)
        except ValidationError:
            c.error(f"{where}.metric", f"okänt mått \"{metric}\". Tillåtet: {', '.join(codes.GOAL_METRIC.codes)}, share_exit_reason:<avslutsorsak>.")
        target = c.number(f"{where}.target", goal.get("target")) if goal.get("target") is not None else None
        if target is not None and is_share_metric(metric) and not 0 <= target <= 1:
            c.error(f"{where}.target", "en andel anges som ett tal mellan 0 och 1.")
        manual = goal.get("manual_result")
        manual = c.number(f"{where}.manual_result", manual) if manual is not None else None
        key = (goal_intervention, year, metric)
        if key in goal_keys:
            c.error(where, "samma mål (insats, år, mått) förekommer flera gånger.")
        goal_keys.add(key)
        doc["goals"].append(
            {
                "intervention": goal_intervention,
                "year": year,
                "metric": metric,
                "target": target,
                "manual_result": manual,
                "description": c.text(f"{where}.description", goal.get("description") or "", 300) or "",
            }
        )

    if any(sec.key in raw for sec in _sections.values()):
        context = _section_context(existing, doc)
        doc["sections"] = {}
        with (Scope.of(existing).activate() if existing else _nothing()):
            for section in _ordered_sections():
                if section.key in raw:
                    doc["sections"][section.key] = section.parse(c, raw[section.key], context)
        doc["section_context"] = context

    if c.errors:
        raise AssociationFileError(c.errors)
    return doc


def _section_context(existing, doc):
    interventions, members = {}, set()
    if existing is not None:
        with Scope.of(existing).activate():
            interventions = dict(Intervention.objects.filter(association=existing).values_list("slug", "kind"))
            members = {m.code for m in Member.objects.filter(association=existing)}
    interventions.update({i["slug"]: i["kind"] for i in doc["interventions"] if i["slug"]})
    members.update(m["code"] for m in doc["members"] if m.get("code"))
    return SectionContext(existing, interventions, members)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _shown(value):
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _list(checker, raw, key):
    value = raw.get(key, [])
    if not isinstance(value, list):
        checker.error(key, "ska vara en lista ([…]).")
        return []
    return value


def _upsert(model, lookup, values, summary, label):
    """Create or update one row; record what happened in ``summary``."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        summary.created.append(label)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save()
        summary.updated.append(f"{label} ({', '.join(changed)})")
    else:
        summary.unchanged += 1
    return obj


def apply_association_file(raw, *, expected_slug=None):
    """Create or update the association described by ``raw``. Returns (association, Summary).
    ``expected_slug`` refuses a file describing another association. The whole file is validated
    before anything is written, and then written in one transaction."""
    doc = parse_association_file(raw)
    if expected_slug and doc["slug"] != expected_slug:
        raise AssociationFileError(
            [f"slug: filen gäller \"{doc['slug']}\", men du uppdaterar \"{expected_slug}\"."]
        )
    return _write(doc)


@transaction.atomic
def _write(doc):
    summary = Summary()
    own = {k: doc[k] for k in ("name", "organisationsnummer") if k in doc}
    association = _upsert(Association, {"slug": doc["slug"]}, {**own, **doc["settings"]}, summary,
                          f"förbund {doc['slug']}")
    # The rest belongs to the förbund the file names: written in its scope (tenancy/scope.py).
    with Scope.of(association).activate():
        return _write_contents(association, doc, summary)


def _write_contents(association, doc, summary):
    members = {}
    for m in doc["members"]:
        lookup = {"association": association, "kind": m["kind"], "municipality_code": m["municipality_code"]}
        member = _upsert(Member, lookup, {"name": m["name"]}, summary, f"medlem {m['kind']} {m['municipality_code']}".strip())
        members[member.code] = member
    for g in doc["target_groups"]:
        _upsert(TargetGroup, {"association": association, "code": g["code"]}, {"label": g["label"]}, summary, f"målgrupp {g['code']}")
    interventions = {}
    for item in doc["interventions"]:
        values = {k: item[k] for k in ("name", "kind", "status", "start_date", "end_date", "target_groups", "external_provider", "description")}
        values["owner_member"] = members.get(item["owner"]) if item["owner"] else None
        interventions[item["slug"]] = _upsert(
            Intervention, {"association": association, "slug": item["slug"]}, values, summary, f"insats {item['slug']}"
        )
    if doc.get("sections"):
        context = doc["section_context"]
        context.association = association
        context.written = {i.slug: i for i in Intervention.objects.filter(association=association)}
        for section in _ordered_sections():
            if section.key in doc["sections"]:
                section.write(association, doc["sections"][section.key], summary, context)
    # After the sections: an insats goal becomes an indicator of the plan covering its year
    # (plans/legacy.py), which must be the file's own plan when the file brings one, not a
    # "vp-<year>" made up before the file's plan is written (two plans for one year).
    # The plan is the only store of insats goals: each entry upserts its indicator directly.
    from finsam.plans.legacy import write_goal

    for g in doc["goals"]:
        label = f"mål {g['intervention']} {g['year']} {g['metric']}"
        _, changed = write_goal(interventions[g["intervention"]], g["year"], g["metric"], g["target"],
                                manual_result=g["manual_result"], description=g["description"],
                                label=goal_metric_label(g["metric"]))
        if changed is None:
            summary.created.append(label)
        elif changed:
            summary.updated.append(f"{label} ({', '.join(changed)})")
        else:
            summary.unchanged += 1
    if summary.created or summary.updated:
        mark_data_changed(association.pk)
    return association, summary


def export_association_file(association):
    """The förbundsfil that reproduces ``association`` when applied."""
    from finsam.plans.legacy import exported_goals

    def number(value):
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)

    document = {
        "slug": association.slug,
        "name": association.name,
        "organisationsnummer": association.organisationsnummer,
        "settings": {
            "masking_threshold": association.masking_threshold,
            "retention_years": association.retention_years,
            "grade_acceptable_percent": association.grade_acceptable_percent,
        },
        "members": [{"code": m.code, **({"name": m.name} if m.name else {})} for m in association.members.all()],
        "target_groups": [{"code": t.code, "label": t.label} for t in association.target_groups.all()],
        "interventions": [
            {
                "slug": i.slug,
                "name": i.name,
                "kind": i.kind,
                "status": i.status,
                "start": i.start_date.isoformat(),
                "end": i.end_date.isoformat() if i.end_date else None,
                "target_groups": i.target_groups,
                "owner": i.owner_member.code if i.owner_member else None,
                "external_provider": i.external_provider,
                "description": i.description,
            }
            for i in association.interventions.select_related("owner_member").order_by("slug")
        ],
        # the insats goals as the shorthand can say them; every indicator is in "plans" too
        "goals": exported_goals(association),
    }
    for section in _ordered_sections():
        value = section.export(association) if section.export else None
        if value is not None:
            document[section.key] = value
    return document
