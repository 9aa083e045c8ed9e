"""/users/: the firm's people."""

import uuid
from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import EmailStr

from core.api.base import ERRORS, Page, ordered, requires
from core.models import Membership
from core.selectors import firms as selectors
from core.services import firms as services
from core.services.auth import mfa_enabled

router = Router(tags=["users"])

MEMBER_ORDERING = {"email": "user__email", "last_name": "user__last_name", "joined_at": "created_at"}


def _user(membership: Membership):
    # A ValueError (not an AttributeError) lets a union of response schemas try its next member.
    user = getattr(membership, "user", None)
    if user is None:
        raise ValueError("not a membership")
    return user


class UserOut(Schema):
    """The seed's user payload, read from a membership (roles are per firm)."""

    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    mfa_enabled: bool
    roles: list[str]

    @staticmethod
    def resolve_id(membership: Membership):
        return _user(membership).id

    @staticmethod
    def resolve_email(membership: Membership):
        return _user(membership).email

    @staticmethod
    def resolve_first_name(membership: Membership):
        return _user(membership).first_name

    @staticmethod
    def resolve_last_name(membership: Membership):
        return _user(membership).last_name

    @staticmethod
    def resolve_mfa_enabled(membership: Membership):
        if hasattr(membership, "mfa_on"):
            return membership.mfa_on
        return mfa_enabled(_user(membership))

    @staticmethod
    def resolve_roles(membership: Membership):
        return [membership.role.name]


class RoleRefOut(Schema):
    id: uuid.UUID
    name: str


class OrgRefOut(Schema):
    id: uuid.UUID
    name: str


class MemberOut(UserOut):
    role: RoleRefOut
    is_active: bool
    joined_at: datetime = Field(..., alias="created_at")
    last_login: datetime | None

    @staticmethod
    def resolve_last_login(membership: Membership):
        return membership.user.last_login


class MeOut(UserOut):
    org: OrgRefOut
    permissions: list[str]

    @staticmethod
    def resolve_permissions(membership: Membership):
        return sorted(membership.role.permissions)


class MemberFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Part of a name or an email.")
    role: uuid.UUID | None = None
    is_active: bool | None = None
    ordering: str | None = Field(None, max_length=40, description="email, last_name, joined_at; - for descending.")


class MemberCreateIn(Schema):
    email: EmailStr = Field(..., max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    role: uuid.UUID


class MemberUpdateIn(Schema):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    role: uuid.UUID | None = None
    is_active: bool | None = None


@router.get("/", response=list[MemberOut], openapi_extra=requires("users.view"), summary="List the firm's people")
@paginate(Page)
def member_list(request, filters: Query[MemberFilters]):
    members = selectors.member_list(ctx=request.auth, q=filters.q, role_id=filters.role, is_active=filters.is_active)
    return ordered(members, filters.ordering, MEMBER_ORDERING, "last_name")


@router.post("/", response={201: MemberOut, **ERRORS}, openapi_extra=requires("users.manage"), summary="Add a person")
def member_create(request, payload: MemberCreateIn):
    ctx = request.auth
    role = selectors.role_get(ctx=ctx, role_id=payload.role)
    membership = services.member_create(
        ctx=ctx, email=payload.email, role=role, first_name=payload.first_name, last_name=payload.last_name
    )
    return Status(201, membership)


@router.get("/me/", response={200: MeOut, **ERRORS}, summary="The signed-in person, in the current firm")
def me(request):
    return selectors.member_self(ctx=request.auth)


@router.get(
    "/{user_id}/", response={200: MemberOut, **ERRORS}, openapi_extra=requires("users.view"), summary="One person"
)
def member_get(request, user_id: uuid.UUID):
    return selectors.member_get(ctx=request.auth, user_id=user_id)


@router.patch(
    "/{user_id}/",
    response={200: MemberOut, **ERRORS},
    openapi_extra=requires("users.manage"),
    summary="Change a person's name, role, or deactivate them",
)
def member_update(request, user_id: uuid.UUID, payload: MemberUpdateIn):
    ctx = request.auth
    membership = selectors.member_get(ctx=ctx, user_id=user_id, permission="users.manage")
    data = payload.model_dump(exclude_unset=True)
    if data.get("role"):
        data["role"] = selectors.role_get(ctx=ctx, role_id=data["role"])
    return services.member_update(ctx=ctx, membership=membership, data=data)
