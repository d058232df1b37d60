"""skm import: formats, matching, validation, all-or-nothing, re-imports, the summary table."""

import csv
import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skm.engine import DEFAULT_QUESTIONNAIRE
from skm.imports.importing import ImportInvalid, ImportRefused, import_file, save_mapping
from skm.imports.matching import Matcher, parse_timestamp
from skm.imports.models import ImportBatch
from skm.results import summary
from skm.results.models import TallyCell
from skm.surveys.models import Response
from skm.tabular import SurveyFileError, sources
from skm.units.models import Period
from tests.factories import JAKARTA, add_responses, make_unit

pytestmark = pytest.mark.django_db


U = [f"U{i}" for i in range(1, 10)]
SAMPLE = Path(__file__).resolve().parents[2] / "skm" / "data" / "contoh-jatinegara-kaum-2024-S2.csv"
SAMPLE_LAYANAN = ["Jumantik", "Ketertiban Umum", "PKK", "Posyandu", "PPSU", "RPTRA",
                  "RT/RW, LMK dan FKDM"]
LABELS = {u.code: u.labels for u in DEFAULT_QUESTIONNAIRE.unsur}
QUESTIONS = {u.code: u.question for u in DEFAULT_QUESTIONNAIRE.unsur}


@pytest.fixture
def unit():
    return make_unit("Kelurahan Jatinegara Kaum", "jatinegara-kaum", "kelurahan", None,
                     ["PKK", "Posyandu", "Pelayanan Kependudukan"])


def responses(unit):
    return Response.objects.within([unit])


def state(unit):
    """What an import may change: responses, summary cells (with counts), batches."""
    cells = sorted(TallyCell.objects.filter(unit=unit).values_list(
        "layanan_id", "dimension", "value", "count"))
    return responses(unit).count(), cells, ImportBatch.objects.filter(unit=unit).count()


def write_csv(path, header, rows, delimiter=";", encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def in_sync(unit):
    periods = Period.objects.all()
    return summary.differences([unit], periods) == {}


ROWS = [
    ["PKK", 4, 4, 3, 4, 4, 4, 4, 4, 4, "L", 34, "SMA", "Swasta"],
    ["pkk", 3, 4, 4, 4, "", 4, 4, 2, 4, "P", 61, "S1", "PNS"],
    ["posyandu", 2, 2, 2, 2, 2, 2, 2, 2, "", "L", 19, "SD", "Wirausaha"],
    ["Pelayanan Kependudukan", 1, 4, 4, 4, 4, 4, 4, 4, 4, "", "", "", ""],
]
HEADER = ["layanan", *U, "jenis_kelamin", "usia", "pendidikan", "pekerjaan"]


def stored_rows(unit):
    """(layanan, U1..U9, gender, age, education, occupation) of every stored response."""
    out = []
    for r in responses(unit).select_related("layanan").order_by("id"):
        out.append([r.layanan.name, *(getattr(r, f"a{i}") for i in range(1, 10)), r.gender,
                    r.age, r.education, r.occupation])
    return out


EXPECTED = [
    ["PKK", 4, 4, 3, 4, 4, 4, 4, 4, 4, "L", 34, "SMA", "Swasta"],
    ["PKK", 3, 4, 4, 4, None, 4, 4, 2, 4, "P", 61, "S1", "PNS"],
    ["Posyandu", 2, 2, 2, 2, 2, 2, 2, 2, None, "L", 19, "SD", "Wirausaha"],
    ["Pelayanan Kependudukan", 1, 4, 4, 4, 4, 4, 4, 4, 4, "", None, "", ""],
]


# -- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter,encoding", [
    (";", "utf-8-sig"), (",", "utf-8"), (";", "cp1252"), (",", "utf-8-sig"),
])
def test_csv_delimiters_and_encodings(unit, tmp_path, delimiter, encoding):
    rows = [row[:] for row in ROWS]
    rows[0][-1] = "Karyawan Café"  # not PEKERJAAN: "Lainnya", as skm compute counts it
    path = write_csv(tmp_path / "f.csv", HEADER, rows, delimiter, encoding)
    result = import_file(path, unit, "2024-S2")
    assert result.rows == 4 and result.format == "csv"
    expected = [row[:] for row in EXPECTED]
    expected[0][-1] = "Lainnya"
    assert stored_rows(unit) == expected
    assert {r.source for r in responses(unit)} == {"import"}
    assert {r.batch_id for r in responses(unit)} == {result.batch.pk}
    assert in_sync(unit)


