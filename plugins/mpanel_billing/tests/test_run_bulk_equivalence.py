"""The billing run's bulk path (bulk.py, set-based SQL) writes exactly what the
per-invoice path (invoices.issue) writes: invoices, lines, taxes, ledger, document
outbox rows, billed periods and the services' new state — for domestic, reverse
charge, exempt, non-EU and multi-currency customers, under every invoicing policy."""

import datetime as dt

import pytest
from mpanel_billing import run
from mpanel_billing.models import Invoice, LedgerEntry, Service, ServicePeriod
from mpanel_billing.signals import invoice_issued
from mpanel_billing.testing import D
from sqlalchemy import select

from mpanel.core.audit import AuditLog
from mpanel.core.outbox import OutboxMessage

DAY = dt.date(2025, 3, 1)
CUSTOMERS = [
    {"country": "DE"},
    {"country": "DE", "company": 'Müller & Söhne "GmbH"', "address2": "Hinterhaus\\2", "region": "Hamburg"},
    {"country": "FR", "company": "Société", "vat_id": "FR40303265045"},
    {"country": "AT"},
    {"country": "US", "region": "CA"},
    {"country": "DE", "tax_exempt": True},
    {"country": "CH"},
]
# (tax class, price, currency, cycle, days after DAY it is due)
SERVICES = [("standard", "10.00", "EUR", "monthly", 0), ("reduced", "19.99", "EUR", "monthly", 0),
            ("standard", "0.00", "EUR", "monthly", 0), ("standard", "7.10", "USD", "annually", 3),
            ("exempt", "33.33", "EUR", "monthly", 0)]


def seed(billing) -> list[int]:
    def add_services(session, customer_id):
        for tax_class, amount, currency, cycle, offset in SERVICES:
            due = DAY + dt.timedelta(days=offset)
            session.add(Service(customer_id=customer_id, product_id=1, description=f"Web {tax_class}", cycle=cycle,
                                currency=currency, recurring_amount=D(amount), status="active", start_date=due,
                                anchor_date=due, periods_billed=0, next_due_date=due, tax_class=tax_class))

    ids = [billing.customer(**fields) for fields in CUSTOMERS]
    for customer_id in ids:
        billing.run(add_services, customer_id)
    return ids


def _invoice_row(invoice: Invoice, order: dict) -> tuple:
    buyer = {k: v for k, v in invoice.buyer.items() if k not in ("customer_id", "email")}
    lines = [(line.position, line.description, line.quantity, line.unit_code, line.unit_price, line.discount,
              line.discount_reason, line.tax_class, line.tax_category, line.tax_rate, line.tax_name,
              line.prices_include_tax, line.price_tax_rate, line.tax2_name, line.tax2_rate, line.tax2_compound,
              line.net_amount, line.gross_amount, line.period_start, line.period_end) for line in invoice.lines]
    taxes = sorted((t.level, t.name, t.category, t.rate, t.taxable, t.tax) for t in invoice.taxes)
    return (order[invoice.customer_id], invoice.kind, invoice.status, invoice.number, invoice.number_seq,
            invoice.proforma_number, invoice.issue_date, invoice.due_date, invoice.currency, invoice.rounding,
            invoice.language, invoice.seller, buyer, invoice.notes, invoice.exemption_reasons, invoice.net_total,
            invoice.tax_total, invoice.total, invoice.amount_paid, invoice.amount_credited,
            invoice.issued_at is not None, lines, taxes)


def snapshot(billing, customer_ids) -> dict:
    """Everything the run wrote, with customers replaced by their position in ``customer_ids``."""
    order = {customer_id: n for n, customer_id in enumerate(customer_ids)}

    def read(s):
        return {
            "invoices": [_invoice_row(i, order) for i in
                         s.scalars(select(Invoice).order_by(Invoice.proforma_number, Invoice.number_seq))],
            "ledger": sorted((order[e.customer_id], e.kind, e.currency, e.amount)
                             for e in s.scalars(select(LedgerEntry))),
            "documents": sorted(m.dedupe_key.split(":")[-1] for m in s.scalars(select(OutboxMessage))
                                if m.kind == "billing.document"),
            "periods": sorted((order[p.customer_id], p.period_start, p.period_end, p.amount, p.currency)
                              for p in s.scalars(select(ServicePeriod))),
            "services": sorted((order[sv.customer_id], sv.description, sv.periods_billed, sv.next_due_date)
                               for sv in s.scalars(select(Service))),
        }

    return billing.run(read)


def batch_audits(billing) -> int:
    return len(billing.run(lambda s: s.scalars(select(AuditLog.id).where(AuditLog.action == "billing.run.batch"))
                           .all()))


@pytest.mark.parametrize("settings", [{}, {"proforma": True}, {"tax_rounding": "keep_gross"}])
def test_the_bulk_path_writes_what_the_per_invoice_path_writes(make_billing, settings):
    settings = {**settings, "tax_exchange_rates": "USD=0.9234"}  # the VAT of USD invoices also in EUR (art. 230)
    bulk_tenant, single_tenant = make_billing(**settings), make_billing(**settings)
    bulk_ids, single_ids = seed(bulk_tenant), seed(single_tenant)
    bulk_counts = bulk_tenant.run(lambda s: run.run(s, on=DAY))
    single_counts = single_tenant.run(lambda s: run.run(s, on=DAY, bulk_path=False))
    assert bulk_counts == single_counts
    assert batch_audits(bulk_tenant) >= 1 and batch_audits(single_tenant) == 0  # each took its own path
    bulk, single = snapshot(bulk_tenant, bulk_ids), snapshot(single_tenant, single_ids)
    assert len(bulk["invoices"]) == 2 * len(CUSTOMERS)  # EUR today, USD in 3 days
    for key in bulk:
        assert bulk[key] == single[key], key


def test_a_receiver_of_the_issue_signals_keeps_the_bulk_path_and_gets_every_invoice(billing):
    """The bulk path sends invoice_finalizing and invoice_issued as invoices.issue does,
    instead of switching itself off for every tenant while anybody listens."""
    from mpanel_billing.signals import invoice_finalizing

    billing.configure(tax_exchange_rates="USD=0.9234")  # the VAT of USD invoices also in EUR (art. 230)
    ids = seed(billing)
    seen = {"finalizing": [], "issued": []}

    def finalizing(invoice, **kwargs):
        seen["finalizing"].append((invoice.status, invoice.number))

    def issued(invoice, **kwargs):
        seen["issued"].append((invoice.status, invoice.number))

    invoice_finalizing.connect(finalizing)
    invoice_issued.connect(issued)
    try:
        counts = billing.run(lambda s: run.run(s, on=DAY))
    finally:
        invoice_finalizing.disconnect(finalizing)
        invoice_issued.disconnect(issued)
    assert batch_audits(billing) >= 1  # the bulk path
    numbers = sorted(row[3] for row in snapshot(billing, ids)["invoices"])
    assert counts["invoices"] == len(numbers) == len(seen["issued"]) == len(seen["finalizing"])
    assert {status for status, _n in seen["finalizing"]} == {"draft"}
    assert sorted(number for _s, number in seen["issued"]) == numbers and None not in numbers
