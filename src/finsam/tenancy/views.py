from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from finsam.core.forms import bound

from . import services
from .changes import delete_and_mark
from .forms import (
    USERNAME_TAKEN,
    AssociationCreateForm,
    AssociationSettingsForm,
    MemberForm,
    PasswordChangeForm,
    UserCreateForm,
    UserRolesForm,
)
from .models import Association, Role, User
from .permissions import association_view, system_admin_view


@association_view("manage_association")
def association_settings(request):
    before = request.association.get_privacy_model_display()
    # A copy: validating changes the instance, and the page's menus follow request.association.
    instance = Association.objects.get(pk=request.association.pk)
    form = AssociationSettingsForm(**bound(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        # One commit with its log entry: a log write that fails (a busy database) undoes the change.
        with transaction.atomic():
            saved = form.save()
            if "privacy_model" in form.changed_data:
                # Who may see participant data changes: kept where the förbund's auditors look.
                from finsam.audit.log import log_access

                log_access(request, saved, "privacy_model_changed",
                           subject=f"personuppgiftsansvar: {before} → {saved.get_privacy_model_display()}")
        messages.success(request, "Förbundets uppgifter är sparade.")
        return redirect("tenancy:settings", association_slug=request.association.slug)
    return render(request, "tenancy/settings.html", {"nav": "settings", "form": form})


@association_view("manage_association")
def member_list(request):
    return render(
        request, "tenancy/member_list.html", {"nav": "members", "members": request.association.members.all()}
    )


@association_view("manage_association")
def member_edit(request, member_id=None):
    member = get_object_or_404(request.association.members, pk=member_id) if member_id else None
    form = MemberForm(**bound(request), instance=member, association=request.association)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Medlemmen {form.instance.display_name} är sparad.")
        return redirect("tenancy:members", association_slug=request.association.slug)
    return render(request, "tenancy/member_form.html", {"nav": "members", "form": form, "member": member})


@require_POST
@association_view("manage_association")
def member_delete(request, member_id):
    member = get_object_or_404(request.association.members, pk=member_id)
    try:
        delete_and_mark(member)
    except ProtectedError:
        messages.error(
            request, f"{member.display_name} äger insatser och kan inte tas bort. Byt ägare på insatserna först."
        )
    else:
        messages.success(request, f"Medlemmen {member.display_name} är borttagen.")
    return redirect("tenancy:members", association_slug=request.association.slug)


def _association_users(association):
    return User.objects.filter(role_assignments__association=association).distinct().order_by("username")


@association_view("manage_users")
def user_list(request):
    association = request.association
    users = list(_association_users(association).prefetch_related("role_assignments", "assigned_interventions"))
    for user in users:
        user.roles_here = [Role(a.role).label for a in user.role_assignments.all() if a.association_id == association.id]
        user.interventions_here = [i for i in user.assigned_interventions.all() if i.association_id == association.id]
    return render(request, "tenancy/user_list.html", {"nav": "users", "users": users})


@association_view("manage_users")
def user_create(request):
    form = UserCreateForm(**bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                request.association,
                username=data["username"],
                roles=data["roles"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except services.UsernameTakenError:
            form.add_error("username", USERNAME_TAKEN)
        else:
            _log_roles(request, user.username, [], data["roles"])
            messages.success(
                request, f"Användaren {user.username} är skapad och får byta lösenordet vid första inloggningen."
            )
            return redirect("tenancy:users", association_slug=request.association.slug)
    return render(request, "tenancy/user_create.html", {"nav": "users", "form": form})


def _log_roles(request, username, before, after):
    """Roles decide who may see participant data: a change is kept in the access log."""
    if set(before) == set(after):
        return
    from finsam.audit.log import log_access  # audit imports tenancy's models; imported when used

    def labels(roles):
        return ", ".join(Role(r).label for r in Role.values if r in roles) or "inga"

    log_access(request, request.association, "access_changed",
               subject=f"roller för {username}: {labels(before)} → {labels(after)}")


@association_view("manage_users")
def user_edit(request, user_id):
    user = get_object_or_404(_association_users(request.association), pk=user_id)
    current = list(user.role_assignments.filter(association=request.association).values_list("role", flat=True))
    form = UserRolesForm(**bound(request), initial={"roles": current})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the roles and their log entry: one commit
                services.set_roles(request.association, user, form.cleaned_data["roles"])
                _log_roles(request, user.username, current, form.cleaned_data["roles"])
        except services.LastAdministratorError:
            form.add_error("roles", "Förbundet måste ha minst en förbundsadministratör.")
        else:
            if form.cleaned_data["roles"]:
                messages.success(request, f"Rollerna för {user.username} är sparade.")
            else:
                messages.success(request, f"{user.username} är borttagen från förbundet.")
            return redirect("tenancy:users", association_slug=request.association.slug)
    assigned = user.assigned_interventions.filter(association=request.association)
    return render(
        request, "tenancy/user_edit.html", {"nav": "users", "form": form, "subject": user, "assigned": assigned}
    )


@system_admin_view
def system_associations(request):
    return render(request, "tenancy/system_associations.html", {"associations": Association.objects.all()})


@system_admin_view
def system_association_create(request):
    form = AssociationCreateForm(**bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        association = services.create_association(
            slug=data["slug"],
            name=data["name"],
            organisationsnummer=data["organisationsnummer"],
            admin_username=data["admin_username"],
            admin_password=data["admin_password"],
        )
        messages.success(request, f"{association.name} är skapat.")
        return redirect("tenancy:system_associations")
    return render(request, "tenancy/system_association_form.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in user changes their own password. Django's view keeps this session
    (update_session_auth_hash, with a new session key); every other session of the user ends,
    since a session is only valid with the hash of the password it was opened with."""

    form_class = PasswordChangeForm
    template_name = "tenancy/password_change.html"
    success_url = reverse_lazy("home")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Ditt lösenord är bytt. Andra inloggningar med ditt konto har avslutats.")
        return response


password_change = PasswordChangeView.as_view()
