"""The billing plugin's test fixtures, a pytest plugin (entry point ``pytest11``):
a tenant with seller details, customers, invoices made through the services,
and a real SMTP server (aiosmtpd). Other plugins' tests use them as they are."""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller
from mpanel_catalog.models import Price, Product, ProductGroup

from mpanel.core.settings import set_settings
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel_billing import invoices, ledger
from mpanel_billing.models import Invoice
from mpanel_billing.orders.checkout import checkout
from mpanel_billing.tax.eu import seed_standard_rates

D = Decimal
DAY = dt.date(2025, 3, 1)  # March: 31 days
SELLER = {"seller_name": "Acme Hosting GmbH", "seller_street": "Torstrasse 1", "seller_city": "Berlin",
          "seller_postcode": "10119", "seller_vat_id": "DE123456788", "seller_company_id": "HRB 123456",
          "seller_email": "billing@acme.example", "bank_iban": "DE89370400440532013000", "bank_bic": "COBADEFFXXX"}


class Billing:
    """A tenant with billing set up, and helpers that work in its scope."""

    def __init__(self, app, factory, **settings):
        self.app = app
        self.tenant = factory.tenant(country="DE")
        self.id, self.host = self.tenant.id, self.tenant.host
        self.configure(**SELLER, **settings)
        self.run(seed_standard_rates)

    @contextmanager
    def scope(self, customer_id=None):
        """An app context in the tenant's scope; commits on success."""
        with self.app.app_context(), tenant_scope(self.id, customer_id, session=db.session):
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.rollback()
                db.session.remove()

    def run(self, fn, *args, **kwargs):
        with self.scope() as session:
            return fn(session, *args, **kwargs)

    def configure(self, **values):
        self.run(lambda s: set_settings(s, "billing", values))

    def customer(self, **fields) -> int:
        values = {"first_name": "Chris", "last_name": "Client", "country": "DE", "currency": "EUR",
                  "email": f"c-{uuid.uuid4().hex[:8]}@example.com", "address1": "Marktplatz 2", "city": "Hamburg",
                  "postcode": "20095", **fields}
        return self.tenant.customer(**values)

    def invoice(self, customer_id, lines=(("Hosting", "1", "10.00"),), issue=True, on=None, **fields) -> int:
        """A manual invoice; lines are (description, quantity, unit price[, options])."""

        def make(session):
            invoice = invoices.create_draft(session, session.get(Customer, customer_id), **fields)
            for description, quantity, price, *options in lines:
                invoices.add_line(session, invoice, description, quantity, price, **(options[0] if options else {}))
            if issue:
                invoices.issue(session, invoice, on=on)
            session.flush()
            return invoice.id

        return self.run(make)

    def load(self, invoice_id, fn=lambda invoice: invoice):
        return self.run(lambda s: fn(s.get(Invoice, invoice_id)))


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# -- a small catalogue and orders through checkout (plan changes, client pages) -------------

VAT = D("1.19")
CENT = D("0.01")


def cents(value) -> D:
    return D(value).quantize(CENT)


def make_plans(billing) -> dict:
    """Small (10.00 a month, 100.00 a year, 5.00 setup), Large (31.00 a month) and
    Trial (14 days free, then 8.00 a month), in EUR."""

    def make(session):
        group = ProductGroup(name="Hosting", slug="hosting")
        session.add(group)
        session.flush()
        small = Product(group_id=group.id, type="shared_hosting", name="Small", allow_multiple=True)
        large = Product(group_id=group.id, type="shared_hosting", name="Large", allow_multiple=True)
        trial = Product(group_id=group.id, type="shared_hosting", name="Trial", trial_days=14, allow_multiple=True)
        session.add_all([small, large, trial])
        session.flush()
        session.add_all([
            Price(product_id=small.id, currency="EUR", cycle="monthly", price=D("10.00"), setup_fee=D("5.00")),
            Price(product_id=small.id, currency="EUR", cycle="annually", price=D("100.00"), setup_fee=D("5.00")),
            Price(product_id=large.id, currency="EUR", cycle="monthly", price=D("31.00"), setup_fee=D(0)),
            Price(product_id=trial.id, currency="EUR", cycle="monthly", price=D("8.00"), setup_fee=D(0))])
        return {"small": small.id, "large": large.id, "trial": trial.id}

    return billing.run(make)


def order(billing, customer_id, product, cycle="monthly", on=DAY, pay=True) -> int:
    """A service ordered (and its first invoice paid, so it is active) on ``on``."""

    def place(session):
        placed = checkout(session, session.get(Customer, customer_id), [{"product": product, "cycle": cycle}], on=on)
        if placed.invoice_id and pay:
            invoice = session.get(Invoice, placed.invoice_id)
            ledger.record_payment(session, invoice, invoice.total, "EUR", "bank", f"order-{placed.id}")
        return placed.lines[0].service_id

    return billing.run(place)


@pytest.fixture
def billing(app, factory):
    return Billing(app, factory)


@pytest.fixture
def make_billing(app, factory):
    return lambda **settings: Billing(app, factory, **settings)


@pytest.fixture
def smtp(app):
    """A real SMTP server; the app sends to it for the test's duration."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", controller.port
    yield inbox
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = saved
    controller.stop()
