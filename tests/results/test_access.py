"""Who sees what: every results URL x every kind of user.

The region: Kota Jakarta Timur > Kecamatan Pulo Gadung > Kelurahan Jatinegara Kaum (the "own"
unit) and Kelurahan Rawamangun (its sibling). A unit a user may not read answers 404, exactly
like one that does not exist; anonymous users are sent to the login page.
"""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, add_responses, make_region, make_user

pytestmark = pytest.mark.django_db

USERS = ("admin", "supervisor", "operator", "viewer", "outsider", "anonymous")
# Jatinegara Kaum's data: distinctive numbers that must not show up for the outsider
OWN_ROWS = [[4] * 9, [3] * 9, [4] * 9]  # 11/3 -> 91,67
SIBLING_ROWS = [[2] * 9]  # 50,00


@pytest.fixture
def region():
    region = make_region()
    add_responses(region.layanan[0], region.period, OWN_ROWS)
    add_responses(region.sibling_layanan[1], region.period, SIBLING_ROWS)
    return region


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


def login_as(client, users, who):
    if users[who] is not None:
        assert client.login(username=users[who].username, password=PASSWORD)
    return client


def urls(slug):
    period = {"slug": slug, "period": "2024-S2"}
    return {
        "unit": reverse("unit", kwargs={"slug": slug}),
        "results": reverse("results", kwargs=period),
        "data": reverse("results-data", kwargs=period),
        "subtree": reverse("subtree", kwargs=period),
    }


# (user, URL of Jatinegara Kaum) -> status
KELURAHAN_MATRIX = {
    "admin": {"unit": 302, "results": 200, "data": 200, "subtree": 200},
    "supervisor": {"unit": 302, "results": 200, "data": 200, "subtree": 200},
    "operator": {"unit": 302, "results": 200, "data": 200, "subtree": 200},
    "viewer": {"unit": 302, "results": 200, "data": 200, "subtree": 200},
    "outsider": {"unit": 404, "results": 404, "data": 404, "subtree": 404},
}
# the kecamatan: only the admin and its supervisor may read it
KECAMATAN_MATRIX = {
    "admin": 200, "supervisor": 200, "operator": 404, "viewer": 404, "outsider": 404,
}


@pytest.mark.parametrize("who", [u for u in USERS if u != "anonymous"])
@pytest.mark.parametrize("name", ["unit", "results", "data", "subtree"])
def test_kelurahan_urls(client, region, users, who, name):
    login_as(client, users, who)
    response = client.get(urls(region.kelurahan.slug)[name])
    assert response.status_code == KELURAHAN_MATRIX[who][name]
    if response.status_code == 302:  # the unit page sends readers on to the results
        assert response["Location"] == urls(region.kelurahan.slug)["results"]


@pytest.mark.parametrize("who", [u for u in USERS if u != "anonymous"])
@pytest.mark.parametrize("name", ["results", "data", "subtree"])
def test_kecamatan_urls(client, region, users, who, name):
    login_as(client, users, who)
    response = client.get(urls(region.kecamatan.slug)[name])
    assert response.status_code == KECAMATAN_MATRIX[who]


@pytest.mark.parametrize("name", ["unit", "results", "data", "subtree"])
def test_anonymous_is_sent_to_login(client, region, name):
    url = urls(region.kelurahan.slug)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    # an unknown unit looks the same as a real one: no existence leak before login
    other = client.get(urls("tidak-ada")[name])
    assert other.status_code == 302 and other["Location"].startswith(reverse("login"))


def test_anonymous_home_is_sent_to_login(client, region):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),  # four units
        ("supervisor", 200),  # the kecamatan and its two kelurahan
        ("operator", 302),  # one unit: straight to it
        ("viewer", 302),
        ("outsider", 302),  # to its own kelurahan, never to the other one
    ],
)
def test_home(client, region, users, who, expected):
    login_as(client, users, who)
    response = client.get(reverse("home"))
    assert response.status_code == expected
    own = region.sibling if who == "outsider" else region.kelurahan
    if expected == 302:
        assert response["Location"] == reverse("unit", kwargs={"slug": own.slug})


def test_unknown_unit_is_404_like_a_forbidden_one(client, region, users):
    login_as(client, users, "viewer")
    for url in urls("tidak-ada").values():
        assert client.get(url).status_code == 404


def test_outsider_never_sees_the_other_kelurahan(client, region, users):
    """Through every URL, with every switch: nothing of Jatinegara Kaum reaches the outsider."""
    login_as(client, users, "outsider")
    own = urls(region.sibling.slug)
    pages = [client.get(reverse("home"), follow=True)]
    for query in ("", "?combine=pooled", "?weights=0.111", "?sort=name"):
        for url in own.values():
            pages.append(client.get(url + query, follow=True))
    pages.append(client.get(reverse("subtree", kwargs={
        "slug": region.sibling.slug, "period": "2024"})))
    for page in pages:
        assert page.status_code == 200
        body = page.content.decode()
        assert "Jatinegara" not in body and "jatinegara" not in body
        assert "Posyandu" not in body  # a layanan only Jatinegara Kaum has
        assert "91,67" not in body and "91.67" not in body
    # and the outsider's own figure is there
    assert client.get(own["data"]).json()["overall"]["konversi"] == 50.0


def test_viewer_does_not_see_the_sibling_through_its_own_pages(client, region, users):
    login_as(client, users, "viewer")
    own = urls(region.kelurahan.slug)
    for url in own.values():
        body = client.get(url, follow=True).content.decode()
        assert "Rawamangun" not in body and "PPSU" not in body and "50,00" not in body
    # nor through the kecamatan (it cannot read it) or the sibling directly
    for url in (*urls(region.kecamatan.slug).values(), *urls(region.sibling.slug).values()):
        assert client.get(url).status_code == 404


def test_period_picker_cannot_reach_a_foreign_unit(client, region, users):
    login_as(client, users, "outsider")
    url = reverse("unit", kwargs={"slug": region.kelurahan.slug}) + "?periode=2024-S2"
    assert client.get(url).status_code == 404


def test_inactive_user_is_treated_as_reading_nothing(client, region, users):
    viewer = users["viewer"]
    client.force_login(viewer)
    viewer.is_active = False
    viewer.save()
    response = client.get(urls(region.kelurahan.slug)["results"])
    assert response.status_code in (302, 404)
