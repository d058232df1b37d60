"""What the audit log records: each audited model, through the pages, the admin, the API and the
command line, with the right actor and diff; secrets never; entries never change."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from skm import audit
from skm.api.models import ApiToken
from skm.audit.context import acting_as
from skm.audit.models import AuditEntry, AuditImmutable
from skm.followup.models import Evidence, RtlItem
from skm.publication.models import Publication
from skm.surveys.models import QuestionnaireUnsur, QuestionnaireVersion, Response
from skm.units.models import Layanan, Membership, Population, Section, Unit
from tests.factories import PASSWORD, add_responses, make_region, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


def entries(label, action=None):
    found = AuditEntry.objects.filter(model=label).order_by("pk")
    return list(found.filter(action=action) if action else found)


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def all_text() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str)


# ---- units, sections, layanan, population, memberships -------------------------------------


def test_unit_create_update_delete_with_its_place_in_the_tree(region):
    with acting_as("command:uji"):
        unit = Unit.objects.create(name="Kelurahan Kayu Putih", slug="kayu-putih",
                                   kind="kelurahan", parent=region.kecamatan)
        unit.name = "Kelurahan Kayu Putih Baru"
        unit.save()
        pk = unit.pk
        unit.delete()
    created, updated, deleted = entries("units.Unit")[-3:]
    assert (created.action, created.actor, created.user_id) == ("create", "command:uji", None)
    assert created.unit_path == f"{region.kecamatan.path}{pk}/"
    assert created.changes["name"] == [None, "Kelurahan Kayu Putih"]
    assert created.changes["parent"] == [None, f"Kecamatan Pulo Gadung (#{region.kecamatan.pk})"]
    assert "path" not in created.changes
    assert updated.changes == {"name": ["Kelurahan Kayu Putih", "Kelurahan Kayu Putih Baru"]}
    assert (deleted.action, deleted.object_id, deleted.unit_name) == (
        "delete", str(pk), "Kelurahan Kayu Putih Baru")
    assert deleted.unit_path == created.unit_path  # still scoped after the unit is gone


def test_layanan_and_population_through_the_operator_page(region):
    operator = make_user("operator", region.kelurahan, "operator")
    client = logged_in("operator")
    pkk = Layanan.objects.unscoped().get(unit=region.kelurahan, slug="pkk")
    url = reverse("manage-layanan-edit", kwargs={"slug": region.kelurahan.slug, "pk": pkk.pk})
    prefix = f"layanan-{pkk.pk}"
    assert client.post(url, {f"{prefix}-name": "PKK Kelurahan",
                             f"{prefix}-order": "0"}).status_code == 302
    entry = entries("units.Layanan", "update")[-1]
    assert (entry.user, entry.actor, entry.unit_id) == (operator, "operator", region.kelurahan.pk)
    assert entry.changes == {"name": ["PKK", "PKK Kelurahan"], "active": [True, False]}

    posyandu = Layanan.objects.unscoped().get(unit=region.kelurahan, slug="posyandu")
    url = reverse("manage-population", kwargs={"slug": region.kelurahan.slug})
    for size in ("100", "120"):
        response = client.post(url, {"periode": "2024-S2", f"populasi-{posyandu.pk}": size})
        assert response.status_code == 302
    population = Population.objects.get(layanan=posyandu)
    found = [e for e in entries("units.Population") if e.object_id == str(population.pk)]
    assert [e.action for e in found][-2:] in (["create", "update"], ["delete", "create"])
    assert found[-1].changes["size"][1] == 120
    assert all(e.user == operator and e.unit_id == region.kelurahan.pk for e in found)


def test_section_and_membership_and_the_admin_actor(region):
    make_user("admin", superuser=True)
    client = logged_in("admin")
    section = Section.objects.create(unit=region.kelurahan, code="Kesra", name="Kesejahteraan")
    section.name = "Seksi Kesejahteraan Rakyat"
    section.save(update_fields=["name"])
    entry = entries("units.Section", "update")[-1]
    assert entry.changes == {"name": ["Kesejahteraan", "Seksi Kesejahteraan Rakyat"]}
    assert (entry.actor, entry.unit_id) == ("sistem", region.kelurahan.pk)

    viewer = User.objects.create_user("viewer", password=PASSWORD)
    response = client.post("/admin/units/membership/add/",
                           {"user": viewer.pk, "unit": region.kelurahan.pk, "role": "viewer"})
    assert response.status_code == 302
    entry = entries("units.Membership", "create")[-1]
    assert entry.actor == "admin:admin" and entry.user.username == "admin"
    assert entry.unit_id == region.kelurahan.pk
    assert entry.changes["role"] == [None, "viewer"]
    assert entry.changes["user"] == [None, f"viewer (#{viewer.pk})"]
    Membership.objects.get(user=viewer).delete()
    assert entries("units.Membership", "delete")[-1].changes["role"] == ["viewer", None]


# ---- users and tokens: never a secret ---------------------------------------------------------


def test_users_never_store_the_password_hash_and_logins_are_not_changes(region):
    with acting_as("command:createsuperuser"):
        user = User.objects.create_user("budi", password="rahasia-budi-1")
    created = entries("auth.User", "create")[-1]
    assert created.changes["password"] == "(diubah)"
    assert created.changes["username"] == [None, "budi"]
    assert created.unit_id is None and created.object_repr == "budi"
    user.set_password("rahasia-budi-2")
    user.first_name = "Budi"
    user.save()
    updated = entries("auth.User", "update")[-1]
    assert updated.changes == {"password": "(diubah)", "first_name": ["", "Budi"]}
    before = AuditEntry.objects.count()
    assert Client().login(username="budi", password="rahasia-budi-2")  # updates last_login
    assert AuditEntry.objects.count() == before
    user.refresh_from_db()
    assert user.password not in all_text()
    assert "rahasia-budi" not in all_text()


def test_a_token_made_on_the_command_line_keeps_no_key(region, capsys):
    make_user("operator", region.kelurahan, "operator")
    call_command("token", "create", "--kind", "staff", "--user", "operator",
                 "--name", "Skrip laporan")
    out = capsys.readouterr().out
    token = ApiToken.objects.get(name="Skrip laporan")
    entry = entries("api.ApiToken", "create")[-1]
    assert (entry.actor, entry.user_id) == ("command:token", None)
    assert entry.changes["key_hash"] == "(diubah)"
    assert token.key_hash not in all_text()
    for key in re.findall(r"[A-Za-z0-9_-]{40,}", out):
        assert key not in all_text()
    token.revoke()
    assert set(entries("api.ApiToken", "update")[-1].changes) == {"revoked_at"}


# ---- questionnaires -------------------------------------------------------------------------


def test_questionnaire_versions_and_unsur(region):
    operator = make_user("operator", region.kelurahan, "operator")
    with acting_as("operator", user=operator):
        version = QuestionnaireVersion.default().copy_as_new()
        u4 = version.unsur.get(code="U4")
        u4.name = "Waktu tunggu"
        u4.save()
    assert entries("surveys.QuestionnaireVersion", "create")[-1].object_id == str(version.pk)
    assert len(entries("surveys.QuestionnaireUnsur", "create")) == 18  # default + copy
    entry = entries("surveys.QuestionnaireUnsur", "update")[-1]
    assert entry.changes == {"name": ["Biaya/Tarif", "Waktu tunggu"]}
    assert (entry.user, entry.actor) == (operator, "operator")
    assert QuestionnaireUnsur.objects.get(pk=u4.pk).name == "Waktu tunggu"


# ---- responses: not their creation, but every later change ----------------------------------


FORM_ANSWERS = {"U1": "4", "U2": "3", "U3": "4", "U4": "2", "U5": "3", "U6": "4", "U7": "4",
                "U8": "1", "U9": "3"}


def test_a_citizens_response_and_its_automatic_flags_are_not_audit_events(region, settings):
    settings.SKM_FORM_RATE_LIMIT = "0"
    client = Client()
    url = f"/s/{region.kelurahan.slug}/pkk/"
    html = client.get(url).content.decode()
    token = re.search(r'name="kirim_id" value="([^"]+)"', html).group(1)
    straight = {f"U{i}": "4" for i in range(1, 10)}
    assert client.post(url, {**straight, "kirim_id": token}).status_code == 303
    response = Response.objects.unscoped().get()
    assert "straight" in response.flag_list()  # saved a second time, by the system
    assert entries("surveys.Response") == []


def test_a_paper_correction_is_recorded_by_unsur_code(region):
    operator = make_user("operator", region.kelurahan, "operator")
    client = logged_in("operator")
    paper = f"/u/{region.kelurahan.slug}/kertas/"
    form = {"layanan": "pkk", "periode": "2024-S2", **FORM_ANSWERS, "jenis_kelamin": "L",
            "usia": "34", "pendidikan": "3", "pekerjaan": "4", "saran": ""}
    client.post(paper, form)
    entry_response = Response.objects.unscoped().get()
    assert entries("surveys.Response") == []
    assert client.post(f"{paper}{entry_response.pk}/ubah/",
                       {**form, "U1": "1", "U4": "0", "jenis_kelamin": "P"}).status_code == 303
    entry = entries("surveys.Response", "update")[-1]
    assert (entry.user, entry.actor, entry.unit_id) == (operator, "operator", region.kelurahan.pk)
    assert entry.changes == {"U1": [4, 1], "U4": [2, None], "gender": ["L", "P"]}


def test_a_review_decision_and_a_deletion_are_recorded(region):
    from skm.surveys.review import decide

    supervisor = make_user("operator", region.kelurahan, "operator")
    response = add_responses(region.layanan[0], region.period, [[4] * 9])[0]
    with acting_as("operator", user=supervisor):
        decide(response, "rejected", supervisor)
    entry = entries("surveys.Response", "update")[-1]
    assert entry.changes["review"] == ["", "rejected"]
    assert entry.changes["reviewed_by"] == [None, f"operator (#{supervisor.pk})"]
    with acting_as("command:uji"):
        Response.objects.unscoped().filter(pk=response.pk).delete()
    deleted = entries("surveys.Response", "delete")[-1]
    assert (deleted.object_id, deleted.actor, deleted.unit_id) == (
        str(response.pk), "command:uji", region.kelurahan.pk)
    assert deleted.changes["U1"] == [4, None]


# ---- RTL, realisasi, evidence: pages and API ---------------------------------------------------


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_rtl_realisasi_and_evidence_through_the_api_carry_the_token(region):
    from tests.followup.helpers import seed_items

    operator = make_user("operator", region.kelurahan, "operator")
    item = seed_items(region, realised=0)[0]
    _token, key = ApiToken.issue("staff", "Skrip RTL", user=operator)
    client = Client(headers={"Authorization": f"Bearer {key}"})
    base = f"/api/v1/units/{region.kelurahan.slug}/rtl/{region.period.code}/items/{item.pk}"
    response = client.patch(base, {"program": "Apel pagi"}, content_type="application/json")
    assert response.status_code == 200, response.content
    entry = entries("followup.RtlItem", "update")[-1]
    assert (entry.user, entry.actor) == (operator, "api-token:Skrip RTL")
    assert entry.changes == {"program": ["Kegiatan pembinaan melalui pelaksanaan apel",
                                         "Apel pagi"]}
    response = client.put(base + "/realisasi", {"status": "sudah", "tanggal": "2024-09-17",
                                                "deskripsi": "Apel"},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    entry = entries("followup.Realisasi")[-1]
    assert entry.actor == "api-token:Skrip RTL" and entry.unit_id == region.kelurahan.pk
    assert entry.changes["status"][1] == "sudah"
    photo = SimpleUploadedFile("apel.jpg", _jpeg(), content_type="image/jpeg")
    response = client.post(base + "/realisasi/evidence", {"files": [photo]})
    assert response.status_code == 201, response.content
    evidence_id = response.json()[0]["id"]
    assert client.delete(f"{base}/realisasi/evidence/{evidence_id}").status_code == 204
    created, deleted = entries("followup.Evidence")
    assert (created.action, deleted.action) == ("create", "delete")
    assert created.changes["original_name"] == [None, "apel.jpg"]
    assert {created.actor, deleted.actor} == {"api-token:Skrip RTL"}
    assert not Evidence.objects.exists()


def test_rtl_item_added_through_the_page(region):
    from tests.followup.helpers import ekbang

    operator = make_user("operator", region.kelurahan, "operator")
    section = ekbang(region.kelurahan)
    client = logged_in("operator")
    url = reverse("rtl-add", kwargs={"slug": region.kelurahan.slug,
                                     "period": region.period.code})
    response = client.post(url, {
        "baru-unsur_codes": ["U1"], "baru-program": "Sosialisasi", "baru-quarters": ["2024-TW4"],
        "baru-horizon": "pendek", "baru-section": str(section.pk), "baru-target_indicator": "",
        "baru-order": ""})
    assert response.status_code == 302
    item = RtlItem.objects.get()
    entry = entries("followup.RtlItem", "create")[-1]
    assert (entry.object_id, entry.user, entry.unit_id) == (
        str(item.pk), operator, region.kelurahan.pk)
    assert entry.changes["unsur_codes"] == [None, ["U1"]]
    assert entry.changes["section"] == [None, f"Ekbang (#{section.pk})"]


def test_publication_and_its_withdrawal_are_recorded(region):
    add_responses(region.layanan[0], region.period, [[4] * 9])
    operator = make_user("operator", region.kelurahan, "operator")
    client = logged_in("operator")
    url = reverse("publication-publish", kwargs={"slug": region.kelurahan.slug,
                                                 "period": region.period.code})
    assert client.post(url).status_code == 302
    publication = Publication.objects.unscoped().get()
    entry = entries("publication.Publication", "create")[-1]
    assert (entry.object_id, entry.user, entry.unit_id) == (
        str(publication.pk), operator, region.kelurahan.pk)
    url = reverse("publication-withdraw", kwargs={"slug": region.kelurahan.slug,
                                                  "period": region.period.code})
    assert client.post(url).status_code == 302
    entry = entries("publication.Publication", "update")[-1]
    assert set(entry.changes) == {"withdrawn_at", "withdrawn_by"}
    assert entry.changes["withdrawn_by"] == [None, f"operator (#{operator.pk})"]


# ---- bulk changes and the log itself ---------------------------------------------------------


def test_record_writes_one_summary_entry(region):
    operator = make_user("operator", region.kelurahan, "operator")
    with acting_as("command:import"):
        entry = audit.record(region.kelurahan, "create", "surveys.Response",
                             "Impor 594 respons dari survei.csv")
    assert (entry.actor, entry.unit_path, entry.object_repr) == (
        "command:import", region.kelurahan.path, "Impor 594 respons dari survei.csv")
    entry = audit.record(region.kelurahan, "update", "api.ApiToken",
                         {"revoked_at": [None, "2024-09-17"]}, user=operator)
    assert (entry.actor, entry.user) == ("operator", operator)
    with pytest.raises(ValueError, match="action"):
        audit.record(region.kelurahan, "ubah", "api.ApiToken", "x")


def test_entries_cannot_be_changed_or_deleted(region):
    make_user("admin", superuser=True)
    entry = AuditEntry.objects.filter(model="units.Unit").first()
    entry.actor = "orang lain"
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        entry.delete()
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(actor="x")
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor == "sistem"
    client = logged_in("admin")
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200  # view
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/",
                       {"actor": "x"}).status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).actor == "sistem"


def test_a_rolled_back_change_leaves_no_entry(region):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Section.objects.create(unit=region.kelurahan, code="X", name="X")
        raise RuntimeError
    assert AuditEntry.objects.count() == before


def test_deleting_a_unit_with_its_rows_keeps_the_whole_story(region):
    unit = Unit.objects.create(name="Puskesmas Uji", slug="pkm-uji", kind="puskesmas",
                               parent=region.kecamatan)
    Layanan.objects.create(unit=unit, name="Poli Umum", slug="poli-umum")
    Section.objects.create(unit=unit, code="TU", name="Tata Usaha")
    path = f"{region.kecamatan.path}{unit.pk}/"
    unit.delete()
    deleted = {e.model for e in AuditEntry.objects.filter(action="delete", unit_path=path)}
    assert deleted == {"units.Unit", "units.Layanan", "units.Section"}


def test_a_mass_deletion_writes_one_entry_per_response_with_its_own_unit(region):
    own = add_responses(region.layanan[0], region.period, [[4] * 9, [3] * 9])
    foreign = add_responses(region.sibling_layanan[0], region.period, [[2] * 9])
    with acting_as("command:demo"):
        Response.objects.unscoped().all().delete()
    deleted = {int(e.object_id): e for e in entries("surveys.Response", "delete")}
    assert set(deleted) == {r.pk for r in own + foreign}
    assert {deleted[r.pk].unit_id for r in own} == {region.kelurahan.pk}
    assert deleted[foreign[0].pk].unit_id == region.sibling.pk
    assert deleted[foreign[0].pk].unit_path == region.sibling.path
    assert [deleted[r.pk].changes["U1"] for r in own] == [[4, None], [3, None]]
