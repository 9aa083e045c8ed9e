"""core.services.conflicts: the firm-wide search, tolerant of case, accents and small misspellings; walls
hide what a hit reveals, never that it exists; opening a matter keeps its check."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core import exceptions, permissions
from core.models import ConflictCheck, Matter, Membership
from core.services import matters as matter_service
from core.services.conflicts import conflict_search, fold, name_match, word_similarity
from core.tenancy import activate
from tests.api.helpers import last_event
from tests.factories import ctx_of, member_create
from tests.matter_factories import client_make, matter_make

YEAR = timezone.localdate().year


def search(membership, query: str):
    ctx = ctx_of(membership)
    with activate(ctx):
        return conflict_search(ctx=ctx, query=query)


def summary(hits):
    return [(hit.kind, hit.name, hit.matter_number, hit.restricted) for hit in hits]


@pytest.fixture
def tremblay(owner):
    return client_make(owner, kind="individual", first_name="Jean-François", last_name="Tremblay")


# Folding and matching.


def test_fold_lowers_strips_accents_and_punctuation():
    assert fold("  Jean-François   TREMBLAY, c.r. ") == "jean francois tremblay c r"
    assert fold("Société Québécoise d'Énergie") == "societe quebecoise d energie"
    assert fold("") == ""


def test_word_similarity_is_pg_trgm_similarity():
    assert word_similarity("tremblay", "tremblay") == 1.0
    assert word_similarity("tremblai", "tremblay") == pytest.approx(7 / 11)
    assert word_similarity("abc", "xyz") == 0.0


def test_name_match_explains_itself():
    assert name_match("jean francois tremblay", "jean francois tremblay").reason == "same name"
    assert name_match("tremblay", "jean francois tremblay").reason == "name contains “tremblay”"
    match = name_match("jean francois tremblai", "jean francois tremblay")
    assert match.reason == "similar name (tremblai ≈ tremblay)"
    assert 0.5 < match.score < 0.95
    assert name_match("jean dupont", "jean francois tremblay") is None


@pytest.mark.parametrize(
    "query", ["jean francois tremblay", "Jean-Francois Tremblai", "JEAN-FRANÇOIS TREMBLAY", "tremblay jean"]
)
def test_the_search_finds_tremblay_whatever_the_spelling(owner, tremblay, query):
    hits = search(owner, query)
    assert summary(hits) == [("client", "Jean-François Tremblay", None, False)]
    assert hits[0].client_id == str(tremblay.pk)
    assert hits[0].reason.startswith("Client: ")


def test_the_search_matches_parties_and_titles_with_why(owner, lawyer, tremblay):
    acme = client_make(owner, "Acme Holdings Ltd.")
    matter = matter_make(
        owner,
        acme,
        "Acme v. Tremblay",
        parties=[{"name": "Jean François Tremblay", "role": "adverse_party"}],
        override="Checked: a namesake.",
    )

    hits = search(lawyer, "jean-francois tremblay")

    by_kind = {hit.kind: hit for hit in hits}
    assert set(by_kind) == {"client", "party"}
    party = by_kind["party"]
    assert (party.name, party.role, party.matter_number, party.matter_id) == (
        "Jean François Tremblay",
        "adverse_party",
        matter.number,
        str(matter.pk),
    )
    assert party.reason == f"Adverse party on {matter.number}: same name"
    assert by_kind["client"].reason == "Client: same name"
    title_hits = search(lawyer, "acme tremblay")
    assert ("matter", "Acme v. Tremblay", matter.number, False) in summary(title_hits)
    assert [hit.score for hit in title_hits] == sorted((hit.score for hit in title_hits), reverse=True)


def test_unrelated_names_and_other_firms_are_no_hits(owner, other_owner, tremblay):
    client_make(other_owner, kind="individual", first_name="Jean-François", last_name="Tremblay")
    assert search(owner, "Marie Dupont") == []
    hits = search(owner, "tremblay")
    assert [hit.client_id for hit in hits] == [str(tremblay.pk)]


def test_a_query_needs_two_letters_and_the_permission(owner, bookkeeper):
    with pytest.raises(exceptions.ValidationError) as error:
        search(owner, " - ")
    assert "q" in error.value.errors
    with pytest.raises(exceptions.PermissionDenied):
        search(bookkeeper, "tremblay")


# Walls: a walled hit is still a hit, without its details for those outside the wall.


@pytest.fixture
def aurora(owner, lawyer):
    client = client_make(owner, "Northwind Developments Ltd.")
    return matter_make(
        owner,
        client,
        "Project Aurora: confidential acquisition",
        is_restricted=True,
        team=[lawyer],
        parties=[{"name": "Aurora Biotech Inc.", "role": "other"}],
    )


def test_a_walled_hit_is_reported_without_details_outside_the_wall(owner, aurora):
    paralegal = member_create(owner.org, permissions.PARALEGAL)
    admin = member_create(owner.org, permissions.ADMIN)
    for outsider in (paralegal, admin):
        hits = search(outsider, "aurora")
        assert [(hit.kind, hit.restricted) for hit in hits] == [("matter", True), ("party", True)]
        for hit in hits:
            assert hit.name is None and hit.matter_number is None and hit.matter_title is None
            assert hit.matter_id is None and hit.client_id is None
            assert "Aurora" not in hit.reason and aurora.number not in hit.reason
        assert hits[0].reason == "A restricted matter"
        assert hits[1].reason == "Other on a restricted matter"
        assert hits[1].role == "other"


def test_the_team_and_owners_see_a_walled_hit_in_full(owner, lawyer, aurora):
    for insider in (owner, lawyer):
        hits = search(insider, "aurora")
        assert summary(hits) == [
            ("matter", "Project Aurora: confidential acquisition", aurora.number, False),
            ("party", "Aurora Biotech Inc.", aurora.number, False),
        ]


def test_the_responsible_lawyer_is_inside_the_wall(owner, aurora):
    responsible = member_create(owner.org, permissions.LAWYER)
    ctx = ctx_of(owner)
    with activate(ctx):
        matter_service.matter_update(ctx=ctx, matter=aurora, data={"responsible_lawyer": responsible.user_id})
    assert not any(hit.restricted for hit in search(responsible, "aurora"))


# Opening a matter runs the check, and keeps it.


def test_opening_with_hits_and_no_reason_is_refused(owner, lawyer, tremblay):
    acme = client_make(owner, "Acme Holdings Ltd.")
    ctx = ctx_of(lawyer)
    with activate(ctx):
        with pytest.raises(exceptions.Conflict) as error:
            matter_service.matter_create(
                ctx=ctx,
                client=acme,
                data={"title": "Claim"},
                parties=[{"name": "Jean-Francois Tremblai", "role": "adverse_party"}],
                conflict_override_reason="   ",
            )
        assert error.value.status_code == 409
        assert not Matter.objects.exists()
        assert not ConflictCheck.objects.exists()


def test_opening_with_a_reason_keeps_the_check_with_query_results_and_reason(owner, lawyer, tremblay):
    acme = client_make(owner, "Acme Holdings Ltd.")
    reason = "Tremblay consented in writing."
    matter = matter_make(
        lawyer,
        acme,
        "Claim",
        parties=[{"name": "Jean-Francois Tremblai", "role": "adverse_party"}],
        override=f"  {reason} ",
    )

    with scope(org=owner.org_id):
        check = ConflictCheck.objects.get(matter=matter)
    assert check.query == "Acme Holdings Ltd.; Jean-Francois Tremblai"
    assert check.hit_count == 1
    assert check.results[0]["kind"] == "client"
    assert check.results[0]["name"] == "Jean-François Tremblay"
    assert check.results[0]["reason"] == "Client: similar name (tremblai ≈ tremblay)"
    assert check.override_reason == reason
    assert check.run_by_id == lawyer.user_id
    event = last_event(owner.org, "conflict_check.recorded")
    assert event.target_id == str(matter.pk)
    assert event.changes == {"query": check.query, "hits": 1, "override_reason": reason}


def test_a_clean_opening_keeps_a_check_without_hits(owner):
    matter = matter_make(owner, client_make(owner, "Quiet Client Inc."), "Nothing to see")
    with scope(org=owner.org_id):
        check = ConflictCheck.objects.get(matter=matter)
    assert (check.query, check.hit_count, check.results, check.override_reason) == ("Quiet Client Inc.", 0, [], "")


def test_the_client_and_its_own_matters_are_no_conflict_for_a_new_matter(owner):
    acme = client_make(owner, "Acme Holdings Ltd.")
    matter_make(owner, acme, "Acme Holdings Ltd. general advice")
    second = matter_make(owner, acme, "Second mandate")  # no reason needed: the hits are the client's own
    with scope(org=owner.org_id):
        assert ConflictCheck.objects.get(matter=second).hit_count == 0


def test_a_walled_hit_blocks_an_outsider_too_but_the_check_keeps_no_details(owner, lawyer, aurora):
    paralegal_lawyer = member_create(owner.org, permissions.LAWYER, email="outside@test-law.ca")
    acme = client_make(owner, "Acme Holdings Ltd.")
    parties = [{"name": "Aurora Biotech", "role": "adverse_party"}]
    ctx = ctx_of(paralegal_lawyer)
    with activate(ctx), pytest.raises(exceptions.Conflict):
        matter_service.matter_create(ctx=ctx, client=acme, data={"title": "Claim"}, parties=parties)
    matter = matter_make(paralegal_lawyer, acme, "Claim", parties=parties, override="Cleared by the Owner.")
    with scope(org=owner.org_id):
        results = ConflictCheck.objects.get(matter=matter).results
    assert results and all(hit["restricted"] for hit in results)
    assert "Aurora" not in str([hit["name"] for hit in results] + [hit["matter_title"] for hit in results])


# The demo data: the same answers on SQLite and PostgreSQL.


def _demo(email):
    with scopes_disabled():
        return Membership.objects.select_related("org", "role", "user").get(user__email=email, org__name="Demo Law LLP")


DEMO_AURORA_FULL = [
    ("matter", "Project Aurora: confidential acquisition", f"{YEAR}-0003", False),
    ("party", "Aurora Biotech Inc.", f"{YEAR}-0003", False),
]


def test_the_demo_data_answers_exactly(db):
    call_command("seed_demo")
    owner, paralegal, lawyer = _demo("owner@firm.ca"), _demo("paralegal@firm.ca"), _demo("lawyer@firm.ca")
    northwind = [
        ("client", "Northwind Developments Ltd.", None, False),
        ("party", "Northwind Developments Ltd.", f"{YEAR}-0002", False),
    ]
    tremblay = [("client", "Jean-François Tremblay", None, False)]

    for who in (owner, paralegal, lawyer):
        assert summary(search(who, "northwind")) == northwind
        assert summary(search(who, "jean francois tremblai")) == tremblay
        assert summary(search(who, "Jean-François Tremblay")) == tremblay
    assert [hit.reason for hit in search(owner, "northwind")] == [
        "Client: name contains “northwind”",
        f"Adverse party on {YEAR}-0002: name contains “northwind”",
    ]
    assert search(owner, "jean francois tremblai")[0].reason == "Client: similar name (tremblai ≈ tremblay)"
    assert [(h.score, h.reason) for h in search(owner, "jean francois tremblai")] == [
        (0.79, "Client: similar name (tremblai ≈ tremblay)")
    ]

    assert summary(search(owner, "aurora")) == DEMO_AURORA_FULL
    assert summary(search(lawyer, "aurora")) == DEMO_AURORA_FULL  # on the team
    hidden = search(paralegal, "aurora")
    assert summary(hidden) == [("matter", None, None, True), ("party", None, None, True)]
    assert [hit.reason for hit in hidden] == ["A restricted matter", "Other on a restricted matter"]

    assert summary(search(owner, "tremblay")) == [
        ("client", "Jean-François Tremblay", None, False),
        ("matter", "Estate of Marie Tremblay", f"{YEAR}-0004", False),
        ("party", "Luc Tremblay", f"{YEAR}-0004", False),
    ]


def test_the_demo_data_keeps_its_conflict_checks(db):
    call_command("seed_demo")
    owner = _demo("owner@firm.ca")
    with scope(org=owner.org_id):
        checks = {c.matter.title: c for c in ConflictCheck.objects.select_related("matter")}
        restricted = Matter.objects.filter(is_restricted=True).values_list("title", flat=True)
    assert list(restricted) == ["Project Aurora: confidential acquisition"]
    dismissal = checks["Wrongful dismissal claim"]
    assert dismissal.hit_count >= 1 and dismissal.override_reason.startswith("Northwind consented")
    assert "Northwind Developments Ltd." in [hit["name"] for hit in dismissal.results]
