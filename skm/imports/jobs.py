"""Imports started from the web UI: the upload, the column analysis, and the background run.

A file is uploaded once (:func:`store_upload`) into ``VAR_DIR/imports/<uuid>``, outside every
served folder; an :class:`~skm.imports.models.ImportJob` row follows it from there. The import
itself is :func:`skm.imports.importing.import_file`, run by :func:`start` in a daemon thread of
the web process that received the request, so the request returns at once and the page polls
the row for progress. A job therefore lives as long as that process: a job that shows no sign
of life for ``SKM_IMPORT_STALE_MINUTES`` is marked failed when its status is read
(:func:`expire_if_stale`).

Settings (Django settings first, then the environment): ``SKM_IMPORT_MAX_MB`` (default 200),
the largest upload; ``SKM_IMPORT_SYNC`` (tests) runs the job in the request itself;
``SKM_IMPORT_STALE_MINUTES`` (default 10).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from skm.surveys.recording import questionnaire_for
from skm.tabular.errors import SurveyFileError, column_letter
from skm.tabular.sources import EXCEL_SUFFIXES, open_source

from .importing import (
    ImportInvalid,
    ImportLayout,
    ImportRefused,
    import_file,
    load_mapping,
    write_errors_csv,
)
from .matching import PROFILE_TARGETS, Matcher
from .models import ImportJob

log = logging.getLogger(__name__)

SHOWN_ERRORS = 100  # bad cells shown on the page; the CSV download has every one
PREVIEW_ROWS = 5
PROGRESS_EVERY = 0.5  # seconds between two progress writes
KEEP_UNUSED = timedelta(days=1)  # an upload checked but not imported
_ALIVE: set[int] = set()  # jobs running in this process
ALLOWED_SUFFIXES = (".csv", ".txt", *EXCEL_SUFFIXES)


def _setting(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, default))


def max_bytes() -> int:
    """The largest upload, ``SKM_IMPORT_MAX_MB`` megabytes (survey files may be large)."""
    return int(float(_setting("SKM_IMPORT_MAX_MB", "200")) * 1024 * 1024)


def stale_after() -> timedelta:
    return timedelta(minutes=float(_setting("SKM_IMPORT_STALE_MINUTES", "10")))


def run_synchronously() -> bool:
    value = getattr(settings, "SKM_IMPORT_SYNC", None)
    if value is None:
        value = os.environ.get("SKM_IMPORT_SYNC", "") in ("1", "true", "yes")
    return bool(value)


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def errors_path(job: ImportJob) -> Path:
    """Every bad cell of the job's last run, as CSV (kept after the upload is deleted)."""
    return upload_dir() / f"job-{job.pk}-errors.csv"


def store_upload(upload) -> Path:
    """Write an uploaded file under a random name; the caller checked its size and suffix."""
    path = upload_dir() / uuid.uuid4().hex
    with open(path, "wb") as out:
        for block in upload.chunks():
            out.write(block)
    return path


def delete_upload(job: ImportJob) -> None:
    if job.file_path:
        Path(job.file_path).unlink(missing_ok=True)
        job.file_path = ""


def _source_path(job: ImportJob) -> Path:
    """The stored upload under a name with the original suffix: the readers choose CSV or
    Excel by it. A hard link, so nothing is copied."""
    suffix = Path(job.file_name).suffix.casefold()
    suffix = suffix if suffix in ALLOWED_SUFFIXES else ".csv"
    return Path(f"{job.file_path}-{uuid.uuid4().hex[:8]}{suffix}")


class _Linked:
    """The upload under its suffixed name for the duration of a ``with``."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.path = _source_path(job)

    def __enter__(self) -> Path:
        self.path.unlink(missing_ok=True)
        try:
            os.link(self.job.file_path, self.path)
        except OSError:  # a file system without hard links
            import shutil

            shutil.copyfile(self.job.file_path, self.path)
        return self.path

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _own_name(message: str, path: Path, job: ImportJob) -> str:
    """A message of the file readers names the stored file: name the upload instead."""
    return message.replace(str(path), job.file_name).replace(path.name, job.file_name)


# ---- the analysis: which column holds what, with a preview ------------------------------------


@dataclass
class Column:
    index: int
    header: str
    target: str  # "" = nothing (ignored)
    how: str  # "judul", "pemetaan", "jawaban" (by the answers' labels) or ""
    values: list[str] = field(default_factory=list)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Analysis:
    header_row: int
    columns: list[Column]
    targets: list[tuple[str, str]]  # (value, label) for the selects


def target_choices(unit) -> list[tuple[str, str]]:
    """What a column may hold: the unit's unsur, then the other columns, then nothing."""
    questionnaire = questionnaire_for(unit).to_engine()
    choices = [(u.code, f"{u.code} {u.name}") for u in questionnaire.unsur]
    labels = {"layanan": _("Layanan"), "submitted_at": _("Waktu pengisian"),
              "jenis_kelamin": _("Jenis kelamin"), "usia": _("Usia"),
              "pendidikan": _("Pendidikan"), "pekerjaan": _("Pekerjaan"),
              "saran": _("Saran")}
    choices += [(key, labels[key]) for key in ("layanan", "submitted_at", *PROFILE_TARGETS,
                                               "saran")]
    return choices


