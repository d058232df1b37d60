"""From the database to the engine: tallies come from the summary table (skm.results.models),
aggregated by GROUP BY, never by loading responses.

Every figure shown on a page, in the API or by ``skm results`` comes from here, and every
number in it from :mod:`skm.engine`.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db.models import Sum

from skm.engine import (
    COMBINE_METHODS,
    CombinedResult,
    GroupSums,
    Method,
    Priority,
    Questionnaire,
    Tally,
    UnsurCounts,
    combine,
    evaluate,
    krejcie_morgan,
    mean_of_sums,
    priorities,
)
from skm.engine.profile import NOT_GIVEN, UNRECOGNISED
from skm.surveys.models import SLOTS, QuestionnaireVersion
from skm.units.models import Layanan, Period, Population, Unit

from .models import SummaryRevision, TallyCell

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


def counted(unit: Unit, key: str):
    """The distinct ``key`` ("period_id", "questionnaire_id") of the unit's counted responses
    (rejected ones are not counted), from the summary table: a few hundred cells, however many
    responses."""
    return (TallyCell.objects.filter(unit=unit, dimension="n", count__gt=0)
            .order_by().values_list(key, flat=True).distinct())


def grouped_tallies(cells, keys: tuple[str, ...]) -> dict[tuple, Tally]:
    """One tally per distinct value of ``keys`` (e.g. ``("layanan_id",)``), by unsur code.

    Reads the summary cells as plain tuples and adds them up here: for a province (tens of
    thousands of cells) that is several times faster than a GROUP BY returning as many rows
    as dictionaries. Answers given under different questionnaire versions are merged by unsur
    code.
    """
    rows = (
        cells.filter(dimension__in=("n", *SLOTS))
        .values_list(*keys, "questionnaire_id", "dimension", "value", "count")
        .order_by()
    )
    width = len(keys)
    versions: dict[int, dict[str, str]] = {}
    per_key: dict[tuple, list] = {}  # key -> [respondents, {code: [c1, c2, c3, c4]}]
    for row in rows:
        qid, dimension, value, count = row[width:]
        entry = per_key.get(row[:width])
        if entry is None:
            entry = per_key[row[:width]] = [0, {}]
        if dimension == "n":
            entry[0] += count
            continue
        if qid not in versions:
            versions[qid] = QuestionnaireVersion.objects.get(pk=qid).slot_codes()
        code = versions[qid].get(dimension)
        if code is None:
            continue
        digits = entry[1].get(code)
        if digits is None:
            digits = entry[1][code] = [0, 0, 0, 0]
        digits[int(value) - 1] += count
    return {
        key: Tally({code: UnsurCounts(tuple(d)) for code, d in codes.items()}, respondents)
        for key, (respondents, codes) in per_key.items()
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
        return _short(self.respondents, self.minimum)


def _short(respondents: int, minimum: int | None) -> bool:
    """Fewer respondents than the minimum sample (no minimum without a population)."""
    return minimum is not None and respondents < minimum


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


#: Engine results and subtree rows, keyed by everything they were computed from, shared by the
#: requests of one process (see :func:`_memo`).
_MEMO: OrderedDict = OrderedDict()
_MEMO_LOCK = threading.Lock()
#: A province holds a few thousand layanan; each entry is a few kB.
MEMO_SIZE = 20_000


_MISSING = object()


def _recall(key):
    """What :func:`_memo` remembers under ``key`` (now the most recently used), else
    ``_MISSING``."""
    with _MEMO_LOCK:
        if key not in _MEMO:
            return _MISSING
        _MEMO.move_to_end(key)
        return _MEMO[key]


def _memo(key, compute):
    """``compute()``, remembered under ``key``: an engine call keyed by everything it reads.

    The keys hold the questionnaire and the counts themselves, so a changed tally is a new key
    and a remembered figure can never be stale; the oldest entries are dropped past
    ``MEMO_SIZE``.
    """
    found = _recall(key)
    if found is not _MISSING:
        return found
    value = compute()
    with _MEMO_LOCK:
        _MEMO[key] = value
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return value


def _tally_key(tally: Tally) -> tuple:
    return (tally.respondents, tuple(sorted((c, u.counts) for c, u in tally.unsur.items())))


def _questionnaire_key(questionnaire: Questionnaire) -> tuple:
    return (questionnaire.version, questionnaire.weights,
            tuple((u.code, u.weight) for u in questionnaire.unsur))


def subtree_results(
    root: Unit, period: Period, method: str = "mean_of_services", weights: str | None = None
):
    """Every unit of ``root``'s subtree with its figure, recomputed from tallies.

    A region's figure combines all layanan of all units below it: under ``mean_of_services``
    every layanan counts equally, under ``pooled`` every respondent. The result for each unit
    is what :func:`skm.engine.combine` gives for those layanan (tested), built so that a
    province stays fast: each layanan is evaluated once, not once per level above it; pooled
    tallies are summed bottom-up; engine results are remembered by content (:func:`_memo`), so
    a recomputation re-evaluates only the layanan whose counts changed; and the rows themselves
    are remembered under the revision tokens of every unit below (``SummaryRevision``, changed
    in the same transaction as any of their cells), so a request after no change reads a few
    hundred tokens instead of tens of thousands of cells.
    """
    if method not in COMBINE_METHODS:
        combine({}, method=method)  # raises the engine's error for an unknown method
    units = list(root.subtree())
    questionnaire = questionnaire_of(root, weights)
    qkey = _questionnaire_key(questionnaire)
    # every input of the figures below: the units, the questionnaire and the revision token of
    # every unit's cells in every period counted (skm.results.summary changes it with the cells)
    tokens = tuple(
        SummaryRevision.objects.filter(unit__in=units, period__in=period.contained_periods())
        .order_by("unit_id", "period_id").values_list("unit_id", "period_id", "token")
    )
    if not tokens:  # no cell below was ever written: nothing worth remembering
        return _subtree_rows(root, units, period, method, questionnaire, tokens)
    signature = tuple((u.pk, u.path, u.name) for u in units)
    key = ("subtree", root.pk, period.pk, method, qkey, signature, tokens)
    return list(_memo(key, lambda: _subtree_rows(root, units, period, method, questionnaire,
                                                 tokens)))


def _unit_layanan_tallies(period: Period, tokens) -> dict[tuple, Tally]:
    """``{(unit_id, layanan_id): tally}`` of the units these revision tokens name.

    Each unit's tallies are remembered under its own tokens, so after a change below a region
    only the units whose tokens changed have their cells read again (one query for all of
    them), not the whole region's.
    """
    by_unit: dict[int, list] = {}
    for unit_id, period_id, token in tokens:
        by_unit.setdefault(unit_id, []).append((period_id, token))
    keys = {uid: ("unit-tallies", uid, period.pk, tuple(t)) for uid, t in by_unit.items()}
    found = {uid: _recall(key) for uid, key in keys.items()}
    missing = [uid for uid, value in found.items() if value is _MISSING]
    if missing:
        fresh: dict[int, dict] = {uid: {} for uid in missing}
        cells = TallyCell.objects.filter(unit_id__in=missing,
                                         period__in=period.contained_periods())
        for (uid, lid), tally in grouped_tallies(cells, ("unit_id", "layanan_id")).items():
            fresh[uid][lid] = tally
        for uid, tallies in fresh.items():
            found[uid] = _memo(keys[uid], lambda t=tallies: t)
    return {(uid, lid): tally for uid, tallies in found.items() for lid, tally in tallies.items()}


def _subtree_rows(root, units, period, method, questionnaire, tokens) -> list[SubtreeRow]:
    qkey = _questionnaire_key(questionnaire)
    by_unit_layanan = _unit_layanan_tallies(period, tokens)
    root_depth = root.path.count("/")
    in_tree = {u.id for u in units}
    # (name, tally key, tally, evaluated group) of each layanan, under every unit above it
    members: dict[int, list] = {u.id: [] for u in units}
    unit_path = {u.id: u.path for u in units}
    for (uid, lid), tally in sorted(by_unit_layanan.items(),
                                    key=lambda item: (unit_path.get(item[0][0], ""), item[0])):
        if uid not in in_tree or not tally.respondents:
            continue
        name = f"{uid}:{lid}"
        key = _tally_key(tally)
        group = _memo(("evaluate", qkey, name, key),
                      lambda t=tally, n=name: evaluate(t, questionnaire, n))
        for ancestor in unit_path[uid].strip("/").split("/"):
            if int(ancestor) in members:
                members[int(ancestor)].append((name, key, tally, group))
    children: dict[int, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    # children before parents: each level is summed once, from its own layanan and the sums of
    # the units right below it
    pooled_tally: dict[int, Tally] = {}
    sums: dict[int, GroupSums] = {}
    sums_key: dict[int, tuple] = {}
    for unit in sorted(units, key=lambda u: -u.path.count("/")):
        own = [part for part in members[unit.id] if part[0].startswith(f"{unit.id}:")]
        below = children.get(unit.id, [])
        if method == "pooled":
            pooled_tally[unit.id] = Tally.merge([*(tally for _n, _k, tally, _g in own),
                                                 *(pooled_tally[c] for c in below)])
            continue
        # mean_of_services: the sums behind the mean (skm.engine.GroupSums) add up, so a
        # change below recomputes the sums of the units above it from a few parts each
        key = ("sums", qkey, tuple((n, k) for n, k, _t, _g in own),
               tuple(sums_key[c] for c in below))
        sums_key[unit.id] = key
        sums[unit.id] = _memo(key, lambda own=own, below=below: GroupSums.add(
            [*(GroupSums.of(group) for _n, _k, _t, group in own), *(sums[c] for c in below)]))
    rows = []
    for unit in units:
        parts = members[unit.id]
        result = None
        if parts:
            layanan = tuple(group for _n, _k, _t, group in parts)
            if method == "pooled":
                total = pooled_tally[unit.id]
                overall = _memo(("evaluate", qkey, unit.name, _tally_key(total)),
                                lambda t=total, n=unit.name: evaluate(t, questionnaire, n))
            else:
                overall = _memo(("mean", unit.name, sums_key[unit.id]),
                                lambda s=sums[unit.id], n=unit.name:
                                mean_of_sums(s, questionnaire, n))
            result = CombinedResult(Method(questionnaire.weights, method), layanan, overall)
        respondents = sum(tally.respondents for _n, _k, tally, _g in parts)
        rows.append(SubtreeRow(unit, unit.path.count("/") - root_depth, respondents, result))
    return rows


@dataclass(frozen=True)
class SampleStatus:
    """A unit's own layanan against the Krejcie-Morgan minimum (as :class:`SampleCheck`)."""

    checked: int  # layanan with a population for the period
    short: int  # of those, with fewer respondents than the minimum


def subtree_samples(rows: list[SubtreeRow], period: Period) -> dict[int, SampleStatus | None]:
    """Per unit of ``rows`` (by pk): its own layanan's sample against their populations for
    ``period``, the rule of the results page; None when none of them has a population. The
    respondents come from the rows themselves; one query for the populations."""
    respondents: dict[int, int] = {}
    # the widest row (the subtree's root) holds every layanan with answers below it
    widest = max((row.result.layanan for row in rows if row.result), key=len, default=())
    for group in widest:
        _unit_id, _, layanan_id = (group.name or "").partition(":")
        respondents[int(layanan_id)] = group.respondents
    found: dict[int, SampleStatus] = {}
    populations = (Population.objects.filter(layanan__unit__in=[r.unit for r in rows],
                                             period=period, size__gt=0)
                   .values_list("layanan__unit_id", "layanan_id", "size"))
    for unit_id, layanan_id, size in populations:
        before = found.get(unit_id, SampleStatus(0, 0))
        short = _short(respondents.get(layanan_id, 0), krejcie_morgan(size))
        found[unit_id] = SampleStatus(before.checked + 1, before.short + short)
    return {row.unit.pk: found.get(row.unit.pk) for row in rows}


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
