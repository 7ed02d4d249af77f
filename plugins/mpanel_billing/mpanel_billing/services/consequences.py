"""Dunning consequences: suspend a service whose invoice is N days overdue,
terminate it after M days. Each is a row unique per (service, invoice, action),
inserted with the transition, so it happens once however often the run repeats."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.tenancy import require_tenant_id

from ..models.invoice import OPEN, Invoice
from . import lifecycle
from .models import ACTIVE, SUSPENDED, TERMINATED, Service, ServiceDunning, ServicePeriod

STEPS = (("suspend", SUSPENDED, (ACTIVE,), "suspend_after_days"),
         ("terminate", TERMINATED, (ACTIVE, SUSPENDED), "terminate_after_days"))


def overdue_services(session, today: dt.date, days: int, statuses) -> list[tuple[int, int, int]]:
    """(service, invoice, customer) of open invoices due ``days`` or more before ``today``."""
    query = (select(ServicePeriod.service_id, ServicePeriod.invoice_id, ServicePeriod.customer_id).distinct()
             .join(Invoice, Invoice.id == ServicePeriod.invoice_id)
             .join(Service, Service.id == ServicePeriod.service_id)
             .where(Invoice.status.in_(OPEN), Invoice.due_date <= today - dt.timedelta(days=days),
                    Service.status.in_(statuses)))
    return session.execute(query).all()


def _take(session, service_id: int, invoice_id: int, customer_id: int, action: str) -> bool:
    return session.execute(insert(ServiceDunning).values(
        tenant_id=require_tenant_id(), customer_id=customer_id, service_id=service_id, invoice_id=invoice_id,
        action=action).on_conflict_do_nothing().returning(ServiceDunning.id)).scalar() is not None


def run(session, today: dt.date, settings) -> dict:
    counts = {}
    for action, status, statuses, setting in STEPS:
        days, counts[action] = getattr(settings, setting), 0
        if not days:
            continue
        for service_id, invoice_id, customer_id in overdue_services(session, today, days, statuses):
            service = lifecycle.lock(session, service_id)
            if service.status in statuses and _take(session, service_id, invoice_id, customer_id, action):
                lifecycle.transition(session, service, status, f"invoice {invoice_id} overdue {days} days")
                counts[action] += 1
            session.commit()
    return counts


def all_paid(session, service_id: int, today: dt.date) -> bool:
    """No open invoice of the service is past its due date."""
    return session.scalar(select(ServicePeriod.id).join(Invoice, Invoice.id == ServicePeriod.invoice_id)
                          .where(ServicePeriod.service_id == service_id, Invoice.status.in_(OPEN),
                                 Invoice.due_date < today).limit(1)) is None
