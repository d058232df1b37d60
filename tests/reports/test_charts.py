"""The Laporan SKM's charts: valid PNGs of the announced size, drawn from the data given."""

import io
from fractions import Fraction

import pytest
from PIL import Image, ImageColor

from skm.reports import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UNSUR = [f"U{i} Unsur {i}" for i in range(1, 10)]


def image(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def dark_pixels(data: bytes) -> int:
    """Pixels as dark as answer 1's bars (text is thin; bars are large)."""
    return sum(image(data).convert("L").histogram()[:40])


def test_distribution_chart_is_a_png_of_the_announced_size():
    rows = [(name, (1, 2, 30, 60)) for name in UNSUR]
    img = image(charts.distribution_chart(rows))
    assert img.size == charts.size_px("distribution", 9) == (960, img.size[1])
    assert img.info["dpi"][0] == pytest.approx(150, abs=0.5)


def test_distribution_chart_follows_the_data():
    mostly_four = [(name, (1, 0, 0, 9)) for name in UNSUR]
    mostly_one = [(name, (9, 0, 0, 1)) for name in UNSUR]
    a, b = charts.distribution_chart(mostly_four), charts.distribution_chart(mostly_one)
    assert a == charts.distribution_chart(list(mostly_four))  # same data, same bytes
    assert a != b
    # answer 1 is drawn darkest: nine bars of 90% "1" darken far more of the picture
    assert dark_pixels(b) > 3 * dark_pixels(a)


def test_ikm_chart_bar_length_follows_the_value():
    low = charts.ikm_chart([("PKK", Fraction(30)), ("Posyandu", Fraction(30))])
    high = charts.ikm_chart([("PKK", Fraction(99)), ("Posyandu", Fraction(99))])
    assert image(low).size == charts.size_px("ikm", 2)
    assert low != high
    assert low == charts.ikm_chart([("PKK", Fraction(30)), ("Posyandu", Fraction(30))])

    def grey_bar_pixels(data):
        # the bars' fill is #8c8c8c (140)
        return sum(image(data).convert("L").histogram()[130:151])

    assert grey_bar_pixels(high) > 5 * grey_bar_pixels(low)


def test_ikm_chart_takes_a_layanan_without_answers():
    data = charts.ikm_chart([("PKK", Fraction(9872, 100)), ("RPTRA", None)])
    assert image(data).size == charts.size_px("ikm", 2)
    assert data != charts.ikm_chart([("PKK", Fraction(9872, 100)), ("RPTRA", Fraction(80))])


def test_trend_chart_follows_the_data():
    points = [("Smt I 2024", Fraction(9410, 100)), ("Smt II 2024", Fraction(9872, 100))]
    data = charts.trend_chart(points)
    assert image(data).size == charts.size_px("trend", 2)
    assert data == charts.trend_chart(list(points))
    assert data != charts.trend_chart([points[0], ("Smt II 2024", Fraction(9000, 100))])
    gap = charts.trend_chart([("Smt II 2023", None), *points])
    assert image(gap).size == charts.size_px("trend", 3)


def test_empty_data_gives_a_picture_that_says_so_not_a_crash():
    for data, kind, rows in (
        (charts.distribution_chart([(name, (0, 0, 0, 0)) for name in UNSUR]), "distribution", 9),
        (charts.ikm_chart([]), "ikm", 0),
        (charts.trend_chart([("Smt I 2024", None)]), "trend", 1),
    ):
        img = image(data)
        assert img.size == charts.size_px(kind, rows)
        assert img.convert("L").getextrema()[0] < 100  # the words are drawn


def test_answer_shades_differ_in_grey():
    """Printed in black and white, the four answers must still look different."""
    greys = [sum(ImageColor.getrgb(shade)) / 3 for shade, _ in charts.ANSWER_STYLES]
    assert greys == sorted(greys)
    assert min(b - a for a, b in zip(greys, greys[1:], strict=False)) >= 50
