"""Payments, account credit, refunds: idempotent, atomic, and the ledger reconciles."""

import threading

import pytest
from mpanel_billing import credit, ledger
from mpanel_billing.models import Invoice, LedgerEntry, Payment
from mpanel_billing.signals import invoice_paid
from mpanel_billing.testing import D
from sqlalchemy import func, select

from mpanel.core.errors import FieldError
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db


def pay(billing, invoice_id, amount, txn, provider="stripe"):
    """record_payment in its own transaction: (applied, credited, duplicate, payment id)."""

    def record(session):
        result = ledger.record_payment(session, session.get(Invoice, invoice_id), amount, "EUR", provider, txn)
        return result.applied, result.credited, result.duplicate, result.payment.id

    return billing.run(record)


def state(billing, invoice_id):
    return billing.load(invoice_id, lambda i: (i.status, i.amount_paid, i.amount_due))


def credit_of(billing, customer):
    return billing.run(lambda s: ledger.credit_balance(s, customer, "EUR"))


def test_partial_then_full_payment_and_the_same_payment_twice(billing):
    paid = []

    def seen(invoice, payment=None, **kw):
        paid.append((invoice.id, payment.provider_txn_id))

    invoice_paid.connect(seen)
    try:
        invoice_id = billing.invoice(billing.customer(), [("Hosting", "1", "100.00")])  # 119.00
        first = pay(billing, invoice_id, "50.00", "pi_1")
        assert first[:3] == (D("50.00"), 0, False)
        assert state(billing, invoice_id) == ("partially_paid", D("50.00"), D("69.00"))
        again = pay(billing, invoice_id, "50.00", "pi_1")  # a webhook delivered twice
        assert again == (0, 0, True, first[3])
        assert state(billing, invoice_id) == ("partially_paid", D("50.00"), D("69.00"))
        pay(billing, invoice_id, "69.00", "pi_2")
        assert state(billing, invoice_id) == ("paid", D("119.00"), D("0.00"))
        pay(billing, invoice_id, "69.00", "pi_2")
    finally:
        invoice_paid.disconnect(seen)  # not receivers.clear(): that drops the plugins' own receivers
    assert paid == [(invoice_id, "pi_2")]  # sent once, with the payment that settled it
    assert billing.run(lambda s: s.scalar(select(func.count(Payment.id)))) == 2
    assert billing.run(ledger.reconcile) == []


def test_overpayment_becomes_credit_and_pays_the_next_invoice(billing):
    customer = billing.customer()
    first = billing.invoice(customer, [("Hosting", "1", "100.00")])
    assert pay(billing, first, "150.00", "pi_over")[:2] == (D("119.00"), D("31.00"))
    assert credit_of(billing, customer) == D("31.00")
    second = billing.invoice(customer, [("Domain", "1", "10.00")])  # 11.90, paid from credit when issued
    assert state(billing, second) == ("paid", D("11.90"), D("0.00"))
    assert credit_of(billing, customer) == D("19.10")
    assert billing.run(ledger.reconcile) == []


def test_apply_credit_by_hand_and_its_limits(make_billing):
    billing = make_billing(auto_apply_credit=False)
    customer = billing.customer()
    pay(billing, billing.invoice(customer), "20.00", "pi_c")  # 11.90 due, 8.10 to credit
    target = billing.invoice(customer, [("Hosting", "1", "50.00")])  # 59.50
    with pytest.raises(FieldError, match=r"only 8\.10"):
        billing.run(lambda s: ledger.apply_credit(s, s.get(Invoice, target), "10.00"))
    assert billing.run(lambda s: ledger.apply_credit(s, s.get(Invoice, target), "5.00")) == D("5.00")
    assert billing.run(lambda s: ledger.apply_credit(s, s.get(Invoice, target))) == D("3.10")
    assert state(billing, target) == ("partially_paid", D("8.10"), D("51.40"))
    assert credit_of(billing, customer) == 0
    assert billing.run(ledger.reconcile) == []


