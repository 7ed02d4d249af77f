"""Two-factor sign-in: enrolment, TOTP on the web and REST, recovery codes,
remembered devices, the tenant's policy and the operators' obligation."""

import datetime as dt
import re

from mpanel.testing.pytest_plugin import PASSWORD, bearer, csrf_token
from mpanel.testing.security import audit_actions, code_at, enable_totp, wrong_code


def _page(client, tenant, path):
    response = client.get(path, base_url=tenant.host)
    return response, response.get_data(as_text=True)


def _post(client, tenant, path, data, page=None, **kwargs):
    page = page or path
    token = csrf_token(client.get(page, base_url=tenant.host).get_data(as_text=True))
    return client.post(path, base_url=tenant.host, data={**data, "csrf_token": token}, **kwargs)


def _signed_in(client, tenant):
    return client.get("/customerview/list/", base_url=tenant.host).status_code == 200


def test_enrolment_then_sign_in_with_a_code(client, tenant, clock):
    email = tenant.staff("Owner")
    tenant.web_login(client, email)
    _, page = _page(client, tenant, "/security/2fa/")
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert "<svg" in page  # the QR code
    wrong = _post(client, tenant, "/security/2fa/", {"code": wrong_code(secret, clock.now)})
    assert "not valid" in wrong.get_data(as_text=True)
    done = _post(client, tenant, "/security/2fa/", {"code": code_at(secret, clock.now)})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "mfa_enabled" in audit_actions(client.application, tenant.id)

    client.get("/logout/", base_url=tenant.host)
    step = tenant.web_login(client, email)
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/mfa/")
    assert not _signed_in(client, tenant)  # the password alone signs nobody in
    clock.advance(seconds=30)
    refused = _post(client, tenant, "/login/mfa/", {"code": wrong_code(secret, clock.now)})
    assert refused.status_code == 200 and not _signed_in(client, tenant)
    accepted = _post(client, tenant, "/login/mfa/", {"code": code_at(secret, clock.now)})
    assert accepted.status_code == 302
    assert _signed_in(client, tenant)


def test_a_code_works_once_and_only_near_its_time(app, client, tenant, clock):
    email = tenant.staff("Owner")
    secret, _ = enable_totp(app, tenant.id, email)
    clock.advance(minutes=5)

    def rest_login(code):
        first = client.post("/api/v1/security/login", base_url=tenant.host, json={"username": email,
                                                                                  "password": PASSWORD})
        assert first.status_code == 200 and first.get_json()["mfa_required"] is True
        assert "access_token" not in first.get_json()
        return client.post("/api/v1/security/login/mfa", base_url=tenant.host,
                           json={"mfa_token": first.get_json()["mfa_token"], "code": code})

    assert rest_login(code_at(secret, clock.now - dt.timedelta(minutes=2))).status_code == 401
    current = code_at(secret, clock.now)
    assert rest_login(current).status_code == 200
    assert rest_login(current).status_code == 401  # the same code again: replay
    clock.advance(seconds=30)
    assert rest_login(code_at(secret, clock.now)).status_code == 200


def test_rest_second_step_token_is_single_use_and_limited(client, tenant, app, clock):
    email = tenant.staff("Owner")
    secret, _ = enable_totp(app, tenant.id, email)
    clock.advance(minutes=1)
    login = client.post("/api/v1/security/login", base_url=tenant.host, json={"username": email, "password": PASSWORD,
                                                                              "refresh": True}).get_json()
    ok = client.post("/api/v1/security/login/mfa", base_url=tenant.host,
                     json={"mfa_token": login["mfa_token"], "code": code_at(secret, clock.now), "refresh": True})
    assert ok.status_code == 200 and {"access_token", "refresh_token"} <= set(ok.get_json())
    assert client.get("/api/v1/customers/", base_url=tenant.host,
                      headers=bearer(ok.get_json()["access_token"])).status_code == 200
    clock.advance(seconds=30)
    again = client.post("/api/v1/security/login/mfa", base_url=tenant.host,
                        json={"mfa_token": login["mfa_token"], "code": code_at(secret, clock.now)})
    assert again.status_code == 401

    # Five wrong codes use a pending step up: the right code then fails too.
    login = client.post("/api/v1/security/login", base_url=tenant.host,
                        json={"username": email, "password": PASSWORD}).get_json()
    for _ in range(5):
        client.post("/api/v1/security/login/mfa", base_url=tenant.host,
                    json={"mfa_token": login["mfa_token"], "code": wrong_code(secret, clock.now)})
    clock.advance(seconds=30)
    late = client.post("/api/v1/security/login/mfa", base_url=tenant.host,
                       json={"mfa_token": login["mfa_token"], "code": code_at(secret, clock.now)})
    assert late.status_code == 401
    assert audit_actions(app, tenant.id, "mfa_failed")


