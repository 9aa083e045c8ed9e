"""`manage.py seed_demo`: the two demo firms and their five people, and safe to run again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from core.models import AuditEvent, Membership, Organization, Role, User

PEOPLE = {
    "owner@firm.ca": ("Demo Law LLP", "Owner"),
    "lawyer@firm.ca": ("Demo Law LLP", "Lawyer"),
    "paralegal@firm.ca": ("Demo Law LLP", "Paralegal"),
    "bookkeeper@firm.ca": ("Demo Law LLP", "Bookkeeper"),
    "owner@northern.ca": ("Northern Legal LLP", "Owner"),
}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _state():
    with scopes_disabled():
        return {
            "orgs": sorted(Organization.objects.values_list("name", "province")),
            "users": User.objects.count(),
            "memberships": sorted(Membership.objects.values_list("user__email", "org__name", "role__name")),
            "roles": Role.objects.count(),
            "events": AuditEvent.objects.count(),
        }


def test_seed_creates_the_two_firms_and_five_people_with_their_roles(db):
    output = _seed()

    assert "owner@firm.ca" in output
    state = _state()
    assert state["orgs"] == [("Demo Law LLP", "ON"), ("Northern Legal LLP", "BC")]
    assert state["users"] == 5
    assert state["memberships"] == sorted((email, firm, role) for email, (firm, role) in PEOPLE.items())
    with scopes_disabled():
        owner = User.objects.get(email="owner@firm.ca")
        assert (owner.first_name, owner.last_name) == ("Olivia", "Owner")
        for org in Organization.objects.all():
            assert set(Role.objects.filter(org=org, is_builtin=True).values_list("name", flat=True)) == {
                "Owner",
                "Admin",
                "Lawyer",
                "Paralegal",
                "Bookkeeper",
                "Client",
            }
        assert Organization.objects.get(name="Demo Law LLP").time_zone == "America/Toronto"
        assert Organization.objects.get(name="Northern Legal LLP").time_zone == "America/Vancouver"


def test_seed_is_idempotent(db):
    _seed()
    first = _state()
    _seed()
    assert _state() == first


def test_seed_keeps_what_people_changed(db):
    _seed()
    with scopes_disabled():
        Organization.objects.filter(name="Demo Law LLP").update(require_mfa=True)
    _seed()
    with scopes_disabled():
        assert Organization.objects.get(name="Demo Law LLP").require_mfa is True


@pytest.mark.parametrize("email", sorted(PEOPLE))
def test_every_demo_person_signs_in_with_the_demo_password(db, email):
    _seed()
    client = Client()
    response = client.post(
        "/api/v1/auth/login/", {"email": email, "password": "Passw0rd!123"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    firm, role = PEOPLE[email]
    assert response.json()["roles"] == [role]
    assert client.get("/api/v1/users/me/").json()["org"]["name"] == firm


def test_the_demo_firms_are_isolated(db):
    _seed()
    client = Client()
    client.post(
        "/api/v1/auth/login/",
        {"email": "owner@northern.ca", "password": "Passw0rd!123"},
        content_type="application/json",
    )
    emails = [u["email"] for u in client.get("/api/v1/users/").json()["results"]]
    assert emails == ["owner@northern.ca"]


def test_the_seeded_audit_chains_verify(db):
    _seed()
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "BROKEN" not in out.getvalue()
