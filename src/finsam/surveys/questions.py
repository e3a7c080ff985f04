"""The question-set file (``finsam-questions/1``, shared/spec/surveys.md "Files"): parse it listing
every error by JSON path, then write it in one transaction. Loading the same file again changes
nothing; a locked version (one with a response) may not change at all, and no question may change
its scale from one version to another: both are refused listing every difference.

``load_question_set(raw, association, confirmed_by=...)``: a ``nns`` set is refused unless someone
confirmed the förbund's agreement with NNS (``confirmed_by``: a User or a name), which is recorded.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from finsam.interventions.association_file import _Checker
from finsam.tenancy.models import mark_data_changed

from . import codes
from .errors import SurveyFileError
from .jsonfile import plain, read_json
from .models import Indicator, Question, QuestionSet, RespondentGroup, Scale

FORMAT = "finsam-questions/1"
# What one paper questionnaire, one respondent page and one paper-entry page show, each made in a web
# request: 200 questions of the longest text with 20 steps each print in about 8 s (4 steps: 4 s;
# 1 000 questions took 18 s, and a 20 MB file could hold 18 000), and a page's form stays far below
# DATA_UPLOAD_MAX_NUMBER_FIELDS. A scale of 0-10 has 11 steps.
MAX_QUESTIONS = 200
MAX_STEPS = 20
TOP_KEYS = {"format", "key", "version", "source", "title", "languages", "respondent_groups", "indicators", "scales",
            "questions", "ui"}


@dataclass
class LoadSummary:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    def lines(self):
        return ([f"Skapad: {c}" for c in self.created] + [f"Uppdaterad: {u}" for u in self.updated]
                + [f"Oförändrad: {u}" for u in self.unchanged])


def _texts(c, where, value, languages, *, required=("sv",), max_length=1000):
    """A {language: text} object; ``required`` languages must be there."""
    if not isinstance(value, dict):
        c.error(where, "ska vara ett objekt med en text per språk, t.ex. {\"sv\": \"…\"}.")
        return {}
    result = {}
    for lang, text in value.items():
        if lang not in languages:
            c.error(f"{where}.{lang}", f"språket \"{lang}\" finns inte bland filens språk ({', '.join(languages)}).")
            continue
        cleaned = c.text(f"{where}.{lang}", text, max_length)
        if cleaned:
            result[lang] = cleaned
        elif cleaned is not None:
            c.error(f"{where}.{lang}", "är tom.")
    for lang in required:
        if lang not in value:
            c.error(where, f"texten på \"{lang}\" saknas.")
    return result


def _list(c, where, value):
    if not isinstance(value, list):
        c.error(where, "ska vara en lista ([…]).")
        return []
    return value


def parse_question_set(raw, association):
    """The cleaned document of a question-set file, or SurveyFileError with every error."""
    raw = read_json(raw, FORMAT)
    c = _Checker()
    c.keys("Frågeuppsättningen", raw, TOP_KEYS, required=("key", "version", "source", "title", "questions"))
    doc = {"key": c.slug("key", raw.get("key"), 80) if raw.get("key") else None}
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 10_000:
        c.error("version", f"\"{version}\" ska vara ett heltal från 1.")
        version = None
    doc["version"] = version
    source = raw.get("source")
    if source not in codes.SOURCE:
        c.error("source", f"\"{source}\" är ingen tillåten källa ({', '.join(codes.SOURCE.codes)}).")
    doc["source"] = source
    doc["title"] = c.text("title", raw.get("title", ""), 300) or ""
    languages = _list(c, "languages", raw.get("languages", ["sv"]))
    if not all(isinstance(lang, str) and 1 <= len(lang) <= 20 and lang.replace("-", "").isalnum()
               for lang in languages):
        c.error("languages", "ska vara en lista av språkkoder, t.ex. [\"sv\", \"sv-lattlast\", \"en\"].")
        languages = [lang for lang in languages if isinstance(lang, str)]
    if "sv" not in languages:
        c.error("languages", "svenska (\"sv\") måste finnas.")
    doc["languages"] = list(dict.fromkeys(languages))

    groups = {}
    for i, g in enumerate(_list(c, "respondent_groups", raw.get("respondent_groups", []))):
        where = f"respondent_groups[{i}]"
        if not c.keys(where, g, {"code", "label"}, required=("code", "label")):
            continue
        code = c.slug(f"{where}.code", g.get("code"))
        label = c.text(f"{where}.label", g.get("label", ""), 200)
        if code in codes.RESPONDENT_GROUP or code == codes.TOTAL:
            c.error(f"{where}.code", f"\"{code}\" är en inbyggd respondentgrupp eller reserverad.")
        elif code and code in groups:
            c.error(f"{where}.code", f"\"{code}\" finns två gånger.")
        elif code and label:
            groups[code] = label
    doc["respondent_groups"] = groups
    known_groups = set(codes.RESPONDENT_GROUP.codes) | set(groups)

    indicators = {}
    for i, ind in enumerate(_list(c, "indicators", raw.get("indicators", []))):
        where = f"indicators[{i}]"
        if not c.keys(where, ind, {"code", "name", "level", "measurement_points"}, required=("code", "name", "level")):
            continue
        code = c.text(f"{where}.code", ind.get("code", ""), 30)
        name = c.text(f"{where}.name", ind.get("name", ""), 300)
        level = ind.get("level")
        if level not in codes.LEVEL:
            c.error(f"{where}.level", f"\"{level}\" är ingen nivå ({', '.join(codes.LEVEL.codes)}).")
        points = []
        for j, p in enumerate(_list(c, f"{where}.measurement_points", ind.get("measurement_points", []))):
            pw = f"{where}.measurement_points[{j}]"
            if c.keys(pw, p, {"code", "text"}, required=("code", "text")):
                pc, pt = c.text(f"{pw}.code", p.get("code", ""), 30), c.text(f"{pw}.text", p.get("text", ""), 500)
                if pc and pt:
                    points.append({"code": pc, "text": pt})
        if code and code in indicators:
            c.error(f"{where}.code", f"\"{code}\" finns två gånger.")
        elif code:
            indicators[code] = {"code": code, "name": name or "", "level": level, "measurement_points": points}
    doc["indicators"] = indicators

    scales = {}
    for i, s in enumerate(_list(c, "scales", raw.get("scales", []))):
        where = f"scales[{i}]"
        if not c.keys(where, s, {"key", "steps", "dont_know"}, required=("key", "steps")):
            continue
        key = c.slug(f"{where}.key", s.get("key"))
        if key == codes.FREE_TEXT:
            c.error(f"{where}.key", f"\"{codes.FREE_TEXT}\" är reserverat för fritextfrågor.")
        steps = []
        raw_steps = _list(c, f"{where}.steps", s.get("steps", []))
        too_many = len(raw_steps) > MAX_STEPS
        if too_many:
            c.error(f"{where}.steps", f"en skala får ha högst {MAX_STEPS} steg (den har {len(raw_steps)}).")
        for j, step in enumerate([] if too_many else raw_steps):
            sw = f"{where}.steps[{j}]"
            if not c.keys(sw, step, {"code", "bucket", "label"}, required=("code", "bucket", "label")):
                continue
            code = c.slug(f"{sw}.code", step.get("code"))
            if code in (codes.DONT_KNOW, codes.FREE_TEXT):
                c.error(f"{sw}.code", f"\"{code}\" är reserverat.")
            if code and code in [x["code"] for x in steps]:
                c.error(f"{sw}.code", f"\"{code}\" finns två gånger i skalan.")
            if step.get("bucket") not in codes.BUCKET:
                c.error(f"{sw}.bucket", f"\"{step.get('bucket')}\" ska vara {', '.join(codes.BUCKET.codes)}.")
            label = _texts(c, f"{sw}.label", step.get("label"), doc["languages"], max_length=200)
            steps.append({"code": code, "bucket": step.get("bucket"), "label": label})
        if len(steps) < 2 and not too_many:
            c.error(f"{where}.steps", "en skala behöver minst två steg.")
        dont_know = None
        if s.get("dont_know") is not None:
            dont_know = _texts(c, f"{where}.dont_know", s.get("dont_know"), doc["languages"], max_length=200)
        if key and key in scales:
            c.error(f"{where}.key", f"\"{key}\" finns två gånger.")
        elif key:
            scales[key] = {"key": key, "steps": steps, "dont_know": dont_know}
    doc["scales"] = scales

    questions = []
    seen = set()
    raw_questions = _list(c, "questions", raw.get("questions", []))
    too_many = len(raw_questions) > MAX_QUESTIONS
    if too_many:
        c.error("questions", f"en frågeuppsättning får ha högst {MAX_QUESTIONS} frågor (filen har {len(raw_questions)}).")
    for i, q in enumerate([] if too_many else raw_questions):
        where = f"questions[{i}]"
        if not c.keys(where, q, {"key", "indicator", "measurement_point", "groups", "scale", "text"},
                      required=("key", "groups", "scale", "text")):
            continue
        key = c.slug(f"{where}.key", q.get("key"))
        if key in seen:
            c.error(f"{where}.key", f"\"{key}\" finns två gånger.")
        seen.add(key)
        indicator = plain(q.get("indicator"))
        point = plain(q.get("measurement_point")) or ""
        if indicator is not None and indicator not in indicators:
            c.error(f"{where}.indicator", f"\"{indicator}\" finns inte bland filens indikatorer.")
        elif indicator and point and point not in [p["code"] for p in indicators[indicator]["measurement_points"]]:
            c.error(f"{where}.measurement_point", f"\"{point}\" är ingen mätpunkt för indikator {indicator}.")
        if point and not indicator:
            c.error(f"{where}.measurement_point", "en mätpunkt kräver en indikator.")
        qgroups = [plain(g) for g in _list(c, f"{where}.groups", q.get("groups"))]
        for g in qgroups:
            if g not in known_groups:
                c.error(f"{where}.groups", f"\"{g}\" är ingen respondentgrupp (inbyggda: "
                                          f"{', '.join(codes.RESPONDENT_GROUP.codes)}; egna deklareras i respondent_groups).")
        if not qgroups:
            c.error(f"{where}.groups", "minst en respondentgrupp behövs.")
        scale = plain(q.get("scale"))
        if scale != codes.FREE_TEXT and scale not in scales:
            c.error(f"{where}.scale", f"\"{scale}\" finns inte bland filens skalor (eller \"{codes.FREE_TEXT}\").")
        if scale == codes.FREE_TEXT and indicator:
            c.error(f"{where}.indicator", "en fritextfråga hör inte till någon indikator.")
        text = _texts(c, f"{where}.text", q.get("text"), doc["languages"])
        questions.append({"key": key, "indicator": indicator, "measurement_point": point,
                          "groups": list(dict.fromkeys(g for g in qgroups if isinstance(g, str))),
                          "scale": scale, "text": text})
    if not questions and "questions" in raw and not too_many:
        c.error("questions", "minst en fråga behövs.")
    doc["questions"] = questions

    ui = raw.get("ui", {})
    doc["ui"] = {}
    if not isinstance(ui, dict):
        c.error("ui", "ska vara ett objekt med sidtexter per språk.")
    else:
        for lang, texts in ui.items():
            if lang not in doc["languages"]:
                c.error(f"ui.{lang}", f"språket \"{lang}\" finns inte bland filens språk.")
                continue
            if c.keys(f"ui.{lang}", texts, set(codes.UI_KEYS)):
                doc["ui"][lang] = {k: c.text(f"ui.{lang}.{k}", v, 1000) or "" for k, v in texts.items()}
    if c.errors:
        raise SurveyFileError(c.errors)
    _check_against_stored(doc, association)
    return doc


def scale_signature(scale):
    """What may not change between versions of a question: its step codes and buckets, in order,
    and whether it has *vet ej*. Labels may be reworded. None: free text."""
    if scale is None:
        return None
    if isinstance(scale, Scale):
        return (tuple((s["code"], s["bucket"]) for s in scale.steps), scale.dont_know is not None)
    return (tuple((s["code"], s["bucket"]) for s in scale["steps"]), scale["dont_know"] is not None)


def _describe(signature):
    if signature is None:
        return "fritext"
    steps, dont_know = signature
    return ", ".join(f"{code} ({bucket})" for code, bucket in steps) + (" + vet ej" if dont_know else "")


def _check_against_stored(doc, association):
    """Refusals that depend on what is stored: keys and codes of other sets, scale changes, a
    locked version's changes. Every difference is listed."""
    errors = []
    stored = QuestionSet.objects.filter(association=association)
    other_questions = {q.key: q.question_set.key for q in Question.objects.filter(association=association)
                       .exclude(question_set__key=doc["key"]).select_related("question_set")}
    for i, q in enumerate(doc["questions"]):
        if q["key"] in other_questions:
            errors.append(f"questions[{i}].key: frågan \"{q['key']}\" finns redan i frågeuppsättningen "
                          f"\"{other_questions[q['key']]}\". Frågenycklar är unika i förbundet.")
    other_indicators = dict(Indicator.objects.filter(association=association).exclude(set_key=doc["key"])
                            .values_list("code", "set_key"))
    for code in doc["indicators"]:
        if code in other_indicators:
            errors.append(f"indicators: indikatorn \"{code}\" finns redan i frågeuppsättningen "
                          f"\"{other_indicators[code]}\". Indikatorkoder är unika i förbundet.")
    builtin_or_other = dict(RespondentGroup.objects.filter(association=association).values_list("code", "label"))
    for code, label in doc["respondent_groups"].items():
        if code in builtin_or_other and builtin_or_other[code] != label:
            errors.append(f"respondent_groups: gruppen \"{code}\" heter redan \"{builtin_or_other[code]}\".")
    # Scales: the same key in any version of this set keeps its scale.
    earlier = {}
    for q in Question.objects.filter(association=association, question_set__key=doc["key"]).exclude(
            question_set__version=doc["version"]).select_related("scale", "question_set"):
        earlier.setdefault(q.key, (q.question_set.version, scale_signature(q.scale)))
    for i, q in enumerate(doc["questions"]):
        if q["key"] in earlier:
            version, before = earlier[q["key"]]
            now = None if q["scale"] == codes.FREE_TEXT else scale_signature(doc["scales"][q["scale"]])
            if before != now:
                errors.append(f"questions[{i}].scale: frågan \"{q['key']}\" har i version {version} skalan "
                              f"{_describe(before)}, här {_describe(now)}. En fråga får aldrig byta skala: "
                              "nya svarsalternativ kräver en ny nyckel.")
    existing = stored.filter(key=doc["key"], version=doc["version"]).first()
    if existing is not None and existing.locked:
        differences = _differences(stored_document(existing), doc)
        for d in differences:
            errors.append(f"Version {doc['version']} av \"{doc['key']}\" är låst (den har svar): {d}. "
                          "Ändringar kräver en ny version.")
    if errors:
        raise SurveyFileError(errors)


