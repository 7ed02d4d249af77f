"""What a customer accepted at sign-up: the tenant's terms and privacy texts, by version and time."""

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Integer, String, func

from mpanel.core.tenancy import CustomerOwned


class Consent(CustomerOwned, Model):
    __tablename__ = "customer_consents"
    audited = False

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)  # "terms" or "privacy"
    version = Column(String(32), nullable=False)
    accepted_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    ip = Column(String(45))
