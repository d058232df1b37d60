"""Who may reach the RTL pages: every URL x every kind of user, GET and POST, and CSRF."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from skm.followup.models import FollowupChange, Realisasi, RtlItem
from tests.factories import PASSWORD, make_region, make_user

from .helpers import ekbang, seed_items

pytestmark = pytest.mark.django_db

READERS = ("admin", "supervisor", "operator", "viewer")
MANAGERS = ("admin", "operator")
WHO = (*READERS, "outsider", "anonymous")


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
    }


@pytest.fixture
def item(region):
    return seed_items(region, realised=0)[0]


def url(region, name, **kwargs):
    return reverse(name, kwargs={"slug": region.kelurahan.slug, "period": region.period.code,
                                 **kwargs})


def pages(region):
    return {name: url(region, name) for name in ("rtl", "rtl-history", "rtl-subtree")}


def actions(region, item):
    section = ekbang(region.kelurahan)
    add = {"baru-unsur_codes": ["U9"], "baru-program": "Baru", "baru-quarters": ["2024-TW4"],
           "baru-horizon": "pendek", "baru-section": str(section.pk)}
    p = f"rtl-{item.pk}"
    edit = {f"{p}-unsur_codes": ["U1"], f"{p}-program": "Diubah", f"{p}-quarters": ["2024-TW3"],
            f"{p}-horizon": "pendek", f"{p}-section": str(section.pk), f"{p}-order": "0"}
    r = f"realisasi-{item.pk}"
    realisasi = {f"{r}-status": "sudah", f"{r}-tanggal": "2024-09-17", f"{r}-deskripsi": "x",
                 f"{r}-hambatan": "Tidak ada"}
    return {
        "rtl-add": (url(region, "rtl-add"), add),
        "rtl-edit": (url(region, "rtl-edit", pk=item.pk), edit),
        "rtl-realisasi": (url(region, "rtl-realisasi", pk=item.pk), realisasi),
    }


def untouched(item):
    item.refresh_from_db()
    return (RtlItem.objects.count() == 3 and item.program != "Diubah"
            and not Realisasi.objects.exists() and not FollowupChange.objects.exists())


def login(client, who):
    if who != "anonymous":
        assert client.login(username=who, password=PASSWORD)


@pytest.mark.parametrize("who", WHO)
def test_get_pages(client, region, users, item, who):
    login(client, who)
    for name, target in pages(region).items():
        response = client.get(target)
        if who == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login")), name
        elif who in READERS:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 404, name
        assert client.post(target, {}).status_code == (
            302 if who == "anonymous" else 405 if who in READERS else 404), name
    assert untouched(item)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("method", ["get", "post"])
def test_actions(client, region, users, item, who, method):
    login(client, who)
    for name, (target, data) in actions(region, item).items():
        response = getattr(client, method)(target, data if method == "post" else None)
        if who == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login")), name
        elif who not in MANAGERS:
            assert response.status_code == 404, name
        else:  # POST: saved, back to the page (PRG); GET: just back to the page
            assert response.status_code == 302, name
            assert response["Location"].startswith(url(region, "rtl")), name
    if who in MANAGERS and method == "post":
        item.refresh_from_db()
        assert item.program == "Diubah" and item.realisasi.status == "sudah"
        assert RtlItem.objects.count() == 4
        assert FollowupChange.objects.count() == 3
        assert {c.user.username for c in FollowupChange.objects.all()} == {who}
    else:
        assert untouched(item)


@pytest.mark.parametrize("who", ("viewer", "supervisor"))
def test_readers_see_no_forms(client, region, users, item, who):
    login(client, who)
    html = client.get(url(region, "rtl")).content.decode()
    assert "Program/Kegiatan" in html
    assert url(region, "rtl-add") not in html
    assert url(region, "rtl-realisasi", pk=item.pk) not in html


def test_operator_sees_the_forms(client, region, users, item):
    login(client, "operator")
    html = client.get(url(region, "rtl")).content.decode()
    assert url(region, "rtl-add") in html
    assert url(region, "rtl-realisasi", pk=item.pk) in html
    assert url(region, "rtl-edit", pk=item.pk) in html


def test_posts_need_a_csrf_token(region, users, item):
    client = Client(enforce_csrf_checks=True)
    login(client, "operator")
    for name, (target, data) in actions(region, item).items():
        assert client.post(target, data).status_code == 403, name
    assert untouched(item)
    html = client.get(url(region, "rtl")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    target, data = actions(region, item)["rtl-realisasi"]
    assert client.post(target, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Realisasi.objects.get().status == "sudah"


def test_the_subtree_lists_readable_units_only(client, region, users, item):
    seed_items(region, realised=2)  # three more items, two realised
    kecamatan = reverse("rtl-subtree", kwargs={"slug": region.kecamatan.slug,
                                               "period": region.period.code})
    login(client, "supervisor")
    html = client.get(kecamatan).content.decode()
    rows = dict(re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', html, re.S))
    assert list(rows) == ["pulo-gadung", "jatinegara-kaum", "rawamangun"]
    cells = re.findall(r'<td class="(\w+)">([^<]*)</td>', rows["jatinegara-kaum"])
    assert cells == [("planned", "6"), ("done", "2"), ("percent", "33,33%"), ("overdue", "4")]
    client.logout()

    login(client, "operator")  # reads its kelurahan only: the kecamatan is not its to see
    assert client.get(kecamatan).status_code == 404
    html = client.get(url(region, "rtl-subtree")).content.decode()
    assert re.findall(r'<tr data-unit="([^"]+)">', html) == ["jatinegara-kaum"]
