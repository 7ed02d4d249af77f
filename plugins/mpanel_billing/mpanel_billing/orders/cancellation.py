"""When an unpaid order's invoice is cancelled (dropped, withdrawn or credited in
full before payment): its pending services are cancelled, its coupon use and the
stock its products took are given back. Once: stock comes back only for services
still pending, which this turns cancelled, and a coupon use is released only
while its redemption exists."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import object_session

from ..services import lifecycle
from ..services.models import CANCELLED, PENDING, Order, OrderLine, Service
from ..signals import invoice_cancelled


@invoice_cancelled.connect
def _cancelled(invoice, **kwargs):
    session = object_session(invoice)
    order = session.scalar(select(Order).where(Order.invoice_id == invoice.id))
    if order is not None:
        release(session, order, f"invoice {invoice.display_number} cancelled")


def release(session, order: Order, reason: str) -> None:
    from mpanel_catalog.coupons import release as release_coupon
    from mpanel_catalog.stock import return_stock

    services = session.scalars(select(Service).join(OrderLine, OrderLine.service_id == Service.id)
                               .where(OrderLine.order_id == order.id, Service.status == PENDING)
                               .order_by(Service.id).with_for_update(of=Service)).all()
    returned = Counter()
    for service in services:
        lifecycle.transition(session, service, CANCELLED, reason)
        returned[service.product_id] += 1
    for product_id, quantity in sorted(returned.items()):
        return_stock(session, product_id, quantity)
    if order.coupon:
        release_coupon(session, order.coupon, reference=f"order:{order.id}")