def _differences(before, after):
    """Human-readable differences between two cleaned documents (only the parts a version fixes)."""
    result = []
    for key in ("source", "title", "languages", "ui", "respondent_groups"):
        if before[key] != after[key]:
            result.append(f"\"{key}\" skiljer sig")
    for kind, label in (("indicators", "indikatorn"), ("scales", "skalan")):
        # Indicators belong to the set key (shared by its versions): only those a question uses count.
        used = (lambda d: {q["indicator"] for q in d["questions"]}) if kind == "indicators" else None
        b = {k: v for k, v in before[kind].items() if used is None or k in used(before)}
        a = {k: v for k, v in after[kind].items() if used is None or k in used(after)}
        for code in sorted(set(b) | set(a)):
            if b.get(code) != a.get(code):
                result.append(f"{label} \"{code}\" skiljer sig" if code in b and code in a
                              else f"{label} \"{code}\" {'saknas' if code in b else 'är ny'}")
    bq = {q["key"]: q for q in before["questions"]}
    aq = {q["key"]: q for q in after["questions"]}
    for key in list(bq) + [k for k in aq if k not in bq]:
        if key not in aq:
            result.append(f"frågan \"{key}\" saknas")
        elif key not in bq:
            result.append(f"frågan \"{key}\" är ny")
        else:
            for part in ("indicator", "measurement_point", "groups", "scale", "text"):
                if bq[key][part] != aq[key][part]:
                    result.append(f"frågan \"{key}\": \"{part}\" skiljer sig")
    if [q["key"] for q in before["questions"]] != [q["key"] for q in after["questions"]] and set(bq) == set(aq):
        result.append("frågornas ordning skiljer sig")
    return result


