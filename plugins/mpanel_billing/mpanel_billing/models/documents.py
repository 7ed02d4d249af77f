"""Issued documents (PDFs, UBL), stored once per document and variant; append-only.

The bytes live in the storage service under ``storage_key``; rows from before
it keep them in ``content`` until ``flask mpanel storage migrate-documents``
moves them. Either way the sha256 taken at issue is checked on every read.
"""

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, func

from mpanel.core.storage import ChecksumMismatch, tenant_storage, verified
from mpanel.core.tenancy import CustomerOwned


class StoredDocument(CustomerOwned, Model):
    __tablename__ = "billing_documents"
    __table_args__ = (UniqueConstraint("invoice_id", "variant"),)
    audited = False  # the bytes do not belong in the audit log

    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), nullable=False, index=True)
    variant = Column(String(16), nullable=False)  # invoice, credit_note, proforma or ubl
    filename = Column(String(200), nullable=False)
    mime = Column(String(100), nullable=False, default="application/pdf")
    stored_content = Column("content", LargeBinary)
    storage_key = Column(String(300))
    sha256 = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    @property
    def content(self) -> bytes:
        """The bytes as issued; raises ChecksumMismatch if they are not."""
        if self.storage_key:
            return tenant_storage().get(self.storage_key, sha256=self.sha256)
        return verified(f"billing document {self.id}", self.stored_content, self.sha256)


__all__ = ["ChecksumMismatch", "StoredDocument"]
