"""POST /api/v1/responses: kiosks post to their own unit, staff to units they manage."""

import pytest
from django.utils import timezone

from skm.api.models import ApiToken
from skm.surveys.models import Response
from skm.units.models import Membership
from skm.units.periods import period_containing
from tests.factories import make_region, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses"
NOT_FOUND = {"detail": "Unit atau layanan tidak ditemukan.", "errors": []}
INVALID = "Data tidak valid; lihat errors."


def errors_of(response) -> dict:
    """The 422 body's errors as {field: message}, after checking the shape."""
    data = response.json()
    assert data["detail"] == INVALID
    return {e["field"]: e["message"] for e in data["errors"]}
# U8 (pengaduan) and U9 (sarana) differ on purpose: the form asks them in the other order.
ANSWERS = {"U1": 4, "U2": 3, "U3": 4, "U4": 2, "U5": 3, "U6": 4, "U7": 4, "U8": 1, "U9": 4}


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def kiosk(region):
    return ApiToken.issue("kiosk", "Kios loket 1", unit=region.kelurahan)[1]


def post(client, key, body):
    return client.post(URL, body, content_type="application/json",
                       headers={"Authorization": f"Bearer {key}"})


def body(**changes):
    data = {"unit": "jatinegara-kaum", "layanan": "pkk", "answers": dict(ANSWERS)}
    data.update(changes)
    return data


def stored():
    return list(Response.objects.unscoped().order_by("pk"))


def test_kiosk_posts_to_its_own_unit(region, client, kiosk):
    # answers sent in reverse order: stored by unsur code, not by position
    answers = dict(reversed(list(ANSWERS.items())))
    response = post(client, kiosk, body(answers=answers, jenis_kelamin="P", usia=34,
                                        pendidikan="S1", pekerjaan="Swasta",
                                        saran="Antrean lebih tertib."))
    assert response.status_code == 201
    [saved] = stored()
    expected_period = period_containing(timezone.localdate(), "semester").code
    assert response.json() == {"id": saved.pk, "period": expected_period}
    assert saved.source == "kiosk"
    assert saved.entered_by is None
    assert (saved.unit, saved.layanan) == (region.kelurahan, region.layanan[0])
    assert saved.answers() == ANSWERS
    assert (saved.a8, saved.a9) == (1, 4)  # slot 8 is U8 pengaduan, slot 9 is U9 sarana
    assert (saved.gender, saved.age, saved.education, saved.occupation, saved.saran) == (
        "P", 34, "S1", "Swasta", "Antrean lebih tertib.")


def test_kiosk_cannot_post_to_another_unit(region, client, kiosk):
    response = post(client, kiosk, body(unit="rawamangun"))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    # exactly like a unit that does not exist
    assert post(client, kiosk, body(unit="tidak-ada")).json() == NOT_FOUND
    assert stored() == []


def test_unknown_or_foreign_layanan_is_404(region, client, kiosk):
    assert post(client, kiosk, body(layanan="tidak-ada")).json() == NOT_FOUND
    assert post(client, kiosk, body(layanan="ppsu")).json() == NOT_FOUND  # Rawamangun's
    assert stored() == []


def test_inactive_layanan_is_refused(region, client, kiosk):
    layanan = region.layanan[0]
    layanan.active = False
    layanan.save()
    response = post(client, kiosk, body())
    assert response.status_code == 422
    assert errors_of(response) == {"layanan": "Layanan ini tidak sedang disurvei."}
    assert stored() == []


def test_missing_answer_is_422_naming_it_and_nothing_is_saved(region, client, kiosk):
    answers = dict(ANSWERS)
    del answers["U3"]
    response = post(client, kiosk, body(answers=answers))
    assert response.status_code == 422
    assert errors_of(response) == {"U3": "Pertanyaan ini belum dijawab."}
    assert stored() == []


def test_every_bad_field_is_named(region, client, kiosk):
    answers = {**ANSWERS, "U1": 5, "U2": "x", "U4": True, "U10": 4}
    response = post(client, kiosk, body(answers=answers, jenis_kelamin="X", usia=7,
                                        pendidikan="SMK"))
    assert response.status_code == 422
    errors = errors_of(response)
    assert set(errors) == {"U1", "U2", "U4", "U10", "jenis_kelamin", "usia", "pendidikan"}
    assert errors["U1"] == "Pilih salah satu dari empat jawaban."
    assert errors["U10"] == "Unsur U10 tidak ada di kuesioner ini."
    assert stored() == []


def test_malformed_requests(region, client, kiosk):
    response = post(client, kiosk, {"layanan": "pkk", "answers": ANSWERS})
    assert response.status_code == 422
    assert errors_of(response) == {"unit": "Wajib diisi."}
    response = post(client, kiosk, body(answers=[4, 4, 4]))
    assert response.status_code == 422
    assert errors_of(response) == {"answers": "Harus objek JSON."}
    response = client.post(URL, "{not json", content_type="application/json",
                           headers={"Authorization": f"Bearer {kiosk}"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Isi permintaan bukan JSON yang sah.", "errors": []}
    assert stored() == []


def test_revoked_kiosk_token_is_401(region, client):
    token, key = ApiToken.issue("kiosk", "Kios lama", unit=region.kelurahan)
    token.revoke()
    assert post(client, key, body()).status_code == 401
    assert stored() == []


def test_staff_token_posts_where_its_user_manages(region, client):
    operator = make_user("operator", region.kelurahan, Membership.Role.OPERATOR)
    key = ApiToken.issue("staff", "Laptop operator", user=operator)[1]
    response = post(client, key, body(layanan="posyandu"))
    assert response.status_code == 201
    [saved] = stored()
    assert (saved.source, saved.entered_by, saved.layanan) == (
        "online", operator, region.layanan[1])


@pytest.mark.parametrize(
    ("role", "unit_attr"),
    [
        (Membership.Role.VIEWER, "kelurahan"),  # may read, not manage
        (Membership.Role.SUPERVISOR, "kecamatan"),  # reads the subtree, manages nothing
        (Membership.Role.OPERATOR, "sibling"),  # another kelurahan's operator
    ],
)
def test_staff_token_without_manage_right_gets_404(region, client, role, unit_attr):
    user = make_user("someone", getattr(region, unit_attr), role)
    key = ApiToken.issue("staff", "Token", user=user)[1]
    response = post(client, key, body())
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert stored() == []