def test_xlsx(unit, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [HEADER, *ROWS])
    result = import_file(path, unit, "2024-S2")
    assert result.format == "xlsx"
    assert stored_rows(unit) == EXPECTED
    assert in_sync(unit)


def google_forms_rows():
    header = ["Timestamp", "Jenis Layanan yang diterima", "Jenis Kelamin", "Usia (tahun)",
              "Pendidikan Terakhir", "Pekerjaan Utama"]
    header += [f"{i}. {QUESTIONS[code]}" for i, code in enumerate(U, start=1)]
    header += ["Kritik dan saran"]
    rows = [
        ["7/15/2024 10:23:45", "PKK", "Laki-laki", "34", "SMA/Sederajat", "Karyawan Swasta",
         *[LABELS[c][3] for c in U], "Bagus, pertahankan"],
        ["12/1/2024 8:05:00", "Posyandu", "Perempuan", "27 tahun", "D1/D2/D3", "PNS/ASN",
         *[LABELS[c][1] for c in U], ""],
        ["12/2/2024 9:00:00", "posyandu", "Perempuan", "45", "S1/D4", "Pelajar/Mahasiswa",
         *[LABELS[c][2] for c in U[:8]], "", ""],
    ]
    return header, rows


def test_google_forms_export_labels_and_timestamps(unit, tmp_path):
    header, rows = google_forms_rows()
    path = write_csv(tmp_path / "Survei SKM (Responses).csv", header, rows, ",", "utf-8")
    result = import_file(path, unit, "2024-S2")
    assert result.format == "google-forms"
    assert result.columns["layanan"] == "Jenis Layanan yang diterima"
    assert result.columns["U8"].startswith("8. Bagaimana")
    stored = list(responses(unit).order_by("id"))
    assert [r.answers() for r in stored] == [
        dict.fromkeys(U, 4), dict.fromkeys(U, 2), {**dict.fromkeys(U[:8], 3), "U9": None}]
    assert [(r.gender, r.age, r.education, r.occupation) for r in stored] == [
        ("L", 34, "SMA", "Swasta"), ("P", 27, "DIII", "PNS"), ("P", 45, "S1", "Lainnya")]
    first = stored[0].submitted_at.astimezone(JAKARTA)
    assert (first.month, first.day, first.hour, first.minute) == (7, 15, 10, 23)
    assert stored[0].saran == "Bagus, pertahankan"
    assert in_sync(unit)


def test_google_forms_indonesian_cap_waktu_is_day_first(unit, tmp_path):
    header, rows = google_forms_rows()
    header[0] = "Cap waktu"
    rows = [rows[0]]
    rows[0][0] = "01/12/2024 10:00:00"  # 1 Desember
    path = write_csv(tmp_path / "gf.csv", header, rows, ",", "utf-8")
    import_file(path, unit, "2024-S2")
    submitted = responses(unit).get().submitted_at.astimezone(JAKARTA)
    assert (submitted.month, submitted.day) == (12, 1)


