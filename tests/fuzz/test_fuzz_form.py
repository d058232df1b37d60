"""Fuzzing the public survey form and the public pages: any request body or path gives a
response below 500, and a response is stored exactly when a complete, valid form is sent with
a valid, unused token.

Bounded and derandomized (``FUZZ``); see docs/testing.md, "Fuzzing".
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skm.engine.profile import PEKERJAAN, PENDIDIKAN
from skm.results import summary
from skm.surveys.models import Response
from skm.units.models import Period
from tests.factories import make_region

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
FORM = "/s/jatinegara-kaum/pkk/"
OTHER_FORM = "/s/jatinegara-kaum/posyandu/"
CODES = [f"U{i}" for i in range(1, 10)]
TOKEN = re.compile(r'name="kirim_id" value="([^"]+)"')


@pytest.fixture
def region(settings):
    settings.SKM_FORM_RATE_LIMIT = "0"
    return make_region()


def fresh_token(client, url=FORM):
    return TOKEN.search(client.get(url).content.decode()).group(1)


# ---- what a body may hold --------------------------------------------------------------------

ODD = ["0", "5", "-1", "-4", "1.0", "4.5", "9" * 50, "1e9", "NaN", "٤", "４", "+3", "0x2", "3 ",
       " 2", "", " ", "satu", "Sangat baik", "\x00", "1\x00", "<script>", "' OR 1=1 --", "%00",
       "\u202e4", "🙂", "ä" * 300]
answer = st.one_of(st.sampled_from(["1", "2", "3", "4"]), st.sampled_from(ODD),
                   st.text(max_size=12), st.integers(-(10**30), 10**30).map(str))
gender = st.one_of(st.sampled_from(["", "L", "P", "l", " p ", "X", "LP", "Laki-laki"]),
                   st.text(max_size=5))
usia = st.one_of(st.sampled_from(["", "9", "10", "34", "120", "121", "-5", "0", "34 tahun",
                                  "9" * 40, "3.5", "٣٤"]),
                 st.integers(-(10**20), 10**20).map(str), st.text(max_size=6))
pendidikan = st.one_of(st.sampled_from(["", *PENDIDIKAN, "sma", "SMA/SMK", "S4"]),
                       st.text(max_size=6))
pekerjaan = st.one_of(st.sampled_from(["", *PEKERJAAN, "pns", "Petani"]), st.text(max_size=6))
saran = st.one_of(st.text(max_size=50), st.sampled_from(["", "a" * 2000, "a" * 2001,
                                                         " " + "b" * 2000 + " ", "x" * 20000]))
FIELDS = {**{code: answer for code in CODES}, "jenis_kelamin": gender, "usia": usia,
          "pendidikan": pendidikan, "pekerjaan": pekerjaan, "saran": saran}
VALID = {"jenis_kelamin": ["", "L", "P"], "usia": ["", "10", "34", "120"],
         "pendidikan": ["", *PENDIDIKAN], "pekerjaan": ["", *PEKERJAAN],
         "saran": ["", "Antrean terlalu panjang.", "a" * 2000]}


@st.composite
def bodies(draw):
    """Field -> list of values (a field may be missing, or sent twice)."""
    if draw(st.booleans()):  # a proper form with a field or two spoilt (or none)
        body = {code: [draw(st.sampled_from(["1", "2", "3", "4"]))] for code in CODES}
        body.update({name: [draw(st.sampled_from(VALID[name]))] for name in VALID})
        for name in draw(st.lists(st.sampled_from(list(FIELDS)), max_size=2)):
            body[name] = draw(st.lists(FIELDS[name], max_size=2))
        return body
    body = {}
    for name, values in FIELDS.items():
        how = draw(st.sampled_from(["one"] * 6 + ["missing", "several"]))
        if how == "one":
            body[name] = [draw(values)]
        elif how == "several":
            body[name] = draw(st.lists(values, min_size=2, max_size=3))
    for name in draw(st.lists(st.one_of(st.sampled_from(["U10", "U0", "u1", "situs_web",
                                                         "unit", "period", "source"]),
                                        st.text(min_size=1, max_size=8)), max_size=3)):
        body[name] = [draw(st.text(max_size=10))]
    return body


def last(body, name):
    """What the view reads: QueryDict.get gives the last value of a field sent twice."""
    values = body.get(name)
    return values[-1] if values else ""


def _int(text):
    try:
        return int(text.strip())
    except ValueError:
        return None


def is_complete_and_valid(body) -> bool:
    """The contract of docs/survey-form.md, written out independently of the view."""
    if any(_int(last(body, code)) not in (1, 2, 3, 4) for code in CODES):
        return False
    if last(body, "jenis_kelamin").strip().upper() not in ("", "L", "P"):
        return False
    age = last(body, "usia").strip()
    if age and not (_int(age) is not None and 10 <= _int(age) <= 120):
        return False
    if last(body, "pendidikan").strip() not in ("", *PENDIDIKAN):
        return False
    if last(body, "pekerjaan").strip() not in ("", *PEKERJAAN):
        return False
    return len(last(body, "saran").strip()) <= 2000


def stored():
    return Response.objects.unscoped().count()


def in_step(region):
    return summary.differences([region.kelurahan, region.sibling], list(Period.objects.all()))


def _encoded(body, token, encoding):
    """(data, content_type) for Client.post; pairs so that repeated fields stay repeated."""
    pairs = [(k, v) for k, values in body.items() for v in values]
    if token is not None:
        pairs.append(("kirim_id", token))
    if encoding == "urlencoded":
        return urlencode(pairs), "application/x-www-form-urlencoded"
    if encoding == "json":
        return json.dumps(dict(pairs)), "application/json"
    merged = {}
    for k, v in pairs:
        merged.setdefault(k, []).append(v)
    return merged, None  # the test client's multipart


def _tampered(token: str) -> str:
    """The token with its last character changed (to another one: never the same token)."""
    return token[:-1] + ("B" if token.endswith("A") else "A")


@FUZZ
@given(body=bodies(),
       token_kind=st.sampled_from(["fresh"] * 5 + ["missing", "forged", "used", "other-form",
                                                   "tampered"]),
       encoding=st.sampled_from(["multipart", "multipart", "urlencoded", "json"]),
       honeypot=st.sampled_from(["", "", "", "http://spam.example", " "]))
def test_any_post_is_answered_below_500_and_stores_only_a_valid_form(
        region, body, token_kind, encoding, honeypot):
    client = Client()
    token = {
        "fresh": lambda: fresh_token(client),
        "missing": lambda: None,
        "forged": lambda: "1.0123456789abcdef0123456789abcdef.1700000000:abc",
        "other-form": lambda: fresh_token(client, OTHER_FORM),
        "tampered": lambda: _tampered(fresh_token(client)),
        "used": lambda: _used_token(client),
    }[token_kind]()
    if honeypot:
        body = {**body, "situs_web": [honeypot]}
    elif "situs_web" in body:
        honeypot = body["situs_web"][-1]
    before = stored()
    data, content_type = _encoded(body, token, encoding)
    if content_type:
        response = client.post(FORM, data, content_type=content_type)
    else:
        response = client.post(FORM, data)
    assert response.status_code < 500
    expected = (token_kind == "fresh" and encoding != "json" and not honeypot.strip()
                and is_complete_and_valid(body))
    event(f"stored={expected}")
    assert stored() - before == (1 if expected else 0), (response.status_code, body)
    if expected:
        assert response.status_code == 303
    assert in_step(region) == {}


def _used_token(client):
    token = fresh_token(client)
    answers = {code: "3" for code in CODES}
    assert client.post(FORM, {**answers, "kirim_id": token}).status_code == 303
    return token


@settings(FUZZ, max_examples=25)
@given(raw=st.binary(max_size=500),
       content_type=st.sampled_from(["application/x-www-form-urlencoded",
                                     "multipart/form-data; boundary=xyz",
                                     "multipart/form-data", "application/json", "text/plain",
                                     "application/x-www-form-urlencoded; charset=utf-16",
                                     "application/x-www-form-urlencoded; charset=nope"]))
def test_garbage_bodies_are_answered_below_500(region, raw, content_type):
    before = stored()
    # generic(): the bytes go as they are (post() would re-encode them in the charset)
    response = Client().generic("POST", FORM, raw, content_type=content_type)
    assert response.status_code < 500
    assert stored() == before


def test_a_valid_form_is_stored_once(region):
    """The oracle above can say yes: a plain valid form is stored (and only once)."""
    client = Client()
    token = fresh_token(client)
    body = {code: ["4"] for code in CODES}
    assert is_complete_and_valid(body)
    data, _ = _encoded(body, token, "urlencoded")
    kind = "application/x-www-form-urlencoded"
    assert client.post(FORM, data, content_type=kind).status_code == 303
    assert client.post(FORM, data, content_type=kind).status_code == 303
    assert stored() == 1 and in_step(region) == {}


# ---- public pages ----------------------------------------------------------------------------

segment = st.one_of(
    st.sampled_from(["jatinegara-kaum", "rawamangun", "pulo-gadung", "pkk", "posyandu", "ppsu",
                     "cetak", "terima-kasih", "qr.svg", "qr.png", "qr.gif", "2024-S2", "2024-S9",
                     "2024-TW5", "2024", "0000-S1", "9" * 30 + "-S1", "9999-TW4", "poster.pdf",
                     "kelola", "publish", "..", "%00", ""]),
    st.text(max_size=15).map(lambda s: quote(s, safe="")),
)


REAL = st.sampled_from(["jatinegara-kaum", "rawamangun", "pulo-gadung", "jakarta-timur"])


@settings(FUZZ, max_examples=60)
@given(root=st.sampled_from(["/s/", "/p/"]), first=st.one_of(REAL, segment),
       parts=st.lists(segment, max_size=3), slash=st.booleans(),
       query=st.sampled_from(["", "?kiosk=1", "?lang=en", "?p=%ff", "?kiosk=" + "9" * 40]))
def test_any_public_path_is_answered_below_500(region, root, first, parts, slash, query):
    path = root + "/".join([first, *parts]) + ("/" if slash else "") + query
    response = Client().get(path)
    event(str(response.status_code))
    assert response.status_code < 500, path


def test_a_nul_character_never_reaches_the_database(region):
    client = Client()
    body = {**{code: "4" for code in CODES}, "saran": "antre\x00an",
            "kirim_id": fresh_token(client)}
    response = client.post(FORM, body)
    assert response.status_code < 500
    # read back in Python: a NUL inside a LIKE pattern means something else to SQLite
    assert list(Response.objects.unscoped().values_list("saran", flat=True)) == ["antrean"]