def stored_document(question_set):
    """A stored version as the cleaned document its file gave (for comparison and export)."""
    indicator_codes = {q.indicator.code for q in question_set.questions.all() if q.indicator_id}
    indicators = {i.code: {"code": i.code, "name": i.name, "level": i.level, "measurement_points": i.measurement_points}
                  for i in Indicator.objects.filter(association=question_set.association_id, code__in=indicator_codes)}
    group_codes = {g for q in question_set.questions.all() for g in q.groups} - set(codes.RESPONDENT_GROUP.codes)
    groups = {g.code: g.label for g in RespondentGroup.objects.filter(association=question_set.association_id,
                                                                      code__in=group_codes)}
    return {
        "key": question_set.key, "version": question_set.version, "source": question_set.source,
        "title": question_set.title, "languages": list(question_set.languages), "ui": question_set.ui,
        "respondent_groups": groups,
        "indicators": indicators,
        "scales": {s.key: {"key": s.key, "steps": s.steps, "dont_know": s.dont_know} for s in question_set.scales.all()},
        "questions": [{"key": q.key, "indicator": q.indicator.code if q.indicator_id else None,
                       "measurement_point": q.measurement_point, "groups": q.groups,
                       "scale": q.scale.key if q.scale_id else codes.FREE_TEXT, "text": q.text}
                      for q in question_set.questions.select_related("indicator", "scale").order_by("position")],
    }


