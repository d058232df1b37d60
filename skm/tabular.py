"""Read a survey file (CSV or XLSX, one row per respondent) into tallies, streaming.

The file is read in chunks. Each chunk is counted column by column with ``collections.Counter``
over ``(layanan, cell)`` pairs, so the per-row work runs in C; only the distinct cell values are
interpreted in Python. Memory stays flat however many rows a CSV has.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path

from .engine import Tally, UnsurCounts
from .engine.profile import FIELDS as PROFILE_FIELDS
from .engine.profile import categorise

CHUNK_ROWS = 20_000
MAX_REPORTED_ERRORS = 20
DEFAULT_LAYANAN = "Semua layanan"
BLANK = 0  # parsed value of an unanswered cell
BAD = -1  # parsed value of a cell that is not an answer

_HEADER_ALIASES = {
    "layanan": "layanan",
    "jenis_layanan": "layanan",
    "jenis_pelayanan": "layanan",
    "jenis_kelamin": "jenis_kelamin",
    "kelamin": "jenis_kelamin",
    "jk": "jenis_kelamin",
    "l_p": "jenis_kelamin",
    "usia": "usia",
    "umur": "usia",
    "pendidikan": "pendidikan",
    "pendidikan_terakhir": "pendidikan",
    "pekerjaan": "pekerjaan",
    "pekerjaan_utama": "pekerjaan",
}


class SurveyFileError(Exception):
    """A file that cannot be computed.

    ``errors`` lists the first bad cells; ``total`` counts all of them.
    """

    def __init__(self, message: str, errors: Sequence[CellError] = (), total: int = 0):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.total = total or len(self.errors)

    def lines(self) -> list[str]:
        lines = [self.message]
        lines += [f"  {e}" for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"  ... dan {self.total - len(self.errors)} sel salah lainnya.")
        return lines


@dataclass(frozen=True, order=True)
class CellError:
    row: int
    column_index: int
    column: str
    value: str
    problem: str

    def __str__(self):
        return (
            f"baris {self.row}, kolom {self.column} ({column_letter(self.column_index)}): "
            f"{self.problem}"
        )


@dataclass
class SurveyData:
    """What a survey file holds, as tallies: the input of :func:`skm.engine.combine`."""

    layanan: dict[str, Tally]
    profile: dict[str, Counter]
    unsur_columns: list[str]
    has_layanan_column: bool
    rows_skipped: list[int] = field(default_factory=list)
    rows_skipped_total: int = 0
    warnings: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalise_header(text) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().casefold()).strip("_")


def parse_answer(raw) -> int:
    """1..4 for an answer, ``BLANK`` for an empty cell, ``BAD`` for anything else."""
    if raw is None:
        return BLANK
    if isinstance(raw, bool):
        return BAD
    if isinstance(raw, (int, float)):
        return int(raw) if raw in (1, 2, 3, 4) else BAD
    if not isinstance(raw, str):
        return BAD
    text = raw.strip()
    if not text:
        return BLANK
    if text in ("1", "2", "3", "4"):
        return int(text)
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return BAD
    return int(number) if number in (1.0, 2.0, 3.0, 4.0) else BAD


def _describe_bad(raw) -> str:
    shown = str(raw).strip()
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"nilai {shown!r} bukan jawaban 1-4"


def _display_name(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return " ".join(str(raw).split())


# ---------------------------------------------------------------------------------------------
# Opening files: each yields (row number, list of cell values), and knows its column offset.


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _csv_rows(path: Path):
    encoding = _detect_encoding(path)
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        first = handle.readline()
        handle.seek(0)
        reader = csv.reader(handle, delimiter=_sniff_delimiter(first))
        try:
            yield from reader
        except csv.Error as exc:
            raise SurveyFileError(
                f"{path.name}: baris {reader.line_num}: CSV rusak ({exc})."
            ) from None


def _xlsx_rows(path: Path):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        visible = [
            m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")
        ] or workbook.sheet_names
        sheet = workbook.get_sheet_by_name(visible[0])
    except Exception as exc:  # calamine raises its own error types
        raise SurveyFileError(f"{path.name}: berkas Excel tidak bisa dibaca ({exc}).") from None
    offset = sheet.start[1] if sheet.start else 0
    for row in sheet.iter_rows():
        yield [""] * offset + list(row) if offset else row


EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def _numbered_rows(path: Path) -> Iterator[tuple[int, list]]:
    rows = _xlsx_rows(path) if path.suffix.casefold() in EXCEL_SUFFIXES else _csv_rows(path)
    return enumerate(rows, start=1)


# ---------------------------------------------------------------------------------------------


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Layout:
    unsur: list[tuple[str, int]]  # (code, column index)
    layanan: int | None
    profile: dict[str, int]
    headers: list[str]
    header_row: int


def _layout(header: list, header_row: int, codes: Sequence[str], name: str) -> _Layout:
    unsur, profile, seen = [], {}, {}
    layanan = None
    known = {c.casefold(): c for c in codes}
    for index, cell in enumerate(header):
        key = normalise_header(cell) if not _is_blank(cell) else ""
        if not key:
            continue
        target = known[key] if key in known else _HEADER_ALIASES.get(key)
        if target is None:
            continue
        if target in seen:
            raise SurveyFileError(
                f"{name}: baris {header_row}: kolom {target} muncul dua kali "
                f"({column_letter(seen[target])} dan {column_letter(index)})."
            )
        seen[target] = index
        if target in known.values():
            unsur.append((target, index))
        elif target == "layanan":
            layanan = index
        else:
            profile[target] = index
    if not unsur:
        raise SurveyFileError(
            f"{name}: tidak ada kolom unsur ({', '.join(codes)}) pada baris judul "
            f"(baris {header_row})."
        )
    unsur.sort(key=lambda pair: list(codes).index(pair[0]))
    return _Layout(unsur, layanan, profile, [str(h) for h in header], header_row)


class _Counter:
    """Counts chunks of rows into per-layanan answer counts and profile counts."""

    def __init__(self, layout: _Layout):
        self.layout = layout
        self.width = 1 + max(
            [i for _, i in layout.unsur]
            + list(layout.profile.values())
            + ([layout.layanan] if layout.layanan is not None else [])
        )
        self.pairs = {code: Counter() for code, _ in layout.unsur}
        self.respondents = Counter()
        self.profile = {f: Counter() for f in layout.profile}
        self.errors: list[CellError] = []
        self.bad_total = 0
        self.skipped: list[int] = []
        self.skipped_total = 0
        self._parse_cache: dict = {}

    def _parse(self, raw) -> int:
        try:
            return self._parse_cache[raw]
        except KeyError:
            value = self._parse_cache[raw] = parse_answer(raw)
            return value
        except TypeError:  # unhashable: cannot happen for csv/calamine values
            return parse_answer(raw)

    def feed(self, first_row: int, rows: list[list]) -> None:
        width = self.width
        if min(map(len, rows)) < width:
            rows = [r if len(r) >= width else list(r) + [""] * (width - len(r)) for r in rows]
        rownos = None
        ucols = [list(map(itemgetter(i), rows)) for _, i in self.layout.unsur]
        joined = list(map(_join_cells, zip(*ucols, strict=True)))
        empties = {s for s in set(joined) if not s.strip()}
        if empties:
            keep = [i for i, s in enumerate(joined) if s not in empties]
            skipped = [first_row + i for i, s in enumerate(joined) if s in empties]
            self.skipped_total += len(skipped)
            self.skipped.extend(skipped[: max(0, MAX_REPORTED_ERRORS - len(self.skipped))])
            if not keep:
                return
            rows = [rows[i] for i in keep]
            rownos = [first_row + i for i in keep]
            ucols = [list(map(itemgetter(i), rows)) for _, i in self.layout.unsur]
        if self.layout.layanan is not None:
            lcol = list(map(itemgetter(self.layout.layanan), rows))
        else:
            lcol = [DEFAULT_LAYANAN] * len(rows)
        self.respondents.update(lcol)
        for (code, index), col in zip(self.layout.unsur, ucols, strict=True):
            counts = Counter(zip(lcol, col, strict=True))
            self.pairs[code].update(counts)
            bad = {raw for (_, raw) in counts if self._parse(raw) == BAD}
            if bad:
                self._record(code, index, col, bad, counts, first_row, rownos)
        for f, index in self.layout.profile.items():
            self.profile[f].update(map(itemgetter(index), rows))
        if self.layout.layanan is not None:
            blanks = {raw for raw in set(lcol) if _is_blank(raw)}
            if blanks:
                self._record("layanan", self.layout.layanan, lcol, blanks, None, first_row, rownos)

    def _record(self, column, index, col, bad, counts, first_row, rownos):
        if counts is not None:
            self.bad_total += sum(n for (_, raw), n in counts.items() if raw in bad)
        else:
            self.bad_total += sum(1 for raw in col if raw in bad)
        if len(self.errors) >= MAX_REPORTED_ERRORS and self.errors[-1].row < first_row:
            return
        found = 0
        for i, raw in enumerate(col):
            if raw in bad:
                row = rownos[i] if rownos else first_row + i
                problem = "layanan kosong" if column == "layanan" else _describe_bad(raw)
                self.errors.append(CellError(row, index, column, str(raw), problem))
                found += 1
                if found >= MAX_REPORTED_ERRORS:
                    break
        self.errors.sort()
        del self.errors[MAX_REPORTED_ERRORS:]


def _join_cells(cells) -> str:
    return "".join(c if isinstance(c, str) else ("" if c is None else "x") for c in cells)


def read_survey(path: str | Path, codes: Sequence[str]) -> SurveyData:
    """Read ``path`` and count its answers per layanan for the unsur ``codes``.

    Raises :class:`SurveyFileError` naming the row and column of every bad cell (the first 20).
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyFileError(f"{path}: berkas tidak ditemukan.")
    rows = _numbered_rows(path)
    header_row, header = _first_nonblank(rows, path.name)
    layout = _layout(header, header_row, codes, path.name)
    counter = _Counter(layout)
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        if not chunk:
            break
        first = chunk[0][0]
        if chunk[-1][0] - first + 1 != len(chunk):  # pragma: no cover - numbering is contiguous
            raise AssertionError("row numbering")
        counter.feed(first, [r for _, r in chunk])
    if counter.errors or counter.bad_total:
        raise SurveyFileError(
            f"{path.name}: {counter.bad_total} sel tidak valid; tidak ada yang dihitung.",
            counter.errors,
            counter.bad_total,
        )
    return _finish(counter, layout, codes, path.name)


