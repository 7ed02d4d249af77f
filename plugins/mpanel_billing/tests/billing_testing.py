"""Helpers for the billing tests: a tenant with seller details, customers,
invoices made through the services, and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from contextlib import contextmanager
from decimal import Decimal

from mpanel_billing import invoices
from mpanel_billing.tax.eu import seed_standard_rates

from mpanel.core.settings import set_settings
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer

D = Decimal
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
        from mpanel_billing.models import Invoice

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
