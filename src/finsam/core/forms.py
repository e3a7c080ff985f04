"""Form rendering shared by every app: label, help, errors linked to the input (WCAG 3.3.1)."""

import datetime

from django import forms
from django.forms.renderers import DjangoTemplates

from .identifiers import validate_no_identity_number


class FormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class NoIdentityNumbersMixin:
    """Refuses an identity number typed into any text field of the form (issue 9): stored there
    it would be in clear. Every text input is checked, so a field added later is covered too;
    ``identity_number_fields`` names the fields meant for the number itself (hashed, never
    stored), and passwords are never looked at."""

    identity_number_fields = ()

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        for name, field in self.fields.items():
            if (name in self.identity_number_fields or name in self.errors or name not in self.cleaned_data
                    or not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput)):
                continue
            try:
                validate_no_identity_number(self.cleaned_data[name])
            except forms.ValidationError as error:
                self.add_error(name, error)


# Largest key a form or a parameter may name: a bigger number (or one in other digits than 0-9)
# made the SQLite driver raise OverflowError (a 500) where it should be "no such object".
MAX_KEY = 2**63 - 1


def parse_key(text):
    """``text`` as a positive database key, or None when it cannot be one."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_KEY:
        return None
    return int(text)


def parse_date(text):
    """``text`` as a date ÅÅÅÅ-MM-DD (what a date field sends), or None when it is no such date."""
    text = str(text or "").strip()
    if len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


class SafeChoicesMixin:
    """A choice of a model object by its key (ModelChoiceField, ModelMultipleChoiceField) refuses a
    value that cannot be a key as an invalid choice, before it reaches the database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and not field.to_field_name:
                field.clean = _checking_keys(field, field.clean)


def _checking_keys(field, clean):
    def checked(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(v not in field.empty_values and parse_key(v) is None for v in values):
            raise forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": "?"})
        return clean(value)

    return checked


class AccessibleErrorsMixin(SafeChoicesMixin, NoIdentityNumbersMixin):
    """After validation, mark invalid inputs with aria-invalid and point aria-describedby at
    their error messages (and help text), so screen readers announce both. Every form of the
    project uses it, and with it refuses identity numbers in free text (NoIdentityNumbersMixin)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described)})


def bound(request):
    """Keyword arguments that bind a form to a POST (even an empty one) and leave it unbound
    otherwise: ``Form(**bound(request))``. ``request.POST or None`` would treat a POST with no
    fields, e.g. every checkbox cleared, as no POST at all."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}
