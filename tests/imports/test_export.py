"""skm export: the formats agree, the responses round-trip through the importer to the same
results, evidence files keep their bytes, access is for managers only, the command's exits."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from skm.followup.evidence import add_evidence, prepare_all
from skm.imports.exporting import export_unit, response_header, unsur_codes
from skm.imports.importing import import_file
from skm.results.services import unit_results
from skm.surveys.models import Response
from skm.surveys.review import decide
from skm.units.models import Layanan, Period, Population
from tests.factories import JAKARTA, PASSWORD, add_responses, make_region, make_unit, make_user
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db

SARAN = 'Antrean lama; petugas "ramah", tapi\nruang tunggu panas'


def small_jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("apel pagi.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def data():
    """A kelurahan with responses over three layanan and two semesters (blanks, profiles,
    saran with separators and a line break), one rejected and one pending flagged response,
    population, the seed's RTL with realisasi and one photo."""
    region = make_region()
    unit = region.kelurahan
    kk = Layanan.objects.create(unit=unit, name="Kartu Keluarga", slug="kartu-keluarga",
                                order=5)
    pkk, posyandu = region.layanan
    s2 = region.period
    s1 = Period.get_or_create_code("2024-S1")
    add_responses(pkk, s2, [[4] * 9, [3, 4, None, 4, 2, 4, 4, 3, 4]], gender="P", age=34,
                  education="SMA", occupation="Swasta", saran=SARAN)
    add_responses(pkk, s2, [[1, 2, 3, 4, 1, 2, 3, 4, 1]], gender="L", age=61, education="S1",
                  occupation="PNS")
    add_responses(posyandu, s2, [[2, 2, 2, 2, 2, 2, 2, 2, None],
                                 [None, 3, 3, 3, 3, 3, 3, 3, 3]])
    add_responses(kk, s2, [[3] * 9], gender="L", age=19, education="DIII",
                  occupation="Lainnya")
    add_responses(posyandu, s1, [[4, 3, 4, 3, 4, 3, 4, 3, 4], [2] * 9], education="SMP")
    flagged = add_responses(kk, s2, [[1] * 9, [4] * 9])
    Response.objects.unscoped().filter(pk__in=[r.pk for r in flagged]).update(flags="duplicate")
    decide(flagged[0], Response.Review.REJECTED, None)
    # a time with seconds and microseconds, as the public form stores it
    odd = add_responses(pkk, s2, [[4, 4, 4, 4, 4, 4, 4, 4, 1]])[0]
    Response.objects.unscoped().filter(pk=odd.pk).update(
        submitted_at=datetime(2024, 12, 31, 23, 59, 58, 123456, tzinfo=JAKARTA))
    add_responses(region.sibling_layanan[0], s2, [[1] * 9])  # never in the kelurahan's export
    Population.objects.create(layanan=pkk, period=s2, size=120)
    items = seed_items(region)
    photo = add_evidence(items[0].realisasi, prepare_all([small_jpeg()]), caption="Apel")
    return {"region": region, "unit": unit, "periods": [s1, s2], "photo": photo[0]}


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def figures(unit, period):
    """Everything unit_results gives that an import must reproduce (the unit's own name
    aside)."""
    results = unit_results(unit, period)
    overall = results.result.overall
    rows = [(g.name if g is not overall else "unit", g.respondents, g.ikm,
             {c: (u.answers, u.nrr) for c, u in g.unsur.items()})
            for g in (*results.result.layanan, overall)]
    return rows, {k: dict(v) for k, v in results.profile.items()}


