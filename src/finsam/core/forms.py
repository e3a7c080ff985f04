"""Form rendering shared by every app: label, help, errors linked to the input (WCAG 3.3.1)."""

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class AccessibleErrorsMixin:
    """After validation, mark invalid inputs with aria-invalid and point aria-describedby at
    their error messages (and help text), so screen readers announce both."""

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
