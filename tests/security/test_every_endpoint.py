"""Every operation of the API, walked from its OpenAPI schema, so that endpoints added later are checked too.

For each operation that needs credentials: without them (or with bad ones) the answer is 401; a member
of another firm naming this firm's object gets 404; a member whose role lacks the declared permission
gets 403, and one whose role has only that permission gets through. Operations open to strangers, and
operations open to any member, are explicit allow-lists. Requests go through Django's client and the
real URLs (middleware included), with clients that enforce CSRF as a browser-facing server does.
"""

import uuid

import pytest
from django.test import Client
from django_scopes import scope

from core import permissions
from core.models import AuditEvent, Membership
from tests.conftest import bearer_client, cookie_login
from tests.factories import custom_role_create, member_create
from tests.security.objects import (
    MEMBER_OPERATIONS,
    OBJECT_FACTORIES,
    OPERATIONS,
    PUBLIC_OPERATIONS,
    SCHEMA,
    UnknownReference,
    bearer,
    call,
    path_ids,
    query_string,
    request_body,
    scoped_count,
    url_for,
)

SECURED = [op for op in OPERATIONS if op.secured]
PERMISSIONED = [op for op in SECURED if op.permission]
MEMBER_ONLY = [op for op in SECURED if not op.permission]
WITH_PATH_IDS = [op for op in SECURED if op.path_parameters]
UNSAFE_SECURED = [op for op in SECURED if op.unsafe]


def by_name(ops):
    return pytest.mark.parametrize("operation", ops, ids=[str(op) for op in ops])


def assert_error(response, status: int, operation) -> None:
    body = response.content.decode(errors="replace")[:300]
    assert response.status_code == status, f"{operation}: expected {status}, got {response.status_code}: {body}"
    assert response["Content-Type"].startswith("application/json"), f"{operation}: not JSON: {body}"
    detail = response.json().get("detail")
    assert isinstance(detail, str) and detail, f"{operation}: no 'detail' in {body}"


def firm_ids(operation, org):
    try:
        return path_ids(operation, org)
    except UnknownReference as error:
        pytest.fail(str(error))


# The schema, and the allow-lists that make every exception deliberate.


