"""Product groups, products and their per-locale names."""

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import relationship

from mpanel.core.tenancy import TenantScoped
from mpanel_catalog.constants import PRODUCT_TYPES
from mpanel_catalog.models.base import association, choice

product_upgrades = association("catalog_product_upgrades", ("product_id", "catalog_products.id"),
                               ("target_id", "catalog_products.id"))


class ProductGroup(TenantScoped, Model):
    __tablename__ = "catalog_product_groups"
    __table_args__ = (UniqueConstraint("tenant_id", "slug", name="uq_catalog_product_groups_slug"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    slug = Column(String(100), nullable=False)
    description = Column(Text)
    sort_order = Column(Integer, nullable=False, default=0)
    hidden = Column(Boolean, nullable=False, default=False)

    products = relationship("Product", back_populates="group", order_by="(Product.sort_order, Product.id)")

    def __repr__(self) -> str:
        return self.name


class Product(TenantScoped, Model):
    __tablename__ = "catalog_products"
    __table_args__ = (
        CheckConstraint("stock_quantity >= 0", name="ck_catalog_products_stock"),
        CheckConstraint("trial_days IS NULL OR trial_days > 0", name="ck_catalog_products_trial"),
    )

    id = Column(Integer, primary_key=True)
    group_id = Column(Integer, ForeignKey("catalog_product_groups.id"), nullable=False, index=True)
    type = choice(PRODUCT_TYPES, "catalog_product_type", nullable=False, default="other")
    name = Column(String(200), nullable=False)
    description = Column(Text)
    welcome_email = Column(String(100))  # name of the mail template sent on activation
    hidden = Column(Boolean, nullable=False, default=False)  # not listed, still orderable by link
    retired = Column(Boolean, nullable=False, default=False)  # no new orders; existing services renew
    stock_control = Column(Boolean, nullable=False, default=False)
    stock_quantity = Column(Integer, nullable=False, default=0)
    allow_multiple = Column(Boolean, nullable=False, default=False)  # quantity > 1 in one order
    trial_days = Column(Integer)
    provisioning_module = Column(String(64))
    provisioning_settings = Column(JSONB, nullable=False, default=dict)
    tax_class = Column(String(64))
    sort_order = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    group = relationship("ProductGroup", back_populates="products")
    prices = relationship("Price", back_populates="product", cascade="all, delete-orphan", passive_deletes=True)
    translations = relationship("ProductTranslation", back_populates="product", cascade="all, delete-orphan",
                                passive_deletes=True)
    upgrades = relationship("Product", secondary=product_upgrades, order_by="Product.id",
                            primaryjoin=id == product_upgrades.c.product_id,
                            secondaryjoin=id == product_upgrades.c.target_id)
    option_groups = relationship("OptionGroup", secondary="catalog_option_group_products", back_populates="products",
                                 order_by="OptionGroup.id")
    addons = relationship("Addon", secondary="catalog_addon_products", back_populates="products",
                          order_by="(Addon.sort_order, Addon.id)")

    def localized(self, locale: str | None) -> tuple[str, str | None]:
        """(name, description) in ``locale``, falling back to the base fields."""
        for translation in self.translations:
            if translation.locale == locale:
                return translation.name or self.name, translation.description or self.description
        return self.name, self.description

    def __repr__(self) -> str:
        return self.name


class ProductTranslation(TenantScoped, Model):
    __tablename__ = "catalog_product_translations"
    __table_args__ = (UniqueConstraint("product_id", "locale", name="uq_catalog_product_translations_locale"),)

    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, ForeignKey("catalog_products.id", ondelete="CASCADE"), nullable=False, index=True)
    locale = Column(String(10), nullable=False)
    name = Column(String(200), nullable=False)
    description = Column(Text)

    product = relationship("Product", back_populates="translations")

    def __repr__(self) -> str:
        return f"{self.product} [{self.locale}]"
