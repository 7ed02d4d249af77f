"""Stripe Customers of MPanel customers, one per mode (test, live) and the open SetupIntent."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Integer, String, UniqueConstraint, func

from mpanel.core.tenancy import CustomerOwned


class StripeCustomer(CustomerOwned, Model):
    __tablename__ = "gateway_stripe_customers"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "livemode"),)

    id = Column(Integer, primary_key=True)
    livemode = Column(Boolean, nullable=False)
    stripe_id = Column(String(100), nullable=False, index=True)
    setup_intent_id = Column(String(100))  # reused until it succeeds, so each click makes no new one
    setups = Column(Integer, nullable=False, default=0)  # SetupIntents created: part of their idempotency key
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
