"""PDF invoices and credit notes: a per-tenant template, rendered once, stored.

The template (the tenant's own, or the built-in one) runs in the sandboxed,
autoescaping Jinja of ``mpanel.core.mail`` and sees plain strings only. The
renderer may not fetch anything: the resource policy refuses every file and
URL, and the link callback turns each reference but an inline image or a
tenant asset (``asset:logo``) into an empty inline resource.
"""

from __future__ import annotations

import io
from pathlib import Path

from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from mpanel.core import mail
from mpanel.core.errors import Conflict
from mpanel.core.money import format_money, format_number

from .document_files import stored
from .documents import VATEX
from .gateways.registry import document_reference
from .i18n import language
from .models.documents import StoredDocument
from .models.invoice import Invoice
from .settings import load as load_settings

TEMPLATE = Path(__file__).parent / "templates" / "billing" / "pdf" / "document.html"
_INLINE_IMAGES = ("data:image/png;", "data:image/jpeg;", "data:image/gif;")
_NOTHING = "data:text/plain;base64,"
# No local reads (no base directory), no network.
POLICY = ResourceAccessPolicy.server(base_dir=None, allow_remote=False)


class PdfError(Conflict):
    """The tenant's template could not be rendered."""

    status = 422

    def __init__(self, message: str):
        super().__init__("pdf_template", message)


def link_callback(assets: dict[str, str]):
    """Resolve ``asset:<name>`` from ``assets``; keep inline images; refuse the rest."""

    def resolve(uri, _relative=None):
        uri = str(uri or "").strip()
        if uri.startswith("asset:"):
            return assets.get(uri[6:]) or _NOTHING
        if uri.lower().startswith(_INLINE_IMAGES):
            return uri
        return _NOTHING

    return resolve


def render_pdf(html: str, assets: dict[str, str] | None = None) -> bytes:
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, link_callback=link_callback(assets or {}), resource_policy=POLICY,
                            encoding="utf-8")
    if result.err:
        raise PdfError(f"the PDF template has {result.err} error(s)")
    return output.getvalue()


def _labels(_) -> dict:
    return {"number": _("Number"), "date": _("Date"), "due_date": _("Due date"), "vat_id": _("VAT ID"),
            "description": _("Description"), "quantity": _("Quantity"), "unit_price": _("Unit price"),
            "discount": _("Discount"), "tax": _("Tax"), "amount": _("Amount"), "net_total": _("Net total"),
            "total": _("Total"), "paid": _("Paid"), "amount_due": _("Amount due"), "bank": _("Bank"),
            "reference": _("Reference"), "account_holder": _("Account holder")}


def grouped(reference: str) -> str:
    """A structured (RF) reference as printed for people: groups of four characters."""
    if not reference.startswith("RF") or " " in reference:
        return reference
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))


def _payment(invoice: Invoice, kind: str, seller: dict) -> dict:
    """The bank details (the seller snapshot's) and the reference a transfer should
    carry (a gateway's structured reference, else the number); empty for credit notes."""
    bank = seller.get("bank") or {}
    if kind == "credit_note" or not bank.get("iban"):
        return {}
    reference = document_reference(invoice) or ""
    return {"holder": seller.get("name") or "", "iban": bank["iban"], "bic": bank.get("bic", ""),
            "bank": bank.get("name", ""), "reference": reference, "reference_printed": grouped(reference)}


def exemption_notes(invoice: Invoice) -> list[str]:
    """Each exemption reason with its VATEX code (art. 226(11): the provision that applies)."""
    return [f"{VATEX[category]}: {text}" if category in VATEX else text
            for category, text in invoice.exemption_reasons.items()]


def context(invoice: Invoice, kind: str, settings) -> dict:
    """What a template sees: strings, lists and dicts of strings."""
    code = invoice.language
    seller, buyer = invoice.seller or {}, invoice.buyer or {}
    with language(code) as _:
        titles = {"invoice": _("Invoice"), "credit_note": _("Credit note"), "proforma": _("Proforma invoice")}
        lines = [{"description": line.description, "quantity": format_number(line.quantity, code),
                  "unit_price": format_money(line.unit_price, invoice.currency, code),
                  "discount": format_money(line.discount, invoice.currency, code) if line.discount else "",
                  "tax": f"{format_number(line.tax_rate, code)} %" if line.tax_category == "S" else line.tax_category,
                  "amount": format_money(line.net_amount, invoice.currency, code),
                  "period": " – ".join(d.isoformat() for d in (line.period_start, line.period_end) if d)}
                 for line in invoice.lines]
        taxes = [{"label": _("%(tax)s %(rate)s %% (of %(taxable)s)", tax=tax.name or _("Tax"),
                             rate=format_number(tax.rate, code),
                             taxable=format_money(tax.taxable, invoice.currency, code)),
                  "amount": format_money(tax.tax, invoice.currency, code)}
                 for tax in invoice.taxes if tax.category == "S"]
        reference = ""
        if invoice.credited_invoice is not None:
            reference = _("For invoice %(number)s", number=invoice.credited_invoice.number)
        paid = invoice.amount_paid + invoice.amount_credited
        return {
            "title": titles[kind], "number": invoice.number if kind != "proforma" else invoice.proforma_number,
            "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
            "due_date": invoice.due_date.isoformat() if invoice.due_date and kind != "credit_note" else "",
            "reference": reference, "seller": seller, "buyer": buyer, "lines": lines, "taxes": taxes,
            "net_total": format_money(invoice.net_total, invoice.currency, code),
            "total": format_money(invoice.total, invoice.currency, code),
            "tax_in_tax_currency": _("VAT in %(currency)s at %(rate)s: %(amount)s", currency=invoice.tax_currency,
                                     rate=format_number(invoice.tax_currency_rate.normalize(), code),
                                     amount=format_money(invoice.tax_currency_tax, invoice.tax_currency, code))
            if invoice.tax_currency else "",
            "paid": format_money(paid, invoice.currency, code) if paid else "",
            "amount_due": format_money(invoice.amount_due, invoice.currency, code),
            "notes": [n for n in (invoice.notes, *exemption_notes(invoice), seller.get("legal_notes")) if n],
            "bank": seller.get("bank") or {}, "payment": _payment(invoice, kind, seller),
            "labels": _labels(_), "colour": settings.accent_color,
            "logo": "asset:logo" if settings.logo else "",
        }


def render_document(invoice: Invoice, kind: str, settings) -> bytes:
    source = settings.pdf_template or TEMPLATE.read_text()
    try:
        html = mail.render(source, context(invoice, kind, settings))
    except Exception as exc:  # a tenant's template error must not look like ours
        raise PdfError(f"the PDF template failed: {type(exc).__name__}: {exc}") from exc
    return render_pdf(html, {"logo": settings.logo})


def stored_pdf(session, invoice: Invoice, kind: str | None = None) -> StoredDocument:
    """The document's stored PDF, rendered and stored the first time it is asked for."""
    kind = kind or invoice.variant
    number_ = invoice.number if kind != "proforma" else invoice.proforma_number
    return stored(session, invoice, kind, f"{number_}.pdf", "application/pdf",
                  lambda: render_document(invoice, kind, load_settings(session)))
