"""One row per invoice and dunning step: a step is taken at most once."""

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint, func

from mpanel.core.tenancy import CustomerOwned


class DunningStep(CustomerOwned, Model):
    __tablename__ = "billing_dunning_steps"
    __table_args__ = (UniqueConstraint("invoice_id", "step"),)

    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("billing_invoices.id", ondelete="RESTRICT"), nullable=False, index=True)
    step = Column(String(32), nullable=False)  # reminder, overdue_<days>, late_fee
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
