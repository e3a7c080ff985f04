"""Writing the access log: called by every code path that shows or exports personal data."""

from finsam.core.identifiers import redact_identity_numbers

from .models import AccessLog


def log_access(request_or_user, association, action, *, intervention_slug="", subject="", row_count=0):
    """``request_or_user`` may be None for the system's own scheduled work. ``subject`` may hold
    text the user chose (a file name, a deletion reason): anything shaped like an identity number
    is hidden, since the log is read by roles that may see no participant data."""
    user = getattr(request_or_user, "user", request_or_user)
    return AccessLog.objects.create(
        user=user,
        association=association,
        intervention_slug=intervention_slug,
        action=action,
        subject=redact_identity_numbers(subject)[:200],
        row_count=row_count,
    )
