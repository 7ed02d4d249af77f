"""Append-only audit log: who did what to which object, from where, when.

Rows are written by a flush hook for every create/update/delete of an
audited model and explicitly for security events (logins). The runtime role
may only INSERT and SELECT; a trigger refuses UPDATE and DELETE for everyone.
"""

from __future__ import annotations

import datetime as dt
import decimal

from flask import has_request_context, request
from flask import session as web_session
from flask_appbuilder import Model
from sqlalchemy import BigInteger, Column, DateTime, Integer, String, event, func, insert, inspect
from sqlalchemy.dialects.postgresql import JSONB

from mpanel.core.tenancy import TenantScoped, current_tenant_id

# Columns never copied into a change summary.
_SECRET_COLUMNS = {"password", "secret", "token", "api_key", "settings_secret"}


class AuditLog(TenantScoped, Model):
    __tablename__ = "audit_log"
    tenant_optional = True
    audited = False

    id = Column(BigInteger, primary_key=True)
    actor_id = Column(Integer, index=True)
    actor = Column(String(320))
    action = Column(String(64), nullable=False, index=True)
    object_type = Column(String(100))
    object_id = Column(String(64))
    summary = Column(JSONB, nullable=False, default=dict)
    ip = Column(String(45))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now(), index=True)


def _actor():
    from flask import g
    from flask_login import current_user

    if not has_request_context():
        return None, None
    # REST requests authenticate by token: FAB puts that user on g, not on Flask-Login.
    user = g.get("user") or current_user
    if user is not None and user.is_authenticated:
        staff = web_session.get("_mpanel_impersonator")  # staff signed in as this client (accounts.impersonation)
        return user.id, (f"{user.username} (staff: {staff['name']})"[:320] if staff else user.username)
    return None, None


def _client_ip():
    return request.remote_addr if has_request_context() else None


def record(session, action: str, obj_type: str | None = None, obj_id=None, summary: dict | None = None,
           actor_id=None, actor=None) -> None:
    """Add one audit row to the session's current unit of work."""
    if actor_id is None and actor is None:
        actor_id, actor = _actor()
    session.add(AuditLog(action=action, object_type=obj_type, object_id=None if obj_id is None else str(obj_id),
                         summary=summary or {}, actor_id=actor_id, actor=actor, ip=_client_ip()))


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return repr(value)


def _changes(obj) -> dict:
    changes = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in _SECRET_COLUMNS:
            continue
        history = inspect(obj).attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = [_jsonable(old), _jsonable(new)]
    return changes


def _is_audited(obj) -> bool:
    return getattr(obj, "audited", True) and isinstance(obj, (TenantScoped, _platform_models()))


def _platform_models():
    from mpanel.modules.tenants.models import Tenant

    return (Tenant,)


def _audit_flush(session, flush_context) -> None:
    """after_flush: ids are known and the change lists still show this flush.
    Rows go straight to the same connection, so they share the flush's
    transaction and tenant scope."""
    rows = []
    actor_id, actor = _actor()
    for verb, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not _is_audited(obj) or (verb == "update" and not session.is_modified(obj)):
                continue
            ident = inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append({
                "tenant_id": getattr(obj, "tenant_id", None) if isinstance(obj, TenantScoped) else current_tenant_id(),
                "action": verb, "object_type": type(obj).__name__,
                "object_id": str(ident[0]) if ident and ident[0] is not None else None,
                "summary": {} if verb == "delete" else _changes(obj),
                "actor_id": actor_id, "actor": actor, "ip": _client_ip(),
            })
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def install(session_class) -> None:
    if not event.contains(session_class, "after_flush", _audit_flush):
        event.listen(session_class, "after_flush", _audit_flush)
