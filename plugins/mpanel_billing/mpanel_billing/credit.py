"""Credit notes: the only correction of an issued invoice.

A credit note repeats lines of its invoice (all that is not credited yet, or
chosen quantities), with the invoice's taxes and parties, in its own number
series. Issuing it settles what the invoice still owes; the rest becomes the
customer's credit (ledger.post_credit_note).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import to_decimal

from . import shares
from .invoices import issue
from .ledger import lock
from .models.columns import check_scale
from .models.invoice import CREDIT_NOTE, DRAFT, INVOICE, Invoice, InvoiceLine

_COPIED = ("description", "unit_code", "unit_price", "prices_include_tax", "price_tax_rate",
           "tax_class", "tax_category", "tax_rate", "tax_name", "tax2_name", "tax2_rate", "tax2_compound",
           "period_start", "period_end")


def credited_quantities(session, invoice: Invoice) -> dict[int, tuple[Decimal, Decimal]]:
    """Original line id -> (quantity, net amount) already on issued credit notes."""
    rows = session.execute(
        select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.quantity), func.sum(InvoiceLine.net_amount))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.credited_invoice_id == invoice.id, Invoice.status != DRAFT)
        .group_by(InvoiceLine.credited_line_id)).all()
    return {line_id: (quantity, net) for line_id, quantity, net in rows}


def _quantities(invoice: Invoice, credited: dict, wanted: list[dict] | None) -> dict[int, Decimal]:
    remaining = {line.id: line.quantity - credited.get(line.id, (0, 0))[0] for line in invoice.lines}
    sign = {line.id: 1 if line.quantity > 0 else -1 for line in invoice.lines}  # -1: a refund line
    if wanted is None:
        return {line_id: q for line_id, q in remaining.items() if q * sign[line_id] > 0}
    chosen = {}
    for index, item in enumerate(wanted):
        line_id = item.get("line_id")
        if line_id not in remaining:
            raise FieldError(f"lines.{index}.line_id", f"line {line_id} is not on this invoice")
        quantity = to_decimal(item.get("quantity", remaining[line_id]))
        check_scale(quantity, InvoiceLine.__table__.c.quantity, f"lines.{index}.quantity")
        left = remaining[line_id] - chosen.get(line_id, 0)
        if quantity * sign[line_id] <= 0 or abs(quantity) > abs(left):
            raise FieldError(f"lines.{index}.quantity",
                                    f"must be between 0 and the {remaining[line_id]} not credited yet")
        chosen[line_id] = chosen.get(line_id, 0) + quantity
    return chosen


def credit_note(session, invoice: Invoice, lines: list[dict] | None = None, reason: str = "Correction") -> Invoice:
    """Issue a credit note for ``invoice``: every line not yet credited, or
    ``lines`` = [{"line_id": ..., "quantity": ...}]. Returns the credit note."""
    if invoice.kind != INVOICE or invoice.number is None:
        raise Conflict("invoice", "credit notes correct issued invoices (cancel drafts and proformas instead)")
    lock(session, invoice)  # one credit note at a time per invoice; the account first, as everywhere
    credited = credited_quantities(session, invoice)
    quantities = _quantities(invoice, credited, lines)
    if not quantities:
        raise Conflict("lines", "the invoice is credited in full already")
    note = Invoice(customer=invoice.customer, customer_id=invoice.customer_id, kind=CREDIT_NOTE, status=DRAFT,
                   currency=invoice.currency, language=invoice.language, seller=invoice.seller,
                   buyer=invoice.buyer, credited_invoice=invoice, credited_invoice_id=invoice.id,
                   exemption_reasons=invoice.exemption_reasons,
                   notes=f"{reason} (credit note for invoice {invoice.number} of {invoice.issue_date})")
    for position, line in enumerate(invoice.lines, 1):
        quantity = quantities.get(line.id)
        if quantity is None:
            continue
        done_quantity, done_net = credited.get(line.id, (0, 0))
        # What all credits of the line come to with this one, less what earlier ones took (shares.py).
        net = shares.net_for(line, done_quantity + quantity, invoice.currency) - done_net
        net = max(net, 0) if line.quantity > 0 else min(net, 0)  # a refund line's credit is negative
        discount = shares.discount_for(line, quantity, net, invoice.currency)
        note.lines.append(InvoiceLine(**{name: getattr(line, name) for name in _COPIED}, position=position,
                                      quantity=quantity, discount=discount, credited_line_id=line.id,
                                      discount_reason=line.discount_reason or ("Rounding" if discount else None),
                                      customer_id=invoice.customer_id, currency=invoice.currency))
    session.add(note)
    return issue(session, note)
