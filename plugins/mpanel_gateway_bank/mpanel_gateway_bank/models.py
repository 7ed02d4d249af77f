"""Imported bank statements and their credit lines (matched or left for staff)."""

from flask_appbuilder import Model
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import TenantScoped

MATCHED, UNMATCHED, IGNORED = "matched", "unmatched", "ignored"
STATUSES = (MATCHED, UNMATCHED, IGNORED)


class BankStatement(TenantScoped, Model):
    __tablename__ = "gateway_bank_statements"
    __table_args__ = (UniqueConstraint("tenant_id", "sha256"),)
    audited = False

    id = Column(Integer, primary_key=True)
    filename = Column(String(200), nullable=False)
    sha256 = Column(String(64), nullable=False)
    lines = Column(Integer, nullable=False, default=0)
    matched = Column(Integer, nullable=False, default=0)
    imported_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    def __repr__(self) -> str:
        return self.filename


class BankLine(TenantScoped, Model):
    __tablename__ = "gateway_bank_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "bank_ref"),)

    id = Column(Integer, primary_key=True)
    statement_id = Column(Integer, ForeignKey("gateway_bank_statements.id", ondelete="CASCADE"), nullable=False,
                          index=True)
    bank_ref = Column(String(200), nullable=False)
    booked_on = Column(Date)
    amount = money()
    currency = currency()
    reference = Column(String(100), nullable=False, default="")
    remittance = Column(Text, nullable=False, default="")
    debtor_name = Column(String(200), nullable=False, default="")
    debtor_iban = Column(String(40), nullable=False, default="")
    status = Column(String(16), nullable=False, default=UNMATCHED, index=True)
    # The invoice the line was recorded for, or the one its reference suggests.
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), index=True)
    payment_id = Column(Integer, ForeignKey("billing_payments.id", ondelete="RESTRICT"))

    statement = relationship("BankStatement")
    invoice = relationship("Invoice")

    def __repr__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.currency} {self.debtor_name}"
