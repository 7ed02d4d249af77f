"""Business counters on /metrics: invoices issued (one by one and by the billing run's
bulk path) and payments, counted when their transaction commits and not before."""

import pytest
from mpanel_billing import invoices, ledger, run
from mpanel_billing.models import Invoice, Service
from prometheus_client.parser import text_string_to_metric_families

from mpanel.core.clock import tenant_today
from mpanel.modules.customers.models import Customer


def events(client) -> dict:
    text = client.get("/metrics").get_data(as_text=True)
    family = {f.name: f for f in text_string_to_metric_families(text)}.get("mpanel_business_events")
    return {s.labels["event"]: s.value for s in family.samples if s.name.endswith("_total")} if family else {}


def test_issued_invoices_and_payments_are_counted_once_committed(client, billing):
    before = events(client)
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "1", "10.00")])
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), "11.90", "EUR", "bank", "T-1"))
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), "11.90", "EUR", "bank", "T-1"))

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), billing.scope() as session:  # issued, then rolled back: not counted
        draft = invoices.create_draft(session, session.get(Customer, billing.customer()), "EUR")
        invoices.add_line(session, draft, "Never", 1, "5.00")
        invoices.issue(session, draft)
        raise Abandoned

    day = billing.run(tenant_today)  # numbers are chronological: not before the invoice above

    def due_services(session):
        customer_id = billing.customer()
        for _ in range(3):
            session.add(Service(customer_id=customer_id, product_id=1, description="Web", cycle="monthly",
                                currency="EUR", recurring_amount=10, status="active", start_date=day,
                                anchor_date=day, periods_billed=0, next_due_date=day))

    billing.run(due_services)
    billing.run(lambda s: run.run(s, on=day))  # one invoice for the customer's three services
    after = events(client)
    assert after["invoices_issued"] - before.get("invoices_issued", 0) == 2
    assert after["payments_recorded"] - before.get("payments_recorded", 0) == 1  # the duplicate is no payment
