"""The wilayah page: every readable unit below, figures recomputed from the answers, sorting.

Figures worked out by hand from the answers below.
"""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, add_responses, make_region, make_unit, make_user

pytestmark = pytest.mark.django_db

# Jatinegara Kaum, PKK: U1 4,3,3 -> 10/3; others 4,4,3 -> 11/3; IKM 98/27 (90,74)
ROWS_PKK = [[4] * 9, [3] + [4] * 8, [3] * 9]
# Jatinegara Kaum, Posyandu: all 2, U5 blank -> IKM 2
ROWS_POSYANDU = [[2, 2, 2, 2, None, 2, 2, 2, 2]]
# Rawamangun, PPSU: all 1 -> IKM 1 (25,00, D)
ROWS_PPSU = [[1] * 9]

# mean_of_services (every layanan counts equally):
#   Jatinegara Kaum (98/27 + 2) / 2 = 76/27 -> 70,37 (C); Rawamangun 25,00 (D);
#   Pulo Gadung over its three layanan (98/27 + 2 + 1) / 3 = 179/81 -> 4475/81 = 55,25 (D),
#   not the mean of the two published kelurahan figures ((70,37 + 25,00) / 2 = 47,69).
# pooled (every respondent counts equally), Pulo Gadung's five respondents:
#   U1 (4+3+3+2+1)/5 = 13/5; U5 (4+4+3+1)/4 = 3; the other seven 14/5;
#   IKM (13/5 + 3 + 7 * 14/5) / 9 = 2,8 -> 70,00 (C). Jatinegara Kaum alone: 81,71 (B).
MEAN = {"Kecamatan Pulo Gadung": ("5", "55,25", "D atau Tidak baik"),
        "Kelurahan Jatinegara Kaum": ("4", "70,37", "C atau Kurang baik"),
        "Kelurahan Rawamangun": ("1", "25,00", "D atau Tidak baik")}
POOLED = {"Kecamatan Pulo Gadung": ("5", "70,00", "C atau Kurang baik"),
          "Kelurahan Jatinegara Kaum": ("4", "81,71", "B atau Baik"),
          "Kelurahan Rawamangun": ("1", "25,00", "D atau Tidak baik")}


@pytest.fixture
def region():
    region = make_region()
    pkk, posyandu = region.layanan
    add_responses(pkk, region.period, ROWS_PKK)
    add_responses(posyandu, region.period, ROWS_POSYANDU)
    add_responses(region.sibling_layanan[1], region.period, ROWS_PPSU)
    return region


@pytest.fixture
def login(client):
    def as_user(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user


@pytest.fixture
def supervisor(region):
    return make_user("supervisor", region.kecamatan, "supervisor")


def subtree_url(unit, code="2024-S2", query=""):
    return reverse("subtree", kwargs={"slug": unit.slug, "period": code}) + query


def table(response):
    """(row HTML, its cells as text) per row of the wilayah table's body."""
    html = response.content.decode()
    body = html.split('<table class="wilayah">', 1)[1].split("<tbody>", 1)[1]
    for tr in re.findall(r"<tr>(.*?)</tr>", body.split("</tbody>", 1)[0], re.S):
        yield tr, [" ".join(re.sub(r"<[^>]+>", "", c).split())
                   for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]


def table_rows(response):
    """(name, depth class, respondents, konversi, mutu) per row of the wilayah table."""
    return [(cells[0], re.search(r'class="(depth-\d)"', tr).group(1), cells[2], cells[3],
             cells[4]) for tr, cells in table(response)]


def test_lists_every_unit_with_recomputed_figures(region, supervisor, login):
    response = login(supervisor).get(subtree_url(region.kecamatan))
    assert response.status_code == 200
    rows = table_rows(response)
    assert [(name, depth) for name, depth, *_ in rows] == [
        ("Kecamatan Pulo Gadung", "depth-0"),
        ("Kelurahan Jatinegara Kaum", "depth-1"),
        ("Kelurahan Rawamangun", "depth-1"),
    ]
    assert {name: tuple(rest) for name, _, *rest in rows} == MEAN
    html = response.content.decode()
    assert "47,69" not in html
    assert html.count("<td>Kelurahan/Desa</td>") == 2 and html.count("<td>Kecamatan</td>") == 1


def test_pooled_switch(region, supervisor, login):
    response = login(supervisor).get(subtree_url(region.kecamatan, query="?combine=pooled"))
    rows = table_rows(response)
    assert {name: tuple(rest) for name, _, *rest in rows} == POOLED
    assert "gabungan semua jawaban" in response.content.decode()


def test_rows_link_to_their_results(region, supervisor, login):
    html = login(supervisor).get(
        subtree_url(region.kecamatan, query="?combine=pooled")).content.decode()
    for slug in ("pulo-gadung", "jatinegara-kaum", "rawamangun"):
        assert f'href="/u/{slug}/2024-S2/?combine=pooled"' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("ikm", ["Kelurahan Rawamangun", "Kecamatan Pulo Gadung", "Kelurahan Jatinegara Kaum"]),
        ("-ikm", ["Kelurahan Jatinegara Kaum", "Kecamatan Pulo Gadung", "Kelurahan Rawamangun"]),
        ("respondents",
         ["Kelurahan Rawamangun", "Kelurahan Jatinegara Kaum", "Kecamatan Pulo Gadung"]),
        ("-respondents",
         ["Kecamatan Pulo Gadung", "Kelurahan Jatinegara Kaum", "Kelurahan Rawamangun"]),
        ("name", ["Kecamatan Pulo Gadung", "Kelurahan Jatinegara Kaum", "Kelurahan Rawamangun"]),
        ("-name",
         ["Kelurahan Rawamangun", "Kelurahan Jatinegara Kaum", "Kecamatan Pulo Gadung"]),
        ("nonsense",
         ["Kecamatan Pulo Gadung", "Kelurahan Jatinegara Kaum", "Kelurahan Rawamangun"]),
    ],
)
def test_sorting(region, supervisor, login, sort, expected):
    response = login(supervisor).get(subtree_url(region.kecamatan, query=f"?sort={sort}"))
    assert [row[0] for row in table_rows(response)] == expected


