"""The one computation of survey results (shared/spec/surveys.md, "Counting rules" and "Small
numbers"): the rounds of a selection, their responses, and the question and indicator rows with
their counts, shares and masking. The report tables (report_tables.py), survey goals and the metric
source ``surveys`` (metric.py) all read :func:`compute`; nothing counts survey answers elsewhere.

Counts are pooled by summing, never by averaging percentages; shares are exact fractions
(``fractions.Fraction``) until a table stores them.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count

from . import codes
from .models import Answer, Question, Response, Round
from .services import code_counts, group_codes, population

FEW, SECONDARY, PREVIOUS_MASKED = "few_answers", "secondary", "previous_masked"
BUCKETS = (("positiv", "positive"), ("neutral", "neutral"), ("negativ", "negative"))
SHARE_KEYS = ("positive", "top", "neutral", "negative")


def natural(text):
    """E2 before E10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(text))]


@dataclass
class Row:
    """A question row (``<group>/<question>``, ``totalt/<question>``) or an indicator row."""

    key: str
    group: str  # a group code or codes.TOTAL
    item: str  # question key or indicator code
    steps: list  # [(code, bucket)] of the scale, top first
    responses: int = 0
    vet_ej: int = 0
    counts: dict = field(default_factory=dict)  # step code -> count
    questions: set = field(default_factory=set)  # question keys pooled (indicator rows)
    masked: str = ""  # FEW, SECONDARY or ""

    @property
    def n(self):
        return sum(self.counts.values())

    @property
    def answered(self):
        return self.n + self.vet_ej

    @property
    def skipped(self):
        return self.responses - self.answered

    def bucket(self, name):
        return sum(self.counts.get(code, 0) for code, bucket in self.steps if bucket == name)

    @property
    def positive(self):
        return self.bucket("positiv")

    @property
    def neutral(self):
        return self.bucket("neutral")

    @property
    def negative(self):
        return self.bucket("negativ")

    @property
    def top(self):
        # the first step of each pooled scale (indicator rows pool several questions' tops)
        return self.counts.get("__top__", 0) if self.questions else self.counts.get(self.steps[0][0], 0)

    def share(self, name):
        """An exact share: ``name`` one of SHARE_KEYS, "vet_ej" or "step:<code>"; None without a base."""
        if name == "vet_ej":
            return Fraction(self.vet_ej, self.answered) if self.answered else None
        if not self.n:
            return None
        if name.startswith("step:"):
            return Fraction(self.counts.get(name[5:], 0), self.n)
        return Fraction(getattr(self, name), self.n)

    def add(self, other, question=None):
        """Pool ``other`` (a question row) into this row."""
        self.responses += other.responses
        self.vet_ej += other.vet_ej
        for code, bucket in other.steps:
            count = other.counts.get(code, 0)
            self.counts[f"__{bucket}__"] = self.counts.get(f"__{bucket}__", 0) + count
        self.counts["__top__"] = self.counts.get("__top__", 0) + other.top
        self.counts["__n__"] = self.counts.get("__n__", 0) + other.n
        if question:
            self.questions.add(question)


class IndicatorRow(Row):
    """An indicator row: pools its questions' rows (their buckets; steps differ between scales)."""

    @property
    def n(self):
        return self.counts.get("__n__", 0)

    def bucket(self, name):
        return self.counts.get(f"__{name}__", 0)


@dataclass
class RoundStats:
    round: Round
    population: object  # int or None
    responses: int
    web: int
    paper: int
    imported: int
    codes_issued: int
    codes_used: int


@dataclass
class Results:
    rounds: list  # RoundStats in table order
    questions: dict  # row key -> Row, in table order
    indicators: dict  # row key -> IndicatorRow, in table order
    min_n: int
    group_order: list
    labels: dict = field(default_factory=dict)  # question key -> Swedish text; indicator code -> name

    def masked_rows(self, rows):
        return {key: row.masked for key, row in rows.items() if row.masked}

    def row(self, group, item):
        """The result row of a goal or metric: ``<group>/<item>`` (group None: ``totalt/<item>``,
        or the only group's row when one group has it), among questions then indicators."""
        for rows in (self.questions, self.indicators):
            if group:
                if f"{group}/{item}" in rows:
                    return rows[f"{group}/{item}"]
                continue
            if f"{codes.TOTAL}/{item}" in rows:
                return rows[f"{codes.TOTAL}/{item}"]
            only = [r for r in rows.values() if r.item == item and r.group != codes.TOTAL]
            if len(only) == 1:
                return only[0]
        return None


