"""Who may read which entries of /audit/ and its CSV: admins all, supervisors their subtree,
operators their own unit, viewers and outsiders nothing, anonymous users the login page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from skm.audit.context import acting_as
from skm.audit.models import AuditEntry
from skm.audit.views import PAGE_SIZE
from skm.followup.services import tanggal_id
from skm.units.models import Section
from tests.factories import PASSWORD, make_region, make_unit, make_user

pytestmark = pytest.mark.django_db

#: the codes of the sections made in: the kota, the kecamatan, the kelurahan, its sibling, and
#: another kota
PLACES = ("KOTA", "KEC", "KEL", "SIB", "LAIN")


@pytest.fixture
def region():
    region = make_region()
    other = make_unit("Kota Lain", "kota-lain", "kota")
    units = {"KOTA": region.kota, "KEC": region.kecamatan, "KEL": region.kelurahan,
             "SIB": region.sibling, "LAIN": other}
    with acting_as("command:uji"):
        for code, unit in units.items():
            Section.objects.create(unit=unit, code=code, name=f"Seksi {code}")
    make_user("admin", superuser=True)
    make_user("supervisor", region.kecamatan, "supervisor")
    make_user("operator", region.kelurahan, "operator")
    make_user("viewer", region.kelurahan, "viewer")
    make_user("outsider")
    return region


def client_of(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def section_codes(response) -> set[str]:
    return {row["entry"].object_repr for row in response.context["rows"]
            if row["entry"].model == "units.Section"}


def test_admin_reads_everything_including_users(region):
    response = client_of("admin").get("/audit/?model=units.Section")
    assert response.status_code == 200
    assert section_codes(response) == set(PLACES)
    users = client_of("admin").get("/audit/?model=auth.User").context["rows"]
    assert {row["entry"].object_repr for row in users} >= {"admin", "supervisor", "outsider"}


def test_supervisor_reads_its_subtree_only_and_no_user_entries(region):
    client = client_of("supervisor")
    assert section_codes(client.get("/audit/?model=units.Section")) == {"KEC", "KEL", "SIB"}
    assert client.get("/audit/?model=auth.User").context["rows"] == []
    page = client.get("/audit/").context["page"]
    visible = AuditEntry.objects.filter(unit_path__startswith=region.kecamatan.path).count()
    assert page.paginator.count == visible


def test_operator_reads_its_own_unit_only(region):
    client = client_of("operator")
    assert section_codes(client.get("/audit/?model=units.Section")) == {"KEL"}
    units = {row["entry"].unit_id for row in client.get("/audit/").context["rows"]}
    assert units == {region.kelurahan.pk}


@pytest.mark.parametrize("username", ["viewer", "outsider"])
def test_viewers_and_outsiders_are_refused(region, username):
    client = client_of(username)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/csv/").status_code == 403


def test_anonymous_is_sent_to_log_in(region):
    for url in ("/audit/", "/audit/csv/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/masuk/" in response["Location"]


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_csv_respects_the_scope_and_the_filters(region):
    response = client_of("supervisor").get("/audit/csv/?model=units.Section")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert {r["objek"] for r in rows} == {"KEC", "KEL", "SIB"}
    assert {r["pelaku"] for r in rows} == {"command:uji"}
    assert all("name: kosong → Seksi" in r["perubahan"] for r in rows)
    everything = csv_rows(client_of("admin").get("/audit/csv/"))
    assert len(everything) == AuditEntry.objects.count()


def test_unit_filter_takes_the_subtree_and_refuses_foreign_units(region):
    client = client_of("supervisor")
    own = client.get(f"/audit/?model=units.Section&unit={region.sibling.slug}")
    assert section_codes(own) == {"SIB"}
    foreign = client.get("/audit/?unit=kota-lain")
    assert foreign.status_code == 400
    assert "Unit:" in foreign.content.decode()
    admin = client_of("admin").get(f"/audit/?model=units.Section&unit={region.kota.slug}")
    assert section_codes(admin) == {"KOTA", "KEC", "KEL", "SIB"}


def test_date_actor_and_action_filters(region):
    client = client_of("admin")
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    assert section_codes(client.get(f"/audit/?model=units.Section&dari={today}")) == set(PLACES)
    assert client.get(f"/audit/?dari={tomorrow}").context["rows"] == []
    assert section_codes(client.get(f"/audit/?model=units.Section&sampai={today}")) == set(PLACES)
    bad = client.get("/audit/?dari=17-09-2024")
    assert bad.status_code == 400 and "Dari tanggal" in bad.content.decode()
    backwards = client.get(f"/audit/?dari={tomorrow}&sampai={today}")
    assert backwards.status_code == 400
    assert {row["entry"].actor for row in client.get("/audit/?pengguna=uji").context["rows"]} \
        == {"command:uji"}
    assert client.get("/audit/?aksi=delete").context["rows"] == []
    assert client.get("/audit/?aksi=hapus").status_code == 400
    assert client.get("/audit/?model=x.Y").status_code == 400


def test_pages_of_fifty_newest_first(region):
    unit = region.kelurahan
    with acting_as("command:uji"):
        for i in range(PAGE_SIZE + 5):
            Section.objects.create(unit=unit, code=f"S{i:02d}", name="x")
    client = client_of("operator")
    first = client.get("/audit/")
    total = AuditEntry.objects.filter(unit_id=unit.pk).count()
    assert first.context["page"].paginator.count == total
    assert len(first.context["rows"]) == PAGE_SIZE
    assert first.context["rows"][0]["entry"].object_repr == f"S{PAGE_SIZE + 4:02d}"
    second = client.get("/audit/?halaman=2")
    assert len(second.context["rows"]) == total - PAGE_SIZE
    assert "halaman=2" in first.content.decode()


def test_the_page_shows_time_actor_and_change_in_indonesian(region):
    html = client_of("operator").get("/audit/?model=units.Section").content.decode()
    assert tanggal_id(timezone.localdate()) in html
    assert "command:uji" in html and "name: kosong → Seksi KEL" in html
    assert "Seksi SIB" not in html


def test_csv_cells_cannot_become_formulas(region):
    with acting_as("=HYPERLINK(1)"):
        Section.objects.create(unit=region.kelurahan, code="F", name="=1+1")
    rows = csv_rows(client_of("admin").get("/audit/csv/?pengguna=HYPERLINK"))
    assert rows[0]["pelaku"] == "'=HYPERLINK(1)"


def test_entries_moved_with_their_unit_are_seen_by_the_new_supervisor(region):
    make_user("supervisor2", region.kota, "supervisor")
    other = make_unit("Kecamatan Lain", "kec-lain", "kecamatan", region.kota)
    make_user("supervisor3", other, "supervisor")
    region.sibling.parent = other
    region.sibling.save()
    assert "SIB" in section_codes(client_of("supervisor3").get("/audit/?model=units.Section"))
    # the old supervisor still sees what was recorded while the unit was below it
    assert "SIB" in section_codes(client_of("supervisor").get("/audit/?model=units.Section"))
