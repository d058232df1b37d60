"""Import a survey file into a unit's responses: all or nothing, streaming, in bulk.

:func:`import_file` is the one entry point (the CLI ``skm import`` and the UI call it). It reads
the file in chunks through :mod:`skm.tabular` (CSV blocks or the calamine sheet), matches the
columns (:mod:`skm.imports.matching`), checks every cell, and inserts the responses in batches
inside one transaction, with the summary table (``TallyCell``) updated in that transaction from
counts aggregated over the whole file. Any bad cell: nothing is written and
:class:`ImportInvalid` lists every bad cell with its row and column.

Never more than one chunk of rows (about 20,000) is held as Python objects, so a file of a
million rows takes little memory. On PostgreSQL the rows go in with ``COPY``.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skm.formatting import integer_id
from skm.results import summary
from skm.surveys.models import SLOTS, Response
from skm.surveys.recording import SARAN_MAX, questionnaire_for
from skm.tabular.errors import CellError, SurveyFileError, column_letter
from skm.tabular.sources import EXCEL_SUFFIXES, open_source
from skm.units.models import Period, Unit

from .matching import PROFILE_TARGETS, Matcher, header_key, parse_timestamp, profile_value
from .models import ColumnMapping, ImportBatch

MAX_ERRORS_KEPT = 200_000  # beyond this only the count grows (the file is plainly wrong)
SHOWN_DUPLICATES = 20
INSERT_BATCH = 5_000
BAD = object()  # parsed value of a bad cell
STOP_WORDS = ("jumlah", "nilai", "nrr", "ikm", "total", "rata rata", "rata2", "mutu",
              "kinerja", "sigma")
PROFILE_COLUMNS = {"jenis_kelamin": "gender", "usia": "age", "pendidikan": "education",
                   "pekerjaan": "occupation"}

Progress = Callable[[int, float], None]  # (rows read so far, fraction of the file read)


class ImportInvalid(SurveyFileError):
    """The file cannot be imported: ``errors`` holds every bad cell (up to 200,000)."""


class ImportRefused(SurveyFileError):
    """The same file was imported before for this unit."""

    def __init__(self, message: str, first: ImportBatch):
        super().__init__(message)
        self.first = first


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    format: str
    rows: int  # responses imported (or, in a dry run, that would be)
    blank_rows: int  # rows without any answer, skipped as skm compute skips them
    duplicates: int  # rows equal to a response already stored (see docs/import.md)
    duplicate_rows: list[int]  # the first of them, as row numbers of the file
    duplicates_skipped: bool
    columns: dict[str, str]  # target -> header as found
    per_layanan: Counter
    dry_run: bool
    batch: ImportBatch | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    insert_method: str = ""  # executemany, copy-checked, copy-locked (see docs/import.md)


@dataclass
class ImportLayout:
    """Which column holds what; ``needed`` is every column, so answers can name a column."""

    width: int
    unsur: list[tuple[str, int]]
    layanan: int | None = None
    profile: dict[str, int] = field(default_factory=dict)
    submitted_at: int | None = None
    saran: int | None = None
    countable = False  # rows are wanted, not the numpy counts of skm compute

    @property
    def needed(self) -> list[int]:
        return list(range(self.width))


class _Cache(dict):
    """raw text -> parsed value, computed once per distinct text."""

    def __init__(self, parse):
        super().__init__()
        self.parse = parse

    def __missing__(self, raw):
        value = self[raw] = self.parse(raw)
        return value


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def load_mapping(unit: Unit, mapping) -> dict[str, str]:
    """A saved mapping by name, or a dict given directly; keys normalised as headers."""
    if mapping is None:
        return {}
    if isinstance(mapping, str):
        saved = ColumnMapping.objects.filter(unit=unit, name=mapping).first()
        if saved is None:
            raise SurveyFileError(
                _("Pemetaan kolom %(name)r tidak ada untuk unit ini.") % {"name": mapping}
            )
        mapping = saved.mapping
    return {header_key(k).replace(" ", ""): (v or "") for k, v in mapping.items()}


def save_mapping(unit: Unit, name: str, mapping: dict[str, str]) -> ColumnMapping:
    """Store (or replace) a named mapping ``{header: target}`` for later imports."""
    obj, _created = ColumnMapping.objects.update_or_create(
        unit=unit, name=name, defaults={"mapping": dict(mapping)}
    )
    return obj


def _display(header: str) -> str:
    text = " ".join(str(header).split())
    return text if len(text) <= 60 else text[:57] + "..."


def find_layout(header_cells: list[str], matcher: Matcher, name: str) -> ImportLayout:
    layout = ImportLayout(width=len(header_cells), unsur=[])
    seen: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        target = matcher.target(cell) if cell and cell.strip() else None
        if target is None:
            continue
        if target in seen:
            if target in ("submitted_at", "saran"):
                continue  # a second date or comment column: the first one is used
            raise SurveyFileError(
                _("%(file)s: kolom %(target)s muncul dua kali (%(a)s dan %(b)s).")
                % {"file": name, "target": target, "a": column_letter(seen[target]),
                   "b": column_letter(index)}
            )
        seen[target] = index
        if target in matcher.codes:
            layout.unsur.append((target, index))
        elif target in PROFILE_TARGETS:
            layout.profile[target] = index
        elif target in ("layanan", "submitted_at", "saran"):
            setattr(layout, target, index)
        else:
            raise SurveyFileError(
                _("%(file)s: pemetaan kolom menyebut %(target)r, yang tidak dikenal.")
                % {"file": name, "target": target}
            )
    return layout


def _is_stop(raw: str) -> bool:
    """The totals below the respondent rows of the processing form (ΣNilai/Unsur, NRR, IKM)."""
    text = raw.strip()
    if not text:
        return False
    if text[0] in "Σ∑*":
        return True
    key = " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())
    return key.startswith(STOP_WORDS)


class _Importer:
    def __init__(self, path: Path, unit: Unit, period: Period, *, file_name: str,
                 layanan: str | None, mapping, skip_duplicates: bool, dry_run: bool,
                 user, progress: Progress | None):
        self.path = path
        self.unit = unit
        self.period = period
        self.file_name = file_name
        self.skip_duplicates = skip_duplicates
        self.dry_run = dry_run
        self.user = user
        self.progress = progress
        self.version = questionnaire_for(unit)
        self.questionnaire = self.version.to_engine()
        self.slot_of = {code: slot for slot, code in self.version.slot_codes().items()}
        self.matcher = Matcher(self.questionnaire, load_mapping(unit, mapping))
        self.tz = timezone.get_current_timezone()
        self.layanan_ids = {}
        self.layanan_names = {}
        for lay in unit.layanan.all():
            self.layanan_names[lay.id] = lay.name
            for text in (lay.name, lay.slug):
                self.layanan_ids[" ".join(text.split()).casefold()] = lay.id
        self.default_layanan = None
        if layanan:
            self.default_layanan = self.layanan_ids.get(" ".join(layanan.split()).casefold())
            if self.default_layanan is None:
                raise SurveyFileError(
                    _("Layanan %(name)r tidak ada di unit %(unit)s; pilih salah satu: "
                      "%(choices)s.")
                    % {"name": layanan, "unit": unit.name,
                       "choices": ", ".join(sorted(self.layanan_names.values()))}
                )
        self.errors: list[CellError] = []
        self.bad_total = 0
        self.rows = 0
        self.blank_rows = 0
        self.read_rows = 0
        self.duplicates = 0
        self.duplicate_rows: list[int] = []
        self.per_layanan: Counter = Counter()
        self.tally: Counter = Counter()
        self.stopped = False
        self.format = "xlsx" if path.suffix.casefold() in EXCEL_SUFFIXES else "csv"
        self.batch = None
        self.existing: Counter | None = None
        self.problems: dict[tuple[str, str], str] = {}
        self.day_first = True
        self.insert_method = ""

    # -- setup -------------------------------------------------------------------------------

    def open(self):
        self.source = open_source(self.path, self.matcher.is_header)
        self.header = self.source.header
        self.layout = find_layout(self.header.cells, self.matcher, self.file_name)
        if self.layout.submitted_at is not None:
            key = header_key(self.header.cells[self.layout.submitted_at])
            if key.startswith(("timestamp", "cap waktu", "stempel waktu")):
                self.format = "google-forms"
            self.day_first = not key.startswith("timestamp")
        if self.layout.layanan is None and self.default_layanan is None:
            raise SurveyFileError(
                _("%(file)s: tidak ada kolom layanan; sebutkan layanan untuk seluruh berkas "
                  "(--layanan).") % {"file": self.file_name}
            )
        start, end = self.period.start, self.period.end
        noon = datetime(end.year, end.month, end.day, 12, tzinfo=self.tz)
        self.default_time = min(noon, timezone.now())
        self.start, self.end = start, end

    def _columns_by_labels(self, chunk) -> None:
        """Columns with no header match whose answers are one unsur's four labels."""
        layout = self.layout
        used = {i for _, i in layout.unsur} | set(layout.profile.values())
        used |= {i for i in (layout.layanan, layout.submitted_at, layout.saran) if i is not None}
        for index in range(layout.width):
            if index in used:
                continue
            free = [c for c in self.matcher.codes if c not in {c for c, _i in layout.unsur}]
            if not free:
                break
            code = self.matcher.by_labels(set(chunk.columns[index][:500]), free)
            if code is not None:
                layout.unsur.append((code, index))
        order = {c: i for i, c in enumerate(self.matcher.codes)}
        layout.unsur.sort(key=lambda pair: order[pair[0]])
        used |= {i for _, i in layout.unsur}
        first_unsur = min((i for _, i in layout.unsur), default=0)
        self.unmatched_before = [i for i in range(first_unsur) if i not in used]
        if not layout.unsur:
            raise SurveyFileError(
                _("%(file)s: tidak ada kolom unsur (%(codes)s) yang dikenali pada baris judul "
                  "(baris %(row)s).")
                % {"file": self.file_name, "codes": ", ".join(self.matcher.codes),
                   "row": self.header.row}
            )

    def _load_existing(self) -> None:
        """The stored responses of this unit and period, as duplicate keys (a multiset)."""
        stored = Response.objects.within([self.unit]).filter(period=self.period)
        if not stored.exists():
            return
        slots = [self.slot_of[code] for code, _i in self.layout.unsur]
        fields = ["layanan_id", *slots, "gender", "age", "education", "occupation"]
        if self.layout.submitted_at is not None:
            fields.append("submitted_at")
        # hashes, not tuples: a period of a million stored responses stays under 100 MB
        # (a false match needs two 64-bit hashes to collide)
        self.existing = Counter(map(hash, stored.filter(questionnaire=self.version)
                                    .values_list(*fields).order_by().iterator(chunk_size=20_000)))

    # -- cells -------------------------------------------------------------------------------

    def _error(self, row: int, index: int, raw: str, problem: str) -> None:
        self.bad_total += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            column = _display(self.header.cells[index])
            self.errors.append(CellError(row, index, column, raw, problem))

    def _check(self, values, col, rows, index, problem_of) -> None:
        if BAD not in values:
            return
        for position in compress(range(len(values)), (v is BAD for v in values)):
            raw = col[position]
            self._error(rows[position], index, raw, problem_of(raw))

    def _answer_parser(self, code):
        def parse(raw):
            value = self.matcher.answer(code, raw)
            if value is None:
                return BAD
            return value or None

        return parse

    def _layanan_parser(self, raw):
        text = " ".join(raw.split()).casefold()
        if not text:
            return self.default_layanan if self.default_layanan is not None else BAD
        return self.layanan_ids.get(text, BAD)

    def _layanan_problem(self, raw):
        if not raw.strip():
            return _("layanan kosong")
        return _("layanan %(name)r tidak ada di unit ini (ada: %(choices)s)") % {
            "name": raw.strip(), "choices": ", ".join(sorted(self.layanan_names.values()))}

    def _profile_parser(self, target):
        def parse(raw):
            value, problem = profile_value(target, raw)
            if problem:
                self.problems[(target, raw)] = problem
                return BAD
            if target == "usia" and value is not None and not 10 <= value <= 120:
                self.problems[(target, raw)] = _("usia di luar 10-120 tahun")
                return BAD
            return value

        return parse

    def _time_parser(self, raw):
        if not raw.strip():
            return self.default_time
        value = parse_timestamp(raw, self.tz, self.day_first)
        if value is None:
            self.problems[("submitted_at", raw)] = _("tanggal/waktu tidak terbaca")
            return BAD
        day = timezone.localtime(value, self.tz).date()
        if not self.start <= day <= self.end:
            self.problems[("submitted_at", raw)] = _(
                "tanggal %(day)s di luar periode %(period)s (%(start)s - %(end)s)"
            ) % {"day": day.isoformat(), "period": self.period.code,
                 "start": self.start.isoformat(), "end": self.end.isoformat()}
            return BAD
        return value

    # -- chunks ------------------------------------------------------------------------------

    def run(self, writer) -> None:
        layout = self.layout
        answer_caches = {code: _Cache(self._answer_parser(code)) for code, _i in layout.unsur}
        first = True
        for chunk in self.source.chunks(layout):
            if first:
                self._columns_by_labels(chunk)
                answer_caches = {code: _Cache(self._answer_parser(code))
                                 for code, _i in layout.unsur}
                self._load_existing()
                first = False
            self._chunk(chunk, answer_caches, writer)
            if self.progress:
                self.progress(self.read_rows, self.source.fraction())
            if self.stopped:
                break
        if first:
            raise SurveyFileError(
                _("%(file)s: tidak ada baris data di bawah baris judul (baris %(row)s).")
                % {"file": self.file_name, "row": self.header.row}
            )

    def _chunk(self, chunk, answer_caches, writer) -> None:
        layout = self.layout
        size = chunk.size
        rows = [chunk.row_number(i) for i in range(size)]
        columns = chunk.columns
        # the totals under the processing form end the respondent rows
        for index in self.unmatched_before:
            col = columns[index]
            stops = {raw for raw in set(col) if _is_stop(raw)}
            if stops:
                end = next(p for p, raw in enumerate(col) if raw in stops)
                size = end
                rows = rows[:end]
                columns = {i: c[:end] for i, c in columns.items()}
                self.stopped = True
                self.format = "form-pengolahan"
                break
        self.read_rows += size
        if not size:
            return
        answers = {}
        for code, index in layout.unsur:
            answers[code] = list(map(answer_caches[code].__getitem__, columns[index]))
        # rows without any answer are skipped, as skm compute skips them
        keep = list(map(any, zip(*answers.values(), strict=True)))
        if not all(keep):
            self.blank_rows += size - sum(keep)
            rows = list(compress(rows, keep))
            columns = {i: list(compress(c, keep)) for i, c in columns.items()}
            answers = {code: list(compress(v, keep)) for code, v in answers.items()}
            size = len(rows)
            if not size:
                return
        for code, index in layout.unsur:
            self._check(answers[code], columns[index], rows, index,
                        lambda raw, code=code: _("nilai %(value)r bukan jawaban 1-4 untuk "
                                                 "%(code)s") % {"value": raw.strip()[:40],
                                                                "code": code})
        if layout.layanan is not None:
            lcol = columns[layout.layanan]
            lids = list(map(self._layanan_cache.__getitem__, lcol))
            self._check(lids, lcol, rows, layout.layanan, self._layanan_problem)
        else:
            lids = [self.default_layanan] * size
        profile = {}
        for target, column in PROFILE_COLUMNS.items():
            index = layout.profile.get(target)
            if index is None:
                profile[column] = [None if target == "usia" else ""] * size
                continue
            col = columns[index]
            values = list(map(self._profile_caches[target].__getitem__, col))
            self._check(values, col, rows, index,
                        lambda raw, t=target: self.problems.get((t, raw), _("tidak dikenali")))
            profile[column] = values
        if layout.submitted_at is not None:
            col = columns[layout.submitted_at]
            if len(self._time_cache) > 100_000:  # distinct to the second: do not keep them all
                self._time_cache.clear()
            times = list(map(self._time_cache.__getitem__, col))
            self._check(times, col, rows, layout.submitted_at,
                        lambda raw: self.problems.get(("submitted_at", raw), ""))
        else:
            times = [self.default_time] * size
        if layout.saran is not None:
            # PostgreSQL text cannot hold NUL: drop it, as the form does
            saran = [raw.replace("\x00", "").strip() for raw in columns[layout.saran]]
            if max(map(len, saran)) > SARAN_MAX:
                marked = [BAD if len(s) > SARAN_MAX else s for s in saran]
                self._check(marked, saran, rows, layout.saran,
                            lambda raw: _("saran paling banyak %(n)s huruf") % {"n": SARAN_MAX})
        else:
            saran = [""] * size
        if self.bad_total:
            return  # keep checking the rest of the file, write nothing more
        ordered = [answers[code] for code, _i in layout.unsur]
        if self.existing:
            keep = self._duplicates(rows, lids, ordered, profile, times)
            if keep is not None:
                rows = list(compress(rows, keep))
                lids = list(compress(lids, keep))
                ordered = [list(compress(v, keep)) for v in ordered]
                profile = {k: list(compress(v, keep)) for k, v in profile.items()}
                times = list(compress(times, keep))
                saran = list(compress(saran, keep))
                size = len(rows)
        self.rows += size
        self._count(lids, ordered, profile)
        if writer is not None and size:
            writer.write(lids, ordered, profile, times, saran)

    def _duplicates(self, rows, lids, ordered, profile, times):
        parts = [lids, *ordered, *(profile[c] for c in PROFILE_COLUMNS.values())]
        if self.layout.submitted_at is not None:
            parts.append(times)
        keep = None
        existing = self.existing
        for position, key in enumerate(map(hash, zip(*parts, strict=True))):
            if existing.get(key, 0) > 0:
                existing[key] -= 1
                self.duplicates += 1
                if len(self.duplicate_rows) < SHOWN_DUPLICATES:
                    self.duplicate_rows.append(rows[position])
                if self.skip_duplicates:
                    if keep is None:
                        keep = [True] * len(rows)
                    keep[position] = False
        return keep

    def _count(self, lids, ordered, profile) -> None:
        tally = self.tally
        for lid, n in Counter(lids).items():
            tally[(lid, "n", "")] += n
            self.per_layanan[self.layanan_names[lid]] += n
        for (code, _i), values in zip(self.layout.unsur, ordered, strict=True):
            slot = self.slot_of[code]
            for (lid, value), n in Counter(zip(lids, values, strict=True)).items():
                if value is not None:
                    tally[(lid, slot, str(value))] += n
        for column, values in profile.items():
            if column == "age":
                groups = {}
                for (lid, age), n in Counter(zip(lids, values, strict=True)).items():
                    value = summary.age_value(age)
                    groups[(lid, value)] = groups.get((lid, value), 0) + n
                for (lid, value), n in groups.items():
                    tally[(lid, "age", value)] += n
            else:
                for (lid, value), n in Counter(zip(lids, values, strict=True)).items():
                    tally[(lid, column, value or "")] += n

    def prepare_caches(self) -> None:
        self._layanan_cache = _Cache(self._layanan_parser)
        self._profile_caches = {t: _Cache(self._profile_parser(t)) for t in PROFILE_COLUMNS}
        self._time_cache = _Cache(self._time_parser)


