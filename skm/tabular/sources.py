"""Open a CSV or XLSX file and hand out its header and its data in column chunks.

A chunk is a few thousand rows as columns: ``{column index: [cell text, ...]}``. Every cell is a
``str`` (empty for a blank), whatever the file format, so the counting code has one input shape.

CSV is read in blocks of text. A block without quote characters whose lines all have the same
number of fields is split in one go and sliced into columns, which keeps the per-row work in C;
anything else (quotes, ragged rows) goes through the ``csv`` module, row by row.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

from .errors import SurveyFileError

try:  # numpy counts plain blocks several times faster; without it, the text path does all
    from .fastcsv import count_block
except ImportError:  # pragma: no cover - numpy is a dependency
    count_block = None

BLOCK_BYTES = 1 << 20  # about 20,000 rows of a typical survey CSV
CHUNK_ROWS = 20_000
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


@dataclass
class Chunk:
    """Rows ``first_row``, ``first_row + 1``, ... (or exactly ``rows``) as columns."""

    first_row: int
    size: int
    columns: dict[int, list[str]]
    rows: list[int] | None = None  # explicit row numbers when they are not contiguous

    def row_number(self, position: int) -> int:
        return self.rows[position] if self.rows is not None else self.first_row + position


@dataclass
class Header:
    row: int
    cells: list[str]


HEADER_SEARCH_ROWS = 30  # a title block above the table may take this many rows


def no_header_error(name: str) -> SurveyFileError:
    return SurveyFileError(
        f"{name}: baris judul tidak ditemukan: tidak ada baris dengan kolom U1..U9 "
        f"di {HEADER_SEARCH_ROWS} baris pertama."
    )


def is_blank(text: str) -> bool:
    return not text or text.isspace()


def cell_text(value) -> str:
    """A spreadsheet value as the text a person sees in the cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def rows_to_columns(rows: Sequence[Sequence[str]], needed: Sequence[int]) -> dict[int, list[str]]:
    width = max(needed) + 1
    if rows and min(map(len, rows)) < width:
        rows = [r if len(r) >= width else list(r) + [""] * (width - len(r)) for r in rows]
    return {i: list(map(itemgetter(i), rows)) for i in needed}


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def detect_encoding(path: Path) -> str:
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


