"""The RTL pages of a unit and period, included at ``/u/<slug>/<period>/rtl/``.

Every view finds its unit through :func:`skm.core.access.get_unit`: reading for the pages,
``manage=True`` for the POST actions (a unit the user may not manage is a 404, like one that does
not exist). Actions redirect back to the page (post/redirect/get); a form with errors is shown
again with the message at its field and nothing is saved.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from skm.core.access import can_manage, get_unit, readable_units
from skm.engine import EngineError
from skm.formatting import decimal_id
from skm.results.services import questionnaire_of
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

from . import evidence as evidence_files
from .forms import EvidenceEditForm, EvidenceUploadForm, RealisasiForm, RtlItemForm
from .history import ITEM_FIELDS, REALISASI_FIELDS, diff, record, snapshot
from .models import Evidence, FollowupChange, Realisasi, RtlItem
from .services import (
    completion,
    is_overdue,
    items_of,
    parse_month,
    percent_text,
    planned_in,
    proposed_priorities,
    schedule_columns,
    schedule_text,
    subtree_completion,
    tanggal_id,
)


def _period_or_404(code: str) -> Period:
    try:
        spec = parse_period(code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None
    return Period.get_or_create_code(spec.code)


def _rtl_url(unit: Unit, period: Period, anchor: str = "") -> str:
    url = reverse("rtl", kwargs={"slug": unit.slug, "period": period.code})
    return url + (f"#{anchor}" if anchor else "")


def reader_view(name):
    """Login, the unit through ``get_unit`` (404 otherwise), GET only, canonical period code."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, period, **kwargs):
            unit = get_unit(request.user, slug)
            if request.method != "GET":
                return HttpResponseNotAllowed(["GET"])
            shown = _period_or_404(period)
            if shown.code != period:
                url = reverse(name, kwargs={"slug": unit.slug, "period": shown.code, **kwargs})
                query = request.GET.urlencode()
                return redirect(url + (f"?{query}" if query else ""))
            return view(request, unit, shown, **kwargs)

        return wrapper

    return decorate


def manager_view(view):
    """Login, the unit through ``get_unit(manage=True)`` (404 otherwise), then POST only: a GET
    of an action URL goes back to the page."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, period, **kwargs):
        unit = get_unit(request.user, slug, manage=True)
        shown = _period_or_404(period)
        if request.method == "GET":
            return redirect(_rtl_url(unit, shown))
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, unit, shown, **kwargs)

    return wrapper


# ---- the page -------------------------------------------------------------------------------

def _priority_choice(request):
    """``?lowest=K`` or ``?below=3,5`` (default: the single lowest), and an error text."""
    lowest, below = request.GET.get("lowest", "").strip(), request.GET.get("below", "").strip()
    if below:
        return None, below, "below"
    if lowest:
        try:
            return int(lowest), None, "lowest"
        except ValueError:
            return 0, None, "lowest"  # refused by the engine below
    return None, None, "default"


def _column_kind(code: str) -> str:
    try:
        parse_month(code)
    except ValueError:
        return "quarter"
    return "month"


def _size_text(size: int) -> str:
    """"37 KB", "2,4 MB" (at least 1 KB)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return decimal_id(round(size / (1024 * 1024), 1), 1) + " MB"


def _evidence_rows(unit, period, realisasi, manager, edit_forms) -> list[dict]:
    if realisasi is None:
        return []
    rows = []
    for found in realisasi.evidence.all():
        kwargs = {"slug": unit.slug, "period": period.code, "evidence": found.pk}
        rows.append({
            "evidence": found,
            "url": reverse("rtl-evidence-file", kwargs=kwargs),
            "thumb_url": reverse("rtl-evidence-thumb", kwargs=kwargs)
            if found.thumbnail else "",
            "size": _size_text(found.size),
            "form": (edit_forms.get(found.pk) or EvidenceEditForm(
                instance=found, prefix=f"dokumentasi-{found.pk}")) if manager else None,
        })
    return rows