def select_rounds(association, date_from, date_to, interventions=None, groups=None):
    """Rounds whose ``to`` lies in the period; with insatser (ids or Intervention rows) only theirs
    (förbund-wide rounds only without a filter); with groups only theirs."""
    rounds = Round.objects.filter(association=association, date_to__gte=date_from, date_to__lte=date_to)
    if interventions:
        rounds = rounds.filter(intervention__in=list(interventions))
    if groups:
        rounds = rounds.filter(respondent_group__in=list(groups))
    return rounds.select_related("intervention", "question_set", "association")


def compute(association, date_from, date_to, interventions=None, groups=None, forced=()):
    """The survey results of a selection, masked for ``association``'s min n. ``forced``: row keys
    to mask (secondary) beyond the report's own rules: rows whose difference from an earlier
    publication would be a masked-size group (publication.py)."""
    min_n = association.masking_threshold
    order = group_codes(association)
    rank = {code: i for i, code in enumerate(order)}
    rounds = sorted(select_rounds(association, date_from, date_to, interventions, groups),
                    key=lambda r: (rank.get(r.respondent_group, len(order)), r.intervention is not None,
                                   r.intervention.slug if r.intervention else "", r.date_from, r.key))
    ids = [r.pk for r in rounds]
    channels = {}
    for item in Response.objects.filter(round_id__in=ids).values("round_id", "channel").annotate(n=Count("id")).order_by():
        channels.setdefault(item["round_id"], {})[item["channel"]] = item["n"]
    issued_used = code_counts(ids)
    stats = []
    for r in rounds:
        by_channel = channels.get(r.pk, {})
        issued, used = issued_used.get(r.pk, (0, 0))
        stats.append(RoundStats(r, population(r), sum(by_channel.values()), by_channel.get("webb", 0),
                                by_channel.get("papper", 0), by_channel.get("import", 0), issued, used))

    # The questions each round shows; a question's scale and indicator from the newest version.
    set_ids = {r.question_set_id for r in rounds}
    questions = list(Question.objects.filter(question_set_id__in=set_ids)
                     .select_related("scale", "indicator", "question_set").order_by("-question_set__version", "position"))
    latest = {}
    for q in questions:
        latest.setdefault(q.key, q)
    set_rank = {key: i for i, key in enumerate(sorted({q.question_set.key for q in questions}))}
    question_order = sorted(latest, key=lambda k: (set_rank[latest[k].question_set.key], latest[k].position))
    labels = {k: latest[k].text.get("sv", k) for k in latest}
    shown = {}  # round id -> [question keys with a scale]
    for r in rounds:
        shown[r.pk] = [q.key for q in questions if q.question_set_id == r.question_set_id
                       and r.respondent_group in q.groups and q.scale_id is not None]
    answers = {}
    for item in (Answer.objects.filter(response__round_id__in=ids, question__scale__isnull=False)
                 .values("response__round_id", "question__key", "step").annotate(n=Count("id")).order_by()):
        answers.setdefault(item["response__round_id"], []).append((item["question__key"], item["step"], item["n"]))

    group_rows = {}
    for stat in stats:
        r = stat.round
        for key in shown[r.pk]:
            q = latest[key]
            row = group_rows.get((r.respondent_group, key))
            if row is None:
                row = group_rows[(r.respondent_group, key)] = Row(
                    f"{r.respondent_group}/{key}", r.respondent_group, key, [(s["code"], s["bucket"]) for s in q.scale.steps])
            row.responses += stat.responses
        for key, step, n in answers.get(r.pk, []):
            row = group_rows.get((r.respondent_group, key))
            if row is None:
                continue  # an answer to a question the round does not show (cannot be written)
            if step == codes.DONT_KNOW:
                row.vet_ej += n
            else:
                row.counts[step] = row.counts.get(step, 0) + n

    question_rows = {}
    for group in order:
        for key in question_order:
            if (group, key) in group_rows:
                question_rows[f"{group}/{key}"] = group_rows[(group, key)]
    totals = {}
    for key in question_order:
        parts = [group_rows[(g, key)] for g in order if (g, key) in group_rows]
        if len(parts) >= 2:
            total = Row(f"{codes.TOTAL}/{key}", codes.TOTAL, key, parts[0].steps)
            for part in parts:
                total.responses += part.responses
                total.vet_ej += part.vet_ej
                for code, count in part.counts.items():
                    total.counts[code] = total.counts.get(code, 0) + count
            totals[total.key] = total
    question_rows.update(totals)

    indicator_of = {k: latest[k].indicator.code for k in latest if latest[k].indicator_id}
    for k in latest:
        if latest[k].indicator_id:
            labels[latest[k].indicator.code] = latest[k].indicator.name
    indicator_rows = {}
    by_indicator = {}
    for group in order:
        codes_here = sorted({indicator_of[k] for (g, k) in group_rows if g == group and k in indicator_of}, key=natural)
        for code in codes_here:
            row = IndicatorRow(f"{group}/{code}", group, code, [])
            for key in question_order:
                if indicator_of.get(key) == code and (group, key) in group_rows:
                    row.add(group_rows[(group, key)], key)
                    by_indicator.setdefault(code, []).append(group_rows[(group, key)])
            indicator_rows[row.key] = row
    for code in sorted(by_indicator, key=natural):
        parts = by_indicator[code]
        if len({p.group for p in parts}) >= 2:
            total = IndicatorRow(f"{codes.TOTAL}/{code}", codes.TOTAL, code, [])
            for part in parts:
                total.add(part, part.item)
            indicator_rows[total.key] = total

    results = Results(stats, question_rows, indicator_rows, min_n, order, labels)
    mask(results, forced)
    return results


