"""The report download view ``/u/<slug>/<period>/laporan/<kind>.<fmt>``: readers of the unit get
the file, anyone else gets 404, anonymous visitors the login page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from skm.reports.registry import CONTENT_TYPES
from tests.factories import PASSWORD, add_responses, make_region, make_user
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    region = make_region()
    for lay in region.layanan:
        add_responses(lay, region.period, [[4, 3, 4, 4, 4, 4, 4, 2, 4]])
    seed_items(region)
    return region


def url(region, kind="tindak-lanjut", fmt="docx", slug=None):
    return reverse("report-download", kwargs={
        "slug": slug or region.kelurahan.slug, "period": region.period.code, "kind": kind,
        "fmt": fmt})


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_reader_downloads_the_report(client, region, fmt):
    login(client, make_user("viewer", region.kelurahan, "viewer"))
    response = client.get(url(region, fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="laporan-tindak-lanjut-jatinegara-kaum-2024-S2.{fmt}"')
    if fmt == "docx":
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        assert "sebanyak 100%." in text
    else:
        assert response.content.startswith(b"%PDF")


def test_a_supervisor_above_downloads_it_too(client, region):
    login(client, make_user("camat", region.kecamatan, "supervisor"))
    assert client.get(url(region)).status_code == 200


def test_an_outsider_gets_404(client, region):
    login(client, make_user("tetangga", region.sibling, "operator"))
    assert client.get(url(region)).status_code == 404


def test_unknown_kind_or_format_is_404(client, region):
    login(client, make_user("viewer", region.kelurahan, "viewer"))
    assert client.get(url(region, kind="nope")).status_code == 404
    assert client.get(url(region, fmt="xlsx")).status_code == 404


def test_anonymous_is_sent_to_login(client, region):
    response = client.get(url(region))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
