"""GET /conflicts/?q=: the firm-wide search, its shape, its tolerance, and walls that hide details only."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from core import permissions
from core.models import Membership
from tests.api.helpers import API
from tests.factories import member_create
from tests.matter_factories import client_make, matter_make

YEAR = timezone.localdate().year
HIT_FIELDS = {
    "kind",
    "score",
    "reason",
    "restricted",
    "name",
    "role",
    "client_id",
    "matter_id",
    "matter_number",
    "matter_title",
}


@pytest.fixture
def tremblay(owner):
    return client_make(owner, kind="individual", first_name="Jean-François", last_name="Tremblay")


def _search(client, query):
    response = client.get(API + "/conflicts/", {"q": query})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("query", ["jean francois tremblay", "Jean-Francois Tremblai", "JEAN-FRANÇOIS TREMBLAY"])
def test_the_search_finds_tremblay(owner, tremblay, api, query):
    body = _search(api, query)
    assert body["query"] == query
    assert body["count"] == 1
    hit = body["results"][0]
    assert set(hit) == HIT_FIELDS
    assert (hit["kind"], hit["name"], hit["client_id"], hit["restricted"]) == (
        "client",
        "Jean-François Tremblay",
        str(tremblay.pk),
        False,
    )
    assert hit["reason"].startswith("Client: ")
    assert isinstance(hit["score"], float) and 0 < hit["score"] <= 1


def test_the_search_answers_parties_with_their_matter(owner, lawyer, api_for):
    acme = client_make(owner, "Acme Holdings Ltd.")
    matter = matter_make(
        owner, acme, "Freight claim", parties=[{"name": "Boreal Freight Corp.", "role": "adverse_party"}]
    )
    body = _search(api_for(lawyer), "boreal freight")
    assert body["count"] == 1
    hit = body["results"][0]
    assert (hit["kind"], hit["role"], hit["matter_number"], hit["matter_id"], hit["matter_title"]) == (
        "party",
        "adverse_party",
        matter.number,
        str(matter.pk),
        "Freight claim",
    )
    assert hit["reason"] == f"Adverse party on {matter.number}: name contains “boreal freight”"


def test_bad_queries_are_400_with_errors(owner, api):
    for params in ({}, {"q": ""}, {"q": "-"}, {"q": "x" * 201}):
        response = api.get(API + "/conflicts/", params)
        assert response.status_code == 400, params
        assert "q" in response.json()["errors"]


def test_permissions_and_firms(owner, other_owner, tremblay, api_for, client):
    assert client.get(API + "/conflicts/", {"q": "tremblay"}).status_code == 401
    assert (
        api_for(member_create(owner.org, permissions.BOOKKEEPER)).get(API + "/conflicts/?q=tremblay").status_code == 403
    )
    assert _search(api_for(member_create(owner.org, permissions.PARALEGAL)), "tremblay")["count"] == 1
    assert _search(api_for(other_owner), "tremblay")["count"] == 0  # another firm's client is no conflict here


def test_a_walled_hit_is_restricted_for_outsiders_and_full_for_the_team_and_owners(owner, lawyer, api_for):
    client = client_make(owner, "Northwind Developments Ltd.")
    walled = matter_make(
        owner,
        client,
        "Project Aurora: confidential acquisition",
        is_restricted=True,
        team=[lawyer],
        parties=[{"name": "Aurora Biotech Inc.", "role": "other"}],
    )
    for outsider in (member_create(owner.org, permissions.LAWYER), member_create(owner.org, permissions.ADMIN)):
        body = _search(api_for(outsider), "aurora")
        assert body["count"] == 2  # the conflict exists, and is reported
        for hit in body["results"]:
            assert hit["restricted"] is True
            assert hit["name"] is None and hit["matter_number"] is None and hit["matter_title"] is None
            assert hit["matter_id"] is None and hit["client_id"] is None
            assert "Aurora" not in hit["reason"] and walled.number not in hit["reason"]
        assert [hit["reason"] for hit in body["results"]] == ["A restricted matter", "Other on a restricted matter"]
    for insider in (owner, lawyer):
        body = _search(api_for(insider), "aurora")
        assert [(h["kind"], h["name"], h["matter_number"], h["restricted"]) for h in body["results"]] == [
            ("matter", "Project Aurora: confidential acquisition", walled.number, False),
            ("party", "Aurora Biotech Inc.", walled.number, False),
        ]


def _demo_client(email):
    from tests.conftest import bearer_client

    with scopes_disabled():
        membership = Membership.objects.select_related("org", "role", "user").get(user__email=email)
    return bearer_client(membership)


def test_the_demo_data_through_the_api(db):
    call_command("seed_demo")
    owner, paralegal = _demo_client("owner@firm.ca"), _demo_client("paralegal@firm.ca")

    def hits(client, query):
        return [(h["kind"], h["name"], h["matter_number"], h["restricted"]) for h in _search(client, query)["results"]]

    for client in (owner, paralegal):
        assert hits(client, "northwind") == [
            ("client", "Northwind Developments Ltd.", None, False),
            ("party", "Northwind Developments Ltd.", f"{YEAR}-0002", False),
        ]
        assert hits(client, "jean francois tremblai") == [("client", "Jean-François Tremblay", None, False)]
    assert hits(owner, "aurora") == [
        ("matter", "Project Aurora: confidential acquisition", f"{YEAR}-0003", False),
        ("party", "Aurora Biotech Inc.", f"{YEAR}-0003", False),
    ]
    assert hits(paralegal, "aurora") == [("matter", None, None, True), ("party", None, None, True)]
    # And the walled matter is nowhere else for the paralegal.
    assert f"{YEAR}-0003" not in [m["number"] for m in paralegal.get(API + "/matters/?limit=200").json()["results"]]
    assert owner.get(API + "/matters/").json()["count"] == 6
    assert paralegal.get(API + "/matters/").json()["count"] == 5
