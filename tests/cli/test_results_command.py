"""`skm results`: a unit's results from the database, printed as `skm compute` prints a file."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skm.cli import main
from tests.factories import KNOWN_ROWS, make_region, region_with_rows, rows_as_csv

pytestmark = pytest.mark.django_db

ROWS = KNOWN_ROWS
# By hand: PKK IKM 35/9; Posyandu 2 (U9 unanswered). mean_of_services 53/18 = 2,9444 -> 73,61 C;
# pooled (11/4 + 7 * 14/4 + 12/3) / 9 = 3,4722 -> 86,81 B. Lowest unsur: U1.
EXPECTED = {"mean_of_services": (2.9444, 73.61, "C"), "pooled": (3.4722, 86.81, "B")}


@pytest.fixture
def region():
    return region_with_rows(ROWS)


@pytest.fixture
def same_rows_csv(tmp_path):
    return rows_as_csv(tmp_path / "same.csv", ROWS)


def results(*args):
    out, err = StringIO(), StringIO()
    call_command("results", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("method", ["mean_of_services", "pooled"])
def test_json_equals_skm_compute_on_the_same_rows(region, run_skm, same_rows_csv, method):
    code, expected, _ = run_skm("compute", same_rows_csv, "--format", "json",
                                "--combine", method)
    assert code == 0
    out, err = results("--unit", "jatinegara-kaum", "--period", "2024-S2", "--format", "json",
                       "--combine", method)
    assert out == expected  # byte for byte, indentation included
    data = json.loads(out)
    overall = data["overall"]
    assert (overall["ikm"], overall["konversi"], overall["mutu"]) == EXPECTED[method]
    assert overall["respondents"] == 4
    assert data["priorities"] == ["U1"]


@pytest.mark.parametrize("weights", ["0.111", "0.11"])
def test_legacy_weights_equal_skm_compute(region, run_skm, same_rows_csv, weights):
    _, expected, _ = run_skm("compute", same_rows_csv, "--format", "json", "--weights", weights)
    out, _ = results("--unit", "jatinegara-kaum", "--period", "2024-S2", "--format", "json",
                     "--weights", weights)
    assert out == expected
    assert json.loads(out)["method"]["weights"] == weights


@pytest.mark.parametrize("method", ["mean_of_services", "pooled"])
def test_table_is_skm_compute_table_headed_by_unit_and_period(region, run_skm, same_rows_csv,
                                                              method):
    _, expected, _ = run_skm("compute", same_rows_csv, "--combine", method, "--lowest", "2")
    out, _ = results("--unit", "jatinegara-kaum", "--period", "2024-S2", "--combine", method,
                     "--lowest", "2")
    lines, compute_lines = out.splitlines(), expected.splitlines()
    assert lines[0] == "Tabel 1. Ringkasan Hasil SKM"
    assert lines[1] == "Kelurahan Jatinegara Kaum - Semester II Tahun 2024"
    assert [lines[0], *lines[2:]] == compute_lines
    label = "IKM Unit" if method == "pooled" else "Rata-rata IKM Layanan"
    konversi = {"mean_of_services": "73,61 (C atau Kurang baik)",
                "pooled": "86,81 (B atau Baik)"}[method]
    assert f"{label} (konversi): {konversi}" in out
    assert "Jenis kelamin  L 2 (50,0%); P 2 (50,0%)" in out


def test_default_format_is_the_table(region):
    out, _ = results("--unit", "jatinegara-kaum", "--period", "2024")
    assert out.startswith("Tabel 1. Ringkasan Hasil SKM\nKelurahan Jatinegara Kaum - Tahun 2024")
    assert re.search(r"^Rata-rata IKM per Unsur +4 ", out, re.M)  # the year holds Semester II


def test_a_period_without_responses(region):
    out, _ = results("--unit", "jatinegara-kaum", "--period", "2023-S1", "--format", "json")
    data = json.loads(out)
    assert data["overall"]["respondents"] == 0 and data["layanan"] == []
    table, _ = results("--unit", "jatinegara-kaum", "--period", "2023-S1")
    assert "Unsur terendah: - (belum ada jawaban)" in table
    assert "Profil responden" not in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "tidak-ada", "--period", "2024-S2"], "Unit 'tidak-ada' tidak ditemukan."),
        (["--unit", "jatinegara-kaum", "--period", "2024-S3"], "Semester hanya 1 atau 2"),
        (["--unit", "jatinegara-kaum", "--period", "semester dua"], "tidak dikenal"),
    ],
)
def test_bad_unit_or_period_raises_status_2(region, args, message):
    with pytest.raises(CommandError, match=message) as info:
        results(*args)
    assert info.value.returncode == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "tidak-ada", "--period", "2024-S2"], "Unit 'tidak-ada' tidak ditemukan."),
        (["--unit", "jatinegara-kaum", "--period", "2024-S9"], "tidak dikenal"),
    ],
)
def test_command_line_exit_status_2_and_nothing_on_stdout(capsys, args, message):
    make_region()
    with pytest.raises(SystemExit) as info:
        main(["results", *args, "--format", "json"])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
