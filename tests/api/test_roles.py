"""/roles/: the built-in roles and custom roles made from the permission catalogue."""

import uuid

from core import permissions
from tests.api.helpers import API, last_event, patch, post
from tests.factories import custom_role_create, member_create, role_of


def test_list_answers_the_built_in_roles(owner, api):
    response = api.get(API + "/roles/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    names = [role["name"] for role in body["results"]]
    assert names == sorted(permissions.BUILTIN_ROLES)
    assert all(role["is_builtin"] for role in body["results"])
    lawyer = next(role for role in body["results"] if role["name"] == "Lawyer")
    assert lawyer["permissions"] == sorted(permissions.BUILTIN_ROLES["Lawyer"])


def test_list_shows_only_the_callers_firm(owner, other_owner, api):
    custom_role_create(other_owner.org, "Secret Role", ["users.view"])
    assert "Secret Role" not in [r["name"] for r in api.get(API + "/roles/?limit=200").json()["results"]]


def test_the_permission_catalogue_is_listed(owner, api):
    body = api.get(API + "/roles/permissions/").json()
    assert [entry["code"] for entry in body] == list(permissions.CATALOGUE)
    assert all(entry["label"] for entry in body)


def test_create_a_custom_role_and_audit_it(owner, api):
    response = post(
        api, "/roles/", {"name": "Intake", "description": "Front desk", "permissions": ["clients.view", "users.view"]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Intake"
    assert body["permissions"] == ["clients.view", "users.view"]
    assert body["is_builtin"] is False
    event = last_event(owner.org, "role.created")
    assert event.target_type == "role"
    assert event.target_id == body["id"]
    assert event.changes == {"name": "Intake", "permissions": ["clients.view", "users.view"]}
    assert event.actor_id == owner.user_id


def test_create_with_an_unknown_permission_is_400(owner, api):
    response = post(api, "/roles/", {"name": "Root", "permissions": ["users.view", "everything.do"]})
    assert response.status_code == 400
    assert "everything.do" in response.json()["errors"]["permissions"][0]


def test_create_with_a_taken_name_is_400(owner, api):
    response = post(api, "/roles/", {"name": "lawyer", "permissions": []})
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_the_same_role_name_may_exist_in_another_firm(owner, other_owner, api):
    custom_role_create(other_owner.org, "Intake", ["users.view"])
    assert post(api, "/roles/", {"name": "Intake", "permissions": []}).status_code == 201


def test_create_needs_roles_manage(owner, lawyer, api_for):
    assert post(api_for(lawyer), "/roles/", {"name": "Mine", "permissions": []}).status_code == 403


def test_patch_a_custom_role(owner, api):
    role = custom_role_create(owner.org, "Intake", ["users.view"])

    response = patch(api, f"/roles/{role.pk}/", {"permissions": ["users.view", "clients.view"]})

    assert response.status_code == 200
    assert response.json()["permissions"] == ["clients.view", "users.view"]
    event = last_event(owner.org, "role.updated")
    assert event.changes == {"permissions": [["users.view"], ["clients.view", "users.view"]]}


def test_patch_with_an_unknown_permission_is_400(owner, api):
    role = custom_role_create(owner.org, "Intake", ["users.view"])
    response = patch(api, f"/roles/{role.pk}/", {"permissions": ["nope"]})
    assert response.status_code == 400
    assert "permissions" in response.json()["errors"]


def test_a_new_permission_of_a_role_acts_at_once_for_its_members(owner, api, api_for):
    role = custom_role_create(owner.org, "Intake", ["users.view"])
    member_api = api_for(member_create(owner.org, role, email="ivy@test-law.ca"))
    assert member_api.get(API + "/audit-events/").status_code == 403

    patch(api, f"/roles/{role.pk}/", {"permissions": ["users.view", "audit.view"]})

    assert member_api.get(API + "/audit-events/").status_code == 200


def test_built_in_roles_cannot_be_changed_or_deleted(owner, api):
    lawyer = role_of(owner.org, "Lawyer")
    assert patch(api, f"/roles/{lawyer.pk}/", {"permissions": ["users.view"]}).status_code == 409
    response = api.delete(f"{API}/roles/{lawyer.pk}/")
    assert response.status_code == 409
    assert response.json()["detail"]


def test_delete_a_custom_role(owner, api):
    role = custom_role_create(owner.org, "Intake", ["users.view"])

    response = api.delete(f"{API}/roles/{role.pk}/")

    assert response.status_code == 204
    assert api.get(f"{API}/roles/{role.pk}/").status_code == 404
    assert last_event(owner.org, "role.deleted").changes == {"name": "Intake"}


def test_a_role_still_assigned_cannot_be_deleted(owner, api):
    role = custom_role_create(owner.org, "Intake", ["users.view"])
    member_create(owner.org, role, email="ivy@test-law.ca")
    assert api.delete(f"{API}/roles/{role.pk}/").status_code == 409


def test_another_firms_role_is_404(owner, other_owner, api):
    role = custom_role_create(other_owner.org, "Intake", ["users.view"])
    assert api.get(f"{API}/roles/{role.pk}/").status_code == 404
    assert patch(api, f"/roles/{role.pk}/", {"name": "Mine"}).status_code == 404
    assert api.delete(f"{API}/roles/{role.pk}/").status_code == 404
    assert api.get(f"{API}/roles/{uuid.uuid4()}/").status_code == 404
