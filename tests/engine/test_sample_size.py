"""Minimum sample size: PermenPANRB 14/2017 Lampiran II, Tabel 1 "Sampel Morgan dan Krejcie".

The table is transcribed by hand from the regulation text (pages 25-26): three column pairs
(N, n), read here column by column. It has exactly 90 rows.
"""

from fractions import Fraction

import pytest

from skm.engine import EngineError, krejcie_morgan

LAMPIRAN_II = [
    # first column pair (p.25-26)
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40),
    (50, 44), (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70),
    (90, 73), (95, 76), (100, 80), (110, 86), (120, 92), (130, 97), (140, 103),
    (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132), (210, 136),
    # second column pair
    (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162),
    (290, 165), (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196),
    (420, 201), (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234),
    (650, 242), (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274),
    (1000, 278), (1100, 285),
    # third column pair
    (1200, 291), (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313),
    (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357),
    (6000, 361), (7000, 364), (8000, 367), (9000, 368), (10000, 370), (15000, 375),
    (20000, 377), (30000, 379), (40000, 380), (50000, 381), (75000, 382), (1000000, 384),
]


def test_transcription_has_the_90_rows_of_the_regulation():
    populations = [n for n, _ in LAMPIRAN_II]
    assert len(LAMPIRAN_II) == 90
    assert populations == sorted(set(populations))


@pytest.mark.parametrize(("population", "sample"), LAMPIRAN_II)
def test_lampiran_ii_row(population, sample):
    assert krejcie_morgan(population) == sample


@pytest.mark.parametrize("population", [1, 2, 5, 9])
def test_tiny_population_samples_everyone(population):
    assert krejcie_morgan(population) == population


@pytest.mark.parametrize(
    "population", [0, -1, -100, 10.0, 100.5, "100", None, Fraction(100), True, False]
)
def test_invalid_population_raises(population):
    with pytest.raises(EngineError):
        krejcie_morgan(population)
