"""The domain errors. Every surface maps them once: the API to status codes, pages to messages."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    default_detail = _("The request could not be completed.")

    def __init__(self, detail=None, *, errors: dict[str, list[str]] | None = None):
        self.detail = str(detail or self.default_detail)
        self.errors = errors or {}
        super().__init__(self.detail)


class ValidationError(DomainError):
    status_code = 400
    default_detail = _("The data sent is not valid.")


class NotAuthenticated(DomainError):
    status_code = 401
    default_detail = _("Authentication credentials were not provided or are not valid.")


class PermissionDenied(DomainError):
    status_code = 403
    default_detail = _("You do not have permission to do this.")


class NotFound(DomainError):
    status_code = 404
    default_detail = _("Not found.")


class Conflict(DomainError):
    status_code = 409
    default_detail = _("This conflicts with the current state.")


class Throttled(DomainError):
    status_code = 429
    default_detail = _("Too many attempts. Try again later.")

    def __init__(self, detail=None, *, retry_after: int = 60):
        self.retry_after = retry_after
        super().__init__(detail)
