"""Invoice line texts speak the invoice's (the customer's) language, not that of
whoever placed the order, and so do the renewals that repeat them."""

import datetime as dt

from flask_babel import force_locale
from mpanel_billing import ledger, run
from mpanel_billing.models import Invoice, Service
from mpanel_billing.orders.checkout import checkout
from mpanel_billing.testing import D
from mpanel_catalog.models import Price, Product, ProductGroup
from sqlalchemy import select

from mpanel.modules.customers.models import Customer


def test_an_order_placed_in_english_for_a_german_customer_is_invoiced_in_german(billing):
    def make(session):
        group = ProductGroup(name="Hosting", slug="hosting")
        session.add(group)
        session.flush()
        product = Product(group_id=group.id, type="shared_hosting", name="Web S", allow_multiple=True)
        session.add(product)
        session.flush()
        session.add(Price(product_id=product.id, currency="EUR", cycle="monthly", price=D("10.00"), setup_fee=D(0)))
        return product.id

    product_id = billing.run(make)
    customer_id = billing.customer(language="de")

    def order(session):
        with force_locale("en"):  # the staff member's language
            placed = checkout(session, session.get(Customer, customer_id),
                              [{"product": product_id, "cycle": "monthly"}], on=dt.date(2026, 3, 1))
        invoice = session.get(Invoice, placed.invoice_id)
        ledger.record_payment(session, invoice, invoice.total, "EUR", "bank", "order-paid")
        return [line.description for line in invoice.lines]

    assert billing.run(order) == ["Web S (monatlich)"]
    due = billing.run(lambda s: s.scalar(select(Service.next_due_date)))
    run.run_tenant(billing.id, due)
    renewals = billing.run(lambda s: [line.description for i in s.scalars(select(Invoice).order_by(Invoice.id))
                                      for line in i.lines])
    assert renewals == ["Web S (monatlich)", "Web S (monatlich)"]
