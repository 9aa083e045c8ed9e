"""/org/<org_id>/: the caller's firm only; updates validated per field and audited."""

import uuid

import pytest

from core.models import Organization
from tests.api.helpers import API, USER_AGENT, last_event, put


def test_get_answers_the_callers_firm(owner, api):
    response = api.get(f"{API}/org/{owner.org_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(owner.org_id)
    assert body["name"] == "Test Law LLP"
    assert body["province"] == "ON"
    assert body["currency"] == "CAD"
    assert body["time_zone"]
    assert body["require_mfa"] is False
    assert isinstance(body["feature_flags"], dict)


def test_any_member_may_read_the_firm(owner, bookkeeper, api_for):
    assert api_for(bookkeeper).get(f"{API}/org/{owner.org_id}/").status_code == 200


def test_another_firms_id_is_404(owner, other_owner, api):
    response = api.get(f"{API}/org/{other_owner.org_id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_id_is_404(owner, api):
    assert api.get(f"{API}/org/{uuid.uuid4()}/").status_code == 404


def test_a_malformed_id_is_400_not_500(owner, api):
    response = api.get(f"{API}/org/not-a-uuid/")
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


def test_put_updates_the_firm_and_is_audited(owner, api):
    response = put(
        api,
        f"/org/{owner.org_id}/",
        {"name": "Test & Partners LLP", "time_zone": "America/Vancouver", "feature_flags": {"e_signature": True}},
        HTTP_USER_AGENT=USER_AGENT,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Test & Partners LLP"
    assert body["time_zone"] == "America/Vancouver"
    assert body["feature_flags"]["e_signature"] is True
    org = Organization.objects.get(pk=owner.org_id)
    assert org.name == "Test & Partners LLP"

    event = last_event(org, "org.updated")
    assert event.actor_id == owner.user.pk
    assert event.target_type == "organization"
    assert event.target_id == str(org.pk)
    assert event.changes["name"] == ["Test Law LLP", "Test & Partners LLP"]
    assert event.changes["time_zone"][1] == "America/Vancouver"
    assert event.ip == "127.0.0.1"
    assert event.user_agent == USER_AGENT
    assert event.api_token_id is not None, "the event names the token that acted"


def test_put_on_another_firm_is_404_and_changes_nothing(owner, other_owner, api):
    response = put(api, f"/org/{other_owner.org_id}/", {"name": "Taken over"})
    assert response.status_code == 404
    assert Organization.objects.get(pk=other_owner.org_id).name == "Other Firm LLP"


def test_put_needs_org_manage(owner, lawyer, api_for):
    response = put(api_for(lawyer), f"/org/{owner.org_id}/", {"name": "Mine now"})
    assert response.status_code == 403
    assert response.json()["detail"]


def test_put_validation_errors_are_400_per_field(owner, api):
    cases = [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"province": "XX"}, "province"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"feature_flags": {"teleportation": True}}, "feature_flags"),
        ({"require_mfa": "sometimes"}, "require_mfa"),
    ]
    for payload, field in cases:
        response = put(api, f"/org/{owner.org_id}/", payload)
        assert response.status_code == 400, (payload, response.content)
        body = response.json()
        assert body["detail"]
        assert field in body["errors"], (payload, body)
    assert Organization.objects.get(pk=owner.org_id).name == "Test Law LLP"


def test_a_blank_name_after_trimming_is_refused(owner, api):
    response = put(api, f"/org/{owner.org_id}/", {"name": "   "})
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_currency_cannot_be_changed(owner, api):
    put(api, f"/org/{owner.org_id}/", {"currency": "USD"})
    assert Organization.objects.get(pk=owner.org_id).currency == "CAD"


def test_the_matter_number_format_can_be_changed_and_is_audited(api, org):
    response = api.put(
        f"/api/v1/org/{org.pk}/", {"matter_number_format": "M{year}/{seq:05d}"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["matter_number_format"] == "M{year}/{seq:05d}"


@pytest.mark.parametrize("pattern", ["{year}", "{seq.__class__}", "{0}", "{seq:>40}", "{year}-{seq}" + "x" * 40])
def test_a_matter_number_format_other_than_year_and_seq_is_refused(api, org, pattern):
    response = api.put(f"/api/v1/org/{org.pk}/", {"matter_number_format": pattern}, content_type="application/json")
    assert response.status_code == 400
    assert "matter_number_format" in response.json()["errors"]
