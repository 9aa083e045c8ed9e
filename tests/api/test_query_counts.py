"""A list endpoint costs the same number of queries for 5 rows and for 100."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from core import permissions
from core.services import audit
from tests.api.helpers import API
from tests.factories import ctx_of, member_create


def _queries(client, path) -> int:
    client.get(path)  # warm up: the token's last-used time is written once a minute, not on every request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def _add_members(org, count, start):
    for index in range(start, start + count):
        membership = member_create(org, permissions.LAWYER, email=f"lawyer{index}@test-law.ca")
        if index % 3 == 0:
            TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)


def test_the_people_list_costs_the_same_for_5_and_100_rows(owner, api):
    _add_members(owner.org, 4, 0)
    path = API + "/users/?limit=200"
    few = _queries(api, path)
    assert api.get(path).json()["count"] == 5

    _add_members(owner.org, 95, 4)
    many = _queries(api, path)
    assert len(api.get(path).json()["results"]) == 100

    assert few == many


def test_the_audit_list_costs_the_same_for_5_and_100_rows(owner, lawyer, api):
    ctx, lawyer_ctx = ctx_of(owner), ctx_of(lawyer)
    path = API + "/audit-events/?action=test.count&limit=200"

    def add(count):
        with scope(org=owner.org_id):
            for index in range(count):
                audit.record(ctx if index % 2 else lawyer_ctx, "test.count", target=lawyer.user, changes={"n": index})

    add(5)
    few = _queries(api, path)
    add(95)
    many = _queries(api, path)
    assert api.get(path).json()["count"] == 100

    assert few == many


def test_the_roles_and_tokens_lists_cost_the_same_for_few_and_many_rows(owner, api, api_for):
    from tests.factories import custom_role_create

    roles, tokens = API + "/roles/?limit=200", API + "/api-tokens/?limit=200"
    few = (_queries(api, roles), _queries(api, tokens))
    for index in range(30):
        custom_role_create(owner.org, f"Custom {index}", ["users.view"])
        api_for(member_create(owner.org, permissions.LAWYER, email=f"t{index}@test-law.ca"))
    many = (_queries(api, roles), _queries(api, tokens))
    assert few == many
