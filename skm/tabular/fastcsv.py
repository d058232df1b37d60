"""Count a block of plain CSV bytes with numpy: the fast path of ``skm compute``.

A block qualifies when it has no quote character, no NUL byte, every line has the same number
of fields, and every answer cell is empty or a single digit 1-4 (the common case, and what the
regulation's form holds). Anything else returns ``None`` and the block goes through the general
text path, which handles every case and reports bad cells by row and column. Both paths give the
same counts; the tests check that on random files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_TEXT_CELL = 256  # longer layanan or profile cells: leave the block to the text path
NEWLINE = 10
ZERO = 48


@dataclass
class CountedBlock:
    """The counts of ``size`` rows from ``first_row`` on, keyed by raw cell text."""

    first_row: int
    size: int
    respondents: dict[str, int]
    answers: dict[str, dict[str, list[int]]]
    profile: dict[str, dict[str, int]]
    blank_rows: list[int] = field(default_factory=list)  # row numbers, all of them


def _field_bounds(a: np.ndarray, delimiter: int):
    """Start and end offsets of every field as (rows, width) arrays, or None if lines differ."""
    is_newline = a == NEWLINE
    positions = np.flatnonzero(is_newline | (a == delimiter))
    rows = int(np.count_nonzero(is_newline)) + 1
    if rows == 1:
        width = len(positions) + 1
    else:
        first_break = int(np.argmax(is_newline[positions]))
        width = first_break + 1
    if len(positions) != rows * width - 1:
        return None
    if rows > 1 and not is_newline[positions[width - 1 :: width]].all():
        return None
    bounds = np.empty(rows * width + 1, dtype=np.int64)
    bounds[0] = -1
    bounds[1:-1] = positions
    bounds[-1] = len(a)
    starts = (bounds[:-1] + 1).reshape(rows, width)
    ends = bounds[1:].reshape(rows, width)
    return starts, ends


def _answers(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """Answer values 0 (blank) .. 4 of one column, or None if a cell is anything else."""
    lengths = ends - starts
    if len(lengths) and int(lengths.max()) > 1:
        return None
    filled = lengths == 1
    chars = a[np.minimum(starts, len(a) - 1)].astype(np.int64) - ZERO
    values = np.where(filled, chars, 0)
    if ((values < 0) | (values > 4) | (filled & (values == 0))).any():
        return None
    return values


_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _distinct(buf: bytes, a: np.ndarray, starts: np.ndarray, ends: np.ndarray, encoding: str):
    """(texts, index of each row's text) for a text column, or None to use the text path.

    Each cell is hashed byte by byte (one vectorised step per byte position), the hashes are
    made distinct with ``np.unique``, and then every cell is compared byte by byte with the first
    cell of its hash, so a hash collision can never merge two different texts.
    """
    lengths = ends - starts
    longest = int(lengths.max()) if len(lengths) else 0
    if longest > MAX_TEXT_CELL:
        return None
    last = len(a) - 1
    hashes = lengths.astype(np.uint64)
    columns = []
    with np.errstate(over="ignore"):
        for k in range(longest):
            column = np.where(k < lengths, a[np.minimum(starts + k, last)], 0)
            columns.append(column)
            hashes = hashes * _HASH_MULTIPLIER + column.astype(np.uint64)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    representative = first[inverse]
    if not np.array_equal(lengths, lengths[representative]):
        return None
    for column in columns:
        if not np.array_equal(column, column[representative]):
            return None
    texts = [buf[starts[i] : ends[i]].decode(encoding, errors="replace") for i in first]
    return texts, inverse


def count_block(buf: bytes, delimiter: str, layout, encoding: str, first_row: int):
    """Counts of a block of whole lines (no final newline), or None to use the text path."""
    if not buf or b'"' in buf or b"\x00" in buf or b"\r" in buf:
        return None
    a = np.frombuffer(buf, dtype=np.uint8)
    found = _field_bounds(a, ord(delimiter))
    if found is None:
        return None
    starts, ends = found
    rows, width = starts.shape
    if width <= max(layout.needed):
        return None
    values = []
    for _, column in layout.unsur:
        column_values = _answers(a, starts[:, column], ends[:, column])
        if column_values is None:
            return None
        values.append(column_values)
    answered_any = np.logical_or.reduce(values) if values else np.zeros(rows, dtype=bool)
    if layout.layanan is None:
        names, ids = [None], np.zeros(rows, dtype=np.int64)
    else:
        distinct = _distinct(buf, a, starts[:, layout.layanan], ends[:, layout.layanan], encoding)
        if distinct is None:
            return None
        names, ids = distinct
        used = np.bincount(ids[answered_any], minlength=len(names))
        if any(used[i] and not names[i].strip() for i in range(len(names))):
            return None  # a blank layanan: the text path reports it by row
    groups = len(names)
    respondents = np.bincount(ids[answered_any], minlength=groups)
    answers: dict = {name: {} for name in names}
    for (code, _), column_values in zip(layout.unsur, values, strict=True):
        counts = np.bincount(ids * 5 + column_values, minlength=groups * 5).reshape(groups, 5)
        for g, name in enumerate(names):
            if counts[g, 1:].any():
                answers[name][code] = [int(c) for c in counts[g, 1:]]
    profile = {}
    for f, column in layout.profile.items():
        distinct = _distinct(buf, a, starts[:, column], ends[:, column], encoding)
        if distinct is None:
            return None
        texts, inverse = distinct
        counts = np.bincount(inverse[answered_any], minlength=len(texts))
        profile[f] = {t: int(c) for t, c in zip(texts, counts, strict=True) if c}
    blank = np.flatnonzero(~answered_any)
    return CountedBlock(
        first_row=first_row,
        size=rows,
        respondents={name: int(n) for name, n in zip(names, respondents, strict=True) if n},
        answers={name: per for name, per in answers.items() if per},
        profile=profile,
        blank_rows=[first_row + int(i) for i in blank],
    )
