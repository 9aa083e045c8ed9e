"""The matters pages: list, new matter with its live conflict check, the matter's tabs, parties, conflicts."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.models import ConflictCheck, Matter, Party
from tests.factories import custom_role_create, member_create
from tests.web.builders import client_make, matter_make, paralegal_make, query_count
from tests.web.helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind(owner):
    return client_make(owner, kind="organization", organization_name="Northwind Developments Ltd.")


@pytest.fixture
def chen(owner):
    return client_make(owner, first_name="Amelia", last_name="Chen")


@pytest.fixture
def aurora(owner, lawyer, northwind):
    """A restricted matter whose team is the Lawyer."""
    return matter_make(
        owner,
        northwind,
        title="Project Aurora",
        restricted=True,
        team=[lawyer],
        parties=[{"name": "Aurora Biotech Inc.", "role": "other"}],
    )


def new_matter_data(client_id, **extra):
    data = {
        "client": str(client_id),
        "title": "Wrongful dismissal claim",
        "billing_method": "hourly",
        "hourly_rate": "350",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-0-name": "",
        "parties-0-role": "adverse_party",
        "parties-1-name": "",
        "parties-1-role": "adverse_party",
        "parties-2-name": "",
        "parties-2-role": "adverse_party",
    }
    data.update(extra)
    return data


# The list.


def test_list_shows_matters_with_badges(client, lawyer, chen):
    matter = matter_make(lawyer, chen, title="Wrongful dismissal claim")
    client.force_login(lawyer.user)
    html = client.get(page("matter_list", lawyer)).content.decode()
    assert matter.number in html and "Wrongful dismissal claim" in html and "Amelia Chen" in html
    assert 'class="badge badge-success">Open<' in html
    assert 'id="id_q"' in html and "autofocus" in html


def test_list_filters_answer_the_partial(client, owner, lawyer, chen, northwind):
    matter_make(lawyer, chen, title="Dismissal")
    closed = matter_make(owner, northwind, title="Old lease")
    client.force_login(owner.user)
    client.post(page("matter_status", owner, matter_id=closed.pk), {"status": "closed", "on": timezone.localdate()})
    response = client.get(page("matter_list", owner), {"status": "closed"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html
    assert "Old lease" in html and "Dismissal" not in html
    assert 'class="badge badge-closed">Closed<' in html
    html = client.get(page("matter_list", owner), {"q": "chen"}).content.decode()
    assert "Dismissal" in html and "Old lease" not in html
    html = client.get(page("matter_list", owner), {"client": str(northwind.pk)}).content.decode()
    assert "Old lease" in html and "Dismissal" not in html
    html = client.get(page("matter_list", owner), {"responsible_lawyer": str(lawyer.user_id)}).content.decode()
    assert "Old lease" not in html


def test_list_refuses_a_role_without_matters_view(client, org):
    nobody = member_create(org, custom_role_create(org, "Reception", {"users.view"}))
    client.force_login(nobody.user)
    assert client.get(page("matter_list", nobody)).status_code == 403


def test_walled_matter_is_hidden_from_the_list_and_search_of_a_non_member(client, owner, lawyer, org, aurora):
    paralegal = paralegal_make(org)
    outsider = member_create(org, "Lawyer", email="other-lawyer@test-law.ca")
    for member, sees in ((paralegal, False), (outsider, False), (lawyer, True), (owner, True)):
        client.force_login(member.user)
        listed = client.get(page("matter_list", member)).content.decode()
        searched = client.get(page("matter_list", member), {"q": "aurora"}, HTTP_HX_REQUEST="true").content.decode()
        assert ("Project Aurora" in listed) is sees, member
        assert ("Project Aurora" in searched) is sees, member


def test_list_costs_the_same_queries_for_5_and_50_matters(client, owner, lawyer, chen):
    client.force_login(lawyer.user)
    for i in range(5):
        matter_make(lawyer, chen, title=f"Few {i}")
    few = query_count(client, page("matter_list", lawyer))
    for i in range(45):
        matter_make(owner, chen, title=f"Many {i}", team=[lawyer], restricted=i % 2 == 0)
    many = query_count(client, page("matter_list", lawyer))
    assert few == many


# The matter's page.


def test_matter_page_overview(client, lawyer, chen):
    matter = matter_make(lawyer, chen, title="Wrongful dismissal claim", team=[lawyer])
    with scope(org=lawyer.org_id):
        Matter.objects.filter(pk=matter.pk).update(hourly_rate="395", budget="12500.5")
    client.force_login(lawyer.user)
    html = client.get(page("matter_detail", lawyer, matter_id=matter.pk)).content.decode()
    assert "Wrongful dismissal claim" in html and matter.number in html
    assert "395.00 CAD" in html and "12,500.50 CAD" in html
    assert "Liam Lawyer" in html  # the team
    assert "Amelia Chen" in html and "No hits" in html  # the conflict check kept on the matter
    assert 'aria-disabled="true"' in html and "Invoices" in html  # later tabs, disabled
    assert "Close matter" in html


def test_tabs_by_url_and_by_htmx(client, lawyer, chen):
    matter = matter_make(lawyer, chen, parties=[{"name": "Bad Boss Inc.", "role": "adverse_party"}], reason="ok")
    client.force_login(lawyer.user)
    url = page("matter_detail", lawyer, matter_id=matter.pk)
    html = client.get(url, {"tab": "parties"}).content.decode()
    assert "<html" in html and "Bad Boss Inc." in html and "Add a party" in html
    partial = client.get(url, {"tab": "parties"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="matter-tabs">') and "<html" not in partial
    assert "Bad Boss Inc." in partial
    overview = client.get(url, {"tab": "overview"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Billing terms" in overview and "Add a party" not in overview


def test_matter_page_of_another_firm_is_404(client, lawyer, other_owner):
    theirs = matter_make(other_owner, client_make(other_owner))
    client.force_login(lawyer.user)
    assert client.get(page("matter_detail", lawyer, matter_id=theirs.pk)).status_code == 404
    assert client.post(page("matter_status", lawyer, matter_id=theirs.pk), {"status": "closed"}).status_code == 404
    assert client.post(page("party_add", lawyer, matter_id=theirs.pk), {"new-name": "X"}).status_code == 404


def test_matter_page_refuses_a_role_without_matters_view(client, org, owner, chen):
    matter = matter_make(owner, chen)
    nobody = member_create(org, custom_role_create(org, "Reception", {"users.view"}))
    client.force_login(nobody.user)
    assert client.get(page("matter_detail", nobody, matter_id=matter.pk)).status_code == 403


def test_walled_matter_page_is_404_for_non_members(client, owner, lawyer, org, aurora):
    paralegal = paralegal_make(org)
    outsider = member_create(org, "Lawyer", email="other-lawyer@test-law.ca")
    url = page("matter_detail", owner, matter_id=aurora.pk)
    for member, status in ((paralegal, 404), (outsider, 404), (lawyer, 200), (owner, 200)):
        client.force_login(member.user)
        assert client.get(url).status_code == status, member
        assert client.get(url, {"tab": "parties"}, HTTP_HX_REQUEST="true").status_code == status


def test_matter_page_costs_the_same_queries_for_5_and_50_rows(client, owner, lawyer, org, chen):
    def grow(matter, n):
        with scope(org=org.pk):
            for i in range(n):
                member = member_create(org, "Paralegal", email=f"team{matter.pk.hex[:6]}{i}@test-law.ca")
                matter.team.create(org=org, user=member.user)
                Party.objects.create(
                    org=org, matter=matter, name=f"Party {i}", role="witness", search_name=f"party {i}"
                )
                ConflictCheck.objects.create(org=org, matter=matter, query=f"Party {i}", run_by=owner.user)
                matter.status_changes.create(org=org, to_status="open", on=matter.opened_on, by=owner.user)

    small, large = matter_make(owner, chen, title="Small"), matter_make(owner, chen, title="Large")
    grow(small, 5)
    grow(large, 50)
    client.force_login(owner.user)
    for tab in ("overview", "parties"):
        counts = [
            query_count(client, page("matter_detail", owner, matter_id=m.pk), data={"tab": tab}) for m in (small, large)
        ]
        assert counts[0] == counts[1], tab


def test_edit_saves_and_shows_field_errors(client, lawyer, chen):
    matter = matter_make(lawyer, chen, title="Before")
    client.force_login(lawyer.user)
    url = page("matter_detail", lawyer, matter_id=matter.pk)
    response = client.post(url, {"edit-title": "After", "edit-billing_method": "hourly", "edit-hourly_rate": "300"})
    assert response.status_code == 302
    with scope(org=lawyer.org_id):
        saved = Matter.objects.get(pk=matter.pk)
    assert (saved.title, str(saved.hourly_rate)) == ("After", "300.00")
    response = client.post(url, {"edit-title": "Kept title", "edit-billing_method": "flat_fee"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_edit-flat_fee_error"' in html and 'value="Kept title"' in html


def test_restricted_is_offered_to_owners_only(client, owner, lawyer):
    client.force_login(lawyer.user)
    assert "is_restricted" not in client.get(page("matter_create", lawyer)).content.decode()
    client.force_login(owner.user)
    assert "is_restricted" in client.get(page("matter_create", owner)).content.decode()


# Close and reopen.


def test_close_then_reopen(client, lawyer, chen):
    matter = matter_make(lawyer, chen, title="To close")
    client.force_login(lawyer.user)
    detail = page("matter_detail", lawyer, matter_id=matter.pk)
    status_url = page("matter_status", lawyer, matter_id=matter.pk)
    today = timezone.localdate()
    response = client.post(status_url, {"status": "closed", "on": today.isoformat(), "reason": "Settled"})
    assert response.status_code == 302
    html = client.get(detail).content.decode()
    assert "This matter was closed on" in html and "Reopen matter" in html and "Settled" in html
    assert '<fieldset class="plain" disabled>' in html

    # Closed matters refuse work: the service's message comes back on the page.
    response = client.post(detail, {"edit-title": "Changed", "edit-billing_method": "hourly"}, HTTP_REFERER=detail)
    assert response.status_code == 302
    assert "is closed. Reopen it first." in client.get(detail).content.decode()
    response = client.post(
        page("party_add", lawyer, matter_id=matter.pk),
        {"new-name": "Late Party", "new-role": "witness"},
        HTTP_HX_REQUEST="true",
        HTTP_REFERER=detail,
    )
    assert response.status_code == 200 and response["HX-Redirect"] == detail

    client.post(status_url, {"status": "open", "on": today.isoformat()})
    with scope(org=lawyer.org_id):
        matter = Matter.objects.get(pk=matter.pk)
    assert (matter.status, matter.closed_on) == ("open", None)
    assert "Reopened" in client.get(detail).content.decode()


def test_closing_in_the_future_is_refused_with_a_message(client, lawyer, chen):
    matter = matter_make(lawyer, chen)
    client.force_login(lawyer.user)
    detail = page("matter_detail", lawyer, matter_id=matter.pk)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.post(
        page("matter_status", lawyer, matter_id=matter.pk),
        {"status": "closed", "on": tomorrow.isoformat()},
        HTTP_REFERER=detail,
    )
    assert "cannot be in the future" in client.get(detail).content.decode()


def test_a_paralegal_cannot_close(client, org, owner, chen):
    paralegal = paralegal_make(org)
    matter = matter_make(owner, chen)
    client.force_login(paralegal.user)
    assert "Close matter" not in client.get(page("matter_detail", paralegal, matter_id=matter.pk)).content.decode()
    assert client.post(page("matter_status", paralegal, matter_id=matter.pk), {"status": "closed"}).status_code == 403


# Parties.


def test_add_party_by_htmx_shows_its_conflict_hits(client, lawyer, chen, northwind):
    matter = matter_make(lawyer, chen)
    client.force_login(lawyer.user)
    response = client.post(
        page("party_add", lawyer, matter_id=matter.pk),
        {"new-name": "Northwind Developments", "new-role": "adverse_party"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="matter-tabs">')
    assert "Possible conflicts for Northwind Developments" in html
    assert "Northwind Developments Ltd." in html


def test_add_party_field_error_answers_200(client, lawyer, chen):
    matter = matter_make(lawyer, chen)
    client.force_login(lawyer.user)
    response = client.post(
        page("party_add", lawyer, matter_id=matter.pk),
        {"new-name": "Kept Name", "new-role": "adverse_party", "new-email": "bad"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_new-email_error"' in html and 'value="Kept Name"' in html


def test_edit_and_remove_a_party(client, lawyer, chen):
    matter = matter_make(lawyer, chen, parties=[{"name": "Witness One", "role": "witness"}])
    with scope(org=lawyer.org_id):
        party = Party.objects.get(matter=matter)
    client.force_login(lawyer.user)
    url = page("party_update", lawyer, matter_id=matter.pk, party_id=party.pk)
    prefix = f"party-{party.pk}"
    response = client.post(url, {f"{prefix}-name": "Witness Two", f"{prefix}-role": "witness"}, HTTP_HX_REQUEST="true")
    assert "Witness Two is saved." in response.content.decode()
    response = client.post(url, {f"{prefix}-name": "", f"{prefix}-role": "witness"}, HTTP_HX_REQUEST="true")
    assert f'id="id_{prefix}-name_error"' in response.content.decode()
    response = client.post(page("party_remove", lawyer, matter_id=matter.pk, party_id=party.pk), HTTP_HX_REQUEST="true")
    assert "Witness Two is removed." in response.content.decode()
    with scope(org=lawyer.org_id):
        assert not Party.objects.filter(pk=party.pk).exists()


# A new matter.


def test_new_matter_form_renders_with_the_client_chosen(client, lawyer, chen):
    client.force_login(lawyer.user)
    html = client.get(page("matter_create", lawyer), {"client": str(chen.pk)}).content.decode()
    assert f'<option value="{chen.pk}" selected>' in html
    assert 'name="parties-2-name"' in html
    assert page("matter_conflicts", lawyer) in html
    assert "Liam Lawyer" in html  # team checkboxes and lawyer choices


def test_new_matter_needs_matters_manage(client, org):
    paralegal = paralegal_make(org)
    client.force_login(paralegal.user)
    assert client.get(page("matter_create", paralegal)).status_code == 403
    assert "New matter" not in client.get(page("matter_list", paralegal)).content.decode()


def test_live_conflict_check_shows_hits_and_ignores_the_client_itself(client, lawyer, chen, northwind):
    client.force_login(lawyer.user)
    response = client.get(
        page("matter_conflicts", lawyer),
        {"client": str(chen.pk), "parties-TOTAL_FORMS": "2", "parties-0-name": "Northwind", "parties-1-name": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="conflict-hits"')
    assert "1 possible conflict found." in html
    assert "Northwind Developments Ltd." in html


def test_live_conflict_check_hides_walled_details(client, owner, lawyer, org, aurora):
    paralegal = paralegal_make(org)
    for member, sees in ((paralegal, False), (lawyer, True)):
        client.force_login(member.user)
        html = client.get(
            page("matter_conflicts", member),
            {"parties-TOTAL_FORMS": "1", "parties-0-name": "Aurora Biotech"},
            HTTP_HX_REQUEST="true",
        ).content.decode()
        assert "possible conflict" in html
        assert ("Project Aurora" in html) is sees
        assert ("A restricted matter" in html) is not sees


def test_opening_with_hits_needs_a_reason_and_keeps_what_was_typed(client, lawyer, chen, northwind):
    client.force_login(lawyer.user)
    data = new_matter_data(chen.pk, **{"parties-0-name": "Northwind Developments", "description": "Kept words"})
    response = client.post(page("matter_create", lawyer), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_conflict_override_reason_error"' in html
    assert 'value="Northwind Developments"' in html and "Kept words" in html
    with scope(org=lawyer.org_id):
        assert not Matter.objects.filter(title="Wrongful dismissal claim").exists()

    data["conflict_override_reason"] = "Northwind consented in writing."
    response = client.post(page("matter_create", lawyer), data)
    assert response.status_code == 302
    with scope(org=lawyer.org_id):
        matter = Matter.objects.get(title="Wrongful dismissal claim")
        check = ConflictCheck.objects.get(matter=matter)
    assert response["Location"] == page("matter_detail", lawyer, matter_id=matter.pk)
    assert check.hit_count == 1 and check.override_reason == "Northwind consented in writing."
    html = client.get(response["Location"]).content.decode()
    assert "Northwind consented in writing." in html


def test_new_matter_without_hits_opens_with_team_and_parties(client, lawyer, chen):
    client.force_login(lawyer.user)
    data = new_matter_data(
        chen.pk, **{"parties-1-name": "Quiet Witness", "parties-1-role": "witness", "team": [str(lawyer.user_id)]}
    )
    response = client.post(page("matter_create", lawyer), data)
    assert response.status_code == 302
    with scopes_disabled():
        matter = Matter.objects.get(title="Wrongful dismissal claim")
        assert [p.name for p in matter.parties.all()] == ["Quiet Witness"]
        assert [m.user_id for m in matter.team.all()] == [lawyer.user_id]


def test_add_party_row_answers_the_next_row_and_the_new_row_count(client, lawyer):
    client.force_login(lawyer.user)
    html = client.get(page("matter_create", lawyer)).content.decode()
    assert 'id="add-party"' in html and page("matter_party_row", lawyer) in html
    assert 'name="parties-3-name"' not in html

    response = client.get(page("matter_party_row", lawyer), {"parties-TOTAL_FORMS": "3"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div class="party-row">')
    assert 'name="parties-3-name"' in html and 'name="parties-3-role"' in html
    assert 'name="parties-2-name"' not in html
    # The live conflict check runs on the new name as on the others.
    assert f'hx-get="{page("matter_conflicts", lawyer)}"' in html and 'hx-target="#conflict-hits"' in html
    assert 'value="4" id="id_parties-TOTAL_FORMS" hx-swap-oob="true"' in html

    html = client.get(page("matter_party_row", lawyer), {"parties-TOTAL_FORMS": "7"}).content.decode()
    assert 'name="parties-7-name"' in html and 'value="8" id="id_parties-TOTAL_FORMS"' in html


def test_add_party_row_stops_at_the_limit_and_needs_matters_manage(client, org, lawyer):
    client.force_login(lawyer.user)
    url = page("matter_party_row", lawyer)
    last = client.get(url, {"parties-TOTAL_FORMS": "99"}).content.decode()
    assert 'name="parties-99-name"' in last and 'id="add-party"' in last and "disabled" in last
    for total in ("100", "-1", "many", ""):
        assert client.get(url, {"parties-TOTAL_FORMS": total}).status_code == 204
    paralegal = paralegal_make(org)
    client.force_login(paralegal.user)
    assert client.get(page("matter_party_row", paralegal), {"parties-TOTAL_FORMS": "3"}).status_code == 403


def test_new_matter_with_an_added_fourth_party_opens_with_all_four(client, lawyer, chen):
    client.force_login(lawyer.user)
    names = ["Party Zero", "Party One", "Party Two", "Party Three"]
    data = new_matter_data(chen.pk, **{"parties-TOTAL_FORMS": "4", "parties-3-role": "witness"})
    data.update({f"parties-{i}-name": name for i, name in enumerate(names)})
    response = client.post(page("matter_create", lawyer), data)
    assert response.status_code == 302
    with scopes_disabled():
        matter = Matter.objects.get(title="Wrongful dismissal claim")
        parties = {p.name: p.role for p in matter.parties.all()}
    assert sorted(parties) == sorted(names) and parties["Party Three"] == "witness"


def test_live_conflict_check_reads_an_added_row(client, lawyer, chen, northwind):
    client.force_login(lawyer.user)
    data = {"client": str(chen.pk), "parties-TOTAL_FORMS": "4", "parties-3-name": "Northwind"}
    html = client.get(page("matter_conflicts", lawyer), data, HTTP_HX_REQUEST="true").content.decode()
    assert "Northwind Developments Ltd." in html


def test_new_matter_field_errors(client, lawyer, chen):
    client.force_login(lawyer.user)
    data = new_matter_data(chen.pk, title="", billing_method="flat_fee")
    html = client.post(page("matter_create", lawyer), data).content.decode()
    assert 'id="id_title_error"' in html
    data = new_matter_data(chen.pk, billing_method="flat_fee")
    html = client.post(page("matter_create", lawyer), data).content.decode()
    assert 'id="id_flat_fee_error"' in html


# The conflict search page.


def test_conflict_search_page(client, lawyer, northwind):
    client.force_login(lawyer.user)
    html = client.get(page("conflict_search", lawyer), {"q": "northwind developments"}).content.decode()
    assert "<html" in html and "Northwind Developments Ltd." in html
    partial = client.get(page("conflict_search", lawyer), {"q": "Northwynd"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="conflict-hits"') and "Northwind Developments Ltd." in partial
    short = client.get(page("conflict_search", lawyer), {"q": "n"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Enter at least two letters." in short


def test_conflict_search_hides_walled_details_from_non_members(client, org, aurora):
    paralegal = paralegal_make(org)
    client.force_login(paralegal.user)
    html = client.get(page("conflict_search", paralegal), {"q": "Project Aurora"}).content.decode()
    assert "A restricted matter" in html and aurora.number not in html and "Aurora Biotech" not in html


def test_conflict_search_needs_conflicts_run(client, bookkeeper):
    client.force_login(bookkeeper.user)
    assert client.get(page("conflict_search", bookkeeper), {"q": "x"}).status_code == 403
    assert client.get(page("matter_conflicts", bookkeeper)).status_code == 403
