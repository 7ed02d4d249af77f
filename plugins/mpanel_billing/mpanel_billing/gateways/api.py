"""REST under /api/v1: ``transactions`` (list with filters, get, refund),
``payment_methods`` (list, get, remove, make default) and ``payments`` (start
a payment for invoices, pay from credit, charge the saved method now).
Money is a string; another tenant's (or customer's) row is a 404."""

from __future__ import annotations

import functools

from flask import request
from flask_appbuilder.api import expose, protect
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mpanel.api import paging
from mpanel.api.base import Api, safe
from mpanel.api.base import transaction as in_transaction
from mpanel.api.body import json_body
from mpanel.api.fields import Id, Money, positive
from mpanel.api.fields import money_json as _money
from mpanel.api.openapi import NoBody, documented, page_of, result
from mpanel.core.errors import Conflict
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer

from ..models.invoice import Invoice
from . import autopay, methods, payments, reversals
from .base import GatewayError
from .models import KINDS, STATUSES, PaymentMethod, Transaction
from .registry import get_gateway


def transaction_json(t: Transaction) -> dict:
    return {"id": t.id, "customer_id": t.customer_id, "gateway": t.gateway, "kind": t.kind, "status": t.status,
            "amount": _money(t.amount, t.currency), "currency": t.currency, "fee": _money(t.fee, t.currency),
            "provider_id": t.provider_id, "invoice_id": t.invoice_id, "parent_id": t.parent_id,
            "payment_id": t.payment_id, "off_session": t.off_session, "error": t.error,
            "invoices": [{"invoice_id": a.invoice_id, "amount": _money(a.amount, a.currency)} for a in t.allocations],
            "created_at": t.created_at.isoformat() if t.created_at else None}


def method_json(m: PaymentMethod) -> dict:
    return {"id": m.id, "customer_id": m.customer_id, "gateway": m.gateway, "brand": m.brand, "last4": m.last4,
            "exp_month": m.exp_month, "exp_year": m.exp_year, "is_default": m.is_default, "test_mode": m.test_mode,
            "removed": m.removed_at is not None}


def gateway_errors(fn):
    """A provider's refusal is a 402, its outage a 503; billing errors as billing answers them."""

    @functools.wraps(fn)
    def run(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except GatewayError as error:
            db.session.rollback()
            return self.response(503 if error.retryable else 402, message={"gateway": [error.message]})

    return in_transaction(run)


class RefundSchema(Schema):
    amount = Money(load_default=None, validate=positive)
    credit_note = fields.Boolean(load_default=False)


class StartSchema(Schema):
    customer_id = Id(required=True)
    invoice_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))
    gateway = fields.String(load_default=None)
    amount = Money(load_default=None, validate=positive)


class ChargeSchema(Schema):
    invoice_id = Id(required=True)


class CreditPaySchema(Schema):
    customer_id = Id(required=True)
    invoice_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))


# The answers
class AllocationOutSchema(Schema):
    invoice_id = fields.Integer(allow_none=True)
    amount = Money(allow_none=True)


