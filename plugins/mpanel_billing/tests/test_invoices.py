"""Invoices in the database: issue, immutability enforced by PostgreSQL,
credit notes, cancellation, proformas, taxes from the customer, signals."""

import datetime as dt

import psycopg
import pytest
from mpanel_billing import credit, invoices
from mpanel_billing.models import Invoice, InvoiceLine, TaxRule
from mpanel_billing.signals import invoice_cancelled, invoice_issued
from mpanel_billing.testing import D
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from mpanel.core.clock import tenant_today
from mpanel.core.errors import Conflict, FieldError
from mpanel.modules.customers.models import Customer
from mpanel.modules.marketplace.views import change_activation

JAN = dt.date(2026, 1, 15)


def _as_runtime(conn, tenant_id, statement, *params):
    with conn.transaction():
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(tenant_id),))
        return conn.execute(statement, params)


def test_issue_snapshots_parties_and_computes_totals(billing):
    customer = billing.customer(company="Kunde AG", vat_id="DE123456788")
    lines = [("Hosting", "2", "9.99"), ("Domain", "1", "12.00", {"tax_class": "reduced"})]
    invoice_id = billing.invoice(customer, lines, on=JAN)
    invoice = billing.load(invoice_id, lambda i: {
        "status": i.status, "net": i.net_total, "tax": i.tax_total, "total": i.total, "due": i.due_date,
        "buyer": i.buyer["name"], "seller": i.seller["name"], "taxes": [(t.rate, t.taxable, t.tax) for t in i.taxes]})
    assert invoice["status"] == "unpaid" and invoice["due"] == JAN + dt.timedelta(days=14)
    assert (invoice["buyer"], invoice["seller"]) == ("Kunde AG", "Acme Hosting GmbH")
    # No reduced rule seeded for DE: the domain falls back to the standard rate.
    assert invoice["taxes"] == [(D(19), D("31.98"), D("6.08"))]
    assert (invoice["net"], invoice["tax"], invoice["total"]) == (D("31.98"), D("6.08"), D("38.06"))


def test_eu_business_customer_gets_reverse_charge_with_the_legal_note(billing):
    customer = billing.customer(company="Client SARL", country="FR", vat_id="FR40303265045")
    invoice_id = billing.invoice(customer, [("Hosting", "1", "100.00")])
    lines, reasons, total = billing.load(invoice_id, lambda i: (
        [(line.tax_category, line.tax_rate) for line in i.lines], i.exemption_reasons, i.total))
    assert lines == [("AE", D(0))] and total == D("100.00")
    assert "Art. 196" in reasons["AE"]


def test_oss_and_tax_exempt_customers(make_billing):
    billing = make_billing(eu_oss=True)
    french = billing.customer(country="FR")
    assert billing.load(billing.invoice(french), lambda i: i.lines[0].tax_rate) == D(20)
    exempt = billing.customer(tax_exempt=True)
    assert billing.load(billing.invoice(exempt), lambda i: (i.lines[0].tax_category, i.total)) == ("E", D("10.00"))


