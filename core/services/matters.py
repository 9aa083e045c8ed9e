"""Clients and matters: creating and changing them, numbering, status, parties, teams, walls."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import exceptions
from core.models import (
    Client,
    Matter,
    MatterMember,
    MatterNumberSequence,
    MatterStatusChange,
    Organization,
    Party,
    PracticeArea,
    User,
)
from core.selectors.firms import staff_members
from core.services import audit
from core.services.conflicts import conflict_check_record, conflict_hits, fold
from core.tenancy import Ctx

CLIENT_FIELDS = [
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "email",
    "phone",
    "street",
    "city",
    "province",
    "postal_code",
    "preferred_language",
    "notes",
    "is_active",
]
MATTER_FIELDS = [
    "title",
    "description",
    "practice_area",
    "responsible_lawyer",
    "originating_lawyer",
    "billing_method",
    "hourly_rate",
    "flat_fee",
    "contingency_percent",
    "budget",
    "is_restricted",
]
CENT = Decimal("0.01")
DEFAULT_PRACTICE_AREAS = [
    "Corporate & Commercial",
    "Employment",
    "Family",
    "Immigration",
    "Litigation",
    "Real Estate",
    "Wills & Estates",
]


def _invalid(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError(message, errors={field: [message]})


# Clients.


def _client_clean(client: Client) -> None:
    if client.kind not in Client.Kind.values:
        raise _invalid("kind", _("Choose individual or organization."))
    for name in ("first_name", "last_name", "organization_name", "phone", "street", "city", "postal_code", "notes"):
        setattr(client, name, (getattr(client, name) or "").strip())
    if client.kind == Client.Kind.ORGANIZATION and not client.organization_name:
        raise _invalid("organization_name", _("Enter the organization's name."))
    if client.kind == Client.Kind.INDIVIDUAL and not (client.first_name or client.last_name):
        raise _invalid("last_name", _("Enter the client's name."))
    client.email = (client.email or "").strip().lower()
    if client.email:
        try:
            validate_email(client.email)
        except DjangoValidationError:
            raise _invalid("email", _("Enter a valid email address.")) from None
    if client.province and client.province not in dict(Client._meta.get_field("province").choices):
        raise _invalid("province", _("Choose a province or territory."))
    if client.preferred_language not in Client.Language.values:
        raise _invalid("preferred_language", _("Choose English or French."))
    client.search_name = fold(client.name)


def client_create(*, ctx: Ctx, data: dict) -> Client:
    ctx.require("clients.manage")
    client = Client(org=ctx.org, **{k: v for k, v in data.items() if k in CLIENT_FIELDS and v is not None})
    _client_clean(client)
    with transaction.atomic():
        client.save()
        audit.record(ctx, "client.created", target=client, changes=audit.snapshot(client, CLIENT_FIELDS))
    return client


def client_update(*, ctx: Ctx, client: Client, data: dict) -> Client:
    """Change a client; `is_active: False` archives it (its matters stay, new ones are refused)."""
    ctx.require("clients.manage")
    before = audit.snapshot(client, CLIENT_FIELDS)
    for name, value in data.items():
        if name in CLIENT_FIELDS and value is not None:
            setattr(client, name, value)
    _client_clean(client)
    changes = audit.diff(before, audit.snapshot(client, CLIENT_FIELDS))
    if not changes:
        return client
    if "is_active" in changes:
        client.archived_at = None if client.is_active else timezone.now()
    with transaction.atomic():
        client.save()
        action = "client.updated"
        if "is_active" in changes:
            action = "client.archived" if not client.is_active else "client.restored"
        audit.record(ctx, action, target=client, changes=changes)
    return client


# Numbering: gapless per firm and year, in the firm's format.


NUMBER_FORMAT = re.compile(r"(?:[^{}]|\{year\}|\{seq(?::0\dd)?\})*")


def matter_number_format_check(pattern: str) -> None:
    """Literal text with {year} and {seq} (optionally zero-padded, {seq:04d}); nothing else is formatted."""
    if not NUMBER_FORMAT.fullmatch(pattern or "") or "{seq" not in pattern:
        message = _("Use literal text with {year} and {seq}, e.g. {year}-{seq:04d}.")
        raise _invalid("matter_number_format", message)
    if len(pattern.format(year=2026, seq=999_999)) > Matter._meta.get_field("number").max_length:
        raise _invalid("matter_number_format", _("That format makes numbers too long."))


def _matter_number_next(org: Organization, year: int) -> str:
    """The next number, taken under a row lock: a rolled-back matter gives its number back."""
    MatterNumberSequence.objects.get_or_create(org=org, year=year)
    sequence = MatterNumberSequence.objects.select_for_update().get(org=org, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return org.matter_number_format.format(year=year, seq=sequence.last_number)


# Matters.


def _member_user(ctx: Ctx, user_id, field: str) -> User | None:
    if user_id is None:
        return None
    membership = staff_members(ctx=ctx).filter(user_id=user_id).first()
    if membership is None:
        raise _invalid(field, _("Choose a member of the firm's staff."))
    return membership.user


def _matter_clean(ctx: Ctx, matter: Matter, data: dict) -> None:
    """Apply `data` (ids for people and the practice area) to the matter, validating each field."""
    wall_changes = "is_restricted" in data and bool(data["is_restricted"]) != matter.is_restricted
    if wall_changes and not matter._state.adding and not ctx.is_owner:
        raise exceptions.PermissionDenied(_("Only an Owner can put up or take down a wall."))
    if "title" in data:
        matter.title = (data["title"] or "").strip()
        if not matter.title:
            raise _invalid("title", _("Give the matter a title."))
    if "description" in data:
        matter.description = (data["description"] or "").strip()
    if "practice_area" in data:
        area_id = data["practice_area"]
        matter.practice_area = PracticeArea.objects.filter(pk=area_id).first() if area_id else None
        if area_id and matter.practice_area is None:
            raise _invalid("practice_area", _("Choose one of the firm's practice areas."))
    for field in ("responsible_lawyer", "originating_lawyer"):
        if field in data:
            setattr(matter, field, _member_user(ctx, data[field], field))
    if "billing_method" in data:
        if data["billing_method"] not in Matter.BillingMethod.values:
            raise _invalid("billing_method", _("Choose hourly, flat fee or contingency."))
        matter.billing_method = data["billing_method"]
    for field in ("hourly_rate", "flat_fee", "contingency_percent", "budget"):
        if field in data:
            setattr(matter, field, _amount(field, data[field]))
    if matter.contingency_percent is not None and matter.contingency_percent > 100:
        raise _invalid("contingency_percent", _("A percentage is at most 100."))
    if matter.billing_method == Matter.BillingMethod.FLAT_FEE and matter.flat_fee is None:
        raise _invalid("flat_fee", _("A flat-fee matter needs its fee."))
    if matter.billing_method == Matter.BillingMethod.CONTINGENCY and matter.contingency_percent is None:
        raise _invalid("contingency_percent", _("A contingency matter needs its percentage."))
    if "is_restricted" in data:
        matter.is_restricted = bool(data["is_restricted"])
    matter.search_title = fold(matter.title)


def _amount(field: str, value) -> Decimal | None:
    """A non-negative amount with two decimal places; never a float on the way."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except InvalidOperation:
        raise _invalid(field, _("Enter a number.")) from None
    if not amount.is_finite():  # NaN: compared below, it would raise instead of being refused
        raise _invalid(field, _("Enter a number."))
    if amount < 0:
        raise _invalid(field, _("Enter an amount of zero or more."))
    max_digits = Matter._meta.get_field(field).max_digits
    if len(amount.as_tuple().digits) > max_digits:  # the column's size: PostgreSQL would refuse it (a 500)
        raise _invalid(field, _("Enter a smaller amount."))
    return amount


