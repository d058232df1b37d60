"""skm import-followup: an export's layanan, sections, population, RTL, realisasi, evidence and
history land in another unit as they were; a damaged or conflicting export writes nothing."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from skm.followup.evidence import add_evidence, prepare_all
from skm.followup.history import record
from skm.followup.models import Evidence, FollowupChange, Realisasi, RtlItem
from skm.imports.exporting import export_unit
from skm.imports.followup_import import FollowupImportError, import_followup
from skm.surveys.models import QuestionnaireVersion
from skm.units.models import Layanan, Population, Section
from tests.factories import JAKARTA, make_region, make_unit, make_user
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("apel pagi.jpg", buffer.getvalue(), content_type="image/jpeg")


def pdf() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(buffer)
    return SimpleUploadedFile("undangan.pdf", buffer.getvalue(), content_type="application/pdf")


@pytest.fixture
def source(tmp_path):
    """The seed's kelurahan with a month-based item, a photo and a PDF, history by a user,
    a population and a closed layanan; exported to a folder."""
    region = make_region()
    unit = region.kelurahan
    operator = make_user("operator1", unit, "operator")
    items = seed_items(region, realised=2)
    monthly = RtlItem.objects.create(
        unit=unit, period=region.period, unsur_codes=["U4"], program="Loket pengaduan",
        months=["2024-11", "2024-12"], horizon="menengah", section=items[0].section,
        target_indicator="Aduan dijawab 3 hari", order=3)
    Section.objects.create(unit=unit, code="Pem", name="Seksi Pemerintahan")
    add_evidence(items[0].realisasi, prepare_all([jpeg(), pdf()]), operator, caption="Apel")
    record(monthly, operator, FollowupChange.Action.CREATE, {"program": [None, "Loket"]})
    Layanan.objects.create(unit=unit, name="Kartu Keluarga", slug="kartu-keluarga", order=5,
                           active=False)
    Population.objects.create(layanan=region.layanan[0], period=region.period, size=120)
    RtlItem.objects.filter(pk=monthly.pk).update(
        created=datetime(2024, 10, 1, 9, 30, tzinfo=JAKARTA))
    folder = export_unit(unit, out=tmp_path / "ekspor").path
    return {"region": region, "unit": unit, "folder": folder, "operator": operator}


@pytest.fixture
def target():
    return make_unit("Kelurahan Baru", "baru", "kelurahan", layanan=["PKK"])


def second(value):
    return value.replace(microsecond=0)  # the export writes times to the second


def follow_up(unit):
    """Everything of the unit's follow-up an import must reproduce, ids aside (who uploaded a
    file is in its history row, not in the export's evidence table)."""
    items = RtlItem.objects.filter(unit=unit).select_related("period", "section").order_by(
        "period__start", "order", "pk")
    out = []
    for item in items:
        realisasi = Realisasi.objects.filter(item=item).first()
        evidence = [] if realisasi is None else [
            (e.kind, e.original_name, e.caption, e.width, e.height, second(e.uploaded_at),
             e.order)
            for e in realisasi.evidence.order_by("order")]
        history = [(second(c.at), c.action, c.user.username if c.user else None, c.changes)
                   for c in item.changes.order_by("at", "pk")]
        out.append((item.period.code, item.unsur_codes, item.program, item.quarters,
                    item.months, item.horizon, item.section.code, item.section.name,
                    item.target_indicator, item.order, second(item.created),
                    None if realisasi is None else (realisasi.status, realisasi.tanggal,
                                                    realisasi.deskripsi, realisasi.hambatan),
                    evidence, history))
    return out


def media_files() -> set[str]:
    found = set()

    def walk(folder):
        dirs, files = default_storage.listdir(folder)
        found.update(f"{folder}/{name}" if folder else name for name in files)
        for d in dirs:
            walk(f"{folder}/{d}" if folder else d)

    walk("")
    return found


def rewrite(folder, name, change):
    """Edit one CSV of the export and its SHA-256 in the manifest, as a crafted export would."""
    path = folder / name
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(rows)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_round_trip_into_another_unit(source, target):
    result = import_followup(source["folder"], target)
    assert result.source_unit == "jatinegara-kaum" and result.periods == ["2024-S2"]
    assert result.counts == {"layanan": 2, "sections": 2, "population": 1, "rtl": 4,
                             "realisasi": 2, "evidence": 2, "history": 3}
    assert follow_up(target) == follow_up(source["unit"])
    loaded = Layanan.objects.within([target]).get(slug="kartu-keluarga")
    assert (loaded.name, loaded.active, loaded.order) == ("Kartu Keluarga", False, 5)
    assert Layanan.objects.within([target]).get(slug="pkk").name == "PKK"  # kept as it was
    assert Population.objects.get(layanan__unit=target).size == 120
    monthly = RtlItem.objects.get(unit=target, months=["2024-11", "2024-12"])
    assert monthly.created == datetime(2024, 10, 1, 9, 30, tzinfo=JAKARTA)
    photo, letter = Evidence.objects.filter(realisasi__item__unit=target).order_by("order")
    original = Evidence.objects.get(realisasi__item__unit=source["unit"], kind="pdf")
    assert letter.file.read() == original.file.read()  # a PDF keeps its bytes
    assert Image.open(photo.file).size == (64, 48) and photo.thumbnail  # a photo re-checked


