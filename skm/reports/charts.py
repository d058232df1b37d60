"""The Laporan SKM's charts as PNG bytes (matplotlib, Agg, 150 dpi), for DOCX and PDF alike.

The functions take plain data (labels, counts, exact values) and draw them; they compute no
index. They are printed in black and white as often as not, so bars are told apart by grey
shade and hatching, never by colour alone, and every value is also written as text with a
decimal comma ("98,72").

Each figure is ``WIDTH_IN`` wide; its height grows with the number of rows (``height_in``), so
a test can know the PNG's size in pixels beforehand: ``round(inches * DPI)``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from skm.engine import grade_table
from skm.formatting import decimal_id

DPI = 150
WIDTH_IN = 6.4
FONT = "DejaVu Sans"
#: answer 1..4: grey shade and hatch, readable on a monochrome printer
ANSWER_STYLES = (
    ("#1a1a1a", ""),
    ("#6e6e6e", "//"),
    ("#b4b4b4", ".."),
    ("#f2f2f2", ""),
)
EMPTY_TEXT = "Belum ada data"


def height_in(kind: str, rows: int) -> float:
    """The figure height in inches for ``rows`` bars (or points) of chart ``kind``."""
    if kind == "trend":
        return 3.2
    per_row = 0.34 if kind == "distribution" else 0.36
    return round(max(2.4, 1.3 + per_row * max(rows, 1)), 2)


def size_px(kind: str, rows: int) -> tuple[int, int]:
    """The PNG's (width, height) in pixels."""
    return round(WIDTH_IN * DPI), round(height_in(kind, rows) * DPI)


def _figure(kind: str, rows: int) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, height_in(kind, rows)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # no "Software" stamp: the same data always gives the same bytes
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _number(value: float, places: int) -> str:
    return decimal_id(Decimal(repr(float(value))), places)


def _axis_numbers(places: int) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: _number(value, places))


def _empty(figure: Figure, title: str) -> bytes:
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title, fontsize=10, family=FONT)
    axes.text(0.5, 0.5, EMPTY_TEXT, ha="center", va="center", fontsize=11, family=FONT,
              transform=axes.transAxes)
    return _png(figure)


def distribution_chart(rows: Sequence[tuple[str, Sequence[int]]],
                       title: str = "Distribusi jawaban per unsur") -> bytes:
    """Stacked horizontal bars, one per unsur: the share of answers 1, 2, 3 and 4.

    ``rows``: ``(label, (count of 1, of 2, of 3, of 4))`` in questionnaire order, drawn top down.
    Shares of 5% or more are written on the bar ("93,1").
    """
    figure = _figure("distribution", len(rows))
    totals = [sum(counts) for _, counts in rows]
    if not rows or not any(totals):
        return _empty(figure, title)
    axes = figure.add_subplot()
    labels = [label for label, _ in rows]
    positions = list(range(len(rows)))[::-1]
    left = [0.0] * len(rows)
    for answer, (shade, hatch) in enumerate(ANSWER_STYLES):
        shares = [
            100 * counts[answer] / total if total else 0.0
            for (_, counts), total in zip(rows, totals, strict=True)
        ]
        axes.barh(positions, shares, left=left, height=0.7, color=shade, hatch=hatch,
                  edgecolor="black", linewidth=0.5, label=f"Jawaban {answer + 1}")
        for y, start, share, (_, counts), total in zip(positions, left, shares, rows, totals,
                                                       strict=True):
            if share >= 5:
                dark = answer < 2
                # the printed share exact and rounded half-up, as the report's tables print it
                label = decimal_id(Fraction(100 * counts[answer], total), 1)
                axes.text(start + share / 2, y, label, ha="center", va="center",
                          fontsize=6.5, family=FONT, color="white" if dark else "black",
                          bbox=dict(facecolor="#1a1a1a" if dark else "white", edgecolor="none",
                                    pad=0.6, alpha=0.9) if hatch else None)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.set_yticks(positions, labels, fontsize=7.5, family=FONT)
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_locator(MultipleLocator(20))
    axes.xaxis.set_major_formatter(_axis_numbers(0))
    axes.set_xlabel("Persentase jawaban (%)", fontsize=8, family=FONT)
    axes.tick_params(axis="x", labelsize=7.5)
    axes.set_title(title, fontsize=10, family=FONT)
    figure.legend(loc="outside lower center", ncol=4, frameon=False,
                  prop={"family": FONT, "size": 7})
    return _png(figure)