def mask(results, forced=()):
    """The spec's masking, in its order (shared/spec/surveys.md, "Small numbers"); ``forced`` rows
    (see compute) join step 1, each with its ``totalt`` row, which would otherwise give it away."""
    min_n = results.min_n
    questions, indicators = results.questions, results.indicators
    for rows in (questions, indicators):  # 1. too few answers
        for row in rows.values():
            if row.n < min_n:
                row.masked = FEW
    for key in forced:
        rows = questions if key in questions else indicators
        row = rows.get(key)
        if row is None or row.masked:
            continue
        row.masked = SECONDARY
        total = rows.get(f"{codes.TOTAL}/{row.item}")
        if total is not None and not total.masked:
            total.masked = SECONDARY
    # 2. secondary: a total would give away the masked group rows of its question
    for total in [r for r in questions.values() if r.group == codes.TOTAL]:
        groups = [r for r in questions.values() if r.item == total.item and r.group != codes.TOTAL]
        masked = [r for r in groups if r.masked]
        hidden = sum(r.n for r in masked)
        # Beyond the spec's rule (docs/decisions.md, "Survey masking: rows at the limit"): masked
        # rows known to hold fewer than min n each give themselves away when together they hold
        # exactly (min n - 1) each, e.g. two rows of 4 summing to 8; one more row is masked then.
        at_limit = len(masked) >= 2 and hidden == len(masked) * (min_n - 1)
        # Also beyond it (docs/decisions.md, "Survey masking: vet ej in masked rows"): the total's
        # answered and vet_ej minus the visible rows' give the masked rows' own, so masked rows
        # holding 1 to min n - 1 answers with vet ej counted (n 0: all said vet ej) are protected too.
        few_answered = 1 <= sum(r.answered for r in masked) <= min_n - 1
        if not (1 <= hidden <= min_n - 1 or at_limit or few_answered):
            continue
        visible = sorted([r for r in groups if not r.masked], key=lambda r: r.n)  # stable: ties in table order
        for i, row in enumerate(visible):
            if hidden >= min_n and not (at_limit and i == 0):
                break
            row.masked = SECONDARY
            hidden += row.n
        if at_limit and not visible:
            total.masked = SECONDARY  # no group row left to mask: the total would give them away
    # 3. an indicator row pooling a masked question row; totalt/<indicator> also any masked group row of it
    for row in indicators.values():
        if row.masked:
            continue
        if row.group != codes.TOTAL:
            if any(questions[f"{row.group}/{q}"].masked for q in row.questions):
                row.masked = SECONDARY
        else:
            pooled = [r for r in questions.values() if r.group != codes.TOTAL and r.item in row.questions]
            group_rows = [r for r in indicators.values() if r.item == row.item and r.group != codes.TOTAL]
            if any(r.masked for r in pooled) or any(r.masked for r in group_rows):
                row.masked = SECONDARY


def figure(association, date_from, date_to, interventions, group, item):
    """(row or None, results): the row of a survey goal or a metric reference, for its scope (its
    insatser, or None: the whole förbund, its own rounds and every insats's) and span. The one
    path by which goals and plan indicators get a survey result (report_tables.goals_table,
    metric.resolve)."""
    results = compute(association, date_from, date_to, interventions)
    return results.row(group, item), results


def share_value(fraction):
    """A share as a survey table stores it: four decimals rounded half-up from the exact fraction
    (surveys.md; Table.to_json's own rounding then changes nothing)."""
    if fraction is None:
        return None
    exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    return float(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
