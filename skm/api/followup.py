"""RTL items, their realisasi and its evidence (dokumentasi), as on the RTL page.

Reading needs the read scope and a unit the user may read; every change needs the write scope
and a unit the user may manage (skm.core.access), else 404 as for a unit that does not exist.
Input is checked by the RTL page's own forms (skm.followup.forms) and uploads by
skm.followup.evidence, so the API accepts exactly what the page accepts, and every change
leaves the same FollowupChange row the page leaves, with the token's user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Router, Status, UploadedFile
from ninja.params import P

from skm.followup import evidence as evidence_files
from skm.followup.forms import RealisasiForm, RtlItemForm
from skm.followup.history import ITEM_FIELDS, REALISASI_FIELDS, diff, record, snapshot
from skm.followup.models import Evidence, FollowupChange, Realisasi, RtlItem
from skm.followup.services import completion, is_overdue, items_of
from skm.present import json_number
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

from .auth import unit_for
from .errors import ApiError, field_errors, invalid, invalid_field
from .models import SCOPE_READ, SCOPE_WRITE
from .schemas import (
    ErrorOut,
    EvidenceOut,
    HistoryOut,
    RealisasiIn,
    RealisasiOut,
    RtlItemIn,
    RtlItemOut,
    RtlItemPatch,
    RtlListOut,
)

router = Router(tags=["rtl"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BASE = "/units/{slug}/rtl/{period}"
Slug = Path[str, P(description="Slug unit.", max_length=80)]
PeriodCode = Path[str, P(description="Kode periode survei, mis. 2024-S2.", max_length=20)]
Id = Path[int, P(ge=1, le=2**31 - 1)]


def _place(request, slug: str, period: str, scope: str) -> tuple[Unit, Period]:
    unit = unit_for(request, slug, scope)
    try:
        spec = parse_period(period)
    except ValueError as exc:
        raise invalid_field("period", str(exc)) from None
    return unit, Period.get_or_create_code(spec.code)


def _item(unit: Unit, period: Period, item_id: int) -> RtlItem:
    found = (RtlItem.objects.filter(unit=unit, period=period, pk=item_id)
             .select_related("section").first())
    if found is None:
        raise ApiError(404, _("Rencana tindak lanjut tidak ditemukan."))
    return found


# -- output ---------------------------------------------------------------------------------------


def _user_name(user) -> str | None:
    return user.get_username() if user is not None else None


def evidence_dict(found: Evidence) -> dict:
    return {"id": found.pk, "kind": found.kind, "original_name": found.original_name,
            "caption": found.caption, "size": found.size, "width": found.width,
            "height": found.height, "uploaded_by": _user_name(found.uploaded_by),
            "uploaded_at": found.uploaded_at, "order": found.order}


def realisasi_dict(realisasi: Realisasi | None) -> dict | None:
    if realisasi is None:
        return None
    return {"status": realisasi.status, "tanggal": realisasi.tanggal,
            "deskripsi": realisasi.deskripsi, "hambatan": realisasi.hambatan,
            "updated": realisasi.updated,
            "evidence": [evidence_dict(e) for e in realisasi.evidence.select_related(
                "uploaded_by")]}


def item_dict(item: RtlItem, today=None) -> dict:
    return {
        "id": item.pk, "unsur_codes": list(item.unsur_codes), "program": item.program,
        "quarters": list(item.quarters or []), "months": list(item.months or []),
        "horizon": item.horizon,
        "section": {"code": item.section.code, "name": item.section.name},
        "target_indicator": item.target_indicator, "order": item.order, "done": item.done,
        "overdue": is_overdue(item, today or timezone.localdate()),
        "realisasi": realisasi_dict(item.realisasi_or_none),
    }


# -- items ----------------------------------------------------------------------------------------


def _form_data(unit: Unit, values: dict) -> tuple[dict, list[dict]]:
    """The form's POST data for these API values; the section is named by its code."""
    errors = []
    data = dict(values)
    code = data.pop("section", None)
    section = unit.sections.filter(code=code).first() if code is not None else None
    if code is not None and section is None:
        errors.append({"field": "section",
                       "message": _("Pilih salah satu seksi unit ini (singkatannya).")})
    data["section"] = str(section.pk) if section else ""
    if data.get("order") is None:
        data["order"] = ""
    return data, errors


def _form_errors(form) -> list[dict]:
    return field_errors({field: list(messages) for field, messages in form.errors.items()})


@router.get(BASE + "/items", response={200: RtlListOut, **ERRORS}, operation_id="list_rtl",
            summary="Rencana tindak lanjut satu unit dan periode, dengan realisasinya")
def list_rtl(request, slug: Slug, period: PeriodCode):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    done, planned, percent = completion(unit, shown)
    today = timezone.localdate()
    items = items_of(unit, shown).prefetch_related("realisasi__evidence")
    return {"unit": unit.slug, "period": shown.code, "planned": planned, "done": done,
                 "percent": json_number(percent, 2),
                 "items": [item_dict(i, today) for i in items]}


