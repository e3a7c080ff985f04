from django import forms
from django_scopes.forms import SafeModelChoiceField

from finsam.core.forms import AccessibleErrorsMixin
from finsam.tenancy.changes import MarksDataChanged
from finsam.tenancy.models import Role, User

from .models import Intervention, TargetGroup, target_group_choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InterventionForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label="Målgrupper", required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Intervention
        fields = [
            "name", "slug", "kind", "status", "start_date", "end_date", "owner_member", "external_provider",
            "target_groups", "description", "assigned_users", "controller_name", "controller_contact",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "assigned_users": forms.CheckboxSelectMultiple,
            "kind": forms.RadioSelect,
        }
        # Built when the class is defined, outside any scope: the real queryset is set in __init__.
        field_classes = {"owner_member": SafeModelChoiceField}
        help_texts = {
            "assigned_users": "Användare med rollen deltagaransvarig. De ser bara deltagare i sina insatser.",
            # Who the blank field means depends on the förbund's privacy model (docs/privacy.md).
            "controller_name": "Bara om någon annan än den vanliga ansvarar för insatsens deltagaruppgifter. Tomt: "
                               "ägaren eller den externa utföraren när parterna ansvarar, förbundets "
                               "personuppgiftsansvarige när förbundet ansvarar (då gäller alltid förbundets).",
        }

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.association = association
        self.fields["target_groups"].choices = target_group_choices(association)
        self.fields["owner_member"].queryset = association.members.all()
        self.fields["owner_member"].empty_label = "Ingen medlem (extern utförare eller ej angiven)"
        self.fields["assigned_users"].queryset = User.objects.filter(
            role_assignments__association=association, role_assignments__role=Role.PARTICIPANT_MANAGER
        ).distinct().order_by("username")

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        others = Intervention.objects.filter(association=self.instance.association, slug=slug)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Det finns redan en insats med det kortnamnet i förbundet.")
        return slug


class TargetGroupForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = TargetGroup
        fields = ["code", "label"]

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.association = association

    def clean_code(self):
        code = self.cleaned_data["code"]
        if TargetGroup.objects.filter(association=self.instance.association, code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Förbundet har redan en målgrupp med den koden.")
        return code


class AssociationFileForm(forms.Form):
    file = forms.FileField(label="Förbundsfil (JSON)", help_text="Högst 1 MB.")

    MAX_BYTES = 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("Filen är för stor. En förbundsfil får vara högst 1 MB.")
        return upload
