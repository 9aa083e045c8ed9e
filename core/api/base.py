"""What every endpoint shares: the JSON parser, authentication and scope, pagination, ordering, errors."""

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator

from core import exceptions
from core.services import auth as auth_service
from core.services import firms as firm_service
from core.tenancy import Ctx, bind_request, load_membership, member_context, request_scope

logger = logging.getLogger("core.api")

ACCESS_COOKIE = "lf_access"
REFRESH_COOKIE = "lf_refresh"
MFA_COOKIE = "lf_mfa"
AUTH_COOKIE_PATH = "/api/v1/auth/"
# What a member of a firm that requires MFA may still reach before setting it up.
MFA_SETUP_PATHS = ("auth/mfa/setup/", "auth/mfa/verify/", "auth/logout/", "users/me/")


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


ERRORS: dict[int, Any] = {
    400: ValidationErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    429: ErrorOut,
}


def requires(permission: str) -> dict:
    """Documents an operation's permission in the schema; the security suite reads it."""
    return {"x-permission": permission}


# Parsing: numbers never pass through a float, and NaN or Infinity are refused.


def _in_utc(value: datetime) -> datetime:
    """Times are ISO 8601 in UTC: a naive one is read as UTC, an offset one converted. Out of range
    (an offset PostgreSQL refuses, a year past 9999 once in UTC) is a 400, never a 500."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Date and time out of range.") from None


UtcDateTime = Annotated[datetime, AfterValidator(_in_utc)]


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a valid JSON number")


def _refuse_nul(data) -> None:
    """PostgreSQL text cannot hold NUL: refuse it as bad input (as Django's form fields do), not a 500."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("Null characters are not allowed.")
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


class StrictJSONParser(Parser):
    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)
        _refuse_nul(data)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                message = _("Null characters are not allowed.")
                raise exceptions.ValidationError(message, errors={key.replace("\x00", ""): [message]})
        return super().parse_querydict(data, list_fields, request)


# Authentication. Each success binds the member's firm as the scope of the rest of the request.


