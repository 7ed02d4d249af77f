"""Security headers on every kind of page, no caching of private pages, CSRF
on every form, cookie flags, and the password rules."""

import re

import pytest
from sqlalchemy import func, select

from mpanel.core.security import passwords
from mpanel.testing.pytest_plugin import PASSWORD, bearer, csrf_token

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def _check_headers(response):
    for name in HEADERS:
        assert name in response.headers, (response.request.path, name)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def test_headers_on_every_kind_of_page(client, tenant):
    anonymous = ["/login/", "/security/reset/", "/no-such-page", "/api/v1/customers/", "/healthz"]
    for path in anonymous:
        _check_headers(client.get(path, base_url=tenant.host))
    tenant.web_login(client, tenant.staff("Owner"))
    for path in ("/customerview/list/", "/security/", "/securityfeedview/list/", "/security/policy/",
                 "/resetmypassword/form", "/staff/"):
        response = client.get(path, base_url=tenant.host)
        assert response.status_code == 200, path
        _check_headers(response)
        assert response.headers["Cache-Control"] == "no-store", path


def test_headers_on_every_route_without_arguments(app, client, tenant):
    tenant.web_login(client, tenant.staff("Owner"))
    paths = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments and rule.rule != "/logout/"})
    assert len(paths) > 30
    for path in paths:
        _check_headers(client.get(path, base_url=tenant.host))


def test_inline_scripts_carry_the_nonce_of_the_policy(client, tenant):
    response = client.get("/login/", base_url=tenant.host)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts)
    assert client.get("/login/", base_url=tenant.host).headers["Content-Security-Policy"] != \
        response.headers["Content-Security-Policy"]  # a new nonce per response


def test_sign_in_pages_and_api_answers_are_not_cached(client, tenant):
    for path in ("/login/", "/security/reset/"):
        assert client.get(path, base_url=tenant.host).headers["Cache-Control"] == "no-store"
    login = client.post("/api/v1/security/login", base_url=tenant.host,
                        json={"username": tenant.staff("Owner"), "password": PASSWORD})
    assert login.headers["Cache-Control"] == "no-store"


def test_hsts_only_over_tls(client, tenant):
    assert "Strict-Transport-Security" not in client.get("/login/", base_url=tenant.host).headers
    secure = client.get("/login/", base_url=tenant.host.replace("http://", "https://"))
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cookies_are_http_only_and_same_site(client, tenant):
    tenant.web_login(client, tenant.staff("Owner"))
    host = f"{tenant.slug}.localhost"
    session = client.get_cookie("session", domain=host)
    assert session.http_only and session.same_site == "Lax"
    device = client.get_cookie("mpanel_device", domain=host)
    assert device.http_only and device.same_site == "Strict"


def test_forms_without_csrf_token_are_refused(app, client, tenant):
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db
    from mpanel.modules.customers.models import Customer

    tenant.web_login(client, tenant.staff("Owner"))
    posts = {
        "/security/sessions/revoke-all": {},
        "/security/api-keys": {"name": "k", "scopes": "read"},
        "/security/policy/": {"require_2fa_all_staff": "y"},
        "/customerview/add": {"first_name": "No", "last_name": "Token", "email": "no@token.example",
                              "country": "DE", "currency": "EUR", "language": "en"},
    }
    for path, data in posts.items():
        response = client.post(path, base_url=tenant.host, data=data)
        assert response.status_code == 400, path
    assert client.get("/customerview/list/", base_url=tenant.host).status_code == 200  # still signed in
    with app.app_context(), tenant_scope(tenant.id, session=db.session):
        assert db.session.scalar(select(func.count(Customer.id))) == 0
    # Sign-in forms check their token even without a session cookie yet.
    fresh = app.test_client()
    assert fresh.post("/security/reset/", base_url=tenant.host, data={"email": "x@example.com"}) \
        .get_data(as_text=True).count("Check your e-mail") == 0
    fresh.post("/login/", base_url=tenant.host, data={"username": tenant.staff("Owner"), "password": PASSWORD})
    assert fresh.get("/customerview/list/", base_url=tenant.host).status_code == 302


def test_password_change_applies_the_rules_and_ends_other_sessions(app, client, tenant):
    email = tenant.staff("Owner")
    tokens = tenant.api_token(client, email, refresh=True)
    other = app.test_client()
    tenant.web_login(other, email)
    tenant.web_login(client, email)
    page = client.get("/resetmypassword/form", base_url=tenant.host).get_data(as_text=True)
    short = client.post("/resetmypassword/form", base_url=tenant.host, data={
        "password": "too short", "conf_password": "too short", "csrf_token": csrf_token(page)})
    assert "at least 12" in short.get_data(as_text=True)
    client.post("/resetmypassword/form", base_url=tenant.host, data={
        "password": "a much better passphrase", "conf_password": "a much better passphrase",
        "csrf_token": csrf_token(page)})
    assert client.get("/customerview/list/", base_url=tenant.host).status_code == 200  # this browser stays
    assert other.get("/customerview/list/", base_url=tenant.host).status_code == 302
    assert client.get("/api/v1/customers/", base_url=tenant.host,
                      headers=bearer(tokens["access_token"])).status_code == 401


class _User:
    def __init__(self, contact=False):
        self.is_contact, self.username, self.email = contact, "chris@example.com", "chris@example.com"


@pytest.mark.parametrize("password, contact, ok", [
    ("correct horse battery staple", False, True),
    ("short pass", False, False),                  # under 12 for staff
    ("short pa", True, True),                      # 8 is enough for a contact
    ("qwerty123456", False, False),                # on the common-password list
    ("Password1234", False, False),                # ...whatever the case
    ("aaaaaaaaaaaaaaaa", False, False),            # repetitive
    ("abcdefghijklmnop", False, False),            # sequential
    ("my name is chris@example.com", False, False),  # context: the user's own address
    ("Ünïcödé passwörd ✓", False, True),           # any characters, no composition rules
])
def test_password_rules(app, password, contact, ok):
    with app.test_request_context():
        if ok:
            passwords.check(password, _User(contact))
        else:
            with pytest.raises(ValueError):
                passwords.check(password, _User(contact))
