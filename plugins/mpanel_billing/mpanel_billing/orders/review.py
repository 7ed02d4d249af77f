"""Orders held for review: the tenant's rules (first orders, orders over an amount,
orders from some countries) hold an order at checkout; its services wait, even once
paid, until staff approve it (then they start as if just paid) or reject it (its
invoice is cancelled, its pending services cancelled)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pycountry
from sqlalchemy import func, select

from mpanel.core.errors import Conflict
from mpanel.core.settings import Setting, get_settings
from mpanel.core.unit_of_work import unit_of_work

from ..models.invoice import PAID
from ..services import lifecycle
from ..services.models import CANCELLED, PENDING, Order, OrderLine, Service

HELD, APPROVED, REJECTED = "held", "approved", "rejected"


def _countries(value: str) -> None:
    for code in _codes(value):
        if pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"{code!r} is not an ISO 3166 country code")


def _codes(value: str) -> set[str]:
    return {item.strip().upper() for item in str(value or "").replace(";", ",").split(",") if item.strip()}


DEFAULTS = {
    "review_first_orders": Setting(False, "bool", help="hold a customer's first order for review"),
    "review_over_amount": Setting(Decimal("0"), "decimal", minimum=0,
                                  help="hold orders whose invoice total exceeds this (in its currency); 0: never"),
    "review_countries": Setting("", check=_countries, help="hold orders of customers in these countries, e.g. NG, BR"),
}


@dataclass(frozen=True)
class ReviewSettings:
    first_orders: bool
    over_amount: Decimal
    countries: frozenset[str]


def load(session) -> ReviewSettings:
    values = get_settings(session, "billing", DEFAULTS)
    try:
        parsed = {key: setting.parse(values[key]) for key, setting in DEFAULTS.items()}
    except ValueError as exc:
        raise ValueError(f"billing review setting: {exc}") from None
    return ReviewSettings(parsed["review_first_orders"], Decimal(str(parsed["review_over_amount"])),
                          frozenset(_codes(parsed["review_countries"])))


def hold_reason(session, order: Order, customer, total: Decimal) -> str | None:
    """Why the rules hold ``order`` (placed, with its invoice total), or None."""
    rules = load(session)
    if rules.first_orders and not session.scalar(select(func.count()).select_from(Order).where(
            Order.customer_id == customer.id, Order.id != order.id)):
        return "first order"
    if rules.over_amount and total > rules.over_amount:
        return f"total over {rules.over_amount}"
    if customer.country in rules.countries:
        return f"customer in {customer.country}"
    return None


def is_held(order: Order) -> bool:
    return order.review == HELD


def _services(session, order: Order) -> list[Service]:
    return session.scalars(select(Service).join(OrderLine, OrderLine.service_id == Service.id)
                           .where(OrderLine.order_id == order.id).order_by(Service.id)).all()


def _require_held(order: Order) -> None:
    if order.review != HELD:
        raise Conflict("review", f"order {order.id} is not awaiting review")


def approve(session, order: Order) -> None:
    """Release a held order: fulfilled now if its invoice is paid (or it has none), else when it is."""
    from .receivers import fulfil

    _require_held(order)
    with unit_of_work(session, "order.approve") as work:
        order.review = APPROVED
        if order.invoice is None or order.invoice.status == PAID:
            fulfil(session, order)
        work.audit(order, review=APPROVED)


def reject(session, order: Order, reason: str | None = None) -> None:
    """Refuse a held order: its invoice cancelled (credited if issued), its pending services cancelled."""
    from .. import invoices

    _require_held(order)
    with unit_of_work(session, "order.reject") as work:
        order.review, order.review_reason = REJECTED, (reason or order.review_reason or "")[:200] or None
        if order.invoice is not None and order.invoice.status != "cancelled":
            invoices.cancel(session, order.invoice, reason or "Order rejected")
        for service in _services(session, order):
            if service.status == PENDING:
                lifecycle.transition(session, service, CANCELLED, f"order {order.id} rejected")
        work.audit(order, review=REJECTED)