class _Writer:
    """Inserts rows in batches: COPY on PostgreSQL, ``executemany`` elsewhere."""

    def __init__(self, importer: _Importer, method: str | None = None):
        self.importer = importer
        self.vendor = connection.vendor
        self.method = method or ("copy" if self.vendor == "postgresql" else "executemany")
        self.table = connection.ops.quote_name(Response._meta.db_table)
        batch_id = importer.batch.pk if importer.batch else None
        user_id = importer.user.pk if importer.user else None
        self.constant = [importer.unit.pk, importer.period.pk, importer.version.pk, "import",
                         user_id, batch_id]
        self.time_text = _Cache(self._time_text)
        self.text = _Cache(lambda v: "\\N" if v is None else str(v))
        self.columns = None
        self._open_copy = None
        # any other field of Response gets its default, so a field added later does not
        # break the raw insert
        named = {"unit_id", "period_id", "questionnaire_id", "source", "entered_by_id",
                 "batch_id", "layanan_id", "gender", "age", "education", "occupation",
                 "submitted_at", "saran", *SLOTS}
        self.others = [
            f.column for f in Response._meta.concrete_fields
            if not f.primary_key and f.column not in named
        ]
        for f in Response._meta.concrete_fields:
            if f.column in self.others:
                self.constant.append(f.get_db_prep_save(f.get_default(), connection))

    def _columns(self):
        """The columns, once the unsur columns are known (after the first chunk)."""
        slots = [self.importer.slot_of[code] for code, _i in self.importer.layout.unsur]
        return ["unit_id", "period_id", "questionnaire_id", "source", "entered_by_id",
                "batch_id", *self.others, "layanan_id", *slots, "gender", "age", "education",
                "occupation", "submitted_at", "saran"]

    def _time_text(self, value):
        if self.method.startswith("copy"):
            return value.isoformat()
        return connection.ops.adapt_datetimefield_value(value)

    def write(self, lids, ordered, profile, times, saran) -> None:
        if self.columns is None:
            self.columns = self._columns()
        size = len(lids)
        if len(self.time_text) > 100_000:
            self.time_text.clear()
        times = list(map(self.time_text.__getitem__, times))
        variable = [lids, *ordered, profile["gender"], profile["age"], profile["education"],
                    profile["occupation"], times, saran]
        if self.method.startswith("copy"):
            self._copy(size, variable)
            return
        constant = [[value] * size for value in self.constant]
        rows = list(zip(*constant, *variable, strict=True))
        placeholders = ", ".join(["%s"] * len(self.columns))
        sql = (f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
               f"VALUES ({placeholders})")
        with connection.cursor() as cursor:
            for start in range(0, size, INSERT_BATCH):
                cursor.executemany(sql, rows[start : start + INSERT_BATCH])

    def _copy(self, size, variable) -> None:
        """Rows as COPY text, into one COPY kept open for the whole file: the server stores a
        chunk (and checks its foreign keys) while the next one is parsed."""
        if self._open_copy is None:
            self._open_copy = self._start_copy()
        text = self.text.__getitem__
        prefix = "\t".join("\\N" if v is None else str(v) for v in self.constant) + "\t"
        lids, *rest = variable
        parts = [list(map(text, values)) for values in (lids, *rest[:-2])]
        parts.append(rest[-2])  # times, already text
        parts.append([v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                      .replace("\r", "\\r") if v else v for v in rest[-1]])
        lines = map("\t".join, zip(*parts, strict=True))
        self._open_copy.write(prefix + ("\n" + prefix).join(lines) + "\n")

    def _start_copy(self):
        from psycopg.copy import QueuedLibpqWriter

        self._stack = ExitStack()
        cursor = self._stack.enter_context(connection.cursor())
        if self.method != "copy-checked" and may_skip_triggers(cursor):
            self._skip_triggers(cursor)
        else:
            self.method = "copy-checked"
            # checked as rows arrive rather than all at COMMIT: the same work, done while the
            # client parses the next chunk, and no queue of a million deferred trigger events
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        raw = cursor.cursor
        sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        return self._stack.enter_context(raw.copy(sql, writer=QueuedLibpqWriter(raw)))

    def _skip_triggers(self, cursor) -> None:
        """Skip PostgreSQL's per-row foreign key checks for the COPY (two thirds of the
        server's work) with the same guarantee: every referenced row exists (the importer read
        them or created them) and is locked FOR KEY SHARE, as each check would have locked it,
        so nothing can delete it before the commit. Needs :func:`may_skip_triggers`."""
        importer = self.importer
        locks = [("units_unit", "id", importer.unit.pk), ("units_period", "id",
                 importer.period.pk), ("surveys_questionnaireversion", "id",
                 importer.version.pk), ("units_layanan", "unit_id", importer.unit.pk),
                 ("imports_importbatch", "id", importer.batch.pk)]
        if importer.user is not None:
            locks.append((importer.user._meta.db_table, "id", importer.user.pk))
        for table, column, value in locks:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} "
                           f"WHERE {column} = %s FOR KEY SHARE", [value])
        cursor.execute("SET LOCAL session_replication_role = replica")
        self.method = "copy-locked"

    def close(self, failed: bool = False) -> None:
        """End the open COPY (sending its last rows, or aborting it when ``failed``)."""
        if self._open_copy is not None:
            self._open_copy = None
            if failed:
                self._stack.__exit__(RuntimeError, RuntimeError("import failed"), None)
            else:
                self._stack.close()
            if self.method == "copy-locked" and not failed:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = origin")


