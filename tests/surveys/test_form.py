"""The public survey form: the field contract, saving, errors kept at their fields, 404s, CSRF."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from skm.engine import DEFAULT_QUESTIONNAIRE
from skm.surveys.models import QuestionnaireUnsur, QuestionnaireVersion, Response
from skm.surveys.recording import current_period
from skm.units.models import Layanan
from skm.units.periods import period_containing
from tests.factories import make_region, make_unit

pytestmark = pytest.mark.django_db

FORM = "/s/jatinegara-kaum/pkk/"
THANKS = "/s/jatinegara-kaum/pkk/terima-kasih/"
CODES = [f"U{i}" for i in range(1, 10)]
STATIC = Path(__file__).resolve().parents[2] / "skm" / "static" / "skm"


# ---- a small DOM, enough to read the form the way a browser would --------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        return [n for n in self.iter()
                if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, id_):
        return self.find(id=id_)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Node:
    builder = _Builder()
    builder.feed(response.content.decode())
    return builder.root


def label_of(doc: Node, input_node: Node) -> str:
    return doc.find("label", for_=input_node.attrs["id"]).text()


def question_fieldsets(doc: Node):
    """The fieldsets holding unsur radios, in page order."""
    return [f for f in doc.find_all("fieldset")
            if any(re.fullmatch(r"U\d+", i.attrs.get("name", "")) for i in f.find_all("input"))]


def checked(doc: Node, name: str):
    return [i.attrs["value"] for i in doc.find_all("input", name=name) if "checked" in i.attrs]


def options(doc: Node, name: str):
    return [o.attrs["value"] for o in doc.find("select", name=name).find_all("option")]


def selected(doc: Node, name: str):
    return [o.attrs["value"] for o in doc.find("select", name=name).find_all("option")
            if "selected" in o.attrs]


def answers(**override):
    data = {code: str((i % 4) + 1) for i, code in enumerate(CODES, start=1)}
    data.update(override)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def region():
    return make_region()


def send(client, url, data):
    """POST ``data`` as a browser does: with the one-time token of a freshly rendered form."""
    token = parse(client.get(url)).find("input", name="kirim_id").attrs["value"]
    return client.post(url, {**data, "kirim_id": token})


# ---- the form -------------------------------------------------------------------------------

def test_form_shows_the_nine_unsur_in_order_with_the_official_labels(client, region):
    response = client.get(FORM)
    assert response.status_code == 200
    doc = parse(response)
    fieldsets = question_fieldsets(doc)
    assert len(fieldsets) == 9
    for number, (fieldset, unsur) in enumerate(zip(fieldsets, DEFAULT_QUESTIONNAIRE.unsur,
                                                   strict=True), start=1):
        assert fieldset.find("legend").text() == f"{number}. {unsur.question}"
        radios = fieldset.find_all("input", type="radio")
        assert [r.attrs["name"] for r in radios] == [unsur.code] * 4
        assert [r.attrs["value"] for r in radios] == ["1", "2", "3", "4"]
        assert [label_of(doc, r) for r in radios] == list(unsur.labels)
    # U8 is pengaduan and U9 sarana, as in the unsur list (the sample questionnaire swaps them)
    u8 = [label_of(doc, r) for r in fieldsets[7].find_all("input")]
    u9 = [label_of(doc, r) for r in fieldsets[8].find_all("input")]
    assert fieldsets[7].find("input").attrs["name"] == "U8"
    assert u8 == ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
                  "Dikelola dengan baik"]
    assert fieldsets[8].find("input").attrs["name"] == "U9"
    assert u9 == ["Buruk", "Cukup", "Baik", "Sangat baik"]
    assert "pengaduan" in fieldsets[7].find("legend").text()
    assert "sarana" in fieldsets[8].find("legend").text()
    assert "Pertanyaan 3 dari 9" in doc.text()


def test_form_has_the_optional_profile_and_asks_nothing_personal(client, region):
    doc = parse(client.get(FORM))
    html = doc.text()
    form = doc.find("form", method="post")
    assert form.find("input", name="csrfmiddlewaretoken") is not None
    gender = form.find_all("input", name="jenis_kelamin")
    assert [(g.attrs["type"], g.attrs["value"], label_of(doc, g)) for g in gender] == [
        ("radio", "L", "Laki-laki"), ("radio", "P", "Perempuan")]
    usia = form.find("input", name="usia")
    assert (usia.attrs["type"], usia.attrs["inputmode"]) == ("number", "numeric")
    assert doc.find("label", for_="usia") is not None
    assert options(form, "pendidikan") == ["", "SD", "SMP", "SMA", "DIII", "S1", "S2", "S3"]
    assert options(form, "pekerjaan") == ["", "PNS", "TNI", "POLRI", "Swasta", "Wirausaha",
                                          "Lainnya"]
    assert form.find("textarea", name="saran") is not None
    assert "boleh dikosongkan" in html
    button = form.find("button", type="submit")
    assert button.text() == "Kirim"
    names = {n.attrs.get("name") for n in form.find_all() if n.tag in ("input", "select",
                                                                        "textarea")}
    assert names == set(CODES) | {"csrfmiddlewaretoken", "kirim_id", "jenis_kelamin", "usia",
                                  "pendidikan", "pekerjaan", "saran", "situs_web"}
    for personal in ("nama", "nik", "telepon", "alamat", "email"):
        assert personal not in names
    assert doc.find("html").attrs["lang"] == "id"


def test_page_is_small_and_makes_no_external_request(client, region):
    pages = [client.get(FORM), client.get("/s/jatinegara-kaum/"), client.get(THANKS),
             client.post(FORM, answers(U3=None))]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "http://" not in html and "https://" not in html
        assert "<script" not in html
        for url in re.findall(r'(?:src|href|action|url)=["\']?([^"\'>\s]*)', html):
            assert url == "data:," or url.startswith(("/", "#")), url
            assert not url.startswith("//"), url
    assert len(pages[0].content) < 30_000


def test_a_valid_post_stores_one_response_by_code_and_thanks(client, region):
    data = answers(jenis_kelamin="P", usia="67", pendidikan="SMA", pekerjaan="Lainnya",
                   saran="Antrean agak lama.")
    response = send(client, FORM, data)
    assert response.status_code in (302, 303)
    assert response["Location"] == THANKS
    stored = Response.objects.unscoped().get()
    assert stored.answers() == {code: (i % 4) + 1 for i, code in enumerate(CODES, start=1)}
    assert (stored.unit, stored.layanan) == (region.kelurahan, region.layanan[0])
    assert (stored.gender, stored.age, stored.education, stored.occupation, stored.saran) == (
        "P", 67, "SMA", "Lainnya", "Antrean agak lama.")
    assert stored.source == "online"
    assert stored.entered_by is None
    thanks = client.get(THANKS)
    assert thanks.status_code == 200
    assert parse(thanks).find("h1").text() == "Terima kasih"
    assert b"http-equiv" not in thanks.content  # only the kiosk refreshes


def test_answers_follow_the_unsur_code_not_the_printed_position(client, region):
    """A questionnaire that prints sarana as question 8 and pengaduan as 9 still stores U8 as
    pengaduan."""
    version = QuestionnaireVersion.objects.create(name="Contoh", version="contoh-tertukar")
    order = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U9", "U8"]
    for position, code in enumerate(order, start=1):
        u = DEFAULT_QUESTIONNAIRE.get(code)
        QuestionnaireUnsur.objects.create(
            questionnaire=version, position=position, code=u.code, name=u.name,
            question=u.question, label1=u.labels[0], label2=u.labels[1], label3=u.labels[2],
            label4=u.labels[3])
    region.kelurahan.questionnaire = version
    region.kelurahan.save()
    doc = parse(client.get(FORM))
    fieldsets = question_fieldsets(doc)
    assert [f.find("input").attrs["name"] for f in fieldsets] == order
    assert fieldsets[7].find("legend").text().startswith("8. ")
    assert "sarana" in fieldsets[7].find("legend").text()
    send(client, FORM, answers(U8="1", U9="4"))
    stored = Response.objects.unscoped().get()
    assert stored.answers()["U8"] == 1 and stored.answers()["U9"] == 4
    assert stored.questionnaire == version


def test_an_invalid_post_saves_nothing_and_keeps_every_value(client, region):
    data = answers(U1="5", U3=None, usia="abc", jenis_kelamin="L", pendidikan="S1",
                   pekerjaan="Swasta", saran="Ruang tunggu panas")
    response = client.post(FORM, data)
    assert response.status_code == 200
    assert not Response.objects.unscoped().exists()
    doc = parse(response)

    summary = doc.find(role="alert")
    assert summary is not None
    links = {a.attrs["href"]: a.text() for a in summary.find_all("a")}
    assert set(links) == {"#U1-1", "#U3-1", "#usia"}
    assert all(doc.by_id(href[1:]) is not None for href in links)
    assert "belum dijawab" in links["#U3-1"]

    for name, message in (("U1", "Pilih salah satu dari empat jawaban."),
                          ("U3", "Pertanyaan ini belum dijawab."),
                          ("usia", "Usia diisi angka tahun, 10 sampai 120.")):
        fields = doc.find_all("input", name=name)
        assert fields and all(f.attrs.get("aria-invalid") == "true" for f in fields)
        described = fields[0].attrs["aria-describedby"].split()
        assert any(doc.by_id(i).text() == message for i in described)
    # the message is inside the question's own fieldset, which points at it too
    u3 = question_fieldsets(doc)[2]
    assert u3.find("p", id="U3-error").text() == "Pertanyaan ini belum dijawab."
    assert u3.attrs["aria-describedby"] == "U3-error"
    # valid answers are not marked invalid
    assert "aria-invalid" not in doc.find("input", name="U2").attrs

    for i, code in enumerate(CODES, start=1):
        expected = [] if code in ("U1", "U3") else [str((i % 4) + 1)]
        assert checked(doc, code) == expected, code
    assert checked(doc, "jenis_kelamin") == ["L"]
    assert doc.find("input", name="usia").attrs["value"] == "abc"
    assert selected(doc, "pendidikan") == ["S1"]
    assert selected(doc, "pekerjaan") == ["Swasta"]
    assert doc.find("textarea", name="saran").text() == "Ruang tunggu panas"
    assert doc.find("title").text().startswith("Perlu diperbaiki")


@pytest.mark.parametrize(
    ("field", "value", "anchor"),
    [
        ("jenis_kelamin", "X", "jenis_kelamin-L"),
        ("pendidikan", "SMK", "pendidikan"),
        ("pekerjaan", "Astronot", "pekerjaan"),
        ("saran", "x" * 2001, "saran"),
        ("usia", "7", "usia"),
    ],
)
def test_a_bad_profile_field_is_named_at_its_field(client, region, field, value, anchor):
    response = client.post(FORM, answers(**{field: value}))
    assert response.status_code == 200
    assert not Response.objects.unscoped().exists()
    doc = parse(response)
    assert [a.attrs["href"] for a in doc.find(role="alert").find_all("a")] == [f"#{anchor}"]
    error = doc.by_id(f"{field}-error")
    assert error is not None and error.text()
    assert all(checked(doc, code) for code in CODES)  # the answers are kept


def test_a_unit_with_several_layanan_lists_the_active_ones(client, region):
    Layanan.objects.create(unit=region.kelurahan, name="Arsip lama", slug="arsip", active=False)
    response = client.get("/s/jatinegara-kaum/")
    assert response.status_code == 200
    doc = parse(response)
    links = [(a.text(), a.attrs["href"]) for a in doc.find("main").find_all("a")]
    assert links == [("PKK", "/s/jatinegara-kaum/pkk/"),
                     ("Posyandu", "/s/jatinegara-kaum/posyandu/")]
    assert not question_fieldsets(doc)


def test_a_unit_with_one_active_layanan_shows_its_form_directly(client, region):
    unit = make_unit("Puskesmas Pulo Gadung", "pkm-pulo-gadung", "puskesmas", region.kecamatan,
                     ["Poli Umum", "Poli Gigi"])
    Layanan.objects.unscoped().filter(unit=unit, slug="poli-gigi").update(active=False)
    response = client.get(reverse("survey-unit", kwargs={"unit_slug": unit.slug}))
    assert response.status_code == 200
    doc = parse(response)
    assert len(question_fieldsets(doc)) == 9
    action = doc.find("form", method="post").attrs["action"]
    assert action == "/s/pkm-pulo-gadung/poli-umum/"
    assert send(client, action, answers()).status_code in (302, 303)
    assert Response.objects.unscoped().get().layanan.slug == "poli-umum"


def test_a_unit_without_active_layanan_says_so(client, region):
    make_unit("UPT Kosong", "upt-kosong", "upt", region.kota)
    response = client.get("/s/upt-kosong/")
    assert response.status_code == 200
    assert "belum ada layanan" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/s/tidak-ada/",
        "/s/tidak-ada/pkk/",
        "/s/jatinegara-kaum/tidak-ada/",
        "/s/jatinegara-kaum/ppsu/",  # a layanan of another unit
        "/s/jatinegara-kaum/arsip/",  # inactive
        "/s/jatinegara-kaum/arsip/terima-kasih/",
        "/s/tidak-ada/pkk/terima-kasih/",
    ],
)
def test_unknown_or_inactive_is_404_and_saves_nothing(client, region, url):
    Layanan.objects.create(unit=region.kelurahan, name="Arsip", slug="arsip", active=False)
    assert client.get(url).status_code == 404
    assert client.post(url, answers()).status_code in (404, 405)
    assert not Response.objects.unscoped().exists()


def test_csrf_is_enforced(region):
    client = Client(enforce_csrf_checks=True)
    assert client.post(FORM, answers()).status_code == 403
    assert not Response.objects.unscoped().exists()
    doc = parse(client.get(FORM))
    token = doc.find("input", name="csrfmiddlewaretoken").attrs["value"]
    kirim_id = doc.find("input", name="kirim_id").attrs["value"]
    response = client.post(FORM, {**answers(), "csrfmiddlewaretoken": token,
                                  "kirim_id": kirim_id})
    assert response.status_code in (302, 303)
    assert Response.objects.unscoped().count() == 1


@pytest.mark.parametrize("kind", ["triwulan", "semester", "tahun"])
def test_responses_go_to_the_units_current_period(client, region, kind):
    region.kelurahan.period_kind = kind
    region.kelurahan.save()
    send(client, FORM, answers())
    stored = Response.objects.unscoped().get()
    assert stored.period == current_period(region.kelurahan)
    assert stored.period.code == period_containing(timezone.localdate(), kind).code
    assert stored.period.kind == kind


def test_a_response_for_one_unit_never_lands_in_another(client, region):
    # both kelurahan have a layanan "pkk"
    assert send(client, "/s/rawamangun/pkk/", answers()).status_code in (302, 303)
    stored = Response.objects.unscoped().get()
    assert stored.unit == region.sibling
    assert stored.layanan == region.sibling_layanan[0]
    assert stored.layanan.unit == region.sibling
    assert not Response.objects.within([region.kelurahan]).exists()
    send(client, FORM, answers())
    assert Response.objects.within([region.kelurahan]).get().layanan == region.layanan[0]
    assert Response.objects.within([region.sibling]).count() == 1


def test_a_double_tap_on_kirim_counts_once(client, region):
    doc = parse(client.get(FORM))
    token = doc.find("input", name="kirim_id").attrs["value"]
    data = {**answers(), "kirim_id": token}
    first, second = client.post(FORM, data), client.post(FORM, data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert second["Location"] == THANKS
    assert Response.objects.unscoped().count() == 1
    # a fresh form (new token) is a new respondent
    token2 = parse(client.get(FORM)).find("input", name="kirim_id").attrs["value"]
    assert token2 != token
    client.post(FORM, {**answers(), "kirim_id": token2})
    assert Response.objects.unscoped().count() == 2


def test_a_form_corrected_after_an_error_is_recorded(client, region):
    token = parse(client.get(FORM)).find("input", name="kirim_id").attrs["value"]
    bad = client.post(FORM, {**answers(U5=None), "kirim_id": token})
    assert bad.status_code == 200
    assert parse(bad).find("input", name="kirim_id").attrs["value"] == token
    good = client.post(FORM, {**answers(), "kirim_id": token})
    assert good.status_code == 303
    assert Response.objects.unscoped().count() == 1


def test_the_form_is_not_cached_and_only_takes_get_and_post(client, region):
    response = client.get(FORM)
    assert "no-store" in response["Cache-Control"]
    assert client.put(FORM).status_code == 405
    assert client.post("/s/jatinegara-kaum/").status_code == 405


def test_the_stylesheets_exist(client, region):
    doc = parse(client.get(FORM))
    hrefs = [link.attrs["href"] for link in doc.find_all("link", rel="stylesheet")]
    assert hrefs == ["/static/skm/skm.css", "/static/skm/survey.css"]
    css = (STATIC / "survey.css").read_text(encoding="utf-8")
    assert "min-height: 3.5rem" in css  # the answer boxes: 56px, above the 48px target
    assert "@import" not in css and "url(" not in css  # no web fonts, no external requests


def test_the_stylesheet_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("skm/survey.css") == str(STATIC / "survey.css")