def test_processing_form_with_title_block_and_totals_below(unit, tmp_path):
    rows = [
        ["PENGOLAHAN DATA SURVEI KEPUASAN MASYARAKAT PER RESPONDEN"],
        ["UNIT PELAYANAN: KELURAHAN JATINEGARA KAUM"],
        [],
        ["No. Resp", "NILAI UNSUR PELAYANAN"],
        ["", *U],
        [1, 4, 4, 4, 4, 4, 4, 4, 4, 4],
        [2, 3, 3, 4, 4, 3, 4, 4, 3, 4],
        [3, 4, 3, 4, 4, 4, 4, 3, 4, 4],
        [],
        ["ΣNilai/Unsur", 11, 10, 12, 12, 11, 12, 11, 11, 12],
        ["NRR/Unsur", 3.67, 3.33, 4, 4, 3.67, 4, 3.67, 3.67, 4],
        ["NRR tertimbang/unsur", 0.41, 0.37, 0.44, 0.44, 0.41, 0.44, 0.41, 0.41, 0.44],
        ["*) Jumlah NRR IKM tertimbang", 3.78],
    ]
    path = write_xlsx(tmp_path / "form.xlsx", rows)
    result = import_file(path, unit, "2024-S2", layanan="pkk")
    assert result.format == "form-pengolahan"
    assert result.rows == 3
    assert [r.answers()["U2"] for r in responses(unit).order_by("id")] == [4, 3, 3]
    assert in_sync(unit)


def test_upload_bytes(unit, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, ROWS)
    result = import_file(path.read_bytes(), unit, "2024-S2", file_name="unggahan.csv")
    assert result.rows == 4 and result.batch.file_name == "unggahan.csv"


# -- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize("header,target", [
    ("U1", "U1"), ("u1", "U1"), ("U1 Persyaratan", "U1"), ("Persyaratan (U1)", "U1"),
    ("persyaratan", "U1"), ("Waktu Penyelesaian", "U3"),
    (QUESTIONS["U3"], "U3"),
    ("3. " + QUESTIONS["U3"].upper(), "U3"),
    ("3) " + QUESTIONS["U3"].replace("?", "").replace(" ", "  "), "U3"),
    ("[9] " + QUESTIONS["U9"] + " *", "U9"),
    ("12. " + QUESTIONS["U8"].replace("Saudara", "Anda"), "U8"),
    ("Jenis Layanan yang diterima", "layanan"), ("Jenis Pelayanan", "layanan"),
    ("Timestamp", "submitted_at"), ("Cap waktu", "submitted_at"),
    ("Jenis Kelamin", "jenis_kelamin"), ("Umur", "usia"), ("Pendidikan terakhir", "pendidikan"),
    ("Pekerjaan", "pekerjaan"), ("No. Resp", None), ("Nama", None),
])
def test_header_matching(header, target):
    assert Matcher(DEFAULT_QUESTIONNAIRE).target(header) == target


@pytest.mark.parametrize("code,raw,value", [
    ("U1", "Sangat sesuai", 4), ("U1", " sangat  SESUAI ", 4), ("U4", "Gratis", 4),
    ("U4", "Cukup mahal", 2), ("U7", "Kurang sopan dan ramah", 2), ("U9", "Buruk", 1),
    ("U1", "4 - Sangat sesuai", 4), ("U1", "Sesuai (3)", 3), ("U2", "Sangat puas", 4),
    ("U2", "4.0", 4), ("U2", "3,0", 3), ("U2", "", 0), ("U1", "Sangat mudah", None),
    ("U1", "5", None), ("U1", "4 - Tidak sesuai", None),
])
def test_answer_labels(code, raw, value):
    assert Matcher(DEFAULT_QUESTIONNAIRE).answer(code, raw) == value


def test_columns_matched_by_their_answer_labels(unit, tmp_path):
    header = ["layanan", "Pertanyaan tentang biaya", *U[:3]]
    rows = [["PKK", "Gratis", 4, 4, 4], ["PKK", "Cukup mahal", 3, 3, 3]]
    result = import_file(write_csv(tmp_path / "f.csv", header, rows), unit, "2024-S2")
    assert result.columns["U4"] == "Pertanyaan tentang biaya"
    assert [r.answers()["U4"] for r in responses(unit).order_by("id")] == [4, 2]


