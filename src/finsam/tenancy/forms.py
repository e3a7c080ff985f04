from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation

from finsam.core.forms import AccessibleErrorsMixin

from .changes import MarksDataChanged
from .models import ROLE_DESCRIPTIONS, Association, Member, Role, User
from .services import username_taken


class AssociationSettingsForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Association
        fields = ["name", "organisationsnummer", "masking_threshold", "retention_years", "grade_acceptable_percent",
                  "privacy_model", "legal_basis", "legal_basis_decided_on", "controller_name", "controller_contact",
                  "pseudonymous_consent_required"]
        widgets = {
            "privacy_model": forms.RadioSelect,
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "legal_basis_decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "privacy_model": "Vem som är personuppgiftsansvarig för uppgifterna om enskilda deltagare, och därmed "
                             "vilka roller som får se dem. Förklaringen står ovanför formuläret.",
        }


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


class MemberForm(MarksDataChanged, AccessibleErrorsMixin, forms.ModelForm):
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


# One message for every name already in use, whoever holds it: the form must not tell an
# administrator whether someone works in another förbund (docs/decisions.md, issue 9).
USERNAME_TAKEN = (
    "Användarnamnet går inte att använda. Välj ett annat. Finns personen redan bland förbundets "
    "användare ändrar du hens roller i listan; arbetar hen i ett annat förbund får hen ett eget "
    "användarnamn här."
)


class UserCreateForm(AccessibleErrorsMixin, forms.Form):
    username = forms.CharField(
        label="Användarnamn",
        max_length=150,
        help_text="Helst e-postadressen. Ett nytt konto skapas; befintliga konton läggs inte till härifrån.",
    )
    first_name = forms.CharField(label="Förnamn", max_length=150, required=False)
    last_name = forms.CharField(label="Efternamn", max_length=150, required=False)
    email = forms.EmailField(label="E-post", required=False)
    password = forms.CharField(
        label="Startlösenord",
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="Minst 12 tecken. Användaren måste byta det vid första inloggningen.",
    )
    roles = RolesField()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if username_taken(username):
            raise forms.ValidationError(USERNAME_TAKEN, code="taken")
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username") or self.data.get("username", ""),
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


class PasswordChangeForm(AccessibleErrorsMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password, new twice, the project's validators) with help in plain
    text, since the field template puts help in a paragraph, and a new password that must
    differ from the old one: a password an administrator chose stays known to them. The old
    password is checked through authenticate(), so that django-axes counts wrong guesses and locks
    them out like failed logins: whoever holds a left-open session cannot try passwords freely."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["new_password1"].help_text = (
            "Minst 12 tecken. Inte ett vanligt lösenord, inte bara siffror och inte likt ditt namn eller "
            "användarnamn. En fras av flera ord är lätt att minnas och svår att gissa."
        )

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError("Det nya lösenordet måste skilja sig från det nuvarande.", code="unchanged")
        return password

    def save(self, commit=True):
        self.user.must_change_password = False
        return super().save(commit)
