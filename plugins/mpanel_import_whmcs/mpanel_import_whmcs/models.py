"""The importer's own tables: the id map that makes re-runs idempotent, and the runs with their reports."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB

from mpanel.core.tenancy import TenantScoped

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class ImportMap(TenantScoped, Model):
    """One imported source row: (WHMCS table, WHMCS id) -> the MPanel row it became.

    ``digest`` is a hash of the source columns the importer read, so a re-run
    updates only rows that changed in WHMCS since."""

    __tablename__ = "import_whmcs_map"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "source_id"),)
    audited = False

    id = Column(Integer, primary_key=True)
    source = Column(String(64), nullable=False)
    source_id = Column(Integer, nullable=False)
    target = Column(String(64), nullable=False)  # the MPanel table
    target_id = Column(Integer, nullable=False)
    digest = Column(String(64), nullable=False)
    imported_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True))


class ImportRun(TenantScoped, Model):
    """An import started from the staff page (or the command line): its progress and report."""

    __tablename__ = "import_whmcs_runs"

    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default=QUEUED)
    dry_run = Column(Boolean, nullable=False, default=False)
    source = Column(String(300), nullable=False)  # the DSN without its password
    # The DSN with its password, encrypted (mpanel.core.crypto) until the run ends; the audit log never copies it.
    secret = Column(Text)
    progress = Column(JSONB, nullable=False, default=dict)  # table -> rows done so far
    report = Column(JSONB)
    error = Column(Text)
    started_by = Column(String(320))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    finished_at = Column(DateTime(timezone=True))
