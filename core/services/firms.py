"""Firms and their people: sign-up, the firm profile, members, roles, invitations, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from core import exceptions, permissions
from core.models import ApiToken, Invitation, Membership, Organization, Province, Role, User
from core.services import audit
from core.services.matters import matter_number_format_check, practice_areas_default_create
from core.tenancy import Ctx, system_context

ORG_FIELDS = ["name", "province", "time_zone", "require_mfa", "feature_flags", "matter_number_format"]
API_TOKEN_PREFIX = "lfp_"
INVITATION_SALT = "core.invitation"


def _field_error(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError(message, errors={field: [message]})


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise _field_error(field, _("Enter a valid email address.")) from None
    return email


def _clean_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise exceptions.ValidationError(error.messages[0], errors={"password": error.messages}) from None


# Firms.


def _roles_builtin_create(org: Organization) -> dict[str, Role]:
    return {
        name: Role.objects.create(
            org=org,
            name=name,
            description=str(permissions.ROLE_DESCRIPTIONS[name]),
            permissions=sorted(perms),
            is_builtin=True,
        )
        for name, perms in permissions.BUILTIN_ROLES.items()
    }


def org_signup(*, ctx: Ctx, firm_name: str, province: str, user: User, password: str) -> Membership:
    """A new firm with its built-in roles, and its first user (new, unsaved) as Owner."""
    if province not in Province.values:
        raise _field_error("province", _("Choose a province or territory."))
    if not firm_name.strip():
        raise _field_error("firm_name", _("Enter the firm's name."))
    user.email = _clean_email(user.email)
    with scopes_disabled():
        if User.objects.filter(email=user.email).exists():
            raise _field_error("email", _("An account with this email already exists. Sign in instead."))
    _clean_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        org = Organization.objects.create(name=firm_name.strip(), province=province)
        with scope(org=org.pk):
            roles = _roles_builtin_create(org)
            practice_areas_default_create(org)
            membership = Membership.objects.create(org=org, user=user, role=roles[permissions.OWNER])
            actor_ctx = Ctx(org=org, user=user, ip=ctx.ip, user_agent=ctx.user_agent)
            audit.record(actor_ctx, "org.created", target=org, changes={"name": org.name, "province": province})
    return membership


def org_update(*, ctx: Ctx, org: Organization, data: dict) -> Organization:
    ctx.require("org.manage")
    if org.pk != ctx.org.pk:
        raise exceptions.NotFound()
    before = audit.snapshot(org, ORG_FIELDS)
    if "name" in data:
        if not str(data["name"]).strip():
            raise _field_error("name", _("Enter the firm's name."))
        org.name = str(data["name"]).strip()
    if "province" in data:
        if data["province"] not in Province.values:
            raise _field_error("province", _("Choose a province or territory."))
        org.province = data["province"]
    if "time_zone" in data:
        if data["time_zone"] not in zoneinfo.available_timezones():
            raise _field_error("time_zone", _("Choose a valid time zone."))
        org.time_zone = data["time_zone"]
    if "require_mfa" in data:
        org.require_mfa = bool(data["require_mfa"])
    if "matter_number_format" in data:
        matter_number_format_check(data["matter_number_format"])
        org.matter_number_format = data["matter_number_format"]
    if "feature_flags" in data:
        flags = data["feature_flags"] or {}
        unknown = sorted(set(flags) - set(settings.FEATURE_FLAG_DEFAULTS))
        if unknown:
            raise _field_error("feature_flags", _("Unknown feature flag: %(flag)s") % {"flag": unknown[0]})
        org.feature_flags = {**org.feature_flags, **{k: bool(v) for k, v in flags.items()}}
    changes = audit.diff(before, audit.snapshot(org, ORG_FIELDS))
    if changes:
        with transaction.atomic():
            org.save()
            audit.record(ctx, "org.updated", target=org, changes=changes)
    return org


# Roles.


def role_create(*, ctx: Ctx, name: str, permissions_: list[str], description: str = "") -> Role:
    ctx.require("roles.manage")
    name = (name or "").strip()
    if not name:
        raise _field_error("name", _("Enter a name for the role."))
    unknown = permissions.unknown_permissions(permissions_)
    if unknown:
        raise _field_error("permissions", _("Unknown permission: %(perm)s") % {"perm": unknown[0]})
    if Role.objects.filter(name__iexact=name).exists():
        raise _field_error("name", _("A role with this name already exists."))
    try:
        with transaction.atomic():
            role = Role.objects.create(
                org=ctx.org, name=name, description=description.strip(), permissions=sorted(set(permissions_))
            )
            audit.record(ctx, "role.created", target=role, changes={"name": name, "permissions": role.permissions})
    except IntegrityError:
        raise _field_error("name", _("A role with this name already exists.")) from None
    return role


def role_update(*, ctx: Ctx, role: Role, data: dict) -> Role:
    ctx.require("roles.manage")
    if role.is_builtin:
        raise exceptions.Conflict(_("Built-in roles cannot be changed. Create a custom role instead."))
    before = audit.snapshot(role, ["name", "description", "permissions"])
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise _field_error("name", _("Enter a name for the role."))
        if Role.objects.filter(name__iexact=name).exclude(pk=role.pk).exists():
            raise _field_error("name", _("A role with this name already exists."))
        role.name = name
    if "description" in data:
        role.description = (data["description"] or "").strip()
    if "permissions" in data:
        unknown = permissions.unknown_permissions(data["permissions"])
        if unknown:
            raise _field_error("permissions", _("Unknown permission: %(perm)s") % {"perm": unknown[0]})
        role.permissions = sorted(set(data["permissions"]))
    changes = audit.diff(before, audit.snapshot(role, ["name", "description", "permissions"]))
    if changes:
        with transaction.atomic():
            role.save()
            audit.record(ctx, "role.updated", target=role, changes=changes)
    return role


def role_delete(*, ctx: Ctx, role: Role) -> None:
    ctx.require("roles.manage")
    if role.is_builtin:
        raise exceptions.Conflict(_("Built-in roles cannot be deleted."))
    if (
        Membership.objects.filter(role=role).exists()
        or Invitation.objects.filter(role=role, accepted_at__isnull=True).exists()
    ):
        raise exceptions.Conflict(_("This role is still assigned. Move its people to another role first."))
    with transaction.atomic():
        audit.record(ctx, "role.deleted", target=role, changes={"name": role.name})
        role.delete()


# Members.


def _owner_guard(ctx: Ctx, membership: Membership, new_role: Role | None, active: bool) -> None:
    """Only Owners make or change Owners, and a firm always keeps one active Owner."""
    touches_owner = membership.role.name == permissions.OWNER and membership.role.is_builtin
    makes_owner = new_role is not None and new_role.name == permissions.OWNER and new_role.is_builtin
    if (touches_owner or makes_owner) and not ctx.is_owner:
        raise exceptions.PermissionDenied(_("Only an Owner can change an Owner or make one."))
    loses_owner = touches_owner and (not active or (new_role is not None and new_role.pk != membership.role_id))
    if loses_owner:
        owners = Membership.objects.filter(role=membership.role, is_active=True).exclude(pk=membership.pk)
        if not owners.exists():
            raise exceptions.Conflict(_("The firm must keep at least one active Owner."))


def member_create(*, ctx: Ctx, email: str, role: Role, first_name: str = "", last_name: str = "") -> Membership:
    """Add a person to the firm. A new person gets an email to choose their password."""
    ctx.require("users.manage")
    email = _clean_email(email)
    if role.name == permissions.OWNER and role.is_builtin and not ctx.is_owner:
        raise exceptions.PermissionDenied(_("Only an Owner can make an Owner."))
    with transaction.atomic():
        with scopes_disabled():
            user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
            user.set_unusable_password()
            user.save()
        if Membership.objects.filter(user=user).exists():
            raise exceptions.Conflict(_("This person is already a member of the firm."))
        membership = Membership.objects.create(org=ctx.org, user=user, role=role)
        audit.record(ctx, "member.created", target=user, changes={"email": email, "role": role.name})
        if created:
            from core import tasks

            org_id, user_id = ctx.org.pk, user.pk
            transaction.on_commit(lambda: tasks.welcome_email_send(org_id, user_id))
    return membership


def member_update(*, ctx: Ctx, membership: Membership, data: dict) -> Membership:
    ctx.require("users.manage")
    new_role: Role | None = data.get("role")
    active = data.get("is_active")
    if active is None:  # absent or null: no change (a null must not read as False and deactivate)
        active = membership.is_active
    if membership.user_id == ctx.user.pk and active is False:
        raise exceptions.Conflict(_("You cannot deactivate yourself."))
    _owner_guard(ctx, membership, new_role, active)
    user = membership.user
    before = {
        "role": membership.role.name,
        "is_active": membership.is_active,
        **audit.snapshot(user, ["first_name", "last_name"]),
    }
    if new_role is not None:
        membership.role = new_role
    membership.is_active = bool(active)
    for name in ("first_name", "last_name"):
        if name in data:
            setattr(user, name, (data[name] or "").strip())
    after = {
        "role": membership.role.name,
        "is_active": membership.is_active,
        **audit.snapshot(user, ["first_name", "last_name"]),
    }
    changes = audit.diff(before, after)
    if changes:
        with transaction.atomic():
            membership.save(update_fields=["role", "is_active"])
            user.save(update_fields=["first_name", "last_name"])
            action = "member.deactivated" if changes.get("is_active") == [True, False] else "member.updated"
            audit.record(ctx, action, target=user, changes=changes)
    return membership


def profile_update(*, ctx: Ctx, first_name: str, last_name: str) -> User:
    user = ctx.user
    before = audit.snapshot(user, ["first_name", "last_name"])
    user.first_name, user.last_name = first_name.strip()[:150], last_name.strip()[:150]
    changes = audit.diff(before, audit.snapshot(user, ["first_name", "last_name"]))
    if changes:
        with transaction.atomic():
            user.save(update_fields=["first_name", "last_name"])
            audit.record(ctx, "user.profile_updated", target=user, changes=changes)
    return user


# Invitations.


def invitation_token(invitation: Invitation) -> str:
    """The link's token is signed, not stored: the email job can rebuild it from the invitation's id."""
    return signing.dumps(str(invitation.pk), salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    try:
        invitation_id = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_LIFETIME)
    except signing.BadSignature:
        raise exceptions.NotFound(_("This invitation link is not valid.")) from None
    with scopes_disabled():
        invitation = Invitation.objects.select_related("org", "role").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        raise exceptions.NotFound(_("This invitation is no longer valid."))
    return invitation


def invitation_has_account(invitation: Invitation) -> bool:
    """Whether the invited email already signs in here: then the person accepts after signing in."""
    with scopes_disabled():
        return User.objects.filter(email=invitation.email).exists()


def invitation_create(*, ctx: Ctx, email: str, role: Role, client=None) -> Invitation:
    """Invite someone to the firm; `client` links a Client-role invitation to the client it is for."""
    ctx.require("invitations.manage")
    email = _clean_email(email)
    if role.name == permissions.OWNER and role.is_builtin and not ctx.is_owner:
        raise exceptions.PermissionDenied(_("Only an Owner can invite an Owner."))
    if Membership.objects.filter(user__email=email).exists():
        raise _field_error("email", _("This person is already a member of the firm."))
    with transaction.atomic():
        Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            org=ctx.org,
            email=email,
            role=role,
            client=client,
            invited_by=ctx.user,
            expires_at=timezone.now() + settings.INVITATION_LIFETIME,
        )
        changes = {"email": email, "role": role.name}
        if client is not None:
            changes["client"] = str(client)
        audit.record(ctx, "invitation.created", target=invitation, target_label=email, changes=changes)
        from core import tasks

        org_id, invitation_id = ctx.org.pk, invitation.pk
        transaction.on_commit(lambda: tasks.invitation_email_send(org_id, invitation_id))
    return invitation


def client_portal_invite(*, ctx: Ctx, client, email: str) -> Invitation:
    """Invite a client to the portal: an invitation with the built-in Client role, linked to this client."""
    ctx.require("clients.manage")
    ctx.require("invitations.manage")
    if not client.is_active:
        raise exceptions.Conflict(_("This client is archived. Restore it before inviting it to the portal."))
    role = Role.objects.get(name=permissions.CLIENT, is_builtin=True)
    return invitation_create(ctx=ctx, email=email, role=role, client=client)


def invitation_revoke(*, ctx: Ctx, invitation: Invitation) -> None:
    ctx.require("invitations.manage")
    if invitation.accepted_at:
        raise exceptions.Conflict(_("This invitation was already accepted."))
    if invitation.revoked_at:
        return
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(ctx, "invitation.revoked", target=invitation, target_label=invitation.email)


def invitation_accept(
    *, ctx: Ctx, token: str, first_name: str = "", last_name: str = "", password: str = "", user: User | None = None
) -> Membership:
    """Join the firm from an invitation: a new person sets a name and password; a signed-in one just joins."""
    invitation = invitation_from_token(token)
    org = invitation.org
    with transaction.atomic(), scope(org=org.pk):
        invitation = Invitation.objects.select_for_update().select_related("role").get(pk=invitation.pk)
        if invitation.status != "pending":
            raise exceptions.NotFound(_("This invitation is no longer valid."))
        if user is None:
            with scopes_disabled():
                if User.objects.filter(email=invitation.email).exists():
                    raise exceptions.Conflict(_("An account with this email exists. Sign in to accept."))
            if not first_name.strip():
                raise _field_error("first_name", _("Enter your first name."))
            user = User(email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip())
            _clean_password(password, user)
            user.set_password(password)
            user.save()
        elif user.email != invitation.email:
            raise exceptions.PermissionDenied(_("This invitation was sent to another email address."))
        membership, _created = Membership.objects.get_or_create(
            org=org, user=user, defaults={"role": invitation.role, "client_id": invitation.client_id}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        actor_ctx = Ctx(org=org, user=user, ip=ctx.ip, user_agent=ctx.user_agent)
        audit.record(actor_ctx, "invitation.accepted", target=invitation, target_label=invitation.email)
    return membership


# API tokens.


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, ctx: Ctx, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token acting as the caller in this firm. The secret is answered once, stored hashed."""
    ctx.require("api_tokens.manage")
    name = (name or "").strip()
    if not name:
        raise _field_error("name", _("Give the token a name."))
    if expires_at is not None and expires_at <= timezone.now():
        raise _field_error("expires_at", _("The expiry must be in the future."))
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            org=ctx.org,
            user=ctx.user,
            name=name,
            prefix=secret[: len(API_TOKEN_PREFIX) + 6],
            token_hash=_token_hash(secret),
            expires_at=expires_at,
        )
        audit.record(ctx, "api_token.created", target=token, target_label=name, changes={"name": name})
    return token, secret


def api_token_delete(*, ctx: Ctx, token: ApiToken) -> None:
    ctx.require("api_tokens.manage")
    with transaction.atomic():
        audit.record(ctx, "api_token.deleted", target=token, target_label=token.name, changes={"name": token.name})
        token.delete()


def api_token_resolve(secret: str) -> ApiToken | None:
    """The live token for a bearer secret; marks its last use (once a minute)."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    now = timezone.now()
    with scopes_disabled():
        token = ApiToken.objects.filter(token_hash=_token_hash(secret)).first()
        if token is None or (token.expires_at and token.expires_at <= now):
            return None
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def system_ctx_for(org_id) -> Ctx:
    with scopes_disabled():
        return system_context(Organization.objects.get(pk=org_id))