def test_round_trip_to_an_empty_unit(data, tmp_path):
    unit = data["unit"]
    result = export_unit(unit, out=tmp_path / "out")
    folder = result.path
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["evidence", "evidence.csv", "history.csv", "layanan.csv", "manifest.json",
                     "population.csv", "realisasi.csv", "responses-2024-S1.csv",
                     "responses-2024-S2.csv", "responses-rejected.csv", "rtl.csv",
                     "sections.csv"]
    # a fresh unit with the exported layanan, then each period's file through the importer
    fresh = make_unit("Kelurahan Baru", "baru", "kelurahan")
    for slug, name, active, order in read_csv(folder / "layanan.csv")[1:]:
        Layanan.objects.create(unit=fresh, slug=slug, name=name, active=active == "ya",
                               order=int(order))
    for period in data["periods"]:
        imported = import_file(folder / f"responses-{period.code}.csv", fresh, period.code)
        assert imported.rows == Response.objects.within([unit]).filter(period=period).exclude(
            review=Response.Review.REJECTED).count()
        assert imported.blank_rows == 0
        assert imported.columns["saran"] == "saran"
    for code in ("2024-S1", "2024-S2", "2024"):
        period = Period.get_or_create_code(code)
        original, copy = figures(unit, period), figures(fresh, period)
        assert copy == original
        assert original[0][-1][1] > 0  # not two empty results
    # profile, saran (with its line break) and times to the second come back too
    fields = ("gender", "age", "education", "occupation", "saran")
    pairs = [Response.objects.within([u]).exclude(review="rejected")
             .order_by("submitted_at", "a1", "a2", "a9") for u in (unit, fresh)]
    before = [(*(getattr(r, f) for f in fields), r.submitted_at.replace(microsecond=0))
              for r in pairs[0]]
    after = [(*(getattr(r, f) for f in fields), r.submitted_at) for r in pairs[1]]
    assert before == after
    assert SARAN in {row[4] for row in after}


def test_rejected_responses_are_kept_apart(data, tmp_path):
    folder = export_unit(data["unit"], out=tmp_path / "out").path
    rejected = read_csv(folder / "responses-rejected.csv")
    header = rejected[0]
    assert [row[header.index("review")] for row in rejected[1:]] == ["rejected"]
    counted = read_csv(folder / "responses-2024-S2.csv")
    assert "rejected" not in {row[header.index("review")] for row in counted[1:]}
    assert {row[header.index("tanda")] for row in counted[1:]} == {"", "duplicate"}
    assert {row[header.index("periode")] for row in counted[1:]} == {"2024-S2"}


def test_header_is_what_the_importer_matches(data, tmp_path):
    folder = export_unit(data["unit"], out=tmp_path / "out").path
    header = read_csv(folder / "responses-2024-S2.csv")[0]
    codes = [f"U{i}" for i in range(1, 10)]
    assert header == ["layanan", "timestamp", *codes, "jenis kelamin", "usia", "pendidikan",
                      "pekerjaan", "saran", "sumber", "periode", "tanda", "review"]
    imported = import_file(folder / "responses-2024-S2.csv", data["unit"], "2024-S2",
                           dry_run=True)
    assert set(imported.columns) == {*codes, "layanan", "submitted_at", "jenis_kelamin",
                                     "usia", "pendidikan", "pekerjaan", "saran"}
    first = read_csv(folder / "responses-2024-S2.csv")[1]
    assert first[1].endswith("+07:00") and "T" in first[1]


def test_sibling_data_never_exported(data, tmp_path):
    folder = export_unit(data["unit"], out=tmp_path / "out").path
    rows = [r for name in ("responses-2024-S1.csv", "responses-2024-S2.csv",
                           "responses-rejected.csv") for r in read_csv(folder / name)[1:]]
    stored = Response.objects.within([data["unit"]]).count()
    assert len(rows) == stored
    assert {r[0] for r in rows} == {"pkk", "posyandu", "kartu-keluarga"}


def test_evidence_files_and_manifest(data, tmp_path):
    folder = export_unit(data["unit"], out=tmp_path / "out").path
    photo = data["photo"]
    with default_storage.open(photo.file.name, "rb") as handle:
        original = hashlib.sha256(handle.read()).hexdigest()
    evidence = read_csv(folder / "evidence.csv")
    header, row = evidence[0], evidence[1]
    name = row[header.index("berkas")]
    assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == original
    assert row[header.index("sha256")] == original
    assert row[header.index("nama asli")] == "apel pagi.jpg"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["unit"]["slug"] == "jatinegara-kaum"
    assert manifest["files"][name] == original
    for file, digest in manifest["files"].items():
        assert hashlib.sha256((folder / file).read_bytes()).hexdigest() == digest
    assert manifest["counts"]["rtl"] == 3 and manifest["counts"]["realisasi"] == 3
    assert manifest["counts"]["evidence"] == 1
    rtl = read_csv(folder / "rtl.csv")
    assert [r[2] for r in rtl[1:]] == ["U1", "U2", "U8"]
    assert read_csv(folder / "population.csv")[1:] == [["pkk", "2024-S2", "120"]]


