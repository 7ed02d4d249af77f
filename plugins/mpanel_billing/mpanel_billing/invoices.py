"""Invoices: drafts, lines, issue, cancel.

Everything works inside the caller's transaction and tenant scope and never
commits. Issuing assigns the number last, right before the ledger entry and
the outbox message, so the numbering lock is held as briefly as possible.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from mpanel.core import counters
from mpanel.core.clock import tenant_today
from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import to_decimal, validate_currency
from mpanel.core.tenancy import require_tenant_id
from mpanel.core.unit_of_work import service
from mpanel.modules.tenants.models import Tenant

from . import calc, ledger, mailing, shares, taxcurrency
from .models.columns import check_scale
from .models.invoice import (
    CANCELLED,
    CREDIT_NOTE,
    DRAFT,
    INVOICE,
    ISSUED,
    UNPAID,
    Invoice,
    InvoiceLine,
    InvoiceTax,
)
from .models.tax import TAX_CLASSES, TaxRule
from .numbering import next_number
from .parties import buyer_snapshot, seller_snapshot
from .settings import load as load_settings
from .signals import invoice_cancelled, invoice_finalizing, invoice_issued
from .tax.rules import Buyer, decide
from .tax.vies import vat_id_valid


def _tenant(session) -> Tenant:
    return session.get(Tenant, require_tenant_id())


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != DRAFT:
        raise Conflict("status", f"invoice {invoice.display_number} is {invoice.status}, not a draft")


def create_draft(session, customer, currency: str | None = None, due_date: dt.date | None = None,
                 notes: str | None = None, tax_exchange_rate=None) -> Invoice:
    """``tax_exchange_rate``: 1 unit of ``currency`` in the seller's national currency (taxcurrency.py)."""
    try:
        currency = validate_currency(currency or customer.currency)
    except ValueError as exc:
        raise FieldError("currency", str(exc)) from None
    invoice = Invoice(customer=customer, customer_id=customer.id, kind=INVOICE, status=DRAFT, currency=currency,
                      due_date=due_date, notes=notes, language=customer.language, exemption_reasons={},
                      tax_currency_rate=taxcurrency.check_rate(tax_exchange_rate))
    session.add(invoice)
    return invoice


def add_line(session, invoice: Invoice, description: str, quantity, unit_price, tax_class: str = "standard",
             discount=0, discount_reason: str | None = None, period_start: dt.date | None = None,
             period_end: dt.date | None = None, unit_code: str = "C62") -> InvoiceLine:
    """Add a line to a draft; its tax comes from the rules for ``tax_class``."""
    _require_draft(invoice)
    if tax_class not in TAX_CLASSES:
        raise FieldError("tax_class", f"must be one of {', '.join(TAX_CLASSES)}")
    line = InvoiceLine(description=description, quantity=to_decimal(quantity), unit_price=to_decimal(unit_price),
                       discount=to_decimal(discount), discount_reason=discount_reason, tax_class=tax_class,
                       period_start=period_start, period_end=period_end, unit_code=unit_code,
                       customer_id=invoice.customer_id, currency=invoice.currency, position=len(invoice.lines) + 1)
    check_line(line)
    invoice.lines.append(line)
    recalculate(session, invoice)
    return line


def tax_buyer(session, customer, settings) -> Buyer:
    """What the tax rules know of ``customer``."""
    return Buyer(country=customer.country, region=customer.region, tax_exempt=customer.tax_exempt,
                 vat_id_valid=vat_id_valid(session, customer, settings.vies_check))


def tax_fields(decision) -> dict:
    """A line's tax columns from the rules' decision."""
    return {"tax_category": decision.category, "tax_rate": decision.rate, "tax_name": decision.name,
            "prices_include_tax": decision.price_tax_rate is not None, "price_tax_rate": decision.price_tax_rate,
            "tax2_name": decision.tax2_name, "tax2_rate": decision.tax2_rate, "tax2_compound": decision.tax2_compound}


def _apply_taxes(session, invoice: Invoice, settings) -> None:
    """Decide every line's tax from the rules and the customer as they are now."""
    buyer = tax_buyer(session, invoice.customer, settings)
    rules = session.scalars(select(TaxRule).where(TaxRule.active.is_(True))).all()
    seller_country = _tenant(session).country
    reasons = {}
    for line in invoice.lines:
        decision = decide(rules, seller_country, buyer, line.tax_class, oss=settings.eu_oss)
        for name, value in tax_fields(decision).items():
            setattr(line, name, value)
        if decision.note:
            reasons[decision.category] = decision.note
    invoice.exemption_reasons = reasons


def recalculate(session, invoice: Invoice, settings=None) -> calc.InvoiceAmounts:
    """Taxes (not for credit notes, which repeat their invoice's) and amounts of a draft."""
    _require_draft(invoice)
    settings = settings or load_settings(session)
    if invoice.kind == INVOICE:
        _apply_taxes(session, invoice, settings)
    for line in invoice.lines:
        check_line(line)
    try:
        rounding = invoice.credited_invoice.rounding if invoice.kind == CREDIT_NOTE else settings.tax_rounding
        amounts = calc.compute(invoice.lines, invoice.currency, rounding)
        if invoice.kind == CREDIT_NOTE:
            vat = shares.vat_shares(session, invoice, amounts.totals)
            amounts = calc.compute(invoice.lines, invoice.currency, rounding, vat)
    except ValueError as exc:  # documents.py refuses what EN 16931 cannot express
        raise FieldError("lines", str(exc)) from None
    for line, net, gross in zip(invoice.lines, amounts.totals.line_nets, amounts.gross_amounts, strict=True):
        line.net_amount, line.gross_amount = net, gross
    invoice.taxes = [InvoiceTax(**row, customer_id=invoice.customer_id, currency=invoice.currency)
                     for row in tax_rows(invoice.lines, amounts)]
    invoice.net_total, invoice.tax_total, invoice.total = amounts.net_total, amounts.tax_total, amounts.total
    invoice.rounding = amounts.rounding
    return amounts


