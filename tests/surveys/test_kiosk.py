"""Kiosk mode: ``?kiosk=1`` on the form; responses marked "kiosk"; the thank-you page returns to
a fresh form by itself, without JavaScript."""

import re

import pytest

from skm.surveys.models import Response
from skm.units.models import Layanan
from tests.factories import make_region, make_unit

pytestmark = pytest.mark.django_db

FORM = "/s/jatinegara-kaum/pkk/"
ANSWERS = {f"U{i}": "4" for i in range(1, 10)}


@pytest.fixture
def region():
    return make_region()


def send(client, url, data):
    """POST ``data`` as a browser does: with the one-time token of a freshly rendered form."""
    match = re.search(r'name="kirim_id" value="([^"]+)"', client.get(url).content.decode())
    assert match, "no kirim_id on the page"
    return client.post(url, {**data, "kirim_id": match.group(1)})


def form_action(html: str) -> str:
    match = re.search(r'<form method="post" action="([^"]*)"', html)
    assert match, "no POST form on the page"
    return match.group(1).replace("&amp;", "&")


def meta_refresh(html: str):
    match = re.search(r'<meta http-equiv="refresh" content="([^"]*)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_kiosk_form_keeps_kiosk_mode_through_the_post(client, region):
    html = client.get(FORM + "?kiosk=1").content.decode()
    assert form_action(html) == FORM + "?kiosk=1"
    assert 'class="public kiosk"' in html


def test_a_kiosk_response_is_marked_kiosk_and_the_thanks_page_starts_over(client, region):
    response = send(client, FORM + "?kiosk=1", ANSWERS)
    assert response.status_code in (302, 303)
    assert response["Location"] == FORM + "terima-kasih/?kiosk=1"
    assert Response.objects.unscoped().get().source == "kiosk"

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert "<h1>Terima kasih</h1>" in html
    assert meta_refresh(html) == "6;url=/s/jatinegara-kaum/pkk/?kiosk=1"
    assert re.search(r'<a [^>]*href="/s/jatinegara-kaum/pkk/\?kiosk=1"[^>]*>Isi lagi</a>', html)
    # the unit has several layanan: the next visitor may choose another one
    assert re.search(r'href="/s/jatinegara-kaum/\?kiosk=1"[^>]*>Pilih layanan lain</a>', html)
    # the refreshed page is a fresh, empty kiosk form
    fresh = client.get("/s/jatinegara-kaum/pkk/?kiosk=1").content.decode()
    assert " checked" not in fresh
    assert form_action(fresh) == FORM + "?kiosk=1"


def test_without_kiosk_the_response_is_online_and_nothing_refreshes(client, region):
    response = send(client, FORM, ANSWERS)
    assert response["Location"] == FORM + "terima-kasih/"
    assert Response.objects.unscoped().get().source == "online"
    html = client.get(response["Location"]).content.decode()
    assert meta_refresh(html) is None
    assert "Isi lagi" not in html


@pytest.mark.parametrize("value", ["0", "yes", ""])
def test_only_kiosk_1_is_kiosk_mode(client, region, value):
    send(client, f"{FORM}?kiosk={value}", ANSWERS)
    assert Response.objects.unscoped().get().source == "online"


def test_an_invalid_kiosk_post_stays_in_kiosk_mode(client, region):
    response = send(client, FORM + "?kiosk=1", {**ANSWERS, "U2": ""})
    assert response.status_code == 200
    assert form_action(response.content.decode()) == FORM + "?kiosk=1"
    assert not Response.objects.unscoped().exists()
    send(client, FORM + "?kiosk=1", ANSWERS)
    assert Response.objects.unscoped().get().source == "kiosk"


def test_the_kiosk_layanan_list_keeps_kiosk_mode(client, region):
    html = client.get("/s/jatinegara-kaum/?kiosk=1").content.decode()
    assert 'href="/s/jatinegara-kaum/pkk/?kiosk=1">PKK</a>' in html
    assert 'href="/s/jatinegara-kaum/posyandu/?kiosk=1">Posyandu</a>' in html


def test_a_single_layanan_kiosk_goes_straight_back_to_its_form(client, region):
    make_unit("Puskesmas Pulo Gadung", "pkm", "puskesmas", region.kecamatan, ["Poli Umum"])
    html = client.get("/s/pkm/?kiosk=1").content.decode()
    assert form_action(html) == "/s/pkm/poli-umum/?kiosk=1"
    response = send(client, "/s/pkm/poli-umum/?kiosk=1", ANSWERS)
    thanks = client.get(response["Location"]).content.decode()
    assert meta_refresh(thanks) == "6;url=/s/pkm/poli-umum/?kiosk=1"
    assert "Pilih layanan lain" not in thanks  # nothing else to choose
    assert Response.objects.unscoped().get().source == "kiosk"


def test_a_kiosk_never_shows_the_last_answers(client, region):
    """The form and the thanks page are not cached: "Back" on a shared kiosk must not bring
    the previous respondent's answers back."""
    for url in (FORM + "?kiosk=1", FORM + "terima-kasih/?kiosk=1"):
        assert "no-store" in client.get(url)["Cache-Control"]
    html = client.get(FORM + "?kiosk=1").content.decode()
    assert 'autocomplete="off"' in html


def test_a_closed_layanan_ends_the_kiosk_loop_with_404(client, region):
    Layanan.objects.unscoped().filter(unit=region.kelurahan, slug="pkk").update(active=False)
    assert client.get(FORM + "?kiosk=1").status_code == 404
    assert client.get(FORM + "terima-kasih/?kiosk=1").status_code == 404
