"""The public page: exactly the published figures, nothing unpublished, cacheable, no cookie."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skm.followup.services import completion, items_of, percent_text, tanggal_id
from skm.formatting import decimal_id, integer_id
from skm.present import COMBINE_DESCRIPTIONS, WEIGHT_DESCRIPTIONS
from skm.publication import services
from skm.publication.models import Publication
from skm.results.services import subtree_results, unit_results
from skm.units.models import Period
from tests.factories import add_responses
from tests.followup.helpers import seed_items

from .helpers import SECRET_PROGRAM, login, published_region, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return published_region()


def publish(unit, period):
    return services.publish(unit, period, None, unit_results(unit, period).respondents)


def get(url, status=200):
    response = Client().get(url)
    assert response.status_code == status, url
    return response


def test_public_page_shows_exactly_the_published_figures(region):
    publish(region.kelurahan, region.period)
    data = unit_results(region.kelurahan, region.period)
    overall = data.result.overall
    response = get("/p/jatinegara-kaum/")
    html = response.content.decode()
    text = text_of(response)

    assert f'id="ikm-unit">{decimal_id(overall.konversi)}<' in html
    assert f'id="mutu-unit">{overall.grade.mutu}<' in html
    assert f'id="kinerja-unit">{overall.grade.kinerja}<' in html
    assert f'id="responden-unit">{integer_id(data.respondents)}<' in html
    for group in data.result.layanan:
        assert (f"{group.name} {integer_id(group.respondents)} {decimal_id(group.konversi)} "
                f"{group.grade.mutu} atau {group.grade.kinerja}") in text
    method = data.result.method
    assert WEIGHT_DESCRIPTIONS[method.weights] in html
    assert COMBINE_DESCRIPTIONS[method.combine] in html
    assert "Semester II Tahun 2024" in html

    # the RTL of the period: status, date, completion
    done, planned, percent = completion(region.kelurahan, region.period)
    assert f"{done} dari {planned} RTL ({percent_text(percent)})" in text
    day = tanggal_id(items_of(region.kelurahan, region.period)[0].realisasi.tanggal)
    assert day == "17 September 2024"
    assert text.count(f"Sudah , {day}") == 3
    assert "3 dari 3 RTL (100%)" in text
    assert "Persyaratan" in html and "Ekbang" in html and "TW III 2024" in html


def test_unpublished_data_never_appears(region):
    """2024-S1 (other figures, its own RTL) and the sibling's results are not published."""
    publish(region.kelurahan, region.period)
    s1 = unit_results(region.kelurahan, region.s1).result.overall
    sibling = unit_results(region.sibling, region.period).result.overall
    assert decimal_id(s1.konversi) != decimal_id(
        unit_results(region.kelurahan, region.period).result.overall.konversi)

    for url in ("/p/jatinegara-kaum/", "/p/jatinegara-kaum/2024-S2/", "/p/pulo-gadung/",
                "/p/jakarta-timur/"):
        html = get(url).content.decode()
        assert decimal_id(s1.konversi) not in html, url
        assert "Semester I Tahun 2024" not in html and "2024-S1" not in html, url
        assert SECRET_PROGRAM not in html, url
        assert region.sibling.name not in html and decimal_id(sibling.konversi) not in html, url

    get("/p/jatinegara-kaum/2024-S1/", 404)
    get("/p/jatinegara-kaum/2024-S1/poster.pdf", 404)
    get("/p/rawamangun/2024-S2/", 404)


def test_trend_lists_published_periods_only_and_links_them(region):
    publish(region.kelurahan, region.period)
    html = get("/p/jatinegara-kaum/").content.decode()
    assert "Belum ada periode sebelumnya yang dipublikasikan" in html

    publish(region.kelurahan, region.s1)
    s1 = unit_results(region.kelurahan, region.s1).result.overall
    response = get("/p/jatinegara-kaum/")
    text = text_of(response)
    assert (f"Semester I Tahun 2024 {integer_id(s1.respondents)} {decimal_id(s1.konversi)} "
            f"{s1.grade.mutu}") in text
    assert 'href="/p/jatinegara-kaum/2024-S1/"' in response.content.decode()
    assert "<polyline" in response.content.decode()  # two points: a sparkline

    # the earlier period's own page shows its own figures and RTL, and not the later one's
    s1_page = get("/p/jatinegara-kaum/2024-S1/")
    assert f'id="ikm-unit">{decimal_id(s1.konversi)}<' in s1_page.content.decode()
    assert SECRET_PROGRAM in s1_page.content.decode()
    assert "Kegiatan pembinaan melalui pelaksanaan apel" not in s1_page.content.decode()


def test_withdrawn_period_is_404_again_and_the_unit_page_says_not_published(region):
    pub = publish(region.kelurahan, region.period)
    get("/p/jatinegara-kaum/2024-S2/")
    services.withdraw(region.kelurahan, region.period, None)
    assert Publication.objects.within([region.kelurahan]).filter(pk=pub.pk).exists()
    get("/p/jatinegara-kaum/2024-S2/", 404)
    response = get("/p/jatinegara-kaum/")
    html = response.content.decode()
    assert "belum mempublikasikan" in html
    overall = unit_results(region.kelurahan, region.period).result.overall
    assert decimal_id(overall.konversi) not in html
    assert "Kegiatan pembinaan" not in html


