from django import forms
from django.contrib.auth import password_validation

from finsam.core.forms import AccessibleErrorsMixin

from .models import ROLE_DESCRIPTIONS, Association, Member, Role, User


class AssociationSettingsForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Association
        fields = ["name", "organisationsnummer", "masking_threshold", "retention_years", "grade_acceptable_percent"]


class AssociationCreateForm(AccessibleErrorsMixin, forms.ModelForm):
    admin_username = forms.CharField(
        label="Första administratörens användarnamn",
        max_length=150,
        help_text="Helst e-postadressen. Finns användaren redan får hen rollen förbundsadministratör.",
    )
    admin_password = forms.CharField(
        label="Lösenord för en ny användare",
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="Minst 12 tecken. Behövs bara om användaren inte finns.",
    )

    class Meta:
        model = Association
        fields = ["slug", "name", "organisationsnummer"]

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("admin_username")
        if username and not User.objects.filter(username=username).exists():
            password = cleaned.get("admin_password")
            if not password:
                self.add_error("admin_password", "Ange ett lösenord för den nya användaren.")
            else:
                try:
                    password_validation.validate_password(password, User(username=username))
                except forms.ValidationError as error:
                    self.add_error("admin_password", error)
        return cleaned


class MemberForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["kind", "municipality_code", "name"]

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.association = association

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        code = cleaned.get("municipality_code", "") if kind == "kommun" else ""
        duplicates = Member.objects.filter(association=self.instance.association, kind=kind, municipality_code=code)
        if kind and duplicates.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Den medlemmen finns redan i förbundet.")
        return cleaned


def role_choices():
    return [(role.value, f"{role.label} – {ROLE_DESCRIPTIONS[role]}") for role in Role]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=role_choices, label="Roller", **kwargs)


class UserCreateForm(AccessibleErrorsMixin, forms.Form):
    username = forms.CharField(
        label="Användarnamn",
        max_length=150,
        help_text="Helst e-postadressen. Finns användaren redan läggs rollerna till hen.",
    )
    first_name = forms.CharField(label="Förnamn", max_length=150, required=False)
    last_name = forms.CharField(label="Efternamn", max_length=150, required=False)
    email = forms.EmailField(label="E-post", required=False)
    password = forms.CharField(
        label="Lösenord",
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="Minst 12 tecken. Behövs bara för en ny användare; be hen byta det vid första inloggningen.",
    )
    roles = RolesField()

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("username")
        self.existing_user = User.objects.filter(username=username).first() if username else None
        if username and self.existing_user is None:
            password = cleaned.get("password")
            if not password:
                self.add_error("password", "Ange ett lösenord för den nya användaren.")
            else:
                candidate = User(
                    username=username,
                    first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""),
                    email=cleaned.get("email", ""),
                )
                try:
                    password_validation.validate_password(password, candidate)
                except forms.ValidationError as error:
                    self.add_error("password", error)
        return cleaned


class UserRolesForm(AccessibleErrorsMixin, forms.Form):
    roles = RolesField(required=False, help_text="Ta bort alla roller för att ta bort användaren från förbundet.")
