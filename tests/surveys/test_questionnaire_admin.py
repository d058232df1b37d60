"""Questionnaire versions in the admin: validated as a whole, frozen once answered."""

import pytest

from skm.surveys.models import QuestionnaireVersion
from tests.factories import add_responses, make_region, make_user

pytestmark = pytest.mark.django_db

BASE = "/admin/surveys/questionnaireversion/"


def unsur_rows(rows):
    data = {
        "unsur-TOTAL_FORMS": str(len(rows)), "unsur-INITIAL_FORMS": "0",
        "unsur-MIN_NUM_FORMS": "0", "unsur-MAX_NUM_FORMS": "1000",
    }
    for i, (code, weight) in enumerate(rows):
        data.update({
            f"unsur-{i}-position": str(i + 1), f"unsur-{i}-code": code,
            f"unsur-{i}-name": f"Unsur {code}", f"unsur-{i}-question": f"Bagaimana {code}?",
            f"unsur-{i}-label1": "Tidak", f"unsur-{i}-label2": "Kurang",
            f"unsur-{i}-label3": "Baik", f"unsur-{i}-label4": "Sangat", f"unsur-{i}-weight": weight,
        })
    return data


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin", superuser=True))
    return client


def post_version(client, scheme, rows, version="v-khusus"):
    data = {"name": "Kuesioner khusus", "version": version, "weights": scheme, "unit": ""}
    data.update(unsur_rows(rows))
    return client.post(BASE + "add/", data)


def test_custom_weights_summing_to_one_are_accepted(admin_client):
    response = post_version(admin_client, "custom", [("U1", "0.5"), ("U2", "0.3"), ("U3", "0.2")])
    assert response.status_code == 302
    engine = QuestionnaireVersion.objects.get(version="v-khusus").to_engine()
    assert [str(u.weight) for u in engine.unsur] == ["1/2", "3/10", "1/5"]


def test_custom_weights_not_summing_to_one_are_refused(admin_client):
    response = post_version(admin_client, "custom", [("U1", "0.5"), ("U2", "0.3")])
    assert response.status_code == 200
    assert "berjumlah tepat 1" in response.content.decode()
    assert not QuestionnaireVersion.objects.filter(version="v-khusus").exists()


def test_duplicate_codes_are_refused(admin_client):
    response = post_version(admin_client, "equal", [("U1", ""), ("U1", "")])
    assert response.status_code == 200
    assert not QuestionnaireVersion.objects.filter(version="v-khusus").exists()


def test_an_answered_version_is_frozen(admin_client):
    region = make_region()
    add_responses(region.layanan[0], region.period, [[4] * 9])
    version = QuestionnaireVersion.default()
    response = admin_client.get(f"{BASE}{version.pk}/change/")
    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()  # read-only view, no inputs


def test_copy_action_makes_an_editable_version_and_old_responses_keep_theirs(admin_client):
    region = make_region()
    original = QuestionnaireVersion.default()
    add_responses(region.layanan[0], region.period, [[4] * 9])
    response = admin_client.post(BASE, {"action": "copy_versions",
                                        "_selected_action": [original.pk]})
    assert response.status_code == 302
    copy = QuestionnaireVersion.objects.get(version=f"{original.version}-salinan-1")
    assert [u.code for u in copy.unsur.all()] == [f"U{i}" for i in range(1, 10)]
    # the copy is editable (no responses), e.g. U4 replaced for a free service
    u4 = copy.unsur.get(code="U4")
    u4.name, u4.question = "Kemudahan informasi", "Bagaimana kemudahan mendapat informasi?"
    u4.save()
    assert admin_client.get(f"{BASE}{copy.pk}/change/").content.decode().count('name="name"') == 1
    region.kelurahan.questionnaire = copy
    region.kelurahan.save()
    from skm.surveys.models import Response

    old = Response.objects.within([region.kelurahan]).get()
    assert old.questionnaire == original  # the earlier response keeps the version it answered
    assert original.unsur.get(code="U4").name == "Biaya/Tarif"
