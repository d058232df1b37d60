"""The operator's "Kelola unit" page: its layanan, population estimates per period, sections.

Server-rendered, no JavaScript needed. Every view finds its unit through
:func:`skm.core.access.get_unit` with ``manage=True``: a unit the user may not manage is a 404,
exactly like one that does not exist. Changes are POSTs that redirect back to the page with a
message (post/redirect/get); a form with errors is shown again with the message at its field.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from skm.core.access import get_unit
from skm.surveys.recording import current_period
from skm.units.periods import parse_period

from .forms import (
    LayananAddForm,
    LayananEditForm,
    PopulationForm,
    SectionAddForm,
    SectionEditForm,
    UnitSettingsForm,
)
from .models import Period, Population, Unit


def _period_or_404(code: str) -> Period:
    try:
        spec = parse_period(code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None
    return Period.get_or_create_code(spec.code)


def _chosen_period(request, unit: Unit) -> Period:
    code = request.POST.get("periode") or request.GET.get("periode")
    return _period_or_404(code) if code else current_period(unit)


def _manage_url(unit: Unit, period: Period | None = None, anchor: str = "") -> str:
    url = reverse("manage", kwargs={"slug": unit.slug})
    if period is not None:
        url += "?" + urlencode({"periode": period.code})
    return url + (f"#{anchor}" if anchor else "")


def manager_view(view):
    """Login, then the unit through ``get_unit(manage=True)`` (404 otherwise), then POST only:
    a GET of an action URL goes back to the page."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, **kwargs):
        unit = get_unit(request.user, slug, manage=True)
        if request.method == "GET":
            return redirect(_manage_url(unit))
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, unit, **kwargs)

    return wrapper


def _saved_sizes(unit: Unit, period: Period) -> dict[int, int]:
    return dict(
        Population.objects.filter(layanan__unit=unit, period=period)
        .values_list("layanan_id", "size")
    )


def _render(request, unit: Unit, period: Period, *, layanan_form=None, population_form=None,
            section_form=None, row_forms=None, settings_form=None, status=200):
    """The page; bound forms with errors take the place of the empty ones."""
    row_forms = row_forms or {}
    layanan = list(unit.layanan.all())
    active = [lay for lay in layanan if lay.active]
    saved = _saved_sizes(unit, period)
    if population_form is None:
        population_form = PopulationForm(layanan=active, initial_sizes=saved)
    layanan_rows = [
        {"layanan": lay, "form": row_forms.get(("layanan", lay.pk)) or LayananEditForm(
            initial={"name": lay.name, "order": lay.order, "active": lay.active},
            prefix=f"layanan-{lay.pk}")}
        for lay in layanan
    ]
    section_rows = [
        {"section": s, "form": row_forms.get(("seksi", s.pk)) or SectionEditForm(
            initial={"name": s.name}, prefix=f"seksi-{s.pk}")}
        for s in unit.sections.all()
    ]
    context = {
        "unit": unit,
        "period": period,
        "layanan_rows": layanan_rows,
        "layanan_form": layanan_form or LayananAddForm(unit=unit, prefix="baru"),
        "population_form": population_form,
        "population_rows": population_form.rows(saved),
        "section_rows": section_rows,
        "section_form": section_form or SectionAddForm(unit=unit, prefix="seksi-baru"),
        "settings_form": settings_form or UnitSettingsForm(instance=unit, prefix="pengaturan"),
        "results_url": reverse("results", kwargs={"slug": unit.slug, "period": period.code}),
    }
    return render(request, "units/manage.html", context, status=status)


@login_required
def manage(request, slug):
    """The page; a POST carrying the settings form (``pengaturan``) saves the unit's settings."""
    unit = get_unit(request.user, slug, manage=True)
    if request.method == "POST" and "pengaturan" in request.POST:
        return _save_settings(request, unit)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _render(request, unit, _chosen_period(request, unit))


def _save_settings(request, unit):
    form = UnitSettingsForm(request.POST, instance=unit, prefix="pengaturan")
    if not form.is_valid():
        return _render(request, Unit.objects.get(pk=unit.pk), _chosen_period(request, unit),
                       settings_form=form)
    form.save()
    if unit.keep_photo_location:
        text = _("Pengaturan disimpan: lokasi (GPS) foto yang diunggah disimpan.")
    else:
        text = _("Pengaturan disimpan: lokasi (GPS) foto yang diunggah dihapus.")
    messages.success(request, text)
    return redirect(_manage_url(unit, _chosen_period(request, unit), anchor="pengaturan"))


@manager_view
def layanan_add(request, unit):
    form = LayananAddForm(request.POST, unit=unit, prefix="baru")
    if not form.is_valid():
        return _render(request, unit, _chosen_period(request, unit), layanan_form=form)
    layanan = form.save()
    messages.success(request, _("Layanan “%(name)s” ditambahkan.") % {"name": layanan.name})
    return redirect(_manage_url(unit, _chosen_period(request, unit), anchor="layanan"))


@manager_view
def layanan_edit(request, unit, pk):
    layanan = get_object_or_404(unit.layanan.all(), pk=pk)
    form = LayananEditForm(request.POST, prefix=f"layanan-{layanan.pk}")
    if not form.is_valid():
        return _render(request, unit, _chosen_period(request, unit),
                       row_forms={("layanan", layanan.pk): form})
    form.save(layanan)
    if layanan.active:
        text = _("Layanan “%(name)s” disimpan (aktif).")
    else:
        text = _("Layanan “%(name)s” disimpan (nonaktif: tidak tampil di survei).")
    messages.success(request, text % {"name": layanan.name})
    return redirect(_manage_url(unit, _chosen_period(request, unit), anchor="layanan"))


@manager_view
def population(request, unit):
    period = _chosen_period(request, unit)
    active = list(unit.layanan.filter(active=True))
    form = PopulationForm(request.POST, layanan=active, initial_sizes={})
    if not form.is_valid():
        return _render(request, unit, period, population_form=form)
    with transaction.atomic():
        for layanan, size in form.sizes().items():
            if size is None:
                Population.objects.filter(layanan=layanan, period=period).delete()
            else:
                Population.objects.update_or_create(
                    layanan=layanan, period=period, defaults={"size": size}
                )
    messages.success(request, _("Populasi %(period)s disimpan.") % {"period": period.label})
    return redirect(_manage_url(unit, period, anchor="populasi"))


@manager_view
def section_add(request, unit):
    form = SectionAddForm(request.POST, unit=unit, prefix="seksi-baru")
    if not form.is_valid():
        return _render(request, unit, _chosen_period(request, unit), section_form=form)
    section = form.save()
    messages.success(request, _("Seksi “%(code)s” ditambahkan.") % {"code": section.code})
    return redirect(_manage_url(unit, _chosen_period(request, unit), anchor="seksi"))


@manager_view
def section_edit(request, unit, pk):
    section = get_object_or_404(unit.sections.all(), pk=pk)
    form = SectionEditForm(request.POST, prefix=f"seksi-{section.pk}")
    if not form.is_valid():
        return _render(request, unit, _chosen_period(request, unit),
                       row_forms={("seksi", section.pk): form})
    section.name = form.cleaned_data["name"]
    section.save(update_fields=["name"])
    messages.success(request, _("Seksi “%(code)s” disimpan.") % {"code": section.code})
    return redirect(_manage_url(unit, _chosen_period(request, unit), anchor="seksi"))
