"""Changing associations, members and roles: plain functions, each one transaction."""

from django.db import IntegrityError, transaction

from .models import Association, Role, RoleAssignment, User
from .scope import Scope


class LastAdministratorError(Exception):
    pass


@transaction.atomic
def set_roles(association, user, roles):
    """Give ``user`` exactly ``roles`` in ``association``; refuses to leave it without an
    administrator."""
    roles = {Role(r) for r in roles}
    current = set(
        Role(r) for r in RoleAssignment.objects.filter(association=association, user=user).values_list("role", flat=True)
    )
    if Role.ADMIN in current and Role.ADMIN not in roles:
        # Every administrator row of the association, locked in one order: two administrators
        # removing each other at once take turns (the second then finds itself the last one)
        # instead of deadlocking.
        admins = list(RoleAssignment.objects.select_for_update()
                      .filter(association=association, role=Role.ADMIN).order_by("pk").values_list("user_id", flat=True))
        if not [u for u in admins if u != user.pk]:
            raise LastAdministratorError
    RoleAssignment.objects.filter(association=association, user=user).exclude(role__in=roles).delete()
    for role in roles - current:
        RoleAssignment.objects.create(association=association, user=user, role=role)
    if not roles:
        # Someone who leaves the association keeps no assignment to its insatser.
        user.assigned_interventions.remove(*user.assigned_interventions.filter(association=association))


class UsernameTakenError(Exception):
    pass


def username_taken(username):
    """Whether any account, anywhere, has this user name; letter case ignored, so that no
    look-alike account (Anna@x.se beside anna@x.se) can be created."""
    return User.objects.filter(username__iexact=username).exists()


@transaction.atomic
def create_user(association, *, username, roles, password, first_name="", last_name="", email=""):
    """A new account with ``roles`` in ``association``, for a förbundsadministratör. Never
    attaches an existing account: that would let an administrator take in, and learn about,
    people of other förbund (docs/decisions.md, issue 9). The password was chosen by the
    administrator, so the user must change it at first login."""
    if username_taken(username):
        raise UsernameTakenError
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email, must_change_password=True
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # created by a concurrent request since the check above
        raise UsernameTakenError from None
    for role in roles:
        RoleAssignment.objects.create(association=association, user=user, role=Role(role))
    return user


@transaction.atomic
def add_user(association, *, username, roles, password="", first_name="", last_name="", email=""):
    """Add roles to an existing user, or create the user first. Returns (user, created). Only for
    the systemadministratör (who names a new förbund's first administrator and sees every
    account) and the demo; förbundsadministratörer use :func:`create_user`."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(
            username=username, first_name=first_name, last_name=last_name, email=email, must_change_password=True
        )
        user.set_password(password)
        user.save()
    for role in roles:
        RoleAssignment.objects.get_or_create(association=association, user=user, role=Role(role))
    return user, created


@transaction.atomic
def create_association(*, slug, name, organisationsnummer="", admin_username, admin_password=""):
    association = Association.objects.create(slug=slug, name=name, organisationsnummer=organisationsnummer)
    with Scope.of(association).activate():
        add_user(association, username=admin_username, password=admin_password, roles=[Role.ADMIN])
    return association
