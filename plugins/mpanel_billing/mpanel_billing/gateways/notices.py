"""Mails about payments, through the outbox with a dedupe key (sent once):
an off-session charge declined (and when it is retried), one that needs the
customer (a link to pay on-session), and retries given up."""

from __future__ import annotations

from pathlib import Path

from mpanel.core import mail
from mpanel.core.money import format_money

from ..i18n import language
from ..models.invoice import Invoice
from .registry import tenant_url

TEMPLATES = Path(__file__).parent / "templates" / "mail"


def pay_link(session, invoice: Invoice) -> str:
    return tenant_url(session, f"/client/billing/payments/pay?invoice={invoice.id}")


def send(session, invoice: Invoice, template: str, dedupe_key: str, **context) -> None:
    """Mail the invoice's buyer ``template`` (subject on the first line) in their language."""
    buyer = invoice.buyer or {}
    if not buyer.get("email"):
        return
    with language(invoice.language) as _:
        values = {"_": _, "name": buyer.get("name", ""), "number": invoice.display_number,
                  "seller": (invoice.seller or {}).get("name", ""), "link": pay_link(session, invoice),
                  "due": format_money(invoice.amount_due, invoice.currency, invoice.language), **context}
        source = (TEMPLATES / f"{template}.txt").read_text()
        subject, _, body = mail.render(source, values, html=False).strip().partition("\n")
    mail.enqueue(session, buyer["email"], subject.strip(), body.strip() + "\n", dedupe_key=dedupe_key)
