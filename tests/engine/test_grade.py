"""Tabel II (regulation p.19) on the published konversi, and half-up rounding (SKM-RULES 3)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from skm.engine import grade, grade_of_nilai, konversi, round_half_up

KINERJA = {"A": "Sangat baik", "B": "Baik", "C": "Kurang baik", "D": "Tidak baik"}
NILAI_PERSEPSI = {"A": 4, "B": 3, "C": 2, "D": 1}


def assert_grade(result, mutu):
    assert result.mutu == mutu
    assert result.kinerja == KINERJA[mutu]
    assert result.nilai_persepsi == NILAI_PERSEPSI[mutu]


@pytest.mark.parametrize(
    ("konversi_value", "mutu"),
    [
        ("100", "A"),
        ("88.31", "A"),
        ("88.305", "A"),  # published as 88.31
        ("88.3049999", "B"),  # published as 88.30
        ("88.30499999999999999", "B"),  # a float would see 88.305 and publish 88.31
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.605", "B"),  # published as 76.61
        ("76.6049", "C"),  # published as 76.60
        ("76.60499999999999999", "C"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.995", "C"),  # published as 65.00: the table's gap is closed
        ("64.9949", "D"),  # published as 64.99
        ("64.99499999999999999", "D"),
        ("64.99", "D"),
        ("25", "D"),
    ],
)
def test_grade_boundaries_on_konversi(konversi_value, mutu):
    assert_grade(grade(Fraction(konversi_value)), mutu)


@pytest.mark.parametrize(
    ("konversi_value", "mutu"), [("88.305", "A"), ("88.3049999", "B"), ("64.995", "C")]
)
def test_grade_accepts_decimal(konversi_value, mutu):
    assert_grade(grade(Decimal(konversi_value)), mutu)


def test_grade_of_exact_thirds_near_a_boundary():
    # 2649/30 = 88.3 exactly; 88.30 + 1/300 = 88.30333... publishes as 88.30 -> B
    assert_grade(grade(Fraction(2649, 30) + Fraction(1, 300)), "B")
    # 88.30 + 1/150 = 88.30666... publishes as 88.31 -> A
    assert_grade(grade(Fraction(2649, 30) + Fraction(1, 150)), "A")


@pytest.mark.parametrize(
    ("nilai", "mutu"),
    [
        # the NI column of Tabel II, lower and upper ends of each row
        ("4.00", "A"),
        ("3.5324", "A"),  # x 25 = 88.31
        ("3.532", "B"),  # x 25 = 88.30
        ("3.0644", "B"),  # x 25 = 76.61
        ("3.064", "C"),  # x 25 = 76.60
        ("2.60", "C"),  # x 25 = 65.00
        ("2.5996", "D"),  # x 25 = 64.99
        ("1.00", "D"),
    ],
)
def test_grade_of_nilai_on_tabel_ii_interval_column(nilai, mutu):
    assert_grade(grade_of_nilai(Fraction(nilai)), mutu)


def test_grade_of_nilai_just_below_the_a_boundary():
    nilai = Fraction("88.3049") / 25
    assert konversi(nilai) == Fraction("88.3049")
    assert_grade(grade_of_nilai(nilai), "B")


def test_konversi_is_times_25():
    assert konversi(Fraction(955, 261)) == Fraction(23875, 261)
    assert konversi(Fraction(1)) == 25
    assert konversi(Fraction(4)) == 100


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("2.675", 2, "2.68"),
        ("2.665", 2, "2.67"),  # half-up, not half-even
        ("2.6749999", 2, "2.67"),
        ("-2.675", 2, "-2.68"),  # a tie goes away from zero, as Decimal's ROUND_HALF_UP
        ("-2.674", 2, "-2.67"),
        ("-2.676", 2, "-2.68"),
        ("0.5", 0, "1"),
        ("1.5", 0, "2"),
        ("2.5", 0, "3"),
        ("2.4999", 0, "2"),
        ("-0.5", 0, "-1"),
        ("-1.4", 0, "-1"),
        ("88", 2, "88.00"),
        ("91.475095785", 2, "91.48"),
        ("1/3", 4, "0.3333"),
        ("2/3", 4, "0.6667"),
    ],
)
def test_round_half_up(value, places, expected):
    result = round_half_up(Fraction(value), places)
    assert isinstance(result, Decimal)
    assert str(result) == expected


def test_round_half_up_where_float_rounding_is_wrong():
    assert round(2.675, 2) == 2.67  # binary float: 2.67499999...
    assert round_half_up(Fraction("2.675"), 2) == Decimal("2.68")


def test_round_half_up_accepts_int():
    assert round_half_up(7, 2) == Decimal("7.00")