class TransactionOutSchema(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(allow_none=True)
    gateway = fields.String(allow_none=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    amount = Money(allow_none=True)
    currency = fields.String(allow_none=True)
    fee = Money(allow_none=True)
    provider_id = fields.String(allow_none=True)
    invoice_id = fields.Integer(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    off_session = fields.Boolean(allow_none=True)
    error = fields.String(allow_none=True)
    invoices = fields.List(fields.Nested(AllocationOutSchema), required=True)
    created_at = fields.DateTime(allow_none=True)


class PaymentMethodOutSchema(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(allow_none=True)
    gateway = fields.String(allow_none=True)
    brand = fields.String(allow_none=True)
    last4 = fields.String(allow_none=True)
    exp_month = fields.Integer(allow_none=True)
    exp_year = fields.Integer(allow_none=True)
    is_default = fields.Boolean(allow_none=True)
    test_mode = fields.Boolean(allow_none=True)
    removed = fields.Boolean(required=True)


class StartedOutSchema(Schema):
    result = fields.Nested(TransactionOutSchema, required=True)
    checkout = fields.Dict(required=True, metadata={"description": "what the payer needs, e.g. a client secret"})


class AppliedCreditOutSchema(Schema):
    applied = Money(required=True)


class ChargeOutSchema(Schema):
    outcome = fields.String(required=True, metadata={"description": "paid, duplicate, declined, gave_up, "
                            "action_required, unavailable, pending, waiting, needs_customer, no_method, nothing_due"})


class TransactionApi(Api):
    resource_name = "transactions"
    allow_browser_login = True
    method_permission_name = {"list": "get", "get": "get", "refund": "refund"}
    base_permissions = ["can_get", "can_refund"]

    @expose("/", methods=["GET"])
    @documented(response=page_of(TransactionOutSchema), filters={
        "status": STATUSES, "kind": KINDS, "gateway": None, "customer_id": int, "invoice_id": int})
    @protect()
    @safe
    @paging.paged
    @in_transaction
    def list(self):
        """Transactions, newest first."""
        query = select(Transaction).options(selectinload(Transaction.allocations))
        count, rows = paging.page(query, Transaction, {
            "status": (Transaction.status, STATUSES), "kind": (Transaction.kind, KINDS),
            "gateway": (Transaction.gateway, None), "customer_id": (Transaction.customer_id, int),
            "invoice_id": (Transaction.invoice_id, int)})
        return self.response(200, count=count, result=[transaction_json(t) for t in rows])

    @expose("/<int:pk>", methods=["GET"])
    @documented(response=result(TransactionOutSchema))
    @protect()
    @safe
    def get(self, pk):
        """One transaction."""
        found = db.session.get(Transaction, pk)
        return self.response(200, result=transaction_json(found)) if found else self.response_404()

    @expose("/<int:pk>/refund", methods=["POST"])
    @documented(request=RefundSchema, response=result(TransactionOutSchema), body_required=False)
    @protect()
    @safe
    @gateway_errors
    def refund(self, pk):
        """Refund a payment in full or {"amount": "5.00"}; "credit_note": true credits the invoice first."""
        payment = db.session.get(Transaction, pk)
        if payment is None:
            return self.response_404()
        data = json_body(RefundSchema())
        refund = reversals.refund(db.session, payment, data["amount"], data["credit_note"])
        return self.response(200, result=transaction_json(refund))


class PaymentMethodApi(Api):
    resource_name = "payment_methods"
    allow_browser_login = True
    method_permission_name = {"list": "get", "get": "get", "remove": "delete", "make_default": "put"}
    base_permissions = ["can_get", "can_delete", "can_put"]

    @expose("/", methods=["GET"])
    @documented(response=page_of(PaymentMethodOutSchema),
                filters={"customer_id": int, "gateway": None, "removed": bool})
    @protect()
    @safe
    @paging.paged
    @in_transaction
    def list(self):
        """Saved payment methods (not removed ones unless ?removed=true)."""
        query = select(PaymentMethod)
        if request.args.get("removed") != "true":
            query = query.where(PaymentMethod.removed_at.is_(None))
        count, rows = paging.page(query, PaymentMethod, {
            "customer_id": (PaymentMethod.customer_id, int), "gateway": (PaymentMethod.gateway, None)})
        return self.response(200, count=count, result=[method_json(m) for m in rows])

    @expose("/<int:pk>", methods=["GET"])
    @documented(response=result(PaymentMethodOutSchema))
    @protect()
    @safe
    def get(self, pk):
        """One saved method."""
        found = db.session.get(PaymentMethod, pk)
        return self.response(200, result=method_json(found)) if found else self.response_404()

    @expose("/<int:pk>", methods=["DELETE"])
    @documented(response=result(PaymentMethodOutSchema))
    @protect()
    @safe
    @gateway_errors
    def remove(self, pk):
        """Remove a method (at its provider too)."""
        found = db.session.get(PaymentMethod, pk)
        if found is None or found.removed_at is not None:
            return self.response_404()
        methods.remove(db.session, found)
        return self.response(200, result=method_json(found))

    @expose("/<int:pk>/default", methods=["POST"])
    @documented(request=NoBody, response=result(PaymentMethodOutSchema), body_required=False)
    @protect()
    @safe
    @gateway_errors
    def make_default(self, pk):
        """Charge this method for the customer's renewals."""
        found = db.session.get(PaymentMethod, pk)
        if found is None or found.removed_at is not None:
            return self.response_404()
        json_body(NoBody())
        methods.make_default(db.session, found)
        return self.response(200, result=method_json(found))


class PaymentApi(Api):
    resource_name = "payments"
    allow_browser_login = True
    method_permission_name = {"start": "post", "credit": "post", "charge": "post"}
    base_permissions = ["can_post"]

    @expose("/", methods=["POST"])
    @documented(request=StartSchema, response=StartedOutSchema)
    @protect()
    @safe
    @gateway_errors
    def start(self):
        """Start paying invoices of a customer through a gateway (several: mass pay)."""
        data = json_body(StartSchema())
        customer = db.session.get(Customer, data["customer_id"])
        if customer is None:
            return self.response(404, message={"customer_id": ["no such customer"]})
        gateway = get_gateway(db.session, data["gateway"] or "")
        started, checkout = payments.start(db.session, gateway, customer, data["invoice_ids"], data["amount"])
        context = {k: v for k, v in (checkout.context if checkout else {}).items() if k != "publishable_key"}
        return self.response(200, result=transaction_json(started), checkout=context)

    @expose("/credit", methods=["POST"])
    @documented(request=CreditPaySchema, response=AppliedCreditOutSchema)
    @protect()
    @safe
    @gateway_errors
    def credit(self):
        """Pay invoices of a customer from their credit."""
        data = json_body(CreditPaySchema())
        applied = payments.pay_with_credit(db.session, data["customer_id"], data["invoice_ids"])
        return self.response(200, applied=str(applied))

    @expose("/charge", methods=["POST"])
    @documented(request=ChargeSchema, response=ChargeOutSchema)
    @protect()
    @safe
    @gateway_errors
    def charge(self):
        """Charge an invoice to the customer's default saved method now (if a try is due)."""
        data = json_body(ChargeSchema())
        invoice = db.session.get(Invoice, data["invoice_id"])
        if invoice is None:
            return self.response_404()
        if invoice.status == "draft":
            raise Conflict("invoice_id", "drafts are not charged")
        return self.response(200, outcome=autopay.charge_saved_method(db.session, invoice))