def ikm_chart(rows: Sequence[tuple[str, Fraction | None]],
              title: str = "IKM konversi per layanan") -> bytes:
    """Horizontal bars of IKM konversi (25-100) per layanan, with Tabel II's grade bounds as
    dashed lines; a layanan without answers gets no bar and the words "tidak ada jawaban"."""
    figure = _figure("ikm", len(rows))
    if not rows or all(value is None for _, value in rows):
        return _empty(figure, title)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    for y, (_, value) in zip(positions, rows, strict=True):
        if value is None:
            axes.text(26, y, "tidak ada jawaban", va="center", fontsize=7, family=FONT,
                      style="italic")
            continue
        axes.barh(y, float(value), height=0.6, color="#8c8c8c", edgecolor="black",
                  linewidth=0.5)
        axes.text(float(value) + 0.8, y, decimal_id(value), va="center", fontsize=7.5,
                  family=FONT)
    for row in grade_table():
        low = float(row["konversi_low"])
        if low > 25:
            axes.axvline(low, color="black", linestyle="--", linewidth=0.6)
            axes.text(low, positions[0] + 0.55, f" {row['mutu']} \u2265 {_number(low, 2)}",
                      fontsize=6.5, family=FONT, va="bottom")
    axes.set_yticks(positions, [label for label, _ in rows], fontsize=7.5, family=FONT)
    axes.set_xlim(25, 108)
    axes.set_ylim(-0.6, len(rows) - 0.1)
    axes.xaxis.set_major_locator(MultipleLocator(25))
    axes.xaxis.set_major_formatter(_axis_numbers(0))
    axes.tick_params(axis="x", labelsize=7.5)
    axes.set_xlabel("IKM konversi (25-100)", fontsize=8, family=FONT)
    axes.set_title(title, fontsize=10, family=FONT)
    return _png(figure)


def trend_chart(points: Sequence[tuple[str, Fraction | None]],
                title: str = "Tren IKM konversi") -> bytes:
    """IKM konversi over periods, oldest first: a line with each value written above its point;
    a period without data breaks the line and says "tidak ada data"."""
    figure = _figure("trend", len(points))
    if not points or all(value is None for _, value in points):
        return _empty(figure, title)
    axes = figure.add_subplot()
    xs = list(range(len(points)))
    values = [None if v is None else float(v) for _, v in points]
    known = [v for v in values if v is not None]
    low = max(25.0, min(known) - 5)
    high = min(100.0, max(known) + 5)
    if high - low < 10:
        low, high = max(25.0, high - 10), max(high, min(100.0, low + 10))
    segment: list[tuple[int, float]] = []
    for x, value in [*zip(xs, values, strict=True), (None, None)]:
        if value is None:
            if segment:
                axes.plot([s[0] for s in segment], [s[1] for s in segment], color="black",
                          marker="o", markersize=5, linewidth=1.4, markerfacecolor="white")
            segment = []
            if x is not None:
                axes.text(x, low + (high - low) * 0.1, "tidak ada\ndata", ha="center",
                          fontsize=7, family=FONT, style="italic")
            continue
        segment.append((x, value))
        axes.annotate(_number(value, 2), (x, value), textcoords="offset points", xytext=(0, 7),
                      ha="center", fontsize=7.5, family=FONT)
    axes.set_xticks(xs, [label for label, _ in points], fontsize=7.5, family=FONT)
    axes.set_xlim(-0.5, len(points) - 0.5)
    axes.set_ylim(low, high + (high - low) * 0.12)
    axes.yaxis.set_major_formatter(_axis_numbers(1))
    axes.tick_params(axis="y", labelsize=7.5)
    axes.set_ylabel("IKM konversi", fontsize=8, family=FONT)
    axes.grid(axis="y", color="#cccccc", linewidth=0.5)
    axes.set_title(title, fontsize=10, family=FONT)
    return _png(figure)
