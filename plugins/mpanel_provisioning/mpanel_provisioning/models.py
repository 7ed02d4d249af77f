"""Servers and server groups (per tenant), and per service: the panel account and the
log of actions run for it. Secrets are stored encrypted (mpanel.core.crypto)."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import relationship

from mpanel.core import crypto
from mpanel.core.tenancy import CustomerOwned, TenantScoped

LEAST_FULL, IN_ORDER = "least_full", "in_order"
FILL_STRATEGIES = (LEAST_FULL, IN_ORDER)
CREATE, SUSPEND, UNSUSPEND, TERMINATE, CHANGE_PACKAGE, CHANGE_PASSWORD = (
    "create", "suspend", "unsuspend", "terminate", "change_package", "change_password")
ACTIONS = (CREATE, SUSPEND, UNSUSPEND, TERMINATE, CHANGE_PACKAGE, CHANGE_PASSWORD)
QUEUED, RUNNING, DONE, FAILED, RESOLVED = "queued", "running", "done", "failed", "resolved"
ACTION_STATES = (QUEUED, RUNNING, DONE, FAILED, RESOLVED)
PENDING, ACTIVE, SUSPENDED, TERMINATED = "pending", "active", "suspended", "terminated"
ACCOUNT_STATES = (PENDING, ACTIVE, SUSPENDED, TERMINATED)


class ServerGroup(TenantScoped, Model):
    __tablename__ = "provisioning_server_groups"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    module = Column(String(64), nullable=False)  # the provisioning module's name (whm, proxmox ...)
    fill_strategy = Column(String(16), nullable=False, default=LEAST_FULL)

    servers = relationship("Server", back_populates="group", order_by="Server.position, Server.id")

    def __repr__(self) -> str:
        return self.name


class Server(TenantScoped, Model):
    __tablename__ = "provisioning_servers"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id = Column(Integer, primary_key=True)
    group_id = Column(Integer, ForeignKey("provisioning_server_groups.id", ondelete="RESTRICT"), nullable=False,
                      index=True)
    name = Column(String(100), nullable=False)
    host = Column(String(255), nullable=False)
    port = Column(Integer, nullable=False)
    secure = Column(Boolean, nullable=False, default=True)  # https
    verify_tls = Column(Boolean, nullable=False, default=True)
    username = Column(String(100), nullable=False)
    secret_encrypted = Column(Text, nullable=False)  # API token (or password), Fernet-encrypted
    max_accounts = Column(Integer)  # capacity; None = no limit
    position = Column(Integer, nullable=False, default=0)  # the order "fill in order" uses
    active = Column(Boolean, nullable=False, default=True)
    last_test_at = Column(DateTime(timezone=True))
    last_test_result = Column(String(500))

    group = relationship("ServerGroup", back_populates="servers")

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value)

    def __repr__(self) -> str:
        return self.name


class ServiceAccount(CustomerOwned, Model):
    """The panel account of one billing service."""

    __tablename__ = "provisioning_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "service_id"), UniqueConstraint("server_id", "username"))

    id = Column(Integer, primary_key=True)
    service_id = Column(Integer, ForeignKey("billing_services.id", ondelete="CASCADE"), nullable=False, index=True)
    server_id = Column(Integer, ForeignKey("provisioning_servers.id", ondelete="RESTRICT"), nullable=False,
                       index=True)
    module = Column(String(64), nullable=False)
    username = Column(String(64), nullable=False)
    domain = Column(String(255))
    status = Column(String(16), nullable=False, default=PENDING)
    details = Column(JSONB, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    server = relationship("Server")
    service = relationship("Service")
    customer = relationship("Customer")

    def __repr__(self) -> str:
        return f"{self.username}@{self.server.name if self.server else '?'}"


class ProvisioningAction(CustomerOwned, Model):
    """One panel call for a service: queued, run by the outbox, its result and the panel's message."""

    __tablename__ = "provisioning_actions"

    id = Column(Integer, primary_key=True)
    service_id = Column(Integer, ForeignKey("billing_services.id", ondelete="CASCADE"), nullable=False, index=True)
    account_id = Column(Integer, ForeignKey("provisioning_accounts.id", ondelete="CASCADE"), index=True)
    action = Column(String(16), nullable=False)
    params = Column(JSONB, nullable=False, default=dict)  # a password only encrypted, dropped once done
    status = Column(String(16), nullable=False, default=QUEUED, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    message = Column(Text)  # the panel's answer or the last error
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    finished_at = Column(DateTime(timezone=True))

    account = relationship("ServiceAccount")
    service = relationship("Service")

    def __repr__(self) -> str:
        return f"{self.action} #{self.id}"
