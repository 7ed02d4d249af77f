"""The payment contract: minor units, finding gateways, applying a provider's
payment once (mass pay included), reversals out of credit first, pay with credit."""

from decimal import Decimal

import pytest
from mpanel_billing import ledger
from mpanel_billing.gateways import autopay, payments, reversals, with_payment_roles
from mpanel_billing.gateways.base import MANUAL, SUCCEEDED, PaymentGateway, ProviderPayment
from mpanel_billing.gateways.models import Transaction
from mpanel_billing.gateways.registry import active_gateways, gateway_plugins, get_gateway
from mpanel_billing.models import Invoice
from mpanel_billing.testing import D

from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import loaded_plugins, set_active


@pytest.mark.parametrize(("amount", "currency", "units"), [
    ("10.00", "EUR", 1000), ("0.01", "EUR", 1), ("10.005", "EUR", 1001),
    ("500", "JPY", 500), ("499.5", "JPY", 500),
    ("1.234", "KWD", 1234), ("0.0005", "KWD", 1),
])
def test_minor_units_follow_the_currency_exponent(amount, currency, units):
    assert PaymentGateway.to_provider(Decimal(amount), currency) == units
    back = PaymentGateway.from_provider(units, currency)
    assert back == Decimal(units).scaleb(-{"EUR": 2, "JPY": 0, "KWD": 3}[currency])
    assert str(back) == {"EUR": f"{units / 100:.2f}", "JPY": str(units), "KWD": f"{units / 1000:.3f}"}[currency]


def test_minor_units_refuse_floats():
    with pytest.raises(TypeError):
        PaymentGateway.to_provider(10.0, "EUR")


@pytest.fixture
def bank(app, billing):
    with app.app_context():
        if "gateway_bank" not in loaded_plugins():
            pytest.skip("needs the gateway_bank plugin (MPANEL_ENABLED_PLUGINS)")
    return billing


def test_gateways_are_found_by_type_and_activation(app, bank):
    with app.app_context():
        assert "gateway_bank" in gateway_plugins() and "billing" not in gateway_plugins()

    def check(session):
        assert "gateway_bank" in {g.name for g in active_gateways(session, "EUR", MANUAL)}
        assert all(g.supports(MANUAL) for g in active_gateways(session, feature=MANUAL))
        set_active(session, "gateway_bank", False)
        with pytest.raises(FieldError, match="not an active payment gateway"):
            get_gateway(session, "gateway_bank")
        with pytest.raises(FieldError):
            get_gateway(session, "billing")

    bank.run(check)


def _paid(session, invoice_ids, amount, reference, customer):
    """A provider reports ``amount`` received for a transaction over ``invoice_ids``."""
    gateway = get_gateway(session, "gateway_bank")
    transaction = payments.prepare(session, gateway, customer, invoice_ids)
    result = ProviderPayment(reference, SUCCEEDED, D(amount), "EUR")
    return payments.apply(session, transaction, result), payments.apply(session, transaction, result), transaction.id


def test_a_provider_payment_is_applied_once_across_several_invoices(bank):
    customer = bank.customer()
    first = bank.invoice(customer, [("Hosting", "1", "10.00")])  # 11.90
    second = bank.invoice(customer, [("Domain", "1", "20.00")])  # 23.80
    outcome = bank.run(lambda s: _paid(s, [second, first], "40.00", "ref-1", customer))
    assert outcome[:2] == ("paid", "duplicate")
    assert bank.load(first, lambda i: i.status) == "paid" and bank.load(second, lambda i: i.status) == "paid"
    assert bank.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == D("4.30")
    assert bank.run(ledger.reconcile) == []


def test_part_payment_and_what_cannot_be_paid(bank):
    customer, other = bank.customer(), bank.customer()
    invoice = bank.invoice(customer, [("Hosting", "1", "100.00")])

    def prepare(session, ids, amount=None, who=customer):
        return payments.prepare(session, get_gateway(session, "gateway_bank"), who, ids, amount)

    assert bank.run(lambda s: prepare(s, [invoice], "50.00").amount) == D("50.00")
    with pytest.raises(FieldError, match="part payment"):
        bank.run(lambda s: prepare(s, [invoice], "119.01"))
    with pytest.raises(FieldError, match="no such invoice"):
        bank.run(lambda s: prepare(s, [invoice], who=other))
    with pytest.raises(FieldError, match="at least one"):
        bank.run(lambda s: prepare(s, []))
    draft = bank.invoice(customer, issue=False)
    with pytest.raises(FieldError, match="nothing to pay"):
        bank.run(lambda s: prepare(s, [draft]))


def test_refund_comes_out_of_credit_first_then_reopens_the_invoice(bank):
    customer = bank.customer()
    invoice = bank.invoice(customer, [("Hosting", "1", "100.00")])  # 119.00
    *_, transaction = bank.run(lambda s: _paid(s, [invoice], "150.00", "ref-over", customer))  # 31.00 to credit

    def refund(session, amount):
        return reversals.refund(session, session.get(Transaction, transaction), amount).status

    assert bank.run(lambda s: refund(s, "40.00")) == SUCCEEDED
    assert bank.load(invoice, lambda i: (i.status, i.amount_paid)) == ("partially_paid", D("110.00"))
    assert bank.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == 0
    with pytest.raises(FieldError, match="at most 110"):
        bank.run(lambda s: refund(s, "110.01"))
    assert bank.run(ledger.reconcile) == []


def test_pay_with_credit_and_autopay_without_a_card(bank):
    customer = bank.customer()
    bank.run(lambda s: _paid(s, [bank.invoice(customer, [("Hosting", "1", "100.00")])], "150.00", "r", customer))
    first = bank.invoice(customer, [("Domain", "1", "10.00")])  # 11.90, paid from credit when issued
    assert bank.load(first, lambda i: i.status) == "paid"
    bank.configure(auto_apply_credit=False)
    second = bank.invoice(customer, [("Domain", "1", "20.00")])  # 23.80
    assert bank.run(lambda s: payments.pay_with_credit(s, customer, [second])) == D("19.10")
    assert bank.load(second, lambda i: (i.status, i.amount_due)) == ("partially_paid", D("4.70"))
    assert bank.run(lambda s: autopay.charge_saved_method(s, s.get(Invoice, second))) == "no_method"
    assert bank.run(lambda s: autopay.charge_saved_method(s, s.get(Invoice, first))) == "nothing_due"


def test_payment_roles_are_merged():
    merged = with_payment_roles({"Billing": [("InvoiceView", ".*")], "Customer": [("OrderApi", "can_get")]})
    assert merged["Billing"][0] == ("InvoiceView", ".*")
    assert any("TransactionView" in views and perms == ".*" for views, perms in merged["Billing"])
    assert all("refund" not in perms and perms != ".*" for views, perms in merged["Support"])
    assert merged["Customer"] == [("OrderApi", "can_get")]
