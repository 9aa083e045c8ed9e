"""Clients and matters for page tests, made through the services as the pages make them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import permissions
from core.services import matters as services
from core.tenancy import activate
from tests.factories import ctx_of, member_create


def client_make(membership, **data):
    ctx = ctx_of(membership)
    with activate(ctx):
        return services.client_create(
            ctx=ctx, data={"kind": "individual", "first_name": "Ann", "last_name": "Example", **data}
        )


def matter_make(membership, client, *, title="General advice", team=None, restricted=False, parties=None, reason=""):
    ctx = ctx_of(membership)
    with activate(ctx):
        return services.matter_create(
            ctx=ctx,
            client=client,
            data={"title": title, "is_restricted": restricted},
            team=[m.user_id for m in team or []],
            parties=parties or [],
            conflict_override_reason=reason,
        )


def paralegal_make(org, email="pat@test-law.ca"):
    return member_create(org, permissions.PARALEGAL, email=email, first_name="Pat", last_name="Paralegal")


def query_count(client, url, **extra) -> int:
    client.get(url, **extra)  # warm up: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)
