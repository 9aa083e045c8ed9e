"""A body naming another firm's object (a client, a practice area, a person, a role) is refused with 404
or 400, never a success, and nothing of either firm changes. Walked from the schema: every body field
the registry in tests/security/objects.py knows how to make (`client`, `practice_area`, `responsible_lawyer`,
`team`, `role`, ...) is tried in turn with an id of the other firm, the rest of the body valid."""

import pytest

from core.models import AuditEvent
from tests.security.objects import (
    OPERATIONS,
    bearer,
    call,
    factory_for,
    path_ids,
    query_string,
    request_body,
    resolve,
    scoped_count,
    url_for,
)


def _body_schema(operation) -> dict:
    content = operation.spec.get("requestBody", {}).get("content", {}).get("application/json")
    return resolve(content["schema"]) if content else {}


def _is_uuid(node: dict) -> bool:
    node = resolve(node)
    for key in ("anyOf", "oneOf"):
        if key in node:
            return any(_is_uuid(choice) for choice in node[key])
    if node.get("type") == "array":
        return _is_uuid(node.get("items", {}))
    return node.get("type") == "string" and node.get("format") == "uuid"


def _is_array(node: dict) -> bool:
    node = resolve(node)
    choices = node.get("anyOf", []) + node.get("oneOf", []) + [node]
    return any(resolve(choice).get("type") == "array" for choice in choices)


REFERENCES = [
    (operation, field)
    for operation in OPERATIONS
    if operation.secured and operation.unsafe
    for field, node in _body_schema(operation).get("properties", {}).items()
    if _is_uuid(node) and factory_for(field) is not None
]


def test_the_walk_reaches_the_matter_and_client_references():
    fields = {(str(operation), field) for operation, field in REFERENCES}
    for expected in [
        ("POST /api/v1/matters/", "client"),
        ("POST /api/v1/matters/", "practice_area"),
        ("POST /api/v1/matters/", "responsible_lawyer"),
        ("POST /api/v1/matters/", "originating_lawyer"),
        ("POST /api/v1/matters/", "team"),
        ("PATCH /api/v1/matters/{matter_id}/", "practice_area"),
        ("PATCH /api/v1/matters/{matter_id}/", "responsible_lawyer"),
        ("PATCH /api/v1/matters/{matter_id}/", "team"),
    ]:
        assert expected in fields, f"{expected} is not walked"


@pytest.mark.parametrize(
    ("operation", "field"), REFERENCES, ids=[f"{operation} {field}" for operation, field in REFERENCES]
)
def test_a_body_naming_another_firms_object_is_refused(operation, field, owner, other_owner):
    acting, foreign = other_owner.org, owner.org
    node = _body_schema(operation)["properties"][field]
    foreign_id = str(factory_for(field)(foreign))
    body = request_body(operation, acting) or {}
    body[field] = [foreign_id] if _is_array(node) else foreign_id
    url = url_for(operation, path_ids(operation, acting))
    query = query_string(operation, acting)
    client = bearer(other_owner)
    before = scoped_count(foreign, AuditEvent), scoped_count(acting, AuditEvent, outcome="success")

    response = call(client, operation, url, body, query)

    content = response.content.decode(errors="replace")[:300]
    assert response.status_code in (400, 404), (
        f"{operation} with another firm's {field}: {response.status_code} {content}"
    )
    assert response.json()["detail"]
    after = scoped_count(foreign, AuditEvent), scoped_count(acting, AuditEvent, outcome="success")
    assert after == before, f"{operation} with another firm's {field}: something was written"
