"""/users/: list, create (with a welcome email through huey), retrieve, update; the Owner rules."""

import uuid

from django.core import mail
from django_scopes import scope

from core import permissions
from core.models import Membership, User
from tests.api.helpers import API, USER_AGENT, last_event, patch, post
from tests.factories import member_create, role_of


def _role_id(org, name):
    return str(role_of(org, name).pk)


# List.


def test_list_answers_the_page_shape(owner, lawyer, bookkeeper, api):
    response = api.get(API + "/users/?ordering=email")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert body["next"] is None and body["previous"] is None
    assert [u["email"] for u in body["results"]] == ["ben@test-law.ca", "liam@test-law.ca", "olivia@test-law.ca"]
    liam = body["results"][1]
    assert liam["roles"] == ["Lawyer"]
    assert liam["role"]["name"] == "Lawyer"
    assert liam["is_active"] is True
    assert liam["mfa_enabled"] is False
    assert "password" not in liam


def test_list_shows_only_the_callers_firm(owner, lawyer, other_owner, api):
    emails = [u["email"] for u in api.get(API + "/users/").json()["results"]]
    assert "noah@other-firm.ca" not in emails


def test_list_paginates_with_next_and_previous(owner, lawyer, bookkeeper, api):
    first = api.get(API + "/users/?ordering=email&limit=2").json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "offset=2" in first["next"] and "limit=2" in first["next"]

    second = api.get(first["next"]).json()
    assert [u["email"] for u in second["results"]] == ["olivia@test-law.ca"]
    assert second["next"] is None
    assert "offset=0" in second["previous"]


def test_list_filters_by_text_role_and_activity(owner, lawyer, bookkeeper, api):
    assert [u["email"] for u in api.get(API + "/users/?q=liam").json()["results"]] == ["liam@test-law.ca"]
    role = _role_id(owner.org, "Bookkeeper")
    assert [u["email"] for u in api.get(f"{API}/users/?role={role}").json()["results"]] == ["ben@test-law.ca"]
    assert api.get(API + "/users/?is_active=false").json()["count"] == 0


def test_list_orders_descending_and_refuses_unknown_fields(owner, lawyer, api):
    emails = [u["email"] for u in api.get(API + "/users/?ordering=-email").json()["results"]]
    assert emails == ["olivia@test-law.ca", "liam@test-law.ca"]

    response = api.get(API + "/users/?ordering=password")
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


def test_limit_above_200_is_400(owner, api):
    response = api.get(API + "/users/?limit=201")
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]
    assert api.get(API + "/users/?limit=200").status_code == 200


def test_list_needs_users_view(owner, api_for):
    client = member_create(owner.org, permissions.CLIENT, email="carla@client.ca")
    assert api_for(client).get(API + "/users/").status_code == 403


def test_list_without_credentials_is_401(owner, client):
    response = client.get(API + "/users/")
    assert response.status_code == 401
    assert response.json()["detail"]


# Me.


def test_me_answers_the_signed_in_person_with_firm_and_permissions(owner, lawyer, api_for):
    body = api_for(lawyer).get(API + "/users/me/").json()
    assert body["email"] == "liam@test-law.ca"
    assert body["roles"] == ["Lawyer"]
    assert body["org"] == {"id": str(owner.org_id), "name": "Test Law LLP"}
    assert body["permissions"] == sorted(permissions.BUILTIN_ROLES[permissions.LAWYER])


# Create.


