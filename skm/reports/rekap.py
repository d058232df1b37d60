"""``rekap`` (XLSX): the regulation's processing form (Lampiran, p.29) filled in from the database.

One sheet per layanan: a row per respondent (No, then the answers by unsur code; a blank stays
blank, never 0), then ΣNilai, jumlah jawaban, NRR, bobot, NRR tertimbang, IKM, konversi, mutu
and kinerja. A first sheet "Ringkasan" holds the unit's Tabel 1.

Every derived cell is a formula an auditor can read (``=SUM(B8:B65)``), written with the engine's
exact value as its cached result, so a viewer that does not recalculate shows the engine's figure
and Excel or LibreOffice, recalculating, get the same. The formulas follow the engine:

- NRR = SUM / COUNT over the answered cells of the column (blanks are not zeros); an unsur
  nobody answered shows "-", which SUM, COUNT and AVERAGE skip.
- Bobot: ``equal`` is 1 / COUNT(answered NRRs), i.e. equal weights renormalised over the answered
  unsur; ``custom`` is the unit's weight over the sum of the answered unsur's weights; the legacy
  ``0.111`` / ``0.11`` constants are applied as they are (not renormalised, they do not sum to 1),
  exactly as the regulation's old form did, so its IKM is 0,111 x ΣNRR.
- IKM = Σ NRR tertimbang; konversi = IKM x 25; mutu and kinerja from Tabel II on the konversi
  rounded to 2 decimals with inclusive lower bounds (``skm.engine.GRADE_BOUNDS``).

Responses are read per layanan with one streamed query of the slot values only, and written
with xlsxwriter's ``constant_memory`` mode, so memory stays flat however many respondents a
layanan has. The streamed answers are checked against the summary table the engine reads; a
difference stops the report (``skm summary --rebuild`` repairs the table).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from fractions import Fraction

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from skm.engine import GRADE_BOUNDS, LEGACY_WEIGHTS, Questionnaire
from skm.followup.services import tanggal_id
from skm.formatting import integer_id
from skm.present import COMBINE_DESCRIPTIONS, WEIGHT_DESCRIPTIONS
from skm.surveys.models import QuestionnaireVersion, Response
from skm.units.models import Layanan

from .common import results_of, tabel1, tabel2_grades
from .registry import ReportError, register

SUMMARY_SHEET = "Ringkasan"
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: the first data row of a layanan sheet (0-based): title lines, then two header rows
FIRST_DATA_ROW = 6
#: footer lines below the respondents, in order (offsets from the first footer row)
FOOT_SUM, FOOT_COUNT, FOOT_NRR, FOOT_WEIGHT, FOOT_WEIGHTED = 0, 1, 2, 3, 4
FOOT_IKM, FOOT_KONVERSI, FOOT_MUTU, FOOT_KINERJA = 6, 7, 8, 9
NONE = "-"  # a derived cell without a value (an unsur nobody answered)


# ---- names and formulas ---------------------------------------------------------------------

def sheet_names(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names for these layanan: no []:*?/\\, at most 31 characters,
    not starting or ending with an apostrophe, unique ignoring case (as Excel compares)."""
    taken = {SUMMARY_SHEET.casefold(), "history"}
    result = []
    for name in names:
        base = FORBIDDEN.sub("-", name).strip().strip("'").strip() or "Layanan"
        candidate, n = base[:31], 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            candidate = base[: 31 - len(suffix)].rstrip() + suffix
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def grade_formula(konversi_expr: str, words=lambda g: g.mutu) -> str:
    """Tabel II as nested IFs on ROUND(konversi, 2), lower bounds inclusive (GRADE_BOUNDS)."""
    rounded = f"ROUND({konversi_expr},2)"
    *bounded, (_lowest, last) = GRADE_BOUNDS
    formula = f'"{words(last)}"'
    for lower, grade in reversed(bounded):
        formula = f'IF({rounded}>={lower.normalize():f},"{words(grade)}",{formula})'
    return "=" + formula


