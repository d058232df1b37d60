"""The API's permission matrix: every operation of ``/api/v1/openapi.json``, with tokens of
every scope for every user (and kiosk tokens), on an own and two foreign units.

``OPERATIONS`` classifies every operationId; a new operation that is not in it fails
``test_every_operation_is_classified``. Denied answers are 401 (no token), 403 (a scope the
token lacks) or 404 (a unit the user may not use), always in the JSON error shape; never a 200
with another unit's data, never a 500, and a denied change writes nothing.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client

from skm.api.models import ApiToken
from tests.security import test_permission_matrix as web
from tests.security.test_permission_matrix import (
    MANAGES,
    READS,
    TARGETS,
    _png,
    changed_tables,
    fingerprint,
)

world = web.world  # the same units, users and objects as the web matrix

#: operationId -> (what it needs, scope); what it needs: "read"/"manage" a unit named in the
#: path (or in ?unit= / the body), "list" (a list filtered to what the user may read),
#: "respond" (POST /responses: a kiosk token of the unit, or write on a unit the user manages)
OPERATIONS = {
    "list_units": ("list", "read"),
    "get_unit": ("read", "read"),
    "list_layanan": ("read", "read"),
    "list_periods": ("list", "read"),
    "list_questionnaires": ("read", "read"),
    "post_response": ("respond", "write"),
    "list_responses": ("manage", "read"),  # single responses: personal data
    "get_unit_results": ("read", "read"),
    "list_rtl": ("read", "read"),
    "create_rtl": ("manage", "write"),
    "get_rtl": ("read", "read"),
    "update_rtl": ("manage", "write"),
    "get_realisasi": ("read", "read"),
    "put_realisasi": ("manage", "write"),
    "list_evidence": ("read", "read"),
    "get_evidence_file": ("read", "read"),
    "get_evidence_thumbnail": ("read", "read"),
    "upload_evidence": ("manage", "write"),
    "delete_evidence": ("manage", "write"),
    "rtl_history": ("read", "read"),
}

ANSWERS = {f"U{i}": 4 for i in range(1, 10)}
STAFF_USERS = ["viewer", "operator", "supervisor", "outsider", "other_supervisor", "staff",
               "admin"]
#: (label, kind, owner, scopes): one token each
TOKENS = [(f"{who}/{'+'.join(scopes)}", "staff", who, scopes)
          for who in STAFF_USERS for scopes in (["read"], ["write"])]
TOKENS += [("kiosk/own", "kiosk", "own", ["kiosk"]), ("kiosk/sibling", "kiosk", "sibling",
                                                       ["kiosk"])]
ERROR_KEYS = {"detail", "errors"}


def operations(client) -> list[tuple[str, str, str]]:
    """(operationId, method, path) of every operation in the OpenAPI document."""
    document = client.get("/api/v1/openapi.json").json()
    return [(op["operationId"], method.upper(), path)
            for path, ops in document["paths"].items() for method, op in ops.items()]


def body_for(operation: str, target) -> tuple[object, str | None]:
    """A valid body (and its content type) for the operations that take one."""
    if operation == "post_response":
        return {"unit": target.unit.slug, "layanan": target.layanan.slug,
                "answers": ANSWERS}, "application/json"
    if operation == "create_rtl":
        return {"unsur_codes": ["U1"], "program": "Program curian", "quarters": ["2024-TW4"],
                "section": "Ekbang"}, "application/json"
    if operation == "update_rtl":
        return {"program": "Diubah"}, "application/json"
    if operation == "put_realisasi":
        return {"status": "sudah", "tanggal": "2024-10-01",
                "deskripsi": "Selesai"}, "application/json"
    if operation == "upload_evidence":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {"files": [SimpleUploadedFile("foto.png", _png(), "image/png")]}, None
    return None, None


def url_for(path: str, operation: str, target, period) -> str:
    url = (path.replace("{slug}", target.unit.slug).replace("{period}", period.code)
           .replace("{item_id}", str(target.item.pk))
           .replace("{evidence_id}", str(target.evidence.pk)))
    if operation == "list_responses":
        url += f"?unit={target.unit.slug}"
    return url


def call(client, method, url, body, content_type, key):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["data"] = json.dumps(body) if content_type else body
        if content_type:
            kwargs["content_type"] = content_type
    return request_with(getattr(client, method.lower()), url, kwargs, watch=method != "GET")


def request_with(send, url, kwargs, watch):
    """``send`` in a rolled-back transaction (every request sees the same data), returning
    the response and, for a change (``watch``), the tables it changed."""
    with transaction.atomic():
        before = fingerprint() if watch else None
        response = send(url, **kwargs)
        changed = changed_tables(before, fingerprint()) if watch else []
        transaction.set_rollback(True)
    return response, changed


def expected(operation: str, kind: str, owner: str, scopes: list[str], target: str) -> int:
    """The status class the matrix expects: 200 (allowed), 403 or 404."""
    needs, scope = OPERATIONS[operation]
    if needs == "respond":
        if kind == "kiosk":
            return 200 if owner == target else 404
        if "write" not in scopes:
            return 403
        return 200 if target in MANAGES[owner] else 404
    if kind == "kiosk" or scope not in scopes:
        return 403
    if needs == "list":
        return 200
    allowed = READS[owner] if needs == "read" else MANAGES[owner]
    return 200 if target in allowed else 404


def assert_error_shape(response) -> str | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return "not JSON"
    data = response.json()
    if set(data) != ERROR_KEYS or not data["detail"]:
        return f"not the error shape: {data}"
    return None


@pytest.mark.django_db
def test_every_operation_is_classified(client):
    missing = [f"{op} ({method} {path})" for op, method, path in operations(client)
               if op not in OPERATIONS]
    assert not missing, (
        "Classify these API operations in OPERATIONS of "
        "tests/security/test_api_permission_matrix.py: " + ", ".join(missing))
    stale = set(OPERATIONS) - {op for op, _m, _p in operations(client)}
    assert not stale, f"OPERATIONS names operations that no longer exist: {sorted(stale)}"


@pytest.fixture
def keys(world):
    _region, users, targets = world
    found = {}
    for label, kind, owner, scopes in TOKENS:
        if kind == "kiosk":
            found[label] = ApiToken.issue("kiosk", label, unit=targets[owner].unit,
                                          scopes=scopes)[1]
        else:
            found[label] = ApiToken.issue("staff", label, user=users[owner], scopes=scopes)[1]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("label", [t[0] for t in TOKENS])
def test_api_permission_matrix(world, keys, label):
    region, _users, targets = world
    _label, kind, owner, scopes = next(t for t in TOKENS if t[0] == label)
    client = Client(raise_request_exception=False)
    secrets = {name: targets[name].unit.slug for name in TARGETS
               if kind == "staff" and name not in READS[owner]}
    failures = []
    for operation, method, path in operations(client):
        unit_bound = "{slug}" in path or operation in ("post_response", "list_responses")
        for target in (TARGETS if unit_bound else ["own"]):
            url = url_for(path, operation, targets[target], region.period)
            body, content_type = body_for(operation, targets[target])
            response, changed = call(client, method, url, body, content_type, keys[label])
            want = expected(operation, kind, owner, scopes, target)
            status = response.status_code
            problem = None
            if status >= 500:
                problem = f"server error {status}"
            elif want == 200:
                if status in (401, 403, 404):
                    problem = f"{status} for an allowed token"
                elif status < 300 and operation in ("list_units", "list_responses"):
                    shown = [name for name, slug in secrets.items()
                             if f'"{slug}"' in response.content.decode()]
                    if shown:
                        problem = f"lists units it may not read: {shown}"
            else:
                if status != want:
                    problem = f"{status}, expected {want}"
                else:
                    problem = assert_error_shape(response)
                if problem is None and changed:
                    problem = f"a denied {method} changed {changed}"
            if problem:
                failures.append(f"{label} {method} {url} [{operation}, {target}]: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_no_token_and_a_wrong_token_are_401(world):
    region, _users, targets = world
    client = Client(raise_request_exception=False)
    failures = []
    for operation, method, path in operations(client):
        url = url_for(path, operation, targets["own"], region.period)
        body, content_type = body_for(operation, targets["own"])
        for key in (None, "x" * 43):
            response, changed = call(client, method, url, body, content_type, key)
            if response.status_code != 401 or assert_error_shape(response) or changed:
                failures.append(f"{method} {url} key={key!r}: {response.status_code} {changed}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_an_allowed_write_really_writes(world, keys):
    """The "changed nothing" check sees changes: the operator's write token does post."""
    region, _users, targets = world
    client = Client()
    body, content_type = body_for("post_response", targets["own"])
    response, changed = call(client, "POST", "/api/v1/responses", body, content_type,
                             keys["operator/write"])
    assert response.status_code == 201, response.content
    assert "surveys.Response" in changed

