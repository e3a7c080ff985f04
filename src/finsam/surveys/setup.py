"""The survey file (``finsam-surveys/1``): rounds and survey goals, applied idempotently in one
transaction. A round with responses keeps its set, version, group and scope (refused otherwise).
Goals: the file's goals replace the stored goals of the years it names, in the file's order.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from finsam.interventions.association_file import _Checker
from finsam.interventions.models import Intervention
from finsam.tenancy.models import mark_data_changed

from . import codes
from .errors import SurveyFileError
from .jsonfile import plain, read_json
from .models import Indicator, Question, QuestionSet, Round, SurveyGoal
from .services import group_codes

FORMAT = "finsam-surveys/1"
ROUND_KEYS = {"key", "title", "question_set", "version", "respondent_group", "intervention", "from", "to",
              "population", "status", "codes_required"}
GOAL_KEYS = {"year", "intervention", "respondent_group", "question", "indicator", "target"}


@dataclass
class SetupSummary:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    goals: int = 0

    def lines(self):
        return ([f"Skapade omgångar: {len(self.created)}", *[f"  + {c}" for c in self.created],
                 f"Uppdaterade omgångar: {len(self.updated)}", *[f"  ~ {u}" for u in self.updated],
                 f"Oförändrade omgångar: {self.unchanged}", f"Enkätmål: {self.goals}"])


def parse_survey_file(raw, association):
    raw = read_json(raw, FORMAT)
    c = _Checker()
    c.keys("Enkätfilen", raw, {"format", "rounds", "goals"})
    interventions = {i.slug: i for i in Intervention.objects.filter(association=association)}
    sets = {(s.key, s.version): s for s in QuestionSet.objects.filter(association=association)}
    groups = group_codes(association)
    rounds, seen = [], set()
    raw_rounds = raw.get("rounds", [])
    if not isinstance(raw_rounds, list):
        c.error("rounds", "ska vara en lista ([…]).")
        raw_rounds = []
    for i, r in enumerate(raw_rounds):
        w = f"rounds[{i}]"
        if not c.keys(w, r, ROUND_KEYS, required=("key", "title", "question_set", "version", "respondent_group",
                                                  "from", "to")):
            continue
        key = c.slug(f"{w}.key", r.get("key"), 100)
        if key in seen:
            c.error(f"{w}.key", f"\"{key}\" finns två gånger.")
        seen.add(key)
        title = c.text(f"{w}.title", r.get("title", ""), 300)
        qs = sets.get((plain(r.get("question_set")), plain(r.get("version"))))
        if qs is None:
            c.error(f"{w}.version", f"frågeuppsättningen \"{r.get('question_set')}\" version {r.get('version')} finns "
                                    "inte. Läs in frågefilen först (finsam load-questions).")
        group = plain(r.get("respondent_group"))
        if group not in groups:
            c.error(f"{w}.respondent_group", f"\"{group}\" är ingen respondentgrupp (tillåtna: {', '.join(groups)}).")
        elif qs is not None and not any(group in q.groups for q in qs.questions.all()):
            c.error(f"{w}.respondent_group", f"ingen fråga i \"{qs.key}\" version {qs.version} ställs till \"{group}\".")
        slug = plain(r.get("intervention"))
        intervention = None
        if slug is not None:
            intervention = interventions.get(slug)
            if intervention is None:
                c.error(f"{w}.intervention", f"\"{slug}\" är ingen insats i förbundet.")
        date_from, date_to = c.date(f"{w}.from", r.get("from")), c.date(f"{w}.to", r.get("to"))
        if date_from and date_to and date_from > date_to:
            c.error(f"{w}.to", "slutdatumet ligger före startdatumet.")
        population = r.get("population")
        if population is None:
            kind, number = "unknown", None
        elif population == "auto":
            kind, number = "auto", None
            if group not in ("deltagare_pagaende", "deltagare_avslut") or intervention is None:
                c.error(f"{w}.population", "\"auto\" gäller bara deltagaromgångar (pågående eller avslut) i en insats.")
        elif isinstance(population, int) and not isinstance(population, bool) and 0 <= population <= 10_000_000:
            kind, number = "number", population
        else:
            c.error(f"{w}.population", f"\"{population}\" ska vara ett heltal, \"auto\" eller null.")
            kind, number = "unknown", None
        status = r.get("status", "utkast")  # left out: a new round is a draft, a stored one keeps its status
        if status not in codes.STATUS:
            c.error(f"{w}.status", f"\"{status}\" ska vara {', '.join(codes.STATUS.codes)}.")
        codes_required = r.get("codes_required", False)
        if not isinstance(codes_required, bool):
            c.error(f"{w}.codes_required", "ska vara true eller false.")
        rounds.append({"key": key, "title": title or "", "question_set": qs, "respondent_group": group,
                       "intervention": intervention, "date_from": date_from, "date_to": date_to,
                       "population_kind": kind, "population_number": number, "status": status,
                       "codes_required": codes_required is True, "where": w,
                       "codes_stated": "codes_required" in r, "status_stated": "status" in r})

    question_keys = set(Question.objects.filter(association=association).values_list("key", flat=True))
    indicator_codes = set(Indicator.objects.filter(association=association).values_list("code", flat=True))
    goals = []
    raw_goals = raw.get("goals", [])
    if not isinstance(raw_goals, list):
        c.error("goals", "ska vara en lista ([…]).")
        raw_goals = []
    for i, g in enumerate(raw_goals):
        w = f"goals[{i}]"
        if not c.keys(w, g, GOAL_KEYS, required=("year", "target")):
            continue
        year = g.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            c.error(f"{w}.year", f"\"{year}\" ska vara ett årtal.")
        slug = plain(g.get("intervention"))
        intervention = interventions.get(slug) if slug is not None else None
        if slug is not None and intervention is None:
            c.error(f"{w}.intervention", f"\"{slug}\" är ingen insats i förbundet.")
        group = plain(g.get("respondent_group"))
        if group is not None and group not in groups:
            c.error(f"{w}.respondent_group", f"\"{group}\" är ingen respondentgrupp.")
        question, indicator = plain(g.get("question")), plain(g.get("indicator"))
        if (question is None) == (indicator is None):
            c.error(w, "ange antingen \"question\" eller \"indicator\".")
        elif question is not None and question not in question_keys:
            c.error(f"{w}.question", f"\"{question}\" är ingen fråga i förbundets frågeuppsättningar.")
        elif indicator is not None and indicator not in indicator_codes:
            c.error(f"{w}.indicator", f"\"{indicator}\" är ingen indikator i förbundets frågeuppsättningar.")
        target = c.number(f"{w}.target", g.get("target"))
        if target is not None and not Decimal(0) < target <= Decimal(1):
            c.error(f"{w}.target", "ska vara en andel större än 0 och högst 1, t.ex. 0.8.")
        goals.append({"position": i + 1, "year": year, "intervention": intervention, "respondent_group": group or "",
                      "question_key": question or "", "indicator_code": indicator or "", "target": target})
    if c.errors:
        raise SurveyFileError(c.errors)
    return {"rounds": rounds, "goals": goals}


KEPT_WITH_RESPONSES = {"question_set": "frågeuppsättning och version", "respondent_group": "respondentgrupp",
                       "intervention": "insats"}


def apply_survey_file(raw, association):
    """Parse and write a survey file for ``association`` (in its scope). Returns SetupSummary."""
    doc = parse_survey_file(raw, association)
    summary = SetupSummary()
    errors = []
    with transaction.atomic():
        stored = {r.key: r for r in Round.objects.select_for_update().filter(association=association)}
        changed = False
        for r in doc["rounds"]:
            where, codes_stated, status_stated = r.pop("where"), r.pop("codes_stated"), r.pop("status_stated")
            existing = stored.get(r["key"])
            if existing is not None and not status_stated:
                # A file that leaves the status out (an edit of titles or dates) does not send an open
                # round back to draft, which would take its link down mid-collection.
                r["status"] = existing.status
            if existing is not None and existing.codes_issued and not r["codes_required"]:
                # Codes were handed out (issue_codes made the round require one): the round keeps
                # asking for them. Left out of the file, codes_required stays; stated false, refused.
                if codes_stated:
                    errors.append(f"{where}.codes_required: omgången \"{r['key']}\" har {existing.codes_issued} "
                                  "utdelade engångskoder och kräver därför en kod.")
                r["codes_required"] = True
            if existing is None:
                Round.objects.create(association=association, **r)
                summary.created.append(r["key"])
                changed = True
                continue
            diff = [k for k, v in r.items() if getattr(existing, k) != v]
            if existing.responses.exists():
                for k in diff:
                    if k in KEPT_WITH_RESPONSES:
                        errors.append(f"{where}: omgången \"{r['key']}\" har svar, så dess "
                                      f"{KEPT_WITH_RESPONSES[k]} kan inte ändras.")
            if diff:
                for k in diff:
                    setattr(existing, k, r[k])
                existing.save()
                summary.updated.append(f"{r['key']} ({', '.join(diff)})")
                changed = True
            else:
                summary.unchanged += 1
        if errors:
            transaction.set_rollback(True)
            raise SurveyFileError(errors)
        years = {g["year"] for g in doc["goals"]}
        new_goals = [(g["year"], g["intervention"] and g["intervention"].pk, g["respondent_group"], g["question_key"],
                      g["indicator_code"], g["target"]) for g in doc["goals"]]
        old = SurveyGoal.objects.filter(association=association, year__in=years).order_by("position")
        old_goals = [(g.year, g.intervention_id, g.respondent_group, g.question_key, g.indicator_code, g.target)
                     for g in old]
        if new_goals != old_goals:
            old.delete()
            for g in doc["goals"]:
                SurveyGoal.objects.create(association=association, **g)
            changed = True
        summary.goals = len(doc["goals"])
        if changed:
            mark_data_changed(association.pk)
    return summary
