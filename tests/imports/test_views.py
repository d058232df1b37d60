"""The import pages: upload, column analysis and mapping, the background job, the outcomes.

Jobs run synchronously here (``SKM_IMPORT_SYNC``) except in the one test that runs the real
thread and polls its progress, as the page does.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from skm.followup.services import tanggal_id
from skm.formatting import decimal_id, integer_id
from skm.imports import jobs
from skm.imports.models import ColumnMapping, ImportBatch, ImportJob
from skm.results.services import unit_results
from skm.surveys.models import Response
from skm.units.models import Membership, Period
from tests.factories import add_responses, make_region, make_user

U = [f"U{i}" for i in range(1, 10)]
#: (layanan, answers U1..U9, jenis kelamin)
ROWS = [
    ("PKK", [4, 4, 3, 4, 4, 3, 4, 4, 4], "L"),
    ("PKK", [3, 3, 3, 3, 3, 3, 3, 3, 3], "P"),
    ("PKK", [1, 4, 2, 4, 3, 4, 4, 2, 4], "P"),
    ("Posyandu", [2, 2, 2, 2, 2, 2, 2, 2, 4], "L"),
    ("Posyandu", [4, 3, 4, 3, 4, 3, 4, 3, 4], "P"),
]


def csv_bytes(header, rows, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def standard_file(rows=ROWS, delimiter=";") -> bytes:
    return csv_bytes(["Layanan", *U, "Jenis Kelamin", "Nama"],
                     [[lay, *answers, jk, f"Warga {i}"]
                      for i, (lay, answers, jk) in enumerate(rows)], delimiter)


def odd_file(rows=ROWS, extra="") -> bytes:
    """Headers no matcher knows (P1..P9) next to two it does (layanan, jenis kelamin)."""
    return csv_bytes(["Jenis Layanan", *[f"P{i}" for i in range(1, 10)], "Jenis Kelamin"],
                     [[lay, *answers, jk + extra] for lay, answers, jk in rows])


@pytest.fixture
def region(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SKM_IMPORT_SYNC = True
    region = make_region()
    region.operator = make_user("operator", region.kelurahan, Membership.Role.OPERATOR)
    region.viewer = make_user("viewer", region.kelurahan, Membership.Role.VIEWER)
    region.outsider = make_user("outsider", region.sibling, Membership.Role.OPERATOR)
    return region


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload_url(unit) -> str:
    return reverse("import-upload", kwargs={"slug": unit.slug})


def upload(client, unit, content: bytes, name="survei.csv", **options) -> ImportJob:
    data = {"berkas": SimpleUploadedFile(name, content, "text/csv"), "periode": "2024-S2",
            **options}
    response = client.post(upload_url(unit), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("import-job", kwargs={"slug": unit.slug,
                                                                 "job": job.pk})
    return job


def job_url(job, name="import-job") -> str:
    return reverse(name, kwargs={"slug": job.unit.slug, "job": job.pk})


def run(client, job, action="impor", **choices):
    response = client.post(job_url(job), {"aksi": action, **choices})
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    return client.get(job_url(job))


def stored(unit):
    return Response.objects.within([unit])


# ---- permissions ------------------------------------------------------------------------------


def test_only_the_units_managers_may_import(region):
    url = upload_url(region.kelurahan)
    assert client_for(region.operator).get(url).status_code == 200
    assert client_for(region.viewer).get(url).status_code == 404
    assert client_for(region.outsider).get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == reverse(django_settings.LOGIN_URL)
    # a refused POST stores no file and creates no job
    response = client_for(region.viewer).post(
        url, {"berkas": SimpleUploadedFile("a.csv", standard_file()), "periode": "2024-S2"})
    assert response.status_code == 404
    assert not ImportJob.objects.exists()
    assert not upload_dir_of().exists() or not any(upload_dir_of().iterdir())


def upload_dir_of() -> Path:
    return Path(django_settings.VAR_DIR) / "imports"


def test_a_job_of_another_unit_is_404(region):
    foreign = upload(client_for(region.outsider), region.sibling,
                     standard_file([("PKK", [4] * 9, "L")]))
    client = client_for(region.operator)
    for name in ("import-job", "import-status", "import-errors"):
        own_slug = reverse(name, kwargs={"slug": region.kelurahan.slug, "job": foreign.pk})
        assert client.get(own_slug).status_code == 404
        assert client.get(job_url(foreign, name)).status_code == 404
    response = client.post(reverse("import-job", kwargs={"slug": region.kelurahan.slug,
                                                         "job": foreign.pk}), {"aksi": "impor"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == ImportJob.Status.NEW
    assert not stored(region.sibling).exists()


def test_posts_need_the_csrf_token(region):
    client = Client(enforce_csrf_checks=True)
    client.force_login(region.operator)
    response = client.post(upload_url(region.kelurahan),
                           {"berkas": SimpleUploadedFile("a.csv", standard_file()),
                            "periode": "2024-S2"})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# ---- upload and analysis ----------------------------------------------------------------------


def test_upload_form_defaults_to_the_current_period_and_lists_layanan(region):
    from skm.surveys.recording import current_period

    body = client_for(region.operator).get(upload_url(region.kelurahan)).content.decode()
    assert f'value="{current_period(region.kelurahan).code}"' in body
    assert '<option value="pkk">PKK</option>' in body
    assert 'enctype="multipart/form-data"' in body


def test_upload_is_stored_outside_the_served_folders_and_analysed(region):
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, standard_file())
    path = Path(job.file_path)
    assert path.parent == upload_dir_of() and path.read_bytes() == standard_file()
    body = client.get(job_url(job)).content.decode()
    # every column with its match and its first five values
    assert body.count("dikenali dari judul") == 11  # layanan, U1..U9, jenis kelamin
    assert body.count("<strong>tidak dikenali</strong>") == 1  # Nama
    assert "Warga 0 · Warga 1 · Warga 2 · Warga 3 · Warga 4" in body
    assert '<option value="U1" selected>' in body
    assert not stored(region.kelurahan).exists()


def test_bad_upload_options_are_named(region, settings):
    client = client_for(region.operator)
    response = client.post(upload_url(region.kelurahan), {
        "berkas": SimpleUploadedFile("survei.pdf", b"%PDF"), "periode": "2024-S9"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jenis berkas tidak dikenal" in body and "Periode tidak dikenal" in body
    settings.SKM_IMPORT_MAX_MB = 0.0001  # about 100 bytes
    response = client.post(upload_url(region.kelurahan), {
        "berkas": SimpleUploadedFile("survei.csv", standard_file()), "periode": "2024-S2"})
    assert "Berkas terlalu besar" in response.content.decode()
    assert not ImportJob.objects.exists()


# ---- mapping, import and results --------------------------------------------------------------


def test_manual_mapping_imports_and_results_equal_the_same_data_entered_directly(region):
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, odd_file())
    body = client.get(job_url(job)).content.decode()
    assert body.count("<strong>tidak dikenali</strong>") == 9  # P1..P9
    # importing without a mapping is refused by the form, naming the problem
    response = client.post(job_url(job), {"aksi": "impor"})
    assert response.status_code == 400
    assert "Tidak ada kolom unsur" in response.content.decode()
    choices = {f"kolom-{i}": f"U{i}" for i in range(1, 10)}
    page = run(client, job, "impor", simpan_nama="Formulir P", **choices).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and not job.dry_run
    assert job.result["rows"] == len(ROWS) == stored(region.kelurahan).count()
    assert "Impor berhasil" in page
    assert f"{integer_id(3)}</td>" in page and "Posyandu" in page
    # the upload is gone once the import has ended
    assert job.file_path == "" and not any(upload_dir_of().iterdir())

    # the same rows entered directly in another period give the same figures
    other = Period.get_or_create_code("2024-S1")
    by_name = {lay.name: lay for lay in region.layanan}
    for lay, answers, jk in ROWS:
        add_responses(by_name[lay], other, [answers], gender=jk)
    imported = unit_results(region.kelurahan, region.period)
    direct = unit_results(region.kelurahan, other)
    assert imported.respondents == direct.respondents == len(ROWS)
    assert imported.result.overall.ikm == direct.result.overall.ikm
    assert [g.ikm for g in imported.result.layanan] == [g.ikm for g in direct.result.layanan]
    assert imported.distribution() == direct.distribution()
    # and the results page the outcome links to shows them
    results_url = reverse("results", kwargs={"slug": region.kelurahan.slug,
                                             "period": region.period.code})
    assert f'href="{results_url}"' in page
    results = client.get(results_url).content.decode()
    assert decimal_id(imported.result.overall.ikm, 2) in results
    assert decimal_id(imported.result.overall.konversi, 2) in results


def test_a_saved_mapping_is_reused(region):
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, odd_file())
    run(client, job, "periksa", simpan_nama="Formulir P",
        **{f"kolom-{i}": f"U{i}" for i in range(1, 10)})
    saved = ColumnMapping.objects.get(unit=region.kelurahan, name="Formulir P")
    assert saved.mapping == {f"P{i}": f"U{i}" for i in range(1, 10)}

    second = upload(client, region.kelurahan, odd_file(ROWS[:2], extra=" "),
                    pemetaan="Formulir P")
    body = client.get(job_url(second)).content.decode()
    assert body.count("dari pemetaan") == 9
    assert "<strong>tidak dikenali</strong>" not in body
    page = run(client, second, "impor").content.decode()  # the selects as shown
    second.refresh_from_db()
    assert second.status == ImportJob.Status.DONE, second.result
    assert stored(region.kelurahan).count() == 2
    assert "Impor berhasil" in page


def test_a_check_writes_nothing_and_keeps_the_file_for_the_import(region):
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, standard_file())
    page = run(client, job, "periksa").content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.dry_run
    assert job.result["rows"] == len(ROWS)
    assert "berkas dapat diimpor" in page and 'value="impor"' in page
    assert not stored(region.kelurahan).exists() and not ImportBatch.objects.exists()
    assert Path(job.file_path).is_file()
    run(client, job, "impor")
    assert stored(region.kelurahan).count() == len(ROWS)


def test_invalid_file_shows_the_first_100_errors_and_downloads_all(region):
    client = client_for(region.operator)
    rows = [("PKK", [9, 4, 4, 4, 4, 4, 4, 4, 4], "L")] * 130 + [("Lurah", [4] * 9, "X")]
    job = upload(client, region.kelurahan, standard_file(rows))
    page = run(client, job, "impor").content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.result["kind"] == "invalid"
    assert job.error_count == job.result["total"] == 132  # 130 U1, a layanan, a jenis kelamin
    assert "sel yang tidak valid" in page
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    assert table.count("<tr>") == 100
    assert "<td class=\"num\">2</td><td>B (U1)</td><td>9</td>" in table
    assert "… dan 32 sel lain" in page
    # nothing written
    assert not stored(region.kelurahan).exists() and not ImportBatch.objects.exists()
    # every error in the CSV download
    response = client.get(job_url(job, "import-errors"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["baris", "kolom", "judul_kolom", "nilai", "masalah"]
    assert len(lines) == 1 + 132
    assert lines[1][:4] == ["2", "B", "U1", "9"]
    assert {line[1] for line in lines[1:]} == {"A", "B", "K"}


def test_the_same_file_again_is_refused_naming_the_first_import(region):
    client = client_for(region.operator)
    content = standard_file()
    run(client, upload(client, region.kelurahan, content, name="pertama.csv"), "impor")
    assert stored(region.kelurahan).count() == len(ROWS)
    again = upload(client, region.kelurahan, content, name="lagi.csv")
    page = run(client, again, "impor").content.decode()
    again.refresh_from_db()
    assert again.result["kind"] == "refused"
    assert "sudah pernah diimpor" in page
    first = ImportBatch.objects.get()
    assert tanggal_id(timezone.localtime(first.created).date()) in page
    assert "oleh operator (pertama.csv)" in page
    assert stored(region.kelurahan).count() == len(ROWS)


def test_duplicates_are_reported(region):
    client = client_for(region.operator)
    run(client, upload(client, region.kelurahan, standard_file()), "impor")
    # the same rows in another file (other bytes): reported, imported by default
    page = run(client, upload(client, region.kelurahan, standard_file(delimiter=",")),
               "periksa").content.decode()
    assert "5 baris sama dengan jawaban yang sudah tersimpan (baris 2, 3, 4, 5, 6)" in page
    # skipped when asked for
    job = upload(client, region.kelurahan, standard_file(delimiter="\t"), lewati_duplikat="on")
    page = run(client, job, "impor").content.decode()
    job.refresh_from_db()
    assert job.result["rows"] == 0 and job.result["duplicates"] == 5
    assert "Baris itu dilewati" in page
    assert stored(region.kelurahan).count() == len(ROWS)


# ---- progress ---------------------------------------------------------------------------------


def test_status_endpoint_json_and_html(region):
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, standard_file())
    ImportJob.objects.filter(pk=job.pk).update(status="running", fraction=0.5, rows_done=1234,
                                               updated=timezone.now())
    data = client.get(job_url(job, "import-status") + "?format=json").json()
    assert data == {"id": job.pk, "status": "running", "dry_run": False, "rows_done": 1234,
                    "fraction": 0.5, "error_count": 0, "finished": None, "result": None}
    html = client.get(job_url(job, "import-status")).content.decode()
    assert '<progress max="100" value="50">' in html and 'hx-trigger="every 1s"' in html
    assert "1.234 baris dibaca" in html
    page = client.get(job_url(job)).content.decode()  # the page polls, or refreshes itself
    assert 'http-equiv="refresh"' in page and "vendor/htmx-2.0.11.min.js" in page
    assert '<progress max="100" value="50">' in page

    ImportJob.objects.filter(pk=job.pk).update(status="done", result={"kind": "ok"},
                                               fraction=1.0)
    response = client.get(job_url(job, "import-status"), headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true" and "hx-get" not in response.content.decode()
    page = client.get(job_url(job)).content.decode()
    assert 'http-equiv="refresh"' not in page


def test_a_job_without_progress_for_long_is_marked_failed(region):
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, standard_file())
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", updated=timezone.now() - timedelta(minutes=11))
    data = client.get(job_url(job, "import-status") + "?format=json").json()
    assert data["status"] == "failed" and data["result"] == "error"
    job.refresh_from_db()
    assert "server dimulai ulang" in job.result["message"]
    assert job.file_path == ""  # the upload of a dead import is deleted


@pytest.mark.django_db(transaction=True)
def test_the_job_runs_in_a_background_thread(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    threads = []
    real_run = jobs.run

    def recording_run(job_id, threaded=False):
        threads.append(threading.current_thread().name)
        return real_run(job_id, threaded)

    monkeypatch.setattr(jobs, "run", recording_run)
    settings.SKM_IMPORT_SYNC = False
    region = make_region()
    operator = make_user("operator", region.kelurahan, Membership.Role.OPERATOR)
    client = client_for(operator)
    rows = ROWS * 400
    job = upload(client, region.kelurahan, standard_file(rows))
    response = client.post(job_url(job), {"aksi": "impor"})
    assert response.status_code == 302
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = client.get(job_url(job, "import-status") + "?format=json").json()
        seen.append(data["status"])
        if data["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert data["status"] == "done", data
    assert data["rows_done"] == len(rows) and data["fraction"] == 1.0
    assert stored(region.kelurahan).count() == len(rows)
    job.refresh_from_db()
    assert job.file_path == "" and not any((tmp_path / "imports").iterdir())
    assert set(seen) <= {"queued", "running", "done"}
    assert threads and threads[0] != threading.main_thread().name


def test_xlsx_upload_and_unused_uploads_are_swept(region):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Rekap survei"])  # a title row above the header
    sheet.append(["Layanan", *U])
    for lay, answers, _jk in ROWS:
        sheet.append([lay, *answers])
    out = io.BytesIO()
    book.save(out)
    client = client_for(region.operator)
    job = upload(client, region.kelurahan, out.getvalue(), name="rekap.xlsx")
    body = client.get(job_url(job)).content.decode()
    assert "Baris judul: baris 2" in body and body.count("dikenali dari judul") == 10
    page = run(client, job, "periksa").content.decode()
    assert "5 jawaban akan diimpor" in page
    # checked, never imported: the upload is deleted a day later
    ImportJob.objects.filter(pk=job.pk).update(updated=timezone.now() - timedelta(days=2))
    assert client.get(upload_url(region.kelurahan)).status_code == 200
    job.refresh_from_db()
    assert job.file_path == "" and not any(upload_dir_of().iterdir())
    assert "tidak dapat diproses lagi" in client.post(job_url(job), {"aksi": "impor"},
                                                      follow=True).content.decode()


def test_an_unreadable_file_is_named_by_its_upload_name(region):
    client = client_for(region.operator)
    for name, content, problem in [
        ("rusak.xlsx", b"PK\x03\x04bukan excel", "rusak.xlsx: berkas Excel tidak bisa dibaca"),
        ("catatan.csv", b"a;b\n1;2\n", "catatan.csv: baris judul tidak ditemukan"),
    ]:
        job = upload(client, region.kelurahan, content, name=name)
        body = client.get(job_url(job)).content.decode()
        assert problem in body
        assert 'value="impor"' not in body  # nothing to map
