"""Dunning: a reminder before the due date, overdue notices, a late fee.

Each step taken is a row unique per (invoice, step), inserted in the same
transaction as its mail (outbox, dedupe key) or its late-fee invoice, so a
step happens once however often the run repeats. A run that finds several
notices due sends only the latest one: a late run never fans out.
"""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.clock import tenant_today
from mpanel.core.money import quantize
from mpanel.core.tasks import per_tenant_periodic, record_failure
from mpanel.core.tenancy import require_tenant_id

from . import invoices, ledger, mailing
from .models.dunning import DunningStep
from .models.invoice import INVOICE, OPEN, OVERDUE, Invoice
from .settings import load as load_settings
from .signals import invoice_overdue

log = logging.getLogger(__name__)
REMINDER, LATE_FEE = "reminder", "late_fee"


def due_steps(invoice: Invoice, on: dt.date, settings) -> list[tuple[str, int]]:
    """The steps the invoice has reached on ``on``: (step, days past due)."""
    late = (on - invoice.due_date).days
    if late <= 0:
        early = -late
        return [(REMINDER, late)] if settings.reminder_days_before and early <= settings.reminder_days_before else []
    steps = []
    reached = [days for days in settings.overdue_days if late >= days]
    if reached:
        steps.append((f"overdue_{max(reached)}", late))
    if settings.late_fee_type != "none" and late >= settings.late_fee_after_days and not invoice.late_fee_for_id:
        steps.append((LATE_FEE, late))
    return steps


def _take(session, invoice: Invoice, step: str) -> bool:
    """Record the step; False if it was taken before."""
    return session.execute(
        insert(DunningStep).values(tenant_id=require_tenant_id(), customer_id=invoice.customer_id,
                                   invoice_id=invoice.id, step=step)
        .on_conflict_do_nothing(index_elements=["invoice_id", "step"]).returning(DunningStep.id)).scalar() is not None


def open_net(invoice: Invoice):
    """The net part of what the invoice still owes (VAT is no base for a fee)."""
    if invoice.total <= 0:
        return invoice.amount_due
    return invoice.amount_due * invoice.net_total / invoice.total


def _late_fee(session, invoice: Invoice, on: dt.date, settings) -> Invoice | None:
    amount = settings.late_fee_amount
    if settings.late_fee_type == "percent":  # of the net open amount: the open share of the net total
        amount = open_net(invoice) * amount / 100
    amount = quantize(amount, invoice.currency)
    if amount <= 0:
        return None
    fee = invoices.create_draft(session, invoice.customer, invoice.currency)
    fee.late_fee_for_id = invoice.id
    invoices.add_line(session, fee, f"Late fee for invoice {invoice.display_number}", 1, amount,
                      tax_class=settings.late_fee_tax)
    return invoices.issue(session, fee, on=on)


def process(session, invoice: Invoice, on: dt.date, settings) -> list[str]:
    """Take the steps ``invoice`` has reached; returns the steps taken."""
    ledger.lock(session, invoice)
    if invoice.status not in OPEN:
        return []
    if on > invoice.due_date and invoice.status != OVERDUE:
        invoice.status = OVERDUE
        invoice_overdue.send(invoice, days=(on - invoice.due_date).days)
    taken = []
    for step, days in due_steps(invoice, on, settings):
        if not _take(session, invoice, step):
            continue
        fee = _late_fee(session, invoice, on, settings) if step == LATE_FEE else None
        mailing.enqueue_dunning(session, invoice, step, abs(days), fee)
        taken.append(step)
    return taken


def run(session, on: dt.date | None = None) -> dict:
    """One dunning pass over the tenant in scope, one transaction per invoice."""
    settings = load_settings(session)
    on = on or tenant_today(session)
    horizon = on + dt.timedelta(days=settings.reminder_days_before)
    ids = session.scalars(select(Invoice.id).where(Invoice.kind == INVOICE, Invoice.status.in_(OPEN),
                                                   Invoice.due_date <= horizon).order_by(Invoice.id)).all()
    counts = {"invoices": len(ids), "steps": 0, "failures": 0}
    for invoice_id in ids:
        try:
            counts["steps"] += len(process(session, session.get(Invoice, invoice_id), on, settings))
            session.commit()
        except Exception as exc:
            session.rollback()
            log.exception("dunning of invoice %s failed", invoice_id)
            record_failure(counts, f"invoice {invoice_id}", exc)
    return counts


@per_tenant_periodic(crontab(minute="17"), "billing.dunning", uses=("billing",))
def dunning(counts: dict) -> int:
    """Hourly, per tenant (each tenant's own date decides)."""
    from mpanel.extensions import db

    counts.update(run(db.session))
    return counts.get("failures", 0)
