"""The seed report's Tabel 1 (Jatinegara Kaum, Semester II 2024), reproduced through `skm compute`.

The seed prints only rounded figures. The test builds respondents whose exact NRRs sit 0.001
above each printed value, except U4 which sits on it (1000 respondents per layanan make that
exact). With the printed values themselves the unit would be 98,69, and with +0.001 everywhere
the U4 average would round to 3,96: only the real answers behind the seed give all of its
numbers at once, and so must the engine: every rounded cell, every IKM Layanan, the "Rata-rata"
row and the unit's 98,72.
"""

import json
from pathlib import Path

import pytest

from tests.conftest import U, write_csv

# Tabel 1 as printed in ../shared/reference/000_2def2e42fb9cbaaf.txt (U1..U9, IKM Layanan).
SEED_TABEL_1 = {
    "Jumantik": "3.93 3.94 3.93 3.93 3.93 3.93 3.93 3.93 3.93 3.93",
    "Ketertiban Umum": "3.93 3.95 3.95 3.96 3.96 3.94 3.96 3.95 3.95 3.95",
    "PKK": "3.96 3.96 3.96 3.96 3.96 3.96 3.96 3.96 3.96 3.96",
    "Posyandu": "3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95",
    "PPSU": "3.92 3.94 3.95 3.97 3.95 3.95 3.95 3.94 3.95 3.95",
    "RPTRA": "3.95 3.95 3.95 3.97 3.96 3.96 3.96 3.96 3.96 3.96",
    "RT/RW, LMK dan FKDM": "3.94 3.94 3.94 3.94 3.94 3.94 3.94 3.94 3.94 3.94",
}
SEED_RATA_RATA = "3.94 3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95"
SEED_UNIT = "98,72 (A atau Sangat baik)"
SAMPLE = Path(__file__).resolve().parents[2] / "skm" / "data" / "contoh-jatinegara-kaum-2024-S2.csv"
PER_LAYANAN = 1000
OFFSET = [1, 1, 1, 0, 1, 1, 1, 1, 1]  # thousandths above the printed NRR, U1..U9


def seed_rows():
    """1000 respondents per layanan; exact NRR = printed value + OFFSET thousandths."""
    rows = []
    for name, printed in SEED_TABEL_1.items():
        # sums of 1000 answers
        cells = zip(printed.split(), OFFSET, strict=False)  # the 10th printed cell is the IKM
        targets = [round(float(v) * 1000) + o for v, o in cells]
        columns = []
        for total in targets:
            threes = 4 * PER_LAYANAN - total  # answers are 4 except `threes` of them
            columns.append(["3"] * threes + ["4"] * (PER_LAYANAN - threes))
        for i in range(PER_LAYANAN):
            rows.append([name, *(col[(i * 7 + k) % PER_LAYANAN] for k, col in enumerate(columns))])
    return rows


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "seed.csv"
    return write_csv(path, ["Layanan", *U], seed_rows())


def as_seed(text):
    return text.replace(",", ".")


def table_rows(out):
    """{first cell: [the cells after the respondents column]} of the printed Tabel 1."""
    rows = {}
    for line in out.splitlines():
        for name in [*SEED_TABEL_1, "Rata-rata IKM per Unsur", "Mutu Layanan"]:
            if line.startswith(name + " "):
                rows[name] = line[len(name):].split()
    return rows


def test_table_reproduces_every_cell_of_the_seed(run_skm, seed_file):
    code, out, err = run_skm("compute", seed_file)
    assert code == 0, err
    rows = table_rows(out)
    for name, printed in SEED_TABEL_1.items():
        respondents, *cells = rows[name]
        assert respondents == "1.000"
        assert [as_seed(c) for c in cells] == printed.split(), name
    _, *average = rows["Rata-rata IKM per Unsur"]
    assert [as_seed(c) for c in average] == SEED_RATA_RATA.split()
    assert rows["Mutu Layanan"] == ["A"] * 10
    assert f"Rata-rata IKM Layanan (konversi): {SEED_UNIT}" in out
    assert "U1 Persyaratan" in out.split("Unsur terendah")[1].splitlines()[1]


def test_json_reproduces_the_seed(run_skm, seed_file):
    code, out, _ = run_skm("compute", seed_file, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["method"] == {"weights": "equal", "combine": "mean_of_services"}
    assert [g["name"] for g in data["layanan"]] == list(SEED_TABEL_1)
    for group in data["layanan"]:
        printed = [float(v) for v in SEED_TABEL_1[group["name"]].split()]
        expected = [round(v + o / 1000, 4) for v, o in zip(printed, OFFSET, strict=False)]
        assert [group["unsur"][u]["nrr"] for u in U] == expected
        assert group["respondents"] == PER_LAYANAN
    assert data["overall"]["konversi"] == 98.72
    assert (data["overall"]["mutu"], data["overall"]["kinerja"]) == ("A", "Sangat baik")
    assert data["overall"]["respondents"] == 7 * PER_LAYANAN
    assert data["priorities"] == ["U1"]


def test_bundled_sample_reproduces_the_seed(run_skm):
    """The demo file (realistic sizes, some blanks) prints the seed's Tabel 1 too."""
    code, out, err = run_skm("compute", SAMPLE)
    assert code == 0, err
    rows = table_rows(out)
    for name, printed in SEED_TABEL_1.items():
        assert [as_seed(c) for c in rows[name][1:]] == printed.split(), name
    assert [as_seed(c) for c in rows["Rata-rata IKM per Unsur"][1:]] == SEED_RATA_RATA.split()
    assert f"Rata-rata IKM Layanan (konversi): {SEED_UNIT}" in out
    assert "Profil responden" in out
