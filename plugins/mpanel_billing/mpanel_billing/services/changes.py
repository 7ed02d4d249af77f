"""Up-/downgrades (prorated now, or at the end of the period) and cancellation requests."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from mpanel.core import audit

from .. import credit, invoices
from ..errors import BillingError, BillingInputError
from ..models.invoice import InvoiceLine
from ..proration import day_fraction, prorate
from ..run import local_date, record_periods
from . import lifecycle
from .models import ACTIVE, CANCELLED, SUSPENDED, Service, ServicePeriod
from .pricing import tax_class
from .settings import load as load_settings

WHEN = ("now", "period_end")


def request_cancellation(session, service: Service, when: str) -> None:
    if when not in WHEN:
        raise BillingInputError("when", f"one of {', '.join(WHEN)}")
    if when == "now" or service.next_due_date is None:
        lifecycle.transition(session, service, CANCELLED, "cancellation requested")
        return
    if service.status not in (ACTIVE, SUSPENDED):
        raise BillingError("status", f"a {service.status} service cannot be cancelled at the end of its period")
    service.cancel_at = service.next_due_date
    audit.record(session, "service.cancel_requested", "Service", service.id, {"at": service.cancel_at.isoformat()})


def new_terms(session, service: Service, product_id, cycle: str) -> dict:
    """The locked renewal price of the new product and cycle, from the catalogue."""
    from mpanel_catalog.calculator import quote_product

    quote = quote_product(session, product_id, cycle, customer=service_customer(session, service),
                          currency=service.currency, renewal=1)
    return {"product_id": int(product_id), "cycle": cycle, "description": quote.lines[0].description,
            "tax_class": tax_class(quote.lines[0].tax_class),
            "recurring_amount": str(sum((line.amount for line in quote.lines if line.recurring), Decimal(0)))}


def service_customer(session, service: Service):
    from mpanel.modules.customers.models import Customer

    return session.get(Customer, service.customer_id)


def apply_terms(service: Service, terms: dict, anchor: dt.date) -> None:
    """The new terms from ``anchor`` on: periods of the new cycle count from there."""
    service.anchor_date, service.periods_billed, service.next_due_date = anchor, 0, anchor
    service.product_id, service.cycle, service.description = terms["product_id"], terms["cycle"], terms["description"]
    service.tax_class, service.recurring_amount = terms["tax_class"], Decimal(terms["recurring_amount"])
    service.pending_change = None


def change_product(session, service: Service, product_id, cycle: str, on: dt.date | None = None):
    """Change plan. ``period_end`` (tenant setting): the next renewal bills the new terms.
    ``immediate``: a credit note for the unused days of the current period and an invoice
    for the new price of those days; returns (credit note, invoice) or None."""
    if service.status != ACTIVE:
        raise BillingError("status", "only an active service can change its plan")
    terms = new_terms(session, service, product_id, cycle)
    if load_settings(session).change_proration == "period_end":
        service.pending_change = terms
        audit.record(session, "service.change_requested", "Service", service.id, terms)
        return None
    on = on or local_date(session)
    current = session.scalar(select(ServicePeriod).where(ServicePeriod.service_id == service.id,
                                                         ServicePeriod.period_start <= on,
                                                         ServicePeriod.period_end >= on))
    if current is None:
        raise BillingError("service", "the current period was not billed: nothing to prorate")
    credit_amount, charge = prorate(current.amount, Decimal(terms["recurring_amount"]), current.period_start,
                                    current.period_end, on, service.currency)
    left, total = day_fraction(current.period_start, current.period_end, on)
    line = session.scalar(select(InvoiceLine).where(InvoiceLine.invoice_id == current.invoice_id,
                                                    InvoiceLine.period_start == current.period_start,
                                                    InvoiceLine.description == service.description).limit(1))
    unused = (Decimal(left) / total).quantize(Decimal("0.0001"), ROUND_DOWN)  # a quantity: never credit too much
    note = credit.credit_note(session, line.invoice, [{"line_id": line.id, "quantity": unused}],
                              reason=f"Plan change on {on.isoformat()}") if credit_amount and line else None
    apply_terms(service, terms, current.period_end + dt.timedelta(days=1))
    draft = invoices.create_draft(session, service_customer(session, service), service.currency)
    added = invoices.add_line(session, draft, service.description, 1, charge, tax_class=service.tax_class,
                              period_start=on, period_end=current.period_end)
    session.flush()
    record_periods(session, draft, [(service, on, current.period_end, added)])
    invoices.issue(session, draft, on=on)
    audit.record(session, "service.changed", "Service", service.id, {**terms, "credit": str(credit_amount),
                                                                      "charge": str(charge)})
    return note, draft
