"""A unit's results as the CLI prints them: the JSON contract and the seed's Tabel 1 as text.

``skm compute`` (from a file) and, later, ``skm results`` (from the database) both print these,
so the two stay identical in shape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from .engine import CombinedResult, GroupResult, Priority, Questionnaire, round_half_up
from .engine.profile import FIELD_LABELS, ordered_categories
from .formatting import decimal_id, integer_id, percent_id

WEIGHT_DESCRIPTIONS = {
    "equal": "bobot sama (1/n atas unsur yang dijawab)",
    "custom": "bobot khusus unit (berjumlah 1)",
    "0.111": "bobot lama 0,111 per unsur (tidak berjumlah 1)",
    "0.11": "bobot lama 0,11 per unsur (tidak berjumlah 1)",
}
COMBINE_DESCRIPTIONS = {
    "mean_of_services": "rata-rata IKM layanan (setiap layanan berbobot sama)",
    "pooled": "gabungan semua jawaban (setiap responden berbobot sama)",
}


def json_number(value, places: int = 2):
    """An exact value as a JSON number, rounded half-up (None stays null)."""
    return None if value is None else float(round_half_up(value, places))


def _group_dict(group: GroupResult) -> dict:
    grade = group.grade
    return {
        "respondents": group.respondents,
        "unsur": {
            code: {"answers": u.answers, "nrr": json_number(u.nrr, 4)}
            for code, u in group.unsur.items()
        },
        "ikm": json_number(group.ikm, 4),
        "konversi": json_number(group.konversi, 2),
        "mutu": grade.mutu if grade else None,
        "kinerja": grade.kinerja if grade else None,
    }


def result_dict(
    result: CombinedResult,
    priorities: list[Priority],
    profile: Mapping[str, Counter] | None = None,
) -> dict:
    """The JSON object of ``skm compute --format json`` (a contract: keep keys stable)."""
    data = {
        "method": result.method.as_dict(),
        "layanan": [{"name": g.name, **_group_dict(g)} for g in result.layanan],
        "overall": _group_dict(result.overall),
        "priorities": [code for p in priorities for code in p.codes],
    }
    if profile is not None:
        data["profile"] = {
            f: {c: counts[c] for c in ordered_categories(f) if counts.get(c)}
            for f, counts in profile.items()
        }
    return data


def method_lines(result: CombinedResult) -> list[str]:
    return [
        f"Metode: {WEIGHT_DESCRIPTIONS[result.method.weights]}; "
        f"{COMBINE_DESCRIPTIONS[result.method.combine]}.",
        f"        (weights={result.method.weights}, combine={result.method.combine})",
    ]


def _grade_words(group: GroupResult) -> str:
    grade = group.grade
    return "-" if grade is None else f"{grade.mutu} atau {grade.kinerja}"


def tabel1_lines(result: CombinedResult, questionnaire: Questionnaire) -> list[str]:
    """Tabel 1 of the seed report: layanan x unsur, the average row, the mutu row, the unit IKM."""
    codes = questionnaire.codes
    pooled = result.method.combine == "pooled"
    overall_label = "IKM gabungan per Unsur" if pooled else "Rata-rata IKM per Unsur"
    names = [g.name or "" for g in result.layanan] + [overall_label, "Mutu Layanan"]
    name_width = max(len("Jenis Layanan"), *map(len, names))
    cell = max(5, *(len(c) for c in codes))

    def row(name, resp, values, last):
        cells = "".join(f"{v:>{cell + 1}}" for v in values)
        return f"{name:<{name_width}} {resp:>6}{cells} {last:>11}"

    lines = [row("Jenis Layanan", "Resp.", codes, "IKM Layanan")]
    lines.append("-" * len(lines[0]))
    for group in result.layanan:
        lines.append(
            row(
                group.name or "",
                integer_id(group.respondents),
                [decimal_id(group.nrr(c)) for c in codes],
                decimal_id(group.ikm),
            )
        )
    lines.append("-" * len(lines[0]))
    overall = result.overall
    lines.append(
        row(
            overall_label,
            integer_id(overall.respondents),
            [decimal_id(overall.nrr(c)) for c in codes],
            decimal_id(overall.ikm),
        )
    )
    grades = [overall.unsur[c].grade for c in codes]
    lines.append(
        row(
            "Mutu Layanan",
            "",
            [g.mutu if g else "-" for g in grades],
            overall.grade.mutu if overall.grade else "-",
        )
    )
    label = "IKM Unit (konversi)" if pooled else "Rata-rata IKM Layanan (konversi)"
    lines.append("")
    lines.append(f"{label}: {decimal_id(overall.konversi)} ({_grade_words(overall)})")
    return lines


def priority_lines(priorities: list[Priority], questionnaire: Questionnaire) -> list[str]:
    if not priorities:
        return ["Unsur terendah: - (belum ada jawaban)"]
    lines = ["Unsur terendah (nilai belum dibulatkan):"]
    for p in priorities:
        names = ", ".join(f"{c} {questionnaire.get(c).name}" for c in p.codes)
        tie = "  [sama persis]" if p.tied else ""
        lines.append(f"  {p.rank}. {names}: {decimal_id(p.nrr, 4)}{tie}")
    return lines


def profile_lines(profile: Mapping[str, Counter], respondents: int) -> list[str]:
    if not profile:
        return []
    lines = [f"Profil responden ({integer_id(respondents)} orang):"]
    width = max(len(FIELD_LABELS[f]) for f in profile)
    for f, counts in profile.items():
        parts = [
            f"{c} {integer_id(counts[c])} ({percent_id(counts[c], respondents)})"
            for c in ordered_categories(f)
            if counts.get(c)
        ]
        lines.append(f"  {FIELD_LABELS[f]:<{width}}  " + "; ".join(parts))
    return lines