def analyse(job: ImportJob, mapping: dict | None = None) -> Analysis:
    """Each column of the file: its header, what it is matched to and its first values.

    Matching is the importer's own (:class:`~skm.imports.matching.Matcher`): ``mapping``
    first, then the header, then, for a column still unmatched, the labels of its answers.
    Raises :class:`SurveyFileError` for a file without a recognisable header row.
    """
    engine_q = questionnaire_for(job.unit).to_engine()
    plain = Matcher(engine_q)
    mapped = load_mapping(job.unit, mapping or None)
    matcher = Matcher(engine_q, mapped)
    with _Linked(job) as path:
        try:
            source = open_source(path, matcher.is_header)
        except SurveyFileError as exc:
            raise SurveyFileError(_own_name(exc.message, path, job)) from None
        try:
            cells = source.header.cells
            first = next(iter(source.chunks(ImportLayout(width=len(cells), unsur=[]))), None)
        finally:
            source.close()
    columns = []
    for index, header in enumerate(cells):
        values = first.columns.get(index, []) if first is not None else []
        target, how = "", ""
        if header and header.strip():
            auto = plain.target(header)
            target = matcher.target(header) or ""
            if target:
                how = "judul" if target == auto else "pemetaan"
            elif auto:
                how = "pemetaan"  # mapped to nothing on purpose
        columns.append(Column(index, header, target, how,
                              [v for v in values[:PREVIEW_ROWS]]))
    taken = {c.target for c in columns if c.target}
    free = [code for code in matcher.codes if code not in taken]
    for column in columns:
        if column.target or column.how or not free or first is None:
            continue
        code = matcher.by_labels(set(first.columns.get(column.index, [])[:500]), free)
        if code is not None:
            column.target, column.how = code, "jawaban"
            free.remove(code)
    return Analysis(source.header.row, columns, target_choices(job.unit))


# ---- the run ----------------------------------------------------------------------------------


class _Progress:
    """The ``progress`` callback of :func:`import_file`, written to the job row.

    The import runs in one transaction; a progress written on its connection would stay
    invisible to the polling page until the commit, and on PostgreSQL that connection is busy
    with the COPY of the rows, so it must never be used here. In a thread, a second thread (its
    own connection) writes the latest figures at most every ``PROGRESS_EVERY`` seconds; a write
    the database refuses (SQLite while the import holds the write lock) is simply skipped. Run
    synchronously (``SKM_IMPORT_SYNC``), there is nobody to show progress to: nothing is written
    until the outcome.
    """

    def __init__(self, job_id: int, threaded: bool):
        self.job_id = job_id
        self.threaded = threaded
        self.latest: tuple[int, float] | None = None
        self.stopped = threading.Event()
        self.thread = None
        if threaded:
            self.thread = threading.Thread(target=self._loop, daemon=True,
                                           name=f"import-progress-{job_id}")
            self.thread.start()

    def __call__(self, rows: int, fraction: float) -> None:
        self.latest = (rows, min(max(fraction, 0.0), 1.0))

    def _write(self) -> None:
        latest, self.latest = self.latest, None
        if latest is None:
            return
        try:
            ImportJob.objects.filter(pk=self.job_id).update(
                rows_done=latest[0], fraction=latest[1], updated=timezone.now())
        except DatabaseError:
            log.debug("import job %s: progress not written", self.job_id)

    def _loop(self) -> None:
        try:
            while not self.stopped.wait(PROGRESS_EVERY):
                self._write()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=30)


def _outcome_ok(result) -> dict:
    return {
        "kind": "ok", "rows": result.rows, "blank_rows": result.blank_rows,
        "duplicates": result.duplicates, "duplicate_rows": result.duplicate_rows,
        "duplicates_skipped": result.duplicates_skipped, "columns": result.columns,
        "per_layanan": sorted(result.per_layanan.items()), "format": result.format,
        "warnings": result.warnings, "seconds": round(result.seconds, 2),
        "batch": result.batch.pk if result.batch else None,
    }


