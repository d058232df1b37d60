"""Bahasa Indonesia first, English second (docs/i18n.md).

The language comes from, in order: the ``django_language`` cookie that the switcher sets (a POST
to ``/i18n/setlang/``), the browser's Accept-Language header, then ``LANGUAGE_CODE`` ("id").
The English catalog must be complete: no empty or fuzzy entries, and the compiled .mo must match
the .po that is committed next to it.
"""

from __future__ import annotations

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, make_region, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/masuk/"
FORM = "/s/jatinegara-kaum/pkk/"
SETLANG = "/i18n/setlang/"
CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"

# what a reader sees on each page, in either language
LOGIN_ID = ["<h1>Masuk</h1>", "Nama pengguna", "Kata sandi", ">Masuk</button>"]
LOGIN_EN = ["<h1>Log in</h1>", "Username", "Password", ">Log in</button>"]
FORM_ID = ["Tentang Anda", "Pertanyaan 1 dari 9", "(boleh dikosongkan)", ">Kirim</button>",
           "Laki-laki", "Pendidikan terakhir", "Survei Kepuasan Masyarakat"]
FORM_EN = ["About you", "Question 1 of 9", "(optional)", ">Send</button>", "Male",
           "Highest education", "Community Satisfaction Survey"]


@pytest.fixture
def region():
    return make_region()


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def assert_language(html: str, present: list[str], absent: list[str], lang: str):
    assert f'<html lang="{lang}">' in html
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


