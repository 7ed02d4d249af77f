"""The domains plugin's test fixtures and helpers, a pytest plugin module (its
tests/conftest.py loads the fixtures): a tenant whose .com/.net/.de (and IDN
.xn--p1ai) are served by the sandbox registrar, a billing shop selling .com, and
helpers to make customers' domains and read their renewals."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

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


# -- billing of domains (tests named test_billing_*) ---------------------------------------

D = Decimal
TODAY = dt.date.today()


def year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@pytest.fixture
def shop(app, factory):
    """A billing tenant whose catalogue sells .com through the sandbox registrar."""
    from mpanel_billing.testing import Billing
    from mpanel_catalog.models import Tld, TldFees, TldPrice

    shop = Billing(app, factory)

    def prices(session):
        tld = Tld(name="com", kind="gtld", registrar="registrar_demo", epp_code_required=True)
        session.add(tld)
        session.flush()
        session.add_all([TldPrice(tld_id=tld.id, currency="EUR", action=action, years=years, price=D(price))
                         for action, years, price in (("register", 1, "12.00"), ("register", 2, "24.00"),
                                                      ("transfer", 1, "10.00"), ("renew", 1, "15.00"))])
        session.add(TldFees(tld_id=tld.id, currency="EUR", grace_fee=D("5.00"), redemption_fee=D("80.00"),
                            id_protection=D(0), dns_management=D(0)))

    shop.run(prices)
    return shop


def renewals(shop, domain_id):
    """(kind, late fee, invoice id, note) of the domain's billed renewals."""
    from mpanel_domains.models import DomainRenewal

    def read(session):
        rows = session.scalars(select(DomainRenewal).where(DomainRenewal.domain_id == domain_id)
                               .order_by(DomainRenewal.id)).all()
        return [(r.kind, r.late, r.invoice_id, r.note) for r in rows]

    return shop.run(read)


def lines(shop, invoice_id):
    return shop.load(invoice_id, lambda i: [(line.description, line.unit_price) for line in i.lines])


def pay(shop, invoice_id, txn):
    """Record a bank payment of the invoice's total (``txn``: the bank's transaction id)."""
    from mpanel_billing import ledger
    from mpanel_billing.models import Invoice

    shop.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), s.get(Invoice, invoice_id).total,
                                             "EUR", "bank", txn))