def _number(value: Fraction | None):
    """The cached result of a formula: the engine's exact value as a float, or "-"."""
    return NONE if value is None else float(value)


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"({value.numerator}/" \
        f"{value.denominator})"


def weight_formula(questionnaire: Questionnaire, code: str, nrr_cells: dict[str, str]) -> str:
    """The effective weight of ``code`` as the engine's ``effective_weights`` computes it."""
    own = nrr_cells[code]
    if questionnaire.weights == "equal":
        cells = list(nrr_cells.values())
        body = f"1/COUNT({_absolute(cells[0])}:{_absolute(cells[-1])})"
    elif questionnaire.weights == "custom":
        terms = "+".join(
            f'IF({_absolute(nrr_cells[u.code])}="{NONE}",0,{_fraction_text(u.weight)})'
            for u in questionnaire.unsur
        )
        body = f"{_fraction_text(questionnaire.get(code).weight)}/({terms})"
    else:
        body = str(LEGACY_WEIGHTS[questionnaire.weights].numerator
                   / LEGACY_WEIGHTS[questionnaire.weights].denominator)
    return f'=IF({own}="{NONE}","{NONE}",{body})'


def _absolute(cell: str) -> str:
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    return f"${col}${row}"


# ---- reading the responses ------------------------------------------------------------------

@dataclass
class _Columns:
    """For one questionnaire version: (position in the row tuple, column index) per unsur."""

    pairs: list[tuple[int, int]]


def _plans(unit, period, codes: tuple[str, ...]):
    """The slots to fetch and, per questionnaire version, where each slot's answer goes."""
    versions = (
        Response.objects.within([unit]).filter(period__in=period.contained_periods())
        .values_list("questionnaire_id", flat=True).distinct().order_by()
    )
    slot_codes = {
        v.pk: v.slot_codes() for v in QuestionnaireVersion.objects.filter(pk__in=list(versions))
    }
    slots = sorted({s for m in slot_codes.values() for s, c in m.items() if c in codes},
                   key=lambda s: int(s[1:]))
    position = {slot: i + 1 for i, slot in enumerate(slots)}  # 0 is the questionnaire id
    plans = {
        vid: _Columns([(position[s], codes.index(c)) for s, c in m.items() if c in codes])
        for vid, m in slot_codes.items()
    }
    return slots, plans


def _answer_rows(unit, period, layanan: Layanan, slots, plans, width: int):
    """The answers of each response of ``layanan`` in the period, in unsur-column order,
    streamed (one query, slot values only)."""
    rows = (
        Response.objects.within([unit])
        .filter(layanan=layanan, period__in=period.contained_periods())
        .order_by("submitted_at", "id")
        .values_list("questionnaire_id", *slots)
        .iterator(chunk_size=2000)
    )
    for row in rows:
        answers = [None] * width
        for pos, col in plans[row[0]].pairs:
            answers[col] = row[pos]
        yield answers


# ---- the workbook ---------------------------------------------------------------------------

class _Formats:
    def __init__(self, book):
        base = {"font_name": "Arial", "font_size": 9, "valign": "vcenter"}
        grid = {**base, "border": 1}

        def add(**kw):
            return book.add_format({**grid, **kw})

        self.title = book.add_format({**base, "bold": True, "font_size": 12})
        self.subtitle = book.add_format({**base, "font_size": 10})
        self.note = book.add_format({**base, "italic": True, "font_color": "#444444"})
        self.head = add(bold=True, align="center", text_wrap=True, bg_color="#E8E8E8")
        self.head_left = add(bold=True, text_wrap=True, bg_color="#E8E8E8")
        self.no = add(align="center")
        self.answer = add(align="center", num_format="0")
        self.text = add(text_wrap=True)
        self.label = add(bold=True, text_wrap=True, bg_color="#F4F4F4")
        self.int = add(align="center", num_format="#,##0")
        self.nrr = add(align="center", num_format="0.00")
        self.nrr_bold = add(align="center", num_format="0.00", bold=True)
        self.weight = add(align="center", num_format="0.0000")
        self.ikm = add(align="center", num_format="0.0000", bold=True)
        self.konversi = add(align="center", num_format="0.00", bold=True, font_size=11)
        self.grade = add(align="center", bold=True)


