"""Business counters for Prometheus (invoices issued, payments, refunds ...), counted
only when the transaction that made them commits: a rolled-back run counts nothing.

``count(session, "invoices_issued", n)`` notes the event on the session; the commit
adds it to ``mpanel_business_events_total{event=...}``, a rollback forgets it.
"""

from __future__ import annotations

from collections import Counter as Tally

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import Session

EVENTS = Counter("mpanel_business_events_total", "Business events committed", ["event"])
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
