"""The sandbox's registry: names "registered" per tenant, and contact handles."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from mpanel.core.tenancy import TenantScoped


class DemoRegistration(TenantScoped, Model):
    __tablename__ = "registrar_demo_registrations"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_registrar_demo_registrations_name"),)
    audited = False

    id = Column(Integer, primary_key=True)
    name = Column(String(253), nullable=False)
    expires_at = Column(Date, nullable=False)
    nameservers = Column(ARRAY(String(253)), nullable=False, default=list)
    contacts = Column(JSONB, nullable=False, default=dict)  # role -> handle
    locked = Column(Boolean, nullable=False, default=True)
    id_protection = Column(Boolean, nullable=False, default=False)
    auth_code = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class DemoContact(TenantScoped, Model):
    __tablename__ = "registrar_demo_contacts"
    audited = False

    id = Column(Integer, primary_key=True)
    data = Column(JSONB, nullable=False)

    @property
    def handle(self) -> str:
        return f"DEMO-{self.id}"
