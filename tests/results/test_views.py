"""The results page and its JSON: every figure is checked against values worked out by hand
from the answers inserted here (the arithmetic is written next to each number)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from skm.surveys.recording import current_period
from skm.units.models import Period, Population
from tests.factories import PASSWORD, add_responses, make_region, make_user

pytestmark = pytest.mark.django_db

# PKK: U1 answers 4, 3, 3 -> NRR 10/3 (3,33); U2..U9 answers 4, 4, 3 -> 11/3 (3,67).
#      IKM = (10/3 + 8 * 11/3) / 9 = 98/27 = 3,6296 -> 3,63; konversi 2450/27 = 90,74.
ROWS_PKK = [[4] * 9, [3] + [4] * 8, [3] * 9]
# Posyandu: one respondent, all 2 except U5 left blank -> NRR 2,00 (U5 "-"), IKM 2,00, konv. 50,00.
ROWS_POSYANDU = [[2, 2, 2, 2, None, 2, 2, 2, 2]]
# Rawamangun (the sibling kelurahan), PPSU: all 1 -> 25,00 (D). Must never show for the others.
ROWS_SIBLING = [[1] * 9]


class Tables(HTMLParser):
    """Cell texts of every <table>, by its class: {class: [[cell, ...], ...]}."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = self.tables.setdefault(attrs.get("class", ""), [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(response):
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def row_named(rows, name):
    return next(row for row in rows if row and row[0] == name)


@pytest.fixture
def region():
    region = make_region()
    pkk, posyandu = region.layanan
    add_responses(pkk, region.period, ROWS_PKK, gender="L", age=34, education="SMA",
                  occupation="Swasta")
    add_responses(posyandu, region.period, ROWS_POSYANDU, gender="P", age=61)
    add_responses(region.sibling_layanan[1], region.period, ROWS_SIBLING, gender="P")
    return region


@pytest.fixture
def client_of(client):
    def login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return login


@pytest.fixture
def viewer(region):
    return make_user("viewer", region.kelurahan, "viewer")


def results_url(region, code="2024-S2", unit=None):
    return reverse("results", kwargs={"slug": (unit or region.kelurahan).slug, "period": code})


def test_tabel1_rows_and_unit_figure_mean_of_services(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region))
    assert response.status_code == 200
    rows = tables(response)["tabel-1"]
    # Jenis Layanan, Responden, U1..U9, IKM Layanan
    assert row_named(rows, "PKK") == ["PKK", "3", "3,33"] + ["3,67"] * 8 + ["3,63"]
    assert row_named(rows, "Posyandu") == (
        ["Posyandu", "1"] + ["2,00"] * 4 + ["-"] + ["2,00"] * 4 + ["2,00"]
    )
    # per unsur, the mean of the layanan: U1 (10/3 + 2)/2 = 8/3; U5 only PKK (Posyandu blank);
    # others (11/3 + 2)/2 = 17/6. IKM (98/27 + 2)/2 = 76/27 = 2,8148.
    assert row_named(rows, "Rata-rata IKM per Unsur") == (
        ["Rata-rata IKM per Unsur", "4", "2,67", "2,83", "2,83", "2,83", "3,67"]
        + ["2,83"] * 4 + ["2,81"]
    )
    # mutu of NRR x 25: 66,67 C; 70,83 C; 91,67 A; unit 70,37 C
    assert row_named(rows, "Mutu Layanan") == (
        ["Mutu Layanan", "", "C", "C", "C", "C", "A", "C", "C", "C", "C", "C"]
    )
    # 76/27 * 25 = 1900/27 = 70,370...
    assert row_named(rows, "Rata-rata IKM Layanan (konversi)") == [
        "Rata-rata IKM Layanan (konversi)", "70,37 (C atau Kurang baik)"
    ]
    html = response.content.decode()
    assert "rata-rata IKM layanan (setiap layanan berbobot sama)" in html
    assert "bobot sama (1/n atas unsur yang dijawab)" in html
    assert 'id="jumlah-responden">4<' in html
    assert "Rawamangun" not in html and "PPSU" not in html