def test_saved_mapping(unit, tmp_path):
    header = ["Layanan", "P1", "P2", "P3", "Catatan"]
    rows = [["PKK", 4, 3, 2, "x"]]
    path = write_csv(tmp_path / "f.csv", header, rows)
    with pytest.raises(SurveyFileError, match="baris judul"):
        import_file(path, unit, "2024-S2")
    save_mapping(unit, "kertas-lama", {"P1": "U1", "p2": "U2", "P 3": "U3", "Catatan": ""})
    result = import_file(path, unit, "2024-S2", mapping="kertas-lama")
    assert responses(unit).get().answers() == {**dict.fromkeys(U), "U1": 4, "U2": 3, "U3": 2}
    assert "Kolom U4, U5, U6, U7, U8, U9 tidak ada" in result.warnings[0]


def test_timestamps():
    assert parse_timestamp("2024-07-15", JAKARTA).isoformat() == "2024-07-15T00:00:00+07:00"
    assert parse_timestamp("2024/07/15 1:02:03 PM GMT+7", JAKARTA).hour == 13
    assert parse_timestamp("13/07/2024 10:00", JAKARTA, day_first=False).month == 7
    assert parse_timestamp("kemarin", JAKARTA) is None
    assert parse_timestamp("45488.5", JAKARTA).isoformat() == "2024-07-15T12:00:00+07:00"
    assert parse_timestamp("12", JAKARTA) is None


# -- layanan --------------------------------------------------------------------------------


def test_layanan_by_name_slug_and_case(unit, tmp_path):
    rows = [["PKK", *[4] * 9], ["pelayanan-kependudukan", *[4] * 9],
            ["  PELAYANAN   kependudukan ", *[4] * 9], ["POSYANDU", *[3] * 9]]
    result = import_file(write_csv(tmp_path / "f.csv", ["Layanan", *U], rows), unit, "2024-S2")
    assert result.per_layanan == {"PKK": 1, "Pelayanan Kependudukan": 2, "Posyandu": 1}


def test_layanan_for_the_whole_file(unit, tmp_path):
    path = write_csv(tmp_path / "f.csv", U, [[4] * 9, [3] * 9])
    with pytest.raises(SurveyFileError, match="--layanan"):
        import_file(path, unit, "2024-S2")
    with pytest.raises(SurveyFileError, match="tidak ada di unit"):
        import_file(path, unit, "2024-S2", layanan="PPSU")
    result = import_file(path, unit, "2024-S2", layanan="Posyandu")
    assert result.per_layanan == {"Posyandu": 2}


# -- validation: all or nothing -------------------------------------------------------------


def test_every_bad_cell_with_row_and_column_and_nothing_written(unit, tmp_path, monkeypatch):
    add_responses(unit.layanan.get(slug="pkk"), Period.get_or_create_code("2024-S2"), [[4] * 9])
    before = state(unit)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 64)  # many blocks: errors in later ones too
    rows = [["Judul laporan"], HEADER]
    rows += [r[:] for _ in range(3) for r in ROWS]
    rows[3][3] = "5"  # row 4, D (U3)
    rows[6][0] = "PPSU"  # row 7, A: unknown layanan
    rows[9][10] = "X"  # row 10, K: jenis kelamin
    rows[12][11] = "tua"  # row 13, L: usia
    rows[13][1] = "sangat mudah"  # row 14, B: not a U1 label
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    with pytest.raises(ImportInvalid) as info:
        import_file(path, unit, "2024-S2")
    found = [(e.row, e.column_index, e.column) for e in info.value.errors]
    assert found == [(4, 3, "U3"), (7, 0, "layanan"), (10, 10, "jenis_kelamin"),
                     (13, 11, "usia"), (14, 1, "U1")]
    assert info.value.total == 5
    assert "PPSU" in info.value.errors[1].problem
    assert state(unit) == before


