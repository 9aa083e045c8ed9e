from core.models.audit import AuditChainHead, AuditEvent
from core.models.firms import (
    ApiToken,
    AuthSession,
    Invitation,
    Membership,
    Organization,
    Province,
    RecoveryCode,
    RefreshToken,
    Role,
    User,
)

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "AuthSession",
    "Invitation",
    "Membership",
    "Organization",
    "Province",
    "RecoveryCode",
    "RefreshToken",
    "Role",
    "User",
]
