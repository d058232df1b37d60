"""Who may see or change which unit: the one place every view and API endpoint asks.

- admin (superuser): every unit;
- supervisor: reads its unit's whole subtree;
- operator: reads and manages its own unit;
- viewer: reads its own unit.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from skm.units.models import Membership, Unit

READ_ROLES = (Membership.Role.SUPERVISOR, Membership.Role.OPERATOR, Membership.Role.VIEWER)


def readable_units(user):
    """The units ``user`` may read, as a queryset."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for m in user.memberships.select_related("unit"):
        if m.role == Membership.Role.SUPERVISOR:
            condition |= Q(path__startswith=m.unit.path)
        else:
            condition |= Q(pk=m.unit_id)
    return Unit.objects.filter(condition)


def manageable_units(user):
    """The units ``user`` may change (responses, layanan, periods...)."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    ids = user.memberships.filter(role=Membership.Role.OPERATOR).values("unit_id")
    return Unit.objects.filter(pk__in=ids)


def can_read(user, unit: Unit) -> bool:
    return readable_units(user).filter(pk=unit.pk).exists()


def can_manage(user, unit: Unit) -> bool:
    return manageable_units(user).filter(pk=unit.pk).exists()


def get_unit(user, slug: str, manage: bool = False) -> Unit:
    """The unit ``slug`` if ``user`` may read it (or manage it); 404 otherwise.

    A unit the user may not see answers exactly like one that does not exist.
    """
    units = manageable_units(user) if manage else readable_units(user)
    try:
        return units.get(slug=slug)
    except Unit.DoesNotExist:
        raise Http404("Unit tidak ditemukan.") from None