def _page(request, unit: Unit, period: Period, *, add_form=None, item_forms=None,
          realisasi_forms=None, upload_forms=None, evidence_forms=None, status=200):
    item_forms, realisasi_forms = item_forms or {}, realisasi_forms or {}
    upload_forms, evidence_forms = upload_forms or {}, evidence_forms or {}
    questionnaire = questionnaire_of(unit)
    names = {u.code: u.name for u in questionnaire.unsur}
    today = timezone.localdate()
    manager = can_manage(request.user, unit)

    lowest, below, mode = _priority_choice(request)
    priority_error = ""
    try:
        proposed = proposed_priorities(unit, period, lowest=lowest, below=below)
    except (EngineError, ValueError, ArithmeticError):
        priority_error = _("Pilihan prioritas tidak dikenal; ditampilkan satu unsur terendah.")
        proposed = proposed_priorities(unit, period)
        mode = "default"
    proposed_rows = [
        {"priority": p, "rank": p.rank, "tied": p.tied, "exact": decimal_id(p.nrr, 4),
         "rounded": decimal_id(p.nrr, 2),
         "unsur": [(c, names.get(c, c)) for c in p.codes]}
        for p in proposed
    ]
    proposed_codes = [c for p in proposed for c in p.codes]

    items = list(items_of(unit, period).prefetch_related("realisasi__evidence"))
    columns = [{**c, "kind": _column_kind(c["code"])} for c in schedule_columns(items)]
    rows = []
    for number, item in enumerate(items, start=1):
        realisasi = item.realisasi_or_none
        rows.append({
            "number": number,
            "item": item,
            "unsur": [names.get(c, c) for c in item.unsur_codes],
            "cells": [{"code": c["code"], "kind": c["kind"],
                       "planned": planned_in(item, c["code"])} for c in columns],
            "realisasi": realisasi,
            "done": item.done,
            "tanggal": tanggal_id(realisasi.tanggal if realisasi else None),
            "overdue": is_overdue(item, today),
            "schedule_text": schedule_text(item),
            "evidence": _evidence_rows(unit, period, realisasi, manager, evidence_forms),
            "upload_form": (upload_forms.get(item.pk) or EvidenceUploadForm(
                prefix=f"unggah-{item.pk}")) if manager else None,
            "form": (item_forms.get(item.pk) or RtlItemForm(
                instance=item, unit=unit, period=period, prefix=f"rtl-{item.pk}"))
            if manager else None,
            "realisasi_form": (realisasi_forms.get(item.pk) or RealisasiForm(
                instance=realisasi, prefix=f"realisasi-{item.pk}")) if manager else None,
        })
    done, planned, percent = completion(unit, period)
    context = {
        "unit": unit,
        "period": period,
        "can_manage": manager,
        "proposed": proposed_rows,
        "priority_mode": mode,
        "priority_lowest": lowest if mode == "lowest" else "",
        "priority_below": below or "",
        "priority_error": priority_error,
        "columns": columns,
        "rows": rows,
        "done": done,
        "planned": planned,
        "percent": percent_text(percent),
        "overdue_count": sum(1 for r in rows if r["overdue"]),
        "add_form": (add_form or RtlItemForm(
            unit=unit, period=period, prefix="baru",
            initial={"unsur_codes": proposed_codes, "horizon": RtlItem.Horizon.PENDEK},
        )) if manager else None,
        "has_sections": unit.sections.exists(),
        "results_url": reverse("results", kwargs={"slug": unit.slug, "period": period.code}),
    }
    return render(request, "followup/rtl.html", context, status=status)


@reader_view("rtl")
def rtl(request, unit, period):
    return _page(request, unit, period)


@manager_view
def item_add(request, unit, period):
    form = RtlItemForm(request.POST, unit=unit, period=period, prefix="baru")
    if not form.is_valid():
        return _page(request, unit, period, add_form=form)
    with transaction.atomic():
        item = form.save()
        record(item, request.user, FollowupChange.Action.CREATE,
                diff(snapshot(None, ITEM_FIELDS), snapshot(item, ITEM_FIELDS)))
    messages.success(request, _("Rencana tindak lanjut ditambahkan."))
    return redirect(_rtl_url(unit, period, anchor=f"rtl-{item.pk}"))


def _item_or_404(unit, period, pk) -> RtlItem:
    return get_object_or_404(RtlItem.objects.select_related("section"), unit=unit,
                             period=period, pk=pk)


@manager_view
def item_edit(request, unit, period, pk):
    with transaction.atomic():
        item = _item_or_404(unit, period, pk)
        before = snapshot(item, ITEM_FIELDS)
        form = RtlItemForm(request.POST, instance=item, unit=unit, period=period,
                           prefix=f"rtl-{item.pk}")
        valid = form.is_valid()
        if valid:
            item = form.save()
            changes = diff(before, snapshot(item, ITEM_FIELDS))
            if changes:
                record(item, request.user, FollowupChange.Action.UPDATE, changes)
    if not valid:  # rendered outside the transaction; nothing was written
        return _page(request, unit, period, item_forms={pk: form})
    if changes:
        messages.success(request, _("Rencana tindak lanjut disimpan."))
    else:
        messages.info(request, _("Tidak ada perubahan."))
    return redirect(_rtl_url(unit, period, anchor=f"rtl-{item.pk}"))


@manager_view
def realisasi(request, unit, period, pk):
    with transaction.atomic():
        item = _item_or_404(unit, period, pk)
        current = item.realisasi_or_none
        before = snapshot(current, REALISASI_FIELDS)
        form = RealisasiForm(request.POST, instance=current or Realisasi(item=item),
                             prefix=f"realisasi-{item.pk}")
        valid = form.is_valid()
        if valid:
            saved = form.save()
            changes = diff(before, snapshot(saved, REALISASI_FIELDS))
            if changes:
                record(item, request.user, FollowupChange.Action.REALISASI, changes)
    if not valid:  # rendered outside the transaction; nothing was written
        return _page(request, unit, period, realisasi_forms={pk: form})
    if changes:
        messages.success(request, _("Realisasi disimpan."))
    else:
        messages.info(request, _("Tidak ada perubahan."))
    return redirect(_rtl_url(unit, period, anchor=f"rtl-{item.pk}"))


