"""Writing the access log: called by every code path that shows or exports personal data."""

from .models import AccessLog


def log_access(request_or_user, association, action, *, intervention_slug="", subject="", row_count=0):
    """``request_or_user`` may be None for the system's own scheduled work."""
    user = getattr(request_or_user, "user", request_or_user)
    return AccessLog.objects.create(
        user=user,
        association=association,
        intervention_slug=intervention_slug,
        action=action,
        subject=subject[:200],
        row_count=row_count,
    )
