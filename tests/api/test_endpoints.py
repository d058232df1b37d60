"""What the read endpoints return: units, layanan, periods, questionnaires, responses (paged
and filtered), results of a subtree; and token scopes (model, migration default, `skm token`)."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skm.api.models import ApiToken
from skm.present import result_dict
from skm.results.services import subtree_results
from skm.surveys.models import QuestionnaireVersion, Response
from skm.units.models import Membership, Period
from tests.factories import JAKARTA, add_responses, make_user, region_with_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return region_with_rows()


def getter(client, user, **token):
    key = ApiToken.issue("staff", "t", user=user, **token)[1]

    def get(url, **query):
        return client.get("/api/v1" + url, query, headers={"Authorization": f"Bearer {key}"})

    return get


@pytest.fixture
def camat(region, client):
    return getter(client, make_user("camat", region.kecamatan, Membership.Role.SUPERVISOR))


@pytest.fixture
def operator(region, client):
    return getter(client, make_user("operator", region.kelurahan, Membership.Role.OPERATOR))


def test_units_and_unit_detail(region, camat, operator):
    listed = camat("/units").json()
    assert [u["slug"] for u in listed] == ["pulo-gadung", "jatinegara-kaum", "rawamangun"]
    assert listed[1] == {"slug": "jatinegara-kaum", "name": "Kelurahan Jatinegara Kaum",
                         "kind": "kelurahan", "parent": "pulo-gadung",
                         "period_kind": "semester"}
    detail = camat("/units/pulo-gadung").json()
    assert [c["slug"] for c in detail["children"]] == ["jatinegara-kaum", "rawamangun"]
    assert detail["parent"] == "jakarta-timur"  # its parent's slug, though not readable
    assert detail["can_manage"] is False
    assert operator("/units/jatinegara-kaum").json()["can_manage"] is True
    assert operator("/units/pulo-gadung").status_code == 404


def test_layanan_periods_and_questionnaires(region, operator):
    layanan = region.layanan[1]
    layanan.active = False
    layanan.save()
    assert operator("/units/jatinegara-kaum/layanan").json() == [
        {"slug": "pkk", "name": "PKK", "active": True, "order": 0},
        {"slug": "posyandu", "name": "Posyandu", "active": False, "order": 1}]
    Period.get_or_create_code("2024-TW1")
    periods = operator("/periods").json()
    assert [p["code"] for p in periods] == ["2024-TW1", "2024-S2"]
    assert periods[1] == {"code": "2024-S2", "kind": "semester", "year": 2024, "number": 2,
                          "start": "2024-07-01", "end": "2024-12-31",
                          "label": "Semester II Tahun 2024"}
    assert [p["code"] for p in operator("/periods", kind="triwulan").json()] == ["2024-TW1"]
    assert operator("/periods", kind="bulan").status_code == 422
    [version] = operator("/units/jatinegara-kaum/questionnaires").json()
    assert (version["version"], version["weights"], version["current"]) == (
        QuestionnaireVersion.default().version, "equal", True)
    assert [u["code"] for u in version["unsur"]] == [f"U{i}" for i in range(1, 10)]
    assert version["unsur"][0]["name"] == "Persyaratan"
    assert {u["weight_exact"] for u in version["unsur"]} == {"1/9"}
    assert version["unsur"][8]["weight"] == 0.111111


def test_a_custom_questionnaire_is_listed_with_its_weights(region, operator):
    custom = QuestionnaireVersion.default().copy_as_new()
    custom.weights = "custom"
    custom.save()
    for u in custom.unsur.all():
        u.weight = "1/5" if u.code == "U1" else "1/10"
        u.save()
    region.kelurahan.questionnaire = custom
    region.kelurahan.save()
    versions = operator("/units/jatinegara-kaum/questionnaires").json()
    # the old version stays listed: the unit's responses answered it
    assert [(v["version"], v["current"]) for v in versions] == [
        (QuestionnaireVersion.default().version, False), (custom.version, True)]
    weights = {u["code"]: u["weight_exact"] for u in versions[1]["unsur"]}
    assert weights["U1"] == "1/5" and weights["U9"] == "1/10"


def test_responses_are_paged_and_filtered(region, camat, operator):
    data = operator("/responses", page_size=3).json()
    assert (data["count"], data["page"], data["page_size"]) == (4, 1, 3)
    first = data["items"][0]
    assert first["unit"] == "jatinegara-kaum" and first["layanan"] == "pkk"
    assert first["answers"] == {f"U{i}": 4 for i in range(1, 10)}
    assert (first["jenis_kelamin"], first["usia"], first["pendidikan"]) == ("L", 34, "SMA")
    second_page = operator("/responses", page_size=3, page=2).json()["items"]
    ids = [r["id"] for r in data["items"]] + [r["id"] for r in second_page]
    expected = Response.objects.within([region.kelurahan]).order_by("submitted_at", "pk")
    assert ids == [r.pk for r in expected]  # no gap, no repeat, nothing of the sibling
    assert operator("/responses", layanan="posyandu").json()["count"] == 1
    posyandu = operator("/responses", layanan="posyandu").json()["items"][0]
    assert posyandu["answers"]["U9"] is None  # blank stays null, never 0
    # a supervisor reads the figures, not the responses one by one (saran, profile)
    assert camat("/responses").json()["count"] == 0
    assert camat("/responses", unit="rawamangun").status_code == 404
    assert operator("/responses", unit="rawamangun").status_code == 404
    assert operator("/responses", period="2024").json()["count"] == 4
    assert operator("/responses", period="2024-S1").json()["count"] == 0
    assert operator("/responses", source="paper").json()["count"] == 0
    assert operator("/responses", period="2024-S3").status_code == 422


def test_responses_by_submission_time(region, operator):
    later = Period.get_or_create_code("2025-S1")
    [new] = add_responses(region.layanan[0], later, [[3] * 9], source="paper")
    assert new.submitted_at == datetime(2025, 1, 15, 10, tzinfo=JAKARTA)
    found = operator("/responses", submitted_from="2025-01-15T10:00:00+07:00").json()
    assert [r["id"] for r in found["items"]] == [new.pk]
    assert operator("/responses", submitted_to="2025-01-15T10:00:00+07:00").json()["count"] == 4
    assert operator("/responses", submitted_from="2025-01-01").json()["count"] == 1
    assert operator("/responses", source="paper").json()["count"] == 1
    response = operator("/responses", submitted_from="kemarin")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "submitted_from"
    assert operator("/responses", submitted_from="0001-01-01T00:00:00").status_code == 422
    # an offset PostgreSQL refuses is still a valid instant: 2025-01-15 10:00 +07:00 is
    # 2025-01-14 08:38 -18:22
    found = operator("/responses", submitted_from="2025-01-14T08:38:00-18:22").json()
    assert [r["id"] for r in found["items"]] == [new.pk]


@pytest.mark.parametrize("combine", ["mean_of_services", "pooled"])
def test_subtree_results_are_the_services_figures_per_unit(region, camat, combine):
    data = camat("/units/pulo-gadung/results/2024-S2", subtree="true", combine=combine).json()
    assert data["method"] == {"weights": "equal", "combine": combine}
    assert [(u["slug"], u["depth"], u["respondents"]) for u in data["units"]] == [
        ("pulo-gadung", 0, 5), ("jatinegara-kaum", 1, 4), ("rawamangun", 1, 1)]
    rows = {r.unit.slug: r for r in subtree_results(region.kecamatan, region.period, combine)}
    for unit in data["units"]:
        expected = rows[unit["slug"]].result
        assert unit["result"]["overall"] == result_dict(expected, [])["overall"]
    names = [g["name"] for g in data["units"][0]["result"]["layanan"]]
    assert "Kelurahan Jatinegara Kaum / PKK" in names and "Kelurahan Rawamangun / PKK" in names


def test_subtree_of_an_operator_is_only_its_unit(region, operator):
    data = operator("/units/jatinegara-kaum/results/2024-S2", subtree=1).json()
    assert [u["slug"] for u in data["units"]] == ["jatinegara-kaum"]
    single = operator("/units/jatinegara-kaum/results/2024-S2").json()
    assert data["units"][0]["result"]["overall"] == single["overall"]


# -- scopes ---------------------------------------------------------------------------------------


def test_scopes_default_by_kind_and_are_checked(region):
    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    staff, _ = ApiToken.issue("staff", "s", user=user)
    kiosk, _ = ApiToken.issue("kiosk", "k", unit=region.kelurahan)
    assert (staff.scopes, kiosk.scopes) == (["read", "write"], ["kiosk"])
    read_only, _ = ApiToken.issue("staff", "r", user=user, scopes=["write", "read", "read"])
    assert read_only.scopes == ["read", "write"]
    from django.core.exceptions import ValidationError

    for kind, owner, scopes in (("staff", {"user": user}, ["kiosk"]),
                                ("kiosk", {"unit": region.kelurahan}, ["read"]),
                                ("staff", {"user": user}, ["admin"])):
        with pytest.raises(ValidationError):
            ApiToken.issue(kind, "x", scopes=scopes, **owner)


def test_a_token_saved_without_scopes_keeps_its_old_powers(region, client):
    """Tokens made before scopes existed (the migration fills them; an empty list still
    means the kind's defaults)."""
    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    token, key = ApiToken.issue("staff", "lama", user=user)
    ApiToken.objects.filter(pk=token.pk).update(scopes=[])
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_migration_fills_scopes_of_existing_tokens(region):
    from importlib import import_module

    from django.apps import apps

    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    staff, _ = ApiToken.issue("staff", "s", user=user)
    kiosk, _ = ApiToken.issue("kiosk", "k", unit=region.kelurahan)
    ApiToken.objects.update(scopes=[])
    import_module("skm.api.migrations.0002_apitoken_scopes").fill_scopes(apps, None)
    staff.refresh_from_db()
    kiosk.refresh_from_db()
    assert (staff.scopes, kiosk.scopes) == (["read", "write"], ["kiosk"])


def run_token(*args):
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_skm_token_scope_option(region):
    make_user("operator1", region.kelurahan, Membership.Role.OPERATOR)
    key, err = run_token("create", "--user", "operator1", "--scope", "read", "--name", "Rekap")
    token = ApiToken.from_key(key)
    assert (token.kind, token.scopes) == ("staff", ["read"])
    assert "cakupan read" in err
    key, _ = run_token("create", "--scope", "kiosk", "--unit", "jatinegara-kaum", "--name", "K")
    assert ApiToken.from_key(key).kind == "kiosk"
    listing, _ = run_token("list")
    assert "read+write" not in listing and "kiosk" in listing
    with pytest.raises(CommandError, match="Token kios hanya") as info:
        run_token("create", "--kind", "kiosk", "--unit", "jatinegara-kaum", "--scope", "write",
                  "--name", "K2")
    assert info.value.returncode == 2
    with pytest.raises(CommandError, match="--kind"):
        run_token("create", "--user", "operator1", "--name", "tanpa jenis")


def test_openapi_documents_every_endpoint_with_the_error_shape(client):
    spec = client.get("/api/v1/openapi.json").json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items()
                  for method in item}
    base, rtl = "/api/v1/units/{slug}", "/api/v1/units/{slug}/rtl/{period}"
    assert operations >= {
        ("GET", "/api/v1/units"), ("GET", base), ("GET", base + "/layanan"),
        ("GET", "/api/v1/periods"), ("GET", base + "/questionnaires"),
        ("GET", "/api/v1/responses"), ("POST", "/api/v1/responses"),
        ("GET", base + "/results/{period}"), ("GET", rtl + "/items"), ("POST", rtl + "/items"),
        ("GET", rtl + "/items/{item_id}"), ("PATCH", rtl + "/items/{item_id}"),
        ("GET", rtl + "/items/{item_id}/realisasi"), ("PUT", rtl + "/items/{item_id}/realisasi"),
        ("GET", rtl + "/items/{item_id}/realisasi/evidence"),
        ("POST", rtl + "/items/{item_id}/realisasi/evidence"),
        ("DELETE", rtl + "/items/{item_id}/realisasi/evidence/{evidence_id}"),
        ("GET", rtl + "/history"),
    }
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "errors"}
    for path, item in spec["paths"].items():
        if path == "/api/v1/openapi.json":
            continue
        for method, operation in item.items():
            for status in ("401", "403", "422"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    upload = spec["paths"][rtl + "/items/{item_id}/realisasi/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