# ---- history and subtree --------------------------------------------------------------------

@reader_view("rtl-history")
def history(request, unit, period):
    entries = (FollowupChange.objects.filter(item__unit=unit, item__period=period)
               .select_related("user", "item"))
    rows = [
        {"change": c, "who": c.user.get_username() if c.user else _("(pengguna dihapus)"),
         "changes": [{"field": f, "old": old, "new": new}
                     for f, (old, new) in sorted(c.changes.items())]}
        for c in entries
    ]
    return render(request, "followup/history.html", {
        "unit": unit, "period": period, "rows": rows,
        "rtl_url": _rtl_url(unit, period),
    })


@reader_view("rtl-subtree")
def subtree(request, unit, period):
    readable = readable_units(request.user).filter(path__startswith=unit.path)
    rows = [
        {"row": r, "percent": percent_text(r.percent),
         "url": reverse("rtl", kwargs={"slug": r.unit.slug, "period": period.code})}
        for r in subtree_completion(unit, period, units=readable.order_by("path", "name"))
    ]
    return render(request, "followup/subtree.html", {
        "unit": unit, "period": period, "rows": rows,
        "planned": sum(r["row"].planned for r in rows),
        "done": sum(r["row"].done for r in rows),
        "overdue": sum(r["row"].overdue for r in rows),
        "rtl_url": _rtl_url(unit, period),
    })


# ---- dokumentasi kegiatan (evidence) ---------------------------------------------------------

@manager_view
def evidence_add(request, unit, period, pk):
    """Photos and PDFs for an item's realisasi (made, as Belum, if there is none yet). Every file
    is checked before anything is written; one bad file and nothing is saved."""
    item = _item_or_404(unit, period, pk)
    form = EvidenceUploadForm(request.POST, request.FILES, prefix=f"unggah-{item.pk}",
                              keep_location=unit.keep_photo_location)
    if not form.is_valid():
        return _page(request, unit, period, upload_forms={pk: form})
    with transaction.atomic():
        realisasi = item.realisasi_or_none
        if realisasi is None:
            realisasi = Realisasi.objects.create(item=item)
            record(item, request.user, FollowupChange.Action.REALISASI,
                    diff(snapshot(None, REALISASI_FIELDS),
                          snapshot(realisasi, REALISASI_FIELDS)))
        saved = evidence_files.add_evidence(realisasi, form.prepared, request.user,
                                            caption=form.cleaned_data["caption"])
    messages.success(request, _("%(n)s berkas dokumentasi ditambahkan.") % {"n": len(saved)})
    return redirect(_rtl_url(unit, period, anchor=f"realisasi-{item.pk}"))


def _evidence_or_404(unit, period, pk) -> Evidence:
    return get_object_or_404(
        Evidence.objects.select_related("realisasi__item"),
        realisasi__item__unit=unit, realisasi__item__period=period, pk=pk)


@manager_view
def evidence_edit(request, unit, period, evidence):
    with transaction.atomic():
        found = _evidence_or_404(unit, period, evidence)
        fields = ("caption", "order")
        before = snapshot(found, fields)
        form = EvidenceEditForm(request.POST, instance=found, prefix=f"dokumentasi-{found.pk}")
        valid = form.is_valid()
        if valid:
            form.save()
            changes = diff(before, snapshot(found, fields))
            if changes:
                changes["dokumentasi"] = [found.original_name, found.original_name]
                record(found.realisasi.item, request.user,
                        FollowupChange.Action.EVIDENCE_EDIT, changes)
    if not valid:  # rendered outside the transaction; nothing was written
        return _page(request, unit, period, evidence_forms={found.pk: form})
    if changes:
        messages.success(request, _("Dokumentasi disimpan."))
    else:
        messages.info(request, _("Tidak ada perubahan."))
    return redirect(_rtl_url(unit, period, anchor=f"realisasi-{found.realisasi.item_id}"))


@manager_view
def evidence_delete(request, unit, period, evidence):
    found = _evidence_or_404(unit, period, evidence)
    item_pk = found.realisasi.item_id
    evidence_files.delete_evidence(found, request.user)
    messages.success(request, _("Dokumentasi “%(name)s” dihapus.") % {"name": found.original_name})
    return redirect(_rtl_url(unit, period, anchor=f"realisasi-{item_pk}"))


def _serve(found: Evidence, stored) -> FileResponse:
    try:
        return evidence_files.file_response(found, stored)
    except FileNotFoundError:
        raise Http404(_("Berkas tidak ditemukan.")) from None


@reader_view("rtl-evidence-file")
def evidence_file(request, unit, period, evidence):
    found = _evidence_or_404(unit, period, evidence)
    return _serve(found, found.file)


@reader_view("rtl-evidence-thumb")
def evidence_thumb(request, unit, period, evidence):
    found = _evidence_or_404(unit, period, evidence)
    if not found.thumbnail:
        raise Http404(_("Berkas ini tidak punya gambar kecil."))
    return _serve(found, found.thumbnail)