def test_an_issued_invoice_cannot_change_in_the_database(billing, runtime_connection):
    invoice_id = billing.invoice(billing.customer())
    conn = runtime_connection
    for statement in ("UPDATE billing_invoices SET total = 0 WHERE id = %s",
                      "UPDATE billing_invoices SET number = 'X-1' WHERE id = %s",
                      "UPDATE billing_invoices SET buyer = '{}' WHERE id = %s",
                      "UPDATE billing_invoices SET status = 'draft' WHERE id = %s",
                      "DELETE FROM billing_invoices WHERE id = %s",
                      "UPDATE billing_invoice_lines SET unit_price = 0 WHERE invoice_id = %s",
                      "DELETE FROM billing_invoice_lines WHERE invoice_id = %s",
                      "UPDATE billing_invoice_taxes SET tax = 0 WHERE invoice_id = %s"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as_runtime(conn, billing.id, statement, invoice_id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_runtime(conn, billing.id, "INSERT INTO billing_invoice_lines (tenant_id, customer_id, invoice_id, position,"
                    " description, quantity, unit_code, unit_price, discount, prices_include_tax, tax_class,"
                    " tax_category, tax_rate, tax2_compound, net_amount, currency) SELECT tenant_id, customer_id, id,"
                    " 9, 'extra', 1, 'C62', 5, 0, false, 'standard', 'S', 19, false, 5, 'EUR'"
                    " FROM billing_invoices WHERE id = %s", invoice_id)
    # Payment state may change; the amounts are still what was issued.
    assert _as_runtime(conn, billing.id, "UPDATE billing_invoices SET status = 'overdue' WHERE id = %s",
                       invoice_id).rowcount == 1
    assert billing.load(invoice_id, lambda i: (i.total, len(i.lines))) == (D("11.90"), 1)


def test_the_orm_cannot_change_an_issued_invoice_either(billing):
    invoice_id = billing.invoice(billing.customer())
    with pytest.raises(DBAPIError, match="cannot be changed"):
        billing.run(lambda s: s.execute(update(Invoice).where(Invoice.id == invoice_id).values(total=1)))
    with pytest.raises(FieldError, match="not a draft"):
        billing.run(lambda s: invoices.add_line(s, s.get(Invoice, invoice_id), "More", 1, 1))
    with pytest.raises(FieldError, match="not a draft"):
        billing.run(lambda s: invoices.issue(s, s.get(Invoice, invoice_id)))


def test_drafts_can_change_and_be_dropped(billing):
    draft = billing.invoice(billing.customer(), issue=False)
    billing.run(lambda s: invoices.add_line(s, s.get(Invoice, draft), "Setup", 1, "5.00"))
    assert billing.load(draft, lambda i: (len(i.lines), i.total)) == (2, D("17.85"))
    billing.run(lambda s: invoices.cancel(s, s.get(Invoice, draft)))
    assert billing.load(draft, lambda i: (i.status, i.number)) == ("cancelled", None)


def test_partial_and_full_credit_notes(billing):
    customer = billing.customer()
    invoice_id = billing.invoice(customer, [("Hosting", "3", "10.00", {"discount": "1.00"}), ("Domain", "1", "12.00")])
    lines = billing.load(invoice_id, lambda i: [line.id for line in i.lines])
    first = billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id),
                                                     [{"line_id": lines[0], "quantity": D(1)}], "Outage").id)
    note = billing.load(first, lambda n: (n.kind, n.status, n.number, n.total, n.credited_invoice_id,
                                          [(line.quantity, line.discount) for line in n.lines]))
    assert note == ("credit_note", "issued", f"CN-{invoices_year(billing)}-00001", D("11.51"), invoice_id,
                    [(D(1), D("0.33"))])
    assert billing.load(invoice_id, lambda i: (i.status, i.amount_credited, i.amount_due)) == (
        "unpaid", D("11.51"), D("37.28"))
    with pytest.raises(FieldError, match="not credited yet"):
        billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id),
                                                 [{"line_id": lines[0], "quantity": D(3)}]))
    rest = billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)).id)
    # The rest of the discount goes on the last credit: 0.33 + 0.67 = 1.00.
    assert billing.load(rest, lambda n: [(line.quantity, line.discount) for line in n.lines]) == [
        (D(2), D("0.67")), (D(1), D("0.00"))]
    assert billing.load(invoice_id, lambda i: (i.status, i.amount_due)) == ("cancelled", D("0.00"))
    with pytest.raises(FieldError, match="credited in full"):
        billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)))


