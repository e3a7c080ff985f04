import datetime
import unicodedata

from django import forms
from django.core.exceptions import PermissionDenied

from finsam.core.forms import AccessibleErrorsMixin
from finsam.interventions.forms import DATE_WIDGET

from . import units
from .periods import NO_YEAR_EARLIER, PRESETS, has_year_earlier, resolve

MAX_YEARS = 30


def report_scope(access):
    """The insatser whose live report ``access`` may see: None = every insats and the whole
    förbund; for a deltagaransvarig without a wider role, the slugs of the assigned insatser."""
    if access.can("view_all_reports"):
        return None
    return sorted(access.association.interventions.assigned_to(access.user).values_list("slug", flat=True))


def check_scope(scope, interventions):
    """PermissionDenied unless a report of ``interventions`` (slugs) lies within ``scope``
    (report_scope()): a limited user's report is never widened to the whole förbund or another insats."""
    if scope is not None and not (interventions and set(interventions) <= set(scope)):
        raise PermissionDenied


class ReportForm(AccessibleErrorsMixin, forms.Form):
    period = forms.ChoiceField(label="Period", choices=PRESETS, initial="last_year")
    date_from = forms.DateField(label="Från och med", required=False, widget=DATE_WIDGET,
                                help_text="Bara för valfri period.")
    date_to = forms.DateField(label="Till och med", required=False, widget=DATE_WIDGET)
    interventions = forms.MultipleChoiceField(label="Insatser", required=False, widget=forms.CheckboxSelectMultiple,
                                              help_text="Inget val = hela förbundet.")
    sections = forms.BooleanField(label="Ett avsnitt per insats med tabellerna om bakgrund och resultat",
                                  required=False, help_text="Bara när rapporten gäller flera insatser.")
    previous = forms.BooleanField(label="Jämför med samma datum ett år tidigare", required=False,
                                  help_text="Antal, förändring och förändring i procentenheter.")
    publish = forms.BooleanField(label="Förhandsgranska maskering: dölj små antal som i en publicerad rapport",
                                 required=False)
    unit = forms.ChoiceField(label="Belopp i", choices=units.CHOICES, required=False,
                             help_text="Gäller ekonomitabellerna på sidan, i Excel och PDF. CSV och JSON har alltid "
                                       "hela kronor. Utan val: förbundets inställning.")

    def __init__(self, *args, association, today=None, scope=None, **kwargs):
        """``scope``: report_scope() of the user; a list limits the insatser offered and accepted
        (any other is refused as an invalid choice) and replaces "the whole förbund"."""
        super().__init__(*args, **kwargs)
        self.today = today or datetime.date.today()
        self.scope = scope
        self.default_unit = units.default_unit(association)
        self.fields["unit"].initial = self.default_unit
        interventions = association.interventions.order_by("name")
        if scope is not None:
            interventions = interventions.filter(slug__in=scope)
            self.fields["interventions"].help_text = "Inget val = alla dina insatser."
        self.fields["interventions"].choices = list(interventions.values_list("slug", "name"))

    def clean_unit(self):
        return self.cleaned_data.get("unit") or self.default_unit

    def clean(self):
        cleaned = super().clean()
        if self.scope is not None and not self.has_error("interventions") and not cleaned.get("interventions"):
            if not self.scope:
                self.add_error("interventions",
                               "Du är inte tilldelad någon insats, så det finns ingen rapport att visa.")
            cleaned["interventions"] = list(self.scope)
        preset = cleaned.get("period")
        if preset == "custom":
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            if not start:
                self.add_error("date_from", "Ange periodens första dag.")
            if not end:
                self.add_error("date_to", "Ange periodens sista dag.")
            _check_period(self, start, end)
        elif preset:
            cleaned["date_from"], cleaned["date_to"] = resolve(preset, self.today)
        if cleaned.get("previous") and cleaned.get("date_from") and not has_year_earlier(cleaned["date_from"]):
            self.add_error("previous", NO_YEAR_EARLIER)
        return cleaned


def _check_period(form, start, end):
    if start and end and end < start:
        form.add_error("date_to", "Periodens slut kan inte vara före dess början.")
    if start and end and (end - start).days > 366 * MAX_YEARS:
        form.add_error("date_to", f"Perioden får vara högst {MAX_YEARS} år.")


class PublishForm(AccessibleErrorsMixin, forms.Form):
    """Publishing the period and insatser of the report on screen (hidden fields) under a title."""

    title = forms.CharField(label="Rubrik", max_length=200,
                            help_text="Till exempel ”Halvårsrapport 2024” eller ”Årsredovisning 2024”.")
    date_from = forms.DateField(widget=forms.HiddenInput)
    date_to = forms.DateField(widget=forms.HiddenInput)
    interventions = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)
    sections = forms.BooleanField(label=ReportForm.base_fields["sections"].label, required=False,
                                  help_text="Som i årsredovisningar. Bara när rapporten gäller flera insatser.")
    replaces = forms.ModelChoiceField(label="Ersätter", required=False, queryset=None, empty_label="Ingen (ny rapport)",
                                      help_text="Välj en tidigare publicering om den här rättar den.")
    correction = forms.CharField(label="Vad som är rättat", required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Krävs när rapporten ersätter en tidigare. Visas för läsarna.")

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interventions"].choices = list(association.interventions.values_list("slug", "name"))
        self.fields["replaces"].queryset = association.published_reports.filter(replaced_by__isnull=True)
        self.fields["replaces"].label_from_instance = lambda p: f"{p.title} ({p.date_from} – {p.date_to})"

    def clean_title(self):
        return _visible(self.cleaned_data["title"], "Skriv en rubrik som syns.")

    def clean_correction(self):
        return _visible(self.cleaned_data["correction"])

    def clean(self):
        cleaned = super().clean()
        _check_period(self, cleaned.get("date_from"), cleaned.get("date_to"))
        if any(self.has_error(name) for name in ("date_from", "date_to", "interventions")):
            # Hidden fields: their own errors are not shown, so say it here (a period that ends
            # before it begins included).
            raise forms.ValidationError("Rapportens period eller insatser saknas eller är ogiltiga. "
                                        "Visa rapporten igen och publicera därifrån.")
        if cleaned.get("replaces") and not cleaned.get("correction", "").strip():
            self.add_error("correction", "Beskriv vad som är rättat när en rapport ersätts.")
        return cleaned


def _visible(text, empty_message=None):
    """The text without invisible format characters (zero-width spaces, right-to-left overrides),
    which could make a title look like another or hide part of it; refused when nothing is left."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()
    if empty_message and not text:
        raise forms.ValidationError(empty_message)
    return text
