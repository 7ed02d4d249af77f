"""Fixtures for the domains tests: a tenant whose .com/.net/.de (and IDN .xn--p1ai)
are served by the sandbox registrar, and helpers to make customers' domains."""

import pytest

from mpanel.core.settings import set_settings
from mpanel.modules.customers.models import Customer

TLDS = "com=registrar_demo, net=registrar_demo, de=registrar_demo, xn--p1ai=registrar_demo"
CONTACT = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "+49.301234567",
           "address1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"}


@pytest.fixture
def tenant(app, factory):
    with app.app_context():
        from mpanel.core.plugins.engine import loaded_plugins

        if "registrar_demo" not in loaded_plugins():
            pytest.skip("needs the registrar_demo plugin (MPANEL_ENABLED_PLUGINS)")
    t = factory.tenant()
    factory.commit(lambda s: set_settings(s, "domains", {"tld_registrars": TLDS}), t.id)
    return t


@pytest.fixture
def make_domain(factory):
    """``make_domain(tenant, customer_id, name, register=True)`` -> domain id (registered through the queue)."""
    from mpanel_domains import actions, service
    from mpanel_domains.models import DomainContact

    def make(tenant, customer_id, name, register=True, **options):
        def add(session):
            customer = session.get(Customer, customer_id)
            contact = DomainContact(customer_id=customer_id, registry_handles={}, **CONTACT)
            domain = service.prepare_domain(session, customer, name, contact=contact, **options)
            if register:
                actions.request_registration(session, domain, 1)
            return domain.id

        return factory.commit(add, tenant.id)

    return make


@pytest.fixture
def received():
    """``with received(signal, tenant_id, pick) as calls:`` records ``pick(sender, kwargs)``
    for each sending in that tenant (senders are rows of a session that closes)."""
    from contextlib import contextmanager

    @contextmanager
    def record(signal, tenant_id, pick):
        calls = []

        def receiver(sender, **kwargs):
            from mpanel.core.tenancy import current_tenant_id

            if current_tenant_id() == tenant_id:
                calls.append(pick(sender, kwargs))

        signal.connect(receiver)
        try:
            yield calls
        finally:
            signal.disconnect(receiver)

    return record
