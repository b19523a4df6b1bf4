"""schemathesis over /api/openapi.json (issue 17): every operation, as anonymous and as the
holder of an agency's API key; no 5xx, and every answer matches the published schema.

Bounded for CI: API_EXAMPLES examples per operation and caller (default 25).
`API_EXAMPLES=500 script/test core/tests/test_api_schemathesis.py` for a long run.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from service_points import services
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory

EXAMPLES = int(os.environ.get("API_EXAMPLES", "25"))


@pytest.fixture
def operations(db, settings):
    settings.ALLOWED_HOSTS = ["*"]
    # As Django's test client does: a request's start and end must not close the connection
    # that holds the test's transaction (PostgreSQL).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        yield [result.ok() for result in schema.get_all_operations()]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def points(agency_a):
    PublishedPointFactory(agency=agency_a)
    ServicePointFactory(agency=agency_a)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _drive(operations: list, headers: dict) -> None:
    assert len(operations) >= 13  # every operation of the published API
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()


def test_the_api_answers_anonymous_callers_within_its_schema(operations, points):
    _drive(operations, {})


def test_the_api_answers_an_api_key_holder_within_its_schema(operations, points, agency_a, admin_a):
    key = services.api_key_create(agency=agency_a, by=admin_a, name="ERP")[1]
    _drive(operations, {"X-API-Key": key})
