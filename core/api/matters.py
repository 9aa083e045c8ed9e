"""/clients/, /matters/, parties, /conflicts/ and /practice-areas/."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import EmailStr

from core.api.base import ERRORS, Page, ordered, requires
from core.models import Client, Matter, Party, Province
from core.selectors import matters as selectors
from core.services import conflicts as conflict_service
from core.services import matters as services

router = Router(tags=["clients and matters"])

Money = Decimal


# Clients.


class ClientOut(Schema):
    id: uuid.UUID
    kind: Client.Kind
    name: str
    first_name: str
    last_name: str
    organization_name: str
    email: str
    phone: str
    street: str
    city: str
    province: str
    postal_code: str
    preferred_language: Client.Language
    notes: str
    active: bool = Field(..., alias="is_active")
    archived_at: datetime | None
    created_at: datetime


class ClientIn(Schema):
    kind: Client.Kind = Client.Kind.INDIVIDUAL
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    organization_name: str = Field("", max_length=200)
    email: EmailStr | Literal[""] = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    province: Province | Literal[""] = ""
    postal_code: str = Field("", max_length=10)
    preferred_language: Client.Language = Client.Language.EN
    notes: str = Field("", max_length=10_000)


class ClientUpdateIn(Schema):
    kind: Client.Kind | None = None
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    organization_name: str | None = Field(None, max_length=200)
    email: EmailStr | Literal[""] | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    province: Province | Literal[""] | None = None
    postal_code: str | None = Field(None, max_length=10)
    preferred_language: Client.Language | None = None
    notes: str | None = Field(None, max_length=10_000)
    active: bool | None = Field(None, description="false archives the client; true restores it.")


class ClientFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Part of a name or an email.")
    kind: Client.Kind | None = None
    active: bool | None = None
    ordering: str | None = Field(None, max_length=40, description="name or created_at; - for descending.")


CLIENT_ORDERING = {"name": "search_name", "created_at": "created_at"}


@router.get("/clients/", response=list[ClientOut], openapi_extra=requires("clients.view"), summary="List clients")
@paginate(Page)
def client_list(request, filters: Query[ClientFilters]):
    clients = selectors.client_list(ctx=request.auth, q=filters.q, kind=filters.kind, active=filters.active)
    return ordered(clients, filters.ordering, CLIENT_ORDERING, "name")


@router.post(
    "/clients/", response={201: ClientOut, **ERRORS}, openapi_extra=requires("clients.manage"), summary="Add a client"
)
def client_create(request, payload: ClientIn):
    return Status(201, services.client_create(ctx=request.auth, data=payload.model_dump()))


@router.get(
    "/clients/{client_id}/",
    response={200: ClientOut, **ERRORS},
    openapi_extra=requires("clients.view"),
    summary="One client",
)
def client_get(request, client_id: uuid.UUID):
    return selectors.client_get(ctx=request.auth, client_id=client_id)


@router.patch(
    "/clients/{client_id}/",
    response={200: ClientOut, **ERRORS},
    openapi_extra=requires("clients.manage"),
    summary="Change a client; active=false archives it",
)
def client_update(request, client_id: uuid.UUID, payload: ClientUpdateIn):
    ctx = request.auth
    data = payload.model_dump(exclude_unset=True)
    if "active" in data:
        data["is_active"] = data.pop("active")
    client = selectors.client_get(ctx=ctx, client_id=client_id, permission="clients.manage")
    return services.client_update(ctx=ctx, client=client, data=data)


# Matters.


class RefOut(Schema):
    id: uuid.UUID
    name: str


class PersonOut(Schema):
    id: uuid.UUID
    email: str
    name: str

    @staticmethod
    def resolve_name(user):
        return user.get_full_name() or user.email


class ClientRefOut(Schema):
    id: uuid.UUID
    name: str


class MatterOut(Schema):
    id: uuid.UUID
    number: str
    title: str
    description: str
    client: ClientRefOut
    practice_area: RefOut | None
    status: Matter.Status
    opened_on: date
    pending_on: date | None
    closed_on: date | None
    responsible_lawyer: PersonOut | None
    originating_lawyer: PersonOut | None
    billing_method: Matter.BillingMethod
    hourly_rate: Money | None
    flat_fee: Money | None
    contingency_percent: Decimal | None
    budget: Money | None
    currency: str
    restricted: bool = Field(..., alias="is_restricted")
    created_at: datetime

    @staticmethod
    def resolve_currency(matter):
        return matter.org.currency


class MatterDetailOut(MatterOut):
    team: list[PersonOut]

    @staticmethod
    def resolve_team(matter):
        return [member.user for member in matter.team.all()]


class PartyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    role: Party.Role
    organization: str = Field("", max_length=200)
    email: EmailStr | Literal[""] = Field("", max_length=254)
    notes: str = Field("", max_length=10_000)


class MatterFields(Schema):
    description: str | None = Field(None, max_length=20_000)
    practice_area: uuid.UUID | None = None
    responsible_lawyer: uuid.UUID | None = None
    originating_lawyer: uuid.UUID | None = None
    billing_method: Matter.BillingMethod | None = None
    hourly_rate: Money | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    flat_fee: Money | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    contingency_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    budget: Money | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    restricted: bool | None = None
    team: list[uuid.UUID] | None = Field(None, max_length=200, description="User ids of the matter's team.")


class MatterCreateIn(MatterFields):
    client: uuid.UUID
    title: str = Field(..., min_length=1, max_length=200)
    parties: list[PartyIn] = Field([], max_length=100)
    conflict_override_reason: str = Field(
        "", max_length=1000, description="Required when the conflict check finds hits: why the firm goes ahead."
    )


class MatterUpdateIn(MatterFields):
    title: str | None = Field(None, min_length=1, max_length=200)


class MatterFilters(Schema):
    client: uuid.UUID | None = None
    status: Matter.Status | None = None
    practice_area: uuid.UUID | None = None
    responsible_lawyer: uuid.UUID | None = None
    q: str | None = Field(None, max_length=200, description="Part of the number, the title or the client's name.")
    ordering: str | None = Field(None, max_length=40, description="number, title, opened_on; - for descending.")


class StatusChangeIn(Schema):
    status: Matter.Status
    on: date | None = Field(None, description="The date of the change; today if omitted.")
    reason: str = Field("", max_length=500)


MATTER_ORDERING = {"number": "number", "title": "search_title", "opened_on": "opened_on"}


def _matter_data(payload: MatterFields) -> tuple[dict, list | None]:
    data = payload.model_dump(exclude_unset=True, exclude={"team", "parties", "client", "conflict_override_reason"})
    if "restricted" in data:
        data["is_restricted"] = data.pop("restricted")
    team = payload.team if "team" in payload.model_fields_set else None
    return data, team


@router.get("/matters/", response=list[MatterOut], openapi_extra=requires("matters.view"), summary="List matters")
@paginate(Page)
def matter_list(request, filters: Query[MatterFilters]):
    matters = selectors.matter_list(
        ctx=request.auth,
        client_id=filters.client,
        status=filters.status,
        practice_area_id=filters.practice_area,
        responsible_lawyer_id=filters.responsible_lawyer,
        q=filters.q,
    )
    return ordered(matters, filters.ordering, MATTER_ORDERING, "-opened_on")


@router.post(
    "/matters/",
    response={201: MatterDetailOut, **ERRORS},
    openapi_extra=requires("matters.manage"),
    summary="Open a matter (runs and keeps a conflict check; hits need a reason)",
)
def matter_create(request, payload: MatterCreateIn):
    ctx = request.auth
    client = selectors.client_for_matter(ctx=ctx, client_id=payload.client)
    data, team = _matter_data(payload)
    matter = services.matter_create(
        ctx=ctx,
        client=client,
        data={"title": payload.title, **data},
        team=team,
        parties=[party.model_dump() for party in payload.parties],
        conflict_override_reason=payload.conflict_override_reason,
    )
    return Status(201, selectors.matter_get(ctx=ctx, matter_id=matter.pk, permission="matters.manage"))


@router.get(
    "/matters/{matter_id}/",
    response={200: MatterDetailOut, **ERRORS},
    openapi_extra=requires("matters.view"),
    summary="One matter",
)
def matter_get(request, matter_id: uuid.UUID):
    return selectors.matter_get(ctx=request.auth, matter_id=matter_id)


@router.patch(
    "/matters/{matter_id}/",
    response={200: MatterDetailOut, **ERRORS},
    openapi_extra=requires("matters.manage"),
    summary="Change a matter (closed matters refuse changes: 409)",
)
def matter_update(request, matter_id: uuid.UUID, payload: MatterUpdateIn):
    ctx = request.auth
    data, team = _matter_data(payload)
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    services.matter_update(ctx=ctx, matter=matter, data=data, team=team)
    return selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")


@router.post(
    "/matters/{matter_id}/status/",
    response={200: MatterDetailOut, **ERRORS},
    openapi_extra=requires("matters.manage"),
    summary="Close, reopen or set a matter pending, with the date of the change",
)
def matter_status_change(request, matter_id: uuid.UUID, payload: StatusChangeIn):
    ctx = request.auth
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    services.matter_status_change(ctx=ctx, matter=matter, status=payload.status, on=payload.on, reason=payload.reason)
    return selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")


# Parties.


class PartyOut(Schema):
    id: uuid.UUID
    name: str
    role: Party.Role
    organization: str
    email: str
    notes: str
    created_at: datetime


class PartyUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    role: Party.Role | None = None
    organization: str | None = Field(None, max_length=200)
    email: EmailStr | Literal[""] | None = Field(None, max_length=254)
    notes: str | None = Field(None, max_length=10_000)


class HitOut(Schema):
    kind: Literal["client", "party", "matter"]
    score: float
    reason: str
    restricted: bool
    name: str | None
    role: str | None
    client_id: uuid.UUID | None
    matter_id: uuid.UUID | None
    matter_number: str | None
    matter_title: str | None


class PartyCreatedOut(PartyOut):
    conflicts: list[HitOut] = Field(..., description="Where else in the firm this name appears.")


@router.get(
    "/matters/{matter_id}/parties/",
    response=list[PartyOut],
    openapi_extra=requires("matters.view"),
    summary="A matter's parties",
)
@paginate(Page)
def party_list(request, matter_id: uuid.UUID):
    ctx = request.auth
    return selectors.party_list(ctx=ctx, matter=selectors.matter_get(ctx=ctx, matter_id=matter_id))


@router.post(
    "/matters/{matter_id}/parties/",
    response={201: PartyCreatedOut, **ERRORS},
    openapi_extra=requires("matters.manage"),
    summary="Add a party; answers its conflict hits",
)
def party_add(request, matter_id: uuid.UUID, payload: PartyIn):
    ctx = request.auth
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    party, hits = services.party_add(ctx=ctx, matter=matter, data=payload.model_dump())
    party.conflicts = hits
    return Status(201, party)


@router.patch(
    "/matters/{matter_id}/parties/{party_id}/",
    response={200: PartyOut, **ERRORS},
    openapi_extra=requires("matters.manage"),
    summary="Change a party",
)
def party_update(request, matter_id: uuid.UUID, party_id: uuid.UUID, payload: PartyUpdateIn):
    ctx = request.auth
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    party = selectors.party_get(ctx=ctx, matter=matter, party_id=party_id)
    return services.party_update(ctx=ctx, party=party, data=payload.model_dump(exclude_unset=True))


@router.delete(
    "/matters/{matter_id}/parties/{party_id}/",
    response={204: None, **ERRORS},
    openapi_extra=requires("matters.manage"),
    summary="Remove a party",
)
def party_remove(request, matter_id: uuid.UUID, party_id: uuid.UUID):
    ctx = request.auth
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id, permission="matters.manage")
    services.party_remove(ctx=ctx, party=selectors.party_get(ctx=ctx, matter=matter, party_id=party_id))
    return Status(204, None)


# Conflict checks.


class ConflictSearchOut(Schema):
    query: str
    count: int
    results: list[HitOut]


class ConflictCheckOut(Schema):
    id: uuid.UUID
    query: str
    hit_count: int
    results: list[HitOut]
    override_reason: str
    run_by: str | None
    run_at: datetime

    @staticmethod
    def resolve_run_by(check):
        return check.run_by.email if check.run_by else None


@router.get(
    "/conflicts/",
    response={200: ConflictSearchOut, **ERRORS},
    openapi_extra=requires("conflicts.run"),
    summary="Search the whole firm for conflicts of interest with a name",
)
def conflict_search(request, q: str = Query(..., min_length=1, max_length=200)):
    hits = conflict_service.conflict_search(ctx=request.auth, query=q)
    return {"query": q, "count": len(hits), "results": hits}


@router.get(
    "/matters/{matter_id}/conflict-checks/",
    response=list[ConflictCheckOut],
    openapi_extra=requires("matters.view"),
    summary="The conflict checks kept on a matter",
)
@paginate(Page)
def conflict_check_list(request, matter_id: uuid.UUID):
    ctx = request.auth
    matter = selectors.matter_get(ctx=ctx, matter_id=matter_id)
    return selectors.conflict_check_list(ctx=ctx, matter=matter)


# Practice areas.


class PracticeAreaIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


@router.get(
    "/practice-areas/",
    response=list[RefOut],
    openapi_extra=requires("matters.view"),
    summary="The firm's practice areas",
)
@paginate(Page)
def practice_area_list(request):
    return selectors.practice_area_list(ctx=request.auth)


@router.post(
    "/practice-areas/",
    response={201: RefOut, **ERRORS},
    openapi_extra=requires("org.manage"),
    summary="Add a practice area",
)
def practice_area_create(request, payload: PracticeAreaIn):
    return Status(201, services.practice_area_create(ctx=request.auth, name=payload.name))
