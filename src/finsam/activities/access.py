"""Who may register which activities and measures (tenancy/permissions.py names the roles): an
administratör or analytiker every insats's and the förbund's own; a deltagaransvarig (project
leader) those of the insatser assigned to them."""

from . import rows


def writable_interventions(access):
    interventions = access.association.interventions.all()
    if not access.can("register_activities"):
        return interventions.none()
    if access.can("register_association_activities"):
        return interventions
    return interventions.assigned_to(access.user)


def row_context(access, today=None):
    """The rules' context (rows.Context) for what ``access`` may write."""
    return rows.Context(access.association, list(writable_interventions(access)),
                        access.can("register_association_activities"), today=today)
