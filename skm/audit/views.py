"""Reading the audit log: admins everything, supervisors their subtree, operators their unit.

Entries without a unit (users, staff API tokens, the general questionnaire) are for admins
only. Viewers and users without a role get 403: the page exists for everyone, so a 404 would
hide nothing.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from skm.followup.services import tanggal_id
from skm.units.models import Membership, Unit

from .capture import SECRET_TEXT, audited_models
from .models import AuditEntry

PAGE_SIZE = 50


def _under(path: str) -> Q:
    """Entries of the units under ``path``: where the unit was when written, or is now."""
    return Q(unit_path__startswith=path) | Q(unit__path__startswith=path)


def visible_entries(user):
    """The entries ``user`` may read, or None when the user may read none at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return AuditEntry.objects.all()
    condition, any_role = Q(pk__in=[]), False
    for m in user.memberships.select_related("unit"):
        if m.role == Membership.Role.SUPERVISOR:
            condition |= _under(m.unit.path)
            any_role = True
        elif m.role == Membership.Role.OPERATOR:
            condition |= Q(unit_id=m.unit_id)
            any_role = True
    return AuditEntry.objects.filter(condition) if any_role else None


def filter_units(user):
    """The units offered in the unit filter."""
    if user.is_superuser:
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for m in user.memberships.select_related("unit"):
        if m.role == Membership.Role.SUPERVISOR:
            condition |= Q(path__startswith=m.unit.path)
        elif m.role == Membership.Role.OPERATOR:
            condition |= Q(pk=m.unit_id)
    return Unit.objects.filter(condition)


def _day(raw: str, field: str, errors: list) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s: tulis tanggal seperti 2024-09-17.") % {"field": field})
        return None


def _filtered(request):
    """(entries, filters, errors) for the query string; a bad value is reported, not used."""
    entries = visible_entries(request.user)
    if entries is None:
        raise PermissionDenied(_("Log audit hanya untuk admin, supervisor dan operator."))
    get, errors = request.GET, []
    filters = {
        "unit": get.get("unit", "").strip(), "model": get.get("model", "").strip(),
        "pengguna": get.get("pengguna", "").strip(), "dari": get.get("dari", "").strip(),
        "sampai": get.get("sampai", "").strip(), "aksi": get.get("aksi", "").strip(),
    }
    if filters["unit"]:
        unit = filter_units(request.user).filter(slug=filters["unit"]).first()
        if unit is None:
            errors.append(_("Unit: tidak ada unit '%(slug)s' yang boleh Anda lihat.")
                          % {"slug": filters["unit"]})
        else:
            entries = entries.filter(_under(unit.path))
    if filters["model"]:
        if filters["model"] not in {label for label, _name in audited_models()}:
            errors.append(_("Jenis data: '%(model)s' tidak dikenal.") % {"model": filters["model"]})
        else:
            entries = entries.filter(model=filters["model"])
    if filters["aksi"]:
        if filters["aksi"] not in AuditEntry.Action.values:
            errors.append(_("Aksi: '%(aksi)s' tidak dikenal.") % {"aksi": filters["aksi"]})
        else:
            entries = entries.filter(action=filters["aksi"])
    if filters["pengguna"]:
        entries = entries.filter(actor__icontains=filters["pengguna"])
    tz = timezone.get_current_timezone()
    start = _day(filters["dari"], _("Dari tanggal"), errors)
    end = _day(filters["sampai"], _("Sampai tanggal"), errors)
    if start:
        entries = entries.filter(at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        entries = entries.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min,
                                                         tzinfo=tz))
    if start and end and start > end:
        errors.append(_("Sampai tanggal: harus sama dengan atau sesudah Dari tanggal."))
    return entries.order_by("-at", "-pk"), filters, errors


def _changes_text(changes) -> list[tuple[str, str, str]]:
    def shown(value):
        if value is None or value == "":
            return _("kosong")
        return str(value)

    rows = []
    for name, pair in (changes or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            rows.append((name, shown(pair[0]), shown(pair[1])))
        else:
            rows.append((name, "", str(pair) if pair != SECRET_TEXT else _("(diubah)")))
    return rows


def _row(entry: AuditEntry) -> dict:
    at = timezone.localtime(entry.at)
    return {
        "entry": entry, "at": at, "date": tanggal_id(at.date()),
        "action": entry.get_action_display(), "changes": _changes_text(entry.changes),
    }


@never_cache
@login_required
def log(request):
    """The filtered, paged list. A bad filter value is shown with its field and ignored."""
    entries, filters, errors = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(request, "audit/log.html", {
        "page": page,
        "rows": [_row(e) for e in page.object_list],
        "filters": filters,
        "errors": errors,
        "units": filter_units(request.user).only("slug", "name", "path"),
        "models": audited_models(),
        "actions": AuditEntry.Action.choices,
        "query": query.urlencode(),
    }, status=400 if errors else 200)


def _cell(value) -> str:
    """Text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@never_cache
@login_required
def log_csv(request):
    """The same filtered list as CSV (every page), for a spreadsheet."""
    entries, _filters, errors = _filtered(request)
    if errors:
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="log-audit.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("waktu"), _("pelaku"), _("unit"), _("aksi"), _("jenis data"),
                     _("id objek"), _("objek"), _("perubahan")])
    for entry in entries.iterator(chunk_size=2000):
        changes = "; ".join(
            f"{name}: {old} → {new}" if old else f"{name}: {new}"
            for name, old, new in _changes_text(entry.changes)
        )
        writer.writerow([_cell(v) for v in (
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"), entry.actor,
            entry.unit_name, entry.get_action_display(), entry.model, entry.object_id,
            entry.object_repr, changes,
        )])
    return response
