"""record_response: every channel's single path into the database."""

import pytest

from skm.surveys.models import Response
from skm.surveys.recording import ResponseInvalid, Submission, record_response
from tests.factories import make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


def full(**extra):
    return Submission(answers={f"U{i}": (i % 4) + 1 for i in range(1, 10)}, **extra)


def test_a_valid_response_is_stored_by_unsur_code(region):
    response = record_response(region.kelurahan, region.layanan[0],
                               full(jenis_kelamin="p", usia="45", pendidikan="S1"), "online")
    assert response.answers() == {f"U{i}": (i % 4) + 1 for i in range(1, 10)}
    assert (response.gender, response.age, response.education) == ("P", 45, "S1")
    assert response.period.kind == "semester"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": {"U1": 5}}, "U1"),
        ({"answers": {"U2": "x"}}, "U2"),
        ({"answers": {"U3": None}}, "U3"),
        ({"answers": {"U10": 4}}, "U10"),
        ({"jenis_kelamin": "X"}, "jenis_kelamin"),
        ({"usia": "tiga puluh"}, "usia"),
        ({"usia": 7}, "usia"),
        ({"pendidikan": "SMK"}, "pendidikan"),
        ({"pekerjaan": "Astronot"}, "pekerjaan"),
        ({"saran": "x" * 2001}, "saran"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_written(region, change, field):
    submission = full()
    if "answers" in change:
        submission.answers.update(change.pop("answers"))
    for key, value in change.items():
        setattr(submission, key, value)
    with pytest.raises(ResponseInvalid) as info:
        record_response(region.kelurahan, region.layanan[0], submission, "online")
    assert field in info.value.errors
    assert not Response.objects.unscoped().exists()


def test_foreign_or_inactive_layanan_is_refused(region):
    with pytest.raises(ResponseInvalid):
        record_response(region.kelurahan, region.sibling_layanan[0], full(), "online")
    layanan = region.layanan[0]
    layanan.active = False
    layanan.save()
    with pytest.raises(ResponseInvalid):
        record_response(region.kelurahan, layanan, full(), "online")


def test_partial_answers_when_allowed(region):
    submission = Submission(answers={"U1": 4})
    response = record_response(region.kelurahan, region.layanan[0], submission, "paper",
                               require_all=False)
    assert response.answers()["U1"] == 4 and response.answers()["U2"] is None
    with pytest.raises(ResponseInvalid):
        record_response(region.kelurahan, region.layanan[0], Submission(answers={}), "paper",
                        require_all=False)
