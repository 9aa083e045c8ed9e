"""The firm's settings pages: profile, people, invitations, roles, API tokens, audit log."""

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled

from core.models import ApiToken, AuditEvent, Invitation, Membership, Organization, Role
from core.services import firms as firm_service
from tests.factories import ctx_of, custom_role_create, member_create, role_of
from tests.web.helpers import page

pytestmark = pytest.mark.django_db


def events(org, action):
    with scope(org=org.pk):
        return list(AuditEvent.objects.filter(action=action))


# Firm profile.


def test_org_profile_saves_and_is_audited(client, owner):
    client.force_login(owner.user)
    response = client.post(
        page("org_settings", owner),
        {"name": "Renamed LLP", "province": "QC", "time_zone": "America/Toronto", "flag_client_portal": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        org = Organization.objects.get(pk=owner.org_id)
    assert (org.name, org.province, org.feature_flags["client_portal"], org.feature_flags["e_signature"]) == (
        "Renamed LLP",
        "QC",
        True,
        False,
    )
    assert events(org, "org.updated")


def test_org_profile_shows_errors_next_to_fields_and_keeps_input(client, owner):
    client.force_login(owner.user)
    response = client.post(
        page("org_settings", owner), {"name": "Kept Name", "province": "XX", "time_zone": "America/Toronto"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_province_error"' in html
    assert 'value="Kept Name"' in html


def test_org_profile_refuses_a_lawyer_even_by_post(client, lawyer):
    client.force_login(lawyer.user)
    assert client.post(page("org_settings", lawyer), {"name": "Hijack"}).status_code == 403


# People and invitations.


def test_people_lists_members_with_role_controls_for_the_owner(client, owner, lawyer):
    client.force_login(owner.user)
    html = client.get(page("people", owner)).content.decode()
    assert "liam@test-law.ca" in html
    assert page("member_update", owner, user_id=lawyer.user_id) in html
    assert "Invite someone" in html


def test_people_hides_controls_from_a_lawyer(client, owner, lawyer):
    client.force_login(lawyer.user)
    html = client.get(page("people", lawyer)).content.decode()
    assert "olivia@test-law.ca" in html
    assert "member_update" not in html and "/people/invite/" not in html
    assert "Deactivate" not in html


def test_invitation_sends_an_email_and_lists_it(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    role = role_of(owner.org, "Paralegal")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("invitation_create", owner), {"email": "new@example.ca", "role": role.pk})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new@example.ca"]]
    assert "new@example.ca" in client.get(page("people", owner)).content.decode()
    assert events(owner.org, "invitation.created")


def test_invitation_by_htmx_answers_the_partial(client, owner):
    client.force_login(owner.user)
    role = role_of(owner.org, "Lawyer")
    response = client.post(
        page("invitation_create", owner), {"email": "htmx@example.ca", "role": role.pk}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="invitations"')
    assert "Invitation sent to htmx@example.ca" in html
    assert "<html" not in html


def test_invitation_errors_answer_200_with_the_field_error(client, owner):
    client.force_login(owner.user)
    role = role_of(owner.org, "Lawyer")
    response = client.post(
        page("invitation_create", owner), {"email": "not-an-email", "role": role.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'value="not-an-email"' in html


def test_invitation_of_an_existing_member_is_a_field_error(client, owner, lawyer):
    client.force_login(owner.user)
    role = role_of(owner.org, "Lawyer")
    response = client.post(page("invitation_create", owner), {"email": lawyer.user.email, "role": role.pk})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()


def test_invitation_refuses_another_firms_role(client, owner, other_owner):
    client.force_login(owner.user)
    foreign = role_of(other_owner.org, "Lawyer")
    response = client.post(page("invitation_create", owner), {"email": "x@example.ca", "role": foreign.pk})
    assert response.status_code == 200
    assert 'id="id_role_error"' in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.filter(email="x@example.ca").exists()


def test_invitation_revoke(client, owner):
    ctx = ctx_of(owner)
    with scope(org=owner.org_id):
        invitation = firm_service.invitation_create(ctx=ctx, email="gone@example.ca", role=role_of(owner.org, "Lawyer"))
    client.force_login(owner.user)
    response = client.post(page("invitation_revoke", owner, invitation_id=invitation.pk))
    assert response.status_code == 302
    with scopes_disabled():
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_invitation_revoke_of_another_firm_is_not_found(client, owner, other_owner):
    ctx = ctx_of(other_owner)
    with scope(org=other_owner.org_id):
        invitation = firm_service.invitation_create(
            ctx=ctx, email="theirs@example.ca", role=role_of(other_owner.org, "Lawyer")
        )
    client.force_login(owner.user)
    assert client.post(page("invitation_revoke", owner, invitation_id=invitation.pk)).status_code == 404
    assert client.post(page("invitation_revoke", other_owner, invitation_id=invitation.pk)).status_code == 404


def test_member_role_change_by_htmx_answers_the_row(client, owner, lawyer):
    client.force_login(owner.user)
    paralegal = role_of(owner.org, "Paralegal")
    response = client.post(
        page("member_update", owner, user_id=lawyer.user_id),
        {"action": "role", "role": paralegal.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{lawyer.user_id}"')
    with scopes_disabled():
        assert Membership.objects.get(pk=lawyer.pk).role_id == paralegal.pk
    assert events(owner.org, "member.updated")


def test_member_deactivate_and_reactivate(client, owner, lawyer):
    client.force_login(owner.user)
    url = page("member_update", owner, user_id=lawyer.user_id)
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    with scopes_disabled():
        assert not Membership.objects.get(pk=lawyer.pk).is_active
    assert client.post(url, {"action": "reactivate"}).status_code == 302
    with scopes_disabled():
        assert Membership.objects.get(pk=lawyer.pk).is_active


def test_deactivating_yourself_is_a_message_not_an_error_page(client, owner):
    client.force_login(owner.user)
    response = client.post(page("member_update", owner, user_id=owner.user_id), {"action": "deactivate"}, follow=True)
    assert response.status_code == 200
    assert "You cannot deactivate yourself." in response.content.decode()


def test_member_update_is_refused_to_a_lawyer(client, owner, lawyer):
    client.force_login(lawyer.user)
    response = client.post(page("member_update", lawyer, user_id=owner.user_id), {"action": "deactivate"})
    assert response.status_code == 403


def test_member_of_another_firm_is_not_found(client, owner, other_owner):
    client.force_login(owner.user)
    url = page("member_update", owner, user_id=other_owner.user_id)
    assert client.post(url, {"action": "deactivate"}).status_code == 404


def test_people_page_queries_do_not_grow_with_members(client, owner, django_assert_num_queries):
    client.force_login(owner.user)
    url = page("people", owner)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        member_create(owner.org, "Lawyer", email=f"extra{n}@example.ca")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('id="member-') == 16


# Roles.


def test_role_create_from_the_catalogue(client, owner):
    client.force_login(owner.user)
    response = client.post(
        page("roles", owner), {"name": "Intake", "description": "Front desk", "permissions": ["clients.view"]}
    )
    assert response.status_code == 302
    with scope(org=owner.org_id):
        role = Role.objects.get(name="Intake")
    assert role.permissions == ["clients.view"]
    assert events(owner.org, "role.created")


def test_role_create_errors_keep_the_checked_permissions(client, owner):
    client.force_login(owner.user)
    response = client.post(page("roles", owner), {"name": "Owner", "permissions": ["audit.view"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_name_error"' in html and "already exists" in html
    assert 'value="audit.view"' in html and "checked" in html


def test_role_create_unknown_permission_is_a_field_error(client, owner):
    client.force_login(owner.user)
    response = client.post(page("roles", owner), {"name": "Odd", "permissions": ["root.all"]})
    assert response.status_code == 200
    assert 'id="id_permissions_error"' in response.content.decode()


def test_roles_page_hides_creation_from_a_lawyer_and_refuses_it(client, lawyer):
    client.force_login(lawyer.user)
    assert "Create a role" not in client.get(page("roles", lawyer)).content.decode()
    assert client.post(page("roles", lawyer), {"name": "Mine", "permissions": []}).status_code == 403


def test_role_delete_of_a_custom_role(client, owner):
    role = custom_role_create(owner.org, "Temp", ["clients.view"])
    client.force_login(owner.user)
    assert client.post(page("role_delete", owner, role_id=role.pk)).status_code == 302
    with scopes_disabled():
        assert not Role.objects.filter(pk=role.pk).exists()


def test_role_delete_of_a_builtin_role_is_a_message(client, owner):
    client.force_login(owner.user)
    role = role_of(owner.org, "Lawyer")
    response = client.post(page("role_delete", owner, role_id=role.pk), follow=True)
    assert "Built-in roles cannot be deleted." in response.content.decode()
    with scopes_disabled():
        assert Role.objects.filter(pk=role.pk).exists()


def test_role_delete_of_another_firm_is_not_found(client, owner, other_owner):
    role = custom_role_create(other_owner.org, "Theirs", [])
    client.force_login(owner.user)
    assert client.post(page("role_delete", owner, role_id=role.pk)).status_code == 404


# API tokens.


def test_api_token_create_shows_the_secret_once(client, owner):
    client.force_login(owner.user)
    response = client.post(page("api_tokens", owner), {"name": "Accounting sync"}, follow=True)
    assert response.redirect_chain == [(page("api_tokens", owner), 302)]
    html = response.content.decode()
    with scope(org=owner.org_id):
        token = ApiToken.objects.get(name="Accounting sync")
    assert 'id="new-secret"' in html and f'value="{token.prefix}' in html
    again = client.get(page("api_tokens", owner)).content.decode()
    assert 'id="new-secret"' not in again and "Accounting sync" in again
    assert events(owner.org, "api_token.created")


def test_api_token_secret_works_as_a_bearer(client, owner):
    client.force_login(owner.user)
    html = client.post(page("api_tokens", owner), {"name": "Probe"}, follow=True).content.decode()
    secret = html.split('id="new-secret" class="secret" type="text" readonly value="')[1].split('"')[0]
    client.logout()
    response = client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_api_token_create_without_a_name_is_a_field_error(client, owner):
    client.force_login(owner.user)
    response = client.post(page("api_tokens", owner), {"name": ""})
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()


def test_api_token_revoke(client, owner):
    with scope(org=owner.org_id):
        token, _secret = firm_service.api_token_create(ctx=ctx_of(owner), name="Old")
    client.force_login(owner.user)
    assert client.post(page("api_token_revoke", owner, token_id=token.pk)).status_code == 302
    with scopes_disabled():
        assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert events(owner.org, "api_token.deleted")


def test_api_token_revoke_of_another_firm_is_not_found(client, owner, other_owner):
    with scope(org=other_owner.org_id):
        token, _secret = firm_service.api_token_create(ctx=ctx_of(other_owner), name="Theirs")
    client.force_login(owner.user)
    assert client.post(page("api_token_revoke", owner, token_id=token.pk)).status_code == 404
    with scopes_disabled():
        assert ApiToken.objects.filter(pk=token.pk).exists()


# Audit log.


def _profile_changes(membership, count):
    ctx = ctx_of(membership)
    with scope(org=membership.org_id):
        for n in range(count):
            firm_service.profile_update(ctx=ctx, first_name=f"Olivia{n}", last_name="Owner")


def test_audit_log_lists_and_filters_events(client, owner, lawyer):
    _profile_changes(owner, 2)
    client.force_login(owner.user)
    html = client.get(page("audit_log", owner)).content.decode()
    assert "user.profile_updated" in html and "org.created" in html
    filtered = client.get(page("audit_log", owner), {"action": "org."}).content.decode()
    assert "org.created" in filtered and "user.profile_updated" not in filtered
    by_lawyer = client.get(page("audit_log", owner), {"actor": str(lawyer.user_id)}).content.decode()
    assert "No events match" in by_lawyer


def test_audit_log_date_range(client, owner):
    client.force_login(owner.user)
    response = client.get(page("audit_log", owner), {"since": "2000-01-01", "until": "2000-01-31"})
    assert "No events match" in response.content.decode()
    response = client.get(page("audit_log", owner), {"since": "2000-02-01", "until": "2000-01-01"})
    assert 'id="id_until_error"' in response.content.decode()


def test_audit_log_paginates_with_an_htmx_partial(client, owner):
    _profile_changes(owner, 60)
    client.force_login(owner.user)
    response = client.get(page("audit_log", owner), {"page": "2", "action": "user."}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "Page 2 of 2" in html and "<html" not in html
    assert "action=user." in html


def test_audit_log_queries_do_not_grow_with_events(client, owner, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _profile_changes(owner, 3)
    client.force_login(owner.user)
    url = page("audit_log", owner)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _profile_changes(owner, 40)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_audit_log_does_not_show_another_firms_events(client, owner, other_owner):
    client.force_login(owner.user)
    html = client.get(page("audit_log", owner)).content.decode()
    assert "Other Firm LLP" not in html and "noah@other-firm.ca" not in html
