"""From the database to the engine: tallies come from the summary table (skm.results.models),
aggregated by GROUP BY, never by loading responses.

Every figure shown on a page, in the API or by ``skm results`` comes from here, and every
number in it from :mod:`skm.engine`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Sum

from skm.engine import (
    CombinedResult,
    Priority,
    Questionnaire,
    Tally,
    UnsurCounts,
    combine,
    krejcie_morgan,
    priorities,
)
from skm.engine.profile import NOT_GIVEN, UNRECOGNISED
from skm.surveys.models import SLOTS, QuestionnaireVersion
from skm.units.models import Layanan, Period, Population, Unit

from .models import TallyCell

#: (profile field of skm.engine.profile, summary dimension)
PROFILE_COLUMNS = (
    ("jenis_kelamin", "gender"),
    ("usia", "age"),
    ("pendidikan", "education"),
    ("pekerjaan", "occupation"),
)


def _cells(units, period: Period):
    """Summary cells of these units in ``period`` (a year includes its semesters)."""
    return TallyCell.objects.filter(unit__in=units, period__in=period.contained_periods())


def grouped_tallies(cells, keys: tuple[str, ...]) -> dict[tuple, Tally]:
    """One tally per distinct value of ``keys`` (e.g. ``("layanan_id",)``), by unsur code.

    Reads the summary table with one small GROUP BY; answers given under different
    questionnaire versions are merged by unsur code.
    """
    rows = (
        cells.filter(dimension__in=("n", *SLOTS))
        .values(*keys, "questionnaire_id", "dimension", "value")
        .annotate(total=Sum("count"))
        .order_by()
    )
    versions: dict[int, dict[str, str]] = {}
    per_key: dict[tuple, dict] = {}
    for row in rows:
        qid = row["questionnaire_id"]
        if qid not in versions:
            versions[qid] = QuestionnaireVersion.objects.get(pk=qid).slot_codes()
        entry = per_key.setdefault(tuple(row[k] for k in keys), {"n": 0, "codes": {}})
        if row["dimension"] == "n":
            entry["n"] += row["total"]
            continue
        code = versions[qid].get(row["dimension"])
        if code is None:
            continue
        digits = entry["codes"].setdefault(code, [0, 0, 0, 0])
        digits[int(row["value"]) - 1] += row["total"]
    return {
        key: Tally({code: UnsurCounts(tuple(d)) for code, d in entry["codes"].items()}, entry["n"])
        for key, entry in per_key.items()
    }


def questionnaire_of(unit: Unit, weights: str | None = None) -> Questionnaire:
    """The unit's questionnaire, under another weighting scheme if ``weights`` is given."""
    version = unit.questionnaire or QuestionnaireVersion.default()
    questionnaire = version.to_engine()
    return questionnaire.with_weights(weights) if weights else questionnaire


@dataclass
class SampleCheck:
    layanan: Layanan
    respondents: int
    population: int | None
    minimum: int | None

    @property
    def short(self) -> bool:
        return self.minimum is not None and self.respondents < self.minimum


@dataclass
class UnitResults:
    unit: Unit
    period: Period
    questionnaire: Questionnaire
    result: CombinedResult
    layanan: list[Layanan]
    tallies: dict[str, Tally]
    lowest: list[Priority]
    samples: list[SampleCheck] = field(default_factory=list)
    profile: dict[str, Counter] = field(default_factory=dict)

    @property
    def respondents(self) -> int:
        return self.result.overall.respondents

    def distribution(self) -> dict[str, tuple[int, int, int, int]]:
        """Answers 1..4 per unsur over all layanan (univariat)."""
        total = Tally.merge(self.tallies.values())
        return {code: total.counts(code).counts for code in self.questionnaire.codes}


def unit_results(
    unit: Unit, period: Period, method: str = "mean_of_services", weights: str | None = None,
    lowest: int = 1,
) -> UnitResults:
    questionnaire = questionnaire_of(unit, weights)
    cells = _cells([unit], period)
    by_layanan = grouped_tallies(cells, ("layanan_id",))
    layanan = [lay for lay in unit.layanan.all() if (lay.id,) in by_layanan or lay.active]
    tallies = {lay.name: by_layanan.get((lay.id,), Tally()) for lay in layanan}
    present = {name: t for name, t in tallies.items() if t.respondents}
    result = combine(present, questionnaire, method, name=unit.name)
    populations = {
        p.layanan_id: p.size
        for p in Population.objects.filter(layanan__in=layanan, period=period)
    }
    samples = []
    for lay in layanan:
        size = populations.get(lay.id)
        samples.append(
            SampleCheck(lay, tallies[lay.name].respondents, size,
                        krejcie_morgan(size) if size else None)
        )
    return UnitResults(
        unit=unit, period=period, questionnaire=questionnaire, result=result, layanan=layanan,
        tallies=tallies, lowest=priorities(result.overall.nrr_map(), lowest=lowest),
        samples=samples, profile=profile_of(cells),
    )


def profile_of(cells) -> dict[str, Counter]:
    """Respondent profile from the summary cells, in the categories of skm.engine.profile."""
    profile = {f: Counter() for f, _ in PROFILE_COLUMNS}
    field_of = {column: f for f, column in PROFILE_COLUMNS}
    rows = (
        cells.filter(dimension__in=list(field_of))
        .values("dimension", "value")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for row in rows:
        value = row["value"]
        label = NOT_GIVEN if value == "" else (UNRECOGNISED if value == "?" else value)
        profile[field_of[row["dimension"]]][label] += row["total"]
    return profile


@dataclass
class SubtreeRow:
    unit: Unit
    depth: int
    respondents: int
    result: CombinedResult | None


def subtree_results(
    root: Unit, period: Period, method: str = "mean_of_services", weights: str | None = None
):
    """Every unit of ``root``'s subtree with its figure, recomputed from tallies.

    A region's figure combines all layanan of all units below it: under ``mean_of_services``
    every layanan counts equally, under ``pooled`` every respondent.
    """
    units = list(root.subtree())
    questionnaire = questionnaire_of(root, weights)
    by_unit_layanan = grouped_tallies(_cells(units, period), ("unit_id", "layanan_id"))
    root_depth = root.path.count("/")
    rows = []
    for unit in units:
        members = [u.id for u in units if u.path.startswith(unit.path)]
        parts = {
            f"{uid}:{lid}": tally
            for (uid, lid), tally in by_unit_layanan.items()
            if uid in members and tally.respondents
        }
        result = combine(parts, questionnaire, method, name=unit.name) if parts else None
        respondents = sum(t.respondents for t in parts.values())
        rows.append(SubtreeRow(unit, unit.path.count("/") - root_depth, respondents, result))
    return rows


def trend(
    unit: Unit, period: Period, method: str = "mean_of_services", back: int = 4,
    weights: str | None = None,
):
    """The unit's overall figure for this period and up to ``back`` earlier ones of its kind."""
    earlier = list(
        Period.objects.filter(kind=period.kind, start__lte=period.start).order_by("-start")[
            : back + 1
        ]
    )
    questionnaire = questionnaire_of(unit, weights)
    points = []
    for p in reversed(earlier):
        tallies = grouped_tallies(_cells([unit], p), ("layanan_id",))
        present = {str(k): t for k, t in tallies.items() if t.respondents}
        result = combine(present, questionnaire, method) if present else None
        points.append((p, result))
    return points
