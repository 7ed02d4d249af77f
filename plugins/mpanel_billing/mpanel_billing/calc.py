"""Invoice amounts from invoice lines, through totals.py.

A line is anything with the attributes of ``InvoiceLine`` (the model, or
``LineData`` in tests). Net-priced lines become EN 16931 lines as they are;
a tax-inclusive price is turned into the line's net amount first,
round(gross x 100 / (100 + rate)), and shown as that net per the line's
quantity (BT-149 base quantity), so BT-131 stays qty x price exactly.

Second-level taxes (outside EN 16931) are computed per name and rate on the
nets of their lines, compound ones on net plus the line's VAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mpanel.core.money import quantize

from .documents import NEEDS_EXEMPTION_REASON, STANDARD, Document, DocumentLine, Party
from .totals import Totals, compute_totals

EN16931, KEEP_GROSS = "en16931", "keep_gross"
_PARTY = Party(name="-", street="-", city="-", postcode="-", country="DE")
_REASONS = dict.fromkeys(NEEDS_EXEMPTION_REASON, "-")


@dataclass(frozen=True)
class LineData:
    """A line's inputs, for callers without a model (tests, previews)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_category: str = STANDARD
    tax_rate: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    discount_reason: str | None = None
    prices_include_tax: bool = False
    price_tax_rate: Decimal | None = None
    tax2_name: str | None = None
    tax2_rate: Decimal | None = None
    tax2_compound: bool = False
    unit_code: str = "C62"
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class SecondLevelTax:
    name: str
    rate: Decimal
    compound: bool
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class InvoiceAmounts:
    totals: Totals  # EN 16931: nets, VAT breakdown
    second_level: tuple[SecondLevelTax, ...]
    net_total: Decimal
    tax_total: Decimal  # VAT and second-level taxes
    total: Decimal
    gross_amounts: tuple[Decimal | None, ...]  # per line, where a gross was kept
    rounding: str  # the policy applied (keep_gross falls back to en16931 beyond BR-S-09's tolerance)


def _adjustment(line, amount: Decimal) -> dict:
    """A signed line discount as an EN 16931 allowance (positive) or charge (negative)."""
    if amount > 0:
        return {"allowance": amount, "allowance_reason": line.discount_reason or "Discount"}
    if amount < 0:
        return {"charge": -amount, "charge_reason": line.discount_reason or "Surcharge"}
    return {}


def document_line(line, number: int, currency: str, keep_gross: bool) -> DocumentLine:
    common = {"id": str(number), "description": line.description, "quantity": line.quantity,
              "unit_code": line.unit_code, "tax_category": line.tax_category, "tax_rate": line.tax_rate,
              "period_start": line.period_start, "period_end": line.period_end}
    if not line.prices_include_tax:
        return DocumentLine(unit_price=line.unit_price, **common, **_adjustment(line, line.discount))
    factor = 100 / (100 + line.price_tax_rate)
    full = quantize(line.quantity * line.unit_price, currency)
    gross = full - quantize(line.discount, currency)
    net = quantize(gross * factor, currency)
    undiscounted = quantize(full * factor, currency)
    kept = keep_gross and line.tax_category == STANDARD and line.tax_rate == line.price_tax_rate
    return DocumentLine(unit_price=undiscounted, base_quantity=line.quantity, gross_amount=gross if kept else None,
                        **common, **_adjustment(line, undiscounted - net))


def build_document(lines, currency: str, keep_gross: bool = False, **header) -> Document:
    """A Document of ``lines``; without ``header`` fields, placeholders good for totals only."""
    header = {"kind": "invoice", "number": "-", "issue_date": date.min, "seller": _PARTY, "buyer": _PARTY,
              "exemption_reasons": _REASONS, **header}
    doc_lines = tuple(document_line(line, n, currency, keep_gross) for n, line in enumerate(lines, 1))
    return Document(currency=currency, lines=doc_lines, **header)


def _within_tolerance(totals: Totals) -> bool:
    """Kept gross amounts move a group's VAT off round(taxable x rate); BR-S-09 allows < 1."""
    return all(abs(g.tax - quantize(g.taxable * g.rate / 100, totals.currency)) < 1 for g in totals.breakdown)


def second_level(lines, nets, currency: str) -> tuple[SecondLevelTax, ...]:
    bases: dict[tuple[str, Decimal, bool], Decimal] = {}
    for line, net in zip(lines, nets, strict=True):
        if line.tax2_rate is None:
            continue
        key = (line.tax2_name, line.tax2_rate, line.tax2_compound)
        base = net * (1 + line.tax_rate / 100) if line.tax2_compound else net
        bases[key] = bases.get(key, Decimal(0)) + base
    return tuple(SecondLevelTax(name, rate, compound, quantize(base, currency), quantize(base * rate / 100, currency))
                 for (name, rate, compound), base in bases.items())


def compute(lines, currency: str, rounding: str = EN16931, vat_amounts=None) -> InvoiceAmounts:
    """``vat_amounts``: BT-117 fixed per (category, rate), see Document.vat_amounts."""
    lines = list(lines)
    vat_amounts = vat_amounts or {}
    document = build_document(lines, currency, rounding == KEEP_GROSS, vat_amounts=vat_amounts)
    totals = compute_totals(document)
    if not _within_tolerance(totals):  # very many kept lines: fall back to EN 16931 rounding
        rounding = EN16931
        document = build_document(lines, currency, vat_amounts=vat_amounts)
        totals = compute_totals(document)
    extra = second_level(lines, totals.line_nets, currency)
    tax_total = totals.tax_total + sum((t.tax for t in extra), Decimal(0))
    return InvoiceAmounts(totals, extra, totals.tax_exclusive, tax_total, totals.tax_exclusive + tax_total,
                          tuple(line.gross_amount for line in document.lines), rounding)
