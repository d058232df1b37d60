"""RTL items, realisasi and evidence through the API: the RTL page's rules, its history rows
(with the token's user), and uploads checked and cleaned by skm.followup.evidence."""

import io
from dataclasses import replace
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from skm.api.models import ApiToken
from skm.followup.models import Evidence, FollowupChange, Realisasi, RtlItem
from skm.units.models import Membership
from tests.factories import make_user, region_with_rows
from tests.followup.helpers import SEED_PROGRAM, seed_items

pytestmark = pytest.mark.django_db

RTL = "/api/v1/units/jatinegara-kaum/rtl/2024-S2"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def region():
    region = region_with_rows()
    seed_items(region, realised=1)
    return region


@pytest.fixture
def operator(region):
    return make_user("operator", region.kelurahan, Membership.Role.OPERATOR)


@pytest.fixture
def api(client, operator):
    key = ApiToken.issue("staff", "Skrip", user=operator)[1]
    headers = {"Authorization": f"Bearer {key}"}

    class Api:
        def __init__(self):
            self.headers = headers

        def get(self, url):
            return client.get(RTL + url, headers=headers)

        def send(self, method, url, data):
            return getattr(client, method)(RTL + url, data, content_type="application/json",
                                           headers=headers)

        def upload(self, url, files, **fields):
            return client.post(RTL + url, {"files": files, **fields}, headers=headers)

        def delete(self, url):
            return client.delete(RTL + url, headers=headers)

    return Api()


def items(region):
    return list(RtlItem.objects.filter(unit=region.kelurahan).order_by("order", "pk"))


def errors_of(response):
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def jpeg(size=(1200, 900)):
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_list_shows_items_realisasi_and_completion(region, api):
    data = api.get("/items").json()
    assert (data["unit"], data["period"], data["planned"], data["done"]) == (
        "jatinegara-kaum", "2024-S2", 3, 1)
    assert data["percent"] == 33.33  # 1 of 3, rounded half-up only here
    first, second, _third = data["items"]
    assert first["unsur_codes"] == ["U1"] and first["program"] == SEED_PROGRAM
    assert first["section"] == {"code": "Ekbang", "name": "Seksi Ekonomi dan Pembangunan"}
    assert first["done"] is True and first["quarters"] == ["2024-TW3"]
    assert first["realisasi"]["status"] == "sudah"
    assert first["realisasi"]["tanggal"] == "2024-09-17"
    assert second["realisasi"] is None and second["done"] is False
    assert second["overdue"] is True  # TW III 2024 is long past


def test_create_item_records_history_with_the_token_user(region, api, operator):
    response = api.send("post", "/items", {
        "unsur_codes": ["U8", "U1"], "program": "  Kotak saran di loket  ",
        "months": ["2024-11", "2024-10"], "section": "Ekbang", "horizon": "menengah"})
    assert response.status_code == 201, response.content
    created = RtlItem.objects.get(pk=response.json()["id"])
    assert created.program == "Kotak saran di loket"
    assert created.months == ["2024-10", "2024-11"]  # sorted, as the page stores them
    assert created.order == 3  # after the seed's 0, 1, 2
    change = FollowupChange.objects.get(item=created)
    assert (change.action, change.user) == ("create", operator)
    assert change.changes["program"] == [None, "Kotak saran di loket"]
    assert change.changes["section"] == [None, "Ekbang"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"unsur_codes": ["U1"], "program": "x", "section": "Ekbang"}, {"quarters"}),
        ({"unsur_codes": ["U1"], "program": "x", "quarters": ["2024-TW4"],
          "months": ["2024-10"], "section": "Ekbang"}, {"months"}),
        ({"unsur_codes": ["U99"], "program": "x", "quarters": ["2024-TW4"],
          "section": "Ekbang"}, {"unsur_codes"}),
        ({"unsur_codes": ["U1"], "program": "   ", "quarters": ["2030-TW1"],
          "section": "Tidak-ada"}, {"program", "quarters", "section"}),
        ({"program": "x", "section": "Ekbang"}, {"unsur_codes"}),
        ({"unsur_codes": ["U1"], "program": "x", "quarters": ["2024-TW4"], "section": "Ekbang",
          "horizon": "selamanya"}, {"horizon"}),
    ],
)
def test_bad_items_are_refused_field_by_field(region, api, body, fields):
    response = api.send("post", "/items", body)
    assert set(errors_of(response)) == fields
    assert len(items(region)) == 3
    assert not FollowupChange.objects.exists()


