"""The respondent profile the regulation asks for (p.27), and how raw answers map onto it.

Only jenis kelamin, usia, pendidikan and pekerjaan: no name, NIK, address or religion
(UU 27/2022: collect the minimum).
"""

from __future__ import annotations

import re

FIELDS = ("jenis_kelamin", "usia", "pendidikan", "pekerjaan")
FIELD_LABELS = {
    "jenis_kelamin": "Jenis kelamin",
    "usia": "Usia",
    "pendidikan": "Pendidikan",
    "pekerjaan": "Pekerjaan",
}

NOT_GIVEN = "Tidak diisi"
UNRECOGNISED = "Tidak dikenali"

JENIS_KELAMIN = ("L", "P")
PENDIDIKAN = ("SD", "SMP", "SMA", "DIII", "S1", "S2", "S3")
PEKERJAAN = ("PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya")
#: Age groups for reporting: (label, lowest age, highest age).
AGE_GROUPS = (
    ("< 20", 0, 19),
    ("20-29", 20, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-59", 50, 59),
    ("60+", 60, 130),
)

CATEGORIES = {
    "jenis_kelamin": JENIS_KELAMIN,
    "usia": tuple(label for label, _, _ in AGE_GROUPS),
    "pendidikan": PENDIDIKAN,
    "pekerjaan": PEKERJAAN,
}


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


_ALIASES = {
    "jenis_kelamin": {
        "l": "L", "lk": "L", "laki": "L", "lakilaki": "L", "pria": "L", "male": "L", "m": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P",
    },
    "pendidikan": {
        "sd": "SD", "sederajat": None, "mi": "SD",
        "smp": "SMP", "sltp": "SMP", "mts": "SMP",
        "sma": "SMA", "slta": "SMA", "smk": "SMA", "ma": "SMA", "stm": "SMA",
        "diii": "DIII", "d3": "DIII", "diploma": "DIII", "diplomaiii": "DIII", "d1": "DIII",
        "d2": "DIII", "di": "DIII", "dii": "DIII",
        "s1": "S1", "div": "S1", "d4": "S1", "sarjana": "S1",
        "s2": "S2", "magister": "S2",
        "s3": "S3", "doktor": "S3",
    },
    "pekerjaan": {
        "pns": "PNS", "asn": "PNS", "pppk": "PNS",
        "tni": "TNI", "polri": "POLRI", "polisi": "POLRI",
        "swasta": "Swasta", "pegawaiswasta": "Swasta", "karyawanswasta": "Swasta",
        "karyawan": "Swasta",
        "wirausaha": "Wirausaha", "wiraswasta": "Wirausaha", "pedagang": "Wirausaha",
        "pengusaha": "Wirausaha",
        "lainnya": "Lainnya", "lain": "Lainnya", "lainlain": "Lainnya",
    },
}


def age_group(age: int) -> str | None:
    for label, low, high in AGE_GROUPS:
        if low <= age <= high:
            return label
    return None


def categorise(field: str, raw) -> str:
    """The reporting category of a raw profile answer.

    Blank gives ``NOT_GIVEN``. A pekerjaan outside the list is "Lainnya" (the form has
    "Lainnya ... (sebutkan)"); anything else that cannot be read gives ``UNRECOGNISED``.
    """
    if raw is None or isinstance(raw, bool):
        return NOT_GIVEN if raw is None else UNRECOGNISED
    if field == "usia":
        if isinstance(raw, (int, float)):
            number = float(raw)
        else:
            text = str(raw).strip()
            if not text:
                return NOT_GIVEN
            text = re.sub(r"\s*(tahun|thn|th)\.?$", "", text, flags=re.IGNORECASE)
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                return UNRECOGNISED
        if not number.is_integer():
            return UNRECOGNISED
        return age_group(int(number)) or UNRECOGNISED
    text = str(raw).strip()
    if not text:
        return NOT_GIVEN
    found = _ALIASES[field].get(_key(text))
    if found:
        return found
    if field == "pekerjaan":
        return "Lainnya"
    return UNRECOGNISED


def ordered_categories(field: str) -> tuple[str, ...]:
    """The categories of a field in report order, with the catch-alls last."""
    return CATEGORIES[field] + (UNRECOGNISED, NOT_GIVEN)
