"""core.services.matters: clients, gapless matter numbers, status with history, closed matters, walls,
billing terms."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core import exceptions, permissions
from core.models import Client, Matter, MatterMember, MatterNumberSequence, MatterStatusChange, Organization, Party
from core.services import matters as services
from core.tenancy import activate
from tests.api.helpers import audit_events, last_event
from tests.factories import ctx_of, firm_create, member_create
from tests.matter_factories import area_of, client_make, matter_make, party_make

YEAR = timezone.localdate().year


@pytest.fixture
def acme(owner):
    return client_make(owner, "Acme Holdings Ltd.")


# Clients.


def test_client_create_folds_the_name_and_is_audited(owner):
    client = client_make(
        owner,
        kind="individual",
        first_name="  Jean-François ",
        last_name="Tremblay",
        email=" JF@Example.CA ",
        province="QC",
        preferred_language="fr",
    )

    assert client.name == "Jean-François Tremblay"
    assert client.search_name == "jean francois tremblay"
    assert client.email == "jf@example.ca"
    assert client.is_active and client.archived_at is None
    event = last_event(owner.org, "client.created")
    assert event.target_id == str(client.pk)
    assert event.changes["first_name"] == "Jean-François"
    assert event.changes["province"] == "QC"
    assert event.actor_id == owner.user_id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "person", "last_name": "X"}, "kind"),
        ({"kind": "individual"}, "last_name"),
        ({"kind": "individual", "first_name": "   "}, "last_name"),
        ({"kind": "organization", "first_name": "Ann"}, "organization_name"),
        ({"kind": "individual", "last_name": "Roy", "email": "not-an-email"}, "email"),
        ({"kind": "individual", "last_name": "Roy", "province": "ZZ"}, "province"),
        ({"kind": "individual", "last_name": "Roy", "preferred_language": "de"}, "preferred_language"),
    ],
)
def test_client_create_names_the_field_in_error(owner, data, field):
    ctx = ctx_of(owner)
    with activate(ctx), pytest.raises(exceptions.ValidationError) as error:
        services.client_create(ctx=ctx, data=data)
    assert list(error.value.errors) == [field]
    with scope(org=owner.org_id):
        assert not Client.objects.exists()


def test_client_create_needs_clients_manage(owner, bookkeeper):
    ctx = ctx_of(bookkeeper)
    with activate(ctx), pytest.raises(exceptions.PermissionDenied):
        services.client_create(ctx=ctx, data={"last_name": "Roy"})


def test_client_update_records_only_the_changes(owner, acme):
    ctx = ctx_of(owner)
    with activate(ctx):
        services.client_update(ctx=ctx, client=acme, data={"phone": "416-555-0100", "city": "Toronto", "notes": None})
        services.client_update(ctx=ctx, client=acme, data={"phone": "416-555-0100"})  # no change: no event

    events = audit_events(owner.org, action="client.updated")
    assert len(events) == 1
    assert events[0].changes == {"phone": ["", "416-555-0100"], "city": ["", "Toronto"]}


def test_client_update_validates_like_create(owner, acme):
    ctx = ctx_of(owner)
    with activate(ctx), pytest.raises(exceptions.ValidationError) as error:
        services.client_update(ctx=ctx, client=acme, data={"organization_name": " "})
    assert "organization_name" in error.value.errors


def test_archiving_a_client_dates_it_refuses_new_matters_and_restoring_undoes_it(owner, acme):
    ctx = ctx_of(owner)
    with activate(ctx):
        services.client_update(ctx=ctx, client=acme, data={"is_active": False})
        assert acme.archived_at is not None
        with pytest.raises(exceptions.Conflict):
            services.matter_create(ctx=ctx, client=acme, data={"title": "New work"})
        services.client_update(ctx=ctx, client=acme, data={"is_active": True})
        assert acme.archived_at is None

    assert last_event(owner.org, "client.archived").changes == {"is_active": [True, False]}
    assert last_event(owner.org, "client.restored").changes == {"is_active": [False, True]}


# Matter numbers: per firm, per year, in the firm's format, gapless.


def test_matters_are_numbered_per_firm_and_year(owner, other_owner, acme):
    first = matter_make(owner, acme, "First")
    second = matter_make(owner, acme, "Second")
    elsewhere = matter_make(other_owner, client_make(other_owner, "Beta Corp."), "Theirs")

    assert (first.number, second.number) == (f"{YEAR}-0001", f"{YEAR}-0002")
    assert elsewhere.number == f"{YEAR}-0001"


def test_a_new_year_starts_again_at_one(owner, acme, monkeypatch):
    matter_make(owner, acme, "This year")
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(YEAR + 1, 1, 2))
    assert matter_make(owner, acme, "Next year").number == f"{YEAR + 1}-0001"


def test_the_number_format_is_the_firms(owner, acme):
    with scopes_disabled():
        Organization.objects.filter(pk=owner.org_id).update(matter_number_format="M{year}/{seq:05d}")
    assert matter_make(owner, acme, "Formatted").number == f"M{YEAR}/00001"


def test_a_number_format_is_checked(owner):
    services.matter_number_format_check("{year}-{seq:04d}")
    for bad in ("{year}-{other}", "{year}", "{seq:zz}"):
        with pytest.raises(exceptions.ValidationError) as error:
            services.matter_number_format_check(bad)
        assert "matter_number_format" in error.value.errors


def test_a_failed_opening_gives_its_number_back(owner, acme, monkeypatch):
    matter_make(owner, acme, "First")

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "conflict_check_record", broken)
    with pytest.raises(RuntimeError):
        matter_make(owner, acme, "Rolled back")
    monkeypatch.undo()

    assert matter_make(owner, acme, "Third").number == f"{YEAR}-0002"
    with scope(org=owner.org_id):
        assert sorted(Matter.objects.values_list("number", flat=True)) == [f"{YEAR}-0001", f"{YEAR}-0002"]
        assert MatterNumberSequence.objects.get(year=YEAR).last_number == 2


def test_a_refused_opening_takes_no_number(owner, acme):
    ctx = ctx_of(owner)
    with activate(ctx), pytest.raises(exceptions.ValidationError):
        services.matter_create(ctx=ctx, client=acme, data={"title": "Flat", "billing_method": "flat_fee"})
    assert matter_make(owner, acme, "Next").number == f"{YEAR}-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_get_distinct_consecutive_numbers():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks (one writer at a time): concurrent numbering is tested on PostgreSQL")
    owner = firm_create("Race Law LLP", owner_email="race@race-law.ca")
    client = client_make(owner, "Racing Clients Inc.")
    matter_make(owner, client, "Before the race")
    workers, barrier = 6, threading.Barrier(6)
    numbers, errors = [], []

    def open_one(index):
        try:
            barrier.wait(timeout=10)
            numbers.append(matter_make(owner, client, f"Race {index}").number)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=open_one, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(numbers) == [f"{YEAR}-{seq:04d}" for seq in range(2, 2 + workers)]
    with scope(org=owner.org_id):
        assert Matter.objects.count() == workers + 1
        assert MatterNumberSequence.objects.get(year=YEAR).last_number == workers + 1


# Opening a matter.


def test_opening_a_matter_records_status_team_parties_and_audit(owner, lawyer, acme):
    matter = matter_make(
        owner,
        acme,
        " Supply dispute ",
        practice_area=area_of(owner.org).pk,
        responsible_lawyer=lawyer,
        originating_lawyer=owner,
        team=[lawyer],
        parties=[{"name": "Boreal Freight Corp.", "role": "adverse_party"}],
        hourly_rate="425",
    )

    assert matter.title == "Supply dispute"
    assert matter.status == Matter.Status.OPEN and matter.opened_on == timezone.localdate()
    assert matter.hourly_rate == Decimal("425.00")
    with scope(org=owner.org_id):
        assert list(MatterMember.objects.filter(matter=matter).values_list("user_id", flat=True)) == [lawyer.user_id]
        assert list(Party.objects.filter(matter=matter).values_list("name", "search_name")) == [
            ("Boreal Freight Corp.", "boreal freight corp")
        ]
        history = list(MatterStatusChange.objects.filter(matter=matter).values_list("from_status", "to_status"))
        assert history == [("", "open")]
    event = last_event(owner.org, "matter.opened")
    assert event.changes["number"] == f"{YEAR}-0001"
    assert event.changes["team"] == ["liam@test-law.ca"]
    assert event.changes["hourly_rate"] == "425.00"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "  "}, "title"),
        ({"practice_area": "00000000-0000-0000-0000-000000000000"}, "practice_area"),
        ({"responsible_lawyer": "00000000-0000-0000-0000-000000000000"}, "responsible_lawyer"),
        ({"originating_lawyer": "00000000-0000-0000-0000-000000000000"}, "originating_lawyer"),
        ({"billing_method": "barter"}, "billing_method"),
        ({"billing_method": "flat_fee"}, "flat_fee"),
        ({"billing_method": "contingency"}, "contingency_percent"),
        ({"billing_method": "contingency", "contingency_percent": "100.01"}, "contingency_percent"),
        ({"hourly_rate": "-1"}, "hourly_rate"),
        ({"hourly_rate": "ten"}, "hourly_rate"),
        ({"hourly_rate": "NaN"}, "hourly_rate"),
        ({"hourly_rate": "Infinity"}, "hourly_rate"),
        ({"hourly_rate": "123456789.00"}, "hourly_rate"),
        ({"budget": "1e30"}, "budget"),
        ({"flat_fee": "-0.50", "billing_method": "flat_fee"}, "flat_fee"),
    ],
)
def test_matter_fields_are_validated_one_by_one(owner, acme, data, field):
    ctx = ctx_of(owner)
    with activate(ctx), pytest.raises(exceptions.ValidationError) as error:
        services.matter_create(ctx=ctx, client=acme, data={"title": "Valid title", **data})
    assert list(error.value.errors) == [field]
    with scope(org=owner.org_id):
        assert not Matter.objects.exists()


def test_a_person_of_another_firm_or_an_inactive_one_is_no_lawyer_here(owner, other_owner, lawyer, acme):
    ctx = ctx_of(owner)
    with scope(org=owner.org_id):
        type(lawyer).objects.filter(pk=lawyer.pk).update(is_active=False)
    for user_id in (other_owner.user_id, lawyer.user_id):
        with activate(ctx), pytest.raises(exceptions.ValidationError) as error:
            services.matter_create(ctx=ctx, client=acme, data={"title": "T", "responsible_lawyer": user_id})
        assert "responsible_lawyer" in error.value.errors
        with activate(ctx), pytest.raises(exceptions.ValidationError) as error:
            services.matter_create(ctx=ctx, client=acme, data={"title": "T"}, team=[user_id])
        assert "team" in error.value.errors


def test_billing_terms_are_decimals_with_two_places(owner, acme):
    flat = matter_make(owner, acme, "Flat", billing_method="flat_fee", flat_fee="3500", budget=Decimal("12.345"))
    contingency = matter_make(owner, acme, "Share", billing_method="contingency", contingency_percent="33.3")
    # A float never reaches an amount as its binary value: 0.1 is read as the decimal 0.1.
    hourly = matter_make(owner, acme, "Hourly", hourly_rate=0.1)

    with scope(org=owner.org_id):
        flat, contingency, hourly = (Matter.objects.get(pk=m.pk) for m in (flat, contingency, hourly))
    assert flat.flat_fee == Decimal("3500.00") and isinstance(flat.flat_fee, Decimal)
    assert str(flat.flat_fee) == "3500.00"
    assert str(flat.budget) in ("12.35", "12.34")  # rounded to cents, never more places
    assert str(contingency.contingency_percent) == "33.30"
    assert str(hourly.hourly_rate) == "0.10"


def test_opening_needs_matters_manage(owner, acme):
    paralegal = member_create(owner.org, permissions.PARALEGAL)
    ctx = ctx_of(paralegal)
    with activate(ctx), pytest.raises(exceptions.PermissionDenied):
        services.matter_create(ctx=ctx, client=acme, data={"title": "Mine"})


# Status: dates and history; closed matters take no new work.


def test_status_changes_keep_their_dates_and_history(owner, acme):
    matter = matter_make(owner, acme)
    ctx = ctx_of(owner)
    today = timezone.localdate()
    with activate(ctx):
        services.matter_status_change(ctx=ctx, matter=matter, status="pending", reason="Waiting for documents")
        assert (matter.status, matter.pending_on, matter.closed_on) == ("pending", today, None)
        services.matter_status_change(ctx=ctx, matter=matter, status="closed", on=today)
        assert (matter.status, matter.pending_on, matter.closed_on) == ("closed", None, today)
        services.matter_status_change(ctx=ctx, matter=matter, status="open", reason="New facts")
        assert (matter.status, matter.closed_on) == ("open", None)
        history = list(
            MatterStatusChange.objects.filter(matter=matter).values_list("from_status", "to_status", "on", "reason")
        )
    assert history == [
        ("", "open", today, ""),
        ("open", "pending", today, "Waiting for documents"),
        ("pending", "closed", today, ""),
        ("closed", "open", today, "New facts"),
    ]
    assert last_event(owner.org, "matter.closed").changes["status"] == ["pending", "closed"]
    assert last_event(owner.org, "matter.reopened").changes == {
        "status": ["closed", "open"],
        "on": today.isoformat(),
        "reason": "New facts",
    }


def test_status_change_refuses_bad_dates_unknown_and_same_status(owner, acme):
    matter = matter_make(owner, acme)
    ctx = ctx_of(owner)
    today = timezone.localdate()
    with activate(ctx):
        for on in (today + dt.timedelta(days=1), matter.opened_on - dt.timedelta(days=1)):
            with pytest.raises(exceptions.ValidationError) as error:
                services.matter_status_change(ctx=ctx, matter=matter, status="closed", on=on)
            assert "on" in error.value.errors
        with pytest.raises(exceptions.ValidationError) as error:
            services.matter_status_change(ctx=ctx, matter=matter, status="archived")
        assert "status" in error.value.errors
        with pytest.raises(exceptions.Conflict):
            services.matter_status_change(ctx=ctx, matter=matter, status="open")
    assert matter.status == "open"


def test_a_closed_matter_refuses_changes_and_parties_until_reopened(owner, acme):
    matter = matter_make(owner, acme, parties=[{"name": "Old Witness", "role": "witness"}])
    ctx = ctx_of(owner)
    with activate(ctx):
        party = Party.objects.get(matter=matter)
        services.matter_status_change(ctx=ctx, matter=matter, status="closed")
        for attempt in (
            lambda: services.matter_update(ctx=ctx, matter=matter, data={"title": "Changed"}),
            lambda: services.party_add(ctx=ctx, matter=matter, data={"name": "New Party", "role": "witness"}),
            lambda: services.party_update(ctx=ctx, party=party, data={"name": "Renamed"}),
            lambda: services.party_remove(ctx=ctx, party=party),
        ):
            with pytest.raises(exceptions.Conflict) as error:
                attempt()
            assert error.value.status_code == 409
        assert Party.objects.filter(matter=matter).count() == 1

        services.matter_status_change(ctx=ctx, matter=matter, status="open")
        services.matter_update(ctx=ctx, matter=matter, data={"title": "Changed"})
        services.party_add(ctx=ctx, matter=matter, data={"name": "New Party", "role": "witness"})
    with scope(org=owner.org_id):
        assert Matter.objects.get(pk=matter.pk).title == "Changed"
        assert Party.objects.filter(matter=matter).count() == 2


def test_matter_update_records_changes_and_team(owner, lawyer, acme):
    matter = matter_make(owner, acme, hourly_rate="300.00")
    ctx = ctx_of(owner)
    with activate(ctx):
        services.matter_update(ctx=ctx, matter=matter, data={"hourly_rate": "350"}, team=[lawyer.user_id])
        services.matter_update(ctx=ctx, matter=matter, data={"hourly_rate": "350.00"}, team=[lawyer.user_id])
    events = audit_events(owner.org, action="matter.updated")
    assert len(events) == 1
    assert events[0].changes == {"hourly_rate": ["300.00", "350.00"], "team": [[], ["liam@test-law.ca"]]}


# Walls: only Owners put them up, take them down and manage a walled matter's team.


def test_only_an_owner_opens_or_restricts_a_matter(owner, lawyer, acme):
    ctx = ctx_of(lawyer)
    with activate(ctx), pytest.raises(exceptions.PermissionDenied):
        services.matter_create(ctx=ctx, client=acme, data={"title": "Secret", "is_restricted": True})
    matter = matter_make(lawyer, acme, "Open to all")
    with activate(ctx), pytest.raises(exceptions.PermissionDenied):
        services.matter_update(ctx=ctx, matter=matter, data={"is_restricted": True})

    owner_ctx = ctx_of(owner)
    with activate(owner_ctx):
        services.matter_update(ctx=owner_ctx, matter=matter, data={"is_restricted": True})
    assert last_event(owner.org, "matter.updated").changes["is_restricted"] == [False, True]


def test_only_an_owner_manages_a_restricted_matters_team(owner, lawyer, acme):
    other = member_create(owner.org, permissions.LAWYER, email="other@test-law.ca")
    matter = matter_make(owner, acme, "Walled", is_restricted=True, team=[lawyer])
    ctx = ctx_of(lawyer)  # on the team: sees the matter, may work on it, but not change who else does
    with activate(ctx):
        with pytest.raises(exceptions.PermissionDenied):
            services.matter_update(
                ctx=ctx, matter=matter, data={"title": "Renamed"}, team=[lawyer.user_id, other.user_id]
            )
        with pytest.raises(exceptions.PermissionDenied):
            services.matter_update(ctx=ctx, matter=matter, data={"is_restricted": False})
        matter = Matter.objects.get(pk=matter.pk)
        assert (matter.title, matter.is_restricted) == ("Walled", True)  # nothing of the refused change was kept
        services.matter_update(ctx=ctx, matter=matter, data={"description": "Work goes on"})

    owner_ctx = ctx_of(owner)
    with activate(owner_ctx):
        services.matter_update(ctx=owner_ctx, matter=matter, data={}, team=[lawyer.user_id, other.user_id])
        assert MatterMember.objects.filter(matter=matter).count() == 2


def test_a_party_is_validated(owner, acme):
    matter = matter_make(owner, acme)
    ctx = ctx_of(owner)
    for data, field in [
        ({"name": " ", "role": "witness"}, "name"),
        ({"name": "Ann", "role": "judge"}, "role"),
        ({"name": "Ann", "role": "witness", "email": "nope"}, "email"),
    ]:
        with activate(ctx), pytest.raises(exceptions.ValidationError) as error:
            services.party_add(ctx=ctx, matter=matter, data=data)
        assert list(error.value.errors) == [field]


def test_party_changes_are_audited(owner, acme):
    matter = matter_make(owner, acme)
    party = party_make(owner, matter, "Dana Whitfield", "opposing_counsel", organization="Whitfield LLP")
    ctx = ctx_of(owner)
    with activate(ctx):
        services.party_update(ctx=ctx, party=party, data={"role": "witness"})
        services.party_remove(ctx=ctx, party=party)
        assert not Party.objects.filter(matter=matter).exists()
    assert party.search_name == "dana whitfield whitfield llp"
    assert last_event(owner.org, "party.added").changes == {"matter": matter.number, "role": "opposing_counsel"}
    assert last_event(owner.org, "party.updated").changes == {"role": ["opposing_counsel", "witness"]}
    assert last_event(owner.org, "party.removed").changes == {"name": "Dana Whitfield", "role": "witness"}


def test_practice_areas_are_per_firm_and_unique(owner, lawyer):
    ctx = ctx_of(owner)
    with activate(ctx):
        area = services.practice_area_create(ctx=ctx, name=" Tax ")
        assert area.name == "Tax"
        with pytest.raises(exceptions.ValidationError) as error:
            services.practice_area_create(ctx=ctx, name="tax")
        assert "name" in error.value.errors
    lawyer_ctx = ctx_of(lawyer)
    with activate(lawyer_ctx), pytest.raises(exceptions.PermissionDenied):
        services.practice_area_create(ctx=lawyer_ctx, name="Tax law")
