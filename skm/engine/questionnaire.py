"""The questionnaire: an ordered, versioned set of unsur with their weights.

The default is the nine unsur of PermenPANRB 14/2017 (p.8-9, p.27-29). Answers are always stored
by unsur code, never by the position of a question on a printed form: the regulation's sample
questionnaire asks sarana as question 8 and pengaduan as question 9, while U8 is pengaduan and U9
is sarana.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import EngineError

#: The weighting schemes a questionnaire can use.
#: ``equal``: every answered unsur weighs 1/n (the regulation's intent; weights sum to 1).
#: ``custom``: the weights given on each unsur, which must sum to exactly 1 (p.19).
#: ``0.111`` and ``0.11``: the legacy constants printed in the regulation's form (p.29) and
#: text (p.18-21). They do not sum to 1 and exist only so a unit can match an old spreadsheet.
WEIGHT_SCHEMES = ("equal", "custom", "0.111", "0.11")
LEGACY_WEIGHTS = {"0.111": Fraction(111, 1000), "0.11": Fraction(11, 100)}


@dataclass(frozen=True)
class Unsur:
    code: str
    name: str
    question: str
    labels: tuple[str, str, str, str]
    weight: Fraction | None = None  # only for the ``custom`` scheme

    def __post_init__(self):
        if not self.code or not self.code.strip():
            raise EngineError("Setiap unsur harus punya kode.")
        if len(self.labels) != 4 or not all(label.strip() for label in self.labels):
            raise EngineError(f"Unsur {self.code}: harus ada empat label jawaban (1-4).")
        if self.weight is not None:
            object.__setattr__(self, "weight", _as_fraction(self.weight, self.code))


def _as_fraction(value, code: str) -> Fraction:
    try:
        # str() first, so a float such as 0.1 is taken as the decimal it prints as.
        if isinstance(value, Fraction):
            result = value
        else:
            result = Fraction(str(value).replace(",", "."))
    except (ValueError, ZeroDivisionError) as exc:
        raise EngineError(f"Unsur {code}: bobot {value!r} bukan angka.") from exc
    if result <= 0:
        raise EngineError(f"Unsur {code}: bobot harus lebih dari 0 (sekarang {value}).")
    return result


@dataclass(frozen=True)
class Questionnaire:
    """An ordered set of unsur and how they are weighted.

    ``version`` identifies the set: a response keeps the version it answered.
    """

    version: str
    unsur: tuple[Unsur, ...]
    weights: str = "equal"

    def __post_init__(self):
        object.__setattr__(self, "unsur", tuple(self.unsur))
        if not self.unsur:
            raise EngineError("Kuesioner harus punya sedikitnya satu unsur.")
        codes = [u.code for u in self.unsur]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise EngineError(f"Kode unsur ganda: {', '.join(duplicates)}.")
        if self.weights not in WEIGHT_SCHEMES:
            raise EngineError(
                f"Skema bobot {self.weights!r} tidak dikenal; pilih salah satu: "
                + ", ".join(WEIGHT_SCHEMES)
                + "."
            )
        given = [u for u in self.unsur if u.weight is not None]
        if self.weights == "custom":
            if len(given) != len(self.unsur):
                missing = ", ".join(u.code for u in self.unsur if u.weight is None)
                raise EngineError(f"Bobot khusus: unsur {missing} belum diberi bobot.")
            total = sum((u.weight for u in self.unsur), Fraction(0))
            if total != 1:
                raise EngineError(
                    f"Bobot khusus harus berjumlah tepat 1; sekarang {float(total):.6g}."
                )
        elif given:
            raise EngineError(
                f"Bobot per unsur hanya dipakai dengan skema 'custom' (sekarang {self.weights!r})."
            )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.unsur)

    def get(self, code: str) -> Unsur:
        for u in self.unsur:
            if u.code == code:
                return u
        raise KeyError(code)

    def with_weights(self, scheme: str) -> Questionnaire:
        """The same unsur under another scheme (``equal`` or a legacy one)."""
        if scheme == self.weights:
            return self
        if scheme == "custom":
            raise EngineError("Skema 'custom' butuh bobot per unsur.")
        unsur = tuple(
            Unsur(u.code, u.name, u.question, u.labels) if u.weight is not None else u
            for u in self.unsur
        )
        return Questionnaire(self.version, unsur, scheme)

    def effective_weights(self, answered: set[str] | frozenset[str]) -> dict[str, Fraction]:
        """The weight of each answered unsur.

        ``equal`` and ``custom`` renormalise over the answered unsur, so the weights used always
        sum to 1 and an unsur nobody answered neither counts as zero nor drags the index down.
        The legacy constants are applied as they are, to the answered unsur only.
        """
        present = [u for u in self.unsur if u.code in answered]
        if not present:
            return {}
        if self.weights == "equal":
            w = Fraction(1, len(present))
            return {u.code: w for u in present}
        if self.weights == "custom":
            total = sum((u.weight for u in present), Fraction(0))
            return {u.code: u.weight / total for u in present}
        constant = LEGACY_WEIGHTS[self.weights]
        return {u.code: constant for u in present}


def _u(code, name, question, labels):
    return Unsur(code, name, question, tuple(labels))


#: The nine unsur, with the official questions (p.27-28) and answer labels.
DEFAULT_UNSUR = (
    _u("U1", "Persyaratan",
       "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
       "pelayanannya?",
       ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]),
    _u("U2", "Sistem, Mekanisme, dan Prosedur",
       "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
       ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"]),
    _u("U3", "Waktu Penyelesaian",
       "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
       ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"]),
    _u("U4", "Biaya/Tarif",
       "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
       ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]),
    _u("U5", "Produk Spesifikasi Jenis Pelayanan",
       "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
       "dalam standar pelayanan dengan hasil yang diberikan?",
       ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]),
    _u("U6", "Kompetensi Pelaksana",
       "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
       ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"]),
    _u("U7", "Perilaku Pelaksana",
       "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
       "dan keramahan?",
       ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
        "Sangat sopan dan ramah"]),
    _u("U8", "Penanganan Pengaduan, Saran dan Masukan",
       "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
       ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
        "Dikelola dengan baik"]),
    _u("U9", "Sarana dan Prasarana",
       "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
       ["Buruk", "Cukup", "Baik", "Sangat baik"]),
)

DEFAULT_QUESTIONNAIRE = Questionnaire("permenpanrb-14-2017", DEFAULT_UNSUR, "equal")
