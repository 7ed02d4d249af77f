"""Service status transitions: explicit, audited, signalled and idempotent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from mpanel.core import audit
from mpanel.core.errors import Conflict

from . import signals
from .cycles import MONTHS, add_cycles
from .models import ACTIVE, CANCELLED, FRAUD, PENDING, SUSPENDED, TERMINATED, Service

# from -> {to: signal}
TRANSITIONS = {
    PENDING: {ACTIVE: signals.service_activated, CANCELLED: signals.service_cancelled, FRAUD: None,
              TERMINATED: signals.service_terminated},
    ACTIVE: {SUSPENDED: signals.service_suspended, TERMINATED: signals.service_terminated,
             CANCELLED: signals.service_cancelled},
    SUSPENDED: {ACTIVE: signals.service_unsuspended, TERMINATED: signals.service_terminated,
                CANCELLED: signals.service_cancelled},
    FRAUD: {TERMINATED: signals.service_terminated, CANCELLED: signals.service_cancelled},
    TERMINATED: {},
    CANCELLED: {},
}


def lock(session, service_id: int) -> Service | None:
    """The service, locked for this transaction and read fresh."""
    return session.scalars(select(Service).where(Service.id == service_id).with_for_update()
                           .execution_options(populate_existing=True)).one_or_none()


def transition(session, service: Service, to: str, reason: str | None = None) -> bool:
    """Move ``service`` to ``to``; False (and nothing done) if it is there already.
    Raises FieldError("status") for a transition the table does not allow."""
    service = lock(session, service.id)
    previous = service.status
    if previous == to:
        return False
    if to not in TRANSITIONS[previous]:
        raise Conflict("status", f"a {previous} service cannot become {to}")
    if previous == PENDING and to == ACTIVE:
        service.next_due_date = (add_cycles(service.anchor_date, service.cycle, service.periods_billed)
                                 if service.cycle in MONTHS else None)
    service.status, service.status_changed_at = to, dt.datetime.now(dt.UTC)
    audit.record(session, f"service.{to}", "Service", service.id, {"from": previous, "to": to, "reason": reason})
    signal = TRANSITIONS[previous][to]
    if signal is not None:
        signal.send(service, previous=previous)
    return True
