"""Fuzzing the import: whatever the bytes, ``import_file`` either imports (and the summary table
stays exactly a fresh rebuild) or raises one of its documented errors and writes nothing.

Bounded and derandomized (``FUZZ``) so CI sees the same examples every run; see
docs/testing.md, "Fuzzing".
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skm.engine import DEFAULT_QUESTIONNAIRE
from skm.imports.importing import ImportInvalid, ImportRefused, import_file
from skm.imports.models import ImportBatch
from skm.results import summary
from skm.results.models import TallyCell
from skm.surveys.models import Response
from skm.tabular import SurveyFileError
from tests.factories import make_region

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
PERIOD = "2024-S2"
CODES = [u.code for u in DEFAULT_QUESTIONNAIRE.unsur]

# ---- headers ---------------------------------------------------------------------------------

NEAR_MISS = ["U 1", "U10", "U0", "u1x", "UI", "Ul", "U-2", "U１", "U٣", "(U4)", "U5 U6",
             "Persyaratan (U1)", "U2 Prosedur", "1. U3"]
HEADERS = (
    CODES * 3
    + [u.question for u in DEFAULT_QUESTIONNAIRE.unsur]
    + [u.name for u in DEFAULT_QUESTIONNAIRE.unsur]
    + NEAR_MISS
    + ["layanan", "Jenis Layanan", "Timestamp", "Cap waktu", "tanggal", "jenis kelamin",
       "usia", "umur", "pendidikan", "pekerjaan", "saran", "kritik dan saran", "No. Resp",
       "Nama", "", "=1+1", "layanan layanan"]
)
header_cell = st.one_of(st.sampled_from(HEADERS), st.text(max_size=20))

# ---- cells -----------------------------------------------------------------------------------

LABELS = [label for u in DEFAULT_QUESTIONNAIRE.unsur for label in u.labels]
CELLS = (
    ["1", "2", "3", "4"] * 8
    + ["4.0", "4,0", "3 - Sesuai", "Sangat puas", "0", "5", "-1", "9" * 40, "1e308", "nan",
       "inf", "", " ", "=1+1", "=HYPERLINK(\"x\")", "@SUM(A1)", "+4", "04", "0x4", "٤", "４",
       "PKK", "pkk", "Posyandu", "PPSU", "L", "P", "Laki-laki", "X", "34", "34 tahun", "9",
       "200", "SMA", "S1", "PNS", "Swasta", "Lainnya", "2024-08-15", "2024-08-15 10:00:00",
       "15/08/2024 10:23:45", "8/15/2024", "31/02/2024", "2023-01-01", "9999-12-31",
       "Σ", "Jumlah", "NRR", "\x00", "\x1b[31m", "\r", "a\nb", "\"", "'", ";", ",", "\t",
       "x" * 5000]
    + LABELS
)
cell = st.one_of(st.sampled_from(CELLS), st.text(max_size=30))


@st.composite
def wild_tables(draw):
    """Any header (sometimes below a title block) and a few rows of any cells."""
    width = draw(st.integers(1, 14))
    header = draw(st.lists(header_cell, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=width + 2), max_size=8))
    title = draw(st.lists(st.lists(cell, max_size=3), max_size=2))
    return [*title, header, *rows]


EXTRA = ["Timestamp", "Cap waktu", "jenis kelamin", "usia", "pendidikan", "pekerjaan", "saran",
         "Nama", "No. Resp"]


@st.composite
def near_valid_tables(draw):
    """A proper file (layanan, U1..U9, some profile columns) with a few cells spoilt: these
    reach the writing path, where a partial write could happen."""
    extra = draw(st.lists(st.sampled_from(EXTRA), unique=True, max_size=4))
    header = ["layanan", *draw(st.permutations(CODES)), *extra]
    good = {"Timestamp": st.sampled_from(["2024-08-15 10:00:00", "2024-12-31 23:59:59", ""]),
            "Cap waktu": st.sampled_from(["15/08/2024 10:23:45", "01/07/2024 00:00:00"]),
            "jenis kelamin": st.sampled_from(["L", "P", "Perempuan", ""]),
            "usia": st.sampled_from(["34", "61 tahun", ""]),
            "pendidikan": st.sampled_from(["SMA", "S1", "SLTA", ""]),
            "pekerjaan": st.sampled_from(["PNS", "Swasta", "Petani", ""]),
            "saran": st.text(max_size=40), "Nama": st.text(max_size=10),
            "No. Resp": st.integers(1, 99).map(str)}
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = [draw(st.sampled_from(["PKK", "Posyandu", "pkk", " PKK "]))]
        row += [draw(st.sampled_from(["1", "2", "3", "4", "4.0", ""])) for _ in CODES]
        row += [draw(good[name]) for name in extra]
        rows.append(row)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # spoil a cell or two
        row = draw(st.sampled_from(rows))
        row[draw(st.integers(0, len(row) - 1))] = draw(cell)
    return [header, *rows]


tables = st.one_of(wild_tables(), near_valid_tables())


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-32"]


@st.composite
def csv_bytes(draw):
    table = draw(tables)
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    text = io.StringIO()
    if draw(st.booleans()):
        csv.writer(text, delimiter=delimiter).writerows(table)
    else:  # hand-joined: quotes and line breaks inside cells left as they are
        text.write("\n".join(delimiter.join(row) for row in table))
    data = text.getvalue().encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):  # damage: invalid UTF-8, stray BOMs, NULs, truncation
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf",
                                     b"\x00", b"\xfe\xff", b"\r"]))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + junk + data[at:]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


XLSX_VALUES = st.one_of(
    st.sampled_from(CELLS),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.times(),
    st.sampled_from([1, 2, 3, 4, 4.0, 2.5, "#DIV/0!", "#N/A", "=1/0", "=A1"]),
)


@st.composite
def xlsx_bytes(draw):
    table = draw(tables)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header, *rest = table
    for r, row in enumerate(table, start=1):
        values = row if row is header else [draw(XLSX_VALUES) if draw(st.booleans()) else v
                                            for v in row]
        for c, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")[:32000]
            target = sheet.cell(row=r, column=c)
            if isinstance(value, str) and value.startswith("#") and value.endswith(("!", "A")):
                target.value, target.data_type = value, "e"  # an Excel error cell
            else:
                target.value = value
    if draw(st.booleans()):
        workbook.create_sheet("Lain").append(["U1", "x"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---- the property ----------------------------------------------------------------------------

@pytest.fixture
def region():
    return make_region()


def counts():
    return (Response.objects.unscoped().count(), TallyCell.objects.count(),
            ImportBatch.objects.count())


def check_import(region, data, suffix, layanan, dry_run, skip_duplicates):
    """The one property, for any bytes: documented outcome, nothing half written."""
    before = counts()
    try:
        result = import_file(data, region.kelurahan, PERIOD, file_name=f"fuzz{suffix}",
                             layanan=layanan, dry_run=dry_run, skip_duplicates=skip_duplicates)
    except ImportInvalid as exc:
        assert exc.errors and exc.total >= len(exc.errors)
        for error in exc.errors:  # every bad cell is named by row and column
            assert error.row >= 1 and error.column_index >= 0 and error.problem
        assert counts() == before
        return "invalid"
    except (ImportRefused, SurveyFileError) as exc:
        assert str(exc.message).strip()
        assert counts() == before
        return "refused"
    after = counts()
    if dry_run:
        assert after == before
    else:
        assert after[0] - before[0] == result.rows
        assert after[2] - before[2] == 1
        assert result.batch.rows == result.rows
        assert Response.objects.unscoped().filter(batch=result.batch).count() == result.rows
    assert summary.differences([region.kelurahan], [result.batch.period if result.batch
                                                    else _period()]) == {}
    return "imported"


def _period():
    from skm.units.models import Period

    return Period.objects.get(code=PERIOD)


LAYANAN = st.sampled_from([None, None, "pkk", "Posyandu", "tidak-ada", "PPSU", ""])


@FUZZ
@given(data=csv_bytes(), layanan=LAYANAN, dry_run=st.booleans(), skip=st.booleans())
def test_any_csv_is_imported_or_refused_cleanly(region, data, layanan, dry_run, skip):
    event(check_import(region, data, ".csv", layanan, dry_run, skip))


@settings(FUZZ, max_examples=40)
@given(data=xlsx_bytes(), layanan=LAYANAN, dry_run=st.booleans())
def test_any_xlsx_is_imported_or_refused_cleanly(region, data, layanan, dry_run):
    event(check_import(region, data, ".xlsx", layanan, dry_run, False))


@settings(FUZZ, max_examples=15)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods",
                                                              ".txt", ""]))
def test_garbage_bytes_under_any_name_are_refused_cleanly(region, data, suffix):
    event(check_import(region, data, suffix, "pkk", False, False))


def test_the_generators_reach_every_outcome(region):
    """Guard against a fuzzer that only ever sees refused files: known inputs of each kind."""
    good = ";".join(["layanan", *CODES]) + "\nPKK;" + ";".join("4" * 9) + "\n"
    assert check_import(region, good.encode(), ".csv", None, False, False) == "imported"
    assert check_import(region, good.encode(), ".csv", None, False, False) == "refused"
    bad = good.replace("PKK;4", "PKK;9")
    assert check_import(region, bad.encode(), ".csv", None, False, False) == "invalid"


@settings(FUZZ, max_examples=6)
@given(data=csv_bytes(), period=st.sampled_from([PERIOD, "2024-S9", "kemarin", "2024-TW2"]),
       unit=st.sampled_from(["jatinegara-kaum", "tidak-ada"]))
def test_the_command_fails_only_with_exit_status_2(region, tmp_path, data, period, unit):
    path = Path(tmp_path) / "fuzz.csv"
    path.write_bytes(data)
    before = counts()
    try:
        call_command("import", str(path), "--unit", unit, "--period", period,
                     stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as exc:
        assert exc.returncode == 2
        assert counts() == before
    except SystemExit as exc:
        assert exc.code == 2
        assert counts() == before


def test_a_nul_character_never_reaches_the_database(region):
    data = ";".join(["layanan", *CODES, "saran"]) + "\nPKK;" + ";".join("4" * 9) + ";a\x00b\n"
    before = set(Response.objects.unscoped().values_list("pk", flat=True))
    import_file(data.encode(), region.kelurahan, PERIOD, file_name="nul.csv")
    stored = Response.objects.unscoped().exclude(pk__in=before).values_list("saran", flat=True)
    assert list(stored) == ["ab"]


@pytest.mark.parametrize("data", [b"just a title\nno header here\n", b"layanan;U1\rPKK;1\n"])
def test_messages_name_the_uploaded_file(region, data):
    with pytest.raises(SurveyFileError) as caught:
        import_file(data, region.kelurahan, PERIOD, file_name="data-saya.csv", layanan="pkk")
    assert caught.value.message.startswith("data-saya.csv: ")


def test_a_broken_csv_names_a_real_row(region):
    with pytest.raises(SurveyFileError) as caught:
        import_file(b"layanan;U1\rPKK;1\n", region.kelurahan, PERIOD, file_name="cr.csv",
                    layanan="pkk")
    rows = [int(n) for n in re.findall(r"baris (\d+)", caught.value.message)]
    assert rows and min(rows) >= 1
