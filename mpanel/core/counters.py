"""Counters for Prometheus. Business events (invoices issued, payments, refunds ...)
are counted only when the transaction that made them commits: a rolled-back run
counts nothing.

``count(session, "invoices_issued", n)`` notes the event on the session; the commit
adds it to ``mpanel_business_events_total{event=...}``, a rollback forgets it.
Sign-ins are counted from their audit rows, outbox messages by the outbox and
periodic runs by ``run_recorded``.
"""

from __future__ import annotations

from collections import Counter as Tally

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import Session

from mpanel.core.audit import AuditLog

EVENTS = Counter("mpanel_business_events_total", "Business events committed", ["event"])
LOGINS = Counter("mpanel_logins_total", "Sign-in attempts", ["result"])
OUTBOX = Counter("mpanel_outbox_messages_total", "Outbox message attempts", ["kind", "result"])
JOBS = Counter("mpanel_job_runs_total", "Periodic job runs", ["task", "status"])
# Audit actions of a sign-in -> its result label.
_LOGIN_RESULTS = {"login": "success", "login_failed": "failed", "login_refused_locked": "locked"}
_KEY = "mpanel_counters"


def count(session, name: str, n: int = 1) -> None:
    session.info.setdefault(_KEY, Tally())[name] += n


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    for name, n in session.info.pop(_KEY, {}).items():
        EVENTS.labels(event=name).inc(n)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(AuditLog, "after_insert")
def _login_audited(_mapper, _connection, row) -> None:
    result = _LOGIN_RESULTS.get(row.action)
    if result:
        LOGINS.labels(result=result).inc()