def _team_set(ctx: Ctx, matter: Matter, user_ids: list) -> list[str]:
    users = [_member_user(ctx, user_id, "team") for user_id in dict.fromkeys(user_ids)]
    MatterMember.objects.filter(matter=matter).exclude(user__in=users).delete()
    existing = set(MatterMember.objects.filter(matter=matter).values_list("user_id", flat=True))
    MatterMember.objects.bulk_create(
        [MatterMember(org=ctx.org, matter=matter, user=user) for user in users if user.pk not in existing]
    )
    return sorted(user.email for user in users)


def matter_create(
    *,
    ctx: Ctx,
    client: Client,
    data: dict,
    team: list | None = None,
    parties: list[dict] | None = None,
    conflict_override_reason: str = "",
) -> Matter:
    """Open a matter: number it, check conflicts on the client and every party, keep the check.

    Hits block the opening unless a reason to go ahead is given; the reason is kept with the check.
    """
    ctx.require("matters.manage")
    if not client.is_active:
        raise exceptions.Conflict(_("This client is archived. Restore it before opening a matter."))
    if data.get("is_restricted") and not ctx.is_owner:
        # A wall the opener could not see past would hide the new matter from them; Owners decide.
        raise exceptions.PermissionDenied(_("Only an Owner can open a restricted matter."))
    matter = Matter(org=ctx.org, client=client, opened_on=timezone.localdate())
    _matter_clean(ctx, matter, {"title": "", **data})
    parties = parties or []
    party_objects = [_party_build(ctx, matter, party) for party in parties]
    names = [client.name] + [party.name for party in party_objects]
    hits = [hit for _name, name_hits in _conflict_groups(ctx, client, names) for hit in name_hits]
    reason = (conflict_override_reason or "").strip()
    if hits and not reason:
        raise exceptions.Conflict(
            _("The conflict check found %(count)d possible conflicts. Review them, then give a reason to open anyway.")
            % {"count": len(hits)}
        )
    with transaction.atomic():
        matter.number = _matter_number_next(ctx.org, matter.opened_on.year)
        matter.save()
        for party in party_objects:
            party.save()
        team_emails = _team_set(ctx, matter, team or [])
        MatterStatusChange.objects.create(
            org=ctx.org, matter=matter, to_status=Matter.Status.OPEN, on=matter.opened_on, by=ctx.user
        )
        audit.record(
            ctx,
            "matter.opened",
            target=matter,
            changes={**audit.snapshot(matter, MATTER_FIELDS), "number": matter.number, "team": team_emails},
        )
        conflict_check_record(ctx=ctx, query="; ".join(names), hits=hits, matter=matter, override_reason=reason)
    return matter


