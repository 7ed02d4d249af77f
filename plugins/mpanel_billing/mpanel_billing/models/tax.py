"""Tax rules per tenant: which tax applies to whom (see tax/rules.py)."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Integer, SmallInteger, String, Text, UniqueConstraint

from mpanel.core.tenancy import CustomerOwned, TenantScoped

from .columns import rate

# Rule categories; "standard" and "reduced" are both VAT category S.
CATEGORIES = ("standard", "reduced", "zero", "exempt", "reverse_charge")
# What a line (later: a product) asks for; "outside_scope": no supply for VAT (a late fee as damages).
TAX_CLASSES = ("standard", "reduced", "zero", "exempt", "outside_scope")


class TaxRule(TenantScoped, Model):
    __tablename__ = "billing_tax_rules"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    country = Column(String(2))  # ISO 3166-1; empty: every country
    region = Column(String(100))  # state or province; empty: the whole country
    category = Column(String(16), nullable=False, default="standard")
    rate = rate()
    level = Column(SmallInteger, nullable=False, default=1)  # 2: a second tax on top of level 1
    compound = Column(Boolean, nullable=False, default=False)  # level 2 charged on net + level-1 tax
    prices_include_tax = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)

    def __repr__(self) -> str:
        return f"{self.name} ({self.rate} %)"


class VatCheck(CustomerOwned, Model):
    """The last online (VIES) check of a customer's VAT id: the result of the last check that
    answered, and the failure of the last attempt while VIES could not answer (to retry)."""

    __tablename__ = "billing_vat_checks"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "vat_id"),)

    id = Column(Integer, primary_key=True)
    vat_id = Column(String(20), nullable=False)  # compact, with its prefix
    valid = Column(Boolean)  # None: never answered
    checked_at = Column(DateTime(timezone=True))  # when VIES last answered
    attempted_at = Column(DateTime(timezone=True), nullable=False)
    error = Column(Text)  # why the last attempt could not check; None once it answered
