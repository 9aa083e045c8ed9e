"""/clients/: list (filters, ordering, pages), create, retrieve, update and archive."""

import uuid

import pytest

from core import permissions
from tests.api.helpers import API, last_event, patch, post
from tests.factories import member_create
from tests.matter_factories import client_make


@pytest.fixture
def clients(owner):
    return {
        "tremblay": client_make(
            owner, kind="individual", first_name="Jean-François", last_name="Tremblay", email="jf@example.ca"
        ),
        "acme": client_make(owner, "Acme Holdings Ltd.", email="legal@acme.example.ca"),
        "zenith": client_make(owner, "Zenith Dental Corp."),
    }


def _names(response):
    assert response.status_code == 200, response.content
    return [client["name"] for client in response.json()["results"]]


def test_create_answers_201_with_the_client(owner, api):
    response = post(
        api,
        "/clients/",
        {
            "kind": "individual",
            "first_name": "Amélie",
            "last_name": "Roy",
            "email": "Amelie@Example.ca",
            "phone": "514-555-0100",
            "province": "QC",
            "preferred_language": "fr",
            "notes": "Prefers mornings.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "kind",
        "name",
        "first_name",
        "last_name",
        "organization_name",
        "email",
        "phone",
        "street",
        "city",
        "province",
        "postal_code",
        "preferred_language",
        "notes",
        "active",
        "archived_at",
        "created_at",
    }
    assert body["name"] == "Amélie Roy"
    assert body["email"] == "amelie@example.ca"
    assert (body["active"], body["archived_at"]) == (True, None)
    uuid.UUID(body["id"])
    assert last_event(owner.org, "client.created").target_id == body["id"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "individual"}, "last_name"),
        ({"kind": "organization"}, "organization_name"),
        ({"kind": "robot", "last_name": "Roy"}, "kind"),
        ({"last_name": "Roy", "email": "not an email"}, "email"),
        ({"last_name": "Roy", "province": "XX"}, "province"),
        ({"last_name": "Roy", "preferred_language": "es"}, "preferred_language"),
        ({"last_name": "R" * 151}, "last_name"),
        ({"last_name": 12}, "last_name"),
    ],
)
def test_create_refuses_bad_input_per_field(owner, api, data, field):
    response = post(api, "/clients/", data)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert api.get(API + "/clients/").json()["count"] == 0


def test_create_refuses_a_body_that_is_not_json_with_400(owner, api):
    response = api.post(API + "/clients/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_list_answers_the_page_shape_ordered_by_name(owner, clients, api):
    body = api.get(API + "/clients/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [c["name"] for c in body["results"]] == [
        "Acme Holdings Ltd.",
        "Jean-François Tremblay",
        "Zenith Dental Corp.",
    ]


def test_list_filters_by_text_kind_and_activity(owner, clients, api):
    assert _names(api.get(API + "/clients/?q=francois")) == ["Jean-François Tremblay"]
    assert _names(api.get(API + "/clients/?q=FRANÇOIS")) == ["Jean-François Tremblay"]
    assert _names(api.get(API + "/clients/?q=legal@acme")) == ["Acme Holdings Ltd."]
    assert _names(api.get(API + "/clients/?kind=organization")) == ["Acme Holdings Ltd.", "Zenith Dental Corp."]
    patch(api, f"/clients/{clients['zenith'].pk}/", {"active": False})
    assert _names(api.get(API + "/clients/?active=false")) == ["Zenith Dental Corp."]
    assert _names(api.get(API + "/clients/?active=true")) == ["Acme Holdings Ltd.", "Jean-François Tremblay"]


def test_list_orders_and_refuses_unknown_ordering(owner, clients, api):
    assert _names(api.get(API + "/clients/?ordering=-name"))[0] == "Zenith Dental Corp."
    assert _names(api.get(API + "/clients/?ordering=-created_at"))[0] == "Zenith Dental Corp."
    assert _names(api.get(API + "/clients/?ordering=created_at"))[0] == "Jean-François Tremblay"
    for bad in ("email", "-search_name", "notes"):
        response = api.get(API + f"/clients/?ordering={bad}")
        assert response.status_code == 400
        assert "ordering" in response.json()["errors"]
    response = api.get(API + "/clients/?kind=robot")
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


def test_list_paginates(owner, clients, api):
    first = api.get(API + "/clients/?limit=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert "offset=2" in first["next"] and first["previous"] is None
    second = api.get(first["next"]).json()
    assert _names_of(second) == ["Zenith Dental Corp."]
    assert second["next"] is None and "offset=0" in second["previous"]
    assert api.get(API + "/clients/?limit=201").status_code == 400


def _names_of(body):
    return [c["name"] for c in body["results"]]


def test_list_shows_only_the_callers_firm(owner, other_owner, clients, api_for):
    client_make(other_owner, "Other Firm Client Inc.")
    assert _names(api_for(other_owner).get(API + "/clients/")) == ["Other Firm Client Inc."]


def test_retrieve_and_update(owner, clients, api):
    acme = clients["acme"]
    assert api.get(f"{API}/clients/{acme.pk}/").json()["name"] == "Acme Holdings Ltd."

    response = patch(api, f"/clients/{acme.pk}/", {"phone": "416-555-0199", "city": "Toronto"})

    assert response.status_code == 200, response.content
    assert (response.json()["phone"], response.json()["city"]) == ("416-555-0199", "Toronto")
    assert last_event(owner.org, "client.updated").changes == {"phone": ["", "416-555-0199"], "city": ["", "Toronto"]}


def test_update_refuses_bad_input_per_field(owner, clients, api):
    acme = clients["acme"]
    for data, field in [
        ({"organization_name": "  "}, "organization_name"),
        ({"email": "nope"}, "email"),
        ({"province": "ZZ"}, "province"),
        ({"active": "maybe"}, "active"),
    ]:
        response = patch(api, f"/clients/{acme.pk}/", data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["errors"]


def test_archive_and_restore(owner, clients, api):
    acme = clients["acme"]
    archived = patch(api, f"/clients/{acme.pk}/", {"active": False}).json()
    assert archived["active"] is False and archived["archived_at"]
    assert last_event(owner.org, "client.archived").target_id == str(acme.pk)
    restored = patch(api, f"/clients/{acme.pk}/", {"active": True}).json()
    assert restored["active"] is True and restored["archived_at"] is None


def test_permissions_and_other_firms(owner, other_owner, clients, api_for, client):
    acme = clients["acme"]
    portal_user = member_create(owner.org, permissions.CLIENT)
    bookkeeper = member_create(owner.org, permissions.BOOKKEEPER)
    assert api_for(portal_user).get(API + "/clients/").status_code == 403
    assert api_for(portal_user).get(f"{API}/clients/{acme.pk}/").status_code == 403
    assert api_for(bookkeeper).get(API + "/clients/").status_code == 200  # sees clients, may not change them
    assert post(api_for(bookkeeper), "/clients/", {"last_name": "Roy"}).status_code == 403
    assert patch(api_for(bookkeeper), f"/clients/{acme.pk}/", {"phone": "1"}).status_code == 403

    other = api_for(other_owner)
    assert other.get(f"{API}/clients/{acme.pk}/").status_code == 404
    assert patch(other, f"/clients/{acme.pk}/", {"phone": "1"}).status_code == 404
    assert other.get(f"{API}/clients/{uuid.uuid4()}/").status_code == 404
    assert client.get(API + "/clients/").status_code == 401
