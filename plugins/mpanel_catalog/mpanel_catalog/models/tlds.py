"""The TLD price list: per TLD its rules, per TLD and currency its fees and
its register / transfer / renew prices for 1..10 years."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import TenantScoped
from mpanel_catalog.constants import DEFAULT_ICANN_FEE, MAX_DOMAIN_YEARS, TLD_ACTIONS, TLD_KINDS
from mpanel_catalog.models.base import choice


class Tld(TenantScoped, Model):
    __tablename__ = "catalog_tlds"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_catalog_tlds_name"),
        CheckConstraint("grace_days >= 0 AND redemption_days >= 0", name="ck_catalog_tlds_days"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(63), nullable=False)  # without the leading dot: "com", "co.uk"
    kind = choice(TLD_KINDS, "catalog_tld_kind", nullable=False, default="gtld")
    epp_code_required = Column(Boolean, nullable=False, default=True)
    registrar = Column(String(64))  # the registrar plugin serving this TLD
    grace_days = Column(Integer, nullable=False, default=0)
    redemption_days = Column(Integer, nullable=False, default=0)
    hidden = Column(Boolean, nullable=False, default=False)
    sort_order = Column(Integer, nullable=False, default=0)

    fees = relationship("TldFees", back_populates="tld", cascade="all, delete-orphan", passive_deletes=True)
    prices = relationship("TldPrice", back_populates="tld", cascade="all, delete-orphan", passive_deletes=True)

    def icann_fee(self, fees):
        """ICANN's fee per domain-year from ``fees`` (a TldFees or None), else the default for the kind."""
        if fees is None or fees.icann_fee is None:
            return DEFAULT_ICANN_FEE[self.kind]
        return fees.icann_fee

    def __repr__(self) -> str:
        return f".{self.name}"


class TldFees(TenantScoped, Model):
    """Per TLD and currency: ICANN fee, late-renewal fees and the yearly extras."""

    __tablename__ = "catalog_tld_fees"
    __table_args__ = (
        UniqueConstraint("tld_id", "currency", name="uq_catalog_tld_fees_currency"),
        CheckConstraint("(icann_fee IS NULL OR icann_fee >= 0) AND grace_fee >= 0 AND redemption_fee >= 0 "
                        "AND id_protection >= 0 AND dns_management >= 0", name="ck_catalog_tld_fees_not_negative"),
    )

    id = Column(Integer, primary_key=True)
    tld_id = Column(Integer, ForeignKey("catalog_tlds.id", ondelete="CASCADE"), nullable=False, index=True)
    currency = currency()
    icann_fee = money(nullable=True)  # per domain-year; empty: the default for the TLD's kind
    grace_fee = money()
    redemption_fee = money()
    id_protection = money()  # per year
    dns_management = money()  # per year

    tld = relationship("Tld", back_populates="fees")

    def __repr__(self) -> str:
        return f"{self.tld} {self.currency}"


class TldPrice(TenantScoped, Model):
    __tablename__ = "catalog_tld_prices"
    __table_args__ = (
        UniqueConstraint("tld_id", "currency", "action", "years", name="uq_catalog_tld_prices_key"),
        CheckConstraint(f"years BETWEEN 1 AND {MAX_DOMAIN_YEARS}", name="ck_catalog_tld_prices_years"),
        CheckConstraint("price >= 0 AND (cost IS NULL OR cost >= 0)", name="ck_catalog_tld_prices_not_negative"),
    )

    id = Column(Integer, primary_key=True)
    tld_id = Column(Integer, ForeignKey("catalog_tlds.id", ondelete="CASCADE"), nullable=False, index=True)
    currency = currency()
    action = choice(TLD_ACTIONS, "catalog_tld_action", nullable=False)
    years = Column(Integer, nullable=False, default=1)
    cost = money(nullable=True)  # what the registrar charges; the markup tool starts from it
    price = money()  # retail, for all ``years`` together

    tld = relationship("Tld", back_populates="prices")

    def __repr__(self) -> str:
        return f"{self.tld} {self.action} {self.years}y {self.price} {self.currency}"
