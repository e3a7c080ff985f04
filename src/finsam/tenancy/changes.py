"""Write services mark their förbund's data changed (docs/decisions.md, "Report cache").

Reports are cached under the förbund's ``DataVersion``; whatever writes a row the statistics engine
reads raises it in the same transaction (``models.mark_data_changed``). The helpers here let an
app's write path do that without knowing how its rows reach their förbund: the way is derived from
the model's foreign keys (``association_id_of``), so a new app's models need no entry anywhere.
tests/test_data_versions.py checks every write path with the ORM safety net of
``statistics/cache.py`` switched off.
"""

from django.db import models, transaction

from .models import Association, mark_data_changed


def association_path(model):
    """The lookup from ``model`` to its förbund's id: ``pk`` for Association, ``association_id``
    for a tenant model, ``intervention__association_id`` for a goal and so on, following the first
    foreign key that leads to a förbund. None when no key does."""
    return _path(model, set())


def _path(model, seen):
    if model is Association:
        return "pk"
    if model in seen:
        return None
    seen = seen | {model}
    foreign_keys = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for field in foreign_keys:
        if field.related_model is Association:
            return field.attname
    for field in foreign_keys:
        rest = _path(field.related_model, seen)
        if rest is not None:
            return f"{field.name}__{rest}"
    return None


def association_id_of(instance):
    """The id of the förbund ``instance`` belongs to. Read from the row's own foreign key, so that
    it works for a row just deleted too (one query when the förbund is not on the row itself)."""
    model = type(instance)
    path = association_path(model)
    if path is None:
        return None
    if "__" not in path:
        return getattr(instance, path)
    first, rest = path.split("__", 1)
    field = model._meta.get_field(first)
    related_pk = getattr(instance, field.attname)
    if related_pk is None:
        return None
    return field.related_model._base_manager.filter(pk=related_pk).values_list(rest, flat=True).first()


def mark_changed(instance):
    association_id = association_id_of(instance)
    if association_id is not None:
        mark_data_changed(association_id)


class MarksDataChanged:
    """Mixin for a ModelForm whose instance the reports count: saving it marks the förbund's data
    changed in the same transaction. ``save(commit=False)`` leaves saving, and marking, to the caller."""

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        with transaction.atomic():
            instance = super().save()
            mark_changed(instance)
        return instance


@transaction.atomic
def delete_and_mark(instance):
    """Delete a row the reports count and mark its förbund's data changed (nothing of either when
    the database refuses the deletion, e.g. a ProtectedError)."""
    association_id = association_id_of(instance)
    instance.delete()
    if association_id is not None:
        mark_data_changed(association_id)
