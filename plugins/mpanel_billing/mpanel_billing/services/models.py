"""Services (subscriptions), the periods billed for them, dunning consequences,
and orders. Every row belongs to one customer (row-level security)."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, SmallInteger, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import CustomerOwned

PENDING, ACTIVE, SUSPENDED, TERMINATED, CANCELLED, FRAUD = (
    "pending", "active", "suspended", "terminated", "cancelled", "fraud")
STATUSES = (PENDING, ACTIVE, SUSPENDED, TERMINATED, CANCELLED, FRAUD)


def _fk(table: str, nullable: bool = True, ondelete: str = "RESTRICT", **kwargs) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, index=True, **kwargs)


class Order(CustomerOwned, Model):
    __tablename__ = "billing_orders"

    id = Column(Integer, primary_key=True)
    currency = currency()
    coupon = Column(String(64))
    invoice_id = _fk("billing_invoices")
    review = Column(String(16))  # None, or held / approved / rejected (orders.review)
    review_reason = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    lines = relationship("OrderLine", order_by="OrderLine.id", back_populates="order")
    customer = relationship("Customer")
    invoice = relationship("Invoice", lazy="selectin")  # one query for a page of orders, not one each


class OrderLine(CustomerOwned, Model):
    """A product (one service) or a domain registration/transfer of an order."""

    __tablename__ = "billing_order_lines"

    id = Column(Integer, primary_key=True)
    order_id = _fk("billing_orders", nullable=False, ondelete="CASCADE")
    service_id = _fk("billing_services")
    domain_id = Column(Integer, index=True)  # mpanel_domains' domain, when that plugin is active
    domain_action = Column(String(16))  # register, transfer
    years = Column(SmallInteger)
    line_positions = Column(ARRAY(SmallInteger))  # a domain's lines on the order's invoice (credited if it fails)

    order = relationship("Order", back_populates="lines")


class Service(CustomerOwned, Model):
    __tablename__ = "billing_services"

    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, nullable=False, index=True)  # the catalogue's product
    description = Column(String(500), nullable=False)
    cycle = Column(String(16), nullable=False)
    currency = currency()
    recurring_amount = money()  # locked at order time from the catalogue quote
    tax_class = Column(String(16), nullable=False, default="standard")
    options = Column(JSONB, nullable=False, default=dict)
    addons = Column(JSONB, nullable=False, default=list)
    coupon = Column(String(64))  # re-applied at renewals while its duration lasts
    status = Column(String(16), nullable=False, default=PENDING, index=True)
    start_date = Column(Date, nullable=False)
    anchor_date = Column(Date, nullable=False)  # periods count from here: the start date, or the trial's end
    periods_billed = Column(Integer, nullable=False, default=0)  # period n runs from anchor + n cycles
    next_due_date = Column(Date, index=True)  # set at activation: anchor + periods_billed cycles
    cancel_at = Column(Date)  # cancellation requested for the end of the period
    pending_change = Column(JSONB)  # an up-/downgrade applied at the end of the period
    status_changed_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    customer = relationship("Customer")


class ServicePeriod(CustomerOwned, Model):
    """One billed period of a service: unique, written with its invoice line."""

    __tablename__ = "billing_service_periods"
    __table_args__ = (UniqueConstraint("service_id", "period_start"),)

    id = Column(Integer, primary_key=True)
    service_id = _fk("billing_services", nullable=False, ondelete="CASCADE")
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    invoice_id = _fk("billing_invoices", nullable=False)
    amount = money()
    currency = currency()


class ServiceDunning(CustomerOwned, Model):
    """A dunning consequence (suspend, terminate) taken once per service and invoice."""

    __tablename__ = "billing_service_dunning"
    __table_args__ = (UniqueConstraint("service_id", "invoice_id", "action"),)

    id = Column(Integer, primary_key=True)
    service_id = _fk("billing_services", nullable=False, ondelete="CASCADE")
    invoice_id = _fk("billing_invoices", nullable=False)
    action = Column(String(16), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
