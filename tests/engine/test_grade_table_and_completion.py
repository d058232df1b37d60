"""Tabel II as the seed report prints it, and the share of RTL realised (its BAB IV)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from skm.engine import completion_percent, grade_table

# The seed report's Tabel II (000_2def2e42fb9cbaaf.txt), lowest grade first.
SEED_TABEL_II = [
    (1, "1.00", "2.59", "25.00", "64.99", "D", "Tidak baik"),
    (2, "2.60", "3.06", "65.00", "76.60", "C", "Kurang baik"),
    (3, "3.07", "3.53", "76.61", "88.30", "B", "Baik"),
    (4, "3.54", "4.00", "88.31", "100.00", "A", "Sangat baik"),
]


def test_grade_table_reproduces_the_seed():
    rows = [
        (r["nilai_persepsi"], *(Decimal(r[k].numerator) / r[k].denominator for k in
                                ("ikm_low", "ikm_high", "konversi_low", "konversi_high")),
         r["mutu"], r["kinerja"])
        for r in grade_table()
    ]
    expected = [
        (n, *(Decimal(v) for v in (a, b, c, d)), mutu, kinerja)
        for n, a, b, c, d, mutu, kinerja in SEED_TABEL_II
    ]
    assert rows == expected


@pytest.mark.parametrize(
    ("done", "planned", "percent"),
    [(3, 3, Fraction(100)), (1, 3, Fraction(100, 3)), (0, 2, Fraction(0)), (0, 0, None)],
)
def test_completion_percent(done, planned, percent):
    assert completion_percent(done, planned) == percent


@pytest.mark.parametrize(("done", "planned"), [(4, 3), (-1, 3), (0, -1)])
def test_completion_percent_rejects_impossible_counts(done, planned):
    with pytest.raises(ValueError):
        completion_percent(done, planned)
