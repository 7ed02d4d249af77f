"""Coupons (promotion codes) and one row per use.

``uses`` is a counter changed only by :func:`mpanel_catalog.coupons.redeem`
and ``release`` under a row lock, so the total limit holds under concurrency;
the redemption rows give the per-customer count and make a retried checkout
(same reference) count once.
"""

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import CustomerOwned, TenantScoped
from mpanel_catalog.constants import COUPON_DURATIONS, COUPON_KINDS
from mpanel_catalog.models.base import association, choice

coupon_products = association("catalog_coupon_products", ("coupon_id", "catalog_coupons.id"),
                              ("product_id", "catalog_products.id"))


class Coupon(TenantScoped, Model):
    __tablename__ = "catalog_coupons"
    __table_args__ = (
        CheckConstraint("value >= 0", name="ck_catalog_coupons_value"),
        CheckConstraint("uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)", name="ck_catalog_coupons_uses"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(64), nullable=False)
    description = Column(Text)
    kind = choice(COUPON_KINDS, "catalog_coupon_kind", nullable=False, default="percent")
    value = money()  # percent, or an amount in ``currency`` (fixed, override)
    currency = currency(nullable=True)
    duration = choice(COUPON_DURATIONS, "catalog_coupon_duration", nullable=False, default="once")
    duration_cycles = Column(Integer)  # for "repeating"
    # Scope: no products / cycles means all of them.
    products = relationship("Product", secondary=coupon_products, order_by="Product.id")
    cycles = Column(String(200), nullable=False, default="")  # comma-separated cycle names
    customer_group_id = Column(Integer, ForeignKey("catalog_customer_groups.id"), index=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    new_customers_only = Column(Boolean, nullable=False, default=False)
    starts_at = Column(DateTime(timezone=True))
    expires_at = Column(DateTime(timezone=True))
    max_uses = Column(Integer)
    max_uses_per_customer = Column(Integer)
    uses = Column(Integer, nullable=False, default=0)
    stackable = Column(Boolean, nullable=False, default=False)  # may be combined with other coupons
    active = Column(Boolean, nullable=False, default=True)

    customer_group = relationship("CustomerGroup")
    customer = relationship("Customer")
    redemptions = relationship("CouponRedemption", back_populates="coupon", passive_deletes=True)

    @property
    def cycle_list(self) -> list[str]:
        return [c.strip() for c in (self.cycles or "").split(",") if c.strip()]

    def __repr__(self) -> str:
        return self.code


# Codes are unique per tenant whatever their case.
Index("uq_catalog_coupons_code", Coupon.tenant_id, func.upper(Coupon.code), unique=True)


class CouponRedemption(CustomerOwned, Model):
    __tablename__ = "catalog_coupon_redemptions"
    __table_args__ = (UniqueConstraint("coupon_id", "reference", name="uq_catalog_coupon_redemptions_reference"),)

    id = Column(Integer, primary_key=True)
    coupon_id = Column(Integer, ForeignKey("catalog_coupons.id"), nullable=False, index=True)
    reference = Column(String(100), nullable=False)  # the order (or other document) that used the coupon
    redeemed_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    coupon = relationship("Coupon", back_populates="redemptions")
    customer = relationship("Customer")

