"""Add-ons (own pricing and cycle, attachable to chosen products) and bundles."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from mpanel.core.tenancy import TenantScoped
from mpanel_catalog.constants import CYCLES
from mpanel_catalog.models.base import association, choice

addon_products = association("catalog_addon_products", ("addon_id", "catalog_addons.id"),
                             ("product_id", "catalog_products.id"))


class Addon(TenantScoped, Model):
    __tablename__ = "catalog_addons"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    description = Column(Text)
    hidden = Column(Boolean, nullable=False, default=False)
    tax_class = Column(String(64))
    sort_order = Column(Integer, nullable=False, default=0)

    products = relationship("Product", secondary=addon_products, back_populates="addons", order_by="Product.id")
    prices = relationship("Price", back_populates="addon", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return self.name


class Bundle(TenantScoped, Model):
    """Several products sold together at the bundle's own price."""

    __tablename__ = "catalog_bundles"
    __table_args__ = (UniqueConstraint("tenant_id", "slug", name="uq_catalog_bundles_slug"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    slug = Column(String(100), nullable=False)
    description = Column(Text)
    hidden = Column(Boolean, nullable=False, default=False)
    tax_class = Column(String(64))

    items = relationship("BundleItem", back_populates="bundle", cascade="all, delete-orphan", passive_deletes=True,
                         order_by="BundleItem.id")
    prices = relationship("Price", back_populates="bundle", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return self.name


class BundleItem(TenantScoped, Model):
    __tablename__ = "catalog_bundle_items"
    __table_args__ = (CheckConstraint("quantity >= 1", name="ck_catalog_bundle_items_quantity"),)

    id = Column(Integer, primary_key=True)
    bundle_id = Column(Integer, ForeignKey("catalog_bundles.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = Column(Integer, ForeignKey("catalog_products.id"), nullable=False, index=True)
    cycle = choice(CYCLES, "catalog_cycle", nullable=False, default="monthly")
    quantity = Column(Integer, nullable=False, default=1)

    bundle = relationship("Bundle", back_populates="items")
    product = relationship("Product")

    def __repr__(self) -> str:
        return f"{self.quantity} x {self.product} ({self.cycle})"
