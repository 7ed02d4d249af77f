"""Invoices and credit notes, their lines and their tax breakdown.

Once issued (status other than draft) a document is frozen by database
triggers (migration 0001): lines, taxes, amounts, snapshots and number.
"""

from __future__ import annotations

from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.money import quantize
from mpanel.core.tenancy import CustomerOwned

from .columns import rate

INVOICE, CREDIT_NOTE = "invoice", "credit_note"
DRAFT, UNPAID, PARTIALLY_PAID, PAID, OVERDUE, CANCELLED, REFUNDED, ISSUED = (
    "draft", "unpaid", "partially_paid", "paid", "overdue", "cancelled", "refunded", "issued")
STATUSES = (DRAFT, UNPAID, PARTIALLY_PAID, PAID, OVERDUE, CANCELLED, REFUNDED, ISSUED)
OPEN = (UNPAID, PARTIALLY_PAID, OVERDUE)  # issued invoices that still expect money


class Invoice(CustomerOwned, Model):
    __tablename__ = "billing_invoices"
    __table_args__ = (UniqueConstraint("tenant_id", "number"), UniqueConstraint("tenant_id", "proforma_number"))

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False, default=INVOICE)
    status = Column(String(16), nullable=False, default=DRAFT, index=True)
    number = Column(String(64))  # legal number: assigned at issue (or on payment of a proforma)
    number_seq = Column(Integer)
    proforma_number = Column(String(64))
    issue_date = Column(Date)
    due_date = Column(Date, index=True)
    currency = currency()
    rounding = Column(String(16), nullable=False, default="en16931")  # the tenant's policy when issued
    language = Column(String(10), nullable=False, default="en")
    seller = Column(JSONB)  # snapshots taken at issue
    buyer = Column(JSONB)
    notes = Column(Text)
    exemption_reasons = Column(JSONB, nullable=False, default=dict)
    net_total = money()
    tax_total = money()
    total = money()
    amount_paid = money()  # payments and applied credit, less payment reversals
    amount_credited = money()  # credit notes (and cancelled proformas)
    # Art. 230: the VAT in the seller's national currency when the invoice is in another (taxcurrency.py).
    tax_currency = Column(String(3))  # BT-6
    tax_currency_rate = Column(Numeric(20, 10))  # 1 unit of ``currency`` in tax_currency, as recorded
    tax_currency_tax = Column(Numeric(20, 4))  # BT-111
    credited_invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), index=True)
    late_fee_for_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), unique=True)
    issued_at = Column(DateTime(timezone=True))
    paid_at = Column(DateTime(timezone=True))
    cancelled_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    customer = relationship("Customer", lazy="joined", innerjoin=True)
    lines = relationship("InvoiceLine", back_populates="invoice", order_by="InvoiceLine.position",
                         cascade="all, delete-orphan")
    taxes = relationship("InvoiceTax", order_by="(InvoiceTax.level, InvoiceTax.id)", cascade="all, delete-orphan")
    credited_invoice = relationship("Invoice", remote_side=[id], foreign_keys=[credited_invoice_id])

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def is_proforma(self) -> bool:
        return self.proforma_number is not None and self.number is None

    @property
    def variant(self) -> str:
        """Which document this is now: proforma, invoice or credit_note."""
        return "proforma" if self.is_proforma else self.kind

    @property
    def display_number(self) -> str:
        return self.number or self.proforma_number or f"draft #{self.id}"

    @property
    def amount_due(self) -> Decimal:
        if self.kind == CREDIT_NOTE or self.status in (DRAFT, CANCELLED):
            return quantize(0, self.currency)
        return quantize(self.total - self.amount_paid - self.amount_credited, self.currency)

    def __repr__(self) -> str:
        return self.display_number


class InvoiceLine(CustomerOwned, Model):
    __tablename__ = "billing_invoice_lines"

    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(SmallInteger, nullable=False, default=0)
    description = Column(String(500), nullable=False)
    period_start = Column(Date)
    period_end = Column(Date)
    quantity = Column(Numeric(20, 4), nullable=False, default=1)
    unit_code = Column(String(3), nullable=False, default="C62")
    unit_price = Column(Numeric(24, 8), nullable=False)  # net, or gross when prices_include_tax
    discount = Column(Numeric(20, 4), nullable=False, default=0)  # amount off the line; negative: surcharge
    discount_reason = Column(String(200))
    prices_include_tax = Column(Boolean, nullable=False, default=False)
    price_tax_rate = Column(Numeric(7, 4))  # the rate a tax-inclusive price includes
    tax_class = Column(String(16), nullable=False, default="standard")  # what the rules are asked for
    tax_category = Column(String(2), nullable=False, default="S")  # UNCL 5305, decided by the rules
    tax_rate = rate()
    tax_name = Column(String(100))
    tax2_name = Column(String(100))  # second-level tax, if a rule adds one
    tax2_rate = Column(Numeric(7, 4))
    tax2_compound = Column(Boolean, nullable=False, default=False)
    net_amount = money()
    gross_amount = money(nullable=True)  # kept for tax-inclusive prices under the keep_gross policy
    currency = currency()
    credited_line_id = Column(Integer, ForeignKey("billing_invoice_lines.id", ondelete="RESTRICT"), index=True)

    invoice = relationship("Invoice", back_populates="lines")


class InvoiceTax(CustomerOwned, Model):
    """One row of the tax breakdown: VAT per category and rate (level 1), other taxes (level 2)."""

    __tablename__ = "billing_invoice_taxes"

    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="CASCADE"), nullable=False, index=True)
    level = Column(SmallInteger, nullable=False, default=1)
    name = Column(String(100))
    category = Column(String(2), nullable=False)
    rate = rate()
    taxable = money()
    tax = money()
    currency = currency()
