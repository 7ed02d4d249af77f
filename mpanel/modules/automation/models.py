"""Automation status: one row per periodic run and per task it fans out to."""

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB

from mpanel.core.tenancy import TenantScoped


class AutomationRun(TenantScoped, Model):
    __tablename__ = "automation_runs"
    tenant_optional = True  # platform-wide sweeps have no tenant
    audited = False

    id = Column(BigInteger, primary_key=True)
    task = Column(String(100), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="running")  # running, ok, failed, skipped
    started_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    finished_at = Column(DateTime(timezone=True))
    counts = Column(JSONB, nullable=False, default=dict)
    failures = Column(Integer, nullable=False, default=0)
    error = Column(Text)
