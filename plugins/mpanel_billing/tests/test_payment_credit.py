"""Pay with credit in the billing run: ``autopay.pay_from_credit`` settles open
invoices from credit that arrived after they were issued, when the tenant applies
credit automatically (billing setting ``auto_apply_credit``); never twice, never
across currencies or customers, and the ledger still reconciles."""

import datetime as dt

from mpanel_billing import ledger
from mpanel_billing.gateways import autopay
from mpanel_billing.models import Invoice
from mpanel_billing.testing import D

LATER = dt.date.today() + dt.timedelta(days=30)
BEFORE = dt.date.today() - dt.timedelta(days=2)


def state(billing, invoice_id) -> tuple:
    return billing.load(invoice_id, lambda i: (i.status, i.amount_due))


def overpay(billing, invoice_id, amount, reference):
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), amount, "EUR", "test", reference))


def credit_of(billing, customer, currency="EUR"):
    return billing.run(lambda s: ledger.credit_balance(s, customer, currency))


def test_the_run_pays_open_invoices_from_credit_when_the_tenant_enables_it(billing):
    billing.configure(auto_apply_credit=False)
    customer, other = billing.customer(), billing.customer()
    first = billing.invoice(customer, [("Hosting", "1", "100.00")])  # 119.00
    second = billing.invoice(customer, [("Domain", "1", "20.00")])  # 23.80
    dollars = billing.invoice(customer, [("Support", "1", "10.00")], currency="USD",
                              tax_exchange_rate="0.92")
    others = billing.invoice(other, [("Hosting", "1", "10.00")])  # 11.90, no credit
    overpay(billing, billing.invoice(customer, [("Setup", "1", "10.00")]), "150.00", "over-1")  # 138.10 credit
    assert credit_of(billing, customer) == D("138.10")

    disabled = billing.run(autopay.pay_from_credit)
    assert disabled["enabled"] is False and disabled["invoices"] == 0
    assert state(billing, first) == ("unpaid", D("119.00"))

    billing.configure(auto_apply_credit=True)
    assert billing.run(lambda s: autopay.pay_from_credit(s, BEFORE))["invoices"] == 0  # issued after that day
    counts = billing.run(autopay.pay_from_credit)
    assert (counts["invoices"], counts["paid"], counts["applied"], counts["failures"]) == (2, 1, {"EUR": "138.10"}, 0)
    assert state(billing, first) == ("paid", D("0.00"))
    assert state(billing, second) == ("partially_paid", D("4.70"))
    assert state(billing, dollars) == ("unpaid", D("11.90"))  # credit in EUR pays no USD invoice
    assert state(billing, others) == ("unpaid", D("11.90"))  # nor another customer's
    assert credit_of(billing, customer) == 0

    again = billing.run(autopay.pay_from_credit)  # a second run: nothing is applied twice
    assert again["invoices"] == 0 and again["applied"] == {}
    assert state(billing, second) == ("partially_paid", D("4.70"))
    assert billing.run(ledger.reconcile) == []


def test_charge_due_invoices_uses_credit_before_any_card(billing):
    customer = billing.customer()
    invoice = billing.invoice(customer, [("Hosting", "1", "10.00")])  # 11.90
    overpay(billing, billing.invoice(customer, [("Setup", "1", "10.00")]), "30.00", "over-2")  # 18.10 credit
    counts = billing.run(lambda s: autopay.charge_due_invoices(s, LATER))
    assert counts["from_credit"] == 1 and counts["failures"] == 0
    assert state(billing, invoice) == ("paid", D("0.00")) and credit_of(billing, customer) == D("6.20")
    assert billing.run(ledger.reconcile) == []
