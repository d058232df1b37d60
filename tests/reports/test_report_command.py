"""``skm report`` and ``skm report-template``: the extension picks the format, bad arguments
give a clear error and a non-zero exit, and no partial file is ever left."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.core.management import CommandError, call_command
from docx import Document

from skm.cli import main
from skm.reports.common import BUILTIN_DOCX
from skm.reports.registry import REPORTS
from tests.factories import add_responses, make_region
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    region = make_region()
    for lay in region.layanan:
        add_responses(lay, region.period, [[4, 3, 4, 4, 4, 4, 4, 2, 4], [3] * 9])
    seed_items(region, realised=2)
    return region


def report(kind, out, unit="jatinegara-kaum", period="2024-S2"):
    stdout = io.StringIO()
    call_command("report", kind, "--unit", unit, "--period", period, "--out", str(out),
                 stdout=stdout)
    return stdout.getvalue()


def test_docx_by_its_extension(region, tmp_path):
    out = tmp_path / "tl.docx"
    said = report("tindak-lanjut", out)
    assert str(out) in said
    document = Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BAB IV\nKESIMPULAN" in text
    assert "sebanyak 66,67%." in text and "(2 dari 3)" in text
    assert not list(tmp_path.glob("*.part"))


def test_pdf_by_its_extension_in_upper_case(region, tmp_path):
    out = tmp_path / "tl.PDF"
    report("tindak-lanjut", out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "KELURAHAN JATINEGARA KAUM" in text and "KESIMPULAN" in text


@pytest.mark.parametrize("kind, unit, period, name, message", [
    ("nope", "jatinegara-kaum", "2024-S2", "x.docx", "unknown report 'nope'"),
    ("tindak-lanjut", "nowhere", "2024-S2", "x.docx", "--unit nowhere: no such unit"),
    ("tindak-lanjut", "jatinegara-kaum", "2024-S9", "x.docx", "--period 2024-S9"),
    ("tindak-lanjut", "jatinegara-kaum", "2024-S2", "x.xlsx", "tidak tersedia sebagai .xlsx"),
    ("tindak-lanjut", "jatinegara-kaum", "2024-S2", "x", "give the file an extension"),
    ("tindak-lanjut", "jatinegara-kaum", "2024-S2", "missing/x.docx", "does not exist"),
    # a period without any answer: nothing to report on
    ("tindak-lanjut", "jatinegara-kaum", "2023-S1", "x.docx", "tidak dapat dibuat"),
])
def test_bad_arguments_are_refused_and_write_nothing(region, tmp_path, kind, unit, period, name,
                                                     message):
    with pytest.raises(CommandError) as failure:
        report(kind, tmp_path / name, unit=unit, period=period)
    assert message in str(failure.value)
    assert list(tmp_path.rglob("*")) == []


def test_the_cli_exits_non_zero_with_the_reason(region, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "tindak-lanjut", "--unit", "nowhere", "--period", "2024-S2",
              "--out", str(tmp_path / "x.pdf")])
    assert exit_.value.code != 0
    assert "no such unit" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---- report-template ------------------------------------------------------------------------

def test_report_template_copies_the_builtin_docx(tmp_path):
    out = tmp_path / "punya-kami.docx"
    stdout = io.StringIO()
    call_command("report_template", "tindak-lanjut", "--out", str(out), stdout=stdout)
    assert out.read_bytes() == (BUILTIN_DOCX / "tindak-lanjut.docx").read_bytes()
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "{{ unit_name }}" in text  # the tags are there to keep
    assert str(out) in stdout.getvalue()


@pytest.mark.parametrize("kind, name, message", [
    ("nope", "x.docx", "unknown report 'nope'"),
    ("tindak-lanjut", "x.pdf", "must end in .docx"),
    ("tindak-lanjut", "missing/x.docx", "does not exist"),
])
def test_report_template_refuses(tmp_path, kind, name, message):
    with pytest.raises(CommandError) as failure:
        call_command("report_template", kind, "--out", str(tmp_path / name))
    assert message in str(failure.value)
    assert list(tmp_path.rglob("*")) == []


def test_report_template_of_a_kind_without_docx(tmp_path):
    without = sorted(k for k, r in REPORTS.items()
                     if not (BUILTIN_DOCX / f"{k}.docx").is_file())
    if not without:
        pytest.skip("every registered kind has a DOCX template")
    with pytest.raises(CommandError) as failure:
        call_command("report_template", without[0], "--out", str(tmp_path / "x.docx"))
    assert "has no DOCX template" in str(failure.value)
    assert "tindak-lanjut" in str(failure.value)
    assert list(tmp_path.iterdir()) == []


def test_a_units_own_template_is_used_and_a_broken_one_is_named(region, tmp_path, settings):
    from docx import Document as NewDocument

    settings.VAR_DIR = tmp_path / "var"
    own = settings.VAR_DIR / "report-templates" / "jatinegara-kaum"
    own.mkdir(parents=True)
    letter = NewDocument()
    letter.add_paragraph("KOP SURAT {{ unit_name }} {{ percent }}")
    letter.save(str(own / "tindak-lanjut.docx"))
    report("tindak-lanjut", tmp_path / "own.docx")
    text = [p.text for p in Document(str(tmp_path / "own.docx")).paragraphs]
    assert text == ["KOP SURAT Kelurahan Jatinegara Kaum 66,67%"]

    broken = NewDocument()
    broken.add_paragraph("{% if unit_name %} never closed")
    broken.save(str(own / "tindak-lanjut.docx"))
    with pytest.raises(CommandError) as failure:
        report("tindak-lanjut", tmp_path / "broken.docx")
    assert "tindak-lanjut.docx tidak dapat dipakai" in str(failure.value)
    assert not (tmp_path / "broken.docx").exists()