def test_pooled_differs_and_is_labelled(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region) + "?combine=pooled")
    rows = tables(response)["tabel-1"]
    # all four respondents together: U1 (4+3+3+2)/4 = 3; U5 (4+4+3)/3 = 11/3; others 13/4.
    # IKM (3 + 11/3 + 7 * 13/4) / 9 = 353/108 = 3,2685; konversi 8825/108 = 81,71 (B).
    assert row_named(rows, "IKM gabungan per Unsur") == (
        ["IKM gabungan per Unsur", "4", "3,00", "3,25", "3,25", "3,25", "3,67"]
        + ["3,25"] * 4 + ["3,27"]
    )
    assert row_named(rows, "IKM Unit (konversi)")[1] == "81,71 (B atau Baik)"
    # the layanan rows do not depend on the method
    assert row_named(rows, "PKK")[-1] == "3,63"
    assert "gabungan semua jawaban (setiap responden berbobot sama)" in response.content.decode()


def test_legacy_weights_switch(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region) + "?weights=0.111")
    rows = tables(response)["tabel-1"]
    # PKK 0,111 * 98/3 = 3,626; Posyandu 0,111 * 8 * 2 = 1,776 (the blank U5 is not weighed);
    # mean 2,701 -> konversi 67,525, published half-up as 67,53.
    assert row_named(rows, "PKK")[-1] == "3,63"
    assert row_named(rows, "Posyandu")[-1] == "1,78"
    assert row_named(rows, "Rata-rata IKM Layanan (konversi)")[1] == "67,53 (C atau Kurang baik)"
    assert "bobot lama 0,111 per unsur (tidak berjumlah 1)" in response.content.decode()


def test_unknown_switch_values_fall_back_to_defaults(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region) + "?combine=median&weights=0.5")
    assert response.status_code == 200
    assert response.context["method"].as_dict() == {
        "weights": "equal", "combine": "mean_of_services"
    }


def test_tabel2_reproduces_the_seed(region, viewer, client_of):
    rows = tables(client_of(viewer).get(results_url(region)))["tabel-2"]
    assert rows[1:] == [
        ["1", "1,00 - 2,59", "25,00 - 64,99", "D", "Tidak baik"],
        ["2", "2,60 - 3,06", "65,00 - 76,60", "C", "Kurang baik hasil unit ini"],
        ["3", "3,07 - 3,53", "76,61 - 88,30", "B", "Baik"],
        ["4", "3,54 - 4,00", "88,31 - 100,00", "A", "Sangat baik"],
    ]


def test_sample_flag_and_missing_population(region, viewer, client_of):
    Population.objects.create(layanan=region.layanan[0], period=region.period, size=10)
    response = client_of(viewer).get(results_url(region))
    rows = tables(response)["sampel"]
    # Krejcie-Morgan for N = 10 is 10 (Lampiran II); PKK has 3 respondents: 7 short
    assert row_named(rows, "PKK") == ["PKK", "3", "10", "10", "⚠ Kurang 7 responden dari minimum"]
    assert row_named(rows, "Posyandu") == ["Posyandu", "1", "-", "-", "populasi belum diisi"]
    html = " ".join(response.content.decode().split())
    assert "Belum memenuhi sampel minimum:</strong> PKK (kurang 7)." in html
    assert "Populasi belum diisi untuk: Posyandu." in html


def test_sample_enough(region, viewer, client_of):
    Population.objects.create(layanan=region.layanan[0], period=region.period, size=3)
    response = client_of(viewer).get(results_url(region))
    rows = tables(response)["sampel"]
    assert row_named(rows, "PKK") == ["PKK", "3", "3", "3", "✓ Memenuhi"]
    assert "Belum memenuhi sampel minimum" not in response.content.decode()


