"""/org/, /roles/, /invitations/, /api-tokens/, /settings/: the firm and its configuration."""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import connection
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import EmailStr

from core import exceptions
from core.api.base import ERRORS, Page, UtcDateTime, ordered, requires
from core.models import Province
from core.permissions import CATALOGUE
from core.selectors import firms as selectors
from core.services import firms as services

router = Router(tags=["firm"])


class OrgOut(Schema):
    id: uuid.UUID
    name: str
    province: Province
    currency: str
    time_zone: str
    require_mfa: bool
    feature_flags: dict[str, bool]
    matter_number_format: str
    created_at: datetime


class OrgUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    province: Province | None = None
    time_zone: str | None = Field(None, max_length=64)
    require_mfa: bool | None = None
    feature_flags: dict[str, bool] | None = None
    matter_number_format: str | None = Field(
        None, min_length=1, max_length=40, description="{year} and {seq}, e.g. {year}-{seq:04d} or M{seq:05d}."
    )


class RoleOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    permissions: list[str]
    is_builtin: bool


class RoleCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=300)
    permissions: list[str] = Field(..., max_length=len(CATALOGUE))


class RoleUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=300)
    permissions: list[str] | None = Field(None, max_length=len(CATALOGUE))


class PermissionOut(Schema):
    code: str
    label: str


class InvitationOut(Schema):
    id: uuid.UUID
    email: str
    role: RoleOut
    status: str
    invited_by: str | None
    created_at: datetime
    expires_at: datetime

    @staticmethod
    def resolve_invited_by(invitation):
        return invitation.invited_by.email if invitation.invited_by else None


class InvitationCreateIn(Schema):
    email: EmailStr = Field(..., max_length=254)
    role: uuid.UUID


class ApiTokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    user: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None

    @staticmethod
    def resolve_user(token):
        return token.user.email


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(..., description="The secret. Shown this once; only its hash is kept.")


class ApiTokenCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: UtcDateTime | None = None


class BackendsOut(Schema):
    database: str
    storage: str
    queue: str
    email: str
    cache: str


class SettingsOut(Schema):
    environment: str
    version: str
    backends: BackendsOut
    feature_flags: dict[str, bool]
    require_mfa: bool


# The firm.


@router.get("/org/{org_id}/", response={200: OrgOut, **ERRORS}, summary="The firm's profile")
def org_get(request, org_id: uuid.UUID):
    ctx = request.auth
    if org_id != ctx.org.pk:
        raise exceptions.NotFound()
    return ctx.org


@router.put(
    "/org/{org_id}/",
    response={200: OrgOut, **ERRORS},
    openapi_extra=requires("org.manage"),
    summary="Update the firm's profile",
)
def org_update(request, org_id: uuid.UUID, payload: OrgUpdateIn):
    ctx = request.auth
    if org_id != ctx.org.pk:
        raise exceptions.NotFound()
    return services.org_update(ctx=ctx, org=ctx.org, data=payload.model_dump(exclude_unset=True, exclude_none=True))


# Roles.


@router.get("/roles/", response=list[RoleOut], openapi_extra=requires("users.view"), summary="List roles")
@paginate(Page)
def role_list(request, ordering: str | None = Query(None, max_length=40)):
    return ordered(
        selectors.role_list(ctx=request.auth), ordering, {"name": "name", "created_at": "created_at"}, "name"
    )


@router.get(
    "/roles/permissions/", response=list[PermissionOut], summary="The permission catalogue roles are built from"
)
def permission_catalogue(request):
    return [PermissionOut(code=code, label=str(label)) for code, label in CATALOGUE.items()]


@router.post(
    "/roles/", response={201: RoleOut, **ERRORS}, openapi_extra=requires("roles.manage"), summary="Create a role"
)
def role_create(request, payload: RoleCreateIn):
    role = services.role_create(
        ctx=request.auth, name=payload.name, description=payload.description, permissions_=payload.permissions
    )
    return Status(201, role)


@router.get(
    "/roles/{role_id}/", response={200: RoleOut, **ERRORS}, openapi_extra=requires("users.view"), summary="One role"
)
def role_get(request, role_id: uuid.UUID):
    request.auth.require("users.view")
    return selectors.role_get(ctx=request.auth, role_id=role_id)


