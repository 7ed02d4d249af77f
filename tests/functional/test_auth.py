"""Sign-in: JWT, refresh rotation, expiry, throttling, redirects, roles."""

import datetime as dt

import pytest
from flask_jwt_extended import create_access_token

from mpanel.testing.pytest_plugin import PASSWORD, bearer, csrf_token


@pytest.fixture
def tenant(factory):
    return factory.tenant()


def test_jwt_login_carries_the_tenant_and_gives_access(client, tenant):
    tokens = tenant.api_token(client, tenant.staff("Owner"), refresh=True)
    assert set(tokens) == {"access_token", "refresh_token"}
    listing = client.get("/api/v1/customers/", base_url=tenant.host, headers=bearer(tokens["access_token"]))
    assert listing.status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client, tenant):
    email = tenant.staff("Owner")
    wrong = client.post("/api/v1/security/login", base_url=tenant.host, json={"username": email, "password": "x" * 12})
    unknown = client.post("/api/v1/security/login", base_url=tenant.host,
                          json={"username": "nobody@example.com", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_login_validation_names_the_field(client, tenant):
    response = client.post("/api/v1/security/login", base_url=tenant.host, json={"password": "x"})
    assert response.status_code == 400
    assert "username" in response.get_json()["message"]


def test_refresh_rotates_and_a_reused_refresh_token_is_refused(client, tenant):
    tokens = tenant.api_token(client, tenant.staff("Owner"), refresh=True)
    first = client.post("/api/v1/security/refresh", base_url=tenant.host, headers=bearer(tokens["refresh_token"]))
    assert first.status_code == 200
    rotated = first.get_json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    reuse = client.post("/api/v1/security/refresh", base_url=tenant.host, headers=bearer(tokens["refresh_token"]))
    assert reuse.status_code == 401
    # Reuse revokes the whole family: the token issued by the rotation is dead too.
    after = client.post("/api/v1/security/refresh", base_url=tenant.host, headers=bearer(rotated["refresh_token"]))
    assert after.status_code == 401


def test_expired_access_token_is_refused(app, client, tenant):
    email = tenant.staff("Owner")
    token = tenant.api_token(client, email)
    assert client.get("/api/v1/customers/", base_url=tenant.host, headers=bearer(token)).status_code == 200
    with app.app_context():
        from flask_jwt_extended import decode_token

        claims = decode_token(token)
        expired = create_access_token(identity=claims["sub"], expires_delta=dt.timedelta(seconds=-5),
                                      additional_claims={"tid": claims["tid"], "cid": None})
    assert client.get("/api/v1/customers/", base_url=tenant.host, headers=bearer(expired)).status_code == 401


@pytest.fixture
def tight_limits(app):
    saved = app.config["LOGIN_RATE_LIMIT"], app.config["ACCOUNT_LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"], app.config["ACCOUNT_LOGIN_RATE_LIMIT"] = "3 per minute", "5 per minute"
    yield
    app.config["LOGIN_RATE_LIMIT"], app.config["ACCOUNT_LOGIN_RATE_LIMIT"] = saved


def test_api_login_is_throttled_per_ip_with_retry_after(client, tenant, tight_limits):
    ip = {"REMOTE_ADDR": "198.51.100.7"}
    codes = [client.post("/api/v1/security/login", base_url=tenant.host, environ_base=ip,
                         json={"username": f"u{i}@example.com", "password": "wrong-password"}).status_code
             for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    limited = client.post("/api/v1/security/login", base_url=tenant.host, environ_base=ip,
                          json={"username": "x@example.com", "password": "wrong-password"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.is_json


def test_login_is_throttled_per_account_across_ips(client, tenant, tight_limits):
    email = tenant.staff("Owner")
    codes = [client.post("/api/v1/security/login", base_url=tenant.host, environ_base={"REMOTE_ADDR": f"203.0.113.{i}"},
                         json={"username": email, "password": "wrong-password"}).status_code for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_form_login_is_throttled(client, tenant, tight_limits):
    ip = {"REMOTE_ADDR": "198.51.100.9"}
    token = csrf_token(client.get("/login/", base_url=tenant.host, environ_base=ip).get_data(as_text=True))
    codes = [client.post("/login/", base_url=tenant.host, environ_base=ip,
                         data={"username": f"u{i}@x.example", "password": "bad", "csrf_token": token}).status_code
             for i in range(4)]
    assert codes[-1] == 429


def test_login_does_not_redirect_off_site(client, tenant):
    email = tenant.staff("Owner")
    page = client.get("/login/?next=https://evil.example/steal", base_url=tenant.host)
    response = client.post("/login/?next=https://evil.example/steal", base_url=tenant.host,
                           data={"username": email, "password": PASSWORD,
                                 "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_form_login_without_csrf_token_is_refused(client, tenant):
    email = tenant.staff("Owner")
    response = client.post("/login/", base_url=tenant.host, data={"username": email, "password": PASSWORD})
    assert response.status_code in (200, 400)  # the form comes back with an error
    assert client.get("/customerview/list/", base_url=tenant.host).status_code == 302  # still signed out


def test_support_cannot_reach_admin_only_actions(client, tenant):
    customer = tenant.customer()
    support = tenant.api_token(client, tenant.staff("Support"))
    assert client.get(f"/api/v1/customers/{customer}", base_url=tenant.host, headers=bearer(support)).status_code == 200
    assert client.delete(f"/api/v1/customers/{customer}", base_url=tenant.host,
                         headers=bearer(support)).status_code == 403
    assert client.get("/api/v1/audit/", base_url=tenant.host, headers=bearer(support)).status_code == 403
    admin = tenant.api_token(client, tenant.staff("Admin"))
    assert client.get("/api/v1/audit/", base_url=tenant.host, headers=bearer(admin)).status_code == 200
    tenant.web_login(client, tenant.staff("Support"))
    assert client.get("/auditlogview/list/", base_url=tenant.host).status_code in (302, 403)
    assert client.get("/tenantview/list/", base_url=tenant.host).status_code in (302, 403)


def test_tenant_staff_cannot_open_platform_or_security_views(client, tenant):
    tenant.web_login(client, tenant.staff("Owner"))
    for path in ("/tenantview/list/", "/users/list/", "/roles/list/"):
        assert client.get(path, base_url=tenant.host).status_code in (302, 403), path
    assert client.get("/customerview/list/", base_url=tenant.host).status_code == 200
