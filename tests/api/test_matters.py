"""/matters/ and its parties: open (with the conflict check), list with filters, retrieve, update, status,
parties; money as strings; closed matters 409; walls on every surface."""

import uuid

import pytest
from django.utils import timezone
from django_scopes import scope

from core import permissions
from core.models import ConflictCheck, Matter
from tests.api.helpers import API, last_event, patch, post
from tests.factories import member_create
from tests.matter_factories import area_of, client_make, matter_close, matter_make, party_make

YEAR = timezone.localdate().year
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def acme(owner):
    return client_make(owner, "Acme Holdings Ltd.")


@pytest.fixture
def paralegal(org):
    return member_create(org, permissions.PARALEGAL, email="priya@test-law.ca", first_name="Priya", last_name="Para")


@pytest.fixture
def outsider(org):
    """A Lawyer of the firm who is on no walled matter's team."""
    return member_create(org, permissions.LAWYER, email="oscar@test-law.ca", first_name="Oscar", last_name="Out")


@pytest.fixture
def walled(owner, lawyer):
    client = client_make(owner, "Northwind Developments Ltd.")
    return matter_make(
        owner,
        client,
        "Project Aurora: confidential acquisition",
        is_restricted=True,
        team=[lawyer],
        parties=[{"name": "Aurora Biotech Inc.", "role": "other"}],
        hourly_rate="550.00",
    )


def _numbers(response):
    assert response.status_code == 200, response.content
    return [matter["number"] for matter in response.json()["results"]]


# Opening.


def test_open_answers_201_with_the_matter_and_money_as_strings(owner, lawyer, acme, api):
    area = area_of(owner.org)
    response = post(
        api,
        "/matters/",
        {
            "client": str(acme.pk),
            "title": "Supply agreement dispute",
            "description": "Late deliveries.",
            "practice_area": str(area.pk),
            "responsible_lawyer": str(lawyer.user_id),
            "originating_lawyer": str(owner.user_id),
            "billing_method": "hourly",
            "hourly_rate": "425",
            "budget": 60000,
            "team": [str(lawyer.user_id)],
            "parties": [{"name": "Boreal Freight Corp.", "role": "adverse_party"}],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == f"{YEAR}-0001"
    assert body["client"] == {"id": str(acme.pk), "name": "Acme Holdings Ltd."}
    assert body["practice_area"] == {"id": str(area.pk), "name": "Litigation"}
    assert body["status"] == "open" and body["opened_on"] == TODAY
    assert (body["pending_on"], body["closed_on"]) == (None, None)
    assert body["responsible_lawyer"] == {"id": str(lawyer.user_id), "email": "liam@test-law.ca", "name": "Liam Lawyer"}
    assert body["originating_lawyer"]["email"] == "olivia@test-law.ca"
    assert (body["hourly_rate"], body["budget"], body["currency"]) == ("425.00", "60000.00", "CAD")
    assert (body["flat_fee"], body["contingency_percent"]) == (None, None)
    assert body["restricted"] is False
    assert [person["email"] for person in body["team"]] == ["liam@test-law.ca"]
    assert last_event(owner.org, "matter.opened").target_id == body["id"]

    second = post(api, "/matters/", {"client": str(acme.pk), "title": "Second"}).json()
    assert second["number"] == f"{YEAR}-0002"


def test_open_flat_fee_and_contingency_terms(owner, acme, api):
    flat = post(
        api, "/matters/", {"client": str(acme.pk), "title": "Will", "billing_method": "flat_fee", "flat_fee": 1800.5}
    )
    assert flat.status_code == 201, flat.content
    assert flat.json()["flat_fee"] == "1800.50"
    share = post(
        api,
        "/matters/",
        {"client": str(acme.pk), "title": "Claim", "billing_method": "contingency", "contingency_percent": "30"},
    )
    assert share.status_code == 201, share.content
    assert share.json()["contingency_percent"] == "30.00"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"client": "not-a-uuid"}, "client"),
        ({"billing_method": "barter"}, "billing_method"),
        ({"billing_method": "flat_fee"}, "flat_fee"),
        ({"billing_method": "contingency"}, "contingency_percent"),
        ({"contingency_percent": "100.5"}, "contingency_percent"),
        ({"hourly_rate": "-5"}, "hourly_rate"),
        ({"hourly_rate": "12.345"}, "hourly_rate"),
        ({"hourly_rate": "123456789012"}, "hourly_rate"),
        ({"hourly_rate": "lots"}, "hourly_rate"),
        ({"budget": True}, "budget"),
        ({"practice_area": str(uuid.uuid4())}, "practice_area"),
        ({"responsible_lawyer": str(uuid.uuid4())}, "responsible_lawyer"),
        ({"team": [str(uuid.uuid4())]}, "team"),
        ({"team": "everyone"}, "team"),
        ({"parties": [{"name": "X", "role": "judge"}]}, "parties.0.role"),
        ({"parties": [{"name": "", "role": "witness"}]}, "parties.0.name"),
        ({"parties": [{"name": "X", "role": "witness", "email": "nope"}]}, "parties.0.email"),
    ],
)
def test_open_refuses_bad_input_per_field(owner, acme, api, data, field):
    response = post(api, "/matters/", {"client": str(acme.pk), "title": "Valid", **data})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    with scope(org=owner.org_id):
        assert not Matter.objects.exists()


