"""Which column holds what, and what a cell means.

Headers are matched, in this order: a saved mapping; an unsur code (``U1``, ``U1 Persyaratan``,
``Persyaratan (U1)``); the unsur's official question or its name, tolerant of case, punctuation
and leading numbering (``"1. Bagaimana pendapat Saudara ..."``); the layanan, timestamp, saran
and profile columns by their words. A column still unmatched is matched by its answers when
they are the four labels of exactly one unsur not matched yet.

Answers are read as digits 1-4 (``4``, ``4.0``, ``4,0``, ``4 - Sangat sesuai``) or as labels:
the unsur's own four labels first, then the generic scales (puas, baik, setuju, memuaskan).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone

from skm.engine import Questionnaire
from skm.engine.profile import NOT_GIVEN, UNRECOGNISED, categorise
from skm.tabular.counting import parse_answer

PROFILE_TARGETS = ("jenis_kelamin", "usia", "pendidikan", "pekerjaan")
OTHER_TARGETS = ("layanan", "submitted_at", "saran", *PROFILE_TARGETS)

#: Generic four-point scales some forms use instead of the unsur's own labels.
GENERIC_LABELS = (
    ("Tidak puas", "Kurang puas", "Puas", "Sangat puas"),
    ("Tidak baik", "Kurang baik", "Baik", "Sangat baik"),
    ("Tidak setuju", "Kurang setuju", "Setuju", "Sangat setuju"),
    ("Tidak memuaskan", "Kurang memuaskan", "Memuaskan", "Sangat memuaskan"),
)

_NUMBERING = re.compile(
    r"^\s*(?:(?:no|nomor|pertanyaan|soal|q)\s*\.?\s*)?(?:\d{1,2}|[a-o])\s*[.):\]-]\s*", re.I
)


def words(text: str) -> str:
    """Lower case, punctuation as spaces, one space between words."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).casefold()).split())


def header_key(text: str) -> str:
    """A header as compared: :func:`words` after dropping a leading "1." / "a)" / "[3]"."""
    text = str(text).strip().lstrip("[(")
    stripped = _NUMBERING.sub("", text, count=1)
    return words(stripped or text)


def label_key(text: str) -> str:
    return words(text)


_WORD_TARGETS = (
    ("submitted_at", ("timestamp", "cap waktu", "tanggal", "waktu", "tanggal survei",
                      "waktu survei", "tgl", "tanggal dan jam", "stempel waktu")),
    ("saran", ("saran", "kritik dan saran", "saran dan masukan", "kritik saran", "masukan",
               "saran masukan")),
)


def _other_target(key: str) -> str | None:
    """A non-unsur column named in words (short headers only, so questions never match)."""
    tokens = key.split()
    if not tokens or len(tokens) > 8 or "unsur" in tokens or "nilai" in tokens:
        return None  # "NILAI UNSUR PELAYANAN" heads the processing form's answer columns
    for target, names in _WORD_TARGETS:
        if key in names:
            return target
    if key.startswith("cap waktu") or key.startswith("timestamp"):
        return "submitted_at"
    if "layanan" in tokens or "pelayanan" in tokens:
        return "layanan"
    if "kelamin" in tokens or key in ("jk", "l p", "gender", "sex"):
        return "jenis_kelamin"
    if tokens[0] in ("usia", "umur") or key in ("usia", "umur", "age"):
        return "usia"
    if "pendidikan" in tokens:
        return "pendidikan"
    if "pekerjaan" in tokens:
        return "pekerjaan"
    if tokens[0] == "saran" or "saran" in tokens[:3]:
        return "saran"
    return None


