"""Number series: one counter row per tenant and series, locked FOR UPDATE (numbering.py)."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, Integer, String, UniqueConstraint

from mpanel.core.tenancy import TenantScoped

SERIES = ("invoice", "credit_note", "proforma")
DEFAULT_FORMATS = {"invoice": "INV-{YYYY}-{seq:05}", "credit_note": "CN-{YYYY}-{seq:05}",
                   "proforma": "PRO-{YYYY}-{seq:05}"}


class NumberSeries(TenantScoped, Model):
    __tablename__ = "billing_number_series"
    __table_args__ = (UniqueConstraint("tenant_id", "series"),)

    id = Column(Integer, primary_key=True)
    series = Column(String(16), nullable=False)
    format = Column(String(64), nullable=False)
    reset_yearly = Column(Boolean, nullable=False, default=True)
    year = Column(Integer)  # the year last_seq counts in
    last_seq = Column(Integer, nullable=False, default=0)
    last_date = Column(Date)  # numbers are chronological: no issue date before this one

    def __repr__(self) -> str:
        return self.series
