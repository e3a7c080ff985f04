"""Forms of the survey pages (staff): rounds, file uploads, codes."""

from django import forms
from django_scopes.forms import SafeModelChoiceField

from finsam.core.forms import AccessibleErrorsMixin
from finsam.tenancy.changes import MarksDataChanged

from . import codes, services
from .models import QuestionSet, Round

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Codes per code-slip PDF, made in the request: 500 slips take about 3.5 s with the example's texts and
# 17 s with the longest title and statement the files allow (2 000 took 14 s and 81 s).
MAX_CODES = 500


class RoundForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    """A round in utkast: everything may change. Population: a number, automatic (participants of the
    insats) or unknown."""

    population_kind = forms.ChoiceField(label="Population (för svarsfrekvensen)", choices=codes.POPULATION_KIND.choices,
                                        widget=forms.RadioSelect)
    respondent_group = forms.ChoiceField(label="Respondentgrupp")

    class Meta:
        model = Round
        fields = ["key", "title", "question_set", "respondent_group", "intervention", "date_from", "date_to",
                  "population_kind", "population_number", "codes_required"]
        widgets = {"date_from": DATE_WIDGET, "date_to": DATE_WIDGET}
        field_classes = {"question_set": SafeModelChoiceField, "intervention": SafeModelChoiceField}
        labels = {"key": "Nyckel", "title": "Titel", "question_set": "Frågeuppsättning och version",
                  "intervention": "Insats", "date_from": "Första svarsdag", "date_to": "Sista svarsdag",
                  "population_number": "Antal i populationen", "codes_required": "Kräv engångskoder"}
        help_texts = {
            "key": "Kort namn med små bokstäver, siffror och bindestreck, t.ex. 2025-avslut-aktivitetsplatsen.",
            "intervention": "Tomt: hela förbundet (t.ex. styrelse eller chefer i samverkan).",
            "date_to": "Resultaten hör till den period som innehåller sista svarsdagen.",
            "population_number": "Bara när populationen är ett antal.",
            "codes_required": "Varje svarande behöver då en kod från en kodlapp. Koderna kopplas aldrig till svaren.",
        }

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        self.instance.association = association
        self.fields["question_set"].queryset = QuestionSet.objects.filter(association=association)
        self.fields["intervention"].queryset = association.interventions.all()
        self.fields["intervention"].empty_label = "Hela förbundet"
        self.fields["respondent_group"].choices = list(services.group_labels(association).items())
        self.fields["population_number"].required = False

    def clean_key(self):
        key = self.cleaned_data["key"]
        others = Round.objects.filter(association=self.association, key=key).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("Det finns redan en enkätomgång med den nyckeln.")
        return key

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Sista svarsdagen kan inte vara före den första.")
        kind = data.get("population_kind")
        if kind == "number" and data.get("population_number") in (None, ""):
            self.add_error("population_number", "Ange antalet, eller välj automatisk eller okänd population.")
        if kind != "number":
            data["population_number"] = None
        if kind == "auto" and not data.get("intervention"):
            self.add_error("population_kind", "Automatisk population går bara för en insats (dess deltagare).")
        if self.instance.pk is not None:
            self._keep_what_was_handed_out_and_answered(data)
        return data

    def _keep_what_was_handed_out_and_answered(self, data):
        """As the survey file (setup.py): a round with codes handed out keeps requiring one, and one
        with responses (a draft takes paper forms) keeps the set, group and insats they answered."""
        from .setup import KEPT_WITH_RESPONSES

        issued = self.instance.codes_issued
        if issued and not data.get("codes_required"):
            self.add_error("codes_required", f"Omgången har {issued} utdelade engångskoder och kräver därför en kod.")
        changed = [name for name in KEPT_WITH_RESPONSES if name in self.changed_data]
        if changed and self.instance.responses.exists():
            for name in changed:
                self.add_error(name, f"Omgången har svar, så dess {KEPT_WITH_RESPONSES[name]} kan inte ändras.")


class UploadForm(AccessibleErrorsMixin, forms.Form):
    file = forms.FileField(label="Fil")


class QuestionSetUploadForm(UploadForm):
    nns_agreement = forms.BooleanField(
        label="Förbundet har avtal med NNS om att använda deras indikatorer", required=False,
        help_text="Krävs för en frågeuppsättning med källan NNS. Ditt namn sparas som den som bekräftade avtalet.")


class CodesForm(AccessibleErrorsMixin, forms.Form):
    count = forms.IntegerField(label="Antal koder", min_value=1, max_value=MAX_CODES,
                               help_text=f"Högst {MAX_CODES} åt gången. Koderna visas bara en gång, i PDF-filen.")


class ExportForm(AccessibleErrorsMixin, forms.Form):
    format = forms.ChoiceField(label="Format", choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (semikolon)")],
                               widget=forms.RadioSelect, initial="xlsx")
