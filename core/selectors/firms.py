"""Reads of firm data shared by pages and the API. Each checks the permission it needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import exceptions, permissions
from core.models import ApiToken, Invitation, Membership, Role
from core.tenancy import Ctx


def _mfa_on():
    return Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True))


def _members() -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "role").annotate(mfa_on=_mfa_on())


def member_list(*, ctx: Ctx, q: str | None = None, role_id=None, is_active: bool | None = None) -> QuerySet[Membership]:
    ctx.require("users.view")
    members = _members()
    if q:
        members = members.filter(
            Q(user__email__icontains=q) | Q(user__first_name__icontains=q) | Q(user__last_name__icontains=q)
        )
    if role_id:
        members = members.filter(role_id=role_id)
    if is_active is not None:
        members = members.filter(is_active=is_active)
    return members


def member_get(*, ctx: Ctx, user_id, permission: str = "users.view") -> Membership:
    """One member: `users.view` to read them, or `users.manage` to look them up for a change."""
    if ctx.user and str(user_id) == str(ctx.user.pk):
        return member_self(ctx=ctx)
    ctx.require(permission)
    membership = _members().filter(user_id=user_id).first()
    if membership is None:
        raise exceptions.NotFound()
    return membership


def member_self(*, ctx: Ctx) -> Membership:
    """The caller's own membership, as authentication loaded it (user, role, firm, MFA state)."""
    return ctx.membership


def role_list(*, ctx: Ctx) -> QuerySet[Role]:
    ctx.require("users.view")
    return Role.objects.all()


def role_get(*, ctx: Ctx, role_id) -> Role:
    """Any member may look up a role by id (to assign it, say); listing roles needs users.view."""
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        raise exceptions.NotFound()
    return role


def invitation_list(*, ctx: Ctx) -> QuerySet[Invitation]:
    ctx.require("invitations.manage")
    return Invitation.objects.select_related("role", "invited_by")


def invitation_get(*, ctx: Ctx, invitation_id, client=None) -> Invitation:
    """One invitation; with `client`, only one sent for that client to its portal."""
    invitations = invitation_list(ctx=ctx)
    if client is not None:
        invitations = invitations.filter(client=client)
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise exceptions.NotFound()
    return invitation


@dataclass(frozen=True)
class PortalAccess:
    invitations: list[Invitation]
    members: list[Membership]


def client_portal_access(*, ctx: Ctx, client) -> PortalAccess:
    """Who was invited to the portal for this client, newest first, and the members who sign in as it.

    Two queries, however many there are. Both lists need invitations.manage.
    """
    ctx.require("invitations.manage")
    invitations = list(Invitation.objects.filter(client=client))
    members = list(
        Membership.objects.filter(client=client)
        .select_related("user")
        .order_by("-is_active", "user__first_name", "user__last_name", "user__email")
    )
    return PortalAccess(invitations=invitations, members=members)


def api_token_list(*, ctx: Ctx) -> QuerySet[ApiToken]:
    ctx.require("api_tokens.manage")
    return ApiToken.objects.select_related("user")


def api_token_get(*, ctx: Ctx, token_id) -> ApiToken:
    token = api_token_list(ctx=ctx).filter(pk=token_id).first()
    if token is None:
        raise exceptions.NotFound()
    return token


def staff_members(*, ctx: Ctx) -> QuerySet[Membership]:
    """The firm's active staff: who can be a matter's lawyer or on its team (portal clients are not)."""
    return (
        Membership.objects.filter(is_active=True)
        .exclude(role__name=permissions.CLIENT, role__is_builtin=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
