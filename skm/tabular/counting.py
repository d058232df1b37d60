"""Count a survey file's answers into tallies per layanan, chunk by chunk.

The common case (every answer cell blank or a single digit 1-4) is counted with string
operations that run in C: a column's cells are joined and the digits counted with ``str.count``;
with several layanan in a chunk, the rows are first put in layanan order once, and each column
is counted per contiguous group. Any other cell sends that column of that chunk to the careful
path, which interprets each distinct value and records the row and column of every bad cell.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, count
from operator import itemgetter, not_
from pathlib import Path

from ..engine import Tally, UnsurCounts
from ..engine.profile import FIELDS as PROFILE_FIELDS
from ..engine.profile import categorise
from .errors import CellError, SurveyFileError, column_letter
from .fastcsv import CountedBlock
from .sources import Chunk, Header, is_blank, open_source

MAX_REPORTED_ERRORS = 20
DEFAULT_LAYANAN = "Semua layanan"
DIGITS = ("1", "2", "3", "4")
PROFILE_SEPARATOR = "\x00"
BLANK = 0  # parsed value of an unanswered cell
BAD = -1  # parsed value of a cell that is not an answer

HEADER_ALIASES = {
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


def normalise_header(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().casefold()).strip("_")


def parse_answer(raw: str) -> int:
    """1..4 for an answer, ``BLANK`` for an empty cell, ``BAD`` for anything else.

    Accepts what spreadsheets write for a whole number: " 4", "4.0", "4,0".
    """
    text = raw.strip()
    if not text:
        return BLANK
    if text in DIGITS:
        return int(text)
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return BAD
    return int(number) if number in (1.0, 2.0, 3.0, 4.0) else BAD


def display_name(raw: str) -> str:
    return " ".join(raw.split())


@dataclass
class Layout:
    """Which column holds what."""

    unsur: list[tuple[str, int]]  # (code, column index), in questionnaire order
    layanan: int | None
    profile: dict[str, int]

    @property
    def needed(self) -> list[int]:
        indexes = [i for _, i in self.unsur] + list(self.profile.values())
        if self.layanan is not None:
            indexes.append(self.layanan)
        return indexes


def find_layout(header: Header, codes: Sequence[str], name: str) -> Layout:
    unsur, profile, seen = [], {}, {}
    layanan = None
    known = {c.casefold(): c for c in codes}
    for index, cell in enumerate(header.cells):
        key = normalise_header(cell)
        target = known[key] if key in known else HEADER_ALIASES.get(key)
        if target is None:
            continue
        if target in seen:
            raise SurveyFileError(
                f"{name}: baris {header.row}: kolom {target} muncul dua kali "
                f"({column_letter(seen[target])} dan {column_letter(index)})."
            )
        seen[target] = index
        if target == "layanan":
            layanan = index
        elif target in PROFILE_FIELDS:
            profile[target] = index
        else:
            unsur.append((target, index))
    if not unsur:
        raise SurveyFileError(
            f"{name}: tidak ada kolom unsur ({', '.join(codes)}) pada baris judul "
            f"(baris {header.row})."
        )
    order = {code: i for i, code in enumerate(codes)}
    unsur.sort(key=lambda pair: order[pair[0]])
    return Layout(unsur, layanan, profile)


class Counting:
    """Running counts over the chunks of one file."""

    def __init__(self, layout: Layout):
        self.layout = layout
        # raw layanan text -> unsur code -> [n1, n2, n3, n4]
        self.answers: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self.respondents: Counter = Counter()
        self.profile_keys: Counter = Counter()  # "jk\x00usia\x00..." -> respondents
        self.profile_fields = {f: Counter() for f in layout.profile}  # from the numpy path
        self.errors: list[CellError] = []
        self.bad_total = 0
        self.skipped: list[int] = []
        self.skipped_total = 0
        self._layanan_ids: defaultdict[str, int] = defaultdict(count().__next__)
        self._layanan_names: dict[int, str] = {}

    # -- one chunk ----------------------------------------------------------------------------

    def feed(self, chunk: Chunk) -> None:
        layout = self.layout
        empties = [chunk.columns[i].count("") for _, i in layout.unsur]
        trimmed = self._without_blank_rows(chunk, empties)
        if trimmed is None:
            return
        if trimmed is not chunk:
            chunk = trimmed
            empties = [chunk.columns[i].count("") for _, i in layout.unsur]
        size = chunk.size
        if layout.layanan is not None:
            lcol = chunk.columns[layout.layanan]
        else:
            lcol = [DEFAULT_LAYANAN] * size
        groups, getter = self._groups(lcol)
        for name, n in groups:
            self.respondents[name] += n
        if layout.layanan is not None:
            blanks = {name for name, _ in groups if is_blank(name)}
            if blanks:
                self._report(chunk, "layanan", layout.layanan, lcol, blanks, "layanan kosong")
        for (code, index), empty in zip(layout.unsur, empties, strict=True):
            col = chunk.columns[index]
            if not self._count_fast(code, col, empty, groups, getter):
                self._count_careful(chunk, code, index, col, lcol)
        if layout.profile:
            # one key per row over all profile fields: a third faster than a Counter per field
            columns = [chunk.columns[i] for i in layout.profile.values()]
            self.profile_keys.update(map(PROFILE_SEPARATOR.join, zip(*columns, strict=True)))

    def feed_counted(self, block: CountedBlock) -> None:
        """Merge a block that the numpy path counted already."""
        for raw, n in block.respondents.items():
            self.respondents[DEFAULT_LAYANAN if raw is None else raw] += n
        for raw, per_code in block.answers.items():
            for code, digits in per_code.items():
                self._add(DEFAULT_LAYANAN if raw is None else raw, code, digits)
        for f, counts in block.profile.items():
            self.profile_fields[f].update(counts)
        if block.blank_rows:
            self.skipped_total += len(block.blank_rows)
            room = max(0, MAX_REPORTED_ERRORS - len(self.skipped))
            self.skipped.extend(block.blank_rows[:room])

    def _groups(self, lcol: list[str]):
        """The chunk's layanan as ``[(raw name, rows)]`` and a getter that orders rows by them."""
        ids = list(map(self._layanan_ids.__getitem__, lcol))
        names = self._layanan_names
        for raw, i in self._layanan_ids.items():
            names.setdefault(i, raw)
        if ids.count(ids[0]) == len(ids):
            return [(lcol[0], len(ids))], None
        order = sorted(range(len(ids)), key=ids.__getitem__)
        getter = itemgetter(*order)
        ordered = getter(ids)
        groups, start = [], 0
        while start < len(ordered):
            i = ordered[start]
            end = bisect_right(ordered, i, start)
            groups.append((names[i], end - start))
            start = end
        return groups, getter

    def _count_fast(self, code, col, empty, groups, getter) -> bool:
        """Count a column whose cells are all blank or a single digit 1-4; False if not so."""
        joined = "".join(col)
        digits = [joined.count(d) for d in DIGITS]
        answered = len(col) - empty
        if not (len(joined) == answered == sum(digits)):
            return False
        if getter is None:
            self._add(groups[0][0], code, digits)
            return True
        ordered = getter(col)
        start = 0
        for name, n in groups:
            part = "".join(ordered[start : start + n])
            start += n
            self._add(name, code, [part.count(d) for d in DIGITS])
        return True

    def _add(self, layanan: str, code: str, digits: list[int]) -> None:
        slot = self.answers[layanan].get(code)
        if slot is None:
            self.answers[layanan][code] = list(digits)
        else:
            for i in range(4):
                slot[i] += digits[i]

    def _count_careful(self, chunk, code, index, col, lcol) -> None:
        pairs = Counter(zip(lcol, col, strict=True))
        parsed = {raw: parse_answer(raw) for raw in {raw for _, raw in pairs}}
        bad = {raw for raw, value in parsed.items() if value == BAD}
        for (layanan, raw), n in pairs.items():
            value = parsed[raw]
            if value > 0:
                digits = [0, 0, 0, 0]
                digits[value - 1] = n
                self._add(layanan, code, digits)
        if bad:
            self._report(chunk, code, index, col, bad, None)

    def _without_blank_rows(self, chunk: Chunk, empties: list[int]) -> Chunk | None:
        """Drop rows with no answer to any unsur (e.g. the empty rows Excel leaves at the end)."""
        blank = _blank_rows([chunk.columns[i] for _, i in self.layout.unsur], empties)
        if not blank:
            return chunk
        dropped = [chunk.row_number(i) for i in blank]
        self.skipped_total += len(dropped)
        self.skipped.extend(dropped[: max(0, MAX_REPORTED_ERRORS - len(self.skipped))])
        if len(dropped) == chunk.size:
            return None
        keep = [True] * chunk.size
        for i in blank:
            keep[i] = False
        rows = list(compress(range(chunk.size), keep))
        return Chunk(
            chunk.first_row,
            len(rows),
            {i: list(compress(col, keep)) for i, col in chunk.columns.items()},
            [chunk.row_number(i) for i in rows],
        )

    def _report(self, chunk, column, index, col, bad, problem) -> None:
        self.bad_total += sum(1 for raw in col if raw in bad)
        errors = self.errors
        if len(errors) >= MAX_REPORTED_ERRORS and errors[-1].row < chunk.first_row:
            return
        found = 0
        for position, raw in enumerate(col):
            if raw in bad:
                errors.append(
                    CellError(
                        chunk.row_number(position),
                        index,
                        column,
                        raw,
                        problem or describe_bad(raw),
                    )
                )
                found += 1
                if found >= MAX_REPORTED_ERRORS:
                    break
        errors.sort()
        del errors[MAX_REPORTED_ERRORS:]

    # -- the result -----------------------------------------------------------------------------

    def _profile(self) -> dict[str, Counter]:
        fields = list(self.layout.profile)
        per_field = {f: Counter(self.profile_fields[f]) for f in fields}
        for key, n in self.profile_keys.items():
            values = key.split(PROFILE_SEPARATOR)
            if len(values) != len(fields):  # a cell held the separator itself
                values = ["\x00"] * len(fields)
            for f, raw in zip(fields, values, strict=True):
                per_field[f][None if is_blank(raw) else raw] += n
        profile = {}
        for f in PROFILE_FIELDS:
            if f in per_field:
                categories: Counter = Counter()
                for raw, n in per_field[f].items():
                    categories[categorise(f, raw)] += n
                profile[f] = categories
        return profile

    def result(self, codes: Sequence[str], name: str) -> SurveyData:
        # Spellings of one layanan ("PKK", " pkk ") merge; the most used spelling names it.
        key_of = {raw: display_name(raw).casefold() for raw in self.respondents}
        display: dict[str, str] = {}
        for raw in sorted(self.respondents, key=lambda r: (-self.respondents[r], display_name(r))):
            display.setdefault(key_of[raw], display_name(raw))
        respondents: Counter = Counter()
        merged: dict[str, dict[str, list[int]]] = defaultdict(dict)
        for raw, n in self.respondents.items():
            respondents[key_of[raw]] += n
        for raw, per_code in self.answers.items():
            for code, digits in per_code.items():
                slot = merged[key_of[raw]].setdefault(code, [0, 0, 0, 0])
                for i in range(4):
                    slot[i] += digits[i]
        layanan = {
            display[key]: Tally(
                {code: UnsurCounts(tuple(d)) for code, d in merged[key].items()},
                respondents[key],
            )
            for key in sorted(display)
        }
        profile = self._profile()
        present = [code for code, _ in self.layout.unsur]
        warnings = []
        missing = [c for c in codes if c not in present]
        if missing:
            warnings.append(
                f"{name}: kolom {', '.join(missing)} tidak ada; unsur itu dianggap tidak dijawab."
            )
        if self.skipped_total:
            shown = ", ".join(map(str, self.skipped))
            more = self.skipped_total - len(self.skipped)
            warnings.append(
                f"{name}: {self.skipped_total} baris tanpa jawaban unsur dilewati "
                f"(baris {shown}{f', dan {more} lainnya' if more else ''})."
            )
        return SurveyData(
            layanan=layanan,
            profile=profile,
            unsur_columns=present,
            has_layanan_column=self.layout.layanan is not None,
            rows_skipped=self.skipped,
            rows_skipped_total=self.skipped_total,
            warnings=warnings,
        )


