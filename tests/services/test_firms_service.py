"""core.services.firms and the tenancy scope: sign-up, the Owner rules, roles, invitations, API tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from core import exceptions, permissions
from core.models import ApiToken, Membership, Role, User
from core.services import firms
from core.tenancy import Ctx, activate, anonymous_context
from tests.factories import ctx_of, member_create, role_of


def test_signup_creates_the_firm_its_built_in_roles_and_its_owner(owner):
    with scope(org=owner.org_id):
        assert set(Role.objects.values_list("name", flat=True)) == set(permissions.BUILTIN_ROLES)
        assert Role.objects.get(name="Owner").permissions == sorted(permissions.STAFF)
    assert owner.role.name == "Owner"
    assert owner.org.currency == "CAD"
    assert owner.user.check_password("Passw0rd!123")


def test_signup_refuses_a_taken_email_a_weak_password_and_an_unknown_province(owner):
    cases = [
        ({"province": "ON", "email": "olivia@test-law.ca", "password": "An0ther-Passphrase"}, "email"),
        ({"province": "ON", "email": "new@example.ca", "password": "short"}, "password"),
        ({"province": "ZZ", "email": "new@example.ca", "password": "An0ther-Passphrase"}, "province"),
    ]
    for case, field in cases:
        with pytest.raises(exceptions.ValidationError) as error, scopes_disabled():
            firms.org_signup(
                ctx=Ctx(org=None),
                firm_name="New LLP",
                province=case["province"],
                user=User(email=case["email"]),
                password=case["password"],
            )
        assert field in error.value.errors


def test_a_query_of_firm_data_outside_a_scope_fails_loudly(owner):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with activate(owner.org):
        assert Membership.objects.count() == 1


def test_a_scope_shows_only_its_firm(owner, other_owner):
    with activate(other_owner.org):
        assert list(Membership.objects.values_list("user__email", flat=True)) == ["noah@other-firm.ca"]


def test_activate_without_a_firm_is_not_found(db):
    with pytest.raises(exceptions.NotFound), activate(Ctx(org=None)):
        pass


def test_org_update_needs_org_manage_and_validates(owner, lawyer):
    with activate(owner.org):
        with pytest.raises(exceptions.PermissionDenied):
            firms.org_update(ctx=ctx_of(lawyer), org=owner.org, data={"name": "Mine"})
        with pytest.raises(exceptions.ValidationError) as error:
            firms.org_update(ctx=ctx_of(owner), org=owner.org, data={"time_zone": "Nowhere/Land"})
        assert "time_zone" in error.value.errors


def test_org_update_without_changes_records_nothing(owner):
    from tests.api.helpers import audit_events

    with activate(owner.org):
        firms.org_update(ctx=ctx_of(owner), org=owner.org, data={"name": "Test Law LLP"})
    assert not audit_events(owner.org, action="org.updated")


def test_member_update_keeps_one_active_owner(owner):
    with activate(owner.org), pytest.raises(exceptions.Conflict):
        firms.member_update(ctx=ctx_of(owner), membership=owner, data={"role": role_of(owner.org, "Admin")})


def test_only_an_owner_changes_an_owner(owner):
    second = member_create(owner.org, permissions.OWNER, email="oscar@test-law.ca")
    admin = member_create(owner.org, permissions.ADMIN, email="ada@test-law.ca")
    with activate(owner.org), pytest.raises(exceptions.PermissionDenied):
        firms.member_update(ctx=ctx_of(admin), membership=second, data={"is_active": False})
    with activate(owner.org):
        firms.member_update(ctx=ctx_of(owner), membership=second, data={"is_active": False})
        assert Membership.objects.get(pk=second.pk).is_active is False


def test_a_custom_role_cannot_take_a_built_in_name_in_any_case(owner):
    with activate(owner.org), pytest.raises(exceptions.ValidationError) as error:
        firms.role_create(ctx=ctx_of(owner), name="owner", permissions_=list(permissions.STAFF))
    assert "name" in error.value.errors


def test_role_create_refuses_unknown_permissions(owner):
    with activate(owner.org), pytest.raises(exceptions.ValidationError) as error:
        firms.role_create(ctx=ctx_of(owner), name="Root", permissions_=["everything"])
    assert "permissions" in error.value.errors


def test_invitation_accept_by_a_signed_in_person_with_another_email_is_refused(owner, lawyer, other_owner):
    with activate(owner.org):
        invitation = firms.invitation_create(
            ctx=ctx_of(owner), email="iris@example.ca", role=role_of(owner.org, "Lawyer")
        )
    token = firms.invitation_token(invitation)
    with pytest.raises(exceptions.PermissionDenied):
        firms.invitation_accept(ctx=anonymous_context(), token=token, user=other_owner.user)


def test_invitation_accept_by_a_signed_in_person_joins_a_second_firm(owner, other_owner):
    with activate(other_owner.org):
        invitation = firms.invitation_create(
            ctx=ctx_of(other_owner), email="olivia@test-law.ca", role=role_of(other_owner.org, "Lawyer")
        )
    membership = firms.invitation_accept(
        ctx=anonymous_context(), token=firms.invitation_token(invitation), user=owner.user
    )
    assert membership.org_id == other_owner.org_id
    with scopes_disabled():
        assert Membership.objects.filter(user=owner.user).count() == 2


def test_an_expired_invitation_cannot_be_accepted(owner):
    with activate(owner.org):
        invitation = firms.invitation_create(
            ctx=ctx_of(owner), email="iris@example.ca", role=role_of(owner.org, "Lawyer")
        )
        invitation.expires_at = timezone.now() - timedelta(seconds=1)
        invitation.save(update_fields=["expires_at"])
    with pytest.raises(exceptions.NotFound):
        firms.invitation_accept(
            ctx=anonymous_context(), token=firms.invitation_token(invitation), first_name="I", password="An0ther-Pass!"
        )


def test_api_token_resolve_marks_the_last_use_at_most_once_a_minute(owner):
    with activate(owner.org):
        token, secret = firms.api_token_create(ctx=ctx_of(owner), name="Sync")
    first = firms.api_token_resolve(secret)
    assert first.last_used_at is not None
    with scopes_disabled():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(seconds=30))
        recent = ApiToken.objects.get(pk=token.pk).last_used_at
    assert firms.api_token_resolve(secret).last_used_at == recent
    with scopes_disabled():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    assert firms.api_token_resolve(secret).last_used_at > recent


def test_api_token_resolve_refuses_unknown_and_expired_secrets(owner):
    with activate(owner.org):
        token, secret = firms.api_token_create(
            ctx=ctx_of(owner), name="Short", expires_at=timezone.now() + timedelta(minutes=1)
        )
    assert firms.api_token_resolve(secret) is not None
    assert firms.api_token_resolve(secret + "x") is None
    assert firms.api_token_resolve("not-a-token") is None
    with scopes_disabled():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert firms.api_token_resolve(secret) is None


def test_api_token_create_needs_the_permission(owner, lawyer):
    with activate(owner.org), pytest.raises(exceptions.PermissionDenied):
        firms.api_token_create(ctx=ctx_of(lawyer), name="Mine")
