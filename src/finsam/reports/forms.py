import datetime

from django import forms

from finsam.core.forms import AccessibleErrorsMixin
from finsam.interventions.forms import DATE_WIDGET

from .periods import PRESETS, resolve


class ReportForm(AccessibleErrorsMixin, forms.Form):
    period = forms.ChoiceField(label="Period", choices=PRESETS, initial="last_year")
    date_from = forms.DateField(label="Från och med", required=False, widget=DATE_WIDGET,
                                help_text="Bara för valfri period.")
    date_to = forms.DateField(label="Till och med", required=False, widget=DATE_WIDGET)
    interventions = forms.MultipleChoiceField(label="Insatser", required=False, widget=forms.CheckboxSelectMultiple,
                                              help_text="Inget val = hela förbundet.")
    publish = forms.BooleanField(label="Publiceringsläge: dölj små antal", required=False)

    def __init__(self, *args, association, today=None, force_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or datetime.date.today()
        self.fields["interventions"].choices = list(association.interventions.values_list("slug", "name"))
        self.force_publish = force_publish
        if force_publish:
            self.fields["publish"].disabled = True
            self.fields["publish"].initial = True
            self.fields["publish"].help_text = "Din roll ser bara rapporter där små antal är dolda."

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("period")
        if preset == "custom":
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            if not start:
                self.add_error("date_from", "Ange periodens första dag.")
            if not end:
                self.add_error("date_to", "Ange periodens sista dag.")
            if start and end and end < start:
                self.add_error("date_to", "Periodens slut kan inte vara före dess början.")
            if start and end and (end - start).days > 366 * 30:
                self.add_error("date_to", "Perioden får vara högst 30 år.")
        elif preset:
            cleaned["date_from"], cleaned["date_to"] = resolve(preset, self.today)
        if self.force_publish:
            cleaned["publish"] = True
        return cleaned
