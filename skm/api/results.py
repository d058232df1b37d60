"""Results of a unit, or of every readable unit of its subtree (read scope).

One unit: exactly the object ``skm compute --format json`` prints, from
skm.results.services.unit_results. A subtree: the same object per unit, each recomputed from the
counts of every layanan below it by skm.results.services.subtree_results (never an average of
rounded figures), for the units the token's user may read, as on the staff "wilayah" page.
"""

from __future__ import annotations

from typing import Literal

from ninja import Path, Query, Router
from ninja.params import P

from skm.core.access import readable_units
from skm.engine import priorities
from skm.present import result_dict
from skm.results.services import questionnaire_of, subtree_results, unit_results
from skm.units.models import Layanan, Period
from skm.units.periods import parse_period

from .auth import require_scope, unit_for
from .errors import invalid_field
from .models import SCOPE_READ
from .schemas import ErrorOut, ResultOut, SubtreeOut

router = Router(tags=["hasil"])


def _subtree(request, unit, period: Period, combine: str, weights, lowest: int) -> dict:
    readable = set(readable_units(request.auth.user).filter(path__startswith=unit.path)
                   .values_list("pk", flat=True))
    rows = [r for r in subtree_results(unit, period, combine, weights) if r.unit.pk in readable]
    # the engine names a region's groups "<unit id>:<layanan id>"; show them as words
    names = {u.pk: u.name for u in (r.unit for r in rows)}
    layanan_names = dict(
        Layanan.objects.within([r.unit for r in rows]).values_list("pk", "name")
    )
    units = []
    for row in rows:
        result = None
        if row.result is not None:
            lowest_found = priorities(row.result.overall.nrr_map(), lowest=lowest)
            result = result_dict(row.result, lowest_found)
            for group in result["layanan"]:
                uid, _sep, lid = (group["name"] or "").partition(":")
                if uid.isdigit() and lid.isdigit():
                    unit_name = names.get(int(uid)) or uid
                    group["name"] = f"{unit_name} / {layanan_names.get(int(lid), lid)}"
        units.append({"slug": row.unit.slug, "name": row.unit.name, "kind": row.unit.kind,
                      "depth": row.depth, "respondents": row.respondents, "result": result})
    return {"unit": unit.slug, "period": period.code,
            "method": {"weights": questionnaire_of(unit, weights).weights, "combine": combine},
            "units": units}


@router.get(
    "/units/{slug}/results/{period}",
    response={200: ResultOut | SubtreeOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              422: ErrorOut},
    summary="Hasil SKM satu unit (atau setiap unit wilayahnya) dalam satu periode",
    description="Tanpa subtree: objek yang sama dengan `skm compute --format json` (docs/cli.md), "
    "dihitung dari basis data. Dengan subtree=true: objek itu untuk setiap unit wilayah yang "
    "boleh dibaca, masing-masing dihitung ulang dari semua layanan di bawahnya.",
    operation_id="get_unit_results",
)
def get_unit_results(
    request,
    slug: Path[str, P(description="Slug unit.", max_length=80)],
    period: Path[str, P(description="2024-S2, 2024-TW3 atau 2024.", max_length=20)],
    combine: Query[
        Literal["mean_of_services", "pooled"],
        P(description="mean_of_services (setiap layanan sama) atau pooled (setiap responden)"),
    ] = "mean_of_services",
    weights: Query[
        Literal["equal", "0.111", "0.11"] | None,
        P(description="Kosong: skema bobot kuesioner unit. equal, atau konstanta lama."),
    ] = None,
    lowest: Query[int, P(ge=1, le=15, description="Jumlah unsur terendah (seri ikut).")] = 1,
    subtree: Query[bool, P(description="true/1: setiap unit wilayah, bukan satu unit.")] = False,
):
    require_scope(request, SCOPE_READ)
    try:
        spec = parse_period(period)
    except ValueError as exc:
        raise invalid_field("period", str(exc)) from None
    unit = unit_for(request, slug)
    shown = Period.get_or_create_code(spec.code)
    if subtree:
        return _subtree(request, unit, shown, combine, weights, lowest)
    results = unit_results(unit, shown, combine, weights, lowest=lowest)
    return result_dict(results.result, results.lowest, results.profile)