def test_dates_outside_the_period_are_errors(unit, tmp_path):
    path = write_csv(tmp_path / "f.csv", ["tanggal", "layanan", *U],
                     [["2024-07-01", "PKK", *[4] * 9], ["2024-05-01", "PKK", *[4] * 9]])
    with pytest.raises(ImportInvalid) as info:
        import_file(path, unit, "2024-S2")
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "tanggal")]
    assert "di luar periode" in info.value.errors[0].problem


def test_dry_run_writes_nothing(unit, tmp_path):
    before = state(unit)
    result = import_file(write_csv(tmp_path / "f.csv", HEADER, ROWS), unit, "2024-S2",
                         dry_run=True)
    assert result.rows == 4 and result.dry_run and result.batch is None
    assert state(unit) == before


def test_the_same_file_twice_is_refused(unit, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, ROWS)
    import_file(path, unit, "2024-S2")
    before = state(unit)
    with pytest.raises(ImportRefused, match="sudah diimpor untuk unit ini pada"):
        import_file(path, unit, "2024-S2")
    with pytest.raises(ImportRefused):  # whatever the name and period
        import_file(path.read_bytes(), unit, "2025-S1", file_name="lain.csv", dry_run=True)
    assert state(unit) == before


@pytest.mark.parametrize("skip", [False, True])
def test_duplicates_of_stored_responses(unit, tmp_path, skip):
    import_file(write_csv(tmp_path / "a.csv", HEADER, ROWS[:2]), unit, "2024-S2")
    # ROWS[0] twice: only one of them matches the one stored response
    rows = [ROWS[0], ROWS[2], ROWS[0], ROWS[1]]
    result = import_file(write_csv(tmp_path / "b.csv", HEADER, rows), unit, "2024-S2",
                         skip_duplicates=skip)
    assert result.duplicates == 2
    assert result.duplicate_rows == [2, 5]
    assert result.rows == (2 if skip else 4)
    assert responses(unit).count() == 2 + result.rows
    assert in_sync(unit)


def test_timestamps_make_rows_distinct(unit, tmp_path):
    header = ["tanggal", *HEADER]
    import_file(write_csv(tmp_path / "a.csv", header, [["2024-07-01", *ROWS[0]]]), unit,
                "2024-S2")
    rows = [["2024-07-02", *ROWS[0]], ["2024-07-01", *ROWS[0]]]
    result = import_file(write_csv(tmp_path / "b.csv", header, rows), unit, "2024-S2")
    assert (result.duplicates, result.duplicate_rows) == (1, [3])


def test_period_is_created(unit, tmp_path):
    assert not Period.objects.filter(code="2025-TW2").exists()
    import_file(write_csv(tmp_path / "f.csv", HEADER, ROWS), unit, "2025-tw2")
    assert responses(unit).filter(period__code="2025-TW2").count() == 4


# -- the summary table and the engine -------------------------------------------------------


def sample_unit():
    return make_unit("Kelurahan Jatinegara Kaum", "jatinegara-kaum", "kelurahan", None,
                     SAMPLE_LAYANAN)


def test_summary_table_equals_a_fresh_rebuild(tmp_path, monkeypatch):
    unit = sample_unit()
    monkeypatch.setattr(sources, "BLOCK_BYTES", 4096)
    add_responses(unit.layanan.get(name="PKK"), Period.get_or_create_code("2024-S2"),
                  [[1] * 9])
    import_file(SAMPLE, unit, "2024-S2")
    assert responses(unit).count() == 595
    assert in_sync(unit)
    stored = summary.stored_counts([unit], Period.objects.all())
    summary.rebuild([unit], Period.objects.all())
    assert summary.stored_counts([unit], Period.objects.all()) == stored