def test_the_served_schema_is_the_one_walked(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = {(m.upper(), p) for p, ms in response.json()["paths"].items() for m in ms}
    assert served == {op.key for op in OPERATIONS}
    assert len(OPERATIONS) >= 28  # the spine's operations at least; later areas only add


def test_public_operations_are_public_on_purpose():
    public = {op.key for op in OPERATIONS if not op.secured}
    unexpected = sorted(public - PUBLIC_OPERATIONS)
    assert not unexpected, (
        f"public operations not in PUBLIC_OPERATIONS (add auth, or list them on purpose): {unexpected}"
    )
    assert not sorted(PUBLIC_OPERATIONS - public), "PUBLIC_OPERATIONS lists operations the API no longer has open"


def test_operations_without_a_permission_are_listed_on_purpose():
    bare = {op.key for op in MEMBER_ONLY}
    unexpected = sorted(bare - MEMBER_OPERATIONS)
    assert not unexpected, (
        f"operations without x-permission (use requires()) and not in MEMBER_OPERATIONS: {unexpected}"
    )
    assert not sorted(MEMBER_OPERATIONS - bare), "MEMBER_OPERATIONS lists operations that no longer exist as such"


@by_name(PERMISSIONED)
def test_declared_permission_is_in_the_catalogue(operation):
    assert operation.permission in permissions.CATALOGUE, f"{operation}: unknown permission {operation.permission}"


@by_name([op for op in OPERATIONS if op.path_parameters])
def test_the_registry_knows_every_path_parameter(operation):
    unknown = [name for name in operation.path_parameters if name not in OBJECT_FACTORIES]
    assert not unknown, (
        f"{operation}: path parameters {unknown} are not in OBJECT_FACTORIES (tests/security/objects.py); "
        "add a function that creates such an object in a firm"
    )
    for parameter in operation.parameters("path"):
        assert parameter.get("schema", {}).get("format") == "uuid", f"{operation}: {parameter['name']} is not a UUID"


# (a) Without valid credentials: 401 with a detail.


def _no_credentials(org):
    return Client(enforce_csrf_checks=True)


def _unknown_token(org):
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer lfp_" + uuid.uuid4().hex)


def _malformed_bearer(org):
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer ")


def _deactivated_member(org):
    membership = member_create(org, permissions.ADMIN)
    client = bearer(membership)
    with scope(org=org.pk):
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
    return client


def _forged_cookie(org):
    client = Client(enforce_csrf_checks=True)
    client.cookies["lf_access"] = "not-a-jwt"
    return client


CREDENTIALS = {
    "none": _no_credentials,
    "unknown-token": _unknown_token,
    "empty-bearer": _malformed_bearer,
    "deactivated-member": _deactivated_member,
    "forged-cookie": _forged_cookie,
}


@by_name(SECURED)
@pytest.mark.parametrize("credentials", list(CREDENTIALS))
def test_without_valid_credentials_the_answer_is_401(operation, credentials, org):
    client = CREDENTIALS[credentials](org)
    url = url_for(operation, firm_ids(operation, org))
    response = call(client, operation, url, request_body(operation, org), query_string(operation, org))
    if credentials == "forged-cookie" and operation.unsafe:
        # A cookie-borne credential is checked for CSRF first: refused either way, never let through.
        assert response.status_code in (401, 403), f"{operation}: {response.status_code}"
        assert "detail" in response.json()
        return
    assert_error(response, 401, operation)


# (b) Another firm's object: 404, never 403, never 200, and nothing of that firm changes.


@by_name(WITH_PATH_IDS)
def test_another_firms_object_is_404(operation, owner, other_owner):
    firm_a, firm_b = owner.org, other_owner.org
    url = url_for(operation, firm_ids(operation, firm_a))
    client = bearer(other_owner)  # an Owner of firm B: every permission, so only the firm can stop them
    events_before = scoped_count(firm_a, AuditEvent)
    response = call(client, operation, url, request_body(operation, firm_b), query_string(operation, firm_b))
    assert_error(response, 404, operation)
    assert scoped_count(firm_a, AuditEvent) == events_before, f"{operation}: firm A's data changed"


# (c) A role without the declared permission: 403. (d) A role with only that permission: through.


@by_name(PERMISSIONED)
def test_a_role_without_the_permission_gets_403(operation, org):
    role = custom_role_create(org, "Everything but " + operation.permission, permissions.ALL - {operation.permission})
    client = bearer(member_create(org, role))
    url = url_for(operation, firm_ids(operation, org))
    # The objects the body names are made first: making them is audited, the request must add nothing.
    body, query = request_body(operation, org), query_string(operation, org)
    events_before = scoped_count(org, AuditEvent, outcome="success")
    response = call(client, operation, url, body, query)
    assert_error(response, 403, operation)
    assert scoped_count(org, AuditEvent, outcome="success") == events_before, f"{operation}: a write went through"


@by_name(PERMISSIONED)
def test_the_declared_permission_is_enough(operation, org):
    role = custom_role_create(org, "Only " + operation.permission, {operation.permission})
    client = bearer(member_create(org, role))
    url = url_for(operation, firm_ids(operation, org))
    response = call(client, operation, url, request_body(operation, org), query_string(operation, org))
    body = response.content.decode(errors="replace")[:300]
    assert 200 <= response.status_code < 300, (
        f"{operation}: a role with exactly {operation.permission!r} (the declared one) got "
        f"{response.status_code}: {body}; the operation checks something it does not declare"
    )


@by_name(MEMBER_ONLY)
def test_member_operations_need_no_permission(operation, org):
    client = bearer(member_create(org, custom_role_create(org, "Nothing at all", set())))
    url = url_for(operation, firm_ids(operation, org))
    response = call(client, operation, url, request_body(operation, org), query_string(operation, org))
    assert response.status_code not in (401, 403), f"{operation}: {response.status_code} {response.content[:200]}"
    assert response.status_code < 500


# CSRF: Bearer requests need none; cookie-authenticated unsafe requests do, public sign-in ones too.


def test_a_bearer_request_needs_no_csrf_token(owner):
    client = bearer(owner)
    assert client.get("/api/v1/auth/csrf/").status_code == 200  # the cookie exists, but no header is sent
    response = client.post("/api/v1/api-tokens/", {"name": "No CSRF"}, content_type="application/json")
    assert response.status_code == 201, response.content


@by_name(UNSAFE_SECURED)
def test_a_cookie_request_without_the_csrf_header_is_403(operation, owner, browser_client):
    response, csrf = cookie_login(browser_client, owner.user.email)
    assert response.status_code == 200
    url = url_for(operation, firm_ids(operation, owner.org))
    body, query = request_body(operation, owner.org), query_string(operation, owner.org)
    events_before = scoped_count(owner.org, AuditEvent, outcome="success")
    assert_error(call(browser_client, operation, url, body, query), 403, operation)
    assert scoped_count(owner.org, AuditEvent, outcome="success") == events_before
    # The same request with the token is not refused for CSRF or credentials.
    accepted = call(browser_client, operation, url, body, query, HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code not in (401, 403), f"{operation}: {accepted.status_code} {accepted.content[:200]}"


@pytest.mark.parametrize("path", ["/api/v1/auth/login/", "/api/v1/auth/logout/", "/api/v1/auth/refresh/"])
def test_sign_in_operations_check_csrf(path, owner, browser_client):
    browser_client.get("/api/v1/auth/csrf/")  # the cookie, without the header
    body = {"email": owner.user.email, "password": "Passw0rd!123"}
    response = browser_client.post(path, body, content_type="application/json")
    assert_error(response, 403, f"POST {path}")
    assert "lf_access" not in response.cookies


def test_every_secured_operation_is_covered():
    """The parametrized lists above are derived from the schema; make their reach visible and non-empty."""
    assert SECURED and PERMISSIONED and WITH_PATH_IDS and UNSAFE_SECURED
    assert {op.key for op in SECURED} | PUBLIC_OPERATIONS == {op.key for op in OPERATIONS}
    assert len(SCHEMA["paths"]) > 0


def test_bearer_client_helper_is_real(owner):
    """Guard against a helper that would make the checks above vacuous: the token does authenticate."""
    response = bearer_client(owner).get("/api/v1/users/me/")
    assert response.status_code == 200
    assert response.json()["email"] == owner.user.email
