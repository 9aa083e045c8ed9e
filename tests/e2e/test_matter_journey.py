"""A Lawyer's day, in Chromium: a new client, a new matter whose adverse party conflicts, the list, closing it."""

import re

import pytest
from django_scopes import scopes_disabled

from core import permissions
from core.models import ConflictCheck, Matter
from tests.factories import firm_create, member_create
from tests.web.builders import client_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("Passw0rd!123")
    page.get_by_role("button", name="Sign in").click()


def test_lawyer_opens_a_conflicting_matter_with_a_reason_finds_it_and_closes_it(page):
    owner = firm_create("Journey Law LLP", owner_email="owner@journey.ca")
    lawyer = member_create(owner.org, permissions.LAWYER, email="lea@journey.ca", first_name="Léa", last_name="Roy")
    client_make(owner, kind="organization", organization_name="Northwind Developments Ltd.")

    sign_in(page, "lea@journey.ca")
    page.wait_for_url(re.compile(rf"/app/{lawyer.org_id}/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    assert page.get_by_label("Search").evaluate("el => el === document.activeElement")

    # A new client.
    page.get_by_role("link", name="New client").click()
    page.get_by_text("Individual", exact=True).click()
    page.get_by_label("First name").fill("Amelia")
    page.get_by_label("Last name").fill("Chen")
    page.get_by_label("Email").fill("amelia@example.ca")
    page.get_by_role("button", name="Add client").click()
    page.get_by_role("heading", name="Amelia Chen").wait_for()

    # A new matter for her, from her page: the adverse party is a client of the firm.
    page.get_by_role("link", name="New matter").click()
    assert page.get_by_label("Client", exact=True).locator("option:checked").inner_text() == "Amelia Chen"
    page.get_by_label("Title").fill("Wrongful dismissal claim")
    page.locator("#id_parties-0-name").press_sequentially("Northwind Developments", delay=20)
    warning = page.locator("#conflict-hits")
    warning.get_by_text("1 possible conflict found.").wait_for()
    assert "Northwind Developments Ltd." in warning.inner_text()

    # Saving without a reason is refused next to the reason field; what was typed stays.
    page.get_by_role("button", name="Open matter").click()
    page.locator("#id_conflict_override_reason_error").wait_for()
    assert page.locator("#id_parties-0-name").input_value() == "Northwind Developments"
    page.get_by_label("Reason to open anyway").fill("Unrelated matter; Northwind consented in writing.")
    page.get_by_role("button", name="Open matter").click()
    page.get_by_role("heading", name="Wrongful dismissal claim").wait_for()
    assert "Unrelated matter; Northwind consented in writing." in page.locator("main").inner_text()

    with scopes_disabled():
        matter = Matter.objects.get(title="Wrongful dismissal claim")
        check = ConflictCheck.objects.get(matter=matter)
    assert check.hit_count == 1 and check.run_by_id == lawyer.user_id

    # Found in the list by search.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Matters").click()
    page.get_by_label("Search").press_sequentially("dismissal", delay=20)
    page.wait_for_url(re.compile(r"q=dismissal"))
    results = page.locator("#results")
    results.get_by_role("link", name=matter.number).wait_for()
    results.get_by_role("link", name=matter.number).click()

    # Closed, with its reason.
    page.get_by_label("Reason").fill("Settled")
    page.get_by_role("button", name="Close matter").click()
    page.get_by_text("This matter was closed on").wait_for()
    assert page.get_by_role("button", name="Reopen matter").is_visible()
    with scopes_disabled():
        assert Matter.objects.get(pk=matter.pk).status == "closed"