def load_question_set(raw, association, *, confirmed_by=None):
    """Parse and write a question-set file for ``association`` (in its scope). ``confirmed_by``
    (a User or a name) confirms the NNS agreement: required for a ``nns`` set. Returns LoadSummary."""
    doc = parse_question_set(raw, association)
    if doc["source"] == "nns" and not confirmed_by:
        raise SurveyFileError(["source: en frågeuppsättning från NNS får bara läsas in av förbund med avtal med NNS. "
                               "Bekräfta avtalet (kommandot: --bekrafta-nns-avtal NAMN) och försök igen."])
    summary = LoadSummary()
    label = f"{doc['title']} ({doc['key']}, version {doc['version']})"
    with transaction.atomic():
        # One load of a set at a time in a förbund: lock the stored versions of the key.
        list(QuestionSet.objects.select_for_update().filter(association=association, key=doc["key"]))
        existing = QuestionSet.objects.filter(association=association, key=doc["key"], version=doc["version"]).first()
        if existing is not None:
            if existing.locked or not _differences(stored_document(existing), doc):
                if existing.locked:
                    _check_against_stored(doc, association)  # a response arrived since parsing
                summary.unchanged.append(label)
                return summary
        _write(doc, association, existing, confirmed_by)
        (summary.updated if existing else summary.created).append(label)
        mark_data_changed(association.pk)
    return summary