def _setup_print(ws, header_rows: int):
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(0, header_rows - 1)


def _method_text(result) -> str:
    return _("Metode: {weights}; {combine}.").format(
        weights=WEIGHT_DESCRIPTIONS[result.method.weights],
        combine=COMBINE_DESCRIPTIONS[result.method.combine],
    )


def _period_text(period) -> str:
    return _("Periode: {label} ({start} s/d {end})").format(
        label=period.label, start=tanggal_id(period.start), end=tanggal_id(period.end))


@dataclass
class _LayananSheet:
    layanan: Layanan
    name: str
    respondents: int
    first_foot: int  # 0-based row of ΣNilai

    def cell(self, offset: int, col: int) -> str:
        return xl_rowcol_to_cell(self.first_foot + offset, col)


def build_rekap(unit, period) -> bytes:
    results = results_of(unit, period)
    questionnaire, result = results.questionnaire, results.result
    codes = questionnaire.codes
    groups = {g.name: g for g in result.layanan}
    present = [lay for lay in results.layanan if lay.name in groups]
    if not present:
        raise ReportError(
            _("{unit} belum punya responden pada {period}; rekap tidak dibuat.").format(
                unit=unit.name, period=period.label)
        )
    names = sheet_names([lay.name for lay in present])
    sheets = [
        _LayananSheet(lay, name, results.tallies[lay.name].respondents,
                      FIRST_DATA_ROW + results.tallies[lay.name].respondents)
        for lay, name in zip(present, names, strict=True)
    ]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    book.set_properties({
        "title": _("Rekap pengolahan data SKM {unit} {period}").format(
            unit=unit.name, period=period.label),
        "subject": "PermenPANRB 14/2017",
    })
    fmt = _Formats(book)
    summary = book.add_worksheet(SUMMARY_SHEET)
    layanan_sheets = [book.add_worksheet(s.name) for s in sheets]
    _write_summary(summary, fmt, unit, period, results, sheets)

    slots, plans = _plans(unit, period, codes)
    for ws, spec in zip(layanan_sheets, sheets, strict=True):
        _write_layanan(ws, fmt, unit, period, results, spec, slots, plans)
    book.close()
    return out.getvalue()