@router.post(BASE + "/items", response={201: RtlItemOut, **ERRORS}, operation_id="create_rtl",
             summary="Tambah satu rencana tindak lanjut")
def create_rtl(request, slug: Slug, period: PeriodCode, payload: RtlItemIn):
    unit, shown = _place(request, slug, period, SCOPE_WRITE)
    data, errors = _form_data(unit, payload.dict())
    form = RtlItemForm(data, unit=unit, period=shown)
    if not form.is_valid() or errors:
        raise invalid(errors + [e for e in _form_errors(form) if e["field"] != "section"
                                or not errors])
    with transaction.atomic():
        item = form.save()
        record(item, request.auth.user, FollowupChange.Action.CREATE,
                diff(snapshot(None, ITEM_FIELDS), snapshot(item, ITEM_FIELDS)))
    return Status(201, item_dict(item))


@router.get(BASE + "/items/{item_id}", response={200: RtlItemOut, **ERRORS},
            operation_id="get_rtl", summary="Satu rencana tindak lanjut")
def get_rtl(request, slug: Slug, period: PeriodCode, item_id: Id):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    return item_dict(_item(unit, shown, item_id))


@router.patch(BASE + "/items/{item_id}", response={200: RtlItemOut, **ERRORS},
              operation_id="update_rtl",
              summary="Ubah satu rencana tindak lanjut (hanya isian yang dikirim)")
def update_rtl(request, slug: Slug, period: PeriodCode, item_id: Id, payload: RtlItemPatch):
    unit, shown = _place(request, slug, period, SCOPE_WRITE)
    with transaction.atomic():
        item = _item(unit, shown, item_id)
        before = snapshot(item, ITEM_FIELDS)
        current = {"unsur_codes": list(item.unsur_codes), "program": item.program,
                   "quarters": list(item.quarters or []), "months": list(item.months or []),
                   "horizon": item.horizon, "section": item.section.code,
                   "target_indicator": item.target_indicator, "order": item.order}
        given = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
        data, errors = _form_data(unit, {**current, **given})
        form = RtlItemForm(data, instance=item, unit=unit, period=shown)
        if not form.is_valid() or errors:
            raise invalid(errors + [e for e in _form_errors(form) if e["field"] != "section"
                                    or not errors])
        item = form.save()
        changes = diff(before, snapshot(item, ITEM_FIELDS))
        if changes:
            record(item, request.auth.user, FollowupChange.Action.UPDATE, changes)
    return item_dict(item)


# -- realisasi ------------------------------------------------------------------------------------


@router.get(BASE + "/items/{item_id}/realisasi", response={200: RealisasiOut, **ERRORS},
            operation_id="get_realisasi", summary="Realisasi satu rencana tindak lanjut")
def get_realisasi(request, slug: Slug, period: PeriodCode, item_id: Id):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    found = _item(unit, shown, item_id).realisasi_or_none
    if found is None:
        raise ApiError(404, _("Realisasi belum dicatat."))
    return realisasi_dict(found)


@router.put(BASE + "/items/{item_id}/realisasi", response={200: RealisasiOut, **ERRORS},
            operation_id="put_realisasi", summary="Catat atau ganti realisasi")
def put_realisasi(request, slug: Slug, period: PeriodCode, item_id: Id, payload: RealisasiIn):
    unit, shown = _place(request, slug, period, SCOPE_WRITE)
    data = payload.dict()
    data["tanggal"] = data["tanggal"].isoformat() if data["tanggal"] else ""
    with transaction.atomic():
        item = _item(unit, shown, item_id)
        current = item.realisasi_or_none
        before = snapshot(current, REALISASI_FIELDS)
        form = RealisasiForm(data, instance=current or Realisasi(item=item))
        if not form.is_valid():
            raise invalid(_form_errors(form))
        saved = form.save()
        changes = diff(before, snapshot(saved, REALISASI_FIELDS))
        if changes:
            record(item, request.auth.user, FollowupChange.Action.REALISASI, changes)
    return realisasi_dict(saved)


# -- evidence -------------------------------------------------------------------------------------


@router.get(BASE + "/items/{item_id}/realisasi/evidence", response={200: list[EvidenceOut],
                                                                    **ERRORS},
            operation_id="list_evidence", summary="Dokumentasi kegiatan satu realisasi")
def list_evidence(request, slug: Slug, period: PeriodCode, item_id: Id):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    found = _item(unit, shown, item_id).realisasi_or_none
    if found is None:
        return []
    return [evidence_dict(e) for e in found.evidence.select_related("uploaded_by")]


@router.post(BASE + "/items/{item_id}/realisasi/evidence",
             response={201: list[EvidenceOut], **ERRORS}, operation_id="upload_evidence",
             summary="Unggah foto atau PDF (multipart/form-data, isian files, boleh beberapa)",
             description="Setiap berkas diperiksa sebelum apa pun disimpan; satu berkas buruk "
             "dan tidak ada yang disimpan. Tanpa realisasi, realisasi dibuat dengan status "
             "belum.")
