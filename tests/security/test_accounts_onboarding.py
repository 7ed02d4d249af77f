"""Tenant onboarding by the operator (form and CLI): codes checked and named,
every loaded plugin active, the first Owner invited; deactivation refuses the
tenant's hosts, sign-ins and tokens and keeps its data."""

import uuid

from sqlalchemy import select

from mpanel.testing.accounts import PLATFORM, link_in, operator_login
from mpanel.testing.pytest_plugin import bearer, csrf_token

OWNER_PASSWORD = "the first owner passphrase"


def _tenant_row(app, slug):
    from mpanel.extensions import db
    from mpanel.modules.tenants.models import Tenant

    with app.app_context():
        return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def _active_plugins(app, tenant_id):
    from mpanel.core.plugins.engine import active_plugin_names
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    with app.app_context(), tenant_scope(tenant_id, session=db.session):
        return set(active_plugin_names(db.session))


def _accept(app, message, password=OWNER_PASSWORD):
    browser = app.test_client()
    link = link_in(message, "invitation")
    page = browser.get(link)
    done = browser.post(link, data={"password": password, "confirm": password,
                                    "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert done.status_code == 302, done.get_data(as_text=True)


def test_operator_onboards_a_tenant_whose_owner_signs_in(app, client, clock, smtp):
    operator_login(app, client, clock)
    slug = f"new{uuid.uuid4().hex[:8]}"
    form = client.get("/operator/tenants/new", base_url=PLATFORM)
    token = csrf_token(form.get_data(as_text=True))
    bad = client.post("/operator/tenants/new", base_url=PLATFORM, data={
        "name": "Bad", "slug": "Not A Slug", "country": "XX", "currency": "EUR", "locale": "en",
        "timezone": "Mars/Olympus", "owner_email": "x@example.com", "csrf_token": token})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and html.count("has-error") >= 2
    assert _tenant_row(app, "not-a-slug") is None
    made = client.post("/operator/tenants/new", base_url=PLATFORM, data={
        "name": "Fresh Hosting", "slug": slug, "country": "AT", "currency": "EUR", "locale": "de",
        "timezone": "Europe/Vienna", "owner_email": f"boss@{slug}.example", "owner_name": "Bea Boss",
        "csrf_token": token})
    assert made.status_code == 302
    tenant = _tenant_row(app, slug)
    assert (tenant.country, tenant.timezone, tenant.locale) == ("AT", "Europe/Vienna", "de")
    with app.app_context():
        from mpanel.core.plugins.engine import loaded_plugins

        assert _active_plugins(app, tenant.id) == set(loaded_plugins())
    [message] = smtp.to(f"boss@{slug}.example")
    assert f"{slug}.localhost" in link_in(message, "invitation")
    _accept(app, message)
    owner = app.test_client()
    page = owner.get("/login/", base_url=f"http://{slug}.localhost")
    signed = owner.post("/login/", base_url=f"http://{slug}.localhost", data={
        "username": f"boss@{slug}.example", "password": OWNER_PASSWORD,
        "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert signed.headers["Location"] == "/staff/"
    assert owner.get("/staff/team/", base_url=f"http://{slug}.localhost").status_code == 200


def test_the_tenant_list_has_no_add_without_an_owner(app, client, clock):
    operator_login(app, client, clock)
    assert client.get("/tenantview/add", base_url=PLATFORM).status_code in (302, 403, 404)


def test_cli_creates_with_choices_and_deactivation_keeps_data(app, client, factory, smtp):
    runner = app.test_cli_runner()
    slug = f"cli{uuid.uuid4().hex[:8]}"
    wrong = runner.invoke(args=["mpanel", "tenants", "create", slug, "CLI Co", "--owner-email", "o@example.com",
                                "--country", "ZZ"])
    assert wrong.exit_code != 0 and "--country" in wrong.output
    assert _tenant_row(app, slug) is None
    ok = runner.invoke(args=["mpanel", "tenants", "create", slug, "CLI Co", "--owner-email", f"o@{slug}.example",
                             "--timezone", "europe/berlin", "--currency", "chf"])
    assert ok.exit_code == 0, ok.output
    tenant = _tenant_row(app, slug)
    assert (tenant.timezone, tenant.default_currency) == ("Europe/Berlin", "CHF")
    [message] = smtp.to(f"o@{slug}.example")
    _accept(app, message)
    twice = runner.invoke(args=["mpanel", "tenants", "create", slug, "Again", "--owner-email", "a@example.com"])
    assert twice.exit_code != 0 and "exists already" in twice.output

    handle = factory.tenant()
    customer = handle.customer(company="Kept Co")
    email = handle.staff("Owner")
    token = handle.api_token(client, email)
    assert runner.invoke(args=["mpanel", "tenants", "deactivate", handle.slug]).exit_code == 0
    assert client.get("/login/", base_url=handle.host).status_code == 404
    assert client.get("/api/v1/customers/", base_url=handle.host, headers=bearer(token)).status_code == 401
    assert runner.invoke(args=["mpanel", "tenants", "reactivate", handle.slug]).exit_code == 0
    listed = client.get("/api/v1/customers/", base_url=handle.host, headers=bearer(token)).get_json()
    assert [row["id"] for row in listed["result"]] == [customer]
    assert handle.web_login(client, email).headers["Location"] == "/staff/"
