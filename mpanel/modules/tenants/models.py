"""Tenants: the hosting companies that share this installation (a global table)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Integer, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB


class Tenant(Model):
    __tablename__ = "tenants"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    slug = Column(String(63), nullable=False, unique=True)
    hostnames = Column(ARRAY(String(253)), nullable=False, default=list)
    default_currency = Column(String(3), nullable=False, default="EUR")
    timezone = Column(String(64), nullable=False, default="UTC")
    country = Column(String(2), nullable=False, default="DE")
    locale = Column(String(10), nullable=False, default="en")
    branding = Column(JSONB, nullable=False, default=dict)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    def __repr__(self) -> str:
        return self.name

    def local_now(self) -> dt.datetime:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(self.timezone))