def test_nothing_published_is_a_friendly_200_that_leaks_nothing(region):
    for url in ("/p/jatinegara-kaum/", "/p/pulo-gadung/", "/p/jakarta-timur/"):
        response = get(url)
        html = response.content.decode()
        assert "belum" in html.lower()
        assert "IKM" not in html and "Semester" not in html and "Kegiatan" not in html
        assert 'id="tabel-wilayah"' not in html
    get("/p/tidak-ada/", 404)


def test_period_urls(region):
    publish(region.kelurahan, region.period)
    response = Client().get("/p/jatinegara-kaum/2024-s2/")
    assert response.status_code == 302 and response["Location"] == "/p/jatinegara-kaum/2024-S2/"
    get("/p/jatinegara-kaum/bukan-periode/", 404)
    # a public URL never creates a period
    get("/p/jatinegara-kaum/2031-S1/", 404)
    assert not Period.objects.filter(code="2031-S1").exists()


def test_cache_headers_and_no_cookies(region):
    publish(region.kelurahan, region.period)
    for url in ("/p/jatinegara-kaum/", "/p/jatinegara-kaum/2024-S2/", "/p/pulo-gadung/",
                "/p/rawamangun/"):
        response = get(url)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache_control == {"public", "max-age=300"}, url
        assert not response.cookies, (url, response.cookies)
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "<script" not in response.content.decode()
    # a logged-in visitor gets the same shared page: no cookie refreshed, nothing personal
    staff = login("op", region.kelurahan, "operator")
    response = staff.get("/p/jatinegara-kaum/")
    assert not response.cookies and "op" not in text_of(response).split()


def test_query_count_is_bounded(region, django_assert_max_num_queries):
    """A handful of GROUP BY reads per published period shown, none per RTL item or per
    response (23 queries for two periods and three RTL items on SQLite)."""
    publish(region.kelurahan, region.period)
    publish(region.kelurahan, region.s1)
    publish(region.sibling, region.period)
    with django_assert_max_num_queries(25):
        get("/p/jatinegara-kaum/")
    with django_assert_max_num_queries(25):
        get("/p/pulo-gadung/")

    # more RTL items and more responses: not one query more
    with CaptureQueriesContext(connection) as before:
        get("/p/jatinegara-kaum/")
    seed_items(region, realised=1)
    add_responses(region.layanan[1], region.period, [[3] * 9] * 20)
    with CaptureQueriesContext(connection) as after:
        get("/p/jatinegara-kaum/")
    assert len(after.captured_queries) == len(before.captured_queries)


def test_region_lists_only_published_units_and_shows_its_figure_by_the_rule(region):
    publish(region.kelurahan, region.period)
    text = text_of(get("/p/pulo-gadung/"))
    html = get("/p/pulo-gadung/").content.decode()
    own = unit_results(region.kelurahan, region.period).result.overall
    assert (f"{region.kelurahan.name} Semester II Tahun 2024 {integer_id(own.respondents)} "
            f"{decimal_id(own.konversi)} {own.grade.mutu} atau {own.grade.kinerja}") in text
    assert 'href="/p/jatinegara-kaum/2024-S2/"' in html
    assert region.sibling.name not in html
    # the sibling has respondents in 2024-S2 and has not published: no region figure
    assert 'id="ikm-wilayah"' not in html

    publish(region.sibling, region.period)
    html = get("/p/pulo-gadung/").content.decode()
    assert region.sibling.name in html
    region_result = {r.unit.pk: r for r in subtree_results(region.kecamatan, region.period)}
    figure = region_result[region.kecamatan.pk].result.overall
    assert (f'<p id="ikm-wilayah"><strong>IKM wilayah Semester II Tahun 2024:</strong> '
            f"{decimal_id(figure.konversi)} ({figure.grade.mutu} atau {figure.grade.kinerja})"
            ) in html
    # the kota page lists both kelurahan under the kecamatan, and the same figure
    html = get("/p/jakarta-timur/").content.decode()
    assert region.kelurahan.name in html and region.sibling.name in html
    assert decimal_id(figure.konversi) in html


def test_region_figure_is_withheld_when_a_later_period_is_only_partly_published(region):
    publish(region.kelurahan, region.period)
    publish(region.sibling, region.period)
    s1 = region.s1
    add_responses(region.sibling_layanan[0], Period.get_or_create_code("2025-S1"), [[2] * 9])
    add_responses(region.layanan[0], Period.get_or_create_code("2025-S1"), [[4] * 9])
    publish(region.kelurahan, Period.objects.get(code="2025-S1"))
    html = get("/p/pulo-gadung/").content.decode()
    assert 'id="ikm-wilayah"' not in html
    assert s1.code not in html


def test_published_at_is_recorded_now(region):
    before = timezone.now()
    pub = publish(region.kelurahan, region.period)
    assert before <= pub.published_at <= timezone.now()
