"""/audit-events/: the firm's audit trail, read-only."""

import uuid
from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from core.api.base import Page, UtcDateTime, ordered, requires
from core.selectors import audit as selectors

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: uuid.UUID
    seq: int
    created_at: datetime
    actor: uuid.UUID | None = Field(None, alias="actor_id")
    actor_label: str
    action: str
    outcome: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    ip: str | None
    user_agent: str
    hash: str


class AuditFilters(Schema):
    actor: uuid.UUID | None = Field(None, description="The acting user's id.")
    action: str | None = Field(None, max_length=80, description="Exact, or a family ending in a dot (auth.).")
    target_type: str | None = Field(None, max_length=80)
    target_id: str | None = Field(None, max_length=64)
    outcome: str | None = Field(None, max_length=20)
    since: UtcDateTime | None = None
    until: UtcDateTime | None = None
    ordering: str | None = Field(None, max_length=40, description="created_at (default -created_at) or action.")


@router.get("/", response=list[AuditEventOut], openapi_extra=requires("audit.view"), summary="List audit events")
@paginate(Page)
def audit_event_list(request, filters: Query[AuditFilters]):
    events = selectors.audit_event_list(
        ctx=request.auth,
        actor=filters.actor,
        action=filters.action,
        target_type=filters.target_type,
        target_id=filters.target_id,
        outcome=filters.outcome,
        since=filters.since,
        until=filters.until,
    )
    return ordered(events, filters.ordering, {"created_at": "seq", "action": "action"}, "-created_at")
