"""Pages before the firm: sign-in, firm sign-up, password reset, invitation acceptance."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core.models import Membership, Organization, User
from core.services import firms as firm_service
from tests.factories import PASSWORD, ctx_of, role_of
from tests.web.helpers import page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_account_pages_use_the_product_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "css/app.css" in html and 'class="entrance-card"' in html


def test_sign_in_with_a_wrong_password_shows_an_error(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()


def test_sign_out(client, owner):
    client.force_login(owner.user)
    assert "Sign Out" in client.get(reverse("account_logout")).content.decode()
    client.post(reverse("account_logout"))
    assert client.get(page("firm_home", owner)).status_code == 302


def test_firm_sign_up_creates_a_firm_with_its_owner(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "founder@new-firm.ca",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Fran",
            "last_name": "Founder",
            "firm_name": "New Firm LLP",
            "province": "NS",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.objects.select_related("org", "role", "user").get(user__email="founder@new-firm.ca")
    assert (membership.org.name, membership.org.province, membership.role.name) == ("New Firm LLP", "NS", "Owner")
    assert membership.user.get_full_name() == "Fran Founder"
    assert client.get("/app/").url == page("firm_home", membership)


def test_firm_sign_up_errors_keep_the_typed_values(client, owner):
    response = client.post(
        reverse("account_signup"),
        {
            "email": owner.user.email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Dup",
            "last_name": "Licate",
            "firm_name": "Kept Firm Name",
            "province": "ON",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'value="Kept Firm Name"' in html
    with scopes_disabled():
        assert not Organization.objects.filter(name="Kept Firm Name").exists()


def test_password_reset_sends_an_email_that_works(client, owner):
    response = client.post(reverse("account_reset_password"), {"email": owner.user.email})
    assert response.status_code == 302
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "An0ther-Passw0rd!"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    owner.user.refresh_from_db()
    assert owner.user.check_password(new_password)


# Invitations.


def invite(owner, email, role="Paralegal", capture=None):
    with scope(org=owner.org_id), capture(execute=True):
        firm_service.invitation_create(ctx=ctx_of(owner), email=email, role=role_of(owner.org, role))
    return re.search(r"/invite/(\S+)/", mail.outbox[-1].body).group(0)


def test_invitation_accept_end_to_end(client, owner, django_capture_on_commit_callbacks):
    path = invite(owner, "newbie@example.ca", capture=django_capture_on_commit_callbacks)
    html = client.get(path).content.decode()
    assert "Test Law LLP" in html and "Paralegal" in html and 'name="password"' in html

    bad = client.post(path, {"first_name": "", "last_name": "New", "password": "short", "password2": "short"})
    assert bad.status_code == 200
    assert 'id="id_first_name_error"' in bad.content.decode() and 'value="New"' in bad.content.decode()

    response = client.post(path, {"first_name": "Nia", "last_name": "New", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response.url == page("firm_home", owner)
    assert client.get(response.url).status_code == 200  # signed in
    with scopes_disabled():
        membership = Membership.objects.select_related("role").get(user__email="newbie@example.ca")
    assert membership.role.name == "Paralegal"
    assert client.get(path).status_code == 404  # used once


def test_invitation_weak_password_is_a_field_error(client, owner, django_capture_on_commit_callbacks):
    path = invite(owner, "weak@example.ca", capture=django_capture_on_commit_callbacks)
    response = client.post(path, {"first_name": "W", "password": "password", "password2": "password"})
    assert response.status_code == 200
    assert 'id="id_password_error"' in response.content.decode()
    with scopes_disabled():
        assert not User.objects.filter(email="weak@example.ca").exists()


def test_invitation_for_an_existing_account_asks_to_sign_in_first(
    client, owner, other_owner, django_capture_on_commit_callbacks
):
    path = invite(owner, other_owner.user.email, capture=django_capture_on_commit_callbacks)
    html = client.get(path).content.decode()
    assert "Sign in to accept" in html and 'name="password"' not in html

    client.force_login(other_owner.user)
    assert "Accept and open" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response.url == page("firm_home", owner)
    with scopes_disabled():
        assert Membership.objects.filter(user=other_owner.user, org=owner.org).exists()


def test_invitation_signed_in_as_someone_else_is_refused(client, owner, lawyer, django_capture_on_commit_callbacks):
    path = invite(owner, "someone@example.ca", capture=django_capture_on_commit_callbacks)
    client.force_login(lawyer.user)
    assert "this invitation is for someone@example.ca" in client.get(path).content.decode()
    assert client.post(path).status_code == 200
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="someone@example.ca").exists()


def test_invitation_with_a_bad_token_is_not_found(client):
    response = client.get(reverse("invitation_accept", args=["not-a-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
