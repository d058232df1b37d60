"""Dokumentasi kegiatan: checking, cleaning and storing the photos and PDFs of a realisasi.

An upload is trusted for nothing but its bytes. A photo must open and verify as a JPEG, PNG or
WebP with Pillow, within Pillow's decompression-bomb limit; it is then decoded fully and
re-encoded (JPEG, or PNG for a PNG) with its EXIF orientation applied, so nothing of the
uploaded file but its pixels survives: no EXIF, no location, no comment, no trailing payload. A
unit that keeps photo locations on purpose (``Unit.keep_photo_location``) keeps the GPS block and
nothing else. A PDF must start with ``%PDF-`` and parse with pypdf; it is stored as uploaded
and only ever served as a download in a sandbox.

Every file of an upload is checked before anything is written: one bad file and nothing is
saved. The rows are written in one transaction; the files written for it are removed again if
it fails, and the files of a deleted row are removed only once the deletion has committed.
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from skm.formatting import decimal_id

from .models import Evidence, FollowupChange, Realisasi

PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "jpg"}
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".webp"}
PDF_EXTENSIONS = {".pdf"}
#: a stored photo is at most this many pixels on its longest side (phone photos are larger)
MAX_SIDE = 2400
THUMB_SIDE = 480
JPEG_QUALITY = 85
GPS_IFD = 0x8825
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


@dataclass
class Prepared:
    """A checked, cleaned file, ready to store."""

    kind: str
    original_name: str
    content: bytes
    extension: str
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def max_bytes() -> int:
    return int(getattr(settings, "SKM_UPLOAD_MAX_MB", 10)) * 1024 * 1024


def clean_name(name: str) -> str:
    """The file name as shown back: its last path part, no control characters, at most 255."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 255:
        stem, suffix = PurePath(base).stem, PurePath(base).suffix[:20]
        base = stem[:255 - len(suffix)] + suffix
    return base or "berkas"


def _megabytes(size: int) -> str:
    return decimal_id(round(size / (1024 * 1024), 1), 1)


def prepare(upload, keep_location: bool = False) -> Prepared:
    """Check one uploaded file and return it cleaned; ValidationError naming the file if it
    is not a real photo or PDF, or too large."""
    name = clean_name(getattr(upload, "name", ""))
    size = upload.size
    if not size:
        raise ValidationError(_("“%(name)s” kosong.") % {"name": name})
    if size > max_bytes():
        raise ValidationError(
            _("“%(name)s” terlalu besar (%(size)s MB); batasnya %(limit)s MB.")
            % {"name": name, "size": _megabytes(size), "limit": settings.SKM_UPLOAD_MAX_MB})
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():  # the declared size lied
        raise ValidationError(
            _("“%(name)s” terlalu besar; batasnya %(limit)s MB.")
            % {"name": name, "limit": settings.SKM_UPLOAD_MAX_MB})
    suffix = PurePath(name).suffix.lower()
    if suffix in PDF_EXTENSIONS or data.startswith(b"%PDF-"):
        return _prepare_pdf(name, data)
    if suffix and suffix not in PHOTO_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s”: jenis berkas tidak didukung; unggah foto JPEG, PNG atau WebP, "
              "atau PDF.") % {"name": name})
    return _prepare_photo(name, data, keep_location)


