"""Every endpoint with owner (operator), member (viewer), outsider (another kelurahan's
operator) and anonymous, and with each scope: the UI's access rules, a foreign unit a 404 like a
missing one, a missing scope a 403, every error in the one JSON shape."""

import pytest

from skm.api.models import ApiToken
from skm.followup.models import RtlItem
from skm.units.models import Membership
from tests.factories import make_user, region_with_rows
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db

UNIT = "/api/v1/units/jatinegara-kaum"
RTL = UNIT + "/rtl/2024-S2"
ANSWERS = {f"U{i}": 4 for i in range(1, 10)}

#: (name, method, url, body); {item} is the first seed item's id
READS = [
    ("units", "get", "/api/v1/units", None),
    ("unit", "get", UNIT, None),
    ("layanan", "get", UNIT + "/layanan", None),
    ("questionnaires", "get", UNIT + "/questionnaires", None),
    ("results", "get", UNIT + "/results/2024-S2", None),
    ("subtree", "get", UNIT + "/results/2024-S2?subtree=1", None),
    ("rtl", "get", RTL + "/items", None),
    ("rtl item", "get", RTL + "/items/{item}", None),
    ("realisasi", "get", RTL + "/items/{item}/realisasi", None),
    ("evidence", "get", RTL + "/items/{item}/realisasi/evidence", None),
    ("history", "get", RTL + "/history", None),
]
WRITES = [
    ("create rtl", "post", RTL + "/items",
     {"unsur_codes": ["U1"], "program": "Apel pagi", "quarters": ["2024-TW4"],
      "section": "Ekbang"}),
    ("update rtl", "patch", RTL + "/items/{item}", {"program": "Apel pagi dan sore"}),
    ("put realisasi", "put", RTL + "/items/{item}/realisasi",
     {"status": "sudah", "tanggal": "2024-10-01", "deskripsi": "Selesai"}),
    ("post response", "post", "/api/v1/responses",
     {"unit": "jatinegara-kaum", "layanan": "pkk", "answers": ANSWERS}),
]
ERROR_KEYS = {"detail", "errors"}


@pytest.fixture
def region():
    region = region_with_rows()
    seed_items(region)
    return region


@pytest.fixture
def item(region):
    return RtlItem.objects.filter(unit=region.kelurahan).order_by("order").first()


def users(region):
    return {
        "owner": make_user("operator", region.kelurahan, Membership.Role.OPERATOR),
        "member": make_user("viewer", region.kelurahan, Membership.Role.VIEWER),
        "supervisor": make_user("camat", region.kecamatan, Membership.Role.SUPERVISOR),
        "outsider": make_user("luar", region.sibling, Membership.Role.OPERATOR),
    }


