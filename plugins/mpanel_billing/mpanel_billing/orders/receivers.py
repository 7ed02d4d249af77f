"""When an invoice is paid: activate the order's pending services, request its
domains, and unsuspend services whose overdue invoices are all paid. All of it is
idempotent, so a repeated payment record changes nothing."""

from __future__ import annotations

from importlib.util import find_spec

from sqlalchemy import select
from sqlalchemy.orm import object_session

from ..run import local_date
from ..services import consequences, lifecycle
from ..services.models import ACTIVE, PENDING, SUSPENDED, Order, OrderLine, Service, ServicePeriod
from ..signals import invoice_paid


@invoice_paid.connect
def _paid(invoice, **kwargs):
    session = object_session(invoice)
    order = session.scalar(select(Order).where(Order.invoice_id == invoice.id))
    if order is not None:
        _fulfil(session, order)
    today = local_date(session)
    suspended = session.scalars(select(Service).join(ServicePeriod, ServicePeriod.service_id == Service.id)
                                .where(ServicePeriod.invoice_id == invoice.id, Service.status == SUSPENDED)
                                .distinct()).all()
    for service in suspended:
        if consequences.all_paid(session, service.id, today):
            lifecycle.transition(session, service, ACTIVE, f"invoice {invoice.display_number} paid")


def _fulfil(session, order: Order) -> None:
    for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)):
        if line.service_id is not None:
            service = session.get(Service, line.service_id)
            if service.status == PENDING:
                lifecycle.transition(session, service, ACTIVE, f"order {order.id} paid")
        else:
            _request_domain(session, order, line)


def _request_domain(session, order: Order, line: OrderLine) -> None:
    from mpanel_domains import actions
    from mpanel_domains.models import Domain

    domain = session.get(Domain, line.domain_id)
    reference = f"order:{order.id}:line:{line.id}"
    if line.domain_action == "transfer":
        actions.request_transfer(session, domain, years=line.years, reference=reference)
    else:
        actions.request_registration(session, domain, line.years, reference=reference)


if find_spec("mpanel_domains") is not None:  # renewals, credit for failed registrations
    from . import domains  # noqa: F401
