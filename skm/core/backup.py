"""Backup and restore of the database and the uploaded files (``skm backup``, ``skm restore``).

The format is database-neutral on purpose: one JSON-lines file per model (Django's ``jsonl``
serializer), so a backup taken from SQLite restores into PostgreSQL and back. An engine's own
tool (SQLite's online backup API, ``pg_dump``) would be faster but gives a file only that engine
reads, and would need two restore paths; moving a kelurahan's laptop install onto the province's
PostgreSQL is exactly the move a backup must allow.

- The dump is read inside one snapshot (PostgreSQL: REPEATABLE READ READ ONLY; SQLite: a
  DEFERRED read transaction, which in WAL mode never blocks the kiosks that keep writing).
- Primary keys are kept, so every foreign key stays as it was. Only references to content types
  and permissions use natural keys: ``migrate`` creates those rows itself, with ids that may
  differ between databases.
- ``manifest.json`` holds the format, the skm version, the time, the applied migrations, the row
  count of every model and the SHA-256 and size of every other file in the backup.
- Restore checks every hash first, loads every row in one transaction (constraints are checked
  at commit), checks the counts and the summary table, and only then swaps in the media files
  that were unpacked beside ``MEDIA_ROOT``. Anything wrong before the commit changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.jsonl import Serializer as JsonlSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from skm import __version__
from skm.core import configcache

FORMAT = "skm-backup/1"
MANIFEST = "manifest.json"
#: rows the database makes itself (migrate) or that are not worth keeping (sessions)
EXCLUDED = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})
#: references to these models are written as natural keys
NATURAL = (ContentType, Permission)
CHUNK = 2000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (Indonesian, for the CLI)."""


# -- what is backed up ----------------------------------------------------------------------------


def backup_models() -> list:
    """Every concrete model with rows of its own, in app registry order (stable)."""
    return [
        m for m in apps.get_models()
        if m._meta.label_lower not in EXCLUDED and m._meta.managed and not m._meta.proxy
    ]


def model_tables(models) -> list[str]:
    """The tables of these models and of their auto-created many-to-many tables."""
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                tables.append(m2m.remote_field.through._meta.db_table)
    return tables


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.using(using).count() for m in backup_models()}


def is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    return not any(m._base_manager.using(using).exists() for m in backup_models())


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[Path]:
    """Regular files under ``root`` (symlinks are not followed: they could point anywhere)."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- dump -----------------------------------------------------------------------------------------


class _Serializer(JsonlSerializer):
    """jsonl with natural keys only for content types and permissions (see module docstring):
    natural keys for users too would cost a lookup per response on restore."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, NATURAL)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, NATURAL)
        super().handle_m2m_field(obj, field)


@contextmanager
def snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Read everything inside one consistent snapshot, without blocking writers."""
    connection = connections[using]
    if connection.in_atomic_block:  # already in a transaction (a test): that is the snapshot
        yield
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # atomic() would BEGIN IMMEDIATE (settings) and hold the write lock for the whole dump.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic(using=using):
        yield


@dataclass
class Manifest:
    created: str
    engine: str
    migrations: list[str]
    models: dict[str, int]
    #: the models in the order of their files (``db/NNN-<model>.jsonl``)
    order: list[str] = field(default_factory=list)
    files: dict[str, dict] = field(default_factory=dict)
    format: str = FORMAT
    version: str = __version__

    def as_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise BackupError(f"Format cadangan tidak dikenal: {data.get('format')!r} "
                              f"(yang dikenal: {FORMAT}).")
        names = ("created", "engine", "migrations", "models", "order", "files", "format",
                 "version")
        missing = [k for k in names if k not in data]
        if missing:
            raise BackupError(f"Manifest tidak utuh: tidak ada {missing}.")
        return cls(**{k: data[k] for k in names})


def model_file(index: int, label: str) -> str:
    return f"db/{index:03d}-{label}.jsonl"


def dump_database(directory: Path, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write one jsonl file per model under ``directory/db`` inside one snapshot."""
    (directory / "db").mkdir(parents=True, exist_ok=True)
    models: dict[str, int] = {}
    with snapshot(using):
        migrations = applied_migrations(using)
        for index, model in enumerate(backup_models(), start=1):
            label = model._meta.label_lower
            queryset = model._base_manager.using(using).order_by("pk")
            written, last = 0, None
            with open(directory / model_file(index, label), "w", encoding="utf-8") as out:
                while True:  # keyset pages by primary key: memory stays flat at any size
                    page_query = queryset if last is None else queryset.filter(pk__gt=last)
                    page = list(page_query[:CHUNK])
                    if not page:
                        break
                    _Serializer().serialize(page, stream=out)
                    written += len(page)
                    last = page[-1].pk
            models[label] = written
    return Manifest(created=timezone.now().isoformat(timespec="seconds"),
                    engine=connections[using].vendor, migrations=migrations, models=models,
                    order=list(models))


