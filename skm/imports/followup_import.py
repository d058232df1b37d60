"""Loading what ``skm export`` wrote of a unit's follow-up into a unit of this installation.

For moving a unit to another installation (a kelurahan's laptop to the pemda's server): the
responses come back with ``skm import``, one ``responses-<PERIOD>.csv`` at a time; this brings
the rest: layanan, sections (penanggung jawab), population, RTL items, their realisasi, the
evidence files and the change history. See docs/export.md, "Moving a unit".

The source is the export's folder or ZIP. Every file used is first checked against the
SHA-256 in ``manifest.json``, so an export edited or damaged since is refused before anything
is read from it. All or nothing: one transaction, and the evidence files written so far are
removed if anything fails. An RTL item is checked by the same form as on the RTL page (its unsur
against this unit's questionnaire, its triwulan or months within its period), and every
evidence file again as an upload is (a real photo or PDF). Refused when this unit already has RTL
items in a period of the export: nothing is merged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skm.followup import evidence as evidence_files
from skm.followup.forms import RealisasiForm, RtlItemForm
from skm.followup.models import Evidence, FollowupChange, Realisasi, RtlItem
from skm.units.models import Layanan, Period, Population, Section, Unit
from skm.units.periods import parse_period

from .exporting import EXPORT_FORMAT, EXPORT_VERSION, TABLE_COLUMNS

MAX_ERRORS = 50


class FollowupImportError(Exception):
    """Nothing was written; ``problems`` says where (file, row, column) and what."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class FollowupImportResult:
    source_unit: str
    counts: dict = field(default_factory=dict)  # what was created, per table
    periods: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # evidence files the export itself lacked
    dry_run: bool = False


class _Export:
    """The export's files, from its folder or its ZIP, each checked against the manifest."""

    def __init__(self, source: Path):
        self.source = source
        try:
            self.zip = zipfile.ZipFile(source) if source.is_file() else None
        except zipfile.BadZipFile:
            raise FollowupImportError([_("Hanya ekspor berupa folder atau ZIP yang dapat "
                                         "dimuat (berkas dokumentasinya ada di sana).")]
                                      ) from None
        try:
            self.manifest = json.loads(self._raw("manifest.json"))
        except (KeyError, FileNotFoundError):
            raise FollowupImportError(
                [_("%(path)s bukan ekspor skm: manifest.json tidak ada.")
                 % {"path": source}]) from None
        except ValueError:
            raise FollowupImportError([_("manifest.json tidak dapat dibaca.")]) from None
        if (self.manifest.get("format"), self.manifest.get("version")) != (
                EXPORT_FORMAT, EXPORT_VERSION):
            raise FollowupImportError([_("manifest.json: bukan ekspor skm versi %(v)s.")
                                       % {"v": EXPORT_VERSION}])
        if self.manifest.get("export") not in ("dir", "zip"):
            raise FollowupImportError([_("Hanya ekspor berupa folder atau ZIP yang dapat "
                                         "dimuat (berkas dokumentasinya ada di sana).")])

    def _raw(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(name)
        path = self.source / PurePosixPath(name)
        if not path.resolve().is_relative_to(self.source.resolve()):
            raise FileNotFoundError(name)
        return path.read_bytes()

    def read(self, name: str) -> bytes:
        """The file's bytes, if they are what the manifest says."""
        expected = self.manifest.get("files", {}).get(name)
        if expected is None:
            raise FollowupImportError([_("%(name)s tidak tercantum di manifest.json.")
                                       % {"name": name}])
        try:
            data = self._raw(name)
        except (KeyError, FileNotFoundError):
            raise FollowupImportError([_("%(name)s tidak ada di ekspor.") % {"name": name}]
                                      ) from None
        if hashlib.sha256(data).hexdigest() != expected:
            raise FollowupImportError([
                _("%(name)s berbeda dengan yang tercatat di manifest.json (diubah atau rusak "
                  "setelah diekspor); tidak ada yang dimuat.") % {"name": name}])
        return data

    def rows(self, table: str) -> list[tuple[int, dict]]:
        """``[(row number as a spreadsheet shows it, {column: text})]``."""
        name = f"{table}.csv"
        text = self.read(name).decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in TABLE_COLUMNS[table] if c not in (reader.fieldnames or ())]
        if missing:
            raise FollowupImportError([_("%(name)s: kolom %(columns)s tidak ada.")
                                       % {"name": name, "columns": ", ".join(missing)}])
        return [(number, row) for number, row in enumerate(reader, start=2)]