def test_patch_changes_only_what_is_given_and_records_the_diff(region, api, operator):
    item = items(region)[1]
    response = api.send("patch", f"/items/{item.pk}",
                        {"program": "Apel pagi", "quarters": ["2024-TW4"]})
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.program, item.quarters, item.unsur_codes) == ("Apel pagi", ["2024-TW4"],
                                                               ["U2"])
    change = FollowupChange.objects.get(item=item)
    assert (change.action, change.user) == ("update", operator)
    assert change.changes == {"program": [SEED_PROGRAM, "Apel pagi"],
                              "quarters": [["2024-TW3"], ["2024-TW4"]]}
    # the same again changes nothing and records nothing
    api.send("patch", f"/items/{item.pk}", {"program": "Apel pagi"})
    assert FollowupChange.objects.filter(item=item).count() == 1


def test_items_of_another_unit_or_period_are_404(region, api, client):
    foreign = seed_items(replace(region, kelurahan=region.sibling))[0]
    for response in (api.get(f"/items/{foreign.pk}"),
                     api.send("patch", f"/items/{foreign.pk}", {"program": "x"}),
                     api.get(f"/items/{foreign.pk}/realisasi/evidence")):
        assert response.status_code == 404
        assert response.json() == {"detail": "Rencana tindak lanjut tidak ditemukan.",
                                   "errors": []}
    foreign.refresh_from_db()
    assert foreign.program == SEED_PROGRAM
    own = items(region)[0]
    other_period = RTL.replace("2024-S2", "2024-S1") + f"/items/{own.pk}"
    response = client.get(other_period, headers=api.headers)
    assert response.status_code == 404


def test_realisasi_put_and_get(region, api, operator):
    item = items(region)[1]
    assert api.get(f"/items/{item.pk}/realisasi").status_code == 404
    response = api.send("put", f"/items/{item.pk}/realisasi", {"status": "sudah"})
    assert errors_of(response) == {"tanggal": "Isi tanggal realisasi untuk status Sudah."}
    assert not Realisasi.objects.filter(item=item).exists()
    response = api.send("put", f"/items/{item.pk}/realisasi", {
        "status": "sudah", "tanggal": "2024-10-02", "deskripsi": "Apel bersama",
        "hambatan": "Tidak ada"})
    assert response.status_code == 200, response.content
    saved = Realisasi.objects.get(item=item)
    assert (saved.status, saved.tanggal) == ("sudah", date(2024, 10, 2))
    assert api.get(f"/items/{item.pk}/realisasi").json()["deskripsi"] == "Apel bersama"
    change = FollowupChange.objects.get(item=item)
    assert (change.action, change.user) == ("realisasi", operator)
    assert change.changes["tanggal"] == [None, "2024-10-02"]
    assert api.get("/items").json()["done"] == 2


