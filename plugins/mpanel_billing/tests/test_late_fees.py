"""Late fees: damages outside the scope of VAT by default (a tenant setting), and a
percentage fee is taken on the net open amount, not on the VAT in it."""

import datetime as dt

import pytest
from mpanel_billing import dunning, ledger
from mpanel_billing.models import Invoice
from mpanel_billing.testing import D
from sqlalchemy import select

FEES = {"reminder_days_before": 0, "overdue_days": "30", "late_fee_after_days": 14}


def fee_of(billing, invoice_id):
    due = billing.load(invoice_id, lambda i: i.due_date)
    billing.run(dunning.run, on=due + dt.timedelta(days=20))
    return billing.run(lambda s: [(f.net_total, f.tax_total, f.total, [line.tax_category for line in f.lines])
                                  for f in s.scalars(select(Invoice).where(Invoice.late_fee_for_id == invoice_id))])


@pytest.mark.parametrize(("tax", "expected"), [
    (None, (D("5.00"), D("0"), D("5.00"), ["O"])),  # the default: outside scope
    ("standard", (D("5.00"), D("0.95"), D("5.95"), ["S"]))])
def test_a_fixed_fee_is_outside_the_scope_of_vat_unless_the_tenant_says(make_billing, tax, expected):
    billing = make_billing(**FEES, late_fee_type="fixed", late_fee_amount="5.00",
                           **({"late_fee_tax": tax} if tax else {}))
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "1", "100.00")], on=dt.date(2026, 3, 1))
    assert fee_of(billing, invoice_id) == [expected]


def test_a_percentage_fee_is_taken_on_the_net_open_amount(make_billing):
    billing = make_billing(**FEES, late_fee_type="percent", late_fee_amount="5")
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "1", "100.00")], on=dt.date(2026, 3, 1))  # 119.00
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), "59.50", "EUR", "bank", "half"))
    # 59.50 open, of which 50.00 net: 5 % = 2.50 (not 5 % of 59.50 = 2.98)
    assert fee_of(billing, invoice_id) == [(D("2.50"), D("0"), D("2.50"), ["O"])]
