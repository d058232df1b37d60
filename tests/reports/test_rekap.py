"""The ``rekap`` workbook read back with openpyxl: answers as stored, blanks blank, every cached
value equal to the engine's, and every formula recomputed here from the cells it references
(a small evaluator for what the rekap writes: SUM, COUNT, AVERAGE, IF, ROUND, arithmetic)."""

import io
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import openpyxl
import pytest
from django.core.management import call_command

from skm.reports.common import tabel1
from skm.reports.registry import ReportError, build
from skm.reports.rekap import FIRST_DATA_ROW, SUMMARY_SHEET, sheet_names
from skm.results.services import unit_results
from skm.surveys.models import SLOTS, QuestionnaireVersion, Response
from skm.units.models import Layanan, Period
from tests.factories import add_responses, make_region

pytestmark = pytest.mark.django_db

RTRW = "RT/RW, LMK dan FKDM"
ROWS = {
    "PKK": [
        [4, 4, 4, 4, 4, 4, 4, 4, 4], [3, 4, None, 4, 4, 4, 4, 4, 4], [1, 4, 4, 4, 2, 4, 4, 4, 3],
    ],
    # nobody answers U9 here: its NRR is "-" and the weights renormalise over eight unsur
    "Posyandu": [[2, 2, 2, 2, 2, 2, 2, 2, None], [3, None, 3, 3, 3, 3, 3, 3, None]],
    RTRW: [[4, 3, 4, 4, 4, 4, 4, 4, 4]],
}


def region_with_answers():
    region = make_region()
    Layanan.objects.create(unit=region.kelurahan, name=RTRW, slug="rt-rw", order=5)
    by_name = {lay.name: lay for lay in region.kelurahan.layanan.all()}
    for name, rows in ROWS.items():
        add_responses(by_name[name], region.period, rows, gender="P", education="SMA")
    # outside the report: another period of the same year, and a sibling unit
    add_responses(by_name["PKK"], Period.get_or_create_code("2024-S1"), [[1] * 9])
    add_responses(region.sibling_layanan[0], region.period, [[1] * 9])
    return region


# ---- a small evaluator for the formulas the rekap writes ------------------------------------

TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][\w.]*!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)
  | (?P<func>[A-Z]+)\(
  | (?P<op><>|<=|>=|[-+*/=<>(),])
)""", re.X)


def tokenize(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        assert m and m.end() > pos, f"cannot read {text[pos:]!r}"
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Evaluator:
    def __init__(self, book):
        self.book = book
        self.memo = {}

    def cell(self, sheet, coord):
        key = (sheet, coord)
        if key not in self.memo:
            value = self.book[sheet][coord].value
            if isinstance(value, str) and value.startswith("="):
                value = self.formula(sheet, value)
            self.memo[key] = value
        return self.memo[key]

    def formula(self, sheet, text):
        self.sheet, self.tokens, self.i = sheet, tokenize(text[1:]), 0
        tree = self.parse_compare()
        assert self.i == len(self.tokens), text
        return self.run(tree, sheet)

    # parser: a tree of tuples
    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        token = self.tokens[self.i]
        assert value is None or token[1] == value, (token, value)
        self.i += 1
        return token

    def parse_compare(self):
        left = self.parse_sum()
        while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = ("op", op, left, self.parse_sum())
        return left

    def parse_sum(self):
        left = self.parse_product()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = ("op", op, left, self.parse_product())
        return left

    def parse_product(self):
        left = self.parse_unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            left = ("op", op, left, self.parse_unary())
        return left

    def parse_unary(self):
        if self.peek()[1] == "-":
            self.take()
            return ("neg", self.parse_unary())
        return self.parse_primary()

    def parse_primary(self):
        kind, value = self.take()
        if kind == "num":
            return ("num", float(value))
        if kind == "str":
            return ("str", value[1:-1].replace('""', '"'))
        if kind == "ref":
            return ("ref", value)
        if kind == "func":
            args = []
            if self.peek()[1] != ")":
                args.append(self.parse_compare())
                while self.peek()[1] == ",":
                    self.take()
                    args.append(self.parse_compare())
            self.take(")")
            return ("func", value, args)
        assert value == "(", value
        inner = self.parse_compare()
        self.take(")")
        return inner

    # interpreter
    def ref_values(self, ref, sheet):
        if "!" in ref:
            sheet, ref = ref.rsplit("!", 1)
            sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        ref = ref.replace("$", "")
        if ":" not in ref:
            return self.cell(sheet, ref), sheet
        start, end = ref.split(":")
        cells = self.book[sheet][start:end]
        return [self.cell(sheet, c.coordinate) for row in cells for c in row], sheet

    def run(self, node, sheet):
        kind = node[0]
        if kind in ("num", "str"):
            return node[1]
        if kind == "ref":
            return self.ref_values(node[1], sheet)[0]
        if kind == "neg":
            return -self.run(node[1], sheet)
        if kind == "op":
            a, b = self.run(node[2], sheet), self.run(node[3], sheet)
            op = node[1]
            if op in "+-*/":
                a, b = a or 0, b or 0
                return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else "#DIV/0!"}[op]
            if op in ("=", "<>"):
                same = a == b if type(a) is type(b) or not isinstance(a, str) and not isinstance(
                    b, str) else False
                return same if op == "=" else not same
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        name, args = node[1], node[2]
        if name == "IF":
            return self.run(args[1] if self.run(args[0], sheet) else args[2], sheet)
        values = [self.run(a, sheet) for a in args]
        flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
        numbers = [v for v in flat if isinstance(v, int | float) and not isinstance(v, bool)]
        if name == "SUM":
            return sum(numbers)
        if name == "COUNT":
            return len(numbers)
        if name == "AVERAGE":
            return sum(numbers) / len(numbers) if numbers else "#DIV/0!"
        if name == "ROUND":  # Excel rounds half away from zero, on the decimal it shows
            return float(Decimal(repr(values[0])).quantize(
                Decimal(1).scaleb(-int(values[1])), rounding=ROUND_HALF_UP))
        raise AssertionError(f"unexpected function {name}")


def read(data):
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return formulas, cached


def assert_formulas_recompute(formulas, cached):
    """Every formula cell, recomputed from its inputs, gives the value cached in the file."""
    evaluator = Evaluator(formulas)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    got = evaluator.cell(ws.title, c.coordinate)
                    want = cached[ws.title][c.coordinate].value
                    if isinstance(want, float | int) and not isinstance(want, bool):
                        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (
                            ws.title, c.coordinate, c.value)
                    else:
                        assert got == want, (ws.title, c.coordinate, c.value, got, want)
                    checked += 1
    return checked


def footer(ws, label):
    """The row (1-based) whose column A says ``label``."""
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == label:
            return cell.row
    raise AssertionError(f"no row {label!r}")


# ---- tests ----------------------------------------------------------------------------------

def test_rekap_answers_cached_values_and_formulas():
    region = region_with_answers()
    unit, period = region.kelurahan, region.period
    data = build("rekap", "xlsx", unit, period)
    formulas, cached = read(data)
    results = unit_results(unit, period)
    codes = results.questionnaire.codes

    # a sheet per layanan with respondents, after the summary; "/" replaced
    assert formulas.sheetnames == [SUMMARY_SHEET, "PKK", "Posyandu", "RT-RW, LMK dan FKDM"]
    groups = {g.name: g for g in results.result.layanan}
    for sheet, name in zip(formulas.sheetnames[1:], ["PKK", "Posyandu", RTRW], strict=True):
        ws, wv = formulas[sheet], cached[sheet]
        assert [c.value for c in ws[FIRST_DATA_ROW]][1:10] == list(codes)
        # respondent rows: the stored answers by unsur code, in submission order; blank = None
        layanan = unit.layanan.get(name=name)
        stored = Response.objects.within([unit]).filter(
            layanan=layanan, period=period).order_by("submitted_at", "id")
        expected = [[r.answers()[c] for c in codes] for r in stored]
        assert expected == ROWS[name]
        first = FIRST_DATA_ROW + 1
        got = [[ws.cell(first + i, 2 + j).value for j in range(9)] for i in range(len(expected))]
        assert got == expected
        assert [ws.cell(first + i, 1).value for i in range(len(expected))] == list(
            range(1, len(expected) + 1))
        # the footer: cached values are the engine's, formulas over the respondent rows
        last = first + len(expected) - 1
        tally, group = results.tallies[name], groups[name]
        sum_row, count_row = footer(ws, "ΣNilai/Unsur"), footer(ws, "Jumlah jawaban/Unsur")
        nrr_row, weight_row = footer(ws, "NRR/Unsur"), footer(ws, "Bobot/Unsur")
        ikm_row = footer(ws, "IKM layanan (Σ NRR tertimbang)")
        assert sum_row == last + 1
        answered = [c for c in codes if group.nrr(c) is not None]
        weights = results.questionnaire.effective_weights(frozenset(answered))
        for j, code in enumerate(codes):
            col = "BCDEFGHIJ"[j]
            assert ws[f"{col}{sum_row}"].value == f"=SUM({col}{first}:{col}{last})"
            assert ws[f"{col}{count_row}"].value == f"=COUNT({col}{first}:{col}{last})"
            assert wv[f"{col}{sum_row}"].value == tally.counts(code).total
            assert wv[f"{col}{count_row}"].value == tally.counts(code).answers
            nrr = group.nrr(code)
            assert wv[f"{col}{nrr_row}"].value == ("-" if nrr is None else float(nrr))
            assert wv[f"{col}{weight_row}"].value == (
                "-" if nrr is None else float(weights[code]))
        assert wv[f"B{ikm_row}"].value == float(group.ikm)
        assert ws[f"B{ikm_row}"].value == f"=SUM(B{ikm_row - 2}:J{ikm_row - 2})"
        assert wv[f"B{ikm_row + 1}"].value == float(group.konversi)
        assert wv[f"B{ikm_row + 2}"].value == group.grade.mutu
        assert wv[f"B{ikm_row + 3}"].value == group.grade.kinerja
    # Posyandu: U9 unanswered, eight weights of 1/8
    posyandu = cached["Posyandu"]
    row = footer(formulas["Posyandu"], "Bobot/Unsur")
    assert posyandu[f"J{row}"].value == "-"
    assert posyandu[f"B{row}"].value == 1 / 8

    assert assert_formulas_recompute(formulas, cached) > 100


def test_summary_sheet_is_tabel1():
    region = region_with_answers()
    unit, period = region.kelurahan, region.period
    formulas, cached = read(build("rekap", "xlsx", unit, period))
    results = unit_results(unit, period)
    table = tabel1(results)
    ws = cached[SUMMARY_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    texts = [str(v) for r in rows for v in r if v is not None]
    assert unit.name in texts
    assert any(period.label in t for t in texts)
    assert any(t.startswith("Metode: bobot sama") for t in texts)
    assert f"Jumlah responden: {results.respondents} orang" in texts

    from skm.formatting import decimal_id

    def shown(value):
        return value if isinstance(value, str) else decimal_id(Fraction(value))

    start = next(i for i, r in enumerate(rows) if r[0] == "Jenis Layanan") + 1
    for i, line in enumerate([*table.rows, table.average]):
        row = rows[start + i]
        assert row[0] == line["name"]
        assert str(row[1]) == line["respondents"]
        assert [shown(v) for v in row[2:11]] == line["nrr"]
        assert shown(row[11]) == line["ikm"]
    mutu = rows[start + len(table.rows) + 1]
    assert mutu[0] == "Mutu Layanan" and mutu[2:12] == table.mutu
    konversi = next(r for r in rows if str(r[0]).startswith(table.konversi_label))
    assert decimal_id(Fraction(konversi[1])) == table.konversi
    # the layanan rows point at their sheets
    sheet_row = formulas[SUMMARY_SHEET][start + 1]
    assert sheet_row[2].value == f"='PKK'!B{FIRST_DATA_ROW + 3 + 1 + 2}"
    assert formulas[SUMMARY_SHEET][start + 1 + 2][0].value == RTRW
    assert formulas[SUMMARY_SHEET][start + 1 + 2][2].value.startswith("='RT-RW, LMK dan FKDM'!")


def test_year_includes_its_semesters_like_the_results_page(tmp_path):
    region = region_with_answers()
    year = Period.get_or_create_code("2024")
    out = tmp_path / "rekap.xlsx"
    call_command("report", "rekap", unit=region.kelurahan.slug, period="2024", out=str(out))
    formulas, cached = read(out.read_bytes())
    results = unit_results(region.kelurahan, year)
    assert results.tallies["PKK"].respondents == 4  # three in S2, one in S1
    pkk = formulas["PKK"]
    assert pkk.cell(FIRST_DATA_ROW + 4, 1).value == 4
    assert pkk.cell(FIRST_DATA_ROW + 5, 1).value == "ΣNilai/Unsur"
    ikm_row = footer(pkk, "IKM layanan (Σ NRR tertimbang)")
    assert cached["PKK"][f"B{ikm_row}"].value == float(results.result.layanan[0].ikm)
    assert_formulas_recompute(formulas, cached)


def test_legacy_weights_are_applied_as_constants():
    region = region_with_answers()
    legacy = QuestionnaireVersion.default().copy_as_new()
    legacy.weights = "0.111"
    legacy.save()
    region.kelurahan.questionnaire = legacy
    region.kelurahan.save()
    formulas, cached = read(build("rekap", "xlsx", region.kelurahan, region.period))
    results = unit_results(region.kelurahan, region.period)
    assert results.result.method.weights == "0.111"
    ws = formulas["Posyandu"]
    weight_row = footer(ws, "Bobot/Unsur")
    assert ws[f"B{weight_row}"].value == f'=IF(B{weight_row - 1}="-","-",0.111)'
    ikm_row = footer(ws, "IKM layanan (Σ NRR tertimbang)")
    posyandu = next(g for g in results.result.layanan if g.name == "Posyandu")
    assert cached["Posyandu"][f"B{ikm_row}"].value == float(posyandu.ikm)
    assert posyandu.ikm == Fraction(111, 1000) * sum(
        posyandu.nrr(c) for c in results.questionnaire.codes if posyandu.nrr(c) is not None)
    assert_formulas_recompute(formulas, cached)


def test_summary_out_of_step_is_refused():
    region = region_with_answers()
    # a response stored without its counts (as a broken import would leave it)
    pkk = region.kelurahan.layanan.get(name="PKK")
    Response.objects.create(
        unit=region.kelurahan, layanan=pkk, period=region.period,
        questionnaire=QuestionnaireVersion.default(), submitted_at="2024-08-01T10:00+07:00",
        source="paper", **dict.fromkeys(SLOTS[:9], 2))
    with pytest.raises(ReportError, match="skm summary --rebuild"):
        build("rekap", "xlsx", region.kelurahan, region.period)


def test_no_respondents_is_a_clear_error():
    region = make_region()
    with pytest.raises(ReportError, match="belum punya responden"):
        build("rekap", "xlsx", region.kelurahan, region.period)


def test_sheet_names_are_valid_and_unique():
    names = sheet_names([RTRW, "rt/rw, lmk dan fkdm", "A:B*C?[D]\\E", "x" * 40, "x" * 40,
                         "Ringkasan", "'kutip'"])
    assert names[0] == "RT-RW, LMK dan FKDM"
    assert names[1] == "rt-rw, lmk dan fkdm (2)"
    assert names[2] == "A-B-C--D--E"
    assert names[3] == "x" * 31 and names[4] == "x" * 27 + " (2)"
    assert names[5] == "Ringkasan (2)"
    assert names[6] == "kutip"
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
