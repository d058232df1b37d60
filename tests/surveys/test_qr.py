"""QR codes of the survey links and the printable page.

The PNG and SVG are read back into a module matrix (a small PNG reader and an SVG path reader
below, no imaging library), and that matrix must be a QR encoding of exactly the absolute form
URL: segno encodes the expected URL under every error level and mask, and one must match.
"""

from __future__ import annotations

import re
import struct
import zlib

import pytest
import segno
from django.urls import reverse

from skm.units.models import Layanan
from tests.factories import make_region

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def region(settings):
    settings.SITE_URL = "https://skm.jakarta.go.id"
    return make_region()


# ---- reading the images back -----------------------------------------------------------------

def png_pixels(data: bytes) -> list[list[bool]]:
    """Dark pixels of a greyscale or palette PNG (bit depth 1-8), True where dark."""
    assert data[:8] == PNG_SIGNATURE
    pos, idat, palette = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = [body[i:i + 3] for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert colour in (0, 3) and interlace == 0, "unexpected PNG layout"
    raw = zlib.decompress(idat)
    stride = (width * depth + 7) // 8
    bpp = max(1, depth // 8)
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = previous[x]
            c = previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        previous = line
        values = []
        for x in range(width):
            bit = x * depth
            values.append((line[bit // 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1))
        if colour == 3:
            rows.append([sum(palette[v]) < 3 * 128 for v in values])
        else:
            rows.append([v < (1 << depth) // 2 for v in values])
    return rows


def modules_from_pixels(pixels: list[list[bool]]) -> tuple[tuple[bool, ...], ...]:
    """The symbol's modules: the bounding box of the dark pixels, sampled at module centres;
    the module size is the top-left finder pattern's width / 7."""
    ys = [y for y, row in enumerate(pixels) if any(row)]
    xs = [x for row in pixels for x, v in enumerate(row) if v]
    top, bottom, left, right = ys[0], ys[-1], min(xs), max(xs)
    run = 0
    while pixels[top][left + run]:
        run += 1
    size = run / 7
    count = round((max(right - left, bottom - top) + 1) / size)
    return tuple(
        tuple(pixels[top + int((r + 0.5) * size)][left + int((c + 0.5) * size)]
              for c in range(count))
        for r in range(count)
    )


def modules_from_svg(svg: str) -> tuple[tuple[bool, ...], ...]:
    """Dark modules drawn by a segno path (M/m moves, h lines of one module height)."""
    scale = re.search(r'transform="scale\(([\d.]+)\)"', svg)
    scale = float(scale.group(1)) if scale else 1.0
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    dark, x, y = set(), 0.0, 0.0
    for command, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            for col in range(round(x), round(x + numbers[0])):
                dark.add((int(y), col))
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    assert scale > 0
    rows = [r for r, _ in dark]
    cols = [c for _, c in dark]
    top, left = min(rows), min(cols)
    count = max(max(rows) - top, max(cols) - left) + 1
    return tuple(tuple((top + r, left + c) in dark for c in range(count)) for r in range(count))


def encodes(matrix, url: str) -> bool:
    """Whether ``matrix`` is a QR code of ``url`` under some error level and mask."""
    for error in "LMQH":
        for mask in range(8):
            code = segno.make(url, error=error, mask=mask, micro=False, boost_error=False)
            if tuple(tuple(bool(v) for v in row) for row in code.matrix) == matrix:
                return True
    return False


# ---- the endpoints ---------------------------------------------------------------------------

FORM_URL = "https://skm.jakarta.go.id/s/jatinegara-kaum/pkk/"
UNIT_URL = "https://skm.jakarta.go.id/s/jatinegara-kaum/"


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/s/jatinegara-kaum/pkk/qr.png", FORM_URL),
        ("/s/jatinegara-kaum/qr.png", UNIT_URL),
    ],
)
def test_png_is_a_qr_code_of_the_absolute_url(client, region, path, url):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    matrix = modules_from_pixels(png_pixels(response.content))
    assert encodes(matrix, url)
    other = FORM_URL.replace("pkk", "posyandu") if url == FORM_URL else FORM_URL
    assert not encodes(matrix, other)


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/s/jatinegara-kaum/pkk/qr.svg", FORM_URL),
        ("/s/jatinegara-kaum/qr.svg", UNIT_URL),
    ],
)
def test_svg_is_a_qr_code_of_the_absolute_url(client, region, path, url):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "<svg" in svg and 'viewBox="' in svg
    assert "<script" not in svg
    matrix = modules_from_svg(svg)
    assert encodes(matrix, url)
    assert not encodes(matrix, url + "x")


def test_png_and_svg_carry_the_same_code(client, region):
    png = modules_from_pixels(png_pixels(client.get("/s/jatinegara-kaum/pkk/qr.png").content))
    svg = modules_from_svg(client.get("/s/jatinegara-kaum/pkk/qr.svg").content.decode())
    assert png == svg


def test_the_png_is_what_segno_makes_for_that_url(client, region):
    import io

    from skm.surveys import qr

    expected = io.BytesIO()
    segno.make(FORM_URL, error=qr.ERROR, micro=False).save(
        expected, kind="png", scale=qr.PNG_SCALE, border=qr.BORDER)
    assert client.get("/s/jatinegara-kaum/pkk/qr.png").content == expected.getvalue()


def test_the_site_url_is_the_one_configured(client, region, settings):
    settings.SITE_URL = "http://127.0.0.1:8000/"  # a trailing slash must not double up
    matrix = modules_from_svg(client.get("/s/jatinegara-kaum/pkk/qr.svg").content.decode())
    assert encodes(matrix, "http://127.0.0.1:8000/s/jatinegara-kaum/pkk/")


def test_url_names(region):
    kwargs = {"unit_slug": "jatinegara-kaum", "layanan_slug": "pkk"}
    assert reverse("survey-form-qr", kwargs={**kwargs, "fmt": "png"}) == \
        "/s/jatinegara-kaum/pkk/qr.png"
    assert reverse("survey-form-qr", kwargs={**kwargs, "fmt": "svg"}) == \
        "/s/jatinegara-kaum/pkk/qr.svg"
    assert reverse("survey-unit-qr", kwargs={"unit_slug": "jatinegara-kaum", "fmt": "svg"}) == \
        "/s/jatinegara-kaum/qr.svg"
    assert reverse("survey-print", kwargs={"unit_slug": "jatinegara-kaum"}) == \
        "/s/jatinegara-kaum/cetak/"


@pytest.mark.parametrize(
    "path",
    [
        "/s/tidak-ada/qr.svg",
        "/s/tidak-ada/pkk/qr.png",
        "/s/jatinegara-kaum/tidak-ada/qr.png",
        "/s/jatinegara-kaum/ppsu/qr.svg",  # another unit's layanan
        "/s/jatinegara-kaum/arsip/qr.svg",  # inactive
        "/s/jatinegara-kaum/pkk/qr.gif",
        "/s/tidak-ada/cetak/",
    ],
)
def test_unknown_is_404(client, region, path):
    Layanan.objects.create(unit=region.kelurahan, name="Arsip", slug="arsip", active=False)
    assert client.get(path).status_code == 404


def test_print_page_lists_every_active_layanan_with_its_qr_and_url(client, region):
    Layanan.objects.create(unit=region.kelurahan, name="Arsip", slug="arsip", active=False)
    response = client.get("/s/jatinegara-kaum/cetak/")
    assert response.status_code == 200
    html = response.content.decode()
    sheets = re.findall(r'<section class="sheet">(.*?)</section>', html, re.S)
    assert len(sheets) == 3  # the unit's own link (it has several layanan), then each layanan
    assert UNIT_URL in sheets[0]
    for sheet, slug, name in zip(sheets[1:], ["pkk", "posyandu"], ["PKK", "Posyandu"],
                                 strict=True):
        assert f"<strong>{name}</strong>" in sheet
        assert f"https://skm.jakarta.go.id/s/jatinegara-kaum/{slug}/" in sheet
        src = re.search(r'<img [^>]*src="([^"]+)"', sheet).group(1)
        assert src == f"/s/jatinegara-kaum/{slug}/qr.svg"
        assert client.get(src)["Content-Type"] == "image/svg+xml"
        assert re.search(r'<img [^>]*alt="[^"]+"', sheet)
    assert "Arsip" not in html
    assert "@page" in open_css()  # printable on A4


def open_css():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "skm" / "static" / "skm" / "survey.css"
    return path.read_text(encoding="utf-8")
