"""Fixtures for the domains tests: a tenant whose .com/.net/.de (and IDN .xn--p1ai)
are served by the sandbox registrar, and helpers to make customers' domains."""

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

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
BILLING_TESTS = Path(__file__).resolve().parents[2] / "mpanel_billing" / "tests"
REPO = Path(__file__).resolve().parents[3]


def year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@pytest.fixture
def shop(app, factory):
    """A billing tenant whose catalogue sells .com through the sandbox registrar."""
    if str(BILLING_TESTS) not in sys.path:
        sys.path.insert(0, str(BILLING_TESTS))
    from billing_testing import Billing
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


@pytest.fixture
def registered(shop, make_domain):
    """``registered(expires_in_days, **fields)`` -> a registered .com domain of a new
    customer whose expiry (record and sandbox registry) is that many days away."""
    from mpanel_domains.models import Domain
    from mpanel_registrar_demo.models import DemoRegistration

    counter = iter(range(1000))

    def make(days, name=None, **fields):
        customer = shop.customer()
        name = name or f"renew{next(counter)}.com"
        domain_id = make_domain(shop.tenant, customer, name)
        expires = TODAY + dt.timedelta(days=days)

        def move(session):
            session.execute(update(DemoRegistration).where(DemoRegistration.name == name).values(expires_at=expires))
            session.execute(update(Domain).where(Domain.id == domain_id).values(expires_at=expires, **fields))

        shop.run(move)
        return domain_id

    return make


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


@pytest.fixture
def server():
    """The EPP test registry (tests/servers/epp) over TLS."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.servers.epp import EppTestServer

    with EppTestServer() as srv:
        yield srv


@pytest.fixture
def two_registrars(app, shop, server):
    """The shop, with .test sold through the sandbox and .example through EPP."""
    from mpanel_catalog.models import Tld, TldPrice

    from mpanel.core.plugins.engine import loaded_plugins

    with app.app_context():
        plugin = loaded_plugins().get("registrar_epp")
    if plugin is None:
        pytest.skip("needs the registrar_epp plugin")

    def configure(session):
        set_settings(session, "registrar_epp", {
            "host": server.host, "port": str(server.port), "client_id": "mpanel",
            "password": server.registrars["mpanel"], "certificate": server.pki.client_cert.read_text(),
            "private_key": server.pki.client_key.read_text(), "ca_certificate": server.pki.ca_cert.read_text(),
            "timeout": "5"}, plugin.secret_settings)
        for name, registrar in (("test", "registrar_demo"), ("example", "registrar_epp")):
            tld = Tld(name=name, kind="gtld", registrar=registrar)
            session.add(tld)
            session.flush()
            session.add_all([TldPrice(tld_id=tld.id, currency="EUR", action=action, years=1, price=D("9.00"))
                             for action in ("register", "transfer", "renew")])

    shop.run(configure)
    return shop


@pytest.fixture
def smtp(app, shop):
    """A real SMTP server (aiosmtpd) that the app sends to for the test's duration."""
    from aiosmtpd.controller import Controller
    from billing_testing import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", controller.port
    yield inbox
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = saved
    controller.stop()
