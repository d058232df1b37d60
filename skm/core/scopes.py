"""Querysets that refuse to run unless scoped to units: a forgotten filter fails loudly.

A model whose rows belong to a unit uses ``UnitScopedManager``. Every query on it must say
which units it may see: ``Model.objects.within(units)``, or, where the code really means all
units (admin, migrations, the demo builder), ``Model.objects.unscoped()``. A query that says
neither raises ``ScopeError`` instead of quietly returning another kelurahan's data.
Querying through a related manager (``unit.layanan.all()``) is scoped by construction.
"""

from django.db import models


class ScopeError(RuntimeError):
    pass


def _guarded(name):
    def method(self, *args, **kwargs):
        self._check_scope()
        return getattr(super(UnitScopedQuerySet, self), name)(*args, **kwargs)

    method.__name__ = name
    return method


class UnitScopedQuerySet(models.QuerySet):
    unit_field = "unit"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scoped = False

    def _clone(self):
        clone = super()._clone()
        clone._scoped = self._scoped
        return clone

    def _check_scope(self):
        if not self._scoped:
            raise ScopeError(
                f"{self.model.__name__}: query without a unit scope; use .within(units) "
                "or .unscoped()."
            )

    def within(self, units):
        """Rows of these units only (a queryset of units, a list of units or of ids)."""
        clone = self.filter(**{f"{self.unit_field}__in": units})
        clone._scoped = True
        return clone

    def unscoped(self):
        clone = self._chain()
        clone._scoped = True
        return clone

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    count = _guarded("count")
    exists = _guarded("exists")
    aggregate = _guarded("aggregate")
    update = _guarded("update")
    delete = _guarded("delete")
    iterator = _guarded("iterator")


class UnitScopedManager(models.Manager.from_queryset(UnitScopedQuerySet)):
    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "instance", None) is not None:  # a related manager: scoped by its FK
            queryset._scoped = True
        return queryset