def _write(doc, association, existing, confirmed_by):
    for code, label in doc["respondent_groups"].items():
        RespondentGroup.objects.get_or_create(association=association, code=code, defaults={"label": label})
    indicators = {}
    for code, ind in doc["indicators"].items():
        obj, _ = Indicator.objects.update_or_create(
            association=association, code=code,
            defaults={"set_key": doc["key"], "name": ind["name"], "level": ind["level"],
                      "measurement_points": ind["measurement_points"]})
        indicators[code] = obj
    values = {"source": doc["source"], "title": doc["title"], "languages": doc["languages"], "ui": doc["ui"]}
    if doc["source"] == "nns":
        user = confirmed_by if hasattr(confirmed_by, "pk") else None
        values.update(nns_confirmed_by=user, nns_confirmed_by_name=getattr(confirmed_by, "username", None)
                      or str(confirmed_by)[:200], nns_confirmed_at=timezone.now())
    if existing is None:
        qs = QuestionSet.objects.create(association=association, key=doc["key"], version=doc["version"], **values)
    else:
        qs = existing
        for k, v in values.items():
            setattr(qs, k, v)
        qs.save()
        qs.questions.all().delete()
        qs.scales.all().delete()
    scales = {key: Scale.objects.create(association=association, question_set=qs, key=key, steps=s["steps"],
                                        dont_know=s["dont_know"]) for key, s in doc["scales"].items()}
    for position, q in enumerate(doc["questions"], start=1):
        Question.objects.create(
            association=association, question_set=qs, position=position, key=q["key"],
            indicator=indicators.get(q["indicator"]), measurement_point=q["measurement_point"], groups=q["groups"],
            scale=scales.get(q["scale"]), text=q["text"])
    return qs
