"""Digital consent given on the participant's own phone.

Before anything about the person is registered, the staff creates a ConsentRequest: a one-time
link (shown as a QR code) valid for 30 minutes. The participant opens it without logging in,
reads the consent text and answers. The registration then refers to the answered request, which
supplies the consent date and text version. Only a hash of the link's token is stored.
"""

import datetime
import hashlib
import secrets

from django.utils import timezone

from .models import ConsentRequest

CONSENT_TEXT_VERSION = "2026-1"
LINK_LIFETIME = datetime.timedelta(minutes=30)
# How long after the answer the registration may use it.
USE_WITHIN = datetime.timedelta(hours=24)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_request(intervention, user):
    """Returns (request, token); the token exists only in the link given to the participant."""
    token = secrets.token_urlsafe(32)
    request = ConsentRequest.objects.create(
        association=intervention.association, intervention=intervention, token_hash=_hash(token),
        text_version=CONSENT_TEXT_VERSION, created_by=user, expires_at=timezone.now() + LINK_LIFETIME,
    )
    return request, token


def find_open(token):
    """The unanswered, unexpired request for ``token``, or None."""
    return ConsentRequest.objects.filter(
        token_hash=_hash(token), answered_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("intervention", "association").first()


def answer(request, consented):
    updated = ConsentRequest.objects.filter(pk=request.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), consented=consented
    )
    return bool(updated)


def usable(intervention, request_id):
    """The request ``request_id`` when it can back a registration in ``intervention``: answered
    yes, not used, answered within USE_WITHIN."""
    if not request_id:
        return None
    return ConsentRequest.objects.filter(
        pk=request_id, intervention=intervention, consented=True, participation__isnull=True,
        answered_at__gt=timezone.now() - USE_WITHIN,
    ).first()


class ConsentAlreadyUsed(Exception):
    pass


def mark_used(request, participation):
    """Tie the answered request to the participation it backs; refuses a second use."""
    if not ConsentRequest.objects.filter(pk=request.pk, participation__isnull=True).update(participation=participation):
        raise ConsentAlreadyUsed


def qr_svg_data_uri(url):
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)
