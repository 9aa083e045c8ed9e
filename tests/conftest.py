from dataclasses import replace

import pytest
from django.core.cache import cache
from django.test import Client

from core import permissions
from core.services import firms as firm_service
from core.tenancy import activate
from tests.factories import PASSWORD, ctx_of, firm_create, member_create


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    """Olivia, Owner of Test Law LLP."""
    return firm_create("Test Law LLP", owner_email="olivia@test-law.ca")


@pytest.fixture
def org(owner):
    return owner.org


@pytest.fixture
def lawyer(org):
    return member_create(org, permissions.LAWYER, email="liam@test-law.ca", first_name="Liam", last_name="Lawyer")


@pytest.fixture
def bookkeeper(org):
    return member_create(org, permissions.BOOKKEEPER, email="ben@test-law.ca", first_name="Ben", last_name="Books")


@pytest.fixture
def other_owner(db):
    """Noah, Owner of another firm: nothing of Test Law LLP may reach him."""
    return firm_create("Other Firm LLP", province="BC", owner_email="noah@other-firm.ca")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def ctx(owner):
    return ctx_of(owner)


@pytest.fixture
def in_scope(org):
    with activate(org):
        yield


def bearer_client(membership) -> Client:
    """A Django test client (middleware included) carrying a real API token of this member."""
    ctx = ctx_of(membership)
    # Tests give every member a token, whatever their role may do with tokens through the API.
    ctx = replace(ctx, permissions=ctx.permissions | {"api_tokens.manage"})
    with activate(ctx):
        _token, secret = firm_service.api_token_create(ctx=ctx, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def api(owner):
    """The Owner's API client (bearer token)."""
    return bearer_client(owner)


@pytest.fixture
def api_for():
    return bearer_client


def cookie_login(client: Client, email: str, password: str = PASSWORD):
    """Sign in through /auth/login/ like a browser: CSRF cookie first, then the token in a header."""
    csrf = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login/",
        {"email": email, "password": password},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    return response, csrf


@pytest.fixture
def browser_client():
    """A client that enforces CSRF, as a browser would experience it."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def clear_of_step_boundary():
    """For tests that type TOTP codes: start early in a 30-second step (see away_from_step_boundary)."""
    from tests.api.helpers import away_from_step_boundary

    away_from_step_boundary()