class _Problems:
    def __init__(self):
        self.found: list[str] = []

    def when(self, table: str, row: int, column: str, text: str) -> datetime | None:
        try:
            return _when(text)
        except ValueError:
            self.add(table, row, column, _("Bukan waktu ISO 8601 (2024-09-17T08:00:00+07:00)."))
            return None

    def add(self, table: str, row: int | None, column: str | None, message: str) -> None:
        where = f"{table}.csv"
        if row is not None:
            where += _(", baris %(row)s") % {"row": row}
        if column:
            where += _(", kolom “%(column)s”") % {"column": column}
        if len(self.found) < MAX_ERRORS:
            self.found.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.found:
            raise FollowupImportError(self.found)


def _when(text: str) -> datetime | None:
    """An ISO 8601 time as the export writes it; ``ValueError`` if it is not one."""
    text = (text or "").strip()
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _form_errors(form) -> list[tuple[str, str]]:
    return [(name, message) for name, messages in form.errors.items() for message in messages]


#: the form's field -> the column of rtl.csv / realisasi.csv
RTL_COLUMNS = {"unsur_codes": "prioritas unsur", "program": "program", "quarters": "triwulan",
               "months": "bulan", "horizon": "jangka waktu", "section": "penanggung jawab",
               "target_indicator": "indikator target", "order": "urutan",
               "__all__": None}
REALISASI_COLUMNS = {"status": "status", "tanggal": "tanggal", "deskripsi": "deskripsi",
                     "hambatan": "hambatan", "__all__": None}


def import_followup(source: Path | str, unit: Unit, dry_run: bool = False
                    ) -> FollowupImportResult:
    """Load the export at ``source`` into ``unit``; :class:`FollowupImportError` if anything
    is wrong, and then nothing is written."""
    export = _Export(Path(source))
    result = FollowupImportResult(export.manifest.get("unit", {}).get("slug", ""),
                                  dry_run=dry_run)
    written: list[str] = []
    try:
        with transaction.atomic():
            _load(export, unit, result, written)
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        evidence_files.remove_files(written)
        raise
    if dry_run:
        evidence_files.remove_files(written)
    return result


