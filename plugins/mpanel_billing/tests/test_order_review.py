"""Orders held for review by the tenant's rules, approved or rejected by staff on the
orders list; and an order staff place for a customer through the same checkout."""

import re

import pytest
from mpanel_billing import ledger
from mpanel_billing.models import Invoice, Order, Service
from mpanel_billing.orders import review
from mpanel_billing.testing import D, make_plans
from sqlalchemy import select

from mpanel.core.settings import set_settings
from mpanel.modules.customers.models import Customer
from mpanel.testing.pytest_plugin import csrf_token


def place(billing, customer_id, product):
    from mpanel_billing.orders.checkout import checkout

    return billing.run(lambda s: checkout(s, s.get(Customer, customer_id),
                                          [{"product": product, "cycle": "monthly"}]).id)


def state(billing, order_id):
    def read(session):
        order = session.get(Order, order_id)
        services = session.scalars(select(Service.status).where(Service.customer_id == order.customer_id)).all()
        return order.review, order.review_reason, order.invoice.status if order.invoice else None, services

    return billing.run(read)


def pay(billing, order_id, reference):
    def run(session):
        invoice = session.get(Order, order_id).invoice
        ledger.record_payment(session, invoice, invoice.total, invoice.currency, "bank", reference)

    billing.run(run)


@pytest.mark.parametrize("rule, values, customer", [
    ("first", {"review_first_orders": True}, {}),
    ("amount", {"review_over_amount": "10.00"}, {}),
    ("country", {"review_countries": "fr, BE"}, {"country": "FR"}),
])
def test_a_held_order_waits_for_approval_even_when_paid(billing, rule, values, customer):
    plans = make_plans(billing)
    billing.configure(**values)
    order_id = place(billing, billing.customer(**customer), plans["small"])  # 15.00 net
    assert state(billing, order_id)[:3] == ("held", {"first": "first order", "amount": "total over 10.00",
                                                      "country": "customer in FR"}[rule], "unpaid")
    pay(billing, order_id, f"held-{rule}")
    assert state(billing, order_id)[2:] == ("paid", ["pending"])  # paid, still waiting
    billing.run(lambda s: review.approve(s, s.get(Order, order_id)))
    assert state(billing, order_id)[0] == "approved" and state(billing, order_id)[3] == ["active"]


def test_orders_that_no_rule_holds_are_not_held_and_a_second_order_is_not_a_first(billing):
    plans = make_plans(billing)
    billing.configure(review_first_orders=True, review_over_amount="100.00", review_countries="BE")
    customer_id = billing.customer()
    first = place(billing, customer_id, plans["small"])
    second = place(billing, customer_id, plans["small"])
    assert state(billing, first)[0] == "held" and state(billing, second)[0] is None


def test_a_rejected_order_cancels_its_invoice_and_services(billing):
    plans = make_plans(billing)
    billing.configure(review_first_orders=True)
    order_id = place(billing, billing.customer(), plans["small"])
    billing.run(lambda s: review.reject(s, s.get(Order, order_id), "looks like fraud"))
    assert state(billing, order_id) == ("rejected", "looks like fraud", "cancelled", ["cancelled"])
    invoice_id = billing.run(lambda s: s.get(Order, order_id).invoice_id)
    assert billing.load(invoice_id, lambda i: i.amount_due) == D("0.00")  # credited in full
    with pytest.raises(Exception, match="not awaiting review"):
        billing.run(lambda s: review.approve(s, s.get(Order, order_id)))


def test_a_bad_review_setting_is_refused(billing):
    assert review.DEFAULTS["review_countries"].parse("fr, BE") == "fr, BE"
    with pytest.raises(ValueError, match="XX"):
        review.DEFAULTS["review_countries"].parse("FR, XX")
    billing.run(lambda s: set_settings(s, "billing", {"review_over_amount": "-1"}))
    with pytest.raises(ValueError, match="review setting"):
        billing.run(review.load)


def test_staff_approve_on_the_orders_list_and_place_an_order_for_a_customer(client, billing):
    plans = make_plans(billing)
    billing.configure(review_first_orders=True)
    customer_id = billing.customer(company="Ordered For Ltd")
    held = place(billing, customer_id, plans["small"])
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    listed = client.get("/orderview/list/?_flt_0_review=held", base_url=billing.host).get_data(as_text=True)
    assert "first order" in listed
    token = csrf_token(listed)
    approved = client.post("/orderview/action_post", base_url=billing.host,
                           data={"action": "approve", "rowid": str(held), "csrf_token": token})
    assert approved.status_code == 302 and state(billing, held)[0] == "approved"

    form = client.get(f"/orderview/new?customer={customer_id}", base_url=billing.host).get_data(as_text=True)
    assert re.search(rf'<option selected value="{customer_id}"|<option value="{customer_id}" selected', form)
    bad = client.post("/orderview/new", base_url=billing.host, data={
        "customer": str(customer_id), "product": str(plans["small"]), "cycle": "triennially",
        "csrf_token": csrf_token(form)})
    assert bad.status_code == 400 and "cycle" in bad.get_data(as_text=True)
    placed = client.post("/orderview/new", base_url=billing.host, data={
        "customer": str(customer_id), "product": str(plans["large"]), "cycle": "monthly",
        "csrf_token": csrf_token(form)})
    assert placed.status_code == 302 and "/invoiceview/show/" in placed.headers["Location"]
    invoice_id = int(placed.headers["Location"].rsplit("/", 1)[1])
    assert billing.load(invoice_id, lambda i: (i.customer_id, i.total)) == (customer_id, D("36.89"))  # 31.00 + VAT
    assert billing.run(lambda s: s.scalars(select(Order.review).where(Order.invoice_id == invoice_id)).one()) is None
    assert billing.run(lambda s: s.scalar(select(Invoice.id).where(Invoice.id == invoice_id))) == invoice_id