def upload_evidence(request, slug: Slug, period: PeriodCode, item_id: Id,
                    files: File[list[UploadedFile]],
                    caption: Form[str, P(max_length=300)] = ""):
    unit, shown = _place(request, slug, period, SCOPE_WRITE)
    item = _item(unit, shown, item_id)
    if "\x00" in caption:
        raise invalid_field("caption", _("Teks tidak boleh memuat karakter NUL."))
    try:
        prepared = evidence_files.prepare_all(files, unit.keep_photo_location)
    except DjangoValidationError as exc:
        raise invalid([{"field": "files", "message": m} for m in exc.messages]) from None
    if not prepared:
        raise invalid_field("files", _("Pilih sedikitnya satu berkas."))
    user = request.auth.user
    with transaction.atomic():
        realisasi = item.realisasi_or_none
        if realisasi is None:
            realisasi = Realisasi.objects.create(item=item)
            record(item, user, FollowupChange.Action.REALISASI,
                    diff(snapshot(None, REALISASI_FIELDS),
                          snapshot(realisasi, REALISASI_FIELDS)))
        saved = evidence_files.add_evidence(realisasi, prepared, user, caption=caption.strip())
    return Status(201, [evidence_dict(e) for e in saved])


def _evidence(unit: Unit, period: Period, item_id: int, evidence_id: int) -> Evidence:
    item = _item(unit, period, item_id)
    found = (Evidence.objects.filter(realisasi__item=item, pk=evidence_id)
             .select_related("realisasi__item").first())
    if found is None:
        raise ApiError(404, _("Dokumentasi tidak ditemukan."))
    return found


def _binary(description: str, *types: str) -> dict:
    """The OpenAPI 200 response of an endpoint that answers with a file."""
    return {"responses": {200: {"description": description, "content": {
        t: {"schema": {"type": "string", "format": "binary"}} for t in types}}}}


def _file(found: Evidence, stored):
    try:
        return evidence_files.file_response(found, stored)
    except FileNotFoundError:
        raise ApiError(404, _("Berkas tidak ditemukan.")) from None


@router.get(BASE + "/items/{item_id}/realisasi/evidence/{evidence_id}/file",
            response=ERRORS, operation_id="get_evidence_file",
            summary="Berkas dokumentasi itu sendiri: foto (JPEG/PNG) atau PDF (unduhan)",
            description="Dikirim dengan jenis isi yang ditetapkan skm, X-Content-Type-Options "
            "nosniff dan Content-Security-Policy sandbox, seperti di halaman RTL.",
            openapi_extra=_binary("Berkasnya", "image/jpeg", "image/png", "application/pdf"))
def get_evidence_file(request, slug: Slug, period: PeriodCode, item_id: Id, evidence_id: Id):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    found = _evidence(unit, shown, item_id, evidence_id)
    return _file(found, found.file)


@router.get(BASE + "/items/{item_id}/realisasi/evidence/{evidence_id}/thumbnail",
            response=ERRORS, operation_id="get_evidence_thumbnail",
            summary="Gambar kecil (JPEG) sebuah foto dokumentasi; PDF tidak punya",
            openapi_extra=_binary("Gambar kecilnya", "image/jpeg"))
def get_evidence_thumbnail(request, slug: Slug, period: PeriodCode, item_id: Id,
                           evidence_id: Id):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    found = _evidence(unit, shown, item_id, evidence_id)
    if not found.thumbnail:
        raise ApiError(404, _("Berkas ini tidak punya gambar kecil."))
    return _file(found, found.thumbnail)


@router.delete(BASE + "/items/{item_id}/realisasi/evidence/{evidence_id}",
               response={204: None, **ERRORS}, operation_id="delete_evidence",
               summary="Hapus satu berkas dokumentasi (tercatat di riwayat)")
def delete_evidence(request, slug: Slug, period: PeriodCode, item_id: Id, evidence_id: Id):
    unit, shown = _place(request, slug, period, SCOPE_WRITE)
    found = _evidence(unit, shown, item_id, evidence_id)
    evidence_files.delete_evidence(found, request.auth.user)
    return Status(204, None)


# -- history --------------------------------------------------------------------------------------


@router.get(BASE + "/history", response={200: list[HistoryOut], **ERRORS},
            operation_id="rtl_history", summary="Riwayat perubahan RTL dan realisasi")
def rtl_history(request, slug: Slug, period: PeriodCode):
    unit, shown = _place(request, slug, period, SCOPE_READ)
    entries = (FollowupChange.objects.filter(item__unit=unit, item__period=shown)
               .select_related("user"))
    return [{"id": c.pk, "item": c.item_id, "at": c.at, "user": _user_name(c.user),
                  "action": c.action, "changes": c.changes} for c in entries]