@pytest.mark.parametrize("combine", ["mean_of_services", "pooled"])
def test_results_after_import_equal_skm_compute(run_skm, combine):
    sample_unit()
    code, out, _ = run_skm("import", SAMPLE, "--unit", "jatinegara-kaum", "--period", "2024-S2")
    assert code == 0, out
    _, expected, _ = run_skm("compute", SAMPLE, "--format", "json", "--combine", combine)
    results = StringIO()
    call_command("results", "--unit", "jatinegara-kaum", "--period", "2024-S2", "--format",
                 "json", "--combine", combine, stdout=results)
    assert results.getvalue() == expected
    assert json.loads(expected)["overall"]["konversi"] == (98.72 if combine ==
                                                             "mean_of_services" else 98.73)


def test_xlsx_results_equal_csv_results(tmp_path, run_skm):
    unit = sample_unit()
    with open(SAMPLE, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    path = write_xlsx(tmp_path / "contoh.xlsx", rows)
    import_file(path, unit, "2024-S2")
    _, expected, _ = run_skm("compute", SAMPLE, "--format", "json")
    results = StringIO()
    call_command("results", "--unit", "jatinegara-kaum", "--period", "2024-S2", "--format",
                 "json", stdout=results)
    assert results.getvalue() == expected


# -- the command ----------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_imports_and_reports(unit, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, ROWS)
    out, err = run(path, "--unit", "jatinegara-kaum", "--period", "2024-S2")
    assert "4 respons diimpor" in out and "PKK: 2" in out
    assert responses(unit).count() == 4


def test_cli_dry_run(unit, tmp_path):
    out, _ = run(write_csv(tmp_path / "f.csv", HEADER, ROWS), "--unit", "jatinegara-kaum",
                 "--period", "2024-S2", "--dry-run")
    assert "4 respons akan diimpor (uji coba" in out
    assert responses(unit).count() == 0


def test_cli_bad_cells_exit_2_with_all_errors_in_a_file(unit, tmp_path, run_skm):
    rows = [[*r] for _ in range(40) for r in ROWS]
    for r in rows:
        r[1] = "9"
    path = write_csv(tmp_path / "f.csv", HEADER, rows)
    errors = tmp_path / "errors.csv"
    code, out, err = run_skm("import", path, "--unit", "jatinegara-kaum", "--period", "2024-S2",
                             "--errors-out", errors)
    assert code == 2
    assert "160 sel tidak valid; tidak ada yang diimpor" in err
    assert "baris 2, kolom B (U1): nilai '9' bukan jawaban 1-4" in err
    assert "dan 60 sel salah lainnya" in err
    with open(errors, encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert len(listed) == 160
    assert listed[-1] == {"baris": "161", "kolom": "B", "judul_kolom": "U1", "nilai": "9",
                          "masalah": "nilai '9' bukan jawaban 1-4 untuk U1"}
    assert responses(unit).count() == 0


def test_cli_exit_codes(unit, tmp_path, run_skm):
    path = write_csv(tmp_path / "f.csv", HEADER, ROWS)
    args = ["--unit", "jatinegara-kaum", "--period", "2024-S2"]
    assert run_skm("import", path, "--unit", "tidak-ada", "--period", "2024-S2")[0] == 2
    assert run_skm("import", path, "--unit", "jatinegara-kaum", "--period", "2024-S9")[0] == 2
    assert run_skm("import", tmp_path / "none.csv", *args)[0] == 2
    assert run_skm("import", path, *args, "--mapping", "tidak-ada")[0] == 2
    assert run_skm("import", path, *args)[0] == 0
    code, _, err = run_skm("import", path, *args)
    assert code == 2 and "sudah diimpor" in err
    assert responses(unit).count() == 4


def test_cli_command_error_has_returncode_2(unit, tmp_path):
    with pytest.raises(CommandError) as info:
        run(tmp_path / "none.csv", "--unit", "jatinegara-kaum", "--period", "2024-S2")
    assert info.value.returncode == 2


def test_progress_is_reported_per_chunk_up_to_the_whole_file(unit, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "CHUNK_ROWS", 3)
    path = write_xlsx(tmp_path / "f.xlsx", [HEADER, *[r[:] for _ in range(4) for r in ROWS]])
    calls = []
    result = import_file(path, unit, "2024-S2", progress=lambda rows, f: calls.append((rows, f)))
    assert result.rows == 16
    assert [rows for rows, _ in calls] == [3, 6, 9, 12, 15, 16]
    assert calls[-1][1] == 1.0
    assert stored_rows(unit) == EXPECTED * 4
    assert in_sync(unit)


def test_cli_reports_duplicates(unit, tmp_path):
    run(write_csv(tmp_path / "a.csv", HEADER, ROWS), "--unit", "jatinegara-kaum", "--period",
        "2024-S2")
    out, _ = run(write_csv(tmp_path / "b.csv", HEADER, ROWS[1:]), "--unit", "jatinegara-kaum",
                 "--period", "2024-S2", "--skip-duplicates")
    assert "0 respons diimpor" in out
    assert "3 baris sama dengan respons yang sudah ada (dilewati): baris 2, 3, 4." in out
    assert responses(unit).count() == 4


def test_cli_saves_the_mapping_it_used(unit, tmp_path):
    header = ["Layanan", "P1", "P2"]
    save_mapping(unit, "lama", {"P1": "U1", "P2": "U2"})
    run(write_csv(tmp_path / "a.csv", header, [["PKK", 4, 3]]), "--unit", "jatinegara-kaum",
        "--period", "2024-S2", "--mapping", "lama", "--save-mapping", "lama-2")
    out, _ = run(write_csv(tmp_path / "b.csv", header, [["PKK", 2, 1]]), "--unit",
                 "jatinegara-kaum", "--period", "2024-S2", "--mapping", "lama-2")
    assert "1 respons diimpor" in out
    assert [r.answers()["U2"] for r in responses(unit).order_by("id")] == [3, 1]


class Terminal(StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bar_on_a_terminal_lines_otherwise(terminal):
    from importlib import import_module

    progress_class = import_module("skm.imports.management.commands.import")._Progress
    stream = Terminal() if terminal else StringIO()
    progress = progress_class(stream, "f.csv")
    for rows in (2_500, 5_000, 7_500, 10_000):
        progress(rows, rows / 10_000)
    progress.close()
    text = stream.getvalue()
    if terminal:
        assert progress.bar is not None and "Impor f.csv" in text
    else:
        assert text.splitlines() == ["25%: 2.500 baris dibaca", "50%: 5.000 baris dibaca",
                                     "75%: 7.500 baris dibaca", "100%: 10.000 baris dibaca"]


def test_a_role_granted_the_replication_setting_skips_the_per_row_checks(unit, tmp_path):
    """PostgreSQL 15: ``GRANT SET ON PARAMETER session_replication_role`` lets a role that is
    not a superuser take the fast path; without it, PostgreSQL's own checks (docs/import.md)."""
    import secrets

    from django.db import connection

    if connection.vendor != "postgresql" or connection.pg_version < 150000:
        pytest.skip("PostgreSQL 15 or newer only")
    role = f"skm_import_probe_{secrets.token_hex(4)}"
    other = [[row[0], *[3] * 9, *row[10:]] for row in ROWS]
    with connection.cursor() as cursor:  # all inside the test's transaction: rolled back
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        checked = import_file(write_csv(tmp_path / "a.csv", HEADER, ROWS), unit, "2024-S2")
        assert checked.insert_method == "copy-checked"
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
            cursor.execute(f"SET ROLE {role}")
        locked = import_file(write_csv(tmp_path / "b.csv", HEADER, other), unit, "2024-S2")
        assert locked.insert_method == "copy-locked"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert responses(unit).count() == 2 * len(ROWS)
    assert in_sync(unit)
