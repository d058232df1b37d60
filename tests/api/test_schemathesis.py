"""schemathesis against /api/v1/openapi.json, through the real WSGI application, with a valid
token on a small database: no request gives a 500, and every response conforms to the document
(status code, content type, body schema).

Each operation is tried with generated data, its path pinned to the fixture's unit, period and
RTL item (so the endpoints do their real work; 20 examples), and with negative data, path
included (invalid on purpose: a 4xx, never a 500; 10 examples).
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from skm.api.models import ApiToken
from skm.followup.models import RtlItem
from skm.units.models import Membership
from tests.factories import make_user, region_with_rows
from tests.followup.helpers import seed_items

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 20


@pytest.fixture
def wsgi_app(settings, tmp_path):
    """The project's WSGI handler, in the test's transaction: like Django's test client, keep
    the request signals from closing the test's database connection."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.MEDIA_ROOT = tmp_path / "media"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _pinned(operation, item_id: int) -> dict:
    names = {p.name for p in operation.path_parameters}
    values = {"slug": "jatinegara-kaum", "period": "2024-S2", "item_id": item_id,
              "evidence_id": 1}
    return {name: values[name] for name in names if name in values}


def test_every_operation_conforms_and_never_fails(wsgi_app):
    region = region_with_rows()
    seed_items(region)
    operator = make_user("operator", region.kelurahan, Membership.Role.OPERATOR)
    key = ApiToken.issue("staff", "schemathesis", user=operator)[1]
    item_id = RtlItem.objects.filter(unit=region.kelurahan).order_by("pk").first().pk
    headers = {"Authorization": f"Bearer {key}"}

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    tried = set()
    for operation in operations:
        pinned = _pinned(operation, item_id)
        runs = [(GenerationMode.POSITIVE, pinned, EXAMPLES),
                (GenerationMode.NEGATIVE, {}, EXAMPLES // 2)]
        for mode, path_parameters, examples in runs:
            strategy = operation.as_strategy(generation_mode=mode,
                                             path_parameters=path_parameters or None)

            @given(case=strategy)
            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                tried.add((case.operation.label, response.status_code))
                case.validate_response(response, checks=CHECKS, headers=headers)

            run()
    # the pinned runs reached the endpoints' real work, not only 404s
    assert any(status == 200 for _label, status in tried)
    assert any(status == 201 for _label, status in tried)
