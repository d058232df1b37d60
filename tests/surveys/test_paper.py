"""Paper entry (/u/<slug>/kertas/): who may type, what is stored, the running count, and
corrections of one's own entries of today."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from skm.engine import krejcie_morgan
from skm.results import summary
from skm.results.models import TallyCell
from skm.results.services import unit_results
from skm.surveys.models import Response, ResponseCorrection
from skm.units.models import Population
from tests.factories import JAKARTA, PASSWORD, add_responses, make_region, make_user

pytestmark = pytest.mark.django_db

URL = "/u/jatinegara-kaum/kertas/"
PAGE = URL + "?layanan=pkk&periode=2024-S2"
ANSWERS = {"U1": "4", "U2": "3", "U3": "4", "U4": "2", "U5": "3", "U6": "4", "U7": "4",
           "U8": "1", "U9": "3"}


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def operator(region):
    return make_user("operator", region.kelurahan, "operator")


def logged_in(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def form(**changes):
    data = {"layanan": "pkk", "periode": "2024-S2", **ANSWERS, "jenis_kelamin": "L",
            "usia": "34", "pendidikan": "3", "pekerjaan": "4", "saran": ""}
    data.update(changes)
    return data


def stored(region):
    return Response.objects.within([region.kelurahan])


def pkk_tally(region):
    return unit_results(region.kelurahan, region.period).tallies["PKK"]


# ---- who may enter -------------------------------------------------------------------------


def test_operator_and_admin_get_the_grid(client, region, operator):
    page = logged_in(client, "operator").get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    for code in ANSWERS:
        assert f'name="{code}"' in html
    make_user("admin", superuser=True)
    assert logged_in(client, "admin").get(PAGE).status_code == 200


@pytest.mark.parametrize(
    "who",
    ["viewer", "supervisor", "outsider"],
)
def test_others_get_404_and_write_nothing(client, region, who):
    units = {"viewer": (region.kelurahan, "viewer"),
             "supervisor": (region.kecamatan, "supervisor"),
             "outsider": (region.sibling, "operator")}
    unit, role = units[who]
    make_user(who, unit, role)
    logged_in(client, who)
    assert client.get(PAGE).status_code == 404
    assert client.post(URL, form()).status_code == 404
    assert not stored(region).exists()


def test_anonymous_is_sent_to_log_in_and_writes_nothing(client, region):
    assert client.get(PAGE).status_code == 302
    response = client.post(URL, form())
    assert response.status_code == 302 and "/masuk/" in response["Location"]
    assert not stored(region).exists()


# ---- saving ----------------------------------------------------------------------------------


def test_a_saved_response_is_paper_entered_by_the_user_and_counts(client, region, operator):
    before = pkk_tally(region)
    response = logged_in(client, "operator").post(URL, form())
    assert response.status_code == 303
    saved = stored(region).get()
    assert (saved.source, saved.entered_by, saved.period.code, saved.layanan.slug) == (
        "paper", operator, "2024-S2", "pkk")
    assert saved.answers() == {code: int(v) for code, v in ANSWERS.items()}
    assert (saved.gender, saved.age, saved.education, saved.occupation) == (
        "L", 34, "SMA", "Swasta")
    after = pkk_tally(region)
    assert after.respondents == before.respondents + 1
    for code, value in ANSWERS.items():
        counts = list(before.counts(code).counts)
        counts[int(value) - 1] += 1
        assert after.counts(code).counts == tuple(counts)
    page = client.get(response["Location"])
    assert f"Tersimpan: respons nomor {saved.pk}" in page.content.decode()
    assert page.context["sample"].respondents == after.respondents


def test_blanks_are_stored_as_null_not_zero(client, region, operator):
    logged_in(client, "operator").post(URL, form(U3="0", U5="-", jenis_kelamin="-",
                                                 usia="", pendidikan="0", pekerjaan="-"))
    saved = stored(region).get()
    assert saved.a3 is None and saved.a5 is None
    assert (saved.gender, saved.age, saved.education, saved.occupation) == ("", None, "", "")
    tally = pkk_tally(region)
    assert tally.respondents == 1
    assert sum(tally.counts("U3").counts) == 0  # no answer counted, in particular no zero
    assert sum(tally.counts("U1").counts) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"U1": "5"}, "U1", "Pilih salah satu dari empat jawaban."),
        ({"U2": "x"}, "U2", "Pilih salah satu dari empat jawaban."),
        ({"U9": ""}, "U9", "Belum diketik"),
        ({"jenis_kelamin": "X"}, "jenis_kelamin", "Pilih L (laki-laki) atau P (perempuan)."),
        ({"usia": "7"}, "usia", "Usia diisi angka tahun"),
        ({"pendidikan": "9"}, "pendidikan", "Ketik angka 1 sampai 7"),
        ({"pekerjaan": "7"}, "pekerjaan", "Ketik angka 1 sampai 6"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
        client, region, operator, changes, field, message):
    cells = TallyCell.objects.count()
    response = logged_in(client, "operator").post(URL, form(**changes))
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="galat-{field}"' in html and message in html
    assert f'href="#isian-{field}"' in html  # the summary links to the field
    assert response.context["grid"].errors[field].startswith(message)
    assert not stored(region).exists()
    assert TallyCell.objects.count() == cells


def test_all_blank_is_refused(client, region, operator):
    response = logged_in(client, "operator").post(URL, form(**{c: "0" for c in ANSWERS}))
    assert response.status_code == 422
    assert "Belum ada pertanyaan yang dijawab." in response.content.decode()
    assert not stored(region).exists()


def test_profile_codes_are_accepted_too(client, region, operator):
    logged_in(client, "operator").post(URL, form(pendidikan="diii", pekerjaan="Lainnya"))
    assert (stored(region).get().education, stored(region).get().occupation) == (
        "DIII", "Lainnya")


def test_enter_pressed_twice_records_once(client, region, operator):
    data = form(kirim_id=uuid.uuid4().hex)
    logged_in(client, "operator")
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert stored(region).count() == 1
    assert first["Location"] == second["Location"]


def test_a_closed_layanan_cannot_be_chosen(client, region, operator):
    region.layanan[0].active = False
    region.layanan[0].save()
    logged_in(client, "operator")
    assert client.get(PAGE).status_code == 404
    assert client.post(URL, form()).status_code == 404
    assert not stored(region).exists()


# ---- the running count -----------------------------------------------------------------------


def test_count_against_krejcie_morgan_minimum(client, region, operator):
    Population.objects.create(layanan=region.layanan[0], period=region.period, size=100)
    add_responses(region.layanan[0], region.period, [[4] * 9] * 3)
    page = logged_in(client, "operator").get(PAGE)
    sample = page.context["sample"]
    minimum = krejcie_morgan(100)
    assert (sample.respondents, sample.population, sample.minimum) == (3, 100, minimum)
    html = page.content.decode()
    assert f"dari minimal {minimum} (Krejcie-Morgan, populasi 100)" in html
    assert f"Kurang {minimum - 3} lagi." in html
    client.post(URL, form())
    assert client.get(PAGE).context["sample"].respondents == 4


def test_count_without_population_links_to_the_operator_page(client, region, operator):
    html = logged_in(client, "operator").get(PAGE).content.decode()
    assert "belum diisi" in html
    assert 'href="/u/jatinegara-kaum/kelola/?periode=2024-S2#populasi"' in html


# ---- today's entries and corrections ---------------------------------------------------------


def enter(client, **changes):
    client.post(URL, form(**changes))
    return Response.objects.unscoped().order_by("-pk").first()


def test_todays_list_shows_only_own_entries_newest_first(client, region, operator):
    make_user("rekan", region.kelurahan, "operator")
    logged_in(client, "rekan")
    theirs = enter(client)
    logged_in(client, "operator")
    first, second = enter(client), enter(client, U1="1")
    rows = client.get(PAGE).context["rows"]
    assert [row["response"].pk for row in rows] == [second.pk, first.pk]
    assert theirs.pk not in [row["response"].pk for row in rows]


def test_correcting_own_entry_of_today_moves_the_tallies_and_is_recorded(
        client, region, operator):
    logged_in(client, "operator")
    entry = enter(client)
    enter(client, U1="2")  # another response in the same cells
    url = f"{URL}{entry.pk}/ubah/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["grid"].values["U1"] == "4"
    response = client.post(url, form(U1="1", U4="0", jenis_kelamin="P", pendidikan="5"))
    assert response.status_code == 303
    entry.refresh_from_db()
    assert (entry.a1, entry.a4, entry.gender, entry.education) == (1, None, "P", "S1")
    assert summary.differences([region.kelurahan], [region.period]) == {}
    tally = pkk_tally(region)
    assert tally.respondents == 2
    assert tally.counts("U1").counts == (1, 1, 0, 0)  # the 4 became a 1; the other is a 2
    assert tally.counts("U4").counts == (0, 1, 0, 0)  # the other response's 2 only
    correction = ResponseCorrection.objects.get()
    assert (correction.response, correction.user) == (entry, operator)
    assert correction.changes == {"U1": [4, 1], "U4": [2, None], "jenis_kelamin": ["L", "P"],
                                  "pendidikan": ["SMA", "S1"]}
    history = client.get(f"{URL}{entry.pk}/riwayat/").content.decode()
    assert "U1: 4 → 1" in history and "U4: 2 → kosong" in history
    day = client.get(f"{URL}riwayat/").content.decode()
    assert "jenis_kelamin: L → P" in day and "operator" in day


def test_a_correction_without_change_records_nothing(client, region, operator):
    logged_in(client, "operator")
    entry = enter(client)
    client.post(f"{URL}{entry.pk}/ubah/", form())
    assert not ResponseCorrection.objects.exists()


def test_a_bad_correction_is_refused_and_changes_nothing(client, region, operator):
    logged_in(client, "operator")
    entry = enter(client)
    response = client.post(f"{URL}{entry.pk}/ubah/", form(U1="7"))
    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.a1 == 4 and not ResponseCorrection.objects.exists()


def test_someone_elses_entry_cannot_be_corrected(client, region, operator):
    make_user("rekan", region.kelurahan, "operator")
    logged_in(client, "rekan")
    theirs = enter(client)
    logged_in(client, "operator")
    url = f"{URL}{theirs.pk}/ubah/"
    assert client.get(url).status_code == 403
    response = client.post(url, form(U1="1"))
    assert response.status_code == 403
    assert "pengguna lain" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.a1 == 4 and not ResponseCorrection.objects.exists()


def test_yesterdays_entry_cannot_be_corrected(client, region, operator):
    logged_in(client, "operator")
    entry = enter(client)
    yesterday = timezone.now() - timedelta(days=1)
    Response.objects.unscoped().filter(pk=entry.pk).update(submitted_at=yesterday)
    response = client.post(f"{URL}{entry.pk}/ubah/", form(U1="1"))
    assert response.status_code == 403
    assert "sebelum hari ini" in response.content.decode()
    entry.refresh_from_db()
    assert entry.a1 == 4
    assert entry.pk not in [r["response"].pk for r in client.get(PAGE).context["rows"]]


def test_after_local_midnight_the_entry_is_no_longer_correctable(
        client, region, operator, monkeypatch):
    """Typed at 23:50 Jakarta time; at 00:10 the next day (still the same UTC date) it is
    yesterday's entry."""
    typed = datetime(2026, 3, 9, 23, 50, tzinfo=JAKARTA)
    monkeypatch.setattr(timezone, "now", lambda: typed)
    logged_in(client, "operator")
    entry = enter(client)
    assert client.get(f"{URL}{entry.pk}/ubah/").status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: typed + timedelta(minutes=20))
    assert client.post(f"{URL}{entry.pk}/ubah/", form(U1="1")).status_code == 403
    entry.refresh_from_db()
    assert entry.a1 == 4


def test_online_responses_cannot_be_corrected_here(client, region, operator):
    (online,) = add_responses(region.layanan[0], region.period, [[4] * 9])
    Response.objects.unscoped().filter(pk=online.pk).update(
        entered_by=operator, submitted_at=timezone.now())
    assert logged_in(client, "operator").get(f"{URL}{online.pk}/ubah/").status_code == 403


def test_another_units_response_is_404(client, region, operator):
    (foreign,) = add_responses(region.sibling_layanan[0], region.period, [[4] * 9])
    logged_in(client, "operator")
    assert client.get(f"{URL}{foreign.pk}/ubah/").status_code == 404
    assert client.get(f"{URL}{foreign.pk}/riwayat/").status_code == 404


def test_viewer_cannot_open_corrections_or_history(client, region, operator):
    logged_in(client, "operator")
    entry = enter(client)
    make_user("viewer", region.kelurahan, "viewer")
    logged_in(client, "viewer")
    assert client.get(f"{URL}{entry.pk}/ubah/").status_code == 404
    assert client.get(f"{URL}riwayat/").status_code == 404
