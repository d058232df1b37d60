"""The operator's "Kelola unit" page: layanan, population estimates, sections, and who may
reach it (every manage URL x every kind of user, GET and POST)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from skm.units.models import Layanan, Population, Section
from tests.factories import PASSWORD, add_responses, make_region, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def users(region):
    return {
        "admin": make_user("admin", superuser=True),
        "supervisor": make_user("supervisor", region.kecamatan, "supervisor"),
        "operator": make_user("operator", region.kelurahan, "operator"),
        "viewer": make_user("viewer", region.kelurahan, "viewer"),
        "outsider": make_user("outsider", region.sibling, "operator"),
        "anonymous": None,
    }


@pytest.fixture
def operator(client, users):
    assert client.login(username="operator", password=PASSWORD)
    return client


def manage_url(region, query=""):
    return reverse("manage", kwargs={"slug": region.kelurahan.slug}) + query


def layanan_of(region, slug):
    return region.kelurahan.layanan.get(slug=slug)


def pop_field(layanan):
    return f"populasi-{layanan.pk}"


# ---- layanan ---------------------------------------------------------------------------------

def test_operator_adds_a_layanan_that_appears_on_the_public_page(operator, region):
    url = reverse("manage-layanan-add", kwargs={"slug": region.kelurahan.slug})
    response = operator.post(url, {"baru-name": "Surat Keterangan Domisili", "periode": "2024-S2"})
    assert response.status_code == 302
    assert response["Location"].startswith(manage_url(region))
    added = layanan_of(region, "surat-keterangan-domisili")
    assert added.active and added.order == 2  # after PKK (0) and Posyandu (1)

    page = operator.get(response["Location"])
    assert "Layanan \u201cSurat Keterangan Domisili\u201d ditambahkan." in page.content.decode()

    public = Client().get(f"/s/{region.kelurahan.slug}/")
    assert public.status_code == 200
    assert "Surat Keterangan Domisili" in public.content.decode()
    assert Client().get(f"/s/{region.kelurahan.slug}/surat-keterangan-domisili/").status_code == 200


def test_a_given_slug_is_used(operator, region):
    url = reverse("manage-layanan-add", kwargs={"slug": region.kelurahan.slug})
    operator.post(url, {"baru-name": "Kartu Keluarga", "baru-slug": "kk"})
    assert layanan_of(region, "kk").name == "Kartu Keluarga"


def test_a_duplicate_slug_is_refused_with_a_message(operator, region):
    url = reverse("manage-layanan-add", kwargs={"slug": region.kelurahan.slug})
    response = operator.post(url, {"baru-name": "pkk"})
    assert response.status_code == 200
    assert "Unit ini sudah punya layanan dengan slug \u201cpkk\u201d." in response.content.decode()
    assert region.kelurahan.layanan.count() == 2
    # the same slug in another unit is fine: unique per unit only
    response = operator.post(url, {"baru-name": "Lain", "baru-slug": "posyandu"})
    assert "sudah punya layanan" in response.content.decode()
    assert region.sibling.layanan.filter(slug="pkk").exists()


@pytest.mark.parametrize("data", [{"baru-name": "Cetak"}, {"baru-name": "X", "baru-slug": "cetak"}])
def test_the_slug_of_the_print_page_is_refused(operator, region, data):
    url = reverse("manage-layanan-add", kwargs={"slug": region.kelurahan.slug})
    response = operator.post(url, data)
    assert response.status_code == 200
    assert "dipakai oleh halaman survei" in response.content.decode()
    assert not region.kelurahan.layanan.filter(slug="cetak").exists()


def test_rename_and_deactivate_hides_it_from_the_public_form(operator, region):
    posyandu = layanan_of(region, "posyandu")
    public = f"/s/{region.kelurahan.slug}/posyandu/"
    assert Client().get(public).status_code == 200
    url = reverse("manage-layanan-edit", kwargs={"slug": region.kelurahan.slug, "pk": posyandu.pk})
    prefix = f"layanan-{posyandu.pk}"
    response = operator.post(url, {f"{prefix}-name": "Posyandu Balita", f"{prefix}-order": "1"})
    assert response.status_code == 302
    posyandu.refresh_from_db()
    assert (posyandu.name, posyandu.active, posyandu.slug) == ("Posyandu Balita", False, "posyandu")
    assert Client().get(public).status_code == 404
    assert "Posyandu" not in Client().get(f"/s/{region.kelurahan.slug}/").content.decode()

    operator.post(url, {f"{prefix}-name": "Posyandu Balita", f"{prefix}-order": "1",
                        f"{prefix}-active": "on"})
    posyandu.refresh_from_db()
    assert posyandu.active
    assert Client().get(public).status_code == 200


def test_a_layanan_of_another_unit_cannot_be_edited_through_ones_own(operator, region):
    foreign = region.sibling_layanan[1]
    url = reverse("manage-layanan-edit", kwargs={"slug": region.kelurahan.slug, "pk": foreign.pk})
    prefix = f"layanan-{foreign.pk}"
    response = operator.post(url, {f"{prefix}-name": "X", f"{prefix}-order": "0"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "PPSU" and foreign.active


def test_an_empty_name_is_refused_and_nothing_changes(operator, region):
    pkk = layanan_of(region, "pkk")
    url = reverse("manage-layanan-edit", kwargs={"slug": region.kelurahan.slug, "pk": pkk.pk})
    response = operator.post(url, {f"layanan-{pkk.pk}-name": "", f"layanan-{pkk.pk}-order": "0"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    pkk.refresh_from_db()
    assert pkk.name == "PKK" and pkk.active


# ---- population -----------------------------------------------------------------------------

def minimum_cell(html, slug):
    match = re.search(rf'id="minimum-{slug}">(.*?)</td>', html, re.S)
    return match.group(1).strip()


def test_population_is_saved_and_the_minimum_shown(operator, region):
    pkk, posyandu = layanan_of(region, "pkk"), layanan_of(region, "posyandu")
    url = reverse("manage-population", kwargs={"slug": region.kelurahan.slug})
    response = operator.post(url, {"periode": "2024-S2", pop_field(pkk): "100",
                                   pop_field(posyandu): "1000"})
    assert response.status_code == 302
    assert response["Location"] == manage_url(region, "?periode=2024-S2#populasi")
    sizes = dict(Population.objects.filter(period=region.period)
                 .values_list("layanan__slug", "size"))
    assert sizes == {"pkk": 100, "posyandu": 1000}

    html = operator.get(manage_url(region, "?periode=2024-S2")).content.decode()
    assert "Populasi Semester II 2024 disimpan." in html or "disimpan." in html
    assert minimum_cell(html, "pkk") == "80"
    assert minimum_cell(html, "posyandu") == "278"
    assert f'name="{pop_field(pkk)}" id="id_{pop_field(pkk)}" value="100"' in html

    # another period has its own numbers
    html = operator.get(manage_url(region, "?periode=2024-S1")).content.decode()
    assert "populasi belum diisi" in minimum_cell(html, "pkk")

    # blank clears a saved value
    operator.post(url, {"periode": "2024-S2", pop_field(pkk): "", pop_field(posyandu): "1000"})
    assert not Population.objects.filter(layanan=pkk).exists()
    assert Population.objects.get(layanan=posyandu).size == 1000


@pytest.mark.parametrize("bad", ["-5", "0", "seratus", "12.5"])
def test_a_bad_population_saves_nothing(operator, region, bad):
    pkk, posyandu = layanan_of(region, "pkk"), layanan_of(region, "posyandu")
    Population.objects.create(layanan=pkk, period=region.period, size=50)
    url = reverse("manage-population", kwargs={"slug": region.kelurahan.slug})
    response = operator.post(url, {"periode": "2024-S2", pop_field(pkk): "300",
                                   pop_field(posyandu): bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Populasi belum disimpan" in html
    # the message sits at the bad field, which keeps what was typed
    error = re.search(rf'id="id_{pop_field(posyandu)}-galat">(.*?)</p>', html, re.S)
    assert error and error.group(1).strip()
    assert f'value="{bad}"' in html
    assert f'id="id_{pop_field(pkk)}-galat"' not in html
    # neither field was saved: the good one keeps its old value
    assert Population.objects.get(layanan=pkk).size == 50
    assert not Population.objects.filter(layanan=posyandu).exists()


def test_an_unknown_period_is_404(operator, region):
    assert operator.get(manage_url(region, "?periode=2024-S9")).status_code == 404


def test_the_results_page_checks_the_sample_against_the_saved_population(operator, region):
    pkk = layanan_of(region, "pkk")
    add_responses(pkk, region.period, [[4] * 9] * 5)
    url = reverse("manage-population", kwargs={"slug": region.kelurahan.slug})
    operator.post(url, {"periode": "2024-S2", pop_field(pkk): "10"})  # minimum 10
    results = reverse("results", kwargs={"slug": region.kelurahan.slug, "period": "2024-S2"})
    html = operator.get(results).content.decode()
    assert "Kurang 5 responden dari minimum" in html

    operator.post(url, {"periode": "2024-S2", pop_field(pkk): "5"})  # minimum 5
    html = operator.get(results).content.decode()
    assert "responden dari minimum" not in html
    assert "memenuhi sampel minimum" in html


def test_inactive_layanan_get_no_population_field(operator, region):
    posyandu = layanan_of(region, "posyandu")
    posyandu.active = False
    posyandu.save()
    html = operator.get(manage_url(region)).content.decode()
    assert pop_field(posyandu) not in html
    assert pop_field(layanan_of(region, "pkk")) in html


# ---- sections --------------------------------------------------------------------------------

def test_sections_are_added_and_renamed(operator, region):
    add = reverse("manage-section-add", kwargs={"slug": region.kelurahan.slug})
    response = operator.post(add, {"seksi-baru-code": "Ekbang",
                                   "seksi-baru-name": "Seksi Ekonomi"})
    assert response.status_code == 302
    section = Section.objects.get(unit=region.kelurahan, code="Ekbang")

    response = operator.post(add, {"seksi-baru-code": "Ekbang", "seksi-baru-name": "Lagi"})
    assert response.status_code == 200
    assert "Unit ini sudah punya seksi \u201cEkbang\u201d." in response.content.decode()
    assert Section.objects.filter(unit=region.kelurahan).count() == 1

    edit = reverse("manage-section-edit", kwargs={"slug": region.kelurahan.slug, "pk": section.pk})
    response = operator.post(edit, {f"seksi-{section.pk}-name": "Seksi Ekonomi dan Pembangunan"})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.name == "Seksi Ekonomi dan Pembangunan"
    html = operator.get(response["Location"]).content.decode()
    assert "Seksi \u201cEkbang\u201d disimpan." in html


# ---- the link on the results page ------------------------------------------------------------

@pytest.mark.parametrize(("who", "shown"), [
    ("admin", True), ("operator", True), ("supervisor", False), ("viewer", False),
])
def test_results_page_links_to_manage_for_managers(client, region, users, who, shown):
    assert client.login(username=who, password=PASSWORD)
    results = reverse("results", kwargs={"slug": region.kelurahan.slug, "period": "2024-S2"})
    html = client.get(results).content.decode()
    assert ("Kelola unit" in html) is shown
    assert (manage_url(region) in html) is shown


# ---- who may reach it ------------------------------------------------------------------------

MATRIX = {"admin": "ok", "operator": "ok", "supervisor": 404, "viewer": 404, "outsider": 404,
          "anonymous": "login"}


def every_url(region):
    slug = region.kelurahan.slug
    pkk = layanan_of(region, "pkk")
    section = Section.objects.create(unit=region.kelurahan, code="Pem", name="Pemerintahan")
    return {
        "manage": (reverse("manage", kwargs={"slug": slug}), {}),
        "layanan-add": (reverse("manage-layanan-add", kwargs={"slug": slug}),
                        {"baru-name": "Baru Sekali"}),
        "layanan-edit": (reverse("manage-layanan-edit", kwargs={"slug": slug, "pk": pkk.pk}),
                         {f"layanan-{pkk.pk}-name": "Diubah", f"layanan-{pkk.pk}-order": "0"}),
        "population": (reverse("manage-population", kwargs={"slug": slug}),
                       {"periode": "2024-S2", pop_field(pkk): "77"}),
        "section-add": (reverse("manage-section-add", kwargs={"slug": slug}),
                        {"seksi-baru-code": "Kesra", "seksi-baru-name": "Kesejahteraan"}),
        "section-edit": (reverse("manage-section-edit", kwargs={"slug": slug, "pk": section.pk}),
                         {f"seksi-{section.pk}-name": "Diubah"}),
    }


def nothing_changed(region):
    return (not Layanan.objects.within([region.kelurahan]).filter(
                slug__in=["baru-sekali"]).exists()
            and not Layanan.objects.within([region.kelurahan]).filter(name="Diubah").exists()
            and not Population.objects.exists()
            and not Section.objects.filter(code="Kesra").exists()
            and not Section.objects.filter(name="Diubah").exists())


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("method", ["get", "post"])
def test_access_matrix(client, region, users, who, method):
    if users[who] is not None:
        assert client.login(username=who, password=PASSWORD)
    for name, (url, data) in every_url(region).items():
        response = getattr(client, method)(url, data if method == "post" else None)
        expected = MATRIX[who]
        if expected == "login":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login")), name
        elif expected == 404:
            assert response.status_code == 404, name
        elif name == "manage":
            assert response.status_code == (200 if method == "get" else 405), name
        else:  # actions: POST redirects back (PRG), GET just goes back to the page
            assert response.status_code == 302, name
            assert response["Location"].startswith(manage_url(region)), name
    if MATRIX[who] != "ok" or method == "get":
        assert nothing_changed(region)
    else:
        assert not nothing_changed(region)


def test_the_manage_page_is_200_for_admin_and_own_operator(client, region, users):
    for who in ("admin", "operator"):
        assert client.login(username=who, password=PASSWORD)
        response = client.get(manage_url(region))
        assert response.status_code == 200
        assert "PKK" in response.content.decode()
        client.logout()


def test_unknown_unit_is_404(operator):
    assert operator.get(reverse("manage", kwargs={"slug": "tidak-ada"})).status_code == 404


def test_posts_need_a_csrf_token(region, users):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="operator", password=PASSWORD)
    for name, (url, data) in every_url(region).items():
        if name != "manage":
            assert client.post(url, data).status_code == 403, name
    assert nothing_changed(region)
    # and with the token from the page it goes through
    html = client.get(manage_url(region)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    url = reverse("manage-layanan-add", kwargs={"slug": region.kelurahan.slug})
    response = client.post(url, {"baru-name": "Baru Sekali", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert region.kelurahan.layanan.filter(slug="baru-sekali").exists()
