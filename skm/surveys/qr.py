"""QR codes for the survey links, to print on posters and counter stands.

The code carries the absolute URL of a public survey page: ``settings.SITE_URL`` + its path.
Error correction level M (15%) survives a creased or slightly dirty poster while keeping the
symbol small enough to scan from a phone at arm's length.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings

ERROR = "m"
BORDER = 4  # the quiet zone the standard asks for, in modules
PNG_SCALE = 10  # pixels per module: a 29-module code is 370 px, sharp on A4 at 8 cm
SVG_SCALE = 8  # only sets the default size; the SVG scales freely

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def absolute_url(path: str) -> str:
    """``SITE_URL`` + ``path`` (a path from ``reverse``, starting with "/")."""
    return settings.SITE_URL.rstrip("/") + path


def make(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR, micro=False)


def render(url: str, fmt: str) -> bytes:
    """The QR code of ``url`` as SVG or PNG bytes."""
    out = io.BytesIO()
    code = make(url)
    if fmt == "svg":
        # In module units with a viewBox, so it scales to any print size, plus a default
        # width and height for programs that need one.
        code.save(out, kind="svg", scale=1, border=BORDER, omitsize=True, title=url,
                  svgclass="qr", lineclass=None)
        side = code.symbol_size(scale=SVG_SCALE, border=BORDER)[0]
        return out.getvalue().replace(
            b"<svg ", f'<svg width="{side}" height="{side}" shape-rendering="crispEdges" '.encode(),
            1,
        )
    elif fmt == "png":
        code.save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    else:
        raise ValueError(f"unknown QR format {fmt!r}")
    return out.getvalue()
