"""Report kinds and their builders, one per output format.

A builder takes ``(unit, period)`` and returns the file's bytes. Kinds register themselves::

    @register("tindak-lanjut", "docx", label=_("Laporan Hasil Tindak Lanjut"))
    def tindak_lanjut_docx(unit, period) -> bytes: ...

``build(kind, fmt, unit, period)`` is the one entry point for the CLI (``skm report``) and the
download view; ``filename`` names the file the same way in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportError(Exception):
    """A report cannot be made (unknown kind or format, or nothing to report on)."""


@dataclass
class ReportKind:
    name: str
    label: str
    builders: dict[str, Callable] = field(default_factory=dict)

    @property
    def formats(self) -> list[str]:
        return sorted(self.builders)


REPORTS: dict[str, ReportKind] = {}


def register(name: str, fmt: str, label: str):
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}")

    def decorate(builder):
        kind = REPORTS.setdefault(name, ReportKind(name, label))
        kind.builders[fmt] = builder
        return builder

    return decorate


def get_kind(name: str) -> ReportKind:
    try:
        return REPORTS[name]
    except KeyError:
        known = ", ".join(sorted(REPORTS))
        raise ReportError(f"jenis laporan tidak dikenal: {name!r} (pilihan: {known})") from None


def build(name: str, fmt: str, unit, period) -> bytes:
    kind = get_kind(name)
    builder = kind.builders.get(fmt)
    if builder is None:
        raise ReportError(
            f"laporan {name!r} tidak tersedia sebagai .{fmt} (pilihan: "
            + ", ".join(f".{f}" for f in kind.formats) + ")"
        )
    return builder(unit, period)


def filename(name: str, unit, period, fmt: str) -> str:
    """``laporan-tindak-lanjut-jatinegara-kaum-2024-S2.docx``"""
    return f"laporan-{name}-{unit.slug}-{period.code}.{fmt}"
