"""Dokumentasi kegiatan: real photos and PDFs only, metadata and location stripped unless the unit
keeps the location, thumbnails, safe serving, access, history, and nothing written on error."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from skm.followup import evidence as evidence_files
from skm.followup.models import Evidence, FollowupChange, Realisasi
from tests.factories import PASSWORD, make_region, make_user

from .helpers import seed_items

pytestmark = pytest.mark.django_db

GPS = {1: "S", 2: (6.0, 11.0, 42.5), 3: "E", 4: (106.0, 53.0, 7.25)}
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def item(region):
    return seed_items(region, realised=1)[0]


@pytest.fixture
def users(region):
    return {
        "admin": make_user("admin", superuser=True),
        "supervisor": make_user("supervisor", region.kecamatan, "supervisor"),
        "operator": make_user("operator", region.kelurahan, "operator"),
        "viewer": make_user("viewer", region.kelurahan, "viewer"),
        "outsider": make_user("outsider", region.sibling, "operator"),
    }


def client_of(who):
    client = Client()
    if who != "anonymous":
        assert client.login(username=who, password=PASSWORD)
    return client


@pytest.fixture
def operator(users):
    return client_of("operator")


def jpeg_with_exif(size=(1200, 900), orientation=None, gps=True, color=(200, 40, 40)):
    """A real camera-like JPEG: maker, software, date, GPS and optionally an orientation."""
    image = Image.new("RGB", size, color)
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))  # a mark in the top left
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"          # Make
    exif[0x0131] = "FirmwareUji 1.0"    # Software
    exif[0x0132] = "2024:09:17 07:31:00"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[GPS_IFD] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bytes(size=(300, 200), mode="RGBA"):
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 30, 128) if mode == "RGBA" else (10, 120, 30)).save(
        out, "PNG")
    return out.getvalue()


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def url(region, name, **kwargs):
    return reverse(name, kwargs={"slug": region.kelurahan.slug, "period": region.period.code,
                                 **kwargs})


def post_files(client, region, item, *files, caption=""):
    return client.post(url(region, "rtl-evidence-add", pk=item.pk),
                       {f"unggah-{item.pk}-files": list(files),
                        f"unggah-{item.pk}-caption": caption})


def stored(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def opened(evidence, field="file"):
    with getattr(evidence, field).open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# ---- photos: metadata, location, orientation, thumbnail -------------------------------------

def test_a_jpeg_loses_its_gps_and_every_other_exif(operator, region, item, media):
    source = Image.open(io.BytesIO(jpeg_with_exif()))
    assert source.getexif().get_ifd(GPS_IFD) == GPS  # the upload really carries a location

    response = post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()))
    assert response.status_code == 302
    [evidence] = Evidence.objects.all()
    assert (evidence.kind, evidence.original_name) == ("photo", "apel.jpg")
    image = opened(evidence)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    raw = evidence.file.open("rb").read()
    assert b"KameraUji" not in raw and b"FirmwareUji" not in raw
    assert evidence.file.name.startswith(f"evidence/{region.kelurahan.slug}/")
    assert evidence.file.name.endswith(".jpg") and "apel" not in evidence.file.name
    assert (evidence.width, evidence.height) == (1200, 900) == image.size
    assert evidence.size == evidence.file.size


def test_a_unit_that_keeps_locations_keeps_the_gps_block_only(operator, region, item):
    region.kelurahan.keep_photo_location = True
    region.kelurahan.save()
    post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()))
    image = opened(Evidence.objects.get())
    exif = image.getexif()
    assert exif.get_ifd(GPS_IFD) == GPS
    assert set(exif) == {GPS_IFD}  # no maker, software or date
    assert b"KameraUji" not in Evidence.objects.get().file.open("rb").read()


def test_the_exif_orientation_is_applied(operator, region, item):
    # orientation 6: the camera was turned; the viewer must rotate 90 degrees clockwise
    post_files(operator, region, item, upload("tegak.jpg", jpeg_with_exif(orientation=6)))
    evidence = Evidence.objects.get()
    image = opened(evidence)
    assert image.size == (900, 1200) == (evidence.width, evidence.height)
    # the blue mark, top left before, is now top right
    red, green, blue = image.convert("RGB").getpixel((image.width - 20, 20))
    assert blue > 150 and red < 100


def test_the_thumbnail_is_a_jpeg_of_at_most_480_pixels(operator, region, item):
    post_files(operator, region, item, upload("besar.jpg", jpeg_with_exif(size=(2000, 1000))))
    thumb = opened(Evidence.objects.get(), "thumbnail")
    assert thumb.format == "JPEG" and thumb.size == (480, 240)
    assert dict(thumb.getexif()) == {}


def test_a_png_stays_png_with_its_transparency(operator, region, item):
    post_files(operator, region, item, upload("denah.png", png_bytes()))
    evidence = Evidence.objects.get()
    image = opened(evidence)
    assert evidence.file.name.endswith(".png")
    assert image.format == "PNG" and image.mode == "RGBA" and image.size == (300, 200)
    assert opened(evidence, "thumbnail").format == "JPEG"


def test_a_very_large_photo_is_scaled_down(operator, region, item):
    post_files(operator, region, item, upload("ponsel.jpg", jpeg_with_exif(size=(4800, 1200))))
    evidence = Evidence.objects.get()
    assert (evidence.width, evidence.height) == (evidence_files.MAX_SIDE,
                                                 evidence_files.MAX_SIDE // 4)


# ---- refused files, and nothing written ----------------------------------------------------

def refused(client, region, item, media, *files):
    response = post_files(client, region, item, *files)
    assert response.status_code == 200
    html = response.content.decode()
    assert not Evidence.objects.exists()
    assert not FollowupChange.objects.filter(action__startswith="evidence").exists()
    assert stored(media) == []
    return html


def test_a_text_file_named_jpg_is_refused_naming_the_file(operator, region, item, media):
    html = refused(operator, region, item, media,
                   upload("foto-apel.jpg", b"bukan gambar, hanya teks\n" * 20, "image/jpeg"))
    assert "“foto-apel.jpg” bukan gambar yang sah" in html
    assert "Tidak ada berkas yang disimpan" in html


def test_a_truncated_jpeg_is_refused(operator, region, item, media):
    data = jpeg_with_exif()
    html = refused(operator, region, item, media, upload("terpotong.jpg", data[:len(data) // 2]))
    assert "“terpotong.jpg” bukan gambar yang sah" in html


def test_an_oversize_file_is_refused(operator, region, item, media, settings):
    settings.SKM_UPLOAD_MAX_MB = 1
    big = b"\xff\xd8" + b"\0" * (1024 * 1024 + 10)
    html = refused(operator, region, item, media, upload("besar.jpg", big))
    assert "“besar.jpg” terlalu besar (1,0 MB); batasnya 1 MB." in html


def test_a_decompression_bomb_is_refused(operator, region, item, media, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000 * 1000)
    html = refused(operator, region, item, media,
                   upload("bom.jpg", jpeg_with_exif(size=(1200, 900), gps=False)))
    assert "“bom.jpg” terlalu besar ukuran gambarnya" in html


def test_an_unsupported_type_is_refused(operator, region, item, media):
    html = refused(operator, region, item, media, upload("catatan.docx", b"PK\x03\x04 isi"))
    assert "“catatan.docx”: jenis berkas tidak didukung" in html


def test_one_bad_file_and_none_is_saved(operator, region, item, media):
    html = refused(operator, region, item, media,
                   upload("baik.jpg", jpeg_with_exif()), upload("palsu.pdf", b"%PDF-1.4 rusak"))
    assert "“palsu.pdf” bukan PDF yang sah." in html
    assert "baik.jpg" not in re.sub(r"<input[^>]*>", "", html.split('role="alert"')[1])


def test_no_file_at_all_is_refused(operator, region, item, media):
    html = refused(operator, region, item, media)
    assert "Pilih sedikitnya satu berkas." in html


def test_a_failing_transaction_leaves_no_file(region, item, media, monkeypatch):
    prepared = evidence_files.prepare_all([upload("a.jpg", jpeg_with_exif())])

    def broken(*args, **kwargs):
        raise RuntimeError("basis data gagal")

    monkeypatch.setattr(FollowupChange.objects, "create", broken)
    with pytest.raises(RuntimeError):
        evidence_files.add_evidence(item.realisasi, prepared * 2)
    assert not Evidence.objects.exists()
    assert stored(media) == []


# ---- PDFs -----------------------------------------------------------------------------------

def test_a_pdf_is_accepted_as_uploaded(operator, region, item):
    data = pdf_bytes()
    post_files(operator, region, item, upload("surat tugas.pdf", data, "application/pdf"))
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.original_name, evidence.size) == ("pdf", "surat tugas.pdf",
                                                                     len(data))
    assert not evidence.thumbnail and evidence.width is None
    assert evidence.file.open("rb").read() == data


def test_a_fake_pdf_is_refused(operator, region, item, media):
    html = refused(operator, region, item, media,
                   upload("surat.pdf", b"<html>bukan pdf</html>", "application/pdf"))
    assert "“surat.pdf” bukan PDF yang sah." in html
    html = refused(operator, region, item, media,
                   upload("surat2.pdf", b"%PDF-1.7\n" + b"sampah " * 50, "application/pdf"))
    assert "“surat2.pdf” bukan PDF yang sah." in html


def test_a_password_protected_pdf_is_refused(operator, region, item, media):
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="rahasia", owner_password="pemilik")
    out = io.BytesIO()
    writer.write(out)
    html = refused(operator, region, item, media, upload("kunci.pdf", out.getvalue()))
    assert "“kunci.pdf” dikunci dengan kata sandi" in html


# ---- serving --------------------------------------------------------------------------------

@pytest.fixture
def photo_and_pdf(operator, region, item):
    post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()),
               upload("surat.pdf", pdf_bytes()), caption="Apel PPSU")
    return Evidence.objects.get(kind="photo"), Evidence.objects.get(kind="pdf")


def test_files_are_served_with_safe_headers(operator, region, photo_and_pdf):
    photo, pdf = photo_and_pdf
    response = operator.get(url(region, "rtl-evidence-file", evidence=photo.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()

    response = operator.get(url(region, "rtl-evidence-file", evidence=pdf.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="surat.pdf"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"

    response = operator.get(url(region, "rtl-evidence-thumb", evidence=photo.pk))
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (480, 360)
    assert operator.get(url(region, "rtl-evidence-thumb", evidence=pdf.pk)).status_code == 404


def test_the_rtl_page_shows_thumbnails_linking_to_the_full_image(operator, region, item,
                                                                photo_and_pdf):
    photo, pdf = photo_and_pdf
    html = operator.get(url(region, "rtl")).content.decode()
    full = url(region, "rtl-evidence-file", evidence=photo.pk)
    thumb = url(region, "rtl-evidence-thumb", evidence=photo.pk)
    assert re.search(rf'<a href="{full}"><img src="{thumb}" alt="Apel PPSU"', html)
    assert f'<a href="{url(region, "rtl-evidence-file", evidence=pdf.pk)}">surat.pdf</a>' in html


def test_media_is_not_served_publicly(client, photo_and_pdf):
    photo, _ = photo_and_pdf
    assert client.get("/media/" + photo.file.name).status_code == 404


@pytest.mark.parametrize("who,reads,uploads", [
    ("admin", True, True), ("operator", True, True), ("supervisor", True, False),
    ("viewer", True, False), ("outsider", False, False), ("anonymous", False, False),
])
def test_access(region, item, users, who, reads, uploads, media):
    post_files(client_of("operator"), region, item, upload("apel.jpg", jpeg_with_exif()))
    photo = Evidence.objects.get()
    client = client_of(who)
    for name in ("rtl-evidence-file", "rtl-evidence-thumb"):
        response = client.get(url(region, name, evidence=photo.pk))
        if reads:
            assert response.status_code == 200, name
        elif who == "anonymous":
            assert response.status_code == 302 and "/masuk/" in response["Location"]
        else:
            assert response.status_code == 404, name

    response = post_files(client, region, item, upload("lagi.jpg", jpeg_with_exif()))
    edit = client.post(url(region, "rtl-evidence-edit", evidence=photo.pk),
                       {f"dokumentasi-{photo.pk}-caption": "diubah",
                        f"dokumentasi-{photo.pk}-order": "5"})
    delete = client.post(url(region, "rtl-evidence-delete", evidence=photo.pk))
    if uploads:
        assert response.status_code == 302
        assert Evidence.objects.filter(original_name="lagi.jpg").exists()
        assert edit.status_code == delete.status_code == 302
        assert not Evidence.objects.filter(pk=photo.pk).exists()
    else:
        expected = 302 if who == "anonymous" else 404
        assert response.status_code == edit.status_code == delete.status_code == expected
        assert list(Evidence.objects.values_list("original_name", "caption")) == [
            ("apel.jpg", "")]


def test_evidence_of_another_unit_or_period_is_404(operator, region, users, item):
    from skm.followup.models import RtlItem

    post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()))
    photo = Evidence.objects.get()
    other = reverse("rtl-evidence-file", kwargs={"slug": region.kelurahan.slug,
                                                 "period": "2024-S1", "evidence": photo.pk})
    assert operator.get(other).status_code == 404
    foreign = RtlItem.objects.create(unit=region.sibling, period=region.period,
                                     unsur_codes=["U1"], program="x", quarters=["2024-TW3"],
                                     section=region.sibling.sections.create(code="A", name="A"))
    realisasi = Realisasi.objects.create(item=foreign)
    evidence_files.add_evidence(realisasi, evidence_files.prepare_all(
        [upload("asing.jpg", jpeg_with_exif())]))
    foreign_photo = Evidence.objects.get(original_name="asing.jpg")
    assert operator.get(url(region, "rtl-evidence-file", evidence=foreign_photo.pk)
                        ).status_code == 404
    assert operator.post(url(region, "rtl-evidence-delete", evidence=foreign_photo.pk)
                         ).status_code == 404
    assert Evidence.objects.filter(pk=foreign_photo.pk).exists()


# ---- history, order, caption, delete --------------------------------------------------------

def test_add_edit_and_delete_are_in_the_history(operator, region, item, media,
                                                django_capture_on_commit_callbacks):
    post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()),
               upload("surat.pdf", pdf_bytes()), caption="Apel pagi")
    photo, pdf = Evidence.objects.order_by("order")
    assert (photo.original_name, photo.order, pdf.original_name, pdf.order) == (
        "apel.jpg", 0, "surat.pdf", 1)
    assert photo.caption == pdf.caption == "Apel pagi"
    assert photo.uploaded_by.username == "operator"
    added = FollowupChange.objects.filter(action="evidence_add").order_by("pk")
    assert [(c.user.username, c.item_id, c.changes) for c in added] == [
        ("operator", item.pk, {"dokumentasi": [None, "apel.jpg"]}),
        ("operator", item.pk, {"dokumentasi": [None, "surat.pdf"]}),
    ]

    operator.post(url(region, "rtl-evidence-edit", evidence=pdf.pk),
                  {f"dokumentasi-{pdf.pk}-caption": "Surat tugas",
                   f"dokumentasi-{pdf.pk}-order": "0"})
    photo.refresh_from_db()
    pdf.refresh_from_db()
    assert pdf.caption == "Surat tugas"
    assert list(Evidence.objects.values_list("original_name", flat=True)) == [
        "apel.jpg", "surat.pdf"]  # same order value: by pk
    edit = FollowupChange.objects.get(action="evidence_edit")
    assert edit.changes == {"caption": ["Apel pagi", "Surat tugas"], "order": [1, 0],
                            "dokumentasi": ["surat.pdf", "surat.pdf"]}

    files = {photo.file.path, photo.thumbnail.path}
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(url(region, "rtl-evidence-delete", evidence=photo.pk))
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=photo.pk).exists()
    assert not any(p.exists() for p in map(__import__("pathlib").Path, files))
    deleted = FollowupChange.objects.get(action="evidence_delete")
    assert (deleted.user.username, deleted.changes) == (
        "operator", {"dokumentasi": ["apel.jpg", None]})
    history = operator.get(url(region, "rtl-history")).content.decode()
    assert "dokumentasi ditambahkan" in history and "dokumentasi dihapus" in history
    assert "apel.jpg" in history


def test_an_upload_for_an_item_without_realisasi_makes_one_as_belum(operator, region):
    item = seed_items(region, realised=0)[0]
    response = post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.realisasi.status == Realisasi.Status.BELUM
    assert item.realisasi.evidence.get().original_name == "apel.jpg"
    assert not item.done


def test_original_names_are_cleaned():
    assert evidence_files.clean_name("C:\\Users\\budi\\foto apel.JPG") == "foto apel.JPG"
    assert evidence_files.clean_name("../../etc/passwd") == "passwd"
    assert evidence_files.clean_name("a\x00b\nc.jpg") == "abc.jpg"
    assert len(evidence_files.clean_name("x" * 400 + ".jpg")) == 255
    assert evidence_files.clean_name("x" * 400 + ".jpg").endswith(".jpg")


def test_the_operator_page_sets_keep_photo_location(operator, region, users):
    manage = reverse("manage", kwargs={"slug": region.kelurahan.slug})
    html = operator.get(manage).content.decode()
    assert 'name="pengaturan-keep_photo_location"' in html
    response = operator.post(manage, {"pengaturan": "1",
                                      "pengaturan-keep_photo_location": "on"})
    assert response.status_code == 302
    region.kelurahan.refresh_from_db()
    assert region.kelurahan.keep_photo_location
    operator.post(manage, {"pengaturan": "1"})
    region.kelurahan.refresh_from_db()
    assert not region.kelurahan.keep_photo_location
    # a viewer of the unit cannot change it
    viewer = client_of("viewer")
    assert viewer.post(manage, {"pengaturan": "1", "pengaturan-keep_photo_location": "on"}
                       ).status_code == 404
    region.kelurahan.refresh_from_db()
    assert not region.kelurahan.keep_photo_location


def test_deleting_the_item_removes_its_files_after_commit(operator, region, item, media,
                                                          django_capture_on_commit_callbacks):
    post_files(operator, region, item, upload("apel.jpg", jpeg_with_exif()),
               upload("surat.pdf", pdf_bytes()))
    assert len(stored(media)) == 3  # photo, its thumbnail, the PDF
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert not Evidence.objects.exists()
    assert stored(media) == []
