"""Password-reset links point at the tenant's configured host, whatever spelling of it
(trailing dot, other case, another of its names) the request's Host header used."""

import pytest
from sqlalchemy import update

from mpanel.modules.tenants.models import Tenant
from mpanel.testing.pytest_plugin import csrf_token
from mpanel.testing.security import link_in


def _ask(client, host, email):
    page = client.get("/security/reset/", base_url=host)
    assert page.status_code == 200
    return client.post("/security/reset/", base_url=host,
                       data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))})


@pytest.mark.parametrize("spelling", ["{slug}.localhost.", "{upper}.LOCALHOST", "{slug}.localhost"])
def test_link_uses_the_tenant_host_not_the_request_spelling(client, tenant, smtp, spelling):
    email = tenant.staff("Owner")
    host = "http://" + spelling.format(slug=tenant.slug, upper=tenant.slug.upper())
    assert _ask(client, host, email).status_code == 200
    [message] = smtp.to(email)
    assert link_in(message).startswith(f"http://{tenant.slug}.localhost/security/reset/")


def test_link_uses_the_tenant_own_host_name_when_it_has_one(app, client, factory, tenant, smtp):
    factory.commit(lambda s: s.execute(update(Tenant).where(Tenant.id == tenant.id)
                                       .values(hostnames=["billing.acme-hosting.example", "acme.example"])))
    email = tenant.staff("Owner")
    assert _ask(client, "http://ACME.example.", email).status_code == 200
    [message] = smtp.to(email)
    assert link_in(message).startswith("http://billing.acme-hosting.example/security/reset/")
