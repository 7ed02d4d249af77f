"""Tables of the payment contract (migration 0003_payments).

* ``billing_transactions``: every provider operation (payment, refund,
  chargeback), one row each, with the provider's id once known. Its ledger
  effect is a ``billing_payments`` row (unique provider id) and ledger entries.
* ``billing_transaction_invoices``: which invoices a payment is for (mass pay).
* ``billing_payment_methods``: saved methods (cards) at a provider.
* ``billing_charge_attempts``: off-session charges of an invoice and their retry schedule.
* ``billing_gateway_events``: received webhook events, unique per tenant, gateway and id.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import CustomerOwned, TenantScoped

from .base import CANCELED, FAILED, PENDING, REQUIRES_ACTION, SUCCEEDED

PAYMENT, REFUND, CHARGEBACK, DISPUTE_WON = "payment", "refund", "chargeback", "dispute_won"
KINDS = (PAYMENT, REFUND, CHARGEBACK, DISPUTE_WON)
STATUSES = (PENDING, REQUIRES_ACTION, SUCCEEDED, FAILED, CANCELED)
OPEN_STATUSES = (PENDING, REQUIRES_ACTION)

# Charge attempt states.
SCHEDULED, PROCESSING, DECLINED, ACTION_REQUIRED, GAVE_UP, DONE, CANCELLED = (
    "scheduled", "processing", "declined", "action_required", "gave_up", "succeeded", "cancelled")
ATTEMPT_STATUSES = (SCHEDULED, PROCESSING, DECLINED, ACTION_REQUIRED, GAVE_UP, DONE, CANCELLED)
DUE_ATTEMPTS = (SCHEDULED, PROCESSING)  # run when next_attempt_at has come


def _updated():
    return Column(DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now())


class Transaction(CustomerOwned, Model):
    __tablename__ = "billing_transactions"
    __table_args__ = (UniqueConstraint("tenant_id", "gateway", "kind", "provider_id"),)

    id = Column(Integer, primary_key=True)
    gateway = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False, default=PAYMENT)
    status = Column(String(16), nullable=False, default=PENDING, index=True)
    amount = money()
    currency = currency()
    fee = money(nullable=True)  # the provider's fee (merchant cost)
    provider_id = Column(String(200))  # pi_..., re_..., dp_..., a bank reference
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), index=True)
    parent_id = Column(Integer, ForeignKey("billing_transactions.id", ondelete="RESTRICT"), index=True)
    payment_id = Column(Integer, ForeignKey("billing_payments.id", ondelete="RESTRICT"))  # its ledger record
    method_id = Column(Integer, ForeignKey("billing_payment_methods.id", ondelete="RESTRICT"))
    off_session = Column(Boolean, nullable=False, default=False)
    save_method = Column(Boolean, nullable=False, default=False)
    error = Column(String(500))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = _updated()

    customer = relationship("Customer")
    invoice = relationship("Invoice")
    parent = relationship("Transaction", remote_side=[id])
    method = relationship("PaymentMethod")
    allocations = relationship("Allocation", order_by="Allocation.position", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"{self.kind} #{self.id}"


class Allocation(CustomerOwned, Model):
    """An invoice a payment transaction pays, and how much of it."""

    __tablename__ = "billing_transaction_invoices"
    audited = False

    transaction_id = Column(Integer, ForeignKey("billing_transactions.id", ondelete="CASCADE"), primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), primary_key=True)
    position = Column(SmallInteger, nullable=False, default=0)
    amount = money()
    currency = currency()

    invoice = relationship("Invoice")


class PaymentMethod(CustomerOwned, Model):
    __tablename__ = "billing_payment_methods"
    __table_args__ = (UniqueConstraint("tenant_id", "gateway", "provider_id"),
                      Index("billing_payment_methods_one_default", "tenant_id", "customer_id", unique=True,
                            postgresql_where=text("is_default AND removed_at IS NULL")))

    id = Column(Integer, primary_key=True)
    gateway = Column(String(64), nullable=False)
    provider_id = Column(String(200), nullable=False)
    provider_customer_id = Column(String(200))
    test_mode = Column(Boolean, nullable=False, default=False)
    brand = Column(String(32), nullable=False, default="")
    last4 = Column(String(4), nullable=False, default="")
    exp_month = Column(SmallInteger)
    exp_year = Column(SmallInteger)
    is_default = Column(Boolean, nullable=False, default=False)
    removed_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    customer = relationship("Customer")

    @property
    def label(self) -> str:
        expiry = f" {self.exp_month:02d}/{self.exp_year}" if self.exp_month and self.exp_year else ""
        return f"{self.brand.title()} •••• {self.last4}{expiry}"

    def __repr__(self) -> str:
        return self.label


class ChargeAttempt(CustomerOwned, Model):
    """One off-session charge of an invoice; the next one is scheduled after a decline."""

    __tablename__ = "billing_charge_attempts"
    __table_args__ = (UniqueConstraint("invoice_id", "number"),
                      Index("billing_charge_attempts_one_active", "invoice_id", unique=True,
                            postgresql_where=text("status IN ('scheduled', 'processing')")))

    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), nullable=False, index=True)
    number = Column(SmallInteger, nullable=False)  # 1, 2, ... per invoice
    status = Column(String(16), nullable=False, default=SCHEDULED)
    next_attempt_at = Column(DateTime(timezone=True), index=True)  # for scheduled and processing attempts
    method_id = Column(Integer, ForeignKey("billing_payment_methods.id", ondelete="RESTRICT"))
    transaction_id = Column(Integer, ForeignKey("billing_transactions.id", ondelete="RESTRICT"), unique=True)
    error = Column(String(500))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = _updated()

    invoice = relationship("Invoice")
    method = relationship("PaymentMethod")
    transaction = relationship("Transaction")


class GatewayEventLog(TenantScoped, Model):
    __tablename__ = "billing_gateway_events"
    __table_args__ = (UniqueConstraint("tenant_id", "gateway", "event_id"),)
    audited = False

    id = Column(Integer, primary_key=True)
    gateway = Column(String(64), nullable=False)
    event_id = Column(String(200), nullable=False)
    type = Column(String(100), nullable=False)
    livemode = Column(Boolean, nullable=False, default=False)
    payload = Column(JSONB, nullable=False)
    outcome = Column(Text)
    received_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    processed_at = Column(DateTime(timezone=True))