def _conflict_groups(ctx: Ctx, client: Client | None, names: list[str]) -> list[tuple[str, list]]:
    """The hits of each name for a new matter. The client itself and its own matters are no conflict;
    a party elsewhere bearing the client's name may be."""

    def own(hit) -> bool:
        return client is not None and hit.kind in ("client", "matter") and hit.client_id == str(client.pk)

    return [(name, [hit for hit in conflict_hits(ctx=ctx, query=name) if not own(hit)]) for name in names]


def matter_conflict_preview(*, ctx: Ctx, client: Client | None, names: list[str]) -> list[tuple[str, list]]:
    """What matter_create's conflict check will find, name by name, while the form is being filled."""
    ctx.require("conflicts.run")
    names = ([client.name] if client else []) + [name for name in names if len(fold(name)) >= 2]
    return _conflict_groups(ctx, client, names)


def matter_ensure_open(matter: Matter) -> None:
    """Closed matters take no new work: every service that adds work to a matter calls this."""
    if matter.status == Matter.Status.CLOSED:
        raise exceptions.Conflict(_("Matter %(number)s is closed. Reopen it first.") % {"number": matter.number})


def matter_update(*, ctx: Ctx, matter: Matter, data: dict, team: list | None = None) -> Matter:
    ctx.require("matters.manage")
    matter_ensure_open(matter)
    before = audit.snapshot(matter, MATTER_FIELDS)
    _matter_clean(ctx, matter, data)
    changes = audit.diff(before, audit.snapshot(matter, MATTER_FIELDS))
    with transaction.atomic():
        if changes:
            matter.save()
        if team is not None:
            if matter.is_restricted and not ctx.is_owner:
                raise exceptions.PermissionDenied(_("Only an Owner manages the team of a restricted matter."))
            before_team = sorted(MatterMember.objects.filter(matter=matter).values_list("user__email", flat=True))
            after_team = _team_set(ctx, matter, team)
            if before_team != after_team:
                changes["team"] = [before_team, after_team]
        if changes:
            audit.record(ctx, "matter.updated", target=matter, changes=changes)
    return matter


