"""UBL 2.1 (EN 16931) for issued invoices and credit notes, via ubl.py."""

from __future__ import annotations

from mpanel.core.errors import Conflict, FieldError

from . import calc
from .document_files import stored
from .gateways.registry import document_reference
from .models.invoice import CREDIT_NOTE, DRAFT, Invoice
from .parties import party, payment_means
from .ubl import render_ubl


def document_for(invoice: Invoice):
    """The documents.Document of an issued invoice or credit note."""
    if invoice.status == DRAFT:
        raise Conflict("status", "drafts have no e-invoice")
    if any(tax.level == 2 for tax in invoice.taxes):
        raise Conflict("taxes", "EN 16931 carries VAT only; this invoice has a second-level tax")
    if invoice.is_proforma:
        raise Conflict("number", "a proforma is not an invoice: its e-invoice follows on payment")
    credited = invoice.credited_invoice if invoice.kind == CREDIT_NOTE else None
    # BT-83 remittance information: the structured reference a bank gateway makes
    # (RF creditor reference), else the number; a credit note keeps its number.
    reference = invoice.number if credited is not None else document_reference(invoice)
    return calc.build_document(
        invoice.lines, invoice.currency, invoice.rounding == calc.KEEP_GROSS,
        kind=invoice.kind, number=invoice.number, issue_date=invoice.issue_date,
        due_date=invoice.due_date if invoice.kind != CREDIT_NOTE else None,
        seller=party(invoice.seller), buyer=party(invoice.buyer), exemption_reasons=invoice.exemption_reasons,
        vat_amounts={(t.category, t.rate): t.tax for t in invoice.taxes if t.level == 1 and t.category == "S"},
        note=invoice.notes, payment_means=payment_means(invoice.seller, reference),
        preceding_invoice_number=credited.number if credited else None,
        preceding_invoice_date=credited.issue_date if credited else None,
        tax_currency=invoice.tax_currency, tax_currency_tax=invoice.tax_currency_tax,
        buyer_reference=str(invoice.buyer.get("customer_id", "")) or None)


def ubl_for(invoice: Invoice) -> bytes:
    try:
        return render_ubl(document_for(invoice))
    except ValueError as exc:
        if isinstance(exc, FieldError):
            raise
        raise Conflict("currency", str(exc)) from None


def stored_ubl(session, invoice: Invoice):
    """The issued document's UBL file, rendered and stored the first time."""
    return stored(session, invoice, "ubl", f"{invoice.number}.xml", "application/xml", lambda: ubl_for(invoice))