def test_a_bad_amount_never_becomes_a_500(owner, acme, api):
    for raw in ('"NaN"', '"Infinity"', "1e999", "NaN", '"1e-999"', '""'):
        body = f'{{"client": "{acme.pk}", "title": "T", "hourly_rate": {raw}}}'
        response = api.post(API + "/matters/", body, content_type="application/json")
        assert response.status_code in (201, 400), (raw, response.content)


def test_open_for_an_archived_client_is_409(owner, acme, api):
    patch(api, f"/clients/{acme.pk}/", {"active": False})
    response = post(api, "/matters/", {"client": str(acme.pk), "title": "More work"})
    assert response.status_code == 409
    assert response.json()["detail"]


def test_open_with_conflict_hits_needs_a_reason(owner, acme, api):
    client_make(owner, kind="individual", first_name="Jean-François", last_name="Tremblay")
    body = {
        "client": str(acme.pk),
        "title": "Claim against Tremblay",
        "parties": [{"name": "Jean-Francois Tremblai", "role": "adverse_party"}],
    }

    refused = post(api, "/matters/", body)
    assert refused.status_code == 409
    assert "conflict" in refused.json()["detail"].lower()

    opened = post(api, "/matters/", {**body, "conflict_override_reason": "Written consent on file."})
    assert opened.status_code == 201, opened.content
    assert opened.json()["number"] == f"{YEAR}-0001"  # the refusal took no number

    checks = api.get(f"{API}/matters/{opened.json()['id']}/conflict-checks/").json()
    assert checks["count"] == 1
    check = checks["results"][0]
    assert check["query"] == "Acme Holdings Ltd.; Jean-Francois Tremblai"
    assert check["hit_count"] == 1 and check["override_reason"] == "Written consent on file."
    assert check["run_by"] == "olivia@test-law.ca"
    assert check["results"][0]["name"] == "Jean-François Tremblay"
    assert check["results"][0]["reason"] == "Client: similar name (tremblai ≈ tremblay)"
    assert last_event(owner.org, "conflict_check.recorded").changes["override_reason"] == "Written consent on file."


def test_only_an_owner_opens_a_restricted_matter(owner, lawyer, acme, api, api_for):
    refused = post(api_for(lawyer), "/matters/", {"client": str(acme.pk), "title": "Secret", "restricted": True})
    assert refused.status_code == 403
    opened = post(api, "/matters/", {"client": str(acme.pk), "title": "Secret", "restricted": True})
    assert opened.status_code == 201 and opened.json()["restricted"] is True


# List, filters, ordering, pages.


@pytest.fixture
def matters(owner, lawyer, acme):
    zenith = client_make(owner, "Zenith Dental Corp.")
    first = matter_make(owner, acme, "Supply dispute", practice_area=area_of(owner.org).pk, responsible_lawyer=lawyer)
    second = matter_make(owner, zenith, "Clinic lease renewal", practice_area=area_of(owner.org, "Real Estate").pk)
    third = matter_make(owner, acme, "Employment advice", responsible_lawyer=lawyer)
    matter_close(owner, third)
    return first, second, third


def test_list_answers_pages_of_matters(owner, matters, api):
    body = api.get(API + "/matters/?ordering=number").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    first = body["results"][0]
    assert first["number"] == f"{YEAR}-0001"
    assert first["client"]["name"] == "Acme Holdings Ltd."
    assert first["currency"] == "CAD"
    assert "team" not in first  # the detail's; the list stays one query per page

    page = api.get(API + "/matters/?ordering=number&limit=2&offset=2").json()
    assert [m["number"] for m in page["results"]] == [f"{YEAR}-0003"]
    assert page["next"] is None and "offset=0" in page["previous"]


