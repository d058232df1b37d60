"""The RTL page: the seed's Tabel 2 and realisasi, the proposed priorities, adding and editing
items, recording realisasi, validation (nothing saved on error) and the change history."""

import re
from datetime import date

import pytest
from django.urls import reverse

from skm.followup.models import FollowupChange, Realisasi, RtlItem
from skm.units.models import Section
from tests.factories import PASSWORD, add_responses, make_region, make_user

from .helpers import SEED_PROGRAM, ekbang, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def operator(client, region):
    make_user("operator", region.kelurahan, "operator")
    assert client.login(username="operator", password=PASSWORD)
    return client


def rtl_url(region, name="rtl", **kwargs):
    return reverse(name, kwargs={"slug": region.kelurahan.slug, "period": region.period.code,
                                 **kwargs})


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def item_data(section, prefix="baru", **overrides):
    data = {
        f"{prefix}-unsur_codes": ["U1", "U2"],
        f"{prefix}-program": "Sosialisasi persyaratan layanan",
        f"{prefix}-quarters": ["2024-TW4", "2025-TW1"],
        f"{prefix}-horizon": "pendek",
        f"{prefix}-section": str(section.pk),
        f"{prefix}-target_indicator": "",
        f"{prefix}-order": "",
    }
    data.update({f"{prefix}-{k}": v for k, v in overrides.items()})
    return data


# ---- the seed --------------------------------------------------------------------------------

def test_the_seed_rtl_as_tabel_2_and_its_realisasi(operator, region):
    seed_items(region)
    html = operator.get(rtl_url(region)).content.decode()
    table = html[html.index('id="tabel-rtl"'):html.index("</table>", html.index('id="tabel-rtl"'))]
    # one quarter column: TW III 2024, ticked on each of the three rows
    assert re.findall(r'<th scope="col" data-quarter="([^"]+)">([^<]+)</th>', table) == [
        ("2024-TW3", "TW III 2024")]
    assert len(re.findall(r'<td class="tick" data-quarter="2024-TW3">✓', table)) == 3
    text = text_of(table)
    for name in ("Persyaratan", "Sistem, Mekanisme, dan Prosedur",
                 "Penanganan Pengaduan, Saran dan Masukan"):
        assert name in text
    assert text.count(SEED_PROGRAM) == 3
    assert text.count("Ekbang") == 3

    page = text_of(html)
    assert page.count("17 September 2024") == 3
    assert "Melaksanakan pembinaan pada saat Apel PPSU" in page
    assert "3 dari 3 RTL (100%)" in page
    assert "RTL terlambat: 0" in page


def test_one_of_three_realised_and_the_others_overdue(operator, region):
    seed_items(region, realised=1)  # TW III 2024 is long past: the two others are overdue
    page = text_of(operator.get(rtl_url(region)).content.decode())
    assert "1 dari 3 RTL (33,33%)" in page
    assert "RTL terlambat: 2" in page
    assert page.count("Terlambat: waktu yang direncanakan sudah lewat.") == 2


def test_the_results_page_links_to_the_rtl(operator, region):
    html = operator.get(reverse("results", kwargs={"slug": region.kelurahan.slug,
                                                   "period": region.period.code})).content.decode()
    assert f'href="{rtl_url(region)}"' in html


def test_a_lower_case_period_is_redirected(operator, region):
    response = operator.get(f"/u/{region.kelurahan.slug}/2024-s2/rtl/")
    assert response.status_code == 302 and response["Location"] == rtl_url(region)


# ---- proposed priorities --------------------------------------------------------------------

