"""When an invoice is paid: activate the order's pending services, fulfil its
lines of other kinds (a domain: :mod:`.kinds`), and unsuspend services whose
overdue invoices are all paid. All of it is idempotent, so a repeated payment
record changes nothing."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import object_session

from mpanel.core.clock import tenant_today

from ..services import consequences, lifecycle
from ..services.models import ACTIVE, PENDING, SUSPENDED, Order, OrderLine, Service, ServicePeriod
from ..signals import invoice_paid
from . import kinds

log = logging.getLogger(__name__)


@invoice_paid.connect
def _paid(invoice, **kwargs):
    session = object_session(invoice)
    order = session.scalar(select(Order).where(Order.invoice_id == invoice.id))
    if order is not None and order.review != "held":  # a held order waits for staff (review.approve)
        fulfil(session, order)
    today = tenant_today(session)
    suspended = session.scalars(select(Service).join(ServicePeriod, ServicePeriod.service_id == Service.id)
                                .where(ServicePeriod.invoice_id == invoice.id, Service.status == SUSPENDED)
                                .distinct()).all()
    for service in suspended:
        if consequences.all_paid(session, service.id, today):
            lifecycle.transition(session, service, ACTIVE, f"invoice {invoice.display_number} paid")


def fulfil(session, order: Order) -> None:
    for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)):
        if line.service_id is not None:
            service = session.get(Service, line.service_id)
            if service.status == PENDING:
                lifecycle.transition(session, service, ACTIVE, f"order {order.id} paid")
            continue
        kind = kinds.for_line(session, line)
        if kind is None:
            log.warning("order %s line %s: no active plugin fulfils it", order.id, line.id)
        else:
            kind.fulfil(session, order, line)