def _write_layanan(ws, fmt, unit, period, results, spec: _LayananSheet, slots, plans):
    questionnaire = results.questionnaire
    codes = questionnaire.codes
    width = len(codes)
    last_col = width + 1  # A: No, B..: unsur, then the column of the totals
    group = next(g for g in results.result.layanan if g.name == spec.layanan.name)
    tally = results.tallies[spec.layanan.name]

    ws.set_column(0, 0, 26)
    ws.set_column(1, width, 7.5)
    ws.set_column(last_col, last_col, 12)
    ws.write(0, 0, _("PENGOLAHAN DATA SURVEI KEPUASAN MASYARAKAT PER RESPONDEN DAN PER UNSUR "
                     "PELAYANAN"), fmt.title)
    ws.write(1, 0, _("{unit} - Layanan: {layanan}").format(
        unit=unit.name, layanan=spec.layanan.name), fmt.subtitle)
    ws.write(2, 0, _period_text(period), fmt.subtitle)
    ws.write(3, 0, _method_text(results.result), fmt.note)
    ws.merge_range(4, 0, 5, 0, _("No. Resp"), fmt.head)
    ws.merge_range(4, 1, 4, width, _("Nilai Unsur Pelayanan"), fmt.head)
    ws.merge_range(4, last_col, 5, last_col, "", fmt.head)
    for i, code in enumerate(codes):
        ws.write(5, 1 + i, code, fmt.head)
    ws.freeze_panes(FIRST_DATA_ROW, 1)
    _setup_print(ws, FIRST_DATA_ROW)

    sums, counts, n = [0] * width, [0] * width, 0
    for answers in _answer_rows(unit, period, spec.layanan, slots, plans, width):
        row = FIRST_DATA_ROW + n
        n += 1
        ws.write_number(row, 0, n, fmt.no)
        for col, value in enumerate(answers):
            if value is None:
                ws.write_blank(row, 1 + col, None, fmt.answer)
            else:
                ws.write_number(row, 1 + col, value, fmt.answer)
                sums[col] += value
                counts[col] += 1
        ws.write_blank(row, last_col, None, fmt.no)
    expected = [(tally.counts(c).total, tally.counts(c).answers) for c in codes]
    if n != spec.respondents or list(zip(sums, counts, strict=True)) != expected:
        raise ReportError(
            _("Ringkasan hitungan untuk layanan {layanan} tidak sama dengan data respons; "
              "jalankan `skm summary --rebuild` lalu buat rekap lagi.").format(
                layanan=spec.layanan.name)
        )

    first, last = FIRST_DATA_ROW, FIRST_DATA_ROW + n - 1
    foot = spec.first_foot
    labels = {
        FOOT_SUM: _("ΣNilai/Unsur"),
        FOOT_COUNT: _("Jumlah jawaban/Unsur"),
        FOOT_NRR: _("NRR/Unsur"),
        FOOT_WEIGHT: _("Bobot/Unsur"),
        FOOT_WEIGHTED: _("NRR tertimbang/Unsur"),
    }
    for offset, label in labels.items():
        ws.write(foot + offset, 0, label, fmt.label)
    nrr_cells = {code: spec.cell(FOOT_NRR, 1 + i) for i, code in enumerate(codes)}
    weights = questionnaire.effective_weights(
        frozenset(c for c in codes if group.nrr(c) is not None))
    for i, code in enumerate(codes):
        col = 1 + i
        column = f"{xl_col_to_name(col)}{first + 1}:{xl_col_to_name(col)}{last + 1}"
        sum_cell, count_cell = spec.cell(FOOT_SUM, col), spec.cell(FOOT_COUNT, col)
        nrr, nrr_cell = group.nrr(code), nrr_cells[code]
        ws.write_formula(foot + FOOT_SUM, col, f"=SUM({column})", fmt.int,
                         tally.counts(code).total)
        ws.write_formula(foot + FOOT_COUNT, col, f"=COUNT({column})", fmt.int,
                         tally.counts(code).answers)
        ws.write_formula(foot + FOOT_NRR, col,
                         f'=IF({count_cell}=0,"{NONE}",{sum_cell}/{count_cell})', fmt.nrr,
                         _number(nrr))
        ws.write_formula(foot + FOOT_WEIGHT, col,
                         weight_formula(questionnaire, code, nrr_cells), fmt.weight,
                         _number(weights.get(code)))
        weighted = None if nrr is None else weights[code] * nrr
        ws.write_formula(foot + FOOT_WEIGHTED, col,
                         f'=IF({nrr_cell}="{NONE}","{NONE}",{nrr_cell}*'
                         f'{spec.cell(FOOT_WEIGHT, col)})', fmt.weight, _number(weighted))
    weighted_row = f"{spec.cell(FOOT_WEIGHTED, 1)}:{spec.cell(FOOT_WEIGHTED, width)}"
    ikm_cell, konversi_cell = spec.cell(FOOT_IKM, 1), spec.cell(FOOT_KONVERSI, 1)
    grade = group.grade
    ws.write_formula(foot + FOOT_WEIGHTED, last_col, f"=SUM({weighted_row})", fmt.ikm,
                     _number(group.ikm))
    totals = [
        (FOOT_IKM, _("IKM layanan (Σ NRR tertimbang)"), f"=SUM({weighted_row})", fmt.ikm,
         _number(group.ikm)),
        (FOOT_KONVERSI, _("IKM konversi (IKM x 25)"), f"={ikm_cell}*25", fmt.konversi,
         _number(group.konversi)),
        (FOOT_MUTU, _("Mutu pelayanan"), grade_formula(konversi_cell), fmt.grade,
         grade.mutu if grade else NONE),
        (FOOT_KINERJA, _("Kinerja unit pelayanan"),
         grade_formula(konversi_cell, lambda g: g.kinerja), fmt.grade,
         grade.kinerja if grade else NONE),
    ]
    for offset, label, formula, cell_format, value in totals:
        ws.write(foot + offset, 0, label, fmt.label)
        ws.merge_range(foot + offset, 2, foot + offset, width, "", fmt.text)
        ws.write_formula(foot + offset, 1, formula, cell_format, value)

    # Keterangan, as on the form: each unsur with its name and NRR
    row = foot + FOOT_KINERJA + 2
    ws.write(row, 0, _("Keterangan:"), fmt.subtitle)
    row += 1
    ws.write(row, 0, _("Unsur"), fmt.head)
    ws.merge_range(row, 1, row, width - 1, _("Unsur pelayanan"), fmt.head)
    ws.write(row, width, _("NRR"), fmt.head)
    for code in codes:
        row += 1
        ws.write(row, 0, code, fmt.no)
        ws.merge_range(row, 1, row, width - 1, questionnaire.get(code).name, fmt.text)
        ws.write_formula(row, width, f"={nrr_cells[code]}", fmt.nrr, _number(group.nrr(code)))
    row += 2
    ws.write(row, 0, _("Mutu pelayanan (Tabel II, konversi dibulatkan 2 desimal):"),
             fmt.subtitle)
    for line in reversed(tabel2_grades()):
        row += 1
        ws.write(row, 0, f"{line['mutu']} ({line['kinerja']}): {line['konversi']}", fmt.subtitle)