def _csv_tables(folder):
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        name = path.stem
        rows = read_csv(path)
        if name.startswith("responses-") and name != "responses-rejected":
            tables.setdefault("responses", [rows[0]]).extend(rows[1:])
        else:
            tables[name] = rows
    return tables


def _text(value):
    return "" if value is None else str(value)


def test_csv_zip_xlsx_json_hold_the_same_rows(data, tmp_path):
    unit = data["unit"]
    csv_tables = _csv_tables(export_unit(unit, out=tmp_path / "out").path)
    archive = export_unit(unit, out=tmp_path / "e.zip").path
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "unzipped")
    assert _csv_tables(tmp_path / "unzipped") == csv_tables
    assert sorted(p.name for p in (tmp_path / "unzipped" / "evidence").iterdir()) == sorted(
        p.name for p in (tmp_path / "out" / "evidence").iterdir())

    book = openpyxl.load_workbook(export_unit(unit, out=tmp_path / "e.xlsx").path,
                                  read_only=True)
    assert book.sheetnames[0] == "responses"
    for name, rows in csv_tables.items():
        sheet = [[_text(c) for c in row] for row in book[name].iter_rows(values_only=True)]
        assert sheet == rows, name

    document = json.loads(export_unit(unit, out=tmp_path / "e.json").path.read_text("utf-8"))
    assert document["manifest"]["counts"]["responses"] == len(csv_tables["responses"]) - 1
    for name, rows in csv_tables.items():
        header = rows[0]
        as_json = [[_text(r[h]) for h in header] for r in document["tables"][name]]
        assert [header, *as_json] == rows, name


def test_xlsx_is_importable_for_one_period(data, tmp_path):
    unit = data["unit"]
    path = export_unit(unit, "2024-S2", out=tmp_path / "s2.xlsx").path
    fresh = make_unit("Kelurahan Baru", "baru", "kelurahan",
                      layanan=["PKK", "Posyandu", "Kartu Keluarga"])
    import_file(path, fresh, "2024-S2")
    period = Period.objects.get(code="2024-S2")
    assert figures(fresh, period) == figures(unit, period)


def test_period_export_and_year(data, tmp_path):
    unit = data["unit"]
    folder = export_unit(unit, "2024-S1", out=tmp_path / "s1").path
    assert sorted(p.name for p in folder.glob("responses-*")) == [
        "responses-2024-S1.csv", "responses-rejected.csv"]
    assert len(read_csv(folder / "rtl.csv")) == 1  # the RTL belongs to 2024-S2
    year = export_unit(unit, "2024", out=tmp_path / "y").path  # a year holds its semesters
    assert sorted(p.name for p in year.glob("responses-2024-*")) == [
        "responses-2024-S1.csv", "responses-2024-S2.csv"]
    assert not Period.objects.filter(code="2024").exists()  # exporting creates nothing


def test_unsur_codes_follow_the_unit(data):
    codes = unsur_codes(data["unit"], None)
    assert codes == [f"U{i}" for i in range(1, 10)]
    assert response_header(codes)[:3] == ["layanan", "timestamp", "U1"]


# -- the command ------------------------------------------------------------------------------


def test_command_writes_and_reports(data, tmp_path, run_skm):
    code, out, err = run_skm("export", "--unit", "jatinegara-kaum", "--out", tmp_path / "o")
    assert code == 0, err
    counted = Response.objects.within([data["unit"]]).filter(period=data["periods"][1]).exclude(
        review=Response.Review.REJECTED).count()
    assert counted == 8
    assert f"responses-2024-S2: {counted} baris" in out
    assert "berkas dokumentasi: 1" in out
    assert (tmp_path / "o" / "manifest.json").is_file()