def test_lowest_unsur_unrounded(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region))
    rows = tables(response)["ranking"]
    # U1 8/3 = 2,6667 alone at the bottom; the seven at 17/6 tie; U5 11/3 last
    assert rows[1] == ["U1 Persyaratan", "1", "2,6667", "2,67", "Prioritas"]
    assert rows[2][1:] == ["2", "2,8333", "2,83", "sama persis"]
    assert rows[2][0].startswith("U2 Sistem, Mekanisme, dan Prosedur; U3 Waktu Penyelesaian")
    assert rows[3] == ["U5 Produk Spesifikasi Jenis Pelayanan", "9", "3,6667", "3,67", ""]
    html = response.content.decode()
    assert "U1 Persyaratan: <strong>2,6667</strong>" in html


def test_distribution_table_and_json(region, viewer, client_of):
    client = client_of(viewer)
    rows = tables(client.get(results_url(region)))["distribusi"]
    # U1: answers 4, 3, 3 (PKK) and 2 (Posyandu); U5: 4, 4, 3 (Posyandu blank)
    assert row_named(rows, "U1 Persyaratan") == [
        "U1 Persyaratan", "0 (0,0%)", "1 (25,0%)", "2 (50,0%)", "1 (25,0%)", "4"
    ]
    assert row_named(rows, "U5 Produk Spesifikasi Jenis Pelayanan")[1:] == [
        "0 (0,0%)", "0 (0,0%)", "1 (33,3%)", "2 (66,7%)", "3"
    ]
    data = client.get(reverse("results-data", kwargs={
        "slug": region.kelurahan.slug, "period": "2024-S2"})).json()
    expected = {f"U{i}": [0, 1, 1, 2] for i in range(2, 10)}
    expected.update({"U1": [0, 1, 2, 1], "U5": [0, 0, 1, 2]})
    assert data["distribution"] == expected
    assert data["layanan"] == [
        {"name": "PKK", "respondents": 3, "ikm": 3.63, "konversi": 90.74, "mutu": "A"},
        {"name": "Posyandu", "respondents": 1, "ikm": 2.0, "konversi": 50.0, "mutu": "D"},
    ]
    assert data["overall"] == {"ikm": 2.81, "konversi": 70.37, "mutu": "C"}
    assert data["respondents"] == 4
    assert data["trend"] == [
        {"period": "2024-S2", "label": "Semester II Tahun 2024", "respondents": 4,
         "konversi": 70.37, "mutu": "C"},
    ]


def test_json_follows_the_switches(region, viewer, client_of):
    url = reverse("results-data", kwargs={"slug": region.kelurahan.slug, "period": "2024-S2"})
    data = client_of(viewer).get(url + "?combine=pooled").json()
    assert data["method"] == {"weights": "equal", "combine": "pooled"}
    assert data["overall"]["konversi"] == 81.71


def test_profile_counts_and_percentages(region, viewer, client_of):
    found = tables(client_of(viewer).get(results_url(region)))["profil"]
    assert ["L", "3", "75,0%"] in found and ["P", "1", "25,0%"] in found
    assert ["30-39", "3", "75,0%"] in found and ["60+", "1", "25,0%"] in found
    assert ["SMA", "3", "75,0%"] in found and ["Tidak diisi", "1", "25,0%"] in found
    assert ["Swasta", "3", "75,0%"] in found


def test_trend_against_earlier_semesters(region, viewer, client_of):
    earlier = Period.get_or_create_code("2024-S1")
    add_responses(region.layanan[0], earlier, [[3] * 9])  # IKM 3 -> 75,00 (C)
    client = client_of(viewer)
    rows = tables(client.get(results_url(region)))["tren"]
    assert rows[1] == ["Semester I Tahun 2024", "1", "75,00", "C atau Kurang baik"]
    assert rows[2] == ["Semester II Tahun 2024 periode ini", "4", "70,37", "C atau Kurang baik"]
    data = client.get(reverse("results-data", kwargs={
        "slug": region.kelurahan.slug, "period": "2024-S2"})).json()
    assert [(p["period"], p["konversi"]) for p in data["trend"]] == [
        ("2024-S1", 75.0), ("2024-S2", 70.37)
    ]


