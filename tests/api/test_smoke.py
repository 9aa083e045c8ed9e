from tests.conftest import cookie_login


def test_login_sets_cookies_and_answers_the_seed_payload(owner, browser_client):
    response, _csrf = cookie_login(browser_client, "olivia@test-law.ca")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "olivia@test-law.ca"
    assert body["roles"] == ["Owner"]
    assert body["mfa_enabled"] is False
    assert response.cookies["lf_access"]["httponly"]
    me = browser_client.get("/api/v1/users/me/")
    assert me.status_code == 200
    assert me.json()["org"]["name"] == "Test Law LLP"


def test_bearer_token_lists_users(api, lawyer):
    response = api.get("/api/v1/users/?ordering=email")
    assert response.status_code == 200
    assert [u["email"] for u in response.json()["results"]] == ["liam@test-law.ca", "olivia@test-law.ca"]