def _outcome_invalid(job: ImportJob, exc: ImportInvalid) -> dict:
    with open(errors_path(job), "w", newline="", encoding="utf-8-sig") as handle:
        write_errors_csv(exc.errors, handle)
    return {
        "kind": "invalid", "message": exc.message, "total": exc.total,
        "errors": [{"row": e.row, "letter": column_letter(e.column_index), "column": e.column,
                    "value": e.value, "problem": e.problem}
                   for e in exc.errors[:SHOWN_ERRORS]],
    }


def _outcome_refused(exc: ImportRefused) -> dict:
    first = exc.first
    return {
        "kind": "refused", "message": exc.message,
        "first": None if first is None else {
            "created": first.created.isoformat(), "file_name": first.file_name,
            "rows": first.rows,
            "user": first.created_by.get_username() if first.created_by else "",
        },
    }


def run(job_id: int, threaded: bool = False) -> None:
    """Run a queued job to its end; the outcome is written to the row, never raised."""
    job = ImportJob.objects.select_related("unit", "user").get(pk=job_id)
    _ALIVE.add(job_id)
    try:
        _run(job, threaded)
    finally:
        _ALIVE.discard(job_id)


def _run(job: ImportJob, threaded: bool = False) -> None:
    job_id = job.pk
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING,
                                               updated=timezone.now())
    progress = _Progress(job_id, threaded)
    options = job.options
    status, outcome, errors = ImportJob.Status.FAILED, {}, 0
    path = None
    try:
        with _Linked(job) as path:
            result = import_file(
                path, job.unit, options["period"], file_name=job.file_name,
                layanan=options.get("layanan") or None, mapping=options.get("mapping") or None,
                skip_duplicates=bool(options.get("skip_duplicates")), dry_run=job.dry_run,
                user=job.user, progress=progress,
            )
        status, outcome = ImportJob.Status.DONE, _outcome_ok(result)
    except ImportInvalid as exc:
        outcome, errors = _outcome_invalid(job, exc), exc.total
    except ImportRefused as exc:
        outcome = _outcome_refused(exc)
    except SurveyFileError as exc:
        outcome = {"kind": "error", "message": _own_name(exc.message, path, job)}
    except Exception:  # the job must end, and say so, whatever happened
        log.exception("import job %s failed", job_id)
        outcome = {"kind": "error", "message": _("Kesalahan tak terduga saat mengimpor; "
                                                 "tidak ada yang diimpor.")}
    finally:
        progress.stop()
    if not job.dry_run:
        delete_upload(job)
    ImportJob.objects.filter(pk=job_id).update(
        status=status, result=outcome, error_count=errors, file_path=job.file_path,
        fraction=1.0 if status == ImportJob.Status.DONE else job.fraction,
        rows_done=outcome.get("rows", progress.latest[0] if progress.latest else 0),
        finished=timezone.now(), updated=timezone.now(),
    )


def _run_in_thread(job_id: int) -> None:
    try:
        run(job_id, threaded=True)
    except Exception:
        log.exception("import job %s crashed", job_id)
    finally:
        connection.close()


def start(job: ImportJob, dry_run: bool) -> None:
    """Queue ``job`` (a check when ``dry_run``) and run it in a daemon thread of this process,
    or right here with ``SKM_IMPORT_SYNC``."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED, dry_run=dry_run, rows_done=0, fraction=0.0, result={},
        error_count=0, finished=None, updated=timezone.now(), options=job.options,
    )
    errors_path(job).unlink(missing_ok=True)
    if run_synchronously():
        run(job.pk)
    else:
        threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True,
                         name=f"import-{job.pk}").start()
    job.refresh_from_db()


def sweep() -> int:
    """Delete uploads that were checked but never imported, a day after their last use (the
    page offers the import as long as the upload is kept). Returns how many."""
    old = (ImportJob.objects.exclude(file_path="")
           .exclude(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
           .filter(updated__lt=timezone.now() - KEEP_UNUSED))
    count = 0
    for job in old:
        delete_upload(job)
        job.save(update_fields=["file_path", "updated"])
        count += 1
    return count


def expire_if_stale(job: ImportJob) -> ImportJob:
    """A queued or running job without progress for a while died with its web process (a
    restart, a crash; a job alive in this process is never stale): mark it failed, so the
    page says so instead of waiting forever."""
    if job.active and job.pk not in _ALIVE and timezone.now() - job.updated > stale_after():
        job.status = ImportJob.Status.FAILED
        job.result = {"kind": "error", "message": _(
            "Impor terhenti (server dimulai ulang?); tidak ada yang diimpor. Unggah berkas "
            "itu lagi.")}
        job.finished = timezone.now()
        if not job.dry_run:
            delete_upload(job)
        job.save(update_fields=["status", "result", "finished", "file_path", "updated"])
    return job