def test_create_adds_a_member_and_emails_them_through_huey(owner, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api,
            "/users/",
            {
                "email": "Nora@Test-Law.ca",
                "first_name": "Nora",
                "last_name": "New",
                "role": _role_id(owner.org, "Lawyer"),
            },
            HTTP_USER_AGENT=USER_AGENT,
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "nora@test-law.ca"
    assert body["roles"] == ["Lawyer"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@test-law.ca"]
    assert "Test Law LLP" in message.body
    assert "http" in message.body, "the email carries a link to choose a password"
    assert not User.objects.get(email="nora@test-law.ca").has_usable_password()

    event = last_event(owner.org, "member.created")
    assert event.actor_id == owner.user.pk
    assert event.target_type == "user"
    assert event.target_id == body["id"]
    assert event.changes == {"email": "nora@test-law.ca", "role": "Lawyer"}
    assert event.ip == "127.0.0.1"
    assert event.user_agent == USER_AGENT


def test_create_of_an_existing_member_is_409(owner, lawyer, api):
    response = post(api, "/users/", {"email": "liam@test-law.ca", "role": _role_id(owner.org, "Lawyer")})
    assert response.status_code == 409


def test_create_with_another_firms_role_is_404(owner, other_owner, api):
    response = post(api, "/users/", {"email": "x@test-law.ca", "role": _role_id(other_owner.org, "Lawyer")})
    assert response.status_code == 404
    assert not User.objects.filter(email="x@test-law.ca").exists()


def test_create_validates_per_field(owner, api):
    response = post(api, "/users/", {"email": "not-an-email", "role": "nope"})
    assert response.status_code == 400
    assert {"email", "role"} <= set(response.json()["errors"])


def test_create_needs_users_manage(owner, lawyer, api_for):
    response = post(api_for(lawyer), "/users/", {"email": "x@test-law.ca", "role": _role_id(owner.org, "Lawyer")})
    assert response.status_code == 403


# Retrieve.


def test_retrieve_answers_one_member(owner, lawyer, api):
    response = api.get(f"{API}/users/{lawyer.user_id}/")
    assert response.status_code == 200
    assert response.json()["email"] == "liam@test-law.ca"


def test_retrieve_of_another_firms_person_is_404(owner, other_owner, api):
    assert api.get(f"{API}/users/{other_owner.user_id}/").status_code == 404
    assert api.get(f"{API}/users/{uuid.uuid4()}/").status_code == 404


# Update.


def test_patch_changes_name_and_role_and_is_audited(owner, lawyer, api):
    response = patch(
        api, f"/users/{lawyer.user_id}/", {"first_name": "William", "role": _role_id(owner.org, "Paralegal")}
    )

    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "William"
    assert response.json()["roles"] == ["Paralegal"]
    event = last_event(owner.org, "member.updated")
    assert event.target_id == str(lawyer.user_id)
    assert event.changes == {"role": ["Lawyer", "Paralegal"], "first_name": ["Liam", "William"]}


def test_patch_deactivates_a_member_and_is_audited(owner, lawyer, api):
    response = patch(api, f"/users/{lawyer.user_id}/", {"is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    event = last_event(owner.org, "member.deactivated")
    assert event.changes == {"is_active": [True, False]}


def test_the_last_owner_cannot_be_demoted(owner, api):
    response = patch(api, f"/users/{owner.user_id}/", {"role": _role_id(owner.org, "Admin")})
    assert response.status_code == 409
    assert response.json()["detail"]
    with scope(org=owner.org_id):
        assert Membership.objects.get(pk=owner.pk).role.name == "Owner"


def test_an_owner_cannot_deactivate_themselves(owner, api):
    assert patch(api, f"/users/{owner.user_id}/", {"is_active": False}).status_code == 409


def test_the_last_active_owner_cannot_step_down_once_the_other_is_deactivated(owner, api):
    second = member_create(owner.org, permissions.OWNER, email="oscar@test-law.ca")
    assert patch(api, f"/users/{second.user_id}/", {"is_active": False}).status_code == 200

    response = patch(api, f"/users/{owner.user_id}/", {"role": _role_id(owner.org, "Lawyer")})
    assert response.status_code == 409


def test_an_owner_may_step_down_when_another_owner_remains(owner, api):
    member_create(owner.org, permissions.OWNER, email="oscar@test-law.ca")
    response = patch(api, f"/users/{owner.user_id}/", {"role": _role_id(owner.org, "Admin")})
    assert response.status_code == 200
    assert response.json()["roles"] == ["Admin"]


def test_only_owners_make_owners(owner, lawyer, api_for):
    admin = member_create(owner.org, permissions.ADMIN, email="ada@test-law.ca")
    admin_api = api_for(admin)
    owner_role = _role_id(owner.org, "Owner")

    promote = patch(admin_api, f"/users/{lawyer.user_id}/", {"role": owner_role})
    assert promote.status_code == 403
    create = post(admin_api, "/users/", {"email": "new-owner@test-law.ca", "role": owner_role})
    assert create.status_code == 403
    invite = post(admin_api, "/invitations/", {"email": "new-owner@test-law.ca", "role": owner_role})
    assert invite.status_code == 403
    self_promote = patch(admin_api, f"/users/{admin.user_id}/", {"role": owner_role})
    assert self_promote.status_code == 403
    assert patch(admin_api, f"/users/{owner.user_id}/", {"is_active": False}).status_code == 403


def test_an_owner_makes_an_owner(owner, lawyer, api):
    response = patch(api, f"/users/{lawyer.user_id}/", {"role": _role_id(owner.org, "Owner")})
    assert response.status_code == 200
    assert response.json()["roles"] == ["Owner"]


def test_an_admin_manages_non_owners(owner, lawyer, api_for):
    admin = member_create(owner.org, permissions.ADMIN, email="ada@test-law.ca")
    response = patch(api_for(admin), f"/users/{lawyer.user_id}/", {"role": _role_id(owner.org, "Paralegal")})
    assert response.status_code == 200


def test_patch_of_another_firms_person_is_404(owner, other_owner, api):
    response = patch(api, f"/users/{other_owner.user_id}/", {"first_name": "Hacked"})
    assert response.status_code == 404
    assert User.objects.get(pk=other_owner.user_id).first_name == "Olivia"


def test_patch_with_another_firms_role_is_404(owner, lawyer, other_owner, api):
    response = patch(api, f"/users/{lawyer.user_id}/", {"role": _role_id(other_owner.org, "Owner")})
    assert response.status_code == 404


def test_patch_needs_users_manage(owner, lawyer, bookkeeper, api_for):
    response = patch(api_for(lawyer), f"/users/{bookkeeper.user_id}/", {"first_name": "X"})
    assert response.status_code == 403


def test_a_null_is_active_changes_nothing(owner, lawyer, api):
    response = patch(api, f"/users/{lawyer.user_id}/", {"is_active": None, "last_name": "Lawson"})

    assert response.status_code in (200, 400)
    with scope(org=owner.org_id):
        assert Membership.objects.get(pk=lawyer.pk).is_active is True


def test_a_manager_cannot_deactivate_themselves_with_a_null(owner, api_for):
    admin = member_create(owner.org, permissions.ADMIN, email="ada@test-law.ca")
    admin_api = api_for(admin)

    patch(admin_api, f"/users/{admin.user_id}/", {"is_active": None})

    with scope(org=owner.org_id):
        assert Membership.objects.get(pk=admin.pk).is_active is True
    assert admin_api.get(API + "/users/me/").status_code == 200
