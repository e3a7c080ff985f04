from django import forms

from finsam.core.forms import AccessibleErrorsMixin
from finsam.interventions.forms import DATE_WIDGET
from finsam.tenancy.changes import MarksDataChanged

from .models import VolumeCount


class VolumeCountForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = VolumeCount
        fields = ["period_start", "period_end", "women", "men", "other", "note"]
        widgets = {"period_start": DATE_WIDGET, "period_end": DATE_WIDGET}

    def __init__(self, *args, intervention, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.intervention = intervention
        self.instance.association = intervention.association

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "Periodens slut kan inte vara före dess början.")
        if not any(cleaned.get(k) for k in ("women", "men", "other")) and not self.errors:
            raise forms.ValidationError("Ange minst ett antal större än noll.")
        return cleaned
