"""``/api/v1/orders`` (staff for a customer, or a customer's contact for their own
account) and ``/api/v1/services``. Another tenant's (or customer's) row is a 404."""

from __future__ import annotations

import functools

from flask import g, request
from flask_appbuilder.api import expose, permission_name, protect
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mpanel.api import paging
from mpanel.api.base import Api, safe, transaction
from mpanel.api.body import json_body
from mpanel.api.fields import Id, Money, money_json
from mpanel.api.openapi import documented, page_of, result
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.modules.accounts.signup import require_verified
from mpanel.modules.customers.models import Customer

from ..api.schemas import InvoiceOutSchema, invoice_json
from ..models.invoice import Invoice
from ..services import changes, lifecycle
from ..services.models import STATUSES, Order, Service
from .checkout import checkout


class OrderSchema(Schema):
    customer_id = Id(load_default=None, metadata={"description": "staff only; a contact orders for their account"})
    coupon = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    # the items are checked by checkout, which names them "lines[0].product"
    lines = fields.List(fields.Raw(), load_default=None, validate=validate.Length(max=100), metadata={
        "description": "{product, cycle, options, addons} or {domain, action, years, auth_code}"})


class StatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ChangeSchema(Schema):
    product = Id(load_default=None)
    cycle = fields.String(load_default=None, validate=validate.Length(max=20))


class CancelServiceSchema(Schema):
    when = fields.String(load_default="period_end", validate=validate.OneOf(changes.WHEN))


