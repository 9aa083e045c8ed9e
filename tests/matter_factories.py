"""Builders for clients, matters and parties, made through the services (so numbering, search names,
conflict checks and audit happen as in the product) by a given member of the firm."""

from core.models import Client, Matter, PracticeArea
from core.services import matters as matter_service
from core.tenancy import activate
from tests.factories import ctx_of


def client_make(membership, name: str = "Acme Holdings Ltd.", **data) -> Client:
    """An organization client by default; pass kind="individual" with first_name/last_name for a person."""
    ctx = ctx_of(membership)
    fields = {"kind": "organization", "organization_name": name, **data}
    with activate(ctx):
        return matter_service.client_create(ctx=ctx, data=fields)


def area_of(org, name: str = "Litigation") -> PracticeArea:
    with activate(org):
        return PracticeArea.objects.get(name=name)


def matter_make(
    membership,
    client: Client,
    title: str = "Contract dispute",
    *,
    team=None,
    parties=None,
    override: str = "",
    **data,
) -> Matter:
    """A matter opened by `membership`; `team` and people fields take memberships or user ids."""
    ctx = ctx_of(membership)
    for field in ("responsible_lawyer", "originating_lawyer"):
        if hasattr(data.get(field), "user_id"):
            data[field] = data[field].user_id
    team_ids = [getattr(member, "user_id", member) for member in team or []]
    with activate(ctx):
        return matter_service.matter_create(
            ctx=ctx,
            client=client,
            data={"title": title, **data},
            team=team_ids,
            parties=parties or [],
            conflict_override_reason=override,
        )


def party_make(membership, matter: Matter, name: str, role: str = "adverse_party", **data):
    ctx = ctx_of(membership)
    with activate(ctx):
        party, _hits = matter_service.party_add(ctx=ctx, matter=matter, data={"name": name, "role": role, **data})
    return party


def matter_close(membership, matter: Matter) -> Matter:
    ctx = ctx_of(membership)
    with activate(ctx):
        return matter_service.matter_status_change(ctx=ctx, matter=matter, status=Matter.Status.CLOSED)