def may_skip_triggers(cursor) -> bool:
    """Whether this connection may ``SET session_replication_role``: a superuser, or, from
    PostgreSQL 15, a role granted it (``GRANT SET ON PARAMETER session_replication_role TO
    skm``; docs/import.md)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        return True
    if connection.pg_version < 150000:
        return False
    cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return bool(cursor.fetchone()[0])


def _result(importer: _Importer, sha: str, started: float) -> ImportResult:
    layout = importer.layout
    columns = {code: importer.header.cells[i] for code, i in layout.unsur}
    for target, index in (("layanan", layout.layanan), ("submitted_at", layout.submitted_at),
                          ("saran", layout.saran), *layout.profile.items()):
        if index is not None:
            columns[target] = importer.header.cells[index]
    warnings = []
    missing = [c for c in importer.matcher.codes if c not in columns]
    if missing:
        warnings.append(_("Kolom %(codes)s tidak ada; unsur itu dianggap tidak dijawab.")
                        % {"codes": ", ".join(missing)})
    if importer.blank_rows:
        warnings.append(_("%(n)s baris tanpa jawaban unsur dilewati.")
                        % {"n": importer.blank_rows})
    return ImportResult(
        file_name=importer.file_name, sha256=sha, format=importer.format, rows=importer.rows,
        blank_rows=importer.blank_rows, duplicates=importer.duplicates,
        duplicate_rows=importer.duplicate_rows, duplicates_skipped=importer.skip_duplicates,
        columns=columns, per_layanan=importer.per_layanan, dry_run=importer.dry_run,
        batch=importer.batch, warnings=warnings, seconds=time.perf_counter() - started,
        insert_method=importer.insert_method,
    )


def import_file(
    file: str | Path | bytes,
    unit: Unit,
    period: Period | str,
    *,
    file_name: str | None = None,
    layanan: str | None = None,
    mapping: str | dict | None = None,
    skip_duplicates: bool = False,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
    method: str | None = None,
) -> ImportResult:
    """Import ``file`` (a path, or the bytes of an upload with ``file_name``) into ``unit``.

    ``period`` is a Period or its code (created if missing). ``layanan`` (name or slug) is the
    layanan for rows without one; ``mapping`` a saved mapping's name or ``{header: target}``.
    Raises :class:`ImportRefused` for a file imported before, :class:`ImportInvalid` with every
    bad cell, :class:`SurveyFileError` for a file that cannot be read; in each case nothing is
    written. ``progress(rows, fraction)`` is called after each chunk.
    """
    started = time.perf_counter()
    if isinstance(period, str):
        try:
            period = Period.get_or_create_code(period)
        except ValueError as exc:
            raise SurveyFileError(str(exc)) from None
    temp = None
    if isinstance(file, (bytes, bytearray)):
        # under the upload's own name, so that messages name the file the user sent
        name = Path(file_name or "unggahan.csv").name or "unggahan.csv"
        if not Path(name).suffix:
            name += ".csv"
        temp = Path(tempfile.mkdtemp()) / name
        temp.write_bytes(file)
        path = temp
    else:
        path = Path(file)
        if not path.is_file():
            raise SurveyFileError(_("%(path)s: berkas tidak ditemukan.") % {"path": path})
    file_name = file_name or path.name
    gc_was_enabled = gc.isenabled()
    gc.disable()  # chunks are lists of strings: no cycles, only time to lose
    try:
        sha = sha256_of(path)
        first = ImportBatch.objects.filter(unit=unit, sha256=sha).first()
        if first is not None:
            raise _refused(first, file_name)
        importer = _Importer(
            path, unit, period, file_name=file_name, layanan=layanan, mapping=mapping,
            skip_duplicates=skip_duplicates, dry_run=dry_run, user=user, progress=progress,
        )
        importer.open()
        importer.prepare_caches()
        try:
            if dry_run:
                importer.run(None)
                _raise_if_invalid(importer)
                return _result(importer, sha, started)
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        importer.batch = ImportBatch.objects.create(
                            unit=unit, period=period, sha256=sha, file_name=file_name[:255],
                            source=importer.format, created_by=user,
                        )
                except IntegrityError:
                    raise _refused(
                        ImportBatch.objects.filter(unit=unit, sha256=sha).first(), file_name
                    ) from None
                writer = _Writer(importer, method)
                try:
                    importer.run(writer)
                except BaseException:
                    writer.close(failed=True)
                    raise
                writer.close(failed=bool(importer.bad_total))
                importer.insert_method = writer.method
                _raise_if_invalid(importer)
                keys = Counter({
                    (unit.pk, period.pk, lid, importer.version.pk, dimension, value): n
                    for (lid, dimension, value), n in importer.tally.items()
                })
                summary.apply_counts(keys)
                importer.batch.rows = importer.rows
                importer.batch.source = importer.format
                importer.batch.save(update_fields=["rows", "source"])
            return _result(importer, sha, started)
        finally:
            importer.source.close()
    finally:
        if gc_was_enabled:
            gc.enable()
        if temp:
            shutil.rmtree(temp.parent, ignore_errors=True)


def _refused(first: ImportBatch | None, file_name: str) -> ImportRefused:
    from skm.followup.services import tanggal_id

    when = tanggal_id(timezone.localtime(first.created).date()) if first else "?"
    return ImportRefused(
        _("%(file)s: berkas yang sama persis sudah diimpor untuk unit ini pada %(date)s "
          "(%(name)s, %(rows)s baris); tidak ada yang diimpor.")
        % {"file": file_name, "date": when, "name": first.file_name if first else "?",
           "rows": integer_id(first.rows) if first else "?"},
        first,
    )


def _raise_if_invalid(importer: _Importer) -> None:
    if not importer.bad_total:
        return
    importer.errors.sort()
    raise ImportInvalid(
        _("%(file)s: %(n)s sel tidak valid; tidak ada yang diimpor.")
        % {"file": importer.file_name, "n": importer.bad_total},
        importer.errors,
        importer.bad_total,
    )


def write_errors_csv(errors, handle) -> None:
    """Every bad cell as CSV: baris, kolom (letter), judul kolom, nilai, masalah."""
    writer = csv.writer(handle)
    writer.writerow(["baris", "kolom", "judul_kolom", "nilai", "masalah"])
    for e in errors:
        writer.writerow([e.row, column_letter(e.column_index), e.column, e.value, e.problem])