# The answers
class ServiceOutSchema(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    product_id = fields.Integer(allow_none=True)
    description = fields.String(allow_none=True)
    cycle = fields.String(allow_none=True)
    currency = fields.String(required=True)
    recurring_amount = Money(allow_none=True)
    coupon = fields.String(allow_none=True)
    status = fields.String(required=True)
    options = fields.Raw(allow_none=True)
    addons = fields.Raw(allow_none=True)
    start_date = fields.Date(allow_none=True)
    next_due_date = fields.Date(allow_none=True)
    cancel_at = fields.Date(allow_none=True)
    trial_ends = fields.Date(allow_none=True)
    pending_change = fields.Dict(allow_none=True)


class ChangeOutSchema(Schema):
    mode = fields.String(required=True, metadata={"description": "immediate, period_end or trial"})
    starts = fields.Date(required=True)
    product_id = fields.Integer(allow_none=True)
    cycle = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    recurring_amount = Money(allow_none=True)
    credit = Money(required=True)
    charge = Money(required=True)
    period = fields.List(fields.Date(), allow_none=True)


class ChangedOutSchema(Schema):
    result = fields.Nested(ServiceOutSchema, required=True)
    change = fields.Nested(ChangeOutSchema, required=True)
    credit_notes = fields.List(fields.Nested(InvoiceOutSchema), required=True)
    invoice = fields.Nested(InvoiceOutSchema, allow_none=True)


class OrderOutSchema(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    currency = fields.String(required=True)
    coupon = fields.String(allow_none=True)
    services = fields.List(fields.Integer(), required=True)
    domains = fields.List(fields.Integer(), required=True)
    invoice = fields.Nested(InvoiceOutSchema, allow_none=True)


def service_json(service: Service) -> dict:
    day = lambda value: value.isoformat() if value else None  # noqa: E731
    return {"id": service.id, "customer_id": service.customer_id, "product_id": service.product_id,
            "description": service.description, "cycle": service.cycle, "currency": service.currency,
            "recurring_amount": money_json(service.recurring_amount, service.currency), "coupon": service.coupon,
            "status": service.status,
            "options": service.options, "addons": service.addons, "start_date": day(service.start_date),
            "next_due_date": day(service.next_due_date), "cancel_at": day(service.cancel_at),
            "trial_ends": day(service.anchor_date) if service.anchor_date > service.start_date else None,
            "pending_change": service.pending_change}


def change_json(change: changes.ChangeQuote) -> dict:
    return {"mode": change.mode, "starts": change.starts.isoformat(), "product_id": change.terms["product_id"],
            "cycle": change.terms["cycle"], "description": change.terms["description"],
            "recurring_amount": change.terms["recurring_amount"], "credit": str(change.credit),
            "charge": str(change.charge),
            "period": [day.isoformat() for day in change.period] if change.period else None}


# What order_json reads, loaded for a whole page of orders at once.
ORDER_DETAIL = (selectinload(Order.lines),
                selectinload(Order.invoice).options(selectinload(Invoice.lines), selectinload(Invoice.taxes)))


def order_json(order: Order) -> dict:
    return {"id": order.id, "customer_id": order.customer_id, "currency": order.currency, "coupon": order.coupon,
            "services": [line.service_id for line in order.lines if line.service_id],
            "domains": [line.domain_id for line in order.lines if line.domain_id],
            "invoice": invoice_json(order.invoice, detail=True) if order.invoice else None}


class OrderApi(Api):
    resource_name = "orders"
    allow_browser_login = True
    base_permissions = ["can_get", "can_post"]

    @expose("/", methods=["POST"])
    @documented(request=OrderSchema, response=result(OrderOutSchema), status=201)
    @protect()
    @safe
    @permission_name("post")
    @transaction
    def post(self):
        """Place an order: services (pending) and the first invoice (issued), in one transaction."""
        require_verified(g.user)
        data = json_body(OrderSchema())
        customer_id = g.user.customer_id or data["customer_id"]
        if customer_id is None:
            raise FieldError("customer_id", "a customer id is required")
        customer = db.session.get(Customer, customer_id)
        if customer is None:
            return self.response(404, message={"customer_id": ["no such customer"]})
        order = checkout(db.session, customer, data["lines"], coupon=data["coupon"] or None)
        return self.response(201, result=order_json(order))

    @expose("/", methods=["GET"])
    @documented(response=page_of(OrderOutSchema), filters={"customer_id": int})
    @protect()
    @safe
    @paging.paged
    @permission_name("get")
    @transaction
    def list(self):
        """Orders, newest first (a contact sees their own account's)."""
        count, rows = paging.page(select(Order).options(*ORDER_DETAIL), Order,
                                  {"customer_id": (Order.customer_id, int)})
        return self.response(200, count=count, result=[order_json(order) for order in rows])

    @expose("/<int:pk>", methods=["GET"])
    @documented(response=result(OrderOutSchema))
    @protect()
    @safe
    @permission_name("get")
    def get(self, pk):
        """An order with its services, domains and invoice."""
        order = db.session.get(Order, pk)
        if order is None:
            return self.response_404()
        return self.response(200, result=order_json(order))


def _contact_may_see_services() -> bool:
    return not g.user.customer_id or g.user.may("services")


def _service(fn):
    @functools.wraps(fn)
    def run(self, pk):
        if not _contact_may_see_services():
            return self.response_403()
        service = db.session.get(Service, pk)
        if service is None:
            return self.response_404()
        return fn(self, service)

    return run


class ServiceApi(Api):
    """``can_post`` (staff) moves a service to any status; ``can_request`` (staff, and
    customers for their own services) asks for a plan change or a cancellation."""

    resource_name = "services"
    allow_browser_login = True
    base_permissions = ["can_get", "can_post", "can_request"]

    @expose("/", methods=["GET"])
    @documented(response=page_of(ServiceOutSchema), filters={"status": STATUSES, "customer_id": int})
    @protect()
    @safe
    @paging.paged
    @permission_name("get")
    @transaction
    def list(self):
        """Services, newest first (a contact sees their own account's)."""
        if not _contact_may_see_services():
            return self.response_403()
        count, rows = paging.page(select(Service), Service, {
            "status": (Service.status, STATUSES), "customer_id": (Service.customer_id, int)})
        return self.response(200, count=count, result=[service_json(service) for service in rows])

    @expose("/<int:pk>", methods=["GET"])
    @documented(response=result(ServiceOutSchema))
    @protect()
    @safe
    @permission_name("get")
    @_service
    def get(self, service):
        """A service."""
        return self.response(200, result=service_json(service))

    @expose("/<int:pk>/status", methods=["POST"])
    @documented(request=StatusSchema, response=result(ServiceOutSchema))
    @protect()
    @safe
    @permission_name("post")
    @transaction
    @_service
    def status(self, service):
        """Move a service to another status (staff): ``{"status": "suspended", "reason": "..."}``."""
        data = json_body(StatusSchema())
        lifecycle.transition(db.session, service, data["status"], data["reason"] or None)
        return self.response(200, result=service_json(service))

    @expose("/<int:pk>/change", methods=["GET"])
    @documented(response=result(ChangeOutSchema), filters={"product": int, "cycle": None})
    @protect()
    @safe
    @permission_name("get")
    @transaction
    @_service
    def quote_change(self, service):
        """What a plan change would credit and charge: ``?product=<id>&cycle=monthly``."""
        quote = changes.quote_change(db.session, service, request.args.get("product"), request.args.get("cycle"))
        return self.response(200, result=change_json(quote))

    @expose("/<int:pk>/change", methods=["POST"])
    @documented(request=ChangeSchema, response=ChangedOutSchema)
    @protect()
    @safe
    @permission_name("request")
    @transaction
    @_service
    def change(self, service):
        """Up- or downgrade: ``{"product": <id>, "cycle": "monthly"}``; prorated now or at the
        end of the period (tenant setting ``change_proration``)."""
        require_verified(g.user)
        data = json_body(ChangeSchema())
        result = changes.change_product(db.session, service, data["product"], data["cycle"])
        return self.response(200, result=service_json(service), change=change_json(result.quote),
                             credit_notes=[invoice_json(note) for note in result.credit_notes],
                             invoice=invoice_json(result.invoice) if result.invoice else None)

    @expose("/<int:pk>/cancel", methods=["POST"])
    @documented(request=CancelServiceSchema, response=result(ServiceOutSchema), body_required=False)
    @protect()
    @safe
    @permission_name("request")
    @transaction
    @_service
    def cancel(self, service):
        """Cancel now or at the end of the period: ``{"when": "now" | "period_end"}``."""
        changes.request_cancellation(db.session, service, json_body(CancelServiceSchema())["when"])
        return self.response(200, result=service_json(service))


def register_apis(appbuilder) -> None:
    for api in (OrderApi, ServiceApi):
        appbuilder.add_api(api)
