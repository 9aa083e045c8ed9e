"""The JSON API at /api/v1/: one NinjaAPI with authentication, scope and errors set once."""

from ninja import NinjaAPI

from core.api import audit, auth, firms, matters, users
from core.api.base import BearerTokenAuth, JWTCookieAuth, StrictJSONParser, register_error_handlers, scoped_run

api = NinjaAPI(
    title="Practice API",
    version="1",
    description="The practice-management platform's JSON API. Authenticate with `Authorization: Bearer <api token>` "
    "or with the cookies set by `/auth/login/` (then send the CSRF token on unsafe requests).",
    auth=[BearerTokenAuth(), JWTCookieAuth()],
    parser=StrictJSONParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(scoped_run, mode="view")
register_error_handlers(api)

api.add_router("/auth/", auth.router)
api.add_router("/users/", users.router)
api.add_router("/audit-events/", audit.router)
api.add_router("/", firms.router)
api.add_router("/", matters.router)
