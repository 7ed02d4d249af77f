"""``/api/v1/orders`` (staff for a customer, or a customer's contact for their own
account) and ``/api/v1/services``. Another tenant's (or customer's) row is a 404."""

from __future__ import annotations

import functools

from flask import g, request
from flask_appbuilder.api import expose, permission_name, protect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mpanel.api import paging
from mpanel.api.base import Api, safe, transaction
from mpanel.api.body import json_body
from mpanel.core.errors import FieldError
from mpanel.core.money import quantize
from mpanel.extensions import db
from mpanel.modules.accounts.signup import require_verified
from mpanel.modules.customers.models import Customer
from mpanel.web.routing import MAX_ID

from ..api.schemas import invoice_json
from ..models.invoice import Invoice
from ..services import changes, lifecycle
from ..services.models import STATUSES, Order, Service
from .checkout import checkout


def service_json(service: Service) -> dict:
    day = lambda value: value.isoformat() if value else None  # noqa: E731
    return {"id": service.id, "customer_id": service.customer_id, "product_id": service.product_id,
            "description": service.description, "cycle": service.cycle, "currency": service.currency,
            "recurring_amount": str(quantize(service.recurring_amount, service.currency)), "coupon": service.coupon,
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
    @protect()
    @safe
    @permission_name("post")
    @transaction
    def post(self):
        """Place an order: services (pending) and the first invoice (issued), in one transaction.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    customer_id: {type: integer, description: "staff only; a contact orders for their account"}
                    coupon: {type: string}
                    lines:
                      type: array
                      items:
                        type: object
                        description: "{product, cycle, options, addons} or {domain, action, years, auth_code}"
          responses:
            201: {description: "the order with its invoice (money as strings)"}
            400: {$ref: '#/components/responses/400'}
            403: {description: "not allowed, or (field email) the contact has not confirmed their address"}
            404: {$ref: '#/components/responses/404'}
        """
        require_verified(g.user)
        data = json_body()
        customer_id = g.user.customer_id or data.get("customer_id")
        if not isinstance(customer_id, int) or isinstance(customer_id, bool):
            raise FieldError("customer_id", "a customer id is required")
        customer = db.session.get(Customer, customer_id) if 0 < customer_id <= MAX_ID else None
        if customer is None:
            return self.response(404, message={"customer_id": ["no such customer"]})
        coupon = data.get("coupon")
        if coupon is not None and not isinstance(coupon, str):
            raise FieldError("coupon", "a coupon code is a string")
        order = checkout(db.session, customer, data.get("lines"), coupon=coupon or None)
        return self.response(201, result=order_json(order))

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @paging.paged
    @permission_name("get")
    @transaction
    def list(self):
        """Orders, newest first (a contact sees their own account's).
        ---
        get:
          parameters:
          - {in: query, name: customer_id, schema: {type: integer}}
          - {in: query, name: page, schema: {type: integer, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, default: 25}}
          responses:
            200: {description: "count and result"}
            400: {$ref: '#/components/responses/400'}
        """
        count, rows = paging.page(select(Order).options(*ORDER_DETAIL), Order,
                                  {"customer_id": (Order.customer_id, int)})
        return self.response(200, count=count, result=[order_json(order) for order in rows])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get(self, pk):
        """An order with its services, domains and invoice.
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: "the order"}
            404: {$ref: '#/components/responses/404'}
        """
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
    @protect()
    @safe
    @paging.paged
    @permission_name("get")
    @transaction
    def list(self):
        """Services, newest first (a contact sees their own account's).
        ---
        get:
          parameters:
          - {in: query, name: status, schema: {type: string}}
          - {in: query, name: customer_id, schema: {type: integer}}
          - {in: query, name: page, schema: {type: integer, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, default: 25}}
          responses:
            200: {description: "count and result (money as strings)"}
            400: {$ref: '#/components/responses/400'}
        """
        if not _contact_may_see_services():
            return self.response_403()
        count, rows = paging.page(select(Service), Service, {
            "status": (Service.status, STATUSES), "customer_id": (Service.customer_id, int)})
        return self.response(200, count=count, result=[service_json(service) for service in rows])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @_service
    def get(self, service):
        """A service.
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: "the service"}
            404: {$ref: '#/components/responses/404'}
        """
        return self.response(200, result=service_json(service))

    @expose("/<int:pk>/status", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @transaction
    @_service
    def status(self, service):
        """Move a service to another status (staff): ``{"status": "suspended", "reason": "..."}``.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: "the service"}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: "the transition is not allowed"}
        """
        data = json_body()
        if data.get("status") not in STATUSES:
            raise FieldError("status", f"one of {', '.join(STATUSES)}")
        lifecycle.transition(db.session, service, data["status"], str(data.get("reason") or "") or None)
        return self.response(200, result=service_json(service))

    @expose("/<int:pk>/change", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @transaction
    @_service
    def quote_change(self, service):
        """What a plan change would credit and charge: ``?product=<id>&cycle=monthly``.
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          - {in: query, name: product, schema: {type: integer}}
          - {in: query, name: cycle, schema: {type: string}}
          responses:
            200: {description: "mode (immediate, period_end, trial), credit and charge (net, strings)"}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: "the service cannot change its plan"}
        """
        quote = changes.quote_change(db.session, service, request.args.get("product"), request.args.get("cycle"))
        return self.response(200, result=change_json(quote))

    @expose("/<int:pk>/change", methods=["POST"])
    @protect()
    @safe
    @permission_name("request")
    @transaction
    @_service
    def change(self, service):
        """Up- or downgrade: ``{"product": <id>, "cycle": "monthly"}``; prorated now or at the
        end of the period (tenant setting ``change_proration``).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: "the service, the change, and the credit notes and invoice it issued"}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: "the service cannot change its plan"}
        """
        require_verified(g.user)
        data = json_body()
        result = changes.change_product(db.session, service, data.get("product"), data.get("cycle"))
        return self.response(200, result=service_json(service), change=change_json(result.quote),
                             credit_notes=[invoice_json(note) for note in result.credit_notes],
                             invoice=invoice_json(result.invoice) if result.invoice else None)

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    @permission_name("request")
    @transaction
    @_service
    def cancel(self, service):
        """Cancel now or at the end of the period: ``{"when": "now" | "period_end"}``.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: "the service"}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        changes.request_cancellation(db.session, service, json_body().get("when", "period_end"))
        return self.response(200, result=service_json(service))


def register_apis(appbuilder) -> None:
    for api in (OrderApi, ServiceApi):
        appbuilder.add_api(api)
