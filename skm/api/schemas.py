"""Request and response bodies of the API (they make up openapi.json)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

ANSWERS_EXAMPLE = {"U1": 4, "U2": 3, "U3": 4, "U4": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 3,
                   "U9": 4}


class ResponseIn(Schema):
    """One respondent's answers. Answers are keyed by unsur code, never by question number."""

    unit: str = Field(description="Slug unit, mis. jatinegara-kaum.")
    layanan: str = Field(description="Slug layanan unit itu, mis. pkk.")
    answers: dict[str, Any] = Field(
        description="Jawaban 1-4 per kode unsur kuesioner unit (U1..U9 untuk kuesioner baku). "
        "Semua unsur wajib dijawab.",
        examples=[ANSWERS_EXAMPLE],
        json_schema_extra={"additionalProperties": {"type": "integer", "minimum": 1,
                                                    "maximum": 4}},
    )
    jenis_kelamin: str | None = Field(None, description="L atau P.", examples=["P"])
    usia: Any = Field(None, description="Usia dalam tahun (10-120).", examples=[34],
                      json_schema_extra={"type": "integer"})
    pendidikan: str | None = Field(None, description="SD, SMP, SMA, DIII, S1, S2 atau S3.")
    pekerjaan: str | None = Field(
        None, description="PNS, TNI, POLRI, Swasta, Wirausaha atau Lainnya."
    )
    saran: str | None = Field(None, description="Saran atau masukan, paling banyak 2000 huruf.")


class CreatedOut(Schema):
    id: int
    period: str = Field(description="Kode periode survei jawaban ini, mis. 2024-S2.")


class ErrorsOut(Schema):
    errors: dict[str, str] = Field(
        description="Pesan per isian (kode unsur, nama isian, atau __all__).",
        examples=[{"U3": "Pertanyaan ini belum dijawab."}],
    )


class DetailOut(Schema):
    detail: str


class MethodOut(Schema):
    weights: str
    combine: str


class UnsurOut(Schema):
    answers: int
    nrr: float | None


class GroupOut(Schema):
    respondents: int
    unsur: dict[str, UnsurOut]
    ikm: float | None
    konversi: float | None
    mutu: str | None
    kinerja: str | None


class LayananOut(Schema):
    name: str | None
    respondents: int
    unsur: dict[str, UnsurOut]
    ikm: float | None
    konversi: float | None
    mutu: str | None
    kinerja: str | None


class ResultOut(Schema):
    """Exactly the object ``skm compute --format json`` prints (see docs/cli.md)."""

    method: MethodOut
    layanan: list[LayananOut]
    overall: GroupOut
    priorities: list[str]
    profile: dict[str, dict[str, int]]