def _bind_member(request: HttpRequest, ctx: Ctx) -> Ctx:
    if ctx.org.require_mfa and not ctx.membership.mfa_on and not request.path.endswith(MFA_SETUP_PATHS):
        raise exceptions.PermissionDenied(_("Your firm requires two-factor authentication. Set it up first."))
    bind_request(request, ctx)
    return ctx


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <api token>`: for integrators; no CSRF, since browsers never send it alone."""

    def authenticate(self, request: HttpRequest, token: str) -> Ctx | None:
        api_token = firm_service.api_token_resolve(token)
        if api_token is None:
            return None
        membership = load_membership(user_id=api_token.user_id, org_id=api_token.org_id)
        if membership is None:
            return None
        return _bind_member(request, member_context(membership, request, api_token=api_token))


def access_context(request: HttpRequest) -> Ctx | None:
    token = request.COOKIES.get(ACCESS_COOKIE)
    if not token:
        return None
    try:
        claims = auth_service.token_decode(token, "access")
    except exceptions.NotAuthenticated:
        return None
    membership = load_membership(user_id=claims["sub"], org_id=claims.get("org"), session_id=claims.get("sid"))
    if membership is None:
        return None
    return member_context(membership, request, auth_session_id=claims.get("sid"))


class JWTCookieAuth(APIKeyCookie):
    """The access JWT cookie set by /auth/login/. Unsafe methods need the CSRF token too."""

    param_name = ACCESS_COOKIE

    def _get_key(self, request: HttpRequest) -> str | None:
        if ACCESS_COOKIE not in request.COOKIES:
            return None  # no cookie: the answer is 401, not a CSRF failure
        require_csrf(request)
        return request.COOKIES[ACCESS_COOKIE]

    def authenticate(self, request: HttpRequest, key: str | None) -> Ctx | None:
        ctx = access_context(request)
        return _bind_member(request, ctx) if ctx else None


def authenticate_optional(request: HttpRequest) -> Ctx | None:
    """For an operation open to strangers that does more for members: the same checks, by hand."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return BearerTokenAuth().authenticate(request, header.split(" ", 1)[1].strip())
    ctx = access_context(request)
    if ctx is None:
        return None
    require_csrf(request)
    return _bind_member(request, ctx)


def require_csrf(request: HttpRequest) -> None:
    if check_csrf(request) is not None:
        raise exceptions.PermissionDenied(_("CSRF check failed. Fetch /api/v1/auth/csrf/ and send the token."))


def scoped_run(run):
    """Wraps each operation: a scope frame that authentication fills with the member's firm."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        with request_scope(request):
            return run(request, *args, **kwargs)

    return wrapper


# Pagination and ordering.


class Page(PaginationBase):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="At most 200.")
        # Bounded: a huge offset would overflow the database's integer (a 500, not a 400).
        offset: int = Field(0, ge=0, le=2**31 - 1)

    class Output(Schema):
        count: int
        next: str | None = None
        previous: str | None = None
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        limit, offset = pagination.limit, pagination.offset
        count = self._items_count(queryset)
        results = list(queryset[offset : offset + limit])
        return {
            "count": count,
            "next": _page_url(request, limit, offset + limit) if offset + limit < count else None,
            "previous": _page_url(request, limit, max(offset - limit, 0)) if offset > 0 else None,
            "results": results,
        }


def _page_url(request: HttpRequest, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"], query["offset"] = str(limit), str(offset)
    return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(query.items()))


def ordered(queryset, ordering: str | None, allowed: dict[str, str], default: str):
    """Order by a whitelisted public name (`name` or `-name`), mapped to a model field."""
    ordering = ordering or default
    descending = ordering.startswith("-")
    field = allowed.get(ordering.lstrip("-"))
    if field is None:
        choices = ", ".join(sorted(allowed))
        message = _("Order by one of: %(choices)s (prefix - for descending).") % {"choices": choices}
        raise exceptions.ValidationError(message, errors={"ordering": [message]})
    return queryset.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")


# Errors: every body has "detail"; validation errors add "errors" per field.


def _error_field(location: tuple) -> str:
    # pydantic adds the member of a union it tried (`email: EmailStr | Literal[""]` fails at
    # "email.function-after[...]" and "email.literal['']"): the field is what precedes it.
    parts = [
        str(part)
        for part in location
        if part not in ("body", "query", "path", "payload", "filters", "data")
        and (isinstance(part, int) or str(part).isidentifier())
    ]
    return ".".join(parts) or "non_field_errors"


def register_error_handlers(api) -> None:
    def respond(request, status: int, detail: str, errors: dict | None = None, headers: dict | None = None):
        body: dict[str, Any] = {"detail": str(detail)}
        if errors is not None:
            body["errors"] = errors
        response = api.create_response(request, body, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    @api.exception_handler(exceptions.DomainError)
    def domain_error(request, exc: exceptions.DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, exceptions.Throttled) else None
        errors = exc.errors if isinstance(exc, exceptions.ValidationError) else None
        return respond(request, exc.status_code, exc.detail, errors, headers)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_error_field(tuple(error.get("loc", ()))), []).append(str(error.get("msg", "Invalid")))
        return respond(request, 400, _("The data sent is not valid."), errors)

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return respond(request, 400, exc.messages[0] if exc.messages else _("The data sent is not valid."), errors)

    @api.exception_handler(SuspiciousOperation)
    def suspicious_operation(request, exc):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE and the like: bad input, as Django itself answers it.
        return respond(request, 400, _("The request could not be read: it is too large or malformed."))

    @api.exception_handler(DjangoPermissionDenied)
    def permission_denied(request, exc):
        return respond(request, 403, _("You do not have permission to do this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return respond(request, 401, exceptions.NotAuthenticated.default_detail)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return respond(request, 500, _("Something went wrong on our side. It has been logged."))
