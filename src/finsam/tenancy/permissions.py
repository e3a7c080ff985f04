"""Who may do what: the one place where roles become permissions.

Every view inside an association is wrapped in :func:`association_view`, which resolves the
association from the URL, answers 404 to anyone without a role in it (an outsider must not learn
that an object exists), and 403 to a member whose roles lack the capability the view needs, and runs
the view inside the association's scope (tenancy/scope.py).
Participant-level data is further limited to :meth:`Access.sees_all_interventions` or to the
insatser a deltagaransvarig is assigned to (see ``interventions.models.InterventionQuerySet``).

Who may see participant-level data depends on the förbund's privacy model (docs/privacy.md):
under "Parterna ansvarar" (the default) only the deltagaransvariga of an insats do; under
"Förbundet ansvarar" the förbundsadministratörer and analytiker do too. A capability whose
value is a dict gives the roles per model.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Association, PrivacyModel, Role
from .scope import Scope

ADMIN, ANALYST, MANAGER, READER = Role.ADMIN, Role.ANALYST, Role.PARTICIPANT_MANAGER, Role.READER
MEMBERS, ASSOCIATION = PrivacyModel.MEMBERS, PrivacyModel.ASSOCIATION


def _by_model(members, association):
    return {MEMBERS: frozenset(members), ASSOCIATION: frozenset(association)}


CAPABILITIES = {
    # See the association's start page and its list of insatser.
    "view_association": {ADMIN, ANALYST, MANAGER, READER},
    "manage_association": {ADMIN},
    "manage_users": {ADMIN},
    "manage_interventions": {ADMIN},
    # Every insats of the association in lists and pages (a deltagaransvarig sees the assigned ones).
    "view_all_interventions": {ADMIN, ANALYST, READER},
    # Reports computed on request for any period and insatser, with small counts shown (so never
    # for läsare: two masked reports of their own choosing could be subtracted, issue 9).
    "view_reports": {ADMIN, ANALYST, MANAGER},
    # ... of every insats and the whole förbund; a deltagaransvarig's report is limited to the
    # insatser assigned to them, whose participants they see row by row anyway (reports/forms.py).
    "view_all_reports": {ADMIN, ANALYST},
    # Freeze a masked report for the board (reports/publishing.py).
    "publish_reports": {ADMIN, ANALYST},
    # The list of published reports and their files: the board's only view of the statistics.
    "view_published_reports": {ADMIN, ANALYST, MANAGER, READER},
    # Participant-level data in every insats of the association (not only assigned ones).
    "view_all_participants": _by_model(members=set(), association={ADMIN, ANALYST}),
    # Register participants on screen (a deltagaransvarig only in assigned insatser). The analyst
    # does not register on screen in either model (as before issue 10); imports are enough.
    "register_participants": _by_model(members={MANAGER}, association={ADMIN, MANAGER}),
    # See participant rows, search them and make register extracts (within the reachable insatser).
    "view_participants": _by_model(members={MANAGER}, association={ADMIN, ANALYST, MANAGER}),
    # Read a participant file in (page, template and the import-participants command).
    "import_participants": _by_model(members={MANAGER}, association={ADMIN, ANALYST, MANAGER}),
    # Export participant rows: each user the rows of the insatser whose participants they see.
    "export_participants": _by_model(members={MANAGER}, association={ADMIN, ANALYST, MANAGER}),
    # Volume counts are counts per period and gender, never a person: not participant-level
    # data, so the same in both models (admin and analyst every insats, deltagaransvarig assigned).
    "view_volume_counts": {ADMIN, ANALYST, MANAGER},
    "register_volume_counts": {ADMIN, MANAGER},
    "view_access_log": {ADMIN},
    # Activities and measures (counts of occasions and attendances, no personal data: the same in
    # both privacy models). A deltagaransvarig registers those of the insatser assigned to them;
    # the förbund's own (no insats) and every insats's need a förbund role (finsam.activities).
    "register_activities": {ADMIN, ANALYST, MANAGER},
    "register_association_activities": {ADMIN, ANALYST},
    # Indicator surveys (shared/spec/surveys.md, "Roles"); no participant-level data, so the same in
    # both models. The list of rounds and a round's page (a deltagaransvarig: own insatser's rounds).
    "view_survey_rounds": {ADMIN, ANALYST, MANAGER},
    # Open, close and reopen a round; its poster, codes, paper forms and paper entry.
    "run_survey_rounds": {ADMIN, MANAGER},
    # Rounds and question sets, the survey, answers and national files, the answers export.
    "manage_surveys": {ADMIN},
    # Free-text answers, per question, for rounds with at least min n responses.
    "read_survey_free_text": {ADMIN, ANALYST},
    # Finance (issue 13): the förbund's staff enter and read in budget, forecast and actuals and
    # set the finance settings; a deltagaransvarig sees the budget and outcome of the assigned
    # insatser (finance/views.intervention_page); läsare read published reports only.
    "manage_finance": {ADMIN, ANALYST},
    "view_finance": {ADMIN, ANALYST, MANAGER},
    # The förbund's plan (verksamhetsplan): its pages and forms (issue 14).
    "manage_plans": {ADMIN, ANALYST},
}


@dataclass(frozen=True)
class Access:
    """A user's standing in one association, computed once per request."""

    user: object
    association: Association
    roles: frozenset

    @classmethod
    def for_user(cls, user, association):
        if not user.is_authenticated or not user.is_active:
            return cls(user, association, frozenset())
        # Roles are read before the view's scope is active (they decide whether it is entered): the
        # one read of a tenant-owned model outside a view's scope, limited to this förbund explicitly.
        with Scope.of(association).activate():
            roles = frozenset(
                Role(r) for r in association.role_assignments.filter(user=user).values_list("role", flat=True)
            )
        return cls(user, association, roles)

    def can(self, capability):
        try:
            allowed = CAPABILITIES[capability]
        except KeyError:
            raise ValueError(f"Unknown capability {capability!r}") from None
        if isinstance(allowed, dict):
            allowed = allowed[PrivacyModel(self.association.privacy_model)]
        return bool(self.roles & allowed)

    @property
    def is_member(self):
        return bool(self.roles)

    @property
    def sees_all_interventions(self):
        """True when participant-level access is not limited to assigned insatser."""
        return self.can("view_all_participants")

    @property
    def role_labels(self):
        return [Role(r).label for r in Role.values if r in self.roles]


def association_view(capability="view_association"):
    """Decorate a view taking ``(request, association_slug, ...)``; sets ``request.association``
    and ``request.access`` and passes the rest of the URL arguments on."""
    if capability not in CAPABILITIES:
        raise ValueError(f"Unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, association_slug, *args, **kwargs):
            association = Association.objects.filter(slug=association_slug).first()
            if association is None:
                raise Http404
            access = Access.for_user(request.user, association)
            if not access.is_member:
                raise Http404
            if not access.can(capability):
                raise PermissionDenied
            request.association = association
            request.access = access
            # The view and its render run inside the förbund's scope: every tenant-owned query in them
            # is limited to this förbund, whether or not the view says so (tenancy/scope.py).
            with Scope.of(association).activate():
                return view(request, *args, **kwargs)

        wrapper.capability = capability
        return wrapper

    return decorator


def system_admin_view(view):
    """Views of the national installation's systemadministratör; 404 for everyone else."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.capability = "system_admin"
    return wrapper


def associations_of(user):
    """The associations in which ``user`` holds any role."""
    if not user.is_authenticated:
        return Association.objects.none()
    return Association.objects.filter(role_assignments__user=user).distinct()
