"""The default questionnaire and its validation (SKM-RULES section 1, regulation p.8-9, p.27-28)."""

from fractions import Fraction

import pytest

from skm.engine import DEFAULT_QUESTIONNAIRE, EngineError, Questionnaire, Unsur

# SKM-RULES section 1: code, unsur, answers 1 / 2 / 3 / 4.
OFFICIAL = [
    ("U1", "Persyaratan", ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("U2", "Sistem, Mekanisme, dan Prosedur",
     ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    ("U3", "Waktu Penyelesaian", ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    ("U4", "Biaya/Tarif", ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    ("U5", "Produk Spesifikasi Jenis Pelayanan",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("U6", "Kompetensi Pelaksana",
     ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    ("U7", "Perilaku Pelaksana",
     ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
      "Sangat sopan dan ramah")),
    ("U8", "Penanganan Pengaduan, Saran dan Masukan",
     ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
      "Dikelola dengan baik")),
    ("U9", "Sarana dan prasarana", ("Buruk", "Cukup", "Baik", "Sangat Baik")),
]

LABELS = ("1", "2", "3", "4")


def unsur(code, weight=None):
    return Unsur(code, code, f"{code}?", LABELS, weight)


def folded(texts):
    # The sources disagree on capitals ("Sarana dan prasarana" p.9, "Sarana dan Prasarana"
    # p.21; "Sangat Baik" p.27), so names and labels are compared without case here.
    return tuple(t.casefold() for t in texts)


def test_default_has_u1_to_u9_in_order():
    assert DEFAULT_QUESTIONNAIRE.codes == tuple(f"U{i}" for i in range(1, 10))
    assert DEFAULT_QUESTIONNAIRE.weights == "equal"


@pytest.mark.parametrize(("code", "name", "labels"), OFFICIAL, ids=[o[0] for o in OFFICIAL])
def test_default_unsur_names_and_labels(code, name, labels):
    u = DEFAULT_QUESTIONNAIRE.get(code)
    assert u.name.casefold() == name.casefold()
    assert folded(u.labels) == folded(labels)
    assert u.question.strip()
    assert u.weight is None


def test_labels_checked_literally():
    get = DEFAULT_QUESTIONNAIRE.get
    assert get("U8").labels == (
        "Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
        "Dikelola dengan baik",
    )
    assert get("U8").name == "Penanganan Pengaduan, Saran dan Masukan"
    assert get("U4").labels[4 - 1] == "Gratis"
    assert get("U4").labels[1 - 1] == "Sangat mahal"
    assert get("U1").labels == ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")


def test_u8_is_pengaduan_and_u9_is_sarana_whatever_the_question_order():
    # the sample questionnaire asks sarana as question 8: codes must not follow that
    assert "pengaduan" in DEFAULT_QUESTIONNAIRE.get("U8").question.casefold()
    assert "sarana" in DEFAULT_QUESTIONNAIRE.get("U9").question.casefold()
    assert DEFAULT_QUESTIONNAIRE.get("U9").name.casefold() == "sarana dan prasarana"


def test_get_unknown_code_raises_key_error():
    with pytest.raises(KeyError):
        DEFAULT_QUESTIONNAIRE.get("U10")


def test_duplicate_codes_rejected():
    with pytest.raises(EngineError):
        Questionnaire("t", (unsur("A"), unsur("B"), unsur("A")))


def test_empty_questionnaire_rejected():
    with pytest.raises(EngineError):
        Questionnaire("t", ())


@pytest.mark.parametrize("scheme", ["weighted", "0.1", "", "EQUAL", None])
def test_unknown_scheme_rejected(scheme):
    with pytest.raises(EngineError):
        Questionnaire("t", (unsur("A"),), scheme)


@pytest.mark.parametrize("scheme", ["weighted", "0.12"])
def test_with_weights_unknown_scheme_rejected(scheme):
    with pytest.raises(EngineError):
        DEFAULT_QUESTIONNAIRE.with_weights(scheme)


@pytest.mark.parametrize(
    "labels", [("a", "b", "c"), ("a", "b", "c", "d", "e"), ("a", "b", " ", "d")]
)
def test_unsur_needs_four_labels(labels):
    with pytest.raises(EngineError):
        Unsur("A", "A", "A?", labels)


@pytest.mark.parametrize("code", ["", "  "])
def test_unsur_needs_a_code(code):
    with pytest.raises(EngineError):
        Unsur(code, "A", "A?", LABELS)


@pytest.mark.parametrize("scheme", ["0.111", "0.11", "equal"])
def test_with_weights_keeps_the_unsur(scheme):
    q = DEFAULT_QUESTIONNAIRE.with_weights(scheme)
    assert q.weights == scheme
    assert q.unsur == DEFAULT_QUESTIONNAIRE.unsur
    assert q.version == DEFAULT_QUESTIONNAIRE.version


def test_with_weights_from_custom_drops_the_weights():
    q = Questionnaire("t", (unsur("A", "0.25"), unsur("B", "0.75")), "custom")
    equal = q.with_weights("equal")
    assert equal.weights == "equal"
    assert [u.weight for u in equal.unsur] == [None, None]
    assert equal.effective_weights({"A", "B"}) == {"A": Fraction(1, 2), "B": Fraction(1, 2)}


def test_with_weights_custom_without_weights_raises():
    with pytest.raises(EngineError):
        DEFAULT_QUESTIONNAIRE.with_weights("custom")


def test_effective_weights():
    q = DEFAULT_QUESTIONNAIRE
    assert q.effective_weights(set(q.codes)) == {c: Fraction(1, 9) for c in q.codes}
    assert q.effective_weights({"U1", "U3"}) == {"U1": Fraction(1, 2), "U3": Fraction(1, 2)}
    assert q.with_weights("0.111").effective_weights({"U2"}) == {"U2": Fraction(111, 1000)}
    assert q.effective_weights(set()) == {}