def matter_status_change(
    *, ctx: Ctx, matter: Matter, status: str, on: dt.date | None = None, reason: str = ""
) -> Matter:
    """Open, pending or closed, with the date of the change; closing refuses new work from then on."""
    ctx.require("matters.manage")
    if status not in Matter.Status.values:
        raise _invalid("status", _("Choose open, pending or closed."))
    if status == matter.status:
        raise exceptions.Conflict(_("The matter is already %(status)s.") % {"status": matter.get_status_display()})
    on = on or timezone.localdate()
    if on < matter.opened_on:
        raise _invalid("on", _("The date cannot be before the matter opened."))
    if on > timezone.localdate():
        raise _invalid("on", _("The date cannot be in the future."))
    previous = matter.status
    matter.status = status
    matter.closed_on = on if status == Matter.Status.CLOSED else None
    matter.pending_on = on if status == Matter.Status.PENDING else None
    with transaction.atomic():
        matter.save(update_fields=["status", "closed_on", "pending_on", "updated_at"])
        MatterStatusChange.objects.create(
            org=ctx.org,
            matter=matter,
            from_status=previous,
            to_status=status,
            on=on,
            reason=reason.strip()[:500],
            by=ctx.user,
        )
        action = {"closed": "matter.closed", "open": "matter.reopened", "pending": "matter.pending"}[status]
        audit.record(ctx, action, target=matter, changes={"status": [previous, status], "on": on, "reason": reason})
    return matter


# Parties.


def _party_build(ctx: Ctx, matter: Matter, data: dict) -> Party:
    party = Party(org=ctx.org, matter=matter)
    _party_apply(party, data)
    return party


def _party_apply(party: Party, data: dict) -> None:
    for field in ("name", "organization", "email", "notes", "role"):
        if field in data and data[field] is not None:
            setattr(party, field, str(data[field]).strip())
    if not party.name:
        raise _invalid("name", _("Enter the party's name."))
    if party.role not in Party.Role.values:
        raise _invalid("role", _("Choose the party's role."))
    if party.email:
        try:
            validate_email(party.email)
        except DjangoValidationError:
            raise _invalid("email", _("Enter a valid email address.")) from None
    party.search_name = fold(f"{party.name} {party.organization}")


def party_add(*, ctx: Ctx, matter: Matter, data: dict) -> tuple[Party, list]:
    """Add a party and answer the conflict hits its name has elsewhere in the firm (recorded)."""
    ctx.require("matters.manage")
    matter_ensure_open(matter)
    party = _party_build(ctx, matter, data)
    hits = conflict_hits(ctx=ctx, query=party.name, exclude_matter_id=matter.pk)
    with transaction.atomic():
        party.save()
        audit.record(ctx, "party.added", target=party, changes={"matter": matter.number, "role": party.role})
        conflict_check_record(ctx=ctx, query=party.name, hits=hits, matter=matter)
    return party, hits


def party_update(*, ctx: Ctx, party: Party, data: dict) -> Party:
    ctx.require("matters.manage")
    matter_ensure_open(party.matter)
    fields = ["name", "role", "organization", "email", "notes"]
    before = audit.snapshot(party, fields)
    _party_apply(party, data)
    changes = audit.diff(before, audit.snapshot(party, fields))
    if changes:
        with transaction.atomic():
            party.save()
            audit.record(ctx, "party.updated", target=party, changes=changes)
    return party


def party_remove(*, ctx: Ctx, party: Party) -> None:
    ctx.require("matters.manage")
    matter_ensure_open(party.matter)
    with transaction.atomic():
        audit.record(ctx, "party.removed", target=party, changes={"name": party.name, "role": party.role})
        party.delete()


# Practice areas.


def practice_areas_default_create(org: Organization) -> None:
    PracticeArea.objects.bulk_create([PracticeArea(org=org, name=name) for name in DEFAULT_PRACTICE_AREAS])


def practice_area_create(*, ctx: Ctx, name: str) -> PracticeArea:
    ctx.require("org.manage")
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("Enter a name."))
    if PracticeArea.objects.filter(name__iexact=name).exists():
        raise _invalid("name", _("This practice area exists already."))
    with transaction.atomic():
        area = PracticeArea.objects.create(org=ctx.org, name=name)
        audit.record(ctx, "practice_area.created", target=area)
    return area
