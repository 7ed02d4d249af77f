"""A credit note's share of its invoice, taken cumulatively, so that partial
credits add up to exactly what was invoiced and never more.

What is credited up to and including a note is computed as the invoice itself
computes it, for the quantities credited so far; the note takes the difference
to what earlier notes credited. So the note that completes a line takes the
line's remainder, and the one that completes a VAT group the group's VAT.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from mpanel.core.money import quantize

from . import calc
from .documents import STANDARD
from .models.invoice import CREDIT_NOTE, DRAFT, Invoice, InvoiceTax
from .totals import Totals, line_net


def net_for(line, quantity: Decimal, currency: str) -> Decimal:
    """BT-131 of ``quantity`` of the invoice ``line``, its discount shared pro rata."""
    if quantity == line.quantity:
        return line.net_amount
    data = calc.LineData(description=line.description, quantity=quantity, unit_price=line.unit_price,
                         tax_category=line.tax_category, tax_rate=line.tax_rate, discount_reason="-",
                         discount=quantize(line.discount * quantity / line.quantity, currency),
                         prices_include_tax=line.prices_include_tax, price_tax_rate=line.price_tax_rate)
    return line_net(calc.document_line(data, 1, currency, False), currency)


def discount_for(line, quantity: Decimal, net: Decimal, currency: str) -> Decimal:
    """The discount (negative: surcharge) that makes ``quantity`` of ``line`` come to ``net``;
    calc.document_line then rounds back to ``net`` exactly (the rest is under half a cent)."""
    full = quantize(quantity * line.unit_price, currency)
    if line.prices_include_tax:
        return full - quantize(net * (100 + line.price_tax_rate) / 100, currency)
    return full - net


def vat_shares(session, note: Invoice, totals: Totals) -> dict[tuple[str, Decimal], Decimal]:
    """BT-117 per standard-rated group of the credit ``note``: the VAT of all that is
    credited of the group so far (the invoice's own VAT once all of it is), less what
    earlier credit notes took."""
    invoice = note.credited_invoice
    billed = {(t.category, t.rate): t for t in invoice.taxes if t.level == 1}
    earlier = {(category, rate): (taxable, tax) for category, rate, taxable, tax in session.execute(
        select(InvoiceTax.category, InvoiceTax.rate, func.sum(InvoiceTax.taxable), func.sum(InvoiceTax.tax))
        .join(Invoice, Invoice.id == InvoiceTax.invoice_id)
        .where(Invoice.credited_invoice_id == invoice.id, Invoice.kind == CREDIT_NOTE, Invoice.status != DRAFT,
               InvoiceTax.level == 1)
        .group_by(InvoiceTax.category, InvoiceTax.rate))}
    shares = {}
    for group in totals.breakdown:
        key = (group.category, group.rate)
        if group.category != STANDARD or key not in billed:
            continue
        taxable_before, tax_before = earlier.get(key, (0, 0))
        taxable = taxable_before + group.taxable
        if taxable >= billed[key].taxable:
            target = billed[key].tax
        else:
            target = min(quantize(taxable * group.rate / 100, totals.currency), billed[key].tax)
        shares[key] = max(target - tax_before, quantize(0, totals.currency))
    return shares
