"""An issued invoice's status follows its money: settle() after every change.

Paid amounts only grow (money going back leaves through the credit balance),
so an invoice moves unpaid/overdue -> partially paid -> paid, or to cancelled
(credited in full, never paid) or refunded (credited in full after payment).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from .models.invoice import CANCELLED, INVOICE, PAID, PARTIALLY_PAID, REFUNDED, UNPAID, Invoice, InvoiceLine
from .signals import invoice_cancelled, invoice_paid


def fully_credited(session, invoice: Invoice) -> bool:
    """Every line's whole quantity is on issued credit notes."""
    credited = dict(session.execute(
        select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.quantity))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.credited_invoice_id == invoice.id, Invoice.status != "draft")
        .group_by(InvoiceLine.credited_line_id)).all())
    return all(abs(credited.get(line.id, 0)) >= abs(line.quantity) for line in invoice.lines)


def settle(session, invoice: Invoice, payment=None, credited: bool = False) -> None:
    """Set the status from the amounts (``credited``: after a credit note);
    send invoice_paid/invoice_cancelled on the change."""
    if invoice.kind != INVOICE or invoice.status == CANCELLED:
        return
    before = invoice.status
    if credited and fully_credited(session, invoice):
        status = REFUNDED if invoice.paid_at else CANCELLED
    elif invoice.amount_due == 0:
        status = PAID
    elif invoice.amount_paid > 0 and before == UNPAID:
        status = PARTIALLY_PAID
    else:
        status = before
    if status == before:
        return
    invoice.status = status
    now = dt.datetime.now(dt.UTC)
    if status == PAID:
        invoice.paid_at = now
        if invoice.is_proforma:
            from .invoices import finalize_proforma

            finalize_proforma(session, invoice)
        invoice_paid.send(invoice, payment=payment)
    elif status == CANCELLED:
        invoice.cancelled_at = now
        invoice_cancelled.send(invoice)