def test_credit_note_on_a_paid_invoice_becomes_credit_and_can_be_refunded(billing):
    customer = billing.customer()
    invoice_id = billing.invoice(customer, [("Hosting", "1", "100.00")])
    pay(billing, invoice_id, "119.00", "pi_r")
    billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)))
    assert credit_of(billing, customer) == D("119.00")
    assert state(billing, invoice_id)[0] == "refunded"
    refund = billing.run(lambda s: ledger.record_refund(s, customer, "119.00", "EUR", "stripe", "re_1",
                                                        s.get(Invoice, invoice_id)).duplicate)
    assert not refund and credit_of(billing, customer) == 0
    assert billing.run(lambda s: ledger.record_refund(s, customer, "119.00", "EUR", "stripe", "re_1").duplicate)
    with pytest.raises(FieldError, match=r"credit is 0\.00"):
        billing.run(lambda s: ledger.record_refund(s, customer, "1.00", "EUR", "stripe", "re_2"))
    assert billing.run(ledger.reconcile) == []


@pytest.mark.parametrize(("amount", "currency", "field"), [
    ("0", "EUR", "amount"), ("-5", "EUR", "amount"), ("1.001", "EUR", "amount"), ("abc", "EUR", "amount"),
    ("10.00", "USD", "currency"),
])
def test_bad_payments_are_refused_and_change_nothing(billing, amount, currency, field):
    invoice_id = billing.invoice(billing.customer())
    with pytest.raises(FieldError) as error:
        billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), amount, currency, "x", "t"))
    assert error.value.field == field
    assert state(billing, invoice_id) == ("unpaid", 0, D("11.90"))
    assert billing.run(lambda s: s.scalar(select(func.count(LedgerEntry.id)))) == 1  # the invoice's own entry


def test_a_payment_webhook_arriving_twice_at_once_is_applied_once(app, billing):
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "1", "100.00")])
    start, results, errors = threading.Barrier(8), [], []

    def deliver():
        try:
            with app.app_context(), tenant_scope(billing.id, session=db.session):
                start.wait()
                results.append(ledger.record_payment(db.session, db.session.get(Invoice, invoice_id), "119.00",
                                                     "EUR", "stripe", "pi_race").duplicate)
                db.session.commit()
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == [False] + [True] * 7
    assert state(billing, invoice_id) == ("paid", D("119.00"), D("0.00"))
    assert billing.run(ledger.reconcile) == []


def test_ledger_rows_are_append_only(billing, runtime_connection):
    import psycopg

    pay(billing, billing.invoice(billing.customer()), "11.90", "pi_a")
    for table in ("billing_ledger_entries", "billing_payments"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), runtime_connection.transaction():
            runtime_connection.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(billing.id),))
            runtime_connection.execute(f"UPDATE {table} SET amount = 0")


def test_a_reversal_takes_credit_first_then_reopens_the_invoice_once(billing):
    customer = billing.customer()
    invoice = billing.invoice(customer, [("Hosting", "1", "100.00")])  # 119.00
    pay(billing, invoice, "150.00", "pay-1")  # 31.00 becomes credit

    def reverse(session, amount, txn, currency="EUR"):
        result = ledger.reverse_payment(session, session.get(Invoice, invoice), amount, currency, "stripe", txn,
                                        memo="refund of pay-1")
        return result.applied, result.credited, result.duplicate

    assert billing.run(lambda s: reverse(s, "20.00", "re-1")) == (D(0), D("-20.00"), False)  # all from credit
    assert state(billing, invoice) == ("paid", D("119.00"), D("0.00")) and credit_of(billing, customer) == D("11.00")
    assert billing.run(lambda s: reverse(s, "40.00", "re-2")) == (D("-29.00"), D("-11.00"), False)
    assert state(billing, invoice) == ("partially_paid", D("90.00"), D("29.00")) and credit_of(billing, customer) == 0
    assert billing.run(lambda s: reverse(s, "40.00", "re-2")) == (D(0), D(0), True)  # reported again: nothing
    assert state(billing, invoice) == ("partially_paid", D("90.00"), D("29.00"))
    for amount, txn, currency, field in (("90.01", "re-3", "EUR", "amount"), ("0", "re-4", "EUR", "amount"),
                                         ("1.001", "re-5", "EUR", "amount"), ("5.00", "re-6", "USD", "currency")):
        with pytest.raises(FieldError) as refused:
            billing.run(lambda s, a=amount, t=txn, c=currency: reverse(s, a, t, c))
        assert refused.value.field == field
    assert billing.run(lambda s: reverse(s, "90.00", "re-7")) == (D("-90.00"), D(0), False)
    assert state(billing, invoice) == ("unpaid", D("0.00"), D("119.00"))
    refunds = billing.run(lambda s: s.scalar(select(func.count(Payment.id)).where(Payment.kind == "refund")))
    assert refunds == 3 and billing.run(ledger.reconcile) == []
