"""Schemathesis over every operation of the served schema: no input, valid or not, makes a 5xx.

Each operation gets its own test (so a failure names it) that loads the schema from the real URL
through the WSGI application and runs a bounded Hypothesis search of positive and negative cases
(schema-valid and schema-violating data): once as a firm's Owner with a Bearer token, once without
credentials. Half the cases name real objects of the Owner's firm in the path (from the one registry
in tests/security/objects.py), so bodies reach the services instead of stopping at a 404.

Database: `transactional_db`, not `db`. The application is called in-process (same thread, same
connection), so no live server is needed, but it must commit like in production: `on_commit` hooks
(huey jobs in immediate mode: invitation and welcome emails) then run and are fuzzed too, where under
`db` they would silently never fire; and on PostgreSQL one failed statement inside a test-wide
transaction would abort it and turn every later case into a spurious 500.
"""

import os

import pytest
import schemathesis
from django.db import connection
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from core.models import Organization
from lawfirm.wsgi import application
from tests.conftest import bearer_client
from tests.security.objects import OPERATIONS, path_ids

# Bounded so the file runs in well under three minutes on two cores; raise it for a deeper local search.
MAX_EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# A CSRF cookie and the same token in the header, so the operations that check CSRF for cookie
# sessions (sign-in, refresh, logout, MFA verify) are fuzzed past that check.
CSRF_SECRET = "s3curitysuitecsrfsecret000000000"  # 32 characters: a valid unmasked token


@pytest.fixture
def served_schema(transactional_db):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def cases(schema, operation):
    api_operation = schema[operation.path][operation.method]
    return st.one_of(
        api_operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        api_operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def fuzz(schema, operation, headers, org=None, after=None, expect=None):
    """Run the bounded search; `org` puts its real objects in the path of about half the cases;
    `expect(case, response)` adds an assertion of the caller's to the no-5xx check."""

    @FUZZ
    @given(case=cases(schema, operation), real_ids=st.booleans())
    def run(case, real_ids):
        if org is not None and real_ids and operation.path_parameters:
            real = {name: str(value) for name, value in path_ids(operation, org).items()}
            case.path_parameters = {**(case.path_parameters or {}), **real}
        response = case.call(headers={**headers, "X-CSRFToken": CSRF_SECRET}, cookies={"csrftoken": CSRF_SECRET})
        try:
            case.validate_response(response, checks=[not_a_server_error])
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
            if expect is not None:
                expect(case, response)
        finally:
            if after is not None:
                after()

    run()


def _operation_ids(ops):
    return [str(op) for op in ops]


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=_operation_ids(OPERATIONS))
def test_no_server_error_as_an_owner(operation, served_schema, owner):
    token = bearer_client(owner).defaults["HTTP_AUTHORIZATION"]
    org_id = owner.org.pk

    def keep_the_owner_in():
        # A fuzzed PUT /org/ may turn on "require MFA", which would lock the Owner out of the rest of
        # the search (403 everywhere); put it back so later cases still reach the services.
        with scopes_disabled():
            Organization.objects.filter(pk=org_id, require_mfa=True).update(require_mfa=False)

    fuzz(served_schema, operation, {"Authorization": token}, owner.org, keep_the_owner_in)
    assert connection.is_usable()


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=_operation_ids(OPERATIONS))
def test_no_server_error_without_credentials(operation, served_schema, org):
    def refused_if_secured(case, response):
        # A path that is not a UUID never reaches the API (Django's URL resolver answers 404);
        # everything that does reach a secured operation is refused for want of credentials.
        if operation.secured:
            assert response.status_code in (401, 404), f"{case.path_parameters}: {response.status_code}"

    fuzz(served_schema, operation, {}, org, expect=refused_if_secured)
