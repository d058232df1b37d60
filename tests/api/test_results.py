"""GET /api/v1/units/{slug}/results/{period}: the `skm compute --format json` object, from the
database, for staff who may read the unit."""

import json

import pytest

from skm.api.models import ApiToken
from skm.units.models import Membership, Period
from tests.factories import KNOWN_ROWS, make_user, region_with_rows, rows_as_csv

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/{}/results/{}"

ROWS = KNOWN_ROWS
# By hand (SKM-RULES 2 and 4):
# PKK: U1 = 9/3 = 3, U2..U9 = 4; IKM = 35/9 = 3,8889. Posyandu: U1..U8 = 2, U9 unanswered; IKM 2.
# mean_of_services: (35/9 + 2) / 2 = 53/18 = 2,9444 -> 73,61 C; U1 (3 + 2) / 2 = 2,5 lowest.
# pooled: U1 11/4, U2..U8 14/4, U9 12/3; IKM (2,75 + 7 * 3,5 + 4) / 9 = 3,4722 -> 86,81 B.
EXPECTED = {
    "mean_of_services": (2.9444, 73.61, "C", "Kurang baik", 2.5),
    "pooled": (3.4722, 86.81, "B", "Baik", 2.75),
}


@pytest.fixture
def region():
    return region_with_rows(ROWS)


@pytest.fixture
def same_rows_csv(tmp_path):
    return rows_as_csv(tmp_path / "same.csv", ROWS)


def staff_key(user):
    return ApiToken.issue("staff", f"Token {user.username}", user=user)[1]


def get(client, key, slug="jatinegara-kaum", period="2024-S2", **query):
    return client.get(URL.format(slug, period), query,
                      headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def operator_key(region):
    return staff_key(make_user("operator", region.kelurahan, Membership.Role.OPERATOR))


@pytest.mark.parametrize("method", ["mean_of_services", "pooled"])
def test_results_equal_skm_compute_on_the_same_rows(region, client, operator_key, run_skm,
                                                   same_rows_csv, method):
    code, out, _ = run_skm("compute", same_rows_csv, "--format", "json", "--combine", method)
    assert code == 0
    response = get(client, operator_key, combine=method)
    assert response.status_code == 200
    data = response.json()
    assert data == json.loads(out)
    ikm, konversi, mutu, kinerja, u1 = EXPECTED[method]
    overall = data["overall"]
    assert (overall["ikm"], overall["konversi"], overall["mutu"], overall["kinerja"]) == (
        ikm, konversi, mutu, kinerja)
    assert overall["respondents"] == 4
    assert overall["unsur"]["U1"]["nrr"] == u1
    assert data["priorities"] == ["U1"]
    assert data["method"] == {"weights": "equal", "combine": method}
    assert [g["name"] for g in data["layanan"]] == ["PKK", "Posyandu"]
    assert data["layanan"][1]["unsur"]["U9"] == {"answers": 0, "nrr": None}
    assert data["profile"]["jenis_kelamin"] == {"L": 2, "P": 2}
    assert data["profile"]["usia"] == {"< 20": 1, "30-39": 1, "60+": 1, "Tidak diisi": 1}


@pytest.mark.parametrize("weights", ["0.111", "0.11", "equal"])
def test_weights_option_matches_skm_compute(region, client, operator_key, run_skm,
                                            same_rows_csv, weights):
    _, out, _ = run_skm("compute", same_rows_csv, "--format", "json", "--weights", weights)
    data = get(client, operator_key, weights=weights).json()
    assert data == json.loads(out)
    assert data["method"]["weights"] == weights


def test_lowest_option_matches_skm_compute(region, client, operator_key, run_skm, same_rows_csv):
    _, out, _ = run_skm("compute", same_rows_csv, "--format", "json", "--lowest", "3")
    data = get(client, operator_key, lowest=3).json()
    assert data == json.loads(out)


def test_a_year_includes_its_semesters_and_an_empty_period_is_empty(region, client,
                                                                    operator_key):
    year = get(client, operator_key, period="2024").json()
    assert year["overall"]["respondents"] == 4
    empty = get(client, operator_key, period="2023-S1").json()
    assert empty["overall"]["respondents"] == 0
    assert empty["layanan"] == [] and empty["priorities"] == []
    assert empty["overall"]["ikm"] is None


def test_readers_of_the_unit_may_read(region, client):
    viewer = make_user("viewer", region.kelurahan, Membership.Role.VIEWER)
    camat = make_user("camat", region.kecamatan, Membership.Role.SUPERVISOR)
    admin = make_user("admin", superuser=True)
    for user in (viewer, camat, admin):
        response = get(client, staff_key(user))
        assert response.status_code == 200, user
        assert response.json()["overall"]["respondents"] == 4


def test_an_outsider_cannot_read_another_kelurahan(region, client):
    outsider = make_user("luar", region.sibling, Membership.Role.OPERATOR)
    key = staff_key(outsider)
    response = get(client, key)
    assert response.status_code == 404
    assert response.json() == {"detail": "Unit tidak ditemukan.", "errors": []}
    # exactly like a unit that does not exist
    assert get(client, key, slug="tidak-ada").json() == response.json()
    assert get(client, key, slug="rawamangun").status_code == 200  # its own


def test_kiosk_token_cannot_read_results(region, client):
    key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)[1]
    response = get(client, key)  # not even its own unit's
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Token ini tidak punya cakupan 'read' untuk permintaan ini.", "errors": []}


@pytest.mark.parametrize("period", ["2024-S3", "semester-2", "1999", "2024-TW5"])
def test_bad_period_is_422_with_a_message(region, client, operator_key, period):
    response = get(client, operator_key, period=period)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "period"
    message = error["message"]
    assert "eriode" in message or "Semester" in message or "Tahun" in message
    assert not Period.objects.filter(code__iexact=period).exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [({"combine": "median"}, "combine"), ({"weights": "0.2"}, "weights"),
     ({"lowest": "0"}, "lowest"), ({"lowest": "dua"}, "lowest")],
)
def test_bad_options_are_422_by_name(region, client, operator_key, query, field):
    response = get(client, operator_key, **query)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