def test_recovery_codes_work_once(client, tenant, app, clock):
    email = tenant.staff("Support")
    _, codes = enable_totp(app, tenant.id, email)

    def with_code(code):
        login = client.post("/api/v1/security/login", base_url=tenant.host,
                            json={"username": email, "password": PASSWORD}).get_json()
        return client.post("/api/v1/security/login/mfa", base_url=tenant.host,
                           json={"mfa_token": login["mfa_token"], "code": code})

    assert with_code(codes[0].upper()).status_code == 200  # case and dash do not matter
    assert with_code(codes[0]).status_code == 401
    assert with_code(codes[1].replace("-", "")).status_code == 200
    assert "recovery_code_used" in audit_actions(app, tenant.id)


def test_remembered_device_skips_the_code_until_forgotten(client, tenant, app, clock):
    email = tenant.staff("Owner")
    secret, _ = enable_totp(app, tenant.id, email)
    clock.advance(minutes=1)
    tenant.web_login(client, email)
    _post(client, tenant, "/login/mfa/", {"code": code_at(secret, clock.now), "remember": "y"})
    assert _signed_in(client, tenant)
    cookie = client.get_cookie("mpanel_device", domain=f"{tenant.slug}.localhost")
    assert cookie.http_only and cookie.same_site == "Strict"

    client.get("/logout/", base_url=tenant.host)
    assert not tenant.web_login(client, email).headers["Location"].endswith("/login/mfa/")
    assert _signed_in(client, tenant)  # no second step on this device
    client.get("/logout/", base_url=tenant.host)

    clock.advance(days=31)  # MFA_REMEMBER_DAYS is 30
    assert tenant.web_login(client, email).headers["Location"].endswith("/login/mfa/")
    _post(client, tenant, "/login/mfa/", {"code": code_at(secret, clock.now), "remember": "y"})
    _, page = _page(client, tenant, "/security/")
    device_id = re.search(r'/security/devices/(\d+)/forget', page).group(1)
    _post(client, tenant, f"/security/devices/{device_id}/forget", {}, page="/security/")
    client.get("/logout/", base_url=tenant.host)
    assert tenant.web_login(client, email).headers["Location"].endswith("/login/mfa/")


def test_disabling_needs_the_password_and_a_code(client, tenant, app, clock):
    email = tenant.staff("Owner")
    secret, _ = enable_totp(app, tenant.id, email)
    clock.advance(minutes=1)
    tenant.web_login(client, email)
    _post(client, tenant, "/login/mfa/", {"code": code_at(secret, clock.now)})
    clock.advance(seconds=30)
    _post(client, tenant, "/security/2fa/disable", {"password": "wrong password!", "code": code_at(secret, clock.now)},
          page="/security/")
    assert "Turn off" in _page(client, tenant, "/security/")[1]
    _post(client, tenant, "/security/2fa/disable", {"password": PASSWORD, "code": code_at(secret, clock.now)},
          page="/security/")
    assert "Set up" in _page(client, tenant, "/security/")[1]
    assert "mfa_disabled" in audit_actions(app, tenant.id)


def test_tenant_policy_makes_staff_enrol_before_getting_in(client, tenant, app, clock):
    owner = tenant.staff("Owner")
    tenant.web_login(client, owner)
    _post(client, tenant, "/security/policy/", {"require_2fa_roles": "Billing"})
    assert "security_policy_changed" in audit_actions(app, tenant.id)
    client.get("/logout/", base_url=tenant.host)

    billing = tenant.staff("Billing")
    refused = client.post("/api/v1/security/login", base_url=tenant.host, json={"username": billing,
                                                                                "password": PASSWORD})
    assert refused.status_code == 403 and "access_token" not in refused.get_json()
    step = tenant.web_login(client, billing)
    assert step.headers["Location"].endswith("/login/enrol/")
    assert not _signed_in(client, tenant)
    _, page = _page(client, tenant, "/login/enrol/")
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    done = _post(client, tenant, "/login/enrol/", {"code": code_at(secret, clock.now)})
    assert done.status_code == 200 and len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>",
                                                      done.get_data(as_text=True))) == 10
    assert _signed_in(client, tenant)
    # Required: it cannot be turned off.
    clock.advance(seconds=30)
    _post(client, tenant, "/security/2fa/disable", {"password": PASSWORD, "code": code_at(secret, clock.now)},
          page="/security/")
    assert "Turn off" not in _page(client, tenant, "/security/")[1]
    # Other roles are not affected.
    client.get("/logout/", base_url=tenant.host)
    support = tenant.staff("Support")
    assert tenant.api_token(client, support)


def test_platform_operators_always_need_a_second_factor(client, factory, app):
    from mpanel.core.security.roles import OPERATOR
    from mpanel.core.security.users import create_user

    email = f"op-{factory.tenant().slug}@platform.example"
    factory.commit(lambda s: create_user(email, PASSWORD, OPERATOR))
    page = client.get("/login/", base_url="http://localhost")
    step = client.post("/login/", base_url="http://localhost", data={
        "username": email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert step.headers["Location"].endswith("/login/enrol/")
    assert client.get("/marketplace/", base_url="http://localhost").status_code == 302
