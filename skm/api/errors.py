"""One error shape for every 4xx of the API (docs/api.md):

    {"detail": "<what went wrong>", "errors": [{"field": "<isian>", "message": "<pesan>"}]}

``errors`` is empty for 401/403/404; for 422 it names each bad field (a body field, a query or
path parameter, an unsur code, or ``__all__`` for the request as a whole). Handlers turn every
exception the API raises (its own, ninja's, pydantic's through ninja, Django's Http404) into it,
so a client never sees HTML or a bare message.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class ApiError(Exception):
    """Raised by endpoints: becomes ``status`` with the body above."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def field_errors(mapping) -> list[dict]:
    """``{"U3": "...", "usia": ["...", "..."]}`` (as record_response and Django forms give
    them) as ``[{"field": "U3", "message": "..."}, ...]``."""
    errors = []
    for field, messages in mapping.items():
        if isinstance(messages, str):
            messages = [messages]
        for message in messages:
            errors.append({"field": field, "message": str(message)})
    return errors


def invalid(errors: list[dict]) -> ApiError:
    """422 for these field errors."""
    return ApiError(422, _("Data tidak valid; lihat errors."), errors)


def invalid_field(field: str, message: str) -> ApiError:
    return invalid([{"field": field, "message": message}])


def not_found(detail: str) -> ApiError:
    return ApiError(404, detail)


def pydantic_message(error: dict) -> str:
    """An Indonesian message for one pydantic error of a request."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Wajib diisi.")
    if kind == "literal_error" or kind == "enum":
        expected = str(ctx.get("expected", "")).replace(" or ", _(" atau "))
        return _("Pilih salah satu: %(expected)s.") % {"expected": expected}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Paling kecil %(value)s.") % {"value": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Paling besar %(value)s.") % {"value": ctx.get("le", ctx.get("lt"))}
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("Harus bilangan bulat.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Harus true atau false.")
    if kind in ("string_type", "string_unicode"):
        return _("Harus teks.")
    if kind == "string_too_long":
        return _("Paling banyak %(n)s huruf.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Wajib diisi.")
    if kind == "string_pattern_mismatch":
        return _("Bentuknya tidak sah.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Harus daftar (array JSON).")
    if kind == "too_long":
        return _("Terlalu banyak isian.")
    if kind in ("dict_type", "model_attributes_type", "model_type"):
        return _("Harus objek JSON.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Tanggal tidak sah; tulis seperti 2024-09-17 (atau 2024-09-17T10:00:00+07:00).")
    if kind == "value_error":
        message = str(ctx.get("error", "")) or str(error.get("msg", ""))
        return message or _("Nilai tidak valid.")
    return _("Nilai tidak valid.")


def pydantic_errors(errors) -> list[dict]:
    """ninja's ValidationError.errors as field errors: ``loc`` without its source (body,
    query, path, file, form) and without ninja's parameter-group name."""
    found: list[dict] = []
    seen = set()
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "file", "form", "header", "cookie"):
            loc = loc[1:]
        if loc and loc[0] in ("payload", "filters", "options", "data"):
            loc = loc[1:]
        field = ".".join(loc) or "__all__"
        if field in seen:
            continue
        seen.add(field)
        found.append({"field": field, "message": pydantic_message(error)})
    return found