def test_command_exit_codes(data, tmp_path, run_skm):
    code, _, err = run_skm("export", "--unit", "tidak-ada", "--out", tmp_path / "a")
    assert code == 2 and "tidak-ada" in err and "tidak ditemukan" in err
    code, _, err = run_skm("export", "--unit", "jatinegara-kaum", "--period", "2024-S9",
                           "--out", tmp_path / "a")
    assert code == 2 and "2024-S9" in err
    assert not (tmp_path / "a").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "catatan.txt").write_text("milik saya")
    code, _, err = run_skm("export", "--unit", "jatinegara-kaum", "--out", busy)
    assert code == 2 and "--force" in err
    assert sorted(p.name for p in busy.iterdir()) == ["catatan.txt"]
    assert run_skm("export", "--unit", "jatinegara-kaum", "--out", busy, "--force")[0] == 0
    assert (busy / "catatan.txt").read_text() == "milik saya"
    # a second forced export into a 2024-S1-only scope drops the former per-period files
    assert run_skm("export", "--unit", "jatinegara-kaum", "--period", "2024-S1", "--out", busy,
                   "--force")[0] == 0
    assert not (busy / "responses-2024-S2.csv").exists()
    assert (busy / "catatan.txt").exists()
    target = tmp_path / "x.json"
    assert run_skm("export", "--unit", "jatinegara-kaum", "--out", target)[0] == 0
    code, _, err = run_skm("export", "--unit", "jatinegara-kaum", "--out", target)
    assert code == 2 and "--force" in err
    assert run_skm("export", "--unit", "jatinegara-kaum", "--out", target, "--force")[0] == 0


# -- the download -----------------------------------------------------------------------------


def _login(client, unit, role):
    user = make_user(f"{role}-user", unit, role)
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("role, status", [("operator", 200), ("viewer", 404)])
def test_page_for_managers_only(data, client, role, status):
    _login(client, data["unit"], role)
    assert client.get("/u/jatinegara-kaum/ekspor/").status_code == status
    response = client.get("/u/jatinegara-kaum/ekspor/unduh/?format=csv")
    assert response.status_code == status


def test_supervisor_and_anonymous_cannot_export(data, client):
    response = client.get("/u/jatinegara-kaum/ekspor/unduh/?format=csv")
    assert response.status_code == 302  # to the login
    _login(client, data["region"].kecamatan, "supervisor")
    assert client.get("/u/jatinegara-kaum/ekspor/").status_code == 404


def test_downloads(data, client, tmp_path):
    _login(client, data["unit"], "operator")
    page = client.get("/u/jatinegara-kaum/ekspor/")
    assert b"Semester II 2024" in page.content or b"2024-S2" in page.content
    response = client.get("/u/jatinegara-kaum/ekspor/unduh/?format=csv&period=2024-S2")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    folder = export_unit(data["unit"], "2024-S2", out=tmp_path / "o").path
    assert rows == read_csv(folder / "responses-2024-S2.csv")
    archive = client.get("/u/jatinegara-kaum/ekspor/unduh/?format=zip")
    assert archive["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as z:
        names = z.namelist()
    assert "manifest.json" in names and any(n.startswith("evidence/") for n in names)
    for fmt in ("xlsx", "json"):
        got = client.get(f"/u/jatinegara-kaum/ekspor/unduh/?format={fmt}")
        assert got.status_code == 200
        assert f".{fmt}" in got["Content-Disposition"]
        b"".join(got.streaming_content)
    assert client.get("/u/jatinegara-kaum/ekspor/unduh/?format=exe").status_code == 400
    bad = client.get("/u/jatinegara-kaum/ekspor/unduh/?format=csv&period=2024-S9")
    assert bad.status_code == 400 and "2024-S9" in bad.content.decode()


def test_missing_evidence_file_is_reported_not_fatal(data, tmp_path, run_skm):
    default_storage.delete(data["photo"].file.name)
    code, out, err = run_skm("export", "--unit", "jatinegara-kaum", "--out", tmp_path / "o")
    assert code == 0
    name = f"evidence/{data['photo'].file.name.rsplit('/', 1)[-1]}"
    assert name in err and "tidak ada" in err
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["missing"] == [name]
    assert not (tmp_path / "o" / name).exists()
    row = read_csv(tmp_path / "o" / "evidence.csv")[1]
    assert row[1] == name and row[-1] == ""
