"""The whole API is rate limited per API key, per user and per address (tenant-
configurable, 429 with Retry-After); CORS answers only the tenant's listed origins."""

from mpanel.core.settings import set_settings
from mpanel.testing.pytest_plugin import bearer
from mpanel.testing.security import create_key
from mpanel.web import api_access


def _limit(factory, tenant, **values):
    factory.commit(lambda s: set_settings(s, api_access.NAMESPACE, values), tenant.id)


def test_each_user_has_its_own_limit_with_retry_after(client, factory):
    t = factory.tenant()
    _limit(factory, t, rate_limit="3 per minute")
    first, second = (t.api_token(client, t.staff("Owner")) for _ in range(2))
    answers = [client.get("/api/v1/customers/", base_url=t.host, headers=bearer(first)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert "3 per minute" in answers[-1].get_json()["message"]
    # Another user of the tenant is not throttled by the first.
    assert client.get("/api/v1/customers/", base_url=t.host, headers=bearer(second)).status_code == 200


def test_api_keys_and_anonymous_callers_are_limited(client, factory):
    t = factory.tenant()
    key = create_key(client, t, t.staff("Owner"))
    _limit(factory, t, rate_limit="2 per minute")
    by_key = [client.get("/api/v1/customers/", base_url="http://localhost", headers=bearer(key),
                         environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code for _ in range(3)]
    assert by_key == [200, 200, 429]
    anonymous = [client.get("/api/v1/customers/", base_url=t.host,
                            environ_base={"REMOTE_ADDR": f"192.0.2.{t.id % 250}"}).status_code for _ in range(3)]
    assert anonymous[-1] == 429 and 429 not in anonymous[:2]


def test_cors_is_off_by_default_and_answers_only_listed_origins(client, factory):
    t = factory.tenant()
    token = t.api_token(client, t.staff("Owner"))
    preflight = {"Origin": "https://app.integrator.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"}
    closed = client.options("/api/v1/customers/", base_url=t.host, headers=preflight)
    assert "Access-Control-Allow-Origin" not in closed.headers
    _limit(factory, t, cors_origins=["https://app.integrator.example"])
    opened = client.options("/api/v1/customers/", base_url=t.host, headers=preflight)
    assert opened.headers["Access-Control-Allow-Origin"] == "https://app.integrator.example"
    assert "Authorization" in opened.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in opened.headers
    call = client.get("/api/v1/customers/", base_url=t.host,
                      headers={**bearer(token), "Origin": "https://app.integrator.example"})
    assert call.status_code == 200 and call.headers["Access-Control-Allow-Origin"] == "https://app.integrator.example"
    other = client.get("/api/v1/customers/", base_url=t.host, headers={**bearer(token), "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_owners_set_sender_limit_and_origins_on_the_settings_page(app, client, factory):
    from mpanel.core import mail
    from mpanel.core.settings import get_settings
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db
    from mpanel.testing.pytest_plugin import csrf_token

    t = factory.tenant()
    assert t.web_login(client, t.staff("Owner")).status_code == 302
    page = client.get("/settings/integration/form", base_url=t.host)
    assert page.status_code == 200
    form = {"sender_mode": "tenant", "from_address": "office@acme.example", "from_name": "ACME",
            "rate_limit": "every now and then", "cors_origins": "https://app.integrator.example\nnot an origin",
            "csrf_token": csrf_token(page.get_data(as_text=True))}
    refused = client.post("/settings/integration/form", base_url=t.host, data=form)
    assert refused.status_code == 200
    assert "600 per minute" in refused.get_data(as_text=True) and "not an origin" in refused.get_data(as_text=True)
    form.update(rate_limit="100 per minute", cors_origins="https://App.Integrator.example\n")
    assert client.post("/settings/integration/form", base_url=t.host, data=form).status_code in (200, 302)
    with app.app_context(), tenant_scope(t.id):
        assert get_settings(db.session, api_access.NAMESPACE, api_access.TENANT_DEFAULTS) == {
            "rate_limit": "100 per minute", "cors_origins": ["https://app.integrator.example"]}
        assert get_settings(db.session, mail.NAMESPACE, mail.TENANT_DEFAULTS)["sender_mode"] == "tenant"
