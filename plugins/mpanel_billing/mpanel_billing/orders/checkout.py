"""Checkout: the order, its services (pending) and its first invoice (issued) in the
caller's transaction, priced by the catalogue's calculator only. The coupon is
redeemed and stock taken in the same transaction, so a failure saves nothing.

Lines of other kinds (a domain) belong to the plugin that registered their kind
(:mod:`.kinds`): each kind checks its lines first, before the unit of work
(:mod:`mpanel.core.unit_of_work`) that writes the order opens, so an outside call
(a registry's availability check) never holds a row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import contextmanager
from decimal import Decimal

from mpanel.core.clock import tenant_today
from mpanel.core.errors import FieldError
from mpanel.core.unit_of_work import unit_of_work

from .. import invoices
from ..i18n import in_language
from ..run import record_periods
from ..services import lifecycle
from ..services.cycles import MONTHS, period
from ..services.models import ACTIVE, PENDING, Order, OrderLine, Service
from ..services.pricing import tax_class
from ..signals import order_placed
from . import kinds, review


@contextmanager
def _named(index: int):
    """A field error of line ``index`` names ``lines[index].<field>``."""
    try:
        yield
    except ValueError as error:  # the catalogue's, a line kind's and billing's field errors
        if not hasattr(error, "field"):
            raise
        raise FieldError(f"lines[{index}].{error.field}", error.message) from None


def add_quote(session, draft, quote, start=None, end=None) -> None:
    """Each charge line of a quote is an invoice line; its discounts reduce it."""
    for index, line in enumerate(quote.lines):
        if line.is_discount:
            continue
        discounts = [d for d in quote.lines if d.target == index]
        off = -sum((d.amount for d in discounts), Decimal(0))
        reason = ", ".join(d.coupon or d.description for d in discounts) or None
        invoices.add_line(session, draft, line.description, 1, line.amount, tax_class=tax_class(line.tax_class),
                          discount=off, discount_reason=reason, period_start=start if line.recurring else None,
                          period_end=end if line.recurring else None)


def checkout(session, customer, lines: list, coupon: str | None = None, on: dt.date | None = None) -> Order:
    """Place an order; FieldError names the bad field (``lines[i].cycle``)."""
    from mpanel_catalog.calculator import quote_product
    from mpanel_catalog.coupons import redeem
    from mpanel_catalog.stock import take_stock

    if not isinstance(lines, list) or not lines:
        raise FieldError("lines", "an order needs at least one line")
    line_kinds = []
    for index, item in enumerate(lines):
        if not isinstance(item, Mapping):
            raise FieldError(f"lines[{index}]", "each line is an object")
        kind = kinds.for_item(session, item)
        if kind is not None:
            with _named(index):
                kind.check(session, customer, item)
        line_kinds.append(kind)
    with unit_of_work(session, "order.place") as work:
        on = on or tenant_today(session)
        coupons = [coupon] if coupon else []
        order = Order(customer_id=customer.id, currency=customer.currency, coupon=coupon)
        session.add(order)
        draft = invoices.create_draft(session, customer, customer.currency)
        session.flush()
        billed, trials = [], []
        for index, (item, kind) in enumerate(zip(lines, line_kinds, strict=True)):
            with _named(index):
                if kind is not None:
                    kind.add(session, order, draft, customer, item)
                    continue
                _check_shapes(item)
                quote = in_language(customer.language, quote_product, session, item.get("product"),
                                    item.get("cycle"), customer=customer, options=item.get("options"),
                                    addons=item.get("addons"), coupons=coupons)
                take_stock(session, int(item["product"]), 1)
            service = _service(session, order, customer, item, quote, on)
            if quote.trial_days:
                trials.append(service)
                continue
            start, end = period(on, service.cycle, 0) if service.cycle in MONTHS else (on, on)
            mark = len(draft.lines)
            add_quote(session, draft, quote, start, end)
            if service.cycle in MONTHS:
                billed.append((service, start, end, mark))
                service.periods_billed = 1
        if coupon:
            try:
                redeem(session, coupon, customer, reference=f"order:{order.id}")
            except FieldError as error:
                raise FieldError("coupon", error.message) from None
        reason = review.hold_reason(session, order, customer, draft.total if draft.lines else Decimal(0))
        if reason:  # before the issue: a payment from credit at issue must not start a held order
            order.review, order.review_reason = review.HELD, reason
        if draft.lines:
            session.flush()
            # The period key points at the first line of each service on this invoice.
            record_periods(session, draft, [(s, start, end, draft.lines[mark]) for s, start, end, mark in billed])
            invoices.issue(session, draft, on=on)
            order.invoice_id = draft.id
        else:
            session.delete(draft)
        for service in trials if not reason else ():  # a held trial starts when staff approve
            lifecycle.transition(session, service, ACTIVE, "free trial")
        work.audit(order, customer_id=customer.id, invoice_id=order.invoice_id, lines=len(lines))
        order_placed.send(order)
    return order


def _check_shapes(item: Mapping) -> None:
    """The JSON types the calculator expects; it checks the values."""
    if "product" not in item:
        raise FieldError("product", "a product id (or a line of a kind an active plugin sells, e.g. a domain)")
    shapes = {"cycle": ((str,), "a billing cycle such as monthly"),
              "options": ((Mapping, type(None)), "an object {option id: choice}"),
              "addons": ((list, Mapping, type(None)), "a list of add-on ids")}
    for field, (types, expected) in shapes.items():
        if not isinstance(item.get(field), types):
            raise FieldError(field, expected)


def _service(session, order, customer, item, quote, on) -> Service:
    recurring = sum((line.amount for line in quote.lines if line.recurring and line.coupon is None), Decimal(0))
    price_line = quote.lines[0]
    anchor = on + dt.timedelta(days=quote.trial_days or 0)
    service = Service(customer_id=customer.id, product_id=int(item["product"]), description=price_line.description,
                      cycle=quote.cycle, currency=quote.currency, recurring_amount=recurring,
                      tax_class=tax_class(price_line.tax_class), options=dict(item.get("options") or {}),
                      addons=list(item.get("addons") or []), coupon=quote.coupons[0] if quote.coupons else None,
                      status=PENDING, start_date=on, anchor_date=anchor, periods_billed=0)
    session.add(service)
    session.flush()
    session.add(OrderLine(order_id=order.id, customer_id=customer.id, service_id=service.id))
    return service
