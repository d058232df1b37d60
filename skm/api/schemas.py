"""Request and response bodies of the API (they make up openapi.json)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    """A NUL character is refused before it reaches the database (PostgreSQL rejects it)."""
    if "\x00" in value:
        raise ValueError("Teks tidak boleh memuat karakter NUL.")
    return value


#: free text from a client
Text = Annotated[str, AfterValidator(_no_nul)]

ANSWERS_EXAMPLE = {"U1": 4, "U2": 3, "U3": 4, "U4": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 3,
                   "U9": 4}


class ResponseIn(Schema):
    """One respondent's answers. Answers are keyed by unsur code, never by question number."""

    unit: Text = Field(description="Slug unit, mis. jatinegara-kaum.")
    layanan: Text = Field(description="Slug layanan unit itu, mis. pkk.")
    answers: dict[str, Any] = Field(
        description="Jawaban 1-4 per kode unsur kuesioner unit (U1..U9 untuk kuesioner baku). "
        "Semua unsur wajib dijawab.",
        examples=[ANSWERS_EXAMPLE],
        json_schema_extra={"additionalProperties": {"type": "integer", "minimum": 1,
                                                    "maximum": 4}},
    )
    jenis_kelamin: Text | None = Field(None, description="L atau P.", examples=["P"])
    usia: Any = Field(None, description="Usia dalam tahun (10-120).", examples=[34],
                      json_schema_extra={"type": "integer"})
    pendidikan: Text | None = Field(None, description="SD, SMP, SMA, DIII, S1, S2 atau S3.")
    pekerjaan: Text | None = Field(
        None, description="PNS, TNI, POLRI, Swasta, Wirausaha atau Lainnya."
    )
    saran: Text | None = Field(None, description="Saran atau masukan, paling banyak 2000 huruf.")


class CreatedOut(Schema):
    id: int
    period: str = Field(description="Kode periode survei jawaban ini, mis. 2024-S2.")


class FieldError(Schema):
    field: str = Field(description="Isian: nama isian body, parameter, kode unsur, atau __all__.",
                       examples=["U3"])
    message: str = Field(examples=["Pertanyaan ini belum dijawab."])


class ErrorOut(Schema):
    """Every 4xx answer: what went wrong, and for 422 each bad field."""

    detail: str = Field(examples=["Data tidak valid; lihat errors."])
    errors: list[FieldError] = Field(
        description="Kosong untuk 401, 403 dan 404; untuk 422 satu baris per isian yang salah."
    )


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
    profile: dict[str, dict[str, int]] | None = Field(
        None, description="Profil responden; tidak ada pada hasil wilayah (subtree)."
    )


class SubtreeUnitOut(Schema):
    slug: str
    name: str
    kind: str
    depth: int = Field(description="0 untuk unit yang diminta, 1 untuk anaknya, dst.")
    respondents: int
    result: ResultOut | None = Field(
        description="Semua layanan semua unit di bawahnya, dihitung ulang dari hitungan "
        "(nama layanan: 'Unit / Layanan'); null tanpa responden."
    )


class SubtreeOut(Schema):
    unit: str
    period: str
    method: MethodOut
    units: list[SubtreeUnitOut]


# -- units, layanan, periods, questionnaires -----------------------------------------------------


class UnitOut(Schema):
    slug: str
    name: str
    kind: str
    parent: str | None = Field(description="Slug unit induk; null untuk unit teratas.")
    period_kind: str = Field(description="semester, triwulan atau tahun.")


class UnitDetailOut(UnitOut):
    questionnaire: str = Field(description="Versi kuesioner yang sedang dipakai unit.")
    can_manage: bool = Field(description="Pengguna token boleh mengubah data unit ini.")
    children: list[UnitOut] = Field(description="Anak unit yang boleh dibaca pengguna token.")


class LayananOutItem(Schema):
    slug: str
    name: str
    active: bool
    order: int


class PeriodOut(Schema):
    code: str = Field(examples=["2024-S2"])
    kind: str
    year: int
    number: int
    start: date
    end: date
    label: str = Field(examples=["Semester II Tahun 2024"])


class QuestionnaireUnsurOut(Schema):
    position: int
    code: str
    name: str
    question: str
    labels: list[str] = Field(description="Empat label jawaban, untuk nilai 1..4.")
    weight: float = Field(description="Bobot unsur bila semua unsur dijawab.")
    weight_exact: str = Field(description="Bobot yang sama sebagai pecahan, mis. 1/9.")


