"""Export everything a unit owns: responses, layanan, population, RTL, realisasi and their
evidence files, as a folder of CSV files, the same zipped, one XLSX workbook or one JSON
document (docs/export.md).

The responses files are written so that :func:`skm.imports.importing.import_file` reads them
with no mapping: one file per period (the importer takes one period at a time), headers it
matches (``layanan``, ``timestamp``, the unsur codes, ``jenis kelamin``, ``usia``,
``pendidikan``, ``pekerjaan``, ``saran``), times in ISO 8601 with their offset. Responses an
operator rejected (skm.surveys.review) are not counted in any result, so they go to a file of
their own: importing the per-period files reproduces the unit's results exactly.

Responses are read with ``.iterator()`` and written row by row: never all in memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from skm import __version__
from skm.followup.models import Evidence, FollowupChange, Realisasi, RtlItem
from skm.results.services import counted
from skm.surveys.models import SLOTS, QuestionnaireVersion, Response
from skm.surveys.recording import questionnaire_for
from skm.units.models import Layanan, Period, Population, Section, Unit
from skm.units.periods import parse_period

FORMATS = ("dir", "zip", "xlsx", "json")
EXPORT_FORMAT = "skm-export"
EXPORT_VERSION = 1
CHUNK = 2_000
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, without the header row
REJECTED = Response.Review.REJECTED
PROFILE_HEADERS = ("jenis kelamin", "usia", "pendidikan", "pekerjaan")
#: written after the answers and the profile; the importer ignores every one of them
EXTRA_HEADERS = ("saran", "sumber", "periode", "tanda", "review")
EVIDENCE_DIR = "evidence"


class ExportError(Exception):
    """The export cannot be made as asked (a bad period, a folder in the way, too many rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


#: the header of every table but the responses, in the order written; skm import-followup
#: reads them back by these names (skm.imports.followup_import)
TABLE_COLUMNS = {
    "layanan": ("slug", "nama", "aktif", "urutan"),
    "sections": ("kode", "nama"),
    "population": ("layanan", "periode", "populasi"),
    "rtl": ("id", "periode", "prioritas unsur", "program", "triwulan", "bulan", "jangka waktu",
            "penanggung jawab", "indikator target", "urutan", "dibuat", "diubah"),
    "realisasi": ("rtl", "status", "tanggal", "deskripsi", "hambatan", "diubah"),
    "evidence": ("rtl", "berkas", "jenis", "nama asli", "keterangan", "ukuran", "lebar",
                 "tinggi", "diunggah", "urutan", "sha256"),
    "history": ("rtl", "waktu", "aksi", "pengguna", "perubahan"),
}


@dataclass
class Table:
    """One table of the export: a header and a way to produce its rows (lists of cells)."""

    name: str
    header: list[str]
    rows: Callable[[], Iterable[list]]


@dataclass
class ExportResult:
    path: Path
    format: str
    counts: dict[str, int] = field(default_factory=dict)  # table name -> rows
    files: dict[str, str] = field(default_factory=dict)  # relative name -> sha256
    missing: list[str] = field(default_factory=list)  # evidence files not found in MEDIA_ROOT


# -- scope ------------------------------------------------------------------------------------


def resolve_period(code: str | None) -> Period | None:
    """The period ``code`` names, without creating it: an unsaved Period when no row exists yet
    (a year with only its semesters stored). None for every period. ExportError if invalid."""
    if not code:
        return None
    try:
        spec = parse_period(code)
    except ValueError as exc:
        raise ExportError(_("Periode %(code)r tidak valid: %(problem)s")
                          % {"code": code, "problem": exc}) from None
    found = Period.objects.filter(code=spec.code).first()
    return found or Period(code=spec.code, kind=spec.kind, year=spec.year, number=spec.number,
                           start=spec.start, end=spec.end)


def _period_filter(period: Period | None) -> dict:
    """A year holds its semesters and triwulan, as unit_results counts them."""
    if period is None:
        return {}
    return {"period__start__gte": period.start, "period__end__lte": period.end}


def _responses(unit: Unit, period: Period | None):
    return Response.objects.within([unit]).filter(**_period_filter(period))


def response_periods(unit: Unit, period: Period | None) -> list[Period]:
    """The periods that hold responses of ``unit`` (not rejected), in time order."""
    periods = Period.objects.filter(pk__in=counted(unit, "period_id"))
    if period is not None:  # a year holds its semesters and triwulan
        periods = periods.filter(start__gte=period.start, end__lte=period.end)
    return list(periods.order_by("start", "-end"))


def unsur_codes(unit: Unit, period: Period | None) -> list[str]:
    """The unit's unsur codes first, then those of other questionnaire versions its responses
    answered (a unit that changed its questionnaire), in their order."""
    codes = list(questionnaire_for(unit).slot_codes().values())
    ids = (_responses(unit, period).order_by().values_list("questionnaire_id", flat=True)
           .distinct())
    for version in QuestionnaireVersion.objects.filter(pk__in=list(ids)).order_by("pk"):
        codes += [c for c in version.slot_codes().values() if c not in codes]
    return codes


# -- rows -------------------------------------------------------------------------------------


def response_header(codes: list[str]) -> list[str]:
    return ["layanan", "timestamp", *codes, *PROFILE_HEADERS, *EXTRA_HEADERS]


def _blank(value):
    return "" if value is None else value


def response_rows(unit: Unit, period: Period | None, codes: list[str], *,
                  rejected: bool = False, only: Period | None = None) -> Iterator[list]:
    """Rows for :func:`response_header`, streamed from the database in chunks.

    ``rejected`` gives only the rejected responses, else every other one; ``only`` narrows to
    the responses stored under exactly that period (one importable file per period).
    """
    queryset = _responses(unit, period)
    queryset = (queryset.filter(review=REJECTED) if rejected
                else queryset.exclude(review=REJECTED))
    if only is not None:
        queryset = queryset.filter(period=only)
    fields = ["layanan__slug", "submitted_at", "questionnaire_id", *SLOTS, "gender", "age",
              "education", "occupation", "saran", "source", "period__code", "flags", "review"]
    position = {code: i for i, code in enumerate(codes)}
    versions: dict[int, list[tuple[int, int]]] = {}
    tz = timezone.get_current_timezone()
    rows = (queryset.order_by("period__start", "submitted_at", "pk").values_list(*fields)
            .iterator(chunk_size=CHUNK))
    for values in rows:
        slug, at, qid = values[0], values[1], values[2]
        answers = values[3:3 + len(SLOTS)]
        (gender, age, education, occupation, saran, source, period_code, flags,
         review) = values[3 + len(SLOTS):]
        if qid not in versions:
            slot_codes = QuestionnaireVersion.objects.get(pk=qid).slot_codes()
            versions[qid] = [(SLOTS.index(slot), position[code])
                             for slot, code in slot_codes.items()]
        cells = [""] * len(codes)
        for slot_index, column in versions[qid]:
            cells[column] = _blank(answers[slot_index])
        yield [slug, timezone.localtime(at, tz).isoformat(timespec="seconds"), *cells,
               gender, _blank(age), education, occupation, saran, source, period_code, flags,
               review]


def _iso(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _rtl(unit: Unit, period: Period | None):
    return RtlItem.objects.filter(unit=unit, **_period_filter(period))


def evidence_name(evidence: Evidence) -> str:
    """Where the file sits in the export: ``evidence/<stored name>`` (a uuid, never clashing)."""
    return f"{EVIDENCE_DIR}/{PurePath(evidence.file.name).name}"


def file_sha256(name: str) -> str:
    """SHA-256 of a stored file (MEDIA_ROOT), read in blocks; "" when the file is missing
    (the export goes on and lists it under ``missing`` in the manifest)."""
    digest = hashlib.sha256()
    try:
        with default_storage.open(name, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def tables(unit: Unit, period: Period | None) -> list[Table]:
    """Every table but the responses, each small enough to read at once."""

    def layanan():
        for lay in Layanan.objects.within([unit]).order_by("order", "name"):
            yield [lay.slug, lay.name, "ya" if lay.active else "tidak", lay.order]

    def sections():
        for s in Section.objects.filter(unit=unit).order_by("code"):
            yield [s.code, s.name]

    def population():
        rows = (Population.objects.filter(layanan__unit=unit, **_period_filter(period))
                .select_related("layanan", "period").order_by("period__start", "layanan__order"))
        for p in rows:
            yield [p.layanan.slug, p.period.code, p.size]

    def rtl():
        for item in _rtl(unit, period).select_related("period", "section").order_by(
                "period__start", "order", "pk"):
            yield [item.pk, item.period.code, ",".join(item.unsur_codes), item.program,
                   ",".join(item.quarters or ()), ",".join(item.months or ()), item.horizon,
                   item.section.code, item.target_indicator, item.order, _iso(item.created),
                   _iso(item.updated)]

    def realisasi():
        for r in Realisasi.objects.filter(item__in=_rtl(unit, period)).order_by("item_id"):
            yield [r.item_id, r.status, _iso(r.tanggal), r.deskripsi, r.hambatan,
                   _iso(r.updated)]

    def evidence():
        for e in (Evidence.objects.filter(realisasi__item__in=_rtl(unit, period))
                  .select_related("realisasi").order_by("realisasi__item_id", "order", "pk")):
            yield [e.realisasi.item_id, evidence_name(e), e.kind, e.original_name, e.caption,
                   e.size, _blank(e.width), _blank(e.height), _iso(e.uploaded_at), e.order,
                   file_sha256(e.file.name)]

    def history():
        for c in (FollowupChange.objects.filter(item__in=_rtl(unit, period))
                  .select_related("user").order_by("at", "pk")):
            yield [c.item_id, _iso(c.at), c.action, c.user.get_username() if c.user else "",
                   json.dumps(c.changes, ensure_ascii=False, sort_keys=True)]

    rows = {"layanan": layanan, "sections": sections, "population": population, "rtl": rtl,
            "realisasi": realisasi, "evidence": evidence, "history": history}
    return [Table(name, list(header), rows[name]) for name, header in TABLE_COLUMNS.items()]


def response_tables(unit: Unit, period: Period | None, *, split: bool) -> list[Table]:
    """The responses: one table per period (``split``, for CSV files the importer takes one
    at a time) or one table with a ``periode`` column; then the rejected ones."""
    codes = unsur_codes(unit, period)
    header = response_header(codes)
    found = []
    if split:
        for p in response_periods(unit, period):
            found.append(Table(f"responses-{p.code}", header,
                               lambda p=p: response_rows(unit, period, codes, only=p)))
    else:
        found.append(Table("responses", header, lambda: response_rows(unit, period, codes)))
    found.append(Table("responses-rejected", header,
                       lambda: response_rows(unit, period, codes, rejected=True)))
    return found


def manifest(unit: Unit, period: Period | None, fmt: str, counts: dict, files: dict) -> dict:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "skm": __version__,
        "created": timezone.localtime().isoformat(timespec="seconds"),
        "unit": {"slug": unit.slug, "name": unit.name, "kind": unit.kind},
        "period": period.code if period else None,
        "questionnaire": questionnaire_for(unit).version,
        "export": fmt,
        "counts": counts,
        "files": files,
    }


# -- writers ----------------------------------------------------------------------------------


class _HashingWriter(io.RawIOBase):
    """A binary file that keeps the SHA-256 of what is written to it."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        return self.handle.write(data)


def write_csv(path: Path, table: Table) -> tuple[int, str]:
    """One table as a UTF-8 CSV file (with BOM, for Excel); (rows, sha256)."""
    rows = 0
    with open(path, "wb") as raw:
        hashing = _HashingWriter(raw)
        text = io.TextIOWrapper(io.BufferedWriter(hashing, 1 << 16), encoding="utf-8-sig",
                                newline="")
        writer = csv.writer(text)
        writer.writerow(table.header)
        for row in table.rows():
            writer.writerow(row)
            rows += 1
        text.flush()
        text.detach().detach()
    return rows, hashing.digest.hexdigest()


def copy_evidence(unit: Unit, period: Period | None, folder: Path,
                  missing: list[str]) -> dict[str, str]:
    """Copy the evidence files into ``folder/evidence``; {relative name: sha256}. A file gone
    from MEDIA_ROOT is added to ``missing`` instead."""
    files = {}
    target = folder / EVIDENCE_DIR
    for e in Evidence.objects.filter(realisasi__item__in=_rtl(unit, period)).order_by("pk"):
        name = evidence_name(e)
        target.mkdir(exist_ok=True)
        digest = hashlib.sha256()
        try:
            with default_storage.open(e.file.name, "rb") as source, \
                    open(folder / name, "wb") as out:
                while block := source.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        except OSError:
            (folder / name).unlink(missing_ok=True)
            missing.append(name)
            continue
        files[name] = digest.hexdigest()
    return files


def export_dir(unit: Unit, period: Period | None, folder: Path, fmt: str = "dir"
               ) -> ExportResult:
    folder.mkdir(parents=True, exist_ok=True)
    result = ExportResult(folder, fmt)
    for table in [*response_tables(unit, period, split=True), *tables(unit, period)]:
        name = f"{table.name}.csv"
        result.counts[table.name], result.files[name] = write_csv(folder / name, table)
    result.files.update(copy_evidence(unit, period, folder, result.missing))
    data = manifest(unit, period, fmt, result.counts, result.files)
    data["missing"] = result.missing
    with open(folder / "manifest.json", "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return result


def export_zip(unit: Unit, period: Period | None, path: Path) -> ExportResult:
    """The folder of :func:`export_dir`, built in a temporary folder and zipped."""
    with tempfile.TemporaryDirectory(prefix="skm-ekspor-") as temp:
        folder = Path(temp)
        result = export_dir(unit, period, folder, "zip")
        partial = path.with_name(path.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(folder).as_posix())
        partial.replace(path)
    result.path = path
    return result


def export_xlsx(unit: Unit, period: Period | None, path: Path) -> ExportResult:
    """One workbook, a sheet per table, the responses first (the importer reads the first
    sheet). Evidence files are not embedded: the ``evidence`` sheet names them."""
    import xlsxwriter

    result = ExportResult(path, "xlsx")
    partial = path.with_name(path.name + ".part")
    workbook = xlsxwriter.Workbook(str(partial), {"constant_memory": True,
                                                  "strings_to_numbers": False,
                                                  "strings_to_formulas": False,
                                                  "strings_to_urls": False})
    try:
        bold = workbook.add_format({"bold": True})
        for table in [*response_tables(unit, period, split=False), *tables(unit, period)]:
            sheet = workbook.add_worksheet(table.name[:31])
            sheet.write_row(0, 0, table.header, bold)
            rows = 0
            for row in table.rows():
                rows += 1
                if rows > XLSX_MAX_ROWS:
                    raise ExportError(
                        _("Tabel %(table)s melebihi batas baris Excel (%(max)s); pakai ekspor "
                          "CSV atau ZIP.") % {"table": table.name, "max": XLSX_MAX_ROWS})
                sheet.write_row(rows, 0, row)
            result.counts[table.name] = rows
        sheet = workbook.add_worksheet("manifest")
        data = manifest(unit, period, "xlsx", result.counts, {})
        data.pop("files")
        sheet.write_row(0, 0, ["kunci", "nilai"], bold)
        for i, (key, value) in enumerate(data.items(), start=1):
            sheet.write_row(i, 0, [key, value if isinstance(value, str | int) or value is None
                                   else json.dumps(value, ensure_ascii=False)])
        workbook.close()
    except BaseException:
        workbook.close()
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return result


def export_json(unit: Unit, period: Period | None, path: Path) -> ExportResult:
    """One JSON document ``{"manifest": ..., "tables": {name: [ {column: value} ]}}``, written
    row by row. Evidence files are named with their SHA-256, not included."""
    result = ExportResult(path, "json")
    partial = path.with_name(path.name + ".part")
    with open(partial, "w", encoding="utf-8") as out:
        out.write('{"tables": {')
        for t_index, table in enumerate([*response_tables(unit, period, split=False),
                                         *tables(unit, period)]):
            out.write(("," if t_index else "") + f"\n{json.dumps(table.name)}: [")
            rows = 0
            for row in table.rows():
                out.write(("," if rows else "") + "\n  ")
                out.write(json.dumps(dict(zip(table.header, row, strict=True)),
                                     ensure_ascii=False))
                rows += 1
            out.write("\n]")
            result.counts[table.name] = rows
        out.write("},\n\"manifest\": ")
        json.dump(manifest(unit, period, "json", result.counts, {}), out, ensure_ascii=False)
        out.write("}\n")
    partial.replace(path)
    return result


def format_of(out: Path) -> str:
    """The format an output path asks for: by its suffix, a folder otherwise."""
    suffix = out.suffix.casefold()
    return {".zip": "zip", ".xlsx": "xlsx", ".json": "json"}.get(suffix, "dir")


def check_target(out: Path, fmt: str, force: bool = False) -> None:
    """Refuse to overwrite anything unless ``force``: an existing file, a non-empty folder.
    With ``force`` a folder keeps files that a former export did not write (see
    :func:`clear_previous`)."""
    if fmt == "dir":
        if out.exists() and not out.is_dir():
            raise ExportError(_("%(path)s sudah ada dan bukan folder.") % {"path": out})
        if out.is_dir() and any(out.iterdir()) and not force:
            raise ExportError(_("Folder %(path)s tidak kosong; pakai --force untuk menimpa "
                                "ekspor sebelumnya.") % {"path": out})
    elif out.exists() and not force:
        raise ExportError(_("%(path)s sudah ada; pakai --force untuk menimpanya.")
                          % {"path": out})
    elif out.is_dir():
        raise ExportError(_("%(path)s adalah folder.") % {"path": out})


def clear_previous(folder: Path) -> None:
    """Remove what a former export wrote to ``folder`` (the files its manifest lists), so no
    stale per-period file survives; anything else in the folder is left alone."""
    listed = folder / "manifest.json"
    if not listed.is_file():
        return
    try:
        names = json.loads(listed.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError):
        return
    root = folder.resolve()
    for name in names:
        file = (folder / name).resolve()
        if file.is_relative_to(root) and file.is_file():
            file.unlink()
    listed.unlink()
    evidence = folder / EVIDENCE_DIR
    if evidence.is_dir() and not any(evidence.iterdir()):
        shutil.rmtree(evidence)


def export_unit(unit: Unit, period: Period | str | None = None, fmt: str | None = None, *,
                out: str | Path, force: bool = False) -> ExportResult:
    """Export ``unit`` (everything, or one ``period`` with the periods it contains) to ``out``.

    ``fmt`` is "dir", "zip", "xlsx" or "json"; by default it follows ``out``'s suffix. Raises
    ExportError for a bad period or an existing target (unless ``force``).
    """
    out = Path(out)
    fmt = fmt or format_of(out)
    if fmt not in FORMATS:
        raise ExportError(_("Format %(fmt)r tidak dikenal; pilih %(choices)s.")
                          % {"fmt": fmt, "choices": ", ".join(FORMATS)})
    if isinstance(period, str):
        period = resolve_period(period)
    check_target(out, fmt, force)
    if fmt == "dir":
        if force and out.is_dir():
            clear_previous(out)
        return export_dir(unit, period, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = {"zip": export_zip, "xlsx": export_xlsx, "json": export_json}[fmt]
    return writer(unit, period, out)


# -- streaming (the download of the responses as one CSV) -------------------------------------


class _Echo:
    def write(self, value):
        return value


def stream_responses_csv(unit: Unit, period: Period | None) -> Iterator[str]:
    """The unit's counted responses as CSV text, row by row, for a StreamingHttpResponse: one
    file with a ``periode`` column, importable as is when it covers one period."""
    codes = unsur_codes(unit, period)
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(response_header(codes))
    for row in response_rows(unit, period, codes):
        yield writer.writerow(row)
