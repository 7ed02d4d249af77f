"""Crediting a line in parts: every part is what all credits so far come to less
what earlier parts took, so the parts add up to exactly what was invoiced (net
and VAT) and never more; the reconciliation reports any cent left either way."""

import sys

import pytest
from mpanel_billing import credit, invoices, ledger
from mpanel_billing.einvoice import ubl_for
from mpanel_billing.models import Invoice, InvoiceLine
from mpanel_billing.models.invoice import CREDIT_NOTE, DRAFT
from mpanel_billing.testing import D

from mpanel.testing.validators import validators_dir

VALIDATORS = validators_dir()


@pytest.fixture(scope="module")
def validator():
    sys.path.insert(0, str(VALIDATORS))
    import validate

    return validate


def credit_units(billing, invoice_id, count):
    """``count`` credit notes of one unit of the first line; their totals and the invoice after each."""
    seen = []
    for _ in range(count):
        def one(session):
            invoice = session.get(Invoice, invoice_id)
            note = credit.credit_note(session, invoice, [{"line_id": invoice.lines[0].id, "quantity": "1"}])
            return note.id, note.total, invoice.amount_due, ledger.credit_balance(session, invoice.customer_id, "EUR")
        seen.append(billing.run(one))
    return seen


def test_three_unit_credits_of_a_121_line_add_up_to_121(billing, validator, tmp_path):
    customer = billing.customer()
    invoice_id = billing.invoice(customer, [("Hosting", "3", "33.8933")])  # 101.68 + 19.32
    assert billing.load(invoice_id, lambda i: i.total) == D("121.00")
    parts = credit_units(billing, invoice_id, 3)
    # Nets 33.89 (1 x 33.8933), 67.79 - 33.89 = 33.90, 101.68 - 67.79 = 33.89; VAT 6.44, 12.88 - 6.44, 19.32 - 12.88.
    assert [total for _, total, _, _ in parts] == [D("40.33"), D("40.34"), D("40.33")]
    assert sum(total for _, total, _, _ in parts) == D("121.00")
    assert parts[-1][2:] == (0, 0)  # nothing owed, no credit made of rounding
    assert billing.load(invoice_id, lambda i: i.status) == "cancelled"
    assert billing.run(ledger.reconcile) == []
    last = tmp_path / "last.xml"
    last.write_bytes(billing.load(parts[-1][0], ubl_for))
    failures, _ = validator.validate_en16931(last)
    assert failures == []


def test_unit_credits_never_exceed_what_was_invoiced(billing):
    customer = billing.customer()
    invoice_id = billing.invoice(customer, [("Tiny", "3", "0.025")])  # 0.08 + 0.02
    assert billing.load(invoice_id, lambda i: i.total) == D("0.10")
    parts = credit_units(billing, invoice_id, 3)
    running = [sum(total for _, total, _, _ in parts[:n]) for n in (1, 2, 3)]
    assert all(value <= D("0.10") for value in running) and running[-1] == D("0.10")
    assert [credit for *_, credit in parts] == [0, 0, 0]
    assert billing.run(ledger.reconcile) == []


def test_a_credit_note_that_strands_a_cent_is_reported(billing):
    """Credit notes made line by line at unit rounding (as before shares.py) leave 0.01."""
    customer = billing.customer()
    invoice_id = billing.invoice(customer, [("Hosting", "3", "33.8933")])

    def by_hand(session):
        invoice = session.get(Invoice, invoice_id)
        line = invoice.lines[0]
        for _ in range(3):
            note = Invoice(customer=invoice.customer, customer_id=invoice.customer_id, kind=CREDIT_NOTE,
                           status=DRAFT, currency="EUR", language="en", seller=invoice.seller, buyer=invoice.buyer,
                           credited_invoice=invoice, credited_invoice_id=invoice.id, exemption_reasons={})
            note.lines.append(InvoiceLine(description=line.description, quantity=1, unit_price=line.unit_price,
                                          tax_category="S", tax_rate=line.tax_rate, credited_line_id=line.id,
                                          customer_id=invoice.customer_id, currency="EUR"))
            session.add(note)
            invoices.issue(session, note)

    billing.run(by_hand)
    problems = billing.run(ledger.reconcile)
    assert any("credit notes 120.99" in problem and "121.00" in problem for problem in problems), problems
