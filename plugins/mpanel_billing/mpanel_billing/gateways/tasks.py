"""The payments sweep: due charge retries, and what a missed webhook or an
outage left open (payments still open at the provider, refunds it never got,
webhook events whose processing gave up)."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from sqlalchemy import func, select

from mpanel.core.tasks import per_tenant_periodic

from . import autopay, events, payments, reversals
from .base import PENDING
from .models import OPEN_STATUSES, PAYMENT, REFUND, Transaction
from .registry import gateway_plugins, get_gateway

log = logging.getLogger(__name__)
QUIET = dt.timedelta(minutes=30)  # an open transaction unchanged this long is asked about
HORIZON = dt.timedelta(days=7)  # after this an abandoned payment is left alone


def _stale(session, kind: str, statuses, limit: int) -> list[Transaction]:
    now = dt.datetime.now(dt.UTC)
    return list(session.scalars(select(Transaction).where(
        Transaction.kind == kind, Transaction.status.in_(statuses), Transaction.updated_at < now - QUIET,
        Transaction.created_at > now - HORIZON).order_by(Transaction.updated_at).limit(limit)))


def resync(session, limit: int = 50) -> dict:
    """Ask the provider about quiet open payments; send pending refunds again (same key)."""
    counts = {"resynced": 0, "resent": 0, "failures": 0}
    work = [(t, "resynced") for t in _stale(session, PAYMENT, OPEN_STATUSES, limit)]
    work += [(t, "resent") for t in _stale(session, REFUND, (PENDING,), limit) if t.provider_id is None]
    for transaction, count in work:
        try:
            if count == "resent":
                reversals.submit(session, transaction)
            else:
                payments.sync(session, get_gateway(session, transaction.gateway), transaction)
                transaction.updated_at = func.now()  # next time, others first
                session.commit()
            counts[count] += 1
        except Exception:
            session.rollback()
            log.exception("re-syncing transaction %s failed", transaction.id)
            counts["failures"] += 1
    return counts


def run(session) -> dict:
    counts = autopay.retry_due(session)
    extra = resync(session)
    counts["failures"] += extra.pop("failures")
    extra["requeued_events"] = events.requeue_stuck(session)
    session.commit()
    return {**counts, **extra}


def _uses_payments(active: set) -> bool:
    return "billing" in active and bool(active & set(gateway_plugins()))


@per_tenant_periodic(crontab(minute="*/10"), "billing.payments", uses=_uses_payments)
def sweep(counts: dict) -> int:
    """Every ten minutes, per tenant with a payment gateway."""
    from mpanel.extensions import db

    counts.update(run(db.session))
    return counts.get("failures", 0)