def _not_a_photo(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” bukan gambar yang sah; unggah foto JPEG, PNG atau WebP.") % {"name": name})


def _open(name: str, data: bytes) -> Image.Image:
    """Open with a decompression bomb an error, not a warning (Pillow's MAX_IMAGE_PIXELS)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ValidationError(
                _("“%(name)s” terlalu besar ukuran gambarnya; batasnya %(limit)s megapiksel.")
                % {"name": name, "limit": decimal_id(Image.MAX_IMAGE_PIXELS / 1e6, 0)}
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise _not_a_photo(name) from None


def _prepare_photo(name: str, data: bytes, keep_location: bool) -> Prepared:
    image = _open(name, data)
    source = image.format
    if source not in PHOTO_FORMATS:
        raise _not_a_photo(name)
    try:
        image.verify()  # structure and checksums; the image is unusable afterwards
        image = _open(name, data)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()  # every pixel decoded: a truncated file fails here
            gps = image.getexif().get_ifd(GPS_IFD) if keep_location else {}
            image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        extension = extension_of(source)
        if extension == "png" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds on broken data; all mean the same here
        raise _not_a_photo(name) from None
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = dict(gps)
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if gps else {}
    if extension == "png":
        image.save(out, "PNG", optimize=True, **options)
    else:
        _rgb(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, **options)
    return Prepared(kind=Evidence.Kind.PHOTO, original_name=name, content=out.getvalue(),
                    extension=extension, thumbnail=make_thumbnail(image),
                    width=image.width, height=image.height)


def extension_of(source_format: str) -> str:
    """A PNG stays PNG (screenshots, drawings); every other photo becomes JPEG."""
    return PHOTO_FORMATS[source_format]


def _rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparency becomes white, as on paper."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def make_thumbnail(image: Image.Image) -> bytes:
    """A JPEG of at most THUMB_SIDE pixels on its longest side, no metadata."""
    small = _rgb(image.copy())
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _prepare_pdf(name: str, data: bytes) -> Prepared:
    from pypdf import PdfReader

    refused = ValidationError(_("“%(name)s” bukan PDF yang sah.") % {"name": name})
    if not data.startswith(b"%PDF-"):
        raise refused
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("“%(name)s” dikunci dengan kata sandi; unggah PDF tanpa kata sandi.")
                % {"name": name})
        if len(reader.pages) < 1:
            raise refused
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds on broken data; all mean the same here
        raise refused from None
    return Prepared(kind=Evidence.Kind.PDF, original_name=name, content=data, extension="pdf")


def prepare_all(uploads, keep_location: bool = False) -> list[Prepared]:
    """Every file checked; one ValidationError with a message per bad file."""
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(prepare(upload, keep_location))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return prepared


# ---- storing and deleting -------------------------------------------------------------------

def record(item, user, action, changes) -> FollowupChange:
    return FollowupChange.objects.create(item=item, user=user, action=action, changes=changes)


def add_evidence(realisasi: Realisasi, prepared: list[Prepared], user=None,
                 caption: str = "", history: bool = True) -> list[Evidence]:
    """Store the files and their rows in one transaction, with one history row each (unless
    ``history`` is false: a loaded export brings its own); if anything fails, the files
    written so far are removed and the error raised."""
    written: list[str] = []
    try:
        with transaction.atomic():
            last = realisasi.evidence.order_by("-order").values_list("order", flat=True).first()
            order = 0 if last is None else last + 1
            saved = []
            for number, p in enumerate(prepared):
                evidence = Evidence(
                    realisasi=realisasi, kind=p.kind, original_name=p.original_name,
                    caption=caption, size=len(p.content), width=p.width, height=p.height,
                    uploaded_by=user if user is not None and user.is_authenticated else None,
                    order=order + number,
                )
                evidence.file.save(f"x.{p.extension}", ContentFile(p.content), save=False)
                written.append(evidence.file.name)
                if p.thumbnail is not None:
                    evidence.thumbnail.save("x.jpg", ContentFile(p.thumbnail), save=False)
                    written.append(evidence.thumbnail.name)
                evidence.save()
                if history:
                    record(realisasi.item, evidence.uploaded_by,
                           FollowupChange.Action.EVIDENCE_ADD,
                           {"dokumentasi": [None, evidence.original_name]})
                saved.append(evidence)
    except BaseException:
        remove_files(written)
        raise
    return saved


def remove_files(names) -> None:
    for name in names:
        if name:
            with contextlib.suppress(OSError):
                default_storage.delete(name)


def delete_evidence(evidence: Evidence, user=None) -> None:
    """Delete the row with a history row; its files go once that has committed (the
    post_delete handler in models.py)."""
    with transaction.atomic():
        record(evidence.realisasi.item, user if user and user.is_authenticated else None,
               FollowupChange.Action.EVIDENCE_DELETE,
               {"dokumentasi": [evidence.original_name, None]})
        evidence.delete()


def sweep_unreferenced(unit_slugs) -> list[str]:
    """Remove every stored file under ``evidence/<slug>/`` that no evidence row refers to (after
    units were deleted, or a transaction that wrote files rolled back). Returns the names."""
    removed = []
    for slug in unit_slugs:
        referenced = set()
        for file, thumb in Evidence.objects.filter(
                file__startswith=f"evidence/{slug}/").values_list("file", "thumbnail"):
            referenced.update((file, thumb))
        for folder in (f"evidence/{slug}", f"evidence/{slug}/thumbs"):
            try:
                _, names = default_storage.listdir(folder)
            except (FileNotFoundError, NotADirectoryError):
                continue
            for name in names:
                path = f"{folder}/{name}"
                if path not in referenced:
                    default_storage.delete(path)
                    removed.append(path)
    return removed


def file_response(found: Evidence, stored) -> FileResponse:
    """The stored file (``found.file`` or ``found.thumbnail``), never rendered by the browser
    as anything active: the content type we chose, no sniffing, a sandbox without any source; a
    PDF is a download. For the RTL page and the API alike. ``FileNotFoundError`` when the file
    is missing from the storage."""
    try:
        handle = stored.storage.open(stored.name, "rb")
    except OSError:
        raise FileNotFoundError(stored.name) from None
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    pdf = found.kind == Evidence.Kind.PDF
    response = FileResponse(handle, content_type=content_type, as_attachment=pdf,
                            filename=found.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
