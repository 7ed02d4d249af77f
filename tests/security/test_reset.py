"""Password reset by e-mail: one response for every address, single-use and
short-lived links, throttling of both steps, sessions ended by a reset."""

import re
import statistics
import time

import pytest

from mpanel.core.security import reset
from mpanel.testing.pytest_plugin import PASSWORD, bearer, csrf_token
from mpanel.testing.security import audit_actions, link_in

NEW_PASSWORD = "a brand new passphrase for testing"


def _request(client, tenant, email, ip="192.0.2.10"):
    env = {"REMOTE_ADDR": ip}
    page = client.get("/security/reset/", base_url=tenant.host, environ_base=env)
    return client.post("/security/reset/", base_url=tenant.host, environ_base=env,
                       data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _confirm(client, link, password, ip="192.0.2.20"):
    env = {"REMOTE_ADDR": ip}
    page = client.get(link, environ_base=env)
    if page.status_code != 200:
        return page
    return client.post(link, environ_base=env, data={"password": password, "confirm": password,
                                                     "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_reset_by_mail_signs_out_everywhere_and_the_link_works_once(app, client, factory, tenant, smtp):
    email = tenant.staff("Owner")
    tokens = tenant.api_token(client, email, refresh=True)
    other_browser = app.test_client()
    tenant.web_login(other_browser, email)
    assert other_browser.get("/customerview/list/", base_url=tenant.host).status_code == 200

    assert _request(client, tenant, email).status_code == 200
    [message] = smtp.to(email)
    link = link_in(message)
    assert "password_reset_requested" in audit_actions(app, tenant.id)

    weak = _confirm(client, link, "password1234")
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    done = _confirm(client, link, NEW_PASSWORD)
    assert done.status_code == 302 and "/login/" in done.headers["Location"]

    # The link is used up, the old password is gone, the new one works.
    assert _confirm(client, link, "another fine passphrase").status_code == 400
    assert client.post("/api/v1/security/login", base_url=tenant.host,
                       json={"username": email, "password": PASSWORD}).status_code == 401
    assert tenant.api_token(client, email, password=NEW_PASSWORD)
    # Every session and token issued before is dead.
    assert other_browser.get("/customerview/list/", base_url=tenant.host).status_code == 302
    assert client.post("/api/v1/security/refresh", base_url=tenant.host,
                       headers=bearer(tokens["refresh_token"])).status_code == 401
    assert client.get("/api/v1/customers/", base_url=tenant.host,
                      headers=bearer(tokens["access_token"])).status_code == 401
    # And the user is told.
    assert any("password was changed" in m["Subject"] for m in smtp.to(email))


def test_an_expired_link_is_refused(client, tenant, smtp, clock):
    email = tenant.staff("Support")
    _request(client, tenant, email, ip="192.0.2.11")
    link = link_in(smtp.to(email)[0])
    clock.advance(minutes=31)
    expired = _confirm(client, link, NEW_PASSWORD)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def test_customers_contacts_can_reset_too(client, tenant, smtp):
    email = tenant.contact(tenant.customer())
    _request(client, tenant, email, ip="192.0.2.12")
    assert _confirm(client, link_in(smtp.to(email)[0]), "eight ch").status_code == 302  # 8 is enough for them


def _without_nonce(response):
    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def test_same_answer_and_work_for_known_and_unknown_addresses(client, tenant, monkeypatch):
    email = tenant.staff("Owner")
    queued = []
    monkeypatch.setattr(reset, "send_link", lambda *args: queued.append(args))
    known = _request(client, tenant, email, ip="192.0.2.13")
    unknown = _request(client, tenant, "nobody@nowhere.example", ip="192.0.2.14")
    assert known.status_code == unknown.status_code == 200
    assert _without_nonce(known) == _without_nonce(unknown)
    # Both only queue the lookup, with the same kind of arguments.
    assert [len(args) for args in queued] == [4, 4] and queued[0][0] == queued[1][0] == tenant.id

    def timed(address, ip):
        start = time.perf_counter()
        _request(client, tenant, address, ip=ip)
        return time.perf_counter() - start

    known_times = [timed(email, f"192.0.2.{100 + i}") for i in range(5)]
    unknown_times = [timed(f"nobody{i}@nowhere.example", f"192.0.2.{110 + i}") for i in range(5)]
    assert statistics.median(known_times) == pytest.approx(statistics.median(unknown_times), rel=0.5, abs=0.02)


def test_unknown_addresses_get_no_mail(client, tenant, smtp):
    _request(client, tenant, "nobody@nowhere.example", ip="192.0.2.15")
    assert smtp.messages == []


@pytest.fixture
def tight_reset_limits(app):
    saved = app.config["RESET_RATE_LIMIT"], app.config["RESET_ACCOUNT_RATE_LIMIT"]
    app.config["RESET_RATE_LIMIT"], app.config["RESET_ACCOUNT_RATE_LIMIT"] = "3 per minute", "2 per minute"
    yield
    app.config["RESET_RATE_LIMIT"], app.config["RESET_ACCOUNT_RATE_LIMIT"] = saved


def test_reset_requests_are_throttled_per_ip_and_per_account(client, tenant, tight_reset_limits, monkeypatch):
    monkeypatch.setattr(reset, "send_link", lambda *args: None)
    per_ip = [_request(client, tenant, f"x{i}@nowhere.example", ip="198.51.100.30").status_code for i in range(4)]
    assert per_ip == [200, 200, 200, 429]
    # One address from many IPs: whether or not it has an account.
    for address in (tenant.staff("Owner"), "ghost@nowhere.example"):
        codes = [_request(client, tenant, address, ip=f"198.51.100.{40 + i}").status_code for i in range(3)]
        assert codes == [200, 200, 429], address


def test_reset_confirmations_are_throttled(client, tenant, smtp, tight_reset_limits):
    email = tenant.staff("Owner")
    _request(client, tenant, email, ip="198.51.100.50")
    link = link_in(smtp.to(email)[0])
    # Guessing links from one IP...
    posts = [client.post(f"/security/reset/guess{i}", base_url=tenant.host,
                         environ_base={"REMOTE_ADDR": "198.51.100.52"}).status_code for i in range(4)]
    assert posts == [400, 400, 400, 429]
    # ...and one account's link from many IPs.
    codes = [client.post(link, environ_base={"REMOTE_ADDR": f"198.51.100.{60 + i}"},
                         data={"password": "short"}).status_code for i in range(3)]
    assert codes[-1] == 429