def create_backup(out: Path, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write a backup to ``out``: a ``.tar.gz``/``.tgz`` archive, or else a new directory.

    Written under a temporary name and renamed at the end, readable by its owner only (it holds
    citizens' answers and staff accounts).
    """
    out = Path(out)
    archive = out.name.endswith((".tar.gz", ".tgz"))
    if out.exists():
        raise BackupError(f"{out} sudah ada; pilih nama lain.")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".skm-backup-", dir=out.parent))
    try:
        staging = work / "backup"
        manifest = dump_database(staging, using)
        for path in sorted((staging / "db").iterdir()):
            manifest.files[f"db/{path.name}"] = {"sha256": sha256_of(path),
                                                 "size": path.stat().st_size}
        root = media_root()
        if archive:
            partial = work / "backup.tar.gz"
            with tarfile.open(partial, "w:gz") as tar:
                for path in sorted((staging / "db").iterdir()):
                    tar.add(path, arcname=f"db/{path.name}", recursive=False)
                for path in media_files(root):
                    name = "media/" + path.relative_to(root).as_posix()
                    try:
                        manifest.files[name] = _add_hashed(tar, path, name)
                    except FileNotFoundError:  # deleted since it was listed: not backed up
                        continue
                _add_text(tar, MANIFEST, manifest.as_json())
            os.chmod(partial, 0o600)
            os.replace(partial, out)
        else:
            for path in media_files(root):
                name = "media/" + path.relative_to(root).as_posix()
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copyfile(path, target)
                except FileNotFoundError:  # deleted since it was listed: not backed up
                    continue
                manifest.files[name] = {"sha256": sha256_of(target),
                                        "size": target.stat().st_size}
            (staging / MANIFEST).write_text(manifest.as_json(), encoding="utf-8")
            os.chmod(staging, 0o700)
            os.replace(staging, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


class _HashingReader:
    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, n=-1):
        block = self.handle.read(n)
        self.digest.update(block)
        self.size += len(block)
        return block


def _add_hashed(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    """Add a file, hashing exactly the bytes that went into the archive."""
    info = tar.gettarinfo(str(path), arcname=name)
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    if reader.size != info.size:
        raise BackupError(f"Berkas {path} berubah selama pencadangan; ulangi.")
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _add_text(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


# -- restore --------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: Manifest
    rows: int
    files: int
    summary_rebuilt: int  # cells that were out of step and were rebuilt (0: in step)


def unpack(source: Path, into: Path) -> Path:
    """The backup unpacked (or copied, for a directory) into ``into``."""
    source = Path(source)
    if source.is_dir():  # copied, never moved: the backup must stay as it was
        shutil.copytree(source, into, symlinks=True)
        return into
    if not source.is_file():
        raise BackupError(f"{source} tidak ditemukan.")
    try:
        with tarfile.open(source, "r:*") as tar:
            for member in tar.getmembers():
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"Arsip berisi entri yang tidak diizinkan: {member.name}")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{source} bukan arsip cadangan yang dapat dibaca: {exc}") from None
    return into


def verify(directory: Path) -> Manifest:
    """The manifest, after checking every file against it (and that nothing else is there)."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{MANIFEST} tidak ada di cadangan.")
    manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    links = [p for p in directory.rglob("*") if p.is_symlink()]
    if links:
        raise BackupError(f"Cadangan berisi tautan simbolik: {links[0].name}.")
    present = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    missing = sorted(set(manifest.files) - present)
    extra = sorted(present - set(manifest.files))
    if missing or extra:
        raise BackupError(f"Isi cadangan tidak sesuai manifest: hilang {missing[:5]}, "
                          f"tambahan {extra[:5]}.")
    for name, expected in manifest.files.items():
        actual = directory / name
        if actual.stat().st_size != expected["size"] or sha256_of(actual) != expected["sha256"]:
            raise BackupError(f"Hash SHA-256 {name} tidak sesuai manifest: cadangan rusak.")
    return manifest


def _insert(model, objects: list, using: str) -> None:
    """INSERT rows exactly as stored (``raw``: auto_now_add and defaults untouched), batched to
    the backend's limit on query parameters."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields]
    size = connections[using].ops.bulk_batch_size(fields, objects) or len(objects)
    manager = model._base_manager.using(using)
    for start in range(0, len(objects), size):
        manager._insert(objects[start : start + size], fields=fields, using=using, raw=True)


def _load_model(model, path: Path, using: str) -> int:
    loaded, batch, links = 0, [], {}
    m2m_fields = {f.name: f for f in model._meta.many_to_many}
    with open(path, encoding="utf-8") as handle:
        for item in serializers.deserialize("jsonl", handle, using=using):
            if type(item.object) is not model:
                raise BackupError(f"{path.name} berisi baris model lain.")
            batch.append(item.object)
            for name, values in (item.m2m_data or {}).items():
                links.setdefault(name, []).extend((item.object.pk, v) for v in values)
            if len(batch) >= CHUNK:
                _insert(model, batch, using)
                loaded += len(batch)
                batch = []
    _insert(model, batch, using)
    loaded += len(batch)
    for name, pairs in links.items():
        m2m = m2m_fields[name]
        through = m2m.remote_field.through
        source = m2m.m2m_field_name()
        target = m2m.m2m_reverse_field_name()
        through._base_manager.using(using).bulk_create(
            [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs],
            batch_size=500)
    return loaded


def restore_backup(source: Path, force: bool = False,
                   using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Restore a backup into this database and MEDIA_ROOT; all or nothing (module docstring)."""
    from skm.results import summary
    from skm.results.models import SummaryRevision
    from skm.units.models import Period, Unit

    connection = connections[using]
    root = media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".skm-restore-", dir=root.parent))
    try:
        directory = unpack(Path(source), work / "unpacked")
        manifest = verify(directory)
        here = applied_migrations(using)
        if here != manifest.migrations:
            only_backup = sorted(set(manifest.migrations) - set(here))
            only_here = sorted(set(here) - set(manifest.migrations))
            raise BackupError(
                "Skema basis data berbeda dengan cadangan (migrasi hanya di cadangan: "
                f"{only_backup[:5]}; hanya di sini: {only_here[:5]}). Jalankan `skm migrate` "
                "dengan versi skm yang sama dengan cadangan (versi "
                f"{manifest.version}), pulihkan, lalu tingkatkan versinya.")
        known = {m._meta.label_lower: m for m in backup_models()}
        if sorted(manifest.order) != sorted(manifest.models):
            raise BackupError("Manifest tidak utuh: daftar model dan jumlah barisnya berbeda.")
        unknown = sorted(set(manifest.models) - set(known))
        if unknown:
            raise BackupError(f"Cadangan memuat model yang tidak dikenal: {unknown}.")
        if not force:
            if not is_empty(using):
                raise BackupError("Basis data tidak kosong; pulihkan ke basis data baru "
                                  "(setelah `skm migrate`) atau pakai --force untuk menimpanya.")
            if media_files(root):
                raise BackupError(f"{root} sudah berisi berkas; pakai --force untuk menimpanya.")
        new_media = directory / "media"
        restored_files = len(media_files(new_media))
        rows = 0
        with transaction.atomic(using=using):
            if force:
                tables = model_tables(known.values())
                with connection.cursor() as cursor:
                    postgres = connection.vendor == "postgresql"
                    if postgres:  # TRUNCATE refuses tables with FK checks still pending
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    for sql in connection.ops.sql_flush(no_style(), tables):
                        cursor.execute(sql)
                    if postgres:  # the rows below load in any order: check them at commit
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for index, label in enumerate(manifest.order, start=1):
                path = directory / model_file(index, label)
                if not path.is_file():
                    raise BackupError(f"{path.name} tidak ada di cadangan.")
                rows += _load_model(known[label], path, using)
            connection.check_constraints()
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(known.values())):
                    cursor.execute(sql)
            now = counts(using)
            wrong = {k: (now.get(k), n) for k, n in manifest.models.items() if now.get(k) != n}
            if wrong:
                raise BackupError(f"Jumlah baris setelah pemulihan tidak sesuai: {wrong}.")
            units, periods = Unit.objects.using(using).all(), Period.objects.using(using).all()
            out_of_step = len(summary.differences(units, periods))
            if out_of_step:
                summary.rebuild(units, periods)
                if summary.differences(units, periods):
                    raise BackupError("Tabel ringkasan tetap tidak sesuai setelah dibangun ulang.")
            if force:
                # over data a running server may have seen: new revision tokens, so it cannot
                # reuse region figures remembered under tokens the restored rows carry again
                summary._bump(SummaryRevision.objects.using(using)
                              .values_list("unit_id", "period_id"))
            # rows were loaded without model signals: running processes must forget the units,
            # tokens and questionnaires they remember (skm.core.configcache)
            configcache.bump()
        _swap_media(new_media, root, work)
        return RestoreReport(manifest, rows, restored_files, out_of_step)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _swap_media(new_media: Path, root: Path, work: Path) -> None:
    """Put the restored files in place by renames (same file system: ``work`` is beside it)."""
    if not new_media.is_dir():
        new_media.mkdir(parents=True)
    old = work / "media-lama"
    if root.exists():
        os.replace(root, old)
    os.replace(new_media, root)
