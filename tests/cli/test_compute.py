"""`skm compute`: formats it reads, options, and how it refuses bad input."""

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import U, write_csv

# SKM-RULES section 2: n = 29, per-unsur sums; weights 1/9 -> 91,48, 0.111 -> 91,38, 0.11 -> 90,56.
VECTOR_SUMS = [105, 101, 100, 116, 102, 105, 106, 105, 115]


def vector_rows():
    """29 respondents whose answers to unsur i sum to VECTOR_SUMS[i] (3s, some raised to 4)."""
    columns = []
    for total in VECTOR_SUMS:
        fours = total - 3 * 29
        columns.append([4] * fours + [3] * (29 - fours))
    return [[str(col[r]) for col in columns] for r in range(29)]


@pytest.fixture
def vector_file(tmp_path):
    return write_csv(tmp_path / "vector.csv", U, vector_rows(), delimiter=",", encoding="utf-8")


@pytest.mark.parametrize(
    ("weights", "konversi"), [("equal", 91.48), ("0.111", 91.38), ("0.11", 90.56)]
)
def test_worked_vector_under_each_weighting(run_skm, vector_file, weights, konversi):
    code, out, _ = run_skm("compute", vector_file, "--format", "json", "--weights", weights)
    assert code == 0
    data = json.loads(out)
    assert data["overall"]["konversi"] == konversi
    assert data["overall"]["mutu"] == "A"
    assert data["method"]["weights"] == weights
    # no layanan column: all rows are one layanan
    assert [g["name"] for g in data["layanan"]] == ["Semua layanan"]
    assert data["layanan"][0]["respondents"] == 29


def test_equal_weights_ikm_is_exact(run_skm, vector_file):
    _, out, _ = run_skm("compute", vector_file, "--format", "json")
    assert json.loads(out)["overall"]["ikm"] == 3.6590  # 955 / 261 = 3.65900383...


def test_table_names_the_method(run_skm, vector_file):
    _, out, _ = run_skm("compute", vector_file, "--weights", "0.111")
    assert "weights=0.111" in out
    assert "bobot lama 0,111" in out
    assert "91,38 (A atau Sangat baik)" in out


def two_layanan(tmp_path):
    # A: 1 respondent, all 4. B: 3 respondents, all 2 -> the methods disagree.
    rows = [["A", *["4"] * 9]] + [["B", *["2"] * 9]] * 3
    return write_csv(tmp_path / "two.csv", ["layanan", *U], rows)


@pytest.mark.parametrize(("method", "ikm"), [("mean_of_services", 3.0), ("pooled", 2.5)])
def test_combine_methods(run_skm, tmp_path, method, ikm):
    path = two_layanan(tmp_path)
    code, out, _ = run_skm("compute", path, "--format", "json", "--combine", method)
    assert code == 0
    data = json.loads(out)
    assert data["overall"]["ikm"] == ikm
    assert data["method"]["combine"] == method
    assert data["overall"]["respondents"] == 4


def test_pooled_table_labels_its_rows(run_skm, tmp_path):
    _, out, _ = run_skm("compute", two_layanan(tmp_path), "--combine", "pooled")
    assert "IKM gabungan per Unsur" in out
    assert "IKM Unit (konversi): 62,50 (D atau Tidak baik)" in out


def test_blank_is_unanswered_and_unsur_never_answered_is_null(run_skm, tmp_path):
    rows = [
        ["L", "4", "", "3", "4", "4", "4", "4", "4", ""],
        ["L", "2", "", "", "4", "4", "4", "4", "4", ""],
    ]
    path = write_csv(tmp_path / "blank.csv", ["layanan", *U], rows)
    code, out, _ = run_skm("compute", path, "--format", "json")
    assert code == 0
    overall = json.loads(out)["overall"]
    assert overall["unsur"]["U1"] == {"answers": 2, "nrr": 3.0}
    assert overall["unsur"]["U3"] == {"answers": 1, "nrr": 3.0}
    assert overall["unsur"]["U2"] == {"answers": 0, "nrr": None}
    # mean of the 7 answered unsur: (3 + 3 + 4*5) / 7
    assert overall["ikm"] == round(26 / 7, 4)
    assert overall["respondents"] == 2


def test_headers_are_case_insensitive_and_other_columns_ignored(run_skm, tmp_path):
    header = ["Timestamp", "LAYANAN", *[u.lower() for u in U], "Saran"]
    rows = [["2024-09-17", "PKK", *["4"] * 9, "mantap, 5 bintang"]]
    path = write_csv(tmp_path / "x.csv", header, rows, delimiter=",")
    code, out, _ = run_skm("compute", path, "--format", "json")
    assert code == 0
    assert json.loads(out)["layanan"][0]["name"] == "PKK"


