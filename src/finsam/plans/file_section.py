"""The förbundsfil's ``plans`` key (shared/spec/activities-and-goals.md, "Förbundsfil extension";
docs/architecture.md, "How to add a section to the förbundsfil"): parsed with every error at its
JSON path, upserted by key inside the file's transaction (nothing deleted by omission), exported
back."""

from finsam.interventions.association_file import Section, _upsert
from finsam.statistics import metrics

from .models import GRADE_CHOICES, Assessment, FocusArea, Indicator, Plan, PlanGoal

PLAN_KEYS = {"key", "name", "from_year", "to_year", "adopted", "focus_areas"}
AREA_KEYS = {"key", "name", "assessments", "goals"}
ASSESSMENT_KEYS = {"year", "grade", "text"}
GOAL_KEYS = {"key", "name", "intervention", "indicators"}
INDICATOR_KEYS = {"key", "text", "metric", "interventions", "target", "period", "milestones", "baselines", "results"}
TARGET_TYPES = ("at_least", "at_most", "between", "higher_than_previous", "lower_than_previous", "none")
# Sources of the spec whose apps may not be installed yet: accepted unchecked, resolved to no
# result (Ej bedömt) until their app registers them (statistics/metrics.py).
LATER_SOURCES = ("activities", "measures", "surveys", "finance")
# An indicator's keys a file may leave out: what it leaves out stays as stored (a new indicator gets
# the defaults: the whole förbund, no target, the calendar year, none of the lists).
OPTIONAL_INDICATOR_KEYS = {"interventions", "target", "period", "milestones", "baselines", "results"}
GRADES = [code for code, _ in GRADE_CHOICES]


