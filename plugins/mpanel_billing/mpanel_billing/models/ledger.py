"""Money movements: payments received or refunded, the ledger, credit balances.

Ledger amounts are signed from the customer's side: positive means the
customer owes more (an invoice issued, a refund paid out), negative means
less (a payment, a credit note). Entries with an invoice settle that invoice;
entries without one are the customer's account credit. So, per currency:

* an issued invoice's amount due == sum of its entries;
* the account's credit == minus the sum of the entries without an invoice.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import relationship

from mpanel.core.columns import currency, money
from mpanel.core.tenancy import CustomerOwned

# Ledger entry kinds.
INVOICE, FEE, PAYMENT, REFUND, CREDIT_APPLIED, CREDIT_NOTE, CANCELLATION = (
    "invoice", "fee", "payment", "refund", "credit_applied", "credit_note", "cancellation")
KINDS = (INVOICE, FEE, PAYMENT, REFUND, CREDIT_APPLIED, CREDIT_NOTE, CANCELLATION)


class Account(CustomerOwned, Model):
    """A customer's credit balance in one currency; its row is the lock for every money change."""

    __tablename__ = "billing_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "currency"), CheckConstraint("credit >= 0"))

    id = Column(Integer, primary_key=True)
    currency = currency()
    credit = money()

    customer = relationship("Customer")


class Payment(CustomerOwned, Model):
    """Money received (kind payment) or paid back (kind refund) by a provider; append-only.

    The unique key makes recording the same provider transaction twice a no-op.
    """

    __tablename__ = "billing_payments"
    __table_args__ = (UniqueConstraint("tenant_id", "provider", "provider_txn_id"),
                      CheckConstraint("amount > 0"))

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False, default=PAYMENT)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), index=True)
    provider = Column(String(64), nullable=False)
    provider_txn_id = Column(String(200), nullable=False)
    amount = money()
    currency = currency()
    memo = Column(String(200))
    received_on = Column(Date)  # the day staff say a manual payment arrived (bank, cash, cheque)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class LedgerEntry(CustomerOwned, Model):
    __tablename__ = "billing_ledger_entries"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), index=True)
    payment_id = Column(Integer, ForeignKey("billing_payments.id", ondelete="RESTRICT"), index=True)
    document_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"))  # the credit note
    amount = money()
    currency = currency()
    memo = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    invoice = relationship("Invoice", foreign_keys=[invoice_id])
    customer = relationship("Customer")