def test_charts_are_fed_by_the_vendored_script_and_json(region, viewer, client_of):
    html = client_of(viewer).get(results_url(region)).content.decode()
    assert "/static/vendor/chart-4.6.1.umd.min.js" in html
    assert "/static/skm/charts.js" in html
    assert "/static/skm/results.css" in html
    assert 'data-src="/u/jatinegara-kaum/2024-S2/data.json"' in html
    assert "<script>" not in html  # no inline script
    assert "https://" not in html.split("<main", 1)[1]


def test_empty_period_is_a_friendly_page(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region, "2023-S1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Belum ada responden" in html
    assert 'id="jumlah-responden">0<' in html
    assert "tabel-1" not in tables(response)
    data = client_of(viewer).get(reverse("results-data", kwargs={
        "slug": region.kelurahan.slug, "period": "2023-S1"})).json()
    assert data["layanan"] == [] and data["overall"]["konversi"] is None


@pytest.mark.parametrize("code", ["2024-S3", "2024-TW5", "1999", "semester", "2024-X1"])
def test_invalid_period_is_404(region, viewer, client_of, code):
    client = client_of(viewer)
    assert client.get(results_url(region, code)).status_code == 404
    assert client.get(reverse("results-data", kwargs={
        "slug": region.kelurahan.slug, "period": code})).status_code == 404
    assert client.get(reverse("subtree", kwargs={
        "slug": region.kelurahan.slug, "period": code})).status_code == 404
    assert not Period.objects.filter(code=code).exists()


def test_valid_period_is_created_and_lowercase_redirects(region, viewer, client_of):
    client = client_of(viewer)
    assert client.get(results_url(region, "2025-TW3")).status_code == 200
    assert Period.objects.filter(code="2025-TW3", kind="triwulan").exists()
    response = client.get(results_url(region, "2024-s2") + "?combine=pooled")
    assert response.status_code == 302
    assert response["Location"] == results_url(region) + "?combine=pooled"


def test_unit_redirects_to_latest_period_with_responses(region, viewer, client_of):
    add_responses(region.layanan[0], Period.get_or_create_code("2024-S1"), [[3] * 9])
    response = client_of(viewer).get(reverse("unit", kwargs={"slug": region.kelurahan.slug}))
    assert response.status_code == 302
    assert response["Location"] == results_url(region, "2024-S2")


def test_unit_without_responses_redirects_to_current_period(region, client_of):
    supervisor = make_user("supervisor", region.kecamatan, "supervisor")
    response = client_of(supervisor).get(reverse("unit", kwargs={"slug": region.kecamatan.slug}))
    expected = results_url(region, current_period(region.kecamatan).code, region.kecamatan)
    assert response["Location"] == expected


def test_period_picker_redirects(region, viewer, client_of):
    url = reverse("unit", kwargs={"slug": region.kelurahan.slug})
    response = client_of(viewer).get(url + "?periode=2024&combine=pooled")
    assert response["Location"] == results_url(region, "2024") + "?combine=pooled"


def test_year_includes_its_semesters(region, viewer, client_of):
    response = client_of(viewer).get(results_url(region, "2024"))
    assert 'id="jumlah-responden">4<' in response.content.decode()


def test_home_lists_readable_units_or_redirects(region, viewer, client_of, client):
    response = client_of(viewer).get(reverse("home"))
    assert response["Location"] == reverse("unit", kwargs={"slug": region.kelurahan.slug})
    supervisor = make_user("supervisor", region.kecamatan, "supervisor")
    client.logout()
    response = client_of(supervisor).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("pulo-gadung", "jatinegara-kaum", "rawamangun"):
        assert f'href="/u/{slug}/"' in html
    assert "jakarta-timur" not in html


@pytest.mark.parametrize(
    "path", ["skm/charts.js", "skm/results.css", "vendor/chart-4.6.1.umd.min.js"]
)
def test_page_assets_are_served(client, path):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    b"".join(response.streaming_content)