class Switcher(HTMLParser):
    """The language switcher form of a page: its attributes, fields and submit buttons."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.form, self.fields, self.buttons = None, {}, []
        self._in_form, self._button = False, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "lang-switch" in (attrs.get("class") or "").split():
            assert self.form is None, "one language switcher per page"
            self.form, self._in_form = attrs, True
        elif self._in_form and tag == "input":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif self._in_form and tag == "button":
            self._button = {**attrs, "text": ""}
            self.buttons.append(self._button)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "button":
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data.strip()


def switch_like_a_browser(client: Client, page: str, language_name: str):
    """Submit the page's switcher by pressing one of its buttons, no JavaScript: the fields of
    the form plus the name and value of the pressed button; follow the redirect."""
    switcher = Switcher(html_of(client.get(page)))
    pressed = next(b for b in switcher.buttons if b["text"] == language_name)
    data = {**switcher.fields, pressed["name"]: pressed["value"]}
    response = client.post(switcher.form["action"], data)
    assert response.status_code == 302
    return response


# ---- the language a page comes in -----------------------------------------------------------

def test_default_without_cookie_or_header_is_indonesian(client, region):
    assert_language(html_of(client.get(LOGIN)), LOGIN_ID, LOGIN_EN, "id")
    assert_language(html_of(client.get(FORM)), FORM_ID, FORM_EN, "id")


def test_choosing_english_translates_the_login_page_and_the_public_form(client, region):
    response = client.post(SETLANG, {"language": "en", "next": LOGIN})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    assert_language(html_of(client.get(LOGIN)), LOGIN_EN, LOGIN_ID, "en")
    html = html_of(client.get(FORM))
    assert_language(html, FORM_EN, FORM_ID, "en")
    # the questionnaire itself (unsur questions, answer labels) is data, not UI: it stays as
    # the unit wrote it
    assert "Sangat sesuai" in html

    client.post(SETLANG, {"language": "id", "next": LOGIN})
    assert_language(html_of(client.get(LOGIN)), LOGIN_ID, LOGIN_EN, "id")


def test_error_messages_of_the_form_follow_the_language(client, region):
    client.post(SETLANG, {"language": "en"})
    html = html_of(client.post(FORM, {"usia": "7"}))
    assert "Your answers have not been sent" in html
    assert "Question 1:" in html
    assert "Jawaban belum terkirim" not in html
    # the messages at the fields come from record_response, in the chosen language too
    assert "This question has not been answered." in html
    assert "Enter the age in years, 10 to 120." in html
    assert "Pertanyaan ini belum dijawab." not in html


@pytest.mark.parametrize(
    "header", ["en-US,en;q=0.9", "id-ID,id;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "ms,jv"]
)
def test_the_browser_language_is_not_followed(region, header):
    """Bahasa Indonesia first: a phone set to English still gets the Indonesian form until
    its owner chooses English with the switcher."""
    client = Client(headers={"accept-language": header})
    assert_language(html_of(client.get(FORM)), FORM_ID, FORM_EN, "id")
    assert_language(html_of(client.get(LOGIN)), LOGIN_ID, LOGIN_EN, "id")


def test_the_cookie_beats_the_header(region):
    client = Client(headers={"accept-language": "en"})
    client.post(SETLANG, {"language": "id"})
    assert_language(html_of(client.get(LOGIN)), LOGIN_ID, LOGIN_EN, "id")


# ---- the switcher ---------------------------------------------------------------------------

@pytest.mark.parametrize("page", [LOGIN, FORM, FORM + "?kiosk=1", "/s/jatinegara-kaum/"])
def test_switcher_is_a_plain_form_back_to_the_same_page(client, region, page):
    switcher = Switcher(html_of(client.get(page)))
    assert switcher.form is not None
    assert (switcher.form["action"], switcher.form["method"]) == (SETLANG, "post")
    assert switcher.fields["next"] == page
    assert switcher.fields["csrfmiddlewaretoken"]
    assert [(b["type"], b["name"], b["value"], b["lang"], b["text"]) for b in switcher.buttons] == [
        ("submit", "language", "id", "id", "Bahasa Indonesia"),
        ("submit", "language", "en", "en", "English"),
    ]
    current = [b["value"] for b in switcher.buttons if b.get("aria-current") == "true"]
    assert current == ["id"]
    # labelled: the form is named by its visible "Bahasa:" label
    label_id = switcher.form["aria-labelledby"]
    assert re.search(rf'id="{label_id}"[^>]*>Bahasa:<', html_of(client.get(page)))


def test_switcher_is_in_the_staff_header(client, region):
    make_user("operator", region.kelurahan, "operator")
    assert client.login(username="operator", password=PASSWORD)
    page = f"/u/{region.kelurahan.slug}/{region.period.code}/?combine=pooled"
    html = html_of(client.get(page))
    header = html[html.index('<header class="topbar">'):html.index("</header>")]
    assert 'class="lang-switch"' in header
    assert Switcher(html).fields["next"] == page  # the query string too

    response = switch_like_a_browser(client, page, "English")
    assert response["Location"] == page
    html = html_of(client.get(page))
    assert "Log out (operator)" in html and "Respondents" in html
    assert "Keluar" not in html and "Jumlah responden" not in html


def test_pressing_a_button_switches_with_csrf_and_without_javascript(region):
    client = Client(enforce_csrf_checks=True)
    response = switch_like_a_browser(client, FORM + "?kiosk=1", "English")
    assert response["Location"] == FORM + "?kiosk=1"
    html = html_of(client.get(response["Location"]))
    assert_language(html, FORM_EN, FORM_ID, "en")
    assert [b["value"] for b in Switcher(html).buttons if b.get("aria-current")] == ["en"]
    assert "Language:" in html

    response = switch_like_a_browser(client, LOGIN, "Bahasa Indonesia")
    assert response["Location"] == LOGIN
    assert_language(html_of(client.get(LOGIN)), LOGIN_ID, LOGIN_EN, "id")


def test_switching_without_a_csrf_token_is_refused(region):
    client = Client(enforce_csrf_checks=True)
    assert client.post(SETLANG, {"language": "en", "next": FORM}).status_code == 403


def test_next_cannot_send_the_visitor_elsewhere(client):
    response = client.post(SETLANG, {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


# ---- the catalog ----------------------------------------------------------------------------

def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as gettext writes it (entries separated by blank lines):
    {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr": {index: text}}. Obsolete entries
    (``#~``) are left out: gettext ignores them."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None,
                 "msgstr": {}}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += ast.literal_eval(line)
                else:
                    entry[field[0]] += ast.literal_eval(line)
            else:
                keyword, rest = line.split(" ", 1)
                match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
                field = ("msgstr", int(match.group(1) or 0)) if match else (keyword, None)
                if match:
                    entry["msgstr"][field[1]] = ast.literal_eval(rest)
                else:
                    entry[keyword] = ast.literal_eval(rest)
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def test_english_catalog_is_complete_and_not_fuzzy():
    entries = read_po(CATALOG / "django.po")
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    assert len(messages) > 200
    untranslated = [e["msgid"] for e in messages if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    assert "#, fuzzy" not in (CATALOG / "django.po").read_text(encoding="utf-8")
    for e in messages:
        for translation in e["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(
                PLACEHOLDER.findall(e["msgid"])), e["msgid"]


def test_compiled_catalog_matches_the_po():
    """The .mo is committed: it must be compiled from the .po as it is now
    (``skm compilemessages -l en`` from the skm directory, see docs/i18n.md)."""
    with open(CATALOG / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for e in read_po(CATALOG / "django.po")[1:]:
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            assert compiled._catalog.get(key) == e["msgstr"][0], e["msgid"]
        else:
            for n, text in e["msgstr"].items():
                assert compiled._catalog.get((key, n)) == text, e["msgid"]