def call(client, method, url, data, key=None, item=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    url = url.format(item=item.pk if item else 0)
    if data is None:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def assert_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == ERROR_KEYS
    assert data["detail"]
    return data


READ_EXPECTED = {"owner": 200, "member": 200, "supervisor": 200, "outsider": 404}


@pytest.mark.parametrize(("name", "method", "url", "data"), READS, ids=[r[0] for r in READS])
def test_reads_follow_the_ui_rules(region, item, client, name, method, url, data):
    for who, user in users(region).items():
        key = ApiToken.issue("staff", who, user=user)[1]
        response = call(client, method, url, data, key, item)
        if name == "units":  # a list: never 404, only what the user may read
            assert response.status_code == 200
            slugs = {u["slug"] for u in response.json()}
            assert ("jatinegara-kaum" in slugs) == (who != "outsider"), who
            continue
        if READ_EXPECTED[who] == 404:
            assert_error(response, 404)
            assert response.json()["errors"] == []
        else:
            assert response.status_code == 200, (who, response.content)
    assert_error(call(client, method, url, data, None, item), 401)


MANAGED = {"owner": {"jatinegara-kaum"}, "member": set(), "supervisor": set(),
           "outsider": {"rawamangun"}}


def test_single_responses_only_for_those_who_manage_the_unit(region, item, client):
    """Saran and profile one by one are personal data: like the export, only for the unit's
    operators (and admins); viewers and supervisors get figures from /results."""
    url = "/api/v1/responses?unit=jatinegara-kaum"
    for who, user in users(region).items():
        key = ApiToken.issue("staff", who, user=user, scopes=["read"])[1]
        response = call(client, "get", url, None, key)
        if who == "owner":
            assert response.status_code == 200 and response.json()["count"] > 0
        else:
            assert_error(response, 404)
        listed = call(client, "get", "/api/v1/responses", None, key).json()
        units = {r["unit"] for r in listed["items"]}
        assert units == MANAGED[who], who
    assert_error(call(client, "get", url, None, None), 401)


WRITE_EXPECTED = {"owner": "ok", "member": 404, "supervisor": 404, "outsider": 404}


@pytest.mark.parametrize(("name", "method", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_need_a_unit_the_user_manages(region, item, client, name, method, url, data):
    for who, user in users(region).items():
        key = ApiToken.issue("staff", who, user=user)[1]
        response = call(client, method, url, data, key, item)
        if WRITE_EXPECTED[who] == "ok":
            assert response.status_code in (200, 201), (who, response.content)
        else:
            assert_error(response, 404)
    assert_error(call(client, method, url, data, None, item), 401)


@pytest.mark.parametrize(("name", "method", "url", "data"), READS, ids=[r[0] for r in READS])
def test_reads_need_the_read_scope(region, item, client, name, method, url, data):
    owner = users(region)["owner"]
    write_only = ApiToken.issue("staff", "w", user=owner, scopes=["write"])[1]
    kiosk = ApiToken.issue("kiosk", "k", unit=region.kelurahan)[1]
    for key in (write_only, kiosk):
        data_ = assert_error(call(client, method, url, data, key, item), 403)
        assert "'read'" in data_["detail"]
    read_only = ApiToken.issue("staff", "r", user=owner, scopes=["read"])[1]
    assert call(client, method, url, data, read_only, item).status_code == 200


@pytest.mark.parametrize(("name", "method", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_need_the_write_scope(region, item, client, name, method, url, data):
    owner = users(region)["owner"]
    read_only = ApiToken.issue("staff", "r", user=owner, scopes=["read"])[1]
    assert "'write'" in assert_error(call(client, method, url, data, read_only, item),
                                     403)["detail"]
    kiosk = ApiToken.issue("kiosk", "k", unit=region.kelurahan)[1]
    response = call(client, method, url, data, kiosk, item)
    if name == "post response":  # the one thing a kiosk token may do
        assert response.status_code == 201
    else:
        assert_error(response, 403)
    write_only = ApiToken.issue("staff", "w", user=owner, scopes=["write"])[1]
    assert call(client, method, url, data, write_only, item).status_code in (200, 201)


def test_a_scope_error_does_not_reveal_whether_a_unit_exists(region, client):
    kiosk = ApiToken.issue("kiosk", "k", unit=region.kelurahan)[1]
    for slug in ("jatinegara-kaum", "rawamangun", "tidak-ada"):
        response = call(client, "get", f"/api/v1/units/{slug}", None, kiosk)
        assert response.status_code == 403
    outsider = users(region)["outsider"]
    key = ApiToken.issue("staff", "o", user=outsider)[1]
    foreign = call(client, "get", UNIT + "/layanan", None, key)
    missing = call(client, "get", "/api/v1/units/tidak-ada/layanan", None, key)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_admin_reads_and_writes_everything(region, item, client):
    admin = make_user("admin", superuser=True)
    key = ApiToken.issue("staff", "a", user=admin)[1]
    slugs = {u["slug"] for u in call(client, "get", "/api/v1/units", None, key).json()}
    assert slugs == {"jakarta-timur", "pulo-gadung", "jatinegara-kaum", "rawamangun"}
    for _name, method, url, data in WRITES:
        assert call(client, method, url, data, key, item).status_code in (200, 201)


def test_unknown_paths_and_methods_answer_json(region, client):
    key = ApiToken.issue("staff", "o", user=users(region)["owner"])[1]
    assert_error(call(client, "get", "/api/v1/tidak-ada", None, key), 404)
    response = call(client, "delete", "/api/v1/units", None, key)
    assert_error(response, 405)
    assert response["Allow"] == "GET"
