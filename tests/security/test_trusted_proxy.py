"""Behind a TLS proxy (TRUSTED_PROXY_HOPS=1) every layer sees the real client: the
/metrics allow-list, the login throttle (per client, not shared), audit IPs and API-key
IP allow-lists. Without the setting, X-Forwarded-For is the client's own and ignored."""

import pytest
from sqlalchemy import select

from mpanel.core.audit import AuditLog
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.testing.pytest_plugin import bearer
from mpanel.testing.security import create_key

PROXY = "127.0.0.1"  # the proxy runs on the app's host, which the metrics allow-list trusts


def via_proxy(client_ip):
    return {"environ_base": {"REMOTE_ADDR": PROXY}, "headers": {"X-Forwarded-For": client_ip}}


@pytest.fixture
def behind_proxy(app):
    app.config["TRUSTED_PROXY_HOPS"] = 1
    yield
    app.config["TRUSTED_PROXY_HOPS"] = 0


def test_metrics_allow_list_sees_the_client_not_the_proxy(client, behind_proxy):
    assert client.get("/metrics", **via_proxy("192.0.2.10")).status_code == 404
    assert client.get("/metrics", **via_proxy("127.0.0.1")).status_code == 200
    # A client cannot claim to be the proxy's neighbour: only the last hop counts.
    spoofed = {"environ_base": {"REMOTE_ADDR": PROXY}, "headers": {"X-Forwarded-For": "127.0.0.1, 192.0.2.10"}}
    assert client.get("/metrics", **spoofed).status_code == 404


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client):
    outside = {"environ_base": {"REMOTE_ADDR": "192.0.2.10"}, "headers": {"X-Forwarded-For": "127.0.0.1"}}
    assert client.get("/metrics", **outside).status_code == 404


def test_login_throttle_is_per_client_behind_the_proxy(app, client, factory, behind_proxy):
    t = factory.tenant()
    saved = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "5 per 60 second"
    try:
        def attempt(ip, n):
            return client.post("/api/v1/security/login", base_url=t.host, **via_proxy(ip),
                               json={"username": f"nobody{n}@{t.slug}.example", "password": "wrong"}).status_code

        clients = [f"198.51.{t.id % 250}.{n}" for n in range(1, 8)]
        assert [attempt(ip, n) for n, ip in enumerate(clients)] == [401] * 7  # seven clients, one failure each
        one = f"198.51.{t.id % 250}.200"
        assert [attempt(one, n) for n in range(6)] == [401] * 5 + [429]
        with app.app_context(), tenant_scope(t.id):
            ips = set(db.session.scalars(select(AuditLog.ip).where(AuditLog.action == "login_failed")))
        assert ips == {*clients, one}  # audited with the client's address
    finally:
        app.config["LOGIN_RATE_LIMIT"] = saved


def test_api_key_allow_list_sees_the_client(client, factory, behind_proxy):
    t = factory.tenant()
    key = create_key(client, t, t.staff("Owner"), allowed_ips="203.0.113.0/24")
    path = "/api/v1/customers/"
    assert client.get(path, base_url="http://localhost", headers={**bearer(key), "X-Forwarded-For": "203.0.113.9"},
                      environ_base={"REMOTE_ADDR": PROXY}).status_code == 200
    assert client.get(path, base_url="http://localhost", headers={**bearer(key), "X-Forwarded-For": "192.0.2.1"},
                      environ_base={"REMOTE_ADDR": PROXY}).status_code == 403
