"""The way in, the firm shell, and the rules every firm page shares."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.models import AuditEvent, Membership
from tests.factories import firm_create, role_of
from tests.web.helpers import page

pytestmark = pytest.mark.django_db

FIRM_PAGES = ["firm_home", "org_settings", "people", "roles", "api_tokens", "security", "audit_log"]


def test_root_sends_anonymous_people_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("account_login")


def test_root_sends_signed_in_people_to_their_firm(client, owner):
    client.force_login(owner.user)
    assert client.get("/").url == "/app/"
    assert client.get("/app/").url == page("firm_home", owner)


def test_app_offers_a_choice_when_a_person_has_several_firms(client, owner):
    second = firm_create("Second Firm LLP", owner_email="second@example.ca")
    with scope(org=second.org_id):
        Membership.objects.create(org=second.org, user=owner.user, role=role_of(second.org, "Lawyer"))
    client.force_login(owner.user)
    response = client.get("/app/")
    assert response.status_code == 200
    assert "Test Law LLP" in response.content.decode()
    assert "Second Firm LLP" in response.content.decode()


@pytest.mark.parametrize("name", FIRM_PAGES)
def test_firm_pages_render_for_the_owner(client, owner, name):
    client.force_login(owner.user)
    response = client.get(page(name, owner))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'id="main"' in html and "Skip to content" in html
    assert "htmx-2.min.js" in html and '"allowEval":false' in html and "X-CSRFToken" in html


@pytest.mark.parametrize("name", FIRM_PAGES)
def test_another_firms_pages_are_not_found(client, owner, other_owner, name):
    client.force_login(owner.user)
    assert client.get(page(name, other_owner)).status_code == 404


@pytest.mark.parametrize("name", FIRM_PAGES)
def test_firm_pages_require_sign_in(client, owner, name):
    response = client.get(page(name, owner))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["org_settings", "api_tokens", "audit_log"])
def test_a_lawyer_is_refused_settings_of_the_firm(client, lawyer, name):
    client.force_login(lawyer.user)
    assert client.get(page(name, lawyer)).status_code == 403


def test_a_deactivated_member_no_longer_reaches_the_firm(client, owner, lawyer):
    with scope(org=lawyer.org_id):
        lawyer.is_active = False
        lawyer.save(update_fields=["is_active"])
    client.force_login(lawyer.user)
    assert client.get(page("firm_home", lawyer)).status_code == 404


def test_navigation_hides_what_a_lawyer_may_not_do(client, lawyer):
    client.force_login(lawyer.user)
    html = client.get(page("firm_home", lawyer)).content.decode()
    assert page("people", lawyer) in html
    assert page("security", lawyer) in html
    for hidden in ("org_settings", "api_tokens", "audit_log"):
        assert page(hidden, lawyer) not in html


def test_a_firm_that_requires_mfa_sends_members_to_set_it_up(client, owner, lawyer):
    with scopes_disabled():
        owner.org.require_mfa = True
        owner.org.save(update_fields=["require_mfa"])
    client.force_login(lawyer.user)
    response = client.get(page("people", lawyer))
    assert response.status_code == 302
    assert response.url == page("security", lawyer)
    response = client.get(response.url)
    assert response.status_code == 200
    assert "requires two-factor authentication" in response.content.decode()


def test_times_read_in_the_firm_time_zone(client, other_owner):
    """Northern Legal is in Vancouver: its audit log shows Pacific time, not the server's."""
    org = other_owner.org
    org.time_zone = "America/Vancouver"
    org.save(update_fields=["time_zone"])
    with scope(org=org.pk):
        event = AuditEvent.objects.order_by("-seq").first()
    client.force_login(other_owner.user)
    html = client.get(f"/app/{org.pk}/settings/audit/").content.decode()
    local = event.created_at.astimezone(ZoneInfo("America/Vancouver"))
    assert local.strftime("%Y-%m-%d %H:%M") in html
