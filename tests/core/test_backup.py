"""``skm backup`` / ``skm restore``: a round trip yields identical results and identical files."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import F

from skm.api.models import ApiToken
from skm.core import backup
from skm.followup.models import Evidence, Realisasi
from skm.results import summary
from skm.results.models import TallyCell
from skm.results.services import unit_results
from skm.surveys.models import Response
from skm.units.models import Period, Unit
from tests.factories import add_responses, make_user, region_with_rows
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db

PHOTO = Path(__file__).resolve().parents[2] / "skm" / "data" / "contoh-dokumentasi-apel.jpg"


def build(media: Path):
    """Responses, RTL with realisasi, an evidence photo, a group with a permission, a token."""
    region = region_with_rows()
    seed_items(region, realised=2)
    realisasi = Realisasi.objects.order_by("pk").first()
    evidence = Evidence(realisasi=realisasi, kind="photo", original_name="apel pagi.jpg",
                        size=PHOTO.stat().st_size)
    evidence.file.save("apel.jpg", ContentFile(PHOTO.read_bytes()), save=True)
    (media / "catatan" / "lain.txt").parent.mkdir(parents=True)
    (media / "catatan" / "lain.txt").write_text("berkas lain di MEDIA_ROOT\n")
    group = Group.objects.create(name="pengolah")
    group.permissions.add(Permission.objects.get(codename="view_response"))
    user = make_user("operator1", region.kelurahan, "operator")
    user.groups.add(group)
    ApiToken.issue("kiosk", "Kios loket 1", unit=region.kelurahan)
    return region


def figures(region):
    """What the results pages show, from the engine, for the kelurahan and the kecamatan."""
    out = []
    for unit in (region.kelurahan, region.kecamatan, region.sibling):
        unit = Unit.objects.get(pk=unit.pk)
        res = unit_results(unit, Period.objects.get(pk=region.period.pk))
        out.append((unit.slug, res.result, res.tallies, res.profile, res.lowest))
    return out


def file_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def snapshot_rows():
    return backup.counts(), sorted(Response.objects.unscoped().values_list(
        "pk", "saran", "a1", "a9", "submitted_at", "entered_by_id"))


def wipe(media: Path) -> None:
    """An empty (migrated) database and no media, as on a new server."""
    tables = backup.model_tables(backup.backup_models())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # fire the test's deferred FK checks first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(sql)
    shutil.rmtree(media, ignore_errors=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.MEDIA_ROOT.mkdir(parents=True)
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("name", ["cadangan.tar.gz", "cadangan-dir"])
def test_round_trip_into_empty_database(media, tmp_path, name):
    region = build(media)
    before, rows_before, files_before = figures(region), snapshot_rows(), file_hashes(media)
    assert len(files_before) == 2 and rows_before[0]["surveys.response"] == 5

    out = tmp_path / name
    call_command("backup", "--out", str(out), stdout=StringIO())
    wipe(media)
    assert backup.is_empty() and not media.exists()

    stdout = StringIO()
    call_command("restore", str(out), stdout=stdout)
    assert "Tabel ringkasan sesuai" in stdout.getvalue()
    assert figures(region) == before
    assert snapshot_rows() == rows_before
    assert file_hashes(media) == files_before
    user = User.objects.get(username="operator1")
    assert user.check_password("rahasia-uji-123")
    assert list(user.groups.values_list("name", flat=True)) == ["pengolah"]
    assert list(Group.objects.get().permissions.values_list("codename", flat=True)) == [
        "view_response"]
    assert ApiToken.objects.get().unit.slug == region.kelurahan.slug
    assert summary.differences(Unit.objects.all(), Period.objects.all()) == {}
    # the restored evidence row points at the restored file
    evidence = Evidence.objects.get()
    assert hashlib.sha256(evidence.file.read()).hexdigest() == hashlib.sha256(
        PHOTO.read_bytes()).hexdigest()


def test_archive_holds_manifest_with_counts_and_hashes(media, tmp_path):
    build(media)
    out = tmp_path / "b.tar.gz"
    manifest = backup.create_backup(out)
    assert out.stat().st_mode & 0o077 == 0  # owner only: it holds citizens' answers
    with tarfile.open(out) as tar:
        names = tar.getnames()
        stored = json.loads(tar.extractfile("manifest.json").read())
        photo_name = next(n for n in names if n.startswith("media/evidence/"))
        photo = tar.extractfile(photo_name).read()
    assert stored["format"] == backup.FORMAT
    assert stored["models"] == backup.counts() == manifest.models
    assert stored["models"]["surveys.response"] == 5
    assert "contenttypes.contenttype" not in stored["models"]
    assert set(stored["files"]) == set(names) - {"manifest.json"}
    assert stored["files"][photo_name]["sha256"] == hashlib.sha256(photo).hexdigest()
    assert stored["migrations"] == backup.applied_migrations()


def test_refuses_non_empty_database_unless_forced(media, tmp_path):
    region = build(media)
    before, rows_before = figures(region), snapshot_rows()
    out = tmp_path / "b.tar.gz"
    backup.create_backup(out)
    # changes after the backup: a new response, a lost file
    add_responses(region.layanan[0], region.period, [[1] * 9])
    shutil.rmtree(media / "catatan")
    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("restore", str(out), stdout=StringIO())
    assert Response.objects.unscoped().count() == 6  # nothing changed

    call_command("restore", str(out), "--force", stdout=StringIO())
    assert figures(region) == before
    assert snapshot_rows() == rows_before
    assert (media / "catatan" / "lain.txt").read_text() == "berkas lain di MEDIA_ROOT\n"


def test_tampered_backup_changes_nothing(media, tmp_path):
    build(media)
    out = tmp_path / "dir"
    backup.create_backup(out)
    response_file = next((out / "db").glob("*-surveys.response.jsonl"))
    text = response_file.read_text()
    response_file.write_text(text.replace('"a1": 4', '"a1": 1', 1))
    wipe(media)
    with pytest.raises(backup.BackupError, match="SHA-256"):
        backup.restore_backup(out)
    assert backup.is_empty() and not media.exists()


def test_summary_out_of_step_in_backup_is_rebuilt(media, tmp_path):
    region = build(media)
    before = figures(region)
    TallyCell.objects.filter(dimension="n").update(count=F("count") + 1)
    out = tmp_path / "b.tar.gz"
    backup.create_backup(out)
    stdout = StringIO()
    call_command("restore", str(out), "--force", stdout=stdout)
    assert "dibangun ulang" in stdout.getvalue()
    assert summary.differences(Unit.objects.all(), Period.objects.all()) == {}
    assert figures(region) == before


def test_backup_refuses_existing_target(media, tmp_path):
    build(media)
    out = tmp_path / "b.tar.gz"
    out.write_text("lama")
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("backup", "--out", str(out), stdout=StringIO())
    assert out.read_text() == "lama"