def test_layanan_names_merge_regardless_of_case_and_spaces(run_skm, tmp_path):
    rows = [["PKK", *["4"] * 9], [" pkk ", *["2"] * 9], ["Posyandu", *["3"] * 9]]
    path = write_csv(tmp_path / "x.csv", ["layanan", *U], rows)
    data = json.loads(run_skm("compute", path, "--format", "json")[1])
    assert [(g["name"], g["respondents"], g["ikm"]) for g in data["layanan"]] == [
        ("PKK", 2, 3.0),
        ("Posyandu", 1, 3.0),
    ]


def test_semicolon_bom_and_windows_1252(run_skm, tmp_path):
    rows = [["Pelayanan Café", *["4"] * 9]]
    utf8 = write_csv(tmp_path / "utf8.csv", ["layanan", *U], rows, encoding="utf-8-sig")
    ansi = write_csv(tmp_path / "ansi.csv", ["layanan", *U], rows, encoding="cp1252")
    for path in (utf8, ansi):
        code, out, err = run_skm("compute", path, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["layanan"][0]["name"] == "Pelayanan Café"


def test_quoted_fields_and_crlf(run_skm, tmp_path):
    text = 'layanan,U1,U2,U3,U4,U5,U6,U7,U8,U9\r\n"RT/RW, LMK dan FKDM",4,4,4,4,4,4,4,4,3\r\n'
    path = tmp_path / "q.csv"
    path.write_bytes(text.encode())
    code, out, err = run_skm("compute", path, "--format", "json")
    assert code == 0, err
    group = json.loads(out)["layanan"][0]
    assert group["name"] == "RT/RW, LMK dan FKDM"
    assert group["unsur"]["U9"]["nrr"] == 3.0


def test_xlsx_with_numbers_and_an_offset_table(run_skm, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Rekap SKM Kelurahan"  # a title above the table is ignored
    sheet.append([])
    for offset_row in (["", "layanan", *U], ["", "PKK", *[4] * 9], ["", "PKK", 3, *[4.0] * 8]):
        sheet.append(offset_row)
    path = tmp_path / "rekap.xlsx"
    workbook.save(path)
    code, out, err = run_skm("compute", path, "--format", "json")
    assert code == 0, err
    group = json.loads(out)["layanan"][0]
    assert (group["name"], group["respondents"], group["unsur"]["U1"]["nrr"]) == ("PKK", 2, 3.5)


def test_xlsx_bad_cell_names_excel_row_and_column(run_skm, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["layanan", *U])
    sheet.append(["PKK", *[4] * 8, "Baik"])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    code, out, err = run_skm("compute", path)
    assert (code, out) == (2, "")
    assert "baris 2, kolom U9 (J)" in err


def test_bad_cells_exit_2_with_row_and_column(run_skm, tmp_path):
    rows = [["PKK", "5", *["4"] * 8], ["PKK", *["4"] * 8, "x"], ["", *["4"] * 9]]
    path = write_csv(tmp_path / "bad.csv", ["layanan", *U], rows)
    code, out, err = run_skm("compute", path, "--format", "json")
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert "3 sel tidak valid" in lines[0]
    assert lines[1:] == [
        "  baris 2, kolom U1 (B): nilai '5' bukan jawaban 1-4",
        "  baris 3, kolom U9 (J): nilai 'x' bukan jawaban 1-4",
        "  baris 4, kolom layanan (A): layanan kosong",
    ]


def test_only_the_first_20_bad_cells_are_listed_with_the_total(run_skm, tmp_path):
    rows = [["PKK", *["9"] * 9] for _ in range(5)]  # 45 bad cells
    path = write_csv(tmp_path / "bad.csv", ["layanan", *U], rows)
    code, _, err = run_skm("compute", path)
    assert code == 2
    listed = [line for line in err.splitlines() if line.startswith("  baris")]
    assert len(listed) == 20
    assert listed[0] == "  baris 2, kolom U1 (B): nilai '9' bukan jawaban 1-4"
    assert listed[-1].startswith("  baris 4, kolom U2 ")  # row order, then column order
    assert "dan 25 sel salah lainnya" in err


def test_no_unsur_columns(run_skm, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["nama", "nilai"], [["a", "4"]])
    code, out, err = run_skm("compute", path)
    assert (code, out) == (2, "")
    assert "baris judul tidak ditemukan" in err


@pytest.mark.parametrize("content", [None, b"", b"PK\x03\x04 not really a zip"])
def test_unreadable_files(run_skm, tmp_path, content):
    path = tmp_path / ("missing.csv" if content is None else "broken.xlsx")
    if content is not None:
        path.write_bytes(content)
    code, out, err = run_skm("compute", path)
    assert (code, out) == (2, "")
    assert path.name in err


def test_duplicate_unsur_column(run_skm, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["U1", "u1"], [["4", "4"]])
    code, _, err = run_skm("compute", path)
    assert code == 2
    assert "U1 muncul dua kali" in err


def test_blank_rows_are_skipped_with_a_warning(run_skm, tmp_path):
    rows = [["PKK", *["4"] * 9], ["", *[""] * 9], ["PKK", *[" "] * 9]]
    path = write_csv(tmp_path / "x.csv", ["layanan", *U], rows)
    code, out, err = run_skm("compute", path, "--format", "json")
    assert code == 0
    assert json.loads(out)["overall"]["respondents"] == 1
    assert "2 baris tanpa jawaban unsur dilewati (baris 3, 4)" in err


def test_missing_unsur_column_is_unanswered_with_a_warning(run_skm, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["layanan", *U[:8]], [["PKK", *["4"] * 8]])
    code, out, err = run_skm("compute", path, "--format", "json")
    assert code == 0
    assert json.loads(out)["overall"]["unsur"]["U9"]["nrr"] is None
    assert "kolom U9 tidak ada" in err


def test_priorities_report_ties_and_lowest_k(run_skm, tmp_path):
    rows = [["PKK", "3", "3", "4", "4", "4", "4", "4", "2", "4"], ["PKK", "3", "3", *["4"] * 7]]
    path = write_csv(tmp_path / "x.csv", ["layanan", *U], rows)
    data = json.loads(run_skm("compute", path, "--format", "json")[1])
    assert data["priorities"] == ["U1", "U2", "U8"]  # all three at exactly 3.0
    _, out, _ = run_skm("compute", path)
    assert "[sama persis]" in out
    path2 = write_csv(tmp_path / "y.csv", U, [["1", "2", "3", *["4"] * 6]])
    data = json.loads(run_skm("compute", path2, "--format", "json", "--lowest", "2")[1])
    assert data["priorities"] == ["U1", "U2"]


def test_profile_is_summarised(run_skm, tmp_path):
    header = ["layanan", *U, "Jenis Kelamin", "Usia", "Pendidikan", "Pekerjaan"]
    rows = [
        ["PKK", *["4"] * 9, "L", "25", "SMA", "Swasta"],
        ["PKK", *["4"] * 9, "Perempuan", "61 tahun", "S1", "Guru honorer"],
        ["PKK", *["4"] * 9, "", "abc", "", ""],
    ]
    path = write_csv(tmp_path / "x.csv", header, rows)
    code, out, _ = run_skm("compute", path)
    assert code == 0
    assert "L 1 (33,3%); P 1 (33,3%); Tidak diisi 1 (33,3%)" in out
    assert "20-29 1 (33,3%); 60+ 1 (33,3%); Tidak dikenali 1 (33,3%)" in out
    assert "Swasta 1 (33,3%); Lainnya 1 (33,3%)" in out
    data = json.loads(run_skm("compute", path, "--format", "json")[1])
    assert data["profile"]["pendidikan"] == {"SMA": 1, "S1": 1, "Tidak diisi": 1}


@pytest.mark.parametrize(("population", "sample"), [("100", "80"), ("1000000", "384")])
def test_sample_size(run_skm, population, sample):
    assert run_skm("sample-size", population) == (0, sample + "\n", "")


@pytest.mark.parametrize("population", ["0", "-5", "banyak"])
def test_sample_size_rejects_bad_population(population, capsys):
    with pytest.raises(SystemExit) as exit_info:
        from skm.cli import main

        main(["sample-size", population])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "bilangan bulat" in captured.err


def test_console_script_is_installed(tmp_path):
    """The real `skm` entry point, as a user runs it."""
    skm = Path(sys.executable).with_name("skm")
    result = subprocess.run([skm, "sample-size", "1000"], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "278\n")
    bad = write_csv(tmp_path / "b.csv", U, [["5", *["4"] * 8]])
    result = subprocess.run([skm, "compute", bad], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert "baris 2, kolom U1 (A)" in result.stderr
