"""Generated requests against every operation of /api/v1/openapi.json, through the app's WSGI interface (no network):
a bounded, derandomised number of examples per operation; no answer may be a 5xx, and answers must match the
documented content type and, where the document gives one, the response schema.

Bearer-protected operations are called with an organiser's token and with none, so that both the access check and
the handlers behind it see generated input.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.conftest import PASSWORD

pytestmark = pytest.mark.schemathesis

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))  # more for a deeper local run


def _load_schema():
    """The document as the app serves it, read at collection time through WSGI from an app of the same code (serving
    it touches no database); the requests then go to the suite's app (below)."""
    from hub import create_app

    loader = create_app({"TESTING": True, "SECRET_KEY": "schemathesis", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                         "RATELIMIT_ENABLED": False})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", loader)


schema = _load_schema()


@pytest.fixture(autouse=True)
def _send_to_the_test_app(app):
    """Requests go to the suite's app (its database, inside the test's rolled-back transaction)."""
    loader, schema.app = schema.app, app
    yield
    schema.app = loader


@pytest.fixture
def organiser_header(app, client, make_user):
    make_user(role="organiser", email="schemathesis@example.jp")
    response = client.post("/api/v1/auth/token", json={"email": "schemathesis@example.jp", "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_generated_requests_without_a_server_error(case, organiser_header):
    checks = [not_a_server_error, content_type_conformance, response_schema_conformance]
    case.call_and_validate(checks=checks)
    if case.operation.definition.raw.get("security"):
        case.call_and_validate(headers=organiser_header, checks=checks)


def test_chain_step_without_a_factory_is_documented_as_null(client):
    """Found by the generated requests: a step nobody can do answers ``"factory": null`` (as CONTRACTS.md says),
    but the document declared an object."""
    response = client.post("/api/v1/match/chain", json={"steps": ["\u00b1]\u0011", "title_en"]})
    assert response.status_code == 200 and response.get_json()["steps"][0]["factory"] is None
    document = client.get("/api/v1/openapi.json").get_json()
    step = document["paths"]["/match/chain"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert step["properties"]["steps"]["items"]["properties"]["factory"]["nullable"] is True
