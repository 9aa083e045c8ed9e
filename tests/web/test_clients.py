"""The clients pages: list with live search and filters, new client, client page, archive, portal invite."""

import pytest
from django_scopes import scope, scopes_disabled

from core.models import AuditEvent, Client, Invitation, Membership
from core.services import firms as firm_service
from core.tenancy import activate, anonymous_context
from tests.factories import ctx_of, custom_role_create, member_create
from tests.web.builders import client_make, matter_make, paralegal_make, query_count
from tests.web.helpers import page

pytestmark = pytest.mark.django_db


def events(org, action):
    with scope(org=org.pk):
        return list(AuditEvent.objects.filter(action=action))


# The list.


def test_list_renders_with_search_focused_and_nav_links(client, lawyer):
    client_make(lawyer, first_name="Jean-François", last_name="Tremblay")
    client.force_login(lawyer.user)
    response = client.get(page("client_list", lawyer))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jean-François Tremblay" in html
    assert 'id="id_q"' in html and "autofocus" in html
    assert f'href="{page("client_list", lawyer)}" aria-current="page"' in html
    assert page("matter_list", lawyer) in html


def test_live_search_answers_the_results_partial(client, lawyer):
    client_make(lawyer, first_name="Jean-François", last_name="Tremblay")
    client_make(lawyer, kind="organization", organization_name="Maple Leaf Logistics")
    client.force_login(lawyer.user)
    response = client.get(page("client_list", lawyer), {"q": "jean francois"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "Tremblay" in html and "Maple Leaf" not in html


def test_filters_by_kind_and_archived(client, lawyer):
    client_make(lawyer, first_name="Ann", last_name="Person")
    org_client = client_make(lawyer, kind="organization", organization_name="Acme Widgets")
    archived = client_make(lawyer, first_name="Old", last_name="Archived")
    client.force_login(lawyer.user)
    client.post(page("client_archive", lawyer, client_id=archived.pk), {"action": "archive"})
    html = client.get(page("client_list", lawyer), {"kind": "organization"}).content.decode()
    assert org_client.name in html and "Ann Person" not in html
    html = client.get(page("client_list", lawyer)).content.decode()
    assert "Old Archived" not in html
    html = client.get(page("client_list", lawyer), {"active": "archived"}).content.decode()
    assert "Old Archived" in html and "Ann Person" not in html


def test_list_paginates(client, lawyer):
    for i in range(30):
        client_make(lawyer, first_name="Client", last_name=f"Number{i:02d}")
    client.force_login(lawyer.user)
    first = client.get(page("client_list", lawyer)).content.decode()
    second = client.get(page("client_list", lawyer), {"page": 2}).content.decode()
    assert "Number00" in first and "Number29" not in first
    assert "Number29" in second and "Page 2 of 2" in second


def test_list_refuses_a_role_without_clients_view(client, org):
    nobody = member_create(org, custom_role_create(org, "Reception", {"users.view"}))
    client.force_login(nobody.user)
    assert client.get(page("client_list", nobody)).status_code == 403
    html = client.get(page("firm_home", nobody)).content.decode()
    assert page("client_list", nobody) not in html and page("matter_list", nobody) not in html


def test_list_costs_the_same_queries_for_5_and_50_clients(client, lawyer):
    client.force_login(lawyer.user)
    for i in range(5):
        client_make(lawyer, last_name=f"Few{i}")
    few = query_count(client, page("client_list", lawyer), data={"active": "all"})
    for i in range(45):
        client_make(lawyer, last_name=f"Many{i}")
    many = query_count(client, page("client_list", lawyer), data={"active": "all"})
    assert few == many


# A new client.


def test_new_client_is_created_and_audited(client, lawyer):
    client.force_login(lawyer.user)
    response = client.post(
        page("client_create", lawyer),
        {
            "kind": "organization",
            "organization_name": "Northwind Developments Ltd.",
            "email": "Counsel@Northwind.example.ca",
            "province": "ON",
            "preferred_language": "fr",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        created = Client.objects.get(organization_name="Northwind Developments Ltd.")
    assert response["Location"] == page("client_detail", lawyer, client_id=created.pk)
    assert (created.email, created.preferred_language) == ("counsel@northwind.example.ca", "fr")
    assert events(lawyer.org, "client.created")


def test_new_client_shows_the_services_field_error_and_keeps_input(client, lawyer):
    client.force_login(lawyer.user)
    response = client.post(
        page("client_create", lawyer),
        {"kind": "organization", "first_name": "Kept", "phone": "613-555-0100", "preferred_language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_organization_name_error"' in html
    assert 'value="613-555-0100"' in html and 'value="Kept"' in html


def test_new_client_form_checks_email(client, lawyer):
    client.force_login(lawyer.user)
    response = client.post(
        page("client_create", lawyer),
        {"kind": "individual", "last_name": "Smith", "email": "nope", "preferred_language": "en"},
    )
    assert 'id="id_email_error"' in response.content.decode()


def test_new_client_needs_clients_manage(client, bookkeeper):
    client.force_login(bookkeeper.user)
    assert client.get(page("client_create", bookkeeper)).status_code == 403
    assert client.post(page("client_create", bookkeeper), {"kind": "individual", "last_name": "X"}).status_code == 403
    assert "New client" not in client.get(page("client_list", bookkeeper)).content.decode()


# The client's page.


def test_client_page_shows_details_and_matters(client, lawyer):
    someone = client_make(lawyer, first_name="Amelia", last_name="Chen", phone="613-555-0199", city="Ottawa")
    matter_make(lawyer, someone, title="Wrongful dismissal claim")
    client.force_login(lawyer.user)
    html = client.get(page("client_detail", lawyer, client_id=someone.pk)).content.decode()
    assert "Amelia Chen" in html and "613-555-0199" in html
    assert "Wrongful dismissal claim" in html
    assert "Invite to the portal" not in html  # a Lawyer cannot invite


def test_client_page_of_another_firm_is_404(client, lawyer, other_owner):
    theirs = client_make(other_owner, last_name="Secret")
    client.force_login(lawyer.user)
    assert client.get(page("client_detail", lawyer, client_id=theirs.pk)).status_code == 404
    assert client.post(page("client_archive", lawyer, client_id=theirs.pk), {"action": "archive"}).status_code == 404


def test_client_page_refuses_a_role_without_clients_view(client, org, owner):
    someone = client_make(owner)
    nobody = member_create(org, custom_role_create(org, "Reception", {"users.view"}))
    client.force_login(nobody.user)
    assert client.get(page("client_detail", nobody, client_id=someone.pk)).status_code == 403


def test_client_edit_saves_and_shows_errors(client, lawyer):
    someone = client_make(lawyer, last_name="Before")
    client.force_login(lawyer.user)
    url = page("client_detail", lawyer, client_id=someone.pk)
    response = client.post(url, {"kind": "individual", "last_name": "After", "preferred_language": "en"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Client.objects.get(pk=someone.pk).last_name == "After"
    response = client.post(
        url, {"kind": "individual", "last_name": "", "city": "Kept City", "preferred_language": "en"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_last_name_error"' in html and 'value="Kept City"' in html


def test_bookkeeper_cannot_edit_a_client(client, bookkeeper, owner):
    someone = client_make(owner)
    client.force_login(bookkeeper.user)
    url = page("client_detail", bookkeeper, client_id=someone.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "individual", "last_name": "Hijack"}).status_code == 403


def test_archive_and_restore(client, lawyer):
    someone = client_make(lawyer)
    client.force_login(lawyer.user)
    url = page("client_archive", lawyer, client_id=someone.pk)
    assert client.post(url, {"action": "archive"}).status_code == 302
    html = client.get(page("client_detail", lawyer, client_id=someone.pk)).content.decode()
    assert "Archived on" in html and "Restore client" in html
    client.post(url, {"action": "restore"})
    with scopes_disabled():
        assert Client.objects.get(pk=someone.pk).is_active
    assert events(lawyer.org, "client.archived") and events(lawyer.org, "client.restored")


def test_client_page_lists_only_matters_past_the_wall(client, owner, lawyer, org):
    paralegal = paralegal_make(org)
    someone = client_make(owner, kind="organization", organization_name="Northwind")
    matter_make(owner, someone, title="Open file")
    matter_make(owner, someone, title="Project Aurora", restricted=True, team=[lawyer])
    url = page("client_detail", owner, client_id=someone.pk)
    for member, sees in ((paralegal, False), (lawyer, True), (owner, True)):
        client.force_login(member.user)
        html = client.get(url).content.decode()
        assert "Open file" in html
        assert ("Project Aurora" in html) is sees


# The portal invitation.


def test_owner_invites_the_client_to_the_portal_and_the_link_reaches_the_membership(
    client, owner, django_capture_on_commit_callbacks
):
    someone = client_make(owner, first_name="Amelia", last_name="Chen", email="amelia@example.ca")
    client.force_login(owner.user)
    html = client.get(page("client_detail", owner, client_id=someone.pk)).content.decode()
    assert "Invite to the portal" in html and 'value="amelia@example.ca"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("client_invite", owner, client_id=someone.pk), {"email": "amelia@example.ca"})
    assert response.status_code == 302
    with scope(org=owner.org_id):
        invitation = Invitation.objects.select_related("role").get(email="amelia@example.ca")
    assert (invitation.role.name, invitation.role.is_builtin, invitation.client_id) == ("Client", True, someone.pk)
    assert events(owner.org, "invitation.created")[0].changes["client"] == "Amelia Chen"

    membership = firm_service.invitation_accept(
        ctx=anonymous_context(),
        token=firm_service.invitation_token(invitation),
        first_name="Amelia",
        password="A-long-enough-passw0rd",
    )
    with scope(org=owner.org_id):
        membership = Membership.objects.get(pk=membership.pk)
    assert membership.client_id == someone.pk


def test_portal_invitation_shows_a_field_error(client, owner, lawyer):
    someone = client_make(owner)
    client.force_login(owner.user)
    response = client.post(page("client_invite", owner, client_id=someone.pk), {"email": lawyer.user.email})
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()


def test_portal_invitation_needs_invitations_manage(client, lawyer):
    someone = client_make(lawyer)
    client.force_login(lawyer.user)
    assert (
        client.post(page("client_invite", lawyer, client_id=someone.pk), {"email": "x@example.ca"}).status_code == 403
    )


def portal_invite(membership, someone, email):
    ctx = ctx_of(membership)
    with activate(ctx):
        return firm_service.client_portal_invite(ctx=ctx, client=someone, email=email)


def test_client_page_lists_portal_invitations_and_users_for_an_owner(client, owner):
    someone = client_make(owner, first_name="Amelia", last_name="Chen", email="amelia@example.ca")
    other = client_make(owner, last_name="Other")
    url = page("client_detail", owner, client_id=someone.pk)
    client.force_login(owner.user)
    html = client.get(url).content.decode()
    assert "Portal access" in html and "No invitations yet." in html

    client.post(page("client_invite", owner, client_id=someone.pk), {"email": "amelia@example.ca"})
    accepted = portal_invite(owner, someone, "assistant@example.ca")
    portal_invite(owner, other, "someone-else@example.ca")
    firm_service.invitation_accept(
        ctx=anonymous_context(),
        token=firm_service.invitation_token(accepted),
        first_name="Aidan",
        last_name="Assistant",
        password="A-long-enough-passw0rd",
    )
    with scope(org=owner.org_id):
        pending = Invitation.objects.get(email="amelia@example.ca")
    html = client.get(url).content.decode()
    assert "amelia@example.ca" in html and "assistant@example.ca" in html
    assert "someone-else@example.ca" not in html  # another client's invitation
    assert 'class="badge badge-info">Pending<' in html and 'class="badge badge-success">Accepted<' in html
    assert page("client_invitation_revoke", owner, client_id=someone.pk, invitation_id=pending.pk) in html
    assert page("client_invitation_revoke", owner, client_id=someone.pk, invitation_id=accepted.pk) not in html
    assert "Aidan Assistant" in html  # the portal user linked to this client


def test_client_page_hides_portal_access_from_a_lawyer(client, owner, lawyer):
    someone = client_make(owner, email="amelia@example.ca")
    portal_invite(owner, someone, "amelia@example.ca")
    client.force_login(lawyer.user)
    html = client.get(page("client_detail", lawyer, client_id=someone.pk)).content.decode()
    assert "Portal access" not in html and "amelia@example.ca</td>" not in html and "Revoke" not in html


def test_revoking_a_portal_invitation_from_the_client_page(client, owner, lawyer):
    someone = client_make(owner)
    other = client_make(owner, last_name="Other")
    invitation = portal_invite(owner, someone, "amelia@example.ca")
    url = page("client_invitation_revoke", owner, client_id=someone.pk, invitation_id=invitation.pk)

    client.force_login(lawyer.user)
    assert client.post(url).status_code == 403
    client.force_login(owner.user)
    wrong_client = page("client_invitation_revoke", owner, client_id=other.pk, invitation_id=invitation.pk)
    assert client.post(wrong_client).status_code == 404
    assert client.get(url).status_code == 405

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == page("client_detail", owner, client_id=someone.pk)
    with scope(org=owner.org_id):
        assert Invitation.objects.get(pk=invitation.pk).status == "revoked"
    assert [e.target_label for e in events(owner.org, "invitation.revoked")] == ["amelia@example.ca"]
    html = client.get(response["Location"]).content.decode()
    assert "The invitation to amelia@example.ca is revoked." in html
    assert 'class="badge badge-muted">Revoked<' in html and url not in html


def test_client_page_costs_the_same_queries_for_1_and_12_invitations(client, owner):
    someone = client_make(owner)
    url = page("client_detail", owner, client_id=someone.pk)
    client.force_login(owner.user)
    portal_invite(owner, someone, "first@example.ca")
    few = query_count(client, url)
    for i in range(11):
        portal_invite(owner, someone, f"more{i}@example.ca")
    many = query_count(client, url)
    assert few == many
    assert client.get(url).content.decode().count("@example.ca</td>") == 12
