"""Configurable options: groups of options attached to products, each with priced choices.

A dropdown or radio option offers its choices; a yes/no option and a quantity
option have one choice that carries the price (per unit for quantities).
"""

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from mpanel.core.tenancy import TenantScoped
from mpanel_catalog.constants import OPTION_KINDS
from mpanel_catalog.models.base import association, choice

option_group_products = association("catalog_option_group_products",
                                    ("option_group_id", "catalog_option_groups.id"),
                                    ("product_id", "catalog_products.id"))


class OptionGroup(TenantScoped, Model):
    __tablename__ = "catalog_option_groups"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    description = Column(Text)

    options = relationship("Option", back_populates="group", cascade="all, delete-orphan", passive_deletes=True,
                           order_by="(Option.sort_order, Option.id)")
    products = relationship("Product", secondary=option_group_products, back_populates="option_groups",
                            order_by="Product.id")

    def __repr__(self) -> str:
        return self.name


class Option(TenantScoped, Model):
    __tablename__ = "catalog_options"
    __table_args__ = (
        CheckConstraint("min_quantity >= 0 AND step >= 1 AND (max_quantity IS NULL OR max_quantity >= min_quantity)",
                        name="ck_catalog_options_quantity"),
    )

    id = Column(Integer, primary_key=True)
    group_id = Column(Integer, ForeignKey("catalog_option_groups.id", ondelete="CASCADE"), nullable=False,
                      index=True)
    name = Column(String(200), nullable=False)
    kind = choice(OPTION_KINDS, "catalog_option_kind", nullable=False, default="dropdown")
    min_quantity = Column(Integer, nullable=False, default=0)
    max_quantity = Column(Integer)
    step = Column(Integer, nullable=False, default=1)
    sort_order = Column(Integer, nullable=False, default=0)
    hidden = Column(Boolean, nullable=False, default=False)  # kept on existing services, not offered

    group = relationship("OptionGroup", back_populates="options")
    choices = relationship("OptionChoice", back_populates="option", cascade="all, delete-orphan",
                           passive_deletes=True, order_by="(OptionChoice.sort_order, OptionChoice.id)")

    def __repr__(self) -> str:
        return f"{self.group}: {self.name}"


class OptionChoice(TenantScoped, Model):
    __tablename__ = "catalog_option_choices"

    id = Column(Integer, primary_key=True)
    option_id = Column(Integer, ForeignKey("catalog_options.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    sort_order = Column(Integer, nullable=False, default=0)
    hidden = Column(Boolean, nullable=False, default=False)

    option = relationship("Option", back_populates="choices")
    prices = relationship("Price", back_populates="option_choice", cascade="all, delete-orphan",
                          passive_deletes=True)

    def __repr__(self) -> str:
        return f"{self.option}: {self.name}"
