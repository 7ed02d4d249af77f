"""``/api/v1/bank``: record a received transfer, import a CAMT.053 statement,
list statement lines, match or ignore a line. Money as strings."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose, protect
from marshmallow import Schema, fields, validate
from mpanel_billing.models.invoice import Invoice
from sqlalchemy import select

from mpanel.api import paging
from mpanel.api.base import Api, safe, transaction
from mpanel.api.body import accepts, json_body
from mpanel.api.fields import Id, Money, money_json, positive
from mpanel.api.openapi import NoBody, documented, page_of, result
from mpanel.core.errors import Conflict
from mpanel.extensions import db
from mpanel_gateway_bank import statements
from mpanel_gateway_bank.camt import StatementError
from mpanel_gateway_bank.models import STATUSES, BankLine
from mpanel_gateway_bank.transfers import record_transfer


class TransferSchema(Schema):
    invoice_id = Id(required=True)
    amount = Money(required=True, validate=positive)
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))
    booked_on = fields.Date(load_default=None)


class MatchSchema(Schema):
    invoice_id = Id(required=True)


# The answers
class TransferOutSchema(Schema):
    payment_id = fields.Integer(allow_none=True)
    applied = Money(required=True)
    credited = Money(required=True)
    duplicate = fields.Boolean(required=True)


class StatementOutSchema(Schema):
    statement_id = fields.Integer(required=True)
    new = fields.Boolean(required=True, metadata={"description": "false when this file was imported before"})
    lines = fields.Integer(required=True)
    matched = fields.Integer(required=True)


class BankLineOutSchema(Schema):
    id = fields.Integer(required=True)
    statement_id = fields.Integer(allow_none=True)
    bank_ref = fields.String(allow_none=True)
    booked_on = fields.Date(allow_none=True)
    amount = Money(required=True)
    currency = fields.String(required=True)
    reference = fields.String(allow_none=True)
    remittance = fields.String(allow_none=True)
    debtor_name = fields.String(allow_none=True)
    debtor_iban = fields.String(allow_none=True)
    status = fields.String(required=True)
    invoice_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)


def line_json(line: BankLine) -> dict:
    return {"id": line.id, "statement_id": line.statement_id, "bank_ref": line.bank_ref,
            "booked_on": line.booked_on.isoformat() if line.booked_on else None,
            "amount": money_json(line.amount, line.currency), "currency": line.currency,
            "reference": line.reference, "remittance": line.remittance, "debtor_name": line.debtor_name,
            "debtor_iban": line.debtor_iban, "status": line.status, "invoice_id": line.invoice_id,
            "payment_id": line.payment_id}


class BankApi(Api):
    resource_name = "bank"
    allow_browser_login = True
    method_permission_name = {"transfer": "post", "statement": "post", "lines": "get", "match": "post",
                              "ignore": "post"}
    base_permissions = ["can_get", "can_post"]

    def _invoice(self, invoice_id: int) -> Invoice:
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            raise Conflict("invoice_id", "no such invoice")
        return invoice

    @expose("/transfers", methods=["POST"])
    @documented(request=TransferSchema, response=TransferOutSchema)
    @protect()
    @safe
    @transaction
    def transfer(self):
        """Record a received transfer; the bank reference makes it idempotent."""
        data = json_body(TransferSchema())
        result = record_transfer(db.session, self._invoice(data["invoice_id"]), data["amount"], data["currency"],
                                 data["reference"], data["booked_on"])
        return self.response(200, payment_id=result.payment.id, applied=str(result.applied),
                             credited=str(result.credited), duplicate=result.duplicate)

    @expose("/statements", methods=["POST"])
    @documented(response=StatementOutSchema)
    @protect()
    @safe
    @accepts("application/xml", "text/xml", "multipart/form-data")
    @transaction
    def statement(self):
        """Import a CAMT.053 statement (the XML as the body, or a multipart "file")."""
        upload = request.files.get("file")
        name, data = (upload.filename, upload.read()) if upload else ("statement.xml", request.get_data())
        try:
            found, new = statements.import_statement(db.session, name, data)
        except StatementError as error:
            return self.response_400(message={"file": [str(error)]})
        return self.response(200, statement_id=found.id, new=new, lines=found.lines, matched=found.matched)

    @expose("/lines", methods=["GET"])
    @documented(response=page_of(BankLineOutSchema), filters={"status": STATUSES, "invoice_id": int})
    @protect()
    @safe
    @paging.paged
    def lines(self):
        """Statement lines, newest first; ?status=unmatched for what waits for staff."""
        count, rows = paging.page(select(BankLine), BankLine, {
            "status": (BankLine.status, STATUSES), "invoice_id": (BankLine.invoice_id, int)})
        return self.response(200, count=count, result=[line_json(line) for line in rows])

    @expose("/lines/<int:pk>/match", methods=["POST"])
    @documented(request=MatchSchema, response=result(BankLineOutSchema))
    @protect()
    @safe
    @transaction
    def match(self, pk):
        """Record a line's money for an invoice (full, partial or more)."""
        line = db.session.get(BankLine, pk)
        if line is None:
            return self.response_404()
        statements.record(db.session, line, self._invoice(json_body(MatchSchema())["invoice_id"]))
        return self.response(200, result=line_json(line))

    @expose("/lines/<int:pk>/ignore", methods=["POST"])
    @documented(request=NoBody, response=result(BankLineOutSchema), body_required=False)
    @protect()
    @safe
    @transaction
    def ignore(self, pk):
        """Mark a line as not a customer's payment."""
        line = db.session.get(BankLine, pk)
        if line is None:
            return self.response_404()
        json_body(NoBody())
        statements.ignore(line)
        return self.response(200, result=line_json(line))