@dataclass
class Matcher:
    """Matches headers and answers against one questionnaire."""

    questionnaire: Questionnaire
    mapping: dict[str, str] = field(default_factory=dict)  # header_key -> target

    def __post_init__(self):
        q = self.questionnaire
        self.codes = q.codes
        self._by_code = {c.casefold(): c for c in self.codes}
        self._by_text = {}
        for u in q.unsur:
            self._by_text[words(u.question)] = u.code
            self._by_text[words(u.name)] = u.code
        self._code_pattern = re.compile(
            r"(?:^|\b)(" + "|".join(re.escape(c.casefold()) for c in self.codes) + r")\b"
        )
        self.labels: dict[str, dict[str, int]] = {}
        for u in q.unsur:
            own = {label_key(label): value for value, label in enumerate(u.labels, start=1)}
            for scale in GENERIC_LABELS:
                for value, label in enumerate(scale, start=1):
                    own.setdefault(label_key(label), value)
            self.labels[u.code] = own
        self._own_labels = {
            u.code: frozenset(label_key(label) for label in u.labels) for u in q.unsur
        }

    # -- headers ---------------------------------------------------------------------------

    def target(self, header: str) -> str | None:
        """What a column holds, from its header alone; None if unknown."""
        key = header_key(header)
        if not key:
            return None
        if key.replace(" ", "") in self.mapping:
            return self.mapping[key.replace(" ", "")] or None
        if key in self._by_code:
            return self._by_code[key]
        if key in self._by_text:
            return self._by_text[key]
        for text, code in self._by_text.items():
            # a question with extra words around it ("... ? *", "[U1] ..."), not a bare name
            if len(text.split()) >= 4 and text in key:
                return code
        tokens = key.split()
        if len(tokens) <= 6:
            found = self._code_pattern.findall(key)
            if len(found) == 1:
                return self._by_code[found[0]]
        if len(tokens) >= 5:
            found = self._closest_question(set(tokens))
            if found:
                return found
        return _other_target(key)

    def _closest_question(self, tokens: set[str]) -> str | None:
        """A reworded question ("Anda" for "Saudara", a word added): most words shared."""
        scored = []
        for text, code in self._by_text.items():
            other = set(text.split())
            if len(other) >= 5:
                scored.append((len(tokens & other) / len(tokens | other), code))
        scored.sort(reverse=True)
        if scored and scored[0][0] >= 0.7 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return scored[0][1]
        return None

    def is_header(self, cells: Sequence[str]) -> bool:
        """A header row names at least one unsur, or two of the other columns."""
        targets = [self.target(c) for c in cells if c and c.strip()]
        if any(t in self.codes for t in targets):
            return True
        return len({t for t in targets if t}) >= 2

    def by_labels(self, values: Iterable[str], free: Iterable[str]) -> str | None:
        """The one unsur among ``free`` whose own labels all these values are, if exactly one."""
        keys = {label_key(v) for v in values if v and v.strip()}
        if not keys:
            return None
        found = [code for code in free if keys <= self._own_labels[code]]
        return found[0] if len(found) == 1 else None

    # -- cells -------------------------------------------------------------------------------

    def answer(self, code: str, raw: str) -> int | None:
        """1..4, 0 for a blank, None for a cell that is not an answer to ``code``."""
        value = parse_answer(raw)
        if value >= 0:
            return value
        key = label_key(raw)
        found = self.labels[code].get(key)
        if found is not None:
            return found
        match = re.fullmatch(r"([1-4])\s*(?:[-.):=]\s*)?(.+)", raw.strip())
        if match and self.labels[code].get(label_key(match.group(2))) == int(match.group(1)):
            return int(match.group(1))
        match = re.fullmatch(r"(.+?)\s*\(\s*([1-4])\s*\)", raw.strip())
        if match and self.labels[code].get(label_key(match.group(1))) == int(match.group(2)):
            return int(match.group(2))
        return None


def profile_value(target: str, raw: str):
    """(stored value, None) or (None, problem) for a profile cell; blank gives ("" or None)."""
    text = raw.strip()
    if target == "usia":
        if not text:
            return None, None
        category = categorise("usia", text)
        if category in (UNRECOGNISED, NOT_GIVEN):
            return None, "usia harus angka tahun"
        number = float(re.sub(r"\s*(tahun|thn|th)\.?$", "", text, flags=re.I).replace(",", "."))
        return int(number), None
    if not text:
        return "", None
    category = categorise(target, text)
    if category == UNRECOGNISED or (target == "pekerjaan" and category == "Lainnya"):
        # "SMA/Sederajat", "D1/D2/D3", "S1/D4": the first part that is a category
        for part in re.split(r"[/,]| atau ", text):
            if part.strip() and categorise(target, part) not in (UNRECOGNISED, NOT_GIVEN,
                                                                 "Lainnya"):
                category = categorise(target, part)
                break
    if category in (UNRECOGNISED, NOT_GIVEN):
        names = {"jenis_kelamin": "L atau P", "pendidikan": "SD, SMP, SMA, DIII, S1, S2, S3"}
        return None, f"{target.replace('_', ' ')} tidak dikenali (isi {names[target]})"
    return category, None


_DATE = re.compile(
    r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})"
    r"(?:[.,]\d+)?)?\s*([AaPp][Mm])?)?\s*(?:(?:GMT|UTC)?\s*([+-]\d{1,2})(?::?(\d{2}))?|Z)?\s*$"
)


def parse_timestamp(raw: str, tz, day_first: bool = True) -> datetime | None:
    """A date or date-time cell as an aware datetime; None if it cannot be read.

    ``2024-07-15``, ``2024-07-15T10:23:45`` (Excel), ``2024/07/15 10:23:45 AM GMT+7``,
    ``15/07/2024 10:23:45`` (``day_first``, Indonesian Google Forms) or ``7/15/2024 10:23:45``
    (English Google Forms: ``day_first=False``). When the preferred order gives no valid date,
    the other is tried. A time without an offset is in ``tz``.
    """
    match = _DATE.match(raw)
    if not match:
        return _excel_serial(raw, tz)
    a, b, c, hh, mm, ss, ampm, off_h, off_m = match.groups()
    if len(a) == 4:
        orders = [(int(a), int(b), int(c))]
    elif len(c) == 4:
        dm = (int(c), int(b), int(a))
        md = (int(c), int(a), int(b))
        orders = [dm, md] if day_first else [md, dm]
    else:
        return None
    hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    if off_h is not None:
        sign = -1 if off_h.startswith("-") else 1
        offset = timedelta(hours=abs(int(off_h)), minutes=int(off_m or 0)) * sign
        zone = dt_timezone(offset)
    elif raw.rstrip().endswith("Z"):
        zone = UTC
    else:
        zone = None
    for year, month, day in orders:
        try:
            value = datetime(year, month, day, hour, minute, second)
        except ValueError:
            continue
        return value.replace(tzinfo=zone) if zone else value.replace(tzinfo=tz)
    return None


def _excel_serial(raw: str, tz) -> datetime | None:
    """An Excel date left as its serial number (a cell not formatted as a date): 45488.43."""
    try:
        number = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    if not 20_000 <= number <= 80_000:  # 1954..2119: anything else is not a date
        return None
    value = datetime(1899, 12, 30) + timedelta(days=number)
    return value.replace(microsecond=0, tzinfo=tz)
