"""Transactional outbox: side effects (mail, webhooks, provisioning, registrar
calls) are written in the same transaction as the change that causes them and
run by Huey after commit, with retries. A handler runs at least once, so
handlers must be idempotent; ``dedupe_key`` makes the enqueue itself exactly-once.

A failing handler is retried with back-off (30 s doubling, at most hourly) for
``OUTBOX_RETRY_HOURS`` (3 days) from its creation or its last resend; then, or at
once when the handler raises :class:`PermanentError`, it is marked failed with the
reason and the tenant's staff are told. Staff resend failed messages from the
outbox page. Higher-priority kinds (mail) run before lower ones (documents).
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert

from mpanel.core import counters
from mpanel.core.tasks import per_tenant_periodic, tenant_task
from mpanel.core.tenancy import TenantScoped, require_tenant_id

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)  # a claimed message is not due again before this
MAX_BACKOFF = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8  # for handlers that count their own attempts (domain actions) and stop after this many
_handlers: dict = {}
_priorities: dict[str, int] = {}
_draining: ContextVar[bool] = ContextVar("mpanel_outbox_draining", default=False)
_notes: ContextVar[list | None] = ContextVar("mpanel_outbox_notes", default=None)


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (a refused recipient ...)."""


class OutboxMessage(TenantScoped, Model):
    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"),)
    audited = False

    id = Column(BigInteger, primary_key=True)
    kind = Column(String(100), nullable=False)
    payload = Column(JSONB, nullable=False, default=dict)
    dedupe_key = Column(String(200))
    status = Column(String(16), nullable=False, default="pending", index=True)  # pending, done, failed
    priority = Column(SmallInteger, nullable=False, default=0, server_default="0")
    retry_from = Column(DateTime(timezone=True))  # the last resend; retries are counted from it
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    last_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    processed_at = Column(DateTime(timezone=True))


def handler(kind: str, priority: int = 0):
    """Register ``fn(payload)`` as the handler for outbox messages of ``kind``;
    due messages of a higher ``priority`` run first."""

    def decorate(fn):
        _handlers[kind] = fn
        _priorities[kind] = priority
        return fn

    return decorate


def note(text: str) -> None:
    """Record a remark on the message being handled (kept in ``last_error`` when it succeeds)."""
    notes = _notes.get()
    if notes is not None:
        notes.append(text)


def enqueue(session, kind: str, payload: dict, dedupe_key: str | None = None) -> None:
    """Add a side effect to the current transaction (ignored if the key exists)."""
    tenant_id = require_tenant_id()
    stmt = insert(OutboxMessage).values(tenant_id=tenant_id, kind=kind, payload=payload, dedupe_key=dedupe_key,
                                        priority=_priorities.get(kind, 0))
    session.execute(stmt.on_conflict_do_nothing(index_elements=["tenant_id", "dedupe_key"]))
    session.info.setdefault("mpanel_outbox_tenants", set()).add(tenant_id)


def enqueue_many(session, kind: str, items) -> None:
    """enqueue() for many ``(payload, dedupe_key)`` pairs in one statement."""
    from mpanel.core.bulkinsert import insert_rows

    tenant_id = require_tenant_id()
    rows = [{"tenant_id": tenant_id, "kind": kind, "payload": payload, "dedupe_key": key, "status": "pending",
             "attempts": 0, "priority": _priorities.get(kind, 0)} for payload, key in items]
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
    """Run due messages of the tenant in scope, highest priority first.

    Each message is first claimed in its own commit (attempt counted, due
    again only after a lease), so a handler may commit its own progress, a
    crash mid-handler is retried after the lease, and a failed handler's
    database work is rolled back before its error is recorded.
    """
    from flask import current_app

    window = dt.timedelta(hours=current_app.config["OUTBOX_RETRY_HOURS"])
    done = failed = 0
    errors = []
    for _ in range(limit):
        now = dt.datetime.now(dt.UTC)
        message = session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.priority.desc(), OutboxMessage.id)
            .with_for_update(skip_locked=True)
            .limit(1)
        )
        if message is None:
            break
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message_id, kind, payload, attempts = message.id, message.kind, dict(message.payload), message.attempts
        deadline = (message.retry_from or message.created_at) + window
        session.commit()
        notes = []
        token = _notes.set(notes)
        try:
            fn = _handlers.get(kind)
            if fn is None:
                raise LookupError(f"no outbox handler for {kind!r}")
            fn(payload)
            outcome = {"status": "done", "processed_at": now, "last_error": "; ".join(notes) or None}
            done += 1
        except Exception as exc:
            session.rollback()
            log.warning("outbox %s #%s failed: %s", kind, message_id, exc)
            errors.append(f"{kind} #{message_id}: {type(exc).__name__}: {exc}"[:500])
            retry_at = now + min(dt.timedelta(seconds=30 * 2 ** min(attempts, 20)), MAX_BACKOFF)
            outcome = {"last_error": f"{type(exc).__name__}: {exc}", "next_attempt_at": retry_at}
            if isinstance(exc, PermanentError) or retry_at > deadline:
                outcome["status"] = "failed"
                _gave_up(session, message_id, kind, payload, outcome["last_error"])
            failed += 1
        finally:
            _notes.reset(token)
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**outcome))
        session.commit()
        counters.OUTBOX.labels(kind=kind, result=outcome.get("status", "retry")).inc()
    return {"done": done, "failed": failed, "errors": errors}


def _gave_up(session, message_id: int, kind: str, payload: dict, reason: str) -> None:
    """Audit the failure and tell the tenant's staff (never about a failed alert itself)."""
    from mpanel.core import alerts, audit

    log.error("outbox %s #%s failed for good: %s", kind, message_id, reason)
    audit.record(session, "outbox_failed", "OutboxMessage", message_id, {"kind": kind, "error": reason[:500]},
                 actor_id=None, actor=None)
    if not payload.get("alert"):
        alerts.tell_staff(session, f"A side effect failed: {kind} #{message_id}",
                          f"The outbox gave up on {kind} #{message_id}:\n{reason}\n\n"
                          "Resend it from Administration > Outbox once the cause is fixed.\n",
                          dedupe_key=f"alert:outbox:{message_id}:{payload.get('resent', 0)}")


def resend(session, ids) -> int:
    """Put failed messages back in the queue now, with a fresh retry window; returns how many."""
    now = dt.datetime.now(dt.UTC)
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "failed")
        .values(status="pending", next_attempt_at=now, retry_from=now,
                payload=OutboxMessage.payload.op("||")(func.jsonb_build_object(
                    "resent", func.coalesce(OutboxMessage.payload["resent"].as_integer(), 0) + 1))))
    session.info.setdefault("mpanel_outbox_tenants", set()).add(require_tenant_id())
    return result.rowcount


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
