"""Units, their layanan and questionnaire versions, and survey periods (read scope).

A unit is listed or shown only if the token's user may read it (skm.core.access), exactly as
the staff pages decide; children the user may not read are left out.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.params import P

from skm.core.access import can_manage, readable_units
from skm.results.services import counted
from skm.surveys.models import QuestionnaireVersion
from skm.surveys.recording import questionnaire_for
from skm.units.models import Period, Unit

from .auth import require_scope, unit_for
from .errors import invalid_field
from .models import SCOPE_READ
from .schemas import (
    ErrorOut,
    LayananOutItem,
    PeriodOut,
    QuestionnaireOut,
    UnitDetailOut,
    UnitOut,
)

router = Router(tags=["unit"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: a unit slug in a path
Slug = Path[str, P(description="Slug unit, mis. jatinegara-kaum.", max_length=80)]


def unit_dict(unit: Unit, parents: dict[int, str] | None = None) -> dict:
    parent = None
    if unit.parent_id:
        parent = parents.get(unit.parent_id) if parents is not None else unit.parent.slug
    return {"slug": unit.slug, "name": unit.name, "kind": unit.kind, "parent": parent,
            "period_kind": unit.period_kind}


@router.get("/units", response={200: list[UnitOut], **ERRORS}, operation_id="list_units",
            summary="Unit yang boleh dibaca pengguna token")
def list_units(request):
    token = require_scope(request, SCOPE_READ)
    found = list(readable_units(token.user).order_by("path", "name"))
    parent_ids = {u.parent_id for u in found if u.parent_id}
    parents = dict(Unit.objects.filter(pk__in=parent_ids).values_list("pk", "slug"))
    return [unit_dict(u, parents) for u in found]


@router.get("/units/{slug}", response={200: UnitDetailOut, **ERRORS}, operation_id="get_unit",
            summary="Satu unit dengan anak-anaknya")
def get_unit_detail(request, slug: Slug):
    unit = unit_for(request, slug)
    user = request.auth.user
    children = readable_units(user).filter(parent=unit).order_by("name")
    return {
        **unit_dict(unit),
        "questionnaire": questionnaire_for(unit).version,
        "can_manage": can_manage(user, unit),
        "children": [unit_dict(c, {unit.pk: unit.slug}) for c in children],
    }


@router.get("/units/{slug}/layanan", response={200: list[LayananOutItem], **ERRORS},
            operation_id="list_layanan", summary="Layanan satu unit (aktif dan tidak)")
def list_layanan(request, slug: Slug):
    unit = unit_for(request, slug)
    return [{"slug": lay.slug, "name": lay.name, "active": lay.active, "order": lay.order}
                 for lay in unit.layanan.all()]


@router.get("/periods", response={200: list[PeriodOut], **ERRORS}, operation_id="list_periods",
            summary="Periode survei yang tercatat")
def list_periods(request, kind: Query[str | None] = None):
    require_scope(request, SCOPE_READ)
    periods = Period.objects.order_by("start", "-end")
    if kind:
        if kind not in ("semester", "triwulan", "tahun"):
            raise invalid_field("kind", _("Pilih salah satu: semester, triwulan, tahun."))
        periods = periods.filter(kind=kind)
    return [{"code": p.code, "kind": p.kind, "year": p.year, "number": p.number,
                  "start": p.start, "end": p.end, "label": p.label} for p in periods]


def _questionnaire_dict(version: QuestionnaireVersion, current: bool) -> dict:
    engine = version.to_engine()
    weights = engine.effective_weights(set(engine.codes))
    return {
        "version": version.version,
        "name": version.name,
        "weights": version.weights,
        "current": current,
        "unsur": [
            {"position": u.position, "code": u.code, "name": u.name, "question": u.question,
             "labels": list(u.labels), "weight": round(float(weights[u.code]), 6),
             "weight_exact": str(weights[u.code])}
            for u in version.ordered_unsur()
        ],
    }


@router.get("/units/{slug}/questionnaires", response={200: list[QuestionnaireOut], **ERRORS},
            operation_id="list_questionnaires",
            summary="Versi kuesioner unit: yang dipakai sekarang dan yang pernah dijawab")
def list_questionnaires(request, slug: Slug):
    unit = unit_for(request, slug)
    current = questionnaire_for(unit)
    answered = counted(unit, "questionnaire_id")
    versions = (QuestionnaireVersion.objects.filter(pk__in=[current.pk, *answered])
                | QuestionnaireVersion.objects.filter(unit=unit)).distinct().order_by("created",
                                                                                       "pk")
    return [_questionnaire_dict(v, v.pk == current.pk) for v in versions]
