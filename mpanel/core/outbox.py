"""Transactional outbox: side effects (mail, webhooks, provisioning, registrar
calls) are written in the same transaction as the change that causes them and
run by Huey after commit, with retries. A handler runs at least once, so
handlers must be idempotent; ``dedupe_key`` makes the enqueue itself exactly-once.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextvars import ContextVar

from flask_appbuilder import Model
from huey import crontab
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert

from mpanel.core.tasks import per_tenant_periodic, tenant_task
from mpanel.core.tenancy import TenantScoped, require_tenant_id

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=5)  # a claimed message is not due again before this
_handlers: dict = {}
_draining: ContextVar[bool] = ContextVar("mpanel_outbox_draining", default=False)


class OutboxMessage(TenantScoped, Model):
    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"),)
    audited = False

    id = Column(BigInteger, primary_key=True)
    kind = Column(String(100), nullable=False)
    payload = Column(JSONB, nullable=False, default=dict)
    dedupe_key = Column(String(200))
    status = Column(String(16), nullable=False, default="pending", index=True)  # pending, done, failed
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    last_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    processed_at = Column(DateTime(timezone=True))


def handler(kind: str):
    """Register ``fn(payload)`` as the handler for outbox messages of ``kind``."""

    def decorate(fn):
        _handlers[kind] = fn
        return fn

    return decorate


def enqueue(session, kind: str, payload: dict, dedupe_key: str | None = None) -> None:
    """Add a side effect to the current transaction (ignored if the key exists)."""
    tenant_id = require_tenant_id()
    stmt = insert(OutboxMessage).values(tenant_id=tenant_id, kind=kind, payload=payload, dedupe_key=dedupe_key)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["tenant_id", "dedupe_key"]))
    session.info.setdefault("mpanel_outbox_tenants", set()).add(tenant_id)


def enqueue_many(session, kind: str, items) -> None:
    """enqueue() for many ``(payload, dedupe_key)`` pairs in one statement."""
    from mpanel.core.bulkinsert import insert_rows

    tenant_id = require_tenant_id()
    rows = [{"tenant_id": tenant_id, "kind": kind, "payload": payload, "dedupe_key": key, "status": "pending",
             "attempts": 0} for payload, key in items]
    if rows:
        insert_rows(session, OutboxMessage.__table__, rows, "ON CONFLICT (tenant_id, dedupe_key) DO NOTHING")
        session.info.setdefault("mpanel_outbox_tenants", set()).add(tenant_id)


def _after_commit(session) -> None:
    # Enqueues the drain task; in immediate mode (tests) it runs right here, in
    # its own app context and session. A commit made while draining (a handler
    # that enqueues more) needs no new drain: the running loop picks it up.
    if session.in_nested_transaction():  # a savepoint released (begin_nested): the transaction goes on
        return
    tenants = session.info.pop("mpanel_outbox_tenants", ())
    if _draining.get():
        return
    for tenant_id in tenants:
        drain(tenant_id)


def _after_rollback(session, _transaction) -> None:
    session.info.pop("mpanel_outbox_tenants", None)


def install(session_class) -> None:
    for name, fn in (("after_commit", _after_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)


def process_pending(session, limit: int = 100) -> dict:
    """Run due messages of the tenant in scope.

    Each message is first claimed in its own commit (attempt counted, due
    again only after a lease), so a handler may commit its own progress, a
    crash mid-handler is retried after the lease, and a failed handler's
    database work is rolled back before its error is recorded.
    """
    done = failed = 0
    for _ in range(limit):
        now = dt.datetime.now(dt.UTC)
        message = session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
            .limit(1)
        )
        if message is None:
            break
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message_id, kind, payload, attempts = message.id, message.kind, dict(message.payload), message.attempts
        session.commit()
        try:
            fn = _handlers.get(kind)
            if fn is None:
                raise LookupError(f"no outbox handler for {kind!r}")
            fn(payload)
            outcome = {"status": "done", "processed_at": now, "last_error": None}
            done += 1
        except Exception as exc:
            session.rollback()
            log.warning("outbox %s #%s failed: %s", kind, message_id, exc)
            outcome = {"last_error": f"{type(exc).__name__}: {exc}",
                       "next_attempt_at": now + dt.timedelta(seconds=30 * 2 ** attempts),
                       **({"status": "failed"} if attempts >= MAX_ATTEMPTS else {})}
            failed += 1
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**outcome))
        session.commit()
    return {"done": done, "failed": failed}


@tenant_task(retries=3, retry_delay=30)
def drain(tenant_id: int) -> dict:
    from mpanel.extensions import db

    token = _draining.set(True)
    try:
        return process_pending(db.session)
    finally:
        _draining.reset(token)


@per_tenant_periodic(crontab(minute="*"), "outbox.sweep", queue=False, record=False, active_only=False)
def sweep(counts: dict) -> int:
    """Retry what is due, tenant by tenant: failed attempts wait for their back-off,
    and a drain task lost with a worker is picked up here."""
    from mpanel.extensions import db

    result = process_pending(db.session)
    counts.update(result)
    return result["failed"]
