"""Webhook events: stored once per (tenant, gateway, event id), processed via the outbox.

The webhook endpoint verifies the event (the gateway's ``verify_webhook``),
calls :func:`receive` and answers at once; the handler below runs after commit,
at least once, and asks the gateway to apply the event. A replayed event id is
not stored or processed again; a late or out-of-order event is harmless because
gateways apply the provider's current state, never a delta.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core import outbox
from mpanel.core.tenancy import require_tenant_id

from .base import GatewayEvent
from .models import GatewayEventLog
from .registry import get_gateway

KIND = "billing.gateway_event"
STUCK = dt.timedelta(hours=1)  # unprocessed this long: its outbox message gave up or was lost
HORIZON = dt.timedelta(days=7)


def receive(session, gateway: str, event: GatewayEvent) -> bool:
    """Store a verified event and queue its processing; False for a replay. No commit."""
    row_id = session.execute(
        insert(GatewayEventLog).values(tenant_id=require_tenant_id(), gateway=gateway, event_id=event.id,
                                       type=event.type, livemode=event.livemode, payload=dict(event.payload))
        .on_conflict_do_nothing(index_elements=["tenant_id", "gateway", "event_id"])
        .returning(GatewayEventLog.id)).scalar()
    if row_id is None:
        return False
    outbox.enqueue(session, KIND, {"event": row_id}, dedupe_key=f"gateway-event:{row_id}")
    return True


def requeue_stuck(session, limit: int = 50) -> int:
    """Queue events again that are still unprocessed an hour after they came (at most
    once an hour each); processing skips those done meanwhile. No commit."""
    now = dt.datetime.now(dt.UTC)
    stuck = session.scalars(select(GatewayEventLog.id).where(
        GatewayEventLog.processed_at.is_(None), GatewayEventLog.received_at < now - STUCK,
        GatewayEventLog.received_at > now - HORIZON).order_by(GatewayEventLog.id).limit(limit)).all()
    for row_id in stuck:
        outbox.enqueue(session, KIND, {"event": row_id}, dedupe_key=f"gateway-event:{row_id}:{now:%Y%m%d%H}")
    return len(stuck)


@outbox.handler(KIND)
def _process(payload: dict) -> None:
    from mpanel.extensions import db

    row = db.session.scalar(select(GatewayEventLog).where(GatewayEventLog.id == payload["event"])
                            .with_for_update())
    if row is None or row.processed_at is not None:
        return
    gateway = get_gateway(db.session, row.gateway)
    row.outcome = gateway.handle_event(GatewayEvent(row.event_id, row.type, row.livemode, row.payload))
    row.processed_at = dt.datetime.now(dt.UTC)