class CsvSource:
    """A CSV file, read as bytes in blocks; each block is counted by numpy when it qualifies
    (see :mod:`skm.tabular.fastcsv`), else split into text columns."""

    def __init__(self, path: Path, is_header):
        self.path = path
        encoding = detect_encoding(path)
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.handle = open(path, "rb")  # noqa: SIM115
        self._skip_bom()
        self.delimiter = self._choose_delimiter(is_header)
        self.row = 0  # rows handed out so far, header included
        self.header = self._read_header(is_header)

    def close(self):
        self.handle.close()

    def fraction(self) -> float:
        """How much of the file has been read, 0..1 (for a progress bar)."""
        size = self.path.stat().st_size
        return min(1.0, self.handle.tell() / size) if size else 1.0

    def _skip_bom(self):
        if self.handle.read(3) != codecs.BOM_UTF8:
            self.handle.seek(0)
        self.data_start = self.handle.tell()

    def _text_lines(self):
        """The rest of the file as decoded lines, read one at a time."""
        for line in iter(self.handle.readline, b""):
            yield line.decode(self.encoding, errors="replace")

    def _choose_delimiter(self, is_header) -> str:
        """The delimiter that makes a header row appear; the widest one if several do."""
        sample = list(islice(self._text_lines(), HEADER_SEARCH_ROWS))
        self.handle.seek(self.data_start)
        best, width = sniff_delimiter(sample[0] if sample else ""), 0
        for delimiter in (";", ",", "\t"):
            try:
                for record in csv.reader(sample, delimiter=delimiter):
                    if is_header(record):
                        if len(record) > width:
                            best, width = delimiter, len(record)
                        break
            except csv.Error:
                continue
        return best

    def _read_header(self, is_header) -> Header:
        # csv.reader pulls lines one at a time and stops at the header, so the handle is left at
        # the start of the data.
        reader = csv.reader(self._text_lines(), delimiter=self.delimiter)
        try:
            for record in reader:
                self.row += 1
                if is_header(record):
                    return Header(self.row, record)
                if self.row >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error as exc:
            message = f"{self.path.name}: baris {self.row + 1}: CSV rusak ({exc})."
            raise SurveyFileError(message) from None
        raise no_header_error(self.path.name)

    def chunks(self, layout) -> Iterator:
        rest = b""
        while True:
            data = self.handle.read(BLOCK_BYTES)
            block = rest + data
            if not data:
                if block:
                    yield from self._block(block, layout)
                return
            cut = block.rfind(b"\n") + 1
            if not cut:
                rest = block
                continue
            block, rest = block[:cut], block[cut:]
            if b'"' in block:
                # from here on, the csv module; the partial line is completed first, since csv
                # takes every string it is given as a whole line
                head = (block + rest + self.handle.readline()).decode(self.encoding, "replace")
                lines = chain(io.StringIO(head), self._text_lines())
                yield from self._csv_records(lines, layout.needed)
                return
            yield from self._block(block, layout)

    def _block(self, block: bytes, layout) -> Iterator:
        if b'"' in block:
            text = block.decode(self.encoding, errors="replace")
            yield from self._csv_records(io.StringIO(text), layout.needed)
            return
        if block.endswith(b"\n"):
            block = block[:-1]
        if b"\r" in block:
            block = block.replace(b"\r", b"")
        if count_block is not None and getattr(layout, "countable", True):
            counted = count_block(block, self.delimiter, layout, self.encoding, self.row + 1)
            if counted is not None:
                self.row += counted.size
                yield counted
                return
        yield self._text_block(block.decode(self.encoding, errors="replace"), layout.needed)

    def _text_block(self, block: str, needed: Sequence[int]) -> Chunk:
        delimiter = self.delimiter
        size = block.count("\n") + 1
        first_line_end = block.find("\n")
        if first_line_end < 0:
            first_line_end = len(block)
        width = block.count(delimiter, 0, first_line_end) + 1
        columns = None
        if width > max(needed) and "\x00" not in block:
            # Every line break becomes a field of its own ("\x00"); when those fields all sit
            # exactly ``width`` fields apart, every line has ``width`` fields.
            flat = block.replace("\n", f"{delimiter}\x00{delimiter}").split(delimiter)
            stride = width + 1
            if len(flat) == size * stride - 1 and flat[width::stride].count("\x00") == size - 1:
                columns = {i: flat[i::stride] for i in needed}
        if columns is None:
            rows = [line.split(delimiter) for line in block.split("\n")]
            columns = rows_to_columns(rows, needed)
        chunk = Chunk(self.row + 1, size, columns)
        self.row += size
        return chunk

    def _csv_records(self, lines, needed: Sequence[int]) -> Iterator[Chunk]:
        reader = csv.reader(lines, delimiter=self.delimiter)
        try:
            while rows := list(islice(reader, CHUNK_ROWS)):
                yield Chunk(self.row + 1, len(rows), rows_to_columns(rows, needed))
                self.row += len(rows)
        except csv.Error as exc:
            raise SurveyFileError(
                f"{self.path.name}: baris {self.row + reader.line_num}: CSV rusak ({exc})."
            ) from None


class ExcelSource:
    def __init__(self, path: Path, is_header):
        from python_calamine import CalamineWorkbook

        self.path = path
        try:
            workbook = CalamineWorkbook.from_path(str(path))
            visible = [
                m.name for m in workbook.sheets_metadata if str(m.visible).endswith(".Visible")
            ] or workbook.sheet_names
            sheet = workbook.get_sheet_by_name(visible[0])
        except Exception as exc:  # calamine raises its own error types
            raise SurveyFileError(
                f"{path.name}: berkas Excel tidak bisa dibaca ({exc})."
            ) from None
        self.offset = sheet.start[1] if sheet.start else 0
        self.height = (sheet.total_height or 0) + 1  # calamine gives the last row index
        self.done = 0
        self.rows = enumerate(sheet.iter_rows(), start=1)
        self.header = self._read_header(is_header)

    def close(self):
        pass

    def fraction(self) -> float:
        """How much of the sheet has been read, 0..1 (for a progress bar)."""
        return min(1.0, self.done / self.height) if self.height else 1.0

    def _text_row(self, row) -> list[str]:
        cells = [cell_text(c) for c in row]
        return [""] * self.offset + cells if self.offset else cells

    def _read_header(self, is_header) -> Header:
        for number, row in self.rows:
            cells = self._text_row(row)
            if is_header(cells):
                return Header(number, cells)
            if number >= HEADER_SEARCH_ROWS:
                break
        raise no_header_error(self.path.name)

    def chunks(self, layout) -> Iterator[Chunk]:
        while batch := list(islice(self.rows, CHUNK_ROWS)):
            rows = [self._text_row(r) for _, r in batch]
            self.done = batch[-1][0]
            yield Chunk(batch[0][0], len(rows), rows_to_columns(rows, layout.needed))


def open_source(path: Path, is_header) -> CsvSource | ExcelSource:
    """Open ``path``; its header is the first row for which ``is_header(cells)`` is true."""
    if path.suffix.casefold() in EXCEL_SUFFIXES:
        return ExcelSource(path, is_header)
    return CsvSource(path, is_header)
