"""Key/value settings namespaced per plugin, global and per tenant.

Secret values (declared by the plugin) are encrypted at rest and only
decrypted when read through :func:`get_settings`.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, Integer, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import JSONB

from mpanel.core import crypto
from mpanel.core.tenancy import TenantScoped, current_tenant_id

_ENCRYPTED = "$encrypted"


class PlatformSetting(Model):
    __tablename__ = "platform_settings"
    __table_args__ = (UniqueConstraint("namespace", "key"),)

    id = Column(Integer, primary_key=True)
    namespace = Column(String(64), nullable=False)
    key = Column(String(100), nullable=False)
    value = Column(JSONB)


class TenantSetting(TenantScoped, Model):
    __tablename__ = "tenant_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "namespace", "key"),)

    id = Column(Integer, primary_key=True)
    namespace = Column(String(64), nullable=False)
    key = Column(String(100), nullable=False)
    value = Column(JSONB)


def _model():
    return PlatformSetting if current_tenant_id() is None else TenantSetting


def get_settings(session, namespace: str, defaults: dict) -> dict:
    """Defaults overlaid with stored values, for the tenant in scope (or global)."""
    model = _model()
    rows = session.scalars(select(model).where(model.namespace == namespace)).all()
    values = dict(defaults)
    for row in rows:
        value = row.value
        if isinstance(value, dict) and _ENCRYPTED in value:
            value = crypto.decrypt(value[_ENCRYPTED])
        values[row.key] = value
    return values


def set_settings(session, namespace: str, values: dict, secret_keys=()) -> None:
    """Store values for the tenant in scope (or global); secrets encrypted."""
    model = _model()
    existing = {r.key: r for r in session.scalars(select(model).where(model.namespace == namespace))}
    for key, value in values.items():
        stored = {_ENCRYPTED: crypto.encrypt(str(value))} if key in secret_keys and value not in (None, "") else value
        row = existing.get(key) or model(namespace=namespace, key=key)
        row.value = stored
        session.add(row)
