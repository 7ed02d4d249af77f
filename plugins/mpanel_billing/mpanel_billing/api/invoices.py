"""``/api/v1/invoices``: list, get, create, issue, cancel, credit, apply credit,
record a manual payment, PDF and UBL. Credit notes are invoices of kind
credit_note. Another tenant's (or no) invoice is a 404 on every endpoint."""

from __future__ import annotations

import functools

from flask import Response
from flask_appbuilder.api import expose, protect
from marshmallow import ValidationError
from sqlalchemy import select

from mpanel.api import paging
from mpanel.api.base import Api, safe, transaction
from mpanel.api.body import json_body
from mpanel.api.openapi import NoBody, documented, page_of, result
from mpanel.core.errors import Conflict, FieldError
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer

from .. import credit, invoices, ledger
from ..einvoice import stored_ubl
from ..models.invoice import CREDIT_NOTE, INVOICE, STATUSES, Invoice
from ..pdf import stored_pdf
from .schemas import (
    AmountSchema,
    AppliedOutSchema,
    CancelSchema,
    CreditSchema,
    InvoiceCreateSchema,
    InvoiceOutSchema,
    PaymentOutSchema,
    PaymentSchema,
    invoice_json,
)

KINDS = (INVOICE, CREDIT_NOTE)


def found(fn):
    """Load the invoice of the URL in the tenant's (and customer's) scope, or answer 404."""

    @functools.wraps(fn)
    def run(self, pk, *args, **kwargs):
        invoice = db.session.get(Invoice, pk)
        if invoice is None:
            return self.response_404()
        return fn(self, invoice, *args, **kwargs)

    return run


class InvoiceApi(Api):
    resource_name = "invoices"
    allow_browser_login = True
    method_permission_name = {"list": "get", "get": "get", "pdf": "get", "ubl": "get", "create": "post",
                              "issue": "post", "cancel": "post", "credit": "post", "apply_credit": "post",
                              "payment": "post"}
    base_permissions = ["can_get", "can_post"]

    @expose("/", methods=["GET"])
    @documented(response=page_of(InvoiceOutSchema), filters={"status": STATUSES, "kind": KINDS, "customer_id": int})
    @protect()
    @safe
    @paging.paged
    @transaction
    def list(self):
        """Invoices and credit notes of the tenant, newest first."""
        count, rows = paging.page(select(Invoice), Invoice, {
            "status": (Invoice.status, STATUSES), "kind": (Invoice.kind, KINDS),
            "customer_id": (Invoice.customer_id, int)})
        return self.response(200, count=count, result=[invoice_json(i) for i in rows])

    @expose("/<int:pk>", methods=["GET"])
    @documented(response=result(InvoiceOutSchema))
    @protect()
    @safe
    @found
    def get(self, invoice):
        """One invoice or credit note with lines and taxes."""
        return self.response(200, result=invoice_json(invoice, detail=True))

    @expose("/", methods=["POST"])
    @documented(request=InvoiceCreateSchema, response=result(InvoiceOutSchema), status=201)
    @protect()
    @safe
    @transaction
    def create(self):
        """Create a manual invoice (a draft, or issued at once with "issue": true)."""
        data = json_body(InvoiceCreateSchema())
        customer = db.session.get(Customer, data["customer_id"])
        if customer is None:
            return self.response(404, message={"customer_id": ["no such customer"]})
        invoice = invoices.create_draft(db.session, customer, data["currency"], data["due_date"], data["notes"],
                                        data["tax_exchange_rate"])
        for index, line in enumerate(data["lines"]):
            try:
                invoices.add_line(db.session, invoice, **line)
            except FieldError as error:
                raise ValidationError({"lines": {index: error.as_messages()}}) from None
        if data["issue"]:
            invoices.issue(db.session, invoice)
        db.session.flush()
        return self.response(201, result=invoice_json(invoice, detail=True))

    @expose("/<int:pk>/issue", methods=["POST"])
    @documented(request=NoBody, response=result(InvoiceOutSchema), body_required=False)
    @protect()
    @safe
    @found
    @transaction
    def issue(self, invoice):
        """Issue a draft: number, freeze, post, mail."""
        json_body(NoBody())
        invoices.issue(db.session, invoice)
        return self.response(200, result=invoice_json(invoice, detail=True))

    @expose("/<int:pk>/cancel", methods=["POST"])
    @documented(request=CancelSchema, response=result(InvoiceOutSchema), body_required=False)
    @protect()
    @safe
    @found
    @transaction
    def cancel(self, invoice):
        """Cancel: drop a draft, withdraw a proforma, or credit an invoice in full."""
        data = json_body(CancelSchema())
        result = invoices.cancel(db.session, invoice, data["reason"])
        return self.response(200, result=invoice_json(result, detail=True))

    @expose("/<int:pk>/credit", methods=["POST"])
    @documented(request=CreditSchema, response=result(InvoiceOutSchema), status=201, body_required=False)
    @protect()
    @safe
    @found
    @transaction
    def credit(self, invoice):
        """Issue a credit note: all lines not credited yet, or {"lines": [{"line_id", "quantity"}]}."""
        data = json_body(CreditSchema())
        note = credit.credit_note(db.session, invoice, data["lines"], data["reason"])
        return self.response(201, result=invoice_json(note, detail=True))

    @expose("/<int:pk>/apply-credit", methods=["POST"])
    @documented(request=AmountSchema, response=AppliedOutSchema, body_required=False)
    @protect()
    @safe
    @found
    @transaction
    def apply_credit(self, invoice):
        """Pay the invoice from the customer's credit (all it can take, or "amount")."""
        data = json_body(AmountSchema())
        applied = ledger.apply_credit(db.session, invoice, data["amount"])
        return self.response(200, applied=str(applied), result=invoice_json(invoice))

    @expose("/<int:pk>/payments", methods=["POST"])
    @documented(request=PaymentSchema, response=PaymentOutSchema)
    @protect()
    @safe
    @found
    @transaction
    def payment(self, invoice):
        """Record a manual payment (bank transfer, cash); the reference makes it idempotent."""
        data = json_body(PaymentSchema())
        result = ledger.record_payment(db.session, invoice, data["amount"], data["currency"], "manual",
                                       data["reference"])
        return self.response(200, payment_id=result.payment.id, applied=str(result.applied),
                             credited=str(result.credited), duplicate=result.duplicate,
                             result=invoice_json(invoice))

    @expose("/<int:pk>/pdf", methods=["GET"])
    @documented(response=None, content="application/pdf")
    @protect()
    @safe
    @found
    @transaction
    def pdf(self, invoice):
        """The stored PDF (rendered and stored the first time)."""
        return pdf_response(invoice)

    @expose("/<int:pk>/ubl", methods=["GET"])
    @documented(response=None, content="application/xml")
    @protect()
    @safe
    @found
    @transaction
    def ubl(self, invoice):
        """UBL 2.1 Invoice or CreditNote (EN 16931)."""
        document = stored_ubl(db.session, invoice)
        return Response(document.content, mimetype=document.mime,
                        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'})


def pdf_response(invoice: Invoice) -> Response:
    """The stored PDF of an issued document as a download (shared with the client area)."""
    if invoice.status == "draft":
        raise Conflict("status", "a draft has no PDF")
    document = stored_pdf(db.session, invoice)
    return Response(document.content, mimetype=document.mime,
                    headers={"Content-Disposition": f'attachment; filename="{document.filename}"'})