@router.patch(
    "/roles/{role_id}/",
    response={200: RoleOut, **ERRORS},
    openapi_extra=requires("roles.manage"),
    summary="Edit a custom role",
)
def role_update(request, role_id: uuid.UUID, payload: RoleUpdateIn):
    ctx = request.auth
    role = selectors.role_get(ctx=ctx, role_id=role_id)
    return services.role_update(ctx=ctx, role=role, data=payload.model_dump(exclude_unset=True, exclude_none=True))


@router.delete(
    "/roles/{role_id}/",
    response={204: None, **ERRORS},
    openapi_extra=requires("roles.manage"),
    summary="Delete a custom role",
)
def role_delete(request, role_id: uuid.UUID):
    ctx = request.auth
    services.role_delete(ctx=ctx, role=selectors.role_get(ctx=ctx, role_id=role_id))
    return Status(204, None)


# Invitations.


@router.get(
    "/invitations/",
    response=list[InvitationOut],
    openapi_extra=requires("invitations.manage"),
    summary="List invitations",
)
@paginate(Page)
def invitation_list(request, ordering: str | None = Query(None, max_length=40)):
    invitations = selectors.invitation_list(ctx=request.auth)
    return ordered(invitations, ordering, {"created_at": "created_at", "email": "email"}, "-created_at")


@router.post(
    "/invitations/",
    response={201: InvitationOut, **ERRORS},
    openapi_extra=requires("invitations.manage"),
    summary="Invite a person by email",
)
def invitation_create(request, payload: InvitationCreateIn):
    ctx = request.auth
    role = selectors.role_get(ctx=ctx, role_id=payload.role)
    return Status(201, services.invitation_create(ctx=ctx, email=payload.email, role=role))


@router.delete(
    "/invitations/{invitation_id}/",
    response={204: None, **ERRORS},
    openapi_extra=requires("invitations.manage"),
    summary="Revoke an invitation",
)
def invitation_revoke(request, invitation_id: uuid.UUID):
    ctx = request.auth
    services.invitation_revoke(ctx=ctx, invitation=selectors.invitation_get(ctx=ctx, invitation_id=invitation_id))
    return Status(204, None)


# API tokens.


@router.get(
    "/api-tokens/", response=list[ApiTokenOut], openapi_extra=requires("api_tokens.manage"), summary="List API tokens"
)
@paginate(Page)
def api_token_list(request, ordering: str | None = Query(None, max_length=40)):
    tokens = selectors.api_token_list(ctx=request.auth)
    return ordered(
        tokens, ordering, {"created_at": "created_at", "name": "name", "last_used_at": "last_used_at"}, "-created_at"
    )


@router.post(
    "/api-tokens/",
    response={201: ApiTokenCreatedOut, **ERRORS},
    openapi_extra=requires("api_tokens.manage"),
    summary="Create an API token",
)
def api_token_create(request, payload: ApiTokenCreateIn):
    token, secret = services.api_token_create(ctx=request.auth, name=payload.name, expires_at=payload.expires_at)
    token.token = secret
    return Status(201, token)


@router.delete(
    "/api-tokens/{token_id}/",
    response={204: None, **ERRORS},
    openapi_extra=requires("api_tokens.manage"),
    summary="Revoke an API token",
)
def api_token_delete(request, token_id: uuid.UUID):
    ctx = request.auth
    services.api_token_delete(ctx=ctx, token=selectors.api_token_get(ctx=ctx, token_id=token_id))
    return Status(204, None)


# Settings.


def _backend_name(path: str) -> str:
    return path.rsplit(".", 1)[-1]


@router.get(
    "/settings/",
    response={200: SettingsOut, **ERRORS},
    openapi_extra=requires("settings.view"),
    summary="Environment and feature flags",
)
def settings_get(request):
    ctx = request.auth
    ctx.require("settings.view")
    huey = settings.HUEY
    return SettingsOut(
        environment=settings.ENVIRONMENT,
        version=settings.VERSION,
        backends=BackendsOut(
            database=connection.vendor,
            storage=_backend_name(settings.STORAGES["default"]["BACKEND"]),
            queue=_backend_name(huey["huey_class"]) + (" (immediate)" if huey.get("immediate") else ""),
            email=_backend_name(settings.EMAIL_BACKEND),
            cache=_backend_name(settings.CACHES["default"]["BACKEND"]),
        ),
        feature_flags=ctx.org.feature_flags,
        require_mfa=ctx.org.require_mfa,
    )
