"""Rendered PDFs, stored once per document and variant; append-only."""

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, func

from mpanel.core.tenancy import CustomerOwned


class StoredDocument(CustomerOwned, Model):
    __tablename__ = "billing_documents"
    __table_args__ = (UniqueConstraint("invoice_id", "variant"),)
    audited = False  # the bytes do not belong in the audit log

    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), nullable=False, index=True)
    variant = Column(String(16), nullable=False)  # invoice, credit_note or proforma
    filename = Column(String(200), nullable=False)
    mime = Column(String(100), nullable=False, default="application/pdf")
    content = Column(LargeBinary, nullable=False)
    sha256 = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