def test_cancel_credits_an_issued_invoice_in_full_and_signals(billing):
    seen = []

    @invoice_cancelled.connect
    def _seen(invoice, **kwargs):
        seen.append(invoice.id)

    try:
        invoice_id = billing.invoice(billing.customer())
        note_id = billing.run(lambda s: invoices.cancel(s, s.get(Invoice, invoice_id), "Ordered by mistake").id)
    finally:
        invoice_cancelled.disconnect(_seen)
    assert billing.load(note_id, lambda n: (n.kind, n.total, n.notes.startswith("Ordered by mistake"))) == (
        "credit_note", D("11.90"), True)
    assert billing.load(invoice_id, lambda i: i.status) == "cancelled"
    assert seen == [invoice_id]


def test_proforma_gets_its_legal_number_when_paid(make_billing):
    from mpanel_billing.ledger import record_payment

    billing = make_billing(proforma=True)
    invoice_id = billing.invoice(billing.customer(), on=JAN)
    assert billing.load(invoice_id, lambda i: (i.number, i.proforma_number, i.is_proforma)) == (
        None, "PRO-2026-00001", True)
    billing.run(lambda s: record_payment(s, s.get(Invoice, invoice_id), "11.90", "EUR", "bank", "tx-1"))
    number, status = billing.load(invoice_id, lambda i: (i.number, i.status))
    assert status == "paid" and number.endswith("-00001") and number.startswith("INV-")
    other = billing.invoice(billing.customer(), on=JAN)
    billing.run(lambda s: invoices.cancel(s, s.get(Invoice, other)))
    assert billing.load(other, lambda i: (i.status, i.number, i.amount_due)) == ("cancelled", None, D("0.00"))


def test_a_finalizing_receiver_can_veto_and_issued_is_sent(billing):
    from mpanel_billing.signals import invoice_finalizing

    draft = billing.invoice(billing.customer(), issue=False)
    issued = []

    def veto(invoice, **kwargs):
        raise Conflict("customer", "on hold")

    invoice_finalizing.connect(veto)
    try:
        with pytest.raises(FieldError, match="on hold"):
            billing.run(lambda s: invoices.issue(s, s.get(Invoice, draft)))
    finally:
        invoice_finalizing.disconnect(veto)
    assert billing.load(draft, lambda i: i.status) == "draft"
    def record(invoice, **kwargs):
        issued.append(invoice.number)

    others = set(invoice_issued.receivers)  # other plugins' receivers stay connected
    invoice_issued.connect(record)
    try:
        billing.run(lambda s: invoices.issue(s, s.get(Invoice, draft)))
    finally:
        invoice_issued.disconnect(record)
    assert set(invoice_issued.receivers) == others
    assert issued and issued[0].startswith("INV-")


def test_activation_seeds_the_eu_rates_once(app, billing):
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    def count(session):
        return session.scalar(select(func.count(TaxRule.id)).where(TaxRule.country.is_not(None)))

    assert billing.run(count) == 27
    billing.run(lambda s: s.execute(update(TaxRule).where(TaxRule.country == "DE").values(rate=D(16))))
    with app.app_context(), tenant_scope(billing.id, session=db.session):
        change_activation("billing", True)  # sends plugin_activated; the receiver seeds what is missing
    assert billing.run(count) == 27
    assert billing.run(lambda s: s.scalar(select(TaxRule.rate).where(TaxRule.country == "DE"))) == D(16)


def test_invalid_lines_are_refused_and_nothing_is_saved(billing):
    customer = billing.customer()
    before = billing.run(lambda s: s.scalar(select(func.count(InvoiceLine.id))))
    for kwargs, field in (({"quantity": 0}, "quantity"), ({"unit_price": -1}, "unit_price"),
                          ({"tax_class": "luxury"}, "tax_class")):
        values = {"description": "x", "quantity": 1, "unit_price": 1, **kwargs}
        with pytest.raises(FieldError) as error:
            billing.run(lambda s, v=values: invoices.add_line(
                s, invoices.create_draft(s, s.get(Customer, customer)), **v))
        assert error.value.field == field
    assert billing.run(lambda s: s.scalar(select(func.count(InvoiceLine.id)))) == before


def invoices_year(billing):
    return billing.run(lambda s: tenant_today(s).year)