def tax_rows(lines, amounts: calc.InvoiceAmounts) -> list[dict]:
    """The tax breakdown rows: VAT per category and rate (level 1), then second-level taxes."""
    return [*({"level": 1, "name": _vat_name(lines, g.category, g.rate), "category": g.category, "rate": g.rate,
               "taxable": g.taxable, "tax": g.tax} for g in amounts.totals.breakdown),
            *({"level": 2, "name": t.name, "category": "S", "rate": t.rate, "taxable": t.taxable, "tax": t.tax}
              for t in amounts.second_level)]


def _vat_name(lines, category: str, rate: Decimal) -> str | None:
    return next((line.tax_name for line in lines if line.tax_category == category and line.tax_rate == rate), None)


def check_line(line: InvoiceLine) -> None:
    if not line.description or not line.description.strip():
        raise FieldError("description", "every line needs a description")
    for name in ("quantity", "unit_price", "discount"):
        check_scale(getattr(line, name), InvoiceLine.__table__.c[name], name)
    if line.quantity == 0:  # negative: a refund line (the invoice's total must still not be negative)
        raise FieldError("quantity", "must not be 0")
    if line.unit_price < 0:
        raise FieldError("unit_price", "must not be negative")
    if line.period_start and line.period_end and line.period_end < line.period_start:
        raise FieldError("period_end", "ends before the period starts")


def numbering_variant(settings, kind: str) -> str:
    """The series an issued document is numbered in: its kind, or "proforma" for an
    invoice in proforma mode (its legal number follows payment)."""
    return "proforma" if kind == INVOICE and settings.proforma else kind


def refuse_negative(total) -> None:
    if total < 0:
        raise Conflict("lines", "the total must not be negative: issue a credit note instead")


@service("invoice.issue")
def issue(session, invoice: Invoice, on: dt.date | None = None) -> Invoice:
    """Number and freeze a draft (invoice or credit note), post it to the ledger,
    queue its PDF and mail. In proforma mode an invoice gets a proforma number;
    its legal number follows when it is paid (finalize_proforma)."""
    _require_draft(invoice)
    if not invoice.lines:
        raise Conflict("lines", "an invoice needs at least one line")
    settings = load_settings(session)
    invoice_finalizing.send(invoice)
    tenant = _tenant(session)
    on = on or tenant_today(session)
    if invoice.kind == INVOICE:
        invoice.seller = seller_snapshot(settings, tenant)
        invoice.buyer = buyer_snapshot(invoice.customer)
        invoice.language = invoice.customer.language
        invoice.due_date = invoice.due_date or on + dt.timedelta(days=settings.payment_terms_days)
        if invoice.due_date < on:
            raise FieldError("due_date", "the due date is before the issue date")
    recalculate(session, invoice, settings)
    taxcurrency.apply(invoice, tenant.country, settings.tax_exchange_rates)
    refuse_negative(invoice.total)
    session.flush()  # lines and taxes are written while the invoice is still a draft
    variant = numbering_variant(settings, invoice.kind)
    if variant == "proforma":
        invoice.proforma_number = next_number(session, variant, on)[1]
    else:
        invoice.number_seq, invoice.number = next_number(session, variant, on)
    invoice.issue_date = on
    invoice.issued_at = dt.datetime.now(dt.UTC)
    invoice.status = UNPAID if invoice.kind == INVOICE else ISSUED
    session.flush()
    counters.count(session, "credit_notes_issued" if invoice.kind == CREDIT_NOTE else "invoices_issued")
    invoice_issued.send(invoice)
    mailing.enqueue_document(session, invoice)
    if invoice.kind == CREDIT_NOTE:
        ledger.post_credit_note(session, invoice)
    else:
        ledger.post_issue(session, invoice)
        if settings.auto_apply_credit:
            ledger.apply_credit(session, invoice)
    return invoice


def finalize_proforma(session, invoice: Invoice) -> None:
    """A paid proforma becomes the tax invoice: the next invoice number, dated today."""
    on = tenant_today(session)
    invoice.number_seq, invoice.number = next_number(session, INVOICE, on)
    invoice.issue_date = on
    mailing.enqueue_document(session, invoice)


def cancel(session, invoice: Invoice, reason: str | None = None) -> Invoice:
    """Drop a draft, withdraw an unpaid proforma, or credit an issued invoice in
    full; returns the credit note (or the invoice itself when none is needed)."""
    if invoice.kind != INVOICE:
        raise Conflict("kind", "credit notes cannot be cancelled")
    if invoice.status == CANCELLED:
        raise Conflict("status", "the invoice is already cancelled")
    if invoice.status == DRAFT or invoice.is_proforma:
        if invoice.is_proforma:
            ledger.withdraw_proforma(session, invoice)
        invoice.status, invoice.cancelled_at = CANCELLED, dt.datetime.now(dt.UTC)
        invoice_cancelled.send(invoice)
        return invoice
    from .credit import credit_note

    return credit_note(session, invoice, reason=reason or "Cancellation")