def _load(export: _Export, unit: Unit, result: FollowupImportResult, written: list) -> None:
    problems = _Problems()
    tables = {name: export.rows(name) for name in TABLE_COLUMNS}
    periods: dict[str, Period] = {}

    def period_of(table, number, text) -> Period | None:
        text = (text or "").strip()
        if text not in periods:
            try:
                periods[text] = Period.get_or_create_code(parse_period(text).code)
            except ValueError as exc:
                problems.add(table, number, "periode", str(exc))
                return None
        return periods[text]

    # layanan and sections: the missing ones are made, the existing kept as they are
    layanan = {lay.slug: lay for lay in Layanan.objects.within([unit])}
    created = 0
    for number, row in tables["layanan"]:
        slug = row["slug"].strip()
        if slug and slug not in layanan:
            try:
                order = int(row["urutan"] or 0)
            except ValueError:
                problems.add("layanan", number, "urutan", _("Bukan bilangan bulat."))
                continue
            layanan[slug] = Layanan.objects.create(unit=unit, slug=slug, name=row["nama"],
                                                   active=row["aktif"] != "tidak", order=order)
            created += 1
    result.counts["layanan"] = created
    sections = {s.code: s for s in unit.sections.all()}
    created = 0
    for _number, row in tables["sections"]:
        code = row["kode"].strip()
        if code and code not in sections:
            sections[code] = Section.objects.create(unit=unit, code=code, name=row["nama"])
            created += 1
    result.counts["sections"] = created
    created = 0
    for number, row in tables["population"]:
        lay, period = layanan.get(row["layanan"]), period_of("population", number,
                                                             row["periode"])
        if lay is None:
            problems.add("population", number, "layanan", _("Layanan tidak ada di layanan.csv."))
            continue
        try:
            size = int(row["populasi"])
        except ValueError:
            problems.add("population", number, "populasi", _("Bukan bilangan bulat."))
            continue
        if period is not None:
            Population.objects.update_or_create(layanan=lay, period=period,
                                                defaults={"size": size})
            created += 1
    result.counts["population"] = created
    problems.raise_if_any()

    # RTL items: never into a period that has some already
    wanted = {row["periode"].strip() for _n, row in tables["rtl"]}
    for number, row in tables["rtl"]:
        period_of("rtl", number, row["periode"])
    problems.raise_if_any()
    taken = sorted(code for code in wanted if RtlItem.objects.filter(
        unit=unit, period=periods[code]).exists())
    if taken:
        raise FollowupImportError([
            _("%(unit)s sudah punya rencana tindak lanjut untuk %(periods)s; tindak lanjut "
              "hanya dimuat ke periode yang belum punya. Tidak ada yang dimuat.")
            % {"unit": unit.name, "periods": ", ".join(taken)}])
    items: dict[str, RtlItem] = {}
    stamps: list[tuple[RtlItem, datetime | None, datetime | None]] = []
    for number, row in tables["rtl"]:
        period = periods[row["periode"].strip()]
        section = sections.get(row["penanggung jawab"].strip())
        data = {"unsur_codes": _list(row["prioritas unsur"]), "program": row["program"],
                "quarters": _list(row["triwulan"]), "months": _list(row["bulan"]),
                "horizon": row["jangka waktu"], "section": str(section.pk) if section else "",
                "target_indicator": row["indikator target"], "order": row["urutan"]}
        form = RtlItemForm(data, unit=unit, period=period)
        if not form.is_valid():
            for name, message in _form_errors(form):
                problems.add("rtl", number, RTL_COLUMNS.get(name, name), message)
            continue
        item = form.save()
        stamps.append((item, problems.when("rtl", number, "dibuat", row["dibuat"]),
                       problems.when("rtl", number, "diubah", row["diubah"])))
        items[row["id"].strip()] = item
    problems.raise_if_any()
    result.periods = sorted(wanted)
    result.counts["rtl"] = len(items)

    def item_of(table, number, text) -> RtlItem | None:
        item = items.get((text or "").strip())
        if item is None:
            problems.add(table, number, "rtl", _("Tidak ada di rtl.csv."))
        return item

    done = {}
    for number, row in tables["realisasi"]:
        item = item_of("realisasi", number, row["rtl"])
        if item is None:
            continue
        form = RealisasiForm({"status": row["status"], "tanggal": row["tanggal"],
                              "deskripsi": row["deskripsi"], "hambatan": row["hambatan"]},
                             instance=Realisasi(item=item))
        if not form.is_valid():
            for name, message in _form_errors(form):
                problems.add("realisasi", number, REALISASI_COLUMNS.get(name, name), message)
            continue
        done[item.pk] = (form.save(), problems.when("realisasi", number, "diubah",
                                                     row["diubah"]))
    problems.raise_if_any()
    result.counts["realisasi"] = len(done)

    missing = set(export.manifest.get("missing") or [])
    count = 0
    for number, row in tables["evidence"]:
        item = item_of("evidence", number, row["rtl"])
        if item is None:
            continue
        name = row["berkas"].strip()
        if name in missing:
            result.missing.append(name)
            continue
        data = export.read(name)
        try:
            prepared = evidence_files.prepare(SimpleUploadedFile(row["nama asli"], data),
                                              unit.keep_photo_location)
        except ValidationError as exc:
            for message in exc.messages:
                problems.add("evidence", number, "berkas", message)
            continue
        realisasi = done[item.pk][0] if item.pk in done else None
        if realisasi is None:
            realisasi = Realisasi.objects.create(item=item)
            done[item.pk] = (realisasi, None)
        [saved] = _store(realisasi, prepared, row["keterangan"], written)
        uploaded = problems.when("evidence", number, "diunggah", row["diunggah"])
        if uploaded is not None:
            Evidence.objects.filter(pk=saved.pk).update(uploaded_at=uploaded)
        count += 1
    problems.raise_if_any()
    result.counts["evidence"] = count

    users = {u.get_username(): u for u in get_user_model().objects.filter(
        username__in={row["pengguna"] for _n, row in tables["history"] if row["pengguna"]})}
    actions = set(FollowupChange.Action.values)
    history = []
    for number, row in tables["history"]:
        item = item_of("history", number, row["rtl"])
        if item is None:
            continue
        if row["aksi"] not in actions:
            problems.add("history", number, "aksi", _("Aksi tidak dikenal."))
            continue
        at = problems.when("history", number, "waktu", row["waktu"])
        try:
            changes = json.loads(row["perubahan"] or "{}")
        except ValueError:
            problems.add("history", number, "perubahan", _("Bukan JSON."))
            continue
        history.append(FollowupChange(item=item, user=users.get(row["pengguna"]),
                                      at=at or timezone.now(), action=row["aksi"],
                                      changes=changes))
    problems.raise_if_any()
    FollowupChange.objects.bulk_create(history)  # the export's own, nothing written above
    result.counts["history"] = len(history)

    # the times the export recorded, not the time of loading
    for item, made, changed in stamps:
        RtlItem.objects.filter(pk=item.pk).update(created=made or item.created,
                                                  updated=changed or item.updated)
    for realisasi, changed in done.values():
        if changed is not None:
            Realisasi.objects.filter(pk=realisasi.pk).update(updated=changed)


def _store(realisasi: Realisasi, prepared, caption: str, written: list) -> list[Evidence]:
    saved = evidence_files.add_evidence(realisasi, [prepared], None, caption=caption.strip(),
                                        history=False)
    written.extend(name for e in saved for name in (e.file.name, e.thumbnail.name) if name)
    return saved

