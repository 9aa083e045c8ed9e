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


# Clients, matters and parties: 5 rows and 200 rows cost the same.


def _clients_and_matters(owner, lawyer, count, start):
    from core.services import matters as matter_service
    from tests.matter_factories import area_of, client_make

    area = area_of(owner.org)
    ctx = ctx_of(owner)
    with scope(org=owner.org_id):
        for index in range(start, start + count):
            client = client_make(owner, f"Client {index:04d} Inc.")
            matter_service.matter_create(
                ctx=ctx,
                client=client,
                data={"title": f"Matter {index:04d}", "practice_area": area.pk, "responsible_lawyer": lawyer.user_id},
                team=[lawyer.user_id] if index % 2 else [],
                conflict_override_reason="bulk test data",
            )


def _same_cost(client, path, expected, rows, django_assert_num_queries):
    client.get(path)  # warm up, as _queries does
    with django_assert_num_queries(expected):
        response = client.get(path)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == rows


def test_the_client_and_matter_lists_cost_the_same_for_5_and_200_rows(
    owner, lawyer, api, api_for, django_assert_num_queries
):
    clients, matters = API + "/clients/?limit=200", API + "/matters/?limit=200"
    lawyer_api = api_for(lawyer)  # not an Owner: the wall is part of the query
    _clients_and_matters(owner, lawyer, 5, 0)
    few = {
        "clients": _queries(api, clients),
        "matters": _queries(api, matters),
        "walled": _queries(lawyer_api, matters),
    }
    assert api.get(matters).json()["count"] == 5

    _clients_and_matters(owner, lawyer, 195, 5)
    _same_cost(api, clients, few["clients"], 200, django_assert_num_queries)
    _same_cost(api, matters, few["matters"], 200, django_assert_num_queries)
    _same_cost(lawyer_api, matters, few["walled"], 200, django_assert_num_queries)


def test_the_parties_list_costs_the_same_for_5_and_200_rows(owner, api, django_assert_num_queries):
    from core.services import matters as matter_service
    from tests.matter_factories import client_make, matter_make

    matter = matter_make(owner, client_make(owner, "Party Host Inc."), "Many parties")
    ctx = ctx_of(owner)
    path = f"{API}/matters/{matter.pk}/parties/?limit=200"

    def add(count, start):
        with scope(org=owner.org_id):
            for index in range(start, start + count):
                matter_service.party_add(ctx=ctx, matter=matter, data={"name": f"Witness {index}", "role": "witness"})

    add(5, 0)
    few = _queries(api, path)
    add(195, 5)
    _same_cost(api, path, few, 200, django_assert_num_queries)
