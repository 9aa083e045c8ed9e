"""Reads of clients and matters. Every read of a matter, or of anything under one, starts here.

Walls: a restricted matter is visible only to its team (team members and its lawyers) and to the
firm's Owners. `visible_matters` is the one place that says so.
"""

from django.db.models import Q, QuerySet

from core import exceptions
from core.models import Client, ConflictCheck, Matter, MatterStatusChange, Party, PracticeArea
from core.services.conflicts import fold
from core.tenancy import Ctx


def _wall(ctx: Ctx) -> Q:
    if ctx.is_owner:
        return Q()
    user_id = ctx.user.pk if ctx.user else None
    return (
        Q(is_restricted=False)
        | Q(team__user_id=user_id)
        | Q(responsible_lawyer_id=user_id)
        | Q(originating_lawyer_id=user_id)
    )


def visible_matters(ctx: Ctx) -> QuerySet[Matter]:
    """The matters this person may know exist. Not a permission check: callers add that."""
    if ctx.is_owner:
        return Matter.objects.all()
    return Matter.objects.filter(pk__in=Matter.objects.filter(_wall(ctx)).values("pk"))


def visible_matter_ids(ctx: Ctx) -> set:
    return set(visible_matters(ctx).values_list("pk", flat=True))


# Clients.


def client_list(
    *, ctx: Ctx, q: str | None = None, kind: str | None = None, active: bool | None = None
) -> QuerySet[Client]:
    ctx.require("clients.view")
    clients = Client.objects.all()
    if q:
        folded = fold(q)
        clients = clients.filter(Q(search_name__contains=folded) | Q(email__icontains=q.strip()))
    if kind:
        clients = clients.filter(kind=kind)
    if active is not None:
        clients = clients.filter(is_active=active)
    return clients


def client_get(*, ctx: Ctx, client_id, permission: str = "clients.view") -> Client:
    """One client; a write names its own permission (`clients.manage`), which is enough without the list's."""
    ctx.require(permission)
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise exceptions.NotFound()
    return client


def client_for_matter(*, ctx: Ctx, client_id) -> Client:
    """The client a new matter is for: opening one needs matters.manage, not the clients list."""
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise exceptions.NotFound()
    return client


# Matters.


def _matters(ctx: Ctx) -> QuerySet[Matter]:
    return visible_matters(ctx).select_related("org", "client", "practice_area", "responsible_lawyer")


def matter_list(
    *,
    ctx: Ctx,
    client_id=None,
    status: str | None = None,
    practice_area_id=None,
    responsible_lawyer_id=None,
    q: str | None = None,
) -> QuerySet[Matter]:
    ctx.require("matters.view")
    matters = _matters(ctx)
    if client_id:
        matters = matters.filter(client_id=client_id)
    if status:
        matters = matters.filter(status=status)
    if practice_area_id:
        matters = matters.filter(practice_area_id=practice_area_id)
    if responsible_lawyer_id:
        matters = matters.filter(responsible_lawyer_id=responsible_lawyer_id)
    if q:
        folded = fold(q)
        matters = matters.filter(
            Q(number__icontains=q.strip()) | Q(search_title__contains=folded) | Q(client__search_name__contains=folded)
        )
    return matters


def matter_get(*, ctx: Ctx, matter_id, permission: str = "matters.view") -> Matter:
    """One matter, or 404 when it does not exist, belongs to another firm, or sits behind a wall.

    A write names its own permission (`matters.manage`), which is enough without `matters.view`."""
    ctx.require(permission)
    matter = (
        _matters(ctx).select_related("originating_lawyer").prefetch_related("team__user").filter(pk=matter_id).first()
    )
    if matter is None:
        raise exceptions.NotFound()
    return matter


def matter_status_history(*, ctx: Ctx, matter: Matter) -> QuerySet[MatterStatusChange]:
    return MatterStatusChange.objects.filter(matter=matter).select_related("by")


def party_list(*, ctx: Ctx, matter: Matter) -> QuerySet[Party]:
    return Party.objects.filter(matter=matter)


def party_get(*, ctx: Ctx, matter: Matter, party_id) -> Party:
    party = party_list(ctx=ctx, matter=matter).filter(pk=party_id).first()
    if party is None:
        raise exceptions.NotFound()
    return party


def conflict_check_list(*, ctx: Ctx, matter: Matter) -> QuerySet[ConflictCheck]:
    return ConflictCheck.objects.filter(matter=matter).select_related("run_by")


def practice_area_list(*, ctx: Ctx) -> QuerySet[PracticeArea]:
    ctx.require("matters.view")
    return PracticeArea.objects.all()