def _first_nonblank(rows, name):
    for number, row in rows:
        if any(not _is_blank(c) for c in row):
            return number, row
    raise SurveyFileError(f"{name}: berkas kosong, tidak ada baris judul.")


def _finish(counter: _Counter, layout: _Layout, codes: Sequence[str], name: str) -> SurveyData:
    display: dict[str, str] = {}
    key_of: dict = {}
    for raw in counter.respondents:
        label = _display_name(raw)
        key = label.casefold()
        display.setdefault(key, label)
        key_of[raw] = key
    respondents = Counter()
    for raw, n in counter.respondents.items():
        respondents[key_of[raw]] += n
    answer_counts: dict[str, dict[str, list[int]]] = {k: {} for k in display}
    for code, pairs in counter.pairs.items():
        for (raw_layanan, raw), n in pairs.items():
            value = counter._parse(raw)
            if value > 0:
                slot = answer_counts[key_of[raw_layanan]].setdefault(code, [0, 0, 0, 0])
                slot[value - 1] += n
    layanan = {
        display[key]: Tally(
            {code: UnsurCounts(tuple(c)) for code, c in answer_counts[key].items()},
            respondents[key],
        )
        for key in sorted(display, key=lambda k: (k, display[k]))
    }
    profile = {}
    for f in PROFILE_FIELDS:
        if f in counter.profile:
            categories = Counter()
            for raw, n in counter.profile[f].items():
                categories[categorise(f, None if _is_blank(raw) else raw)] += n
            profile[f] = categories
    present = [code for code, _ in layout.unsur]
    warnings = []
    missing = [c for c in codes if c not in present]
    if missing:
        warnings.append(
            f"{name}: kolom {', '.join(missing)} tidak ada; unsur itu dianggap tidak dijawab."
        )
    if counter.skipped_total:
        shown = ", ".join(map(str, counter.skipped))
        more = counter.skipped_total - len(counter.skipped)
        warnings.append(
            f"{name}: {counter.skipped_total} baris tanpa jawaban unsur dilewati "
            f"(baris {shown}{f', dan {more} lainnya' if more else ''})."
        )
    return SurveyData(
        layanan=layanan,
        profile=profile,
        unsur_columns=present,
        has_layanan_column=layout.layanan is not None,
        rows_skipped=counter.skipped,
        rows_skipped_total=counter.skipped_total,
        warnings=warnings,
    )
