"""The ``poster`` PDF (Lampiran IV publication format) read back: one A4 page with the unit,
period, the IKM konversi, mutu, the layanan, the L/P split, pendidikan and a vector QR code;
the first page is rendered to PNG for people to look at."""

import io
import os
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from django.urls import reverse

from skm.core.demo import build_demo
from skm.formatting import decimal_id
from skm.reports.poster import poster_context, qr_svg
from skm.reports.registry import ReportError, build
from skm.results.services import unit_results
from skm.surveys import qr
from skm.units.models import Period, Unit
from tests.factories import add_responses, make_region

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(reader.pages[0].extract_text().split())


def render_png(data: bytes, name: str, tmp_path) -> Path:
    out = Path(os.environ.get("SKM_RENDER_DIR") or tmp_path) / name
    image = pypdfium2.PdfDocument(data)[0].render(scale=1).to_pil()
    image.save(out)
    assert image.size[1] > image.size[0]  # portrait
    extrema = image.convert("L").getextrema()
    assert extrema[0] < 60 and extrema[1] > 200  # ink on paper, not a blank page
    return out


def test_demo_poster(tmp_path):
    build_demo()
    unit = Unit.objects.get(slug="jatinegara-kaum")
    period = Period.objects.get(code="2024-S2")
    results = unit_results(unit, period)
    data = build("poster", "pdf", unit, period)
    pages, text = text_of(data)
    assert pages == 1
    assert "KELURAHAN JATINEGARA KAUM" in text
    assert "Semester II Tahun 2024" in text
    assert "NILAI IKM" in text
    assert "98,72" in text and decimal_id(results.result.overall.konversi) == "98,72"
    assert "SANGAT BAIK" in text
    profile = results.profile
    sexes = profile["jenis_kelamin"]
    gender = f"L = {sexes['L']} orang / P = {sexes['P']} orang"
    assert gender in text
    assert f"Jumlah: {results.respondents} orang" in text
    for level in ("SD", "SMP", "SMA", "DIII", "S1", "S2"):
        assert f"{level} {profile['pendidikan'][level]} orang" in text
    for group in results.result.layanan:
        assert f"{group.name} {decimal_id(group.konversi)} {group.grade.mutu}" in text
    assert "1 Juli 2024 s/d 31 Desember 2024" in text
    assert "Metode: bobot sama" in text
    url = qr.absolute_url(reverse("survey-unit", kwargs={"unit_slug": unit.slug}))
    assert url in text.replace(" ", "")
    # the QR code is drawn as vectors: one long path of modules in the page's content stream
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    content = page.get_contents().get_data()
    assert content.count(b" l") + content.count(b" re") > 200
    render_png(data, "poster-jatinegara-kaum-2024-S2.png", tmp_path)


def test_qr_encodes_the_unit_form_url():
    region = make_region()
    add_responses(region.layanan[0], region.period, [[4] * 9], gender="L", education="S1")
    context = poster_context(region.kelurahan, region.period)
    url = context["survey_url"]
    assert url == qr.absolute_url(f"/s/{region.kelurahan.slug}/")
    svg = str(context["qr"])
    assert svg.startswith("<svg") and "<path" in svg and url in svg
    # the same symbol the survey print sheet uses: same module count
    assert svg == str(qr_svg(url))
    assert f'viewBox="0 0 {qr.make(url).symbol_size(scale=1, border=qr.BORDER)[0]}' in svg


def test_small_unit_poster_lists_zero_levels_and_fits_one_page(tmp_path):
    region = make_region()
    pkk, posyandu = region.layanan
    add_responses(pkk, region.period, [[4] * 9, [3] * 9], gender="L", education="SMA")
    add_responses(posyandu, region.period, [[2] * 9], gender="P", education="")
    data = build("poster", "pdf", region.kelurahan, region.period)
    pages, text = text_of(data)
    assert pages == 1
    results = unit_results(region.kelurahan, region.period)
    assert decimal_id(results.result.overall.konversi) in text
    assert "L = 2 orang / P = 1 orang" in text
    assert "SMA 2 orang" in text and "S3 0 orang" in text and "Tidak diisi 1 orang" in text
    render_png(data, "poster-small.png", tmp_path)


def test_many_layanan_still_one_page():
    region = make_region()
    from skm.units.models import Layanan

    for i in range(14):
        lay = Layanan.objects.create(unit=region.kelurahan, name=f"Layanan nomor {i + 1}",
                                     slug=f"layanan-{i + 1}", order=10 + i)
        add_responses(lay, region.period, [[4, 3, 4, 4, 3, 4, 4, 4, 4]], gender="P",
                      education="S1")
    pages, text = text_of(build("poster", "pdf", region.kelurahan, region.period))
    assert pages == 1
    assert "Layanan nomor 14" in text


def test_no_respondents_is_a_clear_error():
    region = make_region()
    with pytest.raises(ReportError, match="belum punya responden"):
        build("poster", "pdf", region.kelurahan, region.period)
