"""Customers: a tenant's clients (accounts); their contacts log in as users."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, UniqueConstraint, func

from mpanel.core.tenancy import CustomerOwned, TenantScoped


class Customer(TenantScoped, Model):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("tenant_id", "email", name="uq_customers_tenant_email"),)

    id = Column(Integer, primary_key=True)
    company = Column(String(200))
    first_name = Column(String(100), nullable=False)
    last_name = Column(String(100), nullable=False)
    email = Column(String(320), nullable=False)
    phone = Column(String(40))
    address1 = Column(String(200))
    address2 = Column(String(200))
    city = Column(String(100))
    postcode = Column(String(20))
    region = Column(String(100))
    country = Column(String(2), nullable=False)
    vat_id = Column(String(32))
    currency = Column(String(3), nullable=False)
    language = Column(String(10), nullable=False, default="en")
    tax_exempt = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    @property
    def display_name(self) -> str:
        return self.company or f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return self.display_name


class CustomerNote(CustomerOwned, Model):
    """Staff's internal note on a customer. RLS hides the rows whenever a customer is
    in scope (the client area), so no client page can ever read them."""

    __tablename__ = "customer_notes"

    id = Column(Integer, primary_key=True)
    body = Column(Text, nullable=False)
    author = Column(String(320), nullable=False)  # the staff member's e-mail, kept if the user goes
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
