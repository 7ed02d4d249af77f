"""REST writes signed in by the session cookie need the CSRF token; token calls do not."""

from mpanel.testing.pytest_plugin import bearer, csrf_token

URL = "/api/v1/marketplace/no_such_plugin/activate"  # a cookie-enabled write that answers 400 when it runs


def test_cookie_writes_need_the_csrf_token(client, factory):
    tenant = factory.tenant()
    assert tenant.web_login(client, tenant.staff("Owner")).status_code in (200, 302)
    refused = client.post(URL, base_url=tenant.host)
    assert refused.status_code == 403 and "csrf" in refused.get_json()["message"]
    forged = client.post(URL, base_url=tenant.host, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 403 and "csrf" in forged.get_json()["message"]
    token = csrf_token(client.get("/security/", base_url=tenant.host).get_data(as_text=True))
    ran = client.post(URL, base_url=tenant.host, headers={"X-CSRFToken": token})
    assert ran.status_code == 400 and "plugin" in ran.get_json()["message"]
    assert client.get("/api/v1/marketplace/", base_url=tenant.host).status_code == 200  # reads need no token


def test_token_calls_are_unchanged(client, factory):
    tenant = factory.tenant()
    token = tenant.api_token(client, tenant.staff("Owner"))
    ran = client.post(URL, base_url=tenant.host, headers=bearer(token))
    assert ran.status_code == 400 and "plugin" in ran.get_json()["message"]


def test_sign_in_over_rest_needs_no_token_beside_a_page_session(client, factory):
    """The credentials in the body authenticate it and it answers tokens, not cookies."""
    tenant = factory.tenant()
    email = tenant.staff("Owner")
    assert tenant.web_login(client, email).status_code in (200, 302)
    token = tenant.api_token(client, email)
    assert client.get("/api/v1/marketplace/", base_url=tenant.host, headers=bearer(token)).status_code == 200
