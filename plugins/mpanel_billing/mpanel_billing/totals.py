"""EN 16931 document totals, rounded per line and per VAT breakdown.

Each line net (BT-131) is rounded, the document sums are exact sums of rounded
amounts (BR-CO-10..BR-CO-16), and VAT is computed once per VAT category and
rate from that group's taxable amount (BR-S-08/09, BR-AE-08, BR-E-08, ...).
Lines with a kept gross amount (tax-inclusive prices under the "keep_gross"
policy) add gross - net instead, which BR-S-09 tolerates (it allows 1.00).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mpanel.core.money import quantize, to_decimal

from .documents import STANDARD, Document, DocumentLine


@dataclass(frozen=True)
class VatBreakdown:
    """One BG-23 group: all lines, allowances and charges of one category and rate."""

    category: str  # BT-118
    rate: Decimal  # BT-119
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117


@dataclass(frozen=True)
class Totals:
    currency: str
    line_nets: tuple[Decimal, ...]  # BT-131, in the order of Document.lines
    line_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    breakdown: tuple[VatBreakdown, ...]  # BG-23, in order of first use
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    payable: Decimal  # BT-115


def line_net(line: DocumentLine, currency: str) -> Decimal:
    """BT-131: quantity x price / base quantity - allowance + charge, rounded once."""
    gross = line.quantity * line.unit_price / line.base_quantity
    return quantize(gross - line.allowance + line.charge, currency)


def net_from_gross(gross, rate, currency: str) -> Decimal:
    """Net unit price for a price that includes VAT at ``rate`` percent.

    99.99 at 19 % gives 84.03; the VAT shown to the customer is then
    gross - net = 15.96, while the EN 16931 breakdown of a document with that
    net computes round(84.03 x 19 %) = 15.97.
    """
    return quantize(to_decimal(gross) * 100 / (100 + to_decimal(rate)), currency)


def compute_totals(document: Document) -> Totals:
    currency = document.currency
    zero = quantize(0, currency)
    line_nets = tuple(line_net(line, currency) for line in document.lines)

    # (category, rate) -> taxable amount; Decimal("19") and Decimal("19.00")
    # compare and hash equal, so they share a group. "rounded" is the part
    # whose VAT is computed (and rounded) once per group, "kept" the VAT of
    # lines with a kept gross amount.
    taxable: dict[tuple[str, Decimal], Decimal] = {}
    rounded: dict[tuple[str, Decimal], Decimal] = {}
    kept: dict[tuple[str, Decimal], Decimal] = {}
    for line, net in zip(document.lines, line_nets, strict=True):
        key = (line.tax_category, line.tax_rate)
        taxable[key] = taxable.get(key, zero) + net
        if line.gross_amount is None:
            rounded[key] = rounded.get(key, zero) + net
        else:
            kept[key] = kept.get(key, zero) + quantize(line.gross_amount, currency) - net

    allowance_total = charge_total = zero
    for item in document.allowances_charges:
        amount = quantize(item.amount, currency)
        key = (item.tax_category, item.tax_rate)
        signed = amount if item.is_charge else -amount
        if item.is_charge:
            charge_total += amount
        else:
            allowance_total += amount
        taxable[key] = taxable.get(key, zero) + signed
        rounded[key] = rounded.get(key, zero) + signed

    def group_tax(category: str, rate: Decimal) -> Decimal:
        # Only standard rated groups carry VAT; Z/E/AE/K/G/O are zero by definition.
        if category != STANDARD:
            return zero
        if (category, rate) in document.vat_amounts:  # a credit note's share of its invoice's VAT
            return quantize(document.vat_amounts[(category, rate)], currency)
        return (quantize(rounded.get((category, rate), zero) * rate / 100, currency)
                + kept.get((category, rate), zero))

    breakdown = tuple(VatBreakdown(category, rate, amount, group_tax(category, rate))
                      for (category, rate), amount in taxable.items())

    line_total = sum(line_nets, zero)
    tax_exclusive = line_total - allowance_total + charge_total
    tax_total = sum((group.tax for group in breakdown), zero)
    tax_inclusive = tax_exclusive + tax_total
    prepaid = quantize(document.prepaid_amount, currency)
    return Totals(
        currency=currency,
        line_nets=line_nets,
        line_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        breakdown=breakdown,
        tax_total=tax_total,
        tax_inclusive=tax_inclusive,
        prepaid=prepaid,
        payable=tax_inclusive - prepaid,
    )