def _write_summary(ws, fmt, unit, period, results, sheets: list[_LayananSheet]):
    questionnaire, result = results.questionnaire, results.result
    table = tabel1(results)
    codes = questionnaire.codes
    width = len(codes)
    overall = result.overall
    mean = result.method.combine == "mean_of_services"
    ikm_col = width + 2

    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 11)
    ws.set_column(2, width + 1, 12)
    ws.set_column(ikm_col, ikm_col, 12)
    ws.write(0, 0, _("REKAPITULASI PENGOLAHAN DATA SURVEI KEPUASAN MASYARAKAT"), fmt.title)
    ws.write(1, 0, unit.name, fmt.subtitle)
    ws.write(2, 0, _period_text(period), fmt.subtitle)
    ws.write(3, 0, _method_text(result), fmt.note)
    ws.write(4, 0, _("Jumlah responden: {n} orang").format(
        n=integer_id(overall.respondents)), fmt.subtitle)
    ws.write(6, 0, _("Tabel 1. Ringkasan Hasil SKM {period}").format(period=period.label),
             fmt.subtitle)

    head = 7
    ws.write(head, 0, _("Jenis Layanan"), fmt.head_left)
    ws.write(head, 1, _("Responden"), fmt.head)
    for i, (code, name) in enumerate(zip(table.codes, table.names, strict=True)):
        ws.write(head, 2 + i, f"{name} ({code})", fmt.head)
    ws.write(head, ikm_col, _("IKM Layanan"), fmt.head)
    ws.set_row(head, 54)
    ws.freeze_panes(head + 1, 1)
    _setup_print(ws, head + 1)

    first = head + 1
    groups = {g.name: g for g in result.layanan}
    for r, spec in enumerate(sheets):
        row = first + r
        group = groups[spec.layanan.name]
        sheet = quoted(spec.name)
        ws.write(row, 0, group.name, fmt.text)
        data = f"{sheet}!A{FIRST_DATA_ROW + 1}:A{FIRST_DATA_ROW + spec.respondents}"
        ws.write_formula(row, 1, f"=COUNT({data})", fmt.int, group.respondents)
        for i, code in enumerate(codes):
            ws.write_formula(row, 2 + i, f"={sheet}!{spec.cell(FOOT_NRR, 1 + i)}", fmt.nrr,
                             _number(group.nrr(code)))
        ws.write_formula(row, ikm_col, f"={sheet}!{spec.cell(FOOT_IKM, 1)}", fmt.nrr_bold,
                         _number(group.ikm))
    last = first + len(sheets) - 1
    avg = last + 1
    ws.write(avg, 0, table.overall_label, fmt.label)
    ws.write_formula(avg, 1, f"=SUM(B{first + 1}:B{last + 1})", fmt.int, overall.respondents)
    for i, code in enumerate(codes):
        col = xl_col_to_name(2 + i)
        value = _number(overall.nrr(code))
        if mean:
            ws.write_formula(avg, 2 + i, f"=AVERAGE({col}{first + 1}:{col}{last + 1})",
                             fmt.nrr_bold, value)
        else:  # pooled: all answers together, not an average of the rows above
            ws.write(avg, 2 + i, value, fmt.nrr_bold)
    ikm_name = xl_col_to_name(ikm_col)
    if mean:
        ws.write_formula(avg, ikm_col, f"=AVERAGE({ikm_name}{first + 1}:{ikm_name}{last + 1})",
                         fmt.nrr_bold, _number(overall.ikm))
    else:
        ws.write(avg, ikm_col, _number(overall.ikm), fmt.nrr_bold)

    mutu = avg + 1
    ws.write(mutu, 0, _("Mutu Layanan"), fmt.label)
    ws.write_blank(mutu, 1, None, fmt.grade)
    for i in range(width):
        ws.write_formula(mutu, 2 + i, grade_formula(f"{xl_col_to_name(2 + i)}{avg + 1}*25"),
                         fmt.grade, table.mutu[i])
    ws.write_formula(mutu, ikm_col, grade_formula(f"{ikm_name}{avg + 1}*25"), fmt.grade,
                     table.mutu[-1])

    konversi = mutu + 2
    grade = overall.grade
    ws.write(konversi, 0, _("{label} (konversi IKM x 25)").format(label=table.konversi_label),
             fmt.label)
    ws.write_formula(konversi, 1, f"={ikm_name}{avg + 1}*25", fmt.konversi,
                     _number(overall.konversi))
    ws.write(konversi + 1, 0, _("Mutu pelayanan"), fmt.label)
    ws.write_formula(konversi + 1, 1, grade_formula(f"B{konversi + 1}"), fmt.grade,
                     grade.mutu if grade else NONE)
    ws.write(konversi + 2, 0, _("Kinerja unit pelayanan"), fmt.label)
    ws.write_formula(konversi + 2, 1, grade_formula(f"B{konversi + 1}", lambda g: g.kinerja),
                     fmt.grade, grade.kinerja if grade else NONE)

    row = konversi + 4
    empty = [lay.name for lay in results.layanan if lay.name not in {s.layanan.name
                                                                      for s in sheets}]
    if empty:
        ws.write(row, 0, _("Layanan tanpa responden pada periode ini: {names}").format(
            names=", ".join(empty)), fmt.note)
        row += 1
    ws.write(row, 0, _("Nilai per layanan diambil dari lembar masing-masing layanan; angka "
                       "ditampilkan 2 desimal, nilai di sel tidak dibulatkan."), fmt.note)


@register("rekap", "xlsx", label=gettext_lazy("Rekap Pengolahan Data SKM (Excel)"))
def rekap_xlsx(unit, period) -> bytes:
    return build_rekap(unit, period)
