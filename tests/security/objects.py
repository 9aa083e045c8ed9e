"""What the security suite needs to walk the API: its operations, objects to name in paths, valid bodies.

`OBJECT_FACTORIES` is the one registry of the objects that operations name in their paths: each path
parameter name maps to a function that creates such an object in a given firm and answers its id. A
body field that refers to an object (`role` for `role_id`, `client` for `client_id`) uses the same
registry; `BODY_REFERENCES` names the fields whose name alone does not say what they refer to
(`responsible_lawyer` is a user). An object that lives under another one in a path
(`/matters/{matter_id}/parties/{party_id}/`) is created under that very parent: `PARENTS` says which
path parameter is its parent, and its factory takes the parent's id as a keyword. An operation with a
path parameter the registry does not know fails the suite until someone adds it, so a new endpoint
cannot slip past the cross-firm check.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import django
from django.apps import apps

if not apps.ready:  # pytest-django sets Django up before collection; a bare import needs it too
    django.setup()

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope  # noqa: E402

from core import permissions  # noqa: E402
from core.models import Client as ClientRecord  # noqa: E402
from core.models import Matter, Organization, Role  # noqa: E402
from core.services import firms as firm_service  # noqa: E402
from core.services import matters as matter_service  # noqa: E402
from core.tenancy import activate, system_context  # noqa: E402
from tests.conftest import bearer_client  # noqa: E402
from tests.factories import ctx_of, custom_role_create, member_create  # noqa: E402

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Operations anyone may call without credentials. A new public operation fails the suite until it is
# added here on purpose.
PUBLIC_OPERATIONS = {
    ("GET", "/api/v1/auth/csrf/"),
    ("POST", "/api/v1/auth/login/"),
    ("POST", "/api/v1/auth/logout/"),
    ("POST", "/api/v1/auth/refresh/"),
    ("POST", "/api/v1/auth/mfa/verify/"),
}

# Operations that need a signed-in member but no permission of the catalogue (the person's own
# account, the firm's own profile, the catalogue itself). Every other authenticated operation must
# declare its permission with `requires()`; a new one without it fails the suite until listed here.
MEMBER_OPERATIONS = {
    ("GET", "/api/v1/users/me/"),
    ("GET", "/api/v1/org/{org_id}/"),
    ("GET", "/api/v1/roles/permissions/"),
    ("POST", "/api/v1/auth/mfa/setup/"),
    ("POST", "/api/v1/auth/mfa/disable/"),
}


# The registry: path parameter name -> creates such an object in a firm, answers its id.


def _unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def _user(org: Organization) -> uuid.UUID:
    return member_create(org, permissions.LAWYER).user_id


def _role(org: Organization) -> uuid.UUID:
    # A custom role nobody holds: it may be edited, deleted and assigned by any test.
    return custom_role_create(org, _unique("Custom"), ["users.view"]).pk


def _invitation(org: Organization) -> uuid.UUID:
    ctx = system_context(org)
    with activate(ctx):
        role = Role.objects.get(name=permissions.LAWYER, is_builtin=True)
        invitation = firm_service.invitation_create(ctx=ctx, email=f"{uuid.uuid4().hex[:12]}@invitee.ca", role=role)
    return invitation.pk


def _api_token(org: Organization) -> uuid.UUID:
    # The token of another member (an Admin), so revoking it never cuts off the caller.
    ctx = ctx_of(member_create(org, permissions.ADMIN))
    with activate(ctx):
        token, _secret = firm_service.api_token_create(ctx=ctx, name=_unique("Integration"))
    return token.pk


def _client(org: Organization) -> uuid.UUID:
    ctx = system_context(org)
    with activate(ctx):
        client = matter_service.client_create(
            ctx=ctx, data={"kind": "organization", "organization_name": _unique("Client Holdings")}
        )
    return client.pk


def _practice_area(org: Organization) -> uuid.UUID:
    ctx = system_context(org)
    with activate(ctx):
        return matter_service.practice_area_create(ctx=ctx, name=_unique("Practice")).pk


def _matter(org: Organization) -> uuid.UUID:
    """A matter (with its own client), pending: so every status of the catalogue, `open` first, is a
    real change for POST .../status/, and the matter still takes new work (only closed ones refuse it)."""
    ctx = system_context(org)
    client_id = _client(org)
    with activate(ctx):
        matter = matter_service.matter_create(
            ctx=ctx,
            client=ClientRecord.objects.get(pk=client_id),
            data={"title": _unique("Matter"), "practice_area": _practice_area(org)},
            # Earlier objects of the suite may resemble this one's names: the check is kept, not a blocker.
            conflict_override_reason="Created by the security suite.",
        )
        matter_service.matter_status_change(ctx=ctx, matter=matter, status=Matter.Status.PENDING)
    return matter.pk


def _party(org: Organization, matter_id: uuid.UUID | None = None) -> uuid.UUID:
    """A party of the given matter (a new one when none is given)."""
    ctx = system_context(org)
    matter_id = matter_id or _matter(org)
    with activate(ctx):
        matter = Matter.objects.get(pk=matter_id)
        party, _hits = matter_service.party_add(
            ctx=ctx, matter=matter, data={"name": _unique("Party"), "role": "witness"}
        )
    return party.pk


OBJECT_FACTORIES: dict[str, Callable[..., uuid.UUID]] = {
    "org_id": lambda org: org.pk,
    "user_id": _user,
    "role_id": _role,
    "invitation_id": _invitation,
    "token_id": _api_token,
    "client_id": _client,
    "matter_id": _matter,
    "party_id": _party,
    "practice_area_id": _practice_area,
}

# A path parameter -> the path parameter of the object it lives under: the child is created under it.
PARENTS: dict[str, str] = {"party_id": "matter_id"}

# Body fields whose name does not say what they refer to -> the registry entry that makes one.
BODY_REFERENCES: dict[str, str] = {
    "responsible_lawyer": "user_id",
    "originating_lawyer": "user_id",
    "team": "user_id",
}


# Optional fields a schema needs filled for its body to pass the service's rules (not expressible in
# the schema): an individual client needs a name. Values are still generated from the schema.
BODY_FIELDS: dict[str, list[str]] = {"ClientIn": ["last_name"]}


def factory_for(name: str) -> Callable[..., uuid.UUID] | None:
    """The registry entry for a path parameter (`role_id`) or a body field that refers to one (`role`)."""
    return (
        OBJECT_FACTORIES.get(name)
        or OBJECT_FACTORIES.get(f"{name}_id")
        or OBJECT_FACTORIES.get(BODY_REFERENCES.get(name, ""))
    )


# The operations, read from the schema the API serves.


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))

    @property
    def permission(self) -> str | None:
        return self.spec.get("x-permission")

    @property
    def unsafe(self) -> bool:
        return self.method in UNSAFE_METHODS

    def parameters(self, location: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == location]

    @property
    def path_parameters(self) -> list[str]:
        return [p["name"] for p in self.parameters("path")]


def load_schema() -> dict[str, Any]:
    from core.api import api

    return api.get_openapi_schema()


def operations(schema: dict[str, Any] | None = None) -> list[Operation]:
    schema = schema or load_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            if method.lower() in {"get", "post", "put", "patch", "delete"}:
                found.append(Operation(method.upper(), path, spec))
    return found


SCHEMA = load_schema()
OPERATIONS = operations(SCHEMA)


# Requests built from the schema.


def resolve(node: dict[str, Any], schema: dict[str, Any] = SCHEMA) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    if "allOf" in node and len(node["allOf"]) == 1:
        return resolve({**{k: v for k, v in node.items() if k != "allOf"}, **node["allOf"][0]}, schema)
    return node


class UnknownReference(LookupError):
    pass


def value_for(name: str, node: dict[str, Any], org: Organization | None) -> Any:
    """A small valid value for one field of the schema; ids refer to real objects of `org`."""
    extra = BODY_FIELDS.get(node.get("$ref", "").rsplit("/", 1)[-1], [])
    node = resolve(node)
    for key in ("anyOf", "oneOf"):
        if key in node:
            choices = [resolve(choice) for choice in node[key]]
            concrete = [choice for choice in choices if choice.get("type") != "null"] or choices
            return value_for(name, concrete[0], org)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {
            field: value_for(field, sub, org)
            for field, sub in node.get("properties", {}).items()
            if field in node.get("required", []) or field in extra
        }
    if kind == "array":
        items = node.get("items", {})
        return [value_for(name, items, org) for _ in range(node.get("minItems", 0))]
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        value = node.get("minimum", 1)
        return value if kind == "number" else int(value)
    if kind == "string":
        fmt = node.get("format")
        if fmt == "uuid":
            factory = factory_for(name)
            if factory is None or org is None:
                return str(uuid.uuid4())
            return str(factory(org))
        if fmt == "email":
            return f"{uuid.uuid4().hex[:12]}@example.ca"
        if fmt == "date-time":
            return (timezone.now() + timedelta(days=30)).isoformat()
        if fmt == "date":
            return (timezone.now() + timedelta(days=30)).date().isoformat()
        text = _unique("Security check")
        low, high = node.get("minLength", 1), node.get("maxLength", len(text))
        text = text[:high]
        return text + "x" * max(0, low - len(text))
    return None


def request_body(operation: Operation, org: Organization | None) -> dict[str, Any] | None:
    """A minimal valid JSON body (required fields only), so validation is not what answers."""
    body = operation.spec.get("requestBody")
    if not body:
        return None
    content = body.get("content", {}).get("application/json")
    if content is None:
        raise AssertionError(f"{operation}: only JSON bodies are understood by the security suite")
    return value_for("body", content["schema"], org)


def query_string(operation: Operation, org: Organization | None) -> dict[str, Any]:
    return {
        p["name"]: value_for(p["name"], p.get("schema", {}), org)
        for p in operation.parameters("query")
        if p.get("required")
    }


def url_for(operation: Operation, ids: dict[str, Any]) -> str:
    return operation.path.format(**{name: ids[name] for name in operation.path_parameters})


def path_ids(operation: Operation, org: Organization) -> dict[str, uuid.UUID]:
    """Real objects of `org` for each path parameter, each child under its parent of the same path;
    fails on a parameter the registry does not know."""
    names = operation.path_parameters
    for name in names:
        if name not in OBJECT_FACTORIES:
            raise UnknownReference(
                f"{operation}: path parameter {name!r} is not in OBJECT_FACTORIES (tests/security/objects.py). "
                "Add a function that creates such an object in a firm, so the cross-firm check covers it."
            )
    ids: dict[str, uuid.UUID] = {}
    pending = list(names)
    while pending:
        # Parents first, whatever the order of the parameters in the schema.
        name = next(n for n in pending if PARENTS.get(n) not in pending)
        pending.remove(name)
        parent = PARENTS.get(name)
        if parent in ids:
            ids[name] = OBJECT_FACTORIES[name](org, **{parent: ids[parent]})
        else:
            ids[name] = OBJECT_FACTORIES[name](org)
    return ids


def call(client: Client, operation: Operation, url: str, body: Any = None, query: dict | None = None, **extra):
    """Send one request of `operation` through the whole stack (middleware included)."""
    if query:
        url = f"{url}?{urlencode(query)}"
    if body is not None:
        extra.update(data=body, content_type="application/json")
    return getattr(client, operation.method.lower())(url, **extra)


def csrf_enforcing(client: Client) -> Client:
    """The same credentials on a client that enforces CSRF like a browser's server would."""
    return Client(enforce_csrf_checks=True, **client.defaults)


def bearer(membership) -> Client:
    return csrf_enforcing(bearer_client(membership))


def scoped_count(org: Organization, model, **filters) -> int:
    with scope(org=org.pk):
        return model.objects.filter(**filters).count()