class QuestionnaireOut(Schema):
    version: str
    name: str
    weights: str = Field(description="Skema bobot: equal, custom, 0.111 atau 0.11.")
    current: bool = Field(description="Versi yang dipakai unit untuk jawaban baru.")
    unsur: list[QuestionnaireUnsurOut]


# -- responses -----------------------------------------------------------------------------------


class ResponseOut(Schema):
    id: int
    unit: str
    layanan: str
    period: str
    questionnaire: str
    submitted_at: datetime
    source: str
    answers: dict[str, int | None] = Field(description="Jawaban per kode unsur; null = kosong.")
    jenis_kelamin: str
    usia: int | None
    pendidikan: str
    pekerjaan: str
    saran: str
    entered_by: str | None = Field(description="Nama pengguna yang mengisi (kertas/staf).")


class ResponsePageOut(Schema):
    count: int = Field(description="Jumlah semua jawaban yang cocok dengan saringan.")
    page: int
    page_size: int
    items: list[ResponseOut]


# -- RTL and realisasi ---------------------------------------------------------------------------

Horizon = Literal["pendek", "menengah", "panjang"]


class SectionOut(Schema):
    code: str
    name: str


class EvidenceOut(Schema):
    id: int
    kind: str = Field(description="photo atau pdf.")
    original_name: str
    caption: str
    size: int
    width: int | None
    height: int | None
    uploaded_by: str | None
    uploaded_at: datetime
    order: int


class RealisasiOut(Schema):
    status: Literal["sudah", "belum"]
    tanggal: date | None
    deskripsi: str
    hambatan: str
    updated: datetime
    evidence: list[EvidenceOut]


class RtlItemOut(Schema):
    id: int
    unsur_codes: list[str]
    program: str
    quarters: list[str]
    months: list[str]
    horizon: str
    section: SectionOut
    target_indicator: str
    order: int
    done: bool
    overdue: bool
    realisasi: RealisasiOut | None


class RtlListOut(Schema):
    unit: str
    period: str
    planned: int
    done: int
    percent: float | None = Field(description="Persentase selesai (2 desimal); null tanpa RTL.")
    items: list[RtlItemOut]


Code = Annotated[Text, Field(max_length=10)]


class RtlItemIn(Schema):
    unsur_codes: list[Code] = Field(description="Kode prioritas unsur, mis. [\"U1\", \"U8\"].",
                                    min_length=1, max_length=30, examples=[["U1", "U8"]])
    program: Text = Field(max_length=5000, examples=["Pembinaan petugas melalui apel pagi"])
    quarters: list[Code] = Field([], max_length=40,
                                 description="Triwulan rencana, mis. [\"2024-TW3\"].")
    months: list[Code] = Field([], max_length=40,
                               description="Atau bulan rencana \"YYYY-MM\" (tidak keduanya).")
    horizon: Horizon = "pendek"
    section: Text = Field(max_length=40, description="Singkatan seksi penanggung jawab.",
                          examples=["Ekbang"])
    target_indicator: Text = Field("", max_length=5000)
    order: int | None = Field(None, ge=0, le=1_000_000, description="Urutan; kosong: di akhir.")


class RtlItemPatch(Schema):
    """Only the fields given change."""

    unsur_codes: list[Code] | None = Field(None, min_length=1, max_length=30)
    program: Text | None = Field(None, max_length=5000)
    quarters: list[Code] | None = Field(None, max_length=40)
    months: list[Code] | None = Field(None, max_length=40)
    horizon: Horizon | None = None
    section: Text | None = Field(None, max_length=40)
    target_indicator: Text | None = Field(None, max_length=5000)
    order: int | None = Field(None, ge=0, le=1_000_000)


class RealisasiIn(Schema):
    status: Literal["sudah", "belum"]
    tanggal: date | None = Field(None, description="Wajib untuk status sudah.")
    deskripsi: Text = Field("", max_length=5000)
    hambatan: Text = Field("", max_length=5000)


class HistoryOut(Schema):
    id: int
    item: int
    at: datetime
    user: str | None
    action: str
    changes: dict[str, list[Any]] = Field(description="Isian -> [lama, baru].")
