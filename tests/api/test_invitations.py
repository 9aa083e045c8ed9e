"""/invitations/: invite by email (through huey), list, revoke; accepting through the service."""

import re

import pytest
from django.core import mail

from core import exceptions
from core.models import User
from core.services import firms as firm_service
from core.tenancy import anonymous_context
from tests.api.helpers import API, csrf_client, last_event, post
from tests.factories import role_of


@pytest.fixture
def invite(owner, api, django_capture_on_commit_callbacks):
    def invite(email="iris@example.ca", role="Paralegal"):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(api, "/invitations/", {"email": email, "role": str(role_of(owner.org, role).pk)})
        assert response.status_code == 201, response.content
        return response.json()

    return invite


def _link_token(message) -> str:
    match = re.search(r"https?://\S+/([^/\s]+)/?\s", message.body + "\n")
    assert match, message.body
    return match.group(1)


def test_create_answers_the_invitation_and_emails_a_link(owner, invite):
    body = invite()

    assert body["email"] == "iris@example.ca"
    assert body["role"]["name"] == "Paralegal"
    assert body["status"] == "pending"
    assert body["invited_by"] == "olivia@test-law.ca"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["iris@example.ca"]
    assert "Test Law LLP" in message.body
    assert re.search(r"https?://\S+", message.body)

    event = last_event(owner.org, "invitation.created")
    assert event.target_type == "invitation"
    assert event.target_id == body["id"]
    assert event.changes == {"email": "iris@example.ca", "role": "Paralegal"}
    assert event.actor_id == owner.user_id


def test_the_emailed_link_accepts_the_invitation(owner, invite):
    invite()
    token = _link_token(mail.outbox[0])

    membership = firm_service.invitation_accept(
        ctx=anonymous_context(), token=token, first_name="Iris", last_name="Invited", password="An0ther-Passphrase"
    )

    assert membership.org_id == owner.org_id
    assert membership.role.name == "Paralegal"
    client, csrf = csrf_client()
    response = post(client, "/auth/login/", {"email": "iris@example.ca", "password": "An0ther-Passphrase"}, csrf)
    assert response.status_code == 200
    assert response.json()["roles"] == ["Paralegal"]
    assert last_event(owner.org, "invitation.accepted").actor_id == membership.user_id


def test_an_accepted_invitation_cannot_be_used_again(owner, invite):
    invite()
    token = _link_token(mail.outbox[0])
    firm_service.invitation_accept(ctx=anonymous_context(), token=token, first_name="Iris", password="An0ther-Pass!")
    with pytest.raises(exceptions.NotFound):
        firm_service.invitation_accept(ctx=anonymous_context(), token=token, first_name="Eve", password="An0ther-Pass!")


def test_accepting_refuses_a_weak_password(owner, invite):
    invite()
    token = _link_token(mail.outbox[0])
    with pytest.raises(exceptions.ValidationError) as error:
        firm_service.invitation_accept(ctx=anonymous_context(), token=token, first_name="Iris", password="123")
    assert "password" in error.value.errors
    assert not User.objects.filter(email="iris@example.ca").exists()


def test_a_forged_token_is_not_found(owner):
    with pytest.raises(exceptions.NotFound):
        firm_service.invitation_accept(
            ctx=anonymous_context(), token="forged", first_name="X", password="An0ther-Pass!"
        )


def test_list_answers_the_firms_invitations(owner, other_owner, invite):
    invite("iris@example.ca")
    invite("ivan@example.ca", "Lawyer")
    from tests.conftest import bearer_client

    response = bearer_client(owner).get(API + "/invitations/?ordering=email")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [i["email"] for i in body["results"]] == ["iris@example.ca", "ivan@example.ca"]
    assert bearer_client(other_owner).get(API + "/invitations/").json()["count"] == 0


def test_delete_revokes_the_invitation(owner, api, invite):
    body = invite()
    token = _link_token(mail.outbox[0])

    response = api.delete(f"{API}/invitations/{body['id']}/")

    assert response.status_code == 204
    listed = api.get(API + "/invitations/").json()["results"]
    assert listed[0]["status"] == "revoked"
    assert last_event(owner.org, "invitation.revoked").target_id == body["id"]
    with pytest.raises(exceptions.NotFound):
        firm_service.invitation_accept(
            ctx=anonymous_context(), token=token, first_name="Iris", password="An0ther-Pass!"
        )


def test_inviting_again_replaces_the_pending_invitation(owner, api, invite):
    first = invite()
    invite()
    statuses = {i["id"]: i["status"] for i in api.get(API + "/invitations/").json()["results"]}
    assert statuses[first["id"]] == "revoked"
    assert sorted(statuses.values()) == ["pending", "revoked"]


def test_inviting_a_member_is_400(owner, lawyer, api):
    response = post(api, "/invitations/", {"email": "liam@test-law.ca", "role": str(role_of(owner.org, "Lawyer").pk)})
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_invitations_need_invitations_manage(owner, lawyer, api_for):
    lawyer_api = api_for(lawyer)
    assert lawyer_api.get(API + "/invitations/").status_code == 403
    role = str(role_of(owner.org, "Lawyer").pk)
    assert post(lawyer_api, "/invitations/", {"email": "x@example.ca", "role": role}).status_code == 403


def test_another_firms_invitation_is_404(owner, other_owner, api, api_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = post(
            api_for(other_owner),
            "/invitations/",
            {"email": "x@example.ca", "role": str(role_of(other_owner.org, "Lawyer").pk)},
        ).json()
    assert api.delete(f"{API}/invitations/{theirs['id']}/").status_code == 404


def test_invalid_email_is_400_per_field(owner, api):
    response = post(api, "/invitations/", {"email": "nope", "role": str(role_of(owner.org, "Lawyer").pk)})
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
