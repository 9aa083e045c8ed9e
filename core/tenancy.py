"""The one place that decides which firm a request, a task or a command acts for.

A `Ctx` carries the firm, the acting user (or API token, or the system), their permissions and
where the request came from. Queries of firm data run inside `activate(ctx)`: django-scopes
raises on a scoped model queried outside it, so a query that forgets the firm fails loudly.
The firm always comes from an authenticated membership, never from a header or a body.
"""

from __future__ import annotations

import ipaddress
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from core import exceptions
from core.models import ApiToken, AuthSession, Membership, Organization, User
from core.permissions import OWNER


@dataclass(frozen=True)
class Ctx:
    org: Organization | None
    user: User | None = None
    membership: Membership | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    ip: str | None = None
    user_agent: str = ""
    api_token: ApiToken | None = None
    auth_session_id: uuid.UUID | None = None
    system: bool = False

    def has(self, permission: str) -> bool:
        return self.system or permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.has(permission):
            raise exceptions.PermissionDenied()

    @property
    def is_owner(self) -> bool:
        return self.system or (
            self.membership is not None and self.membership.role.name == OWNER and self.membership.role.is_builtin
        )

    @property
    def actor_label(self) -> str:
        if self.system:
            return "system"
        if self.user is None:
            return "anonymous"
        label = self.user.email
        if self.api_token is not None:
            label += f" (API token {self.api_token.name})"
        return label

    def with_origin(self, other: Ctx) -> Ctx:
        return replace(self, ip=other.ip, user_agent=other.user_agent)

    def with_request(self, request: HttpRequest | None) -> Ctx:
        if request is None:
            return self
        ip, user_agent = request_origin(request)
        return replace(self, ip=ip, user_agent=user_agent)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, trusting exactly NUM_PROXIES hops of X-Forwarded-For."""
    address = request.META.get("REMOTE_ADDR")
    proxies = settings.NINJA_NUM_PROXIES
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def request_origin(request: HttpRequest) -> tuple[str | None, str]:
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:300]


def member_context(membership: Membership, request: HttpRequest | None = None, **extra) -> Ctx:
    role = membership.role
    ctx = Ctx(
        org=membership.org,
        user=membership.user,
        membership=membership,
        permissions=frozenset(role.permissions),
        **extra,
    )
    return ctx.with_request(request)


def anonymous_context(request: HttpRequest | None = None, org: Organization | None = None) -> Ctx:
    return Ctx(org=org).with_request(request)


def system_context(org: Organization) -> Ctx:
    return Ctx(org=org, system=True)


@contextmanager
def activate(ctx_or_org: Ctx | Organization | uuid.UUID | str):
    """Run queries of firm data for one firm, and only that firm."""
    if isinstance(ctx_or_org, Ctx):
        org_id = ctx_or_org.org.pk if ctx_or_org.org else None
    elif isinstance(ctx_or_org, Organization):
        org_id = ctx_or_org.pk
    else:
        org_id = ctx_or_org
    if org_id is None:
        raise exceptions.NotFound()
    with scope(org=org_id):
        yield


def bind_request(request: HttpRequest, ctx: Ctx) -> None:
    """Activate the firm's scope for the rest of this request (see `request_scope`)."""
    stack: ExitStack | None = getattr(request, "_tenant_scope", None)
    if stack is None:
        raise RuntimeError("bind_request() outside request_scope()")
    stack.enter_context(activate(ctx))
    request.ctx = ctx


@contextmanager
def request_scope(request: HttpRequest):
    """Open a request's scope frame; authentication binds the firm inside it, and it closes with the request."""
    with ExitStack() as stack:
        request._tenant_scope = stack
        try:
            yield
        finally:
            request._tenant_scope = None


def load_membership(*, user_id, org_id, session_id=None) -> Membership | None:
    """An active membership of an active user, with its role, firm and MFA state, in one query.

    With `session_id`, the API sign-in it belongs to must not be revoked (logout acts at once).
    """
    with scopes_disabled():
        memberships = (
            Membership.objects.select_related("user", "role", "org")
            .filter(user_id=user_id, org_id=org_id, is_active=True, user__is_active=True)
            .annotate(mfa_on=Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)))
        )
        if session_id is not None:
            memberships = memberships.annotate(
                session_live=Exists(
                    AuthSession.objects.filter(id=session_id, user_id=OuterRef("user_id"), revoked_at__isnull=True)
                )
            )
        membership = memberships.first()
    if membership is None or (session_id is not None and not membership.session_live):
        return None
    return membership


def memberships_of(user: User) -> list[Membership]:
    """The firms a user may act for, oldest first: the choice of firm at sign-in."""
    with scopes_disabled():
        return list(
            Membership.objects.select_related("org", "role").filter(user=user, is_active=True).order_by("created_at")
        )
