"""The demo database: the seed report's numbers, every role, idempotent."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from skm.core import demo
from skm.core.management.commands import serve
from skm.engine import round_half_up
from skm.results import summary
from skm.results.services import unit_results
from skm.surveys.models import Response
from skm.units.models import Layanan, Membership, Period, Population, Section, Unit

pytestmark = pytest.mark.django_db

# The seed report's Tabel 1, IKM Layanan column.
SEED_IKM = {"Jumantik": "3.93", "Ketertiban Umum": "3.95", "PKK": "3.96", "Posyandu": "3.95",
            "PPSU": "3.95", "RPTRA": "3.96", "RT/RW, LMK dan FKDM": "3.94"}


def counts():
    return {
        "units": Unit.objects.count(),
        "sections": Section.objects.count(),
        "layanan": Layanan.objects.unscoped().count(),
        "periods": Period.objects.count(),
        "populations": Population.objects.count(),
        "responses": Response.objects.unscoped().count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


def results(slug, code):
    return unit_results(Unit.objects.get(slug=slug), Period.objects.get(code=code))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The demo's evidence photos go to a throwaway MEDIA_ROOT, never to ``var/``."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def built():
    return demo.build_demo()


def test_structure(built):
    kota = Unit.objects.get(slug="jakarta-timur")
    kecamatan = Unit.objects.get(slug="pulo-gadung")
    kaum = Unit.objects.get(slug="jatinegara-kaum")
    sibling = Unit.objects.get(slug="rawamangun")
    assert (kota.kind, kecamatan.parent, kaum.parent, sibling.parent) == (
        "kota", kota, kecamatan, kecamatan)
    assert kaum.name == "Kelurahan Jatinegara Kaum"
    for unit in (kaum, sibling):
        assert [s.code for s in unit.sections.order_by("code")] == [
            "Ekbang", "Kesra", "Pemerintahan", "Trantib"]
        assert [lay.name for lay in unit.layanan.all()] == list(SEED_IKM)
    assert set(Period.objects.values_list("code", flat=True)) == {"2024-S1", "2024-S2"}


def test_jatinegara_kaum_second_semester_is_the_seed_report(built):
    r = results("jatinegara-kaum", "2024-S2")
    assert r.respondents == 594
    assert round_half_up(r.result.overall.konversi, 2) == Decimal("98.72")
    assert round_half_up(r.result.overall.ikm, 2) == Decimal("3.95")
    assert {g.name: str(round_half_up(g.ikm, 2)) for g in r.result.layanan} == SEED_IKM
    assert r.lowest[0].codes == ("U1",)
    rows = Response.objects.unscoped().filter(unit__slug="jatinegara-kaum",
                                              period__code="2024-S2")
    assert set(rows.values_list("source", flat=True)) == {"paper"}


def test_first_semester_is_a_bit_lower_and_sibling_has_data(built):
    first = results("jatinegara-kaum", "2024-S1")
    second = results("jatinegara-kaum", "2024-S2")
    assert first.respondents > 0
    assert 85 < first.result.overall.konversi < second.result.overall.konversi
    for code in ("2024-S1", "2024-S2"):
        sibling = results("rawamangun", code)
        assert sibling.respondents > 300
        assert len(sibling.result.layanan) == 7
    assert built.responses[("rawamangun", "2024-S2")] == results("rawamangun",
                                                                 "2024-S2").respondents


def test_some_layanan_are_short_of_the_minimum_sample(built):
    for slug in ("jatinegara-kaum", "rawamangun"):
        for code in ("2024-S1", "2024-S2"):
            checks = results(slug, code).samples
            assert all(c.population for c in checks)
            short = [c for c in checks if c.short]
            assert 0 < len(short) < len(checks), (slug, code)


def test_summary_table_is_in_step(built):
    assert summary.differences(Unit.objects.all(), Period.objects.all()) == {}


def test_each_role_has_a_user(built):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and not admin.memberships.exists()
    expected = {
        "supervisor.pulogadung": ("pulo-gadung", "supervisor"),
        "operator.jatinegarakaum": ("jatinegara-kaum", "operator"),
        "viewer.jatinegarakaum": ("jatinegara-kaum", "viewer"),
    }
    for username, (slug, role) in expected.items():
        user = User.objects.get(username=username)
        assert not user.is_superuser
        assert [(m.unit.slug, m.role) for m in user.memberships.all()] == [(slug, role)]
    for spec in demo.USERS:
        assert User.objects.get(username=spec.username).check_password(spec.password)


def test_building_twice_does_not_duplicate(built):
    before = counts()
    figure = results("jatinegara-kaum", "2024-S2").result.overall.konversi
    User.objects.get(username="operator.jatinegarakaum").set_password("changed")
    again = demo.build_demo()
    assert counts() == before
    assert again.total == built.total == before["responses"]
    assert results("jatinegara-kaum", "2024-S2").result.overall.konversi == figure
    assert summary.differences(Unit.objects.all(), Period.objects.all()) == {}
    operator = User.objects.get(username="operator.jatinegarakaum")
    assert operator.check_password("demo-operator-skm")


def test_generation_is_deterministic(built):
    def fingerprint():
        return sorted(
            Response.objects.unscoped()
            .filter(unit__slug="rawamangun")
            .values_list("layanan__name", "period__code", "a1", "a5", "a9", "age", "gender"),
            key=repr,
        )

    first = fingerprint()
    demo.build_demo()
    assert fingerprint() == first


def test_refuses_a_database_with_other_data():
    Unit.objects.create(name="Puskesmas Cakung", slug="puskesmas-cakung", kind="puskesmas")
    with pytest.raises(demo.DemoRefused, match="puskesmas-cakung"):
        demo.build_demo()
    assert not Unit.objects.filter(slug="jatinegara-kaum").exists()
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", "--no-serve", stdout=StringIO())
    demo.build_demo(force=True)
    assert Unit.objects.filter(slug__in=["puskesmas-cakung", "jatinegara-kaum"]).count() == 2


def test_a_demo_database_is_rebuilt_whatever_was_added(built):
    """Someone tried the demo admin: added a unit and a user. The demo rebuilds, keeps them."""
    Unit.objects.create(name="Puskesmas Cakung", slug="puskesmas-cakung", kind="puskesmas")
    User.objects.create_user("percobaan", password="x")
    before = Response.objects.unscoped().count()
    demo.build_demo()
    assert Response.objects.unscoped().count() == before
    assert Unit.objects.filter(slug="puskesmas-cakung").exists()
    assert User.objects.filter(username="percobaan").exists()


def test_command_prints_url_logins_and_warning():
    out = StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert "/u/jatinegara-kaum/2024-S2/" in text
    for spec in demo.USERS:
        assert spec.username in text and spec.password in text
    assert "PERINGATAN" in text and "hanya untuk demo" in text
    assert Response.objects.unscoped().count() == sum(
        demo.RESPONDENTS[k][i] for k in demo.RESPONDENTS for i in range(7)) + 594


def test_command_serves_unless_told_not_to(monkeypatch, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    started = []
    monkeypatch.setattr(serve, "exec_gunicorn", started.append)
    call_command("demo", "--port", "8124", stdout=StringIO())
    [argv] = started
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8124"
    assert "skm.wsgi:application" in argv


def test_the_seed_rtl_is_in_the_demo_and_survives_a_rebuild(built):
    from skm.followup.models import RtlItem
    from skm.followup.services import completion

    period = Period.objects.get(code="2024-S2")

    def seed_items():  # the unit is rebuilt with a new id: look it up each time
        items = RtlItem.objects.filter(unit__slug="jatinegara-kaum", period=period)
        return [
            (i.unsur_codes, i.program, i.quarters, i.section.code, i.realisasi.status,
             i.realisasi.tanggal.isoformat(), i.realisasi.deskripsi, i.realisasi.hambatan)
            for i in items.order_by("order")
        ]

    expected = [
        ([code], "Kegiatan pembinaan melalui pelaksanaan apel", ["2024-TW3"], "Ekbang", "sudah",
         "2024-09-17", "Melaksanakan pembinaan pada saat Apel PPSU", "Tidak ada")
        for code in ("U1", "U2", "U8")  # Persyaratan; Sistem, Mekanisme, Prosedur; Pengaduan
    ]
    assert seed_items() == expected
    done, planned = completion(Unit.objects.get(slug="jatinegara-kaum"), period)[:2]
    assert (done, planned) == (3, 3)
    demo.build_demo()
    assert seed_items() == expected


def stored_files(media):
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_each_seed_realisasi_has_the_sample_photo_and_a_rebuild_leaves_no_old_files(built,
                                                                                   media):
    from PIL import Image

    from skm.followup.models import Evidence, FollowupChange

    def photos():
        return list(Evidence.objects.filter(
            realisasi__item__unit__slug="jatinegara-kaum").order_by("realisasi__item__order"))

    first = photos()
    assert [(e.kind, e.original_name, e.caption) for e in first] == [
        ("photo", "contoh-dokumentasi-apel.jpg", "Apel PPSU, 17 September 2024")] * 3
    assert {e.realisasi.item.unsur_codes[0] for e in first} == {"U1", "U2", "U8"}
    assert demo.SAMPLE_PHOTO.stat().st_size < 150 * 1024
    for e in first:
        assert e.file.name.startswith("evidence/jatinegara-kaum/")
        with e.file.open("rb") as handle:
            assert Image.open(handle).size == (e.width, e.height) == (960, 640)
        assert e.uploaded_by.username == "operator.jatinegarakaum"
    assert FollowupChange.objects.filter(action="evidence_add").count() == 3
    files_before = stored_files(media)
    assert len(files_before) == 6  # three photos, three thumbnails

    demo.build_demo()
    second = photos()
    files_after = stored_files(media)
    assert len(second) == 3 and len(files_after) == 6
    assert sorted(n for e in second for n in (e.file.name, e.thumbnail.name)) == files_after
    assert not set(files_before) & set(files_after)  # the old files are gone


def test_a_failed_rebuild_leaves_the_old_files_and_no_new_ones(built, media, monkeypatch):
    before = stored_files(media)

    def broken(unit, period):
        demo_seed_rtl(unit, period)
        raise RuntimeError("gagal")

    demo_seed_rtl = demo.seed_rtl
    monkeypatch.setattr(demo, "seed_rtl", broken)
    with pytest.raises(RuntimeError):
        demo.build_demo()
    assert stored_files(media) == before


def test_the_demo_publishes_the_seed_period_on_the_public_page(built, client):
    """/p/jatinegara-kaum/ shows the seed's 98,72 with both semesters in its trend, and the
    kecamatan's page its figure for 2024-S2: both kelurahan published it."""
    from skm.formatting import decimal_id
    from skm.results.services import subtree_results

    page = client.get("/p/jatinegara-kaum/").content.decode()
    assert "98,72" in page
    s1 = results("jatinegara-kaum", "2024-S1").result.overall.konversi
    assert decimal_id(s1) in page
    region = subtree_results(Unit.objects.get(slug="pulo-gadung"),
                             Period.objects.get(code="2024-S2"))[0].result.overall.konversi
    assert decimal_id(region) in client.get("/p/pulo-gadung/").content.decode()
    # a rebuild publishes again without duplicates
    demo.build_demo()
    from skm.publication.models import Publication

    assert Publication.objects.unscoped().count() == 3