def test_evidence_upload_list_delete(region, api, operator):
    item = items(region)[1]  # no realisasi yet: the upload makes one, as Belum
    photo = SimpleUploadedFile("foto apel.jpg", jpeg(), content_type="image/jpeg")
    letter = SimpleUploadedFile("surat.pdf", pdf(), content_type="application/pdf")
    response = api.upload(f"/items/{item.pk}/realisasi/evidence", [photo, letter],
                          caption="Apel 2 Oktober")
    assert response.status_code == 201, response.content
    saved = response.json()
    assert [(e["kind"], e["original_name"], e["caption"]) for e in saved] == [
        ("photo", "foto apel.jpg", "Apel 2 Oktober"), ("pdf", "surat.pdf", "Apel 2 Oktober")]
    assert saved[0]["uploaded_by"] == "operator"
    stored = Evidence.objects.get(pk=saved[0]["id"])
    assert "KameraUji" not in str(Image.open(stored.file.path).getexif())  # EXIF stripped
    assert Realisasi.objects.get(item=item).status == "belum"
    listing = api.get(f"/items/{item.pk}/realisasi/evidence").json()
    assert [e["id"] for e in listing] == [e["id"] for e in saved]
    response = api.delete(f"/items/{item.pk}/realisasi/evidence/{saved[0]['id']}")
    assert response.status_code == 204
    assert not Evidence.objects.filter(pk=saved[0]["id"]).exists()
    actions = list(FollowupChange.objects.filter(item=item).order_by("pk")
                   .values_list("action", "user"))
    assert actions == [("realisasi", operator.pk), ("evidence_add", operator.pk),
                       ("evidence_add", operator.pk), ("evidence_delete", operator.pk)]
    history = api.get("/history").json()
    assert [h["action"] for h in history if h["item"] == item.pk][0] == "evidence_delete"


def test_evidence_files_and_thumbnails_download_with_a_read_token(region, api, client):
    item = items(region)[1]
    photo = SimpleUploadedFile("foto apel.jpg", jpeg(), content_type="image/jpeg")
    letter = SimpleUploadedFile("surat.pdf", pdf(), content_type="application/pdf")
    saved = api.upload(f"/items/{item.pk}/realisasi/evidence", [photo, letter]).json()
    viewer = make_user("viewer", region.kelurahan, Membership.Role.VIEWER)
    key = ApiToken.issue("staff", "Dasbor", user=viewer, scopes=["read"])[1]
    headers = {"Authorization": f"Bearer {key}"}
    base = f"/api/v1/units/jatinegara-kaum/rtl/2024-S2/items/{item.pk}/realisasi/evidence"

    def get(path):
        response = client.get(base + path, headers=headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response, body

    stored_photo, stored_pdf = (Evidence.objects.get(pk=e["id"]) for e in saved)
    response, body = get(f"/{stored_photo.pk}/file")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert body == stored_photo.file.read()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    response, body = get(f"/{stored_photo.pk}/thumbnail")
    assert response.status_code == 200 and Image.open(io.BytesIO(body)).format == "JPEG"
    response, body = get(f"/{stored_pdf.pk}/file")
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    response, _ = get(f"/{stored_pdf.pk}/thumbnail")
    assert response.status_code == 404
    assert response.json()["detail"] == "Berkas ini tidak punya gambar kecil."
    other = items(region)[0]
    response = client.get(base.replace(f"/items/{item.pk}/", f"/items/{other.pk}/")
                          + f"/{stored_photo.pk}/file", headers=headers)
    assert response.status_code == 404  # an evidence of another item
    stored_photo.file.storage.delete(stored_photo.file.name)
    response, _ = get(f"/{stored_photo.pk}/file")
    assert response.status_code == 404
    assert response.json()["detail"] == "Berkas tidak ditemukan."


def test_one_bad_file_and_nothing_is_saved(region, api):
    item = items(region)[0]
    good = SimpleUploadedFile("foto.jpg", jpeg(), content_type="image/jpeg")
    bad = SimpleUploadedFile("palsu.jpg", b"bukan gambar", content_type="image/jpeg")
    response = api.upload(f"/items/{item.pk}/realisasi/evidence", [good, bad])
    errors = response.json()["errors"]
    assert response.status_code == 422
    assert errors == [{"field": "files",
                       "message": "“palsu.jpg” bukan gambar yang sah; unggah foto JPEG, PNG "
                                  "atau WebP."}]
    assert not Evidence.objects.exists()
    response = api.upload(f"/items/{item.pk}/realisasi/evidence", [])
    assert errors_of(response) == {"files": "Wajib diisi."}
