"""Per-tenant activation of installed plugins."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Integer, String, UniqueConstraint, func

from mpanel.core.tenancy import TenantScoped


class TenantPlugin(TenantScoped, Model):
    __tablename__ = "tenant_plugins"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin"),)

    id = Column(Integer, primary_key=True)
    plugin = Column(String(64), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    changed_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now())