def test_list_filters(owner, lawyer, matters, acme, api):
    first, second, third = matters
    by = lambda query: _numbers(api.get(f"{API}/matters/?ordering=number&{query}"))  # noqa: E731
    assert by(f"client={acme.pk}") == [first.number, third.number]
    assert by("status=closed") == [third.number]
    assert by("status=open") == [first.number, second.number]
    assert by(f"practice_area={area_of(owner.org, 'Real Estate').pk}") == [second.number]
    assert by(f"responsible_lawyer={lawyer.user_id}") == [first.number, third.number]
    assert by("q=zenith") == [second.number]  # the client's name
    assert by("q=LEASE") == [second.number]  # the title
    assert by(f"q={YEAR}-0003") == [third.number]  # the number
    assert by(f"client={uuid.uuid4()}") == []


def test_list_orders_and_refuses_bad_filters(owner, matters, api):
    assert _numbers(api.get(API + "/matters/?ordering=-number"))[0] == f"{YEAR}-0003"
    titles = [m["title"] for m in api.get(API + "/matters/?ordering=title").json()["results"]]
    assert titles == ["Clinic lease renewal", "Employment advice", "Supply dispute"]
    assert api.get(API + "/matters/?ordering=-opened_on").status_code == 200
    for query, field in [
        ("ordering=budget", "ordering"),
        ("status=archived", "status"),
        ("client=nope", "client"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
    ]:
        response = api.get(f"{API}/matters/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["errors"]


# Retrieve and update.


def test_retrieve_answers_the_detail(owner, lawyer, acme, api):
    matter = matter_make(owner, acme, "Will", billing_method="flat_fee", flat_fee="3500", team=[lawyer])
    body = api.get(f"{API}/matters/{matter.pk}/").json()
    assert (body["number"], body["flat_fee"], body["billing_method"]) == (matter.number, "3500.00", "flat_fee")
    assert body["team"] == [{"id": str(lawyer.user_id), "email": "liam@test-law.ca", "name": "Liam Lawyer"}]


def test_update_changes_fields_and_team(owner, lawyer, acme, api):
    matter = matter_make(owner, acme, "Will")
    response = patch(
        api,
        f"/matters/{matter.pk}/",
        {"title": "Will and powers of attorney", "budget": "2500", "team": [str(lawyer.user_id)]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["budget"]) == ("Will and powers of attorney", "2500.00")
    assert [person["email"] for person in body["team"]] == ["liam@test-law.ca"]
    assert last_event(owner.org, "matter.updated").changes["team"] == [[], ["liam@test-law.ca"]]


def test_update_refuses_bad_input_per_field(owner, acme, api):
    matter = matter_make(owner, acme, "Will")
    for data, field in [
        ({"title": ""}, "title"),
        ({"billing_method": "flat_fee"}, "flat_fee"),
        ({"contingency_percent": 101}, "contingency_percent"),
        ({"practice_area": str(uuid.uuid4())}, "practice_area"),
        ({"originating_lawyer": str(uuid.uuid4())}, "originating_lawyer"),
    ]:
        response = patch(api, f"/matters/{matter.pk}/", data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["errors"]


def test_status_close_and_reopen(owner, acme, api):
    matter = matter_make(owner, acme)
    closed = post(api, f"/matters/{matter.pk}/status/", {"status": "closed", "reason": "Done"})
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("closed", TODAY)
    assert post(api, f"/matters/{matter.pk}/status/", {"status": "closed"}).status_code == 409

    assert patch(api, f"/matters/{matter.pk}/", {"title": "Too late"}).status_code == 409
    assert post(api, f"/matters/{matter.pk}/parties/", {"name": "Late Party", "role": "witness"}).status_code == 409

    reopened = post(api, f"/matters/{matter.pk}/status/", {"status": "open"})
    assert (reopened.json()["status"], reopened.json()["closed_on"]) == ("open", None)
    assert patch(api, f"/matters/{matter.pk}/", {"title": "Not too late"}).status_code == 200


def test_status_refuses_bad_input(owner, acme, api):
    matter = matter_make(owner, acme)
    for data, field in [
        ({"status": "archived"}, "status"),
        ({"status": "closed", "on": "2999-01-01"}, "on"),
        ({"status": "closed", "on": "yesterday"}, "on"),
        ({}, "status"),
    ]:
        response = post(api, f"/matters/{matter.pk}/status/", data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["errors"]


def test_permissions(owner, acme, bookkeeper, paralegal, api_for):
    matter = matter_make(owner, acme)
    assert api_for(bookkeeper).get(API + "/matters/").status_code == 200
    portal = api_for(member_create(owner.org, permissions.CLIENT))
    assert portal.get(API + "/matters/").status_code == 403
    assert portal.get(f"{API}/matters/{matter.pk}/").status_code == 403
    assert portal.get(f"{API}/matters/{matter.pk}/parties/").status_code == 403
    for client in (api_for(bookkeeper), api_for(paralegal)):
        assert post(client, "/matters/", {"client": str(acme.pk), "title": "X"}).status_code == 403
        assert patch(client, f"/matters/{matter.pk}/", {"title": "X"}).status_code == 403
        assert post(client, f"/matters/{matter.pk}/status/", {"status": "closed"}).status_code == 403
        assert post(client, f"/matters/{matter.pk}/parties/", {"name": "P", "role": "witness"}).status_code == 403


def test_another_firms_matter_is_404(owner, other_owner, acme, api_for):
    matter = matter_make(owner, acme, parties=[{"name": "Some Party", "role": "witness"}])
    with scope(org=owner.org_id):
        party = matter.parties.get()
    other = api_for(other_owner)
    assert other.get(f"{API}/matters/{matter.pk}/").status_code == 404
    assert patch(other, f"/matters/{matter.pk}/", {"title": "Mine"}).status_code == 404
    assert post(other, f"/matters/{matter.pk}/status/", {"status": "closed"}).status_code == 404
    assert other.get(f"{API}/matters/{matter.pk}/parties/").status_code == 404
    assert other.get(f"{API}/matters/{matter.pk}/conflict-checks/").status_code == 404
    assert patch(other, f"/matters/{matter.pk}/parties/{party.pk}/", {"name": "X"}).status_code == 404
    assert other.delete(f"{API}/matters/{matter.pk}/parties/{party.pk}/").status_code == 404
    assert post(other, "/matters/", {"client": str(acme.pk), "title": "Theirs"}).status_code == 404
    assert other.get(f"{API}/matters/?client={acme.pk}").json()["count"] == 0


# Parties.


def test_parties_list_add_update_remove(owner, acme, api):
    matter = matter_make(owner, acme, parties=[{"name": "Zed Witness", "role": "witness"}])
    other_matter = matter_make(owner, client_make(owner, "Beta Corp."), "Beta claim")
    party_make(owner, other_matter, "Dana Whitfield", "opposing_counsel")

    added = post(
        api,
        f"/matters/{matter.pk}/parties/",
        {"name": "Dana Whitfield", "role": "opposing_counsel", "organization": "Whitfield LLP"},
    )
    assert added.status_code == 201, added.content
    party = added.json()
    assert set(party) == {"id", "name", "role", "organization", "email", "notes", "created_at", "conflicts"}
    assert [(hit["kind"], hit["matter_number"]) for hit in party["conflicts"]] == [("party", other_matter.number)]
    assert party["conflicts"][0]["reason"].startswith("Opposing counsel on ")

    listed = api.get(f"{API}/matters/{matter.pk}/parties/").json()
    assert listed["count"] == 2
    assert [(p["role"], p["name"]) for p in listed["results"]] == [
        ("opposing_counsel", "Dana Whitfield"),
        ("witness", "Zed Witness"),
    ]

    changed = patch(api, f"/matters/{matter.pk}/parties/{party['id']}/", {"role": "co_party"})
    assert changed.status_code == 200 and changed.json()["role"] == "co_party"
    assert patch(api, f"/matters/{matter.pk}/parties/{party['id']}/", {"role": "judge"}).status_code == 400
    assert patch(api, f"/matters/{matter.pk}/parties/{party['id']}/", {"email": "x"}).status_code == 400

    # A party is reached only through its own matter.
    assert patch(api, f"/matters/{other_matter.pk}/parties/{party['id']}/", {"name": "X"}).status_code == 404
    assert api.delete(f"{API}/matters/{other_matter.pk}/parties/{party['id']}/").status_code == 404

    removed = api.delete(f"{API}/matters/{matter.pk}/parties/{party['id']}/")
    assert removed.status_code == 204
    assert api.get(f"{API}/matters/{matter.pk}/parties/").json()["count"] == 1
    with scope(org=owner.org_id):
        assert ConflictCheck.objects.filter(matter=matter, query="Dana Whitfield").count() == 1


def test_party_add_refuses_bad_input(owner, acme, api):
    matter = matter_make(owner, acme)
    for data, field in [
        ({"role": "witness"}, "name"),
        ({"name": "X"}, "role"),
        ({"name": "X", "role": "witness", "email": "no"}, "email"),
        ({"name": "   ", "role": "witness"}, "name"),
    ]:
        response = post(api, f"/matters/{matter.pk}/parties/", data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["errors"]


# Walls: a walled matter stays hidden from a non-member on every surface; the team and Owners see it.


def test_walls_in_the_list_the_client_filter_and_q(owner, lawyer, outsider, walled, api_for):
    plain = matter_make(owner, walled.client, "Aurora general advice")
    for query in ("", f"?client={walled.client_id}", "?q=aurora", "?q=northwind", f"?q={walled.number}"):
        outside = _numbers(api_for(outsider).get(f"{API}/matters/{query}"))
        assert walled.number not in outside, query
        for insider in (owner, lawyer):
            assert walled.number in _numbers(api_for(insider).get(f"{API}/matters/{query}")), query
    assert _numbers(api_for(outsider).get(f"{API}/matters/?client={walled.client_id}")) == [plain.number]
    assert api_for(outsider).get(f"{API}/matters/?q={walled.number}").json()["count"] == 0


def test_walls_on_retrieve_parties_and_conflict_checks(owner, lawyer, outsider, walled, api_for):
    admin = member_create(owner.org, permissions.ADMIN)
    with scope(org=owner.org_id):
        party = walled.parties.get()
    paths = [
        f"/matters/{walled.pk}/",
        f"/matters/{walled.pk}/parties/",
        f"/matters/{walled.pk}/conflict-checks/",
    ]
    for person in (outsider, admin):
        client = api_for(person)
        for path in paths:
            assert client.get(API + path).status_code == 404, path
        assert patch(client, f"/matters/{walled.pk}/", {"title": "Peek"}).status_code == 404
        assert post(client, f"/matters/{walled.pk}/status/", {"status": "closed"}).status_code == 404
        assert post(client, f"/matters/{walled.pk}/parties/", {"name": "P", "role": "witness"}).status_code == 404
        assert patch(client, f"/matters/{walled.pk}/parties/{party.pk}/", {"name": "P"}).status_code == 404
        assert client.delete(f"{API}/matters/{walled.pk}/parties/{party.pk}/").status_code == 404
    for person in (owner, lawyer):
        client = api_for(person)
        for path in paths:
            assert client.get(API + path).status_code == 200, path
        assert client.get(f"{API}/matters/{walled.pk}/").json()["restricted"] is True
        assert client.get(f"{API}/matters/{walled.pk}/parties/").json()["results"][0]["name"] == "Aurora Biotech Inc."


def test_only_an_owner_manages_a_walled_matters_team(owner, lawyer, outsider, walled, api, api_for):
    team = [str(lawyer.user_id), str(outsider.user_id)]
    assert patch(api_for(lawyer), f"/matters/{walled.pk}/", {"team": team}).status_code == 403
    assert patch(api_for(lawyer), f"/matters/{walled.pk}/", {"restricted": False}).status_code == 403
    assert api_for(outsider).get(f"{API}/matters/{walled.pk}/").status_code == 404

    response = patch(api, f"/matters/{walled.pk}/", {"team": team})
    assert response.status_code == 200
    assert api_for(outsider).get(f"{API}/matters/{walled.pk}/").status_code == 200  # now on the team


@pytest.mark.parametrize("field", ["responsible_lawyer", "team"])
def test_a_portal_client_cannot_be_a_matters_lawyer_or_on_its_team(owner, acme, api, field):
    portal_user = member_create(owner.org, permissions.CLIENT, email="portal@acme.example.ca")
    value = [str(portal_user.user_id)] if field == "team" else str(portal_user.user_id)
    response = post(api, "/matters/", {"client": str(acme.pk), "title": "Supply agreement dispute", field: value})

    assert response.status_code == 400
    assert field in response.json()["errors"]
    with scope(org=owner.org_id):
        assert not Matter.objects.exists()