def test_a_zip_loads_the_same(source, target, tmp_path):
    archive = tmp_path / "ekspor.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(source["folder"].rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(source["folder"]).as_posix())
    import_followup(archive, target)
    assert follow_up(target) == follow_up(source["unit"])


def test_a_changed_file_is_refused_and_nothing_is_written(source, target):
    path = source["folder"] / "rtl.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("apel", "APEL"),
                    encoding="utf-8-sig")
    before = media_files()
    with pytest.raises(FollowupImportError) as caught:
        import_followup(source["folder"], target)
    assert caught.value.problems == [
        "rtl.csv berbeda dengan yang tercatat di manifest.json (diubah atau rusak setelah "
        "diekspor); tidak ada yang dimuat."]
    assert not Section.objects.filter(unit=target).exists()
    assert not Layanan.objects.within([target]).filter(slug="kartu-keluarga").exists()
    assert media_files() == before


def test_bad_rows_are_named_by_file_row_and_column(source, target):
    def spoil(rows):
        header = rows[0]
        rows[1][header.index("prioritas unsur")] = "U99"
        rows[2][header.index("triwulan")] = "2030-TW1"

    rewrite(source["folder"], "rtl.csv", spoil)
    before = media_files()
    with pytest.raises(FollowupImportError) as caught:
        import_followup(source["folder"], target)
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("rtl.csv, baris 2, kolom “prioritas unsur”: ")
    assert "U99" in problems[0]
    assert problems[1].startswith("rtl.csv, baris 3, kolom “triwulan”: ")
    assert not RtlItem.objects.filter(unit=target).exists()
    assert media_files() == before


def test_unsur_the_unit_does_not_ask_are_refused(source, target):
    version = QuestionnaireVersion.default().copy_as_new()
    version.unsur.filter(code="U8").delete()
    target.questionnaire = version
    target.save()
    with pytest.raises(FollowupImportError) as caught:
        import_followup(source["folder"], target)
    assert caught.value.problems[0].startswith("rtl.csv, baris 4, kolom “prioritas unsur”: ")


def test_a_period_that_has_rtl_already_is_refused(source, target):
    section = Section.objects.create(unit=target, code="Ekbang", name="Ekbang")
    RtlItem.objects.create(unit=target, period=source["region"].period, unsur_codes=["U1"],
                           program="Sudah ada", quarters=["2024-TW4"], section=section)
    with pytest.raises(FollowupImportError) as caught:
        import_followup(source["folder"], target)
    assert caught.value.problems == [
        "Kelurahan Baru sudah punya rencana tindak lanjut untuk 2024-S2; tindak lanjut hanya "
        "dimuat ke periode yang belum punya. Tidak ada yang dimuat."]
    assert RtlItem.objects.filter(unit=target).count() == 1
    assert not Section.objects.filter(unit=target, code="Pem").exists()


def test_a_dry_run_writes_nothing(source, target):
    before = media_files()
    result = import_followup(source["folder"], target, dry_run=True)
    assert result.dry_run and result.counts["rtl"] == 4 and result.counts["evidence"] == 2
    assert not RtlItem.objects.filter(unit=target).exists()
    assert not Section.objects.filter(unit=target).exists()
    assert not Layanan.objects.within([target]).filter(slug="kartu-keluarga").exists()
    assert media_files() == before


def test_not_an_export(source, target, tmp_path):
    with pytest.raises(FollowupImportError, match="bukan ekspor skm"):
        import_followup(tmp_path / "kosong", target)
    export_unit(source["unit"], out=tmp_path / "ekspor.json")
    with pytest.raises(FollowupImportError, match="Hanya ekspor berupa folder atau ZIP"):
        import_followup(tmp_path / "ekspor.json", target)


def test_the_command(source, target, run_skm):
    code, out, err = run_skm("import-followup", "--unit", "baru", "--from", source["folder"],
                             "--dry-run")
    assert code == 0, err
    assert "dapat dimuat (uji, tidak disimpan)" in out and "rtl: 4" in out
    assert not RtlItem.objects.filter(unit=target).exists()
    code, out, err = run_skm("import-followup", "--unit", "baru", "--from", source["folder"])
    assert code == 0 and "dimuat ke Kelurahan Baru (periode 2024-S2)" in out
    assert RtlItem.objects.filter(unit=target).count() == 4
    code, out, err = run_skm("import-followup", "--unit", "baru", "--from", source["folder"])
    assert code == 2 and "sudah punya rencana tindak lanjut untuk 2024-S2" in err
    code, out, err = run_skm("import-followup", "--unit", "tidak-ada", "--from",
                             source["folder"])
    assert code == 2 and "tidak ditemukan" in err


def test_realisasi_dates_come_back(source, target):
    import_followup(source["folder"], target)
    done = Realisasi.objects.filter(item__unit=target, status="sudah")
    assert {r.tanggal for r in done} == {date(2024, 9, 17)}
