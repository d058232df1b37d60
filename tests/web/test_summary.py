"""The summary table stays exactly in step with the responses."""

import random

import pytest
from django.core.management import call_command

from skm.results import summary
from skm.results.models import TallyCell
from skm.surveys.models import Response
from skm.surveys.recording import Submission, record_response
from skm.units.models import Period, Unit
from tests.factories import add_responses, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


def everything():
    return Unit.objects.all(), Period.objects.all()


def random_submission(rng):
    answers = {f"U{i}": rng.choice([1, 2, 3, 4]) for i in range(1, 10)}
    return Submission(
        answers=answers,
        jenis_kelamin=rng.choice(["", "L", "P"]),
        usia=rng.choice([None, 17, 25, 44, 70]),
        pendidikan=rng.choice(["", "SMA", "S1"]),
        pekerjaan=rng.choice(["", "PNS", "Lainnya"]),
    )


def test_recorded_responses_keep_the_summary_in_step(region):
    rng = random.Random(7)
    for _ in range(40):
        layanan = rng.choice(region.layanan + region.sibling_layanan)
        record_response(layanan.unit, layanan, random_submission(rng), "online")
    assert summary.differences(*everything()) == {}
    assert TallyCell.objects.filter(dimension="n").count() >= 3


def test_partial_answers_count_only_what_was_answered(region):
    add_responses(region.layanan[0], region.period, [[4, None, 3, None, 4, 4, 4, 4, None]])
    assert summary.differences(*everything()) == {}
    cells = {(c.dimension, c.value): c.count for c in TallyCell.objects.all()}
    assert cells[("n", "")] == 1 and ("a2", "4") not in cells and cells[("a3", "3")] == 1


def test_removal_and_rebuild(region):
    created = add_responses(region.layanan[0], region.period, [[4] * 9, [3] * 9, [2] * 9])
    victim = created[1]
    Response.objects.unscoped().filter(pk=victim.pk).delete()
    assert summary.differences(*everything())  # out of step until told
    summary.apply([victim], sign=-1)
    assert summary.differences(*everything()) == {}
    TallyCell.objects.all().update(count=99)
    assert summary.differences(*everything())
    summary.rebuild(*everything())
    assert summary.differences(*everything()) == {}


def test_bulk_loaded_responses_are_counted_after_rebuild(region):
    from skm.surveys.models import QuestionnaireVersion

    version = QuestionnaireVersion.default()
    Response.objects.bulk_create(
        Response(unit=region.kelurahan, layanan=region.layanan[1], period=region.period,
                 questionnaire=version, submitted_at="2024-09-17T10:00:00+07:00",
                 source="import", a1=4, a2=4)
        for _ in range(5)
    )
    summary.rebuild([region.kelurahan], [region.period])
    assert summary.differences(*everything()) == {}


def test_summary_command_checks_and_repairs(region, capsys):
    add_responses(region.layanan[0], region.period, [[4] * 9])
    call_command("summary", "--check")
    assert "sesuai" in capsys.readouterr().out
    TallyCell.objects.all().delete()
    with pytest.raises(SystemExit) as info:
        call_command("summary", "--check")
    assert info.value.code == 1
    call_command("summary", "--rebuild", "--unit", "jatinegara-kaum")
    call_command("summary", "--check")
    assert summary.differences(*everything()) == {}