def _year(c, where, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        c.error(where, f"\"{value}\" är inget år (2000–2100).")
        return None
    return value


def _grade(c, where, value):
    if value not in GRADES:
        c.error(where, f"okänd bedömning \"{value}\". Tillåtna: {', '.join(GRADES)}.")
        return False
    return True


def _list(c, where, value):
    if value is None:
        return []
    if not isinstance(value, list):
        c.error(where, "ska vara en lista ([…]).")
        return []
    return value


def _num(c, where, value, share=False):
    number = c.number(where, value)
    if number is None:
        return None
    if number < 0:
        c.error(where, "får inte vara negativt.")
        return None
    if share and number > 1:
        c.error(where, "en andel anges som ett tal mellan 0 och 1, t.ex. 0,35 för 35 %.")
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _keyed(c, where, item, allowed, seen, required=("key",), model=Plan):
    if not c.keys(where, item, allowed, required=required):
        return None
    # the model's own length (PostgreSQL refuses a longer key; SQLite would keep it)
    length = model._meta.get_field("key").max_length
    key = c.slug(f"{where}.key", item.get("key"), max_length=length) if item.get("key") not in (None, "") else None
    if key is not None:
        if key in seen:
            c.error(f"{where}.key", f"nyckeln \"{key}\" förekommer flera gånger.")
        seen.add(key)
    return key


def _indicator_key(c, where, item, seen):
    # an insats goal's indicator key is its metric, which may hold ":" (share_exit_reason:<code>)
    if not c.keys(where, item, INDICATOR_KEYS, required=("key", "text", "metric")):
        return None
    key = item.get("key")
    if not isinstance(key, str) or not key or len(key) > 80 or not all(ch.isalnum() or ch in "-_:" for ch in key):
        c.error(f"{where}.key", f"\"{key}\" är ingen giltig nyckel (bokstäver, siffror, -, _ och :).")
        return None
    if key in seen:
        c.error(f"{where}.key", f"nyckeln \"{key}\" förekommer flera gånger.")
    seen.add(key)
    return key


def parse_target(c, where, target, unit):
    if not isinstance(target, dict):
        c.error(where, "ska vara ett objekt med \"type\".")
        return None
    kind = target.get("type")
    if kind not in TARGET_TYPES:
        c.error(f"{where}.type", f"okänd måltyp \"{kind}\". Tillåtna: {', '.join(TARGET_TYPES)}.")
        return None
    allowed = {"type", "by_year"} | ({"from", "to"} if kind == "between" else {"value"} if kind in ("at_least", "at_most") else set())
    c.keys(where, target, allowed)
    share = unit in ("share", "points")
    clean = {"type": kind}
    needed = ("from", "to") if kind == "between" else ("value",) if kind in ("at_least", "at_most") else ()
    by_year = target.get("by_year")
    for key in needed:
        if target.get(key) is None and not by_year:
            c.error(f"{where}.{key}", "saknas.")
        elif target.get(key) is not None:
            clean[key] = _num(c, f"{where}.{key}", target[key], share)
    if by_year is not None:
        if not isinstance(by_year, dict) or not needed:
            c.error(f"{where}.by_year", "ska vara ett objekt med år och mål, t.ex. {\"2025\": 140}, och bara med "
                                        "måltyperna at_least, at_most och between.")
        else:
            clean["by_year"] = {}
            for year, value in by_year.items():
                if not (isinstance(year, str) and year.isdigit() and 2000 <= int(year) <= 2100):
                    c.error(f"{where}.by_year", f"\"{year}\" är inget år.")
                    continue
                if kind == "between":
                    if not isinstance(value, dict) or set(value) != {"from", "to"}:
                        c.error(f"{where}.by_year.{year}", "ska vara {\"from\": …, \"to\": …}.")
                        continue
                    pair = {k: _num(c, f"{where}.by_year.{year}.{k}", value[k], share) for k in ("from", "to")}
                    if None not in pair.values() and pair["from"] > pair["to"]:
                        c.error(f"{where}.by_year.{year}.from", "\"from\" får inte vara större än \"to\".")
                    clean["by_year"][year] = pair
                else:
                    clean["by_year"][year] = _num(c, f"{where}.by_year.{year}", value, share)
    if kind == "between" and clean.get("from") is not None and clean.get("to") is not None and clean["from"] > clean["to"]:
        c.error(f"{where}.from", "\"from\" får inte vara större än \"to\".")
    return clean


def parse_period(c, where, period, plan_years):
    if period is None:
        return {"type": "year"}
    if not isinstance(period, dict) or period.get("type") not in ("year", "span"):
        c.error(where, "ska vara {\"type\": \"year\"} eller {\"type\": \"span\", \"from\": …, \"to\": …}.")
        return None
    c.keys(where, period, {"type", "from", "to"})
    if period["type"] == "year":
        return {"type": "year"}
    start, end = c.date(f"{where}.from", period.get("from")), c.date(f"{where}.to", period.get("to"))
    if start is None or end is None:
        if period.get("from") is None or period.get("to") is None:
            c.error(where, "en projektperiod behöver \"from\" och \"to\".")
        return None
    if start > end:
        c.error(f"{where}.from", "periodens början ligger efter dess slut.")
        return None
    return {"type": "span", "from": start.isoformat(), "to": end.isoformat()}


def _parse_indicator(c, where, item, context, plan_years):
    ref = item.get("metric")
    unit = "count"
    if isinstance(ref, dict) and ref.get("source") == "manual":
        ref = {k: v for k, v in ref.items() if k != "results"}
    pending = isinstance(ref, dict) and ref.get("source") in LATER_SOURCES and metrics.get_source(ref["source"]) is None
    errors = [e for e in [metrics.not_plain(ref)] if e] if pending else metrics.validate(ref, context.association)
    for message in errors:
        c.error(f"{where}.metric", message)
    if not errors and not pending:
        source = metrics.get_source(ref["source"])
        unit = source.unit(ref) if source.unit else "count"
    scope = []
    for j, slug in enumerate(_list(c, f"{where}.interventions", item.get("interventions"))):
        if not isinstance(slug, str) or slug not in context.interventions:
            c.error(f"{where}.interventions[{j + 1}]", f"\"{slug}\" är ingen insats i förbundet eller filen.")
        else:
            scope.append(slug)
    target = parse_target(c, f"{where}.target", item.get("target", {"type": "none"}), unit)
    period = parse_period(c, f"{where}.period", item.get("period"), plan_years)
    milestones = []
    for j, m in enumerate(_list(c, f"{where}.milestones", item.get("milestones"))):
        w = f"{where}.milestones[{j + 1}]"
        if c.keys(w, m, {"date", "value"}, required=("date", "value")):
            day = c.date(f"{w}.date", m.get("date"))
            value = _num(c, f"{w}.value", m.get("value"), unit in ("share", "points"))
            if day and value is not None:
                milestones.append({"date": day.isoformat(), "value": value})
    baselines = []
    for j, b in enumerate(_list(c, f"{where}.baselines", item.get("baselines"))):
        w = f"{where}.baselines[{j + 1}]"
        if c.keys(w, b, {"year", "value", "numerator", "denominator", "text"}, required=("year", "value")):
            entry = {"year": _year(c, f"{w}.year", b.get("year")),
                     "value": _num(c, f"{w}.value", b.get("value"), unit == "share")}
            for k in ("numerator", "denominator"):
                if b.get(k) is not None:
                    entry[k] = _num(c, f"{w}.{k}", b[k])
            if b.get("text"):
                entry["text"] = c.text(f"{w}.text", b["text"], 500)
            baselines.append(entry)
    results = []
    raw_results = _list(c, f"{where}.results", item.get("results"))
    if raw_results and (not isinstance(ref, dict) or ref.get("source") != "manual"):
        c.error(f"{where}.results", "manuella resultat får bara anges för källan manual.")
    for j, r in enumerate(raw_results):
        w = f"{where}.results[{j + 1}]"
        if not c.keys(w, r, {"to", "value", "numerator", "denominator", "text", "grade"}, required=("to", "text")):
            continue
        day = c.date(f"{w}.to", r.get("to"))
        entry = {"to": day.isoformat() if day else None, "text": c.text(f"{w}.text", r.get("text"), 500)}
        if r.get("numerator") is not None or r.get("denominator") is not None:
            if r.get("value") is not None:
                c.error(w, "ange antingen \"value\" eller \"numerator\" och \"denominator\".")
            entry["numerator"] = _num(c, f"{w}.numerator", r.get("numerator"))
            entry["denominator"] = _num(c, f"{w}.denominator", r.get("denominator"))
            if entry["numerator"] is not None and entry["denominator"] is not None and entry["numerator"] > entry["denominator"]:
                c.error(f"{w}.numerator", "täljaren är större än nämnaren.")
        elif r.get("value") is not None:
            entry["value"] = _num(c, f"{w}.value", r.get("value"), unit in ("share", "points"))
        elif r.get("grade") is None:
            c.error(w, "ange \"value\", eller \"numerator\" och \"denominator\".")
        if r.get("grade") is not None:
            if (target or {}).get("type") != "none":
                c.error(f"{w}.grade", "en manuell bedömning får bara anges med måltypen none.")
            elif _grade(c, f"{w}.grade", r["grade"]):
                entry["grade"] = r["grade"]
        results.append(entry)
    return {"text": c.text(f"{where}.text", item.get("text"), 500), "metric": ref if isinstance(ref, dict) else {},
            "interventions": scope, "target": target, "period": period, "milestones": milestones,
            "baselines": baselines, "results": results}


def parse(c, value, context):
    plans = []
    if not isinstance(value, list):
        c.error("plans", "ska vara en lista ([…]).")
        return plans
    seen = set()
    for i, raw in enumerate(value):
        where = f"plans[{i + 1}]"
        key = _keyed(c, where, raw, PLAN_KEYS, seen, required=("key", "from_year", "to_year"))
        if key is None:
            continue
        start, end = _year(c, f"{where}.from_year", raw.get("from_year")), _year(c, f"{where}.to_year", raw.get("to_year"))
        if start and end and start > end:
            c.error(f"{where}.to_year", "slutåret ligger före startåret.")
        plan = {"key": key, "name": c.text(f"{where}.name", raw.get("name") or f"Verksamhetsplan {start}", 200),
                "from_year": start, "to_year": end, "adopted": c.date(f"{where}.adopted", raw.get("adopted")),
                "focus_areas": [], "given": set(raw) & {"name", "adopted"}}
        areas = set()
        for j, area in enumerate(_list(c, f"{where}.focus_areas", raw.get("focus_areas"))):
            w = f"{where}.focus_areas[{j + 1}]"
            akey = _keyed(c, w, area, AREA_KEYS, areas, required=("key", "name"), model=FocusArea)
            if akey is None:
                continue
            clean = {"key": akey, "name": c.text(f"{w}.name", area.get("name"), 300), "order": j,
                     "assessments": [], "goals": []}
            years = set()
            for k, a in enumerate(_list(c, f"{w}.assessments", area.get("assessments"))):
                wa = f"{w}.assessments[{k + 1}]"
                if not c.keys(wa, a, ASSESSMENT_KEYS, required=("year", "grade")):
                    continue
                year = _year(c, f"{wa}.year", a.get("year"))
                if year in years:
                    c.error(f"{wa}.year", f"året {year} förekommer flera gånger.")
                years.add(year)
                _grade(c, f"{wa}.grade", a.get("grade"))
                clean["assessments"].append({"year": year, "grade": a.get("grade"),
                                             "text": c.text(f"{wa}.text", a.get("text") or "", 5000)})
            goals = set()
            for k, goal in enumerate(_list(c, f"{w}.goals", area.get("goals"))):
                wg = f"{w}.goals[{k + 1}]"
                gkey = _keyed(c, wg, goal, GOAL_KEYS, goals, required=("key", "name"), model=PlanGoal)
                if gkey is None:
                    continue
                slug = goal.get("intervention")
                if slug is not None and (not isinstance(slug, str) or slug not in context.interventions):
                    c.error(f"{wg}.intervention", f"\"{slug}\" är ingen insats i förbundet eller filen.")
                g = {"key": gkey, "name": c.text(f"{wg}.name", goal.get("name"), 300), "intervention": slug,
                     "order": k, "indicators": []}
                indicators = set()
                for n, item in enumerate(_list(c, f"{wg}.indicators", goal.get("indicators"))):
                    wi = f"{wg}.indicators[{n + 1}]"
                    ikey = _indicator_key(c, wi, item, indicators)
                    if ikey is None:
                        continue
                    g["indicators"].append({"key": ikey, "order": n,
                                            **_parse_indicator(c, wi, item, context, (start, end)),
                                            "given": set(item) & OPTIONAL_INDICATOR_KEYS})
                clean["goals"].append(g)
            plan["focus_areas"].append(clean)
        plans.append(plan)
    _overlaps(c, plans, context)
    return plans


def _overlaps(c, plans, context):
    """No two plans of a förbund cover the same year (the file's and the stored ones together)."""
    stored = []
    if context.association is not None:
        stored = list(Plan.objects.filter(association=context.association).values_list("key", "from_year", "to_year"))
    years = {key: (start, end) for key, start, end in stored}
    years.update({p["key"]: (p["from_year"], p["to_year"]) for p in plans if p["from_year"] and p["to_year"]})
    for i, plan in enumerate(plans):
        if not (plan["from_year"] and plan["to_year"]):
            continue
        for key, (start, end) in years.items():
            if key != plan["key"] and start <= plan["to_year"] and plan["from_year"] <= end:
                c.error(f"plans[{i + 1}]", f"planen överlappar planen \"{key}\" ({start}–{end}); planer får inte "
                                           "täcka samma år.")


def write(association, plans, summary, context):
    for p in plans:
        values = {"from_year": p["from_year"], "to_year": p["to_year"]}
        exists = Plan.objects.filter(association=association, key=p["key"]).exists()
        values.update({k: p[k] for k in ("name", "adopted") if k in p["given"] or not exists})
        plan = _upsert(Plan, {"association": association, "key": p["key"]}, values, summary, f"plan {p['key']}")
        for a in p["focus_areas"]:
            area = _upsert(FocusArea, {"plan": plan, "key": a["key"]}, {"name": a["name"], "order": a["order"]},
                           summary, f"målområde {p['key']}/{a['key']}")
            for s in a["assessments"]:
                _upsert(Assessment, {"focus_area": area, "year": s["year"]}, {"grade": s["grade"], "text": s["text"]},
                        summary, f"bedömning {a['key']} {s['year']}")
            for g in a["goals"]:
                intervention = context.written.get(g["intervention"]) if g["intervention"] else None
                goal = _upsert(PlanGoal, {"focus_area": area, "key": g["key"]},
                               {"name": g["name"], "order": g["order"], "intervention": intervention},
                               summary, f"mål {a['key']}/{g['key']}")
                for i in g["indicators"]:
                    exists = Indicator.objects.filter(goal=goal, key=i["key"]).exists()
                    values = {k: i[k] for k in ("text", "order", "metric", "interventions", "target", "period",
                                                "milestones", "baselines", "results")
                              if k not in OPTIONAL_INDICATOR_KEYS or k in i["given"] or not exists}
                    _upsert(Indicator, {"goal": goal, "key": i["key"]}, values, summary,
                            f"indikator {g['key']}/{i['key']}")


def export(association):
    plans = []
    for plan in Plan.objects.filter(association=association).order_by("from_year", "key"):
        plans.append({
            "key": plan.key, "name": plan.name, "from_year": plan.from_year, "to_year": plan.to_year,
            "adopted": plan.adopted.isoformat() if plan.adopted else None,
            "focus_areas": [{
                "key": area.key, "name": area.name,
                "assessments": [{"year": a.year, "grade": a.grade, "text": a.text} for a in area.assessments.all()],
                "goals": [{
                    "key": goal.key, "name": goal.name,
                    "intervention": goal.intervention.slug if goal.intervention else None,
                    "indicators": [{
                        "key": i.key, "text": i.text, "metric": i.metric, "interventions": i.interventions,
                        "target": i.target, "period": i.period, "milestones": i.milestones,
                        "baselines": i.baselines, "results": i.results,
                    } for i in goal.indicators.all()],
                } for goal in area.goals.select_related("intervention")],
            } for area in plan.focus_areas.all()],
        })
    return plans or None


SECTION = Section("plans", parse, write, export, order=200)
