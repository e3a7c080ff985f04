"""Scope: the only way to query a förbund's rows (issue 11).

Every tenant-owned model's default manager is :func:`scoped` (a django-scopes ``ScopedManager``):
outside an active :class:`Scope` any query through it raises ``ScopeError``; inside, every query is
filtered to the förbund the scope covers, whatever the code forgot to say. A scope is one förbund
(:meth:`Scope.of`, what a förbund's pages, commands and jobs run in) or the set of förbund a
national capability grants (:meth:`Scope.national`).

Who activates a scope: ``tenancy.permissions.association_view`` for a förbund's pages (after it has
resolved the förbund and the user's roles in it), each management command for the förbund named by
``--association`` (one scope per förbund when it goes through several), the public consent page for
the förbund of the link, the job worker for the förbund of each job (``jobs.runner.run_job``). ``scopes_disabled()`` is for the few places that must look across every
förbund; tests/test_scope.py keeps their list (``SCOPES_DISABLED_ALLOWED``).

Making a new model scoped is one line: ``objects = scoped("path__to__association")``.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from django_scopes import ScopedManager, ScopeError, get_scope, scope as activate_scope
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import state

DIMENSION = "association"

__all__ = ["Scope", "ScopeError", "scoped", "no_scope", "RequestScopeMiddleware"]


@dataclass(frozen=True)
class Scope:
    """The förbund whose rows a piece of work may read and write."""

    association_ids: frozenset
    is_national: bool = False  # grouped per förbund in reports, even when it covers one
    # The förbund of a förbund's scope, when made from its row (a report needs its settings).
    association: object = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, association):
        """One förbund: an Association, or its id."""
        pk = getattr(association, "pk", association)
        if pk is None:
            raise ValueError("An unsaved association has no scope.")  # None would mean every förbund
        return cls(frozenset([pk]), association=association if hasattr(association, "pk") else None)

    @classmethod
    def national(cls, associations):
        """Every förbund in ``associations`` (Association rows or ids): what a national capability
        grants."""
        return cls(frozenset(getattr(a, "pk", a) for a in associations), is_national=True)

    def activate(self):
        """Context manager: queries inside it see this scope's förbund, and only them. Inside another
        scope it may only narrow it: work running for förbund A can never switch itself to förbund B."""
        active = _active_ids()
        if active is not None and not self.association_ids <= active:
            raise ScopeError(f"{self} is not inside the active scope.")
        if self.is_national:
            return activate_scope(**{DIMENSION: sorted(self.association_ids)})
        (pk,) = self.association_ids
        return activate_scope(**{DIMENSION: pk})

    def require_active(self):
        """Raise ScopeError unless a scope covering this one is active (or scoping is disabled):
        counting a scope that is not active would count nothing, or fail later."""
        current = get_scope()
        if current.get("_enabled", True) and DIMENSION not in current:
            raise ScopeError(f"{self} is not active.")
        active = _active_ids()
        if active is not None and not self.association_ids <= active:
            raise ScopeError(f"{self} is not inside the active scope.")

    def stream(self, iterable):
        """Iterate ``iterable`` with this scope active for each item and inactive in between: for a
        response body produced after the view has returned (the WSGI server reads it outside the
        view's scope)."""
        iterator = iter(iterable)
        while True:
            with self.activate():
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item


def _active_ids():
    """The ids of the förbund the active scope allows, or None when it does not restrict (no scope
    active yet, scoping disabled, or django-scopes' ``association=None``)."""
    current = get_scope()
    if not current.get("_enabled", True) or current.get(DIMENSION) is None:
        return None
    value = current[DIMENSION]  # set by Scope.activate: a list of ids, or one id
    return frozenset(value) if isinstance(value, (list, tuple)) else frozenset([value])


def scoped(path="association", queryset=models.QuerySet):
    """The default manager of a tenant-owned model: ``path`` is the lookup from the model to its
    Association (``"association"``, ``"participation__association"``). ``queryset`` keeps a model's
    own QuerySet methods (and its refusals, core/write_once.py); outside a scope they raise
    ScopeError like every other method instead of AttributeError."""
    base = models.Manager if queryset is models.QuerySet else models.Manager.from_queryset(queryset)
    manager_class = type(ScopedManager(_manager_class=base, **{DIMENSION: path}))
    if queryset is models.QuerySet:
        return manager_class()
    disabled = type(f"Disabled{queryset.__name__}", (DisabledQuerySet, queryset), {})

    class Manager(manager_class):
        def get_queryset(self):
            result = super().get_queryset()
            if isinstance(result, DisabledQuerySet):
                result = disabled(self.model, using=self._db, missing_scopes=result.missing_scopes)
            return result

    return Manager()


@contextmanager
def no_scope():
    """No scope active and scoping on, whatever the caller had (a test body under
    ``scopes_disabled()`` included; django-scopes' own ``scope()`` would keep the rest of the
    caller's state). Each request starts here."""
    token = state.set({})
    try:
        yield
    finally:
        state.reset(token)


class RequestScopeMiddleware:
    """Every request starts without a scope: a view reads a förbund's rows only inside the scope
    its ``association_view`` activates, never under one left by whatever ran the request before
    (in tests, the test body's ``scopes_disabled()``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with no_scope():
            return self.get_response(request)
