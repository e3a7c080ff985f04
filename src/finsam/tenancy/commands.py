"""Management commands of one förbund: the förbund named on the command line, run in its scope."""

from functools import wraps

from django.core.management.base import CommandError

from .models import Association
from .scope import Scope


def in_association_scope(option="association"):
    """Decorate a command's ``handle``: the förbund whose kortnamn is the option ``option`` is looked
    up (a Swedish error when there is none) and passed on as the Association, and the command runs
    inside its scope (tenancy/scope.py), as a förbund's pages do."""

    def decorator(handle):
        @wraps(handle)
        def wrapper(self, *args, **options):
            slug = options[option]
            association = Association.objects.filter(slug=slug).first()
            if association is None:
                raise CommandError(f"Det finns inget förbund med kortnamnet {slug}.")
            options[option] = association
            with Scope.of(association).activate():
                return handle(self, *args, **options)

        return wrapper

    return decorator