def _blank_rows(ucols: list[list[str]], empties: list[int]) -> list[int]:
    """Positions of the rows whose unsur cells are all empty or white space.

    Starts from the column with the fewest empty cells and narrows down column by column, so the
    Python-level work is proportional to the blank cells, not to the rows.
    """
    ordered = [col for _, col in sorted(zip(empties, ucols, strict=True), key=itemgetter(0))]
    first = ordered[0]
    candidates = list(compress(range(len(first)), map(not_, map(str.strip, first))))
    for col in ordered[1:]:
        if not candidates:
            break
        candidates = [i for i in candidates if is_blank(col[i])]
    return candidates


def describe_bad(raw: str) -> str:
    shown = raw.strip()
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"nilai {shown!r} bukan jawaban 1-4"


def read_survey(path: str | Path, codes: Sequence[str]) -> SurveyData:
    """Read ``path`` and count its answers per layanan for the unsur ``codes``.

    Raises :class:`SurveyFileError` naming the row and column of every bad cell (the first 20,
    with the total). Nothing is counted from a file with a bad cell.
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyFileError(f"{path}: berkas tidak ditemukan.")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the chunks are lists of strings: no cycles to collect, only time to lose
    try:
        known = {code.casefold() for code in codes}
        source = open_source(path, lambda cells: any(normalise_header(c) in known for c in cells))
        try:
            layout = find_layout(source.header, codes, path.name)
            counting = Counting(layout)
            for chunk in source.chunks(layout):
                if isinstance(chunk, CountedBlock):
                    counting.feed_counted(chunk)
                else:
                    counting.feed(chunk)
        finally:
            source.close()
    finally:
        if gc_was_enabled:
            gc.enable()
    if counting.bad_total:
        raise SurveyFileError(
            f"{path.name}: {counting.bad_total} sel tidak valid; tidak ada yang dihitung.",
            counting.errors,
            counting.bad_total,
        )
    return counting.result(codes, path.name)
