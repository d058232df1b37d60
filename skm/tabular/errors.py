"""Errors that point at the cell: row number and column, as a spreadsheet names them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
