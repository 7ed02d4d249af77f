"""Mails to customers, all through the outbox with a dedupe key, so that a
repeated issue, payment record or dunning run never sends a mail twice.

Issued documents go in two steps: the issuing transaction queues
``billing.document``; its handler (after commit, off the numbering lock)
renders and stores the PDF and queues the mail with it attached.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from mpanel.core import mail, outbox
from mpanel.core.money import format_money

from .i18n import language
from .models.invoice import CREDIT_NOTE, Invoice
from .models.mail import ANY_LANGUAGE, MailTemplate
from .pdf import stored_pdf
from .settings import load

TEMPLATES = Path(__file__).parent / "templates" / "billing" / "mail"


def enqueue_document(session, invoice: Invoice) -> None:
    kind = invoice.variant
    outbox.enqueue(session, "billing.document", {"invoice_id": invoice.id, "variant": kind},
                   dedupe_key=f"billing-document:{invoice.id}:{kind}")


def enqueue_resend(session, invoice: Invoice, token: str) -> None:
    """Staff send an issued document (again): its stored PDF, mailed whatever send_invoice_mail says."""
    kind = invoice.variant
    outbox.enqueue(session, "billing.document", {"invoice_id": invoice.id, "variant": kind, "resend": token},
                   dedupe_key=f"billing-document:{invoice.id}:{kind}:resend:{token}")


def template_source(session, kind: str, code: str) -> str:
    """The tenant's text for ``kind`` in language ``code`` (or for any language), else the
    built-in one; the first line is the subject."""
    own = session.scalars(select(MailTemplate).where(MailTemplate.kind == kind,
                                                     MailTemplate.language.in_((code, ANY_LANGUAGE)))).all()
    chosen = min(own, key=lambda t: t.language != code, default=None)
    if chosen is None:
        return (TEMPLATES / f"{kind}.txt").read_text()
    return f"{chosen.subject}\n{chosen.body}"


def _send(session, invoice: Invoice, template: str, dedupe_key: str, attachments=(), **context) -> None:
    buyer = invoice.buyer or {}
    if not buyer.get("email"):
        return
    code = invoice.language
    with language(code) as _:
        values = {"_": _, "name": buyer["name"], "number": invoice.display_number, "kind": invoice.variant,
                  "seller": (invoice.seller or {}).get("name", ""),
                  "total": format_money(invoice.total, invoice.currency, code),
                  "due": format_money(invoice.amount_due, invoice.currency, code),
                  "due_date": invoice.due_date.isoformat() if invoice.due_date else "", **context}
        source = template_source(session, template, code)
        subject, _, body = mail.render(source, values, html=False).strip().partition("\n")
    mail.enqueue(session, buyer["email"], subject.strip(), body.strip() + "\n", attachments=attachments,
                 dedupe_key=dedupe_key)


def enqueue_receipt(session, invoice: Invoice, payment) -> None:
    _send(session, invoice, "receipt", f"mail:receipt:{payment.id}",
          amount=format_money(payment.amount, payment.currency, invoice.language))


def enqueue_dunning(session, invoice: Invoice, step: str, days: int, fee: Invoice | None = None) -> None:
    template = "reminder" if step == "reminder" else "late_fee" if step == "late_fee" else "overdue"
    _send(session, invoice, template, f"mail:dunning:{invoice.id}:{step}", days=days,
          fee_number=fee.display_number if fee else "",
          fee_total=format_money(fee.total, fee.currency, invoice.language) if fee else "")


@outbox.handler("billing.document")
def _issued(payload: dict) -> None:
    """Render and store the document, then queue its mail (both idempotent)."""
    from mpanel.extensions import db

    invoice = db.session.scalars(select(Invoice).where(Invoice.id == payload["invoice_id"])).one()
    document = stored_pdf(db.session, invoice, payload["variant"])
    resend = payload.get("resend")
    if not resend and not load(db.session).send_invoice_mail:
        return
    template = "credit_note" if invoice.kind == CREDIT_NOTE else "invoice"
    key = f"mail:document:{invoice.id}:{payload['variant']}" + (f":resend:{resend}" if resend else "")
    _send(db.session, invoice, template, key, attachments=[(document.filename, document.mime, document.content)])
