"""Checkout: the order, its services (pending) and its first invoice (issued) in the
caller's transaction, priced by the catalogue's calculator only. The coupon is
redeemed and stock taken in the same transaction, so a failure saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from mpanel.core.errors import FieldError

from .. import invoices
from ..i18n import in_language
from ..run import local_date, record_periods
from ..services import lifecycle
from ..services.cycles import MONTHS, period
from ..services.models import ACTIVE, PENDING, Order, OrderLine, Service
from ..services.pricing import tax_class


def _field(index: int, error) -> FieldError:
    return FieldError(f"lines[{index}].{error.field}", error.message)


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

    from mpanel.core.errors import FieldError

    if not isinstance(lines, list) or not lines:
        raise FieldError("lines", "an order needs at least one line")
    on = on or local_date(session)
    coupons = [coupon] if coupon else []
    order = Order(customer_id=customer.id, currency=customer.currency, coupon=coupon)
    session.add(order)
    draft = invoices.create_draft(session, customer, customer.currency)
    session.flush()
    billed, trials = [], []
    for index, item in enumerate(lines):
        if not isinstance(item, Mapping):
            raise FieldError(f"lines[{index}]", "each line is an object")
        try:
            if "domain" in item:
                _domain_line(session, order, draft, customer, item)
                continue
            _check_shapes(item)
            quote = in_language(customer.language, quote_product, session, item.get("product"), item.get("cycle"),
                                customer=customer, options=item.get("options"), addons=item.get("addons"),
                                coupons=coupons)
            take_stock(session, int(item["product"]), 1)
        except ValueError as error:  # the catalogue's, the domains' and billing's field errors
            if not hasattr(error, "field"):
                raise
            raise _field(index, error) from None
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
    if draft.lines:
        session.flush()
        # The period key points at the first line of each service on this invoice.
        record_periods(session, draft, [(s, start, end, draft.lines[mark]) for s, start, end, mark in billed])
        invoices.issue(session, draft, on=on)
        order.invoice_id = draft.id
    else:
        session.delete(draft)
    for service in trials:
        lifecycle.transition(session, service, ACTIVE, "free trial")
    return order


def _check_shapes(item: Mapping) -> None:
    """The JSON types the calculator expects; it checks the values."""
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


def _domain_line(session, order, draft, customer, item) -> None:
    from mpanel.core.plugins.engine import active_plugin_names

    if "domains" not in active_plugin_names(session):
        raise FieldError("domain", "domain orders need the domains plugin")
    from mpanel_catalog.calculator import quote_domain
    from mpanel_domains.service import confirm_orderable, prepare_domain

    action = item.get("action", "register")
    if action not in ("register", "transfer"):
        raise FieldError("action", "register or transfer")
    domain = prepare_domain(session, customer, str(item.get("domain") or ""), transfer=action == "transfer",
                            auth_code=item.get("auth_code"))
    quote = in_language(customer.language, quote_domain, session, domain.tld, action, item.get("years", 1),
                        customer=customer)
    confirm_orderable(session, domain)  # the registry, last: only for an order that is otherwise fine
    first = len(draft.lines) + 1
    add_quote(session, draft, quote)
    session.add(OrderLine(order_id=order.id, customer_id=customer.id, domain_id=domain.id, domain_action=action,
                          years=quote.details["years"], line_positions=list(range(first, len(draft.lines) + 1))))