def test_sort_headers_toggle_and_mark_aria_sort(region, supervisor, login):
    html = login(supervisor).get(subtree_url(region.kecamatan, query="?sort=ikm")).content.decode()
    assert 'aria-sort="ascending"><a href="/u/pulo-gadung/2024-S2/wilayah/?sort=-ikm"' in html
    html = login(supervisor).get(
        subtree_url(region.kecamatan, query="?sort=-ikm&combine=pooled")).content.decode()
    assert ('aria-sort="descending"><a href="/u/pulo-gadung/2024-S2/wilayah/'
            '?combine=pooled&amp;sort=ikm"') in html


def test_units_without_responses_sort_last(region, supervisor, login):
    make_unit("Kelurahan Kayu Putih", "kayu-putih", "kelurahan", region.kecamatan, ["PKK"])
    for sort in ("ikm", "-ikm"):
        rows = table_rows(login(supervisor).get(
            subtree_url(region.kecamatan, query=f"?sort={sort}")))
        assert rows[-1] == ("Kelurahan Kayu Putih", "depth-1", "0", "belum ada responden", "-")


def test_lists_only_what_the_user_may_read(region, login):
    viewer = make_user("viewer", region.kelurahan, "viewer")
    rows = table_rows(login(viewer).get(subtree_url(region.kelurahan)))
    assert rows == [("Kelurahan Jatinegara Kaum", "depth-0", "4", "70,37", "C atau Kurang baik")]


def test_a_kecamatan_viewer_sees_the_roll_up_but_not_the_kelurahan(region, login):
    # a viewer (not a supervisor) of the kecamatan reads the kecamatan only
    viewer = make_user("camat", region.kecamatan, "viewer")
    response = login(viewer).get(subtree_url(region.kecamatan))
    assert table_rows(response) == [
        ("Kecamatan Pulo Gadung", "depth-0", "5", "55,25", "D atau Tidak baik")
    ]
    assert "Rawamangun" not in response.content.decode()


def test_admin_sees_the_whole_city(region, login):
    admin = make_user("admin", superuser=True)
    rows = table_rows(login(admin).get(subtree_url(region.kota)))
    assert [(name, depth) for name, depth, *_ in rows] == [
        ("Kota Administrasi Jakarta Timur", "depth-0"),
        ("Kecamatan Pulo Gadung", "depth-1"),
        ("Kelurahan Jatinegara Kaum", "depth-2"),
        ("Kelurahan Rawamangun", "depth-2"),
    ]
    assert rows[0][2:] == ("5", "55,25", "D atau Tidak baik")


def test_empty_period(region, supervisor, login):
    response = login(supervisor).get(subtree_url(region.kecamatan, "2023-S1"))
    assert response.status_code == 200
    assert all(row[2:] == ("0", "belum ada responden", "-") for row in table_rows(response))


def test_results_page_links_to_the_wilayah(region, supervisor, login):
    url = reverse("results", kwargs={"slug": region.kecamatan.slug, "period": "2024-S2"})
    html = login(supervisor).get(url).content.decode()
    assert 'href="/u/pulo-gadung/2024-S2/wilayah/"' in html


def sample_cells(response) -> dict[str, str]:
    """{unit name: the Sampel cell's text}."""
    return {cells[0]: cells[-1] for _tr, cells in table(response)}


def test_each_unit_shows_whether_its_own_sample_is_enough(region, supervisor, login):
    """PKK has 3 respondents of a population of 4 (minimum 4): short; Posyandu 1 of 1: enough.
    Rawamangun has no population entered; the kecamatan has no layanan of its own."""
    from skm.units.models import Population

    pkk, posyandu = region.layanan
    Population.objects.create(layanan=pkk, period=region.period, size=4)
    Population.objects.create(layanan=posyandu, period=region.period, size=1)
    page = login(supervisor).get(subtree_url(region.kecamatan))
    assert sample_cells(page) == {
        "Kecamatan Pulo Gadung": "populasi belum diisi",
        "Kelurahan Jatinegara Kaum": "kurang di 1 dari 2 layanan",
        "Kelurahan Rawamangun": "populasi belum diisi",
    }
    Population.objects.filter(layanan=pkk).update(size=3)
    page = login(supervisor).get(subtree_url(region.kecamatan))
    assert sample_cells(page)["Kelurahan Jatinegara Kaum"] == "cukup"