def test_the_page_proposes_the_lowest_unrounded_unsur_with_ties(operator, region):
    add_responses(region.layanan[0], region.period, [[3] + [4] * 8] + [[4] * 9] * 199)
    html = operator.get(rtl_url(region)).content.decode()
    table = html[html.index('id="usulan-prioritas"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'data-code="(U\d)"', table) == ["U1"]
    assert "3,9950" in table and "4,00" in table and "nilai sama" not in table

    html = operator.get(rtl_url(region) + "?lowest=2").content.decode()
    table = html[html.index('id="usulan-prioritas"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'data-code="(U\d)"', table) == [f"U{i}" for i in range(1, 10)]
    assert "(nilai sama)" in table

    html = operator.get(rtl_url(region) + "?below=3,99").content.decode()
    assert 'data-code="' not in html[html.index('id="prioritas"'):html.index('id="rtl"')]
    html = operator.get(rtl_url(region) + "?lowest=nol").content.decode()
    assert "Pilihan prioritas tidak dikenal" in html


# ---- adding, editing, realisasi -------------------------------------------------------------

def test_operator_adds_an_item_into_the_next_year(operator, region):
    section = ekbang(region.kelurahan)
    response = operator.post(rtl_url(region, "rtl-add"), item_data(section))
    assert response.status_code == 302
    item = RtlItem.objects.get()
    assert response["Location"] == rtl_url(region) + f"#rtl-{item.pk}"
    assert (item.unit, item.period, item.section) == (region.kelurahan, region.period, section)
    assert item.unsur_codes == ["U1", "U2"]
    assert item.quarters == ["2024-TW4", "2025-TW1"]
    html = operator.get(response["Location"]).content.decode()
    assert "Rencana tindak lanjut ditambahkan." in html
    assert re.findall(r'<th scope="col" data-quarter="([^"]+)">', html) == ["2024-TW4",
                                                                          "2025-TW1"]
    change = FollowupChange.objects.get()
    assert change.action == "create" and change.user.username == "operator"
    assert change.changes["program"] == [None, "Sosialisasi persyaratan layanan"]
    assert change.changes["section"] == [None, "Ekbang"]
    assert change.changes["quarters"] == [None, ["2024-TW4", "2025-TW1"]]


def test_the_add_form_offers_the_questionnaire_and_eight_quarters(operator, region):
    ekbang(region.kelurahan)
    html = operator.get(rtl_url(region)).content.decode()
    form = html[html.index('id="tambah"'):]
    assert re.findall(r'name="baru-unsur_codes" value="(U\d)"', form) == [
        f"U{i}" for i in range(1, 10)]
    assert re.findall(r'name="baru-quarters" value="([^"]+)"', form) == [
        f"{y}-TW{n}" for y in (2024, 2025) for n in range(1, 5)]


def test_editing_an_item_records_old_and_new_values(operator, region):
    item = seed_items(region, realised=0)[0]
    kesra = Section.objects.create(unit=region.kelurahan, code="Kesra", name="Kesejahteraan")
    data = item_data(kesra, prefix=f"rtl-{item.pk}", **{
        "unsur_codes": ["U1"], "program": "Apel pagi", "quarters": ["2024-TW3"],
        "order": "0"})
    assert operator.post(rtl_url(region, "rtl-edit", pk=item.pk), data).status_code == 302
    item.refresh_from_db()
    assert (item.program, item.section) == ("Apel pagi", kesra)
    change = FollowupChange.objects.get()
    assert change.action == "update" and change.user.username == "operator"
    assert change.changes == {"program": [SEED_PROGRAM, "Apel pagi"],
                              "section": ["Ekbang", "Kesra"]}
    history = text_of(operator.get(rtl_url(region, "rtl-history")).content.decode())
    assert "operator" in history and SEED_PROGRAM in history and "Kesra" in history


def test_recording_the_seed_realisasi(operator, region):
    item = seed_items(region, realised=0)[0]
    prefix = f"realisasi-{item.pk}"
    response = operator.post(rtl_url(region, "rtl-realisasi", pk=item.pk), {
        f"{prefix}-status": "sudah", f"{prefix}-tanggal": "2024-09-17",
        f"{prefix}-deskripsi": "Melaksanakan pembinaan pada saat Apel PPSU",
        f"{prefix}-hambatan": "Tidak ada"})
    assert response.status_code == 302
    assert item.realisasi.tanggal == date(2024, 9, 17) and item.realisasi.status == "sudah"
    change = FollowupChange.objects.get()
    assert change.action == "realisasi"
    assert change.changes["status"] == [None, "sudah"]
    assert change.changes["tanggal"] == [None, "2024-09-17"]
    # a second change keeps the first row and adds one with the old values
    operator.post(rtl_url(region, "rtl-realisasi", pk=item.pk), {
        f"{prefix}-status": "sudah", f"{prefix}-tanggal": "2024-09-18",
        f"{prefix}-deskripsi": "Melaksanakan pembinaan pada saat Apel PPSU",
        f"{prefix}-hambatan": "Tidak ada"})
    assert FollowupChange.objects.count() == 2
    assert FollowupChange.objects.first().changes == {"tanggal": ["2024-09-17", "2024-09-18"]}


def test_the_realisasi_form_suggests_tidak_ada(operator, region):
    item = seed_items(region, realised=0)[0]
    html = operator.get(rtl_url(region)).content.decode()
    assert re.search(rf'name="realisasi-{item.pk}-hambatan"[^>]*>\s*Tidak ada</textarea>', html)


# ---- validation: messages at the field, nothing saved ---------------------------------------

def nothing_saved():
    return not RtlItem.objects.exists() and not FollowupChange.objects.exists()


def test_a_section_of_another_unit_is_refused(operator, region):
    ekbang(region.kelurahan)
    foreign = ekbang(region.sibling)
    response = operator.post(rtl_url(region, "rtl-add"), item_data(foreign))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pilih salah satu seksi unit ini." in html
    assert 'id="id_baru-section-galat"' in html
    assert nothing_saved()


def test_an_unknown_unsur_code_is_refused(operator, region):
    section = ekbang(region.kelurahan)
    response = operator.post(rtl_url(region, "rtl-add"), item_data(section, unsur_codes=["U10"]))
    assert response.status_code == 200
    assert 'id="id_baru-unsur_codes-galat"' in response.content.decode()
    assert nothing_saved()


def test_no_unsur_and_no_quarter_are_refused(operator, region):
    section = ekbang(region.kelurahan)
    data = item_data(section)
    del data["baru-unsur_codes"], data["baru-quarters"]
    html = operator.post(rtl_url(region, "rtl-add"), data).content.decode()
    assert "Pilih sedikitnya satu unsur." in html
    assert "Pilih sedikitnya satu triwulan atau satu bulan." in html
    assert nothing_saved()


def test_a_quarter_outside_the_two_years_is_refused(operator, region):
    section = ekbang(region.kelurahan)
    operator.post(rtl_url(region, "rtl-add"), item_data(section, quarters=["2026-TW1"]))
    assert nothing_saved()


def test_sudah_without_a_date_is_refused(operator, region):
    item = seed_items(region, realised=0)[0]
    prefix = f"realisasi-{item.pk}"
    response = operator.post(rtl_url(region, "rtl-realisasi", pk=item.pk), {
        f"{prefix}-status": "sudah", f"{prefix}-tanggal": "", f"{prefix}-deskripsi": "x",
        f"{prefix}-hambatan": "Tidak ada"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Isi tanggal realisasi untuk status Sudah." in html
    assert f'id="id_{prefix}-tanggal-galat"' in html
    assert not Realisasi.objects.exists() and not FollowupChange.objects.exists()


def test_a_failed_edit_changes_nothing(operator, region):
    item = seed_items(region, realised=0)[0]
    foreign = ekbang(region.sibling)
    data = item_data(foreign, prefix=f"rtl-{item.pk}", program="Lain")
    assert operator.post(rtl_url(region, "rtl-edit", pk=item.pk), data).status_code == 200
    item.refresh_from_db()
    assert item.program == SEED_PROGRAM and item.section.code == "Ekbang"
    assert item.section.unit == region.kelurahan
    assert not FollowupChange.objects.exists()


def test_an_item_of_another_unit_or_period_is_404(operator, region):
    other = RtlItem.objects.create(
        unit=region.sibling, period=region.period, unsur_codes=["U1"], program="x",
        quarters=["2024-TW3"], section=ekbang(region.sibling))
    assert operator.post(rtl_url(region, "rtl-edit", pk=other.pk),
                         item_data(ekbang(region.kelurahan), prefix=f"rtl-{other.pk}")
                         ).status_code == 404
    mine = seed_items(region, realised=0)[0]
    url = reverse("rtl-realisasi", kwargs={"slug": region.kelurahan.slug, "period": "2024-S1",
                                           "pk": mine.pk})
    assert operator.post(url, {}).status_code == 404
