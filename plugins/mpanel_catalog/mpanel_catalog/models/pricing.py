"""The pricing matrix: one row per (priced thing, currency, billing cycle).

A priced thing is exactly one of a product, an option choice, an add-on or a
bundle. A cycle without a row is not offered.
"""

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import TenantScoped
from mpanel_catalog.constants import CYCLES
from mpanel_catalog.models.base import choice

OWNERS = ("product", "option_choice", "addon", "bundle")


def _owner(table: str) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


class Price(TenantScoped, Model):
    __tablename__ = "catalog_prices"
    __table_args__ = (
        CheckConstraint("num_nonnulls(product_id, option_choice_id, addon_id, bundle_id) = 1",
                        name="ck_catalog_prices_one_owner"),
        CheckConstraint("price >= 0 AND setup_fee >= 0", name="ck_catalog_prices_not_negative"),
        UniqueConstraint("product_id", "option_choice_id", "addon_id", "bundle_id", "currency", "cycle",
                         name="uq_catalog_prices_owner_currency_cycle", postgresql_nulls_not_distinct=True),
    )

    id = Column(Integer, primary_key=True)
    product_id = _owner("catalog_products")
    option_choice_id = _owner("catalog_option_choices")
    addon_id = _owner("catalog_addons")
    bundle_id = _owner("catalog_bundles")
    currency = currency()
    cycle = choice(CYCLES, "catalog_cycle", nullable=False)
    price = money()  # per cycle (once for "onetime")
    setup_fee = money()

    product = relationship("Product", back_populates="prices")
    option_choice = relationship("OptionChoice", back_populates="prices")
    addon = relationship("Addon", back_populates="prices")
    bundle = relationship("Bundle", back_populates="prices")

    @property
    def owner(self):
        return self.product or self.option_choice or self.addon or self.bundle

    def __repr__(self) -> str:
        return f"{self.owner} {self.cycle} {self.price} {self.currency}"
