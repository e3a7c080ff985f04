"""The plan's forms. An indicator's metric, target, period and manual results are checked by the
same code as the förbundsfil's ``plans`` (file_section.py), so a form and a file obey one set of
rules; shares are typed in percent (35 for 35 %) and stored as fractions."""

import json

from django import forms
from django_scopes.forms import SafeModelChoiceField

from finsam import codes
from finsam.core.forms import AccessibleErrorsMixin
from finsam.interventions.association_file import SectionContext, _Checker
from finsam.interventions.models import Intervention
from finsam.statistics import metrics
from finsam.statistics.participant_metrics import EXIT_REASON_PREFIX, GAP_OF, GENDERS, label as participant_label
from finsam.tenancy.changes import MarksDataChanged

from . import file_section
from .models import GRADE_CHOICES, Assessment, FocusArea, Plan, PlanGoal

TARGET_CHOICES = [("at_least", "Minst"), ("at_most", "Högst"), ("between", "Mellan"),
                  ("higher_than_previous", "Högre (fler) än föregående år"),
                  ("lower_than_previous", "Lägre (färre) än föregående år"), ("none", "Inget mål (bedöms manuellt)")]
PERIOD_CHOICES = [("year", "Kalenderår (1 januari till rapportens slut)"), ("span", "Projektperiod")]
GENDER_CHOICES = [("", "Alla")] + [(g, codes.GENDER_COLUMNS.label(g)) for g in GENDERS]


class PlanForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["key", "name", "from_year", "to_year", "adopted"]
        help_texts = {"key": "Kortnamn som används i förbundsfilen, t.ex. vp-2025.",
                      "adopted": "ÅÅÅÅ-MM-DD, det datum styrelsen antog planen."}

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.association = association

    def clean(self):
        cleaned = super().clean()
        start, end, key = cleaned.get("from_year"), cleaned.get("to_year"), cleaned.get("key")
        if start and end and start > end:
            self.add_error("to_year", "Slutåret ligger före startåret.")
        others = Plan.objects.filter(association=self.instance.association).exclude(pk=self.instance.pk)
        if key and others.filter(key=key).exists():
            self.add_error("key", "Förbundet har redan en plan med det kortnamnet.")
        if start and end and start <= end:
            clash = others.filter(from_year__lte=end, to_year__gte=start).first()
            if clash:
                self.add_error("from_year", f"Planen överlappar {clash.name} ({clash.from_year}–{clash.to_year}); "
                                            "planer får inte täcka samma år.")
        return cleaned


class FocusAreaForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["key", "name", "order"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan

    def clean_key(self):
        key = self.cleaned_data["key"]
        if FocusArea.objects.filter(plan=self.instance.plan, key=key).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Planen har redan ett målområde med det kortnamnet.")
        return key


class AssessmentForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["year", "grade", "text"]
        labels = {"grade": "Förbundets bedömning"}


class PlanGoalForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["key", "name", "order", "intervention"]
        field_classes = {"intervention": SafeModelChoiceField}
        help_texts = {"intervention": "Välj en insats om målet gäller just den insatsen."}

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.focus_area = area
        self.fields["intervention"].queryset = Intervention.objects.filter(association=area.plan.association)
        self.fields["intervention"].required = False

    def clean_key(self):
        key = self.cleaned_data["key"]
        if PlanGoal.objects.filter(focus_area=self.instance.focus_area, key=key).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Målområdet har redan ett mål med det kortnamnet.")
        return key


# Swedish labels of other sources' keys (a source may give its own with ``key_label``).
KEY_LABELS = {"count": "Antal tillfällen", "attendees": "Deltagartillfällen",
              "share_recommend": "Andel som rekommenderar till en kollega",
              "share_rating_positive": "Andel bra eller mycket bra helhetsbetyg", "mean_rating": "Medelbetyg"}


def metric_choices():
    """The metric picker: every key of every registered source, by Swedish label. A source that
    names no keys (measures: the förbund's own codes too) takes its key from the parameters."""
    groups = []
    for name, source in sorted(metrics.sources().items()):
        if name == "manual":
            continue
        if not source.keys:
            groups.append((source.label, [(f"{name}|", f"{source.label}: ange koden under Övriga parametrar, "
                                                       "t.ex. {\"key\": \"webb_besok\"}")]))
            continue
        options = []
        for key in source.keys:
            if key.endswith(":"):  # a key taking a code: one option per code
                if key == EXIT_REASON_PREFIX:
                    options += [(f"{name}|{key}{c.code}", participant_label({"key": f"{key}{c.code}"}))
                                for c in codes.EXIT_REASON if c.code != codes.EXIT_REASON_EXCLUDED]
                continue
            shown = participant_label({"key": key, "of": "share_work_or_study"}) if name == "participants" else (
                getattr(source, "key_label", None) and source.key_label(key)) or KEY_LABELS.get(key, key)
            options.append((f"{name}|{key}", shown))
        groups.append((source.label, options))
    groups.append(("Manuellt", [("manual|", "Manuellt angivet resultat")]))
    return groups


class IndicatorForm(AccessibleErrorsMixin, forms.Form):
    key = forms.CharField(label="Kortnamn", max_length=80, help_text="Unikt inom målet, t.ex. nya-deltagare.")
    text = forms.CharField(label="Indikator", max_length=500, help_text="Texten som den publiceras.")
    order = forms.IntegerField(label="Ordning", min_value=0, max_value=1_000_000, initial=0)
    metric = forms.ChoiceField(label="Mått", choices=metric_choices)
    gender = forms.ChoiceField(label="Kön", choices=GENDER_CHOICES, required=False,
                               help_text="Bara för andelar av avslutade.")
    of = forms.ChoiceField(label="Skillnaden gäller", required=False,
                           choices=[("", "–")] + [(k, participant_label({"key": k})) for k in GAP_OF],
                           help_text="Bara för måttet skillnad mellan kvinnors och mäns andel.")
    parameters = forms.CharField(label="Övriga parametrar (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="T.ex. {\"kinds\": [\"seminarium\"]} för aktiviteter eller "
                                           "{\"per_day\": true} för mått per dag.")
    interventions = forms.MultipleChoiceField(label="Insatser", required=False, widget=forms.CheckboxSelectMultiple,
                                              help_text="Inga valda: hela förbundet.")
    target_type = forms.ChoiceField(label="Måltyp", choices=TARGET_CHOICES)
    target_value = forms.DecimalField(label="Mål", required=False, help_text="Antal, eller procent för andelar (35 för 35 %).")
    target_from = forms.DecimalField(label="Mål från", required=False)
    target_to = forms.DecimalField(label="Mål till", required=False)
    period_type = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES)
    period_from = forms.DateField(label="Projektperiodens början", required=False)
    period_to = forms.DateField(label="Projektperiodens slut", required=False)

    def __init__(self, *args, goal, indicator=None, **kwargs):
        self.goal, self.indicator = goal, indicator
        association = goal.focus_area.plan.association
        self.association = association
        if indicator is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(indicator)
        super().__init__(*args, **kwargs)
        self.fields["interventions"].choices = [(i.slug, i.name) for i in association.interventions.order_by("name")]

    @staticmethod
    def _initial(indicator):
        ref = dict(indicator.metric)
        source, key = ref.pop("source", ""), ref.pop("key", "")
        picked = metrics.get_source(source)
        if picked is not None and not picked.keys and key:  # a source without keys: its key is a parameter
            ref, key = {"key": key, **ref}, ""
        gender, of = ref.pop("gender", ""), ref.pop("of", "")
        share = _unit(indicator.metric) in ("share", "points")
        target, period = indicator.target, indicator.period

        def shown(value):
            return None if value is None else (value * 100 if share else value)

        return {"key": indicator.key, "text": indicator.text, "order": indicator.order, "metric": f"{source}|{key}",
                "gender": gender, "of": of, "parameters": json.dumps(ref, ensure_ascii=False) if ref else "",
                "interventions": indicator.interventions, "target_type": target.get("type", "none"),
                "target_value": shown(target.get("value")), "target_from": shown(target.get("from")),
                "target_to": shown(target.get("to")), "period_type": period.get("type", "year"),
                "period_from": period.get("from"), "period_to": period.get("to")}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        key = cleaned["key"]
        siblings = self.goal.indicators.exclude(pk=getattr(self.indicator, "pk", None))
        if siblings.filter(key=key).exists():
            self.add_error("key", "Målet har redan en indikator med det kortnamnet.")
        source, _, metric_key = cleaned["metric"].partition("|")
        ref = {"source": source, **({"key": metric_key} if metric_key else {})}
        if cleaned.get("gender"):
            ref["gender"] = cleaned["gender"]
        if metric_key == "gap_women_men":
            ref["of"] = cleaned.get("of") or ""
        if cleaned.get("parameters"):
            try:
                extra = json.loads(cleaned["parameters"])
                if not isinstance(extra, dict):
                    raise ValueError
            except ValueError:
                self.add_error("parameters", "Skriv parametrarna som ett JSON-objekt, t.ex. {\"kinds\": [\"seminarium\"]}.")
                return cleaned
            ref.update({k: v for k, v in extra.items() if k != "source" and (k != "key" or not metric_key)})
        share = _unit(ref) in ("share", "points")

        def stored(value):
            if value is None:
                return None
            value = float(value) / 100 if share else float(value)
            return int(value) if value.is_integer() else value

        target = {"type": cleaned["target_type"]}
        for field, name in (("target_value", "value"), ("target_from", "from"), ("target_to", "to")):
            if cleaned.get(field) is not None:
                target[name] = stored(cleaned[field])
        target = {k: v for k, v in target.items() if k == "type" or k in {
            "at_least": ("value",), "at_most": ("value",), "between": ("from", "to")}.get(target["type"], ())}
        period = {"type": cleaned["period_type"]}
        if period["type"] == "span":
            period.update({"from": cleaned["period_from"] and cleaned["period_from"].isoformat(),
                           "to": cleaned["period_to"] and cleaned["period_to"].isoformat()})
        item = {"key": key, "text": cleaned["text"], "metric": ref, "interventions": cleaned["interventions"],
                "target": target, "period": period,
                "milestones": self.indicator.milestones if self.indicator else [],
                "baselines": self.indicator.baselines if self.indicator else [],
                "results": self.indicator.results if self.indicator else []}
        self.item = check_indicator(self, item, self.association)
        return cleaned


def _unit(ref):
    source = metrics.get_source(ref.get("source"))
    return source.unit(ref) if source and source.unit else "count"


def check_indicator(form, item, association):
    """The indicator as file_section parses it; its errors onto ``form`` (None when any)."""
    checker = _Checker()
    interventions = dict(association.interventions.values_list("slug", "kind"))
    context = SectionContext(association, interventions, set())
    file_section._indicator_key(checker, "indikator", item, set())  # the key the file would accept
    parsed = file_section._parse_indicator(checker, "indikator", item, context, None)
    for message in checker.errors:
        form.add_error(None, message.split(": ", 1)[-1])
    return None if checker.errors else parsed


class ResultForm(AccessibleErrorsMixin, forms.Form):
    to = forms.DateField(label="Resultatet gäller till och med", help_text="ÅÅÅÅ-MM-DD, t.ex. 2024-12-31.")
    value = forms.DecimalField(label="Värde", required=False, help_text="Ett tal, eller andel i procent (11,2 för 11,2 %).")
    numerator = forms.IntegerField(label="Antal (täljare)", required=False, min_value=0)
    denominator = forms.IntegerField(label="Av (nämnare)", required=False, min_value=0)
    text = forms.CharField(label="Källa", max_length=500, help_text="Varifrån siffran kommer, t.ex. Bokslut 2024.")
    grade = forms.ChoiceField(label="Bedömning", required=False, choices=[("", "–")] + GRADE_CHOICES[:3],
                              help_text="Bara för indikatorer utan mål.")
    percent = forms.BooleanField(label="Värdet är en andel i procent", required=False)

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        entry = {"to": cleaned["to"].isoformat(), "text": cleaned["text"]}
        if cleaned.get("numerator") is not None or cleaned.get("denominator") is not None:
            entry.update(numerator=cleaned.get("numerator"), denominator=cleaned.get("denominator"))
        if cleaned.get("value") is not None:
            value = float(cleaned["value"]) / (100 if cleaned.get("percent") else 1)
            entry["value"] = int(value) if value.is_integer() else value
        if cleaned.get("grade"):
            entry["grade"] = cleaned["grade"]
        others = [r for r in self.indicator.results if r.get("to") != entry["to"]]
        item = {"key": self.indicator.key, "text": self.indicator.text, "metric": self.indicator.metric,
                "interventions": self.indicator.interventions, "target": self.indicator.target,
                "period": self.indicator.period, "results": others + [entry]}
        parsed = check_indicator(self, item, self.indicator.goal.focus_area.plan.association)
        self.results = parsed and sorted(parsed["results"], key=lambda r: r["to"])
        return cleaned
